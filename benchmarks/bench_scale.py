"""Scaling benchmark (issue 9): time and peak memory of every stage, real corpora to 1M articles.

Not a test; run on demand from a checkout with the corpora in the data home::

    FRAMING_DATA=../shared/corpora python benchmarks/bench_scale.py            # real, 10k, 100k, 1M
    FRAMING_DATA=../shared/corpora python benchmarks/bench_scale.py --sizes 10k,100k
    python benchmarks/bench_scale.py --sizes 1M --no-real --timeout 12000      # later, the big one
    python benchmarks/bench_scale.py --sizes 1M --generate-only                # corpora only
    python benchmarks/bench_scale.py --stages vectorise,codebook --sizes 10k
    python benchmarks/bench_scale.py --report-only                             # rewrite the results

Writes to ``--out`` (default ``benchmarks/results``): ``scale.csv`` (one row per stage and size:
seconds, docs/s, peak RSS, status and the reason of any skip), ``scale_exponents.csv``,
``scale_ratios.csv``, ``scale.md`` and ``scale.png``; the topic peer comparison goes to
``topics.csv``/``topics.md`` through ``bench_topics.py``. Rows of earlier runs are kept unless the
same stage and size are run again (``--fresh`` starts over), so a later ``--sizes 1M`` run adds to
the 10k/100k results and the exponents are refitted over every size. Only numbers are written to
the repository; corpora and model files stay in ``--work``.

Corpora
-------
``real``
    The four news corpora (``allsides-abp``, ``fa-kes``, ``dai-newsarticles-2017``, ``basil``)
    loaded with :func:`framing.load_corpus` (cleaned, duplicates flagged but kept), written once
    as Parquet (``doc_id, outlet, published, title, text, url, source_corpus, source_doc_id``).
``r{seed}-{N}``
    ``N`` documents drawn with replacement from ``real`` by ``numpy.random.default_rng(seed)``
    (``rng.choice(n_real, N)``), with new unique ids ``r{seed}-{i:07d}`` and the source id in
    ``source_doc_id``; written partition by partition (``--partition-rows``, default 50,000), so
    that making the 1M corpus holds one partition in memory at a time, and reused while the small
    JSON stamp beside them (seed, size, partition size, checksum of the real table) matches.

Stages (each one in a fresh subprocess)
---------------------------------------
Each stage runs in its own Python process, which reads its input first (not timed) and then
times the stage's call alone (``seconds``; ``docs_per_s = n_docs / seconds``). ``peak_rss_mb`` is
that process's peak resident memory (``getrusage(RUSAGE_SELF).ru_maxrss``) just after the timed
call: it includes the interpreter, the imports and the input table (``input_rss_mb`` is the RSS
before the call, ``base_rss_mb`` after the imports). ``tree_peak_mb`` is the largest sum of the
RSS of the process and its children sampled every 0.25 s over its whole life (it sees worker
processes, and the baselines run after the timed call). ``process_seconds`` is the wall time of
the whole process; ``mean_load`` the mean 1-minute load average of the machine while it ran
(above the number of cores, the stage shared the CPUs and its time is inflated). A process is
stopped at ``--timeout`` seconds (default 3600) or when the sampled memory passes
``--mem-limit-mb`` (default 12,000; the machine this was written on has 24 GB and 2 cores).

``load_cards``
    (real only) ``framing.load_corpus`` of the four cards from their raw CSV files: read, outlet
    metadata, cleaning and duplicate flags across corpora -- what a study pays to load.
``load_clean``
    ``Corpus.from_file(<partitions>, read_options={"format": "parquet"}, flag_duplicates=False)``:
    read, map columns, check rows, outlet metadata and cleaning. Resampled texts were cleaned
    once already (they come from the loaded corpora); cleaning them again costs about the same
    but changes less.
``duplicates``
    :func:`framing.duplicates.find_duplicates` on the loaded table. On resampled corpora nearly
    every document has exact copies (the worst case for the grouping, the best for hashing).
``vectorise``
    ``make_vectorizer("count", min_df=5, max_df=0.5).fit_transform(texts)`` (the default
    vectorizer of ``TopicModel`` and ``select_k``); then, for the ratio, a plain
    ``sklearn.feature_extraction.text.CountVectorizer()`` on the same texts.
``events``
    :func:`framing.assign_events` (a :class:`~framing.events.SeededEventMatcher` fitted on the
    documents and the shipped event definitions).
``topics``
    ``TopicModel(n_components=20, random_state=seed).fit(documents)``: the default NMF,
    including its own vectorisation.
``codebook``
    ``code_documents(documents, codebook="syria-2017")``; then, for the ratio, the naive regex
    baseline of :func:`regex_baseline` on the same documents. Its labels are kept in ``--work``
    for ``compare``.
``classifier``
    ``load_classifier(path).predict_frames(documents)`` with a
    ``FrameClassifier(features=("word",), C=1.0, at_least_one=True, random_state=seed)`` fitted
    once on SemEval-2023 English (the ``word`` configuration of ``bench_classifier.py``) and saved
    with ``.save()`` to ``--work``; loading the model is not timed.
``compare``
    ``compare_shares(doc_frames, feature="frame", value="label", by="outlet", documents=...)`` on
    the codebook labels. Where the codebook stage did not run at a size, the labels are carried
    over from the real corpora through ``source_doc_id`` (coding is per document, so a copy has
    its source's labels; where both exist the two are checked to agree). Its cost grows with the
    number of outlets (about 105, so about 5,500 pairwise contrasts) more than with documents.
``report``
    (real only) ``framing.build_report("khan-shaykhun-2017")`` end to end, with its stage timings
    as ``report.<stage>`` rows. Not a per-document stage: the study keeps a date window, drops
    flagged exact and near duplicates (so a resampled corpus collapses back to at most the 4,133
    distinct articles), and its cost is dominated by model selection and per-event comparisons.
``topic_peers``
    ``bench_topics.peer_benchmark`` (framing's topic models vs gensim ``LdaMulticore`` and tomotopy
    ``LDAModel`` on the same counts; fit time and NPMI) at the sizes of ``--peer-sizes``; rows are
    merged into ``topics.csv``/``topics.md``. Left out of the exponent fits (it is several models).
``outofcore``
    ``framing.outofcore.process_corpus(<partitions>, out_dir, codebooks=("syria-2017",),
    classifier=<model>, chunk_size=...)``: load, clean, codebook frames and classifier in chunks,
    plus the per-step timings it reports (``outofcore.<step>`` rows). Reports "not available"
    while ``framing.outofcore`` does not exist; ``--no-out-of-core`` leaves it out.

``stream_vectorise``
    ``framing.topics.streaming.spool_counts(<partitions>, min_df=5, max_df=0.5)`` (the counting
    pass: ``doc_id``/``text`` read ``--chunk-size`` rows at a time, tokenised once, counts spooled
    to ``--work``/spool in blocks of 1,024 documents, vocabulary pruned as ``vectorise`` prunes
    it), then every block read back as pruned counts; ``stream_vectorise.count`` and
    ``stream_vectorise.read_counts`` time the two parts. Never holds the documents table.
``stream_topics``
    ``StreamingTopicModel(n_components=20, random_state=seed).fit(<partitions>, out_dir=...)``:
    counting, MiniBatchNMF ``partial_fit`` epochs and the ``doc_topics`` Parquet partitions
    (written to ``--work``/stream_topics); ``stream_topics.counting``/``.model``/``.doc_topics``
    rows time the passes. On the real corpora it then fits the in-memory default NMF and
    ``minibatch-nmf`` on the same documents and records their NPMI (top 10 terms, document
    co-occurrence on the real documents) against the streamed model's in ``scale_ratios.csv``.
``stream_events``
    ``framing.events.streaming.stream_events(<partitions>, out_dir, chunk_size=--chunk-size)``:
    the counting pass, then the scoring pass that writes the assignments as Parquet partitions
    (``stream_events.count``/``.score``). On the real corpora it also runs ``assign_events`` on
    the same documents and fails unless the two tables are exactly equal.

In-memory stages are skipped above a size, with the reason in ``scale.csv``, when the estimate
from the largest smaller size already measured says that the process would pass the memory
limit (linear growth of the memory above ``base_rss_mb``) or the time limit (growth with the
fitted exponent, at least 1 and at most 2.5); ``--force`` runs them anyway (the limits still stop
them). ``scale.md`` shows what the next size (1M) would do under the same rule.

Results
-------
``scale_exponents.csv``: ``b`` of ``seconds ~ a * n_docs ** b`` by least squares on log-log over
every size a stage ran at (with R^2), the pairwise exponent ``log(t2/t1) / log(n2/n1)`` between
the two largest sizes, and ``b_100k_1m`` between 100k and 1M when both exist. Fixed costs (loading
a codebook or a model, building event profiles) flatten the exponent at small sizes; the pairwise
exponent between the largest sizes is the better guide to what comes next.

``scale_ratios.csv``: side-by-side timings in one process on the same data: framing's
vectoriser / ``CountVectorizer()`` (and vocabulary sizes), codebook coding / the regex baseline
(and the share of documents each flags), framing's default topic model / the fastest peer (and the
NPMI difference, from ``topics.csv``).

Caveats
-------
* Resampled corpora repeat each real article about N / 4,133 times: vocabularies stop growing,
  duplicate detection sees mostly exact copies, and co-occurrence statistics (NPMI) are inflated.
  They measure throughput, not the behaviour of a million distinct articles.
* Timings vary with machine load and with the working tree of ``framing/`` at the time (other work
  may change it; ``scale.md`` records the commit and the modified files): run twice before quoting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPORA = ["allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil"]
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PARTITION_ROWS = 50_000
COLUMNS = ["doc_id", "outlet", "published", "title", "text", "url", "source_corpus",
           "source_doc_id"]
K = 20
CODEBOOK = "syria-2017"
STUDY = "khan-shaykhun-2017"
CLASSIFIER_PARAMS = dict(features=("word",), C=1.0, at_least_one=True)
POLL_SECONDS = 0.25
CSV_COLUMNS = ["stage", "size", "corpus", "n_docs", "seconds", "docs_per_s", "peak_rss_mb",
               "input_rss_mb", "base_rss_mb", "tree_peak_mb", "process_seconds", "cpu_seconds",
               "mean_load", "status", "reason", "run_date"]
RATIO_COLUMNS = ["comparison", "size", "n_docs", "framing", "baseline", "framing_seconds",
                 "baseline_seconds", "time_ratio", "framing_docs_per_s", "baseline_docs_per_s",
                 "framing_vocab", "baseline_vocab", "npmi_framing", "npmi_baseline", "npmi_diff",
                 "note"]

logger = logging.getLogger("bench_scale")


@dataclass(frozen=True)
class Stage:
    """A benchmark stage: ``real_only`` stages run on the real corpora only; stages without
    ``fit`` are left out of the exponent fits."""

    name: str
    real_only: bool = False
    fit: bool = True
    in_memory: bool = True


STAGES = {s.name: s for s in [
    Stage("load_cards", real_only=True), Stage("load_clean"), Stage("duplicates"),
    Stage("vectorise"), Stage("events"), Stage("topics"), Stage("codebook"),
    Stage("classifier"), Stage("compare"), Stage("report", real_only=True, fit=False),
    Stage("topic_peers", fit=False), Stage("outofcore", in_memory=False),
    Stage("stream_vectorise", in_memory=False), Stage("stream_topics", in_memory=False),
    Stage("stream_events", in_memory=False)]}
REAL_ONLY_REASON = {
    "load_cards": "real corpora only: reads the raw card files (resampled sizes: load_clean)",
    "report": "not a per-document stage: the study keeps a date window and drops flagged exact/"
              "near duplicates, so a resampled corpus collapses back to <= 4,133 distinct "
              "articles; its cost is model selection and per-event comparisons, not N",
}


# ================================================================================ helpers
def size_label(n: int | None) -> str:
    """``None`` -> ``real``; 10000 -> ``10k``; 1000000 -> ``1M``."""
    if n is None:
        return "real"
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def parse_size(text: str) -> int:
    """``10k``, ``100_000``, ``1M`` -> int."""
    text = text.strip().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    number = text[:-1] if scale > 1 else text
    value = int(float(number) * scale)
    if value < 1:
        raise argparse.ArgumentTypeError(f"size {text!r} must be positive")
    return value


def rss_mb() -> float:
    """Current resident memory of this process in MB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _num(value, default: float = 0.0) -> float:
    """``value`` as a float, ``default`` when missing."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(value) else value


def read_partitions(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All Parquet partitions of ``folder`` in name order, as one table."""
    files = sorted(Path(folder).glob("*.parquet"))
    if not files:
        raise FileNotFoundError(f"{folder}: no Parquet partitions")
    return pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def stamp_path(folder: Path) -> Path:
    """The stamp of a corpus folder sits beside it (``r0-10000.stamp.json``), never inside:
    readers of a folder of partitions take every file in it."""
    folder = Path(folder)
    return folder.with_name(folder.name + ".stamp.json")


