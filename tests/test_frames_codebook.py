"""Codebook files: loading, validation messages that name file/frame/field, cue syntax."""

from __future__ import annotations

from importlib import resources

import pytest

from framing.frames import CodebookError, list_codebooks, load_codebook, parse_document
from framing.frames.codebook import compile_cues

MINIMAL = """
name = "mini"
[lists]
negation = ["not"]
[frames.war]
type = "presence"
cues = ["war", "clash"]
threshold = 0.4
"""


def test_shipped_codebooks_load_and_ship_as_package_data():
    assert {"generic", "policy", "syria-2017"} <= set(list_codebooks())
    folder = resources.files("framing").joinpath("codebooks")
    assert folder.joinpath("syria-2017.blame.json").is_file()
    generic = load_codebook("generic")
    assert list(generic.frames) == ["f_conflict", "f_responsibility", "f_human_interest",
                                    "f_economic", "f_morality"]
    policy = load_codebook("policy")
    assert len([f for f in policy.frames.values() if f.type == "presence"]) == 14
    assert policy.frames["primary_frame"].labels[-1] == "other"  # the fifteenth dimension
    syria = load_codebook("syria-2017")
    assert syria.frames["blame"].labels == ("government", "opposition_or_staged", "contested",
                                             "none")
    assert syria.frames["iraq_voice"].labels == ("commentator_or_author", "other",
                                                  "russian_official", "syrian_official",
                                                  "us_politician", "none")


def test_a_researcher_adds_a_codebook_by_path(write):
    book = load_codebook(write("mine.toml", MINIMAL))
    assert book.name == "mini" and list(book.frames) == ["war"]
    assert load_codebook(book) is book


@pytest.mark.parametrize("text, message", [
    ("[frames.x]\ntype = 'presence'\ncues = ['a']\ncolour = 1\n",
     "frame 'x': unknown field(s) ['colour']"),
    ("[frames.x]\ntype = 'presense'\ncues = ['a']\n", "frame 'x', field 'type'"),
    ("[frames.x]\ntype = 'presence'\n", "frame 'x': a presence frame needs 'cues' or 'rules'"),
    ("[frames.x]\ntype = 'presence'\ncues = ['@missing']\n", "unknown list '@missing'"),
    ("[frames.x]\ntype = 'presence'\nthreshold = 'high'\ncues = ['a']\n",
     "frame 'x', field 'threshold': expected int or float"),
    ("[frames.x]\ntype = 'presence'\n[[frames.x.rules]]\nmatch = ['a']\nwindow = 0\n",
     "rules[0], field 'window'"),
    ("[frames.x]\ntype = 'presence'\ncues = ['a']\n[frames.v]\ntype = 'voice'\nof = 'y'\n"
     "unattributed = 'author'\n[[frames.v.actors]]\nlabel = 'r'\ncues = ['Russia']\n",
     "frame 'v', field 'of': 'y' is not a presence frame"),
    ("[frames.b]\ntype = 'balance'\ncues = ['gas']\nmodel = 'nowhere.json'\n"
     "[frames.b.sides]\ngov = ['Assad']\n", "field 'model': file 'nowhere.json' not found"),
    ("[frames.x]\ntype = 'presence'\ncues = ['a b!']\n", "is not a word"),
    ("title = 'no frames'\n", "no [frames.NAME] tables"),
])
def test_validation_errors_name_file_frame_and_field(write, text, message):
    path = write("bad.toml", text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert message in str(info.value)
    assert str(path.name) in str(info.value)


def test_invalid_toml_and_unknown_names_are_codebook_errors(write):
    with pytest.raises(CodebookError, match="not valid TOML"):
        load_codebook(write("broken.toml", "[frames\n"))
    with pytest.raises(CodebookError, match="no codebook named 'nope'"):
        load_codebook("nope")
    with pytest.raises(CodebookError, match="not found"):
        load_codebook("missing.toml")


def test_edited_file_is_read_again(write):
    path = write("mine.toml", MINIMAL)
    assert load_codebook(path).frames["war"].options["threshold"] == 0.4
    path.write_text(MINIMAL.replace("0.4", "0.7"), encoding="utf-8")
    import os
    os.utime(path, ns=(1, 10**18))  # a different modification time
    assert load_codebook(path).frames["war"].options["threshold"] == 0.7


def _hits(cue: str, text: str) -> int:
    doc = parse_document("", text)
    return sum(len(doc.find(c)) for c in compile_cues([cue], {}, "test"))


@pytest.mark.parametrize("cue, text, expected", [
    ("accuse", "They accused Damascus; accusations flew.", 2),   # stems
    ("add", "He added that it was staged.", 1),                  # inflection Snowball splits
    ("US", "The U.S. and the US; but not us.", 2),               # case-sensitive acronym
    ("WMD", "No WMDs were found.", 1),                           # plural allowed
    ("criticis*", "Critics criticised it.", 1),                  # prefix
    ("*n't", "It wasn't Iraq, it isn’t 2003.", 2),               # suffix, curly apostrophe
    ("=may", "He may go in May.", 2),                            # exact, lowercased
    ("weapons of mass destruction", "Weapons of mass destruction, weapons of war.", 1),
    ("Assad", "al-Assad's forces", 1),                           # hyphen parts, possessive
    ("2003", "In 2003, and 2017.", 1),                           # numbers
])
def test_cue_syntax(cue, text, expected):
    assert _hits(cue, text) == expected


def test_lists_expand_and_normalise_labels():
    book = load_codebook("syria-2017")
    frame = book.frames["iraq_2003_analogy"]
    assert frame.normalise_label("1") == "present" and frame.normalise_label(0.0) == "absent"
    assert frame.normalise_label("") is None and frame.normalise_label(float("nan")) is None
    assert book.frame_for("iraq_analogy") is frame and book.frame_for("nothing") is None
