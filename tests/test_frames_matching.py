"""The matching engine and the doc_frames table, on small texts written for these tests."""

from __future__ import annotations

import pandas as pd
import pytest

from framing.errors import CodebookError, ParameterError, SchemaError
from framing.frames import code_documents, load_codebook, parse_document
from framing.frames.codebook import Rule, compile_cues
from framing.frames.matching import EVIDENCE_COLUMNS, match_rule
from framing.schema import DOC_FRAMES_COLUMNS


def _cues(*words):
    return compile_cues(list(words), {}, "test")


def _docs(*texts, titles=None):
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))],
                         "title": titles or [""] * len(texts), "text": list(texts)})


def test_sentences_are_numbered_from_the_title():
    doc = parse_document("A title", "First sentence. Second one.\nA caption")
    assert [(s.index, s.field, s.text) for s in doc.sentences] == [
        (0, "title", "A title"), (1, "text", "First sentence."), (2, "text", "Second one."),
        (3, "text", "A caption")]
    assert parse_document("", "").sentences[0].text == ""


def test_proximity_window_unless_and_context():
    rule = Rule("iraq", _cues("Iraq"), near=_cues("2003", "invasion"), window=3,
                unless=_cues("ISIS"))
    doc = parse_document("", "The 2003 invasion of Iraq. Iraq is far from any year named 2003 "
                             "here. ISIS fled Iraq after the invasion.")
    assert [h.sentence for h in match_rule(doc, rule)] == [1]
    wide = Rule("iraq", _cues("Iraq"), near=_cues("2003"), context=1)
    doc = parse_document("", "It was 2003. Iraq was invaded. Nothing. Iraq again.")
    assert [h.sentence for h in match_rule(doc, wide)] == [2]  # not sentence 4


def test_negation_and_hedging_are_recorded():
    rule = Rule("resp", _cues("responsible"))
    doc = parse_document("", "Assad was not responsible. He was allegedly responsible.")
    hits = match_rule(doc, rule, negation=_cues("not"), hedge=_cues("allegedly"))
    assert [(h.negated, h.hedged) for h in hits] == [(True, False), (False, True)]


CODEBOOK = """
name = "mini"
[lists]
negation = ["not"]
hedge = ["maybe"]
[frames.war]
type = "presence"
cues = ["war"]
cue_weight = 0.4
threshold = 0.5
negated_weight = 0.0
[frames.money]
type = "presence"
cues = ["dollar", "budget"]
cue_weight = 0.6
aggregate = "max"
[frames.voice]
type = "voice"
of = "war"
unattributed = "author"
unknown = "someone"
[[frames.voice.actors]]
label = "russia"
cues = ["Russia", "Lavrov"]
[frames.stance]
type = "stance"
of = "war"
rebut = ["unlike"]
[frames.blame]
type = "balance"
cues = ["gas"]
min_evidence = 0.5
dominance = 0.6
doubt = ["unclear"]
[frames.blame.sides]
regime = ["regime"]
rebels = ["rebels"]
[frames.primary]
type = "primary"
"""


@pytest.fixture
def mini(write):
    return load_codebook(write("mini.toml", CODEBOOK))


def test_decisions_of_every_frame_type(mini):
    docs = _docs(
        "War again. A war is coming, Lavrov said. The budget is one dollar.",
        "There is no war here. This is not war.",
        "The regime used gas. The regime dropped gas again. Rebels deny the gas claim.",
        "The regime used gas. Rebels used gas. It is unclear who used gas.",
        "War, unlike war before. War again.")
    result = code_documents(docs, codebook=mini)
    wide = result.wide().set_index("doc_id")
    assert wide.loc["d0", "war"] == "present"      # 1 - 0.6 * 0.6 = 0.64 >= 0.5
    assert wide.loc["d1", "war"] == "absent"       # negated matches weigh nothing
    assert wide.loc["d0", "money"] == "present"
    assert wide.loc["d0", "voice"] == "author"     # own voice outweighs Lavrov's sentence
    assert wide.loc["d0", "stance"] == "endorse"
    assert wide.loc["d4", "stance"] == "rebut"
    assert wide.loc["d1", "voice"] == "none" and wide.loc["d1", "stance"] == "none"
    assert wide.loc["d2", "blame"] == "regime"
    assert wide.loc["d3", "blame"] == "contested"
    assert wide.loc["d1", "blame"] == "none"
    assert wide.loc["d0", "primary"] == "war"      # 0.64 beats money's 0.6
    assert wide.loc["d1", "primary"] == "other"
    table = result.table
    assert list(table.columns) == list(DOC_FRAMES_COLUMNS)
    assert list(result.evidence.columns) == list(EVIDENCE_COLUMNS)
    row = table[(table.doc_id == "d0") & (table.frame == "war")].iloc[0]
    assert row.voice == "author" and row.evidence.startswith("[1] War again.")
    assert row.method == "codebook:mini:presence:rules"
    assert (table[table.label.isin(["absent", "none"])]["evidence"] == "").all()


