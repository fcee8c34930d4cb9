"""Text cleaning of news articles: Unicode repair, boilerplate removal and normalisation.

Cleaning runs on the documents table before events are aligned and texts vectorised. What it
removes is decided by rules kept as data in ``boilerplate.toml`` (shipped with the package), so
that researchers can read, extend or replace them without touching code; every change is counted
per document, column and rule so that the effect of cleaning can be reported.

One pass over a text does, in this order:

1. normalise whitespace: runs of spaces and tabs become one space, lines are stripped, paragraphs
   stay separated by one blank line;
2. repair mojibake and other Unicode damage with :func:`ftfy.fix_text` (typographic quotes are
   kept: they show where quotations open and close); remove control and zero-width characters;
   normalise to NFC;
3. repair curly quotes that were mangled into ``"?`` upstream (see :func:`repair_mangled_quotes`);
4. apply the boilerplate rules: whole lines and blocks; then, in the ``text`` column, a copy of
   the document's title and the dateline at the start of the text; then sentences; then inline
   matches;
5. if the upstream text lost its apostrophes, restore the ones that can be restored (see
   :func:`restore_apostrophes`).

The pass repeats until the text no longer changes (removing one line can expose a dateline, for
instance), which makes cleaning idempotent: cleaning a cleaned text changes nothing. Most texts
take two passes, the second one only confirming the first; it searches again for rule hints, and
tries line rules whose result depends on nothing but the line, only in the lines that changed.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ftfy
import pandas as pd

from .errors import ParseError, SchemaError
from .schema import require_columns

__all__ = [
    "SCOPES",
    "CHANGE_COLUMNS",
    "PLURAL_STEM_ENDINGS",
    "PLURAL_STEMS",
    "NOT_POSSESSIVE",
    "BoilerplateRule",
    "CleaningResult",
    "load_rules",
    "default_rules",
    "clean_text",
    "clean_documents",
    "repair_mangled_quotes",
    "restore_apostrophes",
]

logger = logging.getLogger(__name__)

#: Where a boilerplate rule applies; see ``boilerplate.toml`` for what each scope removes.
SCOPES = ("line", "block", "sentence", "inline", "dateline")

#: Columns of :attr:`CleaningResult.changes`.
CHANGE_COLUMNS = ("doc_id", "column", "rule", "count")

# A cleaning pass that still changes the text after this many repeats is stopped there; real
# texts settle in two or three passes.
_MAX_PASSES = 6

# Lines of a "block" rule's link list: short and not ending like a sentence.
_LIST_LINE_MAX = 160
_SENTENCE_END = re.compile(r"[.;,:]['\"”’)]?$")

# A sentence starts at a line start, after ". " (optionally with a closing quote or bracket
# between), or after the "**" that some outlets wrap promotions in. The leading test of the one
# character before, implied by each alternative, rejects most positions at a third of the cost.
_SENTENCE_START = r"(?<![^\n *])(?:^|(?<=[.!?] )|(?<=[.!?][\"”’)] )|(?<=\*\*)|(?<=\*\* ))"
_SENTENCE_TAIL = r"[.!?]*[\"”’]?(?:\*\*)?(?: |$)"
# What a line or block rule's pattern must match: the rest of the line, spaces aside.
_WHOLE_LINE = r"[^\S\n]*(?:{})[^\S\n]*$"


@dataclass(frozen=True)
class BoilerplateRule:
    """One boilerplate rule: a regular expression and the scope it applies to.

    Parameters
    ----------
    name : str
        Unique id; the ``rule`` value in :attr:`CleaningResult.changes`.
    scope : {"line", "block", "sentence", "inline", "dateline"}
        What the pattern must match and what is removed (see ``boilerplate.toml``).
    pattern : str
        Python regular expression, compiled with :data:`re.MULTILINE`.
    description : str
        What the rule removes and where it was seen.
    ignore_case : bool
        Match without regard to case.
    verbose : bool
        Compile with :data:`re.VERBOSE` (whitespace ignored, ``#`` comments allowed).
    hint : str or tuple of str
        Lower-case text that every match contains (or several, one of which every match
        contains); texts without it skip the rule. A speed-up only.

    Examples
    --------
    >>> rule = BoilerplateRule("promo", "line", r"Subscribe now!?", description="promo line")
    >>> clean_text("First paragraph.\\n\\nSubscribe now!\\n\\nLast one.", rules=[rule])
    ('First paragraph.\\n\\nLast one.', {'promo': 1})
    """

    name: str
    scope: str
    pattern: str
    description: str = ""
    ignore_case: bool = False
    verbose: bool = False
    hint: str | tuple[str, ...] = ()
    regex: re.Pattern = field(init=False, repr=False, compare=False)
    # Line and block rules: finds a line break followed by a candidate line (searching for the
    # literal "\n" first is much faster than trying ^ at every position).
    finder: re.Pattern | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise ParseError(f"boilerplate rule has no name (pattern {self.pattern!r}).")
        if self.scope not in SCOPES:
            raise ParseError(
                f"boilerplate rule {self.name!r}: scope {self.scope!r} is not one of {SCOPES}."
            )
        hints = (self.hint,) if isinstance(self.hint, str) else tuple(self.hint)
        hints = tuple(h for h in hints if h)
        if any(not isinstance(h, str) or h != h.lower() for h in hints):
            raise ParseError(
                f"boilerplate rule {self.name!r}: hint {self.hint!r} must be lower-case text."
            )
        object.__setattr__(self, "hint", hints)
        # The newline ends a trailing comment of a verbose pattern before the closing bracket.
        pattern = self.pattern + "\n" if self.verbose else self.pattern
        if self.scope in ("line", "block"):
            source = "^" + _WHOLE_LINE.format(pattern)
        elif self.scope == "sentence":
            source = rf"{_SENTENCE_START}(?:{pattern}){_SENTENCE_TAIL}"
        elif self.scope == "dateline":
            source = rf"\A(?:{pattern})"
        else:
            source = pattern
        flags = re.MULTILINE
        flags |= re.IGNORECASE if self.ignore_case else 0
        flags |= re.VERBOSE if self.verbose else 0
        try:
            compiled = re.compile(source, flags)
        except re.error as exc:
            raise ParseError(
                f"boilerplate rule {self.name!r}: invalid regular expression ({exc}). "
                "Write the pattern as a '''literal''' TOML string and use ignore_case = true "
                "or verbose = true instead of a leading (?i) or (?x)."
            ) from exc
        object.__setattr__(self, "regex", compiled)
        if self.scope in ("line", "block"):
            finder = rf"\n(?={_WHOLE_LINE.format(pattern)})"
            object.__setattr__(self, "finder", re.compile(finder, flags))


@dataclass(frozen=True)
class CleaningResult:
    """What :func:`clean_documents` returns.

    Attributes
    ----------
    data : pandas.DataFrame
        The cleaned documents: same rows, order and index as the input, cleaned text columns and
        a ``dateline`` column (the dateline removed from the start of ``text``, "" if none).
    changes : pandas.DataFrame
        One row per document, column and rule that changed something, with columns
        ``doc_id, column, rule, count``.
    """

    data: pd.DataFrame
    changes: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Return, per rule, the number of documents it changed and the total count of changes.

        Examples
        --------
        >>> text = "Body.\\n\\nAdvertisement"
        >>> docs = pd.DataFrame({"doc_id": ["a"], "text": [text]})
        >>> clean_documents(docs, columns="text").summary()
                    rule  documents  count
        0  advertisement          1      1
        """
        grouped = self.changes.groupby("rule", sort=False).agg(
            documents=("doc_id", "nunique"), count=("count", "sum")
        )
        return grouped.sort_values(
            ["documents", "count"], ascending=False, kind="stable"
        ).reset_index()


# ------------------------------------------------------------------------------------- rules


def load_rules(path: str | os.PathLike | None = None) -> list[BoilerplateRule]:
    """Read boilerplate rules from a TOML file (``[[rule]]`` tables).

    Parameters
    ----------
    path : path-like, optional
        A rules file in the format of ``framing/boilerplate.toml``; by default that file.

    Returns
    -------
    list of BoilerplateRule
        In file order. Add lists to combine rule sets: ``load_rules() + load_rules("mine.toml")``.

    Raises
    ------
    ParseError
        If the file is not valid TOML, a rule lacks a field, has an unknown scope or an invalid
        pattern, or two rules share a name.

    Examples
    --------
    >>> rules = load_rules()
    >>> sorted({rule.scope for rule in rules})
    ['block', 'dateline', 'inline', 'line', 'sentence']
    """
    if path is None:
        source = "framing/boilerplate.toml"
        text = resources.files("framing").joinpath("boilerplate.toml").read_text("utf-8")
    else:
        source = str(path)
        text = Path(path).read_text("utf-8")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"{source}: not valid TOML ({exc}).") from exc
    entries = table.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise ParseError(f"{source}: expected one or more [[rule]] tables, found none.")
    allowed = {"name", "scope", "pattern", "description", "ignore_case", "verbose", "hint"}
    rules = []
    for number, entry in enumerate(entries, start=1):
        missing = [key for key in ("name", "scope", "pattern") if key not in entry]
        unknown = sorted(set(entry) - allowed)
        if missing or unknown:
            raise ParseError(
                f"{source}: rule {number} ({entry.get('name', 'unnamed')!r}) "
                f"lacks {missing} / has unknown fields {unknown}; "
                f"allowed fields: {sorted(allowed)}."
            )
        try:
            rules.append(BoilerplateRule(**entry))
        except ParseError as exc:
            raise ParseError(f"{source}: {exc}") from exc
    names = Counter(rule.name for rule in rules)
    duplicated = sorted(name for name, n in names.items() if n > 1)
    if duplicated:
        raise ParseError(f"{source}: rule names must be unique; repeated: {duplicated}.")
    return rules


