"""Quotation and attribution: who says what in a news article.

Three cues are recognised without a parser:

* quoted speech: text between double quotes (straight or curly, also across sentences of one
  paragraph) and between curly single quotes within a sentence;
* reported speech: a reporting verb ("said", "told", "warned", "compared" ...) with its subject
  on the left ("Lavrov said", "the Kremlin has repeatedly warned") or, after a quotation, on the
  right (``"...," said Sergei Lavrov``);
* "according to X", and "X: ..." before a quotation.

A pronoun subject ("he said") is resolved to the nearest speaker in the two sentences before.
A sentence inside a quotation takes the speaker of that quotation, found in the sentence where
the quotation opens or closes.

:func:`attribute` returns one :class:`Attribution` per sentence of a parsed document;
:func:`classify_speaker` maps a speaker onto the actor categories of a codebook, looking at the
speaker's words first and then at the words around the speaker's first mention in the article
("Sergei Lavrov, Russia's foreign minister, ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .codebook import Cue, compile_cues, cue_keys

__all__ = ["Attribution", "attribute", "quote_spans", "classify_speaker", "REPORTING_VERBS"]

#: Verb forms that introduce reported speech, matched exactly (lowercased). Forms that are
#: also common nouns ("claims", "calls", "note") are left out. A codebook may replace the list by
#: defining ``[lists] reporting_verbs`` (with the cue syntax, e.g. ``"=said"``).
REPORTING_VERBS = tuple("""
say says said saying tell tells told telling add adds added adding note noted noting
stated stating claimed claiming argue argues argued arguing insist insists insisted insisting
warn warns warned warning accuse accuses accused accusing blamed blaming deny denies denied
denying declare declares declared declaring assert asserts asserted asserting stress stresses
stressed stressing suggest suggests suggested suggesting write writes wrote writing tweeted
tweeting explain explains explained explaining allege alleges alleged alleging compare compares
compared comparing liken likens likened likening dismiss dismisses dismissed dismissing
reject rejects rejected rejecting described describing acknowledged acknowledging admit admits
admitted admitting announced announcing confirmed confirming concluded contend contends
contended recalled recalling remarked replied urged urging emphasized emphasised
echoed echoing invoked invoking predicted countered quipped cautioned conceded
questioned complained condemned condemning criticized criticised
criticizing criticising asked mocked ridiculed scoffed lamented declared cited citing cites
referred referring pointed spoke speaking
""".split())

_ROLE_NOUNS = {
    "official", "officials", "spokesman", "spokeswoman", "spokesperson", "spokesmen",
    "ministry", "minister", "ministers", "diplomat", "diplomats", "source", "sources",
    "analyst", "analysts", "expert", "experts", "aide", "aides", "lawmaker", "lawmakers",
    "senator", "senators", "ambassador", "envoy", "government", "administration", "president",
    "secretary", "general", "commander", "military", "army", "statement", "agency", "office",
    "embassy", "mission", "critics", "observers", "professor", "researcher", "author",
    "columnist", "writer", "editorial", "leader", "leaders", "activist", "activists",
    "opposition", "rebels", "witness", "witnesses", "resident", "residents", "doctor",
    "doctors", "monitor", "observatory", "people", "report",
}
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her",
                "their", "our", "some", "several", "many", "one", "two", "three"}
_PREPOSITIONS = {"in", "on", "at", "for", "with", "from", "by", "about", "to", "into", "over",
                 "under", "against", "during", "through", "between", "among", "without",
                 "within", "toward", "towards", "upon", "like", "is", "was", "are", "were",
                 "be", "been"}

_PRONOUNS = {"he", "she", "they", "it", "we", "i", "him", "her"}
# Words skipped between a subject and its verb ("Lavrov has also said", "Russia on Friday said").
_SKIP = {"has", "have", "had", "was", "were", "is", "are", "also", "later", "previously",
         "earlier", "further", "again", "repeatedly", "reportedly", "then", "would", "will",
         "recently", "once", "publicly", "privately", "flatly", "strongly", "openly",
         "immediately", "already", "did", "does", "do", "not", "never", "on", "in", "at",
         "last", "this", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
         "sunday", "today", "yesterday", "week", "month", "year", "night", "morning",
         "afternoon", "evening", "widely", "long", "often", "frequently", "quickly",
         "explicitly", "directly", "specifically", "bluntly", "angrily", "sharply"}
# Words that end a subject when walking left from the verb.
_STOP = {"that", "and", "but", "which", "who", "whom", "when", "as", "while", "because", "if",
         "after", "before", "since", "though", "although", "where", "what", "how", "why", "than",
         "so", "or", "nor", "whether"}
_MAX_SPEAKER = 8
_BOUNDARY = re.compile(r"[,;:()\[\]\"“”«»—–]|\s-\s|['‘’](?=\s|$)|(?<=\s)['‘’]")

_DOUBLE_OPEN, _DOUBLE_CLOSE = "“„«", "”»"
_QUOTE_CHARS = re.compile(r"[\"“”„«»]")
_SINGLE_QUOTE = re.compile(r"(?<![^\s(\[—–-])‘([^‘’\n]{2,}?)’(?![^\W\d_])")


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quoted speech in ``text`` (quote marks excluded).

    A quotation left open at the end of a line (the news convention for a quotation that goes on
    in the next paragraph) ends with its line.

    Examples
    --------
    >>> text = 'He said "this is not Iraq" and left.'
    >>> [text[a:b] for a, b in quote_spans(text)]
    ['this is not Iraq']
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        offset, body = line.start(), line.group()
        start = None
        for mark in _QUOTE_CHARS.finditer(body):
            char = mark.group()
            if start is None:
                if char in _DOUBLE_CLOSE:
                    continue
                start = mark.end()
            elif char in _DOUBLE_OPEN:  # a new quotation opens before the old one closed
                spans.append((offset + start, offset + mark.start()))
                start = mark.end()
            else:
                spans.append((offset + start, offset + mark.start()))
                start = None
        if start is not None:
            spans.append((offset + start, offset + len(body)))
        spans.extend((offset + m.start(1), offset + m.end(1))
                     for m in _SINGLE_QUOTE.finditer(body))
    return sorted(s for s in spans if s[1] > s[0])


@dataclass(frozen=True)
class Attribution:
    """Who speaks in a sentence.

    Attributes
    ----------
    speaker : str or None
        The speaker's words as written ("Russian Foreign Minister Sergei Lavrov"), or ``None``
        when the sentence is in the article's own voice.
    how : str
        ``quote`` (inside quoted speech), ``reported`` (reporting verb), ``according_to``,
        or ``""`` when there is no speaker.
    quoted : tuple of (int, int)
        Token index ranges ``[start, end)`` of the sentence that lie inside quotation marks.
    reported_speaker : str or None
        The speaker of the sentence's own reporting verb, if any (also set for quotations).
    """

    speaker: str | None = None
    how: str = ""
    quoted: tuple[tuple[int, int], ...] = ()
    reported_speaker: str | None = None
    quote_speaker: str | None = None

    def speaker_at(self, token: int) -> str | None:
        """The speaker of the words at token index ``token``: the quotation's speaker inside a
        quotation, else the sentence's reporting speaker, else ``None`` (the article)."""
        if any(a <= token < b for a, b in self.quoted):
            return self.quote_speaker or self.reported_speaker
        return self.reported_speaker


