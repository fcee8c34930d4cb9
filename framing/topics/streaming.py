"""Out-of-core topic models: vocabulary, counts and MiniBatchNMF over corpora larger than memory.

:class:`StreamingTopicModel` fits the ``minibatch-nmf`` model of :class:`~framing.topics.TopicModel`
on a corpus that is read in chunks, never whole, and writes its ``doc_topics`` table as Parquet
partitions. Memory stays flat as the corpus grows: what is held is one chunk of texts, one block
of counts, the vocabulary and the model (``K x n_terms``).

How it works
------------
1. **Counting** (:func:`spool_counts`, the only pass over the texts). Each document is tokenised
   once by the vectorizer's analyzer (by default ``make_vectorizer("count", min_df=...,
   max_df=...)``, the project tokenizer) and counted exactly as
   :class:`~sklearn.feature_extraction.text.CountVectorizer` counts, with one growing term index
   for the whole corpus. Documents are cut into blocks of ``batch_size`` (independent of how the
   source is chunked) and each block's counts go to a temporary *spool* on disk (``.npz`` files,
   about 8 bytes per distinct term per document). Document and term frequencies are summed as
   the blocks go by.
2. **Vocabulary.** The global frequencies are pruned with ``min_df``, ``max_df`` and
   ``max_features`` by the rules of ``CountVectorizer.fit`` on the whole corpus (terms sorted, the
   same masks, the same ``argsort`` for ``max_features``), so the vocabulary and every count equal
   the in-memory vectorizer's (``tests/test_topics_streaming.py`` checks both). The result is a
   fitted ``CountVectorizer`` (``vocabulary_`` set) and, for tf-idf, a ``TfidfTransformer`` whose
   ``idf_`` comes from the global document frequencies (smooth idf, the same arithmetic as its
   ``fit``). Blocks are remapped to the pruned columns as they are read back.
3. **Model.** ``MiniBatchNMF.partial_fit`` on tf-idf blocks: first on ``batch_size`` documents
   drawn uniformly from the whole corpus (``random_state``; NNDSVDa start, as the in-memory model
   starts on the whole matrix), then ``n_epochs`` passes over every block, in an order shuffled
   per epoch with ``random_state`` (``shuffle=True``; corpora are often sorted by outlet or date,
   and an online fit drifts towards what it saw last). ``forget_factor`` is rescaled to
   ``forget_factor ** (batch_size / n_documents)`` per step, the rate ``MiniBatchNMF.fit`` uses on
   an ``n_documents`` matrix (``partial_fit`` alone would forget at ``forget_factor`` per block).
4. **doc_topics.** A last pass over the spool infers every document's topic proportions
   (``MiniBatchNMF.transform``, normalised as :meth:`TopicModel.doc_topics`), sums the topic
   prevalence and dominant-topic counts, and (with ``out_dir``) writes ``doc_id, topic, weight``
   as Parquet partitions of ``chunk_size`` documents, to a temporary folder renamed into place at
   the end.

The fit depends on the data, its order, the parameters and ``random_state``, not on
``chunk_size``: blocks are cut from the document stream. Two runs with the same inputs write
byte-identical files.

BLAS runs single-threaded during the model passes (``threadpoolctl``): a block is
``batch_size x K``, too small for threads to pay, and on a busy machine the threads cost far more
than they save (on 2 shared cores, in one profiled run on the news corpora, 16 steps and the
last pass took 20 + 9 s with OpenBLAS threads and 3.6 + 1.7 s without).

Exact vocabulary or hashing?
----------------------------
The term index holds every distinct term of the corpus with two counters: about 250 bytes per
term (13 MB for the 56,432 distinct terms of the four news corpora, measured with
``tracemalloc``). It grows with the number of *distinct* terms, not of documents; by Heaps' law a
million distinct news articles hold a few million unigrams (about 0.5-1 GB at that rate), and
word bigrams many more. A ``HashingVectorizer`` would bound it, but it loses the terms themselves
(topic labels need them) and merges colliding terms, so the exact pass is used; with
``ngram_range`` beyond unigrams on very large corpora, watch the number of terms in the log.

The spool needs disk space, about 8 bytes per distinct term per document (9.5 MB for the 4,133
news articles, so 2-3 GB for a million such articles), in ``spool_dir`` (default: the system's
temporary folder); it is deleted when the fit ends, failed or not.

Reading Parquet, memory grows with the size of the input's row groups, not with the corpus:
batches of ``chunk_size`` rows are decoded one at a time, but reading one 50,000-article row
group of the resampled benchmark corpora still peaked at 88 MB of Arrow memory (4,133 articles:
less). Partitions written with row groups of a few thousand documents keep the peak lower.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .._atomic import AtomicDirectory, write_json
from ..errors import EmptyInputError, ParameterError, SchemaError
from ..text import make_vectorizer
from .diagnostics import top_term_indices
from .model import TopicModel, warn_empty_documents

__all__ = ["StreamingTopicModel", "CountSpool", "spool_counts", "DOC_TOPICS_INFO"]

logger = logging.getLogger(__name__)

#: Columns a text pass reads from files.
TEXT_COLUMNS = ("doc_id", "text")

#: Name of the JSON file that describes a ``doc_topics`` output folder.
DOC_TOPICS_INFO = "_doc_topics.json"


# =============================================================================== sources


def _parquet_chunks(files: list[Path], chunk_size: int, columns: tuple[str, ...] = TEXT_COLUMNS
                    ) -> Iterator[pd.DataFrame]:
    """``columns`` of Parquet files (those present; ``text`` is required), ``chunk_size`` rows
    at a time.

    Column chunks are read through a 1 MB buffer instead of whole (``pre_buffer``): a row group
    is decoded batch by batch either way, but pre-buffering holds its compressed text at once
    (on 50,000-article row groups, Arrow's peak fell from 236 to 88 MB)."""
    for path in files:
        handle = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
        names = handle.schema_arrow.names
        if "text" not in names:
            raise SchemaError(f"{path}: no 'text' column (found {names}).")
        for batch in handle.iter_batches(batch_size=chunk_size,
                                         columns=[c for c in columns if c in names]):
            yield batch.to_pandas()


def _source_chunks(source, chunk_size: int, columns: tuple[str, ...] = TEXT_COLUMNS
                   ) -> Iterator[pd.DataFrame]:
    """The chunks (DataFrames with ``text`` and usually ``doc_id``) of any accepted source;
    files are read for ``columns`` only (those present), DataFrames and chunks as they are."""
    from ..outofcore import ProcessResult, iter_chunks

    if isinstance(source, pd.DataFrame):
        for start in range(0, len(source), chunk_size):
            yield source.iloc[start:start + chunk_size]
        return
    if isinstance(source, ProcessResult):
        yield from _parquet_chunks(source.files("documents"), chunk_size, columns)
        return
    if callable(source):
        source = source()
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir() and (path / "_summary.json").is_file() and (path / "documents").is_dir():
            yield from _parquet_chunks(ProcessResult.load(path).files("documents"), chunk_size,
                                       columns)
            return
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.parquet")
                           if not any(part.startswith((".", "_"))
                                      for part in p.relative_to(path).parts))
            if not files:
                raise EmptyInputError(f"{path}: the folder holds no Parquet files.")
            yield from _parquet_chunks(files, chunk_size, columns)
            return
        if path.is_file() and path.suffix == ".parquet":
            yield from _parquet_chunks([path], chunk_size, columns)
            return
        # CSV/TSV/JSONL/Media Cloud files and corpus card names: read with the row checks.
        for chunk in iter_chunks(source, chunk_size=chunk_size):
            yield chunk.data[[c for c in columns if c in chunk.data.columns]]
        return
    if isinstance(source, (list, tuple)) and source and all(
            isinstance(item, (str, os.PathLike)) for item in source):
        for item in source:
            yield from _source_chunks(item, chunk_size, columns)
        return
    if isinstance(source, Iterable):
        for item in source:
            if not isinstance(item, pd.DataFrame):
                raise ParameterError(f"a chunk source yielded {type(item).__name__}; chunks "
                                     "must be DataFrames with a 'text' column.")
            yield item
        return
    raise ParameterError(
        f"cannot read documents from a {type(source).__name__!r} object: give a folder of "
        "Parquet partitions, a process_corpus output (folder or ProcessResult), a file iter_chunks "
        "reads, a DataFrame, or a callable returning an iterator of DataFrame chunks.")


