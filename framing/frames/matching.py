"""The sentence-level matching engine: codebook rules over sentences, decisions per article.

Each document is parsed once (:func:`parse_document`): the title is sentence 0, the body is split
by :func:`framing.sentences.sentence_spans` into sentences 1, 2, ... (these indices are how hand
labels refer to sentences), and every word gets its lowercased form and Snowball stem; cues are
looked up in the document's index of words (:class:`ParsedDocument`). A rule
(:class:`~framing.frames.codebook.Rule`) fires in a sentence when its cues occur there (within
``window`` tokens of each other for proximity rules). Negation (a ``negation`` cue up to
``negation_window`` tokens before the match) and hedging (a ``hedge`` cue in the sentence) are
recorded for every match; the codebook's ``[lists]`` named ``negation`` and ``hedge`` define them.

Decisions per frame type:

``presence``
    sentence score = the best rule weight in the sentence (times ``negated_weight``,
    ``hedged_weight``, ``title_weight`` or ``lead_weight`` where they apply); the article score
    aggregates sentence scores (``noisy_or``: 1 - prod(1 - s); ``max``; ``sum``; ``mean`` over
    all sentences); ``present`` when the score reaches ``threshold``.
``voice``
    each evidence sentence of the presence frame ``of`` is given to its speaker
    (:mod:`framing.frames.attribution`), whose words are mapped onto the ``actors`` categories;
    unattributed sentences go to ``unattributed``; the label is the category with the largest
    weight (sentence score times position weight), the score its share.
``stance``
    an evidence sentence of the presence frame ``of`` rebuts when a ``rebut`` cue lies within
    ``rebut_window`` tokens of the match; otherwise it is the article's own voice (no speaker:
    the article itself draws the comparison, ``own_label``) or attributed to a speaker
    (``attributed_label``). Rebuttals with at least ``rebut_share`` of the weight win, else the
    larger of the other two (a tie goes to the one heard first).
``balance``
    candidate sentences (matching the frame's rules) are assigned to ``sides`` or ``doubt`` by a
    :class:`~framing.frames.sentence_model.SentenceModel` (``model``) or, without one, by the
    side and doubt cues; a side whose share of the weighted evidence reaches ``dominance`` wins,
    otherwise the article is ``contested``; with less than ``min_evidence`` it is ``none``.
``primary``
    the presence frame (among ``among``) with the highest score, or ``other_label``.
``relevance``
    ``present`` when at least ``min_sentences`` sentences name the topic (its ``cues``, or the
    phrases and entities of shipped ``events``) and those sentences with ``neighbours`` on each
    side cover at least ``min_share`` of the article; the score is that share. A passing
    mention in an article about something else is ``absent``.

Every positive decision keeps its evidence sentences (:attr:`CodingResult.evidence`).
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import NamedTuple

import pandas as pd
from tqdm.auto import tqdm

from ..errors import ParameterError
from ..schema import DOC_FRAMES_COLUMNS, require_columns
from ..sentences import sentence_spans
from ..text import _DOTTED_ACRONYM, WORD_PATTERN
from .attribution import attribute, classify_speaker, lookup_keys
from .codebook import Codebook, Cue, Frame, Rule, TokenPattern, load_codebook, stem, word_keys

__all__ = [
    "Token",
    "Sentence",
    "ParsedDocument",
    "Hit",
    "tokenize_sentence",
    "parse_document",
    "match_rule",
    "code_documents",
    "CodingResult",
    "EVIDENCE_COLUMNS",
]

logger = logging.getLogger(__name__)

#: Columns of the evidence table: one row per evidence sentence of a decision.
EVIDENCE_COLUMNS = ("doc_id", "frame", "sentence", "text", "weight", "rule", "cue", "speaker",
                    "category", "negated", "hedged")

_TOKEN = re.compile(rf"{_DOTTED_ACRONYM.pattern}|{WORD_PATTERN.pattern}|\d+(?:[.,]\d+)*")
_POSSESSIVE = re.compile(r"['’]s?$")


# ----------------------------------------------------------------------------- parsing


class _Word(NamedTuple):
    """What the engine knows of a word form: ``surface`` (possessive and acronym dots removed),
    ``lower``, ``parts`` (``lower`` and, for hyphenated words, each part) and ``stems``
    (Snowball stems of the parts)."""

    surface: str
    lower: str
    parts: tuple[str, ...]
    stems: frozenset[str]


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a sentence: ``surface`` (possessive and acronym dots removed), ``lower``,
    ``parts`` (``lower`` and, for hyphenated words, each part), ``stems`` (Snowball stems of the
    parts) and character offsets within the sentence."""

    surface: str
    lower: str
    parts: tuple[str, ...]
    stems: frozenset[str]
    start: int
    end: int


