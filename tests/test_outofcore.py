"""Out-of-core mode (framing.outofcore) and its Dask scale-out (framing.distributed).

The fixtures are small synthetic news files (a few hundred short texts built from a dozen
sentences about the 2017 Khan Shaykhun attack and the Shayrat strike) with every kind of bad row
the readers log: empty text, unparseable and impossible dates, repeated and missing ids, a
missing outlet, malformed records, bytes that are not UTF-8, exact duplicates within and across
chunks, and a text that is nothing but boilerplate. Each reference is the in-memory API run on
the same rows: ``read_documents`` -> ``clean_documents`` -> ``code_documents``.
"""

from __future__ import annotations

import doctest
import gzip
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

import framing.outofcore as ooc
from framing.clean import clean_documents
from framing.cli import main
from framing.errors import (
    CodebookError,
    DataQualityWarning,
    EmptyInputError,
    ParameterError,
    ParseError,
    SchemaError,
)
from framing.frames import FrameClassifier, code_documents
from framing.io import read_documents
from framing.outofcore import ProcessResult, iter_chunks, process_corpus

OUTLETS = ["TASS", "CNN", "Al Jazeera", "BBC News", "Fox News", "RT"]
SENTENCES = [
    "Lavrov said the strike recalls the 2003 invasion of Iraq.",
    "Russian officials compared the accusations to the claims about weapons in Iraq before the "
    "war.",
    "The United States fired dozens of cruise missiles at the Shayrat air base on Friday.",
    "Witnesses in Khan Shaykhun described people choking after the attack.",
    "The Syrian government denied using chemical weapons and blamed the rebels.",
    "Officials in Washington said the strike was a proportional response.",
    "Aid groups warned that hospitals in Idlib were overwhelmed.",
    "Diplomats met at the United Nations Security Council to discuss a resolution.",
    "Critics argued that the evidence had not been verified by independent inspectors.",
    "The White House blamed Assad for the deaths of civilians including children.",
    "Moscow said it would suspend an agreement on avoiding incidents in Syrian airspace.",
    "Analysts said the strike marked a shift in American policy toward Syria.",
]
N_ROWS = 150
CHUNK = 40
# The fixtures are full of bad rows on purpose; the tests check the exclusion logs instead.
pytestmark = pytest.mark.filterwarnings("ignore::framing.errors.DataQualityWarning")


