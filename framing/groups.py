"""Outlet groupings: named, data-defined ways of grouping documents by outlet for comparisons.

Groupings live in ``corpora/_outlet_groups.toml`` (shipped) or a TOML file of the researcher's
own with the same layout::

    [flagship]
    description = "..."
    [[flagship.group]]
    name = "left"
    corpus = "allsides-abp"       # every condition must match (a value or a list of values)
    outlet_lean = "left"

Rules are tried in order and the first match wins; documents no rule matches get ``""``.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .datasets import card_directory
from .errors import CardError, SchemaError

__all__ = ["Grouping", "load_groupings", "assign_groups"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grouping:
    """A named grouping: ordered rules ``(group name, {column: allowed values})``."""

    name: str
    description: str
    rules: tuple[tuple[str, dict[str, tuple[str, ...]]], ...]

    @property
    def groups(self) -> list[str]:
        """Group names in rule order, without repeats."""
        return list(dict.fromkeys(name for name, _ in self.rules))


def load_groupings(path: str | os.PathLike | None = None) -> dict[str, Grouping]:
    """Read groupings from a TOML file (default: the shipped ``_outlet_groups.toml``).

    Examples
    --------
    >>> load_groupings()["flagship"].groups
    ['left', 'center', 'right', 'russia_syria_gov', 'gulf_turkey']
    """
    source = card_directory() / "_outlet_groups.toml" if path is None else Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CardError(f"{source}: not valid TOML ({exc}).") from exc
    groupings = {}
    for name, entry in raw.items():
        rules = []
        for i, group in enumerate(entry.get("group", []), start=1):
            if "name" not in group or len(group) < 2:
                raise CardError(f"{source}: [[{name}.group]] number {i} needs a 'name' and at "
                                "least one condition (column = value or [values]).")
            conditions = {col: tuple(str(v) for v in (val if isinstance(val, list) else [val]))
                          for col, val in group.items() if col != "name"}
            rules.append((str(group["name"]), conditions))
        if not rules:
            raise CardError(f"{source}: grouping {name!r} has no [[{name}.group]] rules.")
        groupings[name] = Grouping(name, str(entry.get("description", "")).strip(),
                                   tuple(rules))
    return groupings


def assign_groups(data: pd.DataFrame, *, grouping: str | Grouping = "flagship",
                  path: str | os.PathLike | None = None,
                  column: str = "outlet_group") -> pd.DataFrame:
    """Return a copy of a documents table with a ``column`` naming each document's group.

    Parameters
    ----------
    data : pandas.DataFrame
        Documents table holding the columns the rules test (``corpus``, ``outlet``,
        ``outlet_lean`` ...).
    grouping : str or Grouping
        Name of a grouping in ``path`` (or the shipped file), or a :class:`Grouping`.
    path : path-like, optional
        A groupings TOML file of your own.
    column : str
        Name of the new column; documents no rule matches get ``""``.

    Examples
    --------
    >>> docs = pd.DataFrame({"corpus": ["allsides-abp", "fa-kes", "fa-kes"],
    ...                      "outlet": ["CNN", "Sputnik", "Reuters"],
    ...                      "outlet_lean": ["left", "", ""]})
    >>> assign_groups(docs)["outlet_group"].tolist()
    ['left', 'russia_syria_gov', '']
    """
    if isinstance(grouping, str):
        groupings = load_groupings(path)
        if grouping not in groupings:
            raise CardError(f"No outlet grouping {grouping!r}; known: {sorted(groupings)}.")
        grouping = groupings[grouping]
    needed = {col for _, conditions in grouping.rules for col in conditions}
    missing = sorted(needed - set(data.columns))
    if missing:
        raise SchemaError(f"grouping {grouping.name!r} tests column(s) {missing}, which the "
                          f"table lacks; found {list(data.columns)}.")
    result = pd.Series("", index=data.index, dtype=object)
    unset = pd.Series(True, index=data.index)
    for name, conditions in grouping.rules:
        match = unset.copy()
        for col, allowed in conditions.items():
            match &= data[col].astype(str).isin(allowed)
        result[match] = name
        unset &= ~match
    logger.info("grouping %r: %s; %d of %d documents in no group", grouping.name,
                result[~unset].value_counts().to_dict(), int(unset.sum()), len(data))
    return data.assign(**{column: result})
