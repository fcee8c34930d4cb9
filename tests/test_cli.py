"""The command line: corpora, validate, summary, fetch errors, versions."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.cli import main

from .conftest import GOOD_CSV


def test_versions(capsys):
    assert main(["versions"]) == 0
    out = capsys.readouterr().out
    assert "pandas:" in out and "framing:" in out


def test_corpora_lists_cards(capsys, tmp_path):
    assert main(["corpora", "--data-home", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "fa-kes" in out and "False" in out


def test_validate_reports_schema_and_exclusions(write, capsys, tmp_path):
    path = write("v.csv", GOOD_CSV + "a4,BBC,2017-04-08,T,,\n")
    log = tmp_path / "log.csv"
    assert main(["validate", str(path), "--exclusions", str(log)]) == 0
    out = capsys.readouterr().out
    assert "4 rows read, 3 kept, 1 dropped" in out and "empty_text" in out
    assert pd.read_csv(log)["reason"].tolist() == ["empty_text"]


def test_validate_with_column_mapping(write, capsys):
    path = write("m.csv", "key,paper,when,story\n1,BBC,2017-04-08,A.\n2,DW,2017-04-09,B.\n")
    args = ["validate", str(path), "--column", "doc_id=key", "--column", "outlet=paper",
            "--column", "published=when", "--column", "text=story"]
    assert main(args) == 0
    assert "2 rows read, 2 kept" in capsys.readouterr().out


def test_validate_missing_column_exits_2_with_message(write, caplog):
    path = write("n.csv", "id,outlet,text\n1,BBC,x\n")
    assert main(["validate", str(path)]) == 2
    assert "published" in caplog.text and "n.csv" in caplog.text


def test_summary_of_a_file_writes_tables(good_csv, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["summary", str(good_csv), "-o", str(out)]) == 0
    assert "3 documents from 3 rows" in capsys.readouterr().out
    for name in ("by_outlet_month", "exclusions", "accounting", "exclusion_log"):
        assert (out / f"{name}.csv").is_file()


def test_fetch_without_sources_or_network_fails_clearly(tmp_path, monkeypatch, caplog):
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert main(["fetch", "fa-kes", "--data-home", str(tmp_path)]) == 2
    assert "--sources" in caplog.text


@pytest.mark.corpora
def test_summary_all_real(real_home, capsys, tmp_path):
    assert main(["summary", "--all", "--data-home", str(real_home), "-o",
                 str(tmp_path / "s")]) == 0
    acc = pd.read_csv(tmp_path / "s" / "accounting.csv")
    values = dict(zip(acc["measure"], acc["value"], strict=True))
    assert values["rows_read"] == values["documents"] + values["dropped"]
