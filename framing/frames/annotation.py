"""Hand coding: stratified samples, coding sheets, and adjudication of several coders' sheets.

The workflow is

1. :func:`sample_for_coding` draws a stratified random sample of documents (by default one
   stratum per outlet and event) and records each document's inclusion probability and design
   weight, so that estimates from the coded sample can be reweighted to the corpus;
2. :func:`coding_sheet` turns the sample into a coding sheet (one row per document, an empty
   column per variable, ``coder`` and ``note`` columns) and :func:`write_coding_sheet` saves it
   as CSV for each coder;
3. :func:`read_codes` reads the coders' filled sheets into one long table
   (``doc_id, coder, variable, value``), which :func:`framing.frames.reliability.reliability`
   scores for agreement;
4. :func:`adjudicate` lists the disagreements per document and variable and writes a merged sheet
   in which agreed values are filled and disagreements are left empty for an adjudicator.

Design weights
--------------
Within stratum *h* of ``N_h`` documents, ``n_h`` are drawn by simple random sampling without
replacement, so each document's inclusion probability is ``n_h / N_h`` and its design weight
``N_h / n_h`` (the number of corpus documents it stands for; the weights of a stratum sum to
``N_h``). A share estimated from the coded sample is ``sum(w * y) / sum(w)`` (the Hájek
estimator); with proportional allocation and no minimum the weights are (nearly) equal.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError
from ..inference import make_rng, resolve_random_state
from ..results import Summary, SummaryExports
from ..schema import require_columns
from .codebook import Codebook, load_codebook

__all__ = [
    "ALLOCATIONS",
    "SHEET_COLUMNS",
    "allocate_sample",
    "sample_for_coding",
    "coding_sheet",
    "write_coding_sheet",
    "read_codes",
    "adjudicate",
    "AdjudicationResult",
]

logger = logging.getLogger(__name__)

#: Ways of dividing a sample among strata (see :func:`allocate_sample`).
ALLOCATIONS = ("proportional", "equal")

#: Columns of a coding sheet before the variables; ``coder`` and ``note`` follow the variables.
SHEET_COLUMNS = ("doc_id", "outlet", "event_id", "published", "title", "text", "stratum",
                 "stratum_size", "stratum_sample", "inclusion_prob", "weight")
_TAIL = ("coder", "note")
#: Columns never read as coded variables (besides :data:`SHEET_COLUMNS` and ``coder``/``note``).
_NOT_VARIABLES = frozenset({*SHEET_COLUMNS, *_TAIL, "url", "lang", "outlet_group", "corpus",
                            "source_file", "event_score", "to_adjudicate", "status"})


# ------------------------------------------------------------------------------- allocation
def allocate_sample(sizes, n: int, *, allocation: str = "proportional",
                    min_per_stratum: int = 1) -> np.ndarray:
    """Divide a sample of ``n`` documents among strata of the given sizes.

    ``proportional`` gives stratum *h* about ``n * N_h / N``; ``equal`` gives every stratum the
    same number. Either way each stratum gets at least ``min(min_per_stratum, N_h)`` and at most
    ``N_h`` documents, and what a capped stratum cannot take is shared among the others in the
    same proportions (the allocation is ``clip(c * w_h, min_h, N_h)`` with ``c`` chosen so that
    it sums to ``n``, rounded by largest remainders).

    Parameters
    ----------
    sizes : array-like of int
        Documents per stratum (``N_h``).
    n : int
        Total sample size.
    allocation : {"proportional", "equal"}
    min_per_stratum : int
        Smallest sample per stratum (strata with fewer documents are taken whole).

    Returns
    -------
    numpy.ndarray of int
        ``n_h`` per stratum, summing to ``n``.

    Examples
    --------
    >>> allocate_sample([100, 50, 10, 2], 20).tolist()
    [12, 6, 1, 1]
    >>> allocate_sample([100, 50, 10, 2], 20, allocation="equal").tolist()
    [6, 6, 6, 2]
    """
    if allocation not in ALLOCATIONS:
        raise ParameterError(f"allocation={allocation!r}: use one of {ALLOCATIONS}.")
    sizes = np.asarray(sizes, dtype=np.int64)
    if sizes.ndim != 1 or (sizes < 0).any():
        raise ParameterError("sizes must be a list of non-negative stratum sizes.")
    n = int(n)
    total = int(sizes.sum())
    if n < 1 or n > total:
        raise ParameterError(f"n={n}: the sample must hold between 1 and the {total} documents "
                             "available.")
    if min_per_stratum < 0:
        raise ParameterError(f"min_per_stratum={min_per_stratum}: must be >= 0.")
    floor = np.minimum(sizes, int(min_per_stratum))
    if floor.sum() > n:
        raise ParameterError(
            f"n={n} cannot give min_per_stratum={min_per_stratum} documents to each of "
            f"{int((sizes > 0).sum())} strata (that needs {int(floor.sum())}); raise n, lower "
            "min_per_stratum or use fewer strata (by=...).")
    weight = sizes.astype(float) if allocation == "proportional" else (sizes > 0).astype(float)

    def filled(c: float) -> np.ndarray:
        return np.clip(c * weight, floor, sizes)

    low, high = 0.0, float(n) / max(weight[weight > 0].min(), 1e-12) + 1.0
    for _ in range(200):  # bisection on c: filled(c).sum() is continuous and non-decreasing
        mid = (low + high) / 2
        if filled(mid).sum() < n:
            low = mid
        else:
            high = mid
    exact = filled(high)
    base = np.minimum(np.floor(exact + 1e-9).astype(np.int64), sizes)
    base = np.maximum(base, floor)
    short = n - int(base.sum())
    if short > 0:
        room = base < sizes
        remainder = np.where(room, exact - base, -np.inf)
        order = np.argsort(-remainder, kind="stable")
        base[order[:short]] += 1
    elif short < 0:  # rounding up past n (only through floating error): take from the largest
        order = np.argsort(-(base - floor), kind="stable")
        base[order[:-short]] -= 1
    return base


# ------------------------------------------------------------------------------- sampling
def _documents(data) -> pd.DataFrame:
    return data.documents if hasattr(data, "documents") and hasattr(data, "cards") else data


def sample_for_coding(data, *, n: int, by: str | Sequence[str] | None = ("outlet", "event_id"),
                      allocation: str = "proportional", min_per_stratum: int = 1,
                      random_state=None) -> pd.DataFrame:
    """Draw a stratified random sample of documents for hand coding.

    Parameters
    ----------
    data : DataFrame or Corpus
        Documents (``doc_id`` and the ``by`` columns; ``outlet, event_id, published, title,
        text`` are carried when present). A document listed in several rows (e.g. in two events,
        after :func:`framing.events.attach_events`) is kept in its first row's stratum only, so
        that every document has one inclusion probability; this is logged.
    n : int
        Documents to draw.
    by : str or sequence of str, optional
        Columns whose combinations form the strata (default outlet x event). Missing values form
        their own stratum (``""``, shown as ``(none)``). ``None`` draws a simple random sample.
    allocation : {"proportional", "equal"}
        ``proportional``: strata get shares of ``n`` proportional to their size, with at least
        ``min_per_stratum`` each (small strata are over-sampled, so weights differ).
        ``equal``: every stratum gets the same number (capped at its size), which favours
        comparisons between strata over corpus-wide estimates. See :func:`allocate_sample`.
    min_per_stratum : int
        Smallest sample per stratum (strata with fewer documents are taken whole).
    random_state : int, Generator or None
        Seed. Each stratum is drawn from its own stream (keyed by its values), from documents
        sorted by ``doc_id``, so the sample does not depend on the order of rows or on which
        other strata exist. The order of the returned rows is shuffled (coders should not code
        stratum by stratum).

    Returns
    -------
    DataFrame
        One row per sampled document: ``doc_id``, the ``by`` columns, ``published, title, text``
        (when present), ``stratum`` (a label: the values joined by ``" / "``), ``stratum_size``
        (``N_h``), ``stratum_sample`` (``n_h``), ``inclusion_prob`` (``n_h / N_h``) and
        ``weight`` (``N_h / n_h``).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)],
    ...                      "outlet": ["A"] * 8 + ["B"] * 4, "event_id": "e1"})
    >>> s = sample_for_coding(docs, n=4, min_per_stratum=2, random_state=0)
    >>> s.groupby("outlet")["weight"].first().to_dict()
    {'A': 4.0, 'B': 2.0}
    """
    docs = _documents(data)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    if "event_id" in by and "event_id" not in docs:
        raise SchemaError("documents have no 'event_id'; attach events first "
                          "(framing.events.attach_events) or use by=('outlet',).")
    require_columns(docs, ["doc_id", *by], table="documents")
    seed = resolve_random_state(random_state)
    docs = docs.assign(doc_id=docs["doc_id"].astype(str))
    repeated = docs["doc_id"].duplicated()
    if repeated.any():
        logger.warning("%d row(s) repeat a doc_id (e.g. %r, a document in several events); each "
                       "document is sampled in its first row's stratum only.",
                       int(repeated.sum()), docs.loc[repeated, "doc_id"].iloc[0])
        docs = docs[~repeated]
    docs = docs.sort_values("doc_id", kind="stable").reset_index(drop=True)
    keys = docs[by].astype("string").fillna("").astype(str) if by else pd.DataFrame(
        index=docs.index)
    docs[by] = keys
    if by:
        groups = keys.groupby(by, sort=True).indices
        stratum_keys = list(groups)
        members = [groups[k] for k in stratum_keys]
        stratum_keys = [k if isinstance(k, tuple) else (k,) for k in stratum_keys]
    else:
        stratum_keys, members = [()], [np.arange(len(docs))]
    sizes = np.array([len(m) for m in members])
    take = allocate_sample(sizes, n, allocation=allocation, min_per_stratum=min_per_stratum)
    parts = []
    for key, rows, size, k in zip(stratum_keys, members, sizes, take, strict=True):
        if k == 0:
            continue
        chosen = make_rng(seed, "sample_for_coding", *key).choice(size, size=k, replace=False)
        label = " / ".join(v if v else "(none)" for v in key) or "all"
        parts.append(docs.iloc[np.sort(rows[chosen])].assign(
            stratum=label, stratum_size=int(size), stratum_sample=int(k),
            inclusion_prob=k / size, weight=size / k))
    sample = pd.concat(parts, ignore_index=True)
    order = make_rng(seed, "sample_for_coding", "row order").permutation(len(sample))
    sample = sample.iloc[order].reset_index(drop=True)
    keep = [c for c in dict.fromkeys(["doc_id", "outlet", "event_id", *by, "published", "title",
                                      "text", *SHEET_COLUMNS[6:]]) if c in sample]
    logger.info("sampled %d of %d documents from %d strata (%s allocation, seed %d)",
                len(sample), len(docs), int((take > 0).sum()), allocation, seed)
    return sample[keep]


# ------------------------------------------------------------------------------- sheets
def _variable_names(variables: Iterable[str] | None, codebook) -> list[str]:
    names = list(variables or [])
    if codebook is not None:
        book = load_codebook(codebook)
        names = names or list(book.frames)
    if not names:
        raise ParameterError("a coding sheet needs variables: pass variables=[...] or a "
                             "codebook.")
    clash = [v for v in names if v in _NOT_VARIABLES]
    if clash:
        raise ParameterError(f"variable name(s) {clash} are sheet columns; rename them.")
    if len(set(names)) != len(names):
        raise ParameterError(f"variables {names} repeat a name.")
    return names


def _excerpt(text: str, chars: int) -> str:
    text = " ".join(str(text).split())
    if len(text) <= chars:
        return text
    cut = text[:chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > chars // 2 else cut) + " …"


def coding_sheet(sample: pd.DataFrame, *, variables: Sequence[str] | None = None,
                 codebook: str | os.PathLike | Codebook | None = None,
                 text_chars: int | None = None) -> pd.DataFrame:
    """A coding sheet for a sample: document columns, an empty column per variable, coder, note.

    Parameters
    ----------
    sample : DataFrame
        As returned by :func:`sample_for_coding` (any documents table works: documents without
        sampling columns get ``inclusion_prob = weight = 1``).
    variables : sequence of str, optional
        Names of the coded variables (one empty column each).
    codebook : str, path or Codebook, optional
        Without ``variables``, one column per frame of this codebook.
    text_chars : int, optional
        Keep the first ``text_chars`` characters of the text (cut at a word, marked ``…``);
        ``None`` keeps the full text.

    Returns
    -------
    DataFrame
        Columns :data:`SHEET_COLUMNS`, the variables, ``coder`` and ``note``; ``published`` as
        ``YYYY-MM-DD`` text.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "text": ["One.", "Two."]})
    >>> list(coding_sheet(docs, variables=["blame"]).columns)[-3:]
    ['blame', 'coder', 'note']
    """
    require_columns(sample, ["doc_id"], table="sample")
    names = _variable_names(variables, codebook)
    sheet = pd.DataFrame({"doc_id": sample["doc_id"].astype(str).to_numpy()})
    for col in ("outlet", "event_id", "title", "text"):
        values = sample[col] if col in sample else pd.Series("", index=sample.index)
        sheet[col] = values.fillna("").astype(str).to_numpy()
    if "published" in sample:
        published = pd.to_datetime(sample["published"], errors="coerce")
        sheet["published"] = published.dt.strftime("%Y-%m-%d").fillna("").to_numpy()
    else:
        sheet["published"] = ""
    if text_chars is not None:
        if text_chars < 1:
            raise ParameterError(f"text_chars={text_chars}: use a positive number or None.")
        sheet["text"] = [_excerpt(t, text_chars) for t in sheet["text"]]
    missing = [c for c in SHEET_COLUMNS[6:] if c not in sample]
    if missing:
        logger.info("sample has no %s; every document gets inclusion_prob = weight = 1",
                    missing)
    defaults = {"stratum": "all", "stratum_size": len(sample), "stratum_sample": len(sample),
                "inclusion_prob": 1.0, "weight": 1.0}
    for col in SHEET_COLUMNS[6:]:
        sheet[col] = sample[col].to_numpy() if col in sample else defaults[col]
    sheet = sheet[list(SHEET_COLUMNS)]
    for name in (*names, *_TAIL):
        sheet[name] = ""
    return sheet


def write_coding_sheet(sheet: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a coding sheet as UTF-8 CSV (texts with line breaks are quoted); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(path, index=False, encoding="utf-8")
    logger.info("coding sheet of %d documents written to %s", len(sheet), path)
    return path


# ------------------------------------------------------------------------------- reading codes
def _read_sheet(sheet) -> tuple[str | None, pd.DataFrame]:
    if isinstance(sheet, pd.DataFrame):
        return None, sheet.copy()
    path = Path(sheet)
    if not path.is_file():
        raise SchemaError(f"coding sheet {str(path)!r} not found.")
    # utf-8-sig: spreadsheet programs add a byte-order mark when they save CSV
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return path.stem, table


def _load_sheets(sheets) -> list[tuple[str, pd.DataFrame]]:
    """(default coder name, table) per sheet; names are unique."""
    if isinstance(sheets, (pd.DataFrame, str, os.PathLike)):
        sheets = [sheets]
    items = list(sheets.items()) if isinstance(sheets, Mapping) else [(None, s) for s in sheets]
    if not items:
        raise ParameterError("no coding sheets given.")
    loaded, seen = [], set()
    for i, (name, sheet) in enumerate(items):
        stem, table = _read_sheet(sheet)
        require_columns(table, ["doc_id"], table="coding sheet",
                        source=stem if stem else f"sheet {i + 1}")
        name = str(name) if name is not None else stem or f"coder{i + 1}"
        if name in seen:
            unique = f"{name}_{i + 1}"
            logger.warning("two sheets are both named %r; the second is called %r", name, unique)
            name = unique
        seen.add(name)
        loaded.append((name, table))
    return loaded


def _normalise(value, casefold: bool):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        text = str(int(value))
    elif isinstance(value, (float, np.floating)) and float(value).is_integer():
        text = str(int(value))
    else:
        text = str(value).strip()
        if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
            text = text[:-2]
    if not text:
        return None
    return text.casefold() if casefold else text


def _is_long(table: pd.DataFrame) -> bool:
    return {"doc_id", "coder", "variable", "value"} <= set(table.columns)


def read_codes(sheets, *, variables: Sequence[str] | None = None,
               codebook: str | os.PathLike | Codebook | None = None,
               casefold: bool = True, keep_missing: bool = False) -> pd.DataFrame:
    """Read coders' sheets into one long table of codes: ``doc_id, coder, variable, value``.

    Parameters
    ----------
    sheets : path, DataFrame, sequence of them, or mapping coder -> sheet
        Filled coding sheets (CSV paths or tables, one row per document). A long table with
        columns ``doc_id, coder, variable, value`` is accepted as is. The coder of a row is its
        ``coder`` cell when filled, else the mapping key, else the file name without extension
        (``anna.csv`` -> ``anna``), else ``coder1``, ``coder2`` ...
    variables : sequence of str, optional
        Variables to read (default: every column that is not a sheet column, logged).
    codebook : str, path or Codebook, optional
        Maps column aliases onto frame names and values onto labels (``1`` -> ``present``,
        :meth:`framing.frames.Frame.normalise_label`).
    casefold : bool
        Compare values case-insensitively (``Present`` == ``present``). Values are stripped, and
        whole numbers written as ``1.0`` read as ``1``.
    keep_missing : bool
        Keep a row with value ``None`` for each empty cell, so that a variable in the sheets
        that nobody coded is still listed (:func:`~framing.frames.reliability.reliability`
        reports it with ``n_units`` 0).

    Returns
    -------
    DataFrame
        One row per non-empty code; empty cells are missing codes and have no row (unless
        ``keep_missing``).

    Raises
    ------
    SchemaError
        A coder coded the same document twice with different values, or a named variable is in
        no sheet.

    Examples
    --------
    >>> a = pd.DataFrame({"doc_id": ["d1", "d2"], "blame": ["Regime", ""]})
    >>> b = pd.DataFrame({"doc_id": ["d1", "d2"], "blame": ["regime", "rebels"]})
    >>> read_codes({"anna": a, "ben": b}).values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['d1', 'anna', 'blame', 'regime'], ['d1', 'ben', 'blame', 'regime'],
     ['d2', 'ben', 'blame', 'rebels']]
    """
    book = load_codebook(codebook) if codebook is not None else None
    if isinstance(sheets, pd.DataFrame) and _is_long(sheets):
        long = sheets[["doc_id", "coder", "variable", "value"]].copy()
    else:
        frames = []
        for name, table in _load_sheets(sheets):
            columns = {}
            for col in table.columns:
                frame = book.frame_for(col) if book is not None else None
                target = frame.name if frame is not None else col
                wanted = (target in variables or col in variables) if variables is not None \
                    else col not in _NOT_VARIABLES and not str(col).startswith("_")
                if wanted:
                    columns[col] = target
            coder = (table["coder"].fillna("").astype(str).str.strip()
                     if "coder" in table else pd.Series("", index=table.index))
            coder = coder.where(coder != "", name)
            for col, target in columns.items():
                frames.append(pd.DataFrame({"doc_id": table["doc_id"].astype(str).str.strip(),
                                            "coder": coder.to_numpy(), "variable": target,
                                            "value": table[col].to_numpy()}))
        if not frames:
            raise SchemaError("no coded variables found in the sheets"
                              + (f" (asked for {list(variables)})" if variables else "") + ".")
        long = pd.concat(frames, ignore_index=True)
    long["doc_id"] = long["doc_id"].astype(str)
    long["coder"] = long["coder"].astype(str)
    values = []
    for variable, value in zip(long["variable"], long["value"], strict=True):
        frame = book.frame_for(variable) if book is not None else None
        if frame is not None:
            value = frame.normalise_label(value)
        values.append(_normalise(value, casefold))
    long["value"] = pd.Series(values, index=long.index, dtype=object)
    coded = long[long["value"].notna()]
    if variables is not None:
        found = set(coded["variable"])
        absent = [v for v in variables if v not in found]
        if absent:
            logger.warning("no codes for variable(s) %s", absent)
    long = (long if keep_missing else coded).drop_duplicates(
        ["doc_id", "coder", "variable", "value"])
    twice = long[long["value"].notna()]
    twice = twice[twice.duplicated(["doc_id", "coder", "variable"], keep=False)]
    if len(twice):
        first = twice.iloc[0]
        raise SchemaError(
            f"coder {first['coder']!r} coded document {first['doc_id']!r} twice for "
            f"{first['variable']!r} with different values "
            f"{sorted(twice.loc[(twice['doc_id'] == first['doc_id']) & (twice['variable'] == first['variable']), 'value'])}"  # noqa: E501
            "; keep one row per document and coder.")
    if variables is None:
        logger.info("coded variables: %s", list(dict.fromkeys(coded["variable"])))
    return long.sort_values(["doc_id", "variable", "coder"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------- adjudication
#: Status of a document x variable after :func:`adjudicate`.
STATUSES = ("agreed", "majority", "single", "disagreement", "uncoded")


@dataclass(frozen=True)
class AdjudicationResult(SummaryExports):
    """Disagreements between coders and a merged sheet for the adjudicator.

    Attributes
    ----------
    merged : DataFrame
        One row per document: the sheet columns, each variable filled where the coders agree
        (or by majority, or from a single coder), empty where they disagree; ``to_adjudicate``
        lists the variables left empty, ``note`` the coders' values, ``coder`` is empty (for the
        adjudicator's name).
    disagreements : DataFrame
        One row per document and variable the coders disagree on: ``doc_id, outlet, title,
        variable, n_codes, values`` (value: coders), ``majority`` (the value with more than half
        of the codes, or ""), ``status`` (``majority`` when it was filled by majority rule,
        else ``disagreement``) and one column per coder.
    table : DataFrame
        One row per variable: documents ``agreed``, ``majority``, ``single`` (one coder),
        ``disagreement`` and ``uncoded``.
    params : dict
    """

    merged: pd.DataFrame
    disagreements: pd.DataFrame
    table: pd.DataFrame
    params: dict = field(default_factory=dict)

    def summary(self) -> Summary:
        """A :class:`~framing.results.Summary` of :attr:`table`."""
        notes = ["agreed: every coder gave the same value (2+ coders); single: one coder only, "
                 "value copied; majority: filled by a value given by more than half of the "
                 "coders" + (" (rule='majority')" if self.params.get("rule") == "majority"
                             else " (not used: rule='unanimous')")]
        return Summary("Adjudication: documents per variable and status", self.table,
                       self.params, notes)

    def __repr__(self) -> str:
        return (f"AdjudicationResult({len(self.merged)} documents, "
                f"{len(self.disagreements)} disagreements)")


def adjudicate(sheets, *, variables: Sequence[str] | None = None, rule: str = "unanimous",
               codebook: str | os.PathLike | Codebook | None = None,
               casefold: bool = True) -> AdjudicationResult:
    """Compare several coders' sheets: disagreements per document x variable and a merged sheet.

    Parameters
    ----------
    sheets : sequence of paths or DataFrames, or mapping coder -> sheet
        Filled coding sheets (see :func:`read_codes` for how coders are named).
    variables : sequence of str, optional
        Variables to adjudicate (default: every coded column).
    rule : {"unanimous", "majority"}
        ``unanimous`` fills a value only when every coder who coded it agrees; ``majority`` also
        fills the value given by more than half of the coders (ties stay open).
    codebook, casefold
        As in :func:`read_codes`.

    Returns
    -------
    AdjudicationResult

    Examples
    --------
    >>> a = pd.DataFrame({"doc_id": ["d1", "d2"], "blame": ["regime", "rebels"]})
    >>> b = pd.DataFrame({"doc_id": ["d1", "d2"], "blame": ["regime", "regime"]})
    >>> res = adjudicate({"anna": a, "ben": b})
    >>> res.merged[["doc_id", "blame", "to_adjudicate"]].values.tolist()
    [['d1', 'regime', ''], ['d2', '', 'blame']]
    >>> res.disagreements[["doc_id", "values"]].values.tolist()
    [['d2', 'rebels: anna; regime: ben']]
    """
    if rule not in ("unanimous", "majority"):
        raise ParameterError(f"rule={rule!r}: use 'unanimous' or 'majority'.")
    loaded = _load_sheets(sheets)
    codes = read_codes(dict(loaded), variables=variables, codebook=codebook, casefold=casefold)
    names = list(variables) if variables is not None else list(dict.fromkeys(codes["variable"]))
    coders = sorted(set(codes["coder"]))
    meta_cols = [c for c in SHEET_COLUMNS if any(c in t for _, t in loaded)]
    meta = (pd.concat([t.assign(doc_id=t["doc_id"].astype(str).str.strip())
                       .reindex(columns=meta_cols) for _, t in loaded], ignore_index=True)
            .drop_duplicates("doc_id").reset_index(drop=True))
    merged = meta.copy()
    for name in names:
        merged[name] = ""
    merged["to_adjudicate"], merged["coder"], merged["note"] = "", "", ""
    row_of = {doc: i for i, doc in enumerate(merged["doc_id"])}
    pending: dict[int, list[str]] = {}
    notes: dict[int, list[str]] = {}
    rows, counts = [], {name: dict.fromkeys(STATUSES, 0) for name in names}
    grouped = codes.groupby(["variable", "doc_id"], sort=False)
    coded = set()
    for (variable, doc), group in grouped:
        if variable not in counts:
            continue
        coded.add((variable, doc))
        given = dict(zip(group["coder"], group["value"], strict=True))
        tally = pd.Series(list(given.values())).value_counts()
        top, top_n = tally.index[0], int(tally.iloc[0])
        majority = top if top_n * 2 > len(given) else ""
        i = row_of[doc]
        if len(tally) == 1:
            status = "agreed" if len(given) > 1 else "single"
            merged.at[i, variable] = top
        elif rule == "majority" and majority:
            status = "majority"
            merged.at[i, variable] = majority
        else:
            status = "disagreement"
            pending.setdefault(i, []).append(variable)
        counts[variable][status] += 1
        if len(tally) > 1:
            by_value = "; ".join(f"{v}: {', '.join(sorted(c for c, x in given.items() if x == v))}"
                                 for v in sorted(tally.index))
            notes.setdefault(i, []).append(f"{variable} [{by_value}]")
            rows.append({"doc_id": doc,
                         "outlet": merged.at[i, "outlet"] if "outlet" in merged else "",
                         "title": merged.at[i, "title"] if "title" in merged else "",
                         "variable": variable, "n_codes": len(given), "values": by_value,
                         "majority": majority, "status": status,
                         **{c: given.get(c, "") for c in coders}})
    for i, variables_open in pending.items():
        merged.at[i, "to_adjudicate"] = ", ".join(variables_open)
    for i, text in notes.items():
        merged.at[i, "note"] = "coders: " + "; ".join(text)
    for name in names:
        counts[name]["uncoded"] = int(sum((name, d) not in coded for d in merged["doc_id"]))
    columns = ["doc_id", "outlet", "title", "variable", "n_codes", "values", "majority",
               "status", *coders]
    disagreements = pd.DataFrame(rows, columns=columns)
    table = pd.DataFrame([{"variable": name, "n_docs": len(merged), **counts[name]}
                          for name in names])
    logger.info("adjudication: %d documents, %d coders, %d open disagreements", len(merged),
                len(coders), int(table["disagreement"].sum()) if len(table) else 0)
    return AdjudicationResult(merged, disagreements, table,
                              {"rule": rule, "coders": coders, "variables": names})
