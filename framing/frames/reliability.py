"""Inter-coder reliability per variable: percent agreement, Cohen's and Fleiss' kappa, and
Krippendorff's alpha with a bootstrap interval.

:func:`reliability` takes two or more coders' sheets (or the long table of
:func:`framing.frames.annotation.read_codes`) and returns a :class:`ReliabilityResult` with one
row per variable. Missing codes are allowed everywhere: a document counts for a variable when at
least two coders coded it (a *pairable* unit, in Krippendorff's terms).

Coefficients
------------
``percent_agreement``
    Share of agreeing pairs of codes within a unit, averaged over pairable units (for two coders:
    the share of documents they code alike). Takes no account of chance agreement.
``cohen_kappa``
    Cohen's (1960) kappa for each pair of coders on the documents both coded
    (:func:`sklearn.metrics.cohen_kappa_score`; linearly weighted for ordinal, quadratically for
    interval and ratio variables, on category ranks), averaged over pairs (Light's kappa when
    there are more than two coders); the pairs are in :attr:`ReliabilityResult.pairs`.
``fleiss_kappa``
    Fleiss' (1971) kappa (:func:`statsmodels.stats.inter_rater.fleiss_kappa`), which needs the
    same number of codes per unit: computed on the documents every coder coded
    (``fleiss_units``), treating categories as nominal.
``alpha``
    Krippendorff's alpha (the ``krippendorff`` package; Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability"), at the variable's level of measurement. Its interval
    is a percentile bootstrap over units (documents resampled with replacement, alpha
    recomputed; Zapf et al. 2016, BMC Medical Research Methodology 16:93). Krippendorff (2004)
    suggests relying on variables with alpha >= 0.8 and drawing tentative conclusions only from
    0.667 <= alpha < 0.8.
"""

from __future__ import annotations

import itertools
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa

from ..errors import ParameterError
from ..inference import make_rng, resolve_random_state
from ..results import Summary, SummaryExports
from .annotation import read_codes
from .codebook import Codebook

__all__ = ["LEVELS", "ReliabilityResult", "reliability"]

logger = logging.getLogger(__name__)

#: Levels of measurement accepted by ``level=``.
LEVELS = ("nominal", "ordinal", "interval", "ratio")
_KAPPA_WEIGHTS = {"nominal": None, "ordinal": "linear", "interval": "quadratic",
                  "ratio": "quadratic"}

RELIABILITY_COLUMNS = ("variable", "level", "n_units", "n_coders", "n_values", "n_categories",
                       "percent_agreement", "cohen_kappa", "cohen_kappa_min", "cohen_kappa_max",
                       "fleiss_kappa", "fleiss_units", "alpha", "alpha_ci_low", "alpha_ci_high")


@dataclass(frozen=True)
class ReliabilityResult(SummaryExports):
    """Agreement between coders, one row per variable.

    Attributes
    ----------
    table : DataFrame
        Columns :data:`RELIABILITY_COLUMNS`: ``n_units`` pairable documents (coded by 2+ coders),
        ``n_coders`` coders with a code for the variable, ``n_values`` codes in pairable units,
        ``n_categories`` distinct values, the coefficients (see the module docstring) and the
        bootstrap interval of alpha.
    pairs : DataFrame
        One row per variable and pair of coders: ``variable, coder_a, coder_b, n_units,
        percent_agreement, cohen_kappa``.
    params : dict
        Levels, confidence, resamples and the seed.
    notes : tuple of str
    """

    table: pd.DataFrame
    pairs: pd.DataFrame
    params: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def summary(self) -> Summary:
        """A :class:`~framing.results.Summary` (renders in Jupyter; ``.to_markdown()``,
        ``.to_latex()``)."""
        notes = (f"alpha: Krippendorff's alpha with a {self.params.get('confidence', 0.95):.0%} "
                 f"percentile bootstrap interval over documents "
                 f"({self.params.get('n_resamples')} resamples)",
                 "cohen_kappa: mean over pairs of coders (min and max beside it); "
                 "fleiss_kappa: on the fleiss_units documents every coder coded",
                 *self.notes)
        return Summary("Inter-coder reliability per variable", self.table, self.params, notes)

    def __repr__(self) -> str:
        alphas = dict(zip(self.table["variable"], self.table["alpha"].round(3), strict=True))
        return f"ReliabilityResult(alpha={alphas})"


