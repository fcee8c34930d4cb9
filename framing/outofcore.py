"""Out-of-core processing of corpora too large for memory: stream, clean, code, write Parquet.

A corpus of a million articles does not fit in memory as one documents table, and does not need
to: reading, cleaning and coding work one document at a time. This module reads a source in
chunks of ``chunk_size`` records, runs every chunk through the same stages as the in-memory API
(:func:`framing.io.read_documents` parsing and row checks, :func:`framing.clean.clean_documents`,
:func:`framing.frames.code_documents`, optionally :meth:`FrameClassifier.predict_frames
<framing.frames.FrameClassifier.predict_frames>`) and writes one Parquet partition per chunk and
table::

    out_dir/
      documents/part-00000.parquet ...   cleaned documents (+ source_file, duplicate_kind/_of)
      doc_frames/part-00000.parquet ...  doc_frames of every codebook (+ codebook column)
      predictions/part-00000.parquet ... doc_frames of the classifier (with classifier=)
      exclusions/part-00000.parquet ...  every dropped or flagged row (source_file, row, ...)
      _summary.json                      counts, exclusions by reason, params, versions, timings

Text files are decoded and parsed by :mod:`framing.io`'s own decoder and record parsers, fed
one physical line at a time (``_iter_text``), and Parquet files are read batch by batch
(``ParquetFile.iter_batches``) and converted to strings by io's ``_strings``; this module only
cuts the records into chunks and numbers them across files.

Only three things cross chunk boundaries, and they are kept small:

* **document ids**: an id already used by an earlier row (in any chunk) is renamed
  ``id~2``, ``id~3`` ... and the row is flagged ``duplicate_doc_id``, as ``read_documents``
  does within one file;
* **exact duplicates**: the 64-bit digest of each text's normalised form
  (:func:`framing.duplicates.normalize_text`, the definition of ``exact_duplicate`` in
  :func:`framing.duplicates.find_duplicates`) is looked up among the digests of earlier rows;
  a repeat is *flagged* (``duplicate_kind="exact_duplicate"``, ``duplicate_of`` = the first
  occurrence in row order), never dropped, and coded like every other row;
* **counts** for the summary.

Both ledgers are sorted NumPy arrays of 64-bit hashes (plus the ids of first occurrences in
Arrow string arrays): about 50 bytes per document, 50 MB for a million. Two different texts
share a digest with probability about ``n**2 / 2**65`` (3e-8 for a million documents).

The per-chunk work is done by two pure functions, ``_prepare`` (parse, check, clean, digest)
and ``_complete`` (apply the ledger's decisions, code, predict, write). A single-process run
calls them in a loop; a Dask run (``client=``, see :mod:`framing.distributed`) runs them as
tasks on the workers while the driver keeps the ledger, so both give the same files.

Output is written to a temporary sibling folder and renamed into place at the end: a failed
run leaves no partial output (and an earlier output in ``out_dir`` untouched).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import os
import time
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._atomic import AtomicDirectory, write_json
from .clean import clean_documents
from .duplicates import normalize_text
from .errors import (
    DataNotFoundError,
    DataQualityWarning,
    EmptyInputError,
    FramingError,
    ParameterError,
    ParseError,
)
from .io import (
    DEFAULT_DATE_RANGE,
    DEFAULT_LONG_TEXT,
    _check_rows,
    _DelimitedRecords,
    _file_lines,
    _is_mediacloud,
    _jsonl_batches,
    _LineDecoder,
    _Log,
    _resolve_columns,
    _strings,
    _to_schema,
    _to_str,
    _warn_malformed,
    detect_format,
)
from .results import Summary, SummaryExports
from .schema import DOC_FRAMES_COLUMNS, DOCUMENT_COLUMNS, EXCLUSION_COLUMNS

__all__ = ["Chunk", "iter_chunks", "process_corpus", "ProcessResult", "TABLES",
           "SUMMARY_FILE"]

logger = logging.getLogger(__name__)

#: Tables written by :func:`process_corpus` (``predictions`` only with a classifier).
TABLES = ("documents", "doc_frames", "predictions", "exclusions")
#: Name of the run summary inside the output folder.
SUMMARY_FILE = "_summary.json"
#: Formats that can be streamed.
STREAM_FORMATS = ("csv", "tsv", "jsonl", "parquet", "mediacloud")

# Exclusion reasons in the order the stages log them; one row's entries keep this order.
_REASON_ORDER = ("malformed_row", "text_from_title", "encoding_repaired", "missing_doc_id",
                 "duplicate_doc_id", "empty_text", "very_long_text", "missing_date",
                 "bad_date", "missing_outlet", "empty_after_cleaning", "exact_duplicate")
_EMPTY_AFTER_CLEANING = ("column 'text' held nothing but boilerplate, a dateline or a repeat "
                         "of the title")

_EXCLUSIONS_SCHEMA = pa.schema([("source_file", pa.string()), ("row", pa.int64()),
                                ("doc_id", pa.string()), ("reason", pa.string()),
                                ("detail", pa.string()), ("action", pa.string())])
_FRAMES_SCHEMA = pa.schema([(c, pa.float64() if c == "score" else pa.string())
                            for c in DOC_FRAMES_COLUMNS])
_CODED_SCHEMA = _FRAMES_SCHEMA.append(pa.field("codebook", pa.string()))


# =============================================================================== sources


@dataclass(frozen=True)
class _Source:
    """One input file and how to read it."""

    path: str
    source: str  # name in messages and in exclusions.source_file
    fmt: str
    partition: tuple[tuple[str, str], ...] = ()  # hive keys of a partitioned folder


@dataclass(frozen=True)
class _Options:
    """Everything a chunk needs (picklable: sent to Dask workers)."""

    columns: Mapping[str, str] = field(default_factory=dict)
    sep: str | None = None
    encoding: str = "utf-8"
    outlet: str | None = None
    date_range: tuple[str | None, str | None] = DEFAULT_DATE_RANGE
    long_text: int = DEFAULT_LONG_TEXT
    process: bool = False  # add source_file/duplicate columns, clean, code
    clean: bool = True
    stripped_punctuation: bool = False
    codebooks: tuple = ()
    min_tokens: int = 30
    id_prefix: str = ""


def _resolved_date_range(date_range) -> tuple[str | None, str | None]:
    # "None = tomorrow" is fixed once per run so that every chunk (and worker) uses one bound.
    low, high = date_range
    if high is None:
        high = (pd.Timestamp.now().normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return low, high


def _plan(source, *, format: str | None, source_name: str | None, data_home=None
          ) -> tuple[list[_Source], dict[str, Any]]:
    """The files to read, in order, and what a corpus card adds (columns, cleaning, prefix)."""
    from .datasets import corpus_path, list_cards, load_card

    extra: dict[str, Any] = {}
    if isinstance(source, str) and not Path(source).exists() and source in {
            c.name for c in list_cards()}:
        card = load_card(source)
        entry = card.files[0]
        path = corpus_path(source, data_home)
        extra = {"columns": dict(card.columns), "id_prefix": f"{card.name}:",
                 "stripped_punctuation": bool(card.cleaning.get("stripped_punctuation")),
                 "card": card.name}
        return [_Source(str(path), source_name or entry.path,
                        _check_format(format or entry.format, entry.path))], extra
    if isinstance(source, (str, os.PathLike)):
        paths = [Path(source)]
    else:
        paths = [Path(p) for p in source]
        if not paths:
            raise ParameterError("source: an empty list of files; give at least one.")
        if source_name is not None and len(paths) > 1:
            raise ParameterError("source_name= names one file; leave it out for several.")
    plan: list[_Source] = []
    for path in paths:
        if not path.exists():
            raise DataNotFoundError(f"{path}: no such file or folder.")
        if path.is_dir():
            plan.extend(_parquet_folder(path, format))
        else:
            fmt = _check_format(format or detect_format(path), str(path))
            plan.append(_Source(str(path), source_name or str(path), fmt))
    return plan, extra


def _check_format(fmt: str, where: str) -> str:
    if fmt not in STREAM_FORMATS:
        raise ParameterError(f"{where}: format {fmt!r} cannot be streamed; use one of "
                             f"{STREAM_FORMATS} (read text folders with read_documents()).")
    return fmt


def _parquet_folder(path: Path, format: str | None) -> list[_Source]:
    import pyarrow.dataset as ds

    if format not in (None, "parquet"):
        raise ParameterError(f"{path}: a folder is read as Parquet partitions; format="
                             f"{format!r} is not supported for folders (pass a list of files).")
    try:
        dataset = ds.dataset(str(path), format="parquet", partitioning="hive")
    except Exception as exc:  # pyarrow raises several unrelated types
        raise ParseError(f"{path}: not a folder of Parquet partitions ({exc}).") from exc
    sources = []
    for fragment in sorted(dataset.get_fragments(), key=lambda f: f.path):
        keys = ds.get_partition_keys(fragment.partition_expression) or {}
        sources.append(_Source(fragment.path, fragment.path, "parquet",
                               tuple((k, _to_str(v)) for k, v in keys.items())))
    if not sources:
        raise EmptyInputError(f"{path}: the folder holds no Parquet files.")
    return sources


# =============================================================================== raw chunks


@dataclass
class _RawChunk:
    """Records of one chunk as strings (``_row`` = 1-based record number in the file)."""

    index: int
    source: str
    fmt: str
    table: pd.DataFrame
    mapping: dict[str, str] | None  # documents column -> source column, fixed per file
    log_rows: list[dict]  # records that could not be parsed (dropped)
    n_read: int
    first_row: int
    last_row: int
    seconds: float = 0.0


class _Limit:
    """Records still to read when ``limit`` is set (shared by the files of one run)."""

    def __init__(self, limit: int | None):
        self.left = limit

    def cap(self, n: int | None = None) -> int | None:
        """Records this file may give (``n``: the file's size when known)."""
        if self.left is None:
            return n
        return self.left if n is None else min(n, self.left)

    def consume(self, n: int) -> None:
        if self.left is not None:
            self.left -= n

    @property
    def done(self) -> bool:
        return self.left is not None and self.left <= 0


def _iter_raw(plan: Sequence[_Source], opts: _Options, chunk_size: int, limit: int | None,
              *, specs: bool = False) -> Iterator[_RawChunk | _ParquetSpec]:
    """Raw chunks of every file in ``plan``, numbered across files.

    With ``specs=True``, Parquet chunks come as :class:`_ParquetSpec` (read later, by a Dask
    worker, with :func:`_read_parquet_spec`); the cuts and numbers are the same.
    """
    counter = itertools.count()
    budget = _Limit(limit)
    for src in plan:
        if budget.done:
            break
        if src.fmt == "parquet" and specs:
            for spec in _parquet_specs(src, chunk_size, budget, opts):
                yield replace(spec, index=next(counter))
            continue
        if src.fmt == "parquet":
            chunks = _iter_parquet(src, chunk_size, budget, opts)
        else:
            chunks = _iter_text(src, chunk_size, budget, opts)
        for raw in chunks:
            raw.index = next(counter)
            yield raw


# ---------------------------------------------------------------------------- text formats


def _iter_text(src: _Source, chunk_size: int, budget: _Limit,
               opts: _Options) -> Iterator[_RawChunk]:
    """CSV/TSV/JSON-lines records in chunks: :mod:`framing.io`'s decoder and record parsers,
    fed one physical line at a time instead of the whole file."""
    decoder = _LineDecoder(src.source, opts.encoding)
    lines = _file_lines(src.path, src.source)
    blocks = decoder.decode(lines)
    fmt, mapping = src.fmt, None
    if fmt == "jsonl":
        batches = _jsonl_batches(blocks, src.source, chunk_size, budget.cap())
    else:
        default_sep = "\t" if fmt == "tsv" else ","
        records = _DelimitedRecords(blocks, src.source, opts.sep or default_sep, opts.sep,
                                    stacklevel=3)
        if _is_mediacloud(fmt, records.header):
            fmt = "mediacloud"
            logger.info("%s: recognised as a Media Cloud story-list export", src.source)
        mapping = _mapping(records.header, opts, src.source)
        batches = records.batches(decoder, chunk_size, budget.cap())
    malformed: list[dict] = []
    n_records = 0
    started = time.perf_counter()
    for batch in batches:
        if mapping is None:  # JSON lines: from the keys of the first records
            keys = [c for c in batch.table.columns if c != "_row"]
            mapping = _mapping(keys, opts, src.source) if keys else None
        malformed.extend(batch.malformed)
        n_records = batch.last_row
        yield _RawChunk(-1, src.source, fmt, batch.table, mapping, list(batch.malformed),
                        batch.last_row - batch.first_row + 1, batch.first_row, batch.last_row,
                        time.perf_counter() - started)
        started = time.perf_counter()
    budget.consume(n_records)
    lines.close()
    decoder.warn(stacklevel=2)
    _warn_malformed(src.source, malformed, stacklevel=2)


def _mapping(columns: Sequence[str], opts: _Options, source: str) -> dict[str, str]:
    """Documents column -> source column for a whole file (from its header or schema)."""
    return _resolve_columns([str(c) for c in columns], dict(opts.columns), source)


# ---------------------------------------------------------------------------------- Parquet


def _parquet_file(src: _Source) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(src.path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise ParseError(f"{src.source}: not a readable Parquet file ({exc}).") from exc


def _pandas_index_columns(schema: pa.Schema) -> list[str]:
    meta = schema.pandas_metadata or {}
    return [c for c in meta.get("index_columns", []) if isinstance(c, str)]


def _without_index(table: pa.Table, index_columns: list[str]) -> pa.Table:
    """Drop a stored pandas index (``pd.read_parquet`` + ``reset_index(drop=True)`` in io)."""
    meta = table.schema.pandas_metadata
    if not meta:
        return table
    table = table.drop_columns([c for c in index_columns if c in table.column_names])
    meta = dict(meta, index_columns=[],
                columns=[c for c in meta.get("columns", [])
                         if c.get("field_name") not in index_columns])
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          b"pandas": json.dumps(meta).encode()})


