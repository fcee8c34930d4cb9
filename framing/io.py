"""Readers that map news files of many formats onto the documents schema.

Every reader returns a :class:`ReadResult`: the documents table (``doc_id, outlet, published,
title, text, url`` first, source columns after) and an exclusions table with one row per input
row that was dropped or flagged, so that ``n_read == len(data) + n_dropped`` always holds.

Supported: CSV, TSV, JSONL, Parquet (each optionally gzip-compressed), a folder of ``.txt``
files with a metadata CSV, and Media Cloud story-list CSV exports.

One parser for whole files and for streams
------------------------------------------
Every parsing decision lives here once, and is used both by :func:`read_documents` (the whole
file in memory) and by :mod:`framing.outofcore` (a file streamed in chunks of records):

* ``_LineDecoder`` decodes bytes: it drops a UTF-8 byte-order mark, refuses empty input, and
  with ``utf-8`` decodes stray bytes as Windows-1252 and remembers the physical lines that held
  them (rows flagged ``encoding_repaired``); other encodings are strict. ``read_documents``
  gives it the whole file (``_open_bytes``), the streaming reader one line at a time
  (``_file_lines``);
* ``_DelimitedRecords`` (header, delimiter sniffing, field-size limit, universal newlines,
  malformed records) and ``_jsonl_batches`` turn the decoded text into batches of records
  (``_Batch``: str columns plus ``_row``, the record number in the file): one batch for
  ``read_documents``, ``chunk_size`` records per batch when streaming; ``_strings`` converts
  Parquet columns the same way;
* ``_to_schema`` and ``_check_rows`` map a batch onto the documents schema and log bad rows.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import gzip
import io
import itertools
import json
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataNotFoundError, DataQualityWarning, EmptyInputError, ParseError, SchemaError
from .schema import DOCUMENT_COLUMNS, EXCLUSION_COLUMNS, empty_exclusions

__all__ = [
    "ReadResult",
    "read_documents",
    "detect_format",
    "COLUMN_ALIASES",
    "FORMATS",
]

logger = logging.getLogger(__name__)

FORMATS = ("csv", "tsv", "jsonl", "parquet", "text-folder", "mediacloud")

#: Source column names recognised for each documents column, in order of preference
#: (matched case-insensitively when no explicit ``columns`` mapping is given).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "doc_id": ("doc_id", "id", "stories_id", "story_id", "article_id", "unit_id", "uuid", "guid"),
    "outlet": ("outlet", "media_name", "source", "publication", "publisher", "media", "site",
               "source_name", "domain"),
    "published": ("published", "publish_date", "date", "publication_date", "pub_date",
                  "published_at", "datetime", "timestamp"),
    "title": ("title", "headline", "article_title"),
    "text": ("text", "body", "content", "content_original", "article_content", "full_text",
             "article", "story_text"),
    "url": ("url", "link", "article_url", "article_source_link", "source_link"),
}
REQUIRED = ("outlet", "published", "text")
# Media Cloud story lists (v3 "stories_id ... media_name", v4 search "id ... media_name").
MEDIACLOUD_MARKERS = {"media_name", "publish_date"}

#: Dates outside this range are treated as impossible (flagged, set to missing).
DEFAULT_DATE_RANGE = ("1900-01-01", None)  # None: today + 1 day
#: Texts longer than this are flagged (often several pages or a whole feed glued together).
DEFAULT_LONG_TEXT = 1_000_000

_SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
                   ".ndjson": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class ReadResult:
    """What a reader returns.

    Attributes
    ----------
    data : pandas.DataFrame
        Documents table, schema columns first, source columns after.
    exclusions : pandas.DataFrame
        One row per dropped or flagged input row (``source_file, row, doc_id, reason, detail,
        action``); ``row`` is the 1-based data record number in the file.
    n_read : int
        Records read from the source (including dropped ones).
    source : str
        The name used for the file in messages and in ``exclusions.source_file``.
    format : str
        The format the file was read as.
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    n_read: int
    source: str
    format: str

    @property
    def n_dropped(self) -> int:
        """Number of input rows that are not in ``data``."""
        return int((self.exclusions["action"] == "dropped").sum())


class _Log:
    """Collects exclusion rows for one source file."""

    def __init__(self, source: str):
        self.source = source
        self.rows: list[dict] = []

    def add(self, row, doc_id, reason, detail, action="flagged"):
        self.rows.append({"source_file": self.source, "row": row, "doc_id": doc_id,
                          "reason": reason, "detail": detail, "action": action})

    def table(self) -> pd.DataFrame:
        if not self.rows:
            return empty_exclusions()
        table = pd.DataFrame(self.rows, columns=list(EXCLUSION_COLUMNS))
        table["row"] = table["row"].astype("Int64")
        return table


