"""Flagship comparison table: Iraq-analogy share, blame distribution and top policy frames by
outlet group, for the Khan Shaykhun attack and the Shayrat strike (a script, not a test).

Outlet groups are the ``flagship`` grouping of ``corpora/_outlet_groups.toml`` (AllSides
left/center/right; FA-KES Russian/Syrian-government-aligned and Gulf/Turkish outlets). Frames
come from the deductive codebooks ``syria-2017`` and ``policy``; read their validation figures
(``tests/gold/README.md``) beside these shares: the codes carry measurement error.

Usage: ``FRAMING_DATA=... python benchmarks/flagship_frames.py [--out DIR] [--seed N]``
"""

from __future__ import annotations

import argparse
import logging
import warnings
from pathlib import Path

import pandas as pd

from framing import load_corpus
from framing.compare import compare_shares
from framing.events import assign_events
from framing.frames import code_documents
from framing.groups import assign_groups

FLAGSHIP = ("khan-shaykhun-2017", "shayrat-strike-2017")
N_POLICY = 5
COLUMNS = ["scope", "group", "reference", "feature", "n_docs", "estimate", "ci_low", "ci_high",
           "statistic", "p_value", "p_adjusted", "method"]


def flagship_documents(data_home: str | None) -> pd.DataFrame:
    """Flagship-event documents of AllSides and FA-KES with their best event and outlet group."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = load_corpus(["allsides-abp", "fa-kes"], data_home=data_home).documents
    events = assign_events(docs)
    best = (events[events["event_id"].isin(FLAGSHIP)].sort_values("score", ascending=False)
            .drop_duplicates("doc_id"))
    docs = assign_groups(docs.merge(best[["doc_id", "event_id"]], on="doc_id"))
    return docs[docs["outlet_group"] != ""].reset_index(drop=True)


def compare(frames: pd.DataFrame, docs: pd.DataFrame, seed: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small cells and few clusters are reported in rows
        result = compare_shares(frames, feature="frame", value="label", by="outlet_group",
                                documents=docs, within="event_id", reference="center",
                                random_state=seed)
    return result.table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home")
    parser.add_argument("--out", default="flagship-frames")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    docs = flagship_documents(args.data_home)
    print("## Documents per outlet group and event\n")
    print(docs.groupby(["outlet_group", "event_id"]).size().unstack(fill_value=0).to_markdown())

    syria = code_documents(docs, codebook="syria-2017").table
    policy = code_documents(docs, codebook="policy").table
    present = policy[(policy["label"] == "present") & (policy["frame"] != "primary_frame")]
    top = present["frame"].value_counts().head(N_POLICY).index.tolist()
    parts = {
        "iraq_analogy": syria[syria["frame"] == "iraq_2003_analogy"],
        "blame": syria[syria["frame"] == "blame"],
        "policy_frames": policy[policy["frame"].isin(top)],
    }
    for name, frames in parts.items():
        table = compare(frames, docs, args.seed)
        table.to_csv(out / f"{name}.csv", index=False)
        pooled = table[table["scope"] == "all"]
        print(f"\n## {name} (pooled over the two events; reference group: center)\n")
        print(pooled[[c for c in COLUMNS if c in pooled]].to_markdown(index=False,
                                                                      floatfmt=".3g"))
    print(f"\ntables written to {out}/")


if __name__ == "__main__":
    main()
