"""How well does framing's tone measure agree with human labels? BASIL and BABE.

Run:  FRAMING_DATA=../shared/corpora python benchmarks/tone_evaluation.py [--out DIR]

Writes ``tone_evaluation.md`` and ``tone_evaluation.json`` to ``--out`` (default
``benchmarks/results``) and prints the Markdown. Only numbers are written, never texts.

What is evaluated
-----------------
The measure of :mod:`framing.tone`: VADER compound score of the text around a mention, with
mentions masked. Human labels:

BASIL (Fan et al. 2019; the 2010-2014 half staged in ``frames/basil``). Annotators marked
*spans* that show bias toward a named *target* with a *polarity* (pos/neg) and a type:
*lexical* (bias in the wording: "fierce", "slammed") or *informational* (bias in which facts
are told, usually in neutral words). One evaluation item = one sentence x target x bias type
with a single polarity (items whose spans disagree are left out).

* **A. Targeted polarity, lexical spans** - does the tone toward the target have the sign of
  the annotated polarity? Scores: ``sentence`` (framing, ``unit="sentence"``), ``window``
  (framing, ``unit="window"``, 8 words), ``span`` (VADER on the annotated words alone: how much
  of the loaded wording VADER's lexicon knows; not available in practice). The target is found
  with a one-actor list built from its BASIL name (``Barack_Obama`` -> "Barack Obama",
  "Obama"); items where the sentence names the target are scored by framing, the others
  (pronouns, descriptions) are counted in ``found``.
* **B. Targeted polarity, informational spans** - the same; VADER is not expected to see
  bias carried by the choice of facts.
* **C. Detection** - do biased sentences have more extreme tone? AUC of ``|compound|`` of the
  whole sentence for sentences with a lexical (C1) or informational (C2) span against
  sentences with no span.

BABE (Spinde et al. 2021): expert sentence labels.

* **D.** AUC of ``|compound|`` for "Biased" against "Non-biased".
* **E.** AUC of ``|compound|`` for "Expresses writer's opinion" against "Entirely factual",
  and Spearman's rho of ``|compound|`` with the three opinion levels.

Metrics: ROC AUC with a percentile bootstrap interval (2,000 resamples of items, seed 0);
for polarity, AUC scores "negative" by ``-compound`` and the majority baseline is the share of
the larger class; ``decided`` is the share of items with ``|compound| >= 0.05`` (VADER's
neutral band), ``sign_agreement`` the share of decided items whose sign matches the label,
``recall_neg`` / ``recall_pos`` the share of each class scored on the right side of the band.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import roc_auc_score

from framing.tone import Actor, ActorMatcher, find_mentions, sentiment

OPINION_LEVELS = {"Entirely factual": 0, "Somewhat factual but also opinionated": 1,
                  "Expresses writer’s opinion": 2, "Expresses writer's opinion": 2}
NEUTRAL = 0.05


def target_actor(target: str) -> Actor:
    """A one-actor list for a BASIL target name (``Barack_Obama`` -> "Barack Obama", "Obama")."""
    name = target.replace("_", " ").replace("'s ", " ").strip()
    aliases = {name}
    words = name.split()
    if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and words[-1].isalpha():
        aliases.add(words[-1])
    return Actor("target", target, tuple(sorted(aliases)))


def basil_items(path: Path) -> pd.DataFrame:
    """One row per sentence x target x bias type with a single polarity."""
    data = pd.read_csv(path)
    rows = []
    for r in data[data["spans_json"].notna()].itertuples(index=False):
        spans = json.loads(r.spans_json)
        keys = {(s["target"], s["bias"]) for s in spans}
        for target, bias in sorted(keys):
            own = [s for s in spans if s["target"] == target and s["bias"] == bias]
            polarities = {s["polarity"] for s in own}
            if len(polarities) != 1 or polarities - {"pos", "neg"}:
                continue
            rows.append({"id": r.id, "outlet": r.outlet, "text": r.text, "target": target,
                         "bias": bias, "polarity": polarities.pop(),
                         "span_text": " ... ".join(s["txt"] for s in own)})
    return pd.DataFrame(rows)


def score_items(items: pd.DataFrame, window: int = 8) -> pd.DataFrame:
    """Add ``sentence``, ``window`` and ``span`` tone and whether the target was found."""
    out = []
    matchers: dict[str, ActorMatcher] = {}
    for r in items.itertuples(index=False):
        matcher = matchers.setdefault(r.target, ActorMatcher([target_actor(r.target)]))
        doc = pd.DataFrame({"doc_id": [r.id], "text": [r.text]})
        sent = find_mentions(doc, actors=matcher, unit="sentence")
        win = find_mentions(doc, actors=matcher, unit="window", window=window)
        out.append({"found": len(sent) > 0,
                    "sentence": sent["tone"].mean() if len(sent) else np.nan,
                    "window": win["tone"].mean() if len(win) else np.nan,
                    "whole_sentence": sentiment(r.text), "span": sentiment(r.span_text)})
    return pd.concat([items.reset_index(drop=True), pd.DataFrame(out)], axis=1)


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic (ties count one half)."""
    ranks = stats.rankdata(scores)
    n_pos = labels.sum()
    return (ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * (len(labels) - n_pos))


