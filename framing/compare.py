"""Compare the share of documents with a frame, topic or label across outlets or outlet groups.

:func:`compare_shares` answers "do outlet groups differ in how often they use this frame?", for
all documents pooled and, with ``within=``, inside each event. It takes any tidy table:

* one row per document with a categorical column (``topic``, ``blame``): each category is a
  feature, and the categories of one column are tested together (a groups x categories table);
* one row per document with a boolean column (``mentions_iraq``);
* one row per document and frame, like the ``doc_frames`` table of the codebook and classifier
  stages (``doc_id, frame, label, score, method``) with ``value="label"``. A frame whose labels
  are ``present``/``absent`` (or 0/1, booleans) is a presence feature (``feature_kind="frame"``,
  ``feature`` = the frame); any other frame's labels are its categories (``feature_kind`` = the
  frame, e.g. ``blame``; ``feature`` = the label, e.g. ``syrian_government``).

Rows of the returned :class:`SharesResult` (see :mod:`framing.results` for the columns):

``share``
    Share of documents of a group with the feature, with a Wilson interval.
``omnibus``
    Do the groups differ? Pearson's chi-square test, or Fisher's exact test (2x2) and the
    Fisher-Freeman-Halton test with a Monte Carlo p-value (larger tables) when an expected count
    is below ``min_expected``. ``estimate`` is Cramér's V with a percentile bootstrap interval.
``pairwise``
    Difference of shares between two groups with Newcombe's hybrid score interval and the same
    choice of test on the 2x2 table. Adjusted p-values control the family-wise error rate
    (Holm) or the false discovery rate (Benjamini-Hochberg) over every pairwise test of a scope.
``regression``
    Logistic regression of the feature's presence on the group (reference: ``reference``), with
    event fixed effects when ``within`` is given and cluster-robust standard errors with one
    cluster per outlet (``cluster``): documents of one outlet are not independent draws.
    ``estimate`` is the log odds ratio against the reference group.
"""

from __future__ import annotations

import logging
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .errors import (
    EstimationWarning,
    FewClustersWarning,
    ParameterError,
    SchemaError,
    SmallCellWarning,
)
from .inference import (
    CORRECTIONS,
    bootstrap_cramers_v,
    cluster_problems,
    contingency_test,
    cramers_v,
    group_design,
    make_rng,
    newcombe_interval,
    resolve_random_state,
    wilson_interval,
)
from .results import ComparisonResult
from .schema import require_columns

__all__ = ["compare_shares", "SharesResult", "presence_table", "PRESENCE_LABELS"]

logger = logging.getLogger(__name__)

#: ``scope`` of rows computed on all documents pooled.
POOLED = "all"
_PRESENCE_COLUMNS = ("doc", "group", "scope", "cluster", "feature_kind", "feature", "present")


class SharesResult(ComparisonResult):
    """Result of :func:`compare_shares` (a :class:`~framing.results.ComparisonResult`).

    :meth:`plot` draws the shares with their Wilson intervals; ``plot("pairwise")`` the
    differences, ``plot("regression")`` the log odds ratios.
    """

    summary_kinds = ("share", "omnibus", "pairwise", "regression")
    plot_kind = "share"


# ---------------------------------------------------------------------------------- input
#: Labels read as presence (True) or absence (False) of a frame, besides 0/1 and booleans
#: (the codebook stage writes ``present`` / ``absent``).
PRESENCE_LABELS = {"present": True, "absent": False}


def _presence(values: pd.Series) -> pd.Series | None:
    """``values`` as booleans if they are presence labels (0/1, bool, present/absent)."""
    found = values.dropna().unique()
    if len(found) == 0:
        return None
    if all(isinstance(v, str) for v in found):
        if set(found) <= set(PRESENCE_LABELS):
            return values.map(PRESENCE_LABELS).astype(bool)
        return None
    if all(isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)) and v in (0, 1)
           for v in found):
        return values.astype(bool)
    return None