def _arrow_to_raw(table: pa.Table, src: _Source, first_row: int, mapping: dict[str, str],
                  started: float) -> _RawChunk:
    """Strings as :func:`framing.io.read_documents` makes them from a Parquet file."""
    frame = _strings(table.to_pandas())
    for key, value in src.partition:
        if key not in frame.columns:
            frame[key] = [value] * len(frame)
    frame["_row"] = range(first_row, first_row + len(frame))
    return _RawChunk(-1, src.source, "parquet", frame, mapping, [], len(frame), first_row,
                     first_row + len(frame) - 1, time.perf_counter() - started)


def _parquet_columns(pf: pq.ParquetFile, src: _Source) -> tuple[list[str], list[str]]:
    index = _pandas_index_columns(pf.schema_arrow)
    names = [n for n in pf.schema_arrow.names if n not in index]
    names += [k for k, _ in src.partition if k not in names]
    return names, index


def _iter_parquet(src: _Source, chunk_size: int, budget: _Limit,
                  opts: _Options) -> Iterator[_RawChunk]:
    """Parquet rows in chunks of ``chunk_size`` (``iter_batches``: one batch in memory)."""
    pf = _parquet_file(src)
    names, index = _parquet_columns(pf, src)
    mapping = _mapping(names, opts, src.source)
    if pf.metadata.num_rows == 0:
        logger.warning("%s: no rows; skipped", src.source)
        return
    cap = budget.cap(pf.metadata.num_rows)
    budget.consume(cap)
    pending: list[pa.RecordBatch] = []
    buffered, first_row = 0, 1
    started = time.perf_counter()
    try:
        for batch in pf.iter_batches(batch_size=chunk_size):
            pending.append(batch)
            buffered += batch.num_rows
            while first_row <= cap and buffered >= min(chunk_size, cap - first_row + 1):
                wanted = min(chunk_size, cap - first_row + 1)
                table = pa.Table.from_batches(pending, schema=pf.schema_arrow)
                head, rest = table.slice(0, wanted), table.slice(wanted)
                yield _arrow_to_raw(_without_index(head, index), src, first_row, mapping,
                                    started)
                first_row += wanted
                pending, buffered = rest.to_batches(), rest.num_rows
                started = time.perf_counter()
            if first_row > cap:
                break
    except (OSError, pa.ArrowException) as exc:
        raise ParseError(f"{src.source}: cannot read Parquet rows from row {first_row} "
                         f"({exc}).") from exc


