"""Codebooks as data: the data model and the TOML loader.

A codebook is a TOML file. Shipped codebooks live in ``framing/codebooks/`` and are loaded by name
(``load_codebook("generic")``); any other file is loaded by path, so a researcher adds a codebook
without touching code. Every problem found while loading raises :class:`CodebookError` naming the
file, the frame and the field.

File layout
-----------
::

    name = "my-codebook"              # defaults to the file name
    title = "..."                      # one line
    description = "..."                # what the codebook measures, in the author's words
    citation = "..."                   # where its definitions come from
    version = "1"

    [lists]                            # named cue lists, used in any cue list as "@name"
    negation = ["not", "never", "*n't"]

    [frames.conflict]                  # one table per frame (variable); order is kept
    type = "presence"                  # presence | voice | stance | balance | primary | relevance
    description = "..."
    aliases = ["f_conflict"]           # column names of this variable in human-coded files
    cues = ["clash", "accuse", "war of words"]     # shorthand: one rule per cue
    [[frames.conflict.rules]]          # proximity rules
    match = ["Iraq"]
    near = ["2003", "WMD", "invasion"]
    window = 10                        # tokens between a match and a near cue
    unless = ["ISIS"]                  # any of these within the window cancels the match
    weight = 0.9
    context = 0                        # > 0: a near cue in the neighbouring sentences also counts

Cue syntax
----------
``word``
    any word with the same Snowball stem ("accuse" matches "accused", "accusations").
``WMD``
    an all-capital cue matches that spelling only (dots removed: "U.S." is "US"; a plural "s"
    is allowed).
``criticis*`` / ``*n't``
    a prefix / suffix of the lowercased word.
``=may``
    exactly this lowercased word, not stemmed.
``weapons of mass destruction``
    several cues separated by spaces form a phrase (consecutive words).
``@negation``
    every cue of the named list.

The frame types are described in :data:`FRAME_TYPES`; :func:`framing.frames.code_documents`
applies a codebook to documents.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from nltk.stem.snowball import SnowballStemmer

from ..errors import CodebookError

__all__ = [
    "CodebookError",
    "TokenPattern",
    "Cue",
    "Rule",
    "Frame",
    "Codebook",
    "FRAME_TYPES",
    "compile_cues",
    "cue_keys",
    "word_keys",
    "stem",
    "list_codebooks",
    "load_codebook",
]

logger = logging.getLogger(__name__)


_STEMMER = SnowballStemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a lowercased word (cached): ``stem("accusations") == "accus"``."""
    return _STEMMER.stem(word)


# ----------------------------------------------------------------------------- cues


@dataclass(frozen=True)
class TokenPattern:
    """How one word of a cue is compared with one token: ``kind`` is ``stem``, ``case``
    (case-sensitive spelling), ``prefix``, ``suffix`` or ``exact`` (lowercased, unstemmed).

    For ``stem`` patterns, ``keys`` holds the stems of the cue word and of its regular
    inflections, since Snowball stems some forms apart ("add" -> "add" but "added" -> "ad")."""

    kind: str
    value: str
    keys: frozenset[str] = frozenset()

    def matches(self, token) -> bool:
        """Whether ``token`` (a :class:`framing.frames.matching.Token`) matches."""
        if self.kind == "stem":
            return not self.keys.isdisjoint(token.stems)
        if self.kind == "case":
            return token.surface == self.value or token.surface == self.value + "s"
        if self.kind == "prefix":
            return any(part.startswith(self.value) for part in token.parts)
        if self.kind == "suffix":
            return token.lower.endswith(self.value)
        return self.value in token.parts  # exact

    @cached_property
    def index_keys(self) -> frozenset[str] | None:
        """The pattern matches a word exactly when the word's :func:`word_keys` include one of
        these (``None`` for prefix and suffix patterns, which must test each word)."""
        if self.kind == "stem":
            return frozenset("s:" + k for k in self.keys)
        if self.kind == "case":
            return frozenset(("c:" + self.value, "c:" + self.value + "s"))
        if self.kind == "exact":
            return frozenset(("x:" + self.value,))
        return None


def cue_keys(cues: Iterable[Cue]) -> frozenset[str]:
    """The :attr:`TokenPattern.index_keys` of every word of ``cues``."""
    return frozenset().union(*(p.index_keys for cue in cues for p in cue.patterns
                               if p.index_keys is not None))


