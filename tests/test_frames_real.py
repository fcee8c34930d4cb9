"""Codebook frames on the real corpora: hand labels, the shipped model, the hand-coded gold set,
and the CLI. Needs FRAMING_DATA (marked ``corpora``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framing import load_corpus
from framing.cli import main
from framing.frames import code_documents, load_codebook, validate_codes
from framing.frames.sentence_model import SentenceModel

pytestmark = pytest.mark.corpora

TESTS = Path(__file__).resolve().parent
GOLD = TESTS / "gold" / "syria2017_hand_codes.csv"
CODER2 = TESTS / "gold" / "syria2017_hand_codes_coder2.csv"
CONSENSUS = TESTS / "gold" / "syria2017_hand_codes_consensus.csv"
FLAGSHIP_VARIABLES = ["on_event", "iraq_analogy", "iraq_voice", "iraq_stance", "blame"]


def _build_module():
    spec = importlib.util.spec_from_file_location("build_models",
                                                  TESTS / "labels" / "build_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def documents(real_home):
    return load_corpus(["allsides-abp", "fa-kes", "dai-newsarticles-2017"],
                       data_home=real_home).documents


@pytest.fixture(scope="module")
def flagship(documents):
    gold = pd.read_csv(GOLD)
    return documents[documents["doc_id"].isin(gold["doc_id"])]


def test_hand_labels_resolve_against_the_data_home(documents):
    build = _build_module()
    sentences = build.labelled_sentences(documents, "syria2017_blame_sentences.csv")
    assert len(sentences) >= 1000 and sentences["text"].str.len().gt(0).all()
    assert set(sentences["label"]) == {"government", "opposition_or_staged", "doubt", "none"}
    flagship_ids = set(pd.read_csv(GOLD)["doc_id"])
    articles = pd.read_csv(TESTS / "labels" / "syria2017_blame_articles.csv")
    labelled = set(sentences["doc_id"]) | set(articles["doc_id"])
    assert not labelled & flagship_ids  # trained and tuned outside the evaluation set
    published = pd.to_datetime(documents.set_index("doc_id").loc[sorted(labelled), "published"],
                               utc=True)
    assert not published.between("2017-04-04", "2017-04-21", inclusive="left").any()
    assert set(articles["round"]) == set(sentences["round"]) == {1, 2}


def test_second_round_overlap_refers_to_first_round_labels():
    labels = TESTS / "labels"
    first = pd.read_csv(labels / "syria2017_blame_sentences.csv", dtype={"check": str})
    first = first[first["round"] == 1].set_index(["doc_id", "sentence"])
    overlap = pd.read_csv(labels / "syria2017_blame_overlap_sentences.csv", dtype={"check": str})
    assert overlap.set_index(["doc_id", "sentence"]).index.isin(first.index).all()
    assert (overlap["check"].to_numpy() == first.loc[
        list(zip(overlap["doc_id"], overlap["sentence"], strict=True)), "check"].to_numpy()).all()
    articles = pd.read_csv(labels / "syria2017_blame_articles.csv")
    hidden = pd.read_csv(labels / "syria2017_blame_overlap_articles.csv")
    assert set(hidden["doc_id"]) <= set(articles.loc[articles["round"] == 1, "doc_id"])
    assert set(hidden["doc_id"]) == set(overlap["doc_id"])


def test_shipped_blame_model_is_rebuilt_from_the_labels(documents, tmp_path):
    build = _build_module()
    written = build.build(documents, out_dir=tmp_path)
    fresh = json.loads(written[0].read_text(encoding="utf-8"))
    shipped_path = Path(load_codebook("syria-2017").frames["blame"].options["model"])
    shipped = json.loads(shipped_path.read_text(encoding="utf-8"))
    assert fresh["terms"] == shipped["terms"] and fresh["classes"] == shipped["classes"]
    assert np.allclose(fresh["coef"], shipped["coef"], atol=1e-4)
    assert isinstance(SentenceModel.load(shipped_path), SentenceModel)


def test_gold_set_covers_the_flagship_window(flagship):
    gold = pd.read_csv(GOLD)
    assert len(gold) >= 80 and gold["doc_id"].is_unique
    assert len(flagship) == len(gold)
    assert flagship["published"].between("2017-04-04", "2017-04-20").all()
    assert {"allsides-abp", "fa-kes"} <= set(flagship["corpus"])
    book = load_codebook("syria-2017")
    for column in ("iraq_analogy", "iraq_voice", "iraq_stance", "blame"):
        frame = book.frame_for(column)
        assert {frame.normalise_label(v) for v in gold[column]} <= set(frame.labels)
    no_analogy = gold["iraq_analogy"] == 0
    assert (gold.loc[no_analogy, ["iraq_voice", "iraq_stance"]] == "none").all().all()


def test_consensus_keeps_every_agreed_code_and_explains_the_rest():
    one, two, consensus = (pd.read_csv(p, dtype=str).set_index("doc_id")
                           for p in (GOLD, CODER2, CONSENSUS))
    assert consensus.index.equals(one.index) and set(two.index) == set(one.index)
    two = two.reindex(one.index)
    agreed = (one[FLAGSHIP_VARIABLES] == two[FLAGSHIP_VARIABLES]).all(axis=1)
    kept = consensus[FLAGSHIP_VARIABLES] == one[FLAGSHIP_VARIABLES]
    assert kept[agreed].all().all()
    assert (consensus.loc[agreed, "coder"] == "both").all()
    decided = consensus[~agreed]
    assert (decided["coder"] == "adjudicated").all() and decided["note"].str.len().gt(20).all()


def test_agreement_with_the_hand_codes_does_not_regress(flagship):
    result = code_documents(flagship, codebook="syria-2017")
    summary = validate_codes(result, CONSENSUS).summary().set_index("variable")
    # Measured against the adjudicated codes (tests/gold/README.md): analogy F1 0.909, blame
    # accuracy 0.831, on_event F1 0.825.
    assert summary.loc["iraq_2003_analogy", "f1"] >= 0.88
    assert summary.loc["blame", "accuracy"] >= 0.80
    assert summary.loc["on_event", "f1"] >= 0.78


def test_cli_frames_end_to_end(flagship, tmp_path, capsys):
    sample = flagship.sort_values("doc_id").head(12)
    path = tmp_path / "docs.csv"
    sample[["doc_id", "outlet", "published", "title", "text"]].to_csv(path, index=False)
    out, evidence = tmp_path / "frames.csv", tmp_path / "evidence.csv"
    assert main(["-q", "frames", str(path), "--codebook", "syria-2017", "-o", str(out),
                 "--evidence", str(evidence), "--gold", str(GOLD)]) == 0
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["doc_id", "frame", "label", "score", "evidence", "voice",
                                   "method"]
    assert len(table) == 5 * len(sample)  # on_event, the analogy, its voice and stance, blame
    assert "agreement with" in capsys.readouterr().out
    for codebook, frames in (("generic", 5), ("policy", 15)):
        assert main(["-q", "frames", str(path), "--codebook", codebook, "-o", str(out)]) == 0
        assert len(pd.read_csv(out)) == frames * len(sample)
