"""Stratified samples for hand coding, coding sheets, reading codes and adjudication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.errors import ParameterError, SchemaError
from framing.frames.annotation import (
    SHEET_COLUMNS,
    adjudicate,
    allocate_sample,
    coding_sheet,
    read_codes,
    sample_for_coding,
    write_coding_sheet,
)


def _documents(seed: int = 0) -> pd.DataFrame:
    """Three outlets x three events of very different sizes, plus documents in no event."""
    rng = np.random.default_rng(seed)
    sizes = {("Reuters", "e1"): 120, ("Reuters", "e2"): 30, ("TASS", "e1"): 40,
             ("TASS", "e2"): 6, ("SANA", "e1"): 3, ("SANA", ""): 25}
    rows = []
    for (outlet, event), size in sizes.items():
        for i in range(size):
            rows.append({"doc_id": f"{outlet}-{event or 'none'}-{i}", "outlet": outlet,
                         "event_id": event or None,
                         "published": pd.Timestamp("2017-04-04") + pd.Timedelta(days=i % 9),
                         "title": f"Title {i}", "text": " ".join(["word"] * rng.integers(5, 400)),
                         "url": ""})
    return pd.DataFrame(rows)


def test_proportional_sample_respects_allocation_and_weights():
    docs = _documents()
    sample = sample_for_coding(docs, n=60, min_per_stratum=2, random_state=3)
    assert len(sample) == 60 and sample["doc_id"].is_unique
    assert set(sample["doc_id"]) <= set(docs["doc_id"])
    strata = sample.groupby("stratum").agg(n=("doc_id", "size"), size=("stratum_size", "first"),
                                           weight=("weight", "first"))
    assert len(strata) == 6  # every stratum, including documents in no event
    assert (strata["n"] >= 2).all()
    assert strata.loc["Reuters / e1", "n"] > strata.loc["TASS / e1", "n"] > 2
    assert "SANA / (none)" in strata.index
    # weights are N_h / n_h: they add up to the corpus size, and 1 / weight = inclusion_prob
    assert sample["weight"].sum() == pytest.approx(len(docs))
    assert np.allclose(sample["inclusion_prob"] * sample["weight"], 1.0)
    assert (strata["weight"] == strata["size"] / strata["n"]).all()
    # rows are shuffled, not grouped by stratum
    assert sample["stratum"].ne(sample["stratum"].shift()).sum() > 10


def test_equal_allocation_and_simple_random_sample():
    docs = _documents()
    equal = sample_for_coding(docs, n=30, allocation="equal", random_state=1)
    counts = equal["stratum"].value_counts()
    assert counts["SANA / e1"] == 3  # taken whole
    assert counts.drop("SANA / e1").max() - counts.drop("SANA / e1").min() <= 1
    srs = sample_for_coding(docs, n=25, by=None, random_state=1)
    assert (srs["weight"] == len(docs) / 25).all() and (srs["stratum"] == "all").all()


def test_sample_is_reproducible_and_independent_of_row_order_and_other_strata():
    docs = _documents()
    first = sample_for_coding(docs, n=40, random_state=9)
    shuffled = docs.sample(frac=1.0, random_state=0)
    again = sample_for_coding(shuffled, n=40, random_state=9)
    assert first["doc_id"].tolist() == again["doc_id"].tolist()
    assert set(sample_for_coding(docs, n=40, random_state=10)["doc_id"]) != set(first["doc_id"])
    # documents chosen in a stratum depend on its key and allocation only
    one = sample_for_coding(docs, n=12, by="outlet", allocation="equal", random_state=4)
    fewer = sample_for_coding(docs[docs["outlet"] != "SANA"], n=8, by="outlet",
                              allocation="equal", random_state=4)
    assert (set(one.loc[one["outlet"] == "TASS", "doc_id"])
            == set(fewer.loc[fewer["outlet"] == "TASS", "doc_id"]))


def test_documents_in_two_events_are_sampled_once(caplog):
    docs = _documents()
    twice = pd.concat([docs, docs.iloc[:5].assign(event_id="e9")], ignore_index=True)
    sample = sample_for_coding(twice, n=40, random_state=0)
    assert sample["doc_id"].is_unique
    assert "repeat a doc_id" in caplog.text


def test_sampling_errors_say_what_to_do():
    docs = _documents()
    with pytest.raises(SchemaError, match="attach events"):
        sample_for_coding(docs.drop(columns="event_id"), n=10)
    with pytest.raises(ParameterError, match="min_per_stratum"):
        sample_for_coding(docs, n=10, min_per_stratum=3)
    with pytest.raises(ParameterError, match="between 1 and"):
        sample_for_coding(docs, n=10_000)
    with pytest.raises(ParameterError, match="allocation"):
        sample_for_coding(docs, n=10, allocation="neyman")


@settings(max_examples=200, deadline=None)
@given(sizes=st.lists(st.integers(0, 300), min_size=1, max_size=12),
       share=st.floats(0.01, 1.0), minimum=st.integers(0, 5),
       allocation=st.sampled_from(["proportional", "equal"]))
def test_allocation_properties(sizes, share, minimum, allocation):
    total = sum(sizes)
    if total == 0:
        return
    n = max(1, int(share * total))
    floor = np.minimum(sizes, minimum)
    if floor.sum() > n:
        with pytest.raises(ParameterError):
            allocate_sample(sizes, n, allocation=allocation, min_per_stratum=minimum)
        return
    take = allocate_sample(sizes, n, allocation=allocation, min_per_stratum=minimum)
    assert take.sum() == n
    assert (take <= np.asarray(sizes)).all() and (take >= floor).all()
    if allocation == "proportional" and minimum == 0:
        # without a binding minimum, within one document of n * N_h / N
        assert np.all(np.abs(take - n * np.asarray(sizes) / total) < 1 + 1e-9)
    if allocation == "equal":
        free = (take < np.asarray(sizes)) & (take > floor)
        if free.sum() > 1:
            assert take[free].max() - take[free].min() <= 1


def test_coding_sheet_layout_and_round_trip(tmp_path):
    sample = sample_for_coding(_documents(), n=20, random_state=0)
    sheet = coding_sheet(sample, variables=["iraq_analogy", "blame"], text_chars=60)
    assert list(sheet.columns) == [*SHEET_COLUMNS, "iraq_analogy", "blame", "coder", "note"]
    assert (sheet[["iraq_analogy", "blame", "coder", "note"]] == "").all().all()
    assert sheet["text"].str.len().max() <= 62
    assert sheet["published"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    path = write_coding_sheet(sheet, tmp_path / "sheets" / "anna.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["doc_id"].tolist() == sheet["doc_id"].tolist()
    assert np.allclose(back["weight"].astype(float), sheet["weight"])
    book = coding_sheet(sample, codebook="syria-2017")
    assert {"iraq_2003_analogy", "blame"} <= set(book.columns)
    with pytest.raises(ParameterError, match="needs variables"):
        coding_sheet(sample)
    with pytest.raises(ParameterError, match="sheet columns"):
        coding_sheet(sample, variables=["weight"])


def _filled(sheet: pd.DataFrame, values: dict[str, list]) -> pd.DataFrame:
    out = sheet.copy()
    for column, column_values in values.items():
        out[column] = column_values
    return out


@pytest.fixture
def sheets(tmp_path):
    docs = _documents()
    sheet = coding_sheet(docs.iloc[:5], variables=["frame_a", "tone"])
    anna = _filled(sheet, {"frame_a": ["1", "0", "1", "1", ""],
                           "tone": ["neg", "neg", "pos", "neu", "pos"]})
    ben = _filled(sheet, {"frame_a": ["1", "1", "1.0", "0", "0"],
                          "tone": ["Neg", "pos", "pos", "neu", "neg"]})
    cara = _filled(sheet, {"frame_a": ["1", "1", "1", "", ""],
                           "tone": ["neg", "neu", "pos", "neu", "neu"]})
    paths = []
    for name, table in (("anna", anna), ("ben", ben), ("cara", cara)):
        paths.append(write_coding_sheet(table, tmp_path / f"{name}.csv"))
    return paths


def test_read_codes_names_coders_and_normalises_values(sheets):
    codes = read_codes(sheets)
    assert set(codes["coder"]) == {"anna", "ben", "cara"}
    assert set(codes["variable"]) == {"frame_a", "tone"}
    # empty cells are missing; "1.0" reads as "1"; "Neg" as "neg"
    assert len(codes) == 5 * 2 * 3 - 3
    assert set(codes["value"]) == {"0", "1", "neg", "neu", "pos"}
    exact = read_codes(sheets, casefold=False)
    assert "Neg" in set(exact["value"])
    only = read_codes(sheets, variables=["tone"])
    assert set(only["variable"]) == {"tone"}


def test_read_codes_rejects_a_coder_who_codes_a_document_twice():
    sheet = pd.DataFrame({"doc_id": ["d1", "d1"], "x": ["a", "b"], "coder": ["anna", "anna"]})
    with pytest.raises(SchemaError, match="twice"):
        read_codes([sheet])


def test_adjudication_lists_disagreements_and_fills_agreements(sheets, tmp_path):
    result = adjudicate(sheets)
    merged = result.merged.set_index("doc_id")
    ids = merged.index.tolist()
    # frame_a: doc0 all 1 -> agreed; doc1 0/1/1 -> disagreement (unanimous rule);
    # doc3 1/0 -> disagreement; doc4 only ben -> single
    assert merged.loc[ids[0], "frame_a"] == "1"
    assert merged.loc[ids[1], "frame_a"] == ""
    assert merged.loc[ids[4], "frame_a"] == "0"
    assert "frame_a" in merged.loc[ids[1], "to_adjudicate"]
    assert "anna" in merged.loc[ids[1], "note"]
    table = result.table.set_index("variable")
    assert table.loc["frame_a", ["agreed", "single", "disagreement"]].tolist() == [2, 1, 2]
    assert table.loc["tone", "disagreement"] == 2
    dis = result.disagreements
    assert set(dis.columns) >= {"doc_id", "variable", "values", "majority", "anna", "ben",
                                "cara"}
    row = dis[(dis["doc_id"] == ids[1]) & (dis["variable"] == "frame_a")].iloc[0]
    assert row["majority"] == "1" and row["status"] == "disagreement"
    # majority rule fills 2-of-3 agreements; a 1-1-1 split and a 1-1 tie stay open
    majority = adjudicate(sheets, rule="majority").merged.set_index("doc_id")
    assert majority.loc[ids[1], "frame_a"] == "1"
    assert majority.loc[ids[3], "frame_a"] == ""
    assert majority.loc[ids[4], "tone"] == ""
    assert "Adjudication" in result.to_markdown()
    # the merged sheet is itself a sheet: read back, only agreed values count
    path = write_coding_sheet(result.merged, tmp_path / "merged.csv")
    back = read_codes([path])
    assert set(back["variable"]) == {"frame_a", "tone"}
    assert len(back) == (merged[["frame_a", "tone"]] != "").sum().sum()
    with pytest.raises(ParameterError, match="rule"):
        adjudicate(sheets, rule="vote")


# ------------------------------------------------------------------------------- CLI
def test_cli_sample_reliability_adjudicate(tmp_path, capsys):
    from framing.cli import main

    docs = _documents()
    docs_path = tmp_path / "docs.csv"
    docs.assign(published=docs["published"].dt.strftime("%Y-%m-%d")).to_csv(docs_path,
                                                                            index=False)
    sheet_path = tmp_path / "sheet.csv"
    assert main(["annotate", "sample", str(docs_path), "-o", str(sheet_path), "--n", "30",
                 "--by", "outlet,event_id", "--variables", "frame_a,frame_b", "--seed", "5",
                 "--min-per-stratum", "2", "--text-chars", "80"]) == 0
    out = capsys.readouterr().out
    assert "strata (proportional allocation)" in out and "seed 5" in out
    sheet = pd.read_csv(sheet_path, dtype=str, keep_default_na=False)
    assert len(sheet) == 30
    assert list(sheet.columns)[-4:] == ["frame_a", "frame_b", "coder", "note"]
    assert sheet["stratum"].nunique() == 6
    direct = sample_for_coding(pd.read_csv(docs_path), n=30, min_per_stratum=2,
                               random_state=5)
    assert sheet["doc_id"].tolist() == direct["doc_id"].tolist()

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, (2, 30))
    paths = []
    for coder in ("anna", "ben", "cara"):
        filled = sheet.copy()
        flips = rng.random((2, 30)) < 0.15
        filled["frame_a"] = np.where(flips[0], 1 - truth[0], truth[0]).astype(str)
        filled["frame_b"] = np.where(flips[1], 1 - truth[1], truth[1]).astype(str)
        filled["coder"] = coder
        paths.append(tmp_path / f"{coder}.csv")
        filled.to_csv(paths[-1], index=False)
    table_path = tmp_path / "reliability.csv"
    assert main(["annotate", "reliability", *map(str, paths), "-o", str(table_path),
                 "--n-resamples", "200", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "Inter-coder reliability" in out and "3 coders (anna, ben, cara)" in out
    table = pd.read_csv(table_path)
    assert table["variable"].tolist() == ["frame_a", "frame_b"]
    assert table["alpha"].between(0.3, 1).all() and (table["n_units"] == 30).all()

    merged_path, dis_path = tmp_path / "merged.csv", tmp_path / "dis.csv"
    assert main(["annotate", "adjudicate", *map(str, paths), "-o", str(merged_path),
                 "--majority", "--disagreements", str(dis_path)]) == 0
    out = capsys.readouterr().out
    assert "documents per variable and status" in out
    merged = pd.read_csv(merged_path, dtype=str, keep_default_na=False)
    assert len(merged) == 30
    assert (merged[["frame_a", "frame_b"]] != "").all().all()  # 3 coders, 2 values: majority
    disagreements = pd.read_csv(dis_path)
    assert (disagreements["status"] == "majority").all()


def test_cli_sample_without_events_fails_clearly(tmp_path, caplog):
    from framing.cli import main

    docs = _documents().drop(columns="event_id")
    path = tmp_path / "docs.csv"
    docs.to_csv(path, index=False)
    assert main(["annotate", "sample", str(path), "-o", str(tmp_path / "s.csv"),
                 "--n", "10"]) == 2
    assert "attach events" in caplog.text


@pytest.mark.corpora
def test_sample_real_corpus_by_outlet(real_home):
    from framing.corpus import load_corpus

    corpus = load_corpus("fa-kes", data_home=real_home)
    sample = sample_for_coding(corpus, n=60, by="outlet", min_per_stratum=3, random_state=0)
    assert len(sample) == 60 and sample["doc_id"].is_unique
    assert sample["weight"].sum() == pytest.approx(len(corpus))
    assert sample["outlet"].nunique() == corpus.documents["outlet"].nunique()
