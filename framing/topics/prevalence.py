"""Topic prevalence by outlet or outlet group, within events, with uncertainty.

:func:`topic_prevalence` compares mean topic proportions (or any per-document score in a long
table, such as frame loadings) across groups of documents. Rows of the returned
:class:`PrevalenceResult` (see :mod:`framing.results` for the columns):

``prevalence``
    Mean proportion of the topic in the group's documents, with a percentile interval from a
    bootstrap over documents (resampled within each group).
``pairwise``
    Difference of mean proportions between two groups, with a bootstrap percentile interval and
    a two-sided bootstrap p-value; adjusted within each scope over every pair and topic.
``regression``
    An stm-style regression (Roberts et al. 2014, ``estimateEffect``): OLS of the topic
    proportion on the group (reference: ``reference``), with event fixed effects when ``within``
    is given, and cluster-robust standard errors with one cluster per outlet (``cluster``),
    because articles of one outlet are not independent draws. ``estimate`` is the difference in
    mean proportion from the reference group. Given posterior draws of the proportions (LDA),
    the method of composition carries their uncertainty into the estimate, as stm does.

The document bootstrap treats documents as independent; with few outlets per group, read the
regression rows (and their :class:`~framing.errors.FewClustersWarning`) as well.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..errors import (
    EstimationWarning,
    FewClustersWarning,
    ParameterError,
    SchemaError,
    SmallCellWarning,
)
from ..inference import (
    CORRECTIONS,
    cluster_problems,
    group_design,
    make_rng,
    resolve_random_state,
)
from ..results import ComparisonResult
from ..schema import require_columns

__all__ = ["topic_prevalence", "PrevalenceResult", "N_COMPOSITION_SIMS"]

logger = logging.getLogger(__name__)

POOLED = "all"
#: Coefficient draws per posterior draw in the method of composition (stm's ``nsim``).
N_COMPOSITION_SIMS = 500


class PrevalenceResult(ComparisonResult):
    """Result of :func:`topic_prevalence` (a :class:`~framing.results.ComparisonResult`).

    :meth:`plot` draws the prevalence of each topic by group with its interval;
    ``plot("pairwise")`` the differences, ``plot("regression")`` the regression contrasts.
    """

    summary_kinds = ("prevalence", "pairwise", "regression")
    plot_kind = "prevalence"


def _row(scope, group, reference, kind, feature, n_docs, estimate=np.nan,
         ci=(np.nan, np.nan), statistic=np.nan, p_value=np.nan, method=""):
    return {"scope": scope, "group": group, "reference": reference, "feature_kind": kind,
            "feature": feature, "n_docs": int(n_docs), "estimate": estimate, "ci_low": ci[0],
            "ci_high": ci[1], "statistic": statistic, "p_value": p_value, "p_adjusted": np.nan,
            "method": method}


def _bootstrap_means(theta: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap samples of the rows of ``theta`` (resamples x cols)."""
    n = theta.shape[0]
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_resamples)
    return weights @ theta / n


def _bootstrap_p(diffs: np.ndarray) -> np.ndarray:
    """Two-sided bootstrap p-value of a zero difference, per column."""
    b = diffs.shape[0]
    below = ((diffs <= 0).sum(axis=0) + 1) / (b + 1)
    above = ((diffs >= 0).sum(axis=0) + 1) / (b + 1)
    return np.minimum(1.0, 2 * np.minimum(below, above))


def _composition(fits: list, rng: np.random.Generator, n_sims: int) -> tuple[np.ndarray, ...]:
    """stm's method of composition: pool ``n_sims`` coefficient draws from each fit's normal
    approximation; return the mean and standard deviation of the pooled draws."""
    sims = np.vstack([rng.multivariate_normal(fit.params, fit.cov_params(), size=n_sims,
                                              method="eigh") for fit in fits])
    return sims.mean(axis=0), sims.std(axis=0, ddof=1)


