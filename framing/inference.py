"""Small statistical building blocks shared by the comparison modules.

Intervals for shares and differences of shares, contingency-table tests that switch to exact or
Monte Carlo p-values when cells are small, Cramér's V, multiple-comparison adjustment that leaves
missing p-values alone, and the random-number streams used by every resampling method.

Every random draw in :mod:`framing` goes through :func:`make_rng`: a stream is derived from the
user's ``random_state`` *and a key naming the quantity* (``("shares", "all", "frame", "iraq")``),
so a result does not change when other features, groups or events are added to the same call,
and never depends on the global NumPy state.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association, expected_freq
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from .errors import ParameterError

__all__ = [
    "CORRECTIONS",
    "MIN_CLUSTERS",
    "group_design",
    "cluster_problems",
    "TESTS",
    "TableTest",
    "make_rng",
    "resolve_random_state",
    "wilson_interval",
    "newcombe_interval",
    "adjust_pvalues",
    "contingency_test",
    "cramers_v",
    "bootstrap_cramers_v",
]


#: Fewer clusters than this make cluster-robust standard errors too small (Cameron & Miller
#: 2015, "A practitioner's guide to cluster-robust inference").
MIN_CLUSTERS = 20


def group_design(frame: pd.DataFrame, groups: list[str], *, fixed_effects: bool,
                 group: str = "group", scope: str = "scope") -> pd.DataFrame:
    """Regression design: an intercept, one dummy per group in ``groups`` (the reference is the
    group left out) and, with ``fixed_effects``, one dummy per event after the first."""
    design = pd.DataFrame({"const": 1.0}, index=frame.index)
    for g in groups:
        design[f"group[{g}]"] = (frame[group] == g).astype(float)
    if fixed_effects:
        for e in sorted(frame[scope].unique())[1:]:
            design[f"event[{e}]"] = (frame[scope] == e).astype(float)
    return design


def cluster_problems(frame: pd.DataFrame, n_clusters: int, *, group: str = "group",
                     cluster: str = "cluster") -> list[str]:
    """Why cluster-robust errors of a group regression deserve doubt (empty when they don't):
    fewer than :data:`MIN_CLUSTERS` clusters, or groups that hold a single cluster."""
    problems = []
    if n_clusters < MIN_CLUSTERS:
        problems.append(f"regression on {n_clusters} clusters (outlets; < {MIN_CLUSTERS}); "
                        "cluster-robust standard errors are too small with few clusters")
    single = frame.groupby(group)[cluster].nunique()
    if (single == 1).any():
        problems.append(f"regression: group(s) {single.index[single == 1].tolist()} hold one "
                        "outlet only; their contrast is that outlet's")
    return problems


#: Multiple-comparison methods accepted by ``correction=`` (names of
#: :func:`statsmodels.stats.multitest.multipletests`).
CORRECTIONS = ("holm", "fdr_bh", "bonferroni", "fdr_by", "holm-sidak", "hommel", "sidak")
#: Contingency-table tests accepted by ``test=``.
TESTS = ("auto", "chi2", "fisher")


# ---------------------------------------------------------------------------------- randomness
def resolve_random_state(random_state) -> int:
    """Turn ``random_state`` into the integer seed recorded in a result's parameters.

    ``None`` draws fresh entropy (the seed is still recorded, so the run can be repeated); an
    ``int`` is used as is; a :class:`numpy.random.Generator` or ``RandomState`` gives one draw.
    """
    if random_state is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(random_state, (bool, np.bool_)):
        raise ParameterError(f"random_state={random_state!r}: use an int, None or a Generator.")
    if isinstance(random_state, (int, np.integer)):
        if random_state < 0:
            raise ParameterError(f"random_state={random_state}: must be non-negative.")
        return int(random_state)
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**31))
    raise ParameterError(f"random_state={random_state!r}: use an int, None or a "
                         "numpy.random.Generator.")


def make_rng(seed: int, *key: object) -> np.random.Generator:
    """A generator for one named quantity: the same ``seed`` and ``key`` give the same stream.

    Examples
    --------
    >>> a = make_rng(7, "shares", "all", "iraq_analogy").random()
    >>> b = make_rng(7, "shares", "all", "iraq_analogy").random()
    >>> a == b
    True
    """
    words = [zlib.crc32(repr(part).encode("utf-8")) for part in key]
    return np.random.default_rng(np.random.SeedSequence([seed, *words]))


# ---------------------------------------------------------------------------------- intervals
def wilson_interval(count, nobs, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share ``count / nobs`` (Wilson 1927; Newcombe 1998a).

    Stays inside [0, 1] and keeps close to nominal coverage for small ``nobs`` and shares near 0
    or 1, where the Wald interval fails.

    Examples
    --------
    >>> low, high = wilson_interval(81, 263)  # Newcombe (1998a), Table I: 0.2553 to 0.3662
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    low, high = proportion_confint(np.asarray(count), np.asarray(nobs), alpha=1 - confidence,
                                   method="wilson")
    count, nobs = np.asarray(count), np.asarray(nobs)
    # The closed form leaves floating-point dust (1e-17) where the exact bound is 0 or 1.
    low = np.where(count == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(count == nobs, 1.0, np.clip(high, 0.0, 1.0))
    return low, high


def newcombe_interval(count1, nobs1, count2, nobs2,
                      confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference of two shares (method 10 of
    Newcombe 1998b), built from the two Wilson intervals.

    Examples
    --------
    >>> low, high = newcombe_interval(56, 70, 48, 80)  # Newcombe (1998b): 0.0524 to 0.3339
    >>> round(float(low), 4), round(float(high), 4)
    (0.0524, 0.3339)
    """
    low, high = confint_proportions_2indep(count1, nobs1, count2, nobs2, method="newcomb",
                                           compare="diff", alpha=1 - confidence)
    return float(low), float(high)


# ---------------------------------------------------------------------------------- adjustment
def adjust_pvalues(pvalues, method: str = "holm") -> np.ndarray:
    """Adjusted p-values (:func:`statsmodels.stats.multitest.multipletests`; Holm's method is
    computed here to the same values); NaN stays NaN and does not count towards the number of
    tests.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, float("nan"), 0.03], "holm").round(3).tolist()
    [0.03, 0.06, nan, 0.06]
    """
    if method not in CORRECTIONS:
        raise ParameterError(f"correction={method!r}: use one of {CORRECTIONS}.")
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = _holm(p[ok]) if method == "holm" else multipletests(p[ok], method=method)[1]
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, as in ``multipletests(p, method="holm")``, which calls
    ``gc.collect()`` on every call (0.1 s each in a busy session)."""
    order = np.argsort(p, kind="stable")
    steps = p[order] * np.arange(len(p), 0, -1)
    out = np.empty_like(p)
    out[order] = np.minimum(np.maximum.accumulate(steps), 1.0)
    return out


# ---------------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class TableTest:
    """Outcome of :func:`contingency_test`.

    ``statistic`` is Pearson's X² for ``chi2``, the sample odds ratio for a 2x2 Fisher test and
    the null probability of the observed table for the Fisher-Freeman-Halton test (what
    :func:`scipy.stats.fisher_exact` returns in each case).
    """

    statistic: float
    p_value: float
    method: str
    small_cells: bool


def _drop_empty(table: np.ndarray) -> np.ndarray:
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0]


def contingency_test(table, *, test: str = "auto", min_expected: float = 5.0,
                     n_resamples: int = 2000, rng: np.random.Generator | None = None) -> TableTest:
    """Test independence of the rows and columns of a contingency table of counts.

    Rows or columns that sum to zero are dropped first. With ``test="auto"`` Pearson's
    chi-square test (no continuity correction) is used unless some expected count is below
    ``min_expected``; then Fisher's exact test is used for 2x2 tables and, for larger tables, the
    Fisher-Freeman-Halton test with a Monte Carlo p-value from ``n_resamples`` random tables with
    the observed margins (the computation of :func:`scipy.stats.fisher_exact` with
    :class:`scipy.stats.MonteCarloMethod`), which needs ``rng``.

    Parameters
    ----------
    table : array-like of int, shape (r, c)
    test : {"auto", "chi2", "fisher"}
        ``chi2`` and ``fisher`` force a test; forcing ``chi2`` on small cells is reported in
        :attr:`TableTest.small_cells` (the callers warn).
    min_expected : float
        Smallest expected count accepted for the chi-square approximation.
    n_resamples : int
        Monte Carlo tables for Fisher-Freeman-Halton p-values.
    rng : numpy.random.Generator
        Source of the Monte Carlo tables.

    Examples
    --------
    >>> res = contingency_test([[3, 1], [1, 3]])  # Fisher's tea tasting: p = 34/70
    >>> res.method, round(res.p_value, 12)
    ('Fisher exact', 0.485714285714)
    """
    if test not in TESTS:
        raise ParameterError(f"test={test!r}: use one of {TESTS}.")
    table = _drop_empty(np.asarray(table, dtype=np.int64))
    if table.ndim != 2 or min(table.shape) < 2:
        return TableTest(np.nan, np.nan, "not testable (one group or one category)", False)
    small = bool((expected_freq(table) < min_expected).any())
    if test == "chi2" or (test == "auto" and not small):
        res = stats.chi2_contingency(table, correction=False)
        return TableTest(float(res.statistic), float(res.pvalue),
                         f"chi-square (Pearson, df={res.dof})", small)
    if table.shape == (2, 2):
        res = stats.fisher_exact(table)
        return TableTest(float(res.statistic), float(res.pvalue), "Fisher exact", small)
    if rng is None:
        raise ParameterError("a Fisher-Freeman-Halton Monte Carlo test needs rng.")
    statistic, p_value = _freeman_halton_monte_carlo(table, n_resamples, rng)
    return TableTest(statistic, p_value,
                     f"Fisher-Freeman-Halton (Monte Carlo, {n_resamples} tables)", small)


def _freeman_halton_monte_carlo(table: np.ndarray, n_resamples: int,
                                rng: np.random.Generator) -> tuple[float, float]:
    """The computation of ``scipy.stats.fisher_exact(table, method=MonteCarloMethod(...))``:
    random tables with the observed margins (:func:`scipy.stats.random_table`), p-value = share
    of tables at most as probable as the observed one, ``(k + 1) / (n + 1)``.

    Written out because SciPy 1.15-1.17 mistakes a batch of random tables for a single table
    when ``n_resamples * table.size`` does not exceed the table total, and fails.
    """
    null = stats.random_table(table.sum(axis=1), table.sum(axis=0), seed=rng)
    observed = float(null.pmf(table))
    probabilities = null.pmf(null.rvs(size=n_resamples))
    tolerance = abs(np.finfo(float).eps * 100 * observed)
    p_value = (np.sum(probabilities <= observed + tolerance) + 1.0) / (n_resamples + 1.0)
    return min(observed, 1.0), float(min(p_value, 1.0))


def cramers_v(table) -> float:
    """Cramér's V of a contingency table (empty rows and columns dropped; 0 when only one row or
    column is left). Same value as :func:`scipy.stats.contingency.association`.

    Examples
    --------
    >>> round(cramers_v([[10, 0], [0, 10]]), 6)
    1.0
    """
    table = _drop_empty(np.asarray(table, dtype=np.int64))
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer"))


def _v_batch(tables: np.ndarray) -> np.ndarray:
    """Cramér's V of a stack of tables ``(B, r, c)``, dropping empty columns in each table."""
    n = tables.sum(axis=(1, 2)).astype(float)
    rows = tables.sum(axis=2, keepdims=True).astype(float)
    cols = tables.sum(axis=1, keepdims=True).astype(float)
    expected = rows * cols / n[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(expected > 0, (tables - expected) ** 2 / expected, 0.0)
    chi2 = terms.sum(axis=(1, 2))
    k = np.minimum((rows[:, :, 0] > 0).sum(axis=1), (cols[:, 0, :] > 0).sum(axis=1)) - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.sqrt(chi2 / (n * k))
    return np.where(k > 0, v, 0.0)


def bootstrap_cramers_v(table, *, n_resamples: int, confidence: float,
                        rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval for Cramér's V, resampling documents within each row (group)
    so that group sizes stay as observed (a multinomial draw per row).

    V is biased upwards in small samples and cannot fall below 0, so an interval for a V near 0
    excludes 0 even when the groups do not differ; read it with the test's p-value.
    """
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] < 2:
        return np.nan, np.nan
    sizes = table.sum(axis=1)
    draws = np.stack([rng.multinomial(size, row / size, size=n_resamples)
                      for row, size in zip(table, sizes, strict=True)], axis=1)
    values = _v_batch(draws)
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)
