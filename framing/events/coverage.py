"""Who covered which event, and when: tidy coverage tables over documents with ``event_id``.

Build the input with :func:`framing.events.attach_events` (one row per document and event).
"""

from __future__ import annotations

import pandas as pd

from ..schema import require_columns

__all__ = ["coverage_by_period", "coverage_by_outlet", "event_summary"]


def _events_only(data: pd.DataFrame, event: str) -> pd.DataFrame:
    ids = data[event].fillna("").astype(str)
    return data.loc[ids != ""]


def coverage_by_period(data: pd.DataFrame, *, event: str = "event_id", by: str = "outlet",
                       date: str = "published", freq: str = "D") -> pd.DataFrame:
    """Articles per event, outlet (or any ``by`` column) and period.

    Parameters
    ----------
    data : DataFrame
        Documents with an event column (one row per document and event).
    event, by, date : str
        Column names.
    freq : str
        Period of the counts (pandas alias: ``"D"`` days, ``"W"`` weeks, ``"M"`` months).

    Returns
    -------
    DataFrame
        ``event_id, <by>, period, articles`` (only non-zero cells), sorted.

    Examples
    --------
    >>> docs = pd.DataFrame({"event_id": ["x", "x", "x", ""], "outlet": ["CNN", "CNN", "TASS",
    ...                      "CNN"], "published": pd.to_datetime(["2017-04-07"] * 3 + [None])})
    >>> coverage_by_period(docs).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'event_id': 'x', 'outlet': 'CNN', 'period': '2017-04-07', 'articles': 2},
     {'event_id': 'x', 'outlet': 'TASS', 'period': '2017-04-07', 'articles': 1}]
    """
    require_columns(data, [event, by, date], table="documents")
    docs = _events_only(data, event)
    period = docs[date].dt.to_period(freq).astype(str).replace("NaT", "undated")
    table = (docs.assign(period=period).groupby([event, by, "period"], dropna=False).size()
             .rename("articles").reset_index())
    table = table.rename(columns={event: "event_id"})
    return table.sort_values(["event_id", "period", by], ignore_index=True)


def coverage_by_outlet(data: pd.DataFrame, *, event: str = "event_id", by: str = "outlet",
                       date: str = "published") -> pd.DataFrame:
    """Which outlets covered which events: articles, first and last date per event and outlet.

    Pivot it for a matrix: ``table.pivot(index="outlet", columns="event_id",
    values="articles")``.

    Examples
    --------
    >>> docs = pd.DataFrame({"event_id": ["x", "x", "y"], "outlet": ["CNN", "CNN", "TASS"],
    ...                      "published": pd.to_datetime(["2017-04-07", "2017-04-09",
    ...                                                   "2017-04-08"])})
    >>> coverage_by_outlet(docs)[["event_id", "outlet", "articles"]].values.tolist()
    [['x', 'CNN', 2], ['y', 'TASS', 1]]
    """
    require_columns(data, [event, by, date], table="documents")
    docs = _events_only(data, event)
    table = (docs.groupby([event, by], dropna=False)
             .agg(articles=(date, "size"), first=(date, "min"), last=(date, "max"))
             .reset_index().rename(columns={event: "event_id"}))
    return table.sort_values(["event_id", "articles", by], ascending=[True, False, True],
                             ignore_index=True)


def event_summary(data: pd.DataFrame, *, event: str = "event_id", by: str = "outlet",
                  date: str = "published") -> pd.DataFrame:
    """One row per event: ``articles``, ``outlets`` (distinct ``by`` values), ``first``, ``last``.

    Sorted by the number of outlets, then articles: the events that several outlets covered,
    where framing can be compared, come first.

    Examples
    --------
    >>> docs = pd.DataFrame({"event_id": ["x", "x", "y"], "outlet": ["CNN", "TASS", "TASS"],
    ...                      "published": pd.to_datetime(["2017-04-07", "2017-04-09",
    ...                                                   "2017-04-08"])})
    >>> event_summary(docs)[["event_id", "articles", "outlets"]].to_dict("records")
    [{'event_id': 'x', 'articles': 2, 'outlets': 2}, {'event_id': 'y', 'articles': 1, 'outlets': 1}]
    """
    require_columns(data, [event, by, date], table="documents")
    docs = _events_only(data, event)
    table = (docs.groupby(event).agg(articles=(date, "size"), outlets=(by, "nunique"),
                                     first=(date, "min"), last=(date, "max"))
             .reset_index().rename(columns={event: "event_id"}))
    return table.sort_values(["outlets", "articles", "event_id"], ascending=[False, False, True],
                             ignore_index=True)
