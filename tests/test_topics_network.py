"""Inductive frames from topic networks (ANTMN): network, backbone, communities, loadings,
GraphML."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from framing.errors import ParameterError
from framing.frames.topic_network import TopicNetworkFrames, disparity_filter


@pytest.fixture(scope="module")
def theta():
    """Six topics in two planted packages: documents mix topics 0-2 or topics 3-5."""
    rng = np.random.default_rng(0)
    a = rng.dirichlet([3, 3, 3, 0.05, 0.05, 0.05], 40)
    b = rng.dirichlet([0.05, 0.05, 0.05, 3, 3, 3], 40)
    return np.vstack([a, b])


def long_table(theta):
    n, k = theta.shape
    return pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(n)], k),
                         "topic": np.tile(np.arange(k), n), "weight": theta.ravel()})


def test_planted_frames(theta):
    frames = TopicNetworkFrames(random_state=0).fit(long_table(theta))
    by_frame = frames.topic_frames_.groupby("frame")["topic"].apply(set).tolist()
    assert sorted(map(sorted, by_frame)) == [[0, 1, 2], [3, 4, 5]]
    assert frames.modularity_ > 0.2
    assert list(frames.frames_.columns) == ["frame", "label", "n_topics", "prevalence", "topics"]


def test_edges_are_cosine_similarities(theta):
    frames = TopicNetworkFrames(random_state=0).fit(theta)
    w = frames.graph_[0][1]["weight"]
    expected = theta[:, 0] @ theta[:, 1] / np.linalg.norm(theta[:, 0]) / np.linalg.norm(
        theta[:, 1])
    assert w == pytest.approx(expected)
    corr = TopicNetworkFrames(similarity="correlation", random_state=0).fit(theta)
    assert not corr.graph_.has_edge(0, 3)  # negatively correlated topics are not linked


def test_seeded_and_deterministic(theta):
    a = TopicNetworkFrames(resolution=1.5, random_state=3).fit(theta)
    b = TopicNetworkFrames(resolution=1.5, random_state=3).fit(theta)
    pd.testing.assert_frame_equal(a.topic_frames_, b.topic_frames_)


def test_doc_frames_sum_topic_loadings(theta):
    table = long_table(theta)
    frames = TopicNetworkFrames(random_state=0, exclude_topics=[5]).fit(table)
    doc_frames = frames.doc_frames(table)
    assert list(doc_frames.columns) == ["doc_id", "frame", "score", "label", "method"]
    totals = doc_frames.groupby("doc_id", sort=False)["score"].sum().to_numpy()
    np.testing.assert_allclose(totals, 1 - theta[:, 5])  # topic 5 is outside the network
    assert (doc_frames.groupby("doc_id")["label"].sum() == 1).all()
    assert 5 not in frames.graph_


def test_disparity_filter_formula():
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 8.0), ("a", "c", 1.0), ("a", "d", 1.0),
                               ("b", "c", 1.0), ("c", "d", 2.0)])
    kept = disparity_filter(g, alpha=0.3)
    # node a: strength 10, degree 3: alpha(a-b) = (1 - 0.8) ** 2 = 0.04
    assert kept["a"]["b"]["alpha"] == pytest.approx(0.04)
    # c-d: from c (strength 4, degree 3) (1 - 0.5) ** 2 = 0.25; from d (3, 2) 1 - 2/3 = 1/3
    assert kept["c"]["d"]["alpha"] == pytest.approx(0.25)
    assert not kept.has_edge("a", "c") and set(kept.nodes) == set(g.nodes)
    with pytest.raises(ParameterError):
        disparity_filter(g, alpha=1.5)


def test_backbone_thins_the_network(theta):
    full = TopicNetworkFrames(random_state=0).fit(theta)
    thin = TopicNetworkFrames(backbone_alpha=0.2, random_state=0).fit(theta)
    assert thin.graph_.number_of_edges() < full.graph_.number_of_edges()


def test_graphml_and_plot(theta, tmp_path):
    frames = TopicNetworkFrames(random_state=0, labels={0: "gas"}).fit(theta)
    path = tmp_path / "net.graphml"
    frames.write_graphml(path)
    back = nx.read_graphml(path)
    assert back.nodes["0"]["label"] == "gas" and back.nodes["0"]["frame"] in {"F1", "F2"}
    assert back.number_of_edges() == frames.graph_.number_of_edges()
    assert frames.plot().get_title().startswith("Topic network")


def test_errors(theta):
    with pytest.raises(ParameterError, match="similarity"):
        TopicNetworkFrames(similarity="jaccard").fit(theta)
    with pytest.raises(ParameterError, match="not topics"):
        TopicNetworkFrames(exclude_topics=[9]).fit(theta)
    with pytest.raises(ParameterError, match="at least two"):
        TopicNetworkFrames(exclude_topics=[0, 1, 2, 3, 4]).fit(theta)
