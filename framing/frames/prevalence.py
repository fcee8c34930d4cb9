"""Frame shares per outlet (or group) corrected for classifier error with a human-coded sample.

A classifier that misses some frames and sees others that are not there gives biased shares:
with sensitivity ``se`` and specificity ``sp`` the expected share of positive predictions is
``q = se * p + (1 - sp) * (1 - p)``, not the true share ``p``. Comparing outlets on ``q`` also
compares how the classifier errs on them. :func:`estimate_prevalence` corrects the share with a
validation sample that humans coded, by two methods:

``rogan-gladen`` (adjusted classify-and-count)
    ``p = (q + sp - 1) / (se + sp - 1)`` (Rogan & Gladen 1978, "Estimating prevalence from the
    results of a screening test", American Journal of Epidemiology 107:71-76; Forman 2008,
    "Quantifying counts and costs via classification", Data Mining and Knowledge Discovery
    17:164-206), with ``se`` and ``sp`` estimated from the validation sample (pooled over groups
    or per group) or given (e.g. cross-validated error rates). The interval is a percentile
    bootstrap that resamples both the human-coded documents (within each group) and the other
    documents of each group, so that it carries the uncertainty of the error rates and of the
    share. Estimates and bounds are clipped to [0, 1] (the formula can leave it); the rows say
    so.
``ppi`` (prediction-powered inference)
    ``p = mean_N(f) - mean_n(f - y)``: the mean prediction over the group's ``N`` documents
    minus the mean error (the *rectifier*) on its ``n`` human-coded documents, with the central
    limit interval ``p ± z * sqrt(s2_f / N + s2_(f-y) / n)`` (Angelopoulos, Bates, Fannjiang,
    Jordan & Zrnic 2023, "Prediction-powered inference", Science 382:669-674, mean estimation).
    Because the coded documents are also among the ``N`` (a sample drawn from the corpus), the
    variance gets the term ``- 2 cov(f, f - y) / N`` that this overlap adds (it vanishes when
    ``n`` is small next to ``N``). The rectifier is always estimated within the group, so PPI
    needs no assumption that error rates transport across outlets, but needs coded documents
    from every group. Bounds are clipped to [0, 1].

Assumptions
-----------
- The estimand is the probability that a document of the group carries the frame (the corpus is
  a sample of what the outlet publishes); the group's own documents are resampled for it.
- The human codes are the truth (adjudicated codes; check their agreement with
  :func:`~framing.frames.reliability.reliability`).
- The coded documents are a random sample of the group's documents (stratified samples: pass
  the design weights, ``weight="weight"`` of a coding sheet).
- ``error_rates="pooled"`` assumes sensitivity and specificity are the same in every group: the
  classifier errs as often on one outlet's articles as on another's. Outlets differ in style and
  vocabulary, so check it: ``error_rates="by_group"`` estimates them per group when the sample
  has enough coded positives and negatives in each group (at least ``min_class_count``), and
  :attr:`CorrectedPrevalence.error_rates` lists them for comparison.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationWarning, ParameterError, SchemaError, SmallCellWarning
from ..inference import make_rng, resolve_random_state, wilson_interval
from ..results import ComparisonResult, Summary, SummaryExports
from ..schema import require_columns

__all__ = [
    "PREVALENCE_METHODS",
    "PREVALENCE_COLUMNS",
    "rogan_gladen",
    "ppi_mean",
    "estimate_prevalence",
    "error_rates",
    "CorrectedPrevalence",
]

logger = logging.getLogger(__name__)

#: Corrections accepted by ``methods=`` (the naive share is always reported).
PREVALENCE_METHODS = ("rogan-gladen", "ppi")
#: Columns of :attr:`CorrectedPrevalence.table`.
PREVALENCE_COLUMNS = ("group", "frame", "method", "n_docs", "n_labelled", "naive", "estimate",
                      "ci_low", "ci_high", "sensitivity", "specificity")
_DESCRIPTIONS = {
    "naive": "share of documents the classifier labels positive; Wilson interval (ignores "
             "classifier error)",
    "rogan-gladen": "Rogan-Gladen adjusted classify-and-count; percentile bootstrap over coded "
                    "and corpus documents; clipped to [0, 1]",
    "ppi": "prediction-powered inference (Angelopoulos et al. 2023), rectifier within group; "
           "CLT interval; clipped to [0, 1]",
}
_POSITIVE = {"1", "true", "yes", "present", "y", "t"}
_NEGATIVE = {"0", "false", "no", "absent", "n", "f"}


# ---------------------------------------------------------------------------------- formulas
def rogan_gladen(share, sensitivity, specificity, *, clip: bool = True):
    """Rogan-Gladen estimate of the true share from the share of positive classifications.

    ``(share + specificity - 1) / (sensitivity + specificity - 1)``; NaN where the classifier is
    no better than chance (``sensitivity + specificity <= 1``).

    Examples
    --------
    >>> round(float(rogan_gladen(0.3125, 0.8, 0.85)), 6)  # 0.25 * 0.8 + 0.75 * 0.15 = 0.3125
    0.25
    """
    share, se, sp = (np.asarray(x, dtype=float) for x in (share, sensitivity, specificity))
    youden = se + sp - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(youden > 0, (share + sp - 1) / youden, np.nan)
    return np.clip(value, 0.0, 1.0) if clip else value


def _ppi_groups(n_docs, positives, g, f, y, w, n_groups: int, z: float):
    """PPI estimate and interval per group (arrays over groups); labelled docs are in the
    groups' documents."""
    n = np.bincount(g, minlength=n_groups).astype(float)
    total_w = np.bincount(g, weights=w, minlength=n_groups)
    delta = f - y
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_delta = np.bincount(g, weights=w * delta, minlength=n_groups) / total_w
        mean_f = np.bincount(g, weights=w * f, minlength=n_groups) / total_w
        resid = delta - mean_delta[g]
        correction = n / (n - 1)
        var_delta = correction * np.bincount(g, weights=(w * resid) ** 2,
                                             minlength=n_groups) / total_w ** 2
        cov = correction * np.bincount(g, weights=w * (f - mean_f[g]) * resid,
                                       minlength=n_groups) / total_w
        q = positives / n_docs
        var_f = q * (1 - q) * n_docs / (n_docs - 1)
        variance = var_f / n_docs + var_delta - 2 * cov / n_docs
    estimate = q - mean_delta
    half = z * np.sqrt(np.maximum(variance, 0.0))
    bad = (n < 2) | (n_docs < 2)
    estimate, low, high = (np.where(bad, np.nan, x) for x in
                           (estimate, estimate - half, estimate + half))
    return estimate, low, high


