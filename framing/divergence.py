"""How far apart are outlets' mixes of frames or topics? Jensen-Shannon divergence.

Each group's distribution is the mean of its documents' distributions (topic weights, or the
one-hot category of a document, or its frames normalised to sum to 1). Two groups are compared
with the Jensen-Shannon divergence in bits,

``JSD(P, Q) = H((P + Q) / 2) - (H(P) + H(Q)) / 2``,

which is 0 for equal distributions and 1 for distributions with no category in common; its
square root is a metric (:func:`scipy.spatial.distance.jensenshannon` returns the root), used
for the clustering in :meth:`DivergenceResult.plot`.

The plug-in JSD of two finite samples is positive even when the outlets do not differ, and the
more so the fewer documents they have: read the bootstrap interval (documents resampled within
each group) together with the permutation p-value (documents of the two groups shuffled), which
is the test of "no difference".
"""

from __future__ import annotations

import logging
import warnings
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.special import rel_entr

from .errors import ParameterError, SchemaError, SmallCellWarning
from .inference import (
    CORRECTIONS,
    make_rng,
    resolve_random_state,
)
from .results import ComparisonResult
from .schema import require_columns

__all__ = ["compare_distributions", "distribution_matrix", "jsd", "DivergenceResult"]

logger = logging.getLogger(__name__)


def jsd(p, q, *, axis: int = -1, base: float = 2.0) -> np.ndarray:
    """Jensen-Shannon divergence: the square of SciPy's Jensen-Shannon distance
    (:func:`scipy.spatial.distance.jensenshannon`), computed the same way but kept at 0 where
    rounding makes it a hair negative for (nearly) equal distributions, where SciPy's square
    root returns NaN.

    Examples
    --------
    >>> float(jsd([1, 0], [0, 1]))
    1.0
    >>> round(float(jsd([0.5, 0.5], [0.9, 0.1])), 6)
    0.146793
    """
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p = p / p.sum(axis=axis, keepdims=True)
    q = q / q.sum(axis=axis, keepdims=True)
    m = (p + q) / 2
    js = (rel_entr(p, m).sum(axis=axis) + rel_entr(q, m).sum(axis=axis)) / 2
    return np.maximum(js, 0.0) / np.log(base)


class DivergenceResult(ComparisonResult):
    """Result of :func:`compare_distributions`.

    Rows of kind ``share`` hold each group's mean share of each category (percentile bootstrap
    interval); rows of kind ``divergence`` hold the JSD of each pair of groups (``group``
    against ``reference``; ``n_docs`` counts the documents of both).
    """

    summary_kinds = ("divergence",)
    plot_kind = "divergence"

    def matrix(self) -> pd.DataFrame:
        """Square groups x groups table of JSD (0 on the diagonal)."""
        rows = self.rows("divergence")
        groups = self.params["groups"]
        out = pd.DataFrame(0.0, index=pd.Index(groups, name="group"),
                           columns=pd.Index(groups, name="reference"))
        for r in rows.itertuples(index=False):
            out.loc[r.group, r.reference] = out.loc[r.reference, r.group] = r.estimate
        return out

    def plot(self, kind: str | None = None, *, cmap: str = "mako_r", **options):
        """Clustered heatmap of the JSD matrix (:func:`seaborn.clustermap`), groups ordered by
        average-linkage clustering on the Jensen-Shannon distance (the square root of the JSD).

        ``kind="share"`` draws the group distributions instead (see
        :meth:`ComparisonResult.plot`). ``options`` go to :func:`seaborn.clustermap`.

        Returns
        -------
        seaborn.matrix.ClusterGrid or matplotlib.axes.Axes
        """
        if kind not in (None, "divergence"):
            return super().plot(kind)
        import seaborn as sns
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import squareform

        matrix = self.matrix()
        if len(matrix) < 2:
            raise ParameterError("a similarity figure needs at least two groups.")
        tree = linkage(squareform(np.sqrt(matrix.to_numpy()), checks=False), method="average")
        size = 2.5 + 0.35 * len(matrix)
        grid = sns.clustermap(matrix, row_linkage=tree, col_linkage=tree, cmap=cmap,
                              vmin=0, annot=len(matrix) <= 12, fmt=".2f",
                              cbar_kws={"label": "JSD (bits)"},
                              figsize=(size, size), **options)
        grid.ax_heatmap.set_xlabel("")
        grid.ax_heatmap.set_ylabel("")
        grid.ax_col_dendrogram.set_title(self.title)
        return grid