def auc_with_interval(labels, scores, *, n_resamples: int = 2000, seed: int = 0) -> dict:
    labels, scores = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    auc = roc_auc_score(labels, scores)
    assert abs(auc - _auc(labels, scores)) < 1e-12
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n_resamples):
        idx = rng.integers(0, len(labels), len(labels))
        if labels[idx].min() != labels[idx].max():
            values.append(_auc(labels[idx], scores[idx]))
    low, high = np.quantile(values, [0.025, 0.975])
    return {"auc": round(float(auc), 3), "auc_ci": [round(float(low), 3), round(float(high), 3)]}


def polarity_metrics(items: pd.DataFrame, column: str) -> dict:
    part = items[items[column].notna()]
    neg = (part["polarity"] == "neg").to_numpy()
    score = part[column].to_numpy()
    decided = np.abs(score) >= NEUTRAL
    right = np.where(neg, score <= -NEUTRAL, score >= NEUTRAL)
    out = {"n": int(len(part)), "n_neg": int(neg.sum()), "n_pos": int((~neg).sum()),
           "majority": round(float(max(neg.mean(), 1 - neg.mean())), 3),
           "decided": round(float(decided.mean()), 3),
           "sign_agreement": round(float(right[decided].mean()), 3) if decided.any() else None,
           "recall_neg": round(float(right[neg].mean()), 3) if neg.any() else None,
           "recall_pos": round(float(right[~neg].mean()), 3) if (~neg).any() else None}
    if 0 < neg.sum() < len(neg):
        out.update(auc_with_interval(neg, -score))
    return out


def basil_detection(path: Path) -> dict:
    data = pd.read_csv(path)
    tone = data["text"].fillna("").map(sentiment).abs()
    none = data["bias_label"] == "none"
    out = {}
    for name, labels in (("C1_lexical_vs_none", ("lex", "both")),
                         ("C2_informational_vs_none", ("inf", "both"))):
        has = data["bias_label"].isin(labels)
        keep = has | none
        out[name] = {"n": int(keep.sum()), "n_biased": int(has.sum()),
                     "mean_abs_biased": round(float(tone[has].mean()), 3),
                     "mean_abs_none": round(float(tone[none].mean()), 3),
                     **auc_with_interval(has[keep], tone[keep])}
    return out


def babe(path: Path) -> dict:
    data = pd.read_csv(path)
    data = data.assign(abs_tone=data["text"].fillna("").map(sentiment).abs())
    bias = data[data["label_bias"].isin(["Biased", "Non-biased"])]
    biased = bias["label_bias"] == "Biased"
    opinion = data[data["label_opinion"].isin(OPINION_LEVELS)]
    level = opinion["label_opinion"].map(OPINION_LEVELS)
    ends = opinion[level != 1]
    rho = stats.spearmanr(opinion["abs_tone"], level)
    return {
        "D_biased_vs_nonbiased": {
            "n": int(len(bias)), "n_biased": int(biased.sum()),
            "mean_abs_biased": round(float(bias.loc[biased, "abs_tone"].mean()), 3),
            "mean_abs_nonbiased": round(float(bias.loc[~biased, "abs_tone"].mean()), 3),
            **auc_with_interval(biased, bias["abs_tone"])},
        "E_opinion_vs_factual": {
            "n": int(len(ends)), **auc_with_interval(level[level != 1] == 2, ends["abs_tone"]),
            "spearman_rho_3_levels": round(float(rho.statistic), 3),
            "spearman_p": float(rho.pvalue), "n_3_levels": int(len(opinion))},
    }