def _rows(n: int = N_ROWS, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        picked = rng.choice(len(SENTENCES), int(rng.integers(3, 7)), replace=False)
        rows.append({"id": f"n{i:04d}", "source": OUTLETS[i % len(OUTLETS)],
                     "date": f"2017-04-{int(rng.integers(1, 28)):02d}",
                     "headline": f"Story {i} about Syria",
                     "body": " ".join(SENTENCES[j] for j in picked),
                     "link": f"https://example.org/{i}", "section": "world"})
    rows[5]["body"] = ""  # empty text: dropped
    rows[17]["date"] = "not a date"  # unparseable date: flagged
    rows[23]["date"] = "1850-01-01"  # impossible date: flagged
    rows[31]["id"] = "n0002"  # id used in an earlier chunk
    rows[34]["id"] = rows[33]["id"]  # id used in the same chunk
    rows[130]["id"] = "n0002"  # third use of one id
    rows[41]["id"] = ""  # missing id
    rows[47]["source"] = ""  # missing outlet
    rows[60]["body"] = rows[3]["body"]  # exact duplicate of an earlier chunk's text
    rows[61]["body"] = rows[3]["body"].upper()  # same normalised text
    rows[90]["body"] = "MOSCOW (Reuters) - " + rows[90]["body"] + "\n\nAdvertisement"
    rows[99]["body"] = "Advertisement"  # nothing left after cleaning: dropped
    rows[120]["date"] = ""  # missing date
    rows[140]["body"] = rows[139]["body"]  # exact duplicate in the same chunk
    return rows


def _write_csv(path: Path, rows: list[dict]) -> Path:
    lines = pd.DataFrame(rows).to_csv(index=False, lineterminator="\n").split("\n")
    lines.insert(71, "broken,row,with,too,few")  # malformed records
    lines.insert(143, "another,broken,row")  # record 141: a quoted text spans 3 lines
    data = "\n".join(lines).encode("utf-8")
    # One stray Windows-1252 byte (a curly apostrophe), as Excel exports leave them.
    data = data.replace(b"Story 12 about", b"Story 12\x92s about", 1)
    path.write_bytes(data)
    return path


def _write_jsonl_gz(path: Path, rows: list[dict]) -> Path:
    lines = []
    for i, row in enumerate(rows):
        record = dict(row)
        if i >= 100:
            record["extra"] = f"x{i}"  # a key that first appears in a later chunk
        lines.append(json.dumps(record))
    lines.insert(10, "{not json")
    lines.insert(50, "[1, 2]")
    lines.insert(80, "")
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    return path


def _parquet_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["published"] = pd.to_datetime(frame.pop("date"), errors="coerce")
    frame["words"] = pd.array([len(b.split()) or None for b in frame["body"]], dtype="Int64")
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ooc")
    rows = _rows()
    out = {"csv": _write_csv(folder / "news.csv", rows),
           "jsonl": _write_jsonl_gz(folder / "news.jsonl.gz", rows)}
    frame = _parquet_frame(rows)
    single = folder / "news.parquet"
    # Row groups of 13 rows (cut across chunks) and a stored pandas index (dropped, as
    # read_documents drops it).
    frame.set_axis(range(0, 2 * len(frame), 2)).to_parquet(single, row_group_size=13)
    out["parquet"] = single
    parts = folder / "parts"
    for k, start in enumerate(range(0, len(frame), 50)):
        part = parts / f"year={2017 + k % 2}"
        part.mkdir(parents=True, exist_ok=True)
        frame.iloc[start:start + 50].to_parquet(part / f"part-{k}.parquet", index=False)
    out["parts"] = parts
    return out


@pytest.fixture(scope="module")
def classifier(tmp_path_factory) -> Path:
    texts = [" ".join(SENTENCES[j] for j in (i % 12, (i + 5) % 12, (i + 7) % 12))
             for i in range(48)]
    y = [[int("Iraq" in t), int("strike" in t)] for t in texts]
    model = FrameClassifier(features=("word",), min_df=1, cv=2, C=1.0, random_state=0)
    model.fit(texts, pd.DataFrame(y, columns=["iraq", "strike"]))
    return model.save(tmp_path_factory.mktemp("model") / "model.skops")


@pytest.fixture(scope="module")
def single(files, classifier, tmp_path_factory) -> ProcessResult:
    """The CSV processed in chunks of 40 rows, with the codebook and the classifier."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return process_corpus(files["csv"], tmp_path_factory.mktemp("run") / "out",
                              chunk_size=CHUNK, classifier=classifier)


def _quiet_read(path, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_documents(path, **options)


def _sorted_exclusions(table: pd.DataFrame) -> pd.DataFrame:
    rank = {reason: i for i, reason in enumerate(ooc._REASON_ORDER)}
    return (table.assign(_rank=table["reason"].map(rank)).sort_values(["row", "_rank"],
                                                                      kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def _in_memory(path, **options):
    """read_documents -> clean_documents (empty texts dropped) -> code_documents."""
    read = _quiet_read(path, **options)
    cleaned = clean_documents(read.data).data
    cleaned = cleaned[cleaned["text"].str.strip() != ""].reset_index(drop=True)
    return read, cleaned, code_documents(cleaned, codebook="syria-2017").table


# ---------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("kind", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("chunk_size", [7, 1000])
def test_iter_chunks_equals_read_documents(files, kind, chunk_size):
    reference = _quiet_read(files[kind])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        chunks = list(iter_chunks(files[kind], chunk_size=chunk_size))
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert all(c.n_read <= chunk_size for c in chunks)
    data = pd.concat([c.data for c in chunks], ignore_index=True)
    if kind == "jsonl":  # keys first seen in a later chunk are missing in earlier ones
        data = data.fillna({"extra": ""})
    assert_frame_equal(data, reference.data)
    exclusions = pd.concat([c.exclusions for c in chunks], ignore_index=True)
    assert_frame_equal(exclusions, _sorted_exclusions(reference.exclusions))
    assert sum(c.n_read for c in chunks) == reference.n_read
    for c in chunks:
        assert c.n_read == len(c.data) + c.n_dropped
        assert c.last_row - c.first_row + 1 == c.n_read


def test_iter_chunks_counts_rows_over_the_whole_file(files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        chunks = list(iter_chunks(files["csv"], chunk_size=25))
    log = {(r["reason"], r["row"]): c.index for c in chunks
           for r in c.exclusions.to_dict("records")}
    # Record 122 of the file (the missing date) is in the fifth chunk, under its file row.
    assert log[("missing_date", 122)] == 4
    assert log[("malformed_row", 71)] == 2
    assert log[("encoding_repaired", 13)] == 0
    renamed = pd.concat([c.data for c in chunks])["doc_id"]
    assert {"n0002~2", "n0002~3", "n0033~2"} <= set(renamed) and renamed.is_unique


def test_parquet_folder_adds_partition_columns_and_limit(files):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        chunks = list(iter_chunks(files["parts"], chunk_size=50, limit=120))
    assert [len(c.data) + c.n_dropped for c in chunks] == [50, 50, 20]
    assert [c.first_row for c in chunks] == [1, 1, 1]  # one file per chunk, rows per file
    # Files in path order: year=2017/part-0, year=2017/part-2, year=2018/part-1 ...
    assert [Path(c.source).name for c in chunks] == [f"part-{k}.parquet" for k in (0, 2, 1)]
    assert [c.data["year"].unique().tolist() for c in chunks] == [["2017"], ["2017"], ["2018"]]


# ---------------------------------------------------------------------------- processing


def test_process_equals_in_memory(files, single):
    read, cleaned, coded = _in_memory(files["csv"])
    docs = single.read("documents")
    extra = ["source_file", "duplicate_kind", "duplicate_of"]
    assert docs.columns[-3:].tolist() == ["dateline", *extra[1:]]
    assert_frame_equal(docs.drop(columns=extra), cleaned, check_dtype=False)
    assert_frame_equal(single.read("doc_frames").drop(columns="codebook"), coded,
                       check_dtype=False)
    model = FrameClassifier.load(single.params["classifier"])
    assert_frame_equal(single.read("predictions"), model.predict_frames(cleaned),
                       check_dtype=False)
    assert (single.read("doc_frames")["codebook"] == "syria-2017").all()


def test_row_accounting(files, single):
    reference = _quiet_read(files["csv"])
    exclusions = single.read("exclusions")
    assert single.n_read == reference.n_read == N_ROWS + 2
    assert single.n_read == single.n_kept + single.n_dropped
    assert single.n_dropped == int((exclusions["action"] == "dropped").sum())
    assert len(single.read("documents")) == single.n_kept
    counts = single.counts
    assert (counts["rows_read"] == counts["rows_kept"] + counts["rows_dropped"]).all()
    assert counts["rows_read"].tolist() == [CHUNK] * 3 + [32]
    assert counts["first_row"].tolist() == list(range(1, N_ROWS + 3, CHUNK))
    dropped = exclusions[exclusions["action"] == "dropped"].set_index("row")["reason"]
    assert dropped.to_dict() == {6: "empty_text", 71: "malformed_row",
                                 101: "empty_after_cleaning", 141: "malformed_row"}
    single.check_accounting()


def test_exact_duplicates_flagged_across_chunks(single):
    docs = single.read("documents").set_index("doc_id")
    assert docs.loc["n0060", "duplicate_of"] == "n0003"  # chunk 1 -> chunk 0
    assert docs.loc["n0061", "duplicate_of"] == "n0003"  # case differs: same normalised text
    assert docs.loc["n0140", "duplicate_of"] == "n0139"  # same chunk
    assert docs.loc["n0003", "duplicate_kind"] == ""
    flagged = docs[docs["duplicate_kind"] == "exact_duplicate"]
    log = single.read("exclusions")
    assert set(log.loc[log["reason"] == "exact_duplicate", "doc_id"]) == set(flagged.index)
    frames = single.read("doc_frames")
    assert set(frames["doc_id"]) == set(docs.index)  # duplicates are coded too


def test_chunk_size_does_not_change_results(files, single, classifier, tmp_path):
    other = process_corpus(files["csv"], tmp_path / "one", chunk_size=1000,
                           classifier=classifier)
    assert len(other.counts) == 1
    for table in single.tables:
        assert_frame_equal(other.read(table), single.read(table))


def test_jsonl_and_parquet_match_in_memory(files, tmp_path):
    # (Coding is per document and compared on the CSV: no codebooks here, for speed.)
    result = process_corpus(files["jsonl"], tmp_path / "j", chunk_size=60, codebooks=())
    cleaned = clean_documents(_quiet_read(files["jsonl"]).data).data
    cleaned = cleaned[cleaned["text"].str.strip() != ""].reset_index(drop=True)
    docs = result.read("documents").drop(columns=["source_file", "duplicate_kind",
                                                  "duplicate_of"])
    assert_frame_equal(docs, cleaned, check_dtype=False)
    reasons = result.read("exclusions")["reason"]
    assert (reasons == "malformed_row").sum() == 2
    parquet = process_corpus(files["parquet"], tmp_path / "p", chunk_size=60, codebooks=())
    assert parquet.read("doc_frames").empty
    assert parquet.n_read == N_ROWS and parquet.counts["rows_read"].tolist() == [60, 60, 30]


def test_summary_json_and_result(single):
    info = json.loads((single.out_dir / "_summary.json").read_text())
    assert info["rows_read"] == single.n_read and info["chunks"] == 4
    assert info["params"]["codebooks"] == ["syria-2017"]
    assert {"framing", "pandas", "pyarrow"} <= set(info["versions"])
    assert {"read", "checks", "clean", "code:syria-2017", "predict", "write"} <= set(
        info["timings_seconds"])
    by = {(r["reason"], r["action"]): r["rows"] for r in info["exclusions_by_reason"]}
    assert by[("duplicate_doc_id", "flagged")] == 3 and by[("encoding_repaired", "flagged")] == 1
    summary = single.summary()
    assert summary.table.set_index("measure").loc["rows read", "value"] == single.n_read
    assert "rows read" in single.to_markdown()
    again = ProcessResult.load(single.out_dir)
    assert_frame_equal(again.counts, single.counts)
    assert "documents" in repr(single)


# ---------------------------------------------------------------------------- errors


def test_bad_input_errors_name_file_row_and_column(files, tmp_path, write):
    missing = write("no_text.csv", "id,source,date,headline\na,AP,2017-04-07,Strike\n")
    with pytest.raises(SchemaError, match=r"no_text\.csv: required column\(s\) \['text'\]"):
        process_corpus(missing, tmp_path / "a")
    with pytest.raises(SchemaError, match=r"maps 'text' to 'content'"):
        next(iter_chunks(files["csv"], columns={"text": "content"}))
    header_only = write("header.csv", "id,source,date,body\n\n")
    with pytest.raises(EmptyInputError, match=r"header\.csv: the file has a header but no"):
        process_corpus(header_only, tmp_path / "b")
    broken = write("broken.parquet", b"PAR1 not really parquet")
    with pytest.raises(ParseError, match=r"broken\.parquet: not a readable Parquet file"):
        process_corpus(broken, tmp_path / "c")
    with pytest.raises(CodebookError, match="no codebook named 'nope'"):
        process_corpus(files["csv"], tmp_path / "d", codebooks=["nope"])
    with pytest.raises(ParameterError, match="chunk_size=0"):
        process_corpus(files["csv"], tmp_path / "e", chunk_size=0)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ParameterError, match="refusing to replace it"):
        process_corpus(files["csv"], tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    # Bad rows are logged, with the file's row number and the column, not raised.
    with pytest.warns(DataQualityWarning, match=r"news\.csv: 1 row\(s\) have missing"):
        log = pd.concat([c.exclusions for c in iter_chunks(files["csv"], chunk_size=10)])
    bad = log[log["reason"] == "bad_date"].iloc[0]
    assert bad["row"] == 18 and "column 'published'" in bad["detail"]


def test_failed_run_leaves_no_output(files, tmp_path, monkeypatch):
    calls = []
    real = ooc._code

    def failing(data, opts, timings):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker died")
        return real(data, opts, timings)

    monkeypatch.setattr(ooc, "_code", failing)
    with pytest.raises(RuntimeError, match="worker died"):
        process_corpus(files["csv"], tmp_path / "out", chunk_size=CHUNK, codebooks=())
    assert list(tmp_path.iterdir()) == []  # neither the output nor a temporary folder
    monkeypatch.setattr(ooc, "_code", real)
    first = process_corpus(files["csv"], tmp_path / "out", chunk_size=100, codebooks=())
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
              if p.is_file()}
    calls.clear()
    monkeypatch.setattr(ooc, "_code", failing)
    with pytest.raises(RuntimeError):
        process_corpus(files["csv"], tmp_path / "out", chunk_size=CHUNK, codebooks=())
    after = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
             if p.is_file()}
    assert after == before and first.n_read == N_ROWS + 2  # the earlier output is untouched


# ---------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def _assert_same_output(a: ProcessResult, b: ProcessResult) -> None:
    assert a.tables == b.tables
    for table in a.tables:
        names_a = [p.name for p in a.files(table)]
        assert names_a == [p.name for p in b.files(table)] and names_a
        for pa_, pb in zip(a.files(table), b.files(table), strict=True):
            assert_frame_equal(pd.read_parquet(pa_), pd.read_parquet(pb))
    assert_frame_equal(a.counts.drop(columns="seconds"), b.counts.drop(columns="seconds"))


def test_dask_equals_single_process(files, single, classifier, client, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        distributed = process_corpus(files["csv"], tmp_path / "csv", chunk_size=CHUNK,
                                     classifier=classifier, client=client)
    assert distributed.info["mode"] == "dask (2 workers)"
    _assert_same_output(single, distributed)
    # Parquet partitions are read by the workers, one file per chunk.
    local = process_corpus(files["parts"], tmp_path / "parts-1", chunk_size=50, codebooks=())
    dask = process_corpus(files["parts"], tmp_path / "parts-2", chunk_size=50, codebooks=(),
                          client=client)
    _assert_same_output(local, dask)


def test_code_partitions_on_dask_equals_the_processed_output(single, classifier, client):
    """Coding the processed documents again as a dask.dataframe graph on the cluster gives
    the doc_frames and predictions that the out-of-core run wrote."""
    from framing.distributed import code_partitions

    graphs = code_partitions(single.out_dir / "documents", codebooks=("syria-2017",),
                             classifier=classifier)
    for table, graph in (("doc_frames", graphs["doc_frames"]),
                         ("predictions", graphs["predictions"])):
        assert graph.npartitions == len(single.files("documents"))
        got = client.compute(graph).result().reset_index(drop=True)
        assert_frame_equal(got, single.read(table).reset_index(drop=True), check_dtype=False)
    with pytest.raises(ParameterError, match="no such Parquet"):
        code_partitions(single.out_dir / "nowhere")


def test_worker_parquet_reader_cuts_like_the_stream(files):
    """A Dask worker reads its chunk from the row groups it overlaps (13-row groups, chunks
    of 30 here); the single-process stream reads batch after batch: same rows, same strings."""
    plan, _ = ooc._plan(files["parquet"], format=None, source_name=None)
    opts = ooc._Options()
    stream = list(ooc._iter_raw(plan, opts, 30, None))
    specs = list(ooc._iter_raw(plan, opts, 30, None, specs=True))
    assert [(s.start, s.stop) for s in specs] == [(k, min(k + 30, N_ROWS))
                                                  for k in range(0, N_ROWS, 30)]
    for raw, spec in zip(stream, specs, strict=True):
        read = ooc._read_parquet_spec(spec)
        assert (read.index, read.first_row, read.n_read) == (raw.index, raw.first_row,
                                                             raw.n_read)
        assert_frame_equal(read.table, raw.table)
    assert "__index_level_0__" not in stream[0].table.columns


def test_dask_worker_error_is_raised_and_leaves_no_output(client, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    texts = [f"Missiles hit the base {i} near Homs on Friday morning. " * 5 for i in range(200)]
    pq.write_table(pa.table({"id": [f"a{i}" for i in range(200)], "source": ["AP", "TASS"] * 100,
                             "date": ["2017-04-07"] * 200, "text": texts}),
                   bad / "part-1.parquet", compression="snappy")
    good = pq.read_table(bad / "part-1.parquet")
    pq.write_table(good, bad / "part-0.parquet")
    # Damage the text column's pages of part-1: the footer still reads, the pages do not,
    # so the error comes from the worker that reads the chunk.
    data = bytearray((bad / "part-1.parquet").read_bytes())
    column = pq.ParquetFile(bad / "part-1.parquet").metadata.row_group(0).column(3)
    start = (column.dictionary_page_offset or column.data_page_offset) + 40
    data[start:start + 200] = b"\xab" * 200
    (bad / "part-1.parquet").write_bytes(bytes(data))
    with pytest.raises(ParseError, match=r"part-1\.parquet: cannot read Parquet rows 1-200"):
        process_corpus(bad, tmp_path / "y", codebooks=(), client=client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad"]


# ---------------------------------------------------------------------------- CLI


def test_cli_process(files, classifier, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["-q", "process", str(files["csv"]), "-o", str(out), "--chunk-size", "50",
                 "--limit", "120", "--codebook", "syria-2017", "--classifier",
                 str(classifier)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("120 rows read in 3 chunk(s)") and "\n" not in line
    result = ProcessResult.load(out)
    assert result.tables == ["documents", "doc_frames", "predictions", "exclusions"]
    assert main(["-q", "process", str(tmp_path / "missing.csv"), "-o", str(out)]) == 2


def test_cli_process_on_dask(files, client, tmp_path, capsys, monkeypatch):
    import dask.distributed

    started = []

    class Reuse:  # the module's cluster instead of a new one: starting workers takes seconds
        def __init__(self, **kwargs):
            started.append(kwargs)

        def __enter__(self):
            return client.cluster

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(dask.distributed, "LocalCluster", Reuse)
    assert main(["-q", "process", str(files["parts"]), "-o", str(tmp_path / "d"),
                 "--dask-workers", "2", "--limit", "60", "--codebook", "generic"]) == 0
    assert started == [{"n_workers": 2, "threads_per_worker": 1, "dashboard_address": None}]
    assert "60 rows read in 2 chunk(s)" in capsys.readouterr().out


def test_docstring_examples(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(ooc, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------------------- real corpora


@pytest.mark.corpora
def test_real_card_chunked_equals_load_corpus(real_home, tmp_path):
    from framing.corpus import load_corpus

    result = process_corpus("fa-kes", tmp_path / "fakes", chunk_size=20, limit=50,
                            data_home=real_home)
    assert result.n_read == 50 and len(result.counts) == 3
    assert result.params["id_prefix"] == "fa-kes:" and result.params["stripped_punctuation"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        corpus = load_corpus("fa-kes", data_home=real_home, flag_duplicates=False)
    docs = corpus.documents
    ours = result.read("documents")
    docs = docs[docs["doc_id"].isin(ours["doc_id"])].reset_index(drop=True)
    assert len(docs) == len(ours) == result.n_kept
    assert_frame_equal(ours[["outlet"]], docs[["outlet_raw"]].set_axis(["outlet"], axis=1),
                       check_dtype=False)
    for column in ("doc_id", "title", "text", "dateline", "published"):
        assert_frame_equal(ours[[column]], docs[[column]], check_dtype=False)
    expected = code_documents(docs, codebook="syria-2017").table
    assert_frame_equal(result.read("doc_frames").drop(columns="codebook"), expected,
                       check_dtype=False)
