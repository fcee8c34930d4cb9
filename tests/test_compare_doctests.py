"""The docstring examples of the comparison modules run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ("framing.inference", "framing.results", "framing.compare", "framing.words",
           "framing.divergence", "framing.tone", "framing.timeline")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
