"""Validation of codebook decisions against human codes.

:func:`validate_codes` joins a doc_frames table with any human-coded file (one row per document,
one column per variable, named as the frames or their ``aliases`` in the codebook) and returns a
:class:`ValidationResult`: precision, recall and F1 per label, accuracy and macro-F1 per variable,
confusion tables, and every disagreement with the evidence the engine used, for review.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from ..errors import SchemaError
from ..schema import require_columns
from .codebook import Codebook, load_codebook

__all__ = ["ValidationResult", "validate_codes"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationResult:
    """Agreement between codebook decisions and human codes.

    Attributes
    ----------
    table : DataFrame
        One row per variable and label: ``variable, label, precision, recall, f1, support``
        (support = documents with that human label).
    pairs : DataFrame
        One row per document and variable: ``doc_id, variable, gold, predicted, score,
        evidence`` (plus ``note`` when the human-coded file has one).
    params : dict
        What was compared (codebook, id column, variables, documents without predictions).
    """

    table: pd.DataFrame
    pairs: pd.DataFrame
    params: dict

    def summary(self) -> pd.DataFrame:
        """One row per variable: ``n``, ``accuracy``, ``macro_f1`` (over the labels the humans
        used), and for present/absent variables the ``precision``, ``recall`` and ``f1`` of
        ``present``. Export with ``.to_markdown()`` or ``.to_latex()``."""
        rows = []
        for variable, pairs in self.pairs.groupby("variable", sort=False):
            per = self.table[self.table["variable"] == variable]
            used = per[per["support"] > 0]
            row = {"variable": variable, "n": len(pairs),
                   "accuracy": round(float((pairs["gold"] == pairs["predicted"]).mean()), 3),
                   "macro_f1": round(float(used["f1"].mean()), 3) if len(used) else float("nan")}
            present = per[per["label"] == "present"]
            if len(present):
                row.update(precision=float(present["precision"].iloc[0]),
                           recall=float(present["recall"].iloc[0]),
                           f1=float(present["f1"].iloc[0]))
            rows.append(row)
        return pd.DataFrame(rows)

    def confusion(self, variable: str) -> pd.DataFrame:
        """Human labels (rows) by engine labels (columns) for one variable, with totals."""
        pairs = self.pairs[self.pairs["variable"] == variable]
        if pairs.empty:
            raise SchemaError(f"no variable {variable!r}; validated: "
                              f"{list(self.pairs['variable'].unique())}.")
        return pd.crosstab(pairs["gold"].rename("human"), pairs["predicted"].rename("engine"),
                           margins=True, margins_name="total")

    @property
    def disagreements(self) -> pd.DataFrame:
        """The document-variable pairs where engine and humans differ, with the evidence."""
        return self.pairs[self.pairs["gold"] != self.pairs["predicted"]].reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"ValidationResult(variables={list(self.pairs['variable'].unique())}, "
                f"disagreements={len(self.disagreements)})")


def _read(gold) -> pd.DataFrame:
    if isinstance(gold, pd.DataFrame):
        return gold.copy()
    return pd.read_csv(os.fspath(gold), dtype=str, keep_default_na=False)


def validate_codes(predicted, gold, *, codebook: str | Codebook | None = None,
                   id_column: str = "doc_id", variables: list[str] | None = None
                   ) -> ValidationResult:
    """Compare codebook decisions with human codes.

    Parameters
    ----------
    predicted : CodingResult or DataFrame
        A :class:`~framing.frames.CodingResult` or a doc_frames table
        (``doc_id, frame, label`` and optionally ``score, evidence``).
    gold : DataFrame or path
        Human codes, one row per document: the id column and one column per variable, named as
        a frame or one of its ``aliases``; values may be labels or their ``label_aliases``
        (e.g. 1/0 for present/absent). Empty cells are skipped. An optional ``note`` column is
        carried into :attr:`ValidationResult.pairs`.
    codebook : str or Codebook, optional
        Needed to map aliases; taken from ``predicted`` when it is a CodingResult.
    variables : list of str, optional
        Frames to validate (default: every frame with a column in ``gold``).

    Returns
    -------
    ValidationResult
        For frames that depend on another (voice, stance), a second variable
        ``"<frame> | <of>=present"`` restricts the comparison to documents the humans coded as
        having that frame.

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"doc_id": ["a", "b", "c"], "frame": "iraq_2003_analogy",
    ...                      "label": ["present", "absent", "present"]})
    >>> gold = pd.DataFrame({"doc_id": ["a", "b", "c"], "iraq_analogy": [1, 0, 0]})
    >>> res = validate_codes(pred, gold, codebook="syria-2017")
    >>> res.summary()[["variable", "n", "precision", "recall", "f1"]].values.tolist()
    [['iraq_2003_analogy', 3, 0.5, 1.0, 0.667]]
    """
    if hasattr(predicted, "table") and hasattr(predicted, "codebook"):
        codebook = codebook or predicted.codebook
        predicted = predicted.table
    book = load_codebook(codebook) if codebook is not None else None
    require_columns(predicted, ["doc_id", "frame", "label"], table="doc_frames")
    gold = _read(gold)
    require_columns(gold, [id_column], table="human codes")
    gold[id_column] = gold[id_column].astype(str)
    columns = {}
    for column in gold.columns:
        frame = book.frame_for(column) if book else None
        name = frame.name if frame else column
        if name in set(predicted["frame"]) and (variables is None or name in variables):
            columns[name] = (column, frame)
    if not columns:
        raise SchemaError(f"no column of the human codes {list(gold.columns)} names a frame of "
                          f"the predictions {sorted(set(predicted['frame']))} (or an alias).")
    pred = predicted.set_index(["doc_id", "frame"])
    ids = set(predicted["doc_id"].astype(str))
    missing = sorted(set(gold[id_column]) - ids)
    if missing:
        logger.warning("%d coded document(s) have no prediction and are skipped, e.g. %s",
                       len(missing), missing[0])
    coded = gold[gold[id_column].isin(ids)]
    pairs = []
    for name, (column, frame) in columns.items():
        for _, row in coded.iterrows():
            value = frame.normalise_label(row[column]) if frame else (str(row[column]) or None)
            if value is None:
                continue
            p = pred.loc[(row[id_column], name)]
            pairs.append({"doc_id": row[id_column], "variable": name, "gold": value,
                          "predicted": p["label"], "score": p.get("score", float("nan")),
                          "evidence": p.get("evidence", ""),
                          **({"note": row["note"]} if "note" in gold.columns else {})})
    pairs = pd.DataFrame(pairs)
    if book is not None:  # dependent frames, restricted to documents coded with their frame
        extra = []
        for name in list(columns):
            of = book.frames[name].options.get("of")
            if of in columns:
                positive = set(pairs.loc[(pairs["variable"] == of)
                                         & (pairs["gold"] == "present"), "doc_id"])
                sub = pairs[(pairs["variable"] == name) & pairs["doc_id"].isin(positive)].copy()
                sub["variable"] = f"{name} | {of}=present"
                extra.append(sub)
        pairs = pd.concat([pairs, *extra], ignore_index=True)
    table = []
    for variable, group in pairs.groupby("variable", sort=False):
        labels = sorted(set(group["gold"]) | set(group["predicted"]))
        p, r, f, s = precision_recall_fscore_support(group["gold"], group["predicted"],
                                                     labels=labels, zero_division=0)
        table.extend({"variable": variable, "label": lab, "precision": round(float(a), 3),
                      "recall": round(float(b), 3), "f1": round(float(c), 3), "support": int(d)}
                     for lab, a, b, c, d in zip(labels, p, r, f, s, strict=True))
    return ValidationResult(pd.DataFrame(table), pairs.reset_index(drop=True),
                            {"codebook": book.name if book else None, "id_column": id_column,
                             "variables": list(columns), "missing_predictions": missing})
