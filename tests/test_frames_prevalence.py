"""Prevalence corrected for classifier error: formulas, inputs, and a coverage simulation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from framing.errors import ParameterError, SchemaError, SmallCellWarning
from framing.frames.prevalence import (
    PREVALENCE_COLUMNS,
    estimate_prevalence,
    ppi_mean,
    rogan_gladen,
)
from framing.results import ComparisonResult

TRUE_SHARE, SENSITIVITY, SPECIFICITY = 0.25, 0.8, 0.85


def _simulate(n_replicates: int, n_docs: int, n_coded: int, seed: int):
    """``n_replicates`` synthetic corpora (each its own "outlet"): true labels drawn with
    probability TRUE_SHARE, classifier labels with known sensitivity and specificity, and a
    simple random sample of ``n_coded`` documents per corpus coded by hand (the truth)."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n_replicates, n_docs)) < TRUE_SHARE
    noise = rng.random((n_replicates, n_docs))
    predicted = np.where(truth, noise < SENSITIVITY, noise >= SPECIFICITY)
    coded = np.zeros((n_replicates, n_docs), dtype=bool)
    picks = np.argsort(rng.random((n_replicates, n_docs)), axis=1)[:, :n_coded]
    np.put_along_axis(coded, picks, True, axis=1)
    doc_id = np.arange(n_replicates * n_docs)
    data = pd.DataFrame({"doc_id": doc_id, "outlet": np.repeat(np.arange(n_replicates), n_docs),
                         "frame": "blame", "label": predicted.ravel().astype(np.int8)})
    validation = pd.DataFrame({"doc_id": doc_id[coded.ravel()],
                               "blame": truth.ravel()[coded.ravel()].astype(np.int8)})
    return data, validation


def _coverage(table: pd.DataFrame, method: str) -> float:
    rows = table[table["method"] == method]
    return float(((rows["ci_low"] <= TRUE_SHARE) & (TRUE_SHARE <= rows["ci_high"])).mean())


def test_corrected_intervals_cover_the_true_share_and_the_naive_one_does_not():
    """2000 replicates (seed 20240605): 1000 documents each, 200 coded, se 0.8, sp 0.85, true
    share 0.25 (the classifier's expected share is 0.3125). Each replicate is one group with its
    own error rates (error_rates="by_group"), so the replicates are independent and one
    vectorised call estimates them all."""
    data, validation = _simulate(2000, 1000, 200, seed=20240605)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning expected: every group has enough codes
        result = estimate_prevalence(data, validation=validation, error_rates="by_group",
                                     n_resamples=1000, random_state=7)
    table = result.table
    assert len(table) == 3 * 2000
    assert table.groupby("method")["ci_low"].apply(lambda s: s.notna().all()).all()
    rogan_gladen_coverage = _coverage(table, "rogan-gladen")
    ppi_coverage = _coverage(table, "ppi")
    naive_coverage = _coverage(table, "naive")
    assert 0.93 <= rogan_gladen_coverage <= 0.97, rogan_gladen_coverage
    assert 0.93 <= ppi_coverage <= 0.97, ppi_coverage
    assert naive_coverage < 0.2, naive_coverage
    # the corrected estimators are (nearly) unbiased; the naive share is not
    means = table.groupby("method")["estimate"].mean()
    assert abs(means["rogan-gladen"] - TRUE_SHARE) < 0.005
    assert abs(means["ppi"] - TRUE_SHARE) < 0.005
    expected_naive = TRUE_SHARE * SENSITIVITY + (1 - TRUE_SHARE) * (1 - SPECIFICITY)
    assert abs(means["naive"] - expected_naive) < 0.005


def test_rogan_gladen_formula_and_chance_classifier():
    share = TRUE_SHARE * SENSITIVITY + (1 - TRUE_SHARE) * (1 - SPECIFICITY)
    assert rogan_gladen(share, SENSITIVITY, SPECIFICITY) == pytest.approx(TRUE_SHARE)
    assert np.isnan(rogan_gladen(0.3, 0.5, 0.5))  # Youden's J = 0
    assert rogan_gladen(0.01, 0.8, 0.9) == 0.0  # clipped
    assert rogan_gladen(0.01, 0.8, 0.9, clip=False) < 0


def test_ppi_mean_matches_the_papers_formula():
    rng = np.random.default_rng(3)
    f_unlabelled = (rng.random(500) < 0.4).astype(float)
    f, y = (rng.random(80) < 0.4).astype(float), (rng.random(80) < 0.35).astype(float)
    est, low, high = ppi_mean(f_unlabelled, f, y, confidence=0.9)
    # Angelopoulos et al. (2023), mean estimation: theta = mean(f~) - mean(f - y),
    # +- z_(1 - alpha/2) * sqrt(var(f~) / N + var(f - y) / n)
    theta = f_unlabelled.mean() - (f - y).mean()
    half = 1.6448536269514722 * np.sqrt(f_unlabelled.var(ddof=1) / 500
                                        + (f - y).var(ddof=1) / 80)
    assert est == pytest.approx(theta)
    assert (low, high) == pytest.approx((theta - half, theta + half))


