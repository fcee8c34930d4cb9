"""Jensen-Shannon divergence between outlets' frame/topic distributions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from framing.divergence import compare_distributions, distribution_matrix, jsd
from framing.errors import ParameterError, SchemaError, SmallCellWarning
from framing.inference import adjust_pvalues

matplotlib.use("Agg")

REF = json.loads((Path(__file__).parent / "results" / "reference_values.json")
                 .read_text(encoding="utf-8"))


def close(value, reference, tol=1e-8):
    assert math.isclose(float(value), float(reference), rel_tol=tol, abs_tol=tol * 1e-4), \
        (value, reference)


def doc_topics(seed=0, n=30):
    rng = np.random.default_rng(seed)
    rows = []
    for outlet, alpha in (("CNN", [5, 1, 1]), ("Fox", [4, 2, 1]), ("RT", [1, 1, 6])):
        for i in range(n):
            for k, w in enumerate(rng.dirichlet(alpha)):
                rows.append({"doc_id": f"{outlet}{i}", "topic": f"t{k}", "weight": w,
                             "outlet": outlet})
    return pd.DataFrame(rows)


def test_jsd_against_scipy_and_by_hand():
    ref = REF["jsd"]
    close(jsd(ref["p"], ref["q"]), ref["scipy"])
    close(jsd(ref["p"], ref["q"]), ref["by_hand"])
    close(jsd([1, 0], [0, 1]), 1.0)
    close(jsd([0.2, 0.8], [0.2, 0.8]), 0.0)
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(6), size=50), rng.dirichlet(np.ones(6), size=50)
    assert np.allclose(jsd(p, q, axis=1), jensenshannon(p, q, axis=1, base=2) ** 2,
                       rtol=1e-12, atol=0)
    # equal up to rounding: SciPy's square root gives NaN there, jsd gives 0
    same = np.array([0.1, 0.2, 0.3, 0.4]) / 3 * 3
    assert jsd(same, same * (1 + 1e-16)) >= 0


def test_group_means_and_pairwise_jsd():
    data = doc_topics()
    res = compare_distributions(data, feature="topic", weight="weight", by="outlet",
                                random_state=0, n_resamples=200, n_permutations=200)
    wide = data.pivot(index="doc_id", columns="topic", values="weight")
    outlet = data.drop_duplicates("doc_id").set_index("doc_id")["outlet"]
    means = wide.groupby(outlet).mean()
    shares = res.rows("share").pivot(index="group", columns="feature", values="estimate")
    assert np.allclose(shares, means)
    div = res.rows("divergence").set_index(["group", "reference"])
    assert list(div.index) == [("Fox", "CNN"), ("RT", "CNN"), ("RT", "Fox")]
    for (g, r), row in div.iterrows():
        want = jensenshannon(means.loc[g], means.loc[r], base=2) ** 2
        close(row["estimate"], want)
        close(row["statistic"], want)
        assert row["ci_low"] <= row["ci_high"]
        assert row["n_docs"] == 60
    assert div.loc[("RT", "CNN"), "p_value"] == pytest.approx(1 / 201)
    assert np.allclose(div["p_adjusted"], adjust_pvalues(div["p_value"], "holm"))
    matrix = res.matrix()
    assert np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 0)
    close(matrix.loc["CNN", "RT"], div.loc[("RT", "CNN"), "estimate"])


def test_permutation_p_value_by_brute_force():
    """With 4 + 4 one-hot documents every split can be enumerated: the Monte Carlo p-value
    must be close to the exact permutation p-value."""
    from itertools import combinations

    docs = pd.DataFrame({"outlet": ["a"] * 4 + ["b"] * 4,
                         "frame": ["x", "x", "x", "y", "y", "y", "x", "z"]})
    res = compare_distributions(docs, feature="frame", by="outlet", min_docs=2,
                                random_state=3, n_permutations=4000, n_resamples=100)
    row = res.rows("divergence").iloc[0]
    matrix, groups, _ = distribution_matrix(docs, feature="frame", by="outlet")
    observed = jsd(matrix[:4].mean(0), matrix[4:].mean(0))
    splits = list(combinations(range(8), 4))
    null = [jsd(matrix[list(s)].mean(0), matrix[[i for i in range(8) if i not in s]].mean(0))
            for s in splits]
    exact = np.mean(np.asarray(null) >= observed - 1e-12)
    assert abs(row["p_value"] - exact) < 4 * math.sqrt(exact * (1 - exact) / 4000) + 1e-3


def test_layouts_categorical_and_doc_frames():
    docs = pd.DataFrame({"doc_id": list("abcdefgh"), "outlet": ["A"] * 4 + ["B"] * 4})
    frames = pd.DataFrame({"doc_id": list("aabcdefghh"),
                           "frame": ["x", "y", "x", "x", "y", "y", "y", "x", "x", "z"],
                           "label": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]})
    matrix, groups, cats = distribution_matrix(frames, feature="frame", weight="label",
                                               by="outlet", documents=docs)
    assert cats == ["x", "y", "z"] and matrix.shape == (8, 3)
    assert np.allclose(matrix.sum(axis=1), 1)
    assert np.allclose(matrix[0], [0.5, 0.5, 0])          # doc a has frames x and y
    res = compare_distributions(frames, feature="frame", weight="label", by="outlet",
                                documents=docs, min_docs=2, random_state=0, n_resamples=50,
                                n_permutations=0)
    assert np.isnan(res.rows("divergence")["p_value"]).all()


def test_small_groups_are_left_out_with_a_warning():
    docs = pd.DataFrame({"outlet": ["A"] * 6 + ["B"] * 6 + ["C"] * 2,
                         "frame": list("xxyyxxyyyyxyxy")})
    with pytest.warns(SmallCellWarning, match="fewer than 5"):
        res = compare_distributions(docs, feature="frame", by="outlet", random_state=0,
                                    n_resamples=50, n_permutations=50)
    assert res.params["groups"] == ["A", "B"]
    with pytest.raises(ParameterError), pytest.warns(SmallCellWarning):
        compare_distributions(docs, feature="frame", by="outlet", min_docs=7)


def test_clustermap_and_summary():
    res = compare_distributions(doc_topics(n=10), feature="topic", weight="weight",
                                by="outlet", random_state=0, n_resamples=50, n_permutations=50)
    grid = res.plot()
    labels = [t.get_text() for t in grid.ax_heatmap.get_xticklabels()]
    assert sorted(labels) == ["CNN", "Fox", "RT"]
    assert res.plot("share").get_xlabel().startswith("share")
    assert "Jensen-Shannon" in res.to_markdown()


def test_errors():
    bad = pd.DataFrame({"doc_id": ["a"], "topic": ["t"], "weight": [-1.0], "outlet": ["x"]})
    with pytest.raises(SchemaError, match="non-negative"):
        compare_distributions(bad, weight="weight")
    with pytest.raises(ParameterError):
        compare_distributions(doc_topics(), weight="weight", correction="none")
