"""Sentence splitting that needs no NLTK data download.

Lines are split first (news texts put paragraphs, headlines and captions on lines of their own),
then NLTK's Punkt algorithm splits each line, with a project-owned list of abbreviations common
in news prose ("U.S.", "Gen.", "Apr.") instead of the downloadable ``punkt`` model. Nothing else is
learned (no collocations, sentence starters or orthographic statistics), which lets
:class:`_NewsPunkt` decide each candidate break without Punkt's per-word annotation objects.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktToken

__all__ = ["split_sentences", "sentence_spans", "ABBREVIATIONS"]

#: Abbreviations (lowercase, without the final period) after which a period ends no sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sen rep gov gen lt col maj capt sgt adm cmdr pres amb rev st jr sr messrs
u.s u.n u.k u.s.a e.u a.m p.m no vs etc e.g i.e inc corp co ltd dept est approx
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
""".split())

_LINE = re.compile(r"[^\n]+")
# ASCII except digits and "#": such a word has no Punkt number type (which needs a digit or is
# "##number##" itself); an initial is one letter and a period
_PLAIN = re.compile(r"[\x00-\x22\x24-\x2f\x3a-\x7f]*")
# "word. Next", "word? Next": Punkt's words are "word." and "Next", or "word", "?" and "Next"
_SIMPLE_CONTEXT = re.compile(r"([A-Za-z]+)([.?!]) +([A-Za-z]+)")


class _NewsPunkt(PunktSentenceTokenizer):
    """Punkt whose only parameters are abbreviations.

    :meth:`text_contains_sentbreak` is NLTK's two annotation passes with empty collocations,
    sentence starters and orthographic context, where they reduce to a test of each word and
    the word after it. It gives NLTK's answers and is several times faster; sentence splitting
    spends most of its time there.
    """

    def text_contains_sentbreak(self, text: str) -> bool:
        """Whether a word of ``text`` other than the last ends a sentence."""
        simple = _SIMPLE_CONTEXT.fullmatch(text)
        if simple:  # most contexts: Punkt's words are known without its word tokenizer
            word, mark, after = simple.groups()
            return mark != "." or self._breaks(word + mark, after)
        words = [w for line in text.split("\n") if line.strip()
                 for w in self._lang_vars.word_tokenize(line)]
        return any(self._breaks(word, after) for word, after in pairwise(words))

    def _breaks(self, word: str, after: str) -> bool:
        """Whether ``word`` ends a sentence when ``after`` follows it."""
        if not word.endswith("."):
            return word in ("?", "!")
        if word.endswith(".."):  # an ellipsis, or no decision
            return False
        stripped = word[:-1].lower()
        abbrevs = self._params.abbrev_types
        if stripped in abbrevs or stripped.split("-")[-1] in abbrevs:
            return False
        if len(word) > 2 and _PLAIN.fullmatch(word):  # neither an initial nor a number
            return True
        token = PunktToken(word)
        if token.is_initial or token.type_no_period == "##number##":
            # the orthographic heuristic knows only that sentences start with neither
            # punctuation nor a lowercase letter; initials also do not break before a capital
            if after in self.PUNCTUATION or after[0].islower():
                return False
            if token.is_initial and after[0].isupper():
                return False
        return True


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return _NewsPunkt(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``, in order.

    Examples
    --------
    >>> text = "Mr. Putin spoke. The U.S. struck Shayrat.\\nA caption line"
    >>> [text[a:b] for a, b in sentence_spans(text)]
    ['Mr. Putin spoke.', 'The U.S. struck Shayrat.', 'A caption line']
    """
    spans = []
    tokenizer = _tokenizer()
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        offset = line.start()
        spans.extend((offset + a, offset + b) for a, b in tokenizer.span_tokenize(line.group()))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]
