"""The assignments table that both modes produce: ``doc_id, event_id, score``.

One row per (document, event) assignment; a document in no event has one row with an empty
``event_id``. :func:`attach_events` joins it onto a documents table for the coverage tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import require_columns

__all__ = ["ASSIGNMENT_COLUMNS", "make_assignments", "attach_events"]

#: Columns of the assignments table, in order.
ASSIGNMENT_COLUMNS = ("doc_id", "event_id", "score")


def make_assignments(doc_ids: Sequence[str], scores: np.ndarray, event_ids: Sequence[str],
                     assigned: np.ndarray) -> pd.DataFrame:
    """Build the assignments table from a (documents x events) score matrix and decisions.

    A document assigned to no event gets one row with ``event_id == ""`` and its best score.

    Examples
    --------
    >>> scores = np.array([[0.3, 0.2], [0.01, 0.0]])
    >>> make_assignments(["a", "b"], scores, ["x", "y"], scores >= 0.1).values.tolist()
    [['a', 'x', 0.3], ['a', 'y', 0.2], ['b', '', 0.01]]
    """
    doc_ids = np.asarray(doc_ids, dtype=object)
    scores = np.asarray(scores, dtype=float)
    assigned = np.asarray(assigned, dtype=bool)
    rows, cols = np.nonzero(assigned)
    hits = pd.DataFrame({"doc_id": doc_ids[rows],
                         "event_id": np.asarray(event_ids, dtype=object)[cols],
                         "score": scores[rows, cols], "_order": rows})
    none = np.flatnonzero(~assigned.any(axis=1))
    best = scores[none].max(axis=1) if scores.shape[1] else np.zeros(len(none))
    misses = pd.DataFrame({"doc_id": doc_ids[none], "event_id": "", "score": best,
                           "_order": none})
    table = pd.concat([hits, misses], ignore_index=True)
    table = table.sort_values(["_order", "score"], ascending=[True, False], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def attach_events(data: pd.DataFrame, assignments: pd.DataFrame, *,
                  keep_unassigned: bool = False) -> pd.DataFrame:
    """Join the assignments onto a documents table: one row per (document, event).

    Parameters
    ----------
    data : DataFrame
        Documents (any columns, ``doc_id`` required).
    assignments : DataFrame
        ``doc_id, event_id, score`` as made by either mode; ``score`` becomes ``event_score``.
    keep_unassigned : bool
        Keep documents in no event (with an empty ``event_id``).

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["CNN", "TASS"]})
    >>> table = pd.DataFrame({"doc_id": ["a", "a", "b"], "event_id": ["x", "y", ""],
    ...                       "score": [0.3, 0.2, 0.0]})
    >>> attach_events(docs, table)[["doc_id", "outlet", "event_id"]].values.tolist()
    [['a', 'CNN', 'x'], ['a', 'CNN', 'y']]
    """
    require_columns(data, ["doc_id"], table="documents")
    require_columns(assignments, ASSIGNMENT_COLUMNS, table="assignments")
    table = assignments[list(ASSIGNMENT_COLUMNS)].rename(columns={"score": "event_score"})
    table = table.assign(event_id=table["event_id"].fillna("").astype(str))
    if not keep_unassigned:
        table = table[table["event_id"] != ""]
    base = data.drop(columns=[c for c in ("event_id", "event_score") if c in data])
    return base.merge(table, on="doc_id", how="inner", validate="one_to_many")