def detect_format(path: str | os.PathLike) -> str:
    """Guess a file's format from its name (``.gz`` allowed) or, for folders, ``text-folder``.

    Media Cloud exports are CSV files and are recognised from their columns when read.
    """
    path = Path(path)
    if path.is_dir():
        return "text-folder"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    fmt = _SUFFIX_FORMATS.get(suffixes[-1] if suffixes else "")
    if fmt is None:
        raise ParseError(
            f"{path}: cannot tell the format from the name; pass format= one of {FORMATS}."
        )
    return fmt


def read_documents(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    sep: str | None = None,
    encoding: str = "utf-8",
    outlet: str | None = None,
    metadata: str | os.PathLike | None = None,
    source_name: str | None = None,
    date_range: tuple[str | None, str | None] = DEFAULT_DATE_RANGE,
    long_text: int = DEFAULT_LONG_TEXT,
) -> ReadResult:
    """Read a news file into the documents schema, logging every dropped or flagged row.

    Parameters
    ----------
    path : path-like
        A CSV/TSV/JSONL/Parquet file (``.gz`` allowed), a Media Cloud story-list CSV, or a folder
        of ``.txt`` files with a metadata CSV.
    format : str, optional
        One of :data:`FORMATS`; guessed from the name (and columns) when omitted.
    columns : mapping, optional
        Documents column -> source column, e.g. ``{"text": "body", "published": "pubdate"}``.
        Columns not given are matched through :data:`COLUMN_ALIASES`.
    sep : str, optional
        Field delimiter of delimited text; by default ``,`` (``\\t`` for TSV). When the header
        only splits on another delimiter, that one is used and a warning says so.
    encoding : str
        Text encoding. With ``utf-8``, bytes that are not valid UTF-8 are decoded as Windows-1252
        (the usual cause) and each affected row is flagged ``encoding_repaired``.
    outlet : str, optional
        Outlet name for files that hold one outlet and have no outlet column.
    metadata : path-like, optional
        For ``text-folder``: the metadata CSV (default: ``metadata.csv`` inside the folder) with a
        ``file`` column naming each text file.
    source_name : str, optional
        Name used for the file in messages and in the exclusions table (default: the path).
    date_range : (str or None, str or None)
        Dates outside are impossible: flagged ``bad_date`` and set to missing. ``None`` as the
        upper bound means tomorrow.
    long_text : int
        Texts longer than this many characters are flagged ``very_long_text``.

    Returns
    -------
    ReadResult

    Raises
    ------
    EmptyInputError
        The file is empty or has a header and no rows.
    SchemaError
        A required column (outlet, published, text) is missing.
    ParseError
        The file cannot be read in its format.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "news.csv")
    >>> pd.DataFrame({"id": ["a"], "source": ["Reuters"], "date": ["2017-04-07"],
    ...               "headline": ["US strikes Syrian air base"],
    ...               "body": ["Missiles hit Shayrat."]}).to_csv(path, index=False)
    >>> result = read_documents(path)
    >>> result.data[["doc_id", "outlet", "title"]].to_dict("records")
    [{'doc_id': 'a', 'outlet': 'Reuters', 'title': 'US strikes Syrian air base'}]
    """
    path = Path(path)
    source = source_name or str(path)
    if not path.exists():
        raise DataNotFoundError(f"{source}: no such file or folder.")
    fmt = format or detect_format(path)
    if fmt not in FORMATS:
        raise ParseError(f"{source}: unknown format {fmt!r}; use one of {FORMATS}.")
    log = _Log(source)
    if fmt == "text-folder":
        raw, n_unparsed = _read_text_folder(path, metadata, log, source, encoding)
    elif fmt == "parquet":
        raw, n_unparsed = _read_parquet(path, source), 0
    elif fmt == "jsonl":
        raw, n_unparsed = _read_jsonl(path, log, source, encoding)
    else:
        default_sep = "\t" if fmt == "tsv" else ","
        raw, n_unparsed = _read_delimited(path, log, source, encoding, sep or default_sep,
                                          explicit=sep)
        if _is_mediacloud(fmt, raw.columns):
            fmt = "mediacloud"
    n_read = len(raw) + n_unparsed
    _warn_malformed(source, [r for r in log.rows if r["reason"] == "malformed_row"],
                    stacklevel=2)
    if fmt == "mediacloud":
        logger.info("%s: recognised as a Media Cloud story-list export", source)
    data = _to_schema(raw, columns or {}, fmt, outlet, log, source)
    data = _check_rows(data, log, source, date_range, long_text,
                       warn_single_outlet=outlet is None)
    logger.info("%s: read %d rows as %s; kept %d, dropped %d, flagged %d", source, n_read, fmt,
                len(data), sum(r["action"] == "dropped" for r in log.rows),
                sum(r["action"] == "flagged" for r in log.rows))
    return ReadResult(data=data.reset_index(drop=True), exclusions=log.table(), n_read=n_read,
                      source=source, format=fmt)