def _as_labels(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 != 0).any():
        raise SchemaError(f"column {column!r} holds fractional numbers (scores?); compare_shares "
                          "needs 0/1 presence or category labels. Threshold scores first, or "
                          "use compare_distributions() for weights.")
    return values.astype(str)


def presence_table(data: pd.DataFrame, *, feature: str = "frame", value: str | None = None,
                   by: str = "outlet", within: str | None = None, cluster: str | None = None,
                   documents: pd.DataFrame | None = None,
                   doc_id: str = "doc_id") -> tuple[pd.DataFrame, dict[str, bool], list[str]]:
    """Long table of feature presence: one row per document and feature.

    Returns ``(table, exclusive, notes)``: ``table`` has the columns ``doc, group, scope,
    cluster, feature_kind, feature, present``; ``exclusive`` maps each ``feature_kind`` to
    whether its features are mutually exclusive categories; ``notes`` says what was dropped.
    See :func:`compare_shares` for the accepted layouts.
    """
    notes: list[str] = []
    if documents is not None:
        require_columns(data, [doc_id], table="data")
        wanted = [c for c in dict.fromkeys((by, within, cluster)) if c and c not in data.columns]
        require_columns(documents, [doc_id, *wanted], table="documents")
        if documents[doc_id].duplicated().any():
            raise SchemaError(f"documents: column {doc_id!r} has duplicated ids; "
                              "pass one row per document.")
        data = data.merge(documents[[doc_id, *wanted]], on=doc_id, how="left",
                          validate="many_to_one")
    needed = [c for c in (by, feature, value, within) if c]
    require_columns(data, needed, table="data")
    if cluster is not None and cluster not in data.columns:
        raise SchemaError(f"data has no cluster column {cluster!r}; pass documents= holding it, "
                          "or cluster=None.")
    keys = [c for c in (by, within) if c]
    missing = data[keys].isna().any(axis=1) | (data[keys].astype(str) == "").any(axis=1)
    if missing.any():
        notes.append(f"{int(missing.sum())} row(s) without {' or '.join(keys)} left out.")
        data = data[~missing]
    if data.empty:
        raise SchemaError(f"no rows left with a value in {keys}.")
    group = data[by].astype(str)
    scope = data[within].astype(str) if within else pd.Series("", index=data.index)
    clusters = (data[cluster].astype(str) if cluster else pd.Series("", index=data.index))

    if value is None:
        if doc_id in data.columns and data[doc_id].duplicated().any():
            raise SchemaError(f"data has several rows per {doc_id!r}; for a document x feature "
                              "table (like doc_frames) pass value='label'.")
        docs = (data[doc_id].astype(str) if doc_id in data.columns
                else pd.Series(data.index.astype(str), index=data.index))
        base = pd.DataFrame({"doc": docs, "group": group, "scope": scope, "cluster": clusters})
        values = data[feature]
        if values.isna().any():
            notes.append(f"{int(values.isna().sum())} document(s) without {feature!r} left out.")
            base, values = base[values.notna()], values[values.notna()]
        present = _presence(values)
        if present is not None:
            long = base.assign(feature_kind=feature, feature=feature, present=present.to_numpy())
            return long[list(_PRESENCE_COLUMNS)], {feature: False}, notes
        labels = _as_labels(values, feature)
        parts = [base.assign(feature_kind=feature, feature=cat, present=(labels == cat).to_numpy())
                 for cat in sorted(labels.unique())]
        return pd.concat(parts, ignore_index=True), {feature: True}, notes

    require_columns(data, [doc_id], table="data")
    values = data[value]
    base = pd.DataFrame({"doc": data[doc_id].astype(str), "group": group, "scope": scope,
                         "cluster": clusters, "name": data[feature].astype(str)})
    if values.isna().any():
        notes.append(f"{int(values.isna().sum())} row(s) without {value!r} left out.")
        base, values = base[values.notna()], values[values.notna()]
    if base[["doc", "name"]].duplicated().any():
        dup = base.loc[base[["doc", "name"]].duplicated(), ["doc", "name"]].iloc[0]
        raise SchemaError(f"data has two rows for document {dup['doc']!r} and {feature} "
                          f"{dup['name']!r}; expected one row per document and {feature}.")
    meta = base.drop_duplicates("doc").set_index("doc")[["group", "scope", "cluster"]]
    if meta.index.size != base[["doc", "group", "scope", "cluster"]].drop_duplicates().shape[0]:
        raise SchemaError(f"a document has different {by!r}/{within!r} values in two rows.")
    parts, exclusive = [], {}
    binary = []
    for name, rows in base.assign(label=values.to_numpy()).groupby("name", sort=True):
        present = _presence(rows["label"])
        if present is not None:
            binary.append(rows.assign(present=present.to_numpy()))
            continue
        exclusive[name] = True
        labels = _as_labels(rows["label"], value)
        for cat in sorted(labels.unique()):
            parts.append(rows.assign(feature_kind=name, feature=cat,
                                     present=(labels == cat).to_numpy()))
    if binary:
        if feature in exclusive:
            raise SchemaError(f"{feature} {feature!r} has category labels; rename it, since "
                              f"presence frames are reported under feature_kind {feature!r}.")
        exclusive[feature] = False
        wide = (pd.concat(binary).pivot(index="doc", columns="name", values="present")
                .reindex(meta.index))
        n_missing = int(wide.isna().to_numpy().sum())
        if n_missing:
            notes.append(f"{n_missing} document x {feature} pair(s) had no row and were counted "
                         "as absent.")
        wide = wide.fillna(False).astype(bool)
        long = (wide.stack().rename("present").reset_index()
                .rename(columns={"name": "feature"}))
        parts.append(long.join(meta, on="doc").assign(feature_kind=feature))
    return pd.concat(parts, ignore_index=True)[list(_PRESENCE_COLUMNS)], exclusive, notes


