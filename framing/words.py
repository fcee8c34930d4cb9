"""Words that distinguish one group of documents from the others.

Two measures, each computed for every group against the rest of the documents (or against one
``reference`` group), on a sparse document-term matrix: documents are summed into one row of
counts per group with a sparse indicator product, so no dense vocabulary x document array is
ever built.

:func:`distinguishing_words`
    Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
    "Fightin' Words", eqs. 16, 18-22). For word *w*, group counts *y_i* (total *n_i*), the rest
    *y_j* (total *n_j*) and prior counts *a_w* (total *a_0*)::

        delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
                - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
        var_w   = 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
        z_w     = delta_w / sqrt(var_w)

    The prior shrinks the log-odds of rare words towards 0, so that the ranking by ``z`` is not
    dominated by words seen a handful of times.
:func:`keyness`
    Log-likelihood G2 of Rayson & Garside (2000) for a word's frequency in two corpora, with
    Hardie's (2014) Log Ratio (binary log of the ratio of relative frequencies) as the effect
    size.

Both treat every token as an independent draw, which words are not (a document that uses a word
once tends to use it again), so their p-values are too small; use them to rank and screen words,
with the false discovery rate controlled over the vocabulary (Benjamini-Hochberg by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse, stats

from .errors import ParameterError, SchemaError
from .inference import CORRECTIONS
from .results import ComparisonResult
from .schema import require_columns
from .text import make_vectorizer

__all__ = ["GroupCounts", "group_term_counts", "distinguishing_words", "keyness", "WordsResult"]


def _signed(table: pd.DataFrame) -> pd.Series:
    """Statistic signed by the direction of the estimate (z as is, G2 with the Log Ratio's sign)."""
    return table["statistic"].abs() * np.sign(table["estimate"])


class WordsResult(ComparisonResult):
    """Result of :func:`distinguishing_words` and :func:`keyness`: one row per group and term,
    ``feature_kind="term"``. ``p_adjusted`` is adjusted over the vocabulary of each group's
    comparison (one family per group)."""

    def top(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` terms each group uses more than its comparison, by decreasing statistic
        (``z``, or G2 for keyness)."""
        table = self.table.assign(_score=_signed(self._table))
        table = table[table["_score"] > 0].sort_values(["group", "_score", "feature"],
                                                      ascending=[True, False, True])
        return (table.groupby("group", sort=True).head(n).drop(columns="_score")
                .reset_index(drop=True))

    def summary(self, n: int = 10):
        """A :class:`~framing.results.Summary` of the :meth:`top` ``n`` terms per group."""
        from .results import Summary

        table = self.top(n)
        methods = [f"term: {m}" for m in table["method"].unique()]
        return Summary(self.title, table.drop(columns="method"), self.params,
                       (*methods, *self.notes))

    def to_markdown(self, n: int = 10) -> str:
        """Markdown of :meth:`summary`."""
        return self.summary(n).to_markdown()

    def to_latex(self, n: int = 10) -> str:
        """LaTeX of :meth:`summary`."""
        return self.summary(n).to_latex()

    def plot(self, n: int = 10, *, ax=None, palette=None):
        """Horizontal bars of the :meth:`top` ``n`` terms of each group (signed statistic).

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        top = self.top(n)
        top = top.assign(score=_signed(top),
                         label=top["feature"] + "  (" + top["group"] + ")")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 1 + 0.25 * len(top)), layout="constrained")
        sns.barplot(data=top, x="score", y="label", hue="group", palette=palette, dodge=False,
                    ax=ax)
        ax.set_ylabel("")
        ax.set_xlabel("z" if self.params.get("measure") == "log_odds" else "signed G2")
        ax.set_title(self.title)
        return ax


class GroupCounts:
    """Term counts summed per group.

    Attributes
    ----------
    groups : list of str
        Group names, sorted.
    terms : numpy.ndarray of str
        Vocabulary.
    counts : numpy.ndarray, shape (n_groups, n_terms)
        Token counts per group (dense: one row per group, never one per document).
    n_docs : numpy.ndarray
        Documents per group.
    """

    def __init__(self, groups, terms, counts, n_docs):
        self.groups = list(groups)
        self.terms = np.asarray(terms, dtype=object)
        self.counts = np.asarray(counts, dtype=float)
        self.n_docs = np.asarray(n_docs, dtype=np.int64)


def group_term_counts(data: pd.DataFrame, *, by: str, text: str = "text",
                      counts: sparse.spmatrix | None = None, terms: Sequence[str] | None = None,
                      min_df: int = 2, vectorizer_options: Mapping | None = None) -> GroupCounts:
    """Sum a document-term matrix into one row per group.

    Parameters
    ----------
    data : pandas.DataFrame
        Documents with a ``by`` column (and ``text`` unless ``counts`` is given).
    by : str
        Group column; rows without a group are left out.
    text : str
        Text column, vectorised with :func:`framing.text.make_vectorizer` (``kind="count"``).
    counts : scipy.sparse matrix, optional
        A precomputed document-term count matrix aligned with the rows of ``data`` (the study's
        cached matrix); ``terms`` then names its columns.
    min_df : int
        Minimum document frequency of a term (when vectorising here).
    vectorizer_options : mapping, optional
        More options for :func:`~framing.text.make_vectorizer` (``stem``, ``ngram_range`` ...).

    Examples
    --------
    >>> docs = pd.DataFrame({"lean": ["left", "right", "right"],
    ...                      "text": ["regime attack", "attack hoax", "hoax hoax"]})
    >>> gc = group_term_counts(docs, by="lean", min_df=1)
    >>> gc.groups, list(gc.terms), gc.counts.tolist()
    (['left', 'right'], ['attack', 'hoax', 'regime'], [[1.0, 0.0, 1.0], [1.0, 3.0, 0.0]])
    """
    require_columns(data, [by] if counts is not None else [by, text], table="data")
    if counts is not None:
        counts = sparse.csr_matrix(counts)
        if counts.shape[0] != len(data):
            raise SchemaError(f"counts has {counts.shape[0]} rows but data has {len(data)}.")
        if terms is None or len(terms) != counts.shape[1]:
            raise ParameterError("pass terms= naming the columns of counts.")
    else:
        options = {"min_df": min_df, **dict(vectorizer_options or {})}
        vectorizer = make_vectorizer("count", **options)
        counts = vectorizer.fit_transform(data[text].fillna("").astype(str)).tocsr()
        terms = vectorizer.get_feature_names_out()
    labels = data[by]
    keep = (labels.notna() & (labels.astype(str) != "")).to_numpy()
    codes, groups = pd.factorize(labels[keep].astype(str), sort=True)
    rows = np.flatnonzero(keep)
    indicator = sparse.csr_matrix((np.ones(len(rows)), (codes, rows)),
                                  shape=(len(groups), len(data)))
    summed = np.asarray((indicator @ counts).todense(), dtype=float)
    return GroupCounts(groups.tolist(), terms, summed, np.bincount(codes, minlength=len(groups)))


def _compared(gc: GroupCounts, reference: str | None):
    """(group index, group counts, other counts, other name) for every comparison."""
    if reference is not None and reference not in gc.groups:
        raise ParameterError(f"reference={reference!r} is not a group; groups: {gc.groups}.")
    if len(gc.groups) < 2:
        raise ParameterError(f"need at least two groups to compare; found {gc.groups}.")
    if (gc.counts.sum(axis=0) > 0).sum() < 2:
        raise ParameterError("need at least two distinct terms in the documents; with one "
                             "term, its share of the words is 1 in every group.")
    total = gc.counts.sum(axis=0)
    for i, group in enumerate(gc.groups):
        if reference is None:
            other = ("rest" if len(gc.groups) > 2 else gc.groups[1 - i])
            yield i, gc.counts[i], total - gc.counts[i], other
        elif group != reference:
            yield i, gc.counts[i], gc.counts[gc.groups.index(reference)], reference


def _prior(gc: GroupCounts, prior, prior_scale) -> np.ndarray:
    pooled = gc.counts.sum(axis=0)
    if isinstance(prior, str):
        if prior == "informative":
            alpha = pooled if prior_scale is None else prior_scale * pooled / pooled.sum()
        elif prior == "uniform":
            alpha = np.full(pooled.shape, 0.01 if prior_scale is None else float(prior_scale))
        else:
            raise ParameterError(f"prior={prior!r}: use 'informative', 'uniform' or an array "
                                 "of background counts.")
    else:
        background = np.asarray(prior, dtype=float)
        if background.shape != pooled.shape:
            raise ParameterError(f"prior has {background.shape[0]} counts for "
                                 f"{pooled.shape[0]} terms.")
        alpha = background if prior_scale is None else prior_scale * background / background.sum()
    used = pooled > 0
    if not (alpha[used] > 0).all():
        raise ParameterError("every prior count of a term in the data must be positive; add a "
                             "small constant to the background counts.")
    return alpha


def _frame(gc, index, other, feature, estimate, ci, statistic, p, method) -> pd.DataFrame:
    return pd.DataFrame({"scope": "all", "group": gc.groups[index], "reference": other,
                         "feature_kind": "term", "feature": feature,
                         "n_docs": gc.n_docs[index], "estimate": estimate, "ci_low": ci[0],
                         "ci_high": ci[1], "statistic": statistic, "p_value": p,
                         "method": method})


def _result(frames, gc, *, title, params, correction, notes=()) -> WordsResult:
    table = pd.concat(frames, ignore_index=True)
    score = _signed(table)
    table = (table.assign(_score=score).sort_values(["group", "_score", "feature"],
                                                    ascending=[True, False, True])
             .drop(columns="_score").reset_index(drop=True))
    return WordsResult(table, kinds=["term"] * len(table), params=params, title=title,
                       correction=correction, notes=notes,
                       families=("term|" + table["group"]).tolist())


def distinguishing_words(data: pd.DataFrame, *, by: str, text: str = "text",
                         reference: str | None = None, prior="informative",
                         prior_scale: float | None = None, confidence: float = 0.95,
                         correction: str = "fdr_bh", counts: sparse.spmatrix | None = None,
                         terms: Sequence[str] | None = None, min_df: int = 2,
                         vectorizer_options: Mapping | None = None) -> WordsResult:
    """Weighted log-odds ratios with a Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    Parameters
    ----------
    data : pandas.DataFrame
        Documents with ``by`` and ``text`` columns.
    by : str
        Group column (``outlet``, ``outlet_lean`` ...).
    text : str
        Text column (tokenised with :func:`framing.text.make_vectorizer`).
    reference : str, optional
        Compare every group with this one instead of with the rest.
    prior : {"informative", "uniform"} or array-like
        ``informative``: prior counts proportional to the pooled counts of all groups;
        ``uniform``: the same prior count for every term (ConvoKit's ``FightingWords`` default
        is 0.1); an array: background counts per term (e.g. from a reference corpus).
    prior_scale : float, optional
        Total prior count ``a_0`` (the prior's weight, in tokens). ``None`` uses the pooled (or
        background) counts as they are, a prior as strong as the data (the empirical-Bayes
        default of the tidylo package); or 0.01 per term for ``uniform``. Smaller values
        shrink rare words less.
    confidence : float
        Level of the interval ``delta +/- z * sqrt(var)``.
    correction : str
        Adjustment over the vocabulary of each comparison (``"fdr_bh"``, ``"holm"`` ...).
    counts, terms : optional
        Precomputed sparse document-term matrix aligned with ``data`` and its vocabulary.
    min_df, vectorizer_options
        When vectorising here (see :func:`group_term_counts`).

    Returns
    -------
    WordsResult
        ``estimate`` = delta (log-odds ratio), ``statistic`` = z, ``p_value`` two-sided from
        the standard normal.

    Examples
    --------
    >>> docs = pd.DataFrame({"lean": ["left"] * 3 + ["right"] * 3, "text": [
    ...     "regime chemical attack", "regime gas attack victims", "chemical attack victims",
    ...     "false flag hoax", "hoax staged attack", "false flag staged"]})
    >>> res = distinguishing_words(docs, by="lean", min_df=1)
    >>> res.top(2)[["group", "reference", "feature", "statistic"]].round(2)
       group reference   feature  statistic
    0   left     right  chemical       0.85
    1   left     right    regime       0.85
    2  right      left     false       0.94
    3  right      left      flag       0.94
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    gc = group_term_counts(data, by=by, text=text, counts=counts, terms=terms, min_df=min_df,
                           vectorizer_options=vectorizer_options)
    alpha = _prior(gc, prior, prior_scale)
    a0 = alpha.sum()
    crit = stats.norm.ppf(0.5 + confidence / 2)
    frames = []
    for i, yi, yj, other in _compared(gc, reference):
        used = (yi + yj) > 0
        ni, nj = yi.sum(), yj.sum()
        a, yi, yj = alpha[used], yi[used], yj[used]
        delta = (np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a)))
        sd = np.sqrt(1 / (yi + a) + 1 / (yj + a))
        z = delta / sd
        frames.append(_frame(gc, i, other, gc.terms[used], delta,
                             (delta - crit * sd, delta + crit * sd), z,
                             2 * stats.norm.sf(np.abs(z)),
                             "weighted log-odds ratio, Dirichlet prior (Monroe et al. 2008); "
                             "statistic: z"))
    prior_name = prior if isinstance(prior, str) else "background counts"
    params = {"measure": "log_odds", "by": by, "reference": reference, "prior": prior_name,
              "prior_scale": prior_scale, "confidence": confidence, "n_terms": len(gc.terms),
              "groups": gc.groups}
    return _result(frames, gc, title=f"Distinguishing words by {by}", params=params,
                   correction=correction)


def keyness(data: pd.DataFrame, *, by: str, text: str = "text", reference: str | None = None,
            correction: str = "fdr_bh", counts: sparse.spmatrix | None = None,
            terms: Sequence[str] | None = None, min_df: int = 2,
            vectorizer_options: Mapping | None = None) -> WordsResult:
    """Keyness by log-likelihood G2 (Rayson & Garside 2000) with Log Ratio effect sizes.

    For word counts *a* (group, *c* tokens) and *b* (the rest or ``reference``, *d* tokens),
    the expected counts are ``E1 = c (a + b) / (c + d)`` and ``E2 = d (a + b) / (c + d)`` and
    ``G2 = 2 (a ln(a / E1) + b ln(b / E2))`` (a term with a zero count contributes 0), tested
    against chi-square with 1 degree of freedom. ``estimate`` is Hardie's Log Ratio,
    ``log2((a / c) / (b / d))`` with a zero count replaced by 0.5; positive when the group uses
    the word more.

    Parameters are those of :func:`distinguishing_words` (without the prior).

    Examples
    --------
    >>> docs = pd.DataFrame({"lean": ["left", "left", "right", "right"], "text": [
    ...     "regime attack regime", "attack victims", "hoax attack", "hoax staged"]})
    >>> res = keyness(docs, by="lean", min_df=1)
    >>> res.top(1)[["group", "feature", "estimate", "statistic", "p_value"]].round(3)
       group feature  estimate  statistic  p_value
    0   left  regime     1.678      2.351    0.125
    1  right    hoax     2.322      3.244    0.072
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction={correction!r}: use one of {CORRECTIONS}.")
    gc = group_term_counts(data, by=by, text=text, counts=counts, terms=terms, min_df=min_df,
                           vectorizer_options=vectorizer_options)
    frames = []
    for i, a, b, other in _compared(gc, reference):
        used = (a + b) > 0
        c, d = a.sum(), b.sum()
        a, b = a[used], b[used]
        e1, e2 = c * (a + b) / (c + d), d * (a + b) / (c + d)
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0.0)
                      + np.where(b > 0, b * np.log(b / e2), 0.0))
        g2 = np.maximum(g2, 0.0)  # rounding can leave -1e-16 where a == E1
        ratio = np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d))
        frames.append(_frame(gc, i, other, gc.terms[used], ratio, (np.nan, np.nan), g2,
                             stats.chi2.sf(g2, 1),
                             "log-likelihood G2 (Rayson & Garside 2000), chi-square 1 df; "
                             "estimate: Log Ratio (Hardie 2014)"))
    params = {"measure": "keyness", "by": by, "reference": reference,
              "n_terms": len(gc.terms), "groups": gc.groups}
    return _result(frames, gc, title=f"Keyness (G2) by {by}", params=params,
                   correction=correction)
