"""Rebuild the sentence models shipped with the codebooks from the hand labels in this folder.

Usage (needs the real corpora; see README.md)::

    FRAMING_DATA=../shared/corpora python tests/labels/build_models.py

The labels refer to sentences by ``(doc_id, sentence)``; the text is read again from the data
home, so no article text is stored in the repository.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd

from framing import load_corpus
from framing.frames import load_codebook
from framing.frames.sentence_model import fit_frame_model, resolve_sentences

HERE = Path(__file__).resolve().parent
CODEBOOKS = HERE.parent.parent / "framing" / "codebooks"
CORPORA = ["allsides-abp", "fa-kes", "dai-newsarticles-2017"]
#: (codebook, frame, label file, model file)
MODELS = [("syria-2017", "blame", "syria2017_blame_sentences.csv", "syria-2017.blame.json")]


def labelled_sentences(documents: pd.DataFrame, label_file: str) -> pd.DataFrame:
    """The labels of ``label_file`` with the text of each sentence."""
    labels = pd.read_csv(HERE / label_file, dtype={"sentence": int, "check": str})
    return resolve_sentences(labels, documents)


def build(documents: pd.DataFrame, out_dir: Path = CODEBOOKS) -> list[Path]:
    """Fit every model of :data:`MODELS` and write it next to its codebook."""
    written = []
    for codebook, frame, label_file, model_file in MODELS:
        frame_ = load_codebook(codebook, require_models=False).frames[frame]
        model = fit_frame_model(frame_, labelled_sentences(documents, label_file))
        model.save(out_dir / model_file)
        written.append(out_dir / model_file)
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    docs = load_corpus(CORPORA).documents
    for path in build(docs):
        sys.stdout.write(f"wrote {path}\n")
