"""SentenceModel: a scikit-learn estimator saved as JSON."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from framing.errors import ParameterError, SchemaError
from framing.frames.sentence_model import (
    SentenceModel,
    feature_counts,
    frame_features,
    resolve_sentences,
)

X = ["Assad's forces dropped sarin on the town.", "The regime gassed civilians again.",
     "Syrian jets carried out the chemical attack.", "Rebels staged the attack.",
     "It was a false flag by the militants.", "Terrorists used their own gas stock.",
     "The weather was fine.", "Markets rose on Monday."]
Y = ["gov", "gov", "gov", "opp", "opp", "opp", "none", "none"]
CUES = {"staged": ["staged", "false flag"],
        "gov_used": {"match": ["regime", "Assad", "jets"], "near": ["dropped", "gassed",
                                                                    "carried out"], "window": 4}}


def test_fit_predict_and_sklearn_contract():
    model = SentenceModel(cues=CUES, min_df=1, random_state=0)
    assert clone(model).get_params() == model.get_params()
    model.fit(X, Y)
    assert list(model.classes_) == ["gov", "none", "opp"]
    assert model.predict(["The regime dropped gas.", "It was staged."]).tolist() == ["gov",
                                                                                      "opp"]
    proba = model.predict_proba(X)
    assert proba.shape == (8, 3) and np.allclose(proba.sum(axis=1), 1)
    assert model.predict_proba([]).shape == (0, 3)
    frame = pd.DataFrame({"text": X})
    assert (model.predict(frame) == model.predict(X)).all()


def test_json_round_trip_gives_the_same_probabilities(tmp_path):
    model = SentenceModel(cues=CUES, min_df=1, random_state=0).fit(X, Y)
    model.save(tmp_path / "m.json")
    again = SentenceModel.load(tmp_path / "m.json")
    assert again.get_params() == model.get_params()
    assert np.allclose(again.predict_proba(X), model.predict_proba(X), atol=1e-5)
    (tmp_path / "bad.json").write_text('{"format": "pickle"}')
    with pytest.raises(SchemaError, match="not a SentenceModel"):
        SentenceModel.load(tmp_path / "bad.json")


def test_bad_input():
    with pytest.raises(ParameterError, match="two labels"):
        SentenceModel(min_df=1).fit(X[:2], ["a", "a"])
    with pytest.raises(ParameterError, match="one string"):
        SentenceModel(min_df=1).fit("text", ["a"])
    with pytest.raises(ParameterError, match="2 labels"):
        SentenceModel(min_df=1).fit(X, Y[:2])
    with pytest.raises(ParameterError, match="rule feature"):
        SentenceModel(cues={"x": {"near": ["a"]}}, min_df=1).fit(X, Y)


def test_features_of_a_codebook_frame():
    from framing.frames import load_codebook

    features = frame_features(load_codebook("syria-2017").frames["blame"])
    assert {"side:government", "side:opposition_or_staged", "doubt", "staged",
            "government_blamed"} <= set(features)
    rule = features["government_blamed"]
    assert "Assad" in rule["match"] and "blamed" in rule["near"]
    from framing.frames.sentence_model import _compile_feature

    rules = [_compile_feature(k, v) for k, v in features.items()]
    counts = dict(zip(features, feature_counts("Washington blamed the Assad regime.", rules),
                      strict=True))
    assert counts["government_blamed"] == 1 and counts["staged"] == 0


def test_resolve_sentences_checks_the_text():
    docs = pd.DataFrame({"doc_id": ["a"], "title": ["Title"], "text": ["One. Two."]})
    check = hashlib.sha1(b"Two.").hexdigest()[:8]
    labels = pd.DataFrame({"doc_id": ["a", "a"], "sentence": [0, 2], "check": ["", check],
                           "label": ["x", "y"]})
    assert resolve_sentences(labels, docs)["text"].tolist() == ["Title", "Two."]
    with pytest.raises(SchemaError, match="checksum differs"):
        resolve_sentences(labels.assign(check=["", "deadbeef"]), docs)
    with pytest.raises(SchemaError, match="does not exist"):
        resolve_sentences(labels.assign(sentence=[0, 9]), docs)
    with pytest.raises(SchemaError, match="not in the documents"):
        resolve_sentences(labels.assign(doc_id=["a", "b"]), docs)
