"""The sentence-level matching engine: codebook rules over sentences, decisions per article.

Each document is parsed once (:func:`parse_document`): the title is sentence 0, the body is split
by :func:`framing.sentences.sentence_spans` into sentences 1, 2, ... (these indices are how hand
labels refer to sentences), and every word gets its lowercased form and Snowball stem. A rule
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

Every positive decision keeps its evidence sentences (:attr:`CodingResult.evidence`).
"""

from __future__ import annotations

import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import pandas as pd
from tqdm.auto import tqdm

from ..errors import ParameterError
from ..schema import DOC_FRAMES_COLUMNS, require_columns
from ..sentences import sentence_spans
from ..text import _DOTTED_ACRONYM, WORD_PATTERN
from .attribution import attribute, classify_speaker
from .codebook import Codebook, Cue, Frame, Rule, load_codebook, stem

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
def _word(raw: str) -> tuple[str, str, tuple[str, ...], frozenset[str]]:
    surface = raw.replace(".", "") if raw.endswith(".") else raw
    surface = surface.replace("’", "'")
    if len(surface) > 2 and not surface.isupper():
        surface = _POSSESSIVE.sub("", surface) if surface.endswith(("'s", "'")) else surface
    lower = surface.lower()
    parts = (lower, *[p for p in lower.split("-") if p]) if "-" in lower else (lower,)
    return surface, lower, parts, frozenset(stem(p) for p in parts)


def tokenize_sentence(text: str) -> tuple[Token, ...]:
    """The tokens of one sentence (words, acronyms such as "U.S.", and numbers).

    Examples
    --------
    >>> [t.surface for t in tokenize_sentence("The U.S. struck al-Assad's base in 2017.")]
    ['The', 'US', 'struck', 'al-Assad', 'base', 'in', '2017']
    """
    tokens = []
    for m in _TOKEN.finditer(text):
        surface, lower, parts, stems = _word(m.group())
        tokens.append(Token(surface, lower, parts, stems, m.start(), m.end()))
    return tuple(tokens)


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``index`` (0 is the title), ``field`` (``title``/``text``), character
    ``start``/``end`` within that field, its ``text`` and ``tokens``."""

    index: int
    field: str
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]


class ParsedDocument:
    """A document split into sentences and tokens, with a stem index for fast cue lookup.

    Build with :func:`parse_document`. ``attributions`` (speaker per sentence) is computed on
    first use.
    """

    def __init__(self, title: str, text: str, doc_id: str = ""):
        self.doc_id = doc_id
        self.title = title or ""
        self.text = text or ""
        sentences = [Sentence(0, "title", 0, len(self.title), self.title,
                              tokenize_sentence(self.title))]
        for a, b in sentence_spans(self.text):
            sentences.append(Sentence(len(sentences), "text", a, b, self.text[a:b],
                                      tokenize_sentence(self.text[a:b])))
        self.sentences = sentences
        index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for s in sentences:
            for i, token in enumerate(s.tokens):
                for key in token.stems | {token.surface}:
                    index[key].append((s.index, i))
        self._index = index
        self._hits: dict[Cue, list[tuple[int, int, int]]] = {}

    def __repr__(self) -> str:
        return f"ParsedDocument({self.doc_id!r}, sentences={len(self.sentences)})"

    @cached_property
    def attributions(self):
        """One :class:`~framing.frames.attribution.Attribution` per sentence."""
        return attribute(self)

    def find(self, cue: Cue) -> list[tuple[int, int, int]]:
        """Every occurrence of ``cue``: ``(sentence, first token, end token)``."""
        if cue in self._hits:
            return self._hits[cue]
        first = cue.patterns[0]
        if first.kind in ("stem", "case"):
            keys = first.keys if first.kind == "stem" else (first.value, first.value + "s")
            starts = [pos for key in keys for pos in self._index.get(key, ())]
        else:
            starts = [(s.index, i) for s in self.sentences for i in range(len(s.tokens))]
        n = len(cue.patterns)
        hits = []
        for si, i in sorted(set(starts)):
            tokens = self.sentences[si].tokens
            if i + n <= len(tokens) and all(p.matches(tokens[i + k])
                                            for k, p in enumerate(cue.patterns)):
                hits.append((si, i, i + n))
        self._hits[cue] = hits
        return hits

    def find_any(self, cues) -> dict[int, list[tuple[int, int, Cue]]]:
        """Occurrences of any of ``cues`` by sentence: ``{sentence: [(start, end, cue)]}``."""
        out: dict[int, list[tuple[int, int, Cue]]] = defaultdict(list)
        for cue in cues:
            for si, a, b in self.find(cue):
                out[si].append((a, b, cue))
        return out


def parse_document(title: str, text: str, doc_id: str = "") -> ParsedDocument:
    """Split a document into sentences (title = sentence 0) and tokens.

    Examples
    --------
    >>> doc = parse_document("Strike on Shayrat", "The U.S. struck. Russia protested.")
    >>> [(s.index, s.text) for s in doc.sentences]
    [(0, 'Strike on Shayrat'), (1, 'The U.S. struck.'), (2, 'Russia protested.')]
    """
    return ParsedDocument(title, text, doc_id)


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
    matches = doc.find_any(rule.match)
    near = doc.find_any(rule.near) if rule.near else {}
    unless = doc.find_any(rule.unless) if rule.unless else {}
    neg = doc.find_any(negation) if negation else {}
    hedges = doc.find_any(hedge) if hedge else {}
    hits = []
    for si in sorted(matches):
        for a, b, cue in sorted(matches[si], key=lambda m: m[:2]):
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


def _sentence_scores(doc: ParsedDocument, frame: Frame, book: Codebook) -> list[_Evidence]:
    """The best-scoring hit per sentence for a frame's rules, with position weights applied."""
    opts = frame.options
    best: dict[int, _Evidence] = {}
    for rule in frame.rules:
        for hit in match_rule(doc, rule, negation=_special(book, "negation"),
                              hedge=_special(book, "hedge"),
                              negation_window=opts.get("negation_window", 3)):
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


