"""Flag exact duplicates, near duplicates and wire copies in a documents table.

Three relations are detected, all from the words of the ``text`` column:

* **exact duplicates**: the same normalised text (NFKC, lower case, apostrophes removed, other
  punctuation replaced by spaces, whitespace collapsed) appears more than once, in one outlet or
  in two (a column filed under both its author and its newspaper);
* **near duplicates**: an outlet runs the same story again with an edited headline or lead, or as
  an updated version;
* **wire copies**: several outlets print the same agency story (Reuters, AP, AFP, TASS, ...),
  often trimmed or lightly edited.

Texts are compared as sets of word *shingles* (runs of ``shingle_size`` consecutive words).
Near duplicates are measured by *resemblance* (Jaccard index, ``|A & B| / |A | B|``) and wire
copies by *containment* of the shorter text in the longer one (``|A & B| / min(|A|, |B|)``),
because outlets trim agency copy: a copy cut to its first four paragraphs is contained in the
full story but resembles it little [1]_. Candidate pairs come from MinHash signatures in a
locality-sensitive hashing index (``datasketch``), so the work grows with the number of similar
pairs rather than with the square of the number of documents; every candidate pair is then
verified with its exact set similarity. Documents linked by verified pairs form a duplicate
group (connected components of the pair graph).

Nothing is dropped: :func:`find_duplicates` returns one row per flagged document and the caller
decides what to exclude. Dropping the documents flagged ``exact_duplicate`` or ``near_duplicate``
keeps one document per outlet and story; dropping ``wire_copy`` as well keeps one per story.

How the defaults were chosen
----------------------------
On the project's four news corpora (AllSides/Baly et al. 2020, BASIL, Dai 2017 and FA-KES; 4,142
articles, loaded together) every pair of documents was scored by brute force and pairs were read
by eye across the range of scores:

* ``shingle_size=5``: with 3- and 4-word shingles, unrelated articles on the same event share many
  stock phrases ("the syrian observatory for human"); 5-word shingles keep copied passages and
  drop most of that background.
* ``near_threshold=0.6`` (Jaccard, same outlet): same-outlet pairs fall into two clusters, re-runs
  and updated versions at 0.67-1.0 and, at 0.54 and below, articles on a developing story that
  share some paragraphs and pages that embed the same photo gallery; no pair scores in between.
* ``wire_threshold=0.5`` (containment, different outlets): at least half of the shorter text's
  shingles recur in the other. BASIL (the same events covered by three outlets, no copies)
  peaks at 0.35. Flagged pairs at 0.5 and above were copies of one agency story with few
  exceptions (an op-ed quoted at length, a list of attacks printed by two outlets); between 0.3
  and 0.5 heavily rewritten agency copy mixes with articles that quote the same speech.
* ``min_tokens=30``: shorter texts in these corpora are scraping fragments (captions, bylines, a
  headline alone; 15 of 4,142 texts, six of them empty) and would otherwise collapse into
  groups of "identical" empty texts.
* ``boilerplate_df=5``: shingles that recur in five or more different texts of the *same outlet*
  are page furniture (share buttons, newsletter boxes, copyright lines, "related" teasers) and are
  ignored in every document. TRT World re-runs of one article score a Jaccard index of 0.62-0.67
  with the page template and 0.93-1.00 without it, so with the template they would hinge on the
  threshold; same-outlet pairs with a Jaccard index of 0.2 or more drop from 102 to 67.

LSH candidates found exactly the pairs that exhaustive comparison finds on those corpora, at the
defaults and at ``near_threshold=0.4, wire_threshold=0.3``.

References
----------
.. [1] A. Z. Broder, "On the resemblance and containment of documents", *Proceedings of
   Compression and Complexity of Sequences*, 1997, pp. 21-29.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import numbers
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
from datasketch import MinHash, MinHashLSH
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .errors import ParameterError, SchemaError
from .schema import require_columns

__all__ = [
    "AGENCY_PATTERNS",
    "DUPLICATE_COLUMNS",
    "DUPLICATE_KINDS",
    "find_duplicates",
    "normalize_text",
]

logger = logging.getLogger(__name__)

#: Columns of the table returned by :func:`find_duplicates`, in order.
DUPLICATE_COLUMNS = ("doc_id", "kind", "duplicate_of", "group_id", "similarity", "agency", "detail")
#: Values of its ``kind`` column.
DUPLICATE_KINDS = ("exact_duplicate", "near_duplicate", "wire_copy")

#: News agencies recognised in attribution cues, in order of precedence for ties. Each pattern
#: is searched in the raw text (acronyms case-sensitively) and in the outlet name.
AGENCY_PATTERNS: dict[str, str] = {
    "Reuters": r"\bReuters\b|\bREUTERS\b",
    "AP": r"\bAP\b|\b(?i:associated press)\b",
    "AFP": r"\bAFP\b|\b(?i:agence france[- ]presse)\b",
    "TASS": r"\b(?:ITAR-)?TASS\b|\b(?i:tass news agency)\b",
    "Xinhua": r"\b(?i:xinhua)\b",
    "Anadolu": r"\b(?i:anadolu)\b|\(AA\)",
    "dpa": r"\bdpa\b|\b(?i:deutsche presse-agentur)\b",
    "UPI": r"\bUPI\b|\b(?i:united press international)\b",
    "SANA": r"\bSANA\b|\b(?i:syrian arab news agency)\b",
    "Interfax": r"\b(?i:interfax)\b",
    "RIA Novosti": r"\bRIA(?: Novosti)?\b",
    "IRNA": r"\bIRNA\b",
    "Kyodo": r"\b(?i:kyodo)\b",
    "Yonhap": r"\b(?i:yonhap)\b",
    "EFE": r"\bEFE\b",
    "ANSA": r"\bANSA\b",
}
_AGENCY_RE = {name: re.compile(pattern) for name, pattern in AGENCY_PATTERNS.items()}
# Characters at the start (dateline, byline) and end (credit line) of a text searched for credits.
_CREDIT_ZONE = 120
# "told Reuters", "according to AFP", "SANA reported": the agency is a source, not the author.
_SOURCE_BEFORE_RE = re.compile(
    r"(?i:\b(?:told|according to|quoted by|cited by|citing)\s+(?:the\s+)?)$"
)
_SOURCE_AFTER_RE = re.compile(
    r"^(?i:\s+(?:(?:state|regime|official|news|state-run)\s+){0,3}(?:news\s+)?(?:agency\s+)?"
    r"(?:reported|reports|said|says|quoted|cited))"
)
# "Photo: ... AP", "/ITAR-TASS /Landov", "Getty Images/AFP": a photo credit, not a text credit.
_PHOTO_CREDIT_RE = re.compile(r"(?i:photo|image|caption|getty|picture)[^.]{0,40}$|/\s*$")

_APOSTROPHES_RE = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
# Punctuation; the underscore, a word character to regular expressions, is replaced apart: a
# pattern made of one character class lets the engine skip quickly over words and spaces.
_NON_WORD_RE = re.compile(r"[^\w\s]")
# Multiplier of the polynomial shingle hash (odd, golden ratio); arithmetic wraps mod 2**64.
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
# LSH aims at wire copies whose shorter text is at least this share of the longer one's length.
_MIN_LENGTH_RATIO = 0.25
# LSH weights: a missed pair costs nine times a spurious candidate (candidates are verified).
_LSH_WEIGHTS = (0.1, 0.9)


def normalize_text(text: str) -> str:
    """Return the normalised form used to decide whether two texts are exact duplicates.

    NFKC normalisation, lower case, apostrophes removed (so that "Syria's" and "Syrias" agree),
    every other punctuation character replaced by a space, whitespace collapsed.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        The normalised text; words are separated by single spaces.

    Examples
    --------
    >>> normalize_text("  Syria's  army -- \\"retook\\" the TOWN.")
    'syrias army retook the town'
    """
    return " ".join(_tokens(text))


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return _NON_WORD_RE.sub(" ", _APOSTROPHES_RE.sub("", text).replace("_", " ")).split()


def _token_hashes(tokens: list[str]) -> np.ndarray:
    """64-bit hashes of the distinct tokens (stable across runs, unlike the built-in ``hash``)."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
         for t in tokens),
        dtype=np.uint64,
        count=len(tokens),
    )


