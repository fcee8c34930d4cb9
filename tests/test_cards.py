"""The shipped corpus cards: they parse, say what the README asks, and match the real files."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from framing.datasets import Card, card_directory, list_cards, load_card, sha256_file

NEWS_CARDS = ("allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil")
BUILDERS = {"allsides-abp": "allsides", "fa-kes": "fakes",
            "dai-newsarticles-2017": "dai", "basil": "basil"}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
BIBTEX = re.compile(r"^@(inproceedings|article|misc|dataset|book|incollection|techreport)\{"
                    r"[A-Za-z0-9_:\-]+,", re.IGNORECASE)
CARD_FILES = sorted(p.name for p in card_directory().iterdir()
                    if p.name.endswith(".toml") and not p.name.startswith("_"))


def _data_home() -> Path | None:
    home = os.environ.get("FRAMING_DATA")
    return Path(home) if home and Path(home).is_dir() else None


@pytest.mark.parametrize("filename", CARD_FILES)
def test_every_shipped_card_parses(filename):
    card = Card.from_toml(card_directory() / filename)
    assert card.name == filename.removesuffix(".toml")
    assert load_card(card.name) == card


def test_the_four_news_corpora_are_listed():
    names = [c.name for c in list_cards()]
    assert set(NEWS_CARDS) <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("name", NEWS_CARDS)
def test_card_fields(name):
    card = load_card(name)
    assert card.title.strip() and card.description.strip() and card.license.strip()
    assert card.files, "a card needs at least one [[files]] entry"
    for entry in card.files:
        assert HEX64.match(entry.sha256), entry.sha256
        assert entry.format == "csv"
        assert entry.path == f"news/{name}/articles.csv.gz"
        assert isinstance(entry.bytes, int) and entry.bytes > 0
        assert isinstance(entry.rows, int) and entry.rows > 0
    for column in ("doc_id", "outlet", "published", "text"):
        assert card.columns.get(column), f"[columns] lacks {column}"
    assert card.notes and all(isinstance(n, str) and n.strip() for n in card.notes)
    assert isinstance(card.cleaning.get("stripped_punctuation"), bool)
    assert card.cleaning["stripped_punctuation"] is (name == "fa-kes")
    assert "expected" not in card.raw or isinstance(card.expected, dict)


@pytest.mark.parametrize("name", NEWS_CARDS)
def test_citation_looks_like_bibtex(name):
    citation = load_card(name).citation
    assert BIBTEX.match(citation), citation[:60]
    assert citation.count("{") == citation.count("}")
    for field in ("author", "title", "year"):
        assert re.search(rf"^\s*{field}\s*=", citation, re.MULTILINE), field


@pytest.mark.parametrize("name", NEWS_CARDS)
def test_upstream(name):
    upstream = load_card(name).upstream
    assert upstream["builder"] == BUILDERS[name]
    assert upstream["reference"].strip()
    sources = upstream["sources"]
    assert sources
    for source in sources:
        assert source["url"].startswith("https://")
        assert source["sha256"] == "" or HEX64.match(source["sha256"])
        assert source["filename"]


def test_basil_card_says_it_is_the_2010_2014_half():
    card = load_card("basil")
    assert card.files[0].rows == 150
    assert "2010-2014" in card.description and "150" in card.description


@pytest.mark.corpora
@pytest.mark.parametrize("name", NEWS_CARDS)
def test_files_match_card(name):
    home = _data_home()
    if home is None:
        pytest.skip("set FRAMING_DATA to a data home that holds the corpora")
    card = load_card(name)
    present = [(entry, home / entry.path) for entry in card.files if (home / entry.path).is_file()]
    if not present:
        pytest.skip(f"no file of {name} in {home}")
    for entry, path in present:
        assert path.stat().st_size == entry.bytes, path
        assert sha256_file(path) == entry.sha256, path
