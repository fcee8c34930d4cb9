"""Discovery mode: cluster a corpus into events with time-aware text similarity.

Two articles are similar when they share rare words and names *and* were published close in
time: ``similarity = text_similarity * exp(-|days apart| / time_scale)``, where the text
similarity is the :class:`EventFeatures` cosine (words with the title weighted, plus
capitalised phrases). Average-linkage agglomerative clustering on ``1 - similarity`` merges
groups while their mean distance stays below ``distance_threshold``, so the number of events
is not fixed in advance. The result is deterministic (no random initialisation).

Defaults (``distance_threshold=0.85``, ``time_scale=7``, ``entity_weight=0.3``) were chosen on
the BASIL triplets (50 events x 3 outlets) mixed with all 3,983 other articles of the four news
corpora as distractors, in the middle of a plateau rather than at the single best point: BCubed F1
is 0.97-0.99 for time scales of 3-30 days at threshold 0.85 and 0.96-0.99 for thresholds 0.8-0.9
at 7 days, whatever the entity weight (0-0.5). Thresholds above 0.85 merge more, which BASIL's
tight triplets reward but which joins neighbouring sub-events (the strike, its diplomatic
aftermath) in dense topical corpora. ``benchmarks/bench_events.py --grid`` prints the grid.

Memory grows with the square of the number of documents (a dense similarity matrix, about
``3 * 8 * n**2`` bytes at peak): 4,000 documents need about 0.4 GB.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import AgglomerativeClustering
from sklearn.utils.validation import check_is_fitted

from ..errors import DataQualityWarning, ParameterError
from ..schema import require_columns
from .features import EventFeatures
from .table import make_assignments

__all__ = ["EventClusterer", "discover_events", "event_similarity", "cluster_events"]

logger = logging.getLogger(__name__)

#: Above this many documents the dense (n x n) similarity matrix needs more than ~5 GB.
MAX_DOCUMENTS = 15_000


class EventClusterer(ClusterMixin, BaseEstimator):
    """Group articles about the same event, without fixing the number of events.

    Parameters
    ----------
    distance_threshold : float
        Average-linkage distance (``1 - similarity``) above which groups are not merged; lower
        values give smaller, purer events.
    time_scale : float
        Days over which the similarity of two articles decays by a factor e.
    entity_weight : float
        Share of the text similarity carried by capitalised phrases (names), in [0, 1].
    title_weight : int
        Times the title is repeated before the body.
    linkage : {"average", "complete", "single"}
        Linkage criterion of :class:`~sklearn.cluster.AgglomerativeClustering`.
    min_size : int
        Clusters with fewer articles are not events: their articles get label -1.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_documents,)
        Event number of each document (numbered by date of the first article), -1 for none.
    n_events_ : int
        Number of events found.
    cohesion_ : ndarray of float
        Mean similarity of each document to the other members of its event (NaN for -1).
    features_ : EventFeatures
        The fitted text space.

    Examples
    --------
    >>> docs = pd.DataFrame({
    ...     "published": pd.to_datetime(["2017-04-04", "2017-04-05", "2017-04-07", "2017-04-07",
    ...                                  "2017-04-20"]),
    ...     "title": ["Gas attack in Idlib kills dozens", "Idlib gas attack toll rises",
    ...               "US missiles strike Shayrat air base", "Missile strike on Shayrat base",
    ...               "Budget talks resume"],
    ...     "text": ["Sarin suspected in Khan Shaykhun.", "Khan Shaykhun mourns its dead.",
    ...              "Tomahawk missiles hit Shayrat.", "Russia condemns the Shayrat strike.",
    ...              "Congress returns to the budget."]})
    >>> EventClusterer().fit(docs).labels_.tolist()
    [0, 0, 1, 1, -1]
    """

    def __init__(self, *, distance_threshold: float = 0.85, time_scale: float = 7.0,
                 entity_weight: float = 0.3, title_weight: int = 2, linkage: str = "average",
                 min_size: int = 2):
        self.distance_threshold = distance_threshold
        self.time_scale = time_scale
        self.entity_weight = entity_weight
        self.title_weight = title_weight
        self.linkage = linkage
        self.min_size = min_size

    def _validate(self, X) -> None:
        if not isinstance(X, pd.DataFrame):
            raise ParameterError(f"expected a documents DataFrame, found {type(X).__name__}.")
        require_columns(X, ["published", "text"], table="documents")
        if not pd.api.types.is_datetime64_any_dtype(X["published"]):
            raise ParameterError(f"column 'published' has dtype {X['published'].dtype}; "
                                 "expected datetime64 (read files with framing.read_documents).")
        if not 0.0 < float(self.distance_threshold) <= 1.0:
            raise ParameterError(f"distance_threshold={self.distance_threshold!r}: expected a "
                                 "number in (0, 1].")
        if not float(self.time_scale) > 0:
            raise ParameterError(f"time_scale={self.time_scale!r}: expected days > 0.")
        if self.linkage not in ("average", "complete", "single"):
            raise ParameterError(f"linkage={self.linkage!r}: use 'average', 'complete' or "
                                 "'single' (ward needs Euclidean features).")
        if isinstance(self.min_size, bool) or not isinstance(self.min_size, int) \
                or self.min_size < 1:
            raise ParameterError(f"min_size={self.min_size!r}: expected a whole number >= 1.")
        if len(X) > MAX_DOCUMENTS:
            raise ParameterError(
                f"{len(X)} documents: discovery builds a dense {len(X)} x {len(X)} distance "
                f"matrix; split the corpus by period (at most {MAX_DOCUMENTS} documents).")

    def similarity(self, X: pd.DataFrame) -> np.ndarray:
        """Time-decayed text similarity of every pair of documents, shape (n, n)."""
        check_is_fitted(self, "features_")
        return event_similarity(self.features_.transform(X), X["published"],
                                time_scale=self.time_scale)

    def fit(self, X: pd.DataFrame, y=None) -> EventClusterer:
        """Cluster the documents of ``X`` (``published``, ``title``, ``text``)."""
        self._validate(X)
        dated = X["published"].notna().to_numpy()
        if not dated.all():
            warnings.warn(f"{int((~dated).sum())} document(s) without a date are left out of "
                          "every event (label -1).", DataQualityWarning, stacklevel=2)
        docs = X.loc[dated]
        labels = np.full(len(X), -1, dtype=int)
        cohesion = np.full(len(X), np.nan)
        self.features_ = EventFeatures(title_weight=self.title_weight,
                                       entity_weight=self.entity_weight)
        vectors = self.features_.fit_transform(X)
        if len(docs) >= 2:
            sim = event_similarity(vectors[np.flatnonzero(dated)], docs["published"],
                                   time_scale=self.time_scale)
            labels[dated], cohesion[dated] = cluster_events(
                sim, docs["published"], distance_threshold=self.distance_threshold,
                linkage=self.linkage, min_size=self.min_size)
        self.labels_ = labels
        self.cohesion_ = cohesion
        self.n_events_ = int(labels.max() + 1) if len(labels) else 0
        logger.info("discovered %d events covering %d of %d documents", self.n_events_,
                    int((labels >= 0).sum()), len(X))
        return self

    def event_ids(self, X: pd.DataFrame) -> list[str]:
        """Readable ids of the events found in ``X`` (the data given to :meth:`fit`):
        ``auto-<date of first article>-<number>``, in the order of ``labels_``."""
        check_is_fitted(self, "labels_")
        first = (pd.Series(X["published"].to_numpy()).groupby(self.labels_).min())
        return [f"auto-{first[k]:%Y%m%d}-{k + 1:03d}" for k in range(self.n_events_)]

    def assign(self, X: pd.DataFrame) -> pd.DataFrame:
        """Assignments table ``doc_id, event_id, score`` of the fitted data: ``score`` is the
        document's cohesion (mean similarity to the rest of its event); documents in no event
        get an empty ``event_id`` and a missing score."""
        check_is_fitted(self, "labels_")
        require_columns(X, ["doc_id"], table="documents")
        n = self.n_events_
        member = np.zeros((len(X), n), dtype=bool)
        rows = np.flatnonzero(self.labels_ >= 0)
        member[rows, self.labels_[rows]] = True
        scores = np.where(member, np.nan_to_num(self.cohesion_)[:, None], 0.0)
        table = make_assignments(X["doc_id"], scores, self.event_ids(X), member)
        table.loc[table["event_id"] == "", "score"] = np.nan
        return table


def discover_events(data: pd.DataFrame, **params) -> pd.DataFrame:
    """Cluster ``data`` into events and return the assignments table.

    Parameters
    ----------
    data : DataFrame
        Documents with ``doc_id``, ``published``, ``title`` and ``text``.
    **params
        Parameters of :class:`EventClusterer`.

    Returns
    -------
    DataFrame
        ``doc_id, event_id, score`` (see :meth:`EventClusterer.assign`).
    """
    return EventClusterer(**params).fit(data).assign(data)


def event_similarity(vectors, published: pd.Series, *, time_scale: float) -> np.ndarray:
    """Pairwise similarity of documents: text cosine times ``exp(-|days apart| / time_scale)``.

    Parameters
    ----------
    vectors : sparse matrix, shape (n, n_features)
        Rows from :meth:`EventFeatures.transform` (unit or zero length).
    published : Series of datetime64, length n
        Dates (no missing values).
    time_scale : float
        Days over which the similarity decays by a factor e.

    Examples
    --------
    >>> from scipy import sparse
    >>> v = sparse.csr_matrix(np.array([[1.0, 0.0], [0.6, 0.8]]))
    >>> dates = pd.Series(pd.to_datetime(["2017-04-04", "2017-04-11"]))
    >>> event_similarity(v, dates, time_scale=7).round(3).tolist()
    [[1.0, 0.221], [0.221, 1.0]]
    """
    sim = np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)
    days = (published.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days.to_numpy(float)
    sim *= np.exp(-np.abs(days[:, None] - days[None, :]) / float(time_scale))
    np.fill_diagonal(sim, 1.0)
    return np.clip(sim, 0.0, 1.0, out=sim)


def cluster_events(similarity: np.ndarray, published: pd.Series, *,
                   distance_threshold: float = 0.85, linkage: str = "average",
                   min_size: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Agglomerative clustering of a similarity matrix into events.

    Returns ``(labels, cohesion)``: labels numbered by the date of each event's first article
    (-1 for clusters smaller than ``min_size``), and each document's mean similarity to the
    other members of its event (NaN for -1). See :class:`EventClusterer` for the parameters.
    """
    raw = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage=linkage,
        distance_threshold=float(distance_threshold)).fit_predict(1.0 - similarity)
    sizes = np.bincount(raw)
    keep = sizes[raw] >= min_size
    kept = pd.DataFrame({"raw": raw, "date": published.to_numpy(),
                         "position": np.arange(len(raw))})[keep]
    order = (kept.groupby("raw").agg(date=("date", "min"), position=("position", "min"))
             .sort_values(["date", "position"]).index.to_numpy())
    renumber = np.full(len(sizes), -1, dtype=int)
    renumber[order] = np.arange(len(order))
    labels = renumber[raw]
    cohesion = np.full(len(raw), np.nan)
    for k in order[sizes[order] > 1]:
        idx = np.flatnonzero(raw == k)
        cohesion[idx] = (similarity[np.ix_(idx, idx)].sum(axis=1) - 1.0) / (len(idx) - 1)
    return labels, cohesion
