"""How well do predicted frames agree with human codes? :func:`evaluate_frames`.

The report (:class:`FrameEvaluation`) has

* per frame: support, predicted count, precision, recall and F1, each with a percentile
  bootstrap interval (documents resampled with replacement, seeded);
* ``micro`` (pooled over frames) and ``macro`` (mean over frames) F1, precision and recall,
  and for single-label schemes accuracy, with intervals from the same resamples;
* the confusion between frames (:attr:`FrameEvaluation.confusion`): rows are the human
  frames, columns the predicted ones, and cell (i, j) counts the documents that humans coded
  with frame i **and** the classifier gave frame j. For a single-label scheme this is the
  usual confusion matrix. For a multi-label scheme it is the co-occurrence of true and
  predicted frames: the diagonal holds the true positives, an off-diagonal cell (i, j) says how
  often frame j was predicted on documents about frame i -- which includes documents that
  legitimately carry both, so read it beside the true co-occurrence of frames
  (:attr:`FrameEvaluation.true_cooccurrence`). Two extra columns count the documents with
  frame i that got no predicted frame (``(none)``) and the row totals (``n_true``);
* a breakdown by any group column (e.g. outlet; :attr:`FrameEvaluation.by_group`): documents,
  accuracy (exact match of the frame set for multi-label schemes), per-frame-decision
  accuracy (1 - Hamming loss), micro- and macro-F1.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError
from ..results import Summary, SummaryExports

__all__ = ["FrameEvaluation", "evaluate_frames", "cross_val_predict_frames"]

logger = logging.getLogger(__name__)


def _as_matrix(y, classes: Sequence[str] | None, name: str) -> tuple[np.ndarray, list, bool]:
    """Labels -> (0/1 matrix, classes, multilabel)."""
    if isinstance(y, pd.DataFrame):
        cols = list(y.columns) if classes is None else list(classes)
        missing = [c for c in cols if c not in y.columns]
        if missing:
            raise SchemaError(f"{name}: no column(s) {missing}; found {list(y.columns)}.")
        return y[cols].to_numpy().astype(int), cols, True
    arr = np.asarray(y, dtype=object) if not isinstance(y, np.ndarray) else y
    if arr.ndim == 2 and arr.dtype != object:
        cols = list(classes) if classes is not None else list(range(arr.shape[1]))
        if len(cols) != arr.shape[1]:
            raise SchemaError(f"{name}: {arr.shape[1]} columns but {len(cols)} frames.")
        return arr.astype(int), cols, True
    items = list(y)
    if items and isinstance(items[0], (list, tuple, set, frozenset)):
        cols = (list(classes) if classes is not None
                else sorted({str(f) for i in items for f in i}))
        pos = {c: k for k, c in enumerate(cols)}
        out = np.zeros((len(items), len(cols)), dtype=int)
        for r, labels in enumerate(items):
            for f in labels:
                if f not in pos:
                    raise SchemaError(f"{name}: row {r + 1} has frame {f!r}, not one of {cols}.")
                out[r, pos[f]] = 1
        return out, cols, True
    labels = np.asarray(items, dtype=object).astype(str)
    cols = list(classes) if classes is not None else sorted(set(labels))
    pos = {c: k for k, c in enumerate(cols)}
    out = np.zeros((len(labels), len(cols)), dtype=int)
    for r, lab in enumerate(labels):
        if lab not in pos:
            raise SchemaError(f"{name}: row {r + 1} has label {lab!r}, not one of {cols}.")
        out[r, pos[lab]] = 1
    return out, cols, False


def _prf(tp, fp, fn):
    """Precision, recall, F1 from counts (arrays broadcast); 0 where undefined (as sklearn's
    ``zero_division=0``)."""
    tp, fp, fn = (np.asarray(a, dtype=float) for a in (tp, fp, fn))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return p, r, f


class FrameEvaluation(SummaryExports):
    """Agreement of predicted frames with human codes (see the module docstring).

    Attributes
    ----------
    table : DataFrame
        One row per frame, then ``micro`` and ``macro`` (and ``accuracy`` for single-label
        schemes): ``frame, support, predicted, precision, precision_low, precision_high,
        recall, recall_low, recall_high, f1, f1_low, f1_high``.
    confusion : DataFrame
        Human frames (rows) by predicted frames (columns), plus ``(none)`` and ``n_true``.
    true_cooccurrence : DataFrame
        Documents coded with both frames i and j by the humans.
    by_group : DataFrame or None
        ``group, n_docs, accuracy, label_accuracy, micro_f1, macro_f1`` per group.
    params : dict
        ``n_docs``, ``multilabel``, ``n_boot``, ``confidence``, ``random_state``, ``group``.
    """

    def __init__(self, table, confusion, true_cooccurrence, by_group, params):
        self._table = table
        self.confusion = confusion
        self.true_cooccurrence = true_cooccurrence
        self.by_group = by_group
        self.params = dict(params)

    @property
    def table(self) -> pd.DataFrame:
        """The per-frame and overall table (a copy)."""
        return self._table.copy()

    def metric(self, name: str, row: str = "micro") -> float:
        """One number of :attr:`table`, e.g. ``metric("f1", "micro")``."""
        rows = self._table.set_index("frame")
        if row not in rows.index or name not in rows.columns:
            raise ParameterError(f"no {name!r} for {row!r}; rows {list(rows.index)}, "
                                 f"columns {list(rows.columns)}.")
        return float(rows.loc[row, name])

    @property
    def micro_f1(self) -> float:
        return self.metric("f1", "micro")

    @property
    def macro_f1(self) -> float:
        return self.metric("f1", "macro")

    @property
    def accuracy(self) -> float:
        """Accuracy (single-label) or exact-match ratio of the frame sets (multi-label)."""
        return float(self.params["accuracy"])

    def summary(self) -> Summary:
        """A :class:`~framing.results.Summary` of :attr:`table` with intervals as ``[lo, hi]``."""
        t = self._table
        level = f"{self.params['confidence']:.0%}"

        def ci(col):
            return [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi
                    in zip(t[col], t[f"{col}_low"], t[f"{col}_high"], strict=True)]

        shown = pd.DataFrame({"frame": t["frame"], "support": t["support"],
                              "predicted": t["predicted"], "precision": ci("precision"),
                              "recall": ci("recall"), "f1": ci("f1")})
        kind = "multi-label" if self.params["multilabel"] else "single-label"
        exact = "(exact match of frame sets) " if self.params["multilabel"] else ""
        notes = [f"{level} percentile bootstrap intervals over documents "
                 f"({self.params['n_boot']} resamples, random_state="
                 f"{self.params['random_state']}).",
                 f"{kind}; accuracy {exact}"
                 f"{self.accuracy:.3f} on {self.params['n_docs']} documents."]
        if not self.params["multilabel"]:
            notes.append("The 'accuracy' row holds accuracy in every metric column.")
        return Summary("Frame classification: agreement with human codes", shown,
                       {k: self.params[k] for k in ("n_docs", "multilabel")}, notes)

    def to_markdown(self) -> str:
        """Markdown: the summary table, the confusion table and the group breakdown."""
        parts = [self.summary().to_markdown(), "", "**Confusion between frames** (rows: human "
                 "frames; columns: predicted frames; "
                 + ("documents with both" if self.params["multilabel"] else "documents")
                 + ")", "", self.confusion.reset_index().to_markdown(index=False)]
        if self.by_group is not None:
            parts += ["", f"**By {self.params['group']}**", "",
                      self.by_group.to_markdown(index=False, floatfmt=".3f")]
        return "\n".join(parts) + "\n"

    def __repr__(self) -> str:
        return (f"<FrameEvaluation: {self.params['n_docs']} documents, "
                f"{len(self.confusion)} frames, micro-F1 {self.micro_f1:.3f}, "
                f"macro-F1 {self.macro_f1:.3f}>")


def evaluate_frames(y_true, y_pred, *, frames: Sequence[str] | None = None, groups=None,
                    group_name: str = "group", n_boot: int = 1000, confidence: float = 0.95,
                    random_state=0) -> FrameEvaluation:
    """Compare predicted frames with human codes.

    Parameters
    ----------
    y_true, y_pred : 0/1 matrices or DataFrames (multi-label), lists of frame-name lists
        (multi-label), or 1-D labels (single-label); both in the same form.
    frames : sequence of str, optional
        Frame names (the columns of 0/1 matrices, or the order of the rows of the table).
    groups : sequence, optional
        A group per document (e.g. the outlet) for :attr:`FrameEvaluation.by_group`.
    group_name : str
        What ``groups`` is called in the report.
    n_boot : int
        Bootstrap resamples of documents for the intervals (0: no intervals).
    confidence : float
        Coverage of the percentile intervals.
    random_state : int or numpy Generator
        Seeds the resampling.

    Returns
    -------
    FrameEvaluation

    Examples
    --------
    >>> res = evaluate_frames([["eco"], ["eco", "law"], ["law"], []],
    ...                       [["eco"], ["eco"], ["law", "eco"], []], n_boot=0)
    >>> res.table[["frame", "precision", "recall", "f1"]].round(3).values.tolist()[:2]
    [['eco', 0.667, 1.0, 0.8], ['law', 1.0, 0.5, 0.667]]
    >>> round(res.micro_f1, 3)
    0.75
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence!r}: must be in (0, 1).")
    T, classes, multi_t = _as_matrix(y_true, frames, "y_true")
    P, classes_p, multi_p = _as_matrix(y_pred, classes, "y_pred")
    if multi_t != multi_p:
        raise SchemaError("y_true and y_pred must both be multi-label or both single-label.")
    if T.shape != P.shape:
        raise SchemaError(f"y_true has shape {T.shape}, y_pred {P.shape}.")
    n, k = T.shape
    if n == 0:
        raise SchemaError("no documents to evaluate.")
    multilabel = multi_t
    classes = [str(c) for c in classes]
    TP, FP, FN = T & P, (1 - T) & P, T & (1 - P)

    def stats(w):
        """Metrics for document weights ``w`` (shape (B, n)); returns dict of (B, ...) arrays."""
        tp, fp, fn = w @ TP, w @ FP, w @ FN
        p, r, f = _prf(tp, fp, fn)
        mp, mr, mf = _prf(tp.sum(1), fp.sum(1), fn.sum(1))
        exact = w @ (T == P).all(axis=1) / w.sum(1)
        return {"p": p, "r": r, "f": f, "mp": mp, "mr": mr, "mf": mf, "Mp": p.mean(1),
                "Mr": r.mean(1), "Mf": f.mean(1), "acc": exact}

    point = {key: v[0] for key, v in stats(np.ones((1, n))).items()}
    rng = random_state if isinstance(random_state, np.random.Generator) \
        else np.random.default_rng(random_state)
    alpha = (1 - confidence) / 2
    if n_boot > 0:
        lo, hi = {}, {}
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
        boot = stats(weights)
        for key, v in boot.items():
            lo[key], hi[key] = np.quantile(v, [alpha, 1 - alpha], axis=0)
    else:
        lo = hi = {key: np.full_like(np.atleast_1d(v), np.nan, dtype=float)
                   for key, v in point.items()}

    rows = []
    for j, frame in enumerate(classes):
        rows.append({"frame": frame, "support": int(T[:, j].sum()),
                     "predicted": int(P[:, j].sum()),
                     **{f"{name}{suffix}": float(src[key][j]) for name, key in
                        (("precision", "p"), ("recall", "r"), ("f1", "f"))
                        for suffix, src in (("", point), ("_low", lo), ("_high", hi))}})
    for label, prefix in (("micro", "m"), ("macro", "M")):
        rows.append({"frame": label, "support": int(T.sum()), "predicted": int(P.sum()),
                     **{f"{name}{suffix}": float(np.squeeze(src[prefix + key]))
                        for name, key in (("precision", "p"), ("recall", "r"), ("f1", "f"))
                        for suffix, src in (("", point), ("_low", lo), ("_high", hi))}})
    if not multilabel:
        rows.append({"frame": "accuracy", "support": n, "predicted": n,
                     **{f"{name}{suffix}": float(np.squeeze(src["acc"]))
                        for name in ("precision", "recall", "f1")
                        for suffix, src in (("", point), ("_low", lo), ("_high", hi))}})
    table = pd.DataFrame(rows)

    confusion = pd.DataFrame(T.T @ P, index=pd.Index(classes, name="true"),
                             columns=pd.Index(classes, name="predicted"))
    confusion["(none)"] = (T * (P.sum(axis=1) == 0)[:, None]).sum(axis=0)
    confusion["n_true"] = T.sum(axis=0)
    cooc = pd.DataFrame(T.T @ T, index=pd.Index(classes, name="true"),
                        columns=pd.Index(classes, name="true_also"))

    by_group = None
    if groups is not None:
        g = pd.Series(np.asarray(groups, dtype=object)).fillna("(missing)").astype(str)
        if len(g) != n:
            raise SchemaError(f"groups has {len(g)} values for {n} documents.")
        out = []
        for name, idx in g.groupby(g, sort=True).indices.items():
            t, p = T[idx], P[idx]
            tp, fp, fn = (t & p).sum(0), ((1 - t) & p).sum(0), (t & (1 - p)).sum(0)
            _, _, f = _prf(tp, fp, fn)
            present = (t.sum(0) + p.sum(0)) > 0
            out.append({group_name: name, "n_docs": len(idx),
                        "accuracy": float((t == p).all(axis=1).mean()),
                        "label_accuracy": float((t == p).mean()),
                        "micro_f1": float(_prf(tp.sum(), fp.sum(), fn.sum())[2]),
                        "macro_f1": float(f[present].mean()) if present.any() else np.nan})
        by_group = pd.DataFrame(out).sort_values(["n_docs", group_name],
                                                 ascending=[False, True]).reset_index(drop=True)
    params = {"n_docs": n, "multilabel": multilabel, "n_boot": n_boot,
              "confidence": confidence,
              "random_state": random_state if not isinstance(random_state,
                                                             np.random.Generator) else "Generator",
              "group": group_name if groups is not None else None,
              "accuracy": float(point["acc"])}
    return FrameEvaluation(table, confusion, cooc, by_group, params)