def test_ppi_overlap_term_shrinks_with_the_coded_share():
    rng = np.random.default_rng(4)
    f_all = (rng.random(400) < 0.5).astype(float)
    y = np.where(rng.random(100) < 0.9, f_all[:100], 1 - f_all[:100])
    est_o, low_o, high_o = ppi_mean(f_all, f_all[:100], y, overlap=True)
    est, low, high = ppi_mean(f_all, f_all[:100], y, overlap=False)
    assert est_o == pytest.approx(est)
    # a good classifier: f and f - y are nearly uncorrelated, the overlap term is small
    assert high_o - low_o == pytest.approx(high - low, rel=0.15)


def _three_outlets(seed=0, n_docs=6000, n_coded=1500, specificity=(0.9, 0.9, 0.9)):
    rng = np.random.default_rng(seed)
    parts, codes = [], []
    for k, (outlet, share) in enumerate(zip("ABC", (0.1, 0.3, 0.5), strict=True)):
        truth = rng.random(n_docs) < share
        noise = rng.random(n_docs)
        label = np.where(truth, noise < 0.85, noise >= specificity[k])
        ids = [f"{outlet}{i}" for i in range(n_docs)]
        parts.append(pd.DataFrame({"doc_id": ids, "outlet": outlet, "frame": "conflict",
                                   "label": np.where(label, "present", "absent")}))
        codes.append(pd.DataFrame({"doc_id": ids[:n_coded], "frame": "conflict",
                                   "truth": np.where(truth[:n_coded], "present", "absent")}))
    return pd.concat(parts, ignore_index=True), pd.concat(codes, ignore_index=True)


def test_table_layout_and_result_object():
    data, codes = _three_outlets()
    result = estimate_prevalence(data, validation=codes, random_state=1, n_resamples=500)
    table = result.table
    assert tuple(table.columns) == PREVALENCE_COLUMNS
    assert table["method"].tolist()[:3] == ["naive", "rogan-gladen", "ppi"]
    assert set(table["group"]) == {"A", "B", "C"}
    assert (table["n_labelled"] == 1500).all() and (table["n_docs"] == 6000).all()
    assert ((table["ci_low"] <= table["estimate"]) & (table["estimate"] <= table["ci_high"])).all()
    assert table[["estimate", "ci_low", "ci_high"]].stack().between(0, 1).all()
    corrected = table[table["method"] != "naive"].set_index(["group", "method"])["estimate"]
    for group, share in zip("ABC", (0.1, 0.3, 0.5), strict=True):
        assert corrected[(group, "rogan-gladen")] == pytest.approx(share, abs=0.05)
        assert corrected[(group, "ppi")] == pytest.approx(share, abs=0.05)
    rates = result.error_rates.set_index("group")
    assert rates.loc["*", "n_labelled"] == 4500
    assert rates.loc["*", "sensitivity"] == pytest.approx(0.85, abs=0.05)
    text = result.to_markdown()
    assert "Rogan-Gladen" in text and "clipped to [0, 1]" in text and "transport" not in text
    assert "same in every group" in str(result.summary())
    comparison = result.to_comparison()
    assert isinstance(comparison, ComparisonResult)
    assert set(comparison.kinds) == {"naive", "rogan-gladen", "ppi"}
    # same seed, same result
    again = estimate_prevalence(data, validation=codes, random_state=1, n_resamples=500)
    pd.testing.assert_frame_equal(again.table, table)


def test_error_rates_that_differ_by_outlet_need_by_group_rates():
    """Specificity 0.97 in A, 0.75 in C: pooled rates over-correct A and under-correct C; rates
    per group recover every share."""
    data, codes = _three_outlets(specificity=(0.97, 0.9, 0.75))
    pooled = estimate_prevalence(data, validation=codes, methods=["rogan-gladen"],
                                 random_state=2, n_resamples=500).table
    by_group = estimate_prevalence(data, validation=codes, methods=["rogan-gladen"],
                                   error_rates="by_group", random_state=2,
                                   n_resamples=500).table
    pick = lambda t, g: t[(t["group"] == g) & (t["method"] == "rogan-gladen")].iloc[0]  # noqa: E731
    assert pick(pooled, "C")["estimate"] - 0.5 > 0.1
    for group, share in zip("ABC", (0.1, 0.3, 0.5), strict=True):
        row = pick(by_group, group)
        assert row["ci_low"] <= share <= row["ci_high"]
    assert pick(by_group, "A")["specificity"] > pick(by_group, "C")["specificity"] + 0.15


