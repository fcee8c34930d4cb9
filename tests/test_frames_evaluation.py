"""evaluate_frames checked against scikit-learn's metrics and an independent bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from framing.errors import SchemaError
from framing.frames.evaluation import cross_val_predict_frames, evaluate_frames

FRAMES = ["economic", "legal", "health", "moral"]


def noisy_pair(n=200, k=4, flip=0.2, seed=0):
    rng = np.random.default_rng(seed)
    T = (rng.random((n, k)) < [0.5, 0.3, 0.15, 0.05][:k]).astype(int)
    P = np.where(rng.random((n, k)) < flip, 1 - T, T)
    return T, P


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multilabel_point_estimates_match_sklearn(seed):
    T, P = noisy_pair(seed=seed)
    res = evaluate_frames(T, P, frames=FRAMES, n_boot=0)
    p, r, f, s = precision_recall_fscore_support(T, P, zero_division=0)
    table = res.table.set_index("frame")
    np.testing.assert_allclose(table.loc[FRAMES, "precision"], p)
    np.testing.assert_allclose(table.loc[FRAMES, "recall"], r)
    np.testing.assert_allclose(table.loc[FRAMES, "f1"], f)
    np.testing.assert_array_equal(table.loc[FRAMES, "support"], s)
    np.testing.assert_array_equal(table.loc[FRAMES, "predicted"], P.sum(axis=0))
    assert res.micro_f1 == pytest.approx(f1_score(T, P, average="micro"))
    assert res.macro_f1 == pytest.approx(f1_score(T, P, average="macro", zero_division=0))
    assert res.metric("precision", "micro") == pytest.approx(
        precision_recall_fscore_support(T, P, average="micro")[0])
    assert res.accuracy == pytest.approx(accuracy_score(T, P))  # subset accuracy
    assert table["precision_low"].isna().all()  # no resamples, no intervals


def test_single_label_matches_sklearn_and_confusion_is_the_confusion_matrix():
    rng = np.random.default_rng(4)
    labels = np.array(["a", "b", "c"])
    y = labels[rng.integers(0, 3, 150)]
    pred = np.where(rng.random(150) < 0.7, y, labels[rng.integers(0, 3, 150)])
    res = evaluate_frames(y, pred, n_boot=0)
    assert res.accuracy == pytest.approx(accuracy_score(y, pred))
    assert res.metric("f1", "accuracy") == pytest.approx(accuracy_score(y, pred))
    assert res.macro_f1 == pytest.approx(f1_score(y, pred, average="macro"))
    assert res.micro_f1 == pytest.approx(accuracy_score(y, pred))  # single-label identity
    np.testing.assert_array_equal(res.confusion[list(labels)].to_numpy(),
                                  confusion_matrix(y, pred, labels=labels))
    assert (res.confusion["(none)"] == 0).all()


def test_multilabel_confusion_is_true_by_predicted_cooccurrence():
    y_true = [["economic"], ["economic", "legal"], ["legal"], ["health"], []]
    y_pred = [["economic"], ["legal"], ["legal", "economic"], [], ["health"]]
    res = evaluate_frames(y_true, y_pred, frames=["economic", "legal", "health"], n_boot=0)
    c = res.confusion
    assert c.loc["economic", "economic"] == 1  # true positives on the diagonal
    assert c.loc["economic", "legal"] == 1  # document 2: true economic, predicted legal
    assert c.loc["legal", "economic"] == 1 and c.loc["legal", "legal"] == 2
    assert c.loc["health", "(none)"] == 1  # document 4 got no frame
    assert c["n_true"].tolist() == [2, 2, 1]
    assert res.true_cooccurrence.loc["economic", "legal"] == 1


def test_bootstrap_intervals_are_seeded_and_agree_with_a_plain_bootstrap():
    T, P = noisy_pair(n=300, seed=5)
    a = evaluate_frames(T, P, frames=FRAMES, n_boot=2000, random_state=1)
    b = evaluate_frames(T, P, frames=FRAMES, n_boot=2000, random_state=1)
    c = evaluate_frames(T, P, frames=FRAMES, n_boot=2000, random_state=2)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table.equals(c.table)
    # an independent bootstrap: resample rows with indices, score with sklearn
    rng = np.random.default_rng(99)
    micro = []
    for _ in range(2000):
        idx = rng.integers(0, len(T), len(T))
        micro.append(f1_score(T[idx], P[idx], average="micro"))
    lo, hi = np.quantile(micro, [0.025, 0.975])
    assert a.metric("f1_low", "micro") == pytest.approx(lo, abs=0.012)
    assert a.metric("f1_high", "micro") == pytest.approx(hi, abs=0.012)
    t = a.table
    assert ((t["f1_low"] <= t["f1"] + 1e-12) & (t["f1"] <= t["f1_high"] + 1e-12)).all()
    wider = evaluate_frames(T, P, frames=FRAMES, n_boot=2000, random_state=1, confidence=0.99)
    assert wider.metric("f1_low", "micro") < a.metric("f1_low", "micro")


def test_by_group_matches_subsets():
    T, P = noisy_pair(n=120, seed=6)
    groups = np.array(["fox", "nyt", "hpo"] * 40)
    res = evaluate_frames(T, P, frames=FRAMES, groups=groups, group_name="outlet", n_boot=0)
    table = res.by_group.set_index("outlet")
    for g in ("fox", "nyt", "hpo"):
        m = groups == g
        assert table.loc[g, "n_docs"] == m.sum()
        assert table.loc[g, "accuracy"] == pytest.approx(accuracy_score(T[m], P[m]))
        assert table.loc[g, "label_accuracy"] == pytest.approx((T[m] == P[m]).mean())
        assert table.loc[g, "micro_f1"] == pytest.approx(f1_score(T[m], P[m], average="micro"))
    text = res.to_markdown()
    assert "By outlet" in text and "economic" in text and "Confusion" in text
    assert "95% percentile bootstrap" in res.summary().as_text() or res.params["n_boot"] == 0


def test_input_errors():
    with pytest.raises(SchemaError, match="shape"):
        evaluate_frames(np.zeros((3, 2), int), np.zeros((4, 2), int), n_boot=0)
    with pytest.raises(SchemaError, match="not one of"):
        evaluate_frames([["a"]], [["b"]], frames=["a"], n_boot=0)
    with pytest.raises(SchemaError, match="groups"):
        evaluate_frames([["a"]], [["a"]], groups=["x", "y"], n_boot=0)


def test_cross_val_predict_frames_scores_each_document_once():
    from framing.frames.classifier import FrameClassifier

    words = {"economic": "taxes wages budget", "legal": "court judges appeal",
             "health": "hospital vaccine nurses"}
    rng = np.random.default_rng(0)
    texts, rows = [], []
    for i in range(60):
        frames = [f for f in words if rng.random() < 0.45] or ["economic"]
        texts.append(" ".join(words[f] for f in frames) + f" report number {i}")
        rows.append([int(f in frames) for f in words])
    y = pd.DataFrame(rows, columns=list(words))
    model = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0)
    pred, proba, fold = cross_val_predict_frames(model, texts, y, n_splits=3, random_state=0)
    assert pred.shape == y.shape and proba.shape == y.shape
    assert sorted(set(fold)) == [0, 1, 2]
    res = evaluate_frames(y.to_numpy(), pred, frames=list(words), n_boot=0)
    assert res.micro_f1 > 0.9
