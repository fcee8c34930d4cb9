"""compare_shares: every statistic against SciPy, statsmodels or a published value (see
tests/results/README.md), plus layouts, warnings and errors."""

from __future__ import annotations

import json
import math
import warnings
from itertools import product
from math import comb
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from framing.compare import compare_shares, presence_table
from framing.errors import (
    EstimationWarning,
    FewClustersWarning,
    FramingWarning,
    ParameterError,
    SchemaError,
    SmallCellWarning,
)
from framing.inference import (
    adjust_pvalues,
    contingency_test,
    make_rng,
    resolve_random_state,
)

matplotlib.use("Agg")

RESULTS = Path(__file__).parent / "results"
REF = json.loads((RESULTS / "reference_values.json").read_text(encoding="utf-8"))


def close(value, reference, tol=1e-8):
    assert math.isclose(float(value), float(reference), rel_tol=tol, abs_tol=tol * 1e-4), \
        (value, reference)


def docs_from_table(table, groups, categories, column="feature"):
    """One row per document: group x category counts -> a documents table."""
    rows = []
    for g, counts in zip(groups, table, strict=True):
        for cat, n in zip(categories, counts, strict=True):
            rows += [{"group": g, column: cat}] * int(n)
    data = pd.DataFrame(rows)
    return data.assign(doc_id=[f"d{i}" for i in range(len(data))])


def only(frame: pd.DataFrame) -> pd.Series:
    assert len(frame) == 1, frame
    return frame.iloc[0]


# ------------------------------------------------------------------------------- tests
def test_fisher_tea_tasting_is_34_over_70():
    ref = REF["fisher_tea"]
    docs = docs_from_table(ref["table"], ["a", "b"], [True, False])
    res = compare_shares(docs, feature="feature", by="group", random_state=0)
    omni = only(res.rows("omnibus"))
    close(omni["p_value"], ref["p_value_exact"])
    close(omni["statistic"], ref["odds_ratio"])
    assert omni["method"].startswith("Fisher exact")
    pair = only(res.rows("pairwise"))
    assert (pair["group"], pair["reference"]) == ("b", "a")
    close(pair["p_value"], ref["p_value_exact"])
    close(pair["statistic"], 1 / ref["odds_ratio"])
    close(pair["estimate"], 0.25 - 0.75)


def test_fisher_small_table_matches_exact_enumeration_and_scipy():
    ref = REF["fisher_small"]
    close(ref["p_value_exact"], ref["scipy_p_value"], 1e-12)
    docs = docs_from_table(ref["table"], ["a", "b"], [1, 0])
    pair = only(compare_shares(docs, feature="feature", by="group", reference="b",
                               random_state=0).rows("pairwise"))
    close(pair["p_value"], ref["p_value_exact"])
    close(pair["statistic"], ref["odds_ratio"])


def test_chi_square_party_by_gender_agresti_table_2_5():
    ref = REF["chi2_party_gender"]
    docs = docs_from_table(ref["table"], ["female", "male"], ["dem", "ind", "rep"], "party")
    res = compare_shares(docs, feature="party", by="group", random_state=0, n_resamples=200)
    omni = only(res.rows("omnibus"))
    assert (omni["group"], omni["feature_kind"], omni["feature"]) == ("*", "party", "*")
    close(omni["statistic"], ref["statistic"])
    close(omni["statistic"], ref["statistic_by_hand"])
    close(omni["p_value"], ref["p_value"])
    close(omni["estimate"], ref["cramers_v"])
    assert abs(omni["statistic"] - ref["published_statistic"]) < 0.05
    assert "df=2" in omni["method"]
    assert omni["ci_low"] <= omni["estimate"] <= omni["ci_high"]
    shares = res.rows("share").set_index(["group", "feature"])["estimate"]
    close(shares[("female", "dem")], 762 / (762 + 327 + 468))


