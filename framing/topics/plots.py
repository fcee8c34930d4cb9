"""Figures of topic models, drawn with seaborn from the tidy tables.

Each function takes a table and names its columns, and returns its Axes or FacetGrid.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["plot_topic_terms", "plot_topic_diagnostics"]


def plot_topic_terms(data: pd.DataFrame, *, topic: str = "topic", term: str = "term",
                     weight: str = "weight", labels: pd.Series | None = None,
                     n_terms: int = 8, col_wrap: int = 5, height: float = 2.2):
    """Bar charts of the top terms of each topic (one panel per topic).

    Parameters
    ----------
    data : pandas.DataFrame
        A ``topic_terms`` table (``topic, rank, term, weight``).
    topic, term, weight : str
        Column names.
    labels : pandas.Series, optional
        Topic -> panel title (e.g. ``model.topic_labels().set_index("topic")["label"]``).
    n_terms : int
        Terms drawn per topic (the first by ``rank`` when present, else by weight).
    col_wrap : int
        Panels per row.
    height : float
        Panel height in inches.

    Returns
    -------
    seaborn.FacetGrid
    """
    import seaborn as sns

    order = "rank" if "rank" in data.columns else weight
    top = (data.sort_values([topic, order], ascending=[True, order == "rank"])
           .groupby(topic, sort=True).head(n_terms))
    grid = sns.FacetGrid(top, col=topic, col_wrap=col_wrap, sharey=False, sharex=False,
                         height=height, aspect=1.1)
    grid.map_dataframe(sns.barplot, x=weight, y=term, color="steelblue")
    for key, ax in grid.axes_dict.items():
        ax.set_title(f"{key}: {labels[key]}" if labels is not None else f"topic {key}",
                     fontsize="small")
        ax.tick_params(axis="y", labelsize="small")
    grid.set_axis_labels(weight, "")
    return grid


def plot_topic_diagnostics(data: pd.DataFrame, *, x: str = "exclusivity", y: str = "npmi",
                           size: str = "prevalence", label: str | None = "label", ax=None):
    """Coherence against exclusivity of each topic, sized by prevalence (as stm's
    ``topicQuality``): good topics sit top right.

    Parameters
    ----------
    data : pandas.DataFrame
        :meth:`TopicModel.diagnostics` (one row per topic).
    x, y, size : str
        Columns drawn.
    label : str, optional
        Column written next to each point.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    sns.scatterplot(data=data, x=x, y=y, size=size, sizes=(30, 400), alpha=0.7, ax=ax,
                    legend=False)
    if label:
        for row in data.itertuples(index=False):
            ax.annotate(f"{getattr(row, 'topic', '')} {getattr(row, label)}",
                        (getattr(row, x), getattr(row, y)), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_title("Topic quality: coherence vs exclusivity (size: prevalence)")
    return ax