# ---------------------------------------------------------------------------------- rows
def _row(scope, group, reference, kind_name, feature, n_docs, estimate=np.nan, ci=(np.nan, np.nan),
         statistic=np.nan, p_value=np.nan, method=""):
    return {"scope": scope, "group": group, "reference": reference, "feature_kind": kind_name,
            "feature": feature, "n_docs": int(n_docs), "estimate": estimate, "ci_low": ci[0],
            "ci_high": ci[1], "statistic": statistic, "p_value": p_value, "method": method}


def _omnibus(table: np.ndarray, *, scope, kind_name, feature, test, min_expected, n_resamples,
             confidence, seed, small) -> dict:
    key = ("omnibus", scope, kind_name, feature)
    res = contingency_test(table, test=test, min_expected=min_expected, n_resamples=n_resamples,
                           rng=make_rng(seed, "test", *key))
    if res.small_cells and test == "chi2":
        small.append(f"{scope}/{kind_name}/{feature}")
    v = cramers_v(table)
    ci = (bootstrap_cramers_v(table, n_resamples=n_resamples, confidence=confidence,
                              rng=make_rng(seed, "bootstrap", *key))
          if np.isfinite(res.p_value) else (np.nan, np.nan))
    return _row(scope, "*", "", kind_name, feature, table.sum(), v, ci, res.statistic,
                res.p_value, f"{res.method}; estimate: Cramér's V, percentile bootstrap interval")


def _pairwise(a, b, *, scope, kind_name, feature, test, min_expected, confidence, small) -> dict:
    (g, xg, ng), (r, xr, nr) = a, b
    res = contingency_test([[xg, ng - xg], [xr, nr - xr]], test=test, min_expected=min_expected)
    if res.small_cells and test == "chi2":
        small.append(f"{scope}/{kind_name}/{feature}: {g} vs {r}")
    ci = newcombe_interval(xg, ng, xr, nr, confidence)
    return _row(scope, g, r, kind_name, feature, ng, xg / ng - xr / nr, ci, res.statistic,
                res.p_value, f"{res.method}; estimate: difference of shares, Newcombe interval")


