"""Validation against human codes, checked against scikit-learn's metrics."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from framing.errors import SchemaError
from framing.frames import validate_codes

PRED = pd.DataFrame({
    "doc_id": list("abcdef") * 3,
    "frame": ["iraq_2003_analogy"] * 6 + ["iraq_voice"] * 6 + ["blame"] * 6,
    "label": ["present", "present", "absent", "absent", "present", "absent",
              "russian_official", "other", "none", "none", "us_politician", "none",
              "government", "contested", "none", "government", "government", "none"],
    "score": 0.5, "evidence": "[1] a sentence"})
GOLD = pd.DataFrame({"doc_id": list("abcdef"), "iraq_analogy": [1, 0, 0, 1, 1, 0],
                     "iraq_voice": ["russian_official", "none", "none", "other",
                                    "us_politician", "none"],
                     "blame": ["government", "government", "none", "contested", "government",
                               ""],
                     "note": ["n1", "n2", "n3", "n4", "n5", "n6"]})


def test_metrics_match_scikit_learn():
    res = validate_codes(PRED, GOLD, codebook="syria-2017")
    summary = res.summary().set_index("variable")
    y = (GOLD["iraq_analogy"] == 1).tolist()
    p = PRED[PRED.frame == "iraq_2003_analogy"]["label"].eq("present").tolist()
    row = summary.loc["iraq_2003_analogy"]
    assert row["precision"] == pytest.approx(precision_score(y, p), abs=1e-3)
    assert row["recall"] == pytest.approx(recall_score(y, p), abs=1e-3)
    assert row["f1"] == pytest.approx(f1_score(y, p), abs=1e-3)
    blame = res.pairs[res.pairs.variable == "blame"]
    assert len(blame) == 5  # the empty human code is skipped
    assert row.name in summary.index
    assert summary.loc["blame", "accuracy"] == pytest.approx(
        accuracy_score(blame.gold, blame.predicted), abs=1e-3)
    used = sorted(set(blame.gold))
    assert summary.loc["blame", "macro_f1"] == pytest.approx(
        f1_score(blame.gold, blame.predicted, labels=used, average="macro", zero_division=0),
        abs=1e-3)


def test_dependent_variables_confusion_and_disagreements():
    res = validate_codes(PRED, GOLD, codebook="syria-2017")
    conditional = res.pairs[res.pairs.variable == "iraq_voice | iraq_2003_analogy=present"]
    assert sorted(conditional.doc_id) == ["a", "d", "e"]
    table = res.confusion("blame")
    assert table.loc["total", "total"] == 5
    assert table.loc["government", "contested"] == 1
    dis = res.disagreements
    assert {"doc_id", "variable", "gold", "predicted", "evidence", "note"} <= set(dis.columns)
    assert ("b", "iraq_2003_analogy") in set(zip(dis.doc_id, dis.variable, strict=True))
    with pytest.raises(SchemaError, match="no variable"):
        res.confusion("nothing")


def test_file_input_missing_predictions_and_no_shared_columns(write, caplog):
    path = write("gold.csv", GOLD.assign(doc_id=list("abcdeg")).to_csv(index=False))
    res = validate_codes(PRED, path, codebook="syria-2017")
    assert res.params["missing_predictions"] == ["g"]
    with pytest.raises(SchemaError, match="names a frame"):
        validate_codes(PRED, GOLD[["doc_id", "note"]], codebook="syria-2017")
