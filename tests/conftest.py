"""Shared fixtures. Tests marked ``corpora`` need the real corpora in the data home
(``FRAMING_DATA``, as set by ``.ci/run``) and are skipped when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL_CORPORA = ("allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil")


def _real_home() -> Path | None:
    home = os.environ.get("FRAMING_DATA")
    if home and (Path(home) / "news" / "allsides-abp" / "articles.csv.gz").is_file():
        return Path(home).resolve()  # notebooks run in notebooks/, not here
    return None


def pytest_collection_modifyitems(config, items):
    if _real_home() is not None:
        return
    skip = pytest.mark.skip(reason="real corpora not found: set FRAMING_DATA to the data home")
    for item in items:
        if "corpora" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def real_home() -> Path:
    """The data home holding the real corpora (tests using it are marked ``corpora``)."""
    home = _real_home()
    if home is None:
        pytest.skip("real corpora not found: set FRAMING_DATA to the data home")
    return home


@pytest.fixture(scope="session")
def all_news(real_home):
    """All four news corpora loaded together once per test session (a :class:`Corpus`; its
    ``documents`` property returns a copy, so tests cannot change it for each other)."""
    import warnings

    from framing.corpus import load_corpus
    from framing.errors import DataQualityWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # Dai's 6 empty texts, logged
        return load_corpus(list(REAL_CORPORA), data_home=real_home)


@pytest.fixture(scope="session")
def flagship_report(real_home, tmp_path_factory):
    """The flagship report, ``framing.build_report("khan-shaykhun-2017", ...)`` on the real
    corpora, built once per test session and shared (a :class:`~framing.report.ReportResult`;
    ``.path`` is the report folder). Tests read it and must not change it."""
    from framing.report import build_report

    out = tmp_path_factory.mktemp("flagship") / "report-khan-shaykhun-2017"
    return build_report("khan-shaykhun-2017", out, data_home=real_home)


@pytest.fixture
def write(tmp_path):
    """Write text or bytes to a file in a temporary folder and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


GOOD_CSV = (
    "id,outlet,date,title,text,url\n"
    "a1,Reuters,2017-04-04,Attack in Idlib,Dozens were killed in a suspected gas attack.,http://r/1\n"
    "a2,TASS,2017-04-05,Moscow responds,The Russian defence ministry gave its account.,http://t/2\n"
    "a3,SANA,2017-04-07,Aggression condemned,Damascus condemned the US missile strike.,\n"
)


@pytest.fixture
def good_csv(write) -> Path:
    return write("news.csv", GOOD_CSV)