def test_every_positive_decision_keeps_evidence(mini):
    result = code_documents(_docs("War. War!", "The regime used gas."), codebook=mini)
    positive = result.table[~result.table.label.isin(["absent", "none", "other"])]
    for _, row in positive.iterrows():
        ev = result.evidence[(result.evidence.doc_id == row.doc_id)
                             & (result.evidence.frame == row.frame)]
        assert len(ev) > 0 and row.evidence


def test_chunking_and_summary_do_not_change_results(mini):
    docs = _docs(*["War. The regime used gas.", "Nothing", "One dollar"] * 4)
    docs["doc_id"] = [f"d{i}" for i in range(len(docs))]
    one = code_documents(docs, codebook=mini, chunk_size=1000).table
    many = code_documents(docs, codebook=mini, chunk_size=5).table
    pd.testing.assert_frame_equal(one, many)
    summary = code_documents(docs, codebook=mini).summary()
    assert summary.groupby("frame")["documents"].sum().eq(len(docs)).all()
    assert list(dict.fromkeys(summary["frame"])) == ["war", "money", "voice", "stance",
                                                     "blame", "primary"]


def test_bad_input_raises(mini):
    with pytest.raises(SchemaError, match="text"):
        code_documents(pd.DataFrame({"doc_id": ["a"]}), codebook=mini)
    with pytest.raises(ParameterError, match="chunk_size"):
        code_documents(_docs("x"), codebook=mini, chunk_size=0)
    no_title = pd.DataFrame({"doc_id": ["a"], "text": ["War. War."]})
    assert code_documents(no_title, codebook=mini).wide().loc[0, "war"] == "present"


def test_syria_codebook_on_invented_sentences():
    docs = _docs(
        '"This is just like Iraq in 2003, when Powell waved a vial," said Russian Deputy '
        "Ambassador Vladimir Safronkov.",
        "ISIS fighters left Mosul in Iraq. The US-led coalition struck Raqqa.",
        "The chemical attack was carried out by Assad's forces, US officials said. "
        "Syrian government warplanes dropped sarin on the town.",
        "Russia said the Syrian air force hit a rebel warehouse storing chemical weapons. "
        "The attack was staged, the Russian defence ministry said.",
        "Columnist: we were lied into the Iraq war with bogus WMD claims; Syria is next.")
    wide = code_documents(docs, codebook="syria-2017").wide().set_index("doc_id")
    assert wide.loc["d0", ["iraq_2003_analogy", "iraq_voice", "iraq_stance"]].tolist() == [
        "present", "russian_official", "report"]
    assert wide.loc["d1", "iraq_2003_analogy"] == "absent"
    assert wide.loc["d4", ["iraq_2003_analogy", "iraq_stance"]].tolist() == ["present",
                                                                             "endorse"]
    assert wide.loc["d2", "blame"] == "government"
    assert wide.loc["d3", "blame"] == "opposition_or_staged"
    assert wide.loc["d1", "blame"] == "none"


RELEVANCE = """
name = "rel"
[frames.about]
type = "relevance"
cues = ["sarin", "Khan Shaykhun"]
min_sentences = 2
min_share = 0.3
neighbours = 1
"""


