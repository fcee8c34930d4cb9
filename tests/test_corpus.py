"""Corpus: preparation pipeline, immutability, accounting, and the real corpora's counts."""

from __future__ import annotations

import pandas as pd
import pytest

import framing
from framing.corpus import Corpus, load_corpus
from framing.errors import FramingError, SchemaError

from .conftest import GOOD_CSV, REAL_CORPORA


def test_from_file_runs_every_step(good_csv):
    corpus = Corpus.from_file(good_csv)
    docs = corpus.documents
    assert len(corpus) == 3 and corpus.n_read == 3
    for col in ("outlet_raw", "outlet_type", "is_opinion", "dateline", "duplicate_kind",
                "corpus", "source_file"):
        assert col in docs
    corpus.check_accounting()


def test_documents_are_copies(good_csv):
    corpus = Corpus.from_file(good_csv)
    docs = corpus.documents
    docs.loc[0, "text"] = "changed"
    assert corpus.documents.loc[0, "text"] != "changed"


def test_filter_logs_what_it_drops(good_csv):
    corpus = Corpus.from_file(good_csv)
    kept = corpus.filter(lambda d: d["published"] >= "2017-04-05", reason="before_window",
                         detail="published before 2017-04-05")
    assert len(kept) == 2 and len(corpus) == 3
    log = kept.exclusions
    assert log["reason"].tolist() == ["before_window"] and log["doc_id"].tolist() == ["a1"]
    kept.check_accounting()


def test_cleaning_changes_are_kept(write):
    path = write("c.csv", GOOD_CSV + "a4,BBC,2017-04-08,T,\"Body text.\n\nAdvertisement\",\n")
    corpus = Corpus.from_file(path)
    changes = corpus.cleaning_changes
    assert changes.loc[changes["doc_id"] == "a4", "rule"].tolist() == ["advertisement"]
    cleaning = corpus.summary()["cleaning"]
    assert cleaning.set_index("rule").loc["advertisement", "documents"] == 1


def test_boilerplate_only_text_is_dropped_and_logged(write):
    path = write("b.csv", GOOD_CSV + "a4,BBC,2017-04-08,T,Advertisement,\n")
    corpus = Corpus.from_file(path)
    assert "a4" not in set(corpus.documents["doc_id"])
    row = corpus.exclusions.set_index("doc_id").loc["a4"]
    assert row["reason"] == "empty_after_cleaning" and row["action"] == "dropped"
    corpus.check_accounting()


def test_concat_refuses_colliding_ids(good_csv):
    corpus = Corpus.from_file(good_csv)
    with pytest.raises(SchemaError, match="occurs in two corpora"):
        Corpus.concat([corpus, corpus])


def test_accounting_detects_a_lost_row(good_csv):
    corpus = Corpus.from_file(good_csv)
    broken = Corpus(name="x", _documents=corpus.documents.iloc[:2],
                    _exclusions=corpus.exclusions, n_read=3)
    with pytest.raises(FramingError, match="went missing"):
        broken.check_accounting()


def test_summary_tables(good_csv):
    tables = Corpus.from_file(good_csv).summary()
    assert tables["by_outlet_month"]["articles"].sum() == 3
    acc = dict(zip(tables["accounting"]["measure"], tables["accounting"]["value"], strict=True))
    assert acc["rows_read"] == 3 and acc["documents"] == 3


@pytest.mark.corpora
@pytest.mark.parametrize("name", REAL_CORPORA)
def test_real_corpus_counts_match_card(name, real_home):
    card = framing.load_card(name)
    corpus = load_corpus(name, data_home=real_home)
    corpus.check_accounting()
    assert corpus.n_read == card.files[0].rows  # = the count in PROVENANCE.md
    expected = card.expected
    assert len(corpus) == expected["documents"]
    log = corpus.exclusions
    dropped = log[log["action"] == "dropped"].groupby("reason").size().to_dict()
    assert dropped == expected.get("dropped", {})
    assert corpus.documents["doc_id"].str.startswith(f"{name}:").all()


@pytest.mark.corpora
def test_all_corpora_together(all_news):
    corpus = all_news
    corpus.check_accounting()
    assert corpus.n_read == sum(framing.load_card(n).files[0].rows for n in REAL_CORPORA)
    docs = corpus.documents
    assert docs["doc_id"].is_unique
    assert pd.api.types.is_datetime64_any_dtype(docs["published"])
    assert docs["published"].notna().all()