@dataclass(frozen=True)
class _ParquetSpec:
    """One chunk of one Parquet file: rows ``start`` (0-based) to ``stop`` (exclusive)."""

    index: int
    src: _Source
    start: int
    stop: int
    mapping: dict[str, str]


def _parquet_specs(src: _Source, chunk_size: int, budget: _Limit,
                   opts: _Options) -> list[_ParquetSpec]:
    """The chunks of a Parquet file from its metadata alone (same cuts as _iter_parquet)."""
    pf = _parquet_file(src)
    names, _ = _parquet_columns(pf, src)
    mapping = _mapping(names, opts, src.source)
    n_rows = pf.metadata.num_rows
    if n_rows == 0:
        logger.warning("%s: no rows; skipped", src.source)
        return []
    cap = budget.cap(n_rows)
    budget.consume(cap)
    return [_ParquetSpec(-1, src, start, min(start + chunk_size, cap), mapping)
            for start in range(0, cap, chunk_size)]


def _read_parquet_spec(spec: _ParquetSpec) -> _RawChunk:
    """Read one chunk of a Parquet file (the row groups it overlaps, then the rows)."""
    started = time.perf_counter()
    src = spec.src
    pf = _parquet_file(src)
    _, index = _parquet_columns(pf, src)
    meta = pf.metadata
    groups, offset, first_offset = [], 0, None
    for i in range(meta.num_row_groups):
        n = meta.row_group(i).num_rows
        if offset < spec.stop and offset + n > spec.start:
            groups.append(i)
            first_offset = offset if first_offset is None else first_offset
        offset += n
    batches, position = [], first_offset or 0
    try:
        for batch in pf.iter_batches(batch_size=spec.stop - spec.start, row_groups=groups):
            end = position + batch.num_rows
            if end > spec.start:
                lo = max(spec.start - position, 0)
                batches.append(batch.slice(lo, min(spec.stop, end) - position - lo))
            position = end
            if position >= spec.stop:
                break
    except (OSError, pa.ArrowException) as exc:
        raise ParseError(f"{src.source}: cannot read Parquet rows {spec.start + 1}-{spec.stop} "
                         f"({exc}).") from exc
    table = pa.Table.from_batches(batches, schema=pf.schema_arrow)
    raw = _arrow_to_raw(_without_index(table, index), src, spec.start + 1, spec.mapping,
                        started)
    raw.index = spec.index
    return raw


# =============================================================================== chunk work


def _hash64(values: Sequence[str]) -> np.ndarray:
    """Stable 64-bit hashes (BLAKE2b) of strings."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(v.encode("utf-8", "surrogatepass"),
                                        digest_size=8).digest(), "little") for v in values),
        dtype=np.uint64, count=len(values))


@dataclass
class _Keys:
    """What the ledger needs from a chunk (small: ids and digests)."""

    index: int
    base_ids: list[str]  # every row that reached the row checks, in row order
    kept: np.ndarray  # positions in base_ids of the rows kept after cleaning
    digests: np.ndarray  # uint64 per kept row
    eligible: np.ndarray  # bool per kept row: long enough to be compared


@dataclass
class _Prepared:
    """A chunk read, checked and cleaned, with ids as the chunk alone would give them."""

    index: int
    source: str
    fmt: str
    data: pd.DataFrame  # kept documents
    log_rows: list[dict]
    rows: np.ndarray  # row number of each entry of base_ids
    base_ids: list[str]
    local_ids: list[str]
    kept: np.ndarray
    digests: np.ndarray
    eligible: np.ndarray
    n_read: int
    first_row: int
    last_row: int
    timings: dict[str, float]
    warnings: list[tuple[str, str]]
    outlets: tuple[str, ...]  # up to two distinct non-empty outlets (single-outlet warning)

    def keys(self) -> _Keys:
        return _Keys(self.index, self.base_ids, self.kept, self.digests, self.eligible)


@dataclass
class _Resolution:
    """The ledger's decisions for one chunk."""

    index: int
    final_ids: list[str]  # per entry of base_ids
    duplicate_of: list[str]  # per kept row ("" if not an exact duplicate)


def _base_ids(mapped: pd.DataFrame, source: str) -> list[str]:
    """Ids before de-duplication: stripped, and ``<file>:<row>`` where empty (as io does)."""
    ids = mapped["doc_id"].fillna("").astype(str).str.strip().tolist()
    stem = Path(source).name.split(".")[0]
    return [i if i else f"{stem}:{r}" for i, r in zip(ids, mapped["_row"], strict=True)]


