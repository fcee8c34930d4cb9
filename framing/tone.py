"""Tone toward named actors: VADER sentiment of the text around each mention.

The measure, step by step:

1. **Mentions.** Actors and their aliases come from an editable list (``framing/actors.toml``,
   or your own file through :func:`load_actors`); :class:`ActorMatcher` finds whole-word,
   longest-alias mentions (see the file's header for the rules).
2. **Context.** Texts are split into sentences with :func:`framing.sentences.sentence_spans`.
   With ``unit="sentence"`` the context of an actor is each sentence that mentions it (once per
   sentence, however many times it is named there); with ``unit="window"`` it is the ``window``
   words on each side of each mention, inside its sentence (words as
   :data:`framing.text.WORD_PATTERN` defines them) and the punctuation after the last one
   (VADER reads "!" and "?").
3. **Masking.** Every actor mention inside a context is replaced by a neutral placeholder before
   scoring, because some aliases carry valence in the VADER lexicon ("rebels" -0.8, "United"
   +1.8, "Free" +2.3, "weapons" -1.9 in "Prohibition of Chemical Weapons"): the measure should
   not call the Free Syrian Army positive for its name.
4. **Score.** The VADER compound score (Hutto & Gilbert 2014; ``vaderSentiment`` with its bundled
   lexicon) of each context, in [-1, 1].
5. **Aggregate.** A document's tone toward an actor is the mean over its contexts
   (:func:`actor_tone`, the ``doc_tone`` table); :func:`compare_tone` averages documents per
   outlet or group with t intervals and compares groups with Welch's t-test.

What it is and is not: VADER scores the sentiment of the words near a mention, not the stance
*toward* the actor. "Assad's forces killed 80 civilians" is strongly negative for Assad and
"rebels say 80 civilians were killed" is just as negative for the rebels. How well this tracks
human judgements is measured by ``benchmarks/tone_evaluation.py`` (results in
``benchmarks/results/tone_evaluation.md``). On BASIL sentences whose wording is slanted toward a
named target, the 8-word window ranks negative above positive items better than chance (ROC AUC
0.72, 95% CI 0.52-0.88; 91 negative and 13 positive items), yet its sign agrees with the
annotated polarity on only 69% of the items it does not call neutral, below the 87.5% of always
answering "negative"; the target is named (rather than referred to by a pronoun) in 46% of the
annotated items. Bias carried by the choice of facts is barely seen (AUC 0.63), and as a
detector of biased or opinionated sentences ``|tone|`` is weak (AUC 0.54-0.59 on BASIL and
BABE). Read differences between outlets as differences in how negatively the words around an
actor read, and report these numbers beside them.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from .errors import CardError, ParameterError, SchemaError
from .inference import CORRECTIONS
from .results import ComparisonResult
from .schema import require_columns
from .sentences import sentence_spans
from .text import WORD_PATTERN

__all__ = [
    "Actor",
    "ActorMatcher",
    "load_actors",
    "sentiment",
    "find_mentions",
    "actor_tone",
    "compare_tone",
    "ToneResult",
    "MENTION_COLUMNS",
    "DOC_TONE_COLUMNS",
    "PLACEHOLDER",
]

logger = logging.getLogger(__name__)

#: Columns of the mentions table: one row per scored context.
MENTION_COLUMNS = ("doc_id", "actor", "sentence", "start", "end", "mention", "context", "tone")
#: Columns of the doc_tone table: one row per document and actor mentioned in it.
DOC_TONE_COLUMNS = ("doc_id", "actor", "n_contexts", "tone")
#: Word that replaces actor mentions before scoring (not in the VADER lexicon).
PLACEHOLDER = "someone"
UNITS = ("sentence", "window")


@dataclass(frozen=True)
class Actor:
    """An actor: ``id`` (used in tables), ``label`` (for people), ``aliases`` and ``exclude``
    (phrases containing an alias that do not name the actor)."""

    id: str
    label: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def load_actors(path: str | os.PathLike | None = None) -> tuple[Actor, ...]:
    """Read an actor list (TOML; default: the shipped ``framing/actors.toml``).

    Examples
    --------
    >>> [a.id for a in load_actors()]
    ['assad', 'russia', 'us', 'rebels', 'un_opcw']
    """
    if path is None:
        text = resources.files("framing").joinpath("actors.toml").read_text("utf-8")
        where = "framing/actors.toml"
    else:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        where = os.fspath(path)
    try:
        table = tomllib.loads(text).get("actors")
    except tomllib.TOMLDecodeError as err:
        raise CardError(f"{where}: not valid TOML ({err}).") from err
    if not isinstance(table, dict) or not table:
        raise CardError(f"{where}: expected [actors.ID] tables.")
    actors = []
    for key, entry in table.items():
        here = f"{where}, [actors.{key}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise CardError(f"{here}: expected a string field 'label'.")
        for field in ("aliases", "exclude"):
            values = entry.get(field, [])
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                                      for v in values):
                raise CardError(f"{here}, field {field!r}: expected a list of strings.")
        if not entry.get("aliases"):
            raise CardError(f"{here}: field 'aliases' is empty.")
        unknown = set(entry) - {"label", "aliases", "exclude"}
        if unknown:
            raise CardError(f"{here}: unknown field(s) {sorted(unknown)}.")
        actors.append(Actor(key, entry["label"], tuple(entry["aliases"]),
                            tuple(entry.get("exclude", ()))))
    return tuple(actors)


def _alias_pattern(alias: str) -> str:
    words = [re.escape(w) for w in alias.split()]
    body = r"\s+".join(words)
    # All-capital aliases (US, UN, U.S.) match that spelling only; others in any case.
    return body if alias.replace(".", "").isupper() else f"(?i:{body})"


class ActorMatcher:
    """Find actor mentions in texts.

    Parameters
    ----------
    actors : sequence of Actor, optional
        Default: :func:`load_actors`.

    Examples
    --------
    >>> m = ActorMatcher()
    >>> [(a, t) for a, _, _, t in m.find("The U.S. and Assad's allies; Moscow said: tell us.")]
    [('us', 'U.S.'), ('assad', 'Assad'), ('russia', 'Moscow')]
    >>> m.find("The Washington Post spoke to rebel-held towns.")
    []
    """

    def __init__(self, actors: Sequence[Actor] | None = None):
        self.actors = tuple(load_actors() if actors is None else actors)
        ids = [a.id for a in self.actors]
        if len(set(ids)) != len(ids):
            raise ParameterError(f"actor ids must be unique; got {ids}.")
        entries = {}
        for actor in self.actors:
            for alias in actor.aliases:
                entries.setdefault(alias, actor.id)
            for phrase in actor.exclude:
                entries.setdefault(phrase, None)
        # Longest first, so that the alternation takes the longest alias at each place.
        self._owners = []
        parts = []
        for alias in sorted(entries, key=lambda a: (-len(a), a)):
            parts.append(f"(?P<a{len(parts)}>{_alias_pattern(alias)})")
            self._owners.append(entries[alias])
        self._pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(parts) + r")(?![\w\-])")

    def find(self, text: str) -> list[tuple[str, int, int, str]]:
        """Mentions ``(actor, start, end, matched text)`` in ``text``, in order."""
        found = []
        for match in self._pattern.finditer(text):
            owner = self._owners[int(match.lastgroup[1:])]
            if owner is not None:
                found.append((owner, match.start(), match.end(), match.group()))
        return found


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    if PLACEHOLDER in analyzer.lexicon:
        raise RuntimeError(f"placeholder {PLACEHOLDER!r} is in the VADER lexicon.")
    return analyzer


def sentiment(text: str) -> float:
    """VADER compound score of ``text`` (-1 most negative, +1 most positive).

    Examples
    --------
    >>> sentiment("VADER is smart, handsome, and funny.")  # VADER's README
    0.8316
    """
    return float(_analyzer().polarity_scores(text)["compound"])


def _masked(sentence: str, offset: int, lo: int, hi: int, spans: Iterable[tuple[int, int]]) -> str:
    """``sentence[lo:hi]`` (text offsets) with the mention ``spans`` replaced by PLACEHOLDER."""
    out, pos = [], lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        out.append(sentence[pos - offset:max(start, lo) - offset])
        out.append(PLACEHOLDER)
        pos = min(end, hi)
    out.append(sentence[pos - offset:hi - offset])
    return "".join(out).strip()


def _document_mentions(doc_id, text: str, matcher: ActorMatcher, unit: str,
                       window: int) -> list[dict]:
    found = matcher.find(text)
    if not found:
        return []
    spans = sentence_spans(text)
    starts = [a for a, _ in spans]
    by_sentence: dict[int, list] = {}
    for actor, start, end, surface in found:
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and start < spans[i][1]:
            by_sentence.setdefault(i, []).append((actor, start, end, surface))
    rows = []
    for i, mentions in by_sentence.items():
        a, b = spans[i]
        sentence = text[a:b]
        all_spans = [(s, e) for _, s, e, _ in mentions]
        if unit == "sentence":
            context = _masked(sentence, a, a, b, all_spans)
            tone = sentiment(context)
            for actor in dict.fromkeys(m[0] for m in mentions):
                own = [m for m in mentions if m[0] == actor]
                rows.append({"doc_id": doc_id, "actor": actor, "sentence": i,
                             "start": own[0][1], "end": own[0][2],
                             "mention": "; ".join(m[3] for m in own), "context": context,
                             "tone": tone})
            continue
        words = [(m.start() + a, m.end() + a) for m in WORD_PATTERN.finditer(sentence)]
        for actor, start, end, surface in mentions:
            left = [w for w in words if w[1] <= start][-window:] if window else []
            after = [w for w in words if w[0] >= end]
            right = after[:window]
            lo = left[0][0] if left else start
            # Up to the next word, so that the punctuation VADER reads ("!", "?") stays in.
            hi = after[len(right)][0] if len(after) > len(right) else b
            context = _masked(sentence, a, lo, hi, all_spans)
            rows.append({"doc_id": doc_id, "actor": actor, "sentence": i, "start": start,
                         "end": end, "mention": surface, "context": context,
                         "tone": sentiment(context)})
    return rows


def find_mentions(data: pd.DataFrame, *, actors: Sequence[Actor] | ActorMatcher | None = None,
                  text: str = "text", doc_id: str = "doc_id", unit: str = "sentence",
                  window: int = 8) -> pd.DataFrame:
    """Every scored context of every actor mention (:data:`MENTION_COLUMNS`).

    Parameters
    ----------
    data : pandas.DataFrame
        Documents with ``doc_id`` and ``text``.
    actors : sequence of Actor or ActorMatcher, optional
        Default: the shipped list (:func:`load_actors`).
    unit : {"sentence", "window"}
        Context of a mention (see the module documentation).
    window : int
        Words on each side of a mention for ``unit="window"``.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["d1"], "text": [
    ...     "Rebels welcomed the strike. Russia condemned the brutal aggression by the US."]})
    >>> mentions = find_mentions(docs)
    >>> mentions[["actor", "sentence", "mention", "tone"]]
        actor  sentence mention    tone
    0  rebels         0  Rebels  0.2263
    1  russia         1  Russia -0.8481
    2      us         1      US -0.8481
    >>> mentions.loc[1, "context"]
    'someone condemned the brutal aggression by the someone.'
    """
    if unit not in UNITS:
        raise ParameterError(f"unit={unit!r}: use one of {UNITS}.")
    if window < 0:
        raise ParameterError(f"window={window}: use a non-negative number of words.")
    require_columns(data, [doc_id, text], table="documents")
    matcher = actors if isinstance(actors, ActorMatcher) else ActorMatcher(actors)
    rows = []
    for ident, body in zip(data[doc_id], data[text].fillna("").astype(str), strict=True):
        rows.extend(_document_mentions(ident, body, matcher, unit, window))
    out = pd.DataFrame(rows, columns=list(MENTION_COLUMNS))
    logger.info("tone: %d %s contexts in %d of %d documents", len(out), unit,
                out["doc_id"].nunique(), len(data))
    return out


def actor_tone(data: pd.DataFrame, *, actors: Sequence[Actor] | ActorMatcher | None = None,
               text: str = "text", doc_id: str = "doc_id", unit: str = "sentence",
               window: int = 8, mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``doc_tone`` table: mean VADER tone of each document toward each actor it mentions.

    Parameters are those of :func:`find_mentions`; pass ``mentions`` to aggregate a mentions
    table you already have.

    Returns
    -------
    pandas.DataFrame
        :data:`DOC_TONE_COLUMNS`: ``doc_id, actor, n_contexts, tone``.
    """
    if mentions is None:
        mentions = find_mentions(data, actors=actors, text=text, doc_id=doc_id, unit=unit,
                                 window=window)
    require_columns(mentions, ["doc_id", "actor", "tone"], table="mentions")
    out = (mentions.groupby(["doc_id", "actor"], sort=True)["tone"]
           .agg(n_contexts="size", tone="mean").reset_index())
    return out[list(DOC_TONE_COLUMNS)]


