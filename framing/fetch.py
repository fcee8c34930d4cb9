"""Download a corpus's upstream sources and build its normalised table in the data home.

``fetch(name)`` reads the corpus card's ``[upstream]`` section::

    [upstream]
    builder = "basil"                     # a builder registered in framing.builders
    [upstream.options]                    # optional keyword arguments for the builder
    years = [2010, 2014]
    [[upstream.sources]]
    url = "https://..."
    sha256 = "..."                        # "" when upstream has no byte-stable file
    filename = "BASIL-4fdbc4f.zip"

downloads every source (or takes it from ``sources_dir``), checks its SHA-256, runs the builder
and writes the table as a deterministic gzip-compressed UTF-8 CSV to the card's first
``[[files]]`` path, with a JSON record of what was done beside it (``<file>.fetch.json``).

Without network access, download the listed URLs elsewhere, put them in one folder under the
listed file names and run ``framing fetch NAME --sources DIR`` (``fetch(name, sources_dir=DIR)``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import gzip
import hashlib
import http.client
import inspect
import json
import logging
import os
import socket
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from .builders import get_builder
from .datasets import ENV_VAR, Card, atomic_write, get_data_home, load_card, sha256_file
from .errors import CardError, ChecksumError, DataNotFoundError, FetchError, FramingError

__all__ = ["fetch", "write_table", "Source"]

logger = logging.getLogger(__name__)

DOWNLOADS = ".downloads"
CHUNK = 1 << 16
#: Errors that mean "the network or the server failed", turned into FetchError.
NETWORK_ERRORS = (urllib.error.URLError, TimeoutError, socket.timeout, ConnectionError,
                  http.client.HTTPException)


@dataclass(frozen=True)
class Source:
    """One ``[[upstream.sources]]`` entry of a card."""

    url: str
    filename: str
    sha256: str = ""


def _package_version() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("framing")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
        import framing

        return getattr(framing, "__version__", None)


def _sources(card: Card) -> list[Source]:
    entries = card.upstream.get("sources") or []
    if not entries:
        raise CardError(f"Card {card.name!r}: [upstream] lists no [[upstream.sources]].")
    out = []
    for i, entry in enumerate(entries):
        url, filename = entry.get("url", ""), entry.get("filename", "")
        if not url or not filename:
            raise CardError(f"Card {card.name!r}: [[upstream.sources]] entry {i} needs both "
                            f"url and filename; got {entry!r}.")
        if PurePath(filename).name != filename or filename in (".", ".."):
            raise CardError(f"Card {card.name!r}: source filename {filename!r} must be a plain "
                            f"file name, not a path.")
        out.append(Source(url=url, filename=filename, sha256=(entry.get("sha256") or "").lower()))
    return out


def _offline_help(card: Card, sources: list[Source], target: Path) -> str:
    listing = "\n".join(f"       {s.url}\n         -> save as {s.filename}" for s in sources)
    return (
        f"To get corpus {card.name!r} without network access from this machine:\n"
        f"  1. download the upstream file(s) elsewhere:\n{listing}\n"
        f"     put them in one folder DIR and run `framing fetch {card.name} --sources DIR` "
        f"(Python: fetch({card.name!r}, sources_dir=DIR));\n"
        f"  2. or copy a local copy of the normalised file to {target};\n"
        f"  3. or point {ENV_VAR} at a folder that already has {card.files[0].path}."
    )


def _download(source: Source, dest: Path, timeout: float, help_text: str) -> tuple[str, int]:
    """Stream ``source.url`` to ``dest``; return (sha256, bytes). Network failures -> FetchError."""
    request = urllib.request.Request(
        source.url, headers={"User-Agent": f"framing/{_package_version() or 'dev'} (fetch)"})
    digest, size = hashlib.sha256(), 0
    logger.info("downloading %s", source.url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length") if response.headers else None
            total = int(length) if length and length.isdigit() else None
            with open(dest, "wb") as fh, tqdm(total=total, unit="B", unit_scale=True,
                                              unit_divisor=1024, desc=source.filename,
                                              disable=None, leave=False) as bar:
                while chunk := response.read(CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    bar.update(len(chunk))
    except NETWORK_ERRORS as exc:
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
        else:
            reason = str(getattr(exc, "reason", None) or exc) or type(exc).__name__
        raise FetchError(f"Download of {source.url} failed ({reason}).\n{help_text}") from exc
    if total is not None and size != total:
        raise FetchError(f"Download of {source.url} was cut short: {size} of {total} bytes "
                         f"received.\n{help_text}")
    return digest.hexdigest(), size


def _check_digest(source: Source, got: str, where: str) -> bool:
    """True if verified; raises ChecksumError on mismatch; warns when the card has no digest."""
    if not source.sha256:
        logger.warning("%s (%s) could not be verified: the card gives no SHA-256 for it; its "
                       "SHA-256 is %s (recorded in the fetch record)", source.filename, where, got)
        return False
    if got != source.sha256:
        raise ChecksumError(
            f"{source.url} ({where}): SHA-256 mismatch: expected {source.sha256}, got {got}. "
            f"The file is damaged, incomplete or a different version; download it again "
            f"(or fix the card if upstream legitimately changed)."
        )
    logger.info("%s: SHA-256 verified", source.filename)
    return True


def write_table(table: pd.DataFrame, path: str | os.PathLike) -> dict[str, Any]:
    """Write ``table`` atomically as gzip-compressed UTF-8 CSV with deterministic bytes.

    RFC 4180 quoting (fields quoted only when needed, quotes doubled), ``\\n`` line ends, a
    header row, gzip level 9 with no file name and mtime 0, so the same table always gives
    the same bytes (with the same zlib). Returns ``sha256`` and ``bytes`` of the gzip file and
    ``csv_sha256`` of the uncompressed CSV.
    """
    for column in table.columns:
        if table[column].isna().any():
            raise FetchError(f"Built table: column {column!r} has missing values; builders "
                             f"must return strings ('' for missing).")
    raw = table.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL,
                       doublequote=True).encode("utf-8")
    with atomic_write(path, "wb") as fh:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    return {"sha256": sha256_file(path), "bytes": Path(path).stat().st_size,
            "csv_sha256": hashlib.sha256(raw).hexdigest()}


def _local_sources(sources: list[Source], sources_dir: Path, card: Card,
                   help_text: str) -> tuple[dict[str, Path], list[dict[str, Any]]]:
    if not sources_dir.is_dir():
        raise DataNotFoundError(f"--sources folder {sources_dir} does not exist.\n{help_text}")
    missing = [s for s in sources if not (sources_dir / s.filename).exists()]
    if missing:
        names = ", ".join(f"{s.filename} (from {s.url})" for s in missing)
        raise DataNotFoundError(f"{sources_dir} lacks the source file(s) of corpus "
                                f"{card.name!r}: {names}.\n{help_text}")
    paths, records = {}, []
    for s in sources:
        path = sources_dir / s.filename
        if path.is_dir():  # an extracted archive: builders that read trees accept folders
            logger.warning("%s is a folder: it cannot be checked against a SHA-256", path)
            digest, verified = "", False
        else:
            digest = sha256_file(path)
            verified = _check_digest(s, digest, f"local copy {path}")
        logger.info("using local source %s", path)
        paths[s.filename] = path
        records.append({"url": s.url, "filename": s.filename, "origin": "local",
                        "path": str(path), "sha256": digest, "card_sha256": s.sha256,
                        "verified": verified})
    return paths, records


def fetch(name: str | Card, *, data_home: str | os.PathLike | None = None, force: bool = False,
          sources_dir: str | os.PathLike | None = None, timeout: float = 60) -> Path:
    """Download a corpus's upstream sources and build its normalised file in the data home.

    Parameters
    ----------
    name
        Corpus name (a shipped card) or a :class:`~framing.datasets.Card`.
    data_home
        Data home; default ``$FRAMING_DATA`` or ``~/framing_data``.
    force
        Rebuild even if the file is present and matches the card's SHA-256.
    sources_dir
        Folder holding the upstream files under the card's ``filename`` s; nothing is
        downloaded (offline use). Their SHA-256 is checked like a download's.
    timeout
        Seconds to wait on the network before giving up.

    Returns
    -------
    pathlib.Path
        The normalised file (the card's first ``[[files]]`` path under the data home).

    Raises
    ------
    FetchError
        A download failed (the message names the URL and how to provide a local copy) or the
        builder failed.
    ChecksumError
        A source's SHA-256 differs from the card.
    DataNotFoundError
        ``sources_dir`` lacks a listed file.
    CardError
        The card has no usable ``[upstream]`` section.

    Examples
    --------
    >>> fetch("dai-newsarticles-2017")  # doctest: +SKIP
    PosixPath('/home/me/framing_data/news/dai-newsarticles-2017/articles.csv.gz')
    >>> fetch("basil", sources_dir="~/Downloads/basil-sources")  # doctest: +SKIP
    """
    card = name if isinstance(name, Card) else load_card(name)
    upstream = card.upstream or {}
    if not upstream.get("builder"):
        raise CardError(f"Corpus {card.name!r} has no [upstream] builder: it cannot be "
                        f"fetched; copy its file into the data home instead (see its card).")
    builder_name = upstream["builder"]
    builder = get_builder(builder_name)
    options = dict(upstream.get("options") or {})
    sources = _sources(card)
    home = get_data_home(data_home)
    entry = card.files[0]
    target = home / entry.path
    help_text = _offline_help(card, sources, target)

    if target.is_file() and not force:
        digest = sha256_file(target)
        if entry.sha256 and digest == entry.sha256:
            logger.info("%s: %s is present and matches the card's SHA-256; skipping (use "
                        "force=True / --force to rebuild)", card.name, target)
            return target
        logger.info("%s: %s is present but its SHA-256 %s differs from the card's %s; "
                    "rebuilding", card.name, target, digest, entry.sha256 or "(none)")

    downloads = home / DOWNLOADS
    if sources_dir is not None:
        paths, records = _local_sources(sources, Path(sources_dir).expanduser(), card,
                                        help_text)
        table = _run_builder(builder, builder_name, paths, options, card)
    else:
        downloads.mkdir(parents=True, exist_ok=True)
        try:
            # downloads go to a private temporary folder, removed whatever happens
            with tempfile.TemporaryDirectory(prefix=f"{card.name}.", dir=downloads) as tmp:
                paths, records = {}, []
                for s in sources:
                    dest = Path(tmp) / s.filename
                    digest, size = _download(s, dest, timeout, help_text)
                    verified = _check_digest(s, digest, f"downloaded, {size} bytes")
                    paths[s.filename] = dest
                    records.append({"url": s.url, "filename": s.filename,
                                    "origin": "download", "bytes": size, "sha256": digest,
                                    "card_sha256": s.sha256, "verified": verified})
                table = _run_builder(builder, builder_name, paths, options, card)
        finally:
            with contextlib.suppress(OSError):
                downloads.rmdir()  # only if empty

    written = write_table(table, target)
    matches = bool(entry.sha256) and written["sha256"] == entry.sha256
    if not matches:
        logger.warning(
            "%s: the built file's SHA-256 %s differs from the card's %s. Upstream may have "
            "changed, or this Python's zlib compresses differently (the CSV content can still "
            "be identical: its SHA-256 is %s, in the fetch record).", card.name,
            written["sha256"], entry.sha256 or "(none)", written["csv_sha256"])
    if entry.rows is not None and len(table) != entry.rows:
        logger.warning("%s: built %d rows, the card says %d", card.name, len(table), entry.rows)
    record = {
        "card": card.name,
        "file": entry.path,
        "builder": builder_name,
        "builder_options": options,
        "sources": records,
        "framing_version": _package_version(),
        "sha256": written["sha256"],
        "card_sha256": entry.sha256,
        "matches_card": matches,
        "csv_sha256": written["csv_sha256"],
        "bytes": written["bytes"],
        "rows": len(table),
        "card_rows": entry.rows,
        "columns": list(table.columns),
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace(
            "+00:00", "Z"),
    }
    record_path = target.with_name(target.name + ".fetch.json")
    with atomic_write(record_path, "wb") as fh:
        fh.write((json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    logger.info("%s: wrote %s (%d rows, SHA-256 %s%s) and %s", card.name, target, len(table),
                written["sha256"], ", matches the card" if matches else "", record_path.name)
    return target


def _run_builder(builder, builder_name: str, paths: dict[str, Path], options: dict[str, Any],
                 card: Card) -> pd.DataFrame:
    try:
        inspect.signature(builder).bind(paths, **options)
    except TypeError as exc:
        raise CardError(f"Card {card.name!r}: builder {builder_name!r} does not accept "
                        f"[upstream.options] {options}: {exc}") from exc
    logger.info("%s: building with %r from %s", card.name, builder_name, sorted(paths))
    try:
        table = builder(paths, **options)
    except FramingError:
        raise
    except Exception as exc:
        raise FetchError(f"Builder {builder_name!r} failed on {sorted(paths)}: "
                         f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise FetchError(f"Builder {builder_name!r} produced no rows from {sorted(paths)}; the "
                         f"source files are probably not the ones the card lists.")
    return table
