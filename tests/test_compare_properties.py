"""Invariants of the comparisons, checked with hypothesis:

* swapping the labels of two groups flips the sign of every difference (and leaves the tests);
* adjusted p-values are never below the raw ones (and equal statsmodels');
* shares and their intervals stay in [0, 1];
* results do not depend on the order of the input rows.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from framing.compare import compare_shares
from framing.divergence import compare_distributions
from framing.inference import adjust_pvalues
from framing.tone import compare_tone
from framing.words import distinguishing_words, keyness

SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
# Small random tables trip every warning (few clusters, separation); they are tested elsewhere.
pytestmark = pytest.mark.filterwarnings("ignore::framing.errors.FramingWarning")


@pytest.fixture
def cheap_gc():
    """statsmodels' multipletests(method="holm") calls gc.collect() on every call; freezing
    the objects that exist keeps that cheap."""
    gc.freeze()
    yield
    gc.unfreeze()
LABELS = ["aa", "bb", "cc"]
FRAMES = ["iraq", "blame", "wmd"]


@st.composite
def frame_tables(draw, n_groups=3, min_docs=6, max_docs=40):
    """A doc_frames-like table: documents with an outlet, a lean and 0/1 labels per frame."""
    n = draw(st.integers(min_docs, max_docs))
    groups = draw(st.lists(st.sampled_from(LABELS[:n_groups]), min_size=n, max_size=n)
                  .filter(lambda g: len(set(g)) >= 2))
    outlets = [f"{g}-{draw(st.integers(0, 2))}" for g in groups]
    labels = draw(st.lists(st.lists(st.booleans(), min_size=len(FRAMES), max_size=len(FRAMES)),
                           min_size=n, max_size=n))
    return pd.DataFrame([{"doc_id": f"d{i}", "outlet": outlets[i], "lean": groups[i],
                          "frame": f, "label": int(labels[i][k])}
                         for i in range(n) for k, f in enumerate(FRAMES)])


def swap(labels: pd.Series, a="aa", b="bb") -> pd.Series:
    return labels.map(lambda x: b if x == a else a if x == b else x)


@SETTINGS
@given(frame_tables(n_groups=2))
def test_swapping_groups_flips_differences(data):
    kwargs = dict(feature="frame", value="label", by="lean", random_state=0, n_resamples=30,
                  regression=False)
    res = compare_shares(data, **kwargs).rows("pairwise")
    flipped = compare_shares(data.assign(lean=swap(data["lean"]),
                                         outlet=swap(data["outlet"].str[:2]) + data["outlet"]
                                         .str[2:]), **kwargs).rows("pairwise")
    pd.testing.assert_series_equal(res["group"], flipped["group"])
    assert np.allclose(res["estimate"], -flipped["estimate"])
    assert np.allclose(res["ci_low"], -flipped["ci_high"])
    assert np.allclose(res["p_value"], flipped["p_value"], equal_nan=True)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["aa", "bb"]), st.sampled_from(
    ["regime attack", "hoax staged", "attack victims", "regime hoax", "strike"])),
    min_size=3, max_size=20).filter(lambda rows: {g for g, _ in rows} == {"aa", "bb"}
                                    and len({t for _, t in rows}) > 1))
def test_swapping_groups_flips_log_odds_and_keyness(rows):
    data = pd.DataFrame(rows, columns=["lean", "text"])
    other = {"aa": "bb", "bb": "aa"}
    for measure in (distinguishing_words, keyness):
        one = measure(data, by="lean", min_df=1).table.set_index(["group", "feature"])
        two = measure(data.assign(lean=swap(data["lean"])), by="lean", min_df=1) \
            .table.set_index(["group", "feature"])
        for (group, term), row in one.iterrows():
            mirror = one.loc[(other[group], term)]
            assert np.isclose(row["estimate"], -mirror["estimate"])
            assert np.isclose(row["statistic"], two.loc[(other[group], term), "statistic"])
            assert np.isclose(row["estimate"], two.loc[(other[group], term), "estimate"])


@SETTINGS
@given(frame_tables())
def test_adjusted_p_values_never_below_raw(cheap_gc, data):
    res = compare_shares(data, feature="frame", value="label", by="lean", random_state=0,
                         n_resamples=30, regression=False)
    table = res.table.dropna(subset=["p_value"])
    assert (table["p_adjusted"] >= table["p_value"] - 1e-15).all()
    assert (table["p_adjusted"] <= 1).all()
    for family, rows in res.table.groupby(res.families()):
        p = rows["p_value"].dropna()
        if len(p) and family.startswith("pairwise"):
            want = multipletests(p, method="holm")[1]
            assert np.allclose(rows["p_adjusted"].dropna(), want)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30),
       st.sampled_from(["holm", "fdr_bh", "bonferroni", "fdr_by"]))
def test_adjustment_matches_statsmodels_and_dominates(cheap_gc, p, method):
    got = adjust_pvalues(p, method)
    assert (got >= np.asarray(p) - 1e-15).all()
    assert np.allclose(got, multipletests(p, method=method)[1], rtol=1e-12, atol=1e-15)


@SETTINGS
@given(frame_tables())
def test_shares_and_intervals_stay_in_unit_interval(data):
    res = compare_shares(data, feature="frame", value="label", by="lean", random_state=1,
                         n_resamples=30, regression=False)
    shares = res.rows("share")
    assert shares["estimate"].between(0, 1).all()
    assert (shares["ci_low"] >= 0).all() and (shares["ci_high"] <= 1).all()
    assert (shares["ci_low"] <= shares["estimate"] + 1e-12).all()
    assert (shares["estimate"] <= shares["ci_high"] + 1e-12).all()
    pairs = res.rows("pairwise")
    assert pairs["estimate"].between(-1, 1).all()
    assert ((pairs["ci_low"] >= -1) & (pairs["ci_high"] <= 1)).all()
    omni = res.rows("omnibus").dropna(subset=["ci_low"])
    assert omni["estimate"].between(0, 1).all()


@SETTINGS
@given(frame_tables(min_docs=12), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(data, random):
    order = list(range(len(data)))
    random.shuffle(order)
    shuffled = data.iloc[order].reset_index(drop=True)
    kwargs = dict(feature="frame", value="label", by="lean", random_state=7, n_resamples=40)
    a = compare_shares(data, cluster="outlet", **kwargs)
    b = compare_shares(shuffled, cluster="outlet", **kwargs)
    pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-9)
    docs = data[data["frame"] == "iraq"]
    div_kwargs = dict(feature="frame", weight="label", by="lean", documents=docs[["doc_id",
                      "lean"]], min_docs=1, random_state=3, n_resamples=30, n_permutations=30)
    if data.groupby("doc_id")["label"].sum().gt(0).groupby(
            data.drop_duplicates("doc_id").set_index("doc_id")["lean"]).sum().ge(1).sum() >= 2:
        one = compare_distributions(data.drop(columns="lean"), **div_kwargs)
        two = compare_distributions(shuffled.drop(columns="lean"), **div_kwargs)
        pd.testing.assert_frame_equal(one.table, two.table, rtol=1e-9)
    tone = docs.assign(actor="assad", tone=np.linspace(-1, 1, len(docs)))
    t1 = compare_tone(tone, by="lean").table
    t2 = compare_tone(tone.sample(frac=1, random_state=1), by="lean").table
    pd.testing.assert_frame_equal(t1, t2, rtol=1e-9)
