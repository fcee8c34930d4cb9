"""A sentence classifier for what codebook rules alone cannot decide (blame, stance).

:class:`SentenceModel` is a scikit-learn estimator: TF-IDF over Snowball stems (1-2 grams, from
:func:`framing.text.make_vectorizer`) joined with the hit counts of named codebook cue lists (the
rules become features), then a class-balanced logistic regression. It is trained on hand-labelled
sentences and saved as plain JSON (vocabulary, idf, coefficients; no pickle), so a shipped model
cannot run code when loaded and stays readable across library versions.

Hand labels refer to sentences as ``(doc_id, sentence)`` with the sentence numbering of
:func:`framing.frames.parse_document` (0 = title); :func:`resolve_sentences` re-reads them from a
documents table.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from ..errors import ParameterError, SchemaError
from ..schema import require_columns
from ..text import make_vectorizer
from .codebook import Rule, compile_cues

__all__ = ["SentenceModel", "resolve_sentences", "feature_counts", "frame_features",
           "fit_frame_model", "MODEL_PARAMS"]

#: The parameters of the models shipped with the codebooks (see ``fit_frame_model``).
MODEL_PARAMS = {"C": 4.0, "cue_scale": 1.0, "ngram_range": (1, 2), "min_df": 2,
                "class_weight": "balanced", "random_state": 0}

logger = logging.getLogger(__name__)

_FORMAT = "framing.SentenceModel"


def _compile_feature(name: str, spec) -> Rule:
    """A feature as a :class:`Rule`: a cue list (count of hits) or a proximity rule table."""
    where = f"SentenceModel feature {name!r}"
    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - {"match", "near", "unless", "window", "context"})
        if unknown or "match" not in spec:
            raise ParameterError(f"{where}: a rule feature needs 'match' and may have 'near', "
                                 f"'unless', 'window'; found {sorted(spec)}.")
        return Rule(name, compile_cues(list(spec["match"]), {}, where),
                    near=compile_cues(list(spec.get("near", [])), {}, where),
                    unless=compile_cues(list(spec.get("unless", [])), {}, where),
                    window=int(spec.get("window", 10)), context=int(spec.get("context", 0)))
    return Rule(name, compile_cues(list(spec), {}, where))


def _spec(rule: Rule):
    if rule.near or rule.unless:
        return {"match": [c.text for c in rule.match], "near": [c.text for c in rule.near],
                "unless": [c.text for c in rule.unless], "window": rule.window,
                "context": rule.context}
    return [c.text for c in rule.match]


def frame_features(frame) -> dict:
    """The rule features a codebook frame gives its :class:`SentenceModel`: each side's cues
    (``side:<name>``), the ``doubt`` cues and the frame's ``features`` (lists expanded), in the
    JSON-ready form of the ``cues`` parameter.

    Examples
    --------
    >>> from framing.frames import load_codebook
    >>> sorted(frame_features(load_codebook("syria-2017").frames["blame"]))[:3]
    ['doubt', 'government_blamed', 'government_denies']
    """
    specs = {f"side:{side}": [c.text for c in cues]
             for side, cues in frame.options.get("sides", {}).items()}
    if frame.options.get("doubt"):
        specs["doubt"] = [c.text for c in frame.options["doubt"]]
    for rule in frame.options.get("features", ()):
        specs[rule.name] = _spec(rule)
    return specs


def feature_counts(text: str, features: Sequence[Rule]) -> list[int]:
    """For each feature: how many of its cues occur in ``text`` (a rule without ``near``), or
    whether the proximity rule fires (1/0).

    Examples
    --------
    >>> rule = _compile_feature("staged", ["staged", "false flag"])
    >>> feature_counts("A staged false flag", [rule])
    [2]
    """
    from .matching import match_rule, parse_document

    doc = parse_document(text, "")  # the whole text is sentence 0: no splitting
    out = []
    for rule in features:
        if not doc.mentions(rule.first_keys):  # most features, most sentences
            out.append(0)
        elif rule.near or rule.unless:
            out.append(len(match_rule(doc, rule)))
        else:
            out.append(sum(len(doc.find(cue)) for cue in rule.match if doc.may_find(cue)))
    return out


class SentenceModel(ClassifierMixin, BaseEstimator):
    """Classify sentences from stems and codebook cue counts.

    Parameters
    ----------
    cues : dict, optional
        Named rule features: a list of cues (codebook cue syntax; the feature counts their hits
        in the sentence) or a proximity rule ``{"match": [...], "near": [...], "window": n}``
        (the feature is 1 when it fires). Features are capped at 3 and multiplied by
        ``cue_scale``.
    cue_scale : float
        Weight of the cue features relative to the TF-IDF features (which have unit norm).
    ngram_range : tuple of int
        Word n-grams of the TF-IDF features.
    min_df : int
        Minimum number of training sentences a term must occur in.
    C : float
        Inverse regularisation strength of the logistic regression.
    class_weight : "balanced" or None
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    random_state : int, optional
        Seed of the solver.

    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit``.
    vectorizer_ : TfidfVectorizer
    classifier_ : LogisticRegression

    Examples
    --------
    >>> model = SentenceModel(cues={"staged": ["staged", "false flag"]}, min_df=1,
    ...                       random_state=0)
    >>> X = ["Assad's jets dropped sarin", "The attack was staged", "Regime forces gassed them",
    ...      "It was a false flag"]
    >>> model.fit(X, ["government", "staged", "government", "staged"]).predict(
    ...     ["They say it was staged"]).tolist()
    ['staged']
    """

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None, *, cue_scale: float = 1.0,
                 ngram_range: tuple[int, int] = (1, 2), min_df: int = 2, C: float = 4.0,
                 class_weight: str | None = "balanced", random_state: int | None = None):
        self.cues = cues
        self.cue_scale = cue_scale
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    # -------------------------------------------------------------- features
    def _compiled(self) -> list[Rule]:
        return [_compile_feature(name, spec) for name, spec in (self.cues or {}).items()]

    def _cue_matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        compiled = self._compiled()
        if not compiled:
            return sparse.csr_matrix((len(texts), 0))
        rows = [[min(n, 3) for n in feature_counts(text, compiled)] for text in texts]
        return sparse.csr_matrix(np.asarray(rows, dtype=float) * self.cue_scale)

    def _features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.vectorizer_.transform(texts), self._cue_matrix(texts)],
                             format="csr")

    @staticmethod
    def _texts(X) -> list[str]:
        if isinstance(X, str):
            raise ParameterError("X must be a sequence of sentences, not one string.")
        if isinstance(X, pd.DataFrame):
            require_columns(X, ["text"], table="sentences")
            X = X["text"]
        return ["" if t is None else str(t) for t in X]

    # -------------------------------------------------------------- estimator API
    def fit(self, X, y):
        """Fit on sentences ``X`` (strings, or a DataFrame with ``text``) and labels ``y``."""
        texts = self._texts(X)
        y = np.asarray(list(y), dtype=object)
        if len(texts) != len(y):
            raise ParameterError(f"X has {len(texts)} sentences but y has {len(y)} labels.")
        if len(set(y)) < 2:
            raise ParameterError(f"need at least two labels to fit, found {sorted(set(y))}.")
        if self.cue_scale < 0:
            raise ParameterError(f"cue_scale={self.cue_scale}: expected a number >= 0.")
        self._compiled()  # validates the cue lists
        self.vectorizer_ = make_vectorizer("tfidf", stem=True, stop_words=None, min_length=1,
                                           ngram_range=tuple(self.ngram_range),
                                           min_df=self.min_df, sublinear_tf=True)
        self.vectorizer_.fit(texts)
        self.classifier_ = LogisticRegression(C=self.C, class_weight=self.class_weight,
                                              max_iter=5000, random_state=self.random_state)
        self.classifier_.fit(self._features(texts), y)
        self.classes_ = self.classifier_.classes_
        logger.info("SentenceModel fitted on %d sentences, %d labels, %d terms", len(texts),
                    len(self.classes_), len(self.vectorizer_.vocabulary_))
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`."""
        check_is_fitted(self, "classifier_")
        texts = self._texts(X)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self.classifier_.predict_proba(self._features(texts))

    def predict(self, X) -> np.ndarray:
        """The most probable label of each sentence."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_proba_dicts(self, X) -> list[dict[str, float]]:
        """Class probabilities as one ``{label: probability}`` dict per sentence."""
        proba = self.predict_proba(X)
        return [dict(zip(self.classes_.tolist(), row.tolist(), strict=True)) for row in proba]

    # -------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        """The fitted model as JSON-serialisable data."""
        check_is_fitted(self, "classifier_")
        params = self.get_params()
        params["ngram_range"] = list(params["ngram_range"])
        params["cues"] = {k: (dict(v) if isinstance(v, Mapping) else list(v))
                          for k, v in (params["cues"] or {}).items()}
        vocabulary = sorted(self.vectorizer_.vocabulary_.items(), key=lambda kv: kv[1])
        return {"format": _FORMAT, "version": 1, "params": params,
                "classes": self.classes_.tolist(), "terms": [t for t, _ in vocabulary],
                "idf": [round(float(v), 5) for v in self.vectorizer_.idf_],
                "coef": [[round(float(v), 5) for v in row] for row in self.classifier_.coef_],
                "intercept": [round(float(v), 5) for v in self.classifier_.intercept_]}

    def save(self, path: str | os.PathLike) -> None:
        """Write the fitted model to a JSON file."""
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, ensure_ascii=False, separators=(",", ":"))
            fh.write("\n")

    @classmethod
    def from_dict(cls, data: Mapping) -> SentenceModel:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if data.get("format") != _FORMAT:
            raise SchemaError(f"not a SentenceModel file: format {data.get('format')!r}, "
                              f"expected {_FORMAT!r}.")
        params = dict(data["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        model = cls(**params)
        terms = data["terms"]
        model.vectorizer_ = make_vectorizer(
            "tfidf", stem=True, stop_words=None, min_length=1, ngram_range=params["ngram_range"],
            sublinear_tf=True, vocabulary={t: i for i, t in enumerate(terms)})
        model.vectorizer_.fit([" ".join(terms[:1]) or "x"])  # sets up the fixed vocabulary
        model.vectorizer_.idf_ = np.asarray(data["idf"], dtype=float)
        clf = LogisticRegression(C=params["C"], class_weight=params["class_weight"],
                                 random_state=params["random_state"])
        clf.classes_ = np.asarray(data["classes"], dtype=object)
        clf.coef_ = np.asarray(data["coef"], dtype=float)
        clf.intercept_ = np.asarray(data["intercept"], dtype=float)
        clf.n_features_in_ = clf.coef_.shape[1]
        model.classifier_ = clf
        model.classes_ = clf.classes_
        return model

    @classmethod
    def load(cls, path: str | os.PathLike) -> SentenceModel:
        """Read a model written by :meth:`save`."""
        with open(path, encoding="utf-8") as fh:
            try:
                data = json.load(fh)
            except json.JSONDecodeError as exc:
                raise SchemaError(f"{path}: not a JSON SentenceModel file: {exc}") from exc
        return cls.from_dict(data)


def resolve_sentences(labels: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Attach sentence text to hand labels that refer to sentences by ``(doc_id, sentence)``.

    Parameters
    ----------
    labels : DataFrame
        With ``doc_id`` and ``sentence`` (index as numbered by
        :func:`framing.frames.parse_document`: 0 is the title) and any label columns. An optional
        ``check`` column holds the first 8 hex digits of the SHA-1 of the sentence text; a
        mismatch (the text or the sentence splitter changed) raises :class:`SchemaError`.
    documents : DataFrame
        The documents table (``doc_id``, ``title``, ``text``).

    Returns
    -------
    DataFrame
        ``labels`` with a ``text`` column.
    """
    import hashlib

    from .matching import parse_document

    require_columns(labels, ["doc_id", "sentence"], table="sentence labels")
    require_columns(documents, ["doc_id", "text"], table="documents")
    docs = documents.set_index("doc_id")
    parsed: dict[str, list[str]] = {}
    texts = []
    for row in labels.itertuples(index=False):
        if row.doc_id not in parsed:
            if row.doc_id not in docs.index:
                raise SchemaError(f"labelled document {row.doc_id!r} is not in the documents "
                                  "table; load the corpora it comes from.")
            doc = docs.loc[row.doc_id]
            title = doc["title"] if "title" in docs.columns else ""
            parsed[row.doc_id] = [s.text for s in parse_document(title, doc["text"]).sentences]
        sentences = parsed[row.doc_id]
        index = int(row.sentence)
        if not 0 <= index < len(sentences):
            raise SchemaError(f"{row.doc_id}: sentence {index} does not exist "
                              f"({len(sentences)} sentences).")
        text = sentences[index]
        check = getattr(row, "check", "")
        if check and hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] != check:
            raise SchemaError(f"{row.doc_id}: sentence {index} is not the sentence that was "
                              "labelled (checksum differs); the text or the sentence splitter "
                              "changed, so the labels must be re-checked.")
        texts.append(text)
    return labels.assign(text=texts)