def _regression(frame: pd.DataFrame, theta: np.ndarray, features: list[str], *, kind: str,
                groups: list[str], reference: str, fixed_effects: bool, use_cluster: bool,
                confidence: float, issues: list, draws: np.ndarray | None = None,
                seed: int = 0) -> list[dict]:
    label = (f"OLS: proportion ~ group{' + event fixed effects' if fixed_effects else ''}; "
             f"{'cluster-robust SE by outlet' if use_cluster else 'HC3 SE'}; "
             + (f"method of composition over {len(draws)} posterior draws of the proportions; "
                if draws is not None else "")
             + "estimate: difference in mean proportion vs reference")
    others = [g for g in groups if g != reference]
    counts = frame["group"].value_counts()
    design = group_design(frame, others, fixed_effects=fixed_effects)
    if use_cluster:
        codes = pd.factorize(frame["cluster"], sort=True)[0]
        n_clusters = int(codes.max()) + 1
        if n_clusters < 2:
            issues.append((EstimationWarning, "regression not estimated: fewer than two "
                                              "outlets (clusters)."))
            return [_row(POOLED, g, reference, kind, f, counts.get(g, 0), method=label)
                    for f in features for g in others]
        fit_args = {"cov_type": "cluster", "cov_kwds": {"groups": codes}}
        issues.extend((FewClustersWarning, problem)
                      for problem in cluster_problems(frame, n_clusters))
    else:
        fit_args = {"cov_type": "HC3"}
    rows = []
    names = list(design.columns)
    x = design.to_numpy()
    z = stats.norm.ppf(0.5 + confidence / 2)
    for j, feature in enumerate(features):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if draws is None:
                fit = sm.OLS(theta[:, j], x).fit(**fit_args)
                est, se = np.asarray(fit.params), np.asarray(fit.bse)
            else:
                fits = [sm.OLS(d[:, j], x).fit(**fit_args) for d in draws]
                est, se = _composition(fits, make_rng(seed, "topic_prevalence", "composition",
                                                      feature), N_COMPOSITION_SIMS)
        for g in others:
            i = names.index(f"group[{g}]")
            stat = est[i] / se[i] if se[i] > 0 else np.nan
            rows.append(_row(POOLED, g, reference, kind, feature, counts.get(g, 0),
                             float(est[i]), (float(est[i] - z * se[i]), float(est[i] + z * se[i])),
                             float(stat), float(2 * stats.norm.sf(abs(stat))), label))
    return rows


def _prepare(data, documents, *, feature, value, by, within, cluster, doc_id):
    """Wide document x feature matrix and a frame of doc, group, scope, cluster."""
    require_columns(data, (doc_id, feature, value), table="doc_topics")
    wide = data.pivot_table(index=doc_id, columns=feature, values=value, aggfunc="sum",
                            fill_value=0.0, sort=True)
    meta_columns = [c for c in (by, within, cluster) if c]
    source = documents if documents is not None else data
    require_columns(source, (doc_id, *meta_columns),
                    table="documents" if documents is not None else "doc_topics")
    meta = source[[doc_id, *dict.fromkeys(meta_columns)]].drop_duplicates()
    if meta[doc_id].duplicated().any():
        dup = meta.loc[meta[doc_id].duplicated(), doc_id].iloc[0]
        raise SchemaError(f"document {dup!r} has several values of {meta_columns}; pass one row "
                          "per document (e.g. each document's best-matching event).")
    meta = meta.set_index(doc_id).reindex(wide.index)
    notes = []
    missing = meta[by].isna() | (meta[by].astype(str) == "")
    if within:
        missing |= meta[within].isna() | (meta[within].astype(str) == "")
    if cluster:
        missing |= meta[cluster].isna() | (meta[cluster].astype(str) == "")
    if missing.any():
        notes.append(f"{int(missing.sum())} document(s) without {by!r}"
                     f"{' or ' + repr(within) if within else ''}"
                     f"{' or ' + repr(cluster) if cluster else ''} left out.")
    keep = ~missing.to_numpy()
    frame = pd.DataFrame({"doc": wide.index[keep],
                          "group": meta[by].to_numpy()[keep].astype(str),
                          "scope": (meta[within].to_numpy()[keep].astype(str) if within
                                    else POOLED),
                          "cluster": (meta[cluster].to_numpy()[keep].astype(str) if cluster
                                      else "")})
    return wide.to_numpy()[keep], list(wide.columns), frame, notes, (wide.index, keep)


def _draw_matrices(draws: pd.DataFrame, index: pd.Index, features: list, keep: np.ndarray, *,
                   feature: str, value: str, doc_id: str) -> np.ndarray:
    """Stack the draws into an array (draws x kept documents x features)."""
    require_columns(draws, ("draw", doc_id, feature, value), table="draws")
    out = []
    for _, part in draws.groupby("draw", sort=True):
        wide = part.pivot_table(index=doc_id, columns=feature, values=value, aggfunc="sum",
                                fill_value=0.0).reindex(index=index, columns=features)
        if wide.isna().to_numpy().any():
            raise SchemaError("draws: every draw needs every document and topic of data.")
        out.append(wide.to_numpy()[keep])
    return np.stack(out)


