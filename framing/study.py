"""Study configurations: one TOML file says what a report measures and compares.

A study config names the corpora and the date window, the events, the outlet grouping, the
measures (topics, codebooks, classifier) and their parameters, the comparisons, the figures and
the seed. The shipped studies live in ``framing/studies/`` (see :func:`list_studies`); a
researcher's own file works the same way (``framing report my-study.toml``). Every key has a
default (:data:`DEFAULTS`), so a config only states what differs; an unknown key or a value of
the wrong type is an error that names the file and the key, never silently ignored.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["DEFAULTS", "StudyConfig", "list_studies", "load_study"]

DEFAULT_STUDY = "khan-shaykhun-2017"

#: Every section and key a study config may hold, with its default value. Paths are relative
#: to the config file; an empty string means "the shipped default".
DEFAULTS: dict[str, dict[str, Any]] = {
    "study": {"name": "", "title": "", "description": "", "seed": 0},
    "corpus": {
        "corpora": [],            # card names or file paths
        "start": "",              # first day kept (ISO date), "" = no limit
        "end": "",                # last day kept
        # Flags whose documents are left out of the study. Wire copies stay (an outlet that
        # runs an agency story chose to publish it); so do renamed duplicate ids, which are
        # distinct rows unless also flagged as duplicates.
        "drop_flagged": ["exact_duplicate", "near_duplicate"],
    },
    "events": {
        "ids": [],                # events of framing/corpora/_events.toml (or `definitions`)
        "definitions": "",        # TOML file of event definitions
    },
    "groups": {
        "grouping": "flagship",   # a grouping of corpora/_outlet_groups.toml (or `definitions`)
        "definitions": "",
        "reference": "",          # group the others are compared with ("" = all pairs)
        "min_docs": 3,            # groups with fewer event documents are left out of tests
    },
    "topics": {
        "enabled": True,
        # Documents the model is fitted on: "window" (every document of the study window) or
        # "events" (the documents assigned to a study event, grouped or not).
        "scope": "window",
        "method": "nmf",
        "k": 10,
        "select_k": [],           # candidate K for the model-selection diagnostics
        "select_seeds": [0, 1, 2],
        "n_terms": 10,
        "min_df": 3,
        "max_df": 0.5,
        "backbone_alpha": 0.0,    # disparity-filter alpha of the topic network (0 = no filter)
        "resolution": 1.0,        # Louvain resolution of the inductive frames
    },
    "frames": {
        "codebooks": ["syria-2017", "generic", "policy"],
        "evidence_per_frame": 3,  # example evidence sentences per frame in the report
    },
    "classifier": {
        "enabled": False,
        "training": "semeval2023-en",  # labelled corpus (framing.frames.labelled) or CSV path
        # FrameClassifier feature blocks: "word", "char", "embeddings". Character n-grams cost
        # about 7x the fit time for +0.003 out-of-fold micro-F1 on SemEval English.
        "features": ["word"],
        "C": 10.0,                # inverse regularisation of FrameClassifier
        "validation": "",         # human codes of study documents (CSV: doc_id + frame columns)
        "min_coded": 10,          # coded positives and negatives a frame needs for correction
    },
    "compare": {"correction": "holm", "confidence": 0.95, "n_resamples": 2000,
                "n_permutations": 1000},
    # Words are thousands of tests: false discovery rate control, not family-wise error.
    "words": {"enabled": True, "n_words": 12, "min_df": 3, "correction": "fdr_bh"},
    "tone": {"enabled": True, "actors": [], "min_docs": 2},
    "timeline": {"before": 3, "after": 14},
    "figures": {"formats": ["png", "svg"], "dpi": 200, "palette": "colorblind", "width": 6.5},
}

REQUIRED = (("study", "name"), ("corpus", "corpora"), ("events", "ids"))


@dataclass(frozen=True)
class StudyConfig:
    """A validated study config (every default filled in).

    Attributes
    ----------
    sections : dict
        ``{section: {key: value}}`` for every section of :data:`DEFAULTS`.
    source : str
        Where the config came from (a file path or ``"<dict>"``).
    base : pathlib.Path or None
        Folder that relative paths in the config are resolved against.
    text : str
        The config file's text as read (kept in the manifest).
    """

    sections: dict[str, dict[str, Any]]
    source: str = "<dict>"
    base: Path | None = None
    text: str = ""

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    @property
    def name(self) -> str:
        return self.sections["study"]["name"]

    @property
    def seed(self) -> int:
        return self.sections["study"]["seed"]

    def path(self, section: str, key: str) -> Path | None:
        """A path option resolved against the config's folder (``None`` when empty)."""
        value = self.sections[section][key]
        if not value:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() or self.base is None else self.base / path

    def corpus_sources(self) -> list[str]:
        """``corpus.corpora`` with file paths resolved against the config's folder (names of
        corpus cards pass through unchanged)."""
        out = []
        for source in self.sections["corpus"]["corpora"]:
            path = Path(source).expanduser()
            is_file = bool(path.suffix) or len(path.parts) > 1
            if is_file and not path.is_absolute() and self.base is not None:
                path = self.base / path
            out.append(str(path) if is_file else source)
        return out

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """A deep copy of the settings, for the manifest and for :meth:`from_dict`."""
        return copy.deepcopy(self.sections)

    def replace(self, **changes: dict[str, Any]) -> StudyConfig:
        """A new config with some keys changed: ``config.replace(topics={"k": 8})``."""
        sections = self.to_dict()
        for section, values in changes.items():
            sections.setdefault(section, {}).update(values)
        return StudyConfig.from_dict(sections, source=self.source, base=self.base,
                                     text=self.text)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>",
                  base: Path | None = None, text: str = "") -> StudyConfig:
        """Validate a nested mapping against :data:`DEFAULTS` and fill in the defaults."""
        sections = copy.deepcopy(DEFAULTS)
        for section, values in data.items():
            if section not in DEFAULTS:
                raise ConfigError(f"{source}: unknown section [{section}]; expected one of "
                                  f"{sorted(DEFAULTS)}.")
            if not isinstance(values, dict):
                raise ConfigError(f"{source}: [{section}] must be a table of keys.")
            for key, value in values.items():
                if key not in DEFAULTS[section]:
                    raise ConfigError(f"{source}: unknown key {section}.{key}; expected one of "
                                      f"{sorted(DEFAULTS[section])}.")
                sections[section][key] = _checked(value, DEFAULTS[section][key],
                                                  f"{source}: {section}.{key}")
        for section, key in REQUIRED:
            if not sections[section][key]:
                raise ConfigError(f"{source}: {section}.{key} is required and empty.")
        if sections["topics"]["scope"] not in ("window", "events"):
            raise ConfigError(f"{source}: topics.scope must be 'window' or 'events'; found "
                              f"{sections['topics']['scope']!r}.")
        figures = sections["figures"]
        bad = set(figures["formats"]) - {"png", "svg", "pdf"}
        if bad or "png" not in figures["formats"]:
            raise ConfigError(f"{source}: figures.formats must include 'png' (the HTML report "
                              f"embeds it) and hold only png/svg/pdf; found {figures['formats']}.")
        return cls(sections=sections, source=source, base=base, text=text)


