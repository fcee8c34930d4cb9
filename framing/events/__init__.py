"""Event alignment: find the articles that cover the same event across outlets.

Two modes produce the same assignments table (``doc_id, event_id, score``; one row per
assignment, an empty ``event_id`` for an article in no event):

- **seeded** (:class:`SeededEventMatcher`, :func:`assign_events`): score articles against event
  definitions kept as data (``corpora/_events.toml``, read by :func:`load_events`);
- **discovery** (:class:`EventClusterer`, :func:`discover_events`): cluster a corpus into events
  with time-aware text similarity, the number of events not fixed in advance.

:func:`stream_events` is seeded mode for corpora larger than memory (Parquet partitions out, the
same table). :func:`attach_events` joins assignments onto documents; :func:`coverage_by_period`,
:func:`coverage_by_outlet` and :func:`event_summary` say who covered what and when;
:func:`bcubed` and :func:`evaluate_clustering` score a grouping against gold events.

>>> from framing.events import load_events
>>> [e.id for e in load_events()]
['khan-shaykhun-2017', 'shayrat-strike-2017', 'ghouta-2013', 'douma-2018', 'strikes-2018']
"""

from .coverage import coverage_by_outlet, coverage_by_period, event_summary
from .definitions import EventDefinition, events_from_records, load_events
from .discovery import EventClusterer, discover_events
from .evaluation import BCubed, ClusteringEvaluation, bcubed, evaluate_clustering
from .features import EventFeatures, extract_entities
from .seeded import SeededEventMatcher, assign_events, count_mentions, time_weight
from .streaming import stream_events
from .table import ASSIGNMENT_COLUMNS, attach_events

__all__ = [
    "EventDefinition",
    "load_events",
    "events_from_records",
    "SeededEventMatcher",
    "assign_events",
    "stream_events",
    "time_weight",
    "count_mentions",
    "EventClusterer",
    "discover_events",
    "EventFeatures",
    "extract_entities",
    "ASSIGNMENT_COLUMNS",
    "attach_events",
    "coverage_by_period",
    "coverage_by_outlet",
    "event_summary",
    "BCubed",
    "bcubed",
    "ClusteringEvaluation",
    "evaluate_clustering",
]
