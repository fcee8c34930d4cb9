"""A small invented corpus and study config that run the whole report pipeline in seconds.

Sixty articles by six outlets in three groups about an invented chemical attack and a strike
(dated around the shipped khan-shaykhun-2017 and shayrat-strike-2017 events so that the shipped
event definitions apply), built from sentence templates with a seeded generator. Some outlets
draw the Iraq 2003 analogy and some blame the government; one title is hostile markup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOSTILE_TITLE = "<script>alert(1)</script> Gas attack <b>coverage</b>"

OUTLETS = {"Alpha News": "hawks", "Beta Post": "hawks", "Gamma Times": "doves",
           "Delta Daily": "doves", "Epsilon Wire": "wire", "Zeta Report": "wire"}

ATTACK = [
    "A chemical attack on Khan Shaykhun in Idlib province killed dozens of civilians.",
    "Doctors in Khan Shaykhun treated victims of the sarin gas attack for hours.",
    "Witnesses said warplanes dropped chemical weapons on the town before dawn.",
    "The World Health Organization said the symptoms were consistent with nerve agent exposure.",
    "Rescue workers pulled children from the rubble after the gas attack.",
]
STRIKE = [
    "The United States fired 59 Tomahawk cruise missiles at Shayrat air base.",
    "The Pentagon said the missile strike on Shayrat airfield targeted aircraft and fuel.",
    "President Trump ordered the strike on the Syrian air base in response to the attack.",
    "Congress debated whether the president needed authorization for the missile strike.",
]
BLAME = [
    "Officials said the Assad regime carried out the chemical attack.",
    "The Syrian government was responsible for the sarin attack, investigators concluded.",
]
IRAQ = [
    "Lavrov said the strike recalls the 2003 invasion of Iraq, launched on false claims of "
    "weapons of mass destruction.",
    "Critics compared the rush to war with the 2003 Iraq invasion built on faulty intelligence.",
]
FILLER = [
    "Markets in the region were calm on Friday.",
    "The foreign ministers will meet again next week.",
    "Diplomats at the United Nations Security Council discussed a draft resolution.",
    "Turkey and Russia held talks about a ceasefire in the north.",
    "Refugees continued to arrive at the border crossing.",
]


def make_documents(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    outlets = list(OUTLETS)
    for i in range(60):
        outlet = outlets[i % len(outlets)]
        strike = i % 2 == 1
        day = pd.Timestamp("2017-04-07" if strike else "2017-04-04") + pd.Timedelta(
            days=int(rng.integers(0, 4)))
        pool = STRIKE if strike else ATTACK
        sentences = list(rng.choice(pool, size=3, replace=False))
        sentences += list(rng.choice(FILLER, size=2, replace=False))
        if OUTLETS[outlet] == "hawks" or rng.random() < 0.3:
            sentences.append(str(rng.choice(BLAME)))
        if OUTLETS[outlet] == "doves" and rng.random() < 0.7:
            sentences.append(str(rng.choice(IRAQ)))
        rng.shuffle(sentences)
        title = "Missile strike on Syrian air base" if strike else "Gas attack in Idlib"
        rows.append({"id": f"d{i:02d}", "outlet": outlet, "date": day.strftime("%Y-%m-%d"),
                     "title": HOSTILE_TITLE if i == 0 else title, "text": " ".join(sentences),
                     "url": f"https://example.org/{i}"})
    return pd.DataFrame(rows)


GROUPINGS = """
[fixture]
description = "Invented outlets in three invented groups."
""" + "".join(f"""
[[fixture.group]]
name = "{group}"
outlet = [{", ".join(f'"{o}"' for o, g in OUTLETS.items() if g == group)}]
""" for group in dict.fromkeys(OUTLETS.values()))

STUDY = """
[study]
name = "fixture-study"
title = "Fixture study <i>with markup</i>"
description = "An invented corpus that exercises every stage."
seed = 3

[corpus]
corpora = ["articles.csv"]
start = "2017-04-01"
end = "2017-04-30"

[events]
ids = ["khan-shaykhun-2017", "shayrat-strike-2017"]

[groups]
grouping = "fixture"
definitions = "groupings.toml"
reference = "wire"
min_docs = 3

[topics]
scope = "events"
k = 3
select_k = [2, 3]
select_seeds = [0, 1]
min_df = 2

[frames]
codebooks = ["syria-2017", "generic"]

[compare]
n_resamples = 200

[tone]
actors = ["assad", "us"]

[figures]
dpi = 80
"""


def write_study(folder) -> str:
    """Write the fixture corpus, grouping and study config to ``folder``; return the config."""
    from pathlib import Path

    folder = Path(folder)
    make_documents().to_csv(folder / "articles.csv", index=False)
    (folder / "groupings.toml").write_text(GROUPINGS, encoding="utf-8")
    path = folder / "study.toml"
    path.write_text(STUDY, encoding="utf-8")
    return str(path)