def ppi_mean(predictions, labelled_predictions, labels, *, confidence: float = 0.95,
             overlap: bool = False) -> tuple[float, float, float]:
    """Prediction-powered estimate of a mean with its CLT interval (Angelopoulos et al. 2023).

    Parameters
    ----------
    predictions : array-like
        Predictions ``f`` on the unlabelled documents (all documents when ``overlap``).
    labelled_predictions, labels : array-like
        Predictions and true values on the labelled documents.
    confidence : float
    overlap : bool
        The labelled documents are among ``predictions`` (a sample drawn from the corpus): the
        variance gets the covariance term this adds.

    Returns
    -------
    (estimate, ci_low, ci_high), not clipped.

    Examples
    --------
    >>> est, low, high = ppi_mean([1, 0, 0, 1, 1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 0, 0])
    >>> est  # 0.5 - mean([0, 0, 1, 0])
    0.25
    """
    f_all = np.asarray(predictions, dtype=float)
    f, y = np.asarray(labelled_predictions, dtype=float), np.asarray(labels, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    if overlap:
        est, low, high = _ppi_groups(np.array([len(f_all)], dtype=float),
                                     np.array([f_all.sum()]), np.zeros(len(f), dtype=np.int64),
                                     f, y, np.ones(len(f)), 1, z)
        return float(est[0]), float(low[0]), float(high[0])
    n, big_n = len(f), len(f_all)
    estimate = f_all.mean() - (f - y).mean()
    half = z * np.sqrt(f_all.var(ddof=1) / big_n + (f - y).var(ddof=1) / n)
    return float(estimate), float(estimate - half), float(estimate + half)


# ---------------------------------------------------------------------------------- inputs
def _binary(values: pd.Series, positive, what: str) -> np.ndarray:
    """0/1 (NaN for missing) from labels such as present/absent, 1/0, True/False."""
    positives = _POSITIVE | {str(positive).strip().casefold()}
    codes, uniques = pd.factorize(values, use_na_sentinel=True)  # label each distinct value once
    mapped, odd = np.full(len(uniques) + 1, np.nan), []
    for i, value in enumerate(uniques):
        text = str(int(value) if isinstance(value, (bool, np.bool_)) else value).strip().casefold()
        if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
            text = text[:-2]
        if text in positives:
            mapped[i] = 1.0
        elif text in _NEGATIVE:
            mapped[i] = 0.0
        elif text not in ("", "nan", "<na>", "none"):
            odd.append(text)
    if odd:
        odd = sorted(odd)[:5]
        raise SchemaError(f"{what} holds {odd}; expected binary labels ({positive!r} or 1/true "
                          "for the frame, absent/0/false otherwise). For a frame variable with "
                          "several labels, make one present/absent column per label first.")
    return mapped[codes]  # the NaN sentinel -1 picks the last slot, NaN


def _validation_long(validation: pd.DataFrame, frames: list[str], *, frame: str, truth: str,
                     weight: str | None, positive) -> pd.DataFrame:
    require_columns(validation, ["doc_id"], table="validation")
    if weight is not None:
        require_columns(validation, [weight], table="validation")
    if frame in validation.columns:
        require_columns(validation, [frame, truth], table="validation (long)")
        long = pd.DataFrame({"doc_id": validation["doc_id"].astype(str),
                             "frame": validation[frame].astype(str),
                             "y": _binary(validation[truth], positive, f"validation {truth!r}")})
        if weight is not None:
            long["w"] = pd.to_numeric(validation[weight], errors="coerce").to_numpy()
    else:
        columns = [c for c in frames if c in validation.columns]
        if not columns:
            raise SchemaError(f"the validation table has neither a {frame!r} column (long "
                              f"format) nor a column named as a frame {frames[:8]} (one row per "
                              f"document); found {list(validation.columns)}.")
        parts = []
        for name in columns:
            part = pd.DataFrame({"doc_id": validation["doc_id"].astype(str), "frame": name,
                                 "y": _binary(validation[name], positive,
                                              f"validation column {name!r}")})
            if weight is not None:
                part["w"] = pd.to_numeric(validation[weight], errors="coerce").to_numpy()
            parts.append(part)
        long = pd.concat(parts, ignore_index=True)
    if "w" not in long:
        long["w"] = 1.0
    if weight is not None and (~np.isfinite(long["w"]) | (long["w"] <= 0)).any():
        raise SchemaError(f"validation column {weight!r} must hold positive weights.")
    long = long[np.isfinite(long["y"])]
    dup = long.duplicated(["doc_id", "frame"])
    if dup.any():
        raise SchemaError(f"validation codes document {long.loc[dup, 'doc_id'].iloc[0]!r} twice "
                          "for the same frame; adjudicate first (framing.frames.adjudicate).")
    return long.reset_index(drop=True)


# ---------------------------------------------------------------------------------- result
@dataclass(frozen=True)
class CorrectedPrevalence(SummaryExports):
    """Frame shares per group: naive and corrected for classifier error.

    Attributes
    ----------
    table : DataFrame
        One row per group, frame and method (:data:`PREVALENCE_COLUMNS`): ``n_docs`` classified
        documents, ``n_labelled`` human-coded ones, the ``naive`` share, the ``estimate`` of the
        method with ``ci_low``/``ci_high``, and the ``sensitivity``/``specificity`` used by
        Rogan-Gladen.
    error_rates : DataFrame
        Error rates from the coded documents, per frame for all groups (``group == "*"``) and per
        group: ``n_labelled, n_positive, n_negative, sensitivity, specificity``.
    params : dict
    notes : tuple of str
    """

    table: pd.DataFrame
    error_rates: pd.DataFrame
    params: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> Summary:
        """A :class:`~framing.results.Summary` of :attr:`table`, methods described below it."""
        methods = [f"{m}: {_DESCRIPTIONS[m]}" for m in pd.unique(self.table["method"])]
        return Summary("Frame shares corrected for classifier error", self.table, self.params,
                       (*methods, *self.notes))

    def __repr__(self) -> str:
        return (f"CorrectedPrevalence({self.table['group'].nunique()} groups x "
                f"{self.table['frame'].nunique()} frames, methods "
                f"{list(pd.unique(self.table['method']))})")

    def to_comparison(self) -> ComparisonResult:
        """The rows as a :class:`~framing.results.ComparisonResult` (comparison schema, row kind
        = method), e.g. for :meth:`~framing.results.ComparisonResult.plot`."""
        t = self.table
        table = pd.DataFrame({"scope": "all", "group": t["group"], "reference": "",
                              "feature_kind": "frame", "feature": t["frame"],
                              "n_docs": t["n_docs"], "estimate": t["estimate"],
                              "ci_low": t["ci_low"], "ci_high": t["ci_high"],
                              "statistic": np.nan, "p_value": np.nan, "p_adjusted": np.nan,
                              "method": t["method"].map(_DESCRIPTIONS)})
        return ComparisonResult(table, kinds=list(t["method"]), params=self.params,
                                title="Frame shares corrected for classifier error",
                                notes=self.notes)


# ---------------------------------------------------------------------------------- bootstrap
def _resample_labelled(g, f, y, w, n_groups: int, n_resamples: int, rng, weighted: bool):
    """Bootstrap of the coded documents within each group: weighted confusion cells
    ``(B, G, 4)`` (tp, fn, fp, tn) and the (unweighted) positive predictions ``(B, G)``."""
    cells_of = np.stack([f * y, (1 - f) * y, f * (1 - y), (1 - f) * (1 - y)], axis=1)
    if not weighted:  # resampling documents = a multinomial draw over the four cells
        counts = np.zeros((n_groups, 4))
        np.add.at(counts, g, cells_of)
        n = counts.sum(axis=1)
        p = np.where(n[:, None] > 0, counts / np.maximum(n, 1)[:, None], 0.25)
        draws = rng.multinomial(n.astype(np.int64), p, size=(n_resamples, n_groups))
        return draws.astype(float), (draws[..., 0] + draws[..., 2]).astype(float)
    cells = np.zeros((n_resamples, n_groups, 4))
    predicted = np.zeros((n_resamples, n_groups))
    for k in np.unique(g):
        rows = np.flatnonzero(g == k)
        times = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)), size=n_resamples)
        cells[:, k] = times @ (cells_of[rows] * w[rows, None])
        predicted[:, k] = times @ f[rows]
    return cells, predicted