def read_stamp(folder: Path) -> dict | None:
    path = stamp_path(folder)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


# ================================================================================ corpora
def make_real(folder: Path) -> dict:
    """Write the four news corpora as one Parquet partition (in a child process)."""
    import framing

    corpus = framing.load_corpus(CORPORA)
    docs = corpus.documents
    table = pd.DataFrame({col: docs[col].fillna("").astype(str)
                          for col in ["doc_id", "outlet", "title", "text", "url"]})
    table.insert(2, "published", docs["published"])
    table["source_corpus"] = docs["corpus"].astype(str)
    table["source_doc_id"] = table["doc_id"]
    digest = hashlib.sha256()
    for doc_id, text in zip(table["doc_id"], table["text"], strict=True):
        digest.update(doc_id.encode() + b"\x00" + text.encode() + b"\x00")
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    table.to_parquet(tmp / "part-00000.parquet", index=False)
    stamp = {"kind": "real", "corpora": CORPORA, "n_docs": len(table),
             "sha256": digest.hexdigest(), "created": _now()}
    stamp_path(folder).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    write_json(stamp_path(folder), stamp)  # last: marks the corpus complete
    return stamp


def make_resampled(real: Path, folder: Path, n: int, seed: int, partition_rows: int) -> dict:
    """Draw ``n`` documents with replacement from ``real``, write them partition by partition."""
    source = read_partitions(real)
    real_stamp = read_stamp(real)
    rng = np.random.default_rng(seed)
    index = rng.choice(len(source), size=n, replace=True)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    width = len(str(max(n - 1, 0)))
    for part, start in enumerate(range(0, n, partition_rows)):
        rows = index[start:start + partition_rows]
        chunk = source.iloc[rows].reset_index(drop=True)
        chunk["doc_id"] = [f"r{seed}-{i:07d}" for i in range(start, start + len(rows))]
        chunk[COLUMNS].to_parquet(tmp / f"part-{part:05d}.parquet", index=False)
        del chunk
        logger.info("wrote partition %d (%d rows, up to %s)", part, len(rows),
                    f"{start + len(rows):0{width}d}")
    stamp = {"kind": "resampled", "seed": seed, "n_docs": n, "partition_rows": partition_rows,
             "source_n_docs": len(source), "source_sha256": real_stamp["sha256"],
             "n_partitions": math.ceil(n / partition_rows), "distinct_sources":
             int(len(np.unique(index))), "created": _now()}
    stamp_path(folder).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(tmp, folder)
    write_json(stamp_path(folder), stamp)  # last: marks the corpus complete
    return stamp


def expected_stamp(real_stamp: dict, n: int, seed: int, partition_rows: int) -> dict:
    return {"kind": "resampled", "seed": seed, "n_docs": n, "partition_rows": partition_rows,
            "source_sha256": real_stamp["sha256"]}


def stamp_matches(stamp: dict | None, expected: dict) -> bool:
    return stamp is not None and all(stamp.get(k) == v for k, v in expected.items())


# ================================================================================ regex baseline
def _cue_regex(text: str) -> str:
    parts = []
    for word in text.split():
        word = word.lstrip("=")
        if len(word) > 1 and word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\w*")
        elif len(word) > 1 and word.startswith("*"):
            parts.append(r"\w*" + re.escape(word[1:]))
        else:
            parts.append(re.escape(word))
    return r"\s+".join(parts)


def regex_baseline(codebook) -> dict[str, re.Pattern]:
    """One case-insensitive alternation per frame over the literal ``match`` cue words of its
    rules (``@lists`` expanded; ``near``/``unless`` cues, windows, weights, negation,
    attribution and thresholds ignored). Frames without rules of their own (voice and stance,
    which qualify another frame's evidence) get none. A frame is present if any cue matches."""
    patterns = {}
    for frame in codebook.frames.values():
        cues = {cue.text for rule in frame.rules for cue in rule.match}
        if cues:
            alternatives = sorted({_cue_regex(c) for c in cues}, key=len, reverse=True)
            patterns[frame.name] = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b",
                                              re.IGNORECASE)
    return patterns


def apply_regex_baseline(patterns: dict[str, re.Pattern], titles, texts) -> dict[str, np.ndarray]:
    """Presence (bool array per frame) of each pattern in ``title + text``."""
    found = {name: np.zeros(len(texts), dtype=bool) for name in patterns}
    for i, (title, text) in enumerate(zip(titles, texts, strict=True)):
        article = f"{title}\n{text}"
        for name, pattern in patterns.items():
            if pattern.search(article) is not None:
                found[name][i] = True
    return found


# ================================================================================ child side
class Context:
    """What a stage function gets: its spec and the documents (read on first use)."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.work = Path(spec["work"])
        self.corpus = Path(spec["corpus_dir"])
        self.label = spec["label"]
        self.seed = spec["seed"]
        self._docs = None
        self.input_rss = None
        self.cpu_seconds = None

    def documents(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The corpus table (``columns``: read only these)."""
        if self._docs is None:
            docs = read_partitions(self.corpus, columns=columns)
            if "published" in docs:
                docs["published"] = pd.to_datetime(docs["published"])
            self._docs = docs
            self.input_rss = rss_mb()
            logger.info("read %d documents (RSS %.0f MB)", len(docs), self.input_rss)
        return self._docs


def timed(ctx: Context, function):
    """Run ``function()``; return its result, wall seconds and peak RSS (MB) right after. The
    call's CPU seconds in this process (all its threads; not child processes) go to
    ``ctx.cpu_seconds``: unlike wall time, they barely move when other jobs share the machine."""
    if ctx.input_rss is None:
        ctx.input_rss = rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    seconds = time.perf_counter() - start
    ctx.cpu_seconds = time.process_time() - cpu
    return result, seconds, peak_mb()