# --------------------------------------------------------------------------- parsing primitives
# One implementation of every parsing decision. read_documents decodes a file whole and parses
# it as one batch; framing.outofcore feeds the same functions one physical line at a time and
# cuts batches of ``chunk_size`` records. Batch tables hold str columns plus ``_row`` (1-based
# data record number in the file) and, where bytes were repaired, ``_repaired``.


def _is_blank(raw: bytes) -> bool:
    """Whether ``raw`` is empty or ASCII whitespace (``not raw.strip()`` without the copy)."""
    return not raw or raw.isspace()


def _open_bytes(path: Path) -> bytes:
    """A whole file's bytes, decompressed if it is gzip (read_documents)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ParseError(f"{path}: damaged gzip stream ({exc}).") from exc
    return data


def _file_lines(path: str | os.PathLike, source: str) -> Iterator[bytes]:
    """A file's physical lines (split at ``\\n``, kept), decompressed if it is gzip (streaming)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    # gzip.open's file object closes the file it opened; the finally below closes either.
    fh = gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")  # noqa: SIM115
    try:
        yield from fh
    except (OSError, EOFError) as exc:
        raise ParseError(f"{source}: damaged or unreadable file ({exc}).") from exc
    finally:
        fh.close()


_repairs = threading.local()  # spans of the bytes the handler below repaired, while recorded


def _cp1252_fallback(exc: UnicodeDecodeError):
    # Windows-1252 is what stray bytes in news exports almost always are (Excel round-trips);
    # undefined cp1252 bytes (0x81, 0x8d ...) become U+FFFD so that nothing raises.
    spans = getattr(_repairs, "spans", None)
    if spans is not None:
        spans.append((exc.start, exc.end))
    chunk = exc.object[exc.start:exc.end]
    return chunk.decode("cp1252", errors="replace"), exc.end


codecs.register_error("framing-cp1252", _cp1252_fallback)


class _LineDecoder:
    """Decodes blocks of bytes that end at a line end (a whole file, or one line at a time).

    The encoding decisions for every text format: a UTF-8 byte-order mark is dropped; with
    ``utf-8``, bytes that are not valid UTF-8 are decoded as Windows-1252 and remembered per
    physical line (``bad``: line -> hex bytes) so that the rows holding them can be flagged
    ``encoding_repaired``; any other encoding is strict and a failure names the byte offset.
    With ``require_content``, input that is empty or ASCII whitespace raises EmptyInputError.
    """

    def __init__(self, source: str, encoding: str, *, require_content: bool = True):
        self.source, self.encoding = source, encoding
        self.require_content = require_content
        self.utf8 = encoding.lower().replace("-", "") in ("utf8", "utf_8")
        self.bad: dict[int, str] = {}  # physical line -> description of the repaired bytes

    def decode(self, raw_blocks: Iterable[bytes]) -> Iterator[str]:
        """Decoded text of ``raw_blocks``: the whole input as one block, or one physical line
        (ending in ``\\n``, but for the last) per block. Text blocks end at line ends too."""
        raw_blocks = iter(raw_blocks)
        head = []
        for raw in raw_blocks:
            head.append(raw)
            if not self.require_content or not _is_blank(raw):
                break
        else:
            if self.require_content:
                raise EmptyInputError(f"{self.source}: the file is empty (0 data rows); "
                                      "nothing to read.")
        if head and head[0].startswith(codecs.BOM_UTF8):
            head[0] = head[0][len(codecs.BOM_UTF8):]
        blocks = itertools.chain(head, raw_blocks)
        if not self.utf8:
            yield from self._strict(blocks)
            return
        for line, raw in enumerate(blocks, start=1):  # the line at which the block starts
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                yield self._repair(raw, line)

    def _repair(self, raw: bytes, line: int) -> str:
        _repairs.spans = spans = []
        try:
            text = raw.decode("utf-8", errors="framing-cp1252")
        finally:
            _repairs.spans = None
        pos = 0
        for start, end in spans:
            line += raw.count(b"\n", pos, start)
            pos = start
            self.bad[line] = (self.bad.get(line, "") + " " + raw[start:end].hex()).strip()
        return text

    def _strict(self, raw_blocks: Iterator[bytes]) -> Iterator[str]:
        decoder, offset, pending = codecs.getincrementaldecoder(self.encoding)(), 0, ""
        for raw in itertools.chain(raw_blocks, [None]):  # None: the end, flush the decoder
            buffered = len(decoder.getstate()[0])
            try:
                text = pending + decoder.decode(raw or b"", final=raw is None)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"{self.source}: byte {offset - buffered + exc.start} cannot be decoded as "
                    f"{self.encoding} ({exc.reason}); pass the file's real encoding with "
                    "encoding=..."
                ) from exc
            offset += len(raw or b"")
            cut = len(text) if raw is None else text.rfind("\n") + 1
            pending = text[cut:]
            if cut:
                yield text[:cut]

    def warn(self, stacklevel: int) -> None:
        """Say how many lines were repaired (``stacklevel`` counted from the caller)."""
        if self.bad:
            warnings.warn(
                f"{self.source}: {len(self.bad)} line(s) hold bytes that are not valid UTF-8 "
                f"(first at line {min(self.bad)}); decoded them as Windows-1252 and flagged the "
                "rows 'encoding_repaired'. If the whole file is in another encoding, pass "
                "encoding=...", DataQualityWarning, stacklevel=stacklevel + 1,
            )

    def repaired(self, spans: list[tuple[int, int]]) -> list[str] | None:
        """Per span of physical lines, the repaired bytes in it (None if there are none)."""
        if not self.bad:
            return None
        lines = list(self.bad)  # in line order: blocks are decoded in order
        details = [
            "; ".join(f"line {ln}: bytes {self.bad[ln]}"
                      for ln in lines[bisect.bisect_left(lines, a):bisect.bisect_right(lines, b)])
            for a, b in spans
        ]
        return details if any(details) else None


