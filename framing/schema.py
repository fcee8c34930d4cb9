"""Column names and validators of the tidy tables that every stage exchanges.

Every table joins on ``doc_id``. See ``ARCHITECTURE.md`` for the data flow.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .errors import SchemaError

__all__ = [
    "DOCUMENT_COLUMNS",
    "REQUIRED_DOCUMENT_COLUMNS",
    "EXCLUSION_COLUMNS",
    "EXCLUSION_ACTIONS",
    "COMPARISON_COLUMNS",
    "DOC_FRAMES_COLUMNS",
    "empty_exclusions",
    "require_columns",
    "validate_documents",
    "validate_exclusions",
]

#: Columns of the documents table, in order; source columns follow them.
DOCUMENT_COLUMNS = ("doc_id", "outlet", "published", "title", "text", "url")
#: Columns a documents file must provide (``url`` and ``title`` may be filled with "").
REQUIRED_DOCUMENT_COLUMNS = ("doc_id", "outlet", "published", "text")

#: One row per dropped or flagged input row.
#: ``action`` is ``dropped`` (the row is not in the documents table) or ``flagged`` (it is, with a
#: warning attached); ``row`` is the 1-based record number in ``source_file`` (header excluded).
EXCLUSION_COLUMNS = ("source_file", "row", "doc_id", "reason", "detail", "action")
EXCLUSION_ACTIONS = ("dropped", "flagged")

#: One row per document and frame (``framing.frames.code_documents``); ``evidence`` holds the
#: evidence sentences of a positive decision, ``voice`` who voices it (where the frame has one).
DOC_FRAMES_COLUMNS = ("doc_id", "frame", "label", "score", "evidence", "voice", "method")

#: One row per estimate of a comparison (see :class:`framing.results.ComparisonResult`).
COMPARISON_COLUMNS = ("scope", "group", "reference", "feature_kind", "feature", "n_docs",
                      "estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted",
                      "method")


def empty_exclusions() -> pd.DataFrame:
    """Return an exclusions table with no rows and the right columns and dtypes."""
    table = pd.DataFrame({c: pd.Series(dtype="object") for c in EXCLUSION_COLUMNS})
    table["row"] = table["row"].astype("Int64")
    return table


def require_columns(data: pd.DataFrame, columns: Iterable[str], *, table: str, source=None) -> None:
    """Raise :class:`SchemaError` naming every missing column and the columns that were found."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        where = f"{source}: " if source is not None else ""
        raise SchemaError(
            f"{where}{table} table is missing column(s) {missing}; found {list(data.columns)}. "
            "Map your columns onto these names (e.g. columns={'text': 'your_column'})."
        )


def validate_documents(data: pd.DataFrame, *, source=None) -> pd.DataFrame:
    """Check a documents table: columns present, ``doc_id`` unique and non-empty, dates parsed.

    Returns the table unchanged so that the call can be chained.
    """
    require_columns(data, DOCUMENT_COLUMNS, table="documents", source=source)
    where = f"{source}: " if source is not None else ""
    ids = data["doc_id"].astype("string")
    if ids.isna().any() or (ids.str.len() == 0).any():
        bad = int((ids.isna() | (ids.str.len() == 0)).to_numpy().argmax())
        raise SchemaError(f"{where}row {bad + 1}, column 'doc_id': empty document id.")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise SchemaError(
            f"{where}column 'doc_id': {len(dup)} duplicated id(s), e.g. {dup.iloc[0]!r}. "
            "Load the file with framing.read_documents(), which makes ids unique and logs it."
        )
    if not pd.api.types.is_datetime64_any_dtype(data["published"]):
        raise SchemaError(
            f"{where}column 'published' has dtype {data['published'].dtype}, expected datetime64."
        )
    return data


def validate_exclusions(data: pd.DataFrame) -> pd.DataFrame:
    """Check an exclusions table's columns and ``action`` values."""
    require_columns(data, EXCLUSION_COLUMNS, table="exclusions")
    bad = set(data["action"].dropna()) - set(EXCLUSION_ACTIONS)
    if bad:
        raise SchemaError(f"exclusions column 'action' has {sorted(bad)}; "
                          f"allowed {EXCLUSION_ACTIONS}.")
    return data