def test_given_cross_validated_error_rates():
    data, _ = _three_outlets()
    rates = pd.DataFrame({"frame": ["conflict"], "sensitivity": [0.85], "specificity": [0.9],
                          "n_positive": [400], "n_negative": [900]})
    result = estimate_prevalence(data, error_rates=rates, methods=["rogan-gladen"],
                                 random_state=0, n_resamples=500)
    rows = result.table[result.table["method"] == "rogan-gladen"].set_index("group")
    for group, share in zip("ABC", (0.1, 0.3, 0.5), strict=True):
        assert rows.loc[group, "ci_low"] <= share <= rows.loc[group, "ci_high"]
        assert rows.loc[group, "sensitivity"] == 0.85
    assert any("training data" in n for n in result.notes)
    exact = estimate_prevalence(data, error_rates=rates.drop(columns=["n_positive",
                                                                       "n_negative"]),
                                methods=["rogan-gladen"], random_state=0, n_resamples=500)
    narrower = exact.table["ci_high"] - exact.table["ci_low"]
    wider = result.table["ci_high"] - result.table["ci_low"]
    assert (narrower[exact.table["method"] == "rogan-gladen"].to_numpy()
            < wider[result.table["method"] == "rogan-gladen"].to_numpy()).all()
    with pytest.raises(ParameterError, match="ppi"):
        estimate_prevalence(data, error_rates=rates, methods=["ppi"])


def test_design_weights_correct_a_disproportionate_sample():
    """Half of the coded sample comes from a stratum holding a fifth of the documents, where the
    classifier is nearly perfect; elsewhere it misses most frames. Unweighted, the rectifier
    and the error rates describe the wrong mix of documents; with the design weights they
    describe the corpus."""
    rng = np.random.default_rng(11)
    n = 20000
    stratum = rng.random(n) < 0.2  # a small stratum (e.g. one event), over-sampled
    truth = rng.random(n) < np.where(stratum, 0.6, 0.4)
    noise = rng.random(n)
    label = np.where(truth, noise < np.where(stratum, 0.98, 0.4),
                     noise < np.where(stratum, 0.02, 0.05))
    ids = np.arange(n).astype(str)
    data = pd.DataFrame({"doc_id": ids, "outlet": "X", "frame": "f", "label": label})
    picks = np.concatenate([rng.choice(np.flatnonzero(stratum), 600, replace=False),
                            rng.choice(np.flatnonzero(~stratum), 600, replace=False)])
    weights = np.where(stratum[picks], stratum.sum() / 600, (~stratum).sum() / 600)
    codes = pd.DataFrame({"doc_id": ids[picks], "f": truth[picks], "weight": weights})
    share = 0.2 * 0.6 + 0.8 * 0.4  # the generating share, 0.44 (the estimand)
    kwargs = {"validation": codes, "random_state": 0, "n_resamples": 500}
    plain = estimate_prevalence(data, **kwargs).table.set_index("method")
    weighted = estimate_prevalence(data, weight="weight", **kwargs).table.set_index("method")
    # expected rectifier: weighted -0.169, unweighted -0.107, so unweighted PPI is ~0.06 low;
    # the standard error of either estimate is about 0.016
    for method in ("ppi", "rogan-gladen"):
        assert plain.loc[method, "estimate"] < share - 0.05
        assert weighted.loc[method, "estimate"] == pytest.approx(share, abs=0.04)
    assert weighted.loc["rogan-gladen", "ci_low"] <= share <= weighted.loc["rogan-gladen",
                                                                           "ci_high"]


def test_inputs_are_checked():
    data, codes = _three_outlets(n_docs=200, n_coded=20)
    with pytest.raises(ParameterError, match="human codes"):
        estimate_prevalence(data)
    with pytest.raises(ParameterError, match="methods"):
        estimate_prevalence(data, validation=codes, methods=["magic"])
    with pytest.raises(SchemaError, match="outlet"):
        estimate_prevalence(data.drop(columns="outlet"), validation=codes)
    odd = data.assign(label=data["label"].replace("absent", "maybe"))
    with pytest.raises(SchemaError, match="maybe"):
        estimate_prevalence(odd, validation=codes)
    with pytest.raises(SchemaError, match="twice"):
        estimate_prevalence(data, validation=pd.concat([codes, codes.iloc[:1]]))
    with pytest.warns(SmallCellWarning, match="fewer than 10"):
        estimate_prevalence(data, validation=codes, error_rates="by_group", n_resamples=200,
                            random_state=0)


def test_groups_without_codes_get_no_ppi_but_pooled_rogan_gladen():
    data, codes = _three_outlets(n_docs=3000, n_coded=600)
    codes = codes[~codes["doc_id"].str.startswith("C")]
    result = estimate_prevalence(data, validation=codes, random_state=0, n_resamples=300)
    rows = result.table.set_index(["group", "method"])
    assert np.isnan(rows.loc[("C", "ppi"), "estimate"])
    assert rows.loc[("C", "rogan-gladen"), "estimate"] == pytest.approx(0.5, abs=0.06)
    assert any("ppi needs 2+ coded documents" in n for n in result.notes)
