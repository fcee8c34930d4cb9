"""Tokenisation, stop words and vectorizers shared by every text measure.

Nothing here needs an NLTK data download: words are found with a regular expression, stems come
from NLTK's Snowball stemmer (rule-based, no data files), and the stop-word list is scikit-learn's
English list plus a short project-owned list of news-reporting words (``stopwords_news.txt``).

Every stage that turns texts into counts (events, topics, distinguishing words) builds its
vectorizer with :func:`make_vectorizer`, so that a study tokenises one way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

from .errors import ParameterError

__all__ = ["Tokenizer", "tokenize", "get_stop_words", "make_vectorizer", "WORD_PATTERN"]

#: A word: letters, optionally joined by an apostrophe or hyphen ("al-Assad", "don't").
#: Digits and underscores are not words; years are handled by the measures that need them.
WORD_PATTERN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
# Acronyms written with dots ("U.S.", "U.N.") would fall apart into single letters.
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")
_UNSEEN = object()
_KNOWN_LIMIT = 200_000  # distinct word forms a tokenizer remembers before starting afresh


@lru_cache(maxsize=1)
def _news_stop_words() -> frozenset[str]:
    text = resources.files("framing").joinpath("stopwords_news.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def get_stop_words(kind: str | None = "news") -> frozenset[str]:
    """Stop words: ``"news"`` (scikit-learn's English list + news-reporting words),
    ``"english"`` (scikit-learn's list only) or ``None`` (none)."""
    if kind is None:
        return frozenset()
    if kind == "english":
        return frozenset(ENGLISH_STOP_WORDS)
    if kind == "news":
        return frozenset(ENGLISH_STOP_WORDS) | _news_stop_words()
    raise ParameterError(f"stop_words={kind!r}: use 'news', 'english' or None.")


class Tokenizer:
    """A picklable tokenizer: lowercases, drops possessive ``'s``, stop words (but not
    all-capital acronyms such as "US" or "UN") and short tokens, and optionally stems.

    Parameters
    ----------
    stem : bool
        Reduce words to Snowball stems ("strikes", "striking" -> "strike").
    stop_words : {"news", "english", None} or iterable of str
        Words to drop (matched before stemming).
    min_length : int
        Shortest token kept.

    Examples
    --------
    >>> Tokenizer()("Syria's army denied the U.S. claims on Tuesday, US officials told us.")
    ['syria', 'army', 'denied', 'us', 'claims', 'tuesday', 'us', 'officials']
    >>> Tokenizer(stem=True, stop_words=None)("Strikes were striking")
    ['strike', 'were', 'strike']
    """

    def __init__(self, *, stem: bool = False, stop_words: str | Iterable[str] | None = "news",
                 min_length: int = 2):
        self.stem = stem
        self.stop_words = stop_words
        self.min_length = min_length
        self._stops = (get_stop_words(stop_words)
                       if stop_words is None or isinstance(stop_words, str)
                       else frozenset(w.lower() for w in stop_words))
        self._stemmer = SnowballStemmer("english") if stem else None
        self._known: dict[str, str | None] = {}

    def __call__(self, text: str) -> list[str]:
        text = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", "") + " ", text)
        # A word's token depends on the word alone: each distinct form is worked out once (news
        # vocabularies are small next to their token counts; stemming is the costly part).
        tokens, known = [], self._known
        for word in WORD_PATTERN.findall(text):
            token = known.get(word, _UNSEEN)
            if token is _UNSEEN:
                if len(known) >= _KNOWN_LIMIT:
                    known.clear()
                token = known[word] = self._token(word)
            if token is not None:
                tokens.append(token)
        return tokens

    def _token(self, word: str) -> str | None:
        """The token of one word, or None when it is dropped."""
        word = _POSSESSIVE.sub("", word)
        # All-capital acronyms ("US", "UN") are names, not the stop words "us" and "un".
        acronym = word.isupper() and len(word) > 1
        word = word.lower()
        if len(word) < self.min_length or (word in self._stops and not acronym):
            return None
        return self._stemmer.stem(word) if self._stemmer else word

    def __getstate__(self):
        return {"stem": self.stem, "stop_words": self.stop_words, "min_length": self.min_length}

    def __setstate__(self, state):
        self.__init__(**state)

    def __repr__(self) -> str:
        return (f"Tokenizer(stem={self.stem}, stop_words={self.stop_words!r}, "
                f"min_length={self.min_length})")


def tokenize(text: str, **options) -> list[str]:
    """Tokenise one text with :class:`Tokenizer` (``options`` are its parameters)."""
    return Tokenizer(**options)(text)


def make_vectorizer(kind: str = "tfidf", *, stem: bool = False,
                    stop_words: str | Iterable[str] | None = "news", min_length: int = 2,
                    **options) -> CountVectorizer | TfidfVectorizer:
    """A scikit-learn vectorizer using the package's :class:`Tokenizer`.

    Parameters
    ----------
    kind : {"tfidf", "count"}
        :class:`~sklearn.feature_extraction.text.TfidfVectorizer` or
        :class:`~sklearn.feature_extraction.text.CountVectorizer`.
    stem, stop_words, min_length
        Passed to :class:`Tokenizer`.
    **options
        Passed to the vectorizer (``ngram_range``, ``min_df``, ``max_df``, ``max_features``,
        ``sublinear_tf``, ``dtype`` ...).

    Examples
    --------
    >>> vec = make_vectorizer("count", min_df=1)
    >>> vec.fit_transform(["Missile strike on Shayrat", "Strike condemned"]).sum()
    np.int64(5)
    """
    classes = {"tfidf": TfidfVectorizer, "count": CountVectorizer}
    if kind not in classes:
        raise ParameterError(f"kind={kind!r}: use 'tfidf' or 'count'.")
    for fixed in ("tokenizer", "preprocessor", "token_pattern", "lowercase", "analyzer"):
        if fixed in options:
            raise ParameterError(f"make_vectorizer sets {fixed!r} itself; use Tokenizer "
                                 "options (stem, stop_words, min_length) instead.")
    return classes[kind](tokenizer=Tokenizer(stem=stem, stop_words=stop_words,
                                             min_length=min_length),
                         lowercase=False, token_pattern=None, **options)