def _shingles(codes: np.ndarray, bounds: np.ndarray, size: int) -> list[np.ndarray]:
    """Sorted distinct 64-bit hashes of the ``size``-word shingles of each text.

    ``codes`` holds the token hashes of all texts, one after another; text ``i`` spans
    ``codes[bounds[i]:bounds[i + 1]]``. Shingles are hashed for all positions at once, and the
    ones that would cross into the next text are left out.
    """
    n = max(len(codes) - size + 1, 0)
    hashed = np.zeros(n, dtype=np.uint64)
    for offset in range(size):
        hashed = hashed * _SHINGLE_MULTIPLIER + codes[offset : offset + n]
    return [_distinct(hashed[start : max(start, end - size + 1)])
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)]


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a short array, several times faster."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


@dataclass
class _Texts:
    """Per-document word counts, exact-duplicate classes and informative shingles."""

    n_tokens: np.ndarray  # words per text
    text_class: np.ndarray  # documents with the same normalised text share a class number
    shingles: list[np.ndarray]  # informative shingle hashes per document (boilerplate removed)


def _prepare(texts: list[str], outlets: np.ndarray, min_tokens: int, size: int,
             boilerplate_df: int | None) -> _Texts:
    tokens = [_tokens(t) for t in texts]
    n_tokens = np.array([len(t) for t in tokens], dtype=np.int64)
    normalised = [" ".join(t) for t in tokens]
    text_class = pd.factorize(pd.Series(normalised, dtype=object))[0]

    flat = [tok for toks in tokens for tok in toks]
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object))
    hashed = _token_hashes(list(uniques))[codes] if len(flat) else np.empty(0, dtype=np.uint64)
    bounds = np.concatenate(([0], np.cumsum(n_tokens)))
    shingles = _shingles(hashed, bounds, size)

    eligible = n_tokens >= min_tokens
    if boilerplate_df is not None:
        shingles = _drop_boilerplate(shingles, outlets, text_class, eligible, boilerplate_df)
    return _Texts(n_tokens=n_tokens, text_class=text_class, shingles=shingles)


