"""Readers: every format onto the documents schema, and every kind of bad input."""

from __future__ import annotations

import gzip
import json
import warnings

import pandas as pd
import pytest

from framing.errors import DataQualityWarning, EmptyInputError, ParseError, SchemaError
from framing.io import detect_format, read_documents
from framing.schema import DOCUMENT_COLUMNS, validate_documents

from .conftest import GOOD_CSV


def _check(result, n_read, n_docs):
    assert list(result.data.columns[:6]) == list(DOCUMENT_COLUMNS)
    validate_documents(result.data)
    assert result.n_read == n_read
    assert len(result.data) == n_docs
    assert result.n_read == len(result.data) + result.n_dropped


def test_csv_maps_schema_and_keeps_source_columns(write):
    path = write("x.csv", "id,source,date,headline,body,link,label\n"
                          "1,Sputnik,2017-04-06,T,Some text here.,http://s/1,fake\n"
                          "2,TRT World,2017-04-07,U,More text here.,http://s/2,credible\n")
    result = read_documents(path)
    _check(result, 2, 2)
    assert result.data["outlet"].tolist() == ["Sputnik", "TRT World"]
    assert result.data["title"].tolist() == ["T", "U"]
    assert result.data["label"].tolist() == ["fake", "credible"]
    assert result.data["published"].iloc[0] == pd.Timestamp("2017-04-06")
    assert result.exclusions.empty


def test_explicit_column_mapping_wins(write):
    path = write("x.csv", "key,paper,when,story\n7,BBC,2017-04-08,A text.\n8,DW,2017-04-09,B.\n")
    result = read_documents(path, columns={"doc_id": "key", "outlet": "paper",
                                           "published": "when", "text": "story"})
    _check(result, 2, 2)
    assert result.data["doc_id"].tolist() == ["7", "8"]
    assert (result.data["title"] == "").all()


def test_tsv_and_gzip(write):
    tsv = GOOD_CSV.replace(",", "\t")
    path = write("x.tsv.gz", gzip.compress(tsv.encode()))
    assert detect_format(path) == "tsv"
    _check(read_documents(path), 3, 3)


def test_jsonl_with_bad_line(write):
    lines = [json.dumps({"id": "j1", "outlet": "CNN", "date": "2017-04-07", "title": "t",
                         "text": "Strike on Shayrat.", "tags": ["a", "b"]}),
             "{not json",
             json.dumps({"id": "j2", "outlet": "Fox News", "date": "2017-04-08", "title": "u",
                         "text": "Tomahawks launched."})]
    path = write("x.jsonl", "\n".join(lines) + "\n")
    with pytest.warns(DataQualityWarning):
        result = read_documents(path)
    _check(result, 3, 2)
    bad = result.exclusions.iloc[0]
    assert (bad["reason"], bad["row"], bad["action"]) == ("malformed_row", 2, "dropped")
    assert "line 2" in bad["detail"]
    assert result.data["tags"].iloc[0] == '["a", "b"]'


def test_parquet(tmp_path):
    frame = pd.DataFrame({"doc_id": ["p1", "p2"], "outlet": ["Al Jazeera", "TASS"],
                          "published": pd.to_datetime(["2017-04-04", "2017-04-05"]),
                          "title": ["a", "b"], "text": ["x y z", "u v w"], "url": ["", ""]})
    path = tmp_path / "x.parquet"
    frame.to_parquet(path)
    result = read_documents(path)
    _check(result, 2, 2)
    assert result.data["published"].tolist() == frame["published"].tolist()


def test_text_folder(write, tmp_path):
    write("folder/a.txt", "First article text.")
    write("folder/b.txt", "Second article text.")
    write("folder/stray.txt", "No metadata row for me.")
    write("folder/metadata.csv", "file,outlet,date,title\na.txt,BBC,2017-04-05,A\n"
                                 "b.txt,RTE,2017-04-06,B\nmissing.txt,DW,2017-04-07,C\n")
    with pytest.warns(DataQualityWarning):
        result = read_documents(tmp_path / "folder")
    assert result.format == "text-folder"
    _check(result, 4, 2)
    assert result.data["doc_id"].tolist() == ["a", "b"]
    reasons = dict(zip(result.exclusions["reason"], result.exclusions["detail"], strict=True))
    assert "missing.txt" in reasons["missing_file"]
    assert "stray.txt" in reasons["no_metadata"]