def _domain(values: pd.Series, variable: str, level: str,
            order: Sequence | None) -> tuple[list[str], np.ndarray]:
    """Categories in order and the numbers alpha uses for them."""
    seen = list(pd.unique(values))
    if order is not None:
        labels = [str(v).casefold() for v in order]
        lookup = {**{str(v): str(v) for v in order}, **dict(zip(labels, map(str, order),
                                                               strict=True))}
        unknown = sorted(v for v in seen if v not in lookup)
        if unknown:
            raise ParameterError(f"variable {variable!r}: values {unknown} are not in "
                                 f"order={list(order)}.")
        return [str(v) for v in order], np.arange(len(order), dtype=float)
    if level == "nominal":
        categories = sorted(seen)
        return categories, np.arange(len(categories), dtype=float)
    try:
        numbers = {v: float(v) for v in seen}
    except ValueError:
        raise ParameterError(
            f"variable {variable!r}: level {level!r} needs numeric codes or an order of the "
            f"labels, e.g. order={{{variable!r}: [...]}}; found {sorted(seen)[:6]}.") from None
    categories = sorted(seen, key=numbers.__getitem__)
    return categories, np.array([numbers[v] for v in categories])


def _alpha(counts: np.ndarray, domain: np.ndarray, level: str) -> float:
    present = counts.sum(axis=0) > 0
    if present.sum() < 2 or (counts.sum(axis=1) >= 2).sum() == 0:
        return np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(value_counts=counts[:, present], value_domain=domain[present],
                                   level_of_measurement=level)
    return float(value)


def _kappa(a: np.ndarray, b: np.ndarray, labels: list[int], weights) -> float:
    if len(a) < 2:
        return np.nan
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")  # undefined kappa (one category): NaN, reported
        value = cohen_kappa_score(a, b, labels=labels, weights=weights)
    return float(value)


def _variable(codes: pd.DataFrame, variable: str, level: str, order, n_resamples: int,
              confidence: float, seed: int) -> tuple[dict, list[dict], list[str]]:
    if codes.empty:  # a variable in the sheets that nobody coded: a row saying so
        row = dict.fromkeys(RELIABILITY_COLUMNS, np.nan)
        row.update(variable=variable, level=level, n_units=0, n_coders=0, n_values=0,
                   n_categories=0, fleiss_units=0)
        return row, [], [f"{variable}: no codes"]
    notes = []
    wide = codes.pivot(index="doc_id", columns="coder", values="value")
    coders = list(wide.columns)
    categories, domain = _domain(codes["value"], variable, level, order)
    if order is not None:
        canon = {str(v).casefold(): str(v) for v in order} | {str(v): str(v) for v in order}
        wide = wide.map(lambda v: canon.get(v, v) if isinstance(v, str) else v)
    index = {c: i for i, c in enumerate(categories)}
    ranks = wide.map(lambda v: index[v] if isinstance(v, str) else -1).to_numpy(dtype=np.int64)
    coded = ranks >= 0
    counts = np.zeros((len(wide), len(categories)), dtype=np.int64)
    unit, col = np.nonzero(coded)
    np.add.at(counts, (unit, ranks[unit, col]), 1)
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts_p = counts[pairable]
    m_p = m[pairable]
    row = {"variable": variable, "level": level, "n_units": int(pairable.sum()),
           "n_coders": len(coders), "n_values": int(m_p.sum()),
           "n_categories": int((counts.sum(axis=0) > 0).sum())}
    if row["n_units"] == 0:
        notes.append(f"{variable}: no document was coded by two coders; nothing to compare")
    agreement = (counts_p * (counts_p - 1)).sum(axis=1) / (m_p * (m_p - 1))
    row["percent_agreement"] = float(agreement.mean()) if len(agreement) else np.nan
    weights = _KAPPA_WEIGHTS[level]
    pairs, kappas = [], []
    for i, j in itertools.combinations(range(len(coders)), 2):
        both = coded[:, i] & coded[:, j]
        a, b = ranks[both, i], ranks[both, j]
        kappa = _kappa(a, b, list(range(len(categories))), weights)
        pairs.append({"variable": variable, "coder_a": coders[i], "coder_b": coders[j],
                      "n_units": int(both.sum()),
                      "percent_agreement": float((a == b).mean()) if both.any() else np.nan,
                      "cohen_kappa": kappa})
        if np.isfinite(kappa):
            kappas.append(kappa)
    row["cohen_kappa"] = float(np.mean(kappas)) if kappas else np.nan
    row["cohen_kappa_min"] = float(np.min(kappas)) if kappas else np.nan
    row["cohen_kappa_max"] = float(np.max(kappas)) if kappas else np.nan
    complete = counts[m == len(coders)]
    complete = complete[:, counts.sum(axis=0) > 0]
    row["fleiss_units"] = len(complete) if len(coders) >= 2 else 0
    if len(coders) >= 2 and len(complete) >= 2 and complete.shape[1] >= 2 \
            and (complete.sum(axis=0) > 0).sum() >= 2:
        row["fleiss_kappa"] = float(fleiss_kappa(complete, method="fleiss"))
    else:
        row["fleiss_kappa"] = np.nan
    row["alpha"] = _alpha(counts_p, domain, level)
    if row["n_units"] and row["n_categories"] < 2:
        notes.append(f"{variable}: every code is {categories[0]!r}; alpha and kappa are "
                     "undefined when coders never use a second value")
    low = high = np.nan
    if np.isfinite(row["alpha"]) and n_resamples:
        rng = make_rng(seed, "reliability", variable)
        draws = rng.integers(0, len(counts_p), size=(n_resamples, len(counts_p)))
        values = np.array([_alpha(counts_p[d], domain, level) for d in draws])
        finite = np.isfinite(values)
        if (~finite).any():
            notes.append(f"{variable}: {int((~finite).sum())} of {n_resamples} bootstrap "
                         "resamples held a single value (alpha undefined) and were left out")
        if finite.sum() >= 2:
            tail = (1 - confidence) / 2
            low, high = np.quantile(values[finite], [tail, 1 - tail])
    row["alpha_ci_low"], row["alpha_ci_high"] = float(low), float(high)
    return row, pairs, notes


