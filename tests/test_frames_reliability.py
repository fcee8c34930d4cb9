"""Inter-coder reliability against published values and independent implementations.

Reference values
----------------
Krippendorff, K. (2011). "Computing Krippendorff's alpha-reliability". Annenberg School for
Communication, University of Pennsylvania, Departmental Papers (ASC) 43, 2011-01-25:

- example A ("binary or dichotomous data, two observers, no missing data"), ten units:
  observer A 0 1 0 0 0 0 0 0 1 0, observer B 1 1 1 0 0 1 0 0 0 0; alpha = 0.095.
- example C ("nominal data, any number of observers, missing data"), four observers, twelve
  units (missing marked None below); alpha nominal = 0.743, and for the same data (examples D-F)
  ordinal = 0.815, interval = 0.849, ratio = 0.797.

Fleiss, J. L. (1971). "Measuring nominal scale agreement among many raters". Psychological
Bulletin 76(5):378-382, as tabulated in the Wikipedia article "Fleiss' kappa" (ten subjects,
fourteen raters, five categories): kappa = 0.210.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from framing.errors import ParameterError
from framing.frames.reliability import RELIABILITY_COLUMNS, reliability

EXAMPLE_A = {"A": [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], "B": [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]}
EXAMPLE_C = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
             "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
             "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
             "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]}
KRIPPENDORFF_2011 = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
# Fleiss (1971) / Wikipedia: raters per category (5 categories) for 10 subjects, 14 raters each
FLEISS_TABLE = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def _sheets(coders: dict[str, list], variable: str = "x") -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame({"doc_id": [f"u{i}" for i in range(len(values))],
                                variable: ["" if v is None else v for v in values]})
            for name, values in coders.items()}


def test_krippendorff_2011_example_a_binary():
    result = reliability(_sheets(EXAMPLE_A), random_state=0)
    row = result.table.iloc[0]
    assert round(row["alpha"], 3) == 0.095
    assert row["n_units"] == 10 and row["n_coders"] == 2 and row["n_values"] == 20
    assert row["percent_agreement"] == pytest.approx(0.6)
    assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(EXAMPLE_A["A"], EXAMPLE_A["B"]))


@pytest.mark.parametrize("level", list(KRIPPENDORFF_2011))
def test_krippendorff_2011_example_c_with_missing_codes(level):
    result = reliability(_sheets(EXAMPLE_C), level=level, random_state=0, n_resamples=200)
    row = result.table.iloc[0]
    assert round(row["alpha"], 3) == KRIPPENDORFF_2011[level]
    # unit 12 has one value only: not pairable; 40 values in the 11 pairable units
    assert row["n_units"] == 11 and row["n_values"] == 40 and row["n_coders"] == 4
    assert row["alpha_ci_low"] <= row["alpha"] <= row["alpha_ci_high"]


def test_ordinal_labels_need_an_order():
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    coded = {c: [labels.get(v) for v in values] for c, values in EXAMPLE_C.items()}
    with pytest.raises(ParameterError, match="order"):
        reliability(_sheets(coded), level="ordinal")
    result = reliability(_sheets(coded), level={"x": "ordinal"},
                         order={"x": list(labels.values())}, n_resamples=0)
    assert round(result.table["alpha"].iloc[0], 3) == 0.815
    assert round(reliability(_sheets(coded), n_resamples=0).table["alpha"].iloc[0], 3) == 0.743


def test_pairwise_cohen_kappa_matches_sklearn_on_shared_units():
    result = reliability(_sheets(EXAMPLE_C), n_resamples=0)
    pairs = result.pairs.set_index(["coder_a", "coder_b"])
    assert len(pairs) == 6
    for (a, b), row in pairs.iterrows():
        both = [(x, y) for x, y in zip(EXAMPLE_C[a], EXAMPLE_C[b], strict=True)
                if x is not None and y is not None]
        expected = cohen_kappa_score([str(x) for x, _ in both], [str(y) for _, y in both])
        assert row["n_units"] == len(both)
        assert row["cohen_kappa"] == pytest.approx(expected)
    table = result.table.iloc[0]
    assert table["cohen_kappa"] == pytest.approx(pairs["cohen_kappa"].mean())
    assert table["cohen_kappa_min"] == pytest.approx(pairs["cohen_kappa"].min())


def test_weighted_kappa_for_ordinal_variables():
    result = reliability(_sheets(EXAMPLE_A | {"C": [0, 1, 1, 0, 0, 1, 0, 0, 1, 1]}),
                         level="ordinal", n_resamples=0)
    row = result.pairs.iloc[0]
    assert row["cohen_kappa"] == pytest.approx(
        cohen_kappa_score(EXAMPLE_A["A"], EXAMPLE_A["B"], weights="linear"))


def test_fleiss_kappa_matches_fleiss_1971():
    # raters are exchangeable in Fleiss' kappa: give rater r the r-th code of each subject
    coders: dict[str, list] = {f"r{r}": [] for r in range(14)}
    for counts in FLEISS_TABLE:
        codes = [category for category, k in enumerate(counts, start=1) for _ in range(k)]
        for r, code in enumerate(codes):
            coders[f"r{r}"].append(code)
    result = reliability(_sheets(coders), n_resamples=0)
    row = result.table.iloc[0]
    assert round(row["fleiss_kappa"], 3) == 0.210
    assert row["fleiss_units"] == 10 and row["n_coders"] == 14


def test_bootstrap_interval_is_seeded_and_has_the_right_width():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 150)
    coders = {c: np.where(rng.random(150) < 0.8, truth, rng.integers(0, 3, 150)).tolist()
              for c in "abc"}
    one = reliability(_sheets(coders), random_state=11, n_resamples=500)
    two = reliability(_sheets(coders), random_state=11, n_resamples=500)
    other = reliability(_sheets(coders), random_state=12, n_resamples=500)
    pd.testing.assert_frame_equal(one.table, two.table)
    assert one.table["alpha_ci_low"].iloc[0] != other.table["alpha_ci_low"].iloc[0]
    row = one.table.iloc[0]
    assert row["alpha_ci_low"] < row["alpha"] < row["alpha_ci_high"]
    assert 0.05 < row["alpha_ci_high"] - row["alpha_ci_low"] < 0.3
    assert list(one.table.columns) == list(RELIABILITY_COLUMNS)
    text = one.to_markdown()
    assert "Krippendorff" in text and "| x " in text


def test_several_variables_from_sheet_files(tmp_path):
    frames = {c: pd.DataFrame({"doc_id": list("pqrst"), "title": "t", "weight": 1.0,
                               "frame_a": values, "frame_b": ["1", "1", "0", "0", "1"],
                               "coder": "", "note": ""})
              for c, values in (("anna", ["1", "0", "1", "1", "0"]),
                                ("ben", ["1", "0", "0", "1", "0"]))}
    paths = []
    for name, table in frames.items():
        path = tmp_path / f"{name}.csv"
        table.to_csv(path, index=False)
        paths.append(path)
    result = reliability(paths, random_state=0, n_resamples=200)
    table = result.table.set_index("variable")
    assert list(table.index) == ["frame_a", "frame_b"]  # title, weight, coder, note are not
    assert table.loc["frame_b", "alpha"] == pytest.approx(1.0)
    assert table.loc["frame_a", "percent_agreement"] == pytest.approx(0.8)
    assert set(result.params["coders"]) == {"anna", "ben"}


def test_constant_codes_and_single_coder_are_reported_not_crashed():
    result = reliability(_sheets({"a": [1, 1, 1], "b": [1, 1, 1]}), n_resamples=50)
    row = result.table.iloc[0]
    assert row["percent_agreement"] == 1.0 and np.isnan(row["alpha"])
    assert any("undefined" in note for note in result.notes)
    empty = reliability(_sheets({"a": [None, None], "b": [None, None]}), n_resamples=0)
    assert empty.table[["variable", "n_units", "n_coders"]].values.tolist() == [["x", 0, 0]]
    assert np.isnan(empty.table["alpha"].iloc[0]) and "x: no codes" in empty.notes
    lonely = reliability(_sheets({"a": [1, 0, 1]}), n_resamples=0)
    assert lonely.table["n_units"].iloc[0] == 0
    assert any("only one coder" in note for note in lonely.notes)


codes = st.lists(st.sampled_from(["p", "q", "r", None]), min_size=6, max_size=25)


@settings(max_examples=30, deadline=None)
@given(first=codes, seed=st.integers(0, 2**16))
def test_invariances(first, seed):
    """Alpha, kappa and agreement do not depend on the order of units or coders, nor on the
    names of nominal categories; identical coders agree perfectly."""
    rng = np.random.default_rng(seed)
    second = [v if rng.random() < 0.7 else rng.choice(["p", "q", "r"]) for v in first]
    third = [None if rng.random() < 0.2 else v for v in second]
    coders = {"a": first, "b": second, "c": third}
    base = reliability(_sheets(coders), n_resamples=0).table.iloc[0]
    order = rng.permutation(len(first))
    permuted = {c: [values[i] for i in order] for c, values in reversed(coders.items())}
    rename = {"p": "zz", "q": "aa", "r": "mm", None: None}
    renamed = {c: [rename[v] for v in values] for c, values in coders.items()}
    for variant in (permuted, renamed):
        row = reliability(_sheets(variant), n_resamples=0).table.iloc[0]
        for col in ("alpha", "percent_agreement", "cohen_kappa", "n_units", "n_values"):
            assert row[col] == pytest.approx(base[col], nan_ok=True)
    assert 0.0 <= base["percent_agreement"] <= 1.0 or np.isnan(base["percent_agreement"])
    assert not base["alpha"] > 1.0
    same = reliability(_sheets({"a": first, "b": first}), n_resamples=0).table.iloc[0]
    if same["n_categories"] >= 2:
        assert same["alpha"] == pytest.approx(1.0)
        assert same["cohen_kappa"] == pytest.approx(1.0)
    if same["n_units"]:
        assert same["percent_agreement"] == 1.0
