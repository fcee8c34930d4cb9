"""The :class:`Corpus`: an immutable documents table with its card and exclusion log.

Loading runs read -> outlet metadata -> cleaning -> duplicate flags, and keeps the accounting
``n_read == len(documents) + dropped`` true at every step (:meth:`Corpus.check_accounting`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
from tqdm.auto import tqdm

from .clean import clean_documents
from .datasets import Card, corpus_path, list_cards, load_card
from .duplicates import find_duplicates
from .errors import FramingError, SchemaError
from .io import ReadResult, read_documents
from .outlets import annotate_outlets
from .schema import EXCLUSION_COLUMNS, validate_documents

__all__ = ["Corpus", "load_corpus"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Corpus:
    """Documents, their provenance and every row that was dropped or flagged on the way.

    Build with :func:`load_corpus`, :meth:`from_card` or :meth:`from_file`. The object is
    immutable: :attr:`documents` and :attr:`exclusions` return copies, and :meth:`filter` and
    :meth:`concat` return new corpora.

    Attributes
    ----------
    name : str
        Corpus name (card name, file name, or names joined by ``+``).
    n_read : int
        Rows read from the source files.
    cards : tuple of Card
        Cards of the corpora this one was built from (empty for plain files).
    """

    name: str
    _documents: pd.DataFrame = field(repr=False)
    _exclusions: pd.DataFrame = field(repr=False)
    n_read: int = 0
    cards: tuple[Card, ...] = ()
    steps: tuple[str, ...] = ()
    _changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["doc_id", "column", "rule", "count"]), repr=False)

    def __post_init__(self):
        validate_documents(self._documents, source=self.name)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_read(cls, result: ReadResult, *, name: str | None = None,
                  card: Card | None = None, clean: bool = True, flag_duplicates: bool = True,
                  outlets: pd.DataFrame | None = None,
                  duplicate_options: Mapping | None = None, id_prefix: str = "") -> Corpus:
        """Run the standard preparation on a :class:`~framing.io.ReadResult`."""
        data, exclusions = result.data, result.exclusions
        changes = None
        if id_prefix:
            data = data.assign(doc_id=id_prefix + data["doc_id"])
            exclusions = exclusions.assign(
                doc_id=[id_prefix + d if d else d for d in exclusions["doc_id"]])
        steps = [f"read {result.source} as {result.format}"]
        data = data.assign(corpus=name or result.source, source_file=result.source)
        data = annotate_outlets(data, table=outlets)
        steps.append("outlet metadata")
        if clean:
            stripped = bool(card.cleaning.get("stripped_punctuation")) if card else False
            cleaned = clean_documents(data, stripped_punctuation=stripped)
            data, changes = cleaned.data, cleaned.changes
            steps.append("cleaned" + (" (stripped punctuation repaired)" if stripped else ""))
            emptied = data["text"].str.strip() == ""
            if emptied.any():
                exclusions = _append(exclusions, pd.DataFrame({
                    "source_file": result.source, "row": pd.NA,
                    "doc_id": data.loc[emptied, "doc_id"], "reason": "empty_after_cleaning",
                    "detail": "column 'text' held nothing but boilerplate, a dateline or a "
                              "repeat of the title", "action": "dropped"}))
                data = data[~emptied]
        if flag_duplicates:
            data, exclusions = _flag_duplicates(data, exclusions, duplicate_options)
            steps.append("duplicates flagged")
        return cls(name=name or result.source, _documents=data.reset_index(drop=True),
                   _exclusions=exclusions.reset_index(drop=True), n_read=result.n_read,
                   cards=(card,) if card else (), steps=tuple(steps),
                   **({} if changes is None else {"_changes": changes}))

    @classmethod
    def from_card(cls, name: str, *, data_home: str | os.PathLike | None = None,
                  verify: bool = False, **options) -> Corpus:
        """Load a corpus named by its card from the data home.

        Document ids are prefixed with the corpus name (``fa-kes:1962495646``) so that ids stay
        unique, and the same, whatever other corpora are loaded beside it.
        """
        card = load_card(name)
        path = corpus_path(name, data_home, verify=verify)
        entry = card.files[0]
        result = read_documents(path, format=entry.format, columns=card.columns,
                                source_name=entry.path)
        return cls.from_read(result, name=name, card=card, id_prefix=f"{name}:", **options)

    @classmethod
    def from_file(cls, path: str | os.PathLike, *, read_options: Mapping | None = None,
                  **options) -> Corpus:
        """Read any documents file (see :func:`framing.io.read_documents`) and prepare it."""
        result = read_documents(path, **dict(read_options or {}))
        return cls.from_read(result, name=os.path.basename(os.fspath(path)), **options)

    @classmethod
    def concat(cls, corpora: Sequence[Corpus], name: str | None = None) -> Corpus:
        """Stack corpora; ``doc_id`` must stay unique (card corpora are prefixed, so they do)."""
        if not corpora:
            raise FramingError("concat() needs at least one corpus.")
        docs = pd.concat([c._documents for c in corpora], ignore_index=True)
        dup = docs["doc_id"][docs["doc_id"].duplicated()]
        if len(dup):
            raise SchemaError(f"concat(): doc_id {dup.iloc[0]!r} occurs in two corpora; give "
                              "each file an id prefix or load them through their cards.")
        return cls(name=name or "+".join(c.name for c in corpora), _documents=docs,
                   _exclusions=pd.concat([c._exclusions for c in corpora], ignore_index=True),
                   n_read=sum(c.n_read for c in corpora),
                   cards=tuple(card for c in corpora for card in c.cards),
                   steps=tuple(s for c in corpora for s in c.steps),
                   _changes=pd.concat([c._changes for c in corpora], ignore_index=True))

    # ------------------------------------------------------------------ access
    @property
    def documents(self) -> pd.DataFrame:
        """A copy of the documents table."""
        return self._documents.copy()

    @property
    def exclusions(self) -> pd.DataFrame:
        """A copy of the exclusion log (dropped and flagged rows)."""
        return self._exclusions.copy()

    @property
    def cleaning_changes(self) -> pd.DataFrame:
        """What cleaning changed: ``doc_id, column, rule, count`` (see :mod:`framing.clean`)."""
        return self._changes.copy()

    def __len__(self) -> int:
        return len(self._documents)

    @property
    def n_dropped(self) -> int:
        """Rows read but not in :attr:`documents`."""
        return int((self._exclusions["action"] == "dropped").sum())

    def check_accounting(self) -> None:
        """Raise :class:`FramingError` unless rows read == documents + dropped rows."""
        if self.n_read != len(self) + self.n_dropped:
            raise FramingError(
                f"{self.name}: {self.n_read} rows read but {len(self)} documents + "
                f"{self.n_dropped} dropped; a row went missing without a log entry."
            )

    # ------------------------------------------------------------------ derived corpora
    def filter(self, mask: pd.Series | Callable[[pd.DataFrame], pd.Series], *,
               reason: str, detail: str = "") -> Corpus:
        """Keep documents where ``mask`` is true; the others are logged as dropped ``reason``.

        Parameters
        ----------
        mask : boolean Series aligned with :attr:`documents`, or a function of the documents
        reason : str
            Short reason code for the exclusion log (e.g. ``"outside_window"``).
        detail : str
            Human-readable description of the filter.
        """
        docs = self._documents
        keep = mask(docs) if callable(mask) else mask
        keep = pd.Series(keep, index=docs.index).fillna(False).astype(bool)
        gone = docs.loc[~keep]
        log = pd.DataFrame({"source_file": gone["source_file"], "row": pd.NA,
                            "doc_id": gone["doc_id"], "reason": reason,
                            "detail": detail or reason, "action": "dropped"})
        return replace(self, _documents=docs.loc[keep].reset_index(drop=True),
                       _exclusions=_append(self._exclusions, log),
                       steps=(*self.steps, f"filter {reason}: kept {int(keep.sum())}"))

    # ------------------------------------------------------------------ summaries
    def summary(self, *, freq: str = "M") -> dict[str, pd.DataFrame]:
        """Tidy tables: ``by_outlet_month`` (articles per outlet and period), ``exclusions``
        (rows per reason and action), ``cleaning`` (documents and changes per cleaning rule) and
        ``accounting`` (read, kept, dropped, flagged)."""
        docs = self._documents
        period = docs["published"].dt.to_period(freq).astype(str).replace("NaT", "undated")
        by = (docs.assign(period=period).groupby(["outlet", "period"], dropna=False)
              .size().rename("articles").reset_index()
              .sort_values(["outlet", "period"], ignore_index=True))
        excl = (self._exclusions.groupby(["reason", "action"]).size().rename("rows")
                .reset_index().sort_values(["action", "rows"], ascending=[True, False],
                                           ignore_index=True))
        acc = pd.DataFrame({
            "measure": ["rows_read", "documents", "dropped", "flagged_rows", "outlets"],
            "value": [self.n_read, len(self), self.n_dropped,
                      int(self._exclusions.loc[self._exclusions["action"] == "flagged", "doc_id"]
                          .nunique()), int(docs["outlet"].nunique())],
        })
        cleaning = (self._changes.groupby("rule").agg(documents=("doc_id", "nunique"),
                                                      changes=("count", "sum"))
                    .reset_index().sort_values(["documents", "rule"], ascending=[False, True],
                                               ignore_index=True))
        return {"by_outlet_month": by, "exclusions": excl, "cleaning": cleaning,
                "accounting": acc}


def _append(table: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    if more.empty:
        return table
    more = more.reindex(columns=list(EXCLUSION_COLUMNS))
    more["row"] = more["row"].astype("Int64")
    if table.empty:
        return more.reset_index(drop=True)
    return pd.concat([table, more], ignore_index=True)


def _merge_duplicates(data: pd.DataFrame, dups: pd.DataFrame) -> pd.DataFrame:
    """Add the duplicate flags as columns ("" where a document is not flagged)."""
    cols = {"kind": "duplicate_kind", "duplicate_of": "duplicate_of",
            "group_id": "duplicate_group", "agency": "wire_agency"}
    flags = dups[["doc_id", *cols]].astype(str).rename(columns=cols)
    data = data.drop(columns=[c for c in cols.values() if c in data])
    data = data.merge(flags, on="doc_id", how="left", validate="one_to_one")
    for col in cols.values():
        data[col] = data[col].fillna("").astype(object)
    return data


def _flag_duplicates(data: pd.DataFrame, exclusions: pd.DataFrame,
                     options: Mapping | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Cleaning moved datelines out of the text; they carry the agency credit ("(Reuters)").
    text = data["text"]
    if "dateline" in data:
        text = (data["dateline"].fillna("") + "\n" + text).str.strip()
    dups = find_duplicates(data.assign(text=text), **dict(options or {}))
    data = _merge_duplicates(data, dups)
    source = data.set_index("doc_id")["source_file"]
    log = pd.DataFrame({"source_file": source.loc[dups["doc_id"]].to_numpy(), "row": pd.NA,
                        "doc_id": dups["doc_id"].to_numpy(), "reason": dups["kind"].to_numpy(),
                        "detail": dups["detail"].to_numpy(), "action": "flagged"})
    return data, _append(exclusions, log)


def load_corpus(names: str | os.PathLike | Iterable[str | os.PathLike], *,
                data_home: str | os.PathLike | None = None, progress: bool = False,
                **options) -> Corpus:
    """Load one or several corpora by card name or file path, prepared and stacked.

    Parameters
    ----------
    names : str, path or list of them
        Card names (``"fa-kes"``; see ``framing corpora``) or paths of documents files.
    data_home : path-like, optional
        Where card corpora are found (argument > ``FRAMING_DATA`` > ``~/framing_data``).
    progress : bool
        Show a progress bar over the corpora.
    **options
        Passed to :meth:`Corpus.from_read` (``clean``, ``flag_duplicates``, ...). When several
        corpora are loaded, duplicates (and wire copies) are found across all of them together.

    Examples
    --------
    >>> corpus = load_corpus(["fa-kes", "allsides-abp"])  # doctest: +SKIP
    >>> corpus.summary()["accounting"]  # doctest: +SKIP
    """
    if isinstance(names, (str, os.PathLike)):
        names = [names]
    names = list(names)
    flag = options.pop("flag_duplicates", True)
    known = {c.name for c in list_cards()}
    parts = []
    for item in tqdm(names, desc="corpora", disable=not progress, unit="corpus"):
        if isinstance(item, str) and item in known:
            parts.append(Corpus.from_card(item, data_home=data_home,
                                          flag_duplicates=flag and len(names) == 1, **options))
        else:
            parts.append(Corpus.from_file(item, flag_duplicates=flag and len(names) == 1,
                                          **options))
    corpus = parts[0] if len(parts) == 1 else Corpus.concat(parts)
    if flag and len(parts) > 1:
        # Wire copies cross corpus boundaries (a Reuters story in AllSides and in FA-KES).
        docs, excl = _flag_duplicates(corpus._documents, corpus._exclusions,
                                      options.get("duplicate_options"))
        corpus = replace(corpus, _documents=docs, _exclusions=excl,
                         steps=(*corpus.steps, "duplicates flagged across corpora"))
    corpus.check_accounting()
    return corpus