def _prepare(raw: _RawChunk, opts: _Options) -> _Prepared:
    """Schema mapping and row checks (io), then cleaning and text digests. Pure."""
    timings = {"read": raw.seconds}
    log = _Log(raw.source)
    log.rows.extend(dict(r) for r in raw.log_rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        if len(raw.table) and raw.mapping is not None:
            mapped = _to_schema(raw.table, raw.mapping, raw.fmt, opts.outlet, log, raw.source)
            rows = mapped["_row"].to_numpy(dtype=np.int64)
            base = _base_ids(mapped, raw.source)
            data = _check_rows(mapped, log, raw.source, opts.date_range, opts.long_text,
                               warn_single_outlet=False)
            kept_rows = rows[mapped.index.get_indexer(data.index)]
        else:
            data = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "published"
                                              else object) for c in DOCUMENT_COLUMNS})
            rows, base, kept_rows = np.empty(0, np.int64), [], np.empty(0, np.int64)
        position = {int(r): i for i, r in enumerate(rows)}
        local = list(base)
        for entry in log.rows:
            if entry["reason"] == "duplicate_doc_id":
                local[position[int(entry["row"])]] = entry["doc_id"]
        data = data.reset_index(drop=True)
        timings["checks"] = time.perf_counter() - start
        if opts.process:
            data["source_file"] = raw.source
        if opts.process and opts.clean:
            start = time.perf_counter()
            data = clean_documents(data, stripped_punctuation=opts.stripped_punctuation).data
            emptied = (data["text"].str.strip() == "").to_numpy()
            for row, doc_id in zip(kept_rows[emptied], data.loc[emptied, "doc_id"],
                                   strict=True):
                log.add(int(row), doc_id, "empty_after_cleaning", _EMPTY_AFTER_CLEANING,
                        "dropped")
            data = data.loc[~emptied].reset_index(drop=True)
            kept_rows = kept_rows[~emptied]
            timings["clean"] = time.perf_counter() - start
        kept = np.array([position[int(r)] for r in kept_rows], dtype=np.int64)
        start = time.perf_counter()
        if opts.process:
            text = data["text"]
            if "dateline" in data:  # as corpus._flag_duplicates compares them
                text = (data["dateline"].fillna("") + "\n" + text).str.strip()
            normal = [normalize_text(t) for t in text]
            digests = _hash64(normal)
            eligible = np.array([t.count(" ") + 1 >= opts.min_tokens if t else False
                                 for t in normal], dtype=bool)
        else:
            digests, eligible = np.empty(0, np.uint64), np.empty(0, bool)
        timings["digest"] = time.perf_counter() - start
    outlets = tuple(dict.fromkeys(o for o in data["outlet"] if o.strip()))[:2]
    return _Prepared(raw.index, raw.source, raw.fmt, data, log.rows, rows, base, local, kept,
                     digests, eligible, raw.n_read, raw.first_row, raw.last_row, timings,
                     [(w.category.__name__, str(w.message)) for w in caught], outlets)


class _HashIndex:
    """Sorted uint64 keys, each with an int64 value if ``values`` (8 or 16 bytes per key)."""

    def __init__(self, values: bool = True):
        self.keys = np.empty(0, dtype=np.uint64)
        self.values = np.empty(0, dtype=np.int64) if values else None

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Whether each key is present, and its value (-1 where absent)."""
        if not len(self.keys) or not len(keys):
            return np.zeros(len(keys), bool), np.full(len(keys), -1, np.int64)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[pos] == keys
        values = None if self.values is None else np.where(found, self.values[pos], -1)
        return found, values

    def add(self, keys: Sequence[int], values: Sequence[int] | None = None) -> None:
        """Insert keys that are not present yet (and their values)."""
        keys = np.asarray(keys, dtype=np.uint64)
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        pos = np.searchsorted(self.keys, keys)
        self.keys = np.insert(self.keys, pos, keys)
        if self.values is not None:
            self.values = np.insert(self.values, pos,
                                    np.asarray(values, dtype=np.int64)[order])


class _Ledger:
    """What crosses chunk boundaries: ids in use and digests of texts seen, in row order.

    Chunks must be resolved in order; the answer for a chunk depends only on the chunks
    before it, so a single-process loop and a Dask run (which resolves on the driver) agree.
    """

    def __init__(self):
        self._ids = _HashIndex(values=False)  # hashes of the ids in use (read and made)
        self._counts: dict[str, int] = {}  # ids seen more than once -> count so far
        self._texts = _HashIndex()  # digest -> ordinal of the first occurrence
        self._first_ids: list[pa.Array] = []  # ids of first occurrences, by ordinal
        self._offsets: list[int] = [0]
        self.next_index = 0

    @property
    def n_texts(self) -> int:
        return self._offsets[-1]

    def _first_id(self, ordinal: int) -> str:
        k = bisect_right(self._offsets, ordinal) - 1
        return self._first_ids[k][ordinal - self._offsets[k]].as_py()

    def resolve(self, keys: _Keys) -> _Resolution:
        if keys.index != self.next_index:
            raise FramingError(f"chunk {keys.index} resolved out of order (expected "
                               f"{self.next_index}); this is a bug in framing.outofcore.")
        self.next_index += 1
        final = self._resolve_ids(keys.base_ids)
        return _Resolution(keys.index, final,
                           self._resolve_texts(keys, [final[i] for i in keys.kept]))

    def _resolve_ids(self, base_ids: list[str]) -> list[str]:
        hashes = _hash64(base_ids)
        found, _ = self._ids.lookup(hashes)
        local: set[int] = set()

        def seen(value: str) -> bool:
            h = _hash64([value])
            return bool(self._ids.lookup(h)[0][0]) or int(h[0]) in local

        final = []
        for doc_id, h, before in zip(base_ids, hashes.tolist(), found.tolist(), strict=True):
            if not before and h not in local:
                local.add(h)
                final.append(doc_id)
                continue
            # As io._check_rows: the n-th use of an id becomes "id~n", skipping ids in use.
            n = self._counts.get(doc_id, 1) + 1
            self._counts[doc_id] = n
            new = f"{doc_id}~{n}"
            while seen(new):
                n += 1
                new = f"{doc_id}~{n}"
            local.add(int(_hash64([new])[0]))
            final.append(new)
        self._ids.add(sorted(local))
        return final

    def _resolve_texts(self, keys: _Keys, ids: list[str]) -> list[str]:
        found, ordinals = self._texts.lookup(keys.digests)
        duplicate_of = [""] * len(ids)
        first_here: dict[int, str] = {}
        new_keys, new_ids = [], []
        for i, digest in enumerate(keys.digests.tolist()):
            if not keys.eligible[i]:
                continue
            if found[i]:
                duplicate_of[i] = self._first_id(int(ordinals[i]))
            elif digest in first_here:
                duplicate_of[i] = first_here[digest]
            else:
                first_here[digest] = ids[i]
                new_keys.append(digest)
                new_ids.append(ids[i])
        if new_keys:
            start = self.n_texts
            self._texts.add(new_keys, np.arange(start, start + len(new_keys)))
            self._first_ids.append(pa.array(new_ids, type=pa.string()))
            self._offsets.append(start + len(new_ids))
        return duplicate_of


def _exclusions_frame(rows: list[dict]) -> pd.DataFrame:
    """The exclusions of a chunk, by row and, within a row, in the order of the stages."""
    table = pd.DataFrame(rows, columns=list(EXCLUSION_COLUMNS))
    # Text columns as io's non-empty logs have them (also when a chunk has no entries).
    table = table.astype({c: "str" for c in EXCLUSION_COLUMNS if c != "row"})
    table["row"] = table["row"].astype("Int64")
    rank = {reason: i for i, reason in enumerate(_REASON_ORDER)}
    order = sorted(range(len(rows)), key=lambda i: (
        rows[i]["row"] is None or pd.isna(rows[i]["row"]),
        0 if rows[i]["row"] is None or pd.isna(rows[i]["row"]) else int(rows[i]["row"]),
        rank.get(rows[i]["reason"], len(rank))))
    return table.iloc[order].reset_index(drop=True)


def _apply(prepared: _Prepared, resolution: _Resolution, opts: _Options
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents and exclusions of a chunk with the ledger's ids and duplicate flags."""
    if resolution.index != prepared.index:
        raise FramingError(f"resolution of chunk {resolution.index} applied to chunk "
                           f"{prepared.index}; this is a bug in framing.outofcore.")
    final, base, local = resolution.final_ids, prepared.base_ids, prepared.local_ids
    position = {int(r): i for i, r in enumerate(prepared.rows)}
    log = []
    for entry in prepared.log_rows:
        if entry["reason"] == "duplicate_doc_id":
            continue  # replaced below by the run-wide decisions
        entry = dict(entry)
        i = position.get(int(entry["row"])) if entry["row"] is not None else None
        if i is not None and final[i] != local[i] and entry["doc_id"] == local[i]:
            entry["doc_id"] = final[i]
        log.append(entry)
    for i in np.flatnonzero([f != b for f, b in zip(final, base, strict=True)]):
        log.append({"source_file": prepared.source, "row": int(prepared.rows[i]),
                    "doc_id": final[i], "reason": "duplicate_doc_id",
                    "detail": f"column 'doc_id': {base[i]!r} already used by an earlier row; "
                              f"renamed {final[i]!r}", "action": "flagged"})
    data = prepared.data.copy()
    data["doc_id"] = pd.Series([final[i] for i in prepared.kept], index=data.index,
                               dtype=object)
    prefix = opts.id_prefix
    if prefix:
        data["doc_id"] = prefix + data["doc_id"]
        for entry in log:
            entry["doc_id"] = prefix + entry["doc_id"] if entry["doc_id"] else ""
    if opts.process:
        dup = [prefix + d if d else "" for d in resolution.duplicate_of]
        data["duplicate_kind"] = pd.Series(["exact_duplicate" if d else "" for d in dup],
                                           index=data.index, dtype=object)
        data["duplicate_of"] = pd.Series(dup, index=data.index, dtype=object)
        kept_rows = prepared.rows[prepared.kept]
        for j in np.flatnonzero([bool(d) for d in dup]):
            log.append({"source_file": prepared.source, "row": int(kept_rows[j]),
                        "doc_id": data.at[j, "doc_id"], "reason": "exact_duplicate",
                        "detail": f"same normalised text as {dup[j]} (an earlier row); "
                                  "flagged, not dropped", "action": "flagged"})
    return data, _exclusions_frame(log)


