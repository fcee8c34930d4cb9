"""Seaborn figures over tidy comparison tables (the CSV tables of a report).

Each function takes a comparison table with a ``kind`` column (as written by
:mod:`framing.pipeline`), names the rows it draws by keyword, and returns its Axes, so a
notebook can redraw any report figure from ``tables/*.csv`` and restyle it. Figures that a
result object already draws (``SharesResult.plot``, ``WordsResult.plot``, ``TimelineResult.plot``
...) are not repeated here.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .errors import SchemaError

__all__ = ["plot_label_shares", "plot_share_intervals", "plot_prevalence_heatmap",
           "plot_corrected_shares"]


def _rows(data: pd.DataFrame, *, kind: str, scope: str, feature_kind: str | None = None
          ) -> pd.DataFrame:
    if "kind" not in data:
        raise SchemaError("the table has no 'kind' column; pass a report table "
                          "(tables/*.csv) or result.table.assign(kind=result.kinds).")
    rows = data[(data["kind"] == kind) & (data["scope"] == scope)]
    if feature_kind is not None:
        rows = rows[rows["feature_kind"] == feature_kind]
    return rows


def plot_label_shares(data: pd.DataFrame, *, feature_kind: str, scope: str = "all",
                      order=None, ax=None, palette="colorblind"):
    """Stacked bars: the share of each label of a categorical frame (e.g. ``blame``) by group.

    Parameters
    ----------
    data : DataFrame
        Comparison table of :func:`~framing.compare_shares` with a ``kind`` column.
    feature_kind : str
        The categorical frame drawn (its labels are the ``feature`` values).
    scope : str
        ``"all"`` (pooled over events) or an event id.
    order : list, optional
        Groups from top to bottom (default: sorted).

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = _rows(data, kind="share", scope=scope, feature_kind=feature_kind)
    wide = rows.pivot_table(index="group", columns="feature", values="estimate", fill_value=0)
    n = rows.groupby("group")["n_docs"].first()
    wide = wide.loc[order if order is not None else sorted(wide.index)]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.45 * len(wide)), layout="constrained")
    colors = sns.color_palette(palette, wide.shape[1])
    left = np.zeros(len(wide))
    labels = [f"{g} (n={n[g]})" for g in wide.index]
    for color, label in zip(colors, wide.columns, strict=True):
        ax.barh(labels, wide[label].to_numpy(), left=left, color=color, label=label)
        left += wide[label].to_numpy()
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of documents")
    ax.set_ylabel("")
    ax.set_title(f"{feature_kind} by group (scope: {scope})", fontsize="medium")
    ax.legend(title=feature_kind, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_share_intervals(data: pd.DataFrame, *, feature: str, feature_kind: str | None = None,
                         scope: str = "all", order=None, ax=None, palette="colorblind"):
    """The share of documents with one feature by group, with its confidence interval.

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = _rows(data, kind="share", scope=scope, feature_kind=feature_kind)
    rows = rows[rows["feature"] == feature].set_index("group")
    rows = rows.loc[order if order is not None else sorted(rows.index)]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.45 * len(rows)), layout="constrained")
    colors = sns.color_palette(palette, len(rows))
    y = np.arange(len(rows))
    ax.hlines(y, rows["ci_low"], rows["ci_high"], colors=colors, linewidth=2)
    ax.scatter(rows["estimate"], y, color=colors, zorder=3)
    ax.set_yticks(y, [f"{g} (n={n})" for g, n in zip(rows.index, rows["n_docs"], strict=True)])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of documents, {rows['method'].iloc[0].split(',')[-1].strip()}"
                  if len(rows) else "share of documents")
    ax.set_title(f"{feature} (scope: {scope})", fontsize="medium")
    return ax


def plot_prevalence_heatmap(data: pd.DataFrame, *, scope: str = "all", kind: str = "prevalence",
                            ax=None, cmap: str = "mako_r", wrap: int = 28):
    """Heatmap of mean topic (or frame) proportion: features x groups, annotated.

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = _rows(data, kind=kind, scope=scope)
    wide = rows.pivot_table(index="feature", columns="group", values="estimate")
    wide.index = [textwrap.shorten(str(f).replace("_", " "), wrap, placeholder="…")
                  for f in wide.index]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.5 + 0.38 * len(wide)), layout="constrained")
    sns.heatmap(wide, annot=True, fmt=".2f", cmap=cmap, cbar_kws={"label": "mean proportion"},
                ax=ax, annot_kws={"fontsize": "small"})
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(f"Mean proportion by group (scope: {scope})", fontsize="medium")
    return ax


def plot_corrected_shares(data: pd.DataFrame, *, ax=None, palette="colorblind"):
    """Naive and error-corrected frame shares by group, with intervals (one row per frame and
    group, one colour per method).

    Parameters
    ----------
    data : DataFrame
        Table of :func:`~framing.frames.estimate_prevalence` (``group, frame, method, estimate,
        ci_low, ci_high``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    rows = data.dropna(subset=["estimate"])
    keys = list(dict.fromkeys(zip(rows["frame"], rows["group"], strict=True)))
    methods = list(dict.fromkeys(rows["method"]))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.32 * len(keys)), layout="constrained")
    colors = dict(zip(methods, sns.color_palette(palette, len(methods)), strict=True))
    step = 0.7 / max(len(methods), 1)
    for i, method in enumerate(methods):
        mine = rows[rows["method"] == method]
        y = np.array([keys.index(k) for k in zip(mine["frame"], mine["group"], strict=True)])
        y = y - 0.35 + step * (i + 0.5)
        ax.hlines(y, mine["ci_low"], mine["ci_high"], color=colors[method])
        ax.scatter(mine["estimate"], y, color=colors[method], label=method, zorder=3, s=14)
    names = [textwrap.shorten(f.replace("_", " "), 30, placeholder="…") for f, _ in keys]
    ax.set_yticks(range(len(keys)), [f"{n}: {g}" for n, (_, g) in zip(names, keys, strict=True)],
                  fontsize="small")
    ax.set_ylim(len(keys) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of documents (95% interval)")
    ax.legend(title=None, fontsize="small")
    ax.set_title("Classifier frame shares: naive and corrected for classifier error",
                 fontsize="medium")
    return ax