_DEFAULT_RULES: tuple[BoilerplateRule, ...] | None = None


def default_rules() -> tuple[BoilerplateRule, ...]:
    """Return the rules of the packaged ``boilerplate.toml`` (read and compiled once)."""
    global _DEFAULT_RULES
    if _DEFAULT_RULES is None:
        _DEFAULT_RULES = tuple(load_rules())
    return _DEFAULT_RULES


def _resolve_rules(rules) -> tuple[BoilerplateRule, ...]:
    if rules is None:
        return default_rules()
    if isinstance(rules, (str, os.PathLike)):
        return tuple(load_rules(rules))
    rules = tuple(rules)
    bad = [r for r in rules if not isinstance(r, BoilerplateRule)]
    if bad:
        raise TypeError(
            f"rules must be None, a path to a rules file or BoilerplateRule objects; "
            f"found {type(bad[0]).__name__}."
        )
    return rules


# ------------------------------------------------------------------- Unicode and whitespace

# C0/C1 controls other than tab and newline, zero-width characters, soft hyphens, BOMs and the
# object replacement character carry no text.
_INVISIBLE_CHARS = "\x00-\x08\x0e-\x1f\x7f\u00ad\u200b\u200e\u200f\u2060\ufeff\ufffc"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_ASCII_INVISIBLE = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
# "\r\n", "\r" and the other line and paragraph separators. Written to start with a character
# set (not an alternation) so that the regular expression engine skips quickly to candidates.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029](?:(?<=\r)\n)?")