def stage_generate(ctx: Context) -> dict:
    spec = ctx.spec
    start = time.perf_counter()
    if spec["kind"] == "real":
        stamp = make_real(ctx.corpus)
    else:
        stamp = make_resampled(Path(spec["real_dir"]), ctx.corpus, spec["n"], ctx.seed,
                               spec["partition_rows"])
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": peak_mb(),
            "n_docs": stamp["n_docs"], "reason": f"{stamp.get('n_partitions', 1)} partition(s)"}


def stage_train_classifier(ctx: Context) -> dict:
    from framing.frames import FrameClassifier
    from framing.frames.labelled import load_labelled

    corpus = load_labelled("semeval2023-en")
    model = FrameClassifier(random_state=ctx.seed, **CLASSIFIER_PARAMS)
    _, seconds, peak = timed(ctx, lambda: model.fit(corpus.texts.tolist(), corpus.target()))
    model.save(ctx.spec["classifier"])
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(corpus)}


def stage_load_cards(ctx: Context) -> dict:
    import framing

    corpus, seconds, peak = timed(ctx, lambda: framing.load_corpus(CORPORA))
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(corpus),
            "reason": f"{corpus.n_read} rows read, {corpus.n_dropped} dropped"}


def stage_load_clean(ctx: Context) -> dict:
    from framing.corpus import Corpus

    corpus, seconds, peak = timed(ctx, lambda: Corpus.from_file(
        ctx.corpus, read_options={"format": "parquet"}, flag_duplicates=False))
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(corpus),
            "reason": f"{corpus.n_read} rows read, {corpus.n_dropped} dropped"}


def stage_duplicates(ctx: Context) -> dict:
    from framing.duplicates import find_duplicates

    docs = ctx.documents()
    found, seconds, peak = timed(ctx, lambda: find_duplicates(docs))
    kinds = found["kind"].value_counts().to_dict()
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": "flagged: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))}


def stage_vectorise(ctx: Context) -> dict:
    from sklearn.feature_extraction.text import CountVectorizer

    from framing.text import make_vectorizer

    texts = ctx.documents()["text"]
    vec = make_vectorizer("count", min_df=5, max_df=0.5)
    counts, seconds, peak = timed(ctx, lambda: vec.fit_transform(texts))
    vocab = len(vec.vocabulary_)
    del counts
    base = CountVectorizer()
    start = time.perf_counter()
    base.fit_transform(texts)
    base_seconds = time.perf_counter() - start
    n = len(texts)
    ratio = {"comparison": "vectorise: make_vectorizer('count', min_df=5, max_df=0.5) vs "
                           "CountVectorizer()",
             "framing": "framing.text.make_vectorizer", "baseline": "sklearn CountVectorizer()",
             "framing_seconds": seconds, "baseline_seconds": base_seconds,
             "framing_docs_per_s": n / seconds, "baseline_docs_per_s": n / base_seconds,
             "framing_vocab": vocab, "baseline_vocab": len(base.vocabulary_),
             "note": "same texts, same process; the baseline keeps every token of its default "
                     "pattern (no stop words, no min_df)"}
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": n, "ratios": [ratio],
            "reason": f"vocabulary {vocab:,} terms"}


def stage_events(ctx: Context) -> dict:
    import framing

    docs = ctx.documents()
    table, seconds, peak = timed(ctx, lambda: framing.assign_events(docs))
    assigned = table.loc[table["event_id"] != "", "doc_id"].nunique()
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": f"{assigned:,} documents assigned to an event"}


def stage_topics(ctx: Context) -> dict:
    import framing

    docs = ctx.documents()
    model = framing.TopicModel(n_components=K, random_state=ctx.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", framing.DataQualityWarning)
        _, seconds, peak = timed(ctx, lambda: model.fit(docs))
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": f"NMF K={K}, {len(model.vocabulary_):,} terms, {model.n_iter_} iterations"}


def stage_codebook(ctx: Context) -> dict:
    from framing.frames import code_documents, load_codebook

    docs = ctx.documents()
    result, seconds, peak = timed(ctx, lambda: code_documents(docs, codebook=CODEBOOK))
    table = result.table[["doc_id", "frame", "label"]]
    out = Path(ctx.spec["outputs"]) / f"codebook-{ctx.label}.parquet"
    table.to_parquet(out, index=False)
    write_json(out.with_suffix(".json"), read_stamp(ctx.corpus))
    # The naive baseline on the same documents, in the same process.
    book = load_codebook(CODEBOOK)
    start = time.perf_counter()
    patterns = regex_baseline(book)
    found = apply_regex_baseline(patterns, docs["title"].fillna("").astype(str).tolist(),
                                 docs["text"].fillna("").astype(str).tolist())
    base_seconds = time.perf_counter() - start
    n = len(docs)
    wide = table.pivot(index="doc_id", columns="frame", values="label").reindex(docs["doc_id"])
    shares = []
    for name, flags in found.items():
        coded = ~wide[name].isin(["absent", "none"]).to_numpy()
        shares.append(f"{name}: regex {flags.mean():.1%} vs codebook {coded.mean():.1%} of "
                      f"documents, agreement {(flags == coded).mean():.1%}")
    ratio = {"comparison": f"codebook frames: code_documents({CODEBOOK!r}) vs naive regex",
             "framing": "framing.frames.code_documents", "baseline":
             f"one case-insensitive regex alternation per frame ({len(patterns)} of "
             f"{len(book.frames)} frames have cue rules)", "framing_seconds": seconds,
             "baseline_seconds": base_seconds, "framing_docs_per_s": n / seconds,
             "baseline_docs_per_s": n / base_seconds, "note": "; ".join(shares)}
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": n, "ratios": [ratio],
            "reason": f"{len(book.frames)} frames, {len(result.evidence):,} evidence sentences"}


def stage_classifier(ctx: Context) -> dict:
    from framing.frames import load_classifier

    model = load_classifier(ctx.spec["classifier"])
    docs = ctx.documents()
    table, seconds, peak = timed(ctx, lambda: model.predict_frames(docs))
    present = (table["label"] == "present").mean()
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": f"{len(model.classes_)} SemEval frames; {present:.1%} of doc x frame "
                      "present"}


def _codebook_labels(ctx: Context, docs: pd.DataFrame) -> tuple[pd.DataFrame | None, str]:
    outputs = Path(ctx.spec["outputs"])
    own = outputs / f"codebook-{ctx.label}.parquet"
    stamp = read_stamp(ctx.corpus)
    computed = None
    if own.is_file():
        try:
            own_stamp = json.loads(own.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            own_stamp = None
        if own_stamp == stamp:
            computed = pd.read_parquet(own)
    real = outputs / "codebook-real.parquet"
    propagated = None
    if ctx.label != "real" and real.is_file():
        source = pd.read_parquet(real).rename(columns={"doc_id": "source_doc_id"})
        ids = docs[["doc_id", "source_doc_id"]]
        propagated = (ids.merge(source, on="source_doc_id", how="inner", validate="many_to_many")
                      [["doc_id", "frame", "label"]])
    if computed is not None and propagated is not None:
        a = computed.sort_values(["doc_id", "frame"]).reset_index(drop=True)
        b = propagated.sort_values(["doc_id", "frame"]).reset_index(drop=True)
        same = a.equals(b)
        return computed, ("labels coded at this size; carried-over real labels "
                          f"{'agree' if same else 'DIFFER'}")
    if computed is not None:
        return computed, "labels coded at this size"
    if propagated is not None:
        return propagated, "labels carried over from the real corpora via source_doc_id"
    return None, "needs codebook labels: run the codebook stage (at least on the real corpora)"


def stage_compare(ctx: Context) -> dict:
    import framing

    docs = ctx.documents(columns=["doc_id", "outlet", "source_doc_id"])
    labels, note = _codebook_labels(ctx, docs)
    if labels is None:
        return {"status": "skipped", "reason": note}
    docs = docs[["doc_id", "outlet"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, seconds, peak = timed(ctx, lambda: framing.compare_shares(
            labels, feature="frame", value="label", by="outlet", documents=docs,
            random_state=ctx.seed))
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": f"{note}; {docs['outlet'].nunique()} outlets, {len(result.table):,} rows"}


def stage_report(ctx: Context) -> dict:
    import framing

    out = ctx.work / "report" / ctx.label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result, seconds, peak = timed(ctx, lambda: framing.build_report(STUDY, out))
    corpus = result.study.stages["corpus"].objects
    n_docs = len(corpus["documents"])
    sub = {f"report.{k}": v for k, v in result.timings.items()}
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": n_docs, "substages": sub,
            "reason": f"study {STUDY}: {corpus['corpus'].n_read:,} rows read, {n_docs:,} "
                      f"documents in the window, {len(corpus['event_documents']):,} event "
                      "documents; not a per-document stage"}


def stage_topic_peers(ctx: Context) -> dict:
    sys.path.insert(0, str(HERE))
    import bench_topics

    docs = ctx.documents()
    partial = Path(ctx.spec["outputs"]) / f"topic_peers-{ctx.label}.csv"
    partial.unlink(missing_ok=True)
    corpus_name = "real" if ctx.label == "real" else f"resampled-{ctx.label}"

    def keep(row: dict) -> None:
        pd.DataFrame([row]).to_csv(partial, mode="a", header=not partial.exists(), index=False)

    models = ctx.spec.get("peer_models")
    table, seconds, peak = timed(ctx, lambda: bench_topics.peer_benchmark(
        docs, label=corpus_name, models=models, on_row=keep))
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": len(docs),
            "reason": f"{len(table)} models incl. one shared vectorisation; see topics.md"}


def stage_outofcore(ctx: Context) -> dict:
    try:
        from framing.outofcore import process_corpus
    except ImportError as exc:
        return {"status": "not available",
                "reason": f"framing.outofcore cannot be imported ({exc})"}
    from framing.frames import load_classifier

    model = load_classifier(ctx.spec["classifier"])
    out = ctx.work / "outofcore" / ctx.label
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    workers = int(ctx.spec.get("dask_workers") or 0)
    client = cluster = None
    if workers:  # started before the timing: a cluster is set up once per session
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        result, seconds, peak = timed(ctx, lambda: process_corpus(
            ctx.corpus, out, codebooks=(CODEBOOK,), classifier=model,
            chunk_size=ctx.spec["chunk_size"], clean=True, format="parquet", client=client,
            progress=False))
    finally:
        if client is not None:
            client.close()
            cluster.close()
    sub = {}
    timings = getattr(result, "timings", None)
    if isinstance(timings, pd.Series):
        timings = timings.to_dict()
    if isinstance(timings, pd.DataFrame):
        logger.info("timings table:\n%s", timings)
        num = timings.select_dtypes("number")
        if len(timings.columns) >= 2 and not num.empty:
            timings = dict(zip(timings.iloc[:, 0].astype(str), num.iloc[:, -1], strict=True))
        else:
            timings = {}
    if isinstance(timings, dict):
        sub = {f"outofcore.{k}": float(v) for k, v in timings.items()
               if isinstance(v, (int, float, np.number))}
    try:
        logger.info("summary:\n%s", result.summary())
    except Exception as exc:  # the API is new: a failing summary must not lose the timing
        logger.warning("summary() failed: %r", exc)
    n_docs = read_stamp(ctx.corpus)["n_docs"]
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": n_docs, "substages": sub,
            "reason": f"chunk_size {ctx.spec['chunk_size']}, "
                      f"{f'{workers} Dask worker processes' if workers else 'no Dask client'}; "
                      "peak_rss_mb is the driver only, tree_peak_mb adds the workers"}


