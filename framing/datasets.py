"""Data home, corpus cards and file checksums.

The data home is where corpora live on disk, chosen as: the ``data_home`` argument, else the
``FRAMING_DATA`` environment variable, else ``~/framing_data``. Its layout mirrors the paths in
the corpus cards (``news/fa-kes/articles.csv.gz`` ...).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CardError, ChecksumError, DataNotFoundError

__all__ = [
    "Card",
    "CardFile",
    "get_data_home",
    "list_cards",
    "load_card",
    "card_directory",
    "corpus_path",
    "sha256_file",
    "atomic_write",
]

logger = logging.getLogger(__name__)

ENV_VAR = "FRAMING_DATA"


def get_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """Return the data home: ``data_home`` > ``$FRAMING_DATA`` > ``~/framing_data``.

    The folder is not created; :func:`framing.fetch.fetch` creates it when it writes.

    Examples
    --------
    >>> get_data_home("/tmp/corpora")
    PosixPath('/tmp/corpora')
    """
    if data_home is None:
        data_home = os.environ.get(ENV_VAR) or Path("~") / "framing_data"
    return Path(data_home).expanduser()


@dataclass(frozen=True)
class CardFile:
    """One normalised file of a corpus, as recorded in its card."""

    path: str  # relative to the data home
    sha256: str
    format: str = "csv"
    bytes: int | None = None
    rows: int | None = None


@dataclass(frozen=True)
class Card:
    """A corpus card: where a corpus comes from, how to cite it and how to read it.

    Built from a TOML file in ``corpora/`` (see its README for every field).
    """

    name: str
    title: str
    description: str
    license: str
    citation: str
    files: tuple[CardFile, ...]
    columns: dict[str, str]
    cleaning: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    upstream: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_toml(cls, path: str | os.PathLike | Any) -> Card:
        """Read and validate a card from a TOML file (a path or an importlib resource)."""
        if isinstance(path, (str, os.PathLike)):
            path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CardError(f"{path}: not valid TOML ({exc}).") from exc
        missing = [k for k in ("name", "title", "description", "license", "citation", "files",
                               "columns") if k not in raw]
        if missing:
            raise CardError(f"{path}: card lacks required field(s) {missing}; "
                            "see corpora/README.md.")
        try:
            files = tuple(CardFile(**f) for f in raw["files"])
        except TypeError as exc:
            raise CardError(f"{path}: bad [[files]] entry ({exc}); see corpora/README.md.") from exc
        return cls(
            name=raw["name"], title=raw["title"], description=raw["description"].strip(),
            license=raw["license"], citation=raw["citation"].strip(), files=files,
            columns=dict(raw["columns"]), cleaning=dict(raw.get("cleaning", {})),
            expected=dict(raw.get("expected", {})), upstream=dict(raw.get("upstream", {})),
            notes=tuple(raw.get("notes", ())), raw=raw,
        )

    def paths(self, data_home: str | os.PathLike | None = None) -> list[Path]:
        """Absolute paths of the card's files under the data home."""
        home = get_data_home(data_home)
        return [home / f.path for f in self.files]

    def is_present(self, data_home: str | os.PathLike | None = None) -> bool:
        """Whether every file of the corpus exists in the data home."""
        return all(p.is_file() for p in self.paths(data_home))


def card_directory() -> Any:
    """The folder of shipped cards (works after ``pip install .`` and from a checkout)."""
    try:
        return resources.files("framing.corpora")
    except ModuleNotFoundError:
        # A source checkout on sys.path without an install: the wheel maps corpora/ onto
        # framing.corpora, a checkout simply has it beside the package.
        return Path(__file__).resolve().parent.parent / "corpora"


def list_cards() -> list[Card]:
    """Every corpus card shipped with the package, sorted by name."""
    cards = [Card.from_toml(p) for p in card_directory().iterdir()
             if p.name.endswith(".toml") and not p.name.startswith("_")]
    return sorted(cards, key=lambda c: c.name)


def load_card(name: str) -> Card:
    """Return the card called ``name``, or raise :class:`DataNotFoundError` listing the others."""
    for card in list_cards():
        if card.name == name:
            return card
    known = ", ".join(c.name for c in list_cards())
    raise DataNotFoundError(f"No corpus card named {name!r}. Known corpora: {known}.")


def corpus_path(name: str, data_home: str | os.PathLike | None = None, *,
                verify: bool = False) -> Path:
    """Path of a corpus's (first) normalised file in the data home.

    Raises :class:`DataNotFoundError` with the two ways to provide the data when it is absent,
    and :class:`ChecksumError` when ``verify`` is true and the SHA-256 differs from the card.
    """
    card = load_card(name)
    entry, path = card.files[0], card.paths(data_home)[0]
    if not path.is_file():
        raise DataNotFoundError(
            f"Corpus {name!r} is not in the data home {get_data_home(data_home)} "
            f"(expected {path}). Either run `framing fetch {name}` (needs network), or copy a "
            f"local copy of the file to that path, or point {ENV_VAR} at a folder that has it."
        )
    if verify:
        digest = sha256_file(path)
        if digest != entry.sha256:
            raise ChecksumError(
                f"{path}: SHA-256 {digest} differs from {entry.sha256} in card {name!r}. The file "
                f"is damaged or a different version; delete it and run `framing fetch {name}`."
            )
    return path


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[Any]:
    """Write to a temporary file beside ``path`` and rename it into place only on success.

    A failure inside the block leaves any previous file at ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as fh:
            yield fh
        # mkstemp makes the file 0600; give the result the permissions of a normal new file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