@lru_cache(maxsize=131072)
def _word(raw: str) -> _Word:
    surface = raw.replace(".", "") if raw.endswith(".") else raw
    surface = surface.replace("’", "'")
    if len(surface) > 2 and not surface.isupper():
        surface = _POSSESSIVE.sub("", surface) if surface.endswith(("'s", "'")) else surface
    lower = surface.lower()
    parts = (lower, *[p for p in lower.split("-") if p]) if "-" in lower else (lower,)
    return _Word(surface, lower, parts, frozenset(stem(p) for p in parts))


class _Filing(dict):
    """Word form -> (its index keys, or only those in ``scope``; its lowercased form), made on
    first use. Most forms have no key in a codebook's scope. A plain dict, emptied when it
    reaches ``limit`` forms: lookups here are the hot path of indexing, and an LRU cache's
    bookkeeping makes them slower."""

    def __init__(self, scope: frozenset[str] | None, limit: int = 131072):
        super().__init__()
        self.scope = scope
        self.limit = limit

    def __missing__(self, raw: str) -> tuple[tuple[str, ...], str]:
        if len(self) >= self.limit:
            self.clear()
        word = _word(raw)
        keys = word_keys(word)
        if self.scope is not None:
            keys = tuple(k for k in keys if k in self.scope)
        self[raw] = keys, word.lower
        return keys, word.lower


@lru_cache(maxsize=8)
def _filing(scope: frozenset[str] | None) -> _Filing:
    return _Filing(scope)


@lru_cache(maxsize=64)
def _covers(scope: frozenset[str], keys: frozenset[str]) -> bool:
    # the same few key sets are checked against the same scope for every document
    return keys <= scope