def _logit(frame: pd.DataFrame, *, kind_name, feature, groups, reference, fixed_effects,
           confidence, issues) -> list[dict]:
    """Presence ~ group (+ event fixed effects), cluster-robust SEs by ``cluster``."""
    label = (f"logit: presence ~ group{' + event fixed effects' if fixed_effects else ''}; "
             "cluster-robust SE by outlet; estimate: log odds ratio vs reference")
    others = [g for g in groups if g != reference]
    counts = frame["group"].value_counts()

    def empty(reason):
        issues.append((EstimationWarning, f"regression not estimated: {reason}",
                       f"{kind_name}/{feature}"))
        return [_row(POOLED, g, reference, kind_name, feature, counts.get(g, 0), method=label)
                for g in others]

    # Groups (and, with fixed effects, events) in which every document has the feature, or
    # none does, have infinite coefficients (complete separation): leave them out, repeatedly,
    # since dropping one can make another constant.
    separated: list[str] = []
    while True:
        if fixed_effects:
            frame = frame[frame.groupby("scope")["present"].transform("nunique") > 1]
        by_group = frame.groupby("group")["present"].agg(["mean", "size"])
        constant = by_group.index[(by_group["mean"] == 0) | (by_group["mean"] == 1)].tolist()
        if not constant:
            break
        separated += constant
        frame = frame[~frame["group"].isin(constant)]
    if separated:
        issues.append((EstimationWarning,
                       "regression: complete separation (every document of the group has the "
                       "feature, or none has); those groups' rows are NaN", f"{kind_name}/"
                       f"{feature}: {sorted(separated)}"))
    if frame.empty or frame["present"].nunique() < 2:
        return empty("no document has it, or every one does, within the groups and events")
    if reference not in by_group.index:
        return empty(f"reference group {reference!r} is separated or has no documents in "
                     "events that vary")
    n_clusters = frame["cluster"].nunique()
    if n_clusters < 2:
        return empty("fewer than two clusters")
    present_groups = [g for g in others if g in by_group.index]
    design = group_design(frame, present_groups, fixed_effects=fixed_effects)
    codes = pd.factorize(frame["cluster"], sort=True)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(frame["present"].astype(float), design, family=sm.families.Binomial()).fit(
            cov_type="cluster", cov_kwds={"groups": codes}, tol=1e-12, maxiter=200)
    if not fit.converged:
        return empty("the model did not converge")
    issues.extend((FewClustersWarning, problem, f"{kind_name}/{feature}")
                  for problem in cluster_problems(frame, n_clusters))
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))
    names = list(design.columns)
    rows = []
    for g in others:
        if g not in present_groups:
            rows.append(_row(POOLED, g, reference, kind_name, feature, counts.get(g, 0),
                             method=label))
            continue
        i = names.index(f"group[{g}]")
        rows.append(_row(POOLED, g, reference, kind_name, feature, by_group.loc[g, "size"],
                         float(fit.params.iloc[i]), (float(ci[i, 0]), float(ci[i, 1])),
                         float(fit.tvalues.iloc[i]), float(fit.pvalues.iloc[i]), label))
    return rows