def _spool_dir(ctx: Context) -> Path:
    folder = ctx.work / "spool"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage_stream_vectorise(ctx: Context) -> dict:
    from framing.topics.streaming import spool_counts

    def run() -> dict:
        with spool_counts(ctx.corpus, min_df=5, max_df=0.5, chunk_size=ctx.spec["chunk_size"],
                          spool_dir=_spool_dir(ctx)) as spool:
            start, nnz = time.perf_counter(), 0
            for _, counts in spool.iter_blocks():
                nnz += counts.nnz
            return {"n_docs": spool.n_documents, "terms": spool.n_terms,
                    "seen": spool.n_seen_terms, "nnz": nnz, "count": spool.seconds,
                    "read_counts": time.perf_counter() - start, "blocks": spool.n_blocks}

    out, seconds, peak = timed(ctx, run)
    return {"seconds": seconds, "peak_rss_mb": peak, "n_docs": out["n_docs"],
            "substages": {"stream_vectorise.count": out["count"],
                          "stream_vectorise.read_counts": out["read_counts"]},
            "reason": f"vocabulary {out['terms']:,} terms of {out['seen']:,} seen; "
                      f"{out['nnz']:,} non-zero counts in {out['blocks']} blocks; chunk_size "
                      f"{ctx.spec['chunk_size']}; documents never held in memory"}


def _npmi_ratios(ctx: Context, model, seconds: float) -> list[dict]:
    """Real corpora only: the in-memory NMF and minibatch-nmf on the same documents, NPMI of
    each against the streamed model's (top 10 terms, document co-occurrence)."""
    import framing

    docs = read_partitions(ctx.corpus, columns=["doc_id", "text"])
    streamed = float(model.coherence(docs).mean())
    ratios = []
    for method in ("nmf", "minibatch-nmf"):
        memory = framing.TopicModel(n_components=K, method=method, random_state=ctx.seed)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            memory.fit(docs)
        base_seconds = time.perf_counter() - start
        npmi = float(memory.coherence(docs).mean())
        ratios.append({
            "comparison": f"stream_topics: streamed MiniBatchNMF vs in-memory {method}, "
                          f"K={K}",
            "framing": "framing.topics.StreamingTopicModel",
            "baseline": f"framing.TopicModel(method={method!r})", "framing_seconds": seconds,
            "baseline_seconds": base_seconds, "framing_docs_per_s": len(docs) / seconds,
            "baseline_docs_per_s": len(docs) / base_seconds,
            "framing_vocab": len(model.vocabulary_), "baseline_vocab": len(memory.vocabulary_),
            "npmi_framing": streamed, "npmi_baseline": npmi, "npmi_diff": streamed - npmi,
            "note": f"same documents and vectorizer settings (vocabularies equal: "
                    f"{list(model.vocabulary_) == list(memory.vocabulary_)}); streamed "
                    f"{model.n_iter_} epochs / {model.n_steps_} steps including counting and "
                    f"the doc_topics write, in-memory {memory.n_iter_} iterations; NPMI of the "
                    "top 10 terms by document co-occurrence on these documents"})
    return ratios