def topic_prevalence(data: pd.DataFrame, *, documents: pd.DataFrame | None = None,
                     by: str = "outlet", within: str | None = None,
                     reference: str | None = None, feature: str = "topic",
                     value: str = "weight", doc_id: str = "doc_id",
                     labels: Mapping | None = None, pairwise: bool = True,
                     regression: bool | str = "auto", cluster: str | None = "outlet",
                     correction: str = "holm", confidence: float = 0.95,
                     n_resamples: int = 2000, min_docs: int = 5,
                     draws: pd.DataFrame | None = None, random_state=None) -> PrevalenceResult:
    """Mean topic proportion by group, with bootstrap intervals, contrasts and a regression.

    Parameters
    ----------
    data : pandas.DataFrame
        A long table with one row per document and topic: ``doc_topics`` (``doc_id, topic,
        weight``) or any table of per-document scores (``feature="frame", value="score"``).
    documents : pandas.DataFrame, optional
        Documents table joined on ``doc_id`` for ``by``, ``within`` and ``cluster`` (else
        these columns must be in ``data``).
    by : str
        Column of the groups (``outlet``, ``outlet_lean``, an ``outlet_group`` column ...).
    within : str, optional
        Column of events (``event_id``): adds rows per event and event fixed effects to the
        regression. Documents without an event are left out, so that pooled (``scope="all"``)
        and per-event rows describe the same documents.
    reference : str, optional
        Group the others are compared with; default every pair of groups (the later group in
        sorted order against the earlier) and, for the regression, the first group.
    feature, value, doc_id : str
        Columns of ``data``.
    labels : mapping, optional
        Topic -> label for the ``feature`` column (e.g. ``model.topic_labels()`` as a dict).
    pairwise : bool
        Add bootstrap differences between groups.
    regression : bool or "auto"
        Add the regression rows (``auto``: when ``cluster`` is available and is not ``by``).
    cluster : str or None
        Column of the clusters of the robust standard errors (one cluster per outlet); ``None``
        uses HC3 standard errors instead.
    correction : str
        Multiple-comparison adjustment within each kind of row and scope (``"holm"``,
        ``"fdr_bh"`` ...).
    confidence : float
        Level of every interval.
    n_resamples : int
        Bootstrap resamples.
    min_docs : int
        Groups with fewer documents in a scope are left out of that scope (with a warning).
    draws : pandas.DataFrame, optional
        Posterior draws of the proportions (``draw`` plus the columns of ``data``, e.g.
        :meth:`TopicModel.doc_topic_draws`). The regression then uses stm's method of
        composition: it is fitted to every draw, :data:`N_COMPOSITION_SIMS` coefficient vectors
        are drawn from each fit's normal approximation, and the estimate, standard error and
        normal interval come from the pooled vectors, so that the uncertainty of the topic
        proportions is carried into the contrasts. Without draws the proportions are taken as
        known (the only option for NMF).
    random_state : int, numpy.random.Generator or None
        Seed of the bootstrap (recorded in ``params``); each group and scope draws from its own
        stream, so adding a group does not change the others' intervals.

    Returns
    -------
    PrevalenceResult

    Warns
    -----
    SmallCellWarning
        A group has fewer than ``min_docs`` documents in a scope.
    FewClustersWarning
        The regression rests on fewer than :data:`~framing.inference.MIN_CLUSTERS` outlets.

    Examples
    --------
    >>> import pandas as pd
    >>> doc_topics = pd.DataFrame({"doc_id": [d for d in "abcdefgh" for _ in range(2)],
    ...                            "topic": [0, 1] * 8,
    ...                            "weight": [.9, .1, .8, .2, .7, .3, .9, .1,
    ...                                       .2, .8, .3, .7, .1, .9, .4, .6]})
    >>> docs = pd.DataFrame({"doc_id": list("abcdefgh"),
    ...                      "outlet_lean": ["left"] * 4 + ["right"] * 4})
    >>> res = topic_prevalence(doc_topics, documents=docs, by="outlet_lean", regression=False,
    ...                        min_docs=2, random_state=0)
    >>> res.rows("prevalence")[["group", "feature", "estimate"]].round(3)
       group feature  estimate
    0   left       0     0.825
    1   left       1     0.175
    2  right       0     0.250
    3  right       1     0.750
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    if regression not in (True, False, "auto"):
        raise ParameterError(f"regression={regression!r}: use True, False or 'auto'.")
    if n_resamples < 1:
        raise ParameterError(f"n_resamples={n_resamples}: use a positive number.")
    source = documents if documents is not None else data
    has_cluster = cluster is not None and cluster != by and cluster in source.columns
    if regression is True and cluster is not None and not has_cluster:
        raise ParameterError(f"regression=True with cluster={cluster!r}: the column is missing "
                             f"or is by={by!r}; pass cluster=None for HC3 standard errors.")
    run_regression = regression is True or (regression == "auto" and has_cluster)
    if draws is not None and not run_regression:
        raise ParameterError("draws= feeds the regression rows, which are off: pass "
                             "regression=True (and cluster= or cluster=None).")
    seed = resolve_random_state(random_state)
    theta, features, frame, notes, (index, keep) = _prepare(
        data, documents, feature=feature, value=value, by=by, within=within,
        cluster=cluster if has_cluster else None, doc_id=doc_id)
    theta_draws = (None if draws is None or not run_regression else _draw_matrices(
        draws, index, features, keep, feature=feature, value=value, doc_id=doc_id))
    names = [str(labels.get(f, f)) if labels else str(f) for f in features]
    groups = sorted(frame["group"].unique())
    if reference is not None and reference not in groups:
        raise ParameterError(f"reference={reference!r} is not a group; groups: {groups}.")
    kind = "topic" if feature == "topic" else feature
    alpha = (1 - confidence) / 2
    issues: list = []

    rows, kinds = [], []
    scopes = [(POOLED, np.ones(len(frame), dtype=bool))]
    if within:
        scopes += [(s, (frame["scope"] == s).to_numpy()) for s in sorted(frame["scope"].unique())]
    for scope, in_scope in scopes:
        part = frame[in_scope]
        sizes = part["group"].value_counts()
        small = sorted(g for g in sizes.index if sizes[g] < min_docs)
        if small:
            issues.append((SmallCellWarning, f"scope {scope}: group(s) {small} have fewer than "
                                             f"{min_docs} documents and are left out."))
        present = [g for g in groups if sizes.get(g, 0) >= min_docs]
        boot = {}
        for g in present:
            rows_g = theta[in_scope][(part["group"] == g).to_numpy()]
            boot[g] = _bootstrap_means(rows_g, n_resamples,
                                       make_rng(seed, "topic_prevalence", scope, g))
            low, high = np.quantile(boot[g], [alpha, 1 - alpha], axis=0)
            for j, name in enumerate(names):
                rows.append(_row(scope, g, "", kind, name, len(rows_g), rows_g[:, j].mean(),
                                 (low[j], high[j]),
                                 method="mean proportion; bootstrap percentile interval"))
                kinds.append("prevalence")
        if not pairwise:
            continue
        pairs = ([(g, reference) for g in present if g != reference]
                 if reference is not None else [(h, g) for g, h in combinations(present, 2)])
        for g, h in pairs:
            if h not in boot:
                continue
            mask_g = (part["group"] == g).to_numpy()
            mask_h = (part["group"] == h).to_numpy()
            estimate = theta[in_scope][mask_g].mean(axis=0) - theta[in_scope][mask_h].mean(axis=0)
            diffs = boot[g] - boot[h]
            low, high = np.quantile(diffs, [alpha, 1 - alpha], axis=0)
            sd = diffs.std(axis=0, ddof=1)
            stat = np.divide(estimate, sd, out=np.full_like(estimate, np.nan), where=sd > 0)
            p = _bootstrap_p(diffs)
            for j, name in enumerate(names):
                rows.append(_row(scope, g, h, kind, name, int(mask_g.sum()), estimate[j],
                                 (low[j], high[j]), stat[j], p[j],
                                 "difference in mean proportion; bootstrap percentile "
                                 "interval and p-value (statistic: estimate / bootstrap SE)"))
                kinds.append("pairwise")

    if run_regression:
        sizes = frame["group"].value_counts()
        kept = [g for g in groups if sizes[g] >= min_docs]
        ref = reference if reference is not None else kept[0]
        in_model = frame["group"].isin(kept).to_numpy()
        regression_rows = _regression(
            frame[in_model], theta[in_model], names, kind=kind, groups=kept, reference=ref,
            fixed_effects=bool(within) and frame["scope"].nunique() > 1,
            use_cluster=has_cluster, confidence=confidence, issues=issues,
            draws=None if theta_draws is None else theta_draws[:, in_model], seed=seed)
        rows += regression_rows
        kinds += ["regression"] * len(regression_rows)

    for category, message in dict.fromkeys(issues):
        warnings.warn(message, category, stacklevel=2)
    params = {"by": by, "within": within, "reference": reference, "feature": feature,
              "value": value, "cluster": cluster if run_regression else None,
              "n_draws": 0 if theta_draws is None else len(theta_draws),
              "confidence": confidence, "n_resamples": n_resamples, "min_docs": min_docs,
              "random_state": seed}
    return PrevalenceResult(pd.DataFrame(rows), kinds=kinds, params=params,
                            title=f"Topic prevalence by {by}", correction=correction,
                            notes=(*notes, *(m for _, m in dict.fromkeys(issues))))