@pytest.mark.parametrize("header", [
    "stories_id,publish_date,title,url,language,ap_syndicated,themes,media_id,media_name,"
    "media_url",  # Media Cloud v3
    "id,indexed_date,language,media_name,media_url,publish_date,title,url",  # search (v4)
])
def test_mediacloud_story_list(write, header):
    cols = header.split(",")
    rows = []
    for i, (outlet, day) in enumerate([("nytimes.com", "2017-04-07 01:02:03"),
                                       ("rt.com", "2017-04-07 13:00:00")]):
        values = {c: "" for c in cols}
        values.update({cols[0]: str(100 + i), "publish_date": day, "title": f"Story {i}",
                       "url": f"http://x/{i}", "media_name": outlet})
        rows.append(",".join(values[c] for c in cols))
    path = write("mc.csv", header + "\n" + "\n".join(rows) + "\n")
    with pytest.warns(DataQualityWarning, match="Media Cloud"):
        result = read_documents(path)
    assert result.format == "mediacloud"
    _check(result, 2, 2)
    assert result.data["doc_id"].tolist() == ["100", "101"]
    assert result.data["outlet"].tolist() == ["nytimes.com", "rt.com"]
    assert result.data["text"].tolist() == ["Story 0", "Story 1"]
    assert set(result.exclusions["reason"]) == {"text_from_title"}


# ----------------------------------------------------------------------------- bad input


def test_malformed_csv_rows_are_logged_with_lines(write):
    content = GOOD_CSV + 'a4,BBC,2017-04-08,Extra,"text",x,y,z\na5,DW,2017-04-09,"bad"q,t,u\n'
    path = write("bad.csv", content)
    with pytest.warns(DataQualityWarning, match="malformed"):
        result = read_documents(path)
    _check(result, 5, 3)
    log = result.exclusions
    assert log["reason"].tolist() == ["malformed_row", "malformed_row"]
    assert log["row"].tolist() == [4, 5]
    assert "expected 6 fields, found 8" in log["detail"].iloc[0]
    assert "lines 5-5" in log["detail"].iloc[0]
    assert (log["source_file"] == str(path)).all()


def test_missing_required_column(write):
    path = write("nocol.csv", "id,outlet,title,text\n1,BBC,t,some text\n")
    with pytest.raises(SchemaError, match=r"nocol\.csv.*\['published'\].*columns="):
        read_documents(path)


def test_wrong_delimiter_is_detected(write):
    path = write("semi.csv", GOOD_CSV.replace(",", ";"))
    with pytest.warns(DataQualityWarning, match="splits on ';'"):
        result = read_documents(path)
    _check(result, 3, 3)


def test_wrong_delimiter_given_explicitly_names_the_fix(write):
    path = write("semi.csv", GOOD_CSV.replace(",", ";"))
    with pytest.raises(SchemaError, match="delimiter"):
        read_documents(path, sep=",")


def test_empty_and_whitespace_text_dropped_and_logged(write):
    path = write("empty.csv", GOOD_CSV + "a4,BBC,2017-04-08,T,,\na5,DW,2017-04-09,U,\"  \n \",\n")
    with pytest.warns(DataQualityWarning, match="empty text"):
        result = read_documents(path)
    _check(result, 5, 3)
    assert result.exclusions["reason"].tolist() == ["empty_text", "empty_text"]
    assert result.exclusions["doc_id"].tolist() == ["a4", "a5"]
    assert (result.exclusions["action"] == "dropped").all()


