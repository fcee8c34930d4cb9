"""Evaluate event grouping against gold event labels: BCubed and the adjusted Rand index.

BCubed (Bagga & Baldwin 1998; Amigó, Gonzalo, Artiles & Verdejo 2009, "A comparison of
extrinsic clustering evaluation metrics based on formal constraints", Information Retrieval 12)
scores every item: its precision is the share of the items in its predicted cluster that share
its gold class, its recall the share of the items of its gold class that are in its predicted
cluster; both are averaged over items and combined by the harmonic mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from ..errors import ParameterError
from ..schema import require_columns

__all__ = ["BCubed", "bcubed", "ClusteringEvaluation", "evaluate_clustering"]


class BCubed(NamedTuple):
    """BCubed precision, recall and their harmonic mean."""

    precision: float
    recall: float
    f1: float


def bcubed(labels_true: Sequence, labels_pred: Sequence) -> BCubed:
    """BCubed precision, recall and F1 of a clustering against gold classes (one label each).

    Examples
    --------
    Five items in gold classes {1, 2, 3} and {4, 5}, predicted as {1, 2} and {3, 4, 5}:
    precision = (1 + 1 + 1/3 + 2/3 + 2/3) / 5, recall = (2/3 + 2/3 + 1/3 + 1 + 1) / 5.

    >>> bcubed(["a", "a", "a", "b", "b"], [1, 1, 2, 2, 2])
    BCubed(precision=0.7333333333333333, recall=0.7333333333333333, f1=0.7333333333333333)
    >>> bcubed([1, 1, 2], [7, 8, 9])  # all singletons: perfect precision
    BCubed(precision=1.0, recall=0.6666666666666666, f1=0.8)
    """
    true = pd.factorize(pd.Series(list(labels_true), dtype=object))[0]
    pred = pd.factorize(pd.Series(list(labels_pred), dtype=object))[0]
    if len(true) != len(pred):
        raise ParameterError(f"labels_true has {len(true)} items, labels_pred {len(pred)}.")
    if len(true) == 0:
        raise ParameterError("bcubed() needs at least one item.")
    if (true < 0).any() or (pred < 0).any():
        raise ParameterError("labels must not be missing; give unassigned items labels of "
                             "their own (see evaluate_clustering).")
    # Contingency counts: items per (gold, predicted) cell, per gold class, per cluster.
    cell = pd.Series(1, index=pd.MultiIndex.from_arrays([true, pred])).groupby(level=[0, 1]).sum()
    both = cell.loc[list(zip(true, pred, strict=True))].to_numpy(float)
    precision = float(np.mean(both / np.bincount(pred)[pred]))
    recall = float(np.mean(both / np.bincount(true)[true]))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1)


@dataclass(frozen=True)
class ClusteringEvaluation:
    """Scores of a predicted grouping against gold events (see :func:`evaluate_clustering`).

    Attributes
    ----------
    table : DataFrame
        ``measure, value``: BCubed precision/recall/F1 over the gold items, the same precision
        counting distractors in a gold item's cluster as errors (``bcubed_precision_strict``
        and ``bcubed_f1_strict``), the adjusted Rand index, and counts.
    params : dict
        Column names used.
    """

    table: pd.DataFrame
    params: dict = field(default_factory=dict)

    def __getitem__(self, measure: str) -> float:
        return float(self.table.set_index("measure").loc[measure, "value"])

    def summary(self) -> pd.DataFrame:
        """The table (renders in Jupyter; ``.to_markdown()``/``.to_latex()`` to export)."""
        return self.table.copy()


def evaluate_clustering(data: pd.DataFrame, *, gold: str = "gold_event",
                        pred: str = "event_id") -> ClusteringEvaluation:
    """Compare predicted events with gold events, with or without distractor documents.

    Parameters
    ----------
    data : DataFrame
        One row per document. Rows with an empty or missing ``gold`` are distractors: they are
        not scored, but they count against precision in the *strict* measures when they share
        a predicted event with a gold item.
    gold, pred : str
        Columns of gold and predicted event ids. Documents with an empty or missing predicted
        id are singletons (each its own cluster), never one shared "none" cluster.

    Returns
    -------
    ClusteringEvaluation

    Examples
    --------
    >>> data = pd.DataFrame({"gold_event": ["e1", "e1", "e2", "e2", ""],
    ...                      "event_id": ["x", "x", "y", "", "y"]})
    >>> result = evaluate_clustering(data)
    >>> result["bcubed_precision"], result["bcubed_recall"], result["contaminated_clusters"]
    (1.0, 0.75, 1.0)
    """
    require_columns(data, [gold, pred], table="events")
    gold_ids = data[gold].fillna("").astype(str).to_numpy()
    pred_ids = data[pred].fillna("").astype(str).to_numpy().astype(object)
    # Unassigned documents are singletons: give each a cluster id of its own.
    none = np.flatnonzero(pred_ids == "")
    pred_ids[none] = [f"\x00singleton-{i}" for i in none]
    scored = gold_ids != ""
    if not scored.any():
        raise ParameterError(f"column {gold!r} has no gold event ids to evaluate against.")
    b3 = bcubed(gold_ids[scored], pred_ids[scored])
    # Strict precision: all members of the predicted cluster count, distractors included.
    size_all = pd.Series(pred_ids).value_counts()
    pairs = pd.Series(1, index=pd.MultiIndex.from_arrays(
        [gold_ids[scored], pred_ids[scored]])).groupby(level=[0, 1]).sum()
    same = pairs.loc[list(zip(gold_ids[scored], pred_ids[scored], strict=True))].to_numpy(float)
    strict_p = float(np.mean(same / size_all.loc[pred_ids[scored]].to_numpy(float)))
    strict_f1 = 2 * strict_p * b3.recall / (strict_p + b3.recall) if strict_p + b3.recall else 0.
    gold_clusters = set(pred_ids[scored])
    contaminated = sum(1 for c in gold_clusters
                       if (pred_ids[~scored] == c).any()) if (~scored).any() else 0
    rows = [
        ("bcubed_precision", b3.precision), ("bcubed_recall", b3.recall), ("bcubed_f1", b3.f1),
        ("bcubed_precision_strict", strict_p), ("bcubed_f1_strict", strict_f1),
        ("adjusted_rand_index", adjusted_rand_score(gold_ids[scored], pred_ids[scored])),
        ("gold_items", int(scored.sum())), ("gold_events", len(set(gold_ids[scored]))),
        ("predicted_clusters_with_gold_items", len(gold_clusters)),
        ("contaminated_clusters", contaminated), ("distractors", int((~scored).sum())),
    ]
    table = pd.DataFrame(rows, columns=["measure", "value"])
    table["value"] = table["value"].astype(float)
    return ClusteringEvaluation(table=table, params={"gold": gold, "pred": pred})
