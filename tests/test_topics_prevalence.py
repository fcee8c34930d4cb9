"""Topic prevalence by group: bootstrap intervals, pairwise contrasts and the regression,
checked against direct computations and statsmodels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from framing.errors import FewClustersWarning, ParameterError, SchemaError, SmallCellWarning
from framing.results import validate_comparison
from framing.schema import COMPARISON_COLUMNS
from framing.topics import PrevalenceResult, TopicModel, topic_prevalence

from ._topics_corpus import make_documents


@pytest.fixture(scope="module")
def docs():
    return make_documents()


@pytest.fixture(scope="module")
def doc_topics(docs):
    return TopicModel(3, min_df=2, max_df=0.9, random_state=0).fit(docs).doc_topics()


def run(doc_topics, docs, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewClustersWarning)
        return topic_prevalence(doc_topics, documents=docs, by="outlet_lean", random_state=0,
                                n_resamples=500, **params)


def test_prevalence_rows(doc_topics, docs):
    res = run(doc_topics, docs)
    assert isinstance(res, PrevalenceResult)
    table = validate_comparison(res.table)
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    prev = res.rows("prevalence")
    assert len(prev) == 3 * 3 and set(prev["scope"]) == {"all"}
    wide = doc_topics.pivot(index="doc_id", columns="topic", values="weight")
    lean = docs.set_index("doc_id")["outlet_lean"]
    expected = wide.groupby(lean.reindex(wide.index)).mean()
    for row in prev.itertuples():
        assert row.estimate == pytest.approx(expected.loc[row.group, int(row.feature)])
        assert row.ci_low <= row.estimate <= row.ci_high
    assert prev.groupby("group")["estimate"].sum().tolist() == pytest.approx([1, 1, 1])


def test_pairwise_contrasts(doc_topics, docs):
    res = run(doc_topics, docs)
    pairs = res.rows("pairwise")
    assert len(pairs) == 3 * 3  # 3 pairs of groups x 3 topics
    prev = res.rows("prevalence").set_index(["group", "feature"])["estimate"]
    for row in pairs.itertuples():
        diff = prev[row.group, row.feature] - prev[row.reference, row.feature]
        assert row.estimate == pytest.approx(diff)
        assert 0 < row.p_value <= 1 and row.p_adjusted >= row.p_value
    # left documents lean to the chemical topic, right ones to the strike topic: some contrasts
    # are as clear as 500 resamples can show, and stay so after adjustment
    assert pairs["p_value"].min() == pytest.approx(2 / 501)
    assert (pairs["p_adjusted"] < 0.05).any()
    only = run(doc_topics, docs, reference="center").rows("pairwise")
    assert set(only["reference"]) == {"center"} and len(only) == 2 * 3


def test_same_seed_same_table(doc_topics, docs):
    pd.testing.assert_frame_equal(run(doc_topics, docs).table, run(doc_topics, docs).table)


def test_regression_matches_statsmodels(doc_topics, docs):
    res = run(doc_topics, docs, reference="center", pairwise=False)
    reg = res.rows("regression")
    assert len(reg) == 2 * 3 and set(reg["reference"]) == {"center"}
    data = (doc_topics.query("topic == 0").merge(docs, on="doc_id")
            .assign(center=lambda d: (d["outlet_lean"] == "center").astype(int)))
    fit = smf.ols("weight ~ C(outlet_lean, Treatment('center'))", data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["outlet"], sort=True)[0]})
    row = reg.query("feature == '0' and group == 'left'").iloc[0]
    name = "C(outlet_lean, Treatment('center'))[T.left]"
    assert row.estimate == pytest.approx(fit.params[name])
    assert row.p_value == pytest.approx(fit.pvalues[name])
    assert row.ci_low == pytest.approx(fit.conf_int().loc[name, 0])


def test_regression_warns_about_few_outlets(doc_topics, docs):
    with pytest.warns(FewClustersWarning, match="outlets"):
        res = topic_prevalence(doc_topics, documents=docs, by="outlet_lean", n_resamples=50,
                               random_state=0)
    assert any("cluster-robust" in note for note in res.notes)
    hc3 = topic_prevalence(doc_topics, documents=docs, by="outlet_lean", cluster=None,
                           regression=True, n_resamples=50, random_state=0)
    assert "HC3" in hc3.rows("regression")["method"].iloc[0]


def test_within_events(doc_topics, docs):
    res = run(doc_topics, docs, within="event_id", pairwise=False)
    prev = res.rows("prevalence")
    assert set(prev["scope"]) == {"all", "e1", "e2"}
    assert prev.query("scope == 'e1'")["n_docs"].sum() == 3 * (docs["event_id"] == "e1").sum()
    assert "event fixed effects" in res.rows("regression")["method"].iloc[0]


def test_small_groups_are_left_out(doc_topics, docs):
    few = docs.assign(outlet_lean=np.where(docs.index < 3, "tiny", docs["outlet_lean"]))
    with pytest.warns(SmallCellWarning, match="tiny"):
        res = topic_prevalence(doc_topics, documents=few, by="outlet_lean", regression=False,
                               n_resamples=50, random_state=0)
    assert "tiny" not in set(res.table["group"])


def test_labels_plot_and_summary(doc_topics, docs):
    res = run(doc_topics, docs, labels={0: "a", 1: "b", 2: "c"}, regression=False)
    assert set(res.table["feature"]) == {"a", "b", "c"}
    assert res.plot() is not None
    assert "prevalence" in res.summary().to_markdown()


def test_one_row_per_document(doc_topics, docs):
    twice = pd.concat([docs, docs.head(1).assign(event_id="e9")])
    with pytest.raises(SchemaError, match="one row per document"):
        run(doc_topics, twice, within="event_id")


def test_errors(doc_topics, docs):
    with pytest.raises(ParameterError, match="reference"):
        run(doc_topics, docs, reference="nowhere")
    with pytest.raises(ParameterError, match="correction"):
        run(doc_topics, docs, correction="magic")
    with pytest.raises(ParameterError, match="cluster"):
        run(doc_topics, docs, cluster="missing_column", regression=True)


# ----------------------------------------------------------------------------- composition
@pytest.fixture(scope="module")
def lda(docs):
    return TopicModel(3, method="lda", min_df=2, max_df=0.9, random_state=0).fit(docs)


def test_doc_topic_draws(lda, docs):
    draws = lda.doc_topic_draws(200, random_state=1)
    assert list(draws.columns) == ["draw", "doc_id", "topic", "weight"]
    assert len(draws) == 200 * len(docs) * 3
    np.testing.assert_allclose(draws.groupby(["draw", "doc_id"])["weight"].sum(), 1.0)
    mean = draws.groupby(["doc_id", "topic"], sort=False)["weight"].mean().to_numpy()
    np.testing.assert_allclose(mean, lda.doc_topic_.ravel(), atol=0.05)
    pd.testing.assert_frame_equal(draws, lda.doc_topic_draws(200, random_state=1))
    with pytest.raises(ParameterError, match="posterior"):
        TopicModel(3, min_df=2, max_df=0.9).fit(docs).doc_topic_draws()


def test_composition_with_fixed_draws_matches_plain_regression(doc_topics, docs):
    fixed = pd.concat([doc_topics.assign(draw=d) for d in range(4)], ignore_index=True)
    plain = run(doc_topics, docs, reference="center", pairwise=False).rows("regression")
    composed = run(doc_topics, docs, reference="center", pairwise=False,
                   draws=fixed).rows("regression")
    assert "composition over 4" in composed["method"].iloc[0]
    # 4 x 500 coefficient draws from the same normal: mean and spread within Monte Carlo error
    se = (plain["ci_high"] - plain["ci_low"]) / (2 * 1.959964)
    np.testing.assert_allclose(composed["estimate"], plain["estimate"], atol=float(se.max()) / 10)
    np.testing.assert_allclose(composed["ci_high"] - composed["ci_low"],
                               plain["ci_high"] - plain["ci_low"], rtol=0.1)


def test_composition_with_lda_posterior(lda, docs):
    table = lda.doc_topics()
    plain = run(table, docs, reference="center", pairwise=False).rows("regression")
    composed = run(table, docs, reference="center", pairwise=False,
                   draws=lda.doc_topic_draws(10, random_state=0)).rows("regression")
    width = composed["ci_high"] - composed["ci_low"]
    assert (width >= 0.9 * (plain["ci_high"] - plain["ci_low"])).all()
    with pytest.raises(ParameterError, match="draws"):
        run(table, docs, regression=False, draws=lda.doc_topic_draws(2, random_state=0))