def _gap(sentence, i: int) -> str:
    """The characters between token ``i`` and token ``i + 1`` of a sentence."""
    return sentence.text[sentence.tokens[i].end:sentence.tokens[i + 1].start]


def _subject_left(sentence, verb: int) -> tuple[int, int] | None:
    tokens = sentence.tokens
    i = verb - 1
    while i >= 0 and tokens[i].lower in _SKIP and not _BOUNDARY.search(_gap(sentence, i)):
        i -= 1
    if i < 0 or _BOUNDARY.search(_gap(sentence, i)):
        return None
    end = i + 1
    while i >= 0 and end - i <= _MAX_SPEAKER:
        if (tokens[i].lower in _STOP or tokens[i].lower in _PREPOSITIONS
                or tokens[i].lower in _SKIP and i < end - 1):
            i += 1
            break
        if i == 0 or _BOUNDARY.search(_gap(sentence, i - 1)):
            break
        i -= 1
    start = max(i, 0)
    if start >= end:
        return None
    return start, end


def _subject_right(sentence, verb: int) -> tuple[int, int] | None:
    tokens = sentence.tokens
    if verb + 1 >= len(tokens) or _BOUNDARY.search(_gap(sentence, verb)):
        return None
    start = verb + 1
    end = start
    while end < len(tokens) and end - start < _MAX_SPEAKER:
        if tokens[end].lower in _STOP or tokens[end].lower in _PREPOSITIONS:
            break
        end += 1
        if end < len(tokens) and _BOUNDARY.search(_gap(sentence, end - 1)):
            break
    return (start, end) if end > start else None


def _words(sentence, span: tuple[int, int]) -> str:
    a, b = span
    return sentence.text[sentence.tokens[a].start:sentence.tokens[b - 1].end]


def _in_spans(token, spans) -> bool:
    return any(a <= token.start < b for a, b in spans)


