"""The shipped studies on the real corpora: the flagship report and the second study."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from framing.datasets import load_card

pytestmark = [pytest.mark.corpora, pytest.mark.slow]


def test_flagship_report_covers_both_events_and_every_group(flagship_report):
    tables = flagship_report.path / "tables"
    events = pd.read_csv(tables / "events.csv").set_index("event_id")
    assert list(events.index) == ["khan-shaykhun-2017", "shayrat-strike-2017"]
    assert (events["grouped_documents"] >= 25).all()
    by_group = pd.read_csv(tables / "events_by_group.csv")
    groups = set(by_group["outlet_group"]) - {"(no group)"}
    assert groups == {"left", "center", "right", "russia_syria_gov", "gulf_turkey"}
    syria = pd.read_csv(tables / "frames_syria_2017.csv")
    shares = syria[(syria["kind"] == "share") & (syria["scope"] == "all")]
    blame = shares[shares["feature_kind"] == "blame"]
    # the label shares of each group sum to one
    assert blame.groupby("group")["estimate"].sum().round(9).eq(1).all()
    assert ((shares["ci_low"] <= shares["estimate"] + 1e-12)
            & (shares["estimate"] <= shares["ci_high"] + 1e-12)).all()
    tests = syria[syria["kind"].isin(["pairwise", "regression"])].dropna(subset=["p_value"])
    assert (tests["p_adjusted"] >= tests["p_value"] - 1e-12).all()


def test_flagship_manifest_matches_the_cards(flagship_report):
    manifest = json.loads((flagship_report.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"]["name"] == "khan-shaykhun-2017"
    for entry in manifest["inputs"]:
        assert entry["sha256"] == entry["card_sha256"], entry["path"]
    assert {e["corpus"] for e in manifest["inputs"]} == {"allsides-abp", "fa-kes"}
    accounting = pd.read_csv(flagship_report.path / "tables" / "accounting.csv")
    read = accounting.set_index("measure")["value"]["rows_read"]
    assert read == sum(load_card(n).expected["rows"] for n in ("allsides-abp", "fa-kes"))
    dropped = sum(r["rows"] for r in manifest["exclusions"] if r["action"] == "dropped")
    assert read == dropped + sum(r["documents"] for r in manifest["counts_outlet_event"])


def test_second_study_runs_with_the_same_command(tmp_path):
    from framing.cli import main

    out = tmp_path / "ghouta"
    assert main(["-q", "report", "ghouta-2013", "-o", str(out)]) == 0
    events = pd.read_csv(out / "tables" / "events.csv")
    assert events["event_id"].tolist() == ["ghouta-2013"]
    assert events["grouped_documents"].iloc[0] >= 50
    assert not (out / "tables" / "frames_policy.csv").exists()  # not in this config
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"]["config"]["corpus"]["start"] == "2013-08-14"