# ftfy is by far the slowest step, so it only runs when a text shows a sign of damage it can
# repair: UTF-8 read as Latin-1/Windows-1252 (a lead byte followed by a continuation-like
# character), C1 controls, replacement characters, HTML entities, ligatures, full-width forms.
_DAMAGE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|[\x80-\x9f\ufffd\ufb00-\ufb06\uff01-\uff5e\x1b]"
    "|&(?:[a-zA-Z]+|#\\d+|#x[0-9a-fA-F]+);"
)
# The characters that can start a _DAMAGE match: searching for one of them is several times
# faster than findall, and most non-ASCII texts (curly quotes, dashes) contain none.
_DAMAGE_START_CHARS = "\u00c2-\u00f4\x80-\x9f\ufffd\ufb00-\ufb06\uff01-\uff5e\x1b&"
_DAMAGE_START = re.compile(f"[{_DAMAGE_START_CHARS}]")
# A character that _repair_unicode may have to repair or remove.
_SUSPECT = re.compile(f"[{_DAMAGE_START_CHARS}{_INVISIBLE_CHARS}]")
_FTFY_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False)

# Runs of spaces and tabs other than a single space; in a text without odd spaces (below),
# the runs of two spaces or more, which the literal start lets the engine find much faster.
_SPACES = re.compile(r"(?: [^\S\n]|[^\S\n ])[^\S\n]*")
_DOUBLE_SPACES = re.compile("  +")
# A space at the start or the end of a line ("^ | $", written to start with the literal space).
_LINE_EDGES = re.compile(r" (?:(?<![^\n] )|$)", re.MULTILINE)
# Not \n{3,}: a literal start lets the engine skip quickly to candidates.
_BLANK_LINES = re.compile(r"\n\n\n+")
# Whitespace other than a space and a line break (the line breaks of _OTHER_BREAKS included).
_ODD_SPACE = re.compile(r"[^\S \n]")
_ASCII_ODD_SPACE = b"\t\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _repair_unicode(text: str, counts: Counter) -> str:
    if text.isascii():
        # Nothing to repair or normalise, and the test for invisible characters is quicker.
        return _remove_invisible(text, counts) if _has_ascii(text, _ASCII_INVISIBLE) else text
    if not _SUSPECT.search(text):
        return _normalise_nfc(text, counts)
    # ftfy first: mojibake can contain characters that are invisible once repaired text is
    # read ("Ã\xad" is an accented i, not a letter and a soft hyphen).
    if _DAMAGE_START.search(text):
        damage = len(_DAMAGE.findall(text))
        if damage:
            fixed = ftfy.fix_text(text, _FTFY_CONFIG)
            if fixed != text:
                counts["unicode"] += damage
                text = fixed
    return _normalise_nfc(_remove_invisible(text, counts), counts)


def _remove_invisible(text: str, counts: Counter) -> str:
    text, n = _INVISIBLE.subn("", text)
    if n:
        counts["invisible_chars"] += n
    return text


def _normalise_nfc(text: str, counts: Counter) -> str:
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        counts["unicode"] += 1
    return text


def _has_ascii(text: str, chars: bytes) -> bool:
    """Whether the ASCII ``text`` contains one of ``chars``: deleting them from the bytes is
    several times faster than a regular expression search."""
    raw = text.encode("ascii")
    return len(raw.translate(None, chars)) < len(raw)


def _normalise_whitespace(text: str, counts: Counter) -> str:
    if text.isascii():
        odd = _has_ascii(text, _ASCII_ODD_SPACE)
    else:
        odd = _ODD_SPACE.search(text) is not None
    total = 0
    if odd:
        text, n = _OTHER_BREAKS.subn("\n", text)
        total += n
        text, n = _SPACES.subn(" ", text)
        total += n
    text, n = _tidy_spaces(text)
    total += n
    if total:
        counts["whitespace"] += total
    return text


def _tidy_spaces(text: str) -> tuple[str, int]:
    """Normalise the whitespace of a text without odd spaces; return it and the changes made.

    Each substitution runs only if a substring test (much faster than a regular expression
    search) shows that it has something to replace: most texts are already normal.
    """
    double = "  " in text
    edges = _has_edge_space(text)
    if not (double or edges or "\n\n\n" in text):
        return text, 0
    total = 0
    if double:
        text, total = _DOUBLE_SPACES.subn(" ", text)
        edges = _has_edge_space(text)
    if edges:
        text, n = _LINE_EDGES.subn("", text)
        total += n
    if "\n\n\n" in text:
        text, n = _BLANK_LINES.subn("\n\n", text)
        total += n
    stripped = text.strip()
    return stripped, total + (stripped != text)


def _has_edge_space(text: str) -> bool:
    """Whether a line of ``text`` may start or end with a space (a quick test for _LINE_EDGES)."""
    return " \n" in text or "\n " in text or text[:1].isspace() or text[-1:].isspace()


# ------------------------------------------------------------------------ mangled quotes


_MANGLED_OPEN = re.compile('"\ufffd')
# The quote comes first and the letter before it is checked behind it: a pattern that starts
# with a literal lets the regular expression engine skip to candidate positions.
_MANGLED_APOSTROPHE = re.compile('"(?<=[A-Za-z]")\ufffd?(?=(?:t|s|d|m|ll|re|ve)\\b)')
_MANGLED = re.compile(r'"\?')
# A mangled closing quote or apostrophe follows a non-space; a mangled dash follows a space.
_MANGLED_CLOSER = re.compile(r'(?<=\S)"\?')
_SENTENCE_PUNCT = ".,;:!?"


def _quote_is_open(before: str) -> bool:
    """Whether a quotation opened in ``before`` (the paragraph so far) is still open."""
    paragraph = before[before.rfind("\n") + 1 :]
    closers = len(_MANGLED_CLOSER.findall(paragraph)) + paragraph.count("”")
    openers = paragraph.count('"') - paragraph.count('"?') + paragraph.count("“")
    return openers > closers


