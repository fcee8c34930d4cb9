"""Sentence splitting that needs no NLTK data download.

Lines are split first (news texts put paragraphs, headlines and captions on lines of their own),
then NLTK's Punkt algorithm splits each line, with a project-owned list of abbreviations common
in news prose ("U.S.", "Gen.", "Apr.") instead of the downloadable ``punkt`` model.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

__all__ = ["split_sentences", "sentence_spans", "ABBREVIATIONS"]

#: Abbreviations (lowercase, without the final period) after which a period ends no sentence.
ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sen rep gov gen lt col maj capt sgt adm cmdr pres amb rev st jr sr messrs
u.s u.n u.k u.s.a e.u a.m p.m no vs etc e.g i.e inc corp co ltd dept est approx
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
""".split())

_LINE = re.compile(r"[^\n]+")


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


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
