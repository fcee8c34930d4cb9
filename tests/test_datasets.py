"""Data home resolution, card discovery, checksums and atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from framing.datasets import (
    atomic_write,
    card_directory,
    corpus_path,
    get_data_home,
    list_cards,
    load_card,
    sha256_file,
)
from framing.errors import ChecksumError, DataNotFoundError


def test_data_home_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("FRAMING_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("FRAMING_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / "framing_data"


def test_cards_are_found():
    names = [c.name for c in list_cards()]
    assert {"allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil"} <= set(names)
    assert (card_directory() / "outlets.csv").is_file()


def test_unknown_card_lists_known_ones():
    with pytest.raises(DataNotFoundError, match="Known corpora: .*fa-kes"):
        load_card("no-such-corpus")


def test_missing_corpus_says_how_to_provide_it(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"framing fetch fa-kes.*FRAMING_DATA"):
        corpus_path("fa-kes", tmp_path)


def test_checksum_mismatch(tmp_path):
    card = load_card("fa-kes")
    path = tmp_path / card.files[0].path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not the corpus")
    assert corpus_path("fa-kes", tmp_path) == path
    with pytest.raises(ChecksumError, match="framing fetch fa-kes"):
        corpus_path("fa-kes", tmp_path, verify=True)


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("good")
    with pytest.raises(RuntimeError), atomic_write(target, "w") as fh:
        fh.write("half")
        raise RuntimeError("boom")
    assert target.read_text() == "good"
    assert os.listdir(tmp_path) == ["t.txt"]
    with atomic_write(target, "w") as fh:
        fh.write("new")
    assert target.read_text() == "new"


def test_sha256(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    assert sha256_file(path) == ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


@pytest.mark.corpora
def test_real_files_match_cards(real_home):
    for card in list_cards():
        path = corpus_path(card.name, real_home, verify=True)
        assert Path(path).stat().st_size == card.files[0].bytes
