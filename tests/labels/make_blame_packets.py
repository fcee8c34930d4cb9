"""Write the coding packets of the second blame-labelling round (how round 2 was drawn).

Usage (needs the real corpora)::

    FRAMING_DATA=../shared/corpora python tests/labels/make_blame_packets.py OUT_DIR

Pool: every document of the three corpora that names Syria and a chemical attack, is dated
outside the evaluation window (4-20 April 2017), is not a flagship-coded document and has no
round-1 label. The pool is shuffled (seed 20171125) into 6 packets, and 12 round-1 articles
(4 contested, 4 government, 2 none, 2 opposition_or_staged) are hidden among them to measure
agreement. Each packet shows every document (or, past 80 sentences, its first 16 sentences and
each candidate with one neighbour) with the candidate sentences marked: the blame rules'
candidates, at most 25 per document; for the hidden round-1 articles, the sentences labelled in
round 1. ``candidates.csv`` lists what must be labelled, with the sentence checksums.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from build_models import CORPORA, HERE

from framing import load_corpus
from framing.frames import load_codebook
from framing.frames.matching import _sentence_scores, parse_document

CHEMICAL = (r"chemical weapon|chemical attack|sarin|chlorine|nerve agent|poison gas|gas attack"
            r"|toxic gas")
HIDDEN = {"contested": 4, "government": 4, "none": 2, "opposition_or_staged": 2}
PACKETS, CAP, LONG = 6, 25, 80


def _round1(name: str) -> pd.DataFrame:
    labels = pd.read_csv(HERE / name)
    return labels[labels["round"] == 1]


def pool(documents: pd.DataFrame) -> pd.DataFrame:
    published = pd.to_datetime(documents["published"], utc=True, errors="coerce")
    text = documents["title"].fillna("") + " " + documents["text"].fillna("")
    labelled = set(_round1("syria2017_blame_sentences.csv")["doc_id"])
    labelled |= set(_round1("syria2017_blame_articles.csv")["doc_id"])
    labelled |= set(pd.read_csv(HERE.parent / "gold" / "syria2017_hand_codes.csv")["doc_id"])
    keep = (text.str.contains(r"\bSyria") & text.str.contains(CHEMICAL, case=False)
            & published.notna() & ~published.between("2017-04-04", "2017-04-21", inclusive="left")
            & ~documents["doc_id"].isin(labelled))
    return documents[keep].drop_duplicates("title")


def main(out: Path) -> None:
    book = load_codebook("syria-2017")
    frame = book.frames["blame"]
    documents = load_corpus(CORPORA).documents
    round1, articles = (_round1(f"syria2017_blame_{what}.csv") for what in ("sentences",
                                                                            "articles"))
    rng = np.random.default_rng(20171125)
    hidden = [d for label, n in HIDDEN.items()
              for d in rng.choice(articles.loc[articles["blame"] == label, "doc_id"], n,
                                  replace=False)]
    ids = list(pool(documents)["doc_id"])
    rng.shuffle(ids)
    packets = [ids[i::PACKETS] for i in range(PACKETS)]
    for i, doc_id in enumerate(hidden):
        packet = packets[i % PACKETS]
        packet.insert(int(rng.integers(0, len(packet))), doc_id)
    docs, rows = documents.set_index("doc_id"), []
    out.mkdir(parents=True, exist_ok=True)
    for k, packet in enumerate(packets):
        lines = []
        for doc_id in packet:
            doc = docs.loc[doc_id]
            parsed = parse_document(doc["title"], doc["text"], doc_id)
            sentences = [s.text for s in parsed.sentences]
            if doc_id in hidden:
                marked = sorted(round1.loc[round1["doc_id"] == doc_id, "sentence"])
            else:
                marked = [e.sentence for e in _sentence_scores(parsed, frame, book)][:CAP]
            shown = (range(len(sentences)) if len(sentences) <= LONG else sorted(
                set(range(16)) | {j for c in marked for j in (c - 1, c, c + 1)
                                  if 0 <= j < len(sentences)}))
            lines.append(f"\n\n## DOC {doc_id}\noutlet: {doc['outlet']} | published: "
                         f"{str(doc['published'])[:10]} | sentences: {len(sentences)} | "
                         f"candidates to label: {len(marked)}\n")
            last = -1
            for j in shown:
                if j != last + 1:
                    lines.append(f"[... {j - last - 1} sentences omitted ...]")
                lines.append(f"{'**>>** ' if j in marked else ''}[{j}] {sentences[j]}")
                last = j
            if last < len(sentences) - 1:
                lines.append(f"[... {len(sentences) - 1 - last} sentences omitted ...]")
            rows += [{"packet": k, "doc_id": doc_id, "sentence": c, "overlap": doc_id in hidden,
                      "check": hashlib.sha1(sentences[c].encode()).hexdigest()[:8]}
                     for c in marked]
        (out / f"packet_{k}.md").write_text("\n".join(lines), encoding="utf-8")
    pd.DataFrame(rows).to_csv(out / "candidates.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