def stage_stream_topics(ctx: Context) -> dict:
    from framing.topics.streaming import StreamingTopicModel

    out = ctx.work / "stream_topics" / ctx.label
    shutil.rmtree(out, ignore_errors=True)
    model = StreamingTopicModel(n_components=K, chunk_size=ctx.spec["chunk_size"],
                                spool_dir=_spool_dir(ctx), random_state=ctx.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, seconds, peak = timed(ctx, lambda: model.fit(ctx.corpus, out_dir=out))
    info = json.loads((out / "_doc_topics.json").read_text(encoding="utf-8"))
    result = {"seconds": seconds, "peak_rss_mb": peak, "n_docs": model.n_documents_,
              "substages": {f"stream_topics.{k}": v for k, v in model.timings_.items()},
              "reason": f"MiniBatchNMF K={K} out of core: {len(model.vocabulary_):,} terms, "
                        f"{model.n_iter_} epochs, {model.n_steps_} steps; doc_topics "
                        f"{info['rows']:,} rows in {len(info['partitions'])} partitions"}
    if ctx.label == "real":
        result["ratios"] = _npmi_ratios(ctx, model, seconds)
    return result


def stage_stream_events(ctx: Context) -> dict:
    from framing.events.streaming import EVENTS_INFO, stream_events

    out = ctx.work / "stream_events" / ctx.label
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, seconds, peak = timed(ctx, lambda: stream_events(
            ctx.corpus, out, chunk_size=ctx.spec["chunk_size"], spool_dir=_spool_dir(ctx)))
    info = json.loads((out / EVENTS_INFO).read_text(encoding="utf-8"))
    hits = ", ".join(f"{k} {v:,}" for k, v in info["assigned"].items() if v)
    result = {"seconds": seconds, "peak_rss_mb": peak, "n_docs": info["n_documents"],
              "substages": {f"stream_events.{k}": v for k, v in info["seconds"].items()},
              "reason": f"seeded events out of core: {info['n_terms']:,} terms; assigned: "
                        f"{hits}; {info['unassigned']:,} in no event"}
    if ctx.label == "real":
        # The in-memory matcher on the same documents: the tables must be equal.
        import framing

        docs = read_partitions(ctx.corpus, columns=["doc_id", "published", "title", "text"])
        docs["published"] = pd.to_datetime(docs["published"])
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            memory = framing.assign_events(docs)
        base_seconds = time.perf_counter() - start
        same = pd.read_parquet(out).equals(memory)
        if not same:
            return {"status": "error", "reason": "streamed table differs from assign_events"}
        result["ratios"] = [{
            "comparison": "stream_events vs in-memory assign_events (same documents)",
            "framing": "framing.events.streaming.stream_events",
            "baseline": "framing.assign_events", "framing_seconds": seconds,
            "baseline_seconds": base_seconds, "framing_docs_per_s": len(docs) / seconds,
            "baseline_docs_per_s": len(docs) / base_seconds,
            "note": "tables exactly equal (doc_id, event_id, score)"}]
    return result


CHILD_STAGES = {"generate": stage_generate, "train_classifier": stage_train_classifier,
                "load_cards": stage_load_cards, "load_clean": stage_load_clean,
                "duplicates": stage_duplicates, "vectorise": stage_vectorise,
                "events": stage_events, "topics": stage_topics, "codebook": stage_codebook,
                "classifier": stage_classifier, "compare": stage_compare,
                "report": stage_report, "topic_peers": stage_topic_peers,
                "outofcore": stage_outofcore, "stream_vectorise": stage_stream_vectorise,
                "stream_topics": stage_stream_topics, "stream_events": stage_stream_events}


def child_main(spec_path: str) -> None:
    """Entry point of a stage process: run one stage, write its JSON result."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    if spec.get("data_home"):
        os.environ["FRAMING_DATA"] = spec["data_home"]
    import framing  # noqa: F401  (imports count in base_rss_mb, not in the timing)

    base = rss_mb()
    ctx = Context(spec)
    try:
        out = CHILD_STAGES[spec["stage"]](ctx)
        out.setdefault("status", "ok")
    except Exception as exc:
        logger.exception("stage %s failed", spec["stage"])
        out = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"[:300]}
    out.update(base_rss_mb=base, input_rss_mb=ctx.input_rss, cpu_seconds=ctx.cpu_seconds)
    write_json(Path(spec["result"]), out)


# ================================================================================ parent side
def _tree_rss(proc) -> float:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def _kill_tree(proc) -> None:
    import psutil

    try:
        children = proc.children(recursive=True)
    except psutil.Error:
        children = []
    for p in [*children, proc]:
        try:
            p.kill()
        except psutil.Error:
            pass


def run_child(spec: dict, work: Path, *, timeout: float, mem_limit: float) -> dict:
    """Run one stage in a fresh process, watching its time and memory; return its result."""
    import psutil

    name = f"{spec['stage']}-{spec['label']}"
    (work / "logs").mkdir(parents=True, exist_ok=True)
    (work / "child").mkdir(parents=True, exist_ok=True)
    spec_path = work / "child" / f"{name}.spec.json"
    result_path = work / "child" / f"{name}.json"
    result_path.unlink(missing_ok=True)
    spec = {**spec, "result": str(result_path)}
    write_json(spec_path, spec)
    log_path = work / "logs" / f"{name}.log"
    start = time.perf_counter()
    tree_peak, status, loads = 0.0, None, []
    with open(log_path, "w", encoding="utf-8") as log:
        popen = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child",
                                  str(spec_path)], stdout=log, stderr=subprocess.STDOUT,
                                 cwd=str(ROOT))
        proc = psutil.Process(popen.pid)
        while popen.poll() is None:
            tree_peak = max(tree_peak, _tree_rss(proc))
            loads.append(os.getloadavg()[0])
            elapsed = time.perf_counter() - start
            if elapsed > timeout:
                status = ("timeout", f"stopped after the time limit of {timeout:.0f} s")
            elif tree_peak > mem_limit:
                status = ("memory", f"stopped: memory passed the limit of {mem_limit:.0f} MB")
            if status:
                _kill_tree(proc)
                popen.wait()
                break
            time.sleep(POLL_SECONDS)
    process_seconds = time.perf_counter() - start
    out = {}
    if result_path.is_file():
        out = json.loads(result_path.read_text(encoding="utf-8"))
    if status:
        out.update(status=status[0], reason=status[1])
    elif not out:
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        out = {"status": "error", "reason": f"exit code {popen.returncode}: "
                                            f"{tail[-1] if tail else 'no output'}"[:300]}
    out.update(tree_peak_mb=tree_peak, process_seconds=process_seconds, log=str(log_path),
               mean_load=float(np.mean(loads)) if loads else None)
    logger.info("%s: %s %s", name, out.get("status"),
                f"{out['seconds']:.1f} s" if out.get("seconds") is not None else
                out.get("reason", ""))
    return out


class Runner:
    """Builds the corpora and runs the stages, keeping results of earlier runs."""

    def __init__(self, args):
        self.args = args
        self.work = Path(args.work)
        self.out = Path(args.out)
        self.outputs = self.work / "outputs"
        self.outputs.mkdir(parents=True, exist_ok=True)
        self.classifier = self.work / "classifier" / "semeval2023-en-word.skops"
        self.rows = self._load(self.out / "scale.csv", CSV_COLUMNS, ["stage", "size"])
        self.ratios = self._load(self.out / "scale_ratios.csv", RATIO_COLUMNS,
                                 ["comparison", "size"])
        self.today = dt.date.today().isoformat()

    def _load(self, path: Path, columns: list[str], key: list[str]) -> pd.DataFrame:
        if self.args.fresh or not path.is_file():
            return pd.DataFrame(columns=columns)
        text = {c: str for c in ("stage", "size", "corpus", "status", "reason", "comparison",
                                 "framing", "baseline", "note", "run_date")}
        table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=text)
        return table.reindex(columns=columns)

    # ---------------------------------------------------------------- bookkeeping
    def record(self, stage: str, size: str, corpus: str, result: dict) -> None:
        seconds = result.get("seconds")
        n_docs = result.get("n_docs")
        row = {"stage": stage, "size": size, "corpus": corpus, "n_docs": n_docs,
               "seconds": seconds, "docs_per_s": (n_docs / seconds if seconds and n_docs
                                                  else None),
               "peak_rss_mb": result.get("peak_rss_mb"),
               "input_rss_mb": result.get("input_rss_mb"),
               "base_rss_mb": result.get("base_rss_mb"),
               "tree_peak_mb": result.get("tree_peak_mb"),
               "process_seconds": result.get("process_seconds"),
               "cpu_seconds": result.get("cpu_seconds"),
               "mean_load": result.get("mean_load"),
               "status": result.get("status", "ok"), "reason": result.get("reason", ""),
               "run_date": self.today}
        rows = [row]
        for sub, value in (result.get("substages") or {}).items():
            rows.append({"stage": sub, "size": size, "corpus": corpus, "n_docs": n_docs,
                         "seconds": value, "docs_per_s": n_docs / value if value else None,
                         "status": "ok", "reason": f"part of {stage} (its own timings)",
                         "run_date": self.today})
        new = pd.DataFrame(rows).reindex(columns=CSV_COLUMNS)
        if len(self.rows):
            replaced = {(r["stage"], size) for r in rows}
            stale = [(s, z) in replaced or (str(s).startswith(stage + ".") and z == size)
                     for s, z in zip(self.rows["stage"], self.rows["size"], strict=True)]
            self.rows = pd.concat([self.rows[~np.asarray(stale, dtype=bool)], new],
                                  ignore_index=True)
        else:
            self.rows = new
        for ratio in result.get("ratios") or []:
            self.add_ratio({**ratio, "size": size, "n_docs": n_docs,
                            "time_ratio": ratio["framing_seconds"] / ratio["baseline_seconds"]})
        self.save()

    def add_ratio(self, ratio: dict) -> None:
        new = pd.DataFrame([ratio]).reindex(columns=RATIO_COLUMNS)
        if len(self.ratios):
            same = ((self.ratios["comparison"] == ratio["comparison"])
                    & (self.ratios["size"] == ratio["size"]))
            self.ratios = pd.concat([self.ratios[~same], new], ignore_index=True)
        else:
            self.ratios = new

    def save(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        rows, ratios = self.rows.copy(), self.ratios.copy()
        for table, cols in ((rows, ["n_docs"]), (ratios, ["n_docs", "framing_vocab",
                                                          "baseline_vocab"])):
            for col in cols:
                table[col] = pd.to_numeric(table[col], errors="coerce").round().astype("Int64")
        for table, cols in ((rows, ["seconds", "docs_per_s", "peak_rss_mb", "input_rss_mb",
                                    "base_rss_mb", "tree_peak_mb", "process_seconds",
                                    "cpu_seconds", "mean_load"]),
                            (ratios, ["framing_seconds", "baseline_seconds", "time_ratio",
                                      "framing_docs_per_s", "baseline_docs_per_s",
                                      "npmi_framing", "npmi_baseline", "npmi_diff"])):
            for col in cols:
                table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
        rows["reason"] = rows["reason"].fillna("")
        rows.to_csv(self.out / "scale.csv", index=False, float_format="%.6g")
        ratios.to_csv(self.out / "scale_ratios.csv", index=False, float_format="%.6g")

    # ---------------------------------------------------------------- corpora
    def spec(self, stage: str, label: str, corpus_dir: Path, **more) -> dict:
        return {"stage": stage, "label": label, "corpus_dir": str(corpus_dir),
                "work": str(self.work), "outputs": str(self.outputs), "seed": self.args.seed,
                "classifier": str(self.classifier), "data_home": self.args.data_home,
                "chunk_size": self.args.chunk_size, "dask_workers": self.args.dask_workers,
                "peer_models": (self.args.peer_models.split(",") if self.args.peer_models
                                else None), **more}

    def corpus_dir(self, n: int | None) -> Path:
        name = "real" if n is None else f"r{self.args.seed}-{n}"
        return self.work / "corpora" / name

    def ensure_corpus(self, n: int | None) -> Path | None:
        real = self.corpus_dir(None)
        real_stamp = read_stamp(real)
        if real_stamp is None:
            logger.info("writing the real corpora to %s", real)
            result = run_child(self.spec("generate", "real", real, kind="real"), self.work,
                               timeout=self.args.timeout, mem_limit=self.args.mem_limit_mb)
            self.record("generate", "real", "real", result)
            real_stamp = read_stamp(real)
            if real_stamp is None:
                raise SystemExit(f"could not write the real corpora: {result.get('reason')}")
        if n is None:
            return real
        folder = self.corpus_dir(n)
        expected = expected_stamp(real_stamp, n, self.args.seed, self.args.partition_rows)
        if stamp_matches(read_stamp(folder), expected):
            logger.info("reusing %s", folder)
            return folder
        logger.info("writing %d resampled documents to %s", n, folder)
        result = run_child(self.spec("generate", size_label(n), folder, kind="resampled", n=n,
                                     real_dir=str(real),
                                     partition_rows=self.args.partition_rows),
                           self.work, timeout=self.args.timeout,
                           mem_limit=self.args.mem_limit_mb)
        self.record("generate", size_label(n), "resampled", result)
        if not stamp_matches(read_stamp(folder), expected):
            logger.error("could not write %s: %s", folder, result.get("reason"))
            return None
        return folder

    def ensure_classifier(self) -> bool:
        sidecar = self.classifier.with_name(self.classifier.name + ".sha256")
        if self.classifier.is_file() and sidecar.is_file():
            return True
        self.classifier.parent.mkdir(parents=True, exist_ok=True)
        logger.info("training the SemEval-2023 word classifier once")
        result = run_child(self.spec("train_classifier", "semeval2023-en", self.corpus_dir(None)),
                           self.work, timeout=self.args.timeout,
                           mem_limit=self.args.mem_limit_mb)
        self.record("train_classifier", "semeval2023-en", "labelled", result)
        return self.classifier.is_file()

    # ---------------------------------------------------------------- estimates
    def estimate(self, stage: str, n_docs: int) -> dict | None:
        """Memory and process time of ``stage`` on ``n_docs`` documents, extrapolated from the
        largest smaller size it ran at (None: no such run). Memory above ``base_rss_mb`` grows
        linearly; time with the stage's fitted exponent, at least 1 (a smaller fitted exponent
        comes from fixed costs that stop mattering at large N) and at most 2.5."""
        done = self.rows[(self.rows["stage"] == stage) & (self.rows["status"] == "ok")]
        done = done[pd.to_numeric(done["n_docs"], errors="coerce") < n_docs]
        if done.empty:
            return None
        done = done.assign(n=pd.to_numeric(done["n_docs"])).sort_values("n")
        last = done.iloc[-1]
        growth = n_docs / last["n"]
        base = _num(last["base_rss_mb"])
        peak = max(_num(last["peak_rss_mb"]), _num(last["tree_peak_mb"]))
        b = 1.0
        if len(done) >= 2:
            b = float(np.clip(np.polyfit(np.log(done["n"]),
                                         np.log(pd.to_numeric(done["seconds"])), 1)[0], 1.0,
                              2.5))
        before = _num(last["process_seconds"], _num(last["seconds"]))
        return {"from_n": int(last["n"]), "from_peak": peak,
                "memory": base + (peak - base) * growth, "from_seconds": before,
                "seconds": before * growth ** b, "b": b}

    def estimate_skip(self, stage: str, n_docs: int) -> str | None:
        """Why ``stage`` should not run on ``n_docs`` documents (None: run it)."""
        if self.args.force or not STAGES[stage].in_memory:
            return None
        est = self.estimate(stage, n_docs)
        if est is None:
            return None
        if est["memory"] > self.args.mem_limit_mb:
            return (f"skipped: est. memory {est['memory']:,.0f} MB > limit "
                    f"{self.args.mem_limit_mb:,.0f} MB (linear from {est['from_n']:,} docs at "
                    f"{est['from_peak']:,.0f} MB)")
        if est["seconds"] > self.args.timeout:
            return (f"skipped: est. time {est['seconds']:,.0f} s > time limit "
                    f"{self.args.timeout:,.0f} s (from {est['from_n']:,} docs at "
                    f"{est['from_seconds']:,.0f} s, exponent {est['b']:.2f}); --force or a "
                    "larger --timeout runs it")
        return None

    def outlook(self, n_docs: int) -> pd.DataFrame:
        """What a run at ``n_docs`` would do under the current limits (stages not yet run
        there)."""
        rows = []
        ran = set(self.rows.loc[pd.to_numeric(self.rows["n_docs"], errors="coerce") == n_docs,
                                "stage"])
        for stage, spec in STAGES.items():
            if spec.real_only or stage == "topic_peers" or stage in ran:
                continue
            est = self.estimate(stage, n_docs)
            if est is None:
                continue
            if spec.in_memory:
                memory = f"{est['memory']:,.0f}"
                force, self.args.force = self.args.force, False
                decision = self.estimate_skip(stage, n_docs) or "runs"
                self.args.force = force
            else:
                measured = self.rows[(self.rows["stage"] == stage)
                                     & (self.rows["status"] == "ok")]
                memory = "chunked; measured " + " / ".join(
                    f"{_num(v):,.0f}" for v in measured["tree_peak_mb"])
                decision = "runs"
                if est["seconds"] > self.args.timeout:
                    decision = (f"runs, but passes --timeout {self.args.timeout:,.0f} s: give "
                                f"--timeout {math.ceil(est['seconds'] * 1.5 / 600) * 600:,}")
            rows.append({"stage": stage, "from": f"{est['from_n']:,} docs",
                         "exponent": f"{est['b']:.2f}",
                         "est_seconds": f"{est['seconds']:,.0f}",
                         "est_memory_mb": memory,
                         "decision": decision.removeprefix("skipped: ")})
        return pd.DataFrame(rows)

    # ---------------------------------------------------------------- run
    def run(self, sizes: list[int | None], stages: list[str]) -> None:
        for n in sizes:
            label = size_label(n)
            kind = "real" if n is None else "resampled"
            folder = self.ensure_corpus(n)
            if self.args.generate_only:
                continue
            if folder is None:
                for stage in stages:
                    self.record(stage, label, kind, {"status": "error",
                                                     "reason": "corpus could not be written"})
                continue
            n_docs = read_stamp(folder)["n_docs"]
            for stage in stages:
                spec = STAGES[stage]
                if spec.real_only and n is not None:
                    self.record(stage, label, kind, {"status": "skipped", "n_docs": n_docs,
                                                     "reason": REAL_ONLY_REASON[stage]})
                    continue
                if stage == "topic_peers" and label not in self.args.peer_sizes:
                    self.record(stage, label, kind, {
                        "status": "skipped", "n_docs": n_docs,
                        "reason": f"not in --peer-sizes ({','.join(self.args.peer_sizes)})"})
                    continue
                if stage in ("classifier", "outofcore") and not self.ensure_classifier():
                    self.record(stage, label, kind, {"status": "error", "n_docs": n_docs,
                                                     "reason": "the classifier could not be "
                                                               "trained"})
                    continue
                why = self.estimate_skip(stage, n_docs)
                if why:
                    logger.info("%s-%s: %s", stage, label, why)
                    self.record(stage, label, kind, {"status": "skipped", "n_docs": n_docs,
                                                     "reason": why})
                    continue
                logger.info("running %s on %s (%s documents)", stage, label, f"{n_docs:,}")
                result = run_child(self.spec(stage, label, folder), self.work,
                                   timeout=self.args.timeout, mem_limit=self.args.mem_limit_mb)
                result.setdefault("n_docs", n_docs)
                self.record(stage, label, kind, result)
                if stage == "topic_peers":
                    self.merge_topics(label)

    def merge_topics(self, label: str) -> None:
        partial = self.outputs / f"topic_peers-{label}.csv"
        if not partial.is_file():
            return
        sys.path.insert(0, str(HERE))
        import bench_topics

        bench_topics.write_topic_results(pd.read_csv(partial), self.out)


# ================================================================================ results
def fit_exponents(rows: pd.DataFrame) -> pd.DataFrame:
    """``b`` of ``seconds ~ a * n ** b`` per stage (log-log least squares) and pairwise ones."""
    ok = rows[(rows["status"] == "ok") & rows["stage"].map(
        lambda s: STAGES.get(str(s).split(".")[0], Stage("x")).fit)]
    ok = ok[~ok["stage"].isin(["generate", "train_classifier"])]
    out = []
    for stage, part in ok.groupby("stage", sort=False):
        part = part.assign(n=pd.to_numeric(part["n_docs"]), t=pd.to_numeric(part["seconds"]))
        part = part[(part["n"] > 0) & (part["t"] > 0)].sort_values("n")
        row = {"stage": stage, "sizes": ",".join(part["size"]), "n_points": len(part),
               "b_fit": np.nan, "a_fit": np.nan, "r2": np.nan, "pair": "", "b_pair": np.nan,
               "b_100k_1m": np.nan, "b_cpu_100k_1m": np.nan}
        if len(part) >= 2:
            x, y = np.log(part["n"].to_numpy()), np.log(part["t"].to_numpy())
            b, a = np.polyfit(x, y, 1)
            resid = y - (a + b * x)
            ss = ((y - y.mean()) ** 2).sum()
            row.update(b_fit=b, a_fit=math.exp(a), r2=1 - (resid ** 2).sum() / ss if ss else np.nan)
            (n1, t1), (n2, t2) = part[["n", "t"]].to_numpy()[-2:]
            row.update(pair=f"{part['size'].iloc[-2]}->{part['size'].iloc[-1]}",
                       b_pair=math.log(t2 / t1) / math.log(n2 / n1))
        by_size = part.set_index("size")
        if {"100k", "1M"} <= set(by_size.index):
            t1, t2 = by_size.loc["100k", "t"], by_size.loc["1M", "t"]
            n1, n2 = by_size.loc["100k", "n"], by_size.loc["1M", "n"]
            row["b_100k_1m"] = math.log(t2 / t1) / math.log(n2 / n1)
            c1, c2 = (pd.to_numeric(by_size.loc[["100k", "1M"], "cpu_seconds"]).tolist()
                      if "cpu_seconds" in by_size else (np.nan, np.nan))
            if c1 > 0 and c2 > 0:  # the same exponent on CPU time, which load barely moves
                row["b_cpu_100k_1m"] = math.log(c2 / c1) / math.log(n2 / n1)
        out.append(row)
    return pd.DataFrame(out)


def topic_ratio_rows(out: Path) -> pd.DataFrame:
    """Ratio rows of the topic peer comparison, from ``topics.csv``."""
    path = out / "topics.csv"
    if not path.is_file():
        return pd.DataFrame(columns=RATIO_COLUMNS)
    sys.path.insert(0, str(HERE))
    import bench_topics

    ratios = bench_topics.peer_ratios(pd.read_csv(path))
    rows = []
    for r in ratios.itertuples():
        size = "real" if r.corpus == "real" else r.corpus.removeprefix("resampled-")
        rows.append({"comparison": f"topics: framing default (NMF) vs fastest peer, K={K}",
                     "size": size, "n_docs": r.n_docs, "framing": r.default_model,
                     "baseline": r.fastest_peer, "framing_seconds": r.default_seconds,
                     "baseline_seconds": r.fastest_peer_seconds, "time_ratio": r.time_ratio,
                     "framing_vocab": r.n_terms, "baseline_vocab": r.n_terms,
                     "npmi_framing": r.default_npmi, "npmi_baseline": r.fastest_peer_npmi,
                     "npmi_diff": r.npmi_diff,
                     "note": f"claim 'no slower than the faster peer at equal or better NPMI' "
                             f"{'holds' if r.holds else 'does not hold'}; most coherent peer "
                             f"{r.best_npmi_peer} (NPMI {r.best_peer_npmi:.3f}, "
                             f"{r.best_peer_seconds:.1f} s); same counts, fit time only"})
    return pd.DataFrame(rows).reindex(columns=RATIO_COLUMNS)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=20).stdout.rstrip("\n")
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    import psutil
    import sklearn

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dirty = [line[3:] for line in _git("status", "--porcelain", "--", "framing").splitlines()]
    return {"cpu": cpu, "cores": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "numpy": np.__version__,
            "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
            "commit": _git("rev-parse", "--short", "HEAD"), "framing_modified": dirty}


def _order(rows: pd.DataFrame) -> pd.DataFrame:
    stage_order = {s: i for i, s in enumerate(["generate", "train_classifier", *STAGES])}
    sizes = rows.assign(_n=pd.to_numeric(rows["n_docs"], errors="coerce"))
    size_n = sizes[sizes["stage"].isin(["load_clean", "generate"])].groupby("size")["_n"].max()
    return (rows.assign(_s=rows["stage"].map(lambda s: (stage_order.get(str(s).split(".")[0], 99),
                                                        str(s))),
                        _z=rows["size"].map(lambda z: (z != "real", size_n.get(z, 0))))
            .sort_values(["_z", "_s"]).drop(columns=["_s", "_z"]))


def _pivot(rows: pd.DataFrame, value: str, fmt: str) -> str:
    table = rows.copy()
    table[value] = pd.to_numeric(table[value], errors="coerce")
    sizes = list(dict.fromkeys(table["size"]))
    wide = table.pivot_table(index="stage", columns="size", values=value, aggfunc="first",
                             sort=False)
    wide = wide.reindex(columns=[s for s in sizes if s in wide.columns])
    wide = wide.reindex(list(dict.fromkeys(table["stage"])))
    cells = wide.map(lambda v: "" if pd.isna(v) else format(v, fmt))
    status = table.set_index(["stage", "size"])["status"].to_dict()
    for stage in cells.index:
        for size in cells.columns:
            s = status.get((stage, size))
            if s and s != "ok" and not cells.loc[stage, size]:
                cells.loc[stage, size] = s
    cells.columns = [f"{c}" for c in cells.columns]
    return cells.reset_index().to_markdown(index=False, disable_numparse=True)


#: For each stage of the issue's list, the measured rows that do its work at 1M documents (the
#: in-memory stages pass the memory limit there) and what the counterpart covers.
AT_1M = {
    "load_clean": (["outofcore.read", "outofcore.checks", "outofcore.clean"],
                   "out of core: the same reader, row checks and clean_documents per chunk"),
    "duplicates": (["outofcore.digest", "outofcore.resolve"],
                   "out of core: exact duplicates by a 64-bit digest ledger (no near duplicates)"),
    "vectorise": (["stream_vectorise"], "spool_counts: the in-memory vocabulary and counts"),
    "events": (["stream_events"], "stream_events: the assign_events table, tested equal"),
    "topics": (["stream_topics"], "StreamingTopicModel (MiniBatchNMF), not the in-memory NMF"),
    "codebook": (["outofcore.code:syria-2017"], "code_documents per chunk: the same table"),
    "classifier": (["outofcore.predict"], "predict_frames per chunk: the same table"),
    "compare": (["compare"], "compare_shares in memory (its input is 5 rows per document)"),
    "outofcore": (["outofcore"], "the whole out-of-core run"),
}


def coverage_table(exponents: pd.DataFrame) -> pd.DataFrame:
    """Each stage's 100k -> 1M exponent, measured on the rows that do its work at 1M."""
    plan = pd.DataFrame([{"stage": stage, "measured at 1M by": name, "how": how}
                         for stage, (names, how) in AT_1M.items() for name in names])
    table = plan.merge(exponents[["stage", "b_100k_1m", "b_cpu_100k_1m"]]
                       .rename(columns={"stage": "measured at 1M by"}),
                       on="measured at 1M by", how="left")
    b = table["b_100k_1m"]
    table["<= 1.15"] = np.where(b.isna(), "", np.where(b <= 1.15, "yes", "NO"))
    return table


