"""Quotation and speaker detection on invented sentences."""

from __future__ import annotations

import pytest

from framing.frames import parse_document
from framing.frames.attribution import attribute, classify_speaker, quote_spans
from framing.frames.codebook import compile_cues


def _speakers(text: str, title: str = "") -> list:
    return [a.speaker for a in attribute(parse_document(title, text))][1:]


@pytest.mark.parametrize("text, expected", [
    ("Lavrov said the strike was illegal.", ["Lavrov"]),
    ("The Kremlin has repeatedly warned against it.", ["The Kremlin"]),
    ('"It is a pretext," said Russian Deputy Ambassador Vladimir Safronkov.',
     ["Russian Deputy Ambassador Vladimir Safronkov"]),
    ("The base was hit, according to the Syrian army.", ["the Syrian army"]),
    ("Missiles hit the base on Friday.", [None]),
    ("Haley said the US was ready. She added that Russia failed.", ["Haley", "Haley"]),
    ('Putin spoke. "This reminds me of 2003. Nobody found anything then," he said.',
     ["Putin", "Putin", "Putin"]),
    ('Lukyanov says it could get worse.\n"It could become another Iraq. Nobody wants that."',
     ["Lukyanov", "Lukyanov", "Lukyanov"]),
    ("George W. Bush responded to 9/11 by invading Afghanistan.", [None]),
])
def test_speakers(text, expected):
    assert _speakers(text) == expected


def test_quote_spans_curly_straight_and_open_at_line_end():
    text = 'He said “no” and "yes". ‘Fine’ too.\n"Open until the line ends'
    assert [text[a:b] for a, b in quote_spans(text)] == ["no", "yes", "Fine",
                                                         "Open until the line ends"]
    assert quote_spans("Trump’s base, the Assad regime’s jets") == []


def test_speaker_at_separates_quoted_words_from_the_narrator():
    doc = parse_document("", 'Russia called it "another Iraq," Lavrov said.')
    att = attribute(doc)[1]
    iraq = next(i for i, t in enumerate(doc.sentences[1].tokens) if t.lower == "iraq")
    assert att.speaker_at(iraq) == "Lavrov"


def test_classify_speaker_uses_the_first_mention():
    actors = [("analyst", compile_cues(["analyst", "expert"], {}, "t")),
              ("russia", compile_cues(["Russia", "Russian", "Kremlin"], {}, "t")),
              ("us", compile_cues(["US", "senator"], {}, "t"))]
    doc = parse_document("", "Sergei Lavrov, Russia's foreign minister, spoke. Senator Rand Paul "
                             "disagreed. Fyodor Lukyanov, a Russian analyst, was doubtful.")
    assert classify_speaker("Lavrov", doc, actors) == "russia"
    assert classify_speaker("Paul", doc, actors) == "us"
    assert classify_speaker("Lukyanov", doc, actors) == "analyst"   # order of categories
    assert classify_speaker("an unnamed source", doc, actors) is None
    assert classify_speaker(None, doc, actors) is None