def word_keys(word) -> tuple[str, ...]:
    """The keys under which a word index files ``word`` (a
    :class:`~framing.frames.matching.Token`, or anything with its ``surface``, ``parts`` and
    ``stems``): one per way a stem, case or exact pattern can match it (see
    :attr:`TokenPattern.index_keys` and :meth:`TokenPattern.matches`).

    Examples
    --------
    >>> from framing.frames.matching import tokenize_sentence
    >>> word_keys(tokenize_sentence("al-Assad's")[0])
    ('s:al', 's:al-assad', 's:assad', 'c:al-Assad', 'x:al-assad', 'x:al', 'x:assad')
    """
    return tuple(dict.fromkeys([*("s:" + s for s in sorted(word.stems)), "c:" + word.surface,
                                *("x:" + p for p in word.parts)]))


@dataclass(frozen=True)
class Cue:
    """One cue as written (``text``) and compiled: a sequence of token patterns."""

    text: str
    patterns: tuple[TokenPattern, ...]

    def __len__(self) -> int:
        return len(self.patterns)


_CASE_CUE = re.compile(r"^[A-Z0-9][A-Z0-9]+$")
_WORD_CUE = re.compile(r"^[^\W_]+(?:['’\-][^\W_]+)*$")


def _compile_word(word: str, where: str) -> TokenPattern:
    if word.startswith("="):
        return TokenPattern("exact", word[1:].lower())
    if word.endswith("*") and len(word) > 1:
        return TokenPattern("prefix", word[:-1].lower())
    if word.startswith("*") and len(word) > 1:
        return TokenPattern("suffix", word[1:].lower().replace("’", "'"))
    core = word.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,}", word) else word
    if not _WORD_CUE.match(core):
        raise CodebookError(f"{where}: cue word {word!r} is not a word; use letters, digits, "
                            "apostrophes or hyphens, optionally with a leading '=' or a "
                            "leading/trailing '*'.")
    if _CASE_CUE.match(core) and not core.isdigit():
        return TokenPattern("case", core)
    if core.isdigit():
        return TokenPattern("exact", core)
    lower = core.lower().replace("’", "'")
    forms = (lower, lower + "s", lower + ("d" if lower.endswith("e") else "ed"), lower + "ing")
    return TokenPattern("stem", stem(lower), frozenset(stem(f) for f in forms))


def compile_cues(entries: Any, lists: Mapping[str, tuple[Cue, ...]], where: str) -> tuple[Cue, ...]:
    """Compile a list of cue strings (see the module docstring) into :class:`Cue` objects.

    Examples
    --------
    >>> [c.patterns[0].kind for c in compile_cues(["accuse", "WMD", "criticis*"], {}, "demo")]
    ['stem', 'case', 'prefix']
    """
    if isinstance(entries, str) or not isinstance(entries, list):
        raise CodebookError(f"{where}: expected a list of cue strings, found {entries!r}.")
    cues: list[Cue] = []
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            raise CodebookError(f"{where}: cue {entry!r} is not a non-empty string.")
        entry = entry.strip()
        if entry.startswith("@"):
            if entry[1:] not in lists:
                raise CodebookError(f"{where}: unknown list {entry!r}; the [lists] table defines "
                                    f"{sorted(lists) or 'none'}.")
            cues.extend(lists[entry[1:]])
            continue
        words = entry.split()
        cues.append(Cue(entry, tuple(_compile_word(w, f"{where}, cue {entry!r}") for w in words)))
    return tuple(cues)


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Rule:
    """A sentence matches a rule when a ``match`` cue occurs and, if ``near`` is given, a
    ``near`` cue occurs within ``window`` tokens of it (with ``context`` > 0: anywhere in its
    sentence or the ``context`` sentences before and after it), with no ``unless`` cue within
    ``window`` tokens of the match."""

    name: str
    match: tuple[Cue, ...]
    near: tuple[Cue, ...] = ()
    unless: tuple[Cue, ...] = ()
    window: int = 10
    weight: float = 1.0
    context: int = 0

    @cached_property
    def first_keys(self) -> frozenset[str] | None:
        """The :attr:`TokenPattern.index_keys` of the first word of every ``match`` cue: the
        rule cannot fire in a document whose words have none of them (``None`` when a first
        word is a prefix or suffix pattern)."""
        keys = [cue.patterns[0].index_keys for cue in self.match]
        return None if None in keys else frozenset().union(*keys)


