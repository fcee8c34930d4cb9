"""Generic-frame codebook against the Narrative Frames Corpus (NFC) human labels.

Usage (needs the staged corpora; writes generic_frames_nfc.md next to this file)::

    FRAMING_DATA=../shared/corpora python tests/results/generic_frames_nfc.py

The NFC (climate coverage) is split at random in half (seed 0). On the first half the script
lists, per frame, the threshold on the codebook score that maximises F1 (these are the values
written into ``framing/codebooks/generic.toml``); on the second half it reports the codebook's
precision/recall/F1 beside a supervised baseline (TF-IDF 1-2 grams + class-balanced logistic
regression) trained on the first half. NFC has *resolution* instead of *attribution of
responsibility*; the codebook's ``f_responsibility`` is compared with it (aliases), which is
only an approximation.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support

from framing.frames import code_documents
from framing.text import make_vectorizer

HERE = Path(__file__).resolve().parent
FRAMES = {"f_conflict": "conflict", "f_responsibility": "resolution",
          "f_human_interest": "human_interest", "f_economic": "economic", "f_morality": "moral"}


def load_nfc(data_home: str | os.PathLike) -> pd.DataFrame:
    path = Path(data_home) / "frames" / "narrative_frames_climate" / "labels.csv.gz"
    data = pd.read_csv(path).dropna(subset=["conflict"]).reset_index(drop=True)
    return data.rename(columns={"id": "doc_id"})


def split(data: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(data))
    half = len(data) // 2
    return data.iloc[order[:half]], data.iloc[order[half:]]


def prf(y_true, y_pred) -> tuple[float, float, float]:
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="binary",
                                                 zero_division=0)
    return round(float(p), 3), round(float(r), 3), round(float(f), 3)


def run(data_home) -> str:
    data = load_nfc(data_home)
    dev, test = split(data)
    scores = {}
    for part, name in ((dev, "dev"), (test, "test")):
        table = code_documents(part, codebook="generic", title="no_title").table
        scores[name] = table.pivot(index="doc_id", columns="frame", values="score")
    rows = []
    for frame, column in FRAMES.items():
        y_dev = dev.set_index("doc_id")[column].astype(int)
        s_dev = scores["dev"].loc[y_dev.index, frame]
        grid = np.unique(np.round(s_dev, 3))
        best = max(grid, key=lambda t: prf(y_dev, s_dev >= t)[2] if t > 0 else -1)
        y_test = test.set_index("doc_id")[column].astype(int)
        s_test = scores["test"].loc[y_test.index, frame]
        vec = make_vectorizer("tfidf", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        clf = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=0)
        clf.fit(vec.fit_transform(dev["text"]), y_dev.values)
        supervised = clf.predict(vec.transform(test["text"]))
        rows.append({"frame": frame, "nfc_label": column, "best_threshold_dev": float(best),
                     "n_test": len(y_test), "positives_test": int(y_test.sum()),
                     **dict(zip(("codebook_p", "codebook_r", "codebook_f1"),
                                prf(y_test, s_test >= best), strict=True)),
                     **dict(zip(("supervised_p", "supervised_r", "supervised_f1"),
                                prf(y_test, supervised), strict=True))})
    table = pd.DataFrame(rows)
    return table.to_markdown(index=False)


if __name__ == "__main__":
    home = os.environ.get("FRAMING_DATA", "../shared/corpora")
    text = run(home)
    (HERE / "generic_frames_nfc.md").write_text(
        "# Generic frames on the Narrative Frames Corpus\n\nMade by `generic_frames_nfc.py` "
        "(random halves, seed 0; thresholds chosen on the first half, scores on the second)."
        "\n\n" + text + "\n", encoding="utf-8")
    print(text)
