"""The report's figures, drawn from a :class:`~framing.pipeline.StudyResult`.

Every figure is a seaborn/matplotlib figure with labelled axes, sized for a column of about
6.5 inches, in the colour-blind-safe palette of the config. Saving is deterministic (no dates
in the SVG or PNG metadata, a fixed SVG id salt), so identical runs give identical files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import seaborn as sns

from ..plotting import (
    plot_corrected_shares,
    plot_label_shares,
    plot_prevalence_heatmap,
    plot_share_intervals,
)
from ..topics.selection import plot_select_k

__all__ = ["ReportFigure", "make_figures", "save_figure"]

logger = logging.getLogger(__name__)


@dataclass
class ReportFigure:
    """A figure of the report: file stem, section, caption and the matplotlib Figure."""

    name: str
    section: str
    caption: str
    figure: Any


def _fig(obj):
    """The Figure behind an Axes, a FacetGrid/ClusterGrid or a Figure."""
    if hasattr(obj, "savefig") and not hasattr(obj, "figure"):
        return obj
    figure = getattr(obj, "figure", None) or getattr(obj, "fig", None)
    return figure if figure is not None else obj.get_figure()


def make_figures(result) -> list[ReportFigure]:
    """Draw every figure the study's stages allow (stages that did not run draw none)."""
    config = result.config
    palette = config["figures"]["palette"]
    sns.set_theme(context="paper", style="whitegrid", palette=palette)
    plt.rcParams.update({"svg.hashsalt": "framing", "figure.dpi": 100})
    out: list[ReportFigure] = []

    def add(name, section, caption, draw):
        try:
            out.append(ReportFigure(name, section, caption, _fig(draw())))
        except Exception as exc:  # a figure must never lose the report; say which one failed
            logger.warning("figure %s not drawn: %s: %s", name, type(exc).__name__, exc)
            result.stages["corpus"].warnings.append(f"figure {name} not drawn: {exc}")

    stages = result.stages
    timeline = stages["timeline"].objects.get("timeline")
    if timeline is not None:
        add("coverage_timeline", "corpus",
            "Articles per outlet group and day around each event (day 0 = the event).",
            lambda: timeline.plot(palette=palette, height=2.6))
    topics = stages["topics"].objects
    if "selection" in topics:
        add("topic_selection", "topics",
            "Model-selection diagnostics by number of topics K (mean and spread over seeds).",
            # fit times vary from run to run; they are not drawn (nor tabled)
            lambda: plot_select_k(topics["selection"].table.query("metric != 'fit_seconds'")))
    if "prevalence" in topics:
        add("topic_prevalence", "topics",
            "Mean topic proportion by outlet group over the event documents.",
            lambda: plot_prevalence_heatmap(stages["topics"].tables["topic_prevalence"]))
        add("topic_network", "topics",
            "Topic network: topics (nodes, sized by prevalence) linked by co-occurrence in "
            "documents; colours are the inductive frames (Louvain communities).",
            lambda: topics["network"].plot(palette=palette))
    frames = stages["frames"].tables
    if "frames_syria_2017" in frames:
        table = frames["frames_syria_2017"]
        add("iraq_analogy", "frames",
            "Share of documents likening the US response to the 2003 invasion of Iraq, by "
            "outlet group, with 95% Wilson intervals.",
            lambda: plot_share_intervals(table, feature="iraq_2003_analogy", palette=palette))
        add("blame", "frames", "Whom the documents blame for the chemical attack, by group.",
            lambda: plot_label_shares(table, feature_kind="blame", palette=palette))
    for book in ("generic", "policy"):
        shares = stages["frames"].objects.get(f"shares_{book}")
        if shares is not None:
            add(f"frames_{book}", "frames",
                f"Share of documents with each {book} frame by outlet group (95% intervals).",
                lambda shares=shares: shares.plot(feature_kind="frame", palette=palette))
    corrected = stages["classifier"].tables.get("classifier_shares")
    if corrected is not None and not corrected.empty:
        add("classifier_shares", "classifier",
            "Classifier frame shares by outlet group: naive share (Wilson interval) and "
            "Rogan-Gladen estimate corrected with the error rates measured on the hand-coded "
            "study documents (percentile bootstrap interval).",
            lambda: plot_corrected_shares(corrected, palette=palette))
    words = stages["words"].objects.get("words")
    if words is not None:
        add("distinguishing_words", "words",
            "Words that distinguish each outlet group (weighted log-odds, informative "
            "Dirichlet prior).", lambda: words.plot(config["words"]["n_words"], palette=palette))
    similarity = stages["similarity"].objects.get("similarity")
    if similarity is not None and not similarity.table.empty:
        add("outlet_similarity", "comparisons",
            "Jensen-Shannon divergence between outlets' topic distributions (event documents).",
            lambda: similarity.plot())
    tone = stages["tone"].objects.get("tone")
    if tone is not None and not tone.table.empty:
        add("tone", "tone", "Mean tone toward each actor by outlet group (VADER compound, "
            "words around each mention), with 95% intervals.",
            lambda: tone.plot(palette=palette))
    return out


def save_figure(fig: ReportFigure, folder: Path, formats, dpi: int) -> dict[str, Path]:
    """Write a figure in every format; PNG and SVG without timestamps."""
    paths = {}
    for fmt in formats:
        path = folder / f"{fig.name}.{fmt}"
        metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}[fmt]
        fig.figure.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
        paths[fmt] = path
    return paths
