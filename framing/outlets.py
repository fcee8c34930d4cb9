"""Outlet metadata: map raw outlet strings onto canonical outlets with country, type and lean.

Corpora name the same outlet in many ways (``Fox News`` and ``Fox Online News`` in AllSides,
``cnn.com`` in a Media Cloud export, ``nyt`` in BASIL). The shipped table ``outlets.csv`` (package
data ``framing.corpora``) has one row per such raw string, its *alias*, with the canonical outlet,
the ISO 3166-1 alpha-2 country of the outlet's home, the outlet type and, for AllSides source
names only, the left/center/right rating that the AllSides corpus gives.

The type belongs to the alias, not to the organisation: ``CNN - Editorial`` is ``opinion`` while
``CNN (Web News)`` is ``commercial``; both map to the canonical outlet ``CNN``.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import pandas as pd

from .datasets import card_directory
from .errors import SchemaError
from .schema import require_columns

__all__ = [
    "OUTLET_COLUMNS",
    "OUTLET_TYPES",
    "ALLSIDES_LEANS",
    "load_outlets",
    "annotate_outlets",
    "outlet_key",
]

logger = logging.getLogger(__name__)

#: Columns of the outlet table, in order (``country``, ``allsides_lean`` and ``note`` may be "").
OUTLET_COLUMNS = ("alias", "outlet", "country", "type", "allsides_lean", "note")
#: Columns a user-supplied outlet table must have; the others are filled with "".
REQUIRED_OUTLET_COLUMNS = ("alias", "outlet", "type")
#: Allowed values of the ``type`` column.
OUTLET_TYPES = (
    "commercial",
    "public_broadcaster",
    "state_affiliated",
    "agency",
    "opinion",
    "nonprofit",
    "advocacy",
    "think_tank",
    "government",
)
#: Allowed values of the ``allsides_lean`` column ("" = not rated in the AllSides corpus).
ALLSIDES_LEANS = ("", "left", "center", "right")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SPACES = re.compile(r"\s+")


def outlet_key(alias: str) -> str:
    """Return the normalised matching key of an outlet string.

    Surrounding whitespace is removed, runs of whitespace become one space, the string is
    case-folded and a leading ``www.`` is dropped.

    Examples
    --------
    >>> outlet_key("  www.CNN.com ")
    'cnn.com'
    >>> outlet_key("Fox  News")
    'fox news'
    """
    key = _SPACES.sub(" ", str(alias).strip()).casefold()
    return key[4:] if key.startswith("www.") else key


def _shipped_table() -> Any:
    return card_directory() / "outlets.csv"


def _read(path: Any) -> pd.DataFrame:
    kwargs = dict(dtype=str, keep_default_na=False, encoding="utf-8")
    if isinstance(path, (str, os.PathLike)):
        return pd.read_csv(path, **kwargs)
    with path.open("rb") as fh:  # an importlib.resources Traversable
        return pd.read_csv(fh, **kwargs)


def _validate(table: pd.DataFrame, source: Any) -> pd.DataFrame:
    """Check an outlet table and return it with every column of OUTLET_COLUMNS, as strings."""
    require_columns(table, REQUIRED_OUTLET_COLUMNS, table="outlets", source=source)
    table = table.copy()
    for column in OUTLET_COLUMNS:
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].fillna("").astype(str).str.strip()
    table = table.reset_index(drop=True)

    def fail(i: int, column: str, message: str) -> None:
        raise SchemaError(f"{source}, row {i + 1} (line {i + 2} counting the header), column "
                          f"{column!r}: {message}")

    for column in ("alias", "outlet"):
        empty = table.index[table[column] == ""]
        if len(empty):
            fail(int(empty[0]), column, f"empty {column}; every row needs an alias and the "
                 "canonical outlet it stands for.")
    dup = table.index[table["alias"].duplicated()]
    if len(dup):
        i = int(dup[0])
        first = int(table.index[table["alias"] == table.at[i, "alias"]][0])
        fail(i, "alias", f"alias {table.at[i, 'alias']!r} already appears on row {first + 1}; "
             "aliases must be unique (merge the two rows).")
    bad = table.index[~table["type"].isin(OUTLET_TYPES)]
    if len(bad):
        i = int(bad[0])
        fail(i, "type", f"type {table.at[i, 'type']!r} is not allowed; expected one of "
             f"{', '.join(OUTLET_TYPES)}.")
    bad = table.index[(table["country"] != "") & ~table["country"].str.match(_COUNTRY)]
    if len(bad):
        i = int(bad[0])
        fail(i, "country", f"country {table.at[i, 'country']!r} is not an ISO 3166-1 alpha-2 "
             "code (two capital letters such as 'US', 'GB', 'SY') or empty.")
    bad = table.index[~table["allsides_lean"].isin(ALLSIDES_LEANS)]
    if len(bad):
        i = int(bad[0])
        fail(i, "allsides_lean", f"lean {table.at[i, 'allsides_lean']!r} is not one of "
             "'left', 'center', 'right' or empty.")
    # Aliases that differ only in case, spacing or "www." must say the same thing, or matching
    # on the normalised key would depend on row order.
    keys = table["alias"].map(outlet_key)
    for _, group in table.groupby(keys, sort=False):
        if len(group) > 1:
            fields = group[["outlet", "country", "type", "allsides_lean"]].drop_duplicates()
            if len(fields) > 1:
                i, j = (int(x) for x in group.index[:2])
                fail(j, "alias", f"alias {table.at[j, 'alias']!r} and {table.at[i, 'alias']!r} "
                     f"(row {i + 1}) normalise to the same key {outlet_key(table.at[i, 'alias'])!r}"
                     " but map to different outlet, country, type or lean; make them agree or "
                     "keep only one.")
    return table[list(OUTLET_COLUMNS) + [c for c in table.columns if c not in OUTLET_COLUMNS]]


def load_outlets(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read and validate an outlet table (by default the one shipped with the package).

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns ``alias``, ``outlet``, ``type`` and optionally ``country``,
        ``allsides_lean`` and ``note``. Default: ``outlets.csv`` of ``framing.corpora``.

    Returns
    -------
    pandas.DataFrame
        One row per alias, every value a string (missing values are ""), columns
        :data:`OUTLET_COLUMNS` first.

    Raises
    ------
    SchemaError
        When a column is missing, an alias is empty or repeated, a ``type`` is not in
        :data:`OUTLET_TYPES`, a country is not a two-letter code, or a lean is not
        left/center/right; the message names the row and the column.

    Examples
    --------
    >>> table = load_outlets()
    >>> row = table.set_index("alias").loc["Fox Online News"]
    >>> row["outlet"], row["country"], row["type"]
    ('Fox News', 'US', 'commercial')
    """
    source = _shipped_table() if path is None else path
    name = "outlets.csv (framing.corpora)" if path is None else os.fspath(path)
    return _validate(_read(source), name)