def _is_speaker(sentence, span: tuple[int, int]) -> bool:
    """A speaker has a name (a capitalised word that is not a sentence-initial determiner),
    a role noun ("officials", "the ministry") or is a pronoun."""
    a, b = span
    for k in range(a, b):
        token = sentence.tokens[k]
        if token.lower in _ROLE_NOUNS or token.lower in _PRONOUNS:
            return True
        if token.surface[:1].isupper() and token.lower not in _DETERMINERS:
            return True
    return False


def _reported(sentence, verbs: Sequence[int], according: bool,
              spans) -> tuple[str | None, str, int | None]:
    """The speaker of a sentence's first reporting verb outside quotation marks (``verbs``:
    the token indices where a verb's first word occurs), else of "according to X" (looked for
    when ``according``: the sentence has that word), else of "X: " before a quotation."""
    for i in verbs:
        if _in_spans(sentence.tokens[i], spans):
            continue
        after_quote = i > 0 and re.search(r"[\"”’»]", _gap(sentence, i - 1))
        span = None if after_quote else _subject_left(sentence, i)
        if span is None or not _is_speaker(sentence, span):
            span = _subject_right(sentence, i)
        if span is None or not _is_speaker(sentence, span):
            continue
        words = _words(sentence, span)
        if words.lower() in ("it", "this", "that", "which"):
            continue
        return words, "reported", span[0]
    tokens = sentence.tokens if according else ()
    for i, token in enumerate(tokens[:-1]):
        if token.lower == "according" and tokens[i + 1].lower == "to":
            span = _subject_right(sentence, i + 1)
            if span and _is_speaker(sentence, span):
                return _words(sentence, span), "according_to", span[0]
    match = re.match(r"^\s*([A-Z][\w.’'\- ]{1,60}?):\s*[\"“‘]", sentence.text)
    if match:
        return match.group(1).strip(), "reported", 0
    return None, "", None


def _resolve(words: str | None, previous: list[str | None]) -> str | None:
    if words is None or words.lower() not in _PRONOUNS:
        return words
    for speaker in reversed(previous[-2:]):
        if speaker and speaker.lower() not in _PRONOUNS:
            return speaker
    return words


def attribute(doc, *, verbs: Sequence[Cue] | None = None) -> list[Attribution]:
    """One :class:`Attribution` per sentence of ``doc`` (a :class:`ParsedDocument`).

    Parameters
    ----------
    doc : ParsedDocument
        From :func:`framing.frames.parse_document`.
    verbs : sequence of Cue, optional
        Reporting verbs; :data:`REPORTING_VERBS` by default.

    Examples
    --------
    >>> from framing.frames import parse_document
    >>> doc = parse_document("", 'Lavrov said the US repeats Iraq. "It is 2003 again," he added.')
    >>> [a.speaker for a in attribute(doc)]
    [None, 'Lavrov', 'Lavrov']
    """
    verb_tokens = _verb_tokens(doc, verbs)
    according = {s for s, _, _ in doc.find(_ACCORDING)}
    spans = {"title": quote_spans(doc.title), "text": quote_spans(doc.text)}
    rows = []  # (quoted token ranges, open at start, open at end, speaker, speaker position)
    speakers: list[str | None] = []
    for sentence in doc.sentences:
        local = [(a - sentence.start, b - sentence.start) for a, b in spans[sentence.field]
                 if a < sentence.end and b > sentence.start]
        words, how, where = _reported(sentence, verb_tokens.get(sentence.index, ()),
                                      sentence.index in according, local)
        words = _resolve(words, speakers)
        speakers.append(words)
        length = len(sentence.text.rstrip())
        rows.append((_token_ranges(sentence, local), any(a <= 0 for a, _ in local),
                     any(b >= length - 1 for _, b in local), words, how, where))
    out: list[Attribution] = []
    for i, (quoted, _, _, words, how, _) in enumerate(rows):
        quote_speaker = _quote_speaker(rows, out, i) if quoted else None
        out.append(Attribution(speaker=words or quote_speaker,
                               how=how or ("quote" if quote_speaker else ""), quoted=quoted,
                               reported_speaker=words, quote_speaker=quote_speaker))
    return out


def _quote_speaker(rows, done: list[Attribution], i: int) -> str | None:
    """The speaker of the quotation(s) in sentence ``i``: named in the sentence itself, in the
    sentences the quotation runs on to, inherited from the sentence it runs on from, named at
    the start of the next sentence, or (a quotation standing alone) the last speaker of the two
    sentences before."""
    if rows[i][3]:
        return rows[i][3]
    j = i
    while rows[j][2] and j + 1 < len(rows) and rows[j + 1][1]:  # runs on into the next one
        j += 1
        if rows[j][3]:
            return rows[j][3]
    if rows[i][1] and i > 0 and rows[i - 1][2] and done[i - 1].quote_speaker:
        return done[i - 1].quote_speaker  # continues the quotation of the sentence before
    nxt = rows[i + 1] if i + 1 < len(rows) else None
    if rows[i][2] and nxt and nxt[3] and not nxt[0] and nxt[5] is not None and nxt[5] <= 3:
        return nxt[3]  # '"...." Haley told the council.'
    for k in range(i - 1, max(i - 3, -1), -1):
        if done[k].speaker:
            return done[k].speaker
    return None