def test_chi_square_2x2_without_continuity_correction():
    ref = REF["chi2_2x2"]
    docs = docs_from_table(ref["table"], ["a", "b"], [True, False])
    res = compare_shares(docs, feature="feature", by="group", random_state=0, n_resamples=200)
    for row in (only(res.rows("omnibus")), only(res.rows("pairwise"))):
        close(row["statistic"], ref["statistic"])
        close(row["p_value"], ref["p_value"])
    close(only(res.rows("omnibus"))["estimate"], ref["cramers_v"])


def test_wilson_intervals_newcombe_1998a():
    cases = REF["wilson"]["cases"]
    rows = []
    for i, case in enumerate(cases):
        rows += [{"group": f"g{i}", "flag": True}] * case["count"]
        rows += [{"group": f"g{i}", "flag": False}] * (case["nobs"] - case["count"])
    res = compare_shares(pd.DataFrame(rows), feature="flag", by="group", pairwise=False,
                         random_state=0, n_resamples=50)
    shares = res.rows("share").set_index("group")
    for i, case in enumerate(cases):
        row = shares.loc[f"g{i}"]
        close(row["estimate"], case["count"] / case["nobs"])
        for got, sm_value, hand, published in zip(row[["ci_low", "ci_high"]],
                                                  case["statsmodels"], case["by_hand"],
                                                  case["published"], strict=True):
            close(got, sm_value)
            assert abs(got - hand) < 1e-12
            assert abs(got - published) <= 5e-5


def test_newcombe_difference_intervals_1998b():
    for case in REF["newcombe"]["cases"]:
        x1, n1, x2, n2 = case["counts"]
        docs = pd.DataFrame({"group": ["first"] * n1 + ["second"] * n2,
                             "flag": [1] * x1 + [0] * (n1 - x1) + [1] * x2 + [0] * (n2 - x2)})
        pair = only(compare_shares(docs, feature="flag", by="group", reference="second",
                                   random_state=0, n_resamples=50).rows("pairwise"))
        close(pair["estimate"], x1 / n1 - x2 / n2)
        for got, sm_value, published in zip(pair[["ci_low", "ci_high"]], case["statsmodels"],
                                            case["published"], strict=True):
            close(got, sm_value)
            assert abs(got - published) <= 5e-5


def test_holm_and_benjamini_hochberg():
    ref = REF["adjust"]
    for method, hand, sm_values in (("holm", ref["holm_by_hand"], ref["holm_statsmodels"]),
                                    ("fdr_bh", ref["bh_by_hand"], ref["bh_statsmodels"])):
        got = adjust_pvalues(ref["p"], method)
        for g, h, s in zip(got, hand, sm_values, strict=True):
            close(g, h)
            close(g, s)
    with_nan = adjust_pvalues([0.01, np.nan, 0.04], "holm")
    assert np.isnan(with_nan[1]) and np.allclose(with_nan[[0, 2]], [0.02, 0.04])


def test_result_adjust_recomputes_within_families():
    rng = np.random.default_rng(3)
    docs = pd.DataFrame({"group": rng.choice(["a", "b", "c"], 300),
                         "topic": rng.choice(["x", "y", "z", "w"], 300)})
    res = compare_shares(docs, feature="topic", by="group", random_state=0, n_resamples=50)
    pairs = res.rows("pairwise")
    close_all = np.allclose
    assert close_all(pairs["p_adjusted"], adjust_pvalues(pairs["p_value"], "holm"))
    bh = res.adjust("fdr_bh")
    assert bh.params["correction"] == "fdr_bh"
    assert close_all(bh.rows("pairwise")["p_adjusted"],
                     adjust_pvalues(pairs["p_value"], "fdr_bh"))
    assert close_all(res.rows("pairwise")["p_adjusted"], pairs["p_adjusted"])  # unchanged
    assert set(res.families()) == {"share|all", "omnibus|all", "pairwise|all"}


