"""Out-of-core topic models (framing.topics.streaming): the streamed vocabulary and counts equal
the in-memory vectorizer's, doc_topics partitions account for every document, runs are
byte-identical, chunking does not change the model, and the topics are as good as in memory."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfTransformer

from framing.errors import EmptyInputError, ParameterError
from framing.outofcore import iter_chunks, process_corpus
from framing.text import make_vectorizer
from framing.topics import TopicModel
from framing.topics.streaming import DOC_TOPICS_INFO, StreamingTopicModel, spool_counts

from ._topics_corpus import THEMES, make_documents

K = 3
PARAMS = dict(min_df=2, max_df=0.9, model_params={"batch_size": 32}, chunk_size=50,
              random_state=0)


def _varied_documents(n_docs: int = 300, seed: int = 1) -> pd.DataFrame:
    """The planted-topic corpus plus Zipf-distributed rare words, acronyms, possessives,
    hyphens, digits and an empty text, so that pruning and the tokenizer have work to do."""
    rng = np.random.default_rng(seed)
    docs = make_documents(n_docs, seed=seed)[["doc_id", "text"]].copy()
    rare = [f"term{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(400)]
    weights = 1 / np.arange(1, len(rare) + 1)
    extras = [" ".join(rng.choice(rare, size=8, p=weights / weights.sum()))
              + " The U.S. and US officials; Assad's al-Assad regime 2017 don't"
              for _ in range(n_docs)]
    docs["text"] = docs["text"] + " " + extras
    docs.loc[5, "text"] = ""
    return docs


@pytest.fixture(scope="module")
def docs():
    return _varied_documents()


@pytest.fixture(scope="module")
def fitted(docs, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit") / "doc_topics"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = StreamingTopicModel(K, **PARAMS).fit(docs, out_dir=out)
    # one warning for the corpus (its one empty text), not one per block
    assert [str(w.message) for w in caught if "no term" in str(w.message)] == [
        "1 document(s) hold no term of the vocabulary; their topic proportions are set to 1/K."]
    return model, out


def _stacked(spool):
    ids, blocks = zip(*spool.iter_blocks(), strict=True)
    return np.concatenate(ids), sp.vstack(blocks, format="csr")


# --------------------------------------------------------------------------- vocabulary
@pytest.mark.parametrize("options", [
    dict(min_df=2, max_df=0.5),
    dict(min_df=0.02, max_df=30),
    dict(min_df=1, max_df=1.0, max_features=25),  # ties in term frequency
    dict(min_df=3, max_df=0.95, ngram_range=(1, 2)),
    dict(min_df=2, max_df=0.9, binary=True, max_features=40),
])
def test_vocabulary_counts_and_idf_equal_in_memory(docs, options):
    vectorizer = make_vectorizer("count", **options)
    expected = clone(vectorizer).fit(docs["text"])
    counts = expected.transform(docs["text"])
    with spool_counts(docs, vectorizer, block_size=64, chunk_size=45) as spool:
        assert spool.vectorizer.vocabulary_ == expected.vocabulary_
        ids, streamed = _stacked(spool)
        assert streamed.shape == counts.shape and (streamed != counts).nnz == 0
        assert streamed.dtype == counts.dtype
        assert ids.tolist() == docs["doc_id"].tolist()
        np.testing.assert_array_equal(spool.tfidf_transformer().idf_,
                                      TfidfTransformer().fit(counts).idf_)
        np.testing.assert_array_equal(spool.document_frequency, (counts > 0).sum(axis=0).A1)
        np.testing.assert_array_equal(spool.term_frequency, counts.sum(axis=0).A1)
        # the fitted vectorizer transforms new texts as the in-memory one does
        new = ["US strike on Shayrat airbase", "sarin gas termaa termab"]
        assert (spool.vectorizer.transform(new) != expected.transform(new)).nnz == 0


@pytest.mark.parametrize("chunk_size", [1, 7, 300, 10_000])
def test_vocabulary_and_blocks_do_not_depend_on_chunk_size(docs, chunk_size):
    with spool_counts(docs, min_df=2, max_df=0.5, block_size=64) as ref, \
            spool_counts(docs, min_df=2, max_df=0.5, block_size=64,
                         chunk_size=chunk_size) as other:
        assert other.vectorizer.vocabulary_ == ref.vectorizer.vocabulary_
        assert other.n_blocks == ref.n_blocks == 5
        for (ids_a, a), (ids_b, b) in zip(ref.iter_blocks(), other.iter_blocks(), strict=True):
            assert ids_a.tolist() == ids_b.tolist() and (a != b).nnz == 0


def test_prefit_vectorizer_keeps_its_vocabulary(docs):
    prefit = make_vectorizer("count", min_df=1).fit(["sarin gas attack", "missile strike"])
    with spool_counts(docs, prefit) as spool:
        assert spool.vectorizer is prefit
        _, counts = _stacked(spool)
        assert (counts != prefit.transform(docs["text"])).nnz == 0


def test_sources_give_the_same_counts(docs, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, len(docs), 120)):
        docs.iloc[start:start + 120].to_parquet(folder / f"part-{i:05d}.parquet", index=False)
    (folder / "_ignored.parquet").write_bytes(b"not parquet")  # hidden/underscore files skipped
    csv = tmp_path / "news.csv"
    table = docs.assign(outlet="AP", date="2017-04-07", title="")
    table.loc[5, "text"] = "x"  # read_documents drops empty texts; keep every row
    table.to_csv(csv, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = process_corpus(csv, tmp_path / "processed", codebooks=(), clean=False)
    from_csv = pd.concat([c.data[["doc_id", "text"]] for c in iter_chunks(csv)])
    sources = {"folder": (folder, docs), "file": (folder / "part-00000.parquet", docs[:120]),
               "callable": (lambda: iter([docs[:100], docs[100:]]), docs),
               "csv": (csv, from_csv), "process_result": (result, result.read("documents")),
               "process_folder": (tmp_path / "processed", result.read("documents"))}
    for name, (source, expected_docs) in sources.items():
        expected = make_vectorizer("count", min_df=2, max_df=0.5).fit(expected_docs["text"])
        with spool_counts(source, min_df=2, max_df=0.5, chunk_size=70) as spool:
            assert spool.vectorizer.vocabulary_ == expected.vocabulary_, name
            ids, counts = _stacked(spool)
            assert ids.tolist() == expected_docs["doc_id"].tolist(), name
            assert (counts != expected.transform(expected_docs["text"])).nnz == 0, name


def test_counting_errors(docs):
    with pytest.raises(ParameterError, match="max_df"):
        spool_counts(docs, min_df=50, max_df=10)
    with pytest.raises(ParameterError, match="min_df"):
        spool_counts(docs, min_df=-1)
    with pytest.raises(ParameterError, match="no terms remain"):
        spool_counts(docs, min_df=300, max_df=1.0)
    with pytest.raises(EmptyInputError):
        spool_counts(docs.iloc[:0])
    with pytest.raises(ParameterError, match="stop words"):
        spool_counts(pd.DataFrame({"text": ["the and of", "was is"]}), min_df=1, max_df=1.0)
    with pytest.raises(ParameterError, match="cannot read documents"):
        spool_counts(42)


# --------------------------------------------------------------------------- model
def test_doc_topics_partitions_schema_and_accounting(fitted, docs):
    model, out = fitted
    info = json.loads((out / DOC_TOPICS_INFO).read_text())
    parts = sorted(out.glob("part-*.parquet"))
    assert [p.name for p in parts] == info["partitions"]
    assert len(parts) == -(-len(docs) // PARAMS["chunk_size"])
    assert info["n_documents"] == len(docs) == model.n_documents_
    table = pd.read_parquet(out)  # the folder reads as one table (the JSON file is skipped)
    assert list(table.columns) == ["doc_id", "topic", "weight"]
    assert str(table["topic"].dtype) == "int64" and str(table["weight"].dtype) == "float64"
    assert len(table) == info["rows"] == len(docs) * K
    assert table["doc_id"].drop_duplicates().tolist() == docs["doc_id"].tolist()
    assert all(t == list(range(K)) for t in table.groupby("doc_id")["topic"].apply(list))
    np.testing.assert_allclose(table.groupby("doc_id")["weight"].sum(), 1.0)
    assert (table["weight"] >= 0).all()
    wide = table["weight"].to_numpy().reshape(-1, K)
    np.testing.assert_allclose(model.prevalence_, wide.mean(axis=0))
    np.testing.assert_array_equal(model.n_dominant_, np.bincount(wide.argmax(axis=1),
                                                                 minlength=K))
    pd.testing.assert_frame_equal(model.doc_topics(), table)
    # the empty document gets 1/K, as TopicModel gives it
    np.testing.assert_allclose(wide[5], 1 / K)
    # same normalisation as TopicModel: its transform of the training texts in one batch gives
    # the same table within MiniBatchNMF's tolerance (the start of its solver depends on the
    # batch, which is why the streamed passes cut the same blocks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = model.doc_topics(docs)
    assert again["doc_id"].tolist() == table["doc_id"].tolist()
    np.testing.assert_allclose(again["weight"], table["weight"], atol=1e-2)
    # tidy outputs and diagnostics of TopicModel work on the streamed model
    labels = model.topic_labels()
    np.testing.assert_allclose(labels["prevalence"], model.prevalence_)
    diag = model.diagnostics(docs)
    assert diag["n_dominant"].sum() == len(docs)
    rep = model.representative_documents(4)
    expected = TopicModel.representative_documents.__get__(_with_theta(model, docs, wide))(4)
    pd.testing.assert_frame_equal(rep, expected)


def _with_theta(model, docs, wide):
    """A copy of ``model`` holding the training proportions as TopicModel does."""
    copy = clone(model)
    copy.__dict__.update(model.__dict__)
    copy.doc_topic_, copy.doc_ids_ = wide, docs["doc_id"].to_numpy()
    return copy


def test_recovers_planted_topics(fitted):
    model, _ = fitted
    found = [set(t) for t in model.top_terms(6)]
    for theme in THEMES.values():
        assert max(len(set(theme.split()) & f) for f in found) >= 5


def test_same_inputs_write_byte_identical_files(docs, fitted, tmp_path):
    model, out = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = StreamingTopicModel(K, **PARAMS).fit(docs, out_dir=tmp_path / "again")
        StreamingTopicModel(K, **{**PARAMS, "random_state": 1}).fit(
            docs, out_dir=tmp_path / "other")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in names:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    np.testing.assert_array_equal(again.estimator_.components_, model.estimator_.components_)
    assert (out / "part-00000.parquet").read_bytes() != (
        tmp_path / "other" / "part-00000.parquet").read_bytes()


def test_model_does_not_depend_on_chunk_size(docs, fitted):
    model, _ = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = StreamingTopicModel(K, **{**PARAMS, "chunk_size": 7}).fit(docs)
    np.testing.assert_array_equal(other.estimator_.components_, model.estimator_.components_)
    np.testing.assert_array_equal(other.prevalence_, model.prevalence_)


def test_write_doc_topics_of_new_documents(fitted, docs, tmp_path):
    model, out = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = model.write_doc_topics(docs, tmp_path / "new")
        expected = pd.read_parquet(out)
    pd.testing.assert_frame_equal(pd.read_parquet(path), expected, check_exact=True)
    # a NumPy integer K (as a grid or a config may give) is written to the summary as a number
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        StreamingTopicModel(np.int64(K), **PARAMS).fit(docs, out_dir=tmp_path / "np")
    info = json.loads((tmp_path / "np" / "_doc_topics.json").read_text(encoding="utf-8"))
    assert info["rows"] == K * len(docs)


def test_output_folder_is_replaced_atomically(docs, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="refusing"):
        StreamingTopicModel(K, **PARAMS).fit(docs, out_dir=taken)
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]

    def failing():
        yield docs[:100]
        raise RuntimeError("source broke")

    spool = tmp_path / "spool"
    spool.mkdir()
    with pytest.raises(RuntimeError, match="source broke"):
        StreamingTopicModel(K, **{**PARAMS, "spool_dir": spool}).fit(failing,
                                                                      out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(spool.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spool", "taken"]


def test_estimator_api_and_epochs(docs):
    model = StreamingTopicModel(K, **PARAMS)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(ParameterError, match="n_epochs"):
        StreamingTopicModel(K, n_epochs=0).fit(docs)
    with pytest.raises(ParameterError, match="fewer than"):
        StreamingTopicModel(50, min_df=150, max_df=1.0).fit(docs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(docs)
    # n_epochs=None: at least 3 epochs and 100 mini-batch steps (300 docs = 10 blocks of 32)
    assert model.n_iter_ == 10 and model.n_steps_ == 1 + 10 * 10
    with pytest.raises(ParameterError, match="out_dir"):
        model.doc_topics()
    assert model.transform(["sarin gas attack victims"]).shape == (1, K)


# --------------------------------------------------------------------------- real corpora
@pytest.mark.corpora
def test_real_corpus_vocabulary_and_coherence(real_home):
    """fa-kes (804 articles, read through its card): the streamed vocabulary equals the
    in-memory one on real text, and the streamed topics are about as coherent as in memory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = pd.concat([c.data[["doc_id", "text"]]
                          for c in iter_chunks("fa-kes", data_home=real_home)])
    expected = make_vectorizer("count", min_df=5, max_df=0.5).fit(docs["text"])
    model = StreamingTopicModel(10, model_params={"batch_size": 256}, random_state=0).fit(docs)
    assert model.vectorizer_.vocabulary_ == expected.vocabulary_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MiniBatchNMF's transform stops at max_iter
        memory = TopicModel(10, method="minibatch-nmf", random_state=0).fit(docs)
    streamed, in_memory = model.coherence(docs).mean(), memory.coherence(docs).mean()
    assert streamed > in_memory - 0.05, (streamed, in_memory)
