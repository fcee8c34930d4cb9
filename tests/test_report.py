"""Study configs, the report pipeline, escaping, atomic output, determinism and the manifest."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from framing.errors import ConfigError
from framing.report import build_report
from framing.report.content import Block, Section
from framing.report.render import render_html, render_markdown
from framing.study import DEFAULTS, StudyConfig, list_studies, load_study
from tests._study_fixture import HOSTILE_TITLE, write_study

# ------------------------------------------------------------------------------ configs


def test_shipped_studies_load():
    assert {"khan-shaykhun-2017", "ghouta-2013"} <= set(list_studies())
    flagship = load_study()
    assert flagship.name == "khan-shaykhun-2017"
    assert flagship["events"]["ids"] == ["khan-shaykhun-2017", "shayrat-strike-2017"]
    assert load_study("ghouta-2013")["events"]["ids"] == ["ghouta-2013"]
    # every default is filled in
    assert set(flagship.sections) == set(DEFAULTS)
    assert flagship["compare"]["n_resamples"] == DEFAULTS["compare"]["n_resamples"]


@pytest.mark.parametrize("text, message", [
    ('[study]\nname="x"\n[corpus]\ncorpora=["a"]\n[events]\nids=["e"]\n[topics]\nkk=3\n',
     "unknown key topics.kk"),
    ('[study]\nname="x"\n[corpus]\ncorpora=["a"]\n[events]\nids=["e"]\n[topic]\nk=3\n',
     "unknown section [topic]"),
    ('[study]\nname="x"\n[corpus]\ncorpora=["a"]\n[events]\nids=["e"]\n[topics]\nk="3"\n',
     "topics.k = '3'"),
    ('[study]\nname="x"\n[corpus]\ncorpora=["a"]\n[events]\nids=[]\n', "events.ids is required"),
    ('[study]\nname="x"\n[corpus]\ncorpora=["a"]\n[events]\nids=["e"]\n[figures]\n'
     'formats=["svg"]\n', "must include 'png'"),
    ('[study\nname="x"\n', "not valid TOML"),
])
def test_bad_configs_name_the_file_and_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_study(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_unknown_study_lists_the_shipped_ones():
    with pytest.raises(ConfigError, match="khan-shaykhun-2017"):
        load_study("no-such-study")


def test_replace_validates_and_paths_resolve_against_the_config(tmp_path):
    config = StudyConfig.from_dict({"study": {"name": "s"}, "corpus": {"corpora": [
        "allsides-abp", "mine.csv", "/abs/other.csv"]}, "events": {"ids": ["e"]},
        "groups": {"definitions": "groups.toml"}}, base=tmp_path)
    assert config.corpus_sources() == ["allsides-abp", str(tmp_path / "mine.csv"),
                                       "/abs/other.csv"]
    assert config.path("groups", "definitions") == tmp_path / "groups.toml"
    assert config.path("events", "definitions") is None
    assert config.replace(topics={"k": 4})["topics"]["k"] == 4
    with pytest.raises(ConfigError):
        config.replace(topics={"k": 4.5})


# ------------------------------------------------------------------------------ rendering


def _hostile_sections():
    section = Section("s", "Section <b>title</b>")
    section.text("Text with <script>alert(2)</script> & more")
    section.table(pd.DataFrame({"outlet": [HOSTILE_TITLE], "share": [0.25]}), "t",
                  "caption <img src=x onerror=alert(3)>")
    examples = pd.DataFrame({"codebook": ["c"], "frame": ["f"], "label": ["present"],
                             "outlet": ["O"], "outlet_group": ["g"], "title": [HOSTILE_TITLE],
                             "text": ["<script>alert(4)</script>"]})
    section.blocks.append(Block("evidence", table="evidence", caption="examples",
                                frame=examples))
    return [section]


def test_html_escapes_every_corpus_string():
    html = render_html(_hostile_sections(), header={"title": "<script>x</script>",
                                                    "description": "d", "study": "s",
                                                    "seed": 0, "version": "v"}, images={})
    assert "<script>" not in html and "<img src=x" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert "0.250" in html


def test_markdown_escapes_markup_and_pipes():
    md = render_markdown(_hostile_sections(), header={"title": "t", "description": "d",
                                                      "study": "s", "seed": 0, "version": "v"})
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    table = render_markdown([_pipe_section()], header={"title": "t", "description": "d",
                                                       "study": "s", "seed": 0, "version": "v"})
    assert "a \\| b" in table


def _pipe_section():
    section = Section("p", "Pipes")
    section.table(pd.DataFrame({"x": ["a | b"]}), "p")
    return section


# ------------------------------------------------------------------------------ fixture study


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    config = write_study(folder)
    result = build_report(config, folder / "report")
    return folder, config, result


def test_fixture_report_has_every_part(fixture_report):
    folder, _, result = fixture_report
    out = result.path
    assert {p.name for p in out.iterdir()} == {"index.html", "report.md", "tables", "figures",
                                               "manifest.json"}
    figures = {p.name for p in (out / "figures").iterdir()}
    for name in ("coverage_timeline", "topic_prevalence", "topic_network", "iraq_analogy",
                 "blame", "frames_generic", "distinguishing_words", "outlet_similarity", "tone",
                 "topic_selection"):
        assert {f"{name}.png", f"{name}.svg"} <= figures, name
    html = (out / "index.html").read_text(encoding="utf-8")
    # self-contained: every figure embedded, nothing loaded from elsewhere
    assert html.count("data:image/png;base64,") == len(figures) // 2
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    # every table named in the report exists as a CSV
    for name in set(re.findall(r"tables/([\w]+)\.csv", html)):
        assert (out / "tables" / f"{name}.csv").is_file(), name
    assert "Fixture study &lt;i&gt;with markup&lt;/i&gt;" in html
    assert "<script" not in html.lower()
    md = (out / "report.md").read_text(encoding="utf-8")
    for section in ("Corpus and coverage", "Events", "Topics and inductive frames",
                    "Deductive frames", "Outlet comparisons", "Distinguishing words",
                    "Tone toward actors", "Methods", "Limitations", "How to cite"):
        assert f"## {section}" in md and section in html


def test_fixture_report_counts_every_row(fixture_report):
    folder, _, result = fixture_report
    tables = result.path / "tables"
    acc = pd.read_csv(tables / "accounting.csv").set_index("measure")["value"]
    assert acc["rows_read"] == 60
    excl = pd.read_csv(tables / "exclusions.csv")
    dropped = excl.loc[excl["action"] == "dropped", "rows"].sum()
    assert acc["documents"] + dropped == acc["rows_read"]
    events = pd.read_csv(tables / "events.csv")
    assert events["documents"].sum() <= acc["documents"]
    # the invented doves draw the Iraq analogy, the hawks do not
    syria = pd.read_csv(tables / "frames_syria_2017.csv")
    share = syria[(syria["kind"] == "share") & (syria["scope"] == "all")
                  & (syria["feature"] == "iraq_2003_analogy")].set_index("group")["estimate"]
    assert share["doves"] > 0.4 and share["hawks"] == 0


def test_manifest_records_inputs_outputs_and_config(fixture_report):
    folder, config, result = fixture_report
    out = result.path
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3
    assert manifest["study"]["config_text"] == Path(config).read_text(encoding="utf-8")
    assert manifest["study"]["config"]["topics"]["k"] == 3
    assert manifest["estimators"]["TopicModel"]["random_state"] == 3
    (source,) = manifest["inputs"]
    assert source["sha256"] == hashlib.sha256((folder / "articles.csv").read_bytes()).hexdigest()
    for rel, digest in manifest["outputs"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest, rel
    assert "manifest.json" not in manifest["outputs"]
    assert len(manifest["outputs"]) == len([p for p in out.rglob("*") if p.is_file()]) - 1
    assert sum(r["documents"] for r in manifest["counts_outlet_event"]) == 60
    assert {"python", "framing", "scikit-learn", "pandas"} <= set(manifest["versions"])
    assert set(manifest["timings_seconds"]) >= {"corpus", "topics", "frames", "report"}


def test_same_config_and_seed_give_identical_tables(fixture_report, tmp_path):
    folder, config, first = fixture_report
    second = build_report(config, tmp_path / "again")
    a = {p.name: p.read_bytes() for p in (first.path / "tables").iterdir()}
    b = {p.name: p.read_bytes() for p in (second.path / "tables").iterdir()}
    assert a == b
    assert (first.path / "report.md").read_bytes() == (second.path / "report.md").read_bytes()


def test_a_failed_run_leaves_the_old_report_untouched(fixture_report, monkeypatch):
    folder, config, result = fixture_report
    before = {p: p.read_bytes() for p in result.path.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise RuntimeError("figure failure")

    monkeypatch.setattr("framing.report.make_figures", boom)
    with pytest.raises(RuntimeError, match="figure failure"):
        build_report(config, result.path)
    after = {p: p.read_bytes() for p in result.path.rglob("*") if p.is_file()}
    assert before == after
    assert not [p for p in result.path.parent.iterdir() if p.name.startswith(".report.")]


def test_cli_report_runs_the_fixture_study(fixture_report, tmp_path, capsys):
    from framing.cli import main

    folder, config, _ = fixture_report
    assert main(["-q", "report", config, "-o", str(tmp_path / "cli"), "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "stage timings" in out and str(tmp_path / "cli") in out
    manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5
    assert main(["report", "--list"]) == 0
    assert "ghouta-2013" in capsys.readouterr().out