def _checked(value: Any, default: Any, where: str) -> Any:
    """Check a config value against its default's type (ints are accepted for floats)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, list):
        ok = isinstance(value, list)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"{where} = {value!r}: expected a {type(default).__name__} like "
                          f"{default!r}.")
    return value


def study_directory() -> Any:
    """The folder of shipped study configs (works after ``pip install .``)."""
    return resources.files("framing") / "studies"


def list_studies() -> list[str]:
    """Names of the shipped study configs."""
    return sorted(p.name.removesuffix(".toml") for p in study_directory().iterdir()
                  if p.name.endswith(".toml"))


def load_study(study: str | os.PathLike | StudyConfig | None = None) -> StudyConfig:
    """Read a study config by shipped name or file path (default: the flagship study).

    Examples
    --------
    >>> config = load_study("khan-shaykhun-2017")
    >>> config["events"]["ids"]
    ['khan-shaykhun-2017', 'shayrat-strike-2017']
    >>> config.replace(topics={"k": 8})["topics"]["k"]
    8
    """
    if isinstance(study, StudyConfig):
        return study
    study = DEFAULT_STUDY if study is None else study
    shipped = study_directory() / f"{study}.toml"
    if isinstance(study, str) and not study.endswith(".toml") and shipped.is_file():
        # Relative paths of a shipped study point at files shipped beside it.
        text, source = shipped.read_text(encoding="utf-8"), f"study {study}"
        base = Path(str(study_directory()))
    else:
        path = Path(study)
        if not path.is_file():
            raise ConfigError(f"no study config {str(study)!r}: not a shipped study "
                              f"({', '.join(list_studies())}) nor an existing TOML file.")
        text, source, base = path.read_text(encoding="utf-8"), str(path), path.parent
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}).") from exc
    return StudyConfig.from_dict(data, source=source, base=base, text=text)