def _replace_mangled(m: re.Match) -> str:
    text = m.string
    before = text[m.start() - 1] if m.start() else " "
    after = text[m.end()] if m.end() < len(text) else None
    if after is None or after.isspace() or after in ")]}":
        if before.isspace() and after is not None:
            return "—"
        if before in _SENTENCE_PUNCT:
            return "”"
        return m.group()  # a quotation followed by a question mark: 'did he say "no"?'
    if after == '"':
        return "” " if before in _SENTENCE_PUNCT else m.group()
    # The space that the mangling swallowed, unless punctuation follows.
    space = "" if after in _SENTENCE_PUNCT else " "
    if before.isspace():
        return "—" + space
    if before in _SENTENCE_PUNCT:
        return "”" + space
    if before.isalnum():
        if _quote_is_open(text[: m.start()]):
            return "”" + space
        if before in "sS":
            return "’" + space
        return " —" + space
    return space


def repair_mangled_quotes(text: str) -> tuple[str, int]:
    """Repair typographic quotes, apostrophes and dashes that were mangled into ``"?``.

    Some corpora (Dai 2017 "News Articles") were passed through an encoding step that turned
    each closing curly quote, apostrophe and em dash into ``"?`` and swallowed the space after
    it (``said."?The``, ``terrorists"?firing``, ``determine "?at least``), turned opening curly
    quotes into ``"`` followed by U+FFFD and apostrophes inside words into ``"``
    (``didn"t``, ``We"\ufffdll``). The repair reads the surrounding characters:

    * ``"?`` after sentence punctuation is a closing quote (``said.” The``);
    * ``"?`` after a space is a dash (``determine — at least``);
    * ``"?`` between letters closes a quotation when one is open in the paragraph, is a
      possessive apostrophe after ``s`` (``terrorists’ firing``) and a dash otherwise
      (``friend — with``); the swallowed space is put back unless punctuation follows;
    * ``"`` (+ U+FFFD) before ``t, s, d, m, ll, re, ve`` inside a word is an apostrophe;
    * ``"`` + U+FFFD elsewhere is an opening quote.

    ``"?`` followed by a space, the end of the text or a closing bracket is left alone: that is
    how English writes a question about a quotation (``did he say "no"?``).

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, int)
        The repaired text and the number of repairs.

    Examples
    --------
    >>> repair_mangled_quotes('It was "fast,"?he said. They didn"t "?or could not "?act.')
    ('It was "fast,” he said. They didn’t — or could not — act.', 4)
    """
    if '"' not in text:
        return text, 0
    text, n_apostrophes = _MANGLED_APOSTROPHE.subn("’", text)
    text, n_open = _MANGLED_OPEN.subn("“", text)
    repaired = 0

    def replace(m: re.Match) -> str:
        nonlocal repaired
        new = _replace_mangled(m)
        repaired += new != m.group()
        return new

    text = _MANGLED.sub(replace, text)
    return text, n_apostrophes + n_open + repaired


# ----------------------------------------------------------------- stripped punctuation

# The patterns below start with a character class, and test what precedes the first character
# behind it, so that the regular expression engine skips quickly to candidates. (?=[...]) does
# the same where the class would be case-insensitive.
_CONTRACTION = re.compile(
    r"(?=[dicwashmn])\b"
    r"(do|does|did|is|was|are|were|ca|could|would|should|has|have|had|must|need)(n)(t)\b",
    re.IGNORECASE,
)
_CAPITALISED_S = re.compile(r"([A-Z](?<!\w[A-Z])[A-Za-z]*[a-z])s\b(?!['’])")
# A capitalised word that does not start a sentence: after a word and a space, or after a
# particle such as "al-".
_MID_SENTENCE_CAPITAL = re.compile(
    r"([A-Z](?:(?<=[^.!?\s\"“] [A-Z])|(?<=[a-z]-[A-Z]))[A-Za-z]*)\b"
)
_LOWER_WORD = re.compile(r"[a-z](?<!\w[a-z])[a-z]*\b")
# The word before a token, and what precedes that word (a sentence end, or nothing).
_PREVIOUS_WORD = re.compile(r"(?:^|([.!?][\"”’)]?)?\s)(\S+) $")

#: Stem endings that usually make plurals and demonyms rather than possessives
#: (Syrians, Rebels, Iraqis, Alawites, Islamists, Catholics, Muslims, Refugees, Democrats,
#: Militants, Presidents).
PLURAL_STEM_ENDINGS = ("an", "er", "i", "ite", "ist", "ic", "im", "ee", "at", "ant", "ent")
#: Stems whose plural is common in news and ends in none of the endings above.
PLURAL_STEMS = frozenset({"Arab", "Kurd", "Turk", "Jew", "Shia", "Druze"})
#: Capitalised words ending in s that are words or names in their own right.
NOT_POSSESSIVE = frozenset(
    {
        "Its", "Is", "As", "Us", "Has", "Was", "His", "Hers", "Ours", "Yours", "Theirs", "This",
        "Thus", "Yes", "News", "Always", "Perhaps", "Besides", "Afterwards", "Sometimes",
        "Nevertheless", "Lets", "Whereas", "Towards", "Hamas", "Times", "Olympics", "Lots",
    }
)  # fmt: skip


def _contraction(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}'{m.group(3)}"