def _load_codebooks(specs: Sequence) -> list:
    from .frames import load_codebook

    return [load_codebook(spec) for spec in specs]


def _code(data: pd.DataFrame, opts: _Options, timings: dict[str, float]) -> pd.DataFrame:
    from .frames import code_documents

    tables = []
    for book in _load_codebooks(opts.codebooks):
        start = time.perf_counter()
        result = code_documents(data, codebook=book)
        tables.append(result.table.assign(codebook=book.name))
        timings[f"code:{book.name}"] = time.perf_counter() - start
    if not tables:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "score" else object)
                             for c in _CODED_SCHEMA.names})
    return pd.concat(tables, ignore_index=True)


def _predict(data: pd.DataFrame, model) -> pd.DataFrame:
    if not len(data):
        return pd.DataFrame({c: pd.Series(dtype=float if c == "score" else object)
                             for c in DOC_FRAMES_COLUMNS})
    return model.predict_frames(data)


def _arrow(table: pd.DataFrame, schema: pa.Schema | None = None) -> pa.Table:
    if schema is None:  # documents: text columns as string whatever their pandas dtype
        fields = []
        for name, dtype in table.dtypes.items():
            if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype):
                fields.append(pa.field(str(name), pa.string()))
            elif pd.api.types.is_datetime64_any_dtype(dtype):
                fields.append(pa.field(str(name), pa.timestamp("ns")))
            else:
                fields.append(pa.field(str(name), pa.Array.from_pandas(table[name]).type))
        schema = pa.schema(fields)
    return pa.Table.from_pandas(table, schema=schema, preserve_index=False)


def _part(index: int) -> str:
    return f"part-{index:05d}.parquet"


def _complete(prepared: _Prepared, resolution: _Resolution, opts: _Options, model,
              out: str) -> dict[str, Any]:
    """Apply the ledger, code, predict and write the chunk's partitions. Pure but for the
    files it writes (one per table, named by the chunk number)."""
    timings = dict(prepared.timings)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        documents, exclusions = _apply(prepared, resolution, opts)
        frames = _code(documents, opts, timings)
        if model is not None:
            start = time.perf_counter()
            predictions = _predict(documents, model)
            timings["predict"] = time.perf_counter() - start
        start = time.perf_counter()
        name = _part(prepared.index)
        pq.write_table(_arrow(documents), os.path.join(out, "documents", name))
        pq.write_table(_arrow(frames, _CODED_SCHEMA), os.path.join(out, "doc_frames", name))
        if model is not None:
            pq.write_table(_arrow(predictions, _FRAMES_SCHEMA),
                           os.path.join(out, "predictions", name))
        pq.write_table(_arrow(exclusions, _EXCLUSIONS_SCHEMA),
                       os.path.join(out, "exclusions", name))
        timings["write"] = time.perf_counter() - start
    return _chunk_stats(prepared, documents, exclusions, timings,
                        prepared.warnings + [(w.category.__name__, str(w.message))
                                             for w in caught])


def _chunk_stats(prepared: _Prepared, documents: pd.DataFrame, exclusions: pd.DataFrame,
                 timings: dict[str, float], caught: list) -> dict[str, Any]:
    dropped = int((exclusions["action"] == "dropped").sum())
    if prepared.n_read != len(documents) + dropped:
        raise FramingError(f"{prepared.source}, rows {prepared.first_row}-{prepared.last_row}: "
                           f"{prepared.n_read} rows read but {len(documents)} kept + {dropped} "
                           "dropped; a row went missing without a log entry (a bug).")
    flagged = exclusions[exclusions["action"] == "flagged"]
    reasons = exclusions.groupby(["reason", "action"]).size()
    return {
        "counts": {"chunk": prepared.index, "source_file": prepared.source,
                   "first_row": prepared.first_row, "last_row": prepared.last_row,
                   "rows_read": prepared.n_read, "rows_kept": len(documents),
                   "rows_dropped": dropped, "rows_flagged": int(flagged["row"].nunique()),
                   "exact_duplicates": int((flagged["reason"] == "exact_duplicate").sum()),
                   "seconds": round(sum(timings.values()), 4)},
        "reasons": {f"{r}|{a}": int(n) for (r, a), n in reasons.items()},
        "timings": timings,
        "warnings": caught,
        "outlets": prepared.outlets,
    }


# =============================================================================== iter_chunks


@dataclass(frozen=True)
class Chunk:
    """One chunk of a streamed source (see :func:`iter_chunks`).

    Attributes
    ----------
    index : int
        Chunk number (0, 1, ...), counted across the files of the source.
    data : pandas.DataFrame
        Documents of the chunk: ``doc_id, outlet, published, title, text, url`` and the
        source columns, as :func:`framing.io.read_documents` gives them.
    exclusions : pandas.DataFrame
        Dropped or flagged rows of the chunk (``source_file, row, doc_id, reason, detail,
        action``); ``row`` is the record number in the file, not in the chunk.
    n_read : int
        Records of the file in this chunk (``n_read == len(data) + n_dropped``).
    source, format : str
        The file and the format it was read as.
    first_row, last_row : int
        Record numbers (1-based) of the chunk's first and last record in the file.
    """

    index: int
    data: pd.DataFrame
    exclusions: pd.DataFrame
    n_read: int
    source: str
    format: str
    first_row: int
    last_row: int

    @property
    def n_dropped(self) -> int:
        """Records of the chunk that are not in :attr:`data`."""
        return int((self.exclusions["action"] == "dropped").sum())