class ToneResult(ComparisonResult):
    """Result of :func:`compare_tone`: rows of kind ``mean`` (mean document tone per group and
    actor, t interval) and ``pairwise`` (difference of means, Welch's t-test and interval)."""

    summary_kinds = ("mean", "pairwise")
    plot_kind = "mean"


def compare_tone(doc_tone: pd.DataFrame, *, by: str = "outlet",
                 documents: pd.DataFrame | None = None, doc_id: str = "doc_id",
                 reference: str | None = None, pairwise: bool = True,
                 correction: str = "holm", confidence: float = 0.95,
                 min_docs: int = 2) -> ToneResult:
    """Mean tone toward each actor by outlet or group, with intervals and pairwise tests.

    Documents are the units: each contributes its mean tone toward the actor. Pairwise rows
    compare two groups with Welch's t-test (:func:`scipy.stats.ttest_ind` with
    ``equal_var=False``); documents of one outlet are treated as independent, which they are
    not quite, so read p-values for groups of outlets with care.

    Parameters
    ----------
    doc_tone : pandas.DataFrame
        From :func:`actor_tone` (``doc_id, actor, tone``), with ``by`` or ``documents``.
    by : str
        Group column (``outlet``, ``outlet_lean`` ...).
    documents : pandas.DataFrame, optional
        Documents table joined on ``doc_id`` to bring ``by``.
    reference : str, optional
        Compare every group with this one (default: every pair).
    pairwise : bool
        Add the pairwise rows.
    correction : str
        Adjustment of the pairwise p-values (family: all pairwise rows).
    confidence : float
        Level of the intervals.
    min_docs : int
        Groups with fewer documents for an actor get no interval and no test.

    Examples
    --------
    >>> tone = pd.DataFrame({"doc_id": list("abcdef"), "actor": "assad",
    ...                      "tone": [-0.8, -0.6, -0.7, 0.1, -0.2, 0.0],
    ...                      "outlet": ["CNN"] * 3 + ["RT"] * 3})
    >>> res = compare_tone(tone, by="outlet")
    >>> res.rows("pairwise")[["group", "reference", "estimate", "p_value"]].round(3)
      group reference  estimate  p_value
    0    RT       CNN     0.667    0.005
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    data = doc_tone
    if documents is not None and by not in data.columns:
        require_columns(documents, [doc_id, by], table="documents")
        if documents[doc_id].duplicated().any():
            raise SchemaError(f"documents: duplicated {doc_id!r}.")
        data = data.merge(documents[[doc_id, by]], on=doc_id, how="left", validate="many_to_one")
    require_columns(data, [doc_id, "actor", "tone", by], table="doc_tone")
    if data[[doc_id, "actor"]].duplicated().any():
        raise SchemaError("doc_tone has two rows for one document and actor; aggregate first "
                          "(actor_tone does).")
    data = data[data[by].notna() & (data[by].astype(str) != "") & data["tone"].notna()]
    data = data.assign(_group=data[by].astype(str))
    rows, kinds = [], []
    method = f"mean document tone (VADER compound), t interval ({confidence:.0%})"
    for actor, part in data.groupby("actor", sort=True):
        samples = {g: np.sort(x["tone"].to_numpy(dtype=float))
                   for g, x in part.groupby("_group", sort=True)}
        for g, x in samples.items():
            ci = ((np.nan, np.nan) if len(x) < max(min_docs, 2) or np.std(x) == 0
                  else stats.t.interval(confidence, len(x) - 1, loc=x.mean(),
                                        scale=stats.sem(x)))
            rows.append({"scope": "all", "group": g, "reference": "", "feature_kind": "actor",
                         "feature": actor, "n_docs": len(x), "estimate": x.mean(),
                         "ci_low": ci[0], "ci_high": ci[1], "method": method})
            kinds.append("mean")
        if not pairwise:
            continue
        names = list(samples)
        pairs = ([(g, reference) for g in names if g != reference and reference in samples]
                 if reference is not None else [(b, a) for a, b in combinations(names, 2)])
        for g, r in pairs:
            x, y = samples[g], samples[r]
            row = {"scope": "all", "group": g, "reference": r, "feature_kind": "actor",
                   "feature": actor, "n_docs": len(x), "estimate": x.mean() - y.mean(),
                   "method": "difference of mean tone, Welch t-test and interval"}
            if min(len(x), len(y)) >= max(min_docs, 2) and (np.std(x) > 0 or np.std(y) > 0):
                res = stats.ttest_ind(x, y, equal_var=False)
                ci = res.confidence_interval(confidence)
                row.update(ci_low=ci.low, ci_high=ci.high, statistic=res.statistic,
                           p_value=res.pvalue)
            rows.append(row)
            kinds.append("pairwise")
    params = {"by": by, "reference": reference, "confidence": confidence,
              "min_docs": min_docs, "n_documents": int(data[doc_id].nunique())}
    return ToneResult(pd.DataFrame(rows), kinds=kinds, params=params,
                      title=f"Tone toward actors by {by}", correction=correction)