def tokenize_sentence(text: str) -> tuple[Token, ...]:
    """The tokens of one sentence (words, acronyms such as "U.S.", and numbers).

    Examples
    --------
    >>> [t.surface for t in tokenize_sentence("The U.S. struck al-Assad's base in 2017.")]
    ['The', 'US', 'struck', 'al-Assad', 'base', 'in', '2017']
    """
    return tuple(Token(*_word(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text))


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``index`` (0 is the title), ``field`` (``title``/``text``), character
    ``start``/``end`` within that field, its ``text`` and ``tokens``."""

    index: int
    field: str
    start: int
    end: int
    text: str

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """The sentence's tokens (:func:`tokenize_sentence`), made on first use: cue matching
        uses the document index, only attribution reads tokens."""
        return tokenize_sentence(self.text)


class ParsedDocument:
    """A document split into sentences and words, with an index for fast cue lookup.

    Build with :func:`parse_document`. Words are numbered through the document (sentence
    ``s`` holds words ``offsets[s]`` to ``offsets[s + 1] - 1``); the index maps lookup keys
    (stems, surfaces, parts: :func:`~framing.frames.codebook.word_keys`) to the word forms
    having them, and word forms to their positions. With ``keys`` (e.g. every key of a
    codebook's cues) only those keys are indexed at first, which saves most of the indexing;
    looking up any other key indexes the whole document. Cue hits are cached per document;
    ``attributions`` (speaker per sentence) is computed on first use.
    """

    def __init__(self, title: str, text: str, doc_id: str = "", *,
                 keys: frozenset[str] | None = None):
        self.doc_id = doc_id
        self.title = title or ""
        self.text = text or ""
        self.sentences = [Sentence(0, "title", 0, len(self.title), self.title)]
        self.sentences += [Sentence(i, "text", a, b, self.text[a:b])
                           for i, (a, b) in enumerate(sentence_spans(self.text), start=1)]
        words: list[str] = []
        offsets = [0]
        sentence_of: list[int] = []
        for s in self.sentences:
            found = _TOKEN.findall(s.text)
            words += found
            sentence_of += [s.index] * len(found)
            offsets.append(len(words))
        self._words = words
        self._distinct = list(dict.fromkeys(words))
        self._offsets = offsets
        self._sentence_of = sentence_of
        self._scope = keys
        self._filed = list(map(_filing(keys).__getitem__, self._distinct))
        self._forms = self._file()
        self._positions: dict[str, list[int]] = {}  # of the indexed forms, others on demand
        self._add_positions({w for forms in self._forms.values() for w in forms})
        # per-document caches keyed by id(): each entry keeps its key object alive, so an id
        # cannot be reused by another object while the document exists
        self._located: dict[int, tuple[TokenPattern, list[int]]] = {}
        self._hits: dict[int, tuple[Cue, list[tuple[int, int, int]]]] = {}
        self._any: dict[int, tuple[tuple, dict]] = {}

    def __repr__(self) -> str:
        return f"ParsedDocument({self.doc_id!r}, sentences={len(self.sentences)})"

    @cached_property
    def attributions(self):
        """One :class:`~framing.frames.attribution.Attribution` per sentence."""
        return attribute(self)

    def _file(self) -> dict[str, list[str]]:
        """Index key -> the document's word forms having it."""
        forms: dict[str, list[str]] = {}
        for w, (keys, _) in zip(self._distinct, self._filed, strict=True):
            for key in keys:
                if key in forms:
                    forms[key].append(w)
                else:
                    forms[key] = [w]
        return forms

    def _widen(self, keys: frozenset[str]) -> None:
        """Index every key once a lookup asks for one outside the ``keys`` given at parsing."""
        if self._scope is not None and not _covers(self._scope, keys):
            self._scope = None
            self._filed = list(map(_filing(None).__getitem__, self._distinct))
            self._forms = self._file()

    def _add_positions(self, forms: set[str]) -> None:
        """Find the positions of the word ``forms`` not looked for yet (one pass)."""
        missing = forms.difference(self._positions)
        if missing:
            for w in missing:
                self._positions[w] = []
            for i, w in enumerate(self._words):
                if w in missing:
                    self._positions[w].append(i)

    @cached_property
    def _lowers(self) -> str:
        """The lowercased word forms, one a line."""
        return "\n".join(map(itemgetter(1), self._filed))

    def _affix_forms(self, pattern: TokenPattern) -> list[str]:
        """The word forms matching a prefix or suffix pattern: those whose lowercased form
        contains the affix (every part is a piece of it), tested."""
        lowers = self._lowers
        candidates = set()
        at = lowers.find(pattern.value)
        while at >= 0:
            candidates.add(lowers.count("\n", 0, at))  # the line, i.e. the form, it is in
            at = lowers.find(pattern.value, at + 1)
        return [self._distinct[k] for k in candidates
                if pattern.matches(_word(self._distinct[k]))]

    def _locate(self, pattern: TokenPattern) -> list[int]:
        """Positions (ascending) of the words matching ``pattern``."""
        entry = self._located.get(id(pattern))
        if entry is None:
            keys = pattern.index_keys
            if keys is None:
                forms = self._affix_forms(pattern)
            elif not self.mentions(keys):
                forms = []
            else:
                forms = [w for k in keys for w in self._forms.get(k, ())]
                if len(keys) > 1:  # a form may have several of the keys
                    forms = list(dict.fromkeys(forms))
            if forms:
                self._add_positions(set(forms))
            located = (self._positions[forms[0]] if len(forms) == 1
                       else sorted(i for w in forms for i in self._positions[w]))
            entry = self._located[id(pattern)] = (pattern, located)
        return entry[1]

    def present_keys(self, keys: frozenset[str]) -> set[str]:
        """The index ``keys`` (see :func:`~framing.frames.codebook.word_keys`) that words of
        the document have."""
        self._widen(keys)
        return self._forms.keys() & keys

    def mentions(self, keys: frozenset[str] | None) -> bool:
        """Whether a word of the document has one of the index ``keys``; ``None`` (unknown)
        counts as yes."""
        if keys is None:
            return True
        self._widen(keys)
        return not self._forms.keys().isdisjoint(keys)

    def find(self, cue: Cue) -> list[tuple[int, int, int]]:
        """Every occurrence of ``cue``: ``(sentence, first token, end token)``, in text order."""
        entry = self._hits.get(id(cue))
        if entry is None:
            entry = self._hits[id(cue)] = (cue, self._find(cue))
        return entry[1]

    def may_find(self, cue: Cue) -> bool:
        """Whether the first word of ``cue`` occurs (a quick test before :meth:`find`)."""
        return self.mentions(cue.patterns[0].index_keys)

    def _find(self, cue: Cue) -> list[tuple[int, int, int]]:
        n = len(cue.patterns)
        starts = self._locate(cue.patterns[0])
        if n > 1 and starts:  # a phrase: the next words follow within the sentence
            later = [set(self._locate(p)) for p in cue.patterns[1:]]
            starts = [i for i in starts if i + n <= self._offsets[self._sentence_of[i] + 1]
                      and all(i + k in found for k, found in enumerate(later, start=1))]
        return [(s, i - self._offsets[s], i - self._offsets[s] + n)
                for i in starts for s in (self._sentence_of[i],)]

    def find_any(self, cues) -> dict[int, list[tuple[int, int, Cue]]]:
        """Occurrences of any of ``cues`` by sentence: ``{sentence: [(start, end, cue)]}``, cue
        by cue in the order given. The result is shared: do not change it."""
        entry = self._any.get(id(cues)) if isinstance(cues, tuple) else None
        if entry is None:
            out: dict[int, list[tuple[int, int, Cue]]] = {}
            for cue in cues:
                for s, a, b in self.find(cue) if self.may_find(cue) else ():
                    out.setdefault(s, []).append((a, b, cue))
            if not isinstance(cues, tuple):  # a list may change: no caching
                return out
            entry = self._any[id(cues)] = (cues, out)
        return entry[1]


def parse_document(title: str, text: str, doc_id: str = "", *,
                   keys: frozenset[str] | None = None) -> ParsedDocument:
    """Split a document into sentences (title = sentence 0) and tokens (``keys``: see
    :class:`ParsedDocument`).

    Examples
    --------
    >>> doc = parse_document("Strike on Shayrat", "The U.S. struck. Russia protested.")
    >>> [(s.index, s.text) for s in doc.sentences]
    [(0, 'Strike on Shayrat'), (1, 'The U.S. struck.'), (2, 'Russia protested.')]
    """
    return ParsedDocument(title, text, doc_id, keys=keys)


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Hit:
    """A rule firing in a sentence: token span of the matched cue, the cue, and whether the
    match is negated or the sentence hedged."""

    sentence: int
    start: int
    end: int
    rule: Rule
    cue: str
    negated: bool = False
    hedged: bool = False


_SPAN = itemgetter(0, 1)  # (start, end) of an occurrence (start, end, cue)


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def match_rule(doc: ParsedDocument, rule: Rule, *, negation=(), hedge=(),
               negation_window: int = 3) -> list[Hit]:
    """Every sentence-level firing of ``rule`` in ``doc`` (at most one per sentence, the first).

    Examples
    --------
    >>> from framing.frames.codebook import Rule, compile_cues
    >>> rule = Rule("iraq", compile_cues(["Iraq"], {}, "x"), near=compile_cues(["2003"], {}, "x"))
    >>> doc = parse_document("", "ISIS holds land in Iraq. It recalls Iraq in 2003.")
    >>> [h.sentence for h in match_rule(doc, rule)]
    [2]
    """
    if not doc.mentions(rule.first_keys):  # most rules, most documents
        return []
    matches = doc.find_any(rule.match)
    if not matches:
        return []
    near = doc.find_any(rule.near) if rule.near else {}
    unless = doc.find_any(rule.unless) if rule.unless else {}
    neg = doc.find_any(negation) if negation else {}
    hedges = doc.find_any(hedge) if hedge else {}
    hits = []
    for si in sorted(matches):
        found = matches[si]
        for a, b, cue in sorted(found, key=_SPAN) if len(found) > 1 else found:
            if rule.near and not (
                    any(_distance((a, b), n[:2]) <= rule.window for n in near.get(si, ()))
                    or rule.context and any(near.get(sj) for sj in
                                            range(si - rule.context, si + rule.context + 1))):
                continue
            if any(_distance((a, b), u[:2]) <= rule.window for u in unless.get(si, ())):
                continue
            negated = any(0 <= a - n[1] <= negation_window for n in neg.get(si, ()))
            hits.append(Hit(si, a, b, rule, cue.text, negated, si in hedges))
            break
    return hits


# ----------------------------------------------------------------------------- decisions


@dataclass
class _Evidence:
    sentence: int
    weight: float
    hit: Hit | None = None
    speaker: str | None = None
    category: str = ""


@dataclass
class _Decision:
    label: str
    score: float
    evidence: list[_Evidence] = field(default_factory=list)
    voice: str = ""
    method: str = "rules"


def _position_weight(options: dict, sentence: int) -> float:
    if sentence == 0:
        return options.get("title_weight", 1.0)
    if sentence <= options.get("lead_sentences", 3):
        return options.get("lead_weight", 1.0)
    return 1.0


def _special(book: Codebook, name: str) -> tuple[Cue, ...]:
    return book.lists.get(name, ())


def _candidate_rules(doc: ParsedDocument, frame: Frame) -> list[Rule]:
    """The rules of ``frame`` whose match cues can start with a word of ``doc``, in order
    (a codebook has hundreds of rules; a document's words can start a few of them)."""
    keys, by_key, always = frame.rule_keys
    numbers = set(always)
    for key in doc.present_keys(keys):
        numbers.update(by_key[key])
    return [frame.rules[i] for i in sorted(numbers)]


def _sentence_scores(doc: ParsedDocument, frame: Frame, book: Codebook) -> list[_Evidence]:
    """The best-scoring hit per sentence for a frame's rules, with position weights applied."""
    opts = frame.options
    negation, hedge = _special(book, "negation"), _special(book, "hedge")
    negation_window = opts.get("negation_window", 3)
    best: dict[int, _Evidence] = {}
    for rule in _candidate_rules(doc, frame):
        for hit in match_rule(doc, rule, negation=negation, hedge=hedge,
                              negation_window=negation_window):
            weight = rule.weight
            if hit.negated:
                weight *= opts.get("negated_weight", 1.0)
            if hit.hedged:
                weight *= opts.get("hedged_weight", 1.0)
            weight *= _position_weight(opts, hit.sentence)
            if hit.sentence not in best or weight > best[hit.sentence].weight:
                best[hit.sentence] = _Evidence(hit.sentence, weight, hit)
    return [best[k] for k in sorted(best)]


def _aggregate(weights: list[float], how: str, n_sentences: int) -> float:
    if not weights:
        return 0.0
    if how == "max":
        return max(weights)
    if how == "sum":
        return float(sum(weights))
    if how == "mean":
        return float(sum(weights)) / max(n_sentences, 1)
    return 1.0 - math.prod(1.0 - min(w, 1.0) for w in weights)


def _top(evidence: list[_Evidence], k: int) -> list[_Evidence]:
    chosen = sorted(evidence, key=lambda e: (-e.weight, e.sentence))[:k]
    return sorted(chosen, key=lambda e: e.sentence)


def decide_presence(doc: ParsedDocument, frame: Frame, book: Codebook) -> _Decision:
    evidence = _sentence_scores(doc, frame, book)
    score = _aggregate([e.weight for e in evidence], frame.options["aggregate"],
                       len(doc.sentences))
    present = score >= frame.options["threshold"] and bool(evidence)
    return _Decision("present" if present else "absent", round(score, 4),
                     _top(evidence, frame.options["max_evidence"]) if present else [])


def decide_relevance(doc: ParsedDocument, frame: Frame) -> _Decision:
    """``present`` when at least ``min_sentences`` sentences name the topic and the zone they
    span (each with ``neighbours`` sentences on either side; the title only when it names it
    itself) covers at least ``min_share`` of the sentences. The score is that share: a passing
    mention in a long article about something else stays small."""
    opts = frame.options
    rule = frame.rules[0]
    named = doc.find_any(rule.match)
    n, k = len(doc.sentences), opts["neighbours"]
    zone = {s + d for s in named for d in range(-k, k + 1) if 0 < s + d < n}
    zone |= {0} & named.keys()
    share = len(zone) / n if n else 0.0
    present = len(named) >= opts["min_sentences"] and share >= opts["min_share"]
    evidence = [_Evidence(s, 1.0, Hit(s, a, b, rule, cue.text))
                for s, ((a, b, cue), *_) in sorted(named.items())]
    return _Decision("present" if present else "absent", round(share, 4),
                     evidence[:opts["max_evidence"]] if present else [])


def _speaker(doc: ParsedDocument, ev: _Evidence) -> str | None:
    attribution = doc.attributions[ev.sentence]
    return attribution.speaker_at(ev.hit.start) if ev.hit else attribution.speaker


def _all_evidence(doc, frame: Frame, book: Codebook) -> list[_Evidence]:
    target = book.frames[frame.options["of"]]
    return _sentence_scores(doc, target, book)


def decide_voice(doc: ParsedDocument, frame: Frame, book: Codebook, present: bool) -> _Decision:
    opts = frame.options
    if not present:
        return _Decision(opts["none_label"], 0.0)
    evidence = _all_evidence(doc, frame, book)
    totals: dict[str, float] = defaultdict(float)
    for ev in evidence:
        ev.speaker = _speaker(doc, ev)
        if ev.speaker is None:
            ev.category = opts["unattributed"]
        else:
            ev.category = (classify_speaker(ev.speaker, doc, opts["actors"])
                           or opts["unknown"])
        totals[ev.category] += ev.weight * _position_weight(opts, ev.sentence)
    label = max(totals, key=lambda c: (totals[c], -min(e.sentence for e in evidence
                                                       if e.category == c)))
    return _Decision(label, round(totals[label] / sum(totals.values()), 4),
                     _top([e for e in evidence if e.category == label], opts["max_evidence"]),
                     voice=label)


def _near_hit(doc: ParsedDocument, ev: _Evidence, cues, window: int) -> bool:
    if ev.hit is None or not cues:
        return False
    found = doc.find_any(cues).get(ev.sentence, ())
    return any(_distance((ev.hit.start, ev.hit.end), (a, b)) <= window for a, b, _ in found)


def decide_stance(doc: ParsedDocument, frame: Frame, book: Codebook, present: bool) -> _Decision:
    """Each evidence sentence of the ``of`` frame rebuts (a ``rebut`` cue within
    ``rebut_window`` tokens of the match), is the article's own voice (no speaker: the article
    itself draws the comparison) or is attributed to a speaker. Rebuttals with at least
    ``rebut_share`` of the weight win; otherwise the larger of own voice and attributed."""
    opts = frame.options
    if not present:
        return _Decision(opts["none_label"], 0.0)
    own, attributed, rebut = opts["own_label"], opts["attributed_label"], opts["rebut_label"]
    evidence = _all_evidence(doc, frame, book)
    totals = dict.fromkeys((own, attributed, rebut), 0.0)
    for ev in evidence:
        ev.speaker = _speaker(doc, ev)
        if _near_hit(doc, ev, opts["rebut"], opts["rebut_window"]):
            ev.category = rebut
        else:
            ev.category = attributed if ev.speaker else own
        totals[ev.category] += ev.weight * _position_weight(opts, ev.sentence)
    total = sum(totals.values()) or 1.0
    if totals[rebut] / total >= opts["rebut_share"]:
        label = rebut
    else:  # the larger share; a tie goes to the one heard first
        first = {c: min((e.sentence for e in evidence if e.category == c), default=1 << 30)
                 for c in (own, attributed)}
        label = max((own, attributed), key=lambda c: (totals[c], -first[c]))
    return _Decision(label, round(totals[label] / total, 4),
                     _top([e for e in evidence if e.category == label], opts["max_evidence"]))


def _balance_rule_proba(doc: ParsedDocument, frame: Frame, ev: _Evidence) -> dict[str, float]:
    counts = {side: len(doc.find_any(cues).get(ev.sentence, ()))
              for side, cues in frame.options["sides"].items()}
    counts["doubt"] = len(doc.find_any(frame.options["doubt"]).get(ev.sentence, ()))
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def decide_balance(frame: Frame, candidates: list[_Evidence], probas: list[dict[str, float]],
                   method: str, *, off_topic: bool = False) -> _Decision:
    """Each candidate sentence votes (with its position weight) for its most probable class
    when that is a side or ``doubt`` with probability >= ``min_probability``; doubt votes count
    ``doubt_weight``. Less than ``min_evidence`` votes: ``none``; a side with at least
    ``dominance`` of the votes wins; otherwise ``contested``. ``off_topic`` (the ``gate``
    relevance frame is absent): fewer than ``gate_min_votes`` voting sentences is ``none``, a
    mention in passing in an article about something else."""
    opts = frame.options
    sides = list(opts["sides"])
    classes = [*sides, "doubt"]
    totals = dict.fromkeys(classes, 0.0)
    voters = []
    for ev, proba in zip(candidates, probas, strict=True):
        if not proba:
            continue
        best = max(proba, key=proba.get)
        if best in totals and proba[best] >= opts["min_probability"]:
            ev.category = best
            totals[best] += ev.weight * (opts["doubt_weight"] if best == "doubt" else 1.0)
            voters.append(ev)
    evidence_total = sum(totals.values())
    if off_topic and len(voters) < opts["gate_min_votes"]:
        return _Decision(opts["none_label"], 0.0, method=method)
    if evidence_total < opts["min_evidence"] or evidence_total == 0:
        return _Decision(opts["none_label"], round(evidence_total, 4), method=method)
    winner = max(sides, key=lambda k: totals[k])
    share = totals[winner] / evidence_total
    if share >= opts["dominance"]:
        keep = [e for e in voters if e.category == winner]
        return _Decision(winner, round(share, 4), _top(keep, opts["max_evidence"]), method=method)
    return _Decision(opts["contested_label"], round(1 - share, 4),
                     _top(voters, opts["max_evidence"]), method=method)


def decide_primary(frame: Frame, decisions: dict[str, _Decision]) -> _Decision:
    opts = frame.options
    scores = {name: decisions[name].score for name in opts["among"]}
    best = max(scores, key=lambda n: (scores[n], -opts["among"].index(n)))
    if scores[best] <= opts["min_score"] or decisions[best].label != "present":
        return _Decision(opts["other_label"], round(scores[best], 4))
    return _Decision(best, scores[best], decisions[best].evidence)


# ----------------------------------------------------------------------------- result


@dataclass(frozen=True)
class CodingResult:
    """Codebook decisions for a set of documents.

    Attributes
    ----------
    table : DataFrame
        The doc_frames table: one row per document and frame with :data:`DOC_FRAMES_COLUMNS`
        (``evidence`` joins the evidence sentences as ``[index] sentence``; ``voice`` is filled
        on the rows of the presence frame that a voice frame refers to).
    evidence : DataFrame
        One row per evidence sentence (:data:`EVIDENCE_COLUMNS`).
    codebook : Codebook
    params : dict
        The arguments that produced the result.
    """

    table: pd.DataFrame
    evidence: pd.DataFrame
    codebook: Codebook
    params: dict

    def wide(self) -> pd.DataFrame:
        """Labels as a wide table: one row per document, one column per frame."""
        wide = self.table.pivot(index="doc_id", columns="frame", values="label")
        return wide[[f for f in self.codebook.frames if f in wide.columns]].reset_index()

    def summary(self) -> pd.DataFrame:
        """Documents per frame and label (share in percent); renders in Jupyter and exports with
        ``.to_markdown()`` / ``.to_latex()``."""
        counts = self.table.groupby(["frame", "label"], sort=False).size().rename("documents")
        out = counts.reset_index()
        n = self.table["doc_id"].nunique()
        out["percent"] = (100 * out["documents"] / max(n, 1)).round(1)
        order = {name: i for i, name in enumerate(self.codebook.frames)}
        out = out.assign(_order=out["frame"].map(order))
        return (out.sort_values(["_order", "documents"], ascending=[True, False])
                .drop(columns="_order").reset_index(drop=True))

    def __repr__(self) -> str:
        return (f"CodingResult(codebook={self.codebook.name!r}, "
                f"documents={self.table['doc_id'].nunique()}, frames={len(self.codebook.frames)})")


def _models(book: Codebook) -> dict[str, object]:
    from .sentence_model import SentenceModel  # scikit-learn is only needed with a model

    return {name: SentenceModel.load(frame.options["model"])
            for name, frame in book.frames.items()
            if frame.type == "balance" and frame.options.get("model")}


def _method(book: Codebook, frame: Frame, how: str) -> str:
    return f"codebook:{book.name}:{frame.type}:{how}"


@lru_cache(maxsize=8)
def _coding_keys(book_keys: frozenset[str]) -> frozenset[str]:
    """What coding with a codebook looks up (its cues and attribution's): documents index only
    that at first. One object per codebook, so the caches keyed by it find it at once."""
    return book_keys | lookup_keys()


@dataclass
class _Coded:
    """One document's decisions and sentence texts: all the output needs, so the parsed
    document is dropped as soon as it is decided. ``pending`` holds the candidate sentences of
    balance frames whose model runs once per chunk."""

    doc_id: str
    texts: list[str]
    decisions: dict[str, _Decision]
    pending: dict[str, list[_Evidence]]


def _code_document(doc_id: str, title: str, text: str, book: Codebook, models,
                   keys: frozenset[str]) -> _Coded:
    """Parse a document and make its decisions, but those of balance frames with a model."""
    doc = parse_document(title, text, doc_id, keys=keys)
    decided: dict[str, _Decision] = {}
    pending: dict[str, list[_Evidence]] = {}
    for name, frame in book.frames.items():
        if frame.type == "presence":
            decided[name] = decide_presence(doc, frame, book)
        elif frame.type == "relevance":
            decided[name] = decide_relevance(doc, frame)
    for name, frame in book.frames.items():  # each depends on presence frames only
        if frame.type == "balance":
            candidates = _sentence_scores(doc, frame, book)
            if name in models:
                pending[name] = candidates
            else:
                probas = [_balance_rule_proba(doc, frame, e) for e in candidates]
                decided[name] = decide_balance(frame, candidates, probas, "rules",
                                               off_topic=_off_topic(frame, decided))
        elif frame.type in ("voice", "stance"):
            decide = decide_voice if frame.type == "voice" else decide_stance
            present = decided[frame.options["of"]].label == "present"
            decided[name] = decide(doc, frame, book, present)
        elif frame.type == "primary":
            decided[name] = decide_primary(frame, decided)
    return _Coded(doc.doc_id, [s.text for s in doc.sentences], decided, pending)


def _off_topic(frame: Frame, decided: dict[str, _Decision]) -> bool:
    """Whether the relevance frame gating a balance frame found the article off topic."""
    gate = frame.options["gate"]
    return bool(gate) and decided[gate].label == "absent"


def _decide_with_model(coded: list[_Coded], name: str, frame: Frame, model) -> None:
    """Balance decisions of one frame for a chunk: one model call for all its candidates."""
    texts = [c.texts[e.sentence] for c in coded for e in c.pending[name]]
    flat = model.predict_proba_dicts(texts) if texts else []
    k = 0
    for c in coded:
        n = len(c.pending[name])
        c.decisions[name] = decide_balance(frame, c.pending[name], flat[k:k + n], "rules+model",
                                           off_topic=_off_topic(frame, c.decisions))
        k += n


class _Tables:
    """The doc_frames and evidence tables, built column by column (rows as dicts would be
    many objects for the garbage collector to scan while a large corpus is coded)."""

    def __init__(self, book: Codebook):
        self.book = book
        self.voice_of = {f.options["of"]: n for n, f in book.frames.items() if f.type == "voice"}
        self.table: dict[str, list] = {c: [] for c in DOC_FRAMES_COLUMNS}
        self.evidence: dict[str, list] = {c: [] for c in EVIDENCE_COLUMNS}

    def add(self, coded: _Coded) -> None:
        """Append the rows of one coded document."""
        book, voice_of = self.book, self.voice_of
        texts, table, evidence = coded.texts, self.table, self.evidence
        for name, frame in book.frames.items():
            d = coded.decisions[name]
            table["doc_id"].append(coded.doc_id)
            table["frame"].append(name)
            table["label"].append(d.label)
            table["score"].append(d.score)
            table["evidence"].append(" | ".join(f"[{e.sentence}] {texts[e.sentence]}"
                                                for e in d.evidence))
            table["voice"].append(coded.decisions[voice_of[name]].label
                                  if name in voice_of else "")
            table["method"].append(_method(book, frame, d.method))
            for e in d.evidence:
                evidence["doc_id"].append(coded.doc_id)
                evidence["frame"].append(name)
                evidence["sentence"].append(e.sentence)
                evidence["text"].append(texts[e.sentence])
                evidence["weight"].append(round(e.weight, 4))
                evidence["rule"].append(e.hit.rule.name if e.hit else "")
                evidence["cue"].append(e.hit.cue if e.hit else "")
                evidence["speaker"].append(e.speaker or "")
                evidence["category"].append(e.category)
                evidence["negated"].append(bool(e.hit and e.hit.negated))
                evidence["hedged"].append(bool(e.hit and e.hit.hedged))

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The two tables as data frames."""
        return _data_frame(self.table), _data_frame(self.evidence)


def _data_frame(columns: dict[str, list]) -> pd.DataFrame:
    if not next(iter(columns.values())):  # no rows: object columns, as pandas makes them
        return pd.DataFrame([], columns=list(columns))
    return pd.DataFrame(columns)


def _code_chunk(rows, book: Codebook, models, out: _Tables) -> None:
    """Code documents into ``out``, each as soon as it is decided, or after the whole chunk
    when a balance frame has a model (one model call per chunk)."""
    keys = _coding_keys(book.index_keys)
    coded: Iterable[_Coded] = (_code_document(doc_id, title, text, book, models, keys)
                               for doc_id, title, text in rows)
    if models:
        coded = list(coded)
        for name, model in models.items():
            _decide_with_model(coded, name, book.frames[name], model)
    for c in coded:
        out.add(c)


def code_documents(data: pd.DataFrame, *, codebook: str | Codebook, id_column: str = "doc_id",
                   title: str = "title", text: str = "text", chunk_size: int = 1000,
                   progress: bool = False) -> CodingResult:
    """Apply a codebook to every document of a table.

    Parameters
    ----------
    data : DataFrame
        Documents with an id column, a text column and optionally a title column.
    codebook : str, path or Codebook
        A shipped codebook name (see :func:`~framing.frames.list_codebooks`), a TOML file, or a
        loaded :class:`~framing.frames.Codebook`.
    id_column, title, text : str
        Column names (a missing title column counts as empty titles).
    chunk_size : int
        Documents whose balance-frame candidates go to the sentence model at once (memory stays
        flat on large corpora).
    progress : bool
        Show a progress bar.

    Returns
    -------
    CodingResult
        ``.table`` is the doc_frames table (:data:`DOC_FRAMES_COLUMNS`), ``.evidence`` the
        evidence sentences.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["", ""], "text": [
    ...     "Lavrov said the strike recalls the 2003 invasion of Iraq.",
    ...     "ISIS fighters left Mosul in Iraq."]})
    >>> result = code_documents(docs, codebook="syria-2017")
    >>> result.wide()[["doc_id", "iraq_2003_analogy", "iraq_voice"]].values.tolist()
    [['a', 'present', 'russian_official'], ['b', 'absent', 'none']]
    """
    book = load_codebook(codebook)
    require_columns(data, [id_column, text], table="documents")
    if chunk_size < 1:
        raise ParameterError(f"chunk_size={chunk_size}: expected a positive integer.")
    titles = (data[title] if title in data.columns else pd.Series("", index=data.index))
    rows = list(zip(data[id_column].astype(str), titles.fillna("").astype(str),
                    data[text].fillna("").astype(str), strict=True))
    models = _models(book)
    out = _Tables(book)
    bar = tqdm(total=len(rows), desc=f"codebook {book.name}", unit="doc", disable=not progress)
    for start in range(0, len(rows), chunk_size):
        _code_chunk(rows[start:start + chunk_size], book, models, out)
        bar.update(len(rows[start:start + chunk_size]))
    bar.close()
    table_df, evidence_df = out.frames()
    table_df["score"] = table_df["score"].astype(float)
    logger.info("coded %d documents with codebook %s (%d frames, %d evidence sentences)",
                len(rows), book.name, len(book.frames), len(evidence_df))
    params = {"codebook": book.name, "codebook_path": book.path, "id_column": id_column,
              "title": title, "text": text}
    return CodingResult(table_df, evidence_df, book, params)