def test_relevance_counts_the_share_of_the_article_about_the_topic(write):
    book = load_codebook(write("rel.toml", RELEVANCE))
    filler = " ".join(f"Unrelated sentence {i}." for i in range(20))
    docs = _docs(
        "Sarin hit Khan Shaykhun. Doctors treated victims. Sarin was confirmed. The end.",
        f"Sarin hit Khan Shaykhun at dawn. {filler} Sarin, again, in passing.",
        "Sarin was found. Nothing else is said here. Or here. Or here either.",
        titles=["", "", ""])
    coded = code_documents(docs, codebook=book)
    table = coded.table.set_index("doc_id")
    # d0: sentences 1 and 3 name it; with neighbours 1-4 of 5 sentences (title included)
    assert table.loc["d0", "label"] == "present" and table.loc["d0", "score"] == 0.8
    # d1: two naming sentences, but a zone of 4 in 24 sentences is a passing mention
    assert table.loc["d1", "label"] == "absent" and table.loc["d1", "score"] < 0.3
    assert table.loc["d2", "label"] == "absent"  # one naming sentence is not enough
    evidence = coded.evidence[coded.evidence["doc_id"] == "d0"]
    assert evidence["sentence"].tolist() == [1, 3] and set(evidence["rule"]) == {
        "names-the-topic"}
    titled = code_documents(_docs("Doctors treated victims. Sarin again.",
                                  titles=["Sarin in Khan Shaykhun"]), codebook=book)
    assert titled.table["label"].tolist() == ["present"]  # the title counts when it names it


def test_relevance_from_event_definitions_and_its_errors(write):
    frame = load_codebook("syria-2017").frames["on_event"]
    assert frame.type == "relevance" and frame.normalise_label(1) == "present"
    assert "Khan Sheikhoun" in {c.text for c in frame.rules[0].match}
    with pytest.raises(CodebookError, match="unknown event id"):
        load_codebook(write("bad.toml", RELEVANCE.replace('cues = ["sarin", "Khan Shaykhun"]',
                                                          'events = ["nope-2020"]')))
    with pytest.raises(CodebookError, match="needs 'cues' or 'events'"):
        load_codebook(write("bad2.toml", RELEVANCE.replace(
            'cues = ["sarin", "Khan Shaykhun"]', "")))


GATED = RELEVANCE + """
[frames.blame]
type = "balance"
cues = ["gas", "sarin"]
min_evidence = 0.5
gate = "about"
[frames.blame.sides]
regime = ["regime"]
rebels = ["rebels"]
"""


def test_balance_gate_codes_a_passing_mention_off_topic_as_none(write):
    filler = " ".join(f"Unrelated sentence {i}." for i in range(20))
    docs = _docs(
        f"The regime used gas. {filler}",                               # off topic, 1 vote
        f"The regime used gas. The regime dropped gas again. {filler}",  # off topic, 2 votes
        "Sarin hit Khan Shaykhun. The regime used sarin. Sarin was confirmed.",  # on topic
        titles=["", "", ""])
    gated = code_documents(docs, codebook=load_codebook(write("g.toml", GATED)))
    wide = gated.wide().set_index("doc_id")
    assert wide["about"].tolist() == ["absent", "absent", "present"]
    assert wide["blame"].tolist() == ["none", "regime", "regime"]
    assert gated.table.set_index(["doc_id", "frame"]).loc[("d0", "blame"), "evidence"] == ""
    open_book = load_codebook(write("o.toml", GATED.replace('gate = "about"\n', "")))
    assert code_documents(docs, codebook=open_book).wide()["blame"].tolist() == ["regime"] * 3
    one = load_codebook(write("1.toml", GATED.replace('gate = "about"', 'gate = "about"\n'
                                                                         "gate_min_votes = 1")))
    assert code_documents(docs, codebook=one).wide()["blame"].tolist() == ["regime"] * 3
    with pytest.raises(CodebookError, match="'gate': 'blame' is not a relevance frame"):
        load_codebook(write("bad.toml", GATED.replace('gate = "about"', 'gate = "blame"')))