def _blocks(chunks: Iterable[pd.DataFrame], size: int) -> Iterator[pd.DataFrame]:
    """Re-cut a stream of tables into tables of exactly ``size`` rows (the last may be
    shorter), so that what follows does not depend on how the stream was chunked."""
    carry = None
    for frame in chunks:
        if carry is not None:
            frame = pd.concat([carry, frame], ignore_index=True)
        full = len(frame) // size * size
        for start in range(0, full, size):
            yield frame.iloc[start:start + size]
        carry = frame.iloc[full:] if full < len(frame) else None
    if carry is not None:
        yield carry


def _documents(source, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Chunks with ``doc_id`` (default: the running position) and ``text`` (None -> "")."""
    position = 0
    for chunk in _source_chunks(source, chunk_size):
        if "text" not in chunk.columns:
            raise SchemaError(f"a chunk has no 'text' column (found {list(chunk.columns)}).")
        n = len(chunk)
        ids = (chunk["doc_id"].to_numpy() if "doc_id" in chunk.columns
               else np.arange(position, position + n))
        position += n
        texts = chunk["text"].astype(object).where(chunk["text"].notna(), "").astype(str)
        yield pd.DataFrame({"doc_id": ids, "text": texts.to_numpy()})


def _ids(values) -> np.ndarray:
    """Document ids as an array ``np.savez`` and Arrow store without pickling."""
    values = np.asarray(values)
    return values.astype(str) if values.dtype == object else values


# =============================================================================== counting


class CountSpool:
    """Document-term counts of a corpus, spooled to disk in blocks (made by :func:`spool_counts`).

    Attributes
    ----------
    vectorizer : CountVectorizer
        Fitted: its ``vocabulary_`` is the vocabulary the in-memory ``vectorizer.fit`` would
        learn on the whole corpus.
    n_documents : int
    n_blocks : int
    block_size : int
        Documents per block (the last block may hold fewer).
    document_frequency, term_frequency : ndarray of shape (n_terms,)
        Documents holding each term, and its total count, over the corpus.
    n_seen_terms : int
        Distinct terms before pruning.
    seconds : float
        Time of the counting pass.

    Notes
    -----
    Use it as a context manager (or call :meth:`close`): the spool is deleted at the end.
    """

    def __init__(self, folder: Path, vectorizer: CountVectorizer, column_map: np.ndarray | None,
                 n_documents: int, n_blocks: int, block_size: int, document_frequency,
                 term_frequency, n_seen_terms: int, seconds: float):
        self.folder = folder
        self.vectorizer = vectorizer
        self._column_map = column_map
        self.n_documents = n_documents
        self.n_blocks = n_blocks
        self.block_size = block_size
        self.document_frequency = document_frequency
        self.term_frequency = term_frequency
        self.n_seen_terms = n_seen_terms
        self.seconds = seconds

    @property
    def n_terms(self) -> int:
        return len(self.vectorizer.vocabulary_)

    def tfidf_transformer(self) -> TfidfTransformer:
        """A fitted :class:`TfidfTransformer` with the idf of the whole corpus: what the
        vectorizer's own ``fit`` gives on the full count matrix (for a ``TfidfVectorizer`` its
        ``norm``, ``use_idf``, ``smooth_idf`` and ``sublinear_tf``, else the defaults: smooth
        idf, l2 norm), with the same arithmetic in the same dtype."""
        vectorizer = self.vectorizer
        params = ({name: getattr(vectorizer, name)
                   for name in ("norm", "use_idf", "smooth_idf", "sublinear_tf")}
                  if isinstance(vectorizer, TfidfVectorizer) else {})
        transformer = TfidfTransformer(**params)
        if transformer.use_idf:
            dtype = (vectorizer.dtype if vectorizer.dtype in (np.float32, np.float64)
                     else np.float64)
            df = self.document_frequency.astype(dtype)
            df += float(transformer.smooth_idf)
            idf = np.full_like(df, fill_value=self.n_documents + int(transformer.smooth_idf),
                               dtype=dtype)
            idf /= df
            np.log(idf, out=idf)
            idf += 1.0
            transformer.idf_ = idf
        transformer.n_features_in_ = self.n_terms
        return transformer

    def block(self, index: int) -> tuple[np.ndarray, sp.csr_matrix]:
        """Document ids and counts (``n_docs x n_terms``, the vectorizer's dtype) of a block."""
        with np.load(self.folder / f"block-{index:06d}.npz") as f:
            ids, data, indices, indptr = f["ids"], f["data"], f["indices"], f["indptr"]
        n = len(indptr) - 1
        # Entries in CountVectorizer's storage order, so that float sums over a row (norms, dot
        # products) round as in memory: sorted by the term's first appearance in the corpus,
        # then renumbered to the pruned, alphabetical columns without re-sorting.
        raw = sp.csr_matrix((data, indices, indptr), shape=(n, len(self._column_map)
                                                             if self._column_map is not None
                                                             else self.n_terms))
        raw.sort_indices()
        data, indices, indptr = raw.data, raw.indices, raw.indptr
        if self._column_map is not None:
            columns = self._column_map[indices]
            keep = columns >= 0
            rows = np.repeat(np.arange(n), np.diff(indptr))[keep]
            indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
            data, indices = data[keep], columns[keep]
        counts = sp.csr_matrix((data.astype(self.vectorizer.dtype, copy=False), indices, indptr),
                               shape=(n, self.n_terms))
        return ids, counts

    def iter_blocks(self, order: Iterable[int] | None = None
                    ) -> Iterator[tuple[np.ndarray, sp.csr_matrix]]:
        """``(ids, counts)`` of every block, in corpus order or in ``order``."""
        for index in range(self.n_blocks) if order is None else order:
            yield self.block(int(index))

    def rows(self, positions: np.ndarray) -> sp.csr_matrix:
        """Counts of the documents at sorted corpus ``positions`` (one read of their blocks)."""
        parts = []
        for index in np.unique(positions // self.block_size):
            _, counts = self.block(int(index))
            inside = positions[positions // self.block_size == index] - index * self.block_size
            parts.append(counts[inside])
        return sp.vstack(parts, format="csr")

    def close(self) -> None:
        """Delete the spool."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> CountSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"<CountSpool {self.n_documents:,} documents x {self.n_terms:,} terms "
                f"({self.n_seen_terms:,} seen) in {self.n_blocks} blocks at {self.folder}>")


class _Frequencies:
    """Growing per-term counters indexed by first appearance."""

    def __init__(self):
        self.df = np.zeros(1024, dtype=np.int64)
        self.tf = np.zeros(1024, dtype=np.int64)

    def add(self, indices: np.ndarray, values: np.ndarray, n_terms: int) -> None:
        if n_terms > len(self.df):
            size = max(n_terms, 2 * len(self.df))
            self.df = np.concatenate([self.df, np.zeros(size - len(self.df), np.int64)])
            self.tf = np.concatenate([self.tf, np.zeros(size - len(self.tf), np.int64)])
        self.df[:n_terms] += np.bincount(indices, minlength=n_terms)
        self.tf[:n_terms] += np.bincount(indices, weights=values, minlength=n_terms
                                         ).astype(np.int64)


def _count_block(texts, analyze, index: dict, learn: bool, binary: bool):
    """CSR arrays of one block, as ``CountVectorizer._count_vocab`` builds them, with the corpus
    term ``index`` (extended with new terms when ``learn``)."""
    j_indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for text in texts:
        counter: dict[int, int] = {}
        for feature in analyze(text):
            column = index.get(feature)
            if column is None:
                if not learn:
                    continue
                column = index[feature] = len(index)
            counter[column] = counter.get(column, 0) + 1
        j_indices.extend(counter)
        values.extend(counter.values())
        indptr.append(len(j_indices))
    data = np.asarray(values, dtype=np.int32)
    if binary:
        data[:] = 1
    return (data, np.asarray(j_indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64))


def _check_df_limits(vectorizer: CountVectorizer, n_docs: int | None = None
                     ) -> tuple[float, float]:
    """``CountVectorizer.fit``'s document-count limits on ``n_docs`` documents (and its errors,
    as ParameterError); without ``n_docs``, only check the types."""
    limits = []
    for name in ("max_df", "min_df"):
        value = getattr(vectorizer, name)
        if isinstance(value, bool) or not isinstance(value, (Integral, float)) or value < 0 or (
                isinstance(value, float) and value > 1):
            raise ParameterError(f"{name}={value!r}: use a count (int >= 0) or a share of "
                                 "documents (float in [0, 1]).")
        limits.append(value if isinstance(value, Integral) else value * (n_docs or 0))
    high, low = limits
    if n_docs is None:
        return high, low
    if high < low:
        raise ParameterError(f"max_df={vectorizer.max_df!r} allows fewer documents ({high:g}) "
                             f"than min_df={vectorizer.min_df!r} ({low:g}) on {n_docs:,} "
                             "documents; raise max_df or lower min_df.")
    return high, low


def _prune(index: dict, df: np.ndarray, tf: np.ndarray, vectorizer: CountVectorizer,
           n_docs: int) -> tuple[dict, np.ndarray]:
    """The vocabulary ``CountVectorizer.fit`` keeps and a map first-appearance id -> column.

    Terms are sorted, then masked by ``max_df``/``min_df``, then (``max_features``) limited to
    the most frequent with the same ``argsort`` call as scikit-learn's ``_limit_features``, so
    ties break the same way."""
    high, low = _check_df_limits(vectorizer, n_docs)
    terms = sorted(index)
    order = np.fromiter((index[t] for t in terms), dtype=np.int64, count=len(terms))
    dfs, tfs = df[order], tf[order]
    mask = (dfs <= high) & (dfs >= low)
    limit = vectorizer.max_features
    if limit is not None and mask.sum() > limit:
        mask_inds = (-tfs[mask]).argsort()[:limit]
        new_mask = np.zeros(len(dfs), dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    kept = np.where(mask)[0]
    if not len(kept):
        raise ParameterError(f"after pruning with min_df={vectorizer.min_df!r}, max_df="
                             f"{vectorizer.max_df!r} no terms remain of {len(terms):,} on "
                             f"{n_docs:,} documents; lower min_df or raise max_df.")
    column_map = np.full(len(index), -1, dtype=np.int64)
    column_map[order[kept]] = np.arange(len(kept))
    vocabulary = {terms[i]: int(j) for j, i in enumerate(kept)}
    return vocabulary, column_map


def spool_counts(source, vectorizer: CountVectorizer | None = None, *, min_df: int | float = 5,
                 max_df: int | float = 0.5, block_size: int = 1024, chunk_size: int = 5000,
                 spool_dir=None) -> CountSpool:
    """Count the terms of a corpus in one streaming pass and learn its vocabulary.

    Parameters
    ----------
    source : chunk source
        A folder of Parquet partitions (e.g. ``process_corpus``'s ``documents/``) or a Parquet
        file (only ``doc_id`` and ``text`` are read, ``chunk_size`` rows at a time); the output
        folder of :func:`~framing.outofcore.process_corpus` or its
        :class:`~framing.outofcore.ProcessResult`; a CSV/TSV/JSONL file or a corpus card name
        (read by :func:`~framing.outofcore.iter_chunks`, with its row checks); a DataFrame; an
        iterable of DataFrame chunks or a zero-argument callable returning one. Chunks need a
        ``text`` column; ``doc_id`` defaults to the running position. Read once.
    vectorizer : CountVectorizer, optional
        Its analyzer tokenises and its ``min_df``, ``max_df`` and ``max_features`` prune, as in
        :class:`~framing.topics.TopicModel` (default ``make_vectorizer("count", min_df=min_df,
        max_df=max_df)``). A fitted vectorizer (or one with ``vocabulary=``) keeps its
        vocabulary.
    min_df, max_df : int or float
        Limits of the default vectorizer.
    block_size : int
        Documents per spooled block.
    chunk_size : int
        Rows read at a time from the source.
    spool_dir : path-like, optional
        Where the spool folder is made (default: the system's temporary folder).

    Returns
    -------
    CountSpool

    Examples
    --------
    >>> texts = ["Missile strike on Shayrat", "Strike condemned", "Missile debris found"]
    >>> with spool_counts(pd.DataFrame({"text": texts}), min_df=2, max_df=1.0) as spool:
    ...     ids, counts = spool.block(0)
    ...     print(sorted(spool.vectorizer.vocabulary_), counts.toarray().tolist())
    ['missile', 'strike'] [[1, 1], [0, 1], [1, 0]]
    """
    block_size = _positive("block_size", block_size)
    chunk_size = _positive("chunk_size", chunk_size)
    if vectorizer is None:
        vectorizer = make_vectorizer("count", min_df=min_df, max_df=max_df)
    elif not isinstance(vectorizer, CountVectorizer):
        raise ParameterError("vectorizer must be a CountVectorizer (make_vectorizer('count', "
                             "...)).")
    fixed = hasattr(vectorizer, "vocabulary_") or vectorizer.vocabulary is not None
    if fixed and not hasattr(vectorizer, "vocabulary_"):
        vectorizer = clone(vectorizer).fit([])
    elif not fixed:
        _check_df_limits(vectorizer)  # fail before reading, not after
    analyze = vectorizer.build_analyzer()
    index: dict = dict(vectorizer.vocabulary_) if fixed else {}
    freq = _Frequencies()
    folder = Path(tempfile.mkdtemp(prefix="framing-spool-", dir=spool_dir))
    start = time.perf_counter()
    try:
        n_docs = n_blocks = 0
        for block in _blocks(_documents(source, chunk_size), block_size):
            data, indices, indptr = _count_block(block["text"], analyze, index, not fixed,
                                                 vectorizer.binary)
            freq.add(indices, data, len(index))
            np.savez(folder / f"block-{n_blocks:06d}.npz", ids=_ids(block["doc_id"]),
                     data=data, indices=indices, indptr=indptr)
            n_docs += len(block)
            n_blocks += 1
            if n_blocks % 50 == 0:
                logger.info("counted %d documents, %d distinct terms", n_docs, len(index))
        if not n_docs:
            raise EmptyInputError("the source holds no documents.")
        if not index:
            raise ParameterError("empty vocabulary: the documents hold nothing but stop words "
                                 "(or no words at all).")
        df, tf = freq.df[:len(index)], freq.tf[:len(index)]
        if fixed:
            fitted, column_map = vectorizer, None
        else:
            vocabulary, column_map = _prune(index, df, tf, vectorizer, n_docs)
            fitted = clone(vectorizer)
            fitted.vocabulary_ = vocabulary
            fitted.fixed_vocabulary_ = False
            keep = column_map >= 0
            order = np.argsort(column_map[keep])
            df, tf = df[keep][order], tf[keep][order]
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    spool = CountSpool(folder, fitted, column_map, n_docs, n_blocks, block_size, df, tf,
                       len(index), time.perf_counter() - start)
    logger.info("counted %s in %.1f s", spool, spool.seconds)
    return spool


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ParameterError(f"{name}={value!r}: use a positive integer.")
    return int(value)


# =============================================================================== writing


def _arrow_ids(ids: np.ndarray) -> pa.Array:
    return pa.array(ids.tolist() if ids.dtype.kind == "U" else ids)


class _DocTopicsWriter:
    """Writes ``doc_id, topic, weight`` partitions of ``rows`` documents to a temporary sibling
    of ``out_dir``; :meth:`finish` renames it into place (an earlier output is replaced only
    then), :meth:`abort` removes it."""

    def __init__(self, out_dir, rows: int, n_components: int):
        self.target = AtomicDirectory(out_dir, marker=DOC_TOPICS_INFO, kind="a doc_topics output")
        self.rows, self.k = rows, int(n_components)
        self.parts: list[str] = []
        self.n_documents = 0

    def write_all(self, blocks: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        frames = (pd.DataFrame({"doc_id": ids, "theta": list(theta)}) for ids, theta in blocks)
        for part in _blocks(frames, self.rows):
            ids = _ids(part["doc_id"].to_numpy())
            theta = np.vstack(part["theta"].to_numpy())
            table = pa.table({"doc_id": _arrow_ids(np.repeat(ids, self.k)),
                              "topic": pa.array(np.tile(np.arange(self.k, dtype=np.int64),
                                                        len(ids))),
                              "weight": pa.array(theta.ravel())})
            name = f"part-{len(self.parts):05d}.parquet"
            pq.write_table(table, self.target.tmp / name)
            self.parts.append(name)
            self.n_documents += len(ids)

    def finish(self, info: dict) -> Path:
        info = {**info, "n_documents": self.n_documents, "rows": self.n_documents * self.k,
                "documents_per_partition": self.rows, "partitions": self.parts,
                "columns": ["doc_id", "topic", "weight"]}
        # default=None: a value JSON does not know raises rather than being written as a string.
        write_json(self.target.tmp / DOC_TOPICS_INFO, info, default=None)
        return self.target.commit()

    def abort(self) -> None:
        self.target.discard()


# =============================================================================== model


class StreamingTopicModel(TopicModel):
    """MiniBatchNMF topic model fitted out of core, with the interface of :class:`TopicModel`.

    See the module documentation for the passes. After :meth:`fit`, everything that
    :class:`TopicModel` derives from the topics works unchanged (``topic_terms``, ``top_terms``,
    ``topic_labels``, ``term_scores``, ``transform`` and ``doc_topics(X)`` on new documents,
    ``coherence``, ``diagnostics``, ``score``); what needs every training document comes from the
    last pass (``prevalence_``, ``n_dominant_``) or from the written ``doc_topics`` partitions
    (``doc_topics()``, ``representative_documents``). The training documents' proportions are
    not kept in memory (no ``doc_topic_``/``doc_ids_``).

    Parameters
    ----------
    n_components : int
        Number of topics ``K``.
    vectorizer : CountVectorizer, optional
        As in :class:`TopicModel` (default ``make_vectorizer("count", min_df=min_df,
        max_df=max_df)``; ``max_features`` and ``ngram_range`` go through a custom one).
    min_df, max_df : int or float
        Document-frequency limits of the default vectorizer.
    weighting : {"auto", "tfidf", "count"}
        What is factorised (``auto``: tf-idf, as ``TopicModel``'s NMF).
    max_iter : int, optional
        Iterations of ``MiniBatchNMF.transform`` when inferring proportions (default 50, as
        ``TopicModel(method="minibatch-nmf")``).
    model_params : mapping, optional
        Further :class:`~sklearn.decomposition.MiniBatchNMF` parameters; ``batch_size``
        (default 1024) is also the spool's block size, and ``forget_factor`` (default 0.7) is
        rescaled as the module documentation says.
    n_epochs : int or None
        Passes over the corpus after the initial step. ``None`` (default): at least
        ``min_epochs`` (3) and enough for ``min_steps`` (100) mini-batch steps, so that a small
        corpus (the four news corpora are 5 blocks of 1,024) gets as many updates as a large one
        gets in 3 epochs; from about 34,000 documents on that is 3 epochs, so time grows
        linearly with the corpus.
    shuffle : bool
        Visit the blocks in a new random order each epoch (``random_state``).
    chunk_size : int
        Rows read from the source at a time and documents per ``doc_topics`` partition.
    spool_dir : path-like, optional
        Where the temporary counts go (default: the system's temporary folder).
    random_state : int, RandomState or None
        Seed of the initial sample, the block order and MiniBatchNMF.
    verbose : int
        Passed to MiniBatchNMF; progress is logged (``logging``) at INFO.

    Attributes
    ----------
    vectorizer_, vocabulary_, transformer_, estimator_, topic_word_, term_frequency_
        As in :class:`TopicModel`, from the whole corpus (``estimator_.forget_factor`` is the
        rescaled one).
    document_frequency_ : ndarray of shape (n_terms,)
    n_documents_ : int
        Training documents.
    prevalence_ : ndarray of shape (n_components,)
        Mean topic proportion over the training documents.
    n_dominant_ : ndarray of shape (n_components,)
        Training documents whose largest topic is each topic.
    doc_topics_dir_ : pathlib.Path or None
        Where :meth:`fit` wrote ``doc_topics`` (``out_dir``).
    n_iter_ : int
        Epochs run.
    n_steps_ : int
        ``partial_fit`` calls (mini-batches).
    timings_ : dict
        Seconds of ``counting``, ``model`` (the epochs) and ``doc_topics`` (the last pass).

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["chemical attack gas sarin victims", "gas attack sarin chemical children",
    ...          "missile strike airbase tomahawk", "tomahawk missile strike navy",
    ...          "sarin gas victims hospital", "airbase strike missile damage"] * 5
    >>> docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(30)], "text": texts})
    >>> model = StreamingTopicModel(2, min_df=1, max_df=1.0, n_epochs=5, chunk_size=7,
    ...                             model_params={"batch_size": 8}, random_state=0).fit(docs)
    >>> sorted(sorted(t) for t in model.top_terms(3))
    [['gas', 'sarin', 'victims'], ['missile', 'strike', 'tomahawk']]
    >>> model.n_documents_, model.prevalence_.sum().round(6)
    (30, np.float64(1.0))
    """

    method = "minibatch-nmf"
    #: Epochs and mini-batch steps of ``n_epochs=None``.
    min_epochs, min_steps = 3, 100

    def __init__(self, n_components: int = 20, *, vectorizer=None, min_df: int | float = 5,
                 max_df: int | float = 0.5, weighting: str = "auto", max_iter: int | None = None,
                 model_params=None, n_epochs: int | None = None, shuffle: bool = True,
                 chunk_size: int = 5000, spool_dir=None, random_state=None, verbose: int = 0):
        self.n_components = n_components
        self.vectorizer = vectorizer
        self.min_df = min_df
        self.max_df = max_df
        self.weighting = weighting
        self.max_iter = max_iter
        self.model_params = model_params
        self.n_epochs = n_epochs
        self.shuffle = shuffle
        self.chunk_size = chunk_size
        self.spool_dir = spool_dir
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None, *, out_dir=None) -> StreamingTopicModel:
        """Count, fit and (with ``out_dir``) write ``doc_topics``, reading ``X`` once.

        Parameters
        ----------
        X : chunk source
            See :func:`spool_counts`.
        y : ignored
        out_dir : path-like, optional
            Folder for the ``doc_topics`` partitions (``part-00000.parquet`` ..., ``chunk_size``
            documents each, plus ``_doc_topics.json``); replaced atomically. Read it back with
            ``pandas.read_parquet(out_dir)`` or :meth:`doc_topics`.

        Returns
        -------
        self
        """
        self._check_params()
        if self.n_epochs is not None:
            _positive("n_epochs", self.n_epochs)
        chunk_size = _positive("chunk_size", self.chunk_size)
        template = self._make_estimator()
        batch_size = _positive("batch_size", template.batch_size)
        rng = check_random_state(self.random_state)
        writer = (None if out_dir is None
                  else _DocTopicsWriter(out_dir, chunk_size, self.n_components))
        try:
            with spool_counts(X, self.vectorizer, min_df=self.min_df, max_df=self.max_df,
                              block_size=batch_size, chunk_size=chunk_size,
                              spool_dir=self.spool_dir) as spool:
                if spool.n_terms < self.n_components:
                    raise ParameterError(f"the vocabulary has {spool.n_terms} terms, fewer than "
                                         f"n_components={self.n_components}; lower min_df or K.")
                self.vectorizer_ = spool.vectorizer
                self.vocabulary_ = np.asarray(self.vectorizer_.get_feature_names_out(),
                                              dtype=object)
                self.term_frequency_ = spool.term_frequency
                self.document_frequency_ = spool.document_frequency
                self.n_documents_ = spool.n_documents
                self.transformer_ = (spool.tfidf_transformer() if self._weighting() == "tfidf"
                                     else None)
                started = time.perf_counter()
                n_epochs = self.n_epochs or max(self.min_epochs,
                                                -(-self.min_steps // spool.n_blocks))
                with threadpool_limits(limits=1, user_api="blas"):
                    self._fit_blocks(spool, template, rng, n_epochs)
                    fitted = time.perf_counter()
                    self._last_pass(spool.iter_blocks(), writer)
                self.doc_topics_dir_ = None if writer is None else writer.finish(self._info())
                self.timings_ = {"counting": spool.seconds, "model": fitted - started,
                                 "doc_topics": time.perf_counter() - fitted}
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        logger.info("fitted %d topics on %d documents x %d terms: %d epochs, %d steps (%s)",
                    self.n_components, self.n_documents_, len(self.vocabulary_), self.n_iter_,
                    self.n_steps_, ", ".join(f"{k} {v:.1f} s" for k, v in self.timings_.items()))
        return self

    def _fit_blocks(self, spool: CountSpool, template, rng, n_epochs: int) -> None:
        n = spool.n_documents
        first = np.sort(rng.choice(n, size=min(spool.block_size, n), replace=False))
        # partial_fit takes its per-step forgetting from its first batch of b <= batch_size rows:
        # forget_factor ** (b / b) = forget_factor; fit() on an n-row matrix forgets at
        # forget_factor ** (b / n) per step. Rescale so that streaming forgets at fit()'s rate.
        self.estimator_ = clone(template).set_params(
            forget_factor=template.forget_factor ** (len(first) / n))
        self.estimator_.partial_fit(self._weights(spool.rows(first).astype(np.float64)))
        for epoch in range(n_epochs):
            order = rng.permutation(spool.n_blocks) if self.shuffle else None
            for _, counts in spool.iter_blocks(order):
                self.estimator_.partial_fit(self._weights(counts.astype(np.float64)))
            logger.info("epoch %d of %d done", epoch + 1, n_epochs)
        components = self.estimator_.components_
        self.topic_word_ = components / components.sum(axis=1, keepdims=True)
        self.n_iter_ = n_epochs
        self.n_steps_ = int(self.estimator_.n_steps_)

    def _block_proportions(self, counts: sp.csr_matrix) -> tuple[np.ndarray, int]:
        """Topic proportions of a block and how many of its documents hold no term."""
        return self._counted_proportions(
            self.estimator_.transform(self._weights(counts.astype(np.float64))))

    def _last_pass(self, blocks, writer: _DocTopicsWriter | None) -> None:
        totals = np.zeros(self.n_components)
        dominant = np.zeros(self.n_components, dtype=np.int64)
        state = {"empty": 0, "n": 0}

        def proportions():
            for ids, counts in blocks:
                theta, empty = self._block_proportions(counts)
                totals[:] += theta.sum(axis=0)
                dominant[:] += np.bincount(theta.argmax(axis=1), minlength=self.n_components)
                state["empty"] += empty
                state["n"] += len(ids)
                yield ids, theta

        if writer is None:
            for _ in proportions():
                pass
        else:
            writer.write_all(proportions())
        warn_empty_documents(state["empty"], stacklevel=4)
        self.prevalence_ = totals / state["n"]
        self.n_dominant_ = dominant

    def _info(self) -> dict:
        params = {k: (v if isinstance(v, (int, float, str, bool, type(None))) else repr(v))
                  for k, v in self.get_params(deep=False).items() if k != "spool_dir"}
        return {"model": type(self).__name__, "params": params,
                "n_components": int(self.n_components), "n_terms": len(self.vocabulary_),
                "n_training_documents": self.n_documents_}

    # ------------------------------------------------------------------ outputs
    def write_doc_topics(self, X, out_dir) -> Path:
        """Infer the topic proportions of a chunk source and write them as ``doc_topics``
        partitions, one chunk in memory. Documents are inferred in the blocks :meth:`fit` uses
        (``batch_size``), so the training documents get exactly the table :meth:`fit` wrote
        (``MiniBatchNMF.transform`` starts its solver from the batch's mean, so its result
        depends, within its tolerance, on the batch a document is in).

        Returns
        -------
        pathlib.Path
            The output folder.
        """
        check_is_fitted(self, "estimator_")
        chunk_size = _positive("chunk_size", self.chunk_size)
        writer = _DocTopicsWriter(out_dir, chunk_size, self.n_components)
        empty = 0

        def blocks():
            nonlocal empty
            # The solver's start depends on the batch: cut the blocks fit() cuts.
            for block in _blocks(_documents(X, chunk_size), self.estimator_.batch_size):
                theta, n_empty = self._block_proportions(
                    self.vectorizer_.transform(block["text"]))
                empty += n_empty
                yield block["doc_id"].to_numpy(), theta

        try:
            with threadpool_limits(limits=1, user_api="blas"):
                writer.write_all(blocks())
            path = writer.finish(self._info())
        except BaseException:
            writer.abort()
            raise
        warn_empty_documents(empty, stacklevel=3)
        return path

    def _partitions(self) -> list[Path]:
        check_is_fitted(self, "estimator_")
        folder = getattr(self, "doc_topics_dir_", None)
        if folder is None:
            raise ParameterError("the training documents' proportions were not kept: fit with "
                                 "out_dir= to write them, or pass documents (X=).")
        info = json.loads((folder / DOC_TOPICS_INFO).read_text(encoding="utf-8"))
        return [folder / name for name in info["partitions"]]

    def doc_topics(self, X=None, *, doc_ids=None) -> pd.DataFrame:
        """The ``doc_topics`` table of documents ``X`` (in memory, as :class:`TopicModel`) or,
        without ``X``, of the training documents read back from ``doc_topics_dir_`` (the whole
        table in memory: for large corpora read the partitions one at a time)."""
        if X is not None:
            return super().doc_topics(X, doc_ids=doc_ids)
        return pd.concat([pd.read_parquet(p) for p in self._partitions()], ignore_index=True)

    def representative_documents(self, n_docs: int = 5) -> pd.DataFrame:
        """As :meth:`TopicModel.representative_documents`, streamed from the written
        ``doc_topics`` partitions (``n_docs`` candidates per topic kept at a time)."""
        k = self.n_components
        best_ids, best = np.empty(0, dtype=object), np.empty((0, k))
        for path in self._partitions():
            part = pd.read_parquet(path)
            ids = np.concatenate([best_ids, part["doc_id"].to_numpy()[::k].astype(object)])
            weights = np.vstack([best, part["weight"].to_numpy().reshape(-1, k)])
            keep = np.unique(top_term_indices(weights.T, n_docs))
            best_ids, best = ids[keep], weights[keep]
        top = top_term_indices(best.T, min(n_docs, len(best_ids)))
        n = top.shape[1]
        return pd.DataFrame({"topic": np.repeat(np.arange(k), n),
                             "rank": np.tile(np.arange(1, n + 1), k),
                             "doc_id": best_ids[top].ravel(),
                             "weight": np.take_along_axis(best.T, top, axis=1).ravel()})

    def _prevalence(self) -> np.ndarray:
        return self.prevalence_

    def _dominant_counts(self) -> np.ndarray:
        return self.n_dominant_