def _token_ranges(sentence, local) -> tuple[tuple[int, int], ...]:
    ranges = []
    for a, b in local:
        inside = [i for i, t in enumerate(sentence.tokens) if a <= t.start and t.end <= b + 1]
        if inside:
            ranges.append((inside[0], inside[-1] + 1))
    return tuple(ranges)


@lru_cache(maxsize=1)
def _default_verbs() -> tuple[Cue, ...]:
    return compile_cues([f"={v}" for v in REPORTING_VERBS], {}, "REPORTING_VERBS")


# A token whose lowercased form is "according" has that word among its parts.
_ACCORDING = compile_cues(["=according"], {}, "attribution")[0]


def _first_word_cues(verbs: Sequence[Cue]) -> tuple[Cue, ...]:
    """The first word of each verb, as a cue: what :func:`_reported` tests tokens against."""
    return tuple(dict.fromkeys(Cue(v.text, v.patterns[:1]) for v in verbs))


@lru_cache(maxsize=1)
def _default_first_words() -> tuple[Cue, ...]:
    return _first_word_cues(_default_verbs())


def _verb_tokens(doc, verbs: Sequence[Cue] | None) -> dict[int, list[int]]:
    """Token indices, by sentence, where the first word of a reporting verb occurs (found
    with the document's index instead of testing every token against every verb)."""
    firsts = _default_first_words() if verbs is None else _first_word_cues(verbs)
    return {s: sorted({a for a, _, _ in hits}) for s, hits in doc.find_any(firsts).items()}


@lru_cache(maxsize=1)
def lookup_keys() -> frozenset[str]:
    """The index keys :func:`attribute` looks up with its default verbs (see
    :class:`~framing.frames.matching.ParsedDocument`)."""
    return cue_keys((*_default_first_words(), _ACCORDING))


def _category(tokens, actors: Sequence[tuple[str, Sequence[Cue]]]) -> str | None:
    for category, cues in actors:
        for cue in cues:
            n = len(cue.patterns)
            for i in range(len(tokens) - n + 1):
                if all(p.matches(tokens[i + k]) for k, p in enumerate(cue.patterns)):
                    return category
    return None


def classify_speaker(speaker: str | None, doc, actors: Sequence[tuple[str, Sequence[Cue]]]
                     ) -> str | None:
    """The first actor category (in the codebook's order) whose cues match the speaker's words,
    else the words around the first mention of the speaker's last capitalised word in ``doc``;
    ``None`` if nothing matches.

    Examples
    --------
    >>> from framing.frames import parse_document
    >>> from framing.frames.codebook import compile_cues
    >>> actors = [("russian_official", compile_cues(["Russia", "Russian", "Kremlin"], {}, "x"))]
    >>> doc = parse_document("", "Sergei Lavrov, Russia's foreign minister, spoke.")
    >>> classify_speaker("Lavrov", doc, actors)
    'russian_official'
    """
    if not speaker:
        return None
    from .matching import tokenize_sentence  # one tokenizer for the whole engine

    tokens = tokenize_sentence(speaker)
    found = _category(tokens, actors)
    if found:
        return found
    names = [t for t in tokens if t.surface[:1].isupper() and t.lower not in _PRONOUNS]
    if not names:
        return None
    name = names[-1].lower
    for sentence in doc.sentences:
        for i, token in enumerate(sentence.tokens):
            if token.lower == name:
                return _category(_apposition(sentence, i), actors)
    return None


def _apposition(sentence, i: int) -> list:
    """The words describing the name at token ``i``: the title before it ("Russian Foreign
    Minister Sergei Lavrov") and an apposition after a comma ("Lavrov, Russia's top diplomat,")."""
    tokens = sentence.tokens
    start = i
    while start > 0 and i - start < 6 and not _BOUNDARY.search(_gap(sentence, start - 1)) \
            and tokens[start - 1].lower not in _STOP and tokens[start - 1].lower not in _SKIP:
        start -= 1
    window = list(tokens[start:i + 1])
    if i + 1 < len(tokens) and "," in _gap(sentence, i):
        end = i + 1
        while end < len(tokens) and end - i <= 8:
            end += 1
            if end < len(tokens) and _BOUNDARY.search(_gap(sentence, end - 1)):
                break
        window.extend(tokens[i + 1:end])
    return window
