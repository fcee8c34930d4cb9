"""Event definitions: the events that seeded alignment looks for, kept as data in ``corpora/``.

Researchers add an event by adding an ``[[events]]`` table to a TOML file (the shipped one is
``corpora/_events.toml``); :func:`load_events` validates every entry and names the file, the
entry and the field of anything wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..datasets import card_directory
from ..errors import CardError, DataNotFoundError

__all__ = ["EventDefinition", "load_events", "events_from_records", "DEFAULT_EVENTS_FILE"]

#: File name of the shipped definitions inside ``corpora/`` (package data ``framing.corpora``).
DEFAULT_EVENTS_FILE = "_events.toml"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "name", "date", "window", "description")
_OPTIONAL = ("phrases", "entities", "notes")


@dataclass(frozen=True)
class EventDefinition:
    """One event: when it happened, how long it was covered and the words that describe it.

    Parameters
    ----------
    id : str
        Slug used as ``event_id`` (lowercase letters, digits and ``-``).
    name : str
        Short human name.
    date : datetime.date
        Day the event happened.
    before, after : int
        Days of coverage before and after ``date`` that belong to the event.
    description : str
        One or two sentences; part of the event's text profile.
    phrases : tuple of str
        Words and phrases typical of reports on the event.
    entities : tuple of str
        Names of places, people and organisations central to the event.
    notes : tuple of str
        Free-text notes (sources, caveats).

    Examples
    --------
    >>> import datetime as dt
    >>> ev = EventDefinition("test-event", "Test", dt.date(2017, 4, 4), 1, 14, "A test.",
    ...                      phrases=("gas attack",), entities=("Khan Shaykhun",))
    >>> ev.start, ev.end
    (Timestamp('2017-04-03 00:00:00'), Timestamp('2017-04-18 00:00:00'))
    """

    id: str
    name: str
    date: dt.date
    before: int
    after: int
    description: str
    phrases: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def start(self) -> pd.Timestamp:
        """First day of the window."""
        return pd.Timestamp(self.date) - pd.Timedelta(days=self.before)

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the window (inclusive)."""
        return pd.Timestamp(self.date) + pd.Timedelta(days=self.after)

    @property
    def profile_text(self) -> str:
        """The text the event's profile is built from: description, phrases and entities."""
        return "\n".join([self.description, *self.phrases, *self.entities])


def load_events(path: str | os.PathLike | None = None) -> tuple[EventDefinition, ...]:
    """Read and validate event definitions from a TOML file.

    Parameters
    ----------
    path : path-like, optional
        A TOML file with ``[[events]]`` tables (see ``corpora/_events.toml`` for every field).
        By default the definitions shipped with the package.

    Returns
    -------
    tuple of EventDefinition

    Raises
    ------
    DataNotFoundError
        ``path`` does not exist.
    CardError
        The file is not valid TOML, or an entry lacks a field or has an invalid one; the message
        names the file, the entry (number and id) and the field.

    Examples
    --------
    >>> [e.id for e in load_events()][:2]
    ['khan-shaykhun-2017', 'shayrat-strike-2017']
    """
    source: Any = card_directory() / DEFAULT_EVENTS_FILE if path is None else Path(path)
    if not source.is_file():
        raise DataNotFoundError(f"{source}: no such events file; pass the path of a TOML file "
                                "with [[events]] tables (see corpora/_events.toml).")
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CardError(f"{source}: not valid TOML ({exc}).") from exc
    entries = raw.get("events")
    if not isinstance(entries, list) or not entries:
        raise CardError(f"{source}: expected one or more [[events]] tables, found "
                        f"{sorted(raw) or 'nothing'}.")
    return events_from_records(entries, source=str(source))


def events_from_records(records: Iterable[dict], *, source: str = "<records>"
                        ) -> tuple[EventDefinition, ...]:
    """Validate event definitions given as dictionaries (the fields of ``[[events]]``).

    Dates may be :class:`datetime.date` or ISO strings. Raises :class:`CardError` naming
    ``source``, the entry and the field of the first problem found.

    Examples
    --------
    >>> events_from_records([{"id": "x-2017", "name": "X", "date": "2017-04-04",
    ...                       "window": {"before": 0, "after": 3}, "description": "An event.",
    ...                       "phrases": ["gas attack"]}])[0].end.date()
    datetime.date(2017, 4, 7)
    """
    events = []
    for number, entry in enumerate(records, start=1):
        events.append(_parse_entry(entry, f"{source}: [[events]] entry {number}"))
    seen: set[str] = set()
    for ev in events:
        if ev.id in seen:
            raise CardError(f"{source}: event id {ev.id!r} is defined twice; ids must be unique.")
        seen.add(ev.id)
    return tuple(events)


def _parse_entry(entry: Any, where: str) -> EventDefinition:
    if not isinstance(entry, dict):
        raise CardError(f"{where}: expected a table of fields, found {type(entry).__name__}.")
    if isinstance(entry.get("id"), str):
        where = f"{where} (id {entry['id']!r})"
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise CardError(f"{where}: missing field(s) {missing}; required: {list(_REQUIRED)}.")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise CardError(f"{where}: unknown field(s) {unknown}; allowed: "
                        f"{list(_REQUIRED + _OPTIONAL)}.")
    for key in ("id", "name", "description"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise CardError(f"{where}, field {key!r}: expected a non-empty string, found "
                            f"{entry[key]!r}.")
    if not _ID.match(entry["id"]):
        raise CardError(f"{where}, field 'id': {entry['id']!r} is not a slug; use lowercase "
                        "letters, digits and '-' (e.g. 'khan-shaykhun-2017').")
    date = _parse_date(entry["date"], where)
    before, after = _parse_window(entry["window"], where)
    lists = {key: _string_list(entry.get(key, []), where, key) for key in _OPTIONAL}
    if not lists["phrases"] and not lists["entities"]:
        raise CardError(f"{where}: give at least one seed term in 'phrases' or 'entities'.")
    return EventDefinition(id=entry["id"], name=entry["name"].strip(), date=date, before=before,
                           after=after, description=" ".join(entry["description"].split()),
                           **lists)


def _parse_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CardError(f"{where}, field 'date': expected a date such as 2017-04-04, found "
                    f"{value!r}.")


def _parse_window(value: Any, where: str) -> tuple[int, int]:
    if not isinstance(value, dict) or set(value) != {"before", "after"}:
        raise CardError(f"{where}, field 'window': expected {{ before = N, after = M }} (days), "
                        f"found {value!r}.")
    days = []
    for key in ("before", "after"):
        n = value[key]
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise CardError(f"{where}, field 'window.{key}': expected a whole number of days "
                            f">= 0, found {n!r}.")
        days.append(n)
    return days[0], days[1]


def _string_list(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise CardError(f"{where}, field {key!r}: expected a list of strings, found {value!r}.")
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        raise CardError(f"{where}, field {key!r}: {bad[0]!r} is not a non-empty string.")
    return tuple(v.strip() for v in value)
