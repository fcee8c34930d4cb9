"""Benchmark of framing.events on the four news corpora together (a script, not a test).

Times seeded and discovery mode on allsides-abp + fa-kes + dai-newsarticles-2017 + basil
(4,133 documents), and scores discovery against the BASIL triplets (50 events x Fox/NYT/HuffPost)
with every other article as a distractor. ``--grid`` adds the sensitivity table over the main
discovery parameters.

Usage::

    FRAMING_DATA=../shared/corpora python benchmarks/bench_events.py [--grid] [-o OUT_DIR]

Evaluation (discovery): BCubed precision/recall/F1 over the 150 BASIL articles, using the
predicted events of all 4,133 documents (an unassigned article is a singleton). The *strict*
precision also counts distractors that share a BASIL article's event as errors;
``contaminated`` is the number of predicted events holding BASIL articles that also hold a
distractor. ARI is sklearn's adjusted Rand index over the 150 articles.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from framing.corpus import load_corpus
from framing.events import (
    EventClusterer,
    EventFeatures,
    SeededEventMatcher,
    attach_events,
    evaluate_clustering,
    event_summary,
)
from framing.events.discovery import cluster_events, event_similarity

CORPORA = ["allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil"]
GRID = {"entity_weight": [0.0, 0.3, 0.5], "time_scale": [1, 3, 7, 14, 30],
        "distance_threshold": [0.75, 0.8, 0.85, 0.9]}


def _basil_scores(docs: pd.DataFrame, labels: np.ndarray) -> dict[str, float]:
    pred = np.where(labels >= 0, labels.astype(str), "")
    result = evaluate_clustering(docs.assign(event_id=pred), gold="triplet_uuid")
    return {"P": result["bcubed_precision"], "R": result["bcubed_recall"],
            "F1": result["bcubed_f1"], "F1_strict": result["bcubed_f1_strict"],
            "ARI": result["adjusted_rand_index"],
            "contaminated": int(result["contaminated_clusters"]),
            "events": int(labels.max() + 1)}


def run_grid(docs: pd.DataFrame) -> pd.DataFrame:
    """BASIL scores over GRID (text features once per entity weight, similarity once per
    (entity weight, time scale))."""
    rows = []
    dates = docs["published"]
    for weight in GRID["entity_weight"]:
        vectors = EventFeatures(entity_weight=weight).fit_transform(docs)
        for scale in GRID["time_scale"]:
            sim = event_similarity(vectors, dates, time_scale=scale)
            for threshold in GRID["distance_threshold"]:
                labels, _ = cluster_events(sim, dates, distance_threshold=threshold)
                rows.append({"entity_weight": weight, "time_scale": scale,
                             "distance_threshold": threshold, **_basil_scores(docs, labels)})
    return pd.DataFrame(rows)


def split_half_check(docs: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Choose parameters on 25 BASIL events, score them on the other 25 (both directions)."""
    events = sorted(docs["triplet_uuid"].replace("", np.nan).dropna().unique())
    rng = np.random.default_rng(0)
    half = set(rng.permutation(events)[: len(events) // 2])
    rows = []
    for name, chosen in (("A", half), ("B", set(events) - half)):
        rows.append({"choose_on": name, "score_on": "A" if name == "B" else "B",
                     "chosen": chosen})
    out = []
    dates = docs["published"]
    cache: dict[float, object] = {}
    for row in rows:
        masks = {k: docs["triplet_uuid"].isin(v if k == "choose" else set(events) - v)
                 for k, v in (("choose", row["chosen"]), ("score", row["chosen"]))}
        best, best_f1 = None, -1.0
        for weight, scale, threshold in itertools.product(*GRID.values()):
            if weight not in cache:
                cache[weight] = EventFeatures(entity_weight=weight).fit_transform(docs)
            key = (weight, scale)
            if key not in cache:
                cache[key] = event_similarity(cache[weight], dates, time_scale=scale)
            labels, _ = cluster_events(cache[key], dates, distance_threshold=threshold)
            f1 = _basil_scores(docs.assign(triplet_uuid=docs["triplet_uuid"].where(
                masks["choose"], "")), labels)["F1"]
            if f1 > best_f1:
                best, best_f1, best_labels = (weight, scale, threshold), f1, labels
        held = _basil_scores(docs.assign(triplet_uuid=docs["triplet_uuid"].where(
            masks["score"], "")), best_labels)
        out.append({"choose_on": row["choose_on"], "best (ew, tau, thr)": best,
                    "F1 on chosen half": best_f1, "F1 on other half": held["F1"]})
    return pd.DataFrame(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grid", action="store_true", help="also print the parameter grid")
    parser.add_argument("-o", "--output", help="write the tables as CSV into this folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.output) if args.output else None
    if out:
        out.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    docs = load_corpus(CORPORA).documents
    load_s = time.perf_counter() - start
    docs["triplet_uuid"] = docs["triplet_uuid"].fillna("")

    start = time.perf_counter()
    seeded = SeededEventMatcher().fit(docs).assign(docs)
    seeded_s = time.perf_counter() - start

    start = time.perf_counter()
    clusterer = EventClusterer().fit(docs)
    found = clusterer.assign(docs)
    discovery_s = time.perf_counter() - start

    timings = pd.DataFrame({
        "step": ["load 4 corpora (not part of either mode)", "seeded: fit + assign",
                 "discovery: fit + assign"],
        "seconds": [load_s, seeded_s, discovery_s]})
    sys.stdout.write(f"documents: {len(docs)}\n\n{timings.round(1).to_markdown(index=False)}\n")

    seeded_events = event_summary(attach_events(docs, seeded))
    sys.stdout.write("\n## seeded mode: articles and outlets per event\n\n"
                     f"{seeded_events.to_markdown(index=False)}\n")
    discovered = event_summary(attach_events(docs, found))
    sys.stdout.write(f"\n## discovery mode: {clusterer.n_events_} events with >= 2 articles; "
                     f"{int((discovered['outlets'] >= 3).sum())} covered by >= 3 outlets\n")

    basil = _basil_scores(docs, clusterer.labels_)
    sys.stdout.write("\n## discovery on BASIL triplets + all other articles as distractors "
                     f"(defaults)\n\n{pd.DataFrame([basil]).round(3).to_markdown(index=False)}\n")
    if out:
        timings.to_csv(out / "timings.csv", index=False)
        seeded_events.to_csv(out / "seeded_events.csv", index=False)

    if args.grid:
        start = time.perf_counter()
        grid = run_grid(docs)
        wide = grid.pivot_table(index=["entity_weight", "time_scale"],
                                columns="distance_threshold", values="F1")
        sys.stdout.write("\n## BCubed F1 over the grid (rows: entity weight, time scale in "
                         f"days; columns: distance threshold)\n\n{wide.round(3).to_markdown()}\n")
        halves = split_half_check(docs, grid)
        sys.stdout.write("\n## choose on half of the BASIL events, score on the other half\n\n"
                         f"{halves.round(3).to_markdown(index=False)}\n")
        sys.stdout.write(f"\n(grid: {time.perf_counter() - start:.0f} s)\n")
        if out:
            grid.to_csv(out / "discovery_grid.csv", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
