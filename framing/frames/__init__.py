"""Frames: deductive codebooks applied sentence by sentence, with evidence.

Modules
-------
codebook
    The codebook data model and the TOML loader (shipped codebooks live in ``framing/codebooks``).
matching
    The sentence-level matching engine and :func:`code_documents` (the doc_frames table).
attribution
    Quotation and speaker detection ("X said", quoted speech, "according to X").
sentence_model
    :class:`SentenceModel`, the scikit-learn estimator that decides what rules alone cannot.
validation
    Precision/recall/F1, confusion tables and disagreement listings against human codes.
topic_network
    Inductive frames from topic networks (imported from its own module).
annotation
    Stratified samples for hand coding, coding sheets, reading codes and adjudication.
reliability
    Agreement between coders: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.
prevalence
    Frame shares corrected for classifier error (Rogan-Gladen, prediction-powered inference).
classifier
    :class:`FrameClassifier`, the supervised multi-label frame classifier (skops persistence).
evaluation
    Precision/recall/F1 with bootstrap intervals, confusion between frames, accuracy by group.
labelled
    Loaders of human-labelled framing corpora (SemEval-2023, GVFC, Narrative Frames, CSV).
"""

from __future__ import annotations

from .annotation import (
    AdjudicationResult,
    adjudicate,
    allocate_sample,
    coding_sheet,
    read_codes,
    sample_for_coding,
    write_coding_sheet,
)
from .classifier import FrameClassifier, UntrustedModelError, load_classifier
from .codebook import Codebook, CodebookError, Frame, Rule, list_codebooks, load_codebook
from .evaluation import FrameEvaluation, cross_val_predict_frames, evaluate_frames
from .labelled import LabelledCorpus, list_labelled, load_labelled, read_labels
from .matching import CodingResult, code_documents, parse_document
from .prevalence import (
    CorrectedPrevalence,
    error_rates,
    estimate_prevalence,
    ppi_mean,
    rogan_gladen,
)
from .reliability import ReliabilityResult, reliability
from .validation import ValidationResult, validate_codes

__all__ = [
    "Codebook",
    "CodebookError",
    "Frame",
    "Rule",
    "list_codebooks",
    "load_codebook",
    "code_documents",
    "parse_document",
    "CodingResult",
    "validate_codes",
    "ValidationResult",
    "sample_for_coding",
    "allocate_sample",
    "coding_sheet",
    "write_coding_sheet",
    "read_codes",
    "adjudicate",
    "AdjudicationResult",
    "reliability",
    "ReliabilityResult",
    "estimate_prevalence",
    "error_rates",
    "CorrectedPrevalence",
    "rogan_gladen",
    "ppi_mean",
    "FrameClassifier",
    "load_classifier",
    "UntrustedModelError",
    "evaluate_frames",
    "cross_val_predict_frames",
    "FrameEvaluation",
    "LabelledCorpus",
    "load_labelled",
    "read_labels",
    "list_labelled",
]
