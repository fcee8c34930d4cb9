"""Inductive frames from topic networks: the ANTMN approach (Walter & Ophir 2019).

Topics that tend to appear in the same documents form *frame packages*. ANTMN builds a network
whose nodes are topics and whose edges are the cosine similarities of the topics' columns in
the document-topic matrix (how similarly they are spread over documents), optionally keeps only
its backbone (the disparity filter of Serrano, Boguñá & Vespignani 2009), and finds communities
of topics with the Louvain method (networkx, seeded). Each community is a frame; a document's
loading on a frame is the sum of its proportions of the frame's topics.

Walter, D. & Ophir, Y. (2019). News frame analysis: an inductive mixed-method computational
approach. *Communication Methods and Measures* 13(4), 248-266.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..errors import ParameterError
from ..topics.model import topic_matrix

__all__ = ["TopicNetworkFrames", "disparity_filter", "SIMILARITIES"]

logger = logging.getLogger(__name__)

#: Edge weights of the topic network.
SIMILARITIES = ("cosine", "correlation")


def disparity_filter(graph: nx.Graph, *, alpha: float = 0.05,
                     weight: str = "weight") -> nx.Graph:
    """The backbone of a weighted undirected graph (Serrano, Boguñá & Vespignani 2009).

    For a node ``i`` with ``k`` edges and strength ``s`` (sum of weights), an edge of weight
    ``w`` is significant at level ``alpha`` when, under the null hypothesis that the node's
    strength is split uniformly at random over its ``k`` edges, a share at least ``w / s`` is
    improbable: ``(1 - w / s) ** (k - 1) < alpha``. An edge is kept when it is significant for
    either of its nodes; its ``alpha`` attribute holds the smaller of the two values. Every node
    is kept, possibly isolated.

    Parameters
    ----------
    graph : networkx.Graph
    alpha : float
        Significance level (smaller keeps fewer edges).
    weight : str
        Edge attribute of the weights (positive).

    Returns
    -------
    networkx.Graph
        A new graph with the nodes of ``graph`` and the significant edges.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("a", "b", 10), ("a", "c", 1), ("a", "d", 1),
    ...                            ("b", "c", 1), ("c", "d", 1)])
    >>> sorted(disparity_filter(g, alpha=0.2).edges())
    [('a', 'b')]
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha}: use a number between 0 and 1.")
    strength = dict(graph.degree(weight=weight))
    degree = dict(graph.degree())

    def significance(node, w):
        k = degree[node]
        if k < 2:
            return 1.0  # one edge carries all of the node's strength: no evidence either way
        return (1.0 - w / strength[node]) ** (k - 1)

    backbone = nx.Graph()
    backbone.add_nodes_from(graph.nodes(data=True))
    for u, v, data in graph.edges(data=True):
        w = data[weight]
        if w <= 0:
            raise ParameterError(f"edge {u}-{v} has weight {w}; the disparity filter needs "
                                 "positive weights.")
        a = min(significance(u, w), significance(v, w))
        if a < alpha:
            backbone.add_edge(u, v, **data, alpha=a)
    return backbone


def _similarity(theta: np.ndarray, kind: str) -> np.ndarray:
    if kind == "cosine":
        norms = np.linalg.norm(theta, axis=0)
        sim = (theta.T @ theta) / np.outer(norms, norms)
    else:
        sim = np.corrcoef(theta, rowvar=False)
    np.fill_diagonal(sim, 0.0)
    return np.nan_to_num(sim)


