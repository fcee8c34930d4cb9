"""Tokenizer and vectorizer factory."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from framing.errors import ParameterError
from framing.text import Tokenizer, get_stop_words, make_vectorizer


def test_possessives_acronyms_and_hyphens():
    tokens = Tokenizer()("Assad's forces and the U.S.-led coalition met UN envoys in al-Bab.")
    assert tokens == ["assad", "forces", "us", "led", "coalition", "met", "un", "envoys",
                      "al-bab"]


def test_stop_words_kinds():
    assert "said" in get_stop_words("news") and "said" not in get_stop_words("english")
    assert "the" in get_stop_words("english") and not get_stop_words(None)
    for kept in ("attack", "regime", "people", "government"):
        assert kept not in get_stop_words("news")
    with pytest.raises(ParameterError):
        get_stop_words("klingon")


def test_stemming_and_custom_stop_words():
    assert Tokenizer(stem=True, stop_words=["strike"])("Strike strikes striking") == [
        "strike", "strike"]


def test_numbers_are_not_words():
    assert Tokenizer(stop_words=None)("In 2003 the 3rd division") == ["in", "the", "rd",
                                                                     "division"]


def test_pickle_round_trip():
    tok = Tokenizer(stem=True)
    again = pickle.loads(pickle.dumps(tok))
    assert again("Strikes on airbases") == tok("Strikes on airbases")


def test_vectorizer_factory():
    vec = make_vectorizer("count", min_df=1, ngram_range=(1, 2))
    X = vec.fit_transform(["Chemical attack in Idlib", "Chemical weapons attack"])
    assert "chemical attack" in vec.vocabulary_ and X.shape[0] == 2
    with pytest.raises(ParameterError, match="tokenizer"):
        make_vectorizer(tokenizer=str.split)
    with pytest.raises(ParameterError):
        make_vectorizer("bm25")


@given(st.text())
def test_tokens_are_lowercase_words(text):
    for token in Tokenizer(stop_words=None)(text):
        assert token == token.lower() and len(token) >= 2 and not any(c.isdecimal() for c in token)
