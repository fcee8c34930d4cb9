"""framing: how do different news outlets frame the same events?

Load multi-outlet news corpora with every row accounted for, then measure and compare framing.

>>> import framing
>>> corpus = framing.load_corpus(["allsides-abp", "fa-kes"])  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.metadata
import logging
import platform
import sys

from .compare import compare_shares
from .corpus import Corpus, load_corpus
from .datasets import get_data_home, list_cards, load_card
from .divergence import compare_distributions
from .errors import (
    DataNotFoundError,
    DataQualityWarning,
    FramingError,
    FramingWarning,
    ParseError,
    SchemaError,
)
from .events import assign_events, discover_events, load_events
from .frames import (
    FrameClassifier,
    code_documents,
    estimate_prevalence,
    evaluate_frames,
    list_codebooks,
    load_classifier,
    load_codebook,
    load_labelled,
    reliability,
    sample_for_coding,
)
from .groups import assign_groups, load_groupings
from .io import read_documents
from .pipeline import run_study
from .report import build_report
from .results import ComparisonResult
from .study import StudyConfig, list_studies, load_study
from .timeline import coverage_over_time
from .tone import actor_tone, compare_tone
from .topics import TopicModel, select_k, topic_prevalence
from .words import distinguishing_words, keyness

try:
    __version__ = importlib.metadata.version("framing")
except importlib.metadata.PackageNotFoundError:  # running from a checkout without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "__version__",
    "show_versions",
    "Corpus",
    "load_corpus",
    "read_documents",
    "StudyConfig",
    "list_studies",
    "load_study",
    "run_study",
    "build_report",
    "assign_groups",
    "load_groupings",
    "load_events",
    "assign_events",
    "discover_events",
    "load_codebook",
    "list_codebooks",
    "code_documents",
    "sample_for_coding",
    "reliability",
    "estimate_prevalence",
    "FrameClassifier",
    "load_classifier",
    "evaluate_frames",
    "load_labelled",
    "TopicModel",
    "select_k",
    "topic_prevalence",
    "compare_shares",
    "compare_distributions",
    "distinguishing_words",
    "keyness",
    "actor_tone",
    "compare_tone",
    "coverage_over_time",
    "ComparisonResult",
    "get_data_home",
    "list_cards",
    "load_card",
    "FramingError",
    "SchemaError",
    "ParseError",
    "DataNotFoundError",
    "FramingWarning",
    "DataQualityWarning",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())

_DEPENDENCIES = ("numpy", "pandas", "pyarrow", "scikit-learn", "scipy", "statsmodels",
                 "networkx", "nltk", "seaborn", "matplotlib", "vaderSentiment", "ftfy",
                 "datasketch", "tqdm", "tabulate", "jinja2", "PyYAML", "skops", "krippendorff")


def versions() -> dict[str, str]:
    """Versions of Python, the platform, framing and its dependencies (for manifests)."""
    info = {"python": sys.version.split()[0], "platform": platform.platform(),
            "framing": __version__}
    for name in _DEPENDENCIES:
        try:
            info[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            info[name] = "not installed"
    return info


def show_versions() -> None:
    """Write :func:`versions` to standard output, one ``name: version`` per line."""
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in versions().items()))