@dataclass(frozen=True)
class Frame:
    """One variable of a codebook.

    Attributes
    ----------
    name : str
        The frame name used in the doc_frames table.
    type : str
        One of :data:`FRAME_TYPES`.
    labels : tuple of str
        The labels it can take.
    rules : tuple of Rule
        Sentence rules (presence frames, and the candidate sentences of balance frames).
    options : dict
        The remaining, type-specific fields, validated (cue lists compiled).
    """

    name: str
    type: str
    labels: tuple[str, ...]
    title: str = ""
    description: str = ""
    rules: tuple[Rule, ...] = ()
    aliases: tuple[str, ...] = ()
    label_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def rule_keys(self) -> tuple[frozenset[str], dict[str, tuple[int, ...]], tuple[int, ...]]:
        """Which :attr:`rules` can fire in a document, given the index keys its words have:
        ``(every key, key -> numbers of the rules whose first_keys include it, numbers of the
        rules without first_keys)`` (see :attr:`Rule.first_keys`)."""
        by_key: dict[str, list[int]] = {}
        always = []
        for i, rule in enumerate(self.rules):
            if rule.first_keys is None:
                always.append(i)
            for key in rule.first_keys or ():
                by_key.setdefault(key, []).append(i)
        return frozenset(by_key), {k: tuple(v) for k, v in by_key.items()}, tuple(always)

    def normalise_label(self, value) -> str | None:
        """Map a value from a human-coded file onto one of :attr:`labels` (``None`` if empty).

        Examples
        --------
        >>> frame = load_codebook("syria-2017").frames["iraq_2003_analogy"]
        >>> frame.normalise_label(1), frame.normalise_label("absent")
        ('present', 'absent')
        """
        if value is None or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip()
        if text.endswith(".0") and text[:-2].isdigit():
            text = text[:-2]
        if not text:
            return None
        for label in self.labels:
            if text.lower() == label.lower() or text.lower() in (
                    a.lower() for a in self.label_aliases.get(label, ())):
                return label
        return text


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: metadata, named cue lists and frames in file order."""

    name: str
    title: str
    description: str
    citation: str
    version: str
    frames: dict[str, Frame]
    lists: dict[str, tuple[Cue, ...]]
    path: str = ""

    def __repr__(self) -> str:
        return f"Codebook({self.name!r}, frames={list(self.frames)})"

    @cached_property
    def index_keys(self) -> frozenset[str]:
        """The :attr:`TokenPattern.index_keys` of every cue word of the codebook (lists, rules
        and the cue lists among frame options)."""
        cues = _cues_in([self.lists, *((f.rules, f.options) for f in self.frames.values())])
        return cue_keys(cues)

    def frame_for(self, column: str) -> Frame | None:
        """The frame a human-coding column refers to (by name or alias), or ``None``."""
        for frame in self.frames.values():
            if column == frame.name or column in frame.aliases:
                return frame
        return None


def _cues_in(value: Any) -> Iterator[Cue]:
    """Every :class:`Cue` in ``value``: a cue, a rule, or tables and sequences holding them."""
    if isinstance(value, Cue):
        yield value
    elif isinstance(value, Rule):
        yield from (*value.match, *value.near, *value.unless)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _cues_in(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _cues_in(item)


# Field specifications: name -> (accepted types, default). ``REQUIRED`` marks required fields.
REQUIRED = object()
_COMMON = {"type": (str, REQUIRED), "title": (str, ""), "description": (str, ""),
           "aliases": (list, []), "label_aliases": (dict, {})}
_POSITION = {"title_weight": ((int, float), 1.0), "lead_weight": ((int, float), 1.0),
             "lead_sentences": (int, 3), "max_evidence": (int, 5)}

#: Frame types, their fields (beyond ``type``, ``title``, ``description``, ``aliases``,
#: ``label_aliases``) and defaults. See each decider in :mod:`framing.frames.matching`.
FRAME_TYPES: dict[str, dict[str, tuple]] = {
    # present/absent from weighted sentence rules, aggregated over the article.
    "presence": {"cues": (list, []), "cue_weight": ((int, float), 0.5), "rules": (list, []),
                 "threshold": ((int, float), 0.5), "aggregate": (str, "noisy_or"),
                 "negated_weight": ((int, float), 1.0), "hedged_weight": ((int, float), 1.0),
                 "negation_window": (int, 3), **_POSITION},
    # who voices the evidence of presence frame ``of``: speaker categories in priority order.
    "voice": {"of": (str, REQUIRED), "actors": (list, REQUIRED),
              "unattributed": (str, REQUIRED), "unknown": (str, "other"),
              "none_label": (str, "none"), **_POSITION},
    # the article's stance toward the evidence of presence frame ``of``.
    "stance": {"of": (str, REQUIRED), "rebut": (list, REQUIRED), "rebut_window": (int, 8),
               "own_label": (str, "endorse"), "attributed_label": (str, "report"),
               "rebut_label": (str, "rebut"), "none_label": (str, "none"),
               "rebut_share": ((int, float), 0.34), **_POSITION},
    # which of several sides an article's candidate sentences support, or contested / none.
    # ``gate``: a relevance frame; where it is absent, fewer than ``gate_min_votes`` voting
    # sentences give none (a mention in passing in an article about something else).
    "balance": {"rules": (list, []), "cues": (list, []), "cue_weight": ((int, float), 1.0),
                "sides": (dict, REQUIRED), "doubt": (list, []), "features": (dict, {}),
                "doubt_weight": ((int, float), 1.0), "min_probability": ((int, float), 0.0),
                "model": (str, ""), "min_evidence": ((int, float), 1.0),
                "dominance": ((int, float), 0.6), "contested_label": (str, "contested"),
                "none_label": (str, "none"), "gate": (str, ""), "gate_min_votes": (int, 2),
                **_POSITION},
    # whether the article is substantially about a topic (e.g. an event): at least
    # ``min_sentences`` sentences name it, and they and their ``neighbours`` on each side make
    # up at least ``min_share`` of the article's sentences. ``events``: ids of the shipped
    # event definitions (corpora/_events.toml) whose phrases and entities are added to ``cues``.
    "relevance": {"cues": (list, []), "events": (list, []), "min_sentences": (int, 2),
                  "min_share": ((int, float), 0.2), "neighbours": (int, 1),
                  "max_evidence": (int, 5)},
    # the single presence frame of the codebook with the highest score.
    "primary": {"among": (list, []), "other_label": (str, "other"),
                "min_score": ((int, float), 0.0)},
}
_AGGREGATES = ("noisy_or", "max", "sum", "mean")
_RULE_FIELDS = {"name", "match", "near", "unless", "window", "weight", "context"}
_TOP_FIELDS = {"name", "title", "description", "citation", "version", "lists", "frames"}


def _check_fields(table: Mapping, spec: Mapping[str, tuple], where: str) -> dict[str, Any]:
    unknown = sorted(set(table) - set(spec))
    if unknown:
        raise CodebookError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(spec)}.")
    values = {}
    for name, (types, default) in spec.items():
        if name not in table:
            if default is REQUIRED:
                raise CodebookError(f"{where}: missing required field {name!r}.")
            values[name] = default
            continue
        value = table[name]
        if not isinstance(value, types) or (isinstance(value, bool) and types is not bool):
            expected = getattr(types, "__name__", None) or " or ".join(t.__name__ for t in types)
            raise CodebookError(f"{where}, field {name!r}: expected {expected}, "
                                f"found {type(value).__name__} {value!r}.")
        values[name] = value
    return values


def _parse_rule(table: Any, lists, where: str, index: int) -> Rule:
    here = f"{where}, rules[{index}]"
    if not isinstance(table, dict):
        raise CodebookError(f"{here}: expected a table with 'match', found {table!r}.")
    unknown = sorted(set(table) - _RULE_FIELDS)
    if unknown:
        raise CodebookError(f"{here}: unknown field(s) {unknown}; allowed: {sorted(_RULE_FIELDS)}.")
    if "match" not in table:
        raise CodebookError(f"{here}: missing required field 'match'.")
    window, weight = table.get("window", 10), table.get("weight", 1.0)
    context = table.get("context", 0)
    if not isinstance(context, int) or isinstance(context, bool) or context < 0:
        raise CodebookError(f"{here}, field 'context': expected an integer >= 0, "
                            f"found {context!r}.")
    if not isinstance(window, int) or isinstance(window, bool) or window < 1:
        raise CodebookError(f"{here}, field 'window': expected a positive integer, "
                            f"found {window!r}.")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 1:
        raise CodebookError(f"{here}, field 'weight': expected a number in (0, 1], "
                            f"found {weight!r}.")
    return Rule(name=str(table.get("name", f"rule{index}")),
                match=compile_cues(table["match"], lists, f"{here}, field 'match'"),
                near=compile_cues(table.get("near", []), lists, f"{here}, field 'near'"),
                unless=compile_cues(table.get("unless", []), lists, f"{here}, field 'unless'"),
                window=window, weight=float(weight), context=context)


def _rules(values: dict, lists, where: str) -> tuple[Rule, ...]:
    rules = [_parse_rule(r, lists, where, i) for i, r in enumerate(values.pop("rules"))]
    weight = values.pop("cue_weight")
    if not 0 < weight <= 1:
        raise CodebookError(f"{where}, field 'cue_weight': expected a number in (0, 1], "
                            f"found {weight!r}.")
    for cue in compile_cues(values.pop("cues"), lists, f"{where}, field 'cues'"):
        rules.append(Rule(name=cue.text, match=(cue,), weight=float(weight)))
    return tuple(rules)


def _actors(entries: Any, lists, where: str) -> tuple[tuple[str, tuple[Cue, ...]], ...]:
    """Actor categories in priority order, from ``[[frames.X.actors]]`` tables
    (``label`` + ``cues``; a label may appear more than once)."""
    if not isinstance(entries, list) or not entries:
        raise CodebookError(f"{where}, field 'actors': expected one or more "
                            "[[frames.NAME.actors]] tables with 'label' and 'cues'.")
    out = []
    for i, entry in enumerate(entries):
        here = f"{where}, actors[{i}]"
        if not isinstance(entry, dict) or set(entry) != {"label", "cues"}:
            raise CodebookError(f"{here}: expected exactly the fields 'label' and 'cues', "
                                f"found {sorted(entry) if isinstance(entry, dict) else entry!r}.")
        if not isinstance(entry["label"], str) or not entry["label"]:
            raise CodebookError(f"{here}, field 'label': expected a non-empty string.")
        out.append((entry["label"], compile_cues(entry["cues"], lists, f"{here}, field 'cues'")))
    return tuple(out)


def _feature(name: str, spec: Any, lists, where: str) -> Rule:
    """A named sentence feature of a model: a cue list, or a proximity rule table."""
    if isinstance(spec, dict):
        rule = _parse_rule({**spec, "name": name}, lists, where, 0)
        return Rule(name, rule.match, rule.near, rule.unless, rule.window, rule.weight,
                    rule.context)
    return Rule(name, compile_cues(spec, lists, where))


def _event_cues(ids: list, where: str) -> list[str]:
    """The phrases and entities of the shipped event definitions ``ids``."""
    if not ids:
        return []
    from ..events.definitions import load_events  # events are optional for most codebooks

    known = {event.id: event for event in load_events()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise CodebookError(f"{where}: unknown event id(s) {unknown}; the shipped definitions "
                            f"have {sorted(known)} (or list the phrases under 'cues').")
    return [cue for i in ids for cue in (*known[i].phrases, *known[i].entities)]


def _label_list(values: dict, *keys: str) -> list[str]:
    return [values[k] for k in keys]


def _parse_frame(name: str, table: Any, lists, where: str, model_dir: Path | None,
                 require_models: bool = True) -> Frame:
    here = f"{where}, frame {name!r}"
    if not isinstance(table, dict):
        raise CodebookError(f"{here}: expected a table, found {table!r}.")
    kind = table.get("type")
    if kind not in FRAME_TYPES:
        raise CodebookError(f"{here}, field 'type': expected one of {sorted(FRAME_TYPES)}, "
                            f"found {kind!r}.")
    values = _check_fields(table, {**_COMMON, **FRAME_TYPES[kind]}, here)
    common = {k: values.pop(k) for k in list(_COMMON)}
    common.pop("type")
    rules: tuple[Rule, ...] = ()
    if kind == "presence":
        rules = _rules(values, lists, here)
        if not rules:
            raise CodebookError(f"{here}: a presence frame needs 'cues' or 'rules'.")
        if values["aggregate"] not in _AGGREGATES:
            raise CodebookError(f"{here}, field 'aggregate': expected one of {_AGGREGATES}, "
                                f"found {values['aggregate']!r}.")
        labels = ["present", "absent"]
    elif kind == "voice":
        values["actors"] = _actors(values["actors"], lists, here)
        labels = list(dict.fromkeys([*(c for c, _ in values["actors"]), values["unattributed"],
                                     values["unknown"], values["none_label"]]))
    elif kind == "stance":
        values["rebut"] = compile_cues(values["rebut"], lists, f"{here}, field 'rebut'")
        labels = _label_list(values, "own_label", "attributed_label", "rebut_label",
                             "none_label")
    elif kind == "balance":
        rules = _rules(values, lists, here)
        if not values["sides"]:
            raise CodebookError(f"{here}, field 'sides': give at least one side.")
        values["sides"] = {side: compile_cues(cues, lists, f"{here}, field 'sides.{side}'")
                           for side, cues in values["sides"].items()}
        values["doubt"] = compile_cues(values["doubt"], lists, f"{here}, field 'doubt'")
        values["features"] = tuple(_feature(name, spec, lists, f"{here}, features.{name}")
                                   for name, spec in values["features"].items())
        labels = [*values["sides"], values["contested_label"], values["none_label"]]
    elif kind == "relevance":
        entries = [*values["cues"], *_event_cues(values["events"], f"{here}, field 'events'")]
        if not entries:
            raise CodebookError(f"{here}: a relevance frame needs 'cues' or 'events'.")
        for key in ("min_sentences", "neighbours"):
            if values[key] < 0:
                raise CodebookError(f"{here}, field {key!r}: expected a number >= 0.")
        rules = (Rule("names-the-topic", compile_cues(entries, lists, here)),)
        labels = ["present", "absent"]
    else:  # primary
        labels = []  # filled in once every frame is known
    if values.get("model"):
        if require_models and (model_dir is None or not (model_dir / values["model"]).is_file()):
            raise CodebookError(f"{here}, field 'model': file {values['model']!r} not found "
                                f"next to the codebook (in {model_dir}).")
        values["model"] = str((model_dir or Path(".")) / values["model"])
    for key in ("title_weight", "lead_weight"):
        if key in values and values[key] <= 0:
            raise CodebookError(f"{here}, field {key!r}: expected a positive number.")
    aliases = common.pop("label_aliases")
    label_aliases = {}
    for label, values_ in aliases.items():
        if label not in labels and kind != "primary":
            raise CodebookError(f"{here}, field 'label_aliases': {label!r} is not one of the "
                                f"frame's labels {labels}.")
        label_aliases[label] = tuple(str(v) for v in (
            values_ if isinstance(values_, list) else [values_]))
    return Frame(name=name, type=kind, labels=tuple(labels), rules=rules,
                 title=common["title"], description=common["description"],
                 aliases=tuple(str(a) for a in common["aliases"]),
                 label_aliases=label_aliases, options=values)


def _link_frames(frames: dict[str, Frame], where: str) -> dict[str, Frame]:
    presence = [n for n, f in frames.items() if f.type == "presence"]
    linked = {}
    for name, frame in frames.items():
        here = f"{where}, frame {name!r}"
        if frame.type in ("voice", "stance"):
            target = frame.options["of"]
            if target not in frames or frames[target].type != "presence":
                raise CodebookError(f"{here}, field 'of': {target!r} is not a presence frame of "
                                    f"this codebook (presence frames: {presence}).")
        if frame.type == "balance" and frame.options["gate"]:
            gate = frame.options["gate"]
            if gate not in frames or frames[gate].type != "relevance":
                relevance = [n for n, f in frames.items() if f.type == "relevance"]
                raise CodebookError(f"{here}, field 'gate': {gate!r} is not a relevance frame "
                                    f"of this codebook (relevance frames: {relevance}).")
        if frame.type == "primary":
            among = frame.options["among"] or presence
            bad = [a for a in among if a not in presence]
            if bad or not among:
                raise CodebookError(f"{here}, field 'among': {bad or among} are not presence "
                                    f"frames of this codebook (presence frames: {presence}).")
            options = {**frame.options, "among": list(among)}
            frame = Frame(name=frame.name, type=frame.type,
                          labels=(*among, frame.options["other_label"]), rules=frame.rules,
                          title=frame.title, description=frame.description,
                          aliases=frame.aliases, label_aliases=frame.label_aliases,
                          options=options)
        linked[name] = frame
    return linked


def parse_codebook(data: Mapping, *, source: str = "<codebook>",
                   model_dir: Path | None = None, default_name: str = "",
                   require_models: bool = True) -> Codebook:
    """Validate a codebook given as a parsed TOML mapping (see :func:`load_codebook`)."""
    unknown = sorted(set(data) - _TOP_FIELDS)
    if unknown:
        raise CodebookError(f"{source}: unknown top-level field(s) {unknown}; allowed: "
                            f"{sorted(_TOP_FIELDS)}.")
    for key in ("name", "title", "description", "citation", "version"):
        if key in data and not isinstance(data[key], str | int | float):
            raise CodebookError(f"{source}, field {key!r}: expected a string.")
    raw_lists = data.get("lists", {})
    if not isinstance(raw_lists, dict):
        raise CodebookError(f"{source}, field 'lists': expected a table of cue lists.")
    lists: dict[str, tuple[Cue, ...]] = {}
    for name, entries in raw_lists.items():  # a list may use lists defined above it
        lists[name] = compile_cues(entries, lists, f"{source}, list {name!r}")
    raw_frames = data.get("frames")
    if not isinstance(raw_frames, dict) or not raw_frames:
        raise CodebookError(f"{source}: no [frames.NAME] tables; a codebook needs at least one "
                            "frame.")
    frames = {name: _parse_frame(name, table, lists, source, model_dir, require_models)
              for name, table in raw_frames.items()}
    return Codebook(name=str(data.get("name", default_name)), title=str(data.get("title", "")),
                    description=str(data.get("description", "")),
                    citation=str(data.get("citation", "")), version=str(data.get("version", "")),
                    frames=_link_frames(frames, source), lists=lists, path=source)


def _shipped() -> Any:
    return resources.files("framing").joinpath("codebooks")


def list_codebooks() -> list[str]:
    """Names of the codebooks shipped with the package.

    Examples
    --------
    >>> {"generic", "policy", "syria-2017"} <= set(list_codebooks())
    True
    """
    return sorted(p.name[:-5] for p in _shipped().iterdir() if p.name.endswith(".toml"))


def load_codebook(codebook: str | os.PathLike | Codebook, *,
                  require_models: bool = True) -> Codebook:
    """Load and validate a codebook: a shipped one by name, or any TOML file by path.

    Parameters
    ----------
    codebook : str, path or Codebook
        A name from :func:`list_codebooks`, or the path of a TOML file. A :class:`Codebook`
        is returned unchanged.

    require_models : bool
        Raise if a ``model`` file named by a frame is missing (``False`` is for the script that
        trains those models).

    Raises
    ------
    CodebookError
        The file cannot be found or parsed, or a field is missing or invalid (the message names
        the file, the frame and the field).

    Examples
    --------
    >>> book = load_codebook("syria-2017")
    >>> list(book.frames)
    ['iraq_2003_analogy', 'iraq_voice', 'iraq_stance', 'blame']
    >>> book.frames["iraq_stance"].labels
    ('endorse', 'report', 'rebut', 'none')
    """
    if isinstance(codebook, Codebook):
        return codebook
    path = Path(codebook)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise CodebookError(f"codebook file {str(path)!r} not found.")
        return _load_file(str(path.resolve()), path.stat().st_mtime_ns, require_models)
    name = str(codebook)
    resource = _shipped().joinpath(f"{name}.toml")
    if not resource.is_file():
        raise CodebookError(f"no codebook named {name!r}; shipped codebooks: {list_codebooks()}. "
                            "Pass the path of a .toml file to use your own.")
    with resources.as_file(_shipped()) as folder:
        path = Path(folder) / f"{name}.toml"
        return _load_file(str(path), path.stat().st_mtime_ns, require_models)


@lru_cache(maxsize=32)
def _load_file(path: str, mtime_ns: int, require_models: bool) -> Codebook:
    # mtime_ns is part of the cache key: an edited file is read again
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CodebookError(f"{path}: not valid TOML: {exc}") from exc
    book = parse_codebook(data, source=path, model_dir=Path(path).parent,
                          default_name=Path(path).stem, require_models=require_models)
    logger.debug("loaded codebook %s from %s (%d frames)", book.name, path, len(book.frames))
    return book