def iter_chunks(
    source,
    *,
    chunk_size: int = 5000,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    limit: int | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    outlet: str | None = None,
    source_name: str | None = None,
    date_range: tuple[str | None, str | None] = DEFAULT_DATE_RANGE,
    long_text: int = DEFAULT_LONG_TEXT,
    data_home=None,
) -> Iterator[Chunk]:
    """Read a large documents file in chunks, with the checks of :func:`~framing.io.read_documents`.

    Memory stays flat: text files are decoded line by line and parsed record by record and
    Parquet files read batch by batch (``pyarrow.parquet.ParquetFile.iter_batches``); no file
    is ever read whole. Every chunk goes through the same decoding, record parsing, schema
    mapping, row checks and date parsing as ``read_documents`` (the same functions of
    :mod:`framing.io`), with row numbers counted over the whole file and document ids kept
    unique across chunks.

    Parameters
    ----------
    source : path-like, list of path-likes or str
        A CSV, TSV, JSONL or Parquet file (``.gz`` allowed for text), a folder of Parquet
        partitions (hive-style ``key=value`` folders add ``key`` as a column), a list of such
        files (read one after the other), or the name of a corpus card (``"fa-kes"``; read
        from the data home with the card's column mapping, ids prefixed ``fa-kes:``).
    chunk_size : int, default 5000
        Records per chunk (malformed records count). Chunks never span two files.
    format : {"csv", "tsv", "jsonl", "parquet", "mediacloud"}, optional
        Guessed from the file name when omitted.
    columns : mapping, optional
        Documents column -> source column, as in ``read_documents``.
    limit : int, optional
        Stop after this many records (over all files).
    sep, encoding, outlet, source_name, date_range, long_text
        As in :func:`framing.io.read_documents`.
    data_home : path-like, optional
        Where corpus cards' files are found (for a card name).

    Yields
    ------
    Chunk
        ``.data`` (documents), ``.exclusions`` (dropped and flagged rows), ``.n_read``.

    Raises
    ------
    DataNotFoundError, EmptyInputError, SchemaError, ParseError
        As ``read_documents``: a missing file, a file without rows, a required column that
        is missing (raised with the first chunk), a file that cannot be parsed.

    Notes
    -----
    Rows are checked chunk by chunk, so the warnings of ``read_documents`` come per chunk
    (malformed rows and repaired encodings once per file, at its end). A repeated id becomes
    ``id~2``, ``id~3`` ... skipping ids used by *earlier* rows; ``read_documents`` also skips
    ids used by later rows, so the two differ only when a file holds both ``x`` twice and a
    literal ``x~2`` after them. For JSONL, the column mapping is taken from the keys of the
    first chunk.

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "news.csv")
    >>> pd.DataFrame({"id": ["a", "b", "c"], "source": ["AP", "TASS", "BBC"],
    ...               "date": ["2017-04-07", "2017-04-08", "not a date"],
    ...               "body": ["Missiles hit Shayrat.", "Moscow objects.", "Talks."]}
    ...              ).to_csv(path, index=False)
    >>> for chunk in iter_chunks(path, chunk_size=2):
    ...     print(chunk.index, chunk.data["doc_id"].tolist(), chunk.exclusions["row"].tolist())
    0 ['a', 'b'] []
    1 ['c'] [3]
    """
    chunk_size = _check_positive("chunk_size", chunk_size)
    limit = None if limit is None else _check_positive("limit", limit)
    plan, extra = _plan(source, format=format, source_name=source_name, data_home=data_home)
    opts = _Options(columns=dict(columns if columns is not None else extra.get("columns", {})),
                    sep=sep, encoding=encoding, outlet=outlet,
                    date_range=_resolved_date_range(date_range), long_text=long_text,
                    id_prefix=extra.get("id_prefix", ""))
    ledger = _Ledger()
    for raw in _iter_raw(plan, opts, chunk_size, limit):
        prepared = _prepare(raw, opts)
        for category, message in prepared.warnings:
            warnings.warn(message, DataQualityWarning if category == "DataQualityWarning"
                          else UserWarning, stacklevel=2)
        data, exclusions = _apply(prepared, ledger.resolve(prepared.keys()), opts)
        yield Chunk(raw.index, data, exclusions, raw.n_read, raw.source, raw.fmt,
                    raw.first_row, raw.last_row)


def _check_positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name}={value!r}: expected a positive integer.")
    return int(value)


# =============================================================================== process


def _load_model(classifier):
    if classifier is None:
        return None, None
    from .frames import FrameClassifier, load_classifier

    if isinstance(classifier, (str, os.PathLike)):
        return load_classifier(classifier), str(classifier)
    if isinstance(classifier, FrameClassifier):
        if not hasattr(classifier, "estimator_"):
            raise ParameterError("classifier: the FrameClassifier is not fitted; fit it or "
                                 "pass the path of a saved model.")
        return classifier, f"FrameClassifier(classes={list(map(str, classifier.classes_))})"
    raise ParameterError(f"classifier={classifier!r}: expected the path of a saved model "
                         "(framing classify train) or a fitted FrameClassifier.")


def _codebook_specs(codebooks) -> tuple:
    from .frames import Codebook, load_codebook

    if isinstance(codebooks, (str, os.PathLike, Codebook)):
        codebooks = (codebooks,)
    specs = []
    for spec in codebooks:
        load_codebook(spec)  # fail early, in the caller, with the codebook's own message
        if isinstance(spec, os.PathLike) or (isinstance(spec, str) and (
                spec.endswith(".toml") or Path(spec).is_file())):
            spec = str(Path(spec).resolve())
        specs.append(spec)
    return tuple(specs)


def _run_local(plan, opts, chunk_size, limit, model, tmp: Path, progress: bool) -> list[dict]:
    from tqdm.auto import tqdm

    ledger, stats = _Ledger(), []
    bar = tqdm(desc="chunks", unit="chunk", disable=not progress)
    for raw in _iter_raw(plan, opts, chunk_size, limit):
        prepared = _prepare(raw, opts)
        start = time.perf_counter()
        resolution = ledger.resolve(prepared.keys())
        seconds = time.perf_counter() - start
        stat = _complete(prepared, resolution, opts, model, str(tmp))
        stat["timings"]["resolve"] = seconds
        stats.append(stat)
        bar.update(1)
    bar.close()
    return stats