def _rates(cells: np.ndarray, pooled: bool):
    """Sensitivity and specificity from confusion cells ``(..., G, 4)``."""
    if pooled:
        cells = cells.sum(axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = cells[..., 0] / (cells[..., 0] + cells[..., 1])
        sp = cells[..., 3] / (cells[..., 3] + cells[..., 2])
    return se, sp


def _interval(values: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Percentile interval over axis 0, ignoring NaN; share of NaN resamples per column."""
    tail = (1 - confidence) / 2
    finite = np.isfinite(values)
    share_bad = 1 - finite.mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(values, [tail, 1 - tail], axis=0)
    enough = finite.sum(axis=0) >= max(10, 0.5 * len(values))
    return np.where(enough, low, np.nan), np.where(enough, high, np.nan), share_bad


# ---------------------------------------------------------------------------------- estimate
def estimate_prevalence(data: pd.DataFrame, *, validation: pd.DataFrame | None = None,
                        error_rates: str | pd.DataFrame = "pooled", by: str | None = "outlet",
                        frame: str = "frame", label: str = "label", truth: str = "truth",
                        weight: str | None = None, positive="present",
                        methods: Sequence[str] = PREVALENCE_METHODS,
                        frames: Sequence[str] | None = None, confidence: float = 0.95,
                        n_resamples: int = 2000, min_class_count: int = 10,
                        random_state=None) -> CorrectedPrevalence:
    """Frame share per group from classifier labels, corrected with human-coded documents.

    Parameters
    ----------
    data : DataFrame
        Classifier output, one row per document and frame: ``doc_id``, the ``by`` column,
        ``frame`` and ``label`` (``present``/``absent``, 1/0 or True/False). Build it from a
        doc_frames table with ``doc_frames.merge(documents[["doc_id", "outlet"]])``.
    validation : DataFrame, optional
        Human codes of a sample of the same documents: either long (``doc_id``, ``frame``,
        ``truth``) or one row per document with a column per frame (an adjudicated coding
        sheet). Empty codes are skipped. The coded documents must be in ``data`` (their
        predictions and groups are taken from it).
    error_rates : {"pooled", "by_group"} or DataFrame
        Where Rogan-Gladen takes sensitivity and specificity from: the coded documents of all
        groups together (``pooled``; assumes the rates transport across groups), those of each
        group (``by_group``), or a table of known rates, e.g. cross-validated: columns
        ``frame, sensitivity, specificity`` and optionally ``n_positive, n_negative`` (the counts
        behind them, resampled binomially in the bootstrap; without them the rates are taken as
        exact) and the ``by`` column (rates per group).
    by : str or None
        Group column (``None``: one group, ``"all"``).
    frame, label, truth : str
        Column names (frame and predicted label in ``data``; frame and human label in a long
        ``validation``).
    weight : str, optional
        Column of ``validation`` with design weights (``weight`` in a coding sheet): the error
        rates and the PPI rectifier become weighted means.
    positive : str
        The label that means "frame present" (besides 1/true/yes/present).
    methods : sequence of {"rogan-gladen", "ppi"}
        Corrections to report (the naive share is always reported).
    frames : sequence of str, optional
        Frames to estimate (default: every frame in ``data`` that has human codes, or every frame
        in the ``error_rates`` table).
    confidence : float
    n_resamples : int
        Bootstrap resamples for Rogan-Gladen.
    min_class_count : int
        Fewer coded positives or negatives than this in a group (``by_group``) or overall
        (``pooled``) raises a :class:`~framing.errors.SmallCellWarning`.
    random_state : int, Generator or None
        Seed of the bootstrap (one stream per frame).

    Returns
    -------
    CorrectedPrevalence

    Examples
    --------
    A classifier with sensitivity 0.8 and specificity 0.8, a true share of 0.2 (0.204 in this
    draw), and 600 of the 4000 documents coded by hand:

    >>> rng = np.random.default_rng(1)
    >>> truth = rng.random(4000) < 0.2
    >>> label = np.where(truth, rng.random(4000) < 0.8, rng.random(4000) < 0.2)
    >>> data = pd.DataFrame({"doc_id": np.arange(4000).astype(str), "outlet": "X",
    ...                      "frame": "blame", "label": label.astype(int)})
    >>> coded = pd.DataFrame({"doc_id": data["doc_id"][:600], "blame": truth[:600].astype(int)})
    >>> res = estimate_prevalence(data, validation=coded, random_state=0)
    >>> res.table[["method", "estimate", "ci_low", "ci_high"]].round(2).values.tolist()
    [['naive', 0.32, 0.31, 0.34], ['rogan-gladen', 0.2, 0.15, 0.25], ['ppi', 0.2, 0.16, 0.23]]
    """
    methods = list(methods)
    unknown = [m for m in methods if m not in PREVALENCE_METHODS]
    if unknown:
        raise ParameterError(f"methods {unknown}: use some of {PREVALENCE_METHODS}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    given_rates = isinstance(error_rates, pd.DataFrame)
    if not given_rates and error_rates not in ("pooled", "by_group"):
        raise ParameterError(f"error_rates={error_rates!r}: use 'pooled', 'by_group' or a "
                             "table of rates.")
    if validation is None and not given_rates:
        raise ParameterError("a correction needs human codes (validation=...) or a table of "
                             "error rates (error_rates=DataFrame).")
    if n_resamples < 100 and "rogan-gladen" in methods:
        raise ParameterError(f"n_resamples={n_resamples}: use at least 100 (1000+ for a 95% "
                             "interval).")
    require_columns(data, ["doc_id", frame, label, *([by] if by else [])], table="predictions")
    seed = resolve_random_state(random_state)
    z = stats.norm.ppf(0.5 + confidence / 2)
    if by:
        codes, uniques = pd.factorize(data[by], sort=True)
        names = ["" if pd.isna(u) else str(u) for u in uniques]
        group_names = sorted(set(names) | ({""} if (codes < 0).any() else set()))
        lookup = np.array([group_names.index(n) for n in names] + [group_names.index("")]
                          if (codes < 0).any() else [group_names.index(n) for n in names],
                          dtype=np.int64)
        group_codes = lookup[codes]
    else:
        group_names, group_codes = ["all"], np.zeros(len(data), dtype=np.int64)
    n_groups = len(group_names)
    preds = pd.DataFrame({"doc_id": data["doc_id"].astype(str).to_numpy(),
                          "group": group_codes,
                          "frame": data[frame].astype(str).to_numpy(),
                          "f": _binary(data[label], positive, f"prediction column {label!r}")})
    if np.isnan(preds["f"]).any():
        logger.warning("%d prediction(s) are empty and left out", int(np.isnan(preds["f"]).sum()))
        preds = preds[np.isfinite(preds["f"])]
    data_frames = [str(f) for f in pd.unique(preds["frame"])]
    codes = None
    if validation is not None:
        codes = _validation_long(validation, data_frames, frame=frame, truth=truth,
                                 weight=weight, positive=positive)
    if frames is None:
        source = (set(codes["frame"]) if codes is not None
                  else set(error_rates[frame].astype(str)))
        frames = [f for f in data_frames if f in source]
        skipped = [f for f in data_frames if f not in source]
        if skipped:
            logger.info("no human codes or error rates for frame(s) %s; left out", skipped)
    frames = list(frames)
    if not frames:
        raise SchemaError(f"no frame of the predictions {data_frames[:8]} has human codes or "
                          "error rates.")
    if "ppi" in methods and codes is None:
        raise ParameterError("method 'ppi' needs human-coded documents (validation=...).")
    if given_rates:
        require_columns(error_rates, [frame, "sensitivity", "specificity"], table="error rates")

    rows, rate_rows, notes = [], [], []
    pooled = error_rates == "pooled" if not given_rates else False
    if pooled and "rogan-gladen" in methods:
        notes.append("rogan-gladen with pooled error rates assumes sensitivity and specificity "
                     "are the same in every group (see error_rates='by_group')")
    for name in frames:
        sub = preds[preds["frame"] == name]
        if sub.empty:
            raise SchemaError(f"frame {name!r} has no predictions; frames: {data_frames[:8]}.")
        if sub["doc_id"].duplicated().any():
            raise SchemaError(f"frame {name!r}: document {sub.loc[sub['doc_id'].duplicated(), 'doc_id'].iloc[0]!r} "  # noqa: E501
                              "has two predictions.")
        g_all = sub["group"].to_numpy()
        f_all = sub["f"].to_numpy()
        n_docs = np.bincount(g_all, minlength=n_groups).astype(float)
        positives = np.bincount(g_all, weights=f_all, minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            naive = positives / n_docs
        low, high = wilson_interval(positives, np.maximum(n_docs, 1), confidence)
        n_labelled = np.zeros(n_groups)
        rng = make_rng(seed, "prevalence", name)
        rg = ppi = None
        se_used = sp_used = np.full(n_groups, np.nan)
        if codes is not None:
            lab = codes[codes["frame"] == name].merge(sub[["doc_id", "group", "f"]], on="doc_id",
                                                      how="inner")
            lost = int((codes["frame"] == name).sum() - len(lab))
            if lost:
                notes.append(f"{name}: {lost} coded document(s) have no prediction and are "
                             "left out")
            g, f, y, w = (lab["group"].to_numpy(), lab["f"].to_numpy(), lab["y"].to_numpy(),
                          lab["w"].to_numpy(dtype=float))
            n_labelled = np.bincount(g, minlength=n_groups).astype(float)
            rate_rows.extend(_rate_rows(name, g, f, y, w, group_names))
            weighted = weight is not None
            if "rogan-gladen" in methods and not given_rates:
                rg, se_used, sp_used = _rogan_gladen_validation(
                    n_docs, positives, g, f, y, w, n_groups, pooled, weighted, n_resamples,
                    confidence, rng)
                _check_counts(name, g, y, n_groups, group_names, pooled, min_class_count)
            if "ppi" in methods:
                ppi = _ppi_groups(n_docs, positives, g, f, y, w, n_groups, z)
                thin = [group_names[k] for k in range(n_groups)
                        if n_labelled[k] < 2 and n_docs[k] > 0]
                if thin:
                    notes.append(f"{name}: ppi needs 2+ coded documents per group; none for "
                                 f"{thin[:5]}")
        if "rogan-gladen" in methods and given_rates:
            rg, se_used, sp_used = _rogan_gladen_given(
                error_rates, name, n_docs, positives, group_names, by, frame, n_resamples,
                confidence, rng, notes)
        for k, group in enumerate(group_names):
            if n_docs[k] == 0:
                continue
            base = {"group": group, "frame": name, "n_docs": int(n_docs[k]),
                    "n_labelled": int(n_labelled[k]), "naive": float(naive[k])}
            rows.append({**base, "method": "naive", "estimate": float(naive[k]),
                         "ci_low": float(low[k]), "ci_high": float(high[k]),
                         "sensitivity": np.nan, "specificity": np.nan})
            if rg is not None:
                rows.append({**base, "method": "rogan-gladen", "estimate": float(rg[0][k]),
                             "ci_low": float(rg[1][k]), "ci_high": float(rg[2][k]),
                             "sensitivity": float(se_used[k]),
                             "specificity": float(sp_used[k])})
            if ppi is not None:
                est, lo, hi = (np.clip(x[k], 0.0, 1.0) for x in ppi)
                rows.append({**base, "method": "ppi", "estimate": float(est),
                             "ci_low": float(lo), "ci_high": float(hi),
                             "sensitivity": np.nan, "specificity": np.nan})
        if rg is not None and rg[3]:
            notes.append(rg[3])
    table = pd.DataFrame(rows, columns=list(PREVALENCE_COLUMNS))
    order = {"naive": 0, "rogan-gladen": 1, "ppi": 2}
    table = table.sort_values(["frame", "group", "method"], key=lambda s: s.map(order)
                              if s.name == "method" else s.map({f: i for i, f in
                                                                enumerate(frames)})
                              if s.name == "frame" else s, kind="stable").reset_index(drop=True)
    rates = pd.DataFrame(rate_rows, columns=["frame", "group", "n_labelled", "n_positive",
                                             "n_negative", "sensitivity", "specificity"])
    params = {"by": by, "error_rates": "table" if given_rates else error_rates,
              "methods": methods, "weight": weight, "confidence": confidence,
              "n_resamples": n_resamples, "random_state": seed}
    return CorrectedPrevalence(table, rates, params, tuple(dict.fromkeys(notes)))


def _rate_rows(name, g, f, y, w, group_names) -> list[dict]:
    n_groups = len(group_names)
    sums = np.stack([np.bincount(g, weights=x, minlength=n_groups) for x in
                     (np.ones(len(g)), y, 1 - y, w * y, w * (1 - y), w * f * y,
                      w * (1 - f) * (1 - y))], axis=1)
    sums = np.vstack([sums.sum(axis=0, keepdims=True), sums])
    rows = []
    for label, (n, pos, neg, w_pos, w_neg, tp, tn) in zip(["*", *group_names], sums,
                                                          strict=True):
        if n == 0:
            continue
        rows.append({"frame": name, "group": label, "n_labelled": int(n),
                     "n_positive": int(pos), "n_negative": int(neg),
                     "sensitivity": tp / w_pos if w_pos else np.nan,
                     "specificity": tn / w_neg if w_neg else np.nan})
    return rows


def error_rates(truth: pd.DataFrame, predicted: pd.DataFrame, *,
                frames: Sequence[str] | None = None) -> pd.DataFrame:
    """Sensitivity and specificity of a classifier per frame, from hand codes.

    Parameters
    ----------
    truth, predicted : DataFrame
        0/1 tables with the same index (documents) and one column per frame.
    frames : sequence of str, optional
        Frames to rate (default: the columns of ``truth``).

    Returns
    -------
    DataFrame
        ``frame, n_labelled, n_positive, n_negative, sensitivity, specificity``: the
        ``error_rates=`` table of :func:`estimate_prevalence` (whose bootstrap resamples the
        counts).

    Examples
    --------
    >>> truth = pd.DataFrame({"war": [1, 1, 0, 0]})
    >>> error_rates(truth, pd.DataFrame({"war": [1, 0, 0, 1]}))[["sensitivity", "specificity"]]
       sensitivity  specificity
    0          0.5          0.5
    """
    frames = list(truth.columns if frames is None else frames)
    predicted = predicted.loc[truth.index]
    rows = []
    for name in frames:
        y = truth[name].to_numpy(dtype=float)
        f = predicted[name].to_numpy(dtype=float)
        rows += _rate_rows(name, np.zeros(len(y), dtype=int), f, y, np.ones(len(y)), ["all"])[:1]
    return pd.DataFrame(rows).drop(columns="group")


def _check_counts(name, g, y, n_groups, group_names, pooled, min_class_count) -> None:
    pos = np.bincount(g, weights=y, minlength=n_groups).astype(int)
    neg = np.bincount(g, minlength=n_groups) - pos
    if pooled:
        counts = [("all groups", int(pos.sum()), int(neg.sum()))]
    else:
        counts = list(zip(group_names, pos.tolist(), neg.tolist(), strict=True))
    small = [f"{grp} ({p} positive, {n} negative)" for grp, p, n in counts
             if min(p, n) < min_class_count]
    if small:
        warnings.warn(f"frame {name!r}: fewer than {min_class_count} coded positives or "
                      f"negatives for {len(small)} group(s), e.g. {small[:3]}; their error rates "
                      "(and corrected shares) are unstable. Code more documents or use "
                      "error_rates='pooled'.", SmallCellWarning, stacklevel=3)


def _rogan_gladen_validation(n_docs, positives, g, f, y, w, n_groups, pooled, weighted,
                             n_resamples, confidence, rng):
    cells = np.zeros((n_groups, 4))
    np.add.at(cells, g, np.stack([f * y, (1 - f) * y, f * (1 - y), (1 - f) * (1 - y)],
                                 axis=1) * w[:, None])
    se, sp = _rates(cells, pooled)
    se, sp = np.broadcast_to(se, (n_groups,)), np.broadcast_to(sp, (n_groups,))
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = rogan_gladen(positives / n_docs, se, sp)
    if not np.isfinite(estimate[n_docs > 0]).all():
        warnings.warn("the classifier is no better than chance (sensitivity + specificity <= 1) "
                      "or the coded sample lacks positives or negatives for some group; their "
                      "Rogan-Gladen rows are NaN.", EstimationWarning, stacklevel=3)
    # bootstrap: coded documents resampled within groups, the other documents of each group too
    boot_cells, boot_pred = _resample_labelled(g, f, y, w, n_groups, n_resamples, rng, weighted)
    lab_pred = np.bincount(g, weights=f, minlength=n_groups)
    rest = n_docs - np.bincount(g, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_share = np.where(rest > 0, (positives - lab_pred) / np.maximum(rest, 1), 0.0)
    rest_pos = rng.binomial(rest.astype(np.int64), np.clip(rest_share, 0, 1),
                            size=(n_resamples, n_groups))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (boot_pred + rest_pos) / n_docs
    boot_se, boot_sp = _rates(boot_cells, pooled)
    values = rogan_gladen(share, boot_se, boot_sp)
    low, high, bad = _interval(values, confidence)
    note = ""
    if (bad > 0.01).any():
        note = (f"rogan-gladen: up to {bad.max():.0%} of bootstrap resamples had no coded "
                "positives/negatives or a classifier no better than chance and were left out; "
                "the interval is unreliable there")
    return (estimate, low, high, note), se, sp


def _rogan_gladen_given(table, name, n_docs, positives, group_names, by, frame, n_resamples,
                        confidence, rng, notes):
    rows = table[table[frame].astype(str) == name]
    if rows.empty:
        raise SchemaError(f"error_rates has no row for frame {name!r}.")
    n_groups = len(group_names)
    if by and by in rows.columns:
        rows = rows.assign(_g=rows[by].astype(str)).set_index("_g").reindex(group_names)
    elif len(rows) > 1:
        raise SchemaError(f"error_rates has {len(rows)} rows for frame {name!r} but no {by!r} "
                          "column to tell them apart.")
    else:
        rows = pd.concat([rows] * n_groups, ignore_index=True)
    se = rows["sensitivity"].to_numpy(dtype=float)
    sp = rows["specificity"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = rogan_gladen(positives / n_docs, se, sp)
    counted = {"n_positive", "n_negative"} <= set(rows.columns)
    if counted:
        # a group missing from the table has NaN rates and counts: its rows stay NaN
        n_pos = np.nan_to_num(rows["n_positive"].to_numpy(dtype=float)).astype(np.int64)
        n_neg = np.nan_to_num(rows["n_negative"].to_numpy(dtype=float)).astype(np.int64)
        shared = not (by and by in table.columns)  # one pair of rates for every group
        size = (n_resamples, 1) if shared else (n_resamples, n_groups)
        cols = slice(0, 1) if shared else slice(None)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_se = rng.binomial(n_pos[cols], np.clip(np.nan_to_num(se[cols]), 0, 1),
                                   size=size) / n_pos[cols]
            boot_sp = rng.binomial(n_neg[cols], np.clip(np.nan_to_num(sp[cols]), 0, 1),
                                   size=size) / n_neg[cols]
            boot_se = np.where(np.isnan(se[cols]), np.nan, boot_se)
    else:
        boot_se, boot_sp = se[None, :], sp[None, :]
        notes.append(f"{name}: error rates given without n_positive/n_negative are taken as "
                     "exact; the interval covers only the sampling of documents")
    share = rng.binomial(n_docs.astype(np.int64), np.nan_to_num(positives / np.maximum(n_docs, 1)),
                         size=(n_resamples, n_groups)) / np.maximum(n_docs, 1)
    values = rogan_gladen(share, boot_se, boot_sp)
    low, high, bad = _interval(values, confidence)
    notes.append("rogan-gladen with given error rates assumes they hold for these documents "
                 "(cross-validated rates come from the training data)")
    note = (f"rogan-gladen: up to {bad.max():.0%} of bootstrap resamples were undefined"
            if (bad > 0.01).any() else "")
    return (estimate, low, high, note), se, sp