def _universal_lines(first: str, rest: Iterator[str]) -> Iterator[str]:
    """Lines of the text block ``first`` (all of a file read whole), then of the blocks
    ``rest``, split at ``\\n``, ``\\r\\n`` and a lone ``\\r`` as ``io.StringIO(newline="")``
    splits them."""
    return itertools.chain(io.StringIO(first, newline=""), _split_lines(rest))


def _split_lines(blocks: Iterator[str]) -> Iterator[str]:
    for block in blocks:
        # One line that ends in its only \n (always, when streaming UTF-8) and has no \r but
        # one just before that \n: as it is. Anything else: split as StringIO splits.
        plain = "\r" not in block or (block.find("\r") == len(block) - 2 and block[-1] == "\n")
        if plain and 0 < len(block) == block.find("\n") + 1:
            yield block
        else:
            yield from io.StringIO(block, newline="")


def _raise_field_limit() -> None:
    # The csv module refuses fields over 128 KiB by default; long articles are legitimate.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10


def _sniff_header(header_line: str, sep: str, source: str, stacklevel: int) -> str:
    try:
        dialect = csv.Sniffer().sniff(header_line, delimiters=",;\t|")
    except csv.Error:
        return sep
    if dialect.delimiter != sep and header_line.count(dialect.delimiter) > header_line.count(sep):
        warnings.warn(
            f"{source}, row 0 (header): the header splits on {dialect.delimiter!r}, not on "
            f"{sep!r}; reading with sep={dialect.delimiter!r}. Pass sep= to override.",
            DataQualityWarning, stacklevel=stacklevel + 1,
        )
        return dialect.delimiter
    return sep


@dataclass
class _Batch:
    """Records ``first_row..last_row`` of a file as a table, plus the records that could not be
    parsed (``malformed``: exclusion rows, dropped)."""

    table: pd.DataFrame
    malformed: list[dict]
    first_row: int
    last_row: int


def _malformed(source: str, row: int, detail: str) -> dict:
    return {"source_file": source, "row": row, "doc_id": "", "reason": "malformed_row",
            "detail": detail, "action": "dropped"}


def _warn_malformed(source: str, malformed: list[dict], stacklevel: int) -> None:
    if malformed:
        first = malformed[0]
        warnings.warn(f"{source}: {len(malformed)} malformed row(s) dropped (first: row "
                      f"{first['row']}, {first['detail']}); see the exclusions.",
                      DataQualityWarning, stacklevel=stacklevel + 1)