def markdown(results: dict) -> str:
    lines = ["# Tone measure against human labels (BASIL, BABE)", "",
             "Produced by `benchmarks/tone_evaluation.py`; definitions in its docstring.", "",
             "## BASIL: polarity toward the annotated target", "",
             "`named`: items whose sentence names the target (the only ones framing can score); "
             "`all`: every item (whole sentence and span only). AUC: chance that a negative "
             "item scores below a positive one (0.5 = chance). majority: accuracy of always "
             "answering the larger class. decided: share of items outside VADER's neutral band "
             "(|compound| < 0.05); sign agreement is over the decided items; recall: share of "
             "each class on its own side of the band.", "",
             "| items | subset | score | n | neg/pos | AUC [95% CI] | majority | decided | "
             "sign agreement | recall neg | recall pos |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in ("A_lexical", "B_informational"):
        block = results["basil"][key]
        for subset in ("named", "all"):
            for score, m in block[subset].items():
                auc = (f"{m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}]"
                       if "auc" in m else "-")
                lines.append(f"| {key} | {subset} | {score} | {m['n']} | "
                             f"{m['n_neg']}/{m['n_pos']} | {auc} | {m['majority']:.3f} | "
                             f"{m['decided']:.3f} | {m['sign_agreement']} | {m['recall_neg']} | "
                             f"{m['recall_pos']} |")
        lines.append(f"| {key} | | share of items naming the target | {block['found']:.3f} "
                     "| | | | | | | |")
    lines += ["", "## Detection: |tone| of biased vs other sentences", "",
              "| task | n | biased | mean abs tone (biased / other) | AUC [95% CI] |",
              "|---|---|---|---|---|"]
    for key, m in {**results["basil"]["detection"], **results["babe"]}.items():
        other = m.get("mean_abs_none", m.get("mean_abs_nonbiased"))
        mean = f"{m['mean_abs_biased']:.3f} / {other:.3f}" if other is not None else "-"
        lines.append(f"| {key} | {m['n']} | {m.get('n_biased', '-')} | {mean} | "
                     f"{m['auc']:.3f} [{m['auc_ci'][0]:.3f}, {m['auc_ci'][1]:.3f}] |")
    e = results["babe"]["E_opinion_vs_factual"]
    lines += ["", f"BABE opinion, 3 levels: Spearman rho = {e['spearman_rho_3_levels']:.3f} "
              f"(n = {e['n_3_levels']}, p = {e['spearman_p']:.2g}).", ""]
    return "\n".join(lines)


def evaluate(frames_dir: Path) -> dict:
    """All numbers of the evaluation (see the module docstring)."""
    items = score_items(basil_items(frames_dir / "basil" / "labels.csv.gz"))
    basil = {}
    for key, bias in (("A_lexical", "lex"), ("B_informational", "inf")):
        part = items[items["bias"] == bias]
        found = part[part["found"]]
        basil[key] = {"found": round(float(part["found"].mean()), 3),
                      "named": {score: polarity_metrics(found, score)
                                for score in ("sentence", "window", "whole_sentence", "span")},
                      "all": {score: polarity_metrics(part, score)
                              for score in ("whole_sentence", "span")}}
    basil["detection"] = basil_detection(frames_dir / "basil" / "labels.csv.gz")
    return {"basil": basil, "babe": babe(frames_dir / "babe" / "labels.csv.gz")}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-home", default=os.environ.get("FRAMING_DATA",
                                                              "../shared/corpora"))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)
    results = evaluate(Path(args.data_home) / "frames")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tone_evaluation.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    text = markdown(results)
    (out / "tone_evaluation.md").write_text(text, "utf-8")
    print(text)


if __name__ == "__main__":
    main()
