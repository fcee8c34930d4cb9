"""Outlet groupings defined as data."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.errors import CardError, SchemaError
from framing.groups import assign_groups, load_groupings

DOCS = pd.DataFrame({
    "corpus": ["allsides-abp", "allsides-abp", "fa-kes", "fa-kes", "fa-kes", "basil"],
    "outlet": ["CNN", "Fox News", "Sputnik", "TRT World", "Reuters", "Fox News"],
    "outlet_lean": ["left", "right", "", "", "", ""],
    "outlet_type": ["commercial", "commercial", "state_affiliated", "state_affiliated",
                    "agency", "commercial"],
})


def test_flagship_grouping():
    groups = assign_groups(DOCS)["outlet_group"].tolist()
    assert groups == ["left", "right", "russia_syria_gov", "gulf_turkey", "", ""]


def test_first_rule_wins_and_input_untouched(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text('[g]\n[[g.group]]\nname = "state"\noutlet_type = "state_affiliated"\n'
                    '[[g.group]]\nname = "fa-kes"\ncorpus = "fa-kes"\n', encoding="utf-8")
    out = assign_groups(DOCS, grouping="g", path=path, column="grp")
    assert out["grp"].tolist() == ["", "", "state", "state", "fa-kes", ""]
    assert "grp" not in DOCS


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(CardError, match="known"):
        assign_groups(DOCS, grouping="nope")
    with pytest.raises(SchemaError, match="outlet_lean"):
        assign_groups(DOCS.drop(columns="outlet_lean"))
    path = tmp_path / "bad.toml"
    path.write_text('[g]\n[[g.group]]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(CardError, match="at least one condition"):
        load_groupings(path)


@pytest.mark.corpora
def test_flagship_groups_name_real_outlets(all_news):
    docs = all_news.documents
    grouped = assign_groups(docs)
    counts = grouped["outlet_group"].value_counts()
    for group in load_groupings()["flagship"].groups:
        assert counts.get(group, 0) > 0, group
    outlets = set(docs["outlet"])
    for _, conditions in load_groupings()["flagship"].rules:
        assert set(conditions.get("outlet", ())) <= outlets