def reliability(sheets, *, variables: Sequence[str] | None = None,
                level: str | Mapping[str, str] = "nominal",
                order: Mapping[str, Sequence] | None = None,
                codebook: str | os.PathLike | Codebook | None = None, casefold: bool = True,
                confidence: float = 0.95, n_resamples: int = 1000,
                random_state=None) -> ReliabilityResult:
    """Agreement between two or more coders, per variable.

    Parameters
    ----------
    sheets : paths, DataFrames, mapping coder -> sheet, or a long table of codes
        Filled coding sheets, read by :func:`framing.frames.annotation.read_codes` (which names
        the coders), or its output (``doc_id, coder, variable, value``).
    variables : sequence of str, optional
        Variables to score (default: every coded variable).
    level : str or mapping variable -> str
        Level of measurement (:data:`LEVELS`; default ``nominal``), for all variables or per
        variable (unlisted ones are nominal). Non-nominal variables need numeric codes or an
        ``order``.
    order : mapping variable -> sequence, optional
        The labels of an ordinal variable in order (``{"tone": ["negative", "neutral",
        "positive"]}``); for interval and ratio levels the labels are given the values 0, 1, 2 ...
    codebook, casefold
        As in :func:`~framing.frames.annotation.read_codes`.
    confidence : float
        Level of the bootstrap interval of alpha.
    n_resamples : int
        Bootstrap resamples (0 skips the interval).
    random_state : int, Generator or None
        Seed of the bootstrap (each variable has its own stream).

    Returns
    -------
    ReliabilityResult

    Examples
    --------
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example A (two observers,
    binary data, ten units): alpha = 0.095.

    >>> a = pd.DataFrame({"doc_id": range(10), "x": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]})
    >>> b = pd.DataFrame({"doc_id": range(10), "x": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]})
    >>> res = reliability({"A": a, "B": b}, random_state=0)
    >>> res.table[["n_units", "percent_agreement", "alpha"]].round(3).values.tolist()
    [[10.0, 0.6, 0.095]]
    """
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    if n_resamples < 0:
        raise ParameterError(f"n_resamples={n_resamples}: must be >= 0.")
    levels = dict(level) if isinstance(level, Mapping) else None
    for value in (levels or {"*": level}).values():
        if value not in LEVELS:
            raise ParameterError(f"level={value!r}: use one of {LEVELS}.")
    seed = resolve_random_state(random_state)
    codes = read_codes(sheets, variables=variables, codebook=codebook, casefold=casefold,
                       keep_missing=True)
    names = list(variables) if variables is not None else list(dict.fromkeys(codes["variable"]))
    codes = codes[codes["value"].notna()]
    rows, pairs, notes = [], [], []
    for name in names:
        var_level = levels.get(name, "nominal") if levels is not None else level
        row, pair_rows, var_notes = _variable(codes[codes["variable"] == name], name, var_level,
                                              (order or {}).get(name), n_resamples, confidence,
                                              seed)
        rows.append(row)
        pairs.extend(pair_rows)
        notes.extend(var_notes)
    coders = sorted(set(codes["coder"]))
    if len(coders) < 2:
        notes.append(f"only one coder ({coders}); agreement needs two or more")
    table = pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
    for col in ("n_units", "n_coders", "n_values", "n_categories", "fleiss_units"):
        table[col] = table[col].astype("int64")
    pairs = pd.DataFrame(pairs, columns=["variable", "coder_a", "coder_b", "n_units",
                                         "percent_agreement", "cohen_kappa"])
    params = {"coders": coders, "level": level if levels is None else levels,
              "confidence": confidence, "n_resamples": n_resamples, "random_state": seed}
    low = table[table["alpha"] < 0.667]["variable"].tolist()
    if low:
        notes.append(f"alpha below 0.667 (Krippendorff's lowest conceivable limit): {low}")
    logger.info("reliability of %d variable(s) from %d coders", len(table), len(coders))
    return ReliabilityResult(table, pairs, params, tuple(notes))