def test_logit_event_fixed_effects_cluster_robust():
    ref = REF["logit_cluster"]
    data = pd.read_csv(RESULTS / ref["data"])
    with pytest.warns(FewClustersWarning, match="16 clusters"):
        res = compare_shares(data, feature="present", by="outlet_lean", within="event_id",
                             cluster="outlet", reference="center", random_state=0,
                             n_resamples=50)
    rows = res.rows("regression").set_index("group")
    z = stats.norm.ppf(0.975)
    for group, r in ref["groups"].items():
        row = rows.loc[group]
        assert row["reference"] == "center" and row["scope"] == "all"
        close(row["estimate"], r["coef_statsmodels"])
        close(row["estimate"], r["coef_numpy"])
        close(row["statistic"], r["z_statsmodels"])
        close(row["p_value"], r["p_statsmodels"])
        close(row["p_value"], r["p_numpy"])
        close((row["ci_high"] - row["ci_low"]) / (2 * z), r["se_numpy"])
        assert row["n_docs"] == (data["outlet_lean"] == group).sum()


def test_fisher_freeman_halton_monte_carlo_uses_scipy_with_the_given_stream():
    table = np.array([[4, 1], [1, 5], [3, 3]])
    got = contingency_test(table, rng=np.random.default_rng(11), n_resamples=3000)
    want = stats.fisher_exact(table, method=stats.MonteCarloMethod(
        n_resamples=3000, rng=np.random.default_rng(11)))
    assert got.method.startswith("Fisher-Freeman-Halton")
    close(got.p_value, want.pvalue, 1e-12)
    close(got.statistic, want.statistic, 1e-12)


def test_fisher_freeman_halton_close_to_exact_enumeration():
    table = np.array([[4, 1], [1, 5], [3, 3]])
    sizes, total = table.sum(axis=1), table[:, 0].sum()

    def prob(x):
        return np.prod([comb(n, k) for n, k in zip(sizes, x, strict=True)]) / comb(
            sizes.sum(), total)

    tables = [x for x in product(*(range(n + 1) for n in sizes)) if sum(x) == total]
    observed = prob(table[:, 0])
    exact = sum(prob(x) for x in tables if prob(x) <= observed * (1 + 1e-7))
    docs = docs_from_table(table, ["a", "b", "c"], [True, False])
    omni = only(compare_shares(docs, feature="feature", by="group", n_resamples=4000,
                               random_state=5).rows("omnibus"))
    assert omni["method"].startswith("Fisher-Freeman-Halton")
    assert abs(omni["p_value"] - exact) < 4 * math.sqrt(exact * (1 - exact) / 4000) + 1e-3


