"""The text space shared by seeded and discovery mode: words, title and named-entity-like phrases.

An article becomes one sparse row made of two L2-normalised TF-IDF blocks:

- **words** of the title (repeated ``title_weight`` times, so headline words count more) and the
  body, tokenised by :func:`framing.text.make_vectorizer`;
- **entities**: runs of capitalised words ("Khan Shaykhun", "Rex Tillerson", "UN Security
  Council"), each kept as one hyphen-joined token so that names match as wholes.

The blocks are scaled by ``sqrt(1 - entity_weight)`` and ``sqrt(entity_weight)``, so the dot
product of two rows is ``(1 - entity_weight) * cos(words) + entity_weight * cos(entities)``: a
similarity in [0, 1].
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ..errors import ParameterError
from ..schema import require_columns
from ..text import get_stop_words, make_vectorizer

__all__ = ["EventFeatures", "extract_entities", "CALENDAR_WORDS"]

#: Capitalised words that name days and months: time is handled by the date, not the text.
CALENDAR_WORDS = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
""".split())


# A capitalised word: optional lowercase-led prefixes ("al-"), then an upper-case letter
# (ASCII and Latin-1), letters, and apostrophe- or hyphen-joined parts ("O'Brien", "Al-Manar").
_UPPER = "A-ZÀ-ÖØ-Þ"
_CAPITALISED = rf"(?:[^\W\d_]+-)*[{_UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*"
#: Runs of capitalised words separated by single spaces, not glued to other letters.
_RUN = re.compile(rf"(?<![^\W\d_'’\-]){_CAPITALISED}(?: {_CAPITALISED})*(?![^\W\d_])")
_AFTER_POSSESSIVE = re.compile(r"(?<=['’]s) ")


def extract_entities(text: str) -> list[str]:
    """Named-entity-like phrases: maximal runs of capitalised words separated by single spaces.

    Stop words and calendar words are trimmed from both ends of a run ("The", "On Tuesday")
    unless written as acronyms ("UN", "US"); a possessive ends a run ("Trump's Syria policy"
    gives "Trump's" and "Syria"). Words of a run are joined by ``-`` so that the package
    tokenizer keeps the phrase as one token.

    Examples
    --------
    >>> extract_entities("On Tuesday the UN Security Council met in New York; Assad's envoy spoke.")
    ['UN-Security-Council', 'New-York', "Assad's"]
    """
    stops = _trim_words()
    phrases = []
    for run in _RUN.finditer(text):
        for part in _AFTER_POSSESSIVE.split(run.group()):
            words = part.split(" ")
            while words and _trimmed(words[0], stops):
                words = words[1:]
            while words and _trimmed(words[-1], stops):
                words = words[:-1]
            if words:
                phrases.append("-".join(words))
    return phrases


@lru_cache(maxsize=1)
def _trim_words() -> frozenset[str]:
    return get_stop_words("english") | CALENDAR_WORDS


def _trimmed(word: str, stops: frozenset[str]) -> bool:
    return word.lower() in stops and not (word.isupper() and len(word) > 1)


class EventFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of words (title weighted) and of capitalised phrases, in one similarity space.

    Parameters
    ----------
    title_weight : int
        How many times the title is repeated before the body (0 ignores titles).
    entity_weight : float
        Share of the similarity carried by the entity block, in [0, 1].
    min_df, max_df : int or float
        Document-frequency limits of both vocabularies (see
        :class:`~sklearn.feature_extraction.text.TfidfVectorizer`).

    Attributes
    ----------
    words_ : TfidfVectorizer
        Fitted vectorizer of the word block.
    entities_ : TfidfVectorizer or None
        Fitted vectorizer of the entity block (None when ``entity_weight`` is 0 or the corpus
        has no capitalised phrase).

    Examples
    --------
    >>> docs = pd.DataFrame({"title": ["Gas attack in Idlib", "Idlib gas attack toll rises",
    ...                                "Budget vote"],
    ...                      "text": ["Khan Shaykhun was hit.", "Khan Shaykhun mourns.",
    ...                               "Congress voted."]})
    >>> X = EventFeatures().fit_transform(docs)
    >>> S = (X @ X.T).toarray()
    >>> bool(S[0, 1] > 0.3 > S[0, 2])
    True
    """

    def __init__(self, *, title_weight: int = 2, entity_weight: float = 0.3,
                 min_df: int | float = 1, max_df: int | float = 1.0):
        self.title_weight = title_weight
        self.entity_weight = entity_weight
        self.min_df = min_df
        self.max_df = max_df

    def _validate(self) -> None:
        if isinstance(self.title_weight, bool) or not isinstance(self.title_weight, int) \
                or self.title_weight < 0:
            raise ParameterError(f"title_weight={self.title_weight!r}: expected a whole number "
                                 ">= 0 (times the title is repeated).")
        if not 0.0 <= float(self.entity_weight) <= 1.0:
            raise ParameterError(f"entity_weight={self.entity_weight!r}: expected a number in "
                                 "[0, 1].")

    def _texts(self, data: pd.DataFrame) -> tuple[pd.Series, Callable[[], pd.Series]]:
        """The word-block texts, and a function giving the entity-block texts (extracting
        entities takes time, so only when the entity block is used)."""
        require_columns(data, ["text"], table="documents")
        title = (data["title"] if "title" in data else pd.Series("", index=data.index))
        title = title.fillna("").astype(str)
        body = data["text"].fillna("").astype(str)
        words = (title + "\n") * self.title_weight + body
        return words, lambda: (title + "\n" + body).map(lambda t: " ".join(extract_entities(t)))

    def _options(self) -> dict:
        return {"min_df": self.min_df, "max_df": self.max_df, "sublinear_tf": True,
                "dtype": np.float32}

    def word_vectorizer(self) -> TfidfVectorizer:
        """The unfitted vectorizer of the word block (what :meth:`fit` fits)."""
        return make_vectorizer("tfidf", **self._options())

    def word_texts(self, data: pd.DataFrame) -> pd.Series:
        """The texts the word block vectorises: the title ``title_weight`` times, then the
        body."""
        return self._texts(data)[0]

    def fit(self, X: pd.DataFrame, y=None) -> EventFeatures:
        """Learn both vocabularies and their IDF from a documents table (``title``, ``text``)."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: pd.DataFrame, y=None) -> sparse.csr_matrix:
        """:meth:`fit` and :meth:`transform` with one pass of tokenisation."""
        self._validate()
        words, entities = self._texts(X)
        self.words_ = self.word_vectorizer()
        try:
            word_block = self.words_.fit_transform(words)
        except ValueError as exc:  # sklearn: "empty vocabulary" / "no terms remain"
            raise ParameterError(f"EventFeatures: no words left to compare ({exc}); check the "
                                 "text column, or lower min_df / raise max_df.") from exc
        self.entities_, entity_block = None, None
        if self.entity_weight > 0:
            # Entities are names: no stop-word list (it would drop "US" and "May").
            self.entities_ = make_vectorizer("tfidf", stop_words=None, **self._options())
            try:
                entity_block = self.entities_.fit_transform(entities())
            except ValueError:  # no capitalised phrase at all: the block stays empty
                self.entities_ = None
        return self.combine(word_block, entity_block)

    def transform(self, X: pd.DataFrame) -> sparse.csr_matrix:
        """Rows of unit (or zero) length: dot products are similarities in [0, 1]."""
        check_is_fitted(self, "words_")
        words, entities = self._texts(X)
        return self.combine(self.words_.transform(words),
                            None if self.entities_ is None
                            else self.entities_.transform(entities()))

    def combine(self, word_block, entity_block=None) -> sparse.csr_matrix:
        """The similarity space from fitted word and entity tf-idf blocks (each row unit or
        zero length): the blocks scaled by their weights and stacked."""
        blocks = [np.sqrt(1.0 - self.entity_weight) * word_block]
        if entity_block is not None:
            blocks.append(np.sqrt(self.entity_weight) * entity_block)
        return sparse.csr_matrix(sparse.hstack(blocks, format="csr"), dtype=np.float32)

    def transform_texts(self, titles, texts) -> sparse.csr_matrix:
        """:meth:`transform` for bare strings (e.g. an event's profile text)."""
        return self.transform(pd.DataFrame({"title": list(titles), "text": list(texts)}))