def restore_apostrophes(text: str) -> tuple[str, dict[str, int]]:
    """Restore apostrophes in a text whose upstream processing removed them.

    FA-KES, for example, removed every apostrophe and comma ("Syrias war", "dont"). Two kinds of
    apostrophe can be put back with little risk:

    * **negated contractions**, which are not English words without their apostrophe:
      dont, doesnt, didnt, isnt, wasnt, arent, werent, cant, couldnt, wouldnt, shouldnt, hasnt,
      havent, hadnt, mustnt, neednt (any case). "wont", "its", "well", "were", "hell", "id" are
      words and are left alone.
    * **possessives of names**: a capitalised token ``Xs`` becomes ``X's`` when all of these hold:

      - ``X`` itself occurs capitalised in the same text, somewhere other than the start of a
        sentence ("Syrias war" is restored in a text that also says "in Syria"), and neither
        ``x`` nor ``xs`` occurs in lower case (a text that says "rockets" makes "Rockets" a
        plural, not "Rocket's");
      - ``X`` does not end in a plural- or demonym-forming ending
        (:data:`PLURAL_STEM_ENDINGS`: Syrians, Rebels, Iraqis, Alawites, Islamists...) and is
        not in :data:`PLURAL_STEMS` (Arabs, Kurds...); ``Xs`` is not in
        :data:`NOT_POSSESSIVE` (Its, Hamas, News...);
      - the word before ``Xs`` is not capitalised, because capitalised runs are names whose last
        word is a plural: United States, Syrian Democratic Forces, Golan Heights.

    Known limits: possessives of lower-case nouns ("the regimes forces") and of names preceded by
    a capitalised word ("President Assads", "Islamic States") are not restored; a plural name
    whose singular also occurs ("the Assads" for the family) is wrongly made possessive; plurals
    of names with none of the listed endings are possessives here (Tomahawks if "Tomahawk" also
    occurs). Commas cannot be restored: where a comma was is not recoverable from the words, so
    texts stay without them and sentence-level tools should not rely on commas.

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, dict)
        The text and the counts ``{"contraction": n, "possessive": m}`` (zero counts left out).

    Examples
    --------
    >>> text, counts = restore_apostrophes("Syrias army said it doesnt know. Aid reached Syria.")
    >>> text
    "Syria's army said it doesn't know. Aid reached Syria."
    >>> counts
    {'contraction': 1, 'possessive': 1}
    >>> restore_apostrophes("The Syrians in Syria wont leave")[0]
    'The Syrians in Syria wont leave'
    """
    counts: dict[str, int] = {}
    text, n = _CONTRACTION.subn(_contraction, text)
    if n:
        counts["contraction"] = n
    if not _CAPITALISED_S.search(text):
        return text, counts
    stems = set(_MID_SENTENCE_CAPITAL.findall(text))
    lower_words: set[str] | None = None  # found when first needed: most tokens fail before
    restored = 0

    def possessive(m: re.Match) -> str:
        nonlocal restored, lower_words
        stem, token = m.group(1), m.group(0)
        if (
            stem not in stems
            or token in NOT_POSSESSIVE
            or stem in PLURAL_STEMS
            or stem.lower().endswith(PLURAL_STEM_ENDINGS)
        ):
            return token
        if lower_words is None:
            lower_words = set(_LOWER_WORD.findall(m.string))
        if stem.lower() in lower_words or stem.lower() + "s" in lower_words:
            return token
        previous = _PREVIOUS_WORD.search(m.string, max(0, m.start() - 80), m.start())
        if previous:
            word = previous.group(2).lstrip("\"“‘'([")
            starts_sentence = previous.group(1) is not None or previous.start() == 0
            # A capitalised word before Xs makes a name ("United States") unless it merely
            # starts the sentence ("In Syrias north").
            if word[:1].isupper() and word[-1] not in ".!?" and not starts_sentence:
                return token
        restored += 1
        return f"{stem}'s"

    text = _CAPITALISED_S.sub(possessive, text)
    if restored:
        counts["possessive"] = restored
    return text, counts


# ------------------------------------------------------------------------------ boilerplate


def _matching_lines(rule: BoilerplateRule, text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of every line that a line or block rule matches as a whole."""
    spans = []
    # On "\n" + text, the position of each line break found is the line's start in text.
    for m in rule.finder.finditer("\n" + text):
        start = m.start()
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        # Matching up to the line end only keeps a \s in the pattern from reaching the next line.
        if rule.regex.fullmatch(text, start, end):
            spans.append((start, end))
    return spans


def _remove_lines(rule: BoilerplateRule, text: str, counts: Counter) -> str:
    spans = _matching_lines(rule, text)
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    counts[rule.name] += len(spans)
    return "".join(pieces)


def _remove(rule: BoilerplateRule, text: str, counts: Counter) -> str:
    """Remove the matches of a sentence or inline rule."""
    pieces: list[str] = []
    position = 0
    for m in rule.regex.finditer(text):
        start, end = m.span()
        if start == end or (rule.scope == "sentence" and "\n" in m.group()):
            continue  # sentences do not run across lines
        piece = text[position:start]
        following = text[end : end + 1]
        if piece.endswith(" ") and (not following or following in " \n.,;:!?)]"):
            # The space before the match goes with it: "caption (Photo: X)." -> "caption."
            piece = piece[:-1]
        elif (
            piece
            and not piece[-1].isspace()
            and following
            and (following.isalnum() or following in '"“‘([')
        ):
            # Keep apart the two words that the match sat between.
            piece += " "
        pieces.append(piece)
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    counts[rule.name] += len(pieces) - 1
    return "".join(pieces)


def _remove_blocks(rule: BoilerplateRule, text: str, counts: Counter) -> str:
    """Remove a block rule's header lines and the link-list lines below each."""
    headers = {text.count("\n", 0, start) for start, _ in _matching_lines(rule, text)}
    if not headers:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    removed = 0
    i = 0
    while i < len(lines):
        if i not in headers:
            kept.append(lines[i])
            i += 1
            continue
        removed += 1
        i += 1
        while i < len(lines):
            line = lines[i]
            if not line:
                i += 1
                continue
            if len(line) > _LIST_LINE_MAX or _SENTENCE_END.search(line):
                break
            removed += 1
            i += 1
        kept.append("")
    counts[rule.name] += removed
    return "\n".join(kept)


def _strip_title(text: str, title: str) -> str | None:
    """Return ``text`` without a leading copy of ``title`` (or of its part before a site
    suffix such as " - Region - World - Ahram Online"); None if the text does not start with it.
    """
    candidates = [title]
    parts = re.split(r"\s+[-|–—]\s+", title)
    candidates += [" - ".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)]
    for candidate in candidates:
        # Short titles ("Syria") also begin ordinary sentences: only strip real headlines.
        if len(candidate) < 20 or len(candidate.split()) < 4:
            continue
        if text.startswith(candidate):
            rest = text[len(candidate) :]
            follow = re.match(r"[ \t]*[.:!?—–-]?[ \t]*(?:\n+|(?=[A-Z0-9\"“‘(])|$)", rest)
            if follow:
                return rest[follow.end() :]
    return None