# ---------------------------------------------------------------------------------- main
def compare_shares(data: pd.DataFrame, *, feature: str = "frame", value: str | None = None,
                   by: str = "outlet", within: str | None = None,
                   documents: pd.DataFrame | None = None, doc_id: str = "doc_id",
                   reference: str | None = None, test: str = "auto", correction: str = "holm",
                   pairwise: bool = True, regression: bool | str = "auto",
                   cluster: str = "outlet", confidence: float = 0.95, n_resamples: int = 2000,
                   min_expected: float = 5.0, random_state=None) -> SharesResult:
    """Share of documents with each feature by group, with tests, intervals and contrasts.

    Parameters
    ----------
    data : pandas.DataFrame
        A documents table with a ``feature`` column, or a document x feature table such as
        ``doc_frames`` (with ``value=``). See the module documentation for the layouts.
    feature : str
        Column naming the feature: a categorical or boolean column of a documents table, or the
        frame name column of a document x feature table.
    value : str, optional
        For document x feature tables, the column holding presence (0/1, bool) or a category
        label. Document x frame pairs without a row count as absent.
    by : str
        Column of the groups compared (``outlet``, ``outlet_lean``, ``outlet_type`` ...).
    within : str, optional
        Column of events (``event_id``): adds rows per event and event fixed effects to the
        regression. Rows without an event are left out (so that pooled and per-event rows
        describe the same documents).
    documents : pandas.DataFrame, optional
        Documents table joined on ``doc_id`` to bring ``by``, ``within`` and ``cluster``.
    doc_id : str
        Document id column.
    reference : str, optional
        Group every other group is compared with. Default: every pair of groups (the later
        group in sorted order against the earlier) and, for the regression, the first group.
    test : {"auto", "chi2", "fisher"}
        ``auto`` uses chi-square unless an expected count is below ``min_expected``, then an
        exact (2x2) or Monte Carlo (larger) Fisher test; forcing ``chi2`` on small cells issues
        a :class:`~framing.errors.SmallCellWarning`.
    correction : str
        Multiple-comparison adjustment within each family (``"holm"``, ``"fdr_bh"``, ...).
    pairwise : bool
        Add pairwise contrasts.
    regression : bool or "auto"
        Fit the logistic regressions (``auto``: when ``cluster`` is available and differs from
        ``by``; when they are the same column, outlets are both treatment and cluster).
    cluster : str
        Column of the clusters for robust standard errors (one cluster per outlet).
    confidence : float
        Level of every interval.
    n_resamples : int
        Bootstrap resamples for Cramér's V and Monte Carlo tables for Fisher-Freeman-Halton.
    min_expected : float
        Smallest expected cell count for the chi-square approximation.
    random_state : int, numpy.random.Generator or None
        Seed of the bootstrap and Monte Carlo draws (recorded in ``params``).

    Returns
    -------
    SharesResult

    Warns
    -----
    SmallCellWarning
        ``test="chi2"`` was forced on tables with expected counts below ``min_expected``.
    FewClustersWarning
        A regression rests on fewer than :data:`~framing.inference.MIN_CLUSTERS` outlets.
    EstimationWarning
        A regression could not be estimated (its rows hold NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({
    ...     "doc_id": [f"d{i}" for i in range(12)],
    ...     "outlet_lean": ["left"] * 6 + ["right"] * 6,
    ...     "iraq_analogy": [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]})
    >>> res = compare_shares(docs, feature="iraq_analogy", by="outlet_lean", random_state=0,
    ...                      regression=False)
    >>> res.rows("share")[["group", "n_docs", "estimate"]].round(3)
       group  n_docs  estimate
    0   left       6     0.667
    1  right       6     0.167
    >>> pair = res.rows("pairwise").iloc[0]
    >>> pair["group"], pair["reference"], round(pair["estimate"], 3), round(pair["p_value"], 3)
    ('right', 'left', np.float64(-0.5), np.float64(0.242))
    >>> pair["method"].split(";")[0]
    'Fisher exact'
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    if regression not in (True, False, "auto"):
        raise ParameterError(f"regression={regression!r}: use True, False or 'auto'.")
    if n_resamples < 1:
        raise ParameterError(f"n_resamples={n_resamples}: use a positive number.")
    has_cluster = cluster is not None and cluster != by and (
        cluster in data.columns or (documents is not None and cluster in documents.columns))
    if regression is True and not has_cluster:
        raise ParameterError(f"regression=True needs a cluster column {cluster!r} (in data or "
                             f"documents) different from by={by!r}.")
    run_regression = bool(regression) and has_cluster
    seed = resolve_random_state(random_state)
    long, exclusive, notes = presence_table(
        data, feature=feature, value=value, by=by, within=within,
        cluster=cluster if run_regression else None, documents=documents, doc_id=doc_id)
    long = long.sort_values(["scope", "feature_kind", "feature", "group", "doc"],
                            ignore_index=True)
    groups = sorted(long["group"].unique())
    if reference is not None and reference not in groups:
        raise ParameterError(f"reference={reference!r} is not a group; groups: {groups}.")

    scopes = [(POOLED, long)]
    if within:
        scopes += list(long.groupby("scope", sort=True))
    rows, kinds, small, issues = [], [], [], []
    for scope, part in scopes:
        counts = (part.groupby(["feature_kind", "feature", "group"], sort=True)["present"]
                  .agg(n="size", x="sum").reset_index())
        low, high = wilson_interval(counts["x"].to_numpy(), counts["n"].to_numpy(), confidence)
        for c, lo, hi in zip(counts.itertuples(index=False), low, high, strict=True):
            rows.append(_row(scope, c.group, "", c.feature_kind, c.feature, c.n, c.x / c.n,
                             (float(lo), float(hi)), method="share of documents, Wilson interval"))
            kinds.append("share")
        for kind_name, per_kind in counts.groupby("feature_kind", sort=True):
            options = dict(test=test, min_expected=min_expected, n_resamples=n_resamples,
                           confidence=confidence, seed=seed, small=small)
            if exclusive[kind_name]:
                table = per_kind.pivot(index="group", columns="feature", values="x").fillna(0)
                rows.append(_omnibus(table.to_numpy(), scope=scope, kind_name=kind_name,
                                     feature="*", **options))
                kinds.append("omnibus")
            for feat, per_feature in per_kind.groupby("feature", sort=True):
                cells = list(per_feature[["group", "x", "n"]].itertuples(index=False, name=None))
                if not exclusive[kind_name]:
                    table = np.array([[x, n - x] for _, x, n in cells])
                    rows.append(_omnibus(table, scope=scope, kind_name=kind_name, feature=feat,
                                         **options))
                    kinds.append("omnibus")
                if not pairwise:
                    continue
                pairs = ([(c, r) for c in cells for r in cells
                          if r[0] == reference and c[0] != reference] if reference is not None
                         else [(b, a) for a, b in combinations(cells, 2)])
                for a, b in pairs:
                    rows.append(_pairwise(a, b, scope=scope, kind_name=kind_name, feature=feat,
                                          test=test, min_expected=min_expected,
                                          confidence=confidence, small=small))
                    kinds.append("pairwise")

    if run_regression and len(groups) > 1:
        base = reference if reference is not None else groups[0]
        for (kind_name, feat), frame in long.groupby(["feature_kind", "feature"], sort=True):
            new = _logit(frame, kind_name=kind_name, feature=feat, groups=groups,
                         reference=base, fixed_effects=bool(within), confidence=confidence,
                         issues=issues)
            rows.extend(new)
            kinds.extend(["regression"] * len(new))

    if small:
        issues.append((SmallCellWarning,
                       f"test='chi2' on {len(small)} table(s) with an expected count below "
                       f"{min_expected}; the chi-square p-value is unreliable there (use "
                       "test='auto' for exact or Monte Carlo p-values)", small[0]))
    for note in notes:
        logger.info(note)
    for (category, message), where in _grouped(issues).items():
        message = f"{message} ({', '.join(where[:5])}{', ...' if len(where) > 5 else ''})."
        warnings.warn(message, category, stacklevel=2)
        notes.append(message)
    params = {"feature": feature, "value": value, "by": by, "within": within,
              "reference": reference, "test": test, "pairwise": pairwise,
              "regression": run_regression, "cluster": cluster if run_regression else None,
              "confidence": confidence, "n_resamples": n_resamples,
              "min_expected": min_expected, "random_state": seed,
              "n_documents": int(long["doc"].nunique()), "groups": groups}
    title = f"Shares of {feature}" + (f" ({value})" if value else "") + f" by {by}"
    return SharesResult(pd.DataFrame(rows, columns=list(_ROW_KEYS)), kinds=kinds, params=params,
                        title=title + (f" within {within}" if within else ""),
                        correction=correction, notes=notes)


_ROW_KEYS = tuple(_row("", "", "", "", "", 0).keys())


def _grouped(issues) -> dict[tuple, list[str]]:
    """Issues ``(category, message, where)`` with the same message merged into one."""
    out: dict[tuple, list[str]] = {}
    for category, message, where in issues:
        out.setdefault((category, message), []).append(where)
    return out