def cross_val_predict_frames(estimator, texts, y, *, n_splits: int = 5, random_state=0):
    """Out-of-fold predictions of a frame classifier (stratified folds, see
    :func:`framing.frames.classifier.frame_folds`).

    Each fold clones ``estimator`` and fits it on the other folds only (the estimator's own
    calibration and threshold tuning happen inside that training part).

    Returns
    -------
    pred : ndarray
        0/1 matrix (multi-label) or labels (single-label), in the order of ``texts``.
    proba : ndarray
        Predicted probabilities, shape ``(n_docs, n_classes)``.
    fold : ndarray of int
        Fold of each document.
    """
    from sklearn.base import clone

    from .classifier import frame_folds

    texts = list(texts)
    if isinstance(y, pd.DataFrame):
        Y = y.reset_index(drop=True)
        enc = Y.to_numpy()
    else:
        Y = y
        enc = np.asarray(y)
    folds, method = frame_folds(enc, n_splits=n_splits, random_state=random_state)
    logger.info("cross-validation: %d folds (%s stratification)", n_splits, method)
    pred = proba = None
    fold = np.empty(len(texts), dtype=int)
    for k, (train, test) in enumerate(folds):
        model = clone(estimator)
        y_train = Y.iloc[train] if isinstance(Y, pd.DataFrame) else np.asarray(Y)[train]
        model.fit([texts[i] for i in train], y_train)
        p = model.predict([texts[i] for i in test])
        pr = model.predict_proba([texts[i] for i in test])
        if pred is None:
            pred = np.empty((len(texts), *p.shape[1:]), dtype=p.dtype if p.ndim == 2
                            else object)
            proba = np.empty((len(texts), pr.shape[1]))
        pred[test], proba[test], fold[test] = p, pr, k
    return pred, proba, fold
