"""Topic diagnostics: NPMI against gensim and brute force, exclusivity, FREX, lift, held-out fit,
Hungarian matching and stability."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.errors import ParameterError
from framing.text import make_vectorizer
from framing.topics.diagnostics import (
    EPSILON,
    cooccurrence_counts,
    exclusivity,
    frex_scores,
    heldout_perplexity,
    heldout_reconstruction_error,
    lift_scores,
    match_topics,
    npmi_coherence,
    split_counts,
    topic_stability,
)

from ._topics_corpus import make_documents

TOPICS = [["sarin", "gas", "chemical", "victims", "hospital"],
          ["missile", "strike", "airbase", "navy", "sarin"],
          ["refugees", "border", "camp", "officials", "monday"]]


@pytest.fixture(scope="module")
def texts():
    analyzer = make_vectorizer("count").build_analyzer()
    return [analyzer(t) for t in make_documents(60, seed=3)["text"]]


def brute_force_counts(topics, texts, window):
    """Enumerate every window as a set and count; documents shorter than the window (or every
    document when window is None) are one window."""
    terms = list(dict.fromkeys(t for topic in topics for t in topic))
    counts, n = np.zeros((len(terms), len(terms))), 0
    for doc in texts:
        size = len(doc) if window is None else window
        for start in range(max(len(doc) - size + 1, 1)):
            present = set(doc[start:start + size])
            n += 1
            for i, j in itertools.product(range(len(terms)), repeat=2):
                counts[i, j] += terms[i] in present and terms[j] in present
    return counts, n


def npmi_from_counts(topics, counts, n):
    terms = list(dict.fromkeys(t for topic in topics for t in topic))
    out = []
    for topic in topics:
        values = []
        for a, b in itertools.permutations(topic, 2):
            i, j = terms.index(a), terms.index(b)
            joint = counts[i, j] / n + EPSILON
            values.append(np.log(joint / (counts[i, i] / n * counts[j, j] / n))
                          / -np.log(joint))
        out.append(np.mean(values))
    return np.array(out)


@pytest.mark.parametrize("window", [None, 3, 10, 500])
def test_counts_match_brute_force(texts, window):
    index, counts, n = cooccurrence_counts(TOPICS, texts, window=window)
    expected, expected_n = brute_force_counts(TOPICS, texts, window)
    assert n == expected_n
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(npmi_coherence(TOPICS, texts, window=window),
                               npmi_from_counts(TOPICS, expected, expected_n), atol=1e-12)


def test_document_counts_from_matrix_equal_token_lists(texts):
    vec = make_vectorizer("count", stop_words=None).fit([" ".join(t) for t in texts])
    dtm = vec.transform([" ".join(t) for t in texts])
    np.testing.assert_allclose(
        npmi_coherence(TOPICS, dtm, vocabulary=vec.get_feature_names_out()),
        npmi_coherence(TOPICS, texts), atol=1e-12)


def gensim_npmi(topics, texts, window):
    gensim = pytest.importorskip("gensim")
    from gensim.models.coherencemodel import CoherenceModel

    dictionary = gensim.corpora.Dictionary(texts)
    model = CoherenceModel(topics=topics, texts=texts, dictionary=dictionary,
                           coherence="c_npmi", window_size=window, processes=1)
    return np.array(model.get_coherence_per_topic())


def test_agrees_with_gensim_on_whole_documents(texts):
    longest = max(map(len, texts))
    np.testing.assert_allclose(npmi_coherence(TOPICS, texts),
                               gensim_npmi(TOPICS, texts, longest), atol=1e-6, rtol=0)


@pytest.mark.parametrize("window", [5, 10, 20])
def test_gensim_counting_agrees_with_gensim(texts, window):
    reference = gensim_npmi(TOPICS, texts, window)
    np.testing.assert_allclose(npmi_coherence(TOPICS, texts, window=window, counting="gensim"),
                               reference, atol=1e-6, rtol=0)
    # These texts repeat terms within windows, where gensim's counts fall short of the exact ones.
    assert np.abs(npmi_coherence(TOPICS, texts, window=window) - reference).max() > 1e-3


def test_exact_counting_agrees_with_gensim_without_repeats():
    # No term occurs twice within a window, where gensim's incremental update is exact.
    texts = [["gas", "sarin", "x", "missile", "y", "strike", "z"],
             ["missile", "strike", "w", "gas", "v"], ["sarin", "u", "t", "gas"]]
    topics = [["gas", "sarin"], ["missile", "strike", "gas"]]
    np.testing.assert_allclose(npmi_coherence(topics, texts, window=3),
                               gensim_npmi(topics, texts, 3), atol=1e-6, rtol=0)


def test_gensim_counting_misses_repeated_terms():
    texts = [["a", "b", "a", "c"]]
    _, exact, _ = cooccurrence_counts([["a", "b", "c"]], texts, window=3)
    _, compat, _ = cooccurrence_counts([["a", "b", "c"]], texts, window=3, counting="gensim")
    assert exact[0, 0] == 2 and compat[0, 0] == 1  # windows "a b a" and "b a c" both hold "a"
    assert exact[0, 1] == 2 and compat[0, 1] == 1


def test_npmi_edge_cases():
    texts = [["gas", "attack"], ["gas", "attack"], ["missile"]]
    npmi = npmi_coherence([["gas", "attack"], ["gas", "missile"], ["gas", "absent"]], texts)
    assert npmi[0] == pytest.approx(1.0)
    assert npmi[1] == pytest.approx(np.log(EPSILON / (2 / 3 * 1 / 3)) / -np.log(EPSILON))
    assert npmi[2] == -1.0  # a term absent from the reference never co-occurs
    with pytest.raises(ParameterError, match="none of the top terms"):
        npmi_coherence([["x", "y"]], texts)
    with pytest.raises(ParameterError, match="two terms"):
        npmi_coherence([["gas"]], texts)
    with pytest.raises(ParameterError, match="window"):
        npmi_coherence([["gas", "attack"]], texts, window=0)
    with pytest.raises(ParameterError, match="token order"):
        npmi_coherence([["gas", "attack"]], sp.csr_matrix(np.ones((2, 2))),
                       vocabulary=["gas", "attack"], window=5)
    with pytest.raises(ParameterError, match="not in the reference vocabulary"):
        npmi_coherence([["gas", "x"]], sp.csr_matrix(np.ones((2, 2))),
                       vocabulary=["gas", "attack"])


# ----------------------------------------------------------------------------- term scores
def test_exclusivity_frex_lift():
    beta = np.array([[0.7, 0.2, 0.1, 0.0], [0.0, 0.2, 0.1, 0.7]])
    np.testing.assert_allclose(exclusivity(beta, n_terms=2), [0.75, 0.75])
    frex = frex_scores(beta)
    assert frex.shape == beta.shape and frex.max() <= 1 and frex.min() > 0
    assert frex[0].argmax() == 0 and frex[1].argmax() == 3
    np.testing.assert_allclose(frex_scores(beta, weight=0.0), (np.argsort(np.argsort(beta)) + 1)
                               / 4)  # all weight on frequency: the ECDF of the term ranks
    lift = lift_scores(beta, np.array([10, 10, 10, 10]))
    np.testing.assert_allclose(lift, beta * 4)
    with pytest.raises(ParameterError):
        frex_scores(beta, weight=2)


# ----------------------------------------------------------------------------- held-out fit
def test_split_counts_keeps_totals():
    counts = sp.random(30, 50, density=0.2, random_state=0, format="csr")
    counts.data = np.ceil(counts.data * 5)
    seen, rest = split_counts(counts, random_state=np.random.default_rng(0))
    np.testing.assert_array_equal((seen + rest).toarray(), counts.toarray())
    assert 0.35 < seen.sum() / counts.sum() < 0.65


def test_heldout_perplexity_direct():
    theta = np.array([[0.5, 0.5], [1.0, 0.0]])
    beta = np.array([[0.6, 0.4, 0.0], [0.1, 0.1, 0.8]])
    counts = np.array([[1, 0, 2], [0, 3, 0]])
    p = theta @ beta
    expected = np.exp(-(np.log(p[0, 0]) + 2 * np.log(p[0, 2]) + 3 * np.log(p[1, 1])) / 6)
    assert heldout_perplexity(theta, beta, sp.csr_matrix(counts)) == pytest.approx(expected)


def test_heldout_reconstruction_error_direct():
    rng = np.random.default_rng(0)
    x, w, h = rng.random((6, 8)), rng.random((6, 2)), rng.random((2, 8))
    expected = np.linalg.norm(x - w @ h) / np.linalg.norm(x)
    assert heldout_reconstruction_error(sp.csr_matrix(x), w, h) == pytest.approx(expected)


# ----------------------------------------------------------------------------- stability
@settings(max_examples=30, deadline=None)
@given(st.integers(2, 8), st.integers(0, 10_000))
def test_matching_recovers_any_permutation(k, seed):
    rng = np.random.default_rng(seed)
    a = rng.dirichlet(np.full(30, 0.1), size=k)
    perm = rng.permutation(k)
    b_for_a, similarity = match_topics(a, a[perm])
    np.testing.assert_array_equal(perm[b_for_a], np.arange(k))
    np.testing.assert_allclose(similarity, 1.0)


def test_stability():
    rng = np.random.default_rng(0)
    a = rng.dirichlet(np.full(20, 0.1), size=4)
    noisy = a + rng.random(a.shape) * 0.5
    stab = topic_stability([a, a[::-1], noisy])
    assert stab[0] == stab[1] and stab[0] > stab[2] and np.all(stab <= 1 + 1e-12)
    with pytest.raises(ParameterError, match="two runs"):
        topic_stability([a])
    with pytest.raises(ParameterError, match="same vocabulary"):
        match_topics(a, a[:, :10])