def _drop_boilerplate(shingles, outlets, text_class, eligible, boilerplate_df):
    """Drop, from every document, shingles in ``boilerplate_df``+ distinct texts of one outlet."""
    boilerplate = _boilerplate(shingles, outlets, text_class, eligible, boilerplate_df)
    if len(boilerplate) == 0:
        return shingles
    logger.debug("ignoring %d boilerplate shingles", len(boilerplate))
    lengths = np.array([len(s) for s in shingles])
    flat = np.concatenate(shingles)
    # Membership by binary search in the sorted boilerplate: much faster than np.isin.
    found = np.minimum(np.searchsorted(boilerplate, flat), len(boilerplate) - 1)
    keep = boilerplate[found] != flat
    owner = np.repeat(np.arange(len(shingles)), lengths)
    kept_lengths = np.bincount(owner[keep], minlength=len(shingles))
    return np.split(flat[keep], np.cumsum(kept_lengths)[:-1])


def _boilerplate(shingles, outlets, text_class, eligible, boilerplate_df) -> np.ndarray:
    """Sorted distinct shingles that occur in ``boilerplate_df`` or more distinct texts of one
    outlet (each text counted once however often it was printed)."""
    outlet_code = pd.factorize(pd.Series(outlets, dtype=object))[0]
    docs = np.flatnonzero(eligible)
    # The first document of each (outlet, distinct text).
    pairs = pd.DataFrame({"outlet": outlet_code[docs], "text": text_class[docs]})
    docs = docs[~pairs.duplicated().to_numpy()]
    found = []
    for outlet in np.unique(outlet_code[docs]):
        members = docs[outlet_code[docs] == outlet]
        if len(members) < boilerplate_df:
            continue
        # Shingles are distinct within a document: a run of equal values counts documents.
        values = np.sort(np.concatenate([shingles[i] for i in members]))
        starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
        counts = np.diff(np.append(starts, len(values)))
        found.append(values[starts[counts >= boilerplate_df]])
    if not found:
        return np.empty(0, dtype=np.uint64)
    return np.unique(np.concatenate(found))