def process_corpus(
    source,
    out_dir: str | os.PathLike,
    *,
    codebooks: Sequence = ("syria-2017",),
    classifier=None,
    chunk_size: int = 5000,
    clean: bool = True,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    client=None,
    progress: bool = False,
    stripped_punctuation: bool | None = None,
    min_tokens: int = 30,
    limit: int | None = None,
    read_options: Mapping[str, Any] | None = None,
    data_home=None,
) -> ProcessResult:
    """Clean and code a corpus of any size chunk by chunk, writing Parquet partitions.

    Each chunk of ``chunk_size`` records is read (:func:`iter_chunks`), cleaned
    (:func:`framing.clean.clean_documents`), coded with every codebook
    (:func:`framing.frames.code_documents`) and, with ``classifier``, classified
    (:meth:`FrameClassifier.predict_frames <framing.frames.FrameClassifier.predict_frames>`);
    then its tables are written as ``part-NNNNN.parquet`` (``NNNNN`` = chunk number) in
    ``out_dir/documents``, ``doc_frames``, ``predictions`` and ``exclusions``, and a summary in
    ``out_dir/_summary.json``. Exact duplicates (same normalised text as an earlier row,
    anywhere in the corpus) are flagged in ``duplicate_kind``/``duplicate_of``, not dropped.
    Every row read is accounted for: ``rows_read == rows_kept + rows_dropped``.

    Parameters
    ----------
    source : path-like, list of path-likes or str
        What :func:`iter_chunks` reads: a CSV/TSV/JSONL/Parquet file, a folder of Parquet
        partitions, a list of files or a corpus card name.
    out_dir : path-like
        Output folder, written atomically (a temporary sibling renamed at the end). An earlier
        output of this function there is replaced; any other non-empty folder is refused.
    codebooks : sequence of str, path or Codebook, default ("syria-2017",)
        Codebooks to apply (``()`` for none).
    classifier : path-like or FrameClassifier, optional
        A model saved by :meth:`FrameClassifier.save` (loaded with its SHA-256 check) or a
        fitted classifier; writes the ``predictions`` table.
    chunk_size : int, default 5000
        Records per chunk. The output does not depend on it except for how rows are spread
        over the partitions.
    clean : bool, default True
        Clean titles and texts (boilerplate, datelines, Unicode); texts left empty are dropped
        (``empty_after_cleaning``).
    format, columns : optional
        As in :func:`framing.io.read_documents`.
    client : dask.distributed.Client, optional
        Run the chunks on this cluster (see :mod:`framing.distributed`); the files written are
        the same as without it. The workers must see ``out_dir``'s parent folder.
    progress : bool
        Show a progress bar over the chunks.
    stripped_punctuation : bool, optional
        Passed to ``clean_documents``; by default taken from the corpus card (False for files).
    min_tokens : int, default 30
        Texts with fewer words are never flagged as exact duplicates (as in
        :func:`framing.duplicates.find_duplicates`).
    limit : int, optional
        Process only the first ``limit`` records.
    read_options : mapping, optional
        ``sep``, ``encoding``, ``outlet``, ``source_name``, ``date_range``, ``long_text`` of
        :func:`framing.io.read_documents`.
    data_home : path-like, optional
        Data home for corpus card names.

    Returns
    -------
    ProcessResult
        ``.counts`` per chunk, ``.summary()``, ``.read(table)``, ``.timings``.

    Raises
    ------
    ParameterError
        A bad argument, or ``out_dir`` holds something else.
    DataNotFoundError, EmptyInputError, SchemaError, ParseError, CodebookError
        The input cannot be read (the message names the file, row and column).

    See Also
    --------
    iter_chunks : the streaming reader alone.
    framing.corpus.load_corpus : the in-memory equivalent (it also finds near duplicates
        and wire copies, which need all documents at once).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"id": ["a", "b"], "source": ["TASS", "CNN"],
    ...               "date": ["2017-04-10", "2017-04-11"], "title": ["", ""],
    ...               "text": ["Lavrov said the strike recalls the 2003 invasion of Iraq.",
    ...                        "ISIS fighters left Mosul in Iraq."]}
    ...              ).to_csv(os.path.join(folder, "news.csv"), index=False)
    >>> result = process_corpus(os.path.join(folder, "news.csv"), os.path.join(folder, "out"),
    ...                         chunk_size=1)
    >>> result.n_read, result.n_kept, len(result.counts)
    (2, 2, 2)
    >>> frames = result.read("doc_frames")
    >>> frames.loc[frames["frame"] == "iraq_2003_analogy", ["doc_id", "label"]].values.tolist()
    [['a', 'present'], ['b', 'absent']]
    """
    started = time.perf_counter()
    chunk_size = _check_positive("chunk_size", chunk_size)
    limit = None if limit is None else _check_positive("limit", limit)
    min_tokens = _check_positive("min_tokens", min_tokens)
    read_options = dict(read_options or {})
    unknown = sorted(set(read_options) - {"sep", "encoding", "outlet", "source_name",
                                          "date_range", "long_text"})
    if unknown:
        raise ParameterError(f"read_options: unknown key(s) {unknown}; allowed: sep, encoding, "
                             "outlet, source_name, date_range, long_text.")
    plan, extra = _plan(source, format=format, source_name=read_options.get("source_name"),
                        data_home=data_home)
    specs = _codebook_specs(codebooks)
    model, model_name = _load_model(classifier)
    if stripped_punctuation is None:
        stripped_punctuation = extra.get("stripped_punctuation", False)
    opts = _Options(
        columns=dict(columns if columns is not None else extra.get("columns", {})),
        sep=read_options.get("sep"), encoding=read_options.get("encoding", "utf-8"),
        outlet=read_options.get("outlet"),
        date_range=_resolved_date_range(read_options.get("date_range", DEFAULT_DATE_RANGE)),
        long_text=int(read_options.get("long_text", DEFAULT_LONG_TEXT)), process=True,
        clean=bool(clean), stripped_punctuation=bool(stripped_punctuation), codebooks=specs,
        min_tokens=min_tokens, id_prefix=extra.get("id_prefix", ""))
    with AtomicDirectory(out_dir, marker=SUMMARY_FILE,
                         kind="the output of an earlier process_corpus run") as target:
        tmp = target.tmp
        tables = [t for t in TABLES if t != "predictions" or model is not None]
        for table in tables:
            (tmp / table).mkdir()
        if client is None:
            mode = "single-process"
            stats = _run_local(plan, opts, chunk_size, limit, model, tmp, progress)
        else:
            from .distributed import run_on_client

            stats, mode = run_on_client(client, plan, opts, chunk_size, limit, model, tmp,
                                        progress)
        if not stats:
            raise EmptyInputError(f"{', '.join(s.source for s in plan)}: no rows to process.")
        info = _summary_info(stats, plan, opts, extra, tables, mode, chunk_size, limit,
                             model_name, clean, format, time.perf_counter() - started)
        write_json(tmp / SUMMARY_FILE, info)
    result = ProcessResult(target.out, info)
    logger.info("%s", result.one_line())
    return result