def test_forcing_chi_square_on_small_cells_warns():
    docs = docs_from_table([[3, 1], [1, 3]], ["a", "b"], [True, False])
    with pytest.warns(SmallCellWarning, match="expected count below 5"):
        res = compare_shares(docs, feature="feature", by="group", test="chi2", random_state=0)
    assert any("expected count" in n for n in res.notes)
    assert only(res.rows("omnibus"))["method"].startswith("chi-square")
    assert issubclass(SmallCellWarning, FramingWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_shares(docs, feature="feature", by="group", random_state=0)


def test_doc_frames_layout_presence_and_categories():
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)],
                         "outlet": ["CNN", "CNN", "Fox", "Fox", "RT", "RT", "SANA", "SANA"],
                         "outlet_lean": ["left", "left", "right", "right", "", "", "", ""],
                         "outlet_type": ["commercial"] * 4 + ["state_affiliated"] * 4})
    frames = pd.DataFrame(
        [{"doc_id": f"d{i}", "frame": "iraq_2003_analogy", "label": lab, "score": 0.5,
          "method": "rules"} for i, lab in enumerate(["present", "absent"] * 3 + ["present"])]
        + [{"doc_id": f"d{i}", "frame": "blame", "label": lab, "score": 0.5, "method": "rules"}
           for i, lab in enumerate(["syrian_government"] * 4 + ["rebels"] * 3 + ["none"])])
    long, exclusive, notes = presence_table(frames, feature="frame", value="label",
                                            by="outlet_type", documents=docs)
    assert exclusive == {"blame": True, "frame": False}
    assert any("counted as absent" in n for n in notes)  # d7 has no iraq row
    res = compare_shares(frames, documents=docs, feature="frame", value="label",
                         by="outlet_type", regression=False, random_state=0, n_resamples=50)
    shares = res.rows("share").set_index(["feature_kind", "feature", "group"])["estimate"]
    assert shares[("frame", "iraq_2003_analogy", "commercial")] == 0.5
    assert shares[("frame", "iraq_2003_analogy", "state_affiliated")] == 0.5  # d7: absent
    assert shares[("blame", "rebels", "state_affiliated")] == 0.75
    omni = res.rows("omnibus")
    assert set(zip(omni["feature_kind"], omni["feature"], strict=True)) == {
        ("blame", "*"), ("frame", "iraq_2003_analogy")}
    # rows without a group are left out, and said so
    lean = compare_shares(frames, documents=docs, feature="frame", value="label",
                          by="outlet_lean", regression=False, random_state=0, n_resamples=50)
    assert lean.params["groups"] == ["left", "right"]
    assert any("without outlet_lean" in n for n in lean.notes)


def test_within_events_adds_scopes_and_fixed_effects():
    data = pd.read_csv(RESULTS / REF["logit_cluster"]["data"])
    with pytest.warns(FewClustersWarning):
        res = compare_shares(data, feature="present", by="outlet_lean", within="event_id",
                             random_state=1, n_resamples=50)
    assert set(res.table["scope"]) == {"all", "ev-a", "ev-b", "ev-c"}
    per_event = res.rows("share").query("scope == 'ev-a'")
    ev = data[data["event_id"] == "ev-a"]
    want = ev.groupby("outlet_lean")["present"].mean()
    assert np.allclose(per_event.set_index("group")["estimate"], want.sort_index())
    assert "event fixed effects" in res.rows("regression")["method"].iloc[0]
    assert set(res.families()) >= {"pairwise|ev-a", "pairwise|all", "regression|all"}


@pytest.mark.filterwarnings("ignore::framing.errors.FramingWarning")
def test_separated_groups_get_nan_rows_and_the_others_are_estimated():
    rng = np.random.default_rng(4)
    lean = np.array(["center", "left", "right"])[np.arange(90) % 3]
    docs = pd.DataFrame({"outlet": [f"{g}{i % 4}" for i, g in enumerate(lean)], "lean": lean,
                         "flag": np.where(lean == "right", True, rng.random(90) < 0.4)})
    with pytest.warns(EstimationWarning, match="complete separation"):
        res = compare_shares(docs, feature="flag", by="lean", random_state=0, n_resamples=20)
    rows = res.rows("regression").set_index("group")
    assert np.isnan(rows.loc["right", "estimate"]) and rows.loc["right", "n_docs"] == 30
    assert np.isfinite(rows.loc["left", "estimate"]) and np.isfinite(rows.loc["left", "p_value"])
    kept = docs[docs["lean"] != "right"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FramingWarning)
        alone = compare_shares(kept, feature="flag", by="lean", random_state=0, n_resamples=20)
    assert np.isclose(alone.rows("regression").iloc[0]["estimate"], rows.loc["left", "estimate"])
    everyone = docs.assign(flag=docs["lean"] == "right")
    with pytest.warns(EstimationWarning, match="not estimated"):
        res = compare_shares(everyone, feature="flag", by="lean", random_state=0, n_resamples=20)
    assert res.rows("regression")["estimate"].isna().all()