def _overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Jaccard index and containment (overlap coefficient) of two sorted distinct hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


def _candidate_pairs(shingles, members, *, lsh_threshold, num_perm, seed):
    """Index pairs (i < j) of ``members`` whose MinHash signatures collide in the LSH index.

    The banding is that of ``datasketch.MinHashLSH``: two signatures collide when they agree
    on every value of one band. The buckets of each band are found here in one pass instead of
    inserting into and querying the index one document at a time.
    """
    upper = [(s >> np.uint64(32)).tolist() for s in (shingles[i] for i in members)]
    sketches = MinHash.bulk(upper, num_perm=num_perm, seed=seed, hashfunc=int)
    lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm, weights=_LSH_WEIGHTS)
    signatures = np.stack([sketch.hashvalues for sketch in sketches])
    pairs = set()
    for start, end in lsh.hashranges:
        buckets: dict[bytes, list[int]] = {}
        for key, band in zip(members, signatures[:, start:end], strict=True):
            buckets.setdefault(band.tobytes(), []).append(key)
        for bucket in buckets.values():
            pairs.update(itertools.combinations(bucket, 2))
    logger.debug("LSH (b=%d, r=%d): %d candidate pairs", lsh.b, lsh.r, len(pairs))
    return sorted(pairs)


def _in_parentheses(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is inside a short parenthesis: "(Reuters)", "(Reuters, AP)"."""
    opening = text.rfind("(", max(0, start - 60), start)
    closing = text.find(")", end, end + 60)
    return opening >= 0 and closing >= 0 and ")" not in text[opening:start] and (
        "(" not in text[end:closing]
    )


def _agency_cues(text: str, outlet: str) -> tuple[set[str], set[str]]:
    """Agencies credited by a document (strong cues) and agencies merely named in it."""
    credited, named = set(), set()
    for name, pattern in _AGENCY_RE.items():
        if pattern.search(outlet):
            credited.add(name)
            named.add(name)
            continue
        matches = list(pattern.finditer(text))
        if not matches:
            continue
        named.add(name)
        for m in matches:
            before = text[max(0, m.start() - 60) : m.start()]
            if _PHOTO_CREDIT_RE.search(before):
                continue
            in_credit = (
                m.start() < _CREDIT_ZONE
                or m.end() > len(text) - _CREDIT_ZONE
                or _in_parentheses(text, m.start(), m.end())
            )
            as_source = _SOURCE_BEFORE_RE.search(before) or _SOURCE_AFTER_RE.match(
                text[m.end() : m.end() + 60]
            )
            if in_credit and not as_source:
                credited.add(name)
                break
    return credited, named


def _group_agency(cues: list[tuple[set[str], set[str]]]) -> tuple[str, int]:
    """The agency credited by most documents of a group ("" if none is credited) and that count."""
    best, best_key = "", (0, 0)
    for name in AGENCY_PATTERNS:  # dict order breaks ties
        key = (sum(name in c for c, _ in cues), sum(name in n for _, n in cues))
        if key[0] > 0 and key > best_key:
            best, best_key = name, key
    return best, best_key[0]


def _links(prep, outlets, eligible, *, near_threshold, wire_threshold, min_shingles, num_perm,
           seed):
    """Edges (rows, cols) between linked documents and the number of LSH candidate pairs."""
    rows, cols = [], []
    classes: dict[int, list[int]] = {}
    for i in np.flatnonzero(eligible):
        classes.setdefault(int(prep.text_class[i]), []).append(int(i))
    for members in classes.values():  # same normalised text
        rows += members[1:]
        cols += [members[0]] * (len(members) - 1)
    # Near and wire links are checked once per distinct text, between class representatives.
    reps = sorted(m[0] for m in classes.values() if len(prep.shingles[m[0]]) >= min_shingles)
    if len(reps) < 2:
        return rows, cols, 0
    lsh_threshold = min(
        near_threshold,
        wire_threshold * _MIN_LENGTH_RATIO / (1 + _MIN_LENGTH_RATIO * (1 - wire_threshold)),
    )
    pairs = _candidate_pairs(
        prep.shingles, reps, lsh_threshold=lsh_threshold, num_perm=num_perm, seed=seed
    )
    for a, b in pairs:
        jaccard, containment = _overlap(prep.shingles[a], prep.shingles[b])
        outlets_a = {outlets[i] for i in classes[int(prep.text_class[a])]}
        outlets_b = {outlets[i] for i in classes[int(prep.text_class[b])]}
        near = bool(outlets_a & outlets_b) and jaccard >= near_threshold
        wire = len(outlets_a | outlets_b) > 1 and containment >= wire_threshold
        if near or wire:
            rows.append(a)
            cols.append(b)
    return rows, cols, len(pairs)


def _describe_group(group_id, members, prep, doc_ids, texts, outlets) -> list[dict]:
    """Result rows for the members of one group after the first (in publication order)."""
    canonical = members[0]
    agency, n_credit = _group_agency([_agency_cues(texts[i], outlets[i]) for i in members])
    note = f"; agency cue: {agency} in {n_credit} of {len(members)} documents" if agency else ""
    records = []
    for pos in range(1, len(members)):
        i = members[pos]
        earlier = members[:pos]
        same_class = prep.text_class[i] == prep.text_class[canonical]
        jaccard, containment = _overlap(prep.shingles[i], prep.shingles[canonical])
        if same_class:
            similarity = 1.0
        elif outlets[i] == outlets[canonical]:
            similarity = jaccard
        else:
            similarity = containment
        twins = [e for e in earlier if prep.text_class[e] == prep.text_class[i]]
        same_outlet = [e for e in earlier if outlets[e] == outlets[i]]
        if twins:
            kind, match = "exact_duplicate", twins[0]
            where = "same outlet" if outlets[match] == outlets[i] else f"outlet {outlets[match]!r}"
            detail = f"same normalised text as {doc_ids[match]} ({where})"
        elif same_outlet:
            scores = [_overlap(prep.shingles[i], prep.shingles[e])[0] for e in same_outlet]
            kind, match = "near_duplicate", same_outlet[int(np.argmax(scores))]
            detail = f"outlet ran this story before as {doc_ids[match]} (Jaccard {max(scores):.2f})"
        else:
            scores = [_overlap(prep.shingles[i], prep.shingles[e])[1] for e in earlier]
            kind, match = "wire_copy", earlier[int(np.argmax(scores))]
            detail = f"containment {max(scores):.2f} with {doc_ids[match]} ({outlets[match]!r})"
        records.append(
            {
                "doc_id": doc_ids[i],
                "kind": kind,
                "duplicate_of": doc_ids[canonical],
                "group_id": group_id,
                "similarity": float(similarity),
                "agency": agency,
                "detail": detail + note,
            }
        )
    return records


def _strings(column: pd.Series) -> np.ndarray:
    """``column.fillna("").astype(str).to_numpy()``, without converting a column of str."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column.to_numpy()
    return column.fillna("").astype(str).to_numpy()


def _seed(random_state) -> int:
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if not 0 <= int(random_state) < 2**32:
            raise ParameterError(f"random_state must be in [0, 2**32), got {random_state}.")
        return int(random_state)
    if random_state is None or isinstance(random_state, np.random.Generator):
        return int(np.random.default_rng(random_state).integers(2**32))
    raise ParameterError(
        "random_state must be an int, a numpy Generator or None, "
        f"got {type(random_state).__name__}."
    )


def _check_fraction(name: str, value) -> float:
    if not isinstance(value, numbers.Real) or not 0 < float(value) <= 1:
        raise ParameterError(f"{name} must be a number in (0, 1], got {value!r}.")
    return float(value)


def _check_count(name: str, value, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _empty_result() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": pd.Series(dtype=str),
            "kind": pd.Series(dtype=str),
            "duplicate_of": pd.Series(dtype=str),
            "group_id": pd.Series(dtype="int64"),
            "similarity": pd.Series(dtype="float64"),
            "agency": pd.Series(dtype=str),
            "detail": pd.Series(dtype=str),
        }
    )