def _blank_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Missing numbers as None, which ``to_markdown(missingval="")`` leaves blank."""
    return table.astype(object).where(table.notna(), None)


def write_markdown(rows: pd.DataFrame, exponents: pd.DataFrame, ratios: pd.DataFrame,
                   out: Path, meta: dict, args,
                   runner_outlook: pd.DataFrame | None = None) -> None:
    main = _order(rows[~rows["stage"].isin(["generate", "train_classifier"])])
    plain = main[~main["stage"].str.contains(".", regex=False)]
    subs = main[main["stage"].str.contains(".", regex=False)]
    sizes = (plain.assign(n=pd.to_numeric(plain["n_docs"], errors="coerce"))
             .groupby("size", sort=False)["n"].max())
    lines = [
        "# Scaling benchmark: time and memory per stage, real corpora to resampled 1M", "",
        f"Made by `benchmarks/bench_scale.py` (last run {dt.date.today().isoformat()}; "
        "see its docstring for what each stage runs). Machine: "
        f"{meta['cpu']}, {meta['cores']} cores, {meta['ram_gb']} GB RAM; Python "
        f"{meta['python']}, NumPy {meta['numpy']}, pandas {meta['pandas']}, scikit-learn "
        f"{meta['scikit-learn']}; framing at commit {meta['commit']}"
        + (f" with modified files {', '.join(meta['framing_modified'])} (other work on "
           "`framing/` was in progress: later code may be faster)"
           if meta["framing_modified"] else " (clean working tree)") + ".", "",
        f"Each stage runs in a fresh process; limits {args.timeout:,.0f} s and "
        f"{args.mem_limit_mb:,.0f} MB per process. Sizes: "
        + ", ".join(f"{s} = {int(n):,} documents" for s, n in sizes.items() if pd.notna(n))
        + ". `real` is the four news corpora (allsides-abp, fa-kes, dai-newsarticles-2017, "
          "basil); the others are resampled with replacement from it (seed "
        f"{args.seed}). Rows of earlier runs are kept (`run_date` in `scale.csv`).", "",
        "## Wall seconds of the timed call", "", _pivot(plain, "seconds", ",.1f"), "",
        "## Documents per second", "", _pivot(plain, "docs_per_s", ",.0f"), "",
        "## Peak RSS of the stage process (MB)", "",
        "Includes the interpreter, imports (about `base_rss_mb`) and the input table; "
        "`tree_peak_mb` in `scale.csv` adds child processes.", "",
        _pivot(plain, "peak_rss_mb", ",.0f"), "",
        "## Mean 1-minute load average while the stage ran", "",
        f"{os.cpu_count()} cores: a load above {os.cpu_count()} means the stage shared the CPUs "
        "with other processes and its time is inflated.", "",
        _pivot(plain, "mean_load", ".1f"), ""]
    if not subs.empty:
        lines += ["## Timings reported inside composite stages", "",
                  _pivot(subs, "seconds", ",.1f"), ""]
    notok = plain[plain["status"] != "ok"]
    if not notok.empty:
        lines += ["## Not run, stopped or failed", "",
                  notok[["stage", "size", "status", "reason"]].to_markdown(index=False), ""]
    okrows = plain[plain["status"] == "ok"][["stage", "size", "reason"]]
    okrows = okrows[okrows["reason"].fillna("") != ""]
    if not okrows.empty:
        lines += ["## What each run did", "", okrows.to_markdown(index=False), ""]
    made = _order(rows[rows["stage"].isin(["generate", "train_classifier"])])
    if not made.empty:
        lines += ["## Corpora and model made for the benchmark (once, reused)", "",
                  "`generate` writes a corpus partition by partition; `tree_peak_mb` is the "
                  "largest memory of its process (sampled).", "",
                  made[["stage", "size", "n_docs", "seconds", "peak_rss_mb", "tree_peak_mb",
                        "status", "reason", "run_date"]]
                  .to_markdown(index=False, floatfmt=",.0f", missingval=""), ""]
    lines += ["## Scaling exponents", "",
              "`b_fit`: least squares of log(seconds) on log(n_docs) over every size run; "
              "`b_pair`: log(t2/t1)/log(n2/n1) between the two largest sizes run; `b_100k_1m` "
              "between 100k and 1M (empty until both ran). b = 1 is linear. With the real corpora "
              "as the smallest size, fixed costs pull `b_fit` below the asymptotic exponent.", ""]
    if exponents.empty:
        lines += ["No stage ran at two sizes yet.", ""]
    else:
        shown = _blank_missing(exponents)
        lines += [shown.to_markdown(index=False, floatfmt=".3g", missingval=""), ""]
    if not exponents.empty:
        lines += ["## Every stage from 100k to 1M documents", "",
                  "The in-memory stages hold the whole table and pass the memory limit at 1M "
                  "(see the skips above); the rows below do the same work out of core, or, for "
                  "`compare`, in memory on a table that stays small. `report` is not a "
                  "per-document stage (see its row). `b_cpu_100k_1m` uses CPU seconds, which "
                  "other jobs on the machine barely move.", "",
                  _blank_missing(coverage_table(exponents)).to_markdown(
                      index=False, floatfmt=".3f", missingval=""), ""]
    lines += ["## Side-by-side ratios (same process, same data)", "",
              "`time_ratio` = framing seconds / baseline seconds (below 1: framing is faster).", ""]
    if ratios.empty:
        lines += ["None measured yet.", ""]
    else:
        shown = ratios.copy()
        formats = {"n_docs": ",.0f", "framing_seconds": ",.2f", "baseline_seconds": ",.2f",
                   "time_ratio": ".2f", "framing_docs_per_s": ",.0f",
                   "baseline_docs_per_s": ",.0f", "framing_vocab": ",.0f",
                   "baseline_vocab": ",.0f", "npmi_framing": ".3f", "npmi_baseline": ".3f",
                   "npmi_diff": "+.3f"}
        cells = shown[["comparison", "size", *formats]].copy()
        for col, fmt in formats.items():
            cells[col] = [("" if pd.isna(v) else format(float(v), fmt))
                          for v in pd.to_numeric(cells[col], errors="coerce")]
        lines += [cells.to_markdown(index=False, disable_numparse=True), ""]
        lines += [f"- {r.comparison} ({r.size}): {r.note}" for r in shown.itertuples()
                  if isinstance(r.note, str) and r.note]
        lines.append("")
    if "1M" not in set(plain["size"]) and runner_outlook is not None and len(runner_outlook):
        lines += ["## Outlook: what `--sizes 1M` would do under these limits", "",
                  "Extrapolated by the rule that decides skips (memory above the imports "
                  "linear in N; process time with the fitted exponent, at least 1). The in-memory "
                  "stages hold the whole documents table (about 5 KB of text per article) and "
                  "their intermediate copies: at 1M that passes the per-process limit, which is "
                  "what the out-of-core stage is for. Out-of-core stages are never skipped, only "
                  "stopped by the time limit.", "",
                  runner_outlook.to_markdown(index=False, disable_numparse=True), ""]
    loads = pd.to_numeric(plain["mean_load"], errors="coerce").dropna()
    lines += ["## Caveats", "",
              "- Resampled corpora repeat each of the 4,133 real articles about N / 4,133 times. "
              "Vocabularies stop growing with N (so vectoriser and topic-model memory grow more "
              "slowly than on N distinct articles), duplicate detection meets mostly exact "
              "copies, and co-occurrence counts (NPMI) are inflated. They measure throughput, "
              "not the behaviour of N distinct articles.",
              "- `load_clean` re-cleans texts that were cleaned once already.",
              "- Caches warm up on a closed vocabulary: the codebook matcher caches the "
              "analysis of each distinct word (`functools.lru_cache`), and on a resampled "
              "corpus almost every word has been seen after the first few thousand documents, "
              "so per-document coding is cheaper than on N distinct articles. The real corpora "
              "pay for a cold cache and the process's fixed costs (loading the codebook and its "
              "sentence model) in a short run.",
              "- `duplicates` (MinHash shingles of every document, held in memory) is skipped "
              "where its memory estimate passes the limit; the out-of-core path flags exact "
              "duplicates only, with a 64-bit digest ledger.",
              "- `compare` by outlet costs what its ~105 outlets cost (about 5,500 pairwise "
              "contrasts per feature), not what its documents cost; it can even get faster with "
              "N, most likely because fewer cells fall below the expected count of 5 that "
              "switches a test from chi-square to an exact or Monte Carlo Fisher test. Its "
              "labels may be carried over from the real corpora (see its rows above).",
              (f"- The mean 1-minute load average over the stages shown was {loads.mean():.1f} "
               f"(range {loads.min():.1f}-{loads.max():.1f}) on {os.cpu_count()} cores: "
               "other work shared the machine, which inflates and scatters the timings."
               if len(loads) else "- No load averages recorded."),
              "- Timings vary with machine load and with the working tree of `framing/`: run "
              "twice before quoting a number. `mean_load` in `scale.csv` is the mean 1-minute "
              "load average while the stage ran (on 2 cores, above 2 means the stage shared "
              "the CPUs with other work).",
              "- `report` runs on the real corpora only (see its row for why it is not a "
              "per-document stage); `topic_peers` is summarised in `topics.md`.", ""]
    (out / "scale.md").write_text("\n".join(lines), encoding="utf-8")


def write_plot(rows: pd.DataFrame, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    ok = rows[(rows["status"] == "ok") & ~rows["stage"].str.contains(".", regex=False)
              & ~rows["stage"].isin(["generate", "train_classifier", "report"])].copy()
    if ok.empty:
        return
    for col in ("n_docs", "seconds", "peak_rss_mb"):
        ok[col] = pd.to_numeric(ok[col], errors="coerce")
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    order = [s for s in STAGES if s in set(ok["stage"])]
    sns.lineplot(data=ok, x="n_docs", y="seconds", hue="stage", hue_order=order, marker="o",
                 ax=axes[0], palette="tab10")
    sns.lineplot(data=ok.dropna(subset=["peak_rss_mb"]), x="n_docs", y="peak_rss_mb",
                 hue="stage", hue_order=order, marker="o", ax=axes[1], palette="tab10",
                 legend=False)
    n = np.array(sorted(ok["n_docs"].unique()), dtype=float)
    if len(n) >= 2:
        ref = ok[ok["n_docs"] == n[0]]["seconds"].median()
        axes[0].plot(n, ref * n / n[0], color="grey", linestyle=":", label="linear (b = 1)")
        axes[0].legend(fontsize=8, loc="upper left")
    for ax, title in zip(axes, ["wall seconds of the timed call", "peak RSS of the process (MB)"],
                         strict=True):
        ax.set(xscale="log", yscale="log", xlabel="documents", title=title)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("framing: scaling per stage (real corpora, then resampled)")
    fig.tight_layout()
    fig.savefig(out / "scale.png", dpi=150)
    plt.close(fig)


def write_results(runner: Runner, args) -> None:
    rows = runner.rows
    ratios = runner.ratios
    topics = topic_ratio_rows(runner.out)
    if len(ratios):
        ratios = ratios[~ratios["comparison"].astype(str).str.startswith("topics:")]
    ratios = pd.concat([ratios, topics], ignore_index=True) if len(topics) else ratios
    runner.ratios = ratios.reset_index(drop=True)
    runner.save()
    exponents = fit_exponents(rows)
    exponents.to_csv(runner.out / "scale_exponents.csv", index=False, float_format="%.4g")
    write_markdown(rows, exponents, runner.ratios, runner.out, machine(), args,
                   runner.outlook(1_000_000))
    write_plot(rows, runner.out)
    logger.info("results written to %s", runner.out)


# ================================================================================ main
def main(argv: list[str] | None = None) -> None:
    if argv is None and len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="resampled sizes, e.g. 10k,100k,1M (default: %(default)s)")
    parser.add_argument("--no-real", dest="real", action="store_false",
                        help="leave out the real corpora as the smallest size")
    parser.add_argument("--stages", default="all",
                        help=f"comma-separated subset of {list(STAGES)} (default: all)")
    parser.add_argument("--out-of-core", dest="out_of_core", default=True,
                        action=argparse.BooleanOptionalAction,
                        help="include the outofcore stage in 'all' (default: yes)")
    parser.add_argument("--seed", type=int, default=0, help="resampling and model seed")
    parser.add_argument("--work", default="/work/scratch/scale",
                        help="corpora, model, logs and outputs (default: %(default)s)")
    parser.add_argument("--out", default=str(HERE / "results"), help="results folder")
    parser.add_argument("--data-home", default=os.environ.get("FRAMING_DATA"),
                        help="data home of the corpora (default: $FRAMING_DATA)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds per stage process (default: %(default)s)")
    parser.add_argument("--mem-limit-mb", type=float, default=12_000.0,
                        help="memory per stage process (default: %(default)s)")
    parser.add_argument("--partition-rows", type=int, default=PARTITION_ROWS)
    parser.add_argument("--chunk-size", type=int, default=5000, help="outofcore chunk size")
    parser.add_argument("--dask-workers", type=int, default=0,
                        help="outofcore: run on a local Dask cluster of this many worker "
                             "processes (default 0: no client, one process)")
    parser.add_argument("--peer-sizes", default="real,100k",
                        help="sizes of the topic peer comparison (default: %(default)s)")
    parser.add_argument("--peer-models", help="keys of bench_topics.MODELS (default: all)")
    parser.add_argument("--force", action="store_true",
                        help="run stages even when the estimates say they pass the limits")
    parser.add_argument("--fresh", action="store_true", help="forget results of earlier runs")
    parser.add_argument("--generate-only", action="store_true", help="only build the corpora")
    parser.add_argument("--report-only", action="store_true",
                        help="only rewrite scale.md/png/exponents from the CSV files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.data_home:
        os.environ["FRAMING_DATA"] = args.data_home
    args.peer_sizes = [size_label(None) if s.strip() == "real" else size_label(parse_size(s))
                       for s in args.peer_sizes.split(",") if s.strip()]
    sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())
    if args.stages == "all":
        stages = [s for s in STAGES if args.out_of_core or s != "outofcore"]
    else:
        stages = [s.strip() for s in args.stages.split(",") if s.strip()]
        unknown = sorted(set(stages) - set(STAGES))
        if unknown:
            parser.error(f"unknown stages {unknown}; use {list(STAGES)}")
    runner = Runner(args)
    if not args.report_only:
        runner.run(([None] if args.real else []) + sizes, stages)
    write_results(runner, args)


if __name__ == "__main__":
    main()