def distribution_matrix(data: pd.DataFrame, *, feature: str = "topic",
                        weight: str | None = None, by: str = "outlet",
                        documents: pd.DataFrame | None = None,
                        doc_id: str = "doc_id") -> tuple[np.ndarray, pd.Series, list[str]]:
    """Documents x categories matrix of distributions (rows sum to 1) and each document's group.

    ``data`` is either a documents table with a categorical ``feature`` column (``weight``
    None), or a long table with one row per document and category and a ``weight`` column
    (``doc_topics``: ``doc_id, topic, weight``; or ``doc_frames`` with ``weight="label"``).
    Documents whose weights sum to 0 are left out.

    Returns ``(matrix, groups, categories)``.
    """
    if documents is not None:
        require_columns(data, [doc_id], table="data")
        require_columns(documents, [doc_id, by], table="documents")
        if by not in data.columns:
            data = data.merge(documents[[doc_id, by]].drop_duplicates(doc_id), on=doc_id,
                              how="left", validate="many_to_one")
    require_columns(data, [by, feature] + ([weight, doc_id] if weight else []), table="data")
    data = data[data[by].notna() & (data[by].astype(str) != "")]
    if weight is None:
        if doc_id in data.columns and data[doc_id].duplicated().any():
            raise SchemaError(f"several rows per {doc_id!r}: pass weight= for a long table.")
        data = data[data[feature].notna()]
        codes, cats = pd.factorize(data[feature].astype(str), sort=True)
        matrix = np.zeros((len(data), len(cats)))
        matrix[np.arange(len(data)), codes] = 1.0
        return matrix, data[by].astype(str).reset_index(drop=True), cats.tolist()
    values = pd.to_numeric(data[weight], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise SchemaError(f"column {weight!r} must hold non-negative numbers.")
    wide = (data.assign(_w=values.astype(float), _f=data[feature].astype(str))
            .pivot_table(index=doc_id, columns="_f", values="_w", aggfunc="sum", fill_value=0.0))
    groups = data.drop_duplicates(doc_id).set_index(doc_id)[by].astype(str)
    if groups.index.size != data[[doc_id, by]].drop_duplicates().shape[0]:
        raise SchemaError(f"a document has two values of {by!r}.")
    totals = wide.sum(axis=1)
    if (totals == 0).any():
        logger.info("%d document(s) with zero total weight left out.", int((totals == 0).sum()))
    wide = wide[totals > 0]
    matrix = wide.to_numpy() / wide.sum(axis=1).to_numpy()[:, None]
    return matrix, groups.loc[wide.index].reset_index(drop=True), list(wide.columns)


def _canonical_order(x: np.ndarray) -> np.ndarray:
    """Rows sorted by value, so that resampling does not depend on the input's row order."""
    return x[np.lexsort(x.T[::-1])] if len(x) else x


def _bootstrap_means(x: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_resamples`` bootstrap samples of the rows of ``x`` (multinomial weights)."""
    n = len(x)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=n_resamples)
    return weights @ x / n


def compare_distributions(data: pd.DataFrame, *, feature: str = "topic",
                          weight: str | None = None, by: str = "outlet",
                          documents: pd.DataFrame | None = None, doc_id: str = "doc_id",
                          n_resamples: int = 1000, n_permutations: int = 1000,
                          confidence: float = 0.95, correction: str = "holm",
                          min_docs: int = 5, random_state=None) -> DivergenceResult:
    """Jensen-Shannon divergence between groups' frame or topic distributions.

    Parameters
    ----------
    data : pandas.DataFrame
        See :func:`distribution_matrix` for the layouts.
    feature : str
        Category column (``topic``, ``frame``, a label column).
    weight : str, optional
        Weight column of a long table (``weight`` of ``doc_topics``, ``label`` of
        ``doc_frames``).
    by : str
        Group column.
    documents : pandas.DataFrame, optional
        Documents table joined on ``doc_id`` to bring ``by``.
    n_resamples : int
        Bootstrap resamples (documents drawn with replacement within each group).
    n_permutations : int
        Label permutations for the p-value of each pair (0: no test).
    confidence : float
        Level of the bootstrap intervals.
    correction : str
        Adjustment of the pairwise p-values (``"holm"``, ``"fdr_bh"`` ...).
    min_docs : int
        Groups with fewer documents are left out (with a warning).
    random_state : int, numpy.random.Generator or None
        Seed of the resampling (recorded in ``params``).

    Returns
    -------
    DivergenceResult

    Examples
    --------
    >>> docs = pd.DataFrame({"outlet": ["SANA"] * 6 + ["CNN"] * 6,
    ...                      "frame": ["terrorism"] * 5 + ["attack"] + ["attack"] * 5 + ["war"]})
    >>> res = compare_distributions(docs, feature="frame", by="outlet", random_state=0)
    >>> row = res.rows("divergence").iloc[0]
    >>> row["group"], row["reference"], round(row["estimate"], 3), round(row["p_value"], 3)
    ('SANA', 'CNN', np.float64(0.675), np.float64(0.013))
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence={confidence}: use a number between 0 and 1.")
    if n_resamples < 1 or n_permutations < 0:
        raise ParameterError("n_resamples must be positive and n_permutations non-negative.")
    seed = resolve_random_state(random_state)
    matrix, groups, categories = distribution_matrix(
        data, feature=feature, weight=weight, by=by, documents=documents, doc_id=doc_id)
    sizes = groups.value_counts()
    small = sorted(sizes.index[sizes < min_docs])
    notes = []
    if small:
        notes.append(f"group(s) with fewer than {min_docs} documents left out: {small}.")
        warnings.warn(notes[-1], SmallCellWarning, stacklevel=2)
    kept = sorted(sizes.index[sizes >= min_docs])
    if len(kept) < 2:
        raise ParameterError(f"need two groups with at least {min_docs} documents; "
                             f"sizes: {sizes.to_dict()}.")
    tail = (1 - confidence) / 2
    members = {g: _canonical_order(matrix[(groups == g).to_numpy()]) for g in kept}
    means = {g: x.mean(axis=0) for g, x in members.items()}
    boot = {g: _bootstrap_means(x, n_resamples, make_rng(seed, "bootstrap", g))
            for g, x in members.items()}
    rows, kinds = [], []
    for g in kept:
        low, high = np.quantile(boot[g], [tail, 1 - tail], axis=0)
        for k, cat in enumerate(categories):
            rows.append({"scope": "all", "group": g, "reference": "", "feature_kind": feature,
                         "feature": cat, "n_docs": len(members[g]), "estimate": means[g][k],
                         "ci_low": low[k], "ci_high": high[k],
                         "method": "mean share of documents, percentile bootstrap interval"})
            kinds.append("share")
    for ref, g in combinations(kept, 2):
        observed = float(jsd(means[g], means[ref]))
        low, high = np.quantile(jsd(boot[g], boot[ref], axis=1), [tail, 1 - tail])
        p_value = np.nan
        if n_permutations:
            pooled = np.vstack([members[g], members[ref]])
            labels = np.repeat([True, False], [len(members[g]), len(members[ref])])
            rng = make_rng(seed, "permutation", g, ref)
            masks = rng.permuted(np.tile(labels, (n_permutations, 1)), axis=1)
            first = masks @ pooled / len(members[g])
            second = ~masks @ pooled / len(members[ref])
            null = jsd(first, second, axis=1)
            p_value = (1 + np.sum(null >= observed - 1e-12)) / (1 + n_permutations)
        rows.append({"scope": "all", "group": g, "reference": ref, "feature_kind": feature,
                     "feature": "*", "n_docs": len(members[g]) + len(members[ref]),
                     "estimate": observed, "ci_low": low, "ci_high": high,
                     "statistic": observed, "p_value": p_value,
                     "method": "Jensen-Shannon divergence (bits), percentile bootstrap "
                               f"interval, permutation p-value ({n_permutations} permutations)"})
        kinds.append("divergence")
    params = {"feature": feature, "weight": weight, "by": by, "n_resamples": n_resamples,
              "n_permutations": n_permutations, "confidence": confidence, "min_docs": min_docs,
              "random_state": seed, "groups": kept, "categories": categories}
    return DivergenceResult(pd.DataFrame(rows), kinds=kinds, params=params,
                            title=f"Divergence of {feature} distributions by {by}",
                            correction=correction, notes=notes)