class _DelimitedRecords:
    """Records of delimited text (CSV/TSV) from decoded blocks. The header is read (and its
    delimiter sniffed unless ``explicit``) when made; :meth:`batches` parses the records."""

    def __init__(self, blocks: Iterator[str], source: str, sep: str, explicit: str | None,
                 stacklevel: int):
        self.source = source
        first = next(blocks, "")
        if explicit is None:
            newline = first.find("\n")
            sep = _sniff_header(first[:newline] if newline >= 0 else first, sep, source,
                                stacklevel + 1)
        _raise_field_limit()
        self.reader = csv.reader(_universal_lines(first, blocks),
                                 delimiter=sep, strict=True)
        try:
            header = next(self.reader)
        except csv.Error as exc:
            raise ParseError(f"{source}, header line: cannot parse ({exc}).") from exc
        except StopIteration:  # nothing but a byte-order mark
            raise EmptyInputError(f"{source}: the file is empty (0 data rows); nothing to "
                                  "read.") from None
        header = [h.strip() for h in header]
        if len(set(header)) != len(header):
            dup = sorted({h for h in header if header.count(h) > 1})
            raise SchemaError(f"{source}, header: duplicated column name(s) {dup}; rename them.")
        self.header = header

    def batches(self, decoder: _LineDecoder, chunk_size: int | None = None,
                cap: int | None = None) -> Iterator[_Batch]:
        """Batches of ``chunk_size`` records (all in one if None), stopping after record
        ``cap``; a record with the wrong number of fields or bad quoting is malformed."""
        reader, source, width = self.reader, self.source, len(self.header)
        record_no, last_line, first_row = 0, reader.line_num, 0
        size = chunk_size or -1  # an int to compare with (None: never cut)
        records: list[list[str]] = []
        rows: list[int] = []
        spans: list[tuple[int, int]] = []
        malformed: list[dict] = []

        def batch() -> _Batch:
            table = pd.DataFrame(records, columns=self.header, dtype=object)
            table["_row"] = rows
            repaired = decoder.repaired(spans)
            if repaired is not None:
                table["_repaired"] = repaired
            return _Batch(table, malformed, first_row + 1, record_no)

        while cap is None or record_no < cap:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                record_no += 1
                malformed.append(_malformed(source, record_no, f"lines {last_line + 1}-"
                                            f"{reader.line_num}: {exc} (unbalanced quotes?)"))
                last_line = reader.line_num
            else:
                span = (last_line + 1, reader.line_num)
                last_line = reader.line_num
                if not fields or fields == [""]:
                    continue  # blank line: not a record
                record_no += 1
                if len(fields) != width:
                    malformed.append(_malformed(
                        source, record_no, f"lines {span[0]}-{span[1]}: expected {width} "
                        f"fields, found {len(fields)} (a stray delimiter or quote?)"))
                else:
                    records.append(fields)
                    rows.append(record_no)
                    spans.append(span)
            if record_no - first_row == size:
                yield batch()
                records, rows, spans, malformed = [], [], [], []
                first_row = record_no
        if record_no > first_row:
            yield batch()
        if record_no == 0:
            raise EmptyInputError(f"{source}: the file has a header but no data rows.")


