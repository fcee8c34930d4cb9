"""A small synthetic news corpus with three planted topics, shared by the topics tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

THEMES = {
    "chemical": "sarin gas chemical attack victims hospital nerve agent doctors toxic",
    "strike": "missile strike airbase tomahawk navy pentagon destroyer runway launched",
    "refugees": "refugees border camp aid winter europe asylum shelter migrants",
}
FILLER = "officials statement monday tuesday week government people reported country"
OUTLETS = {"left": ["CNN", "NYT", "Vox"], "right": ["Fox", "Breitbart", "Newsmax"],
           "center": ["Reuters", "AP", "NPR"]}


def make_documents(n_docs: int = 90, *, seed: int = 0) -> pd.DataFrame:
    """Documents of 40 tokens: mostly one theme, some of a second, filler words, and an outlet
    whose lean shifts the theme mix (left: chemical, right: strike, center: even)."""
    rng = np.random.default_rng(seed)
    themes = [t.split() for t in THEMES.values()]
    filler = FILLER.split()
    leans = np.array(["left", "right", "center"])[np.arange(n_docs) % 3]
    preference = {"left": [0.6, 0.2, 0.2], "right": [0.2, 0.6, 0.2], "center": [1 / 3] * 3}
    rows = []
    for i, lean in enumerate(leans):
        main, second = rng.choice(3, size=2, replace=False, p=preference[lean])
        words = (list(rng.choice(themes[main], 24)) + list(rng.choice(themes[second], 8))
                 + list(rng.choice(filler, 8)))
        rng.shuffle(words)
        rows.append({"doc_id": f"d{i:03d}", "outlet": OUTLETS[lean][(i // 3) % 3],
                     "outlet_lean": lean, "event_id": ["e1", "e2"][i % 2],
                     "published": pd.Timestamp("2017-04-05") + pd.Timedelta(days=i % 10),
                     "title": f"Story {i}", "text": " ".join(words)})
    return pd.DataFrame(rows)