def _balance_candidates(doc: ParsedDocument, frame: Frame, book: Codebook) -> list[_Evidence]:
    return _sentence_scores(doc, frame, book)


def _balance_rule_proba(doc: ParsedDocument, frame: Frame, ev: _Evidence) -> dict[str, float]:
    counts = {side: len(doc.find_any(cues).get(ev.sentence, ()))
              for side, cues in frame.options["sides"].items()}
    counts["doubt"] = len(doc.find_any(frame.options["doubt"]).get(ev.sentence, ()))
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def decide_balance(doc: ParsedDocument, frame: Frame, candidates: list[_Evidence],
                   probas: list[dict[str, float]], method: str) -> _Decision:
    """Each candidate sentence votes (with its position weight) for its most probable class
    when that is a side or ``doubt`` with probability >= ``min_probability``; doubt votes count
    ``doubt_weight``. Less than ``min_evidence`` votes: ``none``; a side with at least
    ``dominance`` of the votes wins; otherwise ``contested``."""
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


def _code_chunk(rows, book: Codebook, models) -> tuple[list[dict], list[dict]]:
    docs = [parse_document(title, text, doc_id) for doc_id, title, text in rows]
    decisions: list[dict[str, _Decision]] = [{} for _ in docs]
    for i, doc in enumerate(docs):
        for name, frame in book.frames.items():
            if frame.type == "presence":
                decisions[i][name] = decide_presence(doc, frame, book)
    for name, frame in book.frames.items():
        if frame.type != "balance":
            continue
        model = models.get(name)
        candidates = [_balance_candidates(doc, frame, book) for doc in docs]
        if model is not None:
            texts = [doc.sentences[e.sentence].text for doc, c in zip(docs, candidates,
                                                                       strict=True) for e in c]
            flat = model.predict_proba_dicts(texts) if texts else []
            probas, k = [], 0
            for c in candidates:
                probas.append(flat[k:k + len(c)])
                k += len(c)
        else:
            probas = [[_balance_rule_proba(doc, frame, e) for e in c]
                      for doc, c in zip(docs, candidates, strict=True)]
        how = "rules+model" if model is not None else "rules"
        for i, doc in enumerate(docs):
            decisions[i][name] = decide_balance(doc, frame, candidates[i], probas[i], how)
    for i, doc in enumerate(docs):
        for name, frame in book.frames.items():
            if frame.type == "voice":
                present = decisions[i][frame.options["of"]].label == "present"
                decisions[i][name] = decide_voice(doc, frame, book, present)
            elif frame.type == "stance":
                present = decisions[i][frame.options["of"]].label == "present"
                decisions[i][name] = decide_stance(doc, frame, book, present)
            elif frame.type == "primary":
                decisions[i][name] = decide_primary(frame, decisions[i])
    voice_of = {f.options["of"]: n for n, f in book.frames.items() if f.type == "voice"}
    table, evidence = [], []
    for doc, decided in zip(docs, decisions, strict=True):
        for name, frame in book.frames.items():
            d = decided[name]
            voice = decided[voice_of[name]].label if name in voice_of else ""
            table.append({
                "doc_id": doc.doc_id, "frame": name, "label": d.label, "score": d.score,
                "evidence": " | ".join(f"[{e.sentence}] {doc.sentences[e.sentence].text}"
                                       for e in d.evidence),
                "voice": voice, "method": _method(book, frame, d.method)})
            for e in d.evidence:
                evidence.append({
                    "doc_id": doc.doc_id, "frame": name, "sentence": e.sentence,
                    "text": doc.sentences[e.sentence].text, "weight": round(e.weight, 4),
                    "rule": e.hit.rule.name if e.hit else "", "cue": e.hit.cue if e.hit else "",
                    "speaker": e.speaker or "", "category": e.category,
                    "negated": bool(e.hit and e.hit.negated),
                    "hedged": bool(e.hit and e.hit.hedged)})
    return table, evidence


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
        Documents parsed at a time (memory stays flat on large corpora).
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
    table, evidence = [], []
    bar = tqdm(total=len(rows), desc=f"codebook {book.name}", unit="doc", disable=not progress)
    for start in range(0, len(rows), chunk_size):
        t, e = _code_chunk(rows[start:start + chunk_size], book, models)
        table.extend(t)
        evidence.extend(e)
        bar.update(len(rows[start:start + chunk_size]))
    bar.close()
    table_df = pd.DataFrame(table, columns=list(DOC_FRAMES_COLUMNS))
    table_df["score"] = table_df["score"].astype(float)
    evidence_df = pd.DataFrame(evidence, columns=list(EVIDENCE_COLUMNS))
    logger.info("coded %d documents with codebook %s (%d frames, %d evidence sentences)",
                len(rows), book.name, len(book.frames), len(evidence_df))
    params = {"codebook": book.name, "codebook_path": book.path, "id_column": id_column,
              "title": title, "text": text}
    return CodingResult(table_df, evidence_df, book, params)

