"""Sentence splitting without NLTK data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from framing.sentences import sentence_spans, split_sentences


def test_abbreviations_and_quotes():
    text = ('U.S. President Donald Trump spoke on Friday. "We will act," he said. '
            "Gen. Mattis and Mr. Lavrov met on Apr. 12 at 3 p.m. in Moscow. It was tense.")
    assert split_sentences(text) == [
        "U.S. President Donald Trump spoke on Friday.", '"We will act," he said.',
        "Gen. Mattis and Mr. Lavrov met on Apr. 12 at 3 p.m. in Moscow.", "It was tense."]


def test_lines_are_sentence_boundaries():
    text = "Headline without a period\n\nFirst paragraph. Second sentence.\nCaption"
    assert split_sentences(text) == ["Headline without a period", "First paragraph.",
                                     "Second sentence.", "Caption"]


@given(st.text())
def test_spans_are_ordered_and_inside_the_text(text):
    last = 0
    for start, end in sentence_spans(text):
        assert last <= start < end <= len(text)
        assert text[start:end].strip()
        last = end