def fit_frame_model(frame, sentences: pd.DataFrame, **params) -> SentenceModel:
    """Fit the :class:`SentenceModel` of a codebook frame on labelled sentences.

    Parameters
    ----------
    frame : Frame
        A ``balance`` or ``stance`` frame; its sides, doubt cues and ``features`` become the
        model's rule features (:func:`frame_features`).
    sentences : DataFrame
        ``text`` and ``label`` columns (e.g. from :func:`resolve_sentences`).
    **params
        Override :data:`MODEL_PARAMS`.

    Examples
    --------
    >>> from framing.frames import load_codebook
    >>> frame = load_codebook("syria-2017").frames["blame"]
    >>> data = pd.DataFrame({"text": ["Assad's forces gassed the town.", "The attack was staged.",
    ...                               "The regime dropped sarin.", "Rebels staged a provocation."],
    ...                      "label": ["government", "opposition_or_staged"] * 2})
    >>> fit_frame_model(frame, data, min_df=1).predict(["It was staged by rebels"]).tolist()
    ['opposition_or_staged']
    """
    require_columns(sentences, ["text", "label"], table="labelled sentences")
    model = SentenceModel(cues=frame_features(frame), **{**MODEL_PARAMS, **params})
    return model.fit(sentences["text"], sentences["label"])