class _RuleSet:
    """The rules of one cleaning run, grouped as a pass applies them.

    Parameters
    ----------
    rules : tuple of BoilerplateRule
    """

    def __init__(self, rules: tuple[BoilerplateRule, ...]):
        lines = [r for r in rules if r.scope in ("line", "block")]
        local = [r for r in lines if _is_line_local(r)]
        # Line-local rules without hint or groups are tried together, in one expression.
        plain = [r for r in local if not r.hint and r.regex.groups == 0]
        self.lines = tuple((r, r in local, r in plain) for r in lines)
        self.plain_finder = _combine(plain, "\n(?={})")
        self.plain_line = _combine(plain, "^{}")
        self.datelines = tuple(r for r in rules if r.scope == "dateline")
        self.sentences = tuple(r for r in rules if r.scope == "sentence")
        self.inline = tuple(r for r in rules if r.scope == "inline")
        # Every distinct hint, shortest first, with the shorter hints it contains (it is only
        # searched for once those were found) and whether it spans a line break.
        hints = sorted({h for r in rules for h in r.hint}, key=len)
        self.hints = tuple(
            (h, frozenset(p for p in hints if p != h and p in h), "\n" in h) for h in hints
        )


# A lookahead on one character class: (?=[...]) or (?![...]).
_CLASS_LOOKAHEAD = re.compile(r"\(\?[=!](\[\^?\]?(?:\\.|[^\]\\])*\])\)")


def _is_line_local(rule: BoilerplateRule) -> bool:
    """Whether a line or block rule decides whether a line matches from its content alone.

    Without lookarounds and string anchors, a pattern sees nothing beyond the line it must
    match as a whole: its finder finds every line that it matches, and a line that it matched,
    or not, on one pass it matches, or not, on the next. A lookahead on one character class
    that cannot match a line break is harmless: at the end of a line it fails (or its negation
    succeeds) whether or not a line break follows. A rule that matches an empty line is excluded,
    since removing a line leaves an empty one. (The test reads the pattern's text, so it errs on
    the safe side.)
    """
    flags = (re.IGNORECASE if rule.ignore_case else 0) | (re.VERBOSE if rule.verbose else 0)
    lookaheads = _CLASS_LOOKAHEAD.findall(rule.pattern)
    if any(re.compile(c, flags).match("\n") for c in lookaheads):
        return False
    rest = _CLASS_LOOKAHEAD.sub("", rule.pattern)
    tokens = ("(?=", "(?!", "(?<", "\\A", "\\Z")
    return not any(t in rest for t in tokens) and rule.regex.fullmatch("") is None


def _combine(rules: Sequence[BoilerplateRule], frame: str) -> re.Pattern | None:
    """Return one expression that matches where the line expression of any of ``rules`` does.

    The patterns become alternatives of _WHOLE_LINE, each with its own flags, put in ``frame``
    (a format string). Trying them at once is about twice as fast as one after another. The
    rules must have no groups: numbered backreferences would point elsewhere.
    """
    if not rules:
        return None
    patterns = []
    for rule in rules:
        flags = ("i" if rule.ignore_case else "") + ("x" if rule.verbose else "")
        pattern = rule.pattern + "\n" if rule.verbose else rule.pattern
        patterns.append(f"(?{flags}:{pattern})" if flags else f"(?:{pattern})")
    return re.compile(frame.format(_WHOLE_LINE.format("|".join(patterns))), re.MULTILINE)


@functools.lru_cache(maxsize=16)
def _rule_set(rules: tuple[BoilerplateRule, ...]) -> _RuleSet:
    return _RuleSet(rules)


class _HintSearch:
    """Find the rule hints that a text contains, pass after pass of one cleaning.

    No hint spans a line break (hints that do are searched for everywhere), so a hint that the
    previous pass's text lacked can only be in a line that changed since: only those lines are
    searched for it. That makes the search on the second pass several times cheaper.

    Parameters
    ----------
    ruleset : _RuleSet
    """

    def __init__(self, ruleset: _RuleSet):
        self._hints = ruleset.hints
        self._lines: frozenset[str] = frozenset()
        self._found: set[str] = set()

    def __call__(self, text: str) -> set[str]:
        """Return the hints that ``text`` contains (compared in lower case)."""
        lowered = text.lower()
        lines = lowered.split("\n")
        changed = lowered
        if self._lines:
            changed = "\n".join(line for line in lines if line not in self._lines)
        found: set[str] = set()
        for hint, parts, spans_lines in self._hints:
            if not found.issuperset(parts):
                continue
            if hint in (lowered if spans_lines or hint in self._found else changed):
                found.add(hint)
        self._lines, self._found = frozenset(lines), found
        return found


def _enabled(rule: BoilerplateRule, found: set[str]) -> bool:
    return not rule.hint or not found.isdisjoint(rule.hint)


