"""Tone toward actors: actor list, matching, masking, VADER, aggregation, comparison, and a
check on real labelled sentences (BASIL) and real news (FA-KES)."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from framing.errors import CardError, ParameterError, SchemaError
from framing.inference import adjust_pvalues
from framing.tone import (
    PLACEHOLDER,
    Actor,
    ActorMatcher,
    actor_tone,
    compare_tone,
    find_mentions,
    load_actors,
    sentiment,
)

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
REF = json.loads((ROOT / "tests" / "results" / "reference_values.json").read_text("utf-8"))


def close(value, reference, tol=1e-8):
    assert math.isclose(float(value), float(reference), rel_tol=tol, abs_tol=tol * 1e-4), \
        (value, reference)


def test_shipped_actor_list():
    actors = {a.id: a for a in load_actors()}
    assert list(actors) == ["assad", "russia", "us", "rebels", "un_opcw"]
    assert "Putin" in actors["russia"].aliases and "OPCW" in actors["un_opcw"].aliases
    assert "Washington Post" in actors["us"].exclude


def test_custom_actor_file_and_its_errors(tmp_path):
    good = tmp_path / "a.toml"
    good.write_text('[actors.whitehelmets]\nlabel = "White Helmets"\n'
                    'aliases = ["White Helmets", "Syria Civil Defence"]\n', "utf-8")
    (actor,) = load_actors(good)
    assert actor == Actor("whitehelmets", "White Helmets",
                          ("White Helmets", "Syria Civil Defence"))
    for body, match in (('[actors.x]\nlabel = "X"\naliases = []\n', "empty"),
                        ('[actors.x]\naliases = ["X"]\n', "label"),
                        ('[actors.x]\nlabel = "X"\naliases = ["X"]\ncolour = 1\n', "unknown"),
                        ("actors = 3", "expected"), ("[actors", "TOML")):
        bad = tmp_path / "bad.toml"
        bad.write_text(body, "utf-8")
        with pytest.raises(CardError, match=match):
            load_actors(bad)


def test_matching_rules():
    m = ActorMatcher()
    found = m.find("The US and the U.S. military told us the UN and un-named Assad's "
                   "Syrian government forces near Damascus; Damascus denied it.")
    assert [(a, t) for a, _, _, t in found] == [
        ("us", "US"), ("us", "U.S. military"), ("un_opcw", "UN"), ("assad", "Assad"),
        ("assad", "Syrian government forces"), ("assad", "Damascus")]
    assert m.find("pro-Assad rebel-held towns, the Washington Post and Latin America") == []
    assert [a for a, *_ in m.find("REBELS and Rebels and rebels")] == ["rebels"] * 3
    with pytest.raises(ParameterError, match="unique"):
        ActorMatcher([Actor("x", "X", ("a",)), Actor("x", "Y", ("b",))])


def test_vader_readme_example_and_placeholder():
    close(sentiment(REF["vader"]["text"]), REF["vader"]["compound"])
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert PLACEHOLDER not in SentimentIntensityAnalyzer().lexicon


def test_masking_removes_the_valence_of_names():
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["The Free Syrian Army spoke."]})
    row = find_mentions(docs).iloc[0]
    assert row["context"] == f"The {PLACEHOLDER} spoke." and row["tone"] == 0.0
    assert sentiment("The Free Syrian Army spoke.") > 0.3   # "free" is +2.3 in VADER


def test_sentence_and_window_contexts():
    text = ("Russia praised the brave and wonderful rescue workers, while in the same long "
            "sentence the US was accused of a horrible, criminal, disgusting aggression. "
            "Assad said nothing.")
    docs = pd.DataFrame({"doc_id": ["d1"], "text": [text]})
    sent = find_mentions(docs, unit="sentence")
    assert list(sent["actor"]) == ["russia", "us", "assad"]
    assert sent.loc[0, "tone"] == sent.loc[1, "tone"]           # same sentence, same tone
    win = find_mentions(docs, unit="window", window=5).set_index("actor")
    assert win.loc["russia", "tone"] > 0.5 > -0.5 > win.loc["us", "tone"]
    assert win.loc["russia", "context"] == f"{PLACEHOLDER} praised the brave and wonderful"
    assert win.loc["assad", "context"] == f"{PLACEHOLDER} said nothing."
    repeated = pd.DataFrame({"doc_id": ["d2"], "text": ["Putin and Russia and Moscow won."]})
    assert len(find_mentions(repeated, unit="sentence")) == 1
    assert len(find_mentions(repeated, unit="window")) == 3
    with pytest.raises(ParameterError):
        find_mentions(docs, unit="paragraph")


def test_doc_tone_is_the_mean_over_contexts():
    docs = pd.DataFrame({"doc_id": ["a", "b"],
                         "text": ["Assad is a monster. Assad is a wonderful, kind man.",
                                  "Nothing here."]})
    mentions = find_mentions(docs)
    tone = actor_tone(docs)
    assert list(tone.columns) == ["doc_id", "actor", "n_contexts", "tone"]
    row = tone.iloc[0]
    assert (row["doc_id"], row["actor"], row["n_contexts"]) == ("a", "assad", 2)
    close(row["tone"], mentions["tone"].mean())
    assert len(tone) == 1


def test_compare_tone_against_scipy_welch():
    ref = REF["welch"]
    tone = pd.DataFrame({"doc_id": [f"x{i}" for i in range(len(ref["x"]))]
                         + [f"y{i}" for i in range(len(ref["y"]))],
                         "actor": "assad", "tone": ref["x"] + ref["y"],
                         "outlet": ["RT"] * len(ref["x"]) + ["CNN"] * len(ref["y"])})
    res = compare_tone(tone, by="outlet", reference="CNN")
    pair = res.rows("pairwise").iloc[0]
    assert (pair["group"], pair["reference"]) == ("RT", "CNN")
    close(pair["statistic"], ref["statistic"])
    close(pair["p_value"], ref["p_value"])
    close(pair["ci_low"], ref["ci"][0])
    close(pair["ci_high"], ref["ci"][1])
    close(pair["estimate"], np.mean(ref["x"]) - np.mean(ref["y"]))
    rt = res.rows("mean").set_index("group").loc["RT"]
    close(rt["ci_low"], ref["t_interval_x"][0])
    close(rt["ci_high"], ref["t_interval_x"][1])


def test_compare_tone_groups_documents_and_adjustment():
    rng = np.random.default_rng(1)
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(60)],
                         "outlet_lean": rng.choice(["left", "center", "right"], 60)})
    tone = pd.DataFrame({"doc_id": np.repeat(docs["doc_id"], 2),
                         "actor": ["assad", "us"] * 60, "tone": rng.uniform(-1, 1, 120)})
    res = compare_tone(tone, documents=docs, by="outlet_lean")
    pairs = res.rows("pairwise")
    assert len(pairs) == 6 and len(res.rows("mean")) == 6
    assert np.allclose(pairs["p_adjusted"], adjust_pvalues(pairs["p_value"], "holm"))
    ax = res.plot()
    assert ax.get_ylabel() == "actor"
    single = compare_tone(tone.iloc[:1].assign(outlet="x"), by="outlet")
    assert np.isnan(single.rows("mean")["ci_low"]).all()
    with pytest.raises(SchemaError, match="aggregate first"):
        compare_tone(pd.concat([tone, tone]).assign(outlet="x"), by="outlet")


# ------------------------------------------------------------------------------ real data
def _benchmark():
    spec = importlib.util.spec_from_file_location("tone_evaluation",
                                                  ROOT / "benchmarks" / "tone_evaluation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpora
def test_tone_tracks_basil_lexical_polarity(real_home):
    """The numbers reported in benchmarks/results/tone_evaluation.md, on the lexical items:
    VADER separates negative from positive wording better than chance, but weakly."""
    bench = _benchmark()
    items = bench.basil_items(real_home / "frames" / "basil" / "labels.csv.gz")
    items = bench.score_items(items[items["bias"] == "lex"])
    assert len(items) == 224 and 0.4 < items["found"].mean() < 0.5
    named = items[items["found"]]
    neg = named["polarity"] == "neg"
    auc = bench._auc(neg.to_numpy(dtype=int), -named["window"].to_numpy())
    assert 0.65 < auc < 0.8
    span = bench._auc((items["polarity"] == "neg").to_numpy(dtype=int),
                      -items["span"].to_numpy())
    assert span > 0.8
    assert named.loc[neg, "window"].mean() < named.loc[~neg, "window"].mean()


@pytest.mark.corpora
def test_tone_on_flagship_news(real_home):
    from framing.corpus import load_corpus

    corpus = load_corpus("fa-kes", data_home=real_home, flag_duplicates=False)
    docs = corpus.documents
    docs = docs[(docs["published"] >= "2017-04-03") & (docs["published"] <= "2017-04-18")]
    tone = actor_tone(docs, unit="window")
    assert set(tone["actor"]) == {"assad", "russia", "us", "rebels", "un_opcw"}
    assert tone["tone"].between(-1, 1).all()
    res = compare_tone(tone, documents=docs, by="outlet")
    means = res.rows("mean")
    assert (means["n_docs"] > 0).all() and means["estimate"].between(-1, 1).all()