class TopicNetworkFrames(BaseEstimator):
    """Frames as communities of a topic network (ANTMN; see the module documentation).

    Parameters
    ----------
    similarity : {"cosine", "correlation"}
        Edge weight between two topics: the cosine similarity of their document-proportion
        columns (ANTMN) or their Pearson correlation; edges with weight <= 0 are left out.
    backbone_alpha : float, optional
        Keep only the edges that the disparity filter finds significant at this level.
    resolution : float
        Louvain resolution (above 1: more, smaller frames).
    exclude_topics : iterable, optional
        Topics left out of the network ("boilerplate" topics, as in ANTMN).
    labels : mapping, optional
        Topic -> label, stored on the nodes and used to label frames.
    random_state : int or None
        Seed of the Louvain method and of the figure's layout.

    Attributes
    ----------
    graph_ : networkx.Graph
        Topic network (after the backbone): node attributes ``label``, ``prevalence`` and
        ``frame``; edge attribute ``weight``.
    topic_frames_ : pandas.DataFrame
        ``topic, label, prevalence, frame``, one row per topic in the network.
    frames_ : pandas.DataFrame
        ``frame, label, n_topics, prevalence, topics``, one row per frame (largest first).
    modularity_ : float
        Modularity of the partition.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> theta = np.vstack([rng.dirichlet([5, 5, .1, .1], 20), rng.dirichlet([.1, .1, 5, 5], 20)])
    >>> frames = TopicNetworkFrames(random_state=0).fit(theta)
    >>> frames.topic_frames_["frame"].tolist()
    ['F1', 'F1', 'F2', 'F2']
    """

    def __init__(self, *, similarity: str = "cosine", backbone_alpha: float | None = None,
                 resolution: float = 1.0, exclude_topics: Iterable = (),
                 labels: Mapping | None = None, random_state=None):
        self.similarity = similarity
        self.backbone_alpha = backbone_alpha
        self.resolution = resolution
        self.exclude_topics = exclude_topics
        self.labels = labels
        self.random_state = random_state

    def _matrix(self, X) -> tuple[np.ndarray, list, np.ndarray]:
        if isinstance(X, pd.DataFrame):
            wide = topic_matrix(X)
            return wide.to_numpy(dtype=float), list(wide.columns), wide.index.to_numpy()
        theta = np.asarray(X, dtype=float)
        if theta.ndim != 2:
            raise ParameterError("X must be a doc_topics table or a documents x topics array.")
        return theta, list(range(theta.shape[1])), np.arange(theta.shape[0])

    def fit(self, X, y=None) -> TopicNetworkFrames:
        """Build the topic network and find its communities.

        Parameters
        ----------
        X : doc_topics table (``doc_id, topic, weight``) or array (documents x topics)
        y : ignored

        Returns
        -------
        self
        """
        if self.similarity not in SIMILARITIES:
            raise ParameterError(f"similarity={self.similarity!r}: use one of {SIMILARITIES}.")
        theta, topics, _ = self._matrix(X)
        excluded = set(self.exclude_topics)
        unknown = excluded - set(topics)
        if unknown:
            raise ParameterError(f"exclude_topics {sorted(unknown, key=str)} are not topics.")
        keep = [i for i, t in enumerate(topics) if t not in excluded]
        if len(keep) < 2:
            raise ParameterError("the network needs at least two topics.")
        theta, topics = theta[:, keep], [topics[i] for i in keep]
        labels = dict(self.labels or {})
        sim = _similarity(theta, self.similarity)
        graph = nx.Graph()
        prevalence = theta.mean(axis=0)
        for t, p in zip(topics, prevalence, strict=True):
            graph.add_node(t, label=str(labels.get(t, t)), prevalence=float(p))
        rows, cols = np.triu_indices(len(topics), k=1)
        for i, j in zip(rows, cols, strict=True):
            if sim[i, j] > 0:
                graph.add_edge(topics[i], topics[j], weight=float(sim[i, j]))
        if self.backbone_alpha is not None:
            graph = disparity_filter(graph, alpha=self.backbone_alpha)
        communities = nx.community.louvain_communities(graph, weight="weight",
                                                       resolution=self.resolution,
                                                       seed=self.random_state)
        size = dict(zip(topics, prevalence, strict=True))
        communities = sorted((sorted(c, key=lambda t: -size[t]) for c in communities),
                             key=lambda c: (-sum(size[t] for t in c), str(c[0])))
        self.modularity_ = float(nx.community.modularity(graph, communities, weight="weight"))
        frame_of = {t: f"F{n + 1}" for n, c in enumerate(communities) for t in c}
        nx.set_node_attributes(graph, frame_of, "frame")
        self.graph_ = graph
        self.topics_ = topics
        self.topic_frames_ = pd.DataFrame({
            "topic": topics, "label": [graph.nodes[t]["label"] for t in topics],
            "prevalence": prevalence, "frame": [frame_of[t] for t in topics]})
        self.frames_ = pd.DataFrame({
            "frame": [f"F{n + 1}" for n in range(len(communities))],
            "label": [" / ".join(graph.nodes[t]["label"] for t in c[:3]) for c in communities],
            "n_topics": [len(c) for c in communities],
            "prevalence": [float(sum(size[t] for t in c)) for c in communities],
            "topics": [", ".join(str(t) for t in c) for c in communities]})
        logger.info("topic network: %d topics, %d edges, %d frames (modularity %.3f)",
                    graph.number_of_nodes(), graph.number_of_edges(), len(communities),
                    self.modularity_)
        return self

    def transform(self, X) -> np.ndarray:
        """Frame loadings: the sum of each document's proportions of a frame's topics.

        Returns
        -------
        ndarray of shape (n_documents, n_frames)
            Columns in the order of :attr:`frames_`.
        """
        check_is_fitted(self, "graph_")
        theta, topics, _ = self._matrix(X)
        position = {t: i for i, t in enumerate(topics)}
        missing = [t for t in self.topics_ if t not in position]
        if missing:
            raise ParameterError(f"topics {missing[:5]} of the network are missing from X.")
        loadings = np.zeros((theta.shape[0], len(self.frames_)))
        for n, frame in enumerate(self.frames_["frame"]):
            members = self.topic_frames_.loc[self.topic_frames_["frame"] == frame, "topic"]
            loadings[:, n] = theta[:, [position[t] for t in members]].sum(axis=1)
        return loadings

    def doc_frames(self, X) -> pd.DataFrame:
        """The ``doc_frames`` table: ``doc_id, frame, score, label, method``.

        ``score`` is the frame loading; ``label`` is 1 for the document's largest frame and 0
        for the others (so :func:`framing.compare.compare_shares` with ``value="label"``
        compares dominant frames).
        """
        ids = self._matrix(X)[2]
        loadings = self.transform(X)
        n_frames = loadings.shape[1]
        dominant = np.zeros_like(loadings, dtype=int)
        dominant[np.arange(len(loadings)), loadings.argmax(axis=1)] = 1
        return pd.DataFrame({"doc_id": np.repeat(ids, n_frames),
                             "frame": np.tile(self.frames_["frame"].to_numpy(), len(ids)),
                             "score": loadings.ravel(), "label": dominant.ravel(),
                             "method": "antmn"})

    def write_graphml(self, path: str | os.PathLike) -> None:
        """Write the topic network as GraphML (opens in Gephi, igraph, Cytoscape)."""
        check_is_fitted(self, "graph_")
        graph = nx.relabel_nodes(self.graph_, {t: str(t) for t in self.graph_.nodes})
        nx.write_graphml(graph, path)

    def plot(self, *, ax=None, palette: str | None = None, font_size: float = 7):
        """The topic network: node size by prevalence, colour by frame, edge width by weight.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        check_is_fitted(self, "graph_")
        if ax is None:
            _, ax = plt.subplots(figsize=(9, 7), layout="constrained")
        graph = self.graph_
        position = nx.spring_layout(graph, weight="weight", seed=self.random_state)
        frames = list(self.frames_["frame"])
        colors = dict(zip(frames, sns.color_palette(palette, len(frames)), strict=True))
        nodes = list(graph.nodes)
        prevalence = np.array([graph.nodes[t]["prevalence"] for t in nodes])
        weights = np.array([d["weight"] for _, _, d in graph.edges(data=True)])
        scale = weights.max() if len(weights) else 1.0
        nx.draw_networkx_edges(graph, position, ax=ax, width=0.5 + 4 * weights / scale,
                               edge_color="0.7")
        nx.draw_networkx_nodes(graph, position, ax=ax, nodelist=nodes,
                               node_size=200 + 4000 * prevalence / prevalence.max(),
                               node_color=[colors[graph.nodes[t]["frame"]] for t in nodes])
        nx.draw_networkx_labels(graph, position, ax=ax, font_size=font_size,
                                labels={t: graph.nodes[t]["label"] for t in nodes})
        for frame, label in zip(frames, self.frames_["label"], strict=True):
            ax.scatter([], [], color=colors[frame], label=f"{frame}: {label}")
        ax.legend(loc="upper left", fontsize="small", frameon=False)
        ax.set_title("Topic network (ANTMN): frames are communities of topics")
        ax.set_axis_off()
        return ax
