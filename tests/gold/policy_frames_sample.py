"""Draw the stratified random sample of flagship articles hand-coded for the 14 policy frames.

The sample behind ``framing/studies/khan-shaykhun-2017.policy-frames.csv`` (see
``POLICY_FRAMES.md``) is drawn from the same population as ``syria2017_hand_codes.csv``: every
article of the corpora ``allsides-abp`` and ``fa-kes`` dated 4-20 April 2017 (inclusive) whose
title or text mentions Syria (case-insensitive ``syria``, which also matches "Syrian"). Nothing
else is excluded (wire copies and duplicates stay in).

Design
------
* 32 articles from ``allsides-abp``, stratified by the outlet's AllSides lean
  (``outlet_lean``: left / center / right);
* 32 articles from ``fa-kes``, stratified by outlet;
* within each corpus the 32 places are allocated to strata in proportion to stratum size
  (largest-remainder rounding, ties broken by stratum name), so the sample is self-weighting
  within a corpus; each stratum is then sampled without replacement with
  :meth:`pandas.DataFrame.sample`, strata visited in sorted order and documents sorted by
  ``doc_id``, all draws from one ``numpy.random.RandomState(SEED)``.

Usage (needs the real corpora)::

    FRAMING_DATA=../shared/corpora python tests/gold/policy_frames_sample.py
    FRAMING_DATA=../shared/corpora python tests/gold/policy_frames_sample.py \\
        --check framing/studies/khan-shaykhun-2017.policy-frames.csv
    FRAMING_DATA=../shared/corpora python tests/gold/policy_frames_sample.py \\
        --write-texts /tmp/policy_tmp

``--write-texts`` writes each sampled article (title and cleaned text) to a directory for
reading; keep that directory outside the repository, which must not hold article text.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from framing import load_corpus

logger = logging.getLogger("policy_frames_sample")

#: Seed of the single random stream used for every stratum.
SEED = 20170404
#: Corpora sampled, with the column that defines the strata and the sample size per corpus.
DESIGN = {"allsides-abp": ("outlet_lean", 32), "fa-kes": ("outlet", 32)}
#: Publication window (inclusive) and the pattern an article must contain.
WINDOW = ("2017-04-04", "2017-04-20")
PATTERN = r"syria"


def population(documents: pd.DataFrame) -> pd.DataFrame:
    """Return the sampling frame: the window's articles that mention Syria.

    Parameters
    ----------
    documents : pandas.DataFrame
        Documents table of :func:`framing.load_corpus` (``corpus``, ``published``, ``title``,
        ``text`` and the stratum columns).

    Returns
    -------
    pandas.DataFrame
        The matching rows of the sampled corpora, sorted by ``doc_id``.
    """
    start, end = (pd.Timestamp(d) for d in WINDOW)
    day = documents["published"].dt.normalize()
    text = documents["title"].fillna("") + " " + documents["text"].fillna("")
    keep = (documents["corpus"].isin(list(DESIGN)) & day.between(start, end)
            & text.str.contains(PATTERN, case=False, regex=True))
    return documents.loc[keep].sort_values("doc_id").reset_index(drop=True)


def allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Allocate ``n`` sample places to strata in proportion to their sizes.

    Largest-remainder (Hamilton) rounding; equal remainders go to the stratum whose name
    sorts first.

    Parameters
    ----------
    sizes : pandas.Series
        Number of documents per stratum, indexed by stratum name.
    n : int
        Total sample size; at most ``sizes.sum()``.

    Returns
    -------
    pandas.Series
        Places per stratum (integers summing to ``n``), indexed and sorted by stratum name.

    Examples
    --------
    >>> allocate(pd.Series({"left": 20, "center": 14, "right": 30}), 32).to_dict()
    {'center': 7, 'left': 10, 'right': 15}
    """
    sizes = sizes.sort_index()
    if n > sizes.sum():
        raise ValueError(f"cannot draw {n} documents from {int(sizes.sum())}")
    quota = sizes * n / sizes.sum()
    places = quota.map(math.floor).astype(int)
    remainder = (quota - places).round(12)
    order = sorted(sizes.index, key=lambda name: (-remainder[name], name))
    for name in order[: n - int(places.sum())]:
        places[name] += 1
    return places


def draw(frame: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """Draw the stratified sample from the sampling frame.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`population`.
    seed : int
        Seed of the ``numpy.random.RandomState`` shared by all strata.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, corpus, stratum, outlet, outlet_lean, published, title`` of the sampled
        articles, in corpus, stratum and ``doc_id`` order.
    """
    rng = np.random.RandomState(seed)
    parts = []
    for corpus in sorted(DESIGN):
        column, n = DESIGN[corpus]
        docs = frame[frame["corpus"] == corpus].sort_values("doc_id")
        strata = docs[column].fillna("").astype(str)
        places = allocate(strata.value_counts(), n)
        for stratum, k in places.items():
            members = docs[strata == stratum]
            logger.info("%s, %s = %r: %d of %d", corpus, column, stratum, k, len(members))
            if k:
                parts.append(members.sample(n=int(k), random_state=rng)
                             .assign(stratum=f"{column}={stratum}"))
    sample = pd.concat(parts, ignore_index=True)
    columns = ["doc_id", "corpus", "stratum", "outlet", "outlet_lean", "published", "title"]
    return sample.sort_values(["corpus", "stratum", "doc_id"])[columns].reset_index(drop=True)


def write_texts(sample: pd.DataFrame, frame: pd.DataFrame, directory: Path) -> None:
    """Write each sampled article (header, title and text) to ``directory`` for reading.

    Files are numbered in sample order (``01_<id>.txt`` ...); the directory must lie outside
    the repository.
    """
    directory.mkdir(parents=True, exist_ok=True)
    texts = frame.set_index("doc_id")
    for i, doc_id in enumerate(sample["doc_id"], start=1):
        row = texts.loc[doc_id]
        name = f"{i:02d}_{doc_id.replace(':', '_')}.txt"
        header = f"{doc_id} | {row['outlet']} | {row['outlet_lean']} | {row['published']:%Y-%m-%d}"
        body = f"{header}\n\n{row['title']}\n\n{row['text']}\n"
        (directory / name).write_text(body, encoding="utf-8")
    logger.info("wrote %d articles to %s", len(sample), directory)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the sampled ``doc_id`` list (one per line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None,
                        help="data home of the corpora (default: $FRAMING_DATA)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", type=Path, default=None,
                        help="hand-code CSV whose doc_id column must equal the sample")
    parser.add_argument("--write-texts", type=Path, default=None,
                        help="directory (outside the repository) to write article texts to")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    documents = load_corpus(list(DESIGN), data_home=args.data_home).documents
    frame = population(documents)
    logger.info("sampling frame: %s", frame.groupby("corpus").size().to_dict())
    sample = draw(frame, seed=args.seed)
    if args.write_texts:
        write_texts(sample, frame, args.write_texts)
    sys.stdout.write("".join(f"{d}\n" for d in sample["doc_id"]))
    if args.check:
        coded = pd.read_csv(args.check, usecols=["doc_id"])["doc_id"]
        missing, extra = set(sample["doc_id"]) - set(coded), set(coded) - set(sample["doc_id"])
        if missing or extra or coded.duplicated().any():
            logger.error("sample and %s differ: %d missing, %d extra, %d duplicated",
                         args.check, len(missing), len(extra), int(coded.duplicated().sum()))
            return 1
        logger.info("%s holds exactly the %d sampled doc_ids", args.check, len(sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
