"""Outlet table (corpora/outlets.csv) and framing.outlets."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd
import pytest

from framing.errors import SchemaError
from framing.outlets import (
    ALLSIDES_LEANS,
    OUTLET_COLUMNS,
    OUTLET_TYPES,
    annotate_outlets,
    load_outlets,
    outlet_key,
)

NEWS_CORPORA = ("allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil")
#: AllSides source names that are people (columnists, politicians) rather than publications.
COLUMNISTS = (
    "Charles Krauthammer", "Victor Hanson", "Rich Lowry", "Damon Linker", "Ann Coulter",
    "Newt Gingrich", "Rand Paul", "Howard Kurtz", "Mitt Romney", "Ted Rall (cartoonist)",
    "Juan Williams", "John Stossel", "Jeff Jacoby", "Piers Morgan", "George Will",
    "Julian Zelizer", "Ezra Klein", "Ben Shapiro", "Matt Welch", "Christopher Buskirk",
)


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_outlets()


@pytest.fixture
def docs() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["d1", "d2", "d3", "d4", "d5", "d6"],
        "outlet": ["Fox Online News", "CNN - Editorial", "CNN.com ", "Guest Writer - Right",
                   "The Daily Planet", "The Daily Planet"],
        "text": ["a", "b", "c", "d", "e", "f"],
    })


def _row(table, alias):
    rows = table[table["alias"] == alias]
    assert len(rows) == 1, alias
    return rows.iloc[0]


# ---- the shipped table -------------------------------------------------------------------

def test_shipped_table_schema(shipped):
    assert tuple(shipped.columns[: len(OUTLET_COLUMNS)]) == OUTLET_COLUMNS
    assert shipped["alias"].is_unique
    assert shipped["alias"].map(outlet_key).is_unique  # no case/www-only duplicates
    assert shipped["type"].isin(OUTLET_TYPES).all()
    assert shipped["allsides_lean"].isin(ALLSIDES_LEANS).all()
    assert shipped["country"].str.fullmatch(r"[A-Z]{2}").all()
    assert (shipped["outlet"] != "").all()


def test_each_canonical_outlet_has_one_country(shipped):
    countries = shipped.groupby("outlet")["country"].nunique()
    assert (countries == 1).all(), countries[countries > 1]


@pytest.mark.parametrize("aliases, canonical", [
    (["Fox News", "Fox Online News", "Fox News Opinion", "foxnews.com", "fox"], "Fox News"),
    (["CNN (Web News)", "CNN - Editorial", "cnn.com", "CNN"], "CNN"),
    (["New York Times - News", "New York Times", "nytimes.com", "nyt"], "The New York Times"),
    (["Newsmax", "Newsmax - News"], "Newsmax"),
    (["SANA (Syrian Arab News Agency)", "SANA", "sana.sy"], "SANA"),
    (["TASS", "tass.com"], "TASS"),
    (["HuffPost", "huffingtonpost.com", "hpo"], "HuffPost"),
])
def test_aliases_map_to_canonical(shipped, aliases, canonical):
    for alias in aliases:
        assert _row(shipped, alias)["outlet"] == canonical, alias


@pytest.mark.parametrize("alias, kind", [
    ("CNN - Editorial", "opinion"), ("Fox News Opinion", "opinion"),
    ("Charles Krauthammer", "opinion"), ("Guest Writer", "opinion"),
    ("Guest Writer - Left", "opinion"), ("Guest Writer - Right", "opinion"),
    ("CNN (Web News)", "commercial"), ("Fox Online News", "commercial"),
    ("SANA", "state_affiliated"), ("Sputnik", "state_affiliated"), ("TASS", "state_affiliated"),
    ("RT", "state_affiliated"), ("Al-Alam", "state_affiliated"), ("TRT World", "state_affiliated"),
    ("Ahram Online", "state_affiliated"), ("Xinhua", "state_affiliated"),
    ("China Daily", "state_affiliated"),
    ("BBC", "public_broadcaster"), ("Deutsche Welle", "public_broadcaster"),
    ("NPR Online News", "public_broadcaster"), ("RTE (Ireland)", "public_broadcaster"),
    ("Reuters", "agency"), ("Associated Press", "agency"), ("AFP", "agency"),
])
def test_types(shipped, alias, kind):
    assert _row(shipped, alias)["type"] == kind


def test_al_manar_choice_is_explained(shipped):
    row = _row(shipped, "Al-Manar")
    assert row["type"] in ("advocacy", "state_affiliated")
    assert "Hezbollah" in row["note"]


def test_lean_only_on_allsides_names(shipped):
    assert _row(shipped, "Fox Online News")["allsides_lean"] == "right"
    assert _row(shipped, "CNN (Web News)")["allsides_lean"] == "left"
    assert _row(shipped, "Reuters")["allsides_lean"] == "center"
    assert _row(shipped, "cnn.com")["allsides_lean"] == ""  # not an AllSides source name
    assert _row(shipped, "SANA")["allsides_lean"] == ""


# ---- load_outlets on user files ----------------------------------------------------------

def test_load_outlets_from_path(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("alias,outlet,type\nDaily Planet,The Daily Planet,commercial\n",
                    encoding="utf-8")
    table = load_outlets(path)
    assert table.loc[0, "outlet"] == "The Daily Planet"
    assert table.loc[0, "country"] == "" and table.loc[0, "allsides_lean"] == ""


@pytest.mark.parametrize("body, match", [
    ("alias,outlet,type\nA,A,commercial\nA,B,commercial\n", r"row 2.*'alias'.*already"),
    ("alias,outlet,type\nA,A,commercial\nB,B,tabloid\n", r"row 2.*'type'.*tabloid"),
    ("alias,outlet,type,country\nA,A,commercial,USA\n", r"row 1.*'country'.*USA"),
    ("alias,outlet,type,allsides_lean\nA,A,commercial,far-left\n", r"row 1.*'allsides_lean'"),
    ("alias,outlet,type\n,A,commercial\n", r"row 1.*'alias'.*empty"),
    ("alias,outlet,type\nCNN,CNN,commercial\ncnn ,CNN,opinion\n", r"row 2.*same key"),
    ("alias,outlet\nA,A\n", r"missing column.*type"),
])
def test_load_outlets_rejects_bad_rows(tmp_path, body, match):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SchemaError, match=match):
        load_outlets(path)


# ---- annotate_outlets ----------------------------------------------------------------------

def test_annotate_outlets_columns_and_values(docs, caplog):
    original = docs.copy()
    with caplog.at_level(logging.WARNING, logger="framing.outlets"):
        out = annotate_outlets(docs)
    pd.testing.assert_frame_equal(docs, original)  # input untouched
    assert list(out["outlet_raw"]) == list(docs["outlet"])
    assert list(out["outlet"]) == ["Fox News", "CNN", "CNN", "Guest Writer - Right",
                                   "The Daily Planet", "The Daily Planet"]
    assert list(out["outlet_type"]) == ["commercial", "opinion", "commercial", "opinion",
                                        "unknown", "unknown"]
    assert list(out["outlet_country"]) == ["US", "US", "US", "US", "", ""]
    assert list(out["outlet_lean"]) == ["right", "left", "", "right", "", ""]
    assert out["is_opinion"].dtype == bool
    assert list(out["is_opinion"]) == [False, True, False, True, False, False]
    assert list(out["doc_id"]) == list(docs["doc_id"])


def test_unknown_outlets_give_one_warning(docs, caplog):
    with caplog.at_level(logging.WARNING, logger="framing.outlets"):
        annotate_outlets(docs)
    records = [r for r in caplog.records if r.name == "framing.outlets"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "The Daily Planet" in message and "table=" in message


def test_no_warning_when_all_known(caplog):
    data = pd.DataFrame({"outlet": ["Reuters", "www.BBC.co.uk", "TASS"]})
    with caplog.at_level(logging.WARNING, logger="framing.outlets"):
        out = annotate_outlets(data)
    assert not [r for r in caplog.records if r.name == "framing.outlets"]
    assert list(out["outlet"]) == ["Reuters", "BBC", "TASS"]


def test_normalised_matching():
    data = pd.DataFrame({"outlet": ["  CNN.com ", "WWW.RT.COM", "fox  news", "NYT"]})
    out = annotate_outlets(data)
    assert list(out["outlet"]) == ["CNN", "RT", "Fox News", "The New York Times"]


def test_exact_alias_wins_over_normalised_key():
    user = pd.DataFrame({"alias": ["Planet", "planet "], "outlet": ["P", "P"],
                         "type": ["commercial", "commercial"]})
    out = annotate_outlets(pd.DataFrame({"outlet": ["planet "]}), table=user)
    assert out.loc[0, "outlet"] == "P"


def test_user_table_is_merged_over_shipped(tmp_path):
    user = pd.DataFrame({
        "alias": ["The Daily Planet", "Fox News"],
        "outlet": ["Daily Planet", "Fox News Channel (TV)"],
        "country": ["US", "US"],
        "type": ["commercial", "commercial"],
    })
    data = pd.DataFrame({"outlet": ["The Daily Planet", "fox news", "CNN"]})
    out = annotate_outlets(data, table=user)
    assert list(out["outlet"]) == ["Daily Planet", "Fox News Channel (TV)", "CNN"]
    assert list(out["outlet_type"]) == ["commercial", "commercial", "commercial"]
    path = tmp_path / "user.csv"
    user.to_csv(path, index=False)
    pd.testing.assert_frame_equal(annotate_outlets(data, table=path), out)


def test_bad_user_table_raises():
    user = pd.DataFrame({"alias": ["X"], "outlet": ["X"], "type": ["tabloid"]})
    with pytest.raises(SchemaError, match="type"):
        annotate_outlets(pd.DataFrame({"outlet": ["X"]}), table=user)


def test_other_outlet_column_and_missing_values():
    data = pd.DataFrame({"source": ["Sputnik", None, "dw.com"]})
    out = annotate_outlets(data, outlet="source")
    assert list(out["source"][[0, 2]]) == ["Sputnik", "dw.com"]  # source column kept
    assert out.loc[0, "outlet"] == "Sputnik" and out.loc[2, "outlet"] == "Deutsche Welle"
    assert pd.isna(out.loc[1, "outlet"]) and out.loc[1, "outlet_type"] == "unknown"


def test_missing_column_raises():
    with pytest.raises(SchemaError, match="outlet"):
        annotate_outlets(pd.DataFrame({"text": ["x"]}))


def test_annotating_twice_gives_the_same_table(docs):
    once = annotate_outlets(docs)
    pd.testing.assert_frame_equal(annotate_outlets(once), once)


def test_empty_table():
    out = annotate_outlets(pd.DataFrame({"outlet": pd.Series([], dtype=str)}))
    assert len(out) == 0
    assert {"outlet_raw", "outlet_type", "is_opinion"} <= set(out.columns)


# ---- the real corpora ----------------------------------------------------------------------

def _corpus(name):
    home = os.environ.get("FRAMING_DATA")
    path = Path(home) / "news" / name / "articles.csv.gz" if home else None
    if path is None or not path.is_file():
        pytest.skip(f"set FRAMING_DATA to a data home holding news/{name}/articles.csv.gz")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.corpora
@pytest.mark.parametrize("name", NEWS_CORPORA)
def test_every_raw_outlet_of_the_real_corpora_is_known(name, shipped, caplog):
    data = _corpus(name)
    assert set(data["outlet"]) <= set(shipped["alias"])  # exact aliases, not just keys
    with caplog.at_level(logging.WARNING, logger="framing.outlets"):
        out = annotate_outlets(data)
    assert (out["outlet_type"] != "unknown").all()
    assert not [r for r in caplog.records if r.name == "framing.outlets"]


@pytest.mark.corpora
def test_allsides_opinion_sources_and_lean():
    data = _corpus("allsides-abp")
    out = annotate_outlets(data)
    guests = out["outlet_raw"].str.startswith("Guest Writer")
    assert guests.any()
    assert out.loc[guests, "is_opinion"].all()
    columnists = out["outlet_raw"].isin(COLUMNISTS)
    assert set(out.loc[columnists, "outlet_raw"]) == set(COLUMNISTS)
    assert out.loc[columnists, "is_opinion"].all()
    assert out.loc[out["outlet_raw"].isin(["CNN - Editorial", "Fox News Opinion"]),
                   "is_opinion"].all()
    # the lean in the table is the corpus's own per-article bias_label
    assert (out["outlet_lean"] == out["bias_label"]).all()