def find_duplicates(
    data: pd.DataFrame,
    *,
    text: str = "text",
    outlet: str = "outlet",
    published: str = "published",
    near_threshold: float = 0.6,
    wire_threshold: float = 0.5,
    shingle_size: int = 5,
    min_tokens: int = 30,
    boilerplate_df: int | None = 5,
    num_perm: int = 128,
    random_state=0,
) -> pd.DataFrame:
    """Flag exact duplicates, near duplicates and wire copies in a documents table.

    Documents are linked when they have the same normalised text (:func:`normalize_text`), when
    two documents of the same outlet have a shingle Jaccard index of at least
    ``near_threshold``, or when two documents of different outlets have a shingle containment of
    at least ``wire_threshold``. Linked documents form a group (connected components); its
    *canonical* document is the earliest one (``published``, then ``doc_id``; missing dates come
    last) and is not flagged. Every other member is flagged with one ``kind``, decided against
    the members published before it:

    ``exact_duplicate``
        an earlier member has the same normalised text;
    ``near_duplicate``
        otherwise, an earlier member comes from the same outlet (the outlet ran this story
        already, possibly in another edit of the same agency copy);
    ``wire_copy``
        otherwise: the first copy in its outlet of a story that appeared earlier elsewhere.

    Dropping the documents flagged ``exact_duplicate`` or ``near_duplicate`` leaves one
    document per outlet and story. Agency attribution ("(Reuters)", "Associated Press contributed",
    "-- AFP", an outlet named like an agency, see :data:`AGENCY_PATTERNS`) never links
    documents; it only names the likely agency of a group. The module docstring says how the
    defaults were chosen.

    Parameters
    ----------
    data : pandas.DataFrame
        Documents table with unique ``doc_id`` values and the columns named below.
    text, outlet, published : str
        Column names of the text, the outlet and the publication time (datetime64).
    near_threshold : float, default 0.6
        Least Jaccard index of shingle sets for two documents of one outlet to be near
        duplicates.
    wire_threshold : float, default 0.5
        Least containment of the shorter document's shingles in the other's for two documents
        of different outlets to be copies of one story.
    shingle_size : int, default 5
        Words per shingle.
    min_tokens : int, default 30
        Texts with fewer words are skipped (never flagged, never canonical); texts that keep
        fewer than ``min_tokens - shingle_size + 1`` shingles after boilerplate removal are only
        checked for exact duplicates.
    boilerplate_df : int or None, default 5
        Shingles that occur in this many distinct texts of one outlet are treated as page
        furniture and ignored in all documents; None keeps every shingle.
    num_perm : int, default 128
        Permutations of each MinHash signature.
    random_state : int, numpy.random.Generator or None, default 0
        Seed of the MinHash permutations. The seed only affects which candidate pairs are
        examined; every reported similarity is exact.

    Returns
    -------
    pandas.DataFrame
        One row per flagged document, ordered by group and publication, with columns
        ``doc_id``; ``kind``; ``duplicate_of`` (canonical ``doc_id`` of the group);
        ``group_id`` (0, 1, ... in order of the canonical documents' ``published`` and
        ``doc_id``: the same input gives the same ids whatever its row order); ``similarity``
        to the canonical document (Jaccard index when both are from the same outlet,
        containment otherwise); ``agency`` (agency credited by most members of the group, or
        ""); ``detail`` (the member the document matched and the evidence).

    Raises
    ------
    SchemaError
        If a column is missing, ``doc_id`` values repeat or ``published`` is not datetime64.
    ParameterError
        If a parameter is out of range.

    Notes
    -----
    Outlets are compared by their names in the ``outlet`` column, so one outlet under two
    names ("CNN (Web News)" and "CNN") looks like two outlets and its re-runs look like wire
    copies. Map the names to canonical outlets first, e.g. with
    :func:`framing.outlets.annotate_outlets`.

    Examples
    --------
    >>> import pandas as pd
    >>> story = ("Government forces and rebels fought for a third day near the northern city "
    ...          "on Tuesday as aid agencies warned that thousands of families were trapped "
    ...          "without food or water and called for an immediate pause in the fighting.")
    >>> docs = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c"],
    ...     "outlet": ["Agency", "Daily", "Daily"],
    ...     "published": pd.to_datetime(["2017-04-04", "2017-04-05", "2017-04-06"]),
    ...     "text": [story + " (Reuters)", story, "An unrelated opinion piece " * 10],
    ... })
    >>> find_duplicates(docs)[["doc_id", "kind", "duplicate_of", "agency"]]
      doc_id       kind duplicate_of   agency
    0      b  wire_copy            a  Reuters
    """
    require_columns(data, ("doc_id", text, outlet, published), table="documents")
    near_threshold = _check_fraction("near_threshold", near_threshold)
    wire_threshold = _check_fraction("wire_threshold", wire_threshold)
    shingle_size = _check_count("shingle_size", shingle_size, 1)
    min_tokens = _check_count("min_tokens", min_tokens, 1)
    num_perm = _check_count("num_perm", num_perm, 2)
    if boilerplate_df is not None:
        boilerplate_df = _check_count("boilerplate_df", boilerplate_df, 2)
    seed = _seed(random_state)
    if not pd.api.types.is_datetime64_any_dtype(data[published]):
        raise SchemaError(
            f"column {published!r} has dtype {data[published].dtype}, expected datetime64; "
            f"convert it with pandas.to_datetime(data[{published!r}])."
        )
    ids = data["doc_id"]
    if ids.duplicated().any():
        dup = ids[ids.duplicated()]
        raise SchemaError(
            f"column 'doc_id': {len(dup)} duplicated id(s), e.g. {dup.iloc[0]!r}; "
            "duplicates are found from the texts, so every row needs its own doc_id."
        )
    if len(data) == 0:
        return _empty_result()

    # Work in doc_id order so that the result does not depend on the row order of `data`.
    key = ids.astype(str).to_numpy()
    order = np.argsort(key, kind="stable")
    doc_ids = ids.to_numpy()[order]
    texts = _strings(data[text])[order].tolist()
    outlets = _strings(data[outlet])[order]
    when = pd.to_datetime(data[published].to_numpy()[order], utc=True)
    undated = np.asarray(when.isna())
    rank = np.lexsort((key[order], when.fillna(pd.Timestamp(0, tz="UTC")).asi8, undated))
    chrono = np.empty(len(rank), dtype=np.int64)
    chrono[rank] = np.arange(len(rank))  # position of each document in publication order

    prep = _prepare(texts, outlets, min_tokens, shingle_size, boilerplate_df)
    eligible = prep.n_tokens >= min_tokens
    rows, cols, n_candidates = _links(
        prep,
        outlets,
        eligible,
        near_threshold=near_threshold,
        wire_threshold=wire_threshold,
        min_shingles=max(1, min_tokens - shingle_size + 1),
        num_perm=num_perm,
        seed=seed,
    )

    n = len(doc_ids)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    by_label = np.argsort(labels, kind="stable")
    groups = [g for g in np.split(by_label, np.flatnonzero(np.diff(labels[by_label])) + 1)
              if len(g) > 1]
    groups = sorted((g[np.argsort(chrono[g])] for g in groups), key=lambda g: chrono[g[0]])

    records = []
    for group_id, members in enumerate(groups):
        records += _describe_group(group_id, members, prep, doc_ids, texts, outlets)

    if records:
        result = pd.DataFrame.from_records(records, columns=list(DUPLICATE_COLUMNS))
        result = result.astype({"group_id": "int64", "similarity": "float64"})
    else:
        result = _empty_result()
    counts = result["kind"].value_counts()
    logger.info(
        "find_duplicates: %d documents (%d skipped, fewer than %d words), %d candidate pairs, "
        "%d links; %d groups: %d exact duplicates, %d near duplicates, %d wire copies",
        n, int((~eligible).sum()), min_tokens, n_candidates, len(rows), len(groups),
        counts.get("exact_duplicate", 0), counts.get("near_duplicate", 0),
        counts.get("wire_copy", 0),
    )
    return result
