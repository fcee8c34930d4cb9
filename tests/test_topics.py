"""TopicModel, select_k and the ``framing topics`` command."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from framing.cli import main
from framing.errors import DataQualityWarning, ParameterError, SchemaError
from framing.text import make_vectorizer
from framing.topics import METHODS, SelectKResult, TopicModel, npmi_coherence, select_k

from ._topics_corpus import THEMES, make_documents


@pytest.fixture(scope="module")
def docs():
    return make_documents()


def small(method="nmf", k=3, **params):
    return TopicModel(k, method=method, min_df=2, max_df=0.9, random_state=0, **params)


@pytest.mark.parametrize("method", METHODS)
def test_tidy_outputs_and_proportions(docs, method):
    model = small(method).fit(docs)
    dt = model.doc_topics()
    assert list(dt.columns) == ["doc_id", "topic", "weight"]
    assert len(dt) == len(docs) * 3 and set(dt["doc_id"]) == set(docs["doc_id"])
    np.testing.assert_allclose(dt.groupby("doc_id")["weight"].sum(), 1.0)
    tt = model.topic_terms(5)
    assert list(tt.columns) == ["topic", "rank", "term", "weight"]
    assert tt.groupby("topic")["rank"].apply(list).tolist() == [[1, 2, 3, 4, 5]] * 3
    np.testing.assert_allclose(model.topic_word_.sum(axis=1), 1.0)
    # transform re-solves the document weights (MiniBatchNMF: within its tolerance)
    np.testing.assert_allclose(model.transform(docs["text"]), model.doc_topic_, atol=1e-2)


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_recovers_planted_topics(docs, method):
    model = small(method).fit(docs)
    found = [set(t) for t in model.top_terms(6)]
    for theme in THEMES.values():
        assert max(len(set(theme.split()) & f) for f in found) >= 5


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_identical_tables(docs, method):
    a, b = small(method).fit(docs), small(method).fit(docs)
    pd.testing.assert_frame_equal(a.doc_topics(), b.doc_topics())
    pd.testing.assert_frame_equal(a.topic_terms(), b.topic_terms())


def test_lda_seed_changes_the_start(docs):
    a = small("lda", max_iter=2).fit(docs)
    b = TopicModel(3, method="lda", min_df=2, max_df=0.9, max_iter=2, random_state=1).fit(docs)
    assert not np.allclose(a.topic_word_, b.topic_word_)


def test_document_term_matrix_with_prefit_vectorizer(docs):
    vec = make_vectorizer("count", min_df=2, max_df=0.9).fit(docs["text"])
    from_texts = small(vectorizer=vec).fit(docs)
    from_counts = small(vectorizer=vec).fit(vec.transform(docs["text"]),
                                            doc_ids=docs["doc_id"])
    pd.testing.assert_frame_equal(from_texts.doc_topics(), from_counts.doc_topics())
    with pytest.raises(ParameterError, match="fitted vectorizer"):
        small().fit(vec.transform(docs["text"]))


def test_labels_and_representative_documents(docs):
    model = small().fit(docs)
    labels = model.topic_labels(n_terms=5)
    assert list(labels.columns) == ["topic", "label", "prevalence", "prob", "frex", "lift"]
    assert labels["prevalence"].sum() == pytest.approx(1.0)
    reps = model.representative_documents(3)
    assert list(reps.columns) == ["topic", "rank", "doc_id", "weight"]
    table = model.doc_topics()
    for topic, rows in reps.groupby("topic"):
        best = table.loc[table["topic"] == topic, "weight"].nlargest(3)
        np.testing.assert_allclose(rows["weight"], best.to_numpy())
    lift = model.topic_terms(3, by="lift")
    assert lift["weight"].min() > 1  # a topic's best terms are over-represented in it


def test_diagnostics_and_score(docs):
    model = small().fit(docs)
    diag = model.diagnostics(docs, n_terms=5)
    assert list(diag.columns) == ["topic", "label", "prevalence", "npmi", "exclusivity",
                                  "n_dominant"]
    assert diag["n_dominant"].sum() == len(docs)
    np.testing.assert_allclose(diag["npmi"], npmi_coherence(model.top_terms(5), [
        model.vectorizer_.build_analyzer()(t) for t in docs["text"]]))
    assert model.score(docs) == pytest.approx(model.coherence(docs).mean())
    windowed = model.coherence(docs, window=5, n_terms=5)
    assert windowed.shape == (3,) and np.all(windowed <= 1)


def test_sklearn_compatibility(docs):
    model = small()
    assert clone(model).get_params() == model.get_params()
    search = GridSearchCV(small(), {"n_components": [2, 3]}, cv=2).fit(docs["text"])
    assert search.best_params_["n_components"] in (2, 3)
    assert list(small().fit(docs).get_feature_names_out()) == ["topic0", "topic1", "topic2"]


def test_empty_document_warns(docs):
    extra = pd.concat([docs, pd.DataFrame({"doc_id": ["empty"], "text": ["zzz qqq"]})])
    with pytest.warns(DataQualityWarning, match="no term"):
        model = small().fit(extra)
    np.testing.assert_allclose(model.doc_topic_[-1], 1 / 3)


@pytest.mark.parametrize("params, message", [
    ({"method": "lsa"}, "method"), ({"k": 1}, "n_components"),
    ({"weighting": "bm25"}, "weighting"), ({"method": "lda", "weighting": "tfidf"}, "LDA"),
    ({"vectorizer": make_vectorizer("tfidf")}, "CountVectorizer")])
def test_parameter_errors(docs, params, message):
    with pytest.raises(ParameterError, match=message):
        small(**params).fit(docs)


def test_input_errors(docs):
    with pytest.raises(SchemaError, match="text"):
        small().fit(docs.drop(columns="text"))
    with pytest.raises(ParameterError, match="single string"):
        small().fit("one text")


# ----------------------------------------------------------------------------- select_k
@pytest.fixture(scope="module")
def selection(docs):
    return select_k(docs, ks=[2, 3, 4], seeds=[0, 1], min_df=2, max_df=0.9)


def _without_time(result):
    table = result.table
    return table[table["metric"] != "fit_seconds"].reset_index(drop=True)


def test_select_k_runs_in_parallel_and_on_dask_with_the_same_numbers(docs, selection):
    """Runs spread by joblib (processes, then a two-worker Dask cluster through joblib's Dask
    backend) give exactly the table and topics of the one-at-a-time loop."""
    import joblib

    params = dict(ks=[2, 3, 4], seeds=[0, 1], min_df=2, max_df=0.9)
    pd.testing.assert_frame_equal(_without_time(select_k(docs, n_jobs=2, **params)),
                                  _without_time(selection))
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, joblib.parallel_config(backend="dask"), \
            distributed.get_task_stream(client) as stream:
        on_dask = select_k(docs, n_jobs=-1, **params)
    assert len(stream.data) >= 6  # the six runs went to the cluster's workers
    pd.testing.assert_frame_equal(_without_time(on_dask), _without_time(selection))
    pd.testing.assert_frame_equal(on_dask.topics, selection.topics)


def test_select_k_table(selection):
    assert isinstance(selection, SelectKResult)
    table = selection.table
    assert list(table.columns) == ["method", "k", "seed", "metric", "value"]
    assert len(table) == 3 * 2 * 5
    assert set(table["metric"]) == {"npmi", "exclusivity", "stability",
                                    "heldout_reconstruction_error", "fit_seconds"}
    best = selection.means().query("metric == 'npmi'").set_index("k")["mean"]
    assert best.idxmax() == 3  # the planted number of topics
    assert len(selection.topics) == 2 * (2 + 3 + 4)
    assert "npmi" in selection.summary().to_markdown()


def test_select_k_deterministic(docs, selection):
    again = select_k(docs, ks=[2, 3, 4], seeds=[0, 1], min_df=2, max_df=0.9)
    keep = selection.table["metric"] != "fit_seconds"
    pd.testing.assert_frame_equal(selection.table[keep], again.table[keep])


def test_select_k_lda_and_plot(docs):
    res = select_k(docs["text"], ks=[3], seeds=[0, 1], method="lda", min_df=2, max_df=0.9,
                   model_params={"max_iter": 5})
    assert "heldout_perplexity" in set(res.table["metric"])
    grid = res.plot()
    assert len(grid.axes.flat) == 5


def test_select_k_errors(docs):
    with pytest.raises(ParameterError, match="seeds"):
        select_k(docs, ks=[2], seeds=[0])
    with pytest.raises(ParameterError, match="heldout"):
        select_k(docs, ks=[2], heldout=1.5)


# ----------------------------------------------------------------------------- CLI
def test_cli_topics(docs, tmp_path, capsys):
    path = tmp_path / "docs.csv"
    docs[["doc_id", "outlet", "published", "title", "text"]].to_csv(path, index=False)
    out = tmp_path / "out"
    args = ["topics", str(path), "-k", "3", "-o", str(out), "--min-df", "2", "--max-df", "0.9",
            "--frames", "--select-k", "2,3", "--seeds", "2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(args) == 0
    assert "mean NPMI" in capsys.readouterr().out
    for name in ("doc_topics.csv", "topic_terms.csv", "diagnostics.csv", "frames.csv",
                 "doc_frames.csv", "topic_network.graphml", "select_k.csv",
                 "representative_documents.csv", "figures/topic_terms.png",
                 "figures/topic_quality.png", "figures/topic_network.png",
                 "figures/select_k.png"):
        assert (out / name).is_file(), name
    assert list(pd.read_csv(out / "doc_topics.csv").columns) == ["doc_id", "topic", "weight"]
    assert len(pd.read_csv(out / "diagnostics.csv")) == 3


# ----------------------------------------------------------------------------- real corpora
@pytest.fixture(scope="module")
def news(all_news):
    return all_news.documents


@pytest.mark.corpora
@pytest.mark.slow
def test_default_model_on_all_news(news):
    vec = make_vectorizer("count", min_df=5, max_df=0.5)
    counts = vec.fit_transform(news["text"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        a = TopicModel(20, vectorizer=vec, random_state=0).fit(counts, doc_ids=news["doc_id"])
        b = TopicModel(20, vectorizer=vec, random_state=0).fit(counts, doc_ids=news["doc_id"])
    pd.testing.assert_frame_equal(a.doc_topics(), b.doc_topics())
    npmi = npmi_coherence(a.top_terms(10), counts, vocabulary=a.vocabulary_)
    # NMF on tf-idf: the benchmark measures about 0.33; gensim and tomotopy LDA reach 0.15-0.24.
    assert npmi.mean() > 0.28
    labels = " ".join(a.topic_labels()["frex"])
    assert "sarin" in labels and "chemical" in labels
    assert sp.issparse(counts) and a.doc_topic_.shape == (len(news), 20)
