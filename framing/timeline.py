"""Coverage over time: articles per day and frame shares per day around each event, by group.

:func:`coverage_over_time` lays every event on a common clock (``day`` 0 is the event's date)
and counts, for each outlet group and day, the documents published and, given a frames table,
the share of them with each frame (Wilson intervals: daily counts are small).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .compare import presence_table
from .errors import ParameterError
from .inference import wilson_interval
from .results import Summary, SummaryExports
from .schema import require_columns

__all__ = ["coverage_over_time", "event_table", "TimelineResult", "TIMELINE_COLUMNS"]

#: Columns of the timeline table.
TIMELINE_COLUMNS = ("scope", "day", "date", "group", "feature_kind", "feature", "n_docs",
                    "estimate", "ci_low", "ci_high", "method")


def event_table(events, *, before: int = 3, after: int = 14) -> pd.DataFrame:
    """Events as a table ``event_id, date, before, after``.

    ``events`` may be event definitions (objects with ``id``, ``date``, ``before``, ``after``,
    such as those of ``framing.events``), a DataFrame with ``event_id`` and ``date`` (and
    optionally ``before``, ``after``) or a mapping ``{event_id: date}``; ``before`` and
    ``after`` fill in what is not given.

    Examples
    --------
    >>> event_table({"khan-shaykhun-2017": "2017-04-04"}, before=1, after=10)
                 event_id       date  before  after
    0  khan-shaykhun-2017 2017-04-04       1     10
    """
    if isinstance(events, pd.DataFrame):
        require_columns(events, ["event_id", "date"], table="events")
        table = events.copy()
    elif isinstance(events, Mapping):
        table = pd.DataFrame({"event_id": list(events), "date": list(events.values())})
    else:
        table = pd.DataFrame([{"event_id": e.id, "date": e.date,
                               "before": getattr(e, "before", before),
                               "after": getattr(e, "after", after)} for e in events])
    if table.empty:
        raise ParameterError("no events given.")
    table = table.assign(event_id=table["event_id"].astype(str),
                         date=pd.to_datetime(table["date"]).dt.normalize())
    for col, default in (("before", before), ("after", after)):
        table[col] = table[col].fillna(default).astype(int) if col in table else default
    return table[["event_id", "date", "before", "after"]].reset_index(drop=True)


class TimelineResult(SummaryExports):
    """Result of :func:`coverage_over_time`.

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`TIMELINE_COLUMNS`; ``feature_kind="volume"`` rows count documents (every day of
        every window, zeros included), the other rows hold daily shares with Wilson intervals.
    params : dict
    """

    def __init__(self, table: pd.DataFrame, params: Mapping, title: str):
        self._table = table.reset_index(drop=True)
        self.params = dict(params)
        self.title = title

    @property
    def table(self) -> pd.DataFrame:
        """The timeline table (a copy)."""
        return self._table.copy()

    def volume(self) -> pd.DataFrame:
        """Documents per event, day and group: ``scope, day, date, group, n_docs``."""
        rows = self._table[self._table["feature_kind"] == "volume"]
        return rows[["scope", "day", "date", "group", "n_docs"]].reset_index(drop=True)

    def summary(self) -> Summary:
        """Documents per event and group over the window and, for each feature, the share of
        them that have it."""
        table = (self.volume().groupby(["scope", "group"], sort=True)["n_docs"].sum()
                 .rename("documents").reset_index())
        shares = self._table[self._table["feature_kind"] != "volume"]
        if len(shares):
            pooled = (shares.assign(x=shares["estimate"] * shares["n_docs"])
                      .groupby(["scope", "group", "feature"], sort=True)[["x", "n_docs"]].sum())
            wide = (pooled["x"] / pooled["n_docs"]).unstack("feature").add_prefix("share: ")
            table = table.merge(wide.reset_index(), on=["scope", "group"], how="left")
        return Summary(self.title, table, self.params)

    def plot(self, feature: str | None = None, *, palette=None, height: float = 3.0):
        """Lines per group over the event's days, one panel per event.

        Parameters
        ----------
        feature : str, optional
            Draw the daily share of this feature (with its Wilson band) instead of the number
            of documents.

        Returns
        -------
        seaborn.FacetGrid
        """
        import seaborn as sns

        if feature is None:
            data, label = self._table[self._table["feature_kind"] == "volume"], "documents"
            data = data.assign(estimate=data["n_docs"])
        else:
            data = self._table[(self._table["feature"] == feature)
                               & (self._table["feature_kind"] != "volume")]
            if data.empty:
                raise ParameterError(f"no share rows for feature {feature!r}.")
            label = f"share with {feature}"
        grid = sns.FacetGrid(data, col="scope", hue="group",
                             hue_order=sorted(data["group"].unique()), palette=palette,
                             height=height, aspect=1.4, sharex=False)

        def draw(data, color, label=None, **_):
            import matplotlib.pyplot as plt

            ax = plt.gca()
            data = data.sort_values("day")
            ax.plot(data["day"], data["estimate"], marker="o", ms=3, color=color, label=label)
            if feature is not None:
                ax.fill_between(data["day"], data["ci_low"], data["ci_high"], color=color,
                                alpha=0.15, linewidth=0)
            ax.axvline(0, color="0.5", linewidth=0.8, linestyle=":")

        grid.map_dataframe(draw)
        grid.set_axis_labels("days from the event", label)
        grid.set_titles("{col_name}")
        grid.add_legend()
        return grid


def coverage_over_time(documents: pd.DataFrame, *, events, by: str = "outlet_lean",
                       date: str = "published", frames: pd.DataFrame | None = None,
                       feature: str = "frame", value: str | None = "label",
                       within: str | None = None, doc_id: str = "doc_id", before: int = 3,
                       after: int = 14, confidence: float = 0.95) -> TimelineResult:
    """Articles per day and daily frame shares around each event, per outlet group.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents with ``doc_id``, ``date`` and ``by``.
    events
        Event definitions, a table or a mapping (see :func:`event_table`).
    by : str
        Group column.
    date : str
        Publication date column.
    frames : pandas.DataFrame, optional
        A ``doc_frames`` table (or a documents table with a feature column, ``value=None``):
        adds daily shares of each frame (see :func:`framing.compare.compare_shares` for the
        layouts).
    within : str, optional
        Column of event ids already assigned to documents (``event_id``): a document counts for
        its own event only. Without it, every document published in an event's window counts
        for that event (windows of close events overlap).
    before, after : int
        Days before and after each event's date, where the events do not say.
    confidence : float
        Level of the Wilson intervals of the shares.

    Returns
    -------
    TimelineResult

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet_lean": ["left", "right", "left"],
    ...                      "published": pd.to_datetime(["2017-04-04", "2017-04-05",
    ...                                                   "2017-04-05"])})
    >>> res = coverage_over_time(docs, events={"ks": "2017-04-04"}, before=0, after=1)
    >>> res.volume()[["day", "group", "n_docs"]]
       day  group  n_docs
    0    0   left       1
    1    0  right       0
    2    1   left       1
    3    1  right       1
    """
    require_columns(documents, [doc_id, date, by] + ([within] if within else []),
                    table="documents")
    table = event_table(events, before=before, after=after)
    docs = documents[documents[by].notna() & (documents[by].astype(str) != "")
                     & documents[date].notna()]
    docs = docs.assign(_day=pd.to_datetime(docs[date]).dt.normalize(),
                       _group=docs[by].astype(str), _doc=docs[doc_id].astype(str))
    groups = sorted(docs["_group"].unique())
    placed = []
    for ev in table.itertuples(index=False):
        day = (docs["_day"] - ev.date).dt.days
        keep = day.between(-ev.before, ev.after)
        if within:
            keep &= docs[within].astype(str) == ev.event_id
        placed.append(pd.DataFrame({"scope": ev.event_id, "day": day[keep].astype(int),
                                    "group": docs.loc[keep, "_group"],
                                    "doc": docs.loc[keep, "_doc"]}))
    placed = pd.concat(placed, ignore_index=True)
    grid = pd.DataFrame([(ev.event_id, d, g) for ev in table.itertuples(index=False)
                         for d in range(-ev.before, ev.after + 1) for g in groups],
                        columns=["scope", "day", "group"])
    volume = (grid.merge(placed.groupby(["scope", "day", "group"]).size().rename("n_docs")
                         .reset_index(), how="left", on=["scope", "day", "group"])
              .fillna({"n_docs": 0}))
    volume = volume.assign(feature_kind="volume", feature="documents",
                           estimate=volume["n_docs"].astype(float), ci_low=np.nan,
                           ci_high=np.nan, method="documents published that day")
    parts = [volume]
    if frames is not None:
        long, _, _ = presence_table(frames, feature=feature, value=value, by=by,
                                    documents=documents, doc_id=doc_id)
        shares = (placed.merge(long[["doc", "feature_kind", "feature", "present"]], on="doc")
                  .groupby(["scope", "day", "group", "feature_kind", "feature"], sort=True)
                  ["present"].agg(n_docs="size", x="sum").reset_index())
        low, high = wilson_interval(shares["x"].to_numpy(), shares["n_docs"].to_numpy(),
                                    confidence)
        parts.append(shares.assign(estimate=shares["x"] / shares["n_docs"], ci_low=low,
                                   ci_high=high, method="share of that day's documents, "
                                   "Wilson interval").drop(columns="x"))
    out = pd.concat(parts, ignore_index=True)
    dates = table.set_index("event_id")["date"]
    out = out.assign(date=out["scope"].map(dates) + pd.to_timedelta(out["day"], unit="D"),
                     n_docs=out["n_docs"].astype("int64"))
    out = out.sort_values(["scope", "feature_kind", "feature", "day", "group"],
                          key=lambda s: s != "volume" if s.name == "feature_kind" else s,
                          ignore_index=True)
    params = {"by": by, "date": date, "within": within, "events": table["event_id"].tolist(),
              "confidence": confidence, "feature": feature if frames is not None else None}
    return TimelineResult(out[list(TIMELINE_COLUMNS)], params,
                          f"Coverage over time by {by}")
