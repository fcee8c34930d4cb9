"""Topic diagnostics: NPMI coherence, exclusivity, FREX and lift, held-out fit, stability.

Everything here works on plain arrays so that it can score any topic model: a topic-term matrix
(topics x terms, rows summing to one), a document-term matrix of counts (scipy sparse) and lists
of terms. :class:`~framing.topics.TopicModel` and :func:`~framing.topics.select_k` call these
functions; they can also score models fitted elsewhere (gensim, tomotopy, stm exports).

NPMI coherence (Bouma 2009; Aletras & Stevenson 2013; Röder et al. 2015) of a topic is the mean,
over pairs of its top terms, of

.. math:: \\mathrm{NPMI}(w_i, w_j) = \\frac{\\log \\frac{P(w_i, w_j) + \\epsilon}
          {P(w_i) P(w_j)}}{-\\log (P(w_i, w_j) + \\epsilon)}

with probabilities estimated on a reference corpus from *boolean* co-occurrence: in the same
document (``window=None``, the default) or in the same sliding window of ``window`` tokens
(documents shorter than the window count as one window). ``epsilon = 1e-12`` as in gensim's
``c_npmi``, so that pairs that never co-occur score close to -1 instead of minus infinity.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

from ..errors import ParameterError

__all__ = [
    "EPSILON",
    "cooccurrence_counts",
    "npmi_coherence",
    "exclusivity",
    "frex_scores",
    "lift_scores",
    "top_term_indices",
    "match_topics",
    "topic_stability",
    "split_counts",
    "heldout_perplexity",
    "heldout_reconstruction_error",
]

#: Added to joint probabilities before taking logarithms (the value gensim uses).
EPSILON = 1e-12


# ----------------------------------------------------------------------------- co-occurrence
def _relevant_index(topics: Sequence[Sequence[str]]) -> dict[str, int]:
    terms = dict.fromkeys(t for topic in topics for t in topic)
    return {t: i for i, t in enumerate(terms)}


def _window_matrix(token_lists: Sequence[Sequence[str]], index: dict[str, int],
                   window: int | None, counting: str = "exact") -> tuple[sp.csr_matrix, int]:
    """Boolean (windows x relevant terms) occurrence matrix and the number of windows.

    A token at position ``p`` of a document of length ``L`` lies in windows
    ``max(0, p - window + 1) .. min(p, L - window)``; a document shorter than the window (or every
    document when ``window`` is None) is one window.

    ``counting="gensim"`` reproduces gensim's incremental update, in which the term leaving a
    window is unset even when it occurs again inside the window: the occurrence at ``p`` then
    only marks windows up to the first occurrence of the same term at or after
    ``max(0, p - window + 1)``.
    """
    lengths = np.fromiter((len(doc) for doc in token_lists), dtype=np.int64,
                          count=len(token_lists))
    if window is None:
        n_windows = np.ones(len(lengths), dtype=np.int64)
    else:
        n_windows = np.maximum(lengths - window + 1, 1)
    first_window = np.concatenate([[0], np.cumsum(n_windows)[:-1]])
    ids = np.fromiter((index.get(tok, -1) for doc in token_lists for tok in doc),
                      dtype=np.int64, count=int(lengths.sum()))
    doc_of = np.repeat(np.arange(len(lengths)), lengths)
    pos = np.arange(len(ids)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    keep = ids >= 0
    ids, doc_of, pos = ids[keep], doc_of[keep], pos[keep]
    if window is None:
        lo = hi = np.zeros_like(pos)
    else:
        lo = np.maximum(pos - window + 1, 0)
        last = pos
        if counting == "gensim":
            # Occurrences sorted by (document, term, position); find for each the first
            # occurrence of its term in its document at or after ``lo``.
            stride = int(lengths.max()) + 1
            group = doc_of * len(index) + ids
            key = group * stride + pos
            order = np.argsort(key, kind="stable")
            first = np.searchsorted(key[order], group * stride + lo)
            last = pos[order][first]
        hi = np.minimum(last, n_windows[doc_of] - 1)
    span = hi - lo + 1
    occurrence = np.repeat(np.arange(len(ids)), span)
    step = np.arange(int(span.sum())) - np.repeat(np.cumsum(span) - span, span)
    rows = first_window[doc_of][occurrence] + lo[occurrence] + step
    total = int(n_windows.sum())
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, ids[occurrence])),
                           shape=(total, len(index)))
    matrix.data[:] = 1.0  # repeated terms in a window count once (boolean co-occurrence)
    return matrix, total


def cooccurrence_counts(topics: Sequence[Sequence[str]], reference, *,
                        vocabulary: Sequence[str] | None = None, window: int | None = None,
                        counting: str = "exact") -> tuple[dict[str, int], np.ndarray, int]:
    """Count how many documents (or windows) hold each top term and each pair of top terms.

    Parameters
    ----------
    topics : sequence of sequences of str
        Top terms of each topic.
    reference : scipy sparse matrix or sequence of token lists
        The reference corpus: a document-term matrix (with ``vocabulary``; document
        co-occurrence only) or tokenised documents (documents or sliding windows).
    vocabulary : sequence of str, optional
        Column terms of a document-term ``reference``.
    window : int, optional
        Sliding-window size in tokens; ``None`` counts co-occurrence in whole documents.
    counting : {"exact", "gensim"}
        ``exact`` counts every window holding a term; ``gensim`` reproduces gensim's sliding
        window counts (up to 4.4), which miss a term in windows entered right after one of its
        occurrences left while another occurrence stays (see :func:`npmi_coherence`).

    Returns
    -------
    index : dict
        Term -> row/column of ``counts``.
    counts : ndarray of shape (n_terms, n_terms)
        Windows holding both terms (the diagonal: windows holding the term).
    n_windows : int
        Number of documents or windows in the reference corpus.

    Examples
    --------
    >>> index, counts, n = cooccurrence_counts([["gas", "attack"]],
    ...                                        [["gas", "attack"], ["gas"], ["strike"]])
    >>> counts.tolist(), n
    ([[2.0, 1.0], [1.0, 1.0]], 3)
    """
    index = _relevant_index(topics)
    if counting not in ("exact", "gensim"):
        raise ParameterError(f"counting={counting!r}: use 'exact' or 'gensim'.")
    if window is not None and (isinstance(window, bool) or int(window) != window or window < 1):
        raise ParameterError(f"window={window!r}: use a positive number of tokens or None.")
    if sp.issparse(reference):
        if window is not None:
            raise ParameterError("a sliding window needs the token order: pass tokenised texts "
                                 "(lists of tokens) as reference, not a document-term matrix.")
        if vocabulary is None:
            raise ParameterError("reference is a document-term matrix: pass its vocabulary= "
                                 "(the vectorizer's get_feature_names_out()).")
        position = {t: i for i, t in enumerate(vocabulary)}
        missing = [t for t in index if t not in position]
        if missing:
            raise ParameterError(f"top terms {missing[:5]} are not in the reference vocabulary.")
        columns = sp.csr_matrix(reference)[:, [position[t] for t in index]]
        occurrence = (columns > 0).astype(np.float64)
        n_windows = reference.shape[0]
    else:
        occurrence, n_windows = _window_matrix(reference, index, window, counting)
    counts = (occurrence.T @ occurrence).toarray()
    if index and not counts.diagonal().any():
        raise ParameterError("none of the top terms occurs in the reference corpus; score topics "
                             "on the corpus (and with the tokeniser) they came from.")
    return index, counts, n_windows


def npmi_coherence(topics: Sequence[Sequence[str]], reference, *,
                   vocabulary: Sequence[str] | None = None, window: int | None = None,
                   counting: str = "exact", epsilon: float = EPSILON) -> np.ndarray:
    """NPMI coherence of each topic on a reference corpus (see the module documentation).

    Parameters
    ----------
    topics : sequence of sequences of str
        Top terms of each topic (at least two per topic).
    reference : scipy sparse matrix or sequence of token lists
        See :func:`cooccurrence_counts`.
    vocabulary : sequence of str, optional
        Column terms of a document-term ``reference``.
    window : int, optional
        Sliding window in tokens (gensim's ``c_npmi`` uses 10); ``None``: whole documents.
    counting : {"exact", "gensim"}
        How sliding windows are counted (see the notes); no effect on whole documents.
    epsilon : float
        Added to joint probabilities.

    Returns
    -------
    ndarray of shape (n_topics,)
        Mean NPMI over the pairs of each topic's terms, in [-1, 1].

    Notes
    -----
    Pairs with a term that never occurs in the reference corpus score -1 (gensim fails on
    them). With ``window=None`` the result equals gensim's
    ``CoherenceModel(coherence="c_npmi", window_size=w)`` for any ``w`` at least as long as the
    longest document. With a sliding window, gensim (4.4) slides by unsetting the token that
    leaves the window even when the same term occurs again inside it, so it misses that term in
    the following windows (for ``["a", "b", "a", "c"]`` and ``window=3`` it counts "a" in one
    window of two). The default ``counting="exact"`` counts every window that holds a term (as
    Röder et al. define it); ``counting="gensim"`` reproduces gensim's numbers, e.g. to compare
    with published scores. ``tests/test_topics_diagnostics.py`` checks both against gensim and
    the exact counts against a brute-force enumeration of windows.

    Examples
    --------
    >>> texts = [["gas", "attack", "idlib"], ["gas", "attack"], ["missile", "strike"],
    ...          ["missile", "strike", "base"]]
    >>> npmi_coherence([["gas", "attack"], ["gas", "strike"]], texts).round(3)
    array([ 1.  , -0.95])
    """
    topics = [list(t) for t in topics]
    if any(len(t) < 2 for t in topics):
        raise ParameterError("every topic needs at least two terms to score coherence.")
    index, counts, n = cooccurrence_counts(topics, reference, vocabulary=vocabulary,
                                           window=window, counting=counting)
    p = counts / n
    marginal = np.diag(p)
    out = np.empty(len(topics))
    for k, terms in enumerate(topics):
        ids = np.array([index[t] for t in terms])
        joint = p[np.ix_(ids, ids)] + epsilon
        product = np.outer(marginal[ids], marginal[ids])
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.log(joint / product) / -np.log(joint)
        npmi[product == 0] = -1.0  # a term absent from the reference never co-occurs
        off_diagonal = ~np.eye(len(ids), dtype=bool)
        out[k] = npmi[off_diagonal].mean()
    return out


# ----------------------------------------------------------------------------- term scores
def top_term_indices(scores: np.ndarray, n_terms: int) -> np.ndarray:
    """Column indices of the ``n_terms`` highest scores of each row, best first (ties: lower
    index first, so the order is deterministic)."""
    scores = np.asarray(scores)
    order = np.argsort(-scores, axis=1, kind="stable")
    return order[:, :n_terms]


def _term_shares(topic_word: np.ndarray) -> np.ndarray:
    """Share of each term's weight (over topics) that falls in each topic."""
    totals = topic_word.sum(axis=0, keepdims=True)
    return np.divide(topic_word, totals, out=np.zeros_like(topic_word), where=totals > 0)


def frex_scores(topic_word: np.ndarray, *, weight: float = 0.5) -> np.ndarray:
    """FREX scores (Bischof & Airoldi 2012; Roberts et al., stm's ``labelTopics``).

    The weighted harmonic mean of a term's rank within its topic by frequency and by exclusivity
    (``topic_word / topic_word.sum(axis=0)``), each as an empirical CDF in (0, 1]. stm shrinks
    exclusivity towards the mean for rare terms (James-Stein); this does not.

    Parameters
    ----------
    topic_word : ndarray of shape (n_topics, n_terms)
    weight : float
        Weight of exclusivity (stm's ``frexweight``; 0.5 in ``labelTopics``).

    Returns
    -------
    ndarray of shape (n_topics, n_terms)

    Examples
    --------
    >>> beta = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    >>> frex_scores(beta).round(3)
    array([[1.   , 0.667, 0.333],
           [0.333, 0.667, 1.   ]])
    """
    if not 0 <= weight <= 1:
        raise ParameterError(f"weight={weight}: use a number between 0 and 1.")
    topic_word = np.asarray(topic_word, dtype=float)
    n_terms = topic_word.shape[1]
    freq = rankdata(topic_word, axis=1) / n_terms
    excl = rankdata(_term_shares(topic_word), axis=1) / n_terms
    return 1.0 / (weight / excl + (1 - weight) / freq)


def lift_scores(topic_word: np.ndarray, term_frequency: np.ndarray) -> np.ndarray:
    """Lift (Taddy 2012; stm's ``labelTopics``): a term's probability in the topic divided by its
    share of all tokens in the corpus. Favours rare terms.

    Examples
    --------
    >>> lift_scores(np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([3, 1])).round(3)
    array([[0.667, 2.   ],
           [1.2  , 0.4  ]])
    """
    frequency = np.asarray(term_frequency, dtype=float)
    share = frequency / frequency.sum()
    return np.divide(topic_word, share, out=np.zeros_like(topic_word, dtype=float),
                     where=share > 0)


def exclusivity(topic_word: np.ndarray, *, n_terms: int = 10) -> np.ndarray:
    """Exclusivity of each topic: the mean share of its top terms' weight that falls in it.

    A term used by one topic only has exclusivity 1; one spread evenly over ``K`` topics has
    ``1/K``, so compare exclusivity across models with the same number of topics, or read it
    beside coherence (exclusive topics with incoherent terms are not better topics).

    Examples
    --------
    >>> exclusivity(np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]), n_terms=2).round(3)
    array([0.75, 0.75])
    """
    topic_word = np.asarray(topic_word, dtype=float)
    top = top_term_indices(topic_word, n_terms)
    shares = _term_shares(topic_word)
    return np.take_along_axis(shares, top, axis=1).mean(axis=1)


# ----------------------------------------------------------------------------- stability
def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


def match_topics(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair the topics of two runs one-to-one by the cosine similarity of their term
    distributions (Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`).

    Parameters
    ----------
    a, b : ndarray of shape (n_topics, n_terms)
        Topic-term matrices over the same vocabulary (the same column order).

    Returns
    -------
    b_for_a : ndarray of int
        ``b_for_a[i]`` is the topic of ``b`` matched with topic ``i`` of ``a``.
    similarity : ndarray of float
        Cosine similarity of each matched pair.

    Examples
    --------
    >>> a = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    >>> b = np.array([[0, 0.9, 0.1], [1.0, 0, 0]])
    >>> match_topics(a, b)[0].tolist()
    [1, 0]
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape[1] != b.shape[1]:
        raise ParameterError(f"the runs have {a.shape[1]} and {b.shape[1]} terms; match topics "
                             "over the same vocabulary.")
    similarity = _cosine(a, b)
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    b_for_a = np.full(len(a), -1)
    b_for_a[rows] = cols
    return b_for_a, similarity[rows, cols]


def topic_stability(runs: Sequence[np.ndarray]) -> np.ndarray:
    """Stability of each run: the mean cosine similarity of its topics to their matched topics,
    averaged over every other run (Greene, O'Callaghan & Cunningham 2014 use the same design
    with term-rank agreement).

    Parameters
    ----------
    runs : sequence of ndarray of shape (n_topics, n_terms)
        Topic-term matrices of runs with different seeds (or document samples).

    Returns
    -------
    ndarray of shape (n_runs,)
        In [0, 1]; 1 means every other run found the same topics.

    Examples
    --------
    >>> run = np.array([[0.9, 0.1, 0.0], [0.0, 0.2, 0.8]])
    >>> topic_stability([run, run[::-1]]).round(3).tolist()
    [1.0, 1.0]
    """
    if len(runs) < 2:
        raise ParameterError("stability needs at least two runs (seeds).")
    n = len(runs)
    pair = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            pair[i, j] = pair[j, i] = match_topics(runs[i], runs[j])[1].mean()
    return pair.sum(axis=1) / (n - 1)


# ----------------------------------------------------------------------------- held-out fit
def split_counts(counts: sp.spmatrix, *, random_state: np.random.Generator,
                 fraction: float = 0.5) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Split every document's tokens at random into an observed and a held-out part (each token
    independently with probability ``fraction`` observed): the "document completion" design of
    Wallach et al. (2009).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> seen, rest = split_counts(sp.csr_matrix([[4, 0, 2]]),
    ...                           random_state=np.random.default_rng(0))
    >>> (seen + rest).toarray().tolist()
    [[4.0, 0.0, 2.0]]
    """
    counts = sp.csr_matrix(counts)
    observed = counts.copy()
    observed.data = random_state.binomial(counts.data.astype(np.int64), fraction).astype(float)
    heldout = counts - observed
    observed.eliminate_zeros()
    heldout.eliminate_zeros()
    return observed, heldout


def heldout_perplexity(doc_topic: np.ndarray, topic_word: np.ndarray,
                       heldout: sp.spmatrix) -> float:
    """Perplexity of held-out tokens, ``exp(-loglik / n_tokens)``, under
    ``p(w | d) = doc_topic[d] @ topic_word[:, w]``.

    Used with :func:`split_counts` (document completion): ``doc_topic`` is inferred from the
    observed half of each test document and the other half is scored. Lower is better.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> theta = np.array([[1.0, 0.0]])
    >>> beta = np.array([[0.5, 0.5], [0.9, 0.1]])
    >>> round(heldout_perplexity(theta, beta, sp.csr_matrix([[2, 2]])), 6)
    2.0
    """
    heldout = sp.coo_matrix(heldout)
    if heldout.sum() == 0:
        raise ParameterError("no held-out tokens to score.")
    prob = np.einsum("ik,ki->i", doc_topic[heldout.row], topic_word[:, heldout.col])
    loglik = float(np.sum(heldout.data * np.log(np.maximum(prob, np.finfo(float).tiny))))
    return float(np.exp(-loglik / heldout.data.sum()))


def heldout_reconstruction_error(data: sp.spmatrix, doc_topic_weights: np.ndarray,
                                 components: np.ndarray) -> float:
    """Relative Frobenius error ``||X - W H|| / ||X||`` of held-out documents, with ``W``
    fitted to them with ``H`` fixed (NMF's own loss on documents it did not see). Lower is
    better.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> x = sp.csr_matrix([[1.0, 0.0], [0.0, 2.0]])
    >>> round(heldout_reconstruction_error(x, np.array([[1.0], [0.0]]), np.array([[1.0, 0.0]])), 6)
    0.894427
    """
    data = sp.csr_matrix(data)
    w, h = np.asarray(doc_topic_weights), np.asarray(components)
    # ||X - WH||^2 = ||X||^2 - 2 <X, WH> + ||WH||^2, without forming the dense product.
    norm_x = float(data.multiply(data).sum())
    cross = float(np.sum((data @ h.T) * w))
    norm_wh = float(np.sum((w.T @ w) * (h @ h.T)))
    return float(np.sqrt(max(norm_x - 2 * cross + norm_wh, 0.0) / norm_x))