class _KeptLines:
    """The lines that a pass's line rules kept, and the line-local rules that tried them.

    A line-local rule (see _is_line_local) keeps again a line that it kept on the previous pass:
    on the next pass, it only needs to try the lines that are new.
    """

    def __init__(self) -> None:
        self.lines: frozenset[str] | None = None  # None before the first pass
        self.tried: frozenset[int] = frozenset()  # positions in _RuleSet.lines


def _apply_line_rules(
    text: str, ruleset: _RuleSet, found: set[str], counts: Counter, kept: _KeptLines
) -> str:
    # Whether the rules without hint keep every line: so if their combined expression finds no
    # line of the text, or none of the lines that are new since the previous pass.
    if kept.lines is None:
        new = None
        plain_kept = ruleset.plain_finder is None or not ruleset.plain_finder.search("\n" + text)
    else:
        new = [line for line in text.split("\n") if line not in kept.lines]
        plain_kept = ruleset.plain_line is None or not any(map(ruleset.plain_line.fullmatch, new))
    tried = set()
    for i, (rule, local, plain) in enumerate(ruleset.lines):
        if not _enabled(rule, found):
            continue
        if local:
            tried.add(i)
            # Line rules only empty or remove lines, so a line-local rule that keeps every line
            # of the text at the start of this step keeps every line at its turn.
            if (plain and plain_kept) or (
                new is not None and i in kept.tried and not any(map(rule.regex.fullmatch, new))
            ):
                continue
        if rule.scope == "line":
            text = _remove_lines(rule, text, counts)
        else:
            text = _remove_blocks(rule, text, counts)
    kept.lines, kept.tried = frozenset(text.split("\n")), frozenset(tried)
    return text


def _apply_rules(
    text: str,
    ruleset: _RuleSet,
    hints: _HintSearch,
    kept: _KeptLines,
    counts: Counter,
    datelines: list[str] | None,
    title: str | None,
) -> str:
    found = hints(text)
    text = _apply_line_rules(text, ruleset, found, counts, kept)
    if datelines is not None:
        text = text.lstrip()
        changed = True
        while changed and text:
            changed = False
            if title:
                rest = _strip_title(text, title)
                if rest is not None:
                    counts["title_repeat"] += 1
                    text, changed = rest.lstrip(), True
            for rule in ruleset.datelines:
                m = rule.regex.match(text)
                if m and m.end():
                    datelines.append(m.group().strip())
                    counts[rule.name] += 1
                    text, changed = text[m.end() :].lstrip(), True
    for rule in ruleset.sentences + ruleset.inline:
        if _enabled(rule, found):
            text = _remove(rule, text, counts)
    return text


def _clean(
    text: str,
    ruleset: _RuleSet,
    *,
    stripped_punctuation: bool,
    dateline: bool,
    title: str | None = None,
) -> tuple[str, str, Counter]:
    """Clean one text; return it, its dateline ("" if none or not asked for) and the counts."""
    counts: Counter = Counter()
    datelines: list[str] | None = [] if dateline else None
    hints, kept = _HintSearch(ruleset), _KeptLines()
    for n_pass in range(_MAX_PASSES):
        before = text
        # Whitespace first: ftfy judges mojibake by the characters around it, spaces included.
        # A later pass starts from a text that the previous pass ended by normalising, and
        # normalising is idempotent.
        if n_pass == 0:
            text = _normalise_whitespace(text, counts)
        fixed = _repair_unicode(text, counts)
        repaired = fixed != text
        text = _normalise_whitespace(fixed, counts) if repaired else fixed
        normalised = text
        text, n = repair_mangled_quotes(text)
        if n:
            counts["mangled_quotes"] += n
        text = _apply_rules(text, ruleset, hints, kept, counts, datelines, title)
        if stripped_punctuation:
            text, restored = restore_apostrophes(text)
            counts.update(restored)
        # Spaces and blank lines left where something was removed: not counted again. The
        # text is still normal if nothing was removed, and it has no odd spaces: `normalised`
        # had none, and the steps since remove text or insert spaces, quotes and dashes.
        if text != normalised:
            text = _tidy_spaces(text)[0]
        # Another pass is needed only if the Unicode repair or a later step changed something:
        # the steps are deterministic and whitespace normalisation is idempotent, so a pass
        # that only normalised whitespace would be repeated identically.
        if text == before or (text == normalised and not repaired):
            break
    else:
        logger.debug("cleaning still changed the text after %d passes: %.60r", _MAX_PASSES, text)
    return text, " ".join(d for d in datelines or () if d), counts