def _summary_info(stats, plan, opts, extra, tables, mode, chunk_size, limit, model_name,
                  clean, format, wall) -> dict[str, Any]:
    from . import __version__, versions

    reasons: Counter = Counter()
    timings: Counter = Counter()
    messages: Counter = Counter()
    outlets: set[str] = set()
    for stat in stats:
        reasons.update(stat["reasons"])
        timings.update(stat["timings"])
        outlets.update(stat["outlets"])
        for category, message in stat["warnings"]:
            messages[(category, message)] += 1
    counts = [s["counts"] for s in stats]
    n_read = sum(c["rows_read"] for c in counts)
    n_kept = sum(c["rows_kept"] for c in counts)
    n_dropped = sum(c["rows_dropped"] for c in counts)
    if n_read != n_kept + n_dropped:
        raise FramingError(f"{n_read} rows read but {n_kept} kept + {n_dropped} dropped.")
    if n_kept > 1 and len(outlets) == 1 and opts.outlet is None:
        warnings.warn(f"{plan[0].source}, column 'outlet': every row has the same outlet "
                      f"{next(iter(outlets))!r}. Outlet comparisons need two or more outlets.",
                      DataQualityWarning, stacklevel=3)
    flagged_reasons = {k: v for k, v in reasons.items() if k.endswith("|flagged")}
    if n_dropped or flagged_reasons:
        by = ", ".join(f"{k.replace('|', ' ')}: {v}" for k, v in sorted(reasons.items()))
        warnings.warn(f"{plan[0].source}{' ...' if len(plan) > 1 else ''}: {n_dropped} of "
                      f"{n_read} row(s) dropped; exclusions by reason ({by}); see the "
                      "exclusions table.", DataQualityWarning, stacklevel=3)
    for (category, message), n in messages.items():
        logger.debug("%s x%d: %s", category, n, message)
    try:
        import importlib.metadata as md

        dask_versions = {name: md.version(name) for name in ("dask", "distributed")}
    except Exception:  # dask is optional
        dask_versions = {}
    return {
        "framing_version": __version__,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "sources": [{"path": s.path, "source_file": s.source, "format": s.fmt} for s in plan],
        "params": {"codebooks": [str(c) if not isinstance(c, str) else c
                                 for c in opts.codebooks],
                   "classifier": model_name, "chunk_size": chunk_size, "clean": bool(clean),
                   "stripped_punctuation": opts.stripped_punctuation, "format": format,
                   "columns": dict(opts.columns), "sep": opts.sep, "encoding": opts.encoding,
                   "outlet": opts.outlet, "date_range": list(opts.date_range),
                   "long_text": opts.long_text, "min_tokens": opts.min_tokens, "limit": limit,
                   "card": extra.get("card"), "id_prefix": opts.id_prefix},
        "rows_read": n_read, "rows_kept": n_kept, "rows_dropped": n_dropped,
        "rows_flagged": sum(c["rows_flagged"] for c in counts),
        "exact_duplicates": sum(c["exact_duplicates"] for c in counts),
        "exclusions_by_reason": [{"reason": k.split("|")[0], "action": k.split("|")[1],
                                  "rows": v} for k, v in sorted(reasons.items())],
        "chunks": len(stats),
        "chunk_counts": counts,
        "tables": {t: len(stats) for t in tables},
        "warnings": [{"category": c, "message": m, "chunks": n}
                     for (c, m), n in messages.items()],
        "versions": {**versions(), **dask_versions},
        "timings_seconds": {k: round(v, 3) for k, v in sorted(timings.items())},
        "wall_seconds": round(wall, 3),
    }


# =============================================================================== result


class ProcessResult(SummaryExports):
    """What :func:`process_corpus` wrote, read back from its output folder.

    Attributes
    ----------
    out_dir : pathlib.Path
    counts : pandas.DataFrame
        One row per chunk: ``chunk, source_file, first_row, last_row, rows_read, rows_kept,
        rows_dropped, rows_flagged, exact_duplicates, seconds``.
    timings : dict
        Seconds per stage summed over chunks (``read``, ``checks``, ``clean``, ``digest``,
        ``code:<codebook>``, ``predict``, ``write``, ``resolve``; in a Dask run the sum of the
        workers' times) and ``wall`` (the whole run).
    params : dict
        The arguments of the run.
    info : dict
        The whole ``_summary.json``.

    Examples
    --------
    >>> result = ProcessResult.load("out")  # doctest: +SKIP
    >>> result.read("doc_frames", columns=["doc_id", "frame", "label"])  # doctest: +SKIP
    """

    def __init__(self, out_dir: str | os.PathLike, info: Mapping[str, Any]):
        self.out_dir = Path(out_dir)
        self.info = dict(info)
        self.counts = pd.DataFrame(self.info["chunk_counts"])
        self.timings = {**self.info["timings_seconds"], "wall": self.info["wall_seconds"]}
        self.params = dict(self.info["params"])

    @classmethod
    def load(cls, out_dir: str | os.PathLike) -> ProcessResult:
        """Open the output folder of an earlier :func:`process_corpus` run."""
        path = Path(out_dir) / SUMMARY_FILE
        if not path.is_file():
            raise DataNotFoundError(f"{out_dir}: no {SUMMARY_FILE}; not the output of "
                                    "process_corpus (or the run did not finish).")
        return cls(out_dir, json.loads(path.read_text(encoding="utf-8")))

    @property
    def n_read(self) -> int:
        """Rows read from the source."""
        return int(self.info["rows_read"])

    @property
    def n_kept(self) -> int:
        """Documents written."""
        return int(self.info["rows_kept"])

    @property
    def n_dropped(self) -> int:
        """Rows read but not written as documents (each has an exclusion row)."""
        return int(self.info["rows_dropped"])

    @property
    def tables(self) -> list[str]:
        """Names of the tables written."""
        return list(self.info["tables"])

    def files(self, table: str) -> list[Path]:
        """The Parquet partitions of ``table``, in chunk order."""
        if table not in self.info["tables"]:
            raise ParameterError(f"table {table!r}: this run wrote {self.tables}.")
        return sorted((self.out_dir / table).glob("part-*.parquet"))

    def iter_read(self, table: str, *, columns: Sequence[str] | None = None
                  ) -> Iterator[pd.DataFrame]:
        """The partitions of ``table`` one at a time (for outputs larger than memory)."""
        for path in self.files(table):
            yield pd.read_parquet(path, columns=None if columns is None else list(columns))

    def read(self, table: str, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A written table as one DataFrame (all partitions, in chunk order).

        Source columns that only some partitions have (possible with JSONL) are filled with
        ``""`` elsewhere, as ``read_documents`` fills missing keys.
        """
        parts = list(self.iter_read(table, columns=columns))
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if table == "documents" and len(parts) > 1:
            partial = [c for c in frame.columns if any(c not in p.columns for p in parts)]
            for col in partial:
                frame[col] = frame[col].fillna("")
            if partial:  # JSONL keys accumulate: the widest partition has the file's order
                widest = list(max(parts, key=lambda p: p.shape[1]).columns)
                frame = frame[widest + [c for c in frame.columns if c not in widest]]
        if "row" in frame.columns:
            frame["row"] = frame["row"].astype("Int64")
        return frame

    def check_accounting(self) -> None:
        """Raise :class:`FramingError` unless rows read == documents + dropped rows."""
        if self.n_read != self.n_kept + self.n_dropped:
            raise FramingError(f"{self.out_dir}: {self.n_read} rows read but {self.n_kept} "
                               f"documents + {self.n_dropped} dropped.")

    def summary(self) -> Summary:
        """Rows read, kept, dropped and flagged, and the exclusions by reason.

        A :class:`~framing.results.Summary`: renders in Jupyter, ``.to_markdown()``,
        ``.to_latex()``; its ``.table`` is a DataFrame with ``measure`` and ``value``.
        """
        rows = [("rows read", self.n_read), ("documents", self.n_kept),
                ("dropped", self.n_dropped), ("flagged rows", self.info["rows_flagged"]),
                ("exact duplicates (flagged)", self.info["exact_duplicates"]),
                ("chunks", self.info["chunks"])]
        rows += [(f"{r['action']}: {r['reason']}", r["rows"])
                 for r in self.info["exclusions_by_reason"]]
        table = pd.DataFrame(rows, columns=["measure", "value"])
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
        params = {k: self.params[k] for k in ("codebooks", "classifier", "chunk_size")}
        return Summary(f"Out-of-core run ({self.info['mode']}) -> {self.out_dir}", table,
                       params, (f"timings: {stages}",))

    def one_line(self) -> str:
        """``N rows read: K documents, D dropped, F flagged ... -> out_dir (T s)``."""
        return (f"{self.n_read} rows read in {self.info['chunks']} chunk(s): {self.n_kept} "
                f"documents, {self.n_dropped} dropped, {self.info['rows_flagged']} flagged "
                f"({self.info['exact_duplicates']} exact duplicates); tables "
                f"{', '.join(self.tables)} -> {self.out_dir} ({self.timings['wall']:.1f} s, "
                f"{self.info['mode']})")

    def __repr__(self) -> str:
        return f"<ProcessResult {self.one_line()}>"
