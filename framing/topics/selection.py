"""Choosing the number of topics: every diagnostic across ``K`` and seeds, in one tidy table.

The texts are vectorised once; every run reuses the same document-term matrix (and so the same
vocabulary). Each seed draws its own held-out documents, so that stability reflects both the
model's random start and the documents it saw (Greene, O'Callaghan & Cunningham 2014).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import clone
from tqdm.auto import tqdm

from ..errors import ParameterError
from ..results import Summary, SummaryExports
from ..text import make_vectorizer
from .diagnostics import (
    exclusivity,
    heldout_perplexity,
    heldout_reconstruction_error,
    npmi_coherence,
    split_counts,
    topic_stability,
)
from .model import METHODS, TopicModel, _texts_and_ids

__all__ = ["select_k", "SelectKResult", "plot_select_k", "METRICS"]

logger = logging.getLogger(__name__)

#: Metrics in the ``select_k`` table and whether higher values are better.
METRICS = {"npmi": True, "exclusivity": True, "stability": True,
           "heldout_perplexity": False, "heldout_reconstruction_error": False,
           "fit_seconds": False}


class SelectKResult(SummaryExports):
    """What :func:`select_k` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        ``method, k, seed, metric, value``: one row per run and metric (see :data:`METRICS`).
    topics : pandas.DataFrame
        ``k, seed, topic, npmi, exclusivity, terms``: every topic of every run.
    params : dict
        The parameters of the call.
    """

    def __init__(self, table: pd.DataFrame, topics: pd.DataFrame, params: Mapping):
        self.table = table
        self.topics = topics
        self.params = dict(params)

    def __repr__(self) -> str:
        return (f"<SelectKResult: K in {sorted(self.table['k'].unique())}, "
                f"{self.table['seed'].nunique()} seeds, {self.table['metric'].nunique()} metrics>")

    def means(self) -> pd.DataFrame:
        """Mean and standard deviation over seeds: ``k, metric, mean, sd``."""
        return (self.table.groupby(["k", "metric"], sort=True)["value"]
                .agg(mean="mean", sd="std").reset_index())

    def summary(self) -> Summary:
        """One row per ``K``, one column per metric (mean ± sd over seeds)."""
        means = self.means()
        cells = means.assign(cell=[f"{m:.4g} ± {s:.2g}" if np.isfinite(s) else f"{m:.4g}"
                                   for m, s in zip(means["mean"], means["sd"], strict=True)])
        wide = cells.pivot(index="k", columns="metric", values="cell")
        wide = wide[[m for m in METRICS if m in wide.columns]].reset_index()
        wide.columns.name = None
        better = ", ".join(f"{m} ({'higher' if METRICS[m] else 'lower'} is better)"
                           for m in wide.columns[1:])
        return Summary(f"Number of topics: {self.params['method']}", wide, self.params,
                       notes=(better, "NPMI uses document co-occurrence on all documents; "
                                      "held-out fit uses each seed's held-out documents."))

    def plot(self, **kwargs):
        """:func:`plot_select_k` of :attr:`table` (returns a seaborn FacetGrid)."""
        return plot_select_k(self.table, **kwargs)


def plot_select_k(data: pd.DataFrame, *, x: str = "k", y: str = "value",
                  metric: str = "metric", col_wrap: int = 3, height: float = 2.6):
    """One panel per metric: the value of every run (points) and the mean over seeds (line).

    Parameters
    ----------
    data : pandas.DataFrame
        The :attr:`SelectKResult.table` (or any table with the named columns).
    x, y, metric : str
        Columns of the number of topics, the value and the metric name.
    col_wrap : int
        Panels per row.
    height : float
        Panel height in inches.

    Returns
    -------
    seaborn.FacetGrid
    """
    import seaborn as sns

    grid = sns.FacetGrid(data, col=metric, col_wrap=col_wrap, sharey=False, height=height,
                         aspect=1.2)
    grid.map_dataframe(sns.lineplot, x=x, y=y, errorbar=None, color="0.3")
    grid.map_dataframe(sns.scatterplot, x=x, y=y, alpha=0.6)
    grid.set_titles("{col_name}")
    grid.set_axis_labels("number of topics (K)", "")
    return grid


def _heldout(model: TopicModel, observed: sp.csr_matrix, rest: sp.csr_matrix,
             test: sp.csr_matrix) -> tuple[str, float]:
    if model.method == "lda":
        return "heldout_perplexity", heldout_perplexity(model.transform(observed),
                                                        model.topic_word_, rest)
    data = model._weights(test)
    return "heldout_reconstruction_error", heldout_reconstruction_error(
        data, model.estimator_.transform(data), model.estimator_.components_)


def _run(counts: sp.csr_matrix, split: tuple, vec, k: int, seed: int, method: str,
         model_params: Mapping | None, n_terms: int) -> tuple[list[dict], pd.DataFrame,
                                                              np.ndarray]:
    """Fit and score one (K, seed) run: its metric rows, topic rows and topic-word matrix. A
    pure function of its arguments, so runs give the same numbers in any process."""
    train, test, observed, rest = split
    start = time.perf_counter()
    model = TopicModel(k, method=method, vectorizer=vec, model_params=model_params,
                       random_state=seed).fit(counts[train])
    seconds = time.perf_counter() - start
    terms = model.top_terms(n_terms)
    npmi = npmi_coherence(terms, counts, vocabulary=vec.get_feature_names_out())
    excl = exclusivity(model.topic_word_, n_terms=n_terms)
    name, fit = _heldout(model, observed, rest, counts[test])
    rows = [{"method": method, "k": k, "seed": seed, "metric": metric, "value": float(value)}
            for metric, value in (("npmi", npmi.mean()), ("exclusivity", excl.mean()),
                                  (name, fit), ("fit_seconds", seconds))]
    topics = pd.DataFrame({"k": k, "seed": seed, "topic": np.arange(k), "npmi": npmi,
                           "exclusivity": excl, "terms": [", ".join(t) for t in terms]})
    return rows, topics, model.topic_word_


def select_k(texts, *, ks: Sequence[int] = (10, 20, 30, 40), seeds: Sequence[int] = (0, 1, 2),
             method: str = "nmf", heldout: float = 0.1, n_terms: int = 10, vectorizer=None,
             min_df: int | float = 5, max_df: int | float = 0.5,
             model_params: Mapping | None = None, n_jobs: int | None = None,
             progress: bool = False) -> SelectKResult:
    """Fit a :class:`TopicModel` for every ``K`` and seed and score each run.

    Metrics (see :data:`METRICS`): mean NPMI coherence of the top ``n_terms`` terms (document
    co-occurrence in all documents), mean exclusivity, held-out fit (perplexity of the second
    half of held-out documents given the first for LDA; relative reconstruction error of held-out
    documents for NMF), stability (mean cosine similarity of matched topics to the other seeds'
    runs at the same ``K``) and fit time.

    Parameters
    ----------
    texts : documents table, Series or iterable of str
        The documents (as for :meth:`TopicModel.fit`).
    ks : sequence of int
        Numbers of topics.
    seeds : sequence of int
        Seeds: each gives the model's ``random_state`` and the held-out documents.
    method : {"nmf", "lda", "minibatch-nmf"}
        Topic model (see :class:`TopicModel`).
    heldout : float
        Share of documents held out of each run's fit (0 < heldout < 1).
    n_terms : int
        Top terms scored by coherence and exclusivity.
    vectorizer : CountVectorizer, optional
        As for :class:`TopicModel`; fitted once on all texts.
    min_df, max_df : int or float
        Document-frequency limits of the default vectorizer.
    model_params : mapping, optional
        Further parameters of the scikit-learn estimator.
    n_jobs : int, optional
        Runs fitted in parallel by joblib (``-1``: all cores; default: one at a time unless a
        ``joblib.parallel_config`` says otherwise). Under
        ``joblib.parallel_config(backend="dask")`` with a :class:`dask.distributed.Client`, the
        runs go to the cluster's workers. Every run is a pure function of its inputs, so the
        table is the same however the runs are spread (but ``fit_seconds``).
    progress : bool
        Show a progress bar.

    Returns
    -------
    SelectKResult

    Examples
    --------
    >>> texts = ["gas attack sarin", "sarin gas victims", "missile strike base",
    ...          "strike missile navy", "gas victims hospital", "navy base strike"] * 3
    >>> res = select_k(texts, ks=[2, 3], seeds=[0, 1], min_df=1, max_df=1.0)
    >>> sorted(res.table["metric"].unique())  # doctest: +NORMALIZE_WHITESPACE
    ['exclusivity', 'fit_seconds', 'heldout_reconstruction_error', 'npmi', 'stability']
    """
    if method not in METHODS:
        raise ParameterError(f"method={method!r}: use one of {METHODS}.")
    ks, seeds = [int(k) for k in ks], [int(s) for s in seeds]
    if not ks or len(set(ks)) != len(ks):
        raise ParameterError(f"ks={ks}: give distinct numbers of topics.")
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ParameterError(f"seeds={seeds}: give at least two distinct seeds (stability "
                             "compares runs).")
    if not 0 < heldout < 1:
        raise ParameterError(f"heldout={heldout}: use a share between 0 and 1.")
    raw, counts, _ = _texts_and_ids(texts, None)
    vec = vectorizer
    if counts is None:
        if vec is None or not hasattr(vec, "vocabulary_"):
            vec = (make_vectorizer("count", min_df=min_df, max_df=max_df) if vec is None
                   else clone(vec))
            counts = vec.fit_transform(raw)
        else:
            counts = vec.transform(raw)
    elif vec is None or not hasattr(vec, "vocabulary_"):
        raise ParameterError("a document-term matrix needs the fitted vectorizer that made it.")
    counts = sp.csr_matrix(counts, dtype=np.float64)
    n_docs = counts.shape[0]
    n_test = max(1, int(round(heldout * n_docs)))
    logger.info("select_k: %d documents x %d terms; K in %s; seeds %s", n_docs,
                counts.shape[1], ks, seeds)

    splits = {}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        order = rng.permutation(n_docs)
        test = np.sort(order[:n_test])
        observed, rest = split_counts(counts[test], random_state=rng)
        splits[seed] = (np.sort(order[n_test:]), test, observed, rest)

    rows, topic_rows, runs = [], [], {}
    jobs = [(k, seed) for k in ks for seed in seeds]
    fits = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_run)(counts, splits[seed], vec, k, seed, method, model_params, n_terms)
        for k, seed in jobs)
    for (k, seed), (run_rows, topics, topic_word) in zip(
            jobs, tqdm(fits, total=len(jobs), disable=not progress, desc="select_k"),
            strict=True):
        rows += run_rows
        topic_rows.append(topics)
        runs[k, seed] = topic_word
        logger.info("K=%d seed=%d: %s", k, seed,
                    ", ".join(f"{r['metric']} {r['value']:.4g}" for r in run_rows))
    for k in ks:
        stability = topic_stability([runs[k, s] for s in seeds])
        rows += [{"method": method, "k": k, "seed": s, "metric": "stability", "value": float(v)}
                 for s, v in zip(seeds, stability, strict=True)]
    table = (pd.DataFrame(rows).sort_values(["k", "metric", "seed"], ignore_index=True))
    params = {"ks": ks, "seeds": seeds, "method": method, "heldout": heldout,
              "n_terms": n_terms, "n_docs": n_docs, "n_terms_vocabulary": counts.shape[1],
              "model_params": dict(model_params or {})}
    return SelectKResult(table, pd.concat(topic_rows, ignore_index=True), params)