def test_regression_auto_skips_when_groups_are_outlets():
    docs = docs_from_table([[5, 5], [2, 8]], ["CNN", "Fox"], [True, False])
    res = compare_shares(docs.rename(columns={"group": "outlet"}), feature="feature",
                         by="outlet", random_state=0, n_resamples=20)
    assert res.rows("regression").empty and res.params["regression"] is False


def test_bootstrap_is_seeded_and_recorded():
    rng = np.random.default_rng(0)
    docs = pd.DataFrame({"group": rng.choice(["a", "b"], 80), "flag": rng.random(80) < 0.4})
    a = compare_shares(docs, feature="flag", by="group", random_state=4, n_resamples=300)
    b = compare_shares(docs, feature="flag", by="group", random_state=4, n_resamples=300)
    c = compare_shares(docs, feature="flag", by="group", random_state=5, n_resamples=300)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.rows("omnibus")[["ci_low", "ci_high"]].equals(
        c.rows("omnibus")[["ci_low", "ci_high"]])
    fresh = compare_shares(docs, feature="flag", by="group", n_resamples=300)
    again = compare_shares(docs, feature="flag", by="group", n_resamples=300,
                           random_state=fresh.params["random_state"])
    pd.testing.assert_frame_equal(fresh.table, again.table)
    assert resolve_random_state(np.random.default_rng(1)) == resolve_random_state(
        np.random.default_rng(1))
    assert make_rng(1, "x").random() != make_rng(1, "y").random()


@pytest.mark.parametrize("kwargs, error", [
    ({"correction": "tukey"}, ParameterError),
    ({"test": "g"}, ParameterError),
    ({"confidence": 1.5}, ParameterError),
    ({"reference": "nobody"}, ParameterError),
    ({"regression": True}, ParameterError),
    ({"by": "missing"}, SchemaError),
])
def test_bad_parameters(kwargs, error):
    docs = docs_from_table([[5, 5], [2, 8]], ["a", "b"], [True, False])
    with pytest.raises(error):
        compare_shares(docs, feature="feature", **{"by": "group", **kwargs})


def test_schema_errors_name_the_problem():
    docs = pd.DataFrame({"doc_id": ["a", "a"], "group": ["x", "y"], "frame": ["p", "q"]})
    with pytest.raises(SchemaError, match="value='label'"):
        compare_shares(docs, feature="frame", by="group")
    scores = pd.DataFrame({"doc_id": ["a", "b"], "group": ["x", "y"], "frame": "f",
                           "score": [0.2, 0.7]})
    with pytest.raises(SchemaError, match="fractional"):
        compare_shares(scores, feature="frame", value="score", by="group")
    dup = pd.DataFrame({"doc_id": ["a", "a"], "group": ["x", "x"], "frame": "f",
                        "label": [1, 0]})
    with pytest.raises(SchemaError, match="two rows"):
        compare_shares(dup, feature="frame", value="label", by="group")


def test_summary_exports_and_plot():
    docs = docs_from_table([[12, 8], [5, 15], [9, 9]], ["center", "left", "right"],
                           ["present", "absent"], "iraq")
    res = compare_shares(docs, feature="iraq", by="group", random_state=0, n_resamples=100)
    text = str(res.summary())
    assert "Shares of iraq by group" in text and "Note: pairwise:" in text
    md = res.to_markdown()
    assert md.startswith("**Shares of iraq by group**") and "| kind" in md
    tex = res.to_latex()
    assert "\\begin{table}" in tex and "feature\\_kind" in tex
    assert "<table" in res._repr_html_()
    assert json.loads(res.to_json())["params"]["random_state"] == 0
    ax = res.plot()
    assert ax.get_ylabel() == "iraq" and len(ax.get_yticklabels()) == 1
    assert res.plot("pairwise").get_title().startswith("Shares of iraq")
    assert set(res.table.columns) == {
        "scope", "group", "reference", "feature_kind", "feature", "n_docs", "estimate",
        "ci_low", "ci_high", "statistic", "p_value", "p_adjusted", "method"}