def clean_text(
    text: str,
    *,
    stripped_punctuation: bool = False,
    rules: Sequence[BoilerplateRule] | str | os.PathLike | None = None,
) -> tuple[str, dict[str, int]]:
    """Clean one article text.

    Repairs Unicode damage, normalises whitespace, removes boilerplate (see the module
    docstring for the order) and, with ``stripped_punctuation=True``, restores apostrophes.
    A dateline at the start of the text is removed (it is counted; :func:`clean_documents` keeps
    it in a ``dateline`` column).

    Parameters
    ----------
    text : str
        The text to clean.
    stripped_punctuation : bool, default False
        Set when the upstream text had its apostrophes and commas removed (the corpus card's
        ``[cleaning] stripped_punctuation``); see :func:`restore_apostrophes`.
    rules : sequence of BoilerplateRule, path-like or None
        Boilerplate rules, a rules file, or None for the packaged ``boilerplate.toml``.

    Returns
    -------
    (str, dict)
        The cleaned text, without leading or trailing whitespace, and how many changes each rule
        made (rules that changed nothing are left out). Besides the boilerplate rule names the
        counts use ``invisible_chars``, ``unicode``, ``mangled_quotes``, ``whitespace``,
        ``contraction`` and ``possessive``.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> clean_text("BEIRUT (Reuters) - Talks resumed.\\n\\nAdvertisement\\n\\n\\n\\nThey  ended.")
    ('Talks resumed.\\n\\nThey ended.', {'whitespace': 2, 'advertisement': 1, 'dateline_wire': 1})
    >>> text = "Syrias army said it doesnt know. Aid reached Syria."
    >>> clean_text(text, stripped_punctuation=True)[0]
    "Syria's army said it doesn't know. Aid reached Syria."
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, found {type(text).__name__}.")
    ruleset = _rule_set(_resolve_rules(rules))
    cleaned, _, counts = _clean(
        text, ruleset, stripped_punctuation=stripped_punctuation, dateline=True
    )
    return cleaned, dict(counts)


def clean_documents(
    data: pd.DataFrame,
    *,
    columns: Iterable[str] = ("title", "text"),
    stripped_punctuation: bool = False,
    rules: Sequence[BoilerplateRule] | str | os.PathLike | None = None,
) -> CleaningResult:
    """Clean the text columns of a documents table.

    Every column in ``columns`` is cleaned as :func:`clean_text` does. In the ``text`` column
    two more things happen: a dateline at the start of the text is moved to a new ``dateline``
    column, and a copy of the document's own title at the start of the text (NPR, Ahram Online
    and others repeat the headline; titles of four words or more, possibly without a trailing
    " - Site name") is removed and counted as ``title_repeat``.

    Parameters
    ----------
    data : pandas.DataFrame
        Documents table with ``doc_id`` and the columns to clean. Missing values stay missing.
    columns : iterable of str, default ("title", "text")
        Text columns to clean.
    stripped_punctuation : bool, default False
        See :func:`clean_text`.
    rules : sequence of BoilerplateRule, path-like or None
        See :func:`clean_text`.

    Returns
    -------
    CleaningResult
        ``.data``: a new table (the input is not modified) with the same rows, order and index,
        cleaned columns and ``dateline`` ("" when none was found; a ``dateline`` column already
        in ``data`` is kept and extended, so cleaning twice equals cleaning once).
        ``.changes``: ``doc_id, column, rule, count`` for every rule that changed a field, in
        document order (documents that share a ``doc_id`` keep separate rows).

    Raises
    ------
    SchemaError
        If ``doc_id`` or a column to clean is missing, or a column holds values that are not
        text.

    Examples
    --------
    >>> docs = pd.DataFrame({
    ...     "doc_id": ["a1"],
    ...     "title": ["Strikes hit Aleppo"],
    ...     "text": ["WASHINGTON (AP) — Strikes hit Aleppo.\\n\\nRead more:\\n\\nOther story"],
    ... })
    >>> result = clean_documents(docs)
    >>> result.data[["text", "dateline"]].to_dict("records")
    [{'text': 'Strikes hit Aleppo.', 'dateline': 'WASHINGTON (AP) —'}]
    >>> result.changes
      doc_id column            rule  count
    0     a1   text  read_more_list      2
    1     a1   text   dateline_wire      1
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, found {type(data).__name__}.")
    columns = list(dict.fromkeys([columns] if isinstance(columns, str) else columns))
    require_columns(data, ["doc_id", *columns], table="documents")
    for column in columns:
        for row, value in enumerate(data[column].tolist(), start=1):
            if not isinstance(value, str) and not pd.isna(value):
                raise SchemaError(
                    f"column {column!r} must hold text; row {row} holds {value!r} "
                    f"({type(value).__name__}). Convert it with data[{column!r}].astype('string') "
                    "or leave the column out of columns=."
                )
    ruleset = _rule_set(_resolve_rules(rules))
    out = data.copy()
    doc_ids = data["doc_id"].tolist()
    records: list[tuple] = []
    datelines = [""] * len(data)
    # The title is cleaned first so that the text can be compared with its cleaned headline.
    ordered = sorted(columns, key=lambda c: c == "text")
    for column in ordered:
        titles = None
        if column == "text" and "title" in out.columns:
            titles = out["title"].tolist()
        cleaned = []
        for i, value in enumerate(data[column].tolist()):
            if not isinstance(value, str):
                cleaned.append(value)
                continue
            title = titles[i] if titles is not None and isinstance(titles[i], str) else None
            if title is not None and column == "text" and "title" not in columns:
                title = _normalise_whitespace(title, Counter())
            text, dateline, counts = _clean(
                value,
                ruleset,
                stripped_punctuation=stripped_punctuation,
                dateline=column == "text",
                title=title,
            )
            cleaned.append(text)
            if dateline:
                datelines[i] = dateline
            records.extend((i, doc_ids[i], column, rule, n) for rule, n in counts.items() if n)
        out[column] = pd.Series(cleaned, index=data.index, dtype=data[column].dtype)
    if "dateline" in data.columns:
        previous = data["dateline"].fillna("").astype(str).tolist()
        pairs = zip(previous, datelines, strict=True)
        datelines = [" ".join(part for part in pair if part) for pair in pairs]
    out["dateline"] = pd.Series(datelines, index=data.index, dtype="str")
    # Rows in document order, then in the order the columns were given.
    position = {column: k for k, column in enumerate(columns)}
    records.sort(key=lambda r: (r[0], position[r[2]]))
    changes = pd.DataFrame.from_records([r[1:] for r in records], columns=list(CHANGE_COLUMNS))
    changes["count"] = changes["count"].astype("int64")
    changed = changes.groupby("column")["doc_id"].nunique().to_dict() if len(changes) else {}
    logger.info(
        "cleaned %d documents (%s); fields changed per column: %s; datelines found: %d",
        len(data),
        ", ".join(columns),
        changed,
        sum(bool(d) for d in datelines),
    )
    return CleaningResult(data=out, changes=changes)
