"""The :class:`TopicModel` estimator: LDA, NMF and MiniBatchNMF behind one interface.

Texts are turned into counts by :func:`framing.text.make_vectorizer` (the project's tokenizer);
NMF runs on tf-idf weights computed from those counts, LDA on the counts themselves. The outputs
are the tidy tables of ``ARCHITECTURE.md``: ``doc_topics`` (``doc_id, topic, weight``) and
``topic_terms`` (``topic, rank, term, weight``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.decomposition import NMF, LatentDirichletAllocation, MiniBatchNMF
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ..errors import DataQualityWarning, ParameterError, SchemaError
from ..schema import require_columns
from ..text import make_vectorizer
from .diagnostics import exclusivity, frex_scores, lift_scores, npmi_coherence, top_term_indices

__all__ = ["TopicModel", "METHODS", "topic_matrix"]

logger = logging.getLogger(__name__)

#: Topic models available through ``method=``.
METHODS = ("nmf", "lda", "minibatch-nmf")
_DEFAULT_MAX_ITER = {"nmf": 500, "lda": 20, "minibatch-nmf": 50}
_TERM_SCORES = ("prob", "frex", "lift")


def _is_matrix(X) -> bool:
    return sp.issparse(X) or isinstance(X, np.ndarray)


def _texts_and_ids(X, doc_ids) -> tuple[list[str] | None, sp.csr_matrix | None, np.ndarray]:
    """Split the accepted inputs into (texts or None, counts or None, document ids)."""
    if _is_matrix(X):
        ids = np.arange(X.shape[0]) if doc_ids is None else np.asarray(doc_ids)
        return None, sp.csr_matrix(X), ids
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise SchemaError(f"TopicModel needs a 'text' column; found {list(X.columns)}.")
        texts = X["text"].fillna("").astype(str).tolist()
        default = X["doc_id"].to_numpy() if "doc_id" in X.columns else X.index.to_numpy()
    elif isinstance(X, pd.Series):
        texts, default = X.fillna("").astype(str).tolist(), X.index.to_numpy()
    elif isinstance(X, str):
        raise ParameterError("TopicModel takes a collection of texts, not a single string.")
    else:
        texts = [str(t) for t in X]
        default = np.arange(len(texts))
    ids = default if doc_ids is None else np.asarray(doc_ids)
    if len(ids) != len(texts):
        raise ParameterError(f"{len(ids)} doc_ids for {len(texts)} texts.")
    return texts, None, ids


def warn_empty_documents(n_empty: int, *, stacklevel: int = 2) -> None:
    """The warning for documents that hold no term of the vocabulary (none when 0)."""
    if n_empty:
        warnings.warn(f"{n_empty} document(s) hold no term of the vocabulary; their topic "
                      "proportions are set to 1/K.", DataQualityWarning, stacklevel=stacklevel)


class TopicModel(TransformerMixin, BaseEstimator):
    """A topic model over raw texts with tidy outputs, labels and diagnostics.

    Parameters
    ----------
    n_components : int
        Number of topics ``K``.
    method : {"nmf", "lda", "minibatch-nmf"}
        :class:`~sklearn.decomposition.NMF` (default; Frobenius loss, NNDSVDa start) or
        :class:`~sklearn.decomposition.MiniBatchNMF` on tf-idf weights, or
        :class:`~sklearn.decomposition.LatentDirichletAllocation` (batch variational Bayes) on
        counts. On news, NMF gives more coherent topics in a fraction of LDA's time (see
        ``benchmarks/bench_topics.py``); LDA gives a probabilistic model (held-out perplexity).
    vectorizer : CountVectorizer, optional
        Makes counts from texts. Default: ``make_vectorizer("count", min_df=min_df,
        max_df=max_df)``. A vectorizer that is already fitted is used as it is (its vocabulary
        is kept), which is also what lets :meth:`fit` take a document-term matrix.
    min_df, max_df : int or float
        Document-frequency limits of the default vectorizer.
    weighting : {"auto", "count", "tfidf"}
        What the model factorises: ``auto`` is tf-idf for NMF and counts for LDA.
    max_iter : int, optional
        Iterations of the underlying estimator (default 500 for NMF, 50 epochs for MiniBatchNMF, 20
        for LDA).
    model_params : mapping, optional
        Further parameters of the scikit-learn estimator (``doc_topic_prior``, ``alpha_W``,
        ``batch_size`` ...).
    random_state : int, RandomState or None
        Seed of the estimator (LDA's start, MiniBatchNMF's batches; NMF's NNDSVDa start is
        deterministic, so NMF runs differ only through the documents they see).
    n_jobs : int, optional
        Parallel jobs of LDA's E-step.
    verbose : int
        Passed to the estimator.

    Attributes
    ----------
    vectorizer_ : CountVectorizer
        The fitted vectorizer.
    vocabulary_ : ndarray of str
        Terms, in column order.
    transformer_ : TfidfTransformer or None
        The tf-idf weighting, when used.
    estimator_ : NMF, MiniBatchNMF or LatentDirichletAllocation
        The fitted scikit-learn estimator.
    topic_word_ : ndarray of shape (n_components, n_terms)
        Topic-term distributions (rows sum to 1).
    doc_topic_ : ndarray of shape (n_documents, n_components)
        Topic proportions of the training documents (rows sum to 1).
    doc_ids_ : ndarray
        Ids of the training documents.
    doc_topic_posterior_ : ndarray of shape (n_documents, n_components)
        LDA only: the Dirichlet parameters of each training document's topic proportions
        under the variational posterior (see :meth:`doc_topic_draws`).
    term_frequency_ : ndarray of shape (n_terms,)
        Corpus count of each term in the training documents (used by lift).
    n_iter_ : int
        Iterations run by the estimator.

    Examples
    --------
    >>> texts = ["chemical attack gas sarin victims", "gas attack sarin chemical children",
    ...          "missile strike airbase tomahawk", "tomahawk missile strike navy",
    ...          "sarin gas victims hospital", "airbase strike missile damage"]
    >>> model = TopicModel(2, min_df=1, max_df=1.0, random_state=0).fit(texts)
    >>> model.topic_terms(n_terms=2).round(3)
       topic  rank     term  weight
    0      0     1  missile   0.221
    1      0     2   strike   0.221
    2      1     1      gas   0.187
    3      1     2    sarin   0.187
    >>> model.doc_topics().shape
    (12, 3)
    """

    def __init__(self, n_components: int = 20, *, method: str = "nmf", vectorizer=None,
                 min_df: int | float = 5, max_df: int | float = 0.5, weighting: str = "auto",
                 max_iter: int | None = None, model_params: Mapping | None = None,
                 random_state=None, n_jobs: int | None = None, verbose: int = 0):
        self.n_components = n_components
        self.method = method
        self.vectorizer = vectorizer
        self.min_df = min_df
        self.max_df = max_df
        self.weighting = weighting
        self.max_iter = max_iter
        self.model_params = model_params
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ParameterError(f"method={self.method!r}: use one of {METHODS}.")
        k = self.n_components
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
            raise ParameterError(f"n_components={k!r}: use an integer of at least 2.")
        if self.weighting not in ("auto", "count", "tfidf"):
            raise ParameterError(f"weighting={self.weighting!r}: use 'auto', 'count' or "
                                 "'tfidf'.")
        if self.method == "lda" and self.weighting == "tfidf":
            raise ParameterError("LDA models counts: use weighting='auto' or 'count' with "
                                 "method='lda'.")
        if isinstance(self.vectorizer, TfidfVectorizer) or (
                self.vectorizer is not None and not isinstance(self.vectorizer, CountVectorizer)):
            raise ParameterError("vectorizer must be a CountVectorizer (make_vectorizer('count', "
                                 "...)); the model applies tf-idf itself (weighting=).")

    def _weighting(self) -> str:
        if self.weighting != "auto":
            return self.weighting
        return "count" if self.method == "lda" else "tfidf"

    def _make_estimator(self):
        max_iter = self.max_iter or _DEFAULT_MAX_ITER[self.method]
        params = dict(self.model_params or {})
        if self.method == "lda":
            return LatentDirichletAllocation(
                **{"n_components": self.n_components, "learning_method": "batch",
                   "max_iter": max_iter, "random_state": self.random_state,
                   "n_jobs": self.n_jobs, "verbose": self.verbose, **params})
        cls = NMF if self.method == "nmf" else MiniBatchNMF
        return cls(**{"n_components": self.n_components, "init": "nndsvda",
                      "max_iter": max_iter, "random_state": self.random_state,
                      "verbose": self.verbose, **params})

    # ------------------------------------------------------------------ fitting
    def _counts(self, X, doc_ids, *, fit: bool) -> tuple[sp.csr_matrix, np.ndarray]:
        texts, counts, ids = _texts_and_ids(X, doc_ids)
        if fit:
            vec = self.vectorizer
            prefit = vec is not None and hasattr(vec, "vocabulary_")
            if counts is not None and not prefit:
                raise ParameterError("a document-term matrix needs the fitted vectorizer that "
                                     "made it (vectorizer=), so that columns have terms.")
            if not prefit:
                vec = (make_vectorizer("count", min_df=self.min_df, max_df=self.max_df)
                       if vec is None else clone(vec))
                counts = vec.fit_transform(texts)
            elif counts is None:
                counts = vec.transform(texts)
            self.vectorizer_ = vec
        elif counts is None:
            counts = self.vectorizer_.transform(texts)
        n_terms = len(self.vectorizer_.vocabulary_)
        if counts.shape[1] != n_terms:
            raise ParameterError(f"the document-term matrix has {counts.shape[1]} columns; the "
                                 f"vectorizer has {n_terms} terms.")
        return sp.csr_matrix(counts, dtype=np.float64), ids

    def _weights(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        return counts if self.transformer_ is None else self.transformer_.transform(counts)

    def _proportions(self, raw: np.ndarray) -> np.ndarray:
        """Topic proportions from the estimator's document weights (NMF: each topic's share of
        the document's reconstructed mass); warns about documents without a vocabulary term."""
        theta, n_empty = self._counted_proportions(raw)
        warn_empty_documents(n_empty, stacklevel=4)
        return theta

    def _counted_proportions(self, raw: np.ndarray) -> tuple[np.ndarray, int]:
        """:meth:`_proportions` without the warning, and the number of empty documents (their
        proportions are 1/K)."""
        if self.method != "lda":
            raw = raw * self.estimator_.components_.sum(axis=1)
        totals = raw.sum(axis=1, keepdims=True)
        empty = totals[:, 0] <= 0
        if empty.any():
            raw = raw.copy()
            raw[empty] = 1.0
            totals[empty] = raw.shape[1]
        return raw / totals, int(empty.sum())

    def fit(self, X, y=None, *, doc_ids=None) -> TopicModel:
        """Fit the vectorizer (unless prefit) and the topic model.

        Parameters
        ----------
        X : documents table, Series, iterable of str, or document-term matrix
            A documents table (``text`` and ``doc_id`` columns), texts (a Series' index gives
            the ids), or counts made by the fitted ``vectorizer``.
        y : ignored
        doc_ids : array-like, optional
            Document ids (default: ``doc_id`` column, Series index, or 0..n-1).

        Returns
        -------
        self
        """
        self._check_params()
        counts, ids = self._counts(X, doc_ids, fit=True)
        if counts.shape[1] < self.n_components:
            raise ParameterError(f"the vocabulary has {counts.shape[1]} terms, fewer than "
                                 f"n_components={self.n_components}; lower min_df or K.")
        self.vocabulary_ = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
        self.term_frequency_ = np.asarray(counts.sum(axis=0)).ravel()
        self.transformer_ = (TfidfTransformer().fit(counts) if self._weighting() == "tfidf"
                             else None)
        self.estimator_ = self._make_estimator()
        logger.info("fitting %s with K=%d on %d documents x %d terms", self.method,
                    self.n_components, counts.shape[0], counts.shape[1])
        data = self._weights(counts)
        if self.method == "lda":
            # The variational Dirichlet parameters of each document's topic proportions (what
            # fit_transform would normalise away), kept for doc_topic_draws().
            raw = self.estimator_.fit(data).transform(data, normalize=False)
            self.doc_topic_posterior_ = raw
        else:
            raw = self.estimator_.fit_transform(data)
        components = self.estimator_.components_
        self.topic_word_ = components / components.sum(axis=1, keepdims=True)
        self.doc_topic_ = self._proportions(raw)
        self.doc_ids_ = ids
        self.n_iter_ = int(self.estimator_.n_iter_)
        return self

    def transform(self, X) -> np.ndarray:
        """Topic proportions of documents (texts or counts from :attr:`vectorizer_`).

        Returns
        -------
        ndarray of shape (n_documents, n_components)
            Rows sum to 1.
        """
        check_is_fitted(self, "estimator_")
        counts, _ = self._counts(X, None, fit=False)
        return self._proportions(self.estimator_.transform(self._weights(counts)))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Output column names: ``topic0``, ``topic1``, ..."""
        return np.array([f"topic{k}" for k in range(self.n_components)], dtype=object)

    def score(self, X, y=None) -> float:
        """Mean NPMI coherence (document co-occurrence) of the top 10 terms of every topic on
        the documents ``X``: higher is better (for model selection with GridSearchCV)."""
        return float(self.coherence(X).mean())

    # ------------------------------------------------------------------ tidy outputs
    def doc_topics(self, X=None, *, doc_ids=None) -> pd.DataFrame:
        """The ``doc_topics`` table: ``doc_id, topic, weight`` (one row per document and topic).

        Parameters
        ----------
        X : optional
            Documents to infer proportions for (as in :meth:`fit`); default: the training
            documents.
        doc_ids : array-like, optional
            Ids of ``X``.
        """
        check_is_fitted(self, "estimator_")
        if X is None:
            theta, ids = self.doc_topic_, self.doc_ids_
        else:
            _, _, ids = _texts_and_ids(X, doc_ids)
            theta = self.transform(X)
        k = theta.shape[1]
        return pd.DataFrame({"doc_id": np.repeat(ids, k), "topic": np.tile(np.arange(k),
                                                                            len(ids)),
                             "weight": theta.ravel()})

    def doc_topic_draws(self, n_draws: int = 25, *, random_state=None) -> pd.DataFrame:
        """Draws of the training documents' topic proportions from LDA's variational posterior
        (``Dirichlet(doc_topic_posterior_[d])``): ``draw, doc_id, topic, weight``.

        Pass them to :func:`~framing.topics.topic_prevalence` (``draws=``) to carry the
        uncertainty of the proportions into the regression, as stm's ``estimateEffect`` does
        with its "method of composition". NMF has no posterior, so this is LDA only.

        Parameters
        ----------
        n_draws : int
            Number of draws (stm uses 25).
        random_state : int, Generator or None
            Seed of the draws.
        """
        check_is_fitted(self, "estimator_")
        if self.method != "lda":
            raise ParameterError(f"method={self.method!r} has no posterior over topic "
                                 "proportions; fit method='lda' to draw from one.")
        rng = np.random.default_rng(random_state)
        alpha = self.doc_topic_posterior_
        n_docs, k = alpha.shape
        # Dirichlet draws as normalised gamma variates, all documents at once.
        gamma = rng.standard_gamma(np.broadcast_to(alpha, (n_draws, n_docs, k)))
        theta = gamma / gamma.sum(axis=2, keepdims=True)
        return pd.DataFrame({"draw": np.repeat(np.arange(n_draws), n_docs * k),
                             "doc_id": np.tile(np.repeat(self.doc_ids_, k), n_draws),
                             "topic": np.tile(np.arange(k), n_draws * n_docs),
                             "weight": theta.ravel()})

    def term_scores(self, by: str = "prob") -> np.ndarray:
        """Topic x term scores: ``prob`` (topic-term probability), ``frex`` (FREX, weight 0.5)
        or ``lift`` (see :mod:`framing.topics.diagnostics`)."""
        check_is_fitted(self, "estimator_")
        if by == "prob":
            return self.topic_word_
        if by == "frex":
            return frex_scores(self.topic_word_)
        if by == "lift":
            return lift_scores(self.topic_word_, self.term_frequency_)
        raise ParameterError(f"by={by!r}: use one of {_TERM_SCORES}.")

    def top_terms(self, n_terms: int = 10, *, by: str = "prob") -> list[list[str]]:
        """The ``n_terms`` best terms of each topic by ``by`` (see :meth:`term_scores`)."""
        top = top_term_indices(self.term_scores(by), n_terms)
        return [self.vocabulary_[row].tolist() for row in top]

    def topic_terms(self, n_terms: int = 10, *, by: str = "prob") -> pd.DataFrame:
        """The ``topic_terms`` table: ``topic, rank, term, weight``, ``weight`` being the score
        the terms are ranked by (``prob``, ``frex`` or ``lift``)."""
        scores = self.term_scores(by)
        top = top_term_indices(scores, n_terms)
        k, n = top.shape
        return pd.DataFrame({"topic": np.repeat(np.arange(k), n),
                             "rank": np.tile(np.arange(1, n + 1), k),
                             "term": self.vocabulary_[top].ravel(),
                             "weight": np.take_along_axis(scores, top, axis=1).ravel()})

    def topic_labels(self, n_terms: int = 7, *, label_terms: int = 3) -> pd.DataFrame:
        """One row per topic: ``topic, label, prevalence, prob, frex, lift``.

        ``label`` joins the ``label_terms`` best FREX terms; ``prob``, ``frex`` and ``lift`` list
        ``n_terms`` terms by each score (read FREX first: frequent *and* exclusive terms);
        ``prevalence`` is the mean topic proportion over the training documents.
        """
        lists = {by: self.top_terms(n_terms, by=by) for by in _TERM_SCORES}
        return pd.DataFrame({
            "topic": np.arange(self.n_components),
            "label": ["_".join(t[:label_terms]) for t in lists["frex"]],
            "prevalence": self._prevalence(),
            **{by: [", ".join(t) for t in terms] for by, terms in lists.items()}})

    def _prevalence(self) -> np.ndarray:
        """Mean topic proportion over the training documents (a model that does not keep
        :attr:`doc_topic_` overrides this and :meth:`_dominant_counts`)."""
        return self.doc_topic_.mean(axis=0)

    def _dominant_counts(self) -> np.ndarray:
        """Training documents whose largest topic is each topic."""
        return np.bincount(self.doc_topic_.argmax(axis=1), minlength=self.n_components)

    def representative_documents(self, n_docs: int = 5) -> pd.DataFrame:
        """The training documents with the highest proportion of each topic:
        ``topic, rank, doc_id, weight`` (join ``doc_id`` to the documents for titles)."""
        check_is_fitted(self, "estimator_")
        n = min(n_docs, len(self.doc_ids_))
        top = top_term_indices(self.doc_topic_.T, n)
        k = self.n_components
        return pd.DataFrame({"topic": np.repeat(np.arange(k), n),
                             "rank": np.tile(np.arange(1, n + 1), k),
                             "doc_id": self.doc_ids_[top].ravel(),
                             "weight": np.take_along_axis(self.doc_topic_.T, top,
                                                          axis=1).ravel()})

    # ------------------------------------------------------------------ diagnostics
    def _reference(self, X, window: int | None):
        """Counts (document co-occurrence) or token lists (sliding windows) of ``X``."""
        if window is None:
            return self._counts(X, None, fit=False)[0]
        if _is_matrix(X):
            raise ParameterError("a sliding window needs texts, not a document-term matrix.")
        texts, _, _ = _texts_and_ids(X, None)
        analyzer = self.vectorizer_.build_analyzer()
        return [analyzer(t) for t in texts]

    def coherence(self, X, *, n_terms: int = 10, window: int | None = None) -> np.ndarray:
        """NPMI coherence of each topic's top ``n_terms`` terms on the reference documents ``X``
        (see :func:`~framing.topics.diagnostics.npmi_coherence`)."""
        check_is_fitted(self, "estimator_")
        reference = self._reference(X, window)
        return npmi_coherence(self.top_terms(n_terms), reference, window=window,
                              vocabulary=None if window else self.vocabulary_)

    def diagnostics(self, X, *, n_terms: int = 10, window: int | None = None) -> pd.DataFrame:
        """One row per topic: ``topic, label, prevalence, npmi, exclusivity, n_dominant``.

        Parameters
        ----------
        X : documents
            The reference corpus for coherence (usually the training documents).
        n_terms : int
            Top terms scored.
        window : int, optional
            Sliding window of the NPMI estimate (default: whole documents).

        Notes
        -----
        ``n_dominant`` counts training documents whose largest topic is this one.
        """
        labels = self.topic_labels(n_terms=n_terms)
        dominant = self._dominant_counts()
        return pd.DataFrame({
            "topic": labels["topic"], "label": labels["label"],
            "prevalence": labels["prevalence"],
            "npmi": self.coherence(X, n_terms=n_terms, window=window),
            "exclusivity": exclusivity(self.topic_word_, n_terms=n_terms),
            "n_dominant": dominant})


def topic_matrix(doc_topics: pd.DataFrame, *, feature: str = "topic", value: str = "weight",
                 doc_id: str = "doc_id", order: Iterable | None = None) -> pd.DataFrame:
    """The wide document x topic matrix of a long ``doc_topics`` table (missing pairs are 0)."""
    require_columns(doc_topics, (doc_id, feature, value), table="doc_topics")
    wide = doc_topics.pivot_table(index=doc_id, columns=feature, values=value, aggfunc="sum",
                                  fill_value=0.0, sort=False)
    if order is not None:
        wide = wide.reindex(list(order))
    return wide