def _merge(user: pd.DataFrame, shipped: pd.DataFrame) -> pd.DataFrame:
    """User rows first; shipped rows whose alias or normalised key the user redefines dropped."""
    user_keys = set(user["alias"].map(outlet_key))
    keep = ~shipped["alias"].isin(set(user["alias"])) & ~shipped["alias"].map(outlet_key).isin(
        user_keys)
    return pd.concat([user, shipped[keep]], ignore_index=True)


def annotate_outlets(
    data: pd.DataFrame,
    *,
    outlet: str = "outlet",
    table: pd.DataFrame | str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Add canonical outlet names and outlet metadata to a table of documents.

    Each value of the ``outlet`` column is looked up first as an exact alias, then by its
    normalised key (:func:`outlet_key`: case-folded, whitespace trimmed, leading ``www.``
    dropped), so ``"CNN.com "`` finds the row of ``cnn.com``.

    Parameters
    ----------
    data : pandas.DataFrame
        Any table with a column of raw outlet strings (e.g. a documents table).
    outlet : str, default "outlet"
        Name of that column.
    table : pandas.DataFrame or path, optional
        Extra outlet rows (same columns as :func:`load_outlets`) merged over the shipped
        table: a user row replaces any shipped row with the same alias or the same normalised
        key.

    Returns
    -------
    pandas.DataFrame
        A new table (``data`` is not modified) with the columns

        - ``outlet_raw``: the original string;
        - ``outlet``: the canonical outlet (unknown outlets are kept as they are);
        - ``outlet_country``: ISO 3166-1 alpha-2 code, "" when unknown;
        - ``outlet_type``: one of :data:`OUTLET_TYPES`, or ``"unknown"``;
        - ``outlet_lean``: AllSides' left/center/right where the AllSides corpus gives it,
          else "";
        - ``is_opinion``: bool, true when ``outlet_type`` is ``"opinion"``.

        When ``data`` already has ``outlet_raw`` (it was annotated before) and ``outlet`` is
        ``"outlet"``, the lookup starts again from ``outlet_raw``, so annotating twice gives
        the same result.

    Notes
    -----
    Outlets not found in the table are logged once per call (logger ``framing.outlets``,
    level WARNING) with the rows to add.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"],
    ...                      "outlet": ["Fox Online News", "CNN - Editorial", "www.cnn.com"]})
    >>> out = annotate_outlets(docs)
    >>> out[["outlet", "outlet_type", "is_opinion"]].values.tolist()
    [['Fox News', 'commercial', False], ['CNN', 'opinion', True], ['CNN', 'commercial', False]]
    """
    if not isinstance(data, pd.DataFrame):
        raise SchemaError(
            f"annotate_outlets expects a pandas DataFrame, got {type(data).__name__}."
        )
    require_columns(data, [outlet], table="documents")
    shipped = load_outlets()
    if table is None:
        lookup = shipped
    else:
        user = (_validate(table, "table=") if isinstance(table, pd.DataFrame)
                else load_outlets(table))
        lookup = _merge(user, shipped)

    source_column = "outlet_raw" if outlet == "outlet" and "outlet_raw" in data.columns else outlet
    raw = data[source_column]
    present = raw.notna().to_numpy()
    values = [str(v) if ok else None for v, ok in zip(raw.tolist(), present, strict=True)]

    by_alias = {a: i for i, a in enumerate(lookup["alias"])}
    by_key: dict[str, int] = {}
    for i, a in enumerate(lookup["alias"]):
        by_key.setdefault(outlet_key(a), i)
    positions = []
    for v in values:
        if v is None:
            positions.append(None)
        elif v in by_alias:
            positions.append(by_alias[v])
        else:
            positions.append(by_key.get(outlet_key(v)))

    canon = lookup["outlet"].tolist()
    country = lookup["country"].tolist()
    kind = lookup["type"].tolist()
    lean = lookup["allsides_lean"].tolist()

    result = data.copy()
    result["outlet_raw"] = raw.to_numpy()
    result["outlet"] = [canon[p] if p is not None else v
                        for p, v in zip(positions, raw.tolist(), strict=True)]
    result["outlet_country"] = [country[p] if p is not None else "" for p in positions]
    result["outlet_type"] = [kind[p] if p is not None else "unknown" for p in positions]
    result["outlet_lean"] = [lean[p] if p is not None else "" for p in positions]
    result["is_opinion"] = (result["outlet_type"] == "opinion").astype(bool)

    unknown = pd.Series(
        [v for v, p in zip(values, positions, strict=True) if p is None and v is not None],
        dtype=object,
    )
    n_missing = int((~present).sum())
    if len(unknown) or n_missing:
        counts = unknown.value_counts()
        listed = ", ".join(f"{name!r} ({n})" for name, n in counts.items())
        parts = []
        if len(counts):
            parts.append(f"{len(counts)} outlet name(s) in column {source_column!r} are not in "
                         f"the outlet table and were typed 'unknown': {listed}.")
        if n_missing:
            parts.append(f"{n_missing} row(s) have no outlet.")
        parts.append(
            "To add outlets, pass annotate_outlets(..., table=extra) where extra is a DataFrame "
            "or CSV with columns alias, outlet, country, type (one of "
            f"{', '.join(OUTLET_TYPES)}) and optionally allsides_lean and note; its rows are "
            "merged over the shipped corpora/outlets.csv."
        )
        logger.warning(" ".join(parts))
    return result
