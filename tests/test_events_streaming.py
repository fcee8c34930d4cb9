"""Streamed seeded events (framing.events.streaming): the partitions hold exactly the table
``assign_events`` gives in memory, whatever the chunking and the source type."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from framing.errors import DataQualityWarning, ParameterError, SchemaError
from framing.events import assign_events
from framing.events.streaming import EVENTS_INFO, stream_events

from ._topics_corpus import make_documents


def _mixed_documents() -> pd.DataFrame:
    """Planted-topic documents plus articles on the flagship events, dated in and around their
    windows, an undated one and one with an empty text."""
    docs = make_documents(120)[["doc_id", "published", "title", "text"]].copy()
    extra = pd.DataFrame({
        "doc_id": [f"x{i}" for i in range(6)],
        "published": pd.to_datetime(["2017-04-04", "2017-04-07", "2017-04-02", "2017-05-20",
                                     None, "2017-04-05"]),
        "title": ["Gas attack kills dozens in Khan Shaykhun", "US fires Tomahawk missiles",
                  "Sarin attack in Idlib", "Chemical attack anniversary", "Khan Shaykhun",
                  "Nothing"],
        "text": ["A sarin gas attack hit Khan Shaykhun. The chemical attack killed dozens.",
                 "Tomahawk missiles hit the Shayrat air base. The strike on Shayrat followed.",
                 "The gas attack in Khan Shaykhun was condemned. Sarin was used.",
                 "A month after the Khan Shaykhun chemical attack. The gas attack was recalled.",
                 "The Khan Shaykhun attack. Sarin gas.", ""]})
    return pd.concat([docs, extra], ignore_index=True)


@pytest.fixture(scope="module")
def mixed():
    return _mixed_documents()


def _streamed(source, tmp_path, **kwargs) -> pd.DataFrame:
    return pd.read_parquet(stream_events(source, tmp_path / "events", **kwargs))


@pytest.mark.parametrize("chunk_size", [1, 7, 50, 1000])
def test_equals_in_memory_for_any_chunk_size(mixed, tmp_path, chunk_size):
    expected = assign_events(mixed)
    assert (expected["event_id"] != "").sum() >= 3  # the flagship articles are assigned
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = _streamed(mixed, tmp_path, chunk_size=chunk_size)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    undated = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert undated == ["1 document(s) without a date get score 0 for every event."]


def test_a_missing_column_fails_on_the_first_chunk(mixed, tmp_path):
    served = []

    def chunks():
        for start in range(0, len(mixed), 20):
            served.append(start)
            yield mixed.drop(columns="published").iloc[start:start + 20]

    with pytest.raises(SchemaError, match="published"):
        stream_events(chunks, tmp_path / "events", chunk_size=20)
    assert served == [0]


def test_parquet_folder_with_string_dates_and_params(mixed, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    text_dates = mixed.assign(published=mixed["published"].dt.strftime("%Y-%m-%d"))
    text_dates.iloc[:60].to_parquet(folder / "a.parquet", index=False)
    text_dates.iloc[60:].to_parquet(folder / "b.parquet", index=False)
    params = {"threshold": 0.1, "min_mentions": 1, "half_life_days": 3.0, "title_weight": 1}
    expected = assign_events(mixed, **params)
    out = stream_events(folder, tmp_path / "events", chunk_size=40, **params)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected, check_exact=True)
    info = json.loads((out / EVENTS_INFO).read_text())
    assigned = expected.loc[expected["event_id"] != "", "event_id"].value_counts()
    assert info["n_documents"] == len(mixed)
    assert {k: v for k, v in info["assigned"].items() if v} == assigned.to_dict()
    assert info["unassigned"] == (expected["event_id"] == "").sum()
    assert info["params"]["threshold"] == 0.1
    assert sorted(p.name for p in out.glob("part-*.parquet")) == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet",
        "part-00003.parquet"]


def test_rerun_replaces_and_other_folders_are_refused(mixed, tmp_path):
    out = stream_events(mixed, tmp_path / "events", chunk_size=100)
    first = {p.name: p.read_bytes() for p in out.glob("part-*.parquet")}
    stream_events(mixed, out, chunk_size=100)
    assert {p.name: p.read_bytes() for p in out.glob("part-*.parquet")} == first
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(ParameterError, match="stream_events output"):
        stream_events(mixed, other)
    assert (other / "keep.txt").read_text() == "mine"


def test_refuses_one_shot_iterators_and_entity_weight(mixed, tmp_path):
    with pytest.raises(ParameterError, match="reads the source twice"):
        stream_events(iter([mixed]), tmp_path / "a")
    with pytest.raises(ParameterError, match="entity_weight"):
        stream_events(mixed, tmp_path / "b", entity_weight=0.3)
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_source_that_changes_between_passes_fails_cleanly(mixed, tmp_path):
    calls = []

    def chunks():
        calls.append(1)
        data = mixed if len(calls) == 1 else mixed.iloc[::-1]
        return iter([data])

    with pytest.raises(ParameterError, match="other documents on the second pass"):
        stream_events(chunks, tmp_path / "events", chunk_size=50)
    assert not (tmp_path / "events").exists()
    assert not list(tmp_path.iterdir())


def test_unparseable_dates_name_the_column(mixed, tmp_path):
    bad = mixed.assign(published=mixed["published"].dt.strftime("%Y-%m-%d").astype(object))
    bad.loc[3, "published"] = "not a date"
    with pytest.raises(ParameterError, match="published.*not a date"):
        stream_events(bad, tmp_path / "events")


@pytest.mark.corpora
def test_real_news_equal_in_memory(all_news, tmp_path):
    news = all_news.documents
    expected = assign_events(news)
    got = _streamed(news, tmp_path, chunk_size=1500)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert np.isin(["khan-shaykhun-2017", "shayrat-strike-2017"], got["event_id"]).all()


def test_cli_chunk_size_writes_the_in_memory_table(mixed, tmp_path, capsys):
    from framing.cli import main

    path = tmp_path / "docs.csv"
    mixed.assign(outlet="X").to_csv(path, index=False)
    assert main(["events", str(path), "-o", str(tmp_path / "memory.csv")]) == 0
    assert main(["events", str(path), "-o", str(tmp_path / "parts"), "--chunk-size", "50"]) == 0
    assert "documents per event" in capsys.readouterr().out
    memory = pd.read_csv(tmp_path / "memory.csv", keep_default_na=False)
    streamed = pd.read_parquet(tmp_path / "parts")
    pd.testing.assert_frame_equal(streamed, memory, check_exact=False, rtol=1e-12)
    assert main(["events", str(path), "-o", str(tmp_path / "x"), "--chunk-size", "50",
                 "--discover"]) == 2
