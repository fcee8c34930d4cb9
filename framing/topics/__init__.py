"""Topic models with diagnostics, model selection and topic prevalence by outlet group.

Modules
-------
model
    :class:`TopicModel`, the scikit-learn estimator (NMF, LDA, MiniBatchNMF), with the tidy
    ``doc_topics`` and ``topic_terms`` tables, FREX and lift labels and representative documents.
diagnostics
    NPMI coherence (documents or sliding windows), exclusivity, FREX, lift, held-out fit and
    stability across seeds (Hungarian matching of topics).
streaming
    :class:`StreamingTopicModel`: the MiniBatchNMF model fitted out of core on corpora larger
    than memory (chunked reads, counts spooled to disk, ``doc_topics`` as Parquet partitions);
    :func:`spool_counts`, the exact streaming vocabulary and counts.
selection
    :func:`select_k`: every diagnostic across numbers of topics and seeds, as a tidy table and
    a figure.
prevalence
    :func:`topic_prevalence`: mean topic proportions by outlet group, within events, with
    bootstrap intervals, pairwise contrasts and regression with cluster-robust errors.

plots
    seaborn figures of the top terms and of coherence against exclusivity.

Inductive frames from topic networks (ANTMN) are in :mod:`framing.frames.topic_network`.
"""

from __future__ import annotations

from .diagnostics import (
    exclusivity,
    frex_scores,
    lift_scores,
    match_topics,
    npmi_coherence,
    topic_stability,
)
from .model import METHODS, TopicModel, topic_matrix
from .plots import plot_topic_diagnostics, plot_topic_terms
from .prevalence import PrevalenceResult, topic_prevalence
from .selection import SelectKResult, plot_select_k, select_k
from .streaming import CountSpool, StreamingTopicModel, spool_counts

__all__ = [
    "METHODS",
    "TopicModel",
    "StreamingTopicModel",
    "spool_counts",
    "CountSpool",
    "topic_matrix",
    "npmi_coherence",
    "exclusivity",
    "frex_scores",
    "lift_scores",
    "match_topics",
    "topic_stability",
    "select_k",
    "SelectKResult",
    "plot_select_k",
    "topic_prevalence",
    "PrevalenceResult",
    "plot_topic_terms",
    "plot_topic_diagnostics",
]
