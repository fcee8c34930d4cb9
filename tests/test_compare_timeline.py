"""Coverage over time around events."""

from __future__ import annotations

import types

import matplotlib
import numpy as np
import pandas as pd
import pytest

from framing.errors import ParameterError
from framing.inference import wilson_interval
from framing.timeline import coverage_over_time, event_table

matplotlib.use("Agg")


def documents():
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(8)],
        "outlet_lean": ["left", "left", "right", "right", "right", "left", "center", None],
        "published": pd.to_datetime(["2017-04-04", "2017-04-04", "2017-04-04", "2017-04-07",
                                     "2017-04-08", "2017-04-20", "2017-04-05", "2017-04-05"]),
        "event_id": ["ks", "ks", "ks", "shayrat", "shayrat", "", "ks", "ks"]})


def test_event_table_accepts_definitions_tables_and_mappings():
    defs = [types.SimpleNamespace(id="ks", date="2017-04-04", before=1, after=14)]
    assert event_table(defs).iloc[0].tolist() == ["ks", pd.Timestamp("2017-04-04"), 1, 14]
    table = pd.DataFrame({"event_id": ["ks"], "date": ["2017-04-04"]})
    assert event_table(table, before=2, after=3).iloc[0]["after"] == 3
    with pytest.raises(ParameterError):
        event_table({})


def test_volume_counts_every_day_and_group_with_zeros():
    res = coverage_over_time(documents(), events={"ks": "2017-04-04", "shayrat": "2017-04-07"},
                             before=1, after=3)
    vol = res.volume()
    assert set(vol["group"]) == {"left", "right", "center"}       # the None row is left out
    assert len(vol) == 2 * 5 * 3
    ks = vol[vol["scope"] == "ks"].set_index(["day", "group"])["n_docs"]
    assert ks[(0, "left")] == 2 and ks[(0, "right")] == 1 and ks[(1, "center")] == 1
    assert ks[(-1, "left")] == 0
    shay = vol[vol["scope"] == "shayrat"].set_index(["day", "group"])["n_docs"]
    assert shay[(0, "right")] == 1 and shay[(1, "right")] == 1
    assert (vol["date"] == pd.Timestamp("2017-04-04") + pd.to_timedelta(vol["day"], "D")
            ).where(vol["scope"] == "ks", True).all()


def test_within_uses_assigned_events_and_shares_have_wilson_intervals():
    docs = documents()
    frames = pd.DataFrame({"doc_id": docs["doc_id"], "frame": "iraq",
                           "label": ["present", "absent", "present", "present", "absent",
                                     "absent", "absent", "present"]})
    res = coverage_over_time(docs, events={"ks": "2017-04-04", "shayrat": "2017-04-07"},
                             within="event_id", frames=frames, before=0, after=10)
    vol = res.volume()
    assert vol.query("scope == 'ks'")["n_docs"].sum() == 4        # d0, d1, d2, d6
    shares = res.table[res.table["feature_kind"] == "frame"]
    left = shares.query("scope == 'ks' and day == 0 and group == 'left'").iloc[0]
    assert left["estimate"] == 0.5 and left["n_docs"] == 2
    low, high = wilson_interval(1, 2)
    assert np.isclose(left["ci_low"], low) and np.isclose(left["ci_high"], high)
    summary = res.summary().table.set_index(["scope", "group"])
    assert summary.loc[("ks", "left"), "share: iraq"] == 0.5
    assert res.plot().axes.shape == (1, 2)
    assert res.plot("iraq").axes.shape == (1, 2)
    with pytest.raises(ParameterError):
        res.plot("nothing")
    assert "Coverage over time" in res.to_markdown()
