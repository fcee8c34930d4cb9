"""Distinguishing words and keyness against ConvoKit, SciPy and the published formulas."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats
from sklearn.feature_extraction.text import CountVectorizer

from framing.errors import ParameterError, SchemaError
from framing.inference import adjust_pvalues
from framing.words import distinguishing_words, group_term_counts, keyness

matplotlib.use("Agg")

REF = json.loads((Path(__file__).parent / "results" / "reference_values.json")
                 .read_text(encoding="utf-8"))


def close(value, reference, tol=1e-8):
    assert math.isclose(float(value), float(reference), rel_tol=tol, abs_tol=tol * 1e-4), \
        (value, reference)


def fighting_words_input():
    ref = REF["fighting_words"]
    texts = ref["texts"]["class1"] + ref["texts"]["class2"]
    groups = ["class1"] * len(ref["texts"]["class1"]) + ["class2"] * len(ref["texts"]["class2"])
    counts = CountVectorizer(vocabulary=ref["vocabulary"]).fit_transform(texts)
    return pd.DataFrame({"group": groups}), counts, ref


def test_matches_convokit_fighting_words():
    data, counts, ref = fighting_words_input()
    res = distinguishing_words(data, by="group", prior="uniform", prior_scale=ref["prior"],
                               counts=counts, terms=ref["vocabulary"])
    table = res.table
    one = table[table["group"] == "class1"].set_index("feature")
    assert set(one["reference"]) == {"class2"}
    assert len(one) == len(ref["z_class1"]) == len(ref["vocabulary"])
    for term, z in ref["z_class1"].items():
        close(one.loc[term, "statistic"], z)
        close(one.loc[term, "p_value"], 2 * stats.norm.sf(abs(z)))
    two = table[table["group"] == "class2"].set_index("feature")
    for term, z in ref["z_class1"].items():
        close(two.loc[term, "statistic"], -z)


def monroe_by_hand(y_i, y_j, alpha):
    """Monroe, Colaresi & Quinn (2008), eqs. 16 and 18-22, term by term."""
    n_i, n_j, a0 = sum(y_i), sum(y_j), sum(alpha)
    out = []
    for yi, yj, a in zip(y_i, y_j, alpha, strict=True):
        delta = (math.log((yi + a) / (n_i + a0 - yi - a))
                 - math.log((yj + a) / (n_j + a0 - yj - a)))
        var = 1 / (yi + a) + 1 / (yj + a)
        out.append((delta, delta / math.sqrt(var)))
    return out


def test_informative_prior_each_group_against_the_rest():
    data, counts, ref = fighting_words_input()
    data = data.assign(group=["a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b"])
    res = distinguishing_words(data, by="group", counts=counts, terms=ref["vocabulary"],
                               confidence=0.9)
    dense = counts.toarray()
    pooled = dense.sum(axis=0)
    for group in ("a", "b", "c"):
        mask = (data["group"] == group).to_numpy()
        y_i, y_j = dense[mask].sum(axis=0), dense[~mask].sum(axis=0)
        want = monroe_by_hand(y_i, y_j, pooled)
        got = res.table[res.table["group"] == group].set_index("feature")
        assert set(got["reference"]) == {"rest"}
        for term, (delta, z) in zip(ref["vocabulary"], want, strict=True):
            close(got.loc[term, "estimate"], delta)
            close(got.loc[term, "statistic"], z)
            sd = delta / z if z else np.nan
            if z:
                close(got.loc[term, "ci_high"] - got.loc[term, "ci_low"],
                      2 * stats.norm.ppf(0.95) * sd)
        close_all = np.allclose(got["p_adjusted"], adjust_pvalues(got["p_value"], "fdr_bh"))
        assert close_all  # FDR over this group's vocabulary
    assert set(res.families()) == {"term|a", "term|b", "term|c"}
    scaled = distinguishing_words(data, by="group", counts=counts, terms=ref["vocabulary"],
                                  prior_scale=10.0)
    mask = (data["group"] == "a").to_numpy()
    want = monroe_by_hand(dense[mask].sum(0), dense[~mask].sum(0), 10.0 * pooled / pooled.sum())
    got = scaled.table.query("group == 'a'").set_index("feature")
    for term, (_, z) in zip(ref["vocabulary"], want, strict=True):
        close(got.loc[term, "statistic"], z)


def test_reference_group_and_background_prior():
    data, counts, ref = fighting_words_input()
    data = data.assign(group=["a"] * 4 + ["b"] * 4 + ["c"] * 3)
    background = np.arange(1, len(ref["vocabulary"]) + 1, dtype=float)
    res = distinguishing_words(data, by="group", reference="c", prior=background,
                               counts=counts, terms=ref["vocabulary"])
    assert set(res.table["group"]) == {"a", "b"} and set(res.table["reference"]) == {"c"}
    dense = counts.toarray()
    y_a, y_c = dense[:4].sum(0), dense[8:].sum(0)
    used = (y_a + y_c) > 0
    want = monroe_by_hand(y_a[used], y_c[used], background[used])
    got = res.table.query("group == 'a'").set_index("feature")
    # the prior total a0 is over the whole vocabulary
    n_a, n_c, a0 = y_a.sum(), y_c.sum(), background.sum()
    terms = np.asarray(ref["vocabulary"])[used]
    for term, yi, yj, a in zip(terms, y_a[used], y_c[used], background[used], strict=True):
        delta = (math.log((yi + a) / (n_a + a0 - yi - a))
                 - math.log((yj + a) / (n_c + a0 - yj - a)))
        close(got.loc[term, "estimate"], delta)
    assert len(want) == len(got)


def test_keyness_g2_matches_scipy_and_rayson_garside():
    for case in REF["g2"]["cases"]:
        a, b, c, d = case["counts"]
        counts = sparse.csr_matrix(np.array([[a, c - a], [b, d - b]]))
        data = pd.DataFrame({"group": ["target", "other"]})
        res = keyness(data, by="group", reference="other", counts=counts,
                      terms=["word", "everything else"])
        row = res.table.set_index("feature").loc["word"]
        close(row["statistic"], case["scipy_statistic"])
        close(row["statistic"], case["by_hand"])
        close(row["p_value"], case["p_value"])
        ratio = math.log2((max(a, 0.5) / c) / (max(b, 0.5) / d))
        close(row["estimate"], ratio)


def test_keyness_each_group_against_the_rest_flips_sign():
    docs = pd.DataFrame({"lean": ["left", "left", "right", "right"],
                         "text": ["regime attack regime", "attack victims", "hoax attack",
                                  "hoax staged"]})
    res = keyness(docs, by="lean", min_df=1)
    left = res.table.query("group == 'left'").set_index("feature")
    right = res.table.query("group == 'right'").set_index("feature")
    for term in left.index:
        close(left.loc[term, "estimate"], -right.loc[term, "estimate"])
        close(left.loc[term, "statistic"], right.loc[term, "statistic"])
    assert res.top(1)["feature"].tolist() == ["regime", "hoax"]


def test_sparse_input_is_never_densified_per_document():
    n_docs, n_terms = 40_000, 200_000   # dense would be 8e9 cells
    rng = np.random.default_rng(0)
    rows = rng.integers(0, n_docs, 100_000)
    cols = rng.integers(0, n_terms, 100_000)
    counts = sparse.csr_matrix((np.ones(100_000), (rows, cols)), shape=(n_docs, n_terms))
    data = pd.DataFrame({"group": np.where(np.arange(n_docs) % 2, "a", "b")})
    terms = [f"t{i}" for i in range(n_terms)]
    gc = group_term_counts(data, by="group", counts=counts, terms=terms)
    assert gc.counts.shape == (2, n_terms) and gc.counts.sum() == 100_000
    res = distinguishing_words(data, by="group", counts=counts, terms=terms)
    assert len(res.table) <= 2 * n_terms


def test_vectorises_with_the_package_tokenizer():
    docs = pd.DataFrame({"lean": ["left", "right", "right"],
                         "text": ["The regime's attack", "Attack HOAX said", "hoax hoax"]})
    gc = group_term_counts(docs, by="lean", min_df=1)
    assert list(gc.terms) == ["attack", "hoax", "regime"]   # "said", "the" are stop words


def test_results_summary_and_plot():
    data, counts, ref = fighting_words_input()
    res = distinguishing_words(data, by="group", prior="uniform", prior_scale=0.1,
                               counts=counts, terms=ref["vocabulary"])
    top = res.top(3)
    assert (top.groupby("group").size() == 3).all()
    assert (top["statistic"] > 0).all()
    assert "Distinguishing words" in res.to_markdown(3)
    ax = res.plot(4)
    assert len(ax.patches) >= 8


def test_errors():
    data = pd.DataFrame({"group": ["a", "a"], "text": ["regime attack", "attack hoax"]})
    with pytest.raises(ParameterError, match="two groups"):
        distinguishing_words(data, by="group", min_df=1)
    data = pd.DataFrame({"group": ["a", "b"], "text": ["regime attack", "attack hoax"]})
    with pytest.raises(ParameterError, match="two distinct terms"):
        keyness(pd.DataFrame({"group": ["a", "b"], "text": ["strike", "strike"]}), by="group",
                min_df=1)
    with pytest.raises(ParameterError, match="prior"):
        distinguishing_words(data, by="group", min_df=1, prior="flat")
    with pytest.raises(ParameterError, match="must be positive"):
        distinguishing_words(data, by="group", min_df=1, prior=np.zeros(3))
    with pytest.raises(SchemaError):
        distinguishing_words(data, by="group", counts=sparse.csr_matrix((3, 2)), terms=["a", "b"])
    with pytest.raises(ParameterError, match="terms"):
        keyness(data, by="group", counts=sparse.csr_matrix((2, 2)))
    with pytest.raises(ParameterError, match="reference"):
        keyness(data, by="group", min_df=1, reference="z")