def test_undecodable_bytes_repaired_and_flagged(write):
    raw = GOOD_CSV.encode() + b"a4,BBC,2017-04-08,T,Syria\x92s army \x93denied\x94 it.,\n"
    path = write("cp.csv", raw)
    with pytest.warns(DataQualityWarning, match="line 5"):
        result = read_documents(path)
    _check(result, 4, 4)
    assert result.data["text"].iloc[3] == "Syria\u2019s army \u201cdenied\u201d it."
    flag = result.exclusions.iloc[0]
    assert (flag["reason"], flag["row"], flag["doc_id"]) == ("encoding_repaired", 4, "a4")
    assert "line 5" in flag["detail"] and "92" in flag["detail"]


def test_other_encoding_asks_for_encoding(write):
    path = write("latin.csv", GOOD_CSV.encode("utf-16"))
    with pytest.raises((ParseError, SchemaError)):
        read_documents(path, encoding="ascii")


def test_duplicate_doc_ids_made_unique_and_flagged(write):
    path = write("dup.csv", GOOD_CSV + "a1,BBC,2017-04-08,T,Other text.,\n"
                                       "a1,DW,2017-04-09,U,Third text.,\n")
    result = read_documents(path)
    _check(result, 5, 5)
    assert result.data["doc_id"].tolist() == ["a1", "a2", "a3", "a1~2", "a1~3"]
    assert result.exclusions["reason"].tolist() == ["duplicate_doc_id"] * 2
    assert result.exclusions["row"].tolist() == [4, 5]


@pytest.mark.parametrize("value, why", [("yesterday-ish", "cannot parse"),
                                        ("2017-02-30", "cannot parse"),
                                        ("2050-09-30", "outside"),
                                        ("0001-11-30", ""),
                                        ("", "empty")])
def test_bad_dates_flagged_and_kept(write, value, why):
    path = write("dates.csv", GOOD_CSV + f"a4,BBC,{value},T,Text here.,\n")
    with pytest.warns(DataQualityWarning, match="dates"):
        result = read_documents(path)
    _check(result, 4, 4)
    assert pd.isna(result.data["published"].iloc[3])
    flag = result.exclusions.iloc[0]
    assert flag["reason"] in ("bad_date", "missing_date")
    assert flag["row"] == 4 and "'published'" in flag["detail"] and why in flag["detail"]


def test_single_outlet_warns(write):
    path = write("one.csv", GOOD_CSV.replace("TASS", "Reuters").replace("SANA", "Reuters"))
    with pytest.warns(DataQualityWarning, match="column 'outlet'.*same outlet"):
        read_documents(path)


def test_fixed_outlet_for_single_outlet_files(write):
    path = write("nooutlet.csv", "id,date,text\n1,2017-04-07,Text one.\n2,2017-04-08,Two.\n")
    result = read_documents(path, outlet="Reuters")
    assert result.data["outlet"].tolist() == ["Reuters", "Reuters"]


def test_50mb_document(write):
    big = "Word " * 10_500_000  # about 52 MB in one field
    path = write("big.csv", f"id,outlet,date,text\nbig,BBC,2017-04-07,{big}\n"
                            "small,DW,2017-04-07,short\n")
    with pytest.warns(DataQualityWarning, match="very_long_text"):
        result = read_documents(path)
    _check(result, 2, 2)
    assert len(result.data["text"].iloc[0]) == len(big)
    assert result.exclusions["reason"].tolist() == ["very_long_text"]


def test_empty_file(write):
    with pytest.raises(EmptyInputError, match=r"empty\.csv.*empty"):
        read_documents(write("empty.csv", ""))


def test_header_only_file(write):
    with pytest.raises(EmptyInputError, match="no data rows"):
        read_documents(write("header.csv", "id,outlet,date,text\n"))


def test_unknown_suffix_names_formats(write):
    with pytest.raises(ParseError, match="format="):
        read_documents(write("x.xlsx", "nothing"))


def test_no_warnings_on_clean_input(good_csv):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _check(read_documents(good_csv), 3, 3)