def _jsonl_batches(blocks: Iterable[str], source: str, chunk_size: int | None = None,
                   cap: int | None = None) -> Iterator[_Batch]:
    """JSON-lines records in batches of ``chunk_size`` (all in one if None), stopping at
    record ``cap``. A batch's columns are the keys seen so far in the file, in order of first
    appearance (missing keys are ``""``); a line that is not a JSON object is malformed, a
    blank line is not a record."""
    known: dict[str, None] = {}
    record_no = line_no = first_row = 0
    size = chunk_size or -1  # an int to compare with (None: never cut)
    objects: list[dict[str, str]] = []
    rows: list[int] = []
    malformed: list[dict] = []

    def batch() -> _Batch:
        for obj in objects:
            known.update(dict.fromkeys(obj))
        columns = list(known)
        table = (pd.DataFrame.from_records(objects, columns=columns) if objects
                 else pd.DataFrame(columns=columns, dtype=object))
        table = table.astype(object).where(table.notna(), "")
        table["_row"] = rows
        return _Batch(table, malformed, first_row + 1, record_no)

    for line in itertools.chain.from_iterable(block.splitlines() for block in blocks):
        if cap is not None and record_no >= cap:
            break
        line_no += 1
        if not line.strip():
            continue
        record_no += 1
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            malformed.append(_malformed(source, record_no, f"line {line_no}: invalid JSON "
                                        f"({exc.msg} at column {exc.colno})"))
        else:
            if not isinstance(obj, dict):
                malformed.append(_malformed(source, record_no, f"line {line_no}: expected a "
                                            f"JSON object, found {type(obj).__name__}"))
            else:
                objects.append({k: _to_str(v) for k, v in obj.items()})
                rows.append(record_no)
        if record_no - first_row == size:
            yield batch()
            objects, rows, malformed = [], [], []
            first_row = record_no
    if record_no > first_row:
        yield batch()
    if record_no == 0:
        raise EmptyInputError(f"{source}: the file is empty (0 data rows); nothing to read.")


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet columns as str (datetimes as ISO 8601 seconds); in place, returned."""
    for col in list(frame.columns):
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("")
        else:
            frame[col] = [_to_str(v) for v in frame[col]]
    return frame


def _is_mediacloud(fmt: str, columns: Iterable[str]) -> bool:
    return fmt == "csv" and MEDIACLOUD_MARKERS <= {str(c).lower() for c in columns}


def _to_str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# --------------------------------------------------------------------------- whole-file readers
# Each returns the one batch's table and the number of records it could not turn into rows
# (logged as dropped, not in the table).


def _read_delimited(path: Path, log: _Log, source: str, encoding: str, sep: str,
                    explicit: str | None) -> tuple[pd.DataFrame, int]:
    decoder = _LineDecoder(source, encoding)
    blocks = list(decoder.decode([_open_bytes(path)]))
    decoder.warn(stacklevel=3)
    records = _DelimitedRecords(iter(blocks), source, sep, explicit, stacklevel=3)
    (batch,) = records.batches(decoder)
    for entry in batch.malformed:  # under the log's name (a text folder's metadata: the folder)
        log.add(entry["row"], "", "malformed_row", entry["detail"], "dropped")
    return batch.table, len(batch.malformed)


def _read_jsonl(path: Path, log: _Log, source: str, encoding: str) -> tuple[pd.DataFrame, int]:
    decoder = _LineDecoder(source, encoding)
    blocks = list(decoder.decode([_open_bytes(path)]))
    decoder.warn(stacklevel=3)
    (batch,) = _jsonl_batches(blocks, source)
    log.rows.extend(batch.malformed)  # source_file: source, the log's name
    return batch.table, len(batch.malformed)


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        raise ParseError(f"{source}: not a readable Parquet file ({exc}).") from exc
    if table.empty:
        raise EmptyInputError(f"{source}: the file has no rows.")
    table = _strings(table.reset_index(drop=True))
    table["_row"] = range(1, len(table) + 1)
    return table


def _read_text_folder(path: Path, metadata, log: _Log, source: str,
                      encoding: str) -> tuple[pd.DataFrame, int]:
    meta_path = Path(metadata) if metadata is not None else path / "metadata.csv"
    if not meta_path.is_file():
        raise SchemaError(
            f"{source}: a folder of texts needs a metadata CSV (looked for {meta_path}) with a "
            "'file' column naming each .txt file plus outlet and date columns; pass metadata=."
        )
    meta, n_unparsed = _read_delimited(meta_path, log, str(meta_path), "utf-8", ",",
                                       explicit=None)
    file_col = next((c for c in meta.columns if c.lower() in ("file", "filename", "path")), None)
    if file_col is None:
        raise SchemaError(f"{meta_path}: no 'file' column naming the text files; found "
                          f"{[c for c in meta.columns if not c.startswith('_')]}.")
    texts, missing = [], []
    for row, name in zip(meta["_row"], meta[file_col], strict=True):
        txt = path / name
        if not txt.is_file():
            missing.append(row)
            log.add(row, "", "missing_file", f"column {file_col!r}: {name!r} is not in {path}",
                    "dropped")
            texts.append(None)
            continue
        decoder = _LineDecoder(str(txt), encoding, require_content=False)
        texts.append("".join(decoder.decode([txt.read_bytes()])))
        decoder.warn(stacklevel=3)
    meta = meta.assign(text=texts)
    listed = set(meta[file_col])
    for txt in sorted(path.glob("*.txt")):
        if txt.name not in listed:
            log.add(None, txt.stem, "no_metadata", f"{txt.name} has no row in {meta_path.name}; "
                    "add one (file, outlet, date) to include it", "dropped")
    n_unlisted = sum(r["reason"] == "no_metadata" for r in log.rows)
    if n_unlisted:
        warnings.warn(f"{source}: {n_unlisted} .txt file(s) have no metadata row and were left "
                      "out; see the exclusions.", DataQualityWarning, stacklevel=3)
    meta = meta[meta["text"].notna()].copy()
    if not {"doc_id", "id"} & {c.lower() for c in meta.columns}:
        meta["doc_id"] = [Path(n).stem for n in meta[file_col]]
    return meta, n_unparsed + len(missing) + n_unlisted


# --------------------------------------------------------------------------- schema mapping


def _resolve_columns(available: Iterable[str], columns: Mapping[str, str], source: str,
                     ) -> dict[str, str]:
    """Documents column -> source column, from ``columns`` then from the aliases."""
    available = [c for c in available if not c.startswith("_")]
    unknown = [k for k in columns if k not in DOCUMENT_COLUMNS]
    if unknown:
        raise SchemaError(f"columns= maps unknown documents column(s) {unknown}; "
                          f"documents columns are {DOCUMENT_COLUMNS}.")
    mapping: dict[str, str] = {}
    for target, src in columns.items():
        if src not in available:
            raise SchemaError(f"{source}: columns= maps {target!r} to {src!r}, which is not in "
                              f"the file; found {available}.")
        mapping[target] = src
    lower = {c.lower(): c for c in reversed(available)}
    taken = set(mapping.values())
    for target, aliases in COLUMN_ALIASES.items():
        if target in mapping:
            continue
        for alias in aliases:
            src = lower.get(alias)
            if src is not None and src not in taken:
                mapping[target] = src
                taken.add(src)
                break
    return mapping


def _to_schema(raw: pd.DataFrame, columns: Mapping[str, str], fmt: str, outlet: str | None,
               log: _Log, source: str) -> pd.DataFrame:
    mapping = _resolve_columns(raw.columns, columns, source)
    if outlet is not None:
        mapping.pop("outlet", None)
    missing = [c for c in REQUIRED if c not in mapping and not (c == "outlet" and outlet)]
    if fmt == "mediacloud" and "text" in missing:
        missing.remove("text")  # story lists carry titles and URLs only; handled below
    if missing:
        found = [c for c in raw.columns if not c.startswith("_")]
        hint = ""
        if len(found) == 1 and any(d in found[0] for d in ";\t|"):
            hint = " The header is one column: is the delimiter wrong? Pass sep=..."
        raise SchemaError(
            f"{source}: required column(s) {missing} not found; found {found}. Map them with "
            f"columns={{'{missing[0]}': 'your_column'}} (recognised names: "
            f"{', '.join(COLUMN_ALIASES[missing[0]])}).{hint}"
        )
    logger.debug("%s: column mapping %s", source, mapping)
    data = pd.DataFrame(index=raw.index)
    for col in DOCUMENT_COLUMNS:
        if col in mapping:
            data[col] = raw[mapping[col]].astype(object)
        elif col == "outlet":
            data[col] = outlet
        else:
            data[col] = ""
    if "doc_id" not in mapping:
        stem = Path(source).name.split(".")[0]
        data["doc_id"] = [f"{stem}:{r}" for r in raw["_row"]]
        logger.info("%s: no id column; doc_id built as '<file>:<row>'", source)
    if fmt == "mediacloud" and "text" not in mapping:
        data["text"] = data["title"]
        for row, doc_id in zip(raw["_row"], data["doc_id"], strict=True):
            log.add(row, doc_id, "text_from_title",
                    "Media Cloud story lists carry no article text; text = title. Fetch the full "
                    "texts (e.g. from the URLs) for any analysis beyond headlines")
        warnings.warn(f"{source}: Media Cloud export without article text; using titles as "
                      "text (rows flagged 'text_from_title').", DataQualityWarning, stacklevel=3)
    used = set(mapping.values())
    extra = [c for c in raw.columns if c not in used and c not in DOCUMENT_COLUMNS]
    data = pd.concat([data, raw[extra]], axis=1)
    return data


def _check_rows(data: pd.DataFrame, log: _Log, source: str,
                date_range: tuple[str | None, str | None], long_text: int,
                warn_single_outlet: bool) -> pd.DataFrame:
    """Row-level checks shared by every format; drops only rows without text."""
    for col in ("doc_id", "outlet", "title", "text", "url"):
        data[col] = _as_text(data[col])
    data["doc_id"] = data["doc_id"].str.strip()
    rows = data["_row"].tolist()

    if "_repaired" in data:
        for row, doc_id, detail in zip(rows, data["doc_id"], data["_repaired"], strict=True):
            if detail:
                log.add(row, doc_id, "encoding_repaired",
                        f"{detail} decoded as Windows-1252 (not valid UTF-8)")

    empty_id = data["doc_id"] == ""
    if empty_id.any():
        stem = Path(source).name.split(".")[0]
        for i in data.index[empty_id]:
            data.at[i, "doc_id"] = f"{stem}:{data.at[i, '_row']}"
            log.add(data.at[i, "_row"], data.at[i, "doc_id"], "missing_doc_id",
                    "column 'doc_id' empty; id built from file and row")

    counts: dict[str, int] = {}
    new_ids = []
    seen = set(data["doc_id"])
    for row, doc_id in zip(rows, data["doc_id"], strict=True):
        n = counts.get(doc_id, 0) + 1
        counts[doc_id] = n
        if n == 1:
            new_ids.append(doc_id)
            continue
        new = f"{doc_id}~{n}"
        while new in seen:
            n += 1
            new = f"{doc_id}~{n}"
        seen.add(new)
        new_ids.append(new)
        log.add(row, new, "duplicate_doc_id",
                f"column 'doc_id': {doc_id!r} already used by an earlier row; renamed {new!r}")
    data["doc_id"] = new_ids

    # Empty or whitespace only: the same as .str.strip() == "", without copying every text.
    blank = pd.Series([not t or t.isspace() for t in data["text"]], index=data.index, dtype=bool)
    for row, doc_id in zip(data.loc[blank, "_row"], data.loc[blank, "doc_id"], strict=True):
        log.add(row, doc_id, "empty_text", "column 'text' is empty or whitespace only",
                "dropped")
    if blank.any():
        warnings.warn(f"{source}: {int(blank.sum())} row(s) with empty text dropped (first: row "
                      f"{data.loc[blank, '_row'].iloc[0]}, column 'text').", DataQualityWarning,
                      stacklevel=3)
    data = data[~blank].copy()

    long = data["text"].str.len() > long_text
    for row, doc_id, n in zip(data.loc[long, "_row"], data.loc[long, "doc_id"],
                              data.loc[long, "text"].str.len(), strict=True):
        log.add(row, doc_id, "very_long_text", f"column 'text' has {n:,} characters (> "
                f"{long_text:,}); several articles or pages glued together?")
    if long.any():
        warnings.warn(f"{source}: {int(long.sum())} text(s) over {long_text:,} characters "
                      "flagged 'very_long_text'.", DataQualityWarning, stacklevel=3)

    data["published"] = _parse_dates(data, log, source, date_range)

    outlets = data.loc[data["outlet"].str.strip() != "", "outlet"]
    missing_outlet = data["outlet"].str.strip() == ""
    for row, doc_id in zip(data.loc[missing_outlet, "_row"], data.loc[missing_outlet, "doc_id"],
                           strict=True):
        log.add(row, doc_id, "missing_outlet", "column 'outlet' is empty")
    if warn_single_outlet and len(data) > 1 and outlets.nunique() == 1:
        warnings.warn(
            f"{source}, column 'outlet': every row has the same outlet {outlets.iloc[0]!r}. "
            "Outlet comparisons need two or more outlets: check the column mapping "
            "(columns={'outlet': ...}) or combine this file with others.",
            DataQualityWarning, stacklevel=3,
        )
    return data.drop(columns=[c for c in ("_row", "_repaired") if c in data]).astype(
        {c: object for c in ("doc_id", "outlet", "title", "text", "url")})


def _as_text(column: pd.Series) -> pd.Series:
    """``column.fillna("").astype(str)``, skipping the conversion when it holds only text."""
    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column
    return column.fillna("").astype(str)


def _parse_dates(data: pd.DataFrame, log: _Log, source: str,
                 date_range: tuple[str | None, str | None]) -> pd.Series:
    raw = data["published"].fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(raw.where(raw != ""), errors="coerce", format="mixed", utc=True)
    parsed = parsed.dt.tz_localize(None)
    low = pd.Timestamp(date_range[0]) if date_range[0] else pd.Timestamp.min
    high = (pd.Timestamp(date_range[1]) if date_range[1]
            else pd.Timestamp.now().normalize() + pd.Timedelta(days=1))
    impossible = parsed.notna() & ((parsed < low) | (parsed > high))
    problems = 0
    # Plain lists: looking rows up one by one with .at costs more than parsing the dates.
    rows = zip(raw.tolist(), parsed.isna().tolist(), impossible.tolist(), data["_row"].tolist(),
               data["doc_id"].tolist(), strict=True)
    for value, unparsed, outside, row, doc_id in rows:
        if value == "":
            log.add(row, doc_id, "missing_date",
                    "column 'published' is empty; the row cannot be placed in time")
        elif unparsed:
            log.add(row, doc_id, "bad_date",
                    f"column 'published': cannot parse {value!r}; set to missing")
        elif outside:
            log.add(row, doc_id, "bad_date",
                    f"column 'published': {value!r} is outside {low.date()}..{high.date()}; "
                    "set to missing")
        else:
            continue
        problems += 1
    if problems:
        warnings.warn(f"{source}: {problems} row(s) have missing, unparseable or impossible "
                      "dates in column 'published' (kept, date set to missing); see the "
                      "exclusions.", DataQualityWarning, stacklevel=4)
    return parsed.where(~impossible).astype("datetime64[ns]")
