"""Choose the decision parameters of the ``blame`` frame by cross-validation on the development
articles (never on the flagship codes).

Usage (needs the real corpora; a few minutes on 2 cores)::

    FRAMING_DATA=../shared/corpora python tests/labels/select_blame_decision.py

For each of 3 seeds, the articles of ``syria2017_blame_articles.csv`` are split in 5 stratified
folds; the sentence model is refitted without the sentences of each fold's articles
(cross-fitting), and every candidate sentence of the held-out articles gets its class
probabilities. Each combination of the grid then decides every article with
``decide_balance``; combinations are ranked by mean accuracy over the seeds (macro-F1 breaks
ties). The gate is not applied: it needs the flagship events, which the development articles
are not about.
"""

from __future__ import annotations

import copy
import itertools
import logging
import sys

import numpy as np
import pandas as pd
from build_models import CORPORA, HERE, labelled_sentences
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from framing import load_corpus
from framing.frames import load_codebook
from framing.frames.matching import _sentence_scores, decide_balance, parse_document
from framing.frames.sentence_model import fit_frame_model

GRID = {"min_evidence": [0.5, 1.0, 1.5, 2.0], "dominance": [0.5, 0.55, 0.6, 0.67],
        "doubt_weight": [0.25, 0.5, 0.75, 1.0], "min_probability": [0.0, 0.4, 0.5]}
SEEDS = (0, 1, 2)


def cross_fitted(documents: pd.DataFrame, frame, book, articles: pd.DataFrame):
    """Candidate sentences of every article and, per seed, their cross-fitted probabilities."""
    sentences = labelled_sentences(documents, "syria2017_blame_sentences.csv")
    docs = documents.set_index("doc_id")
    candidates = {}
    for doc_id in articles["doc_id"]:
        parsed = parse_document(docs.loc[doc_id, "title"], docs.loc[doc_id, "text"], doc_id)
        found = _sentence_scores(parsed, frame, book)
        candidates[doc_id] = (found, [parsed.sentences[e.sentence].text for e in found])
    probas = {}
    for seed in SEEDS:
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for _, test in folds.split(articles, articles["blame"]):
            held_out = set(articles["doc_id"].iloc[test])
            model = fit_frame_model(frame, sentences[~sentences["doc_id"].isin(held_out)])
            for doc_id in held_out:
                texts = candidates[doc_id][1]
                probas[seed, doc_id] = model.predict_proba_dicts(texts) if texts else []
    return candidates, probas


def grid_scores(frame, articles, candidates, probas) -> pd.DataFrame:
    rows = []
    for values in itertools.product(*GRID.values()):
        options = dict(zip(GRID, values, strict=True))
        trial = copy.deepcopy(frame)
        trial.options.update(options)
        accuracy, macro = [], []
        for seed in SEEDS:
            labels = [decide_balance(trial, [copy.copy(e) for e in candidates[d][0]],
                                     probas[seed, d], "cv").label for d in articles["doc_id"]]
            accuracy.append(accuracy_score(articles["blame"], labels))
            macro.append(f1_score(articles["blame"], labels, average="macro"))
        rows.append({**options, "accuracy": np.mean(accuracy), "macro_f1": np.mean(macro)})
    return pd.DataFrame(rows).sort_values(["accuracy", "macro_f1"], ascending=False)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    book = load_codebook("syria-2017")
    frame = book.frames["blame"]
    articles = pd.read_csv(HERE / "syria2017_blame_articles.csv")
    documents = load_corpus(CORPORA).documents
    scores = grid_scores(frame, articles, *cross_fitted(documents, frame, book, articles))
    current = {k: frame.options[k] for k in GRID}
    is_current = np.logical_and.reduce([scores[k] == v for k, v in current.items()])
    sys.stdout.write(f"shipped {current}:\n{scores[is_current].to_string(index=False)}\n\n"
                     f"best 10:\n{scores.head(10).to_string(index=False)}\n")
