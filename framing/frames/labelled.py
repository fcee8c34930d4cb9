"""Labelled framing corpora: human frame codes with the texts they were given to.

Three labelled sets staged in the data home (``frames/<folder>/labels.csv.gz``, each with a
``PROVENANCE.md`` saying where it came from, its licence and how to cite it) are read into one
shape, a :class:`LabelledCorpus`:

``semeval2023`` (``semeval2023-en``, ``-it``, ``-fr``, ``-ge``, ``-po``, ``-ru``, ``-all``)
    SemEval-2023 Task 3 subtask 2, training split: full articles, 14 policy frames of the Media
    Frames Corpus scheme, multi-label. English by default; the ``lang`` column is kept.
    **No licence accompanies the mirrored copy: internal evaluation only.**
``gvfc`` / ``gvfc-main`` (``gvfc-lead``, ``gvfc-main-lead``)
    Gun Violence Frame Corpus: 1,300 headlines, 9 issue-specific frames. ``gvfc`` is multi-label
    (first and second frame), ``gvfc-main`` single-label (the first, "main" frame). The
    ``-lead`` variants append the article's first three sentences to the headline.
``narrative-frames``
    Narrative Frames Corpus (Frermann et al. 2023): 427 annotated climate articles, 5 generic
    frames (conflict, economic, human_interest, moral, resolution), multi-label; an article may
    have none. The one unannotated article (``nfc_405``) is left out (logged).

Any CSV of your own is read with :func:`read_labels`.

The labelled table
------------------
:attr:`LabelledCorpus.data` has one row per document: ``doc_id``, ``text``, ``frames`` (a
Python ``list`` of frame names, sorted; empty when the coders found none) and the corpus's
metadata columns (``lang``, ``title``, ``outlet`` ... where it has them). The frame *list* is
the storage form because it is the same for multi- and single-label schemes and survives
filtering; :meth:`LabelledCorpus.indicators` gives the wide 0/1 table (one column per frame,
indexed by ``doc_id``) that :class:`~framing.frames.classifier.FrameClassifier` and
:func:`~framing.frames.evaluation.evaluate_frames` take, and :meth:`LabelledCorpus.target`
the estimator's ``y`` in either case.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..datasets import ENV_VAR, get_data_home
from ..errors import DataNotFoundError, ParameterError, SchemaError
from ..schema import require_columns

__all__ = [
    "LabelledCorpus",
    "LABELLED_CORPORA",
    "list_labelled",
    "load_labelled",
    "read_labels",
    "frames_to_indicators",
]

logger = logging.getLogger(__name__)

SEMEVAL_FRAMES = (
    "Capacity_and_resources", "Crime_and_punishment", "Cultural_identity", "Economic",
    "External_regulation_and_reputation", "Fairness_and_equality", "Health_and_safety",
    "Legality_Constitutionality_and_jurisprudence", "Morality",
    "Policy_prescription_and_evaluation", "Political", "Public_opinion", "Quality_of_life",
    "Security_and_defense",
)
SEMEVAL_LANGS = ("en", "fr", "ge", "it", "po", "ru")
GVFC_FRAMES = (
    "2nd Amendment rights", "Gun control/regulation", "Politics", "Mental health",
    "School or public space safety", "Race/ethnicity", "Public opinion", "Society/culture",
    "Economic consequences",
)
NFC_FRAMES = ("conflict", "economic", "human_interest", "moral", "resolution")

#: Folder (under the data home) of each labelled corpus and what the names mean.
LABELLED_CORPORA = {
    "semeval2023": {"folder": "frames/semeval2023_task3_framing", "frames": SEMEVAL_FRAMES,
                    "multilabel": True,
                    "title": "SemEval-2023 Task 3 subtask 2 (train), 14 policy frames; "
                             "suffix -en (default), -fr, -ge, -it, -po, -ru or -all"},
    "gvfc": {"folder": "frames/gvfc", "frames": GVFC_FRAMES, "multilabel": True,
             "title": "Gun Violence Frame Corpus headlines, 9 frames (first + second frame)"},
    "gvfc-main": {"folder": "frames/gvfc", "frames": GVFC_FRAMES, "multilabel": False,
                  "title": "Gun Violence Frame Corpus headlines, main frame (single label)"},
    "narrative-frames": {"folder": "frames/narrative_frames_climate", "frames": NFC_FRAMES,
                         "multilabel": True,
                         "title": "Narrative Frames Corpus (climate), 5 generic frames"},
}


@dataclass(frozen=True)
class LabelledCorpus:
    """Texts with human frame codes.

    Attributes
    ----------
    name : str
        Corpus name (``"semeval2023-en"``, ``"gvfc-main"``, or the file name for a CSV).
    data : DataFrame
        One row per document: ``doc_id``, ``text``, ``frames`` (list of str) and metadata.
    frames : tuple of str
        The scheme's frames, in a fixed order (the columns of :meth:`indicators`).
    multilabel : bool
        Whether a document may carry several frames (else exactly one).
    source : str
        Where the codes were read from.
    notes : tuple of str
        Caveats (licence, rows left out).
    """

    name: str
    data: pd.DataFrame = field(repr=False)
    frames: tuple[str, ...]
    multilabel: bool
    source: str = ""
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.data)

    @property
    def texts(self) -> pd.Series:
        """The ``text`` column (indexed like :attr:`data`)."""
        return self.data["text"]

    def indicators(self) -> pd.DataFrame:
        """Wide 0/1 table: one row per document (index ``doc_id``), one column per frame."""
        return frames_to_indicators(self.data["frames"], self.frames,
                                    index=pd.Index(self.data["doc_id"], name="doc_id"))

    def target(self):
        """The ``y`` of a classifier: :meth:`indicators` (multi-label) or the label of each
        document as a Series (single-label)."""
        if self.multilabel:
            return self.indicators()
        return pd.Series([f[0] for f in self.data["frames"]], index=self.data["doc_id"],
                         name="frame")

    def frame_counts(self) -> pd.Series:
        """Documents per frame, in :attr:`frames` order."""
        return self.indicators().sum().rename("documents")

    def subset(self, mask) -> LabelledCorpus:
        """The corpus restricted to the rows where ``mask`` is true (a new object)."""
        data = self.data[np.asarray(mask, dtype=bool)].reset_index(drop=True)
        return LabelledCorpus(self.name, data, self.frames, self.multilabel, self.source,
                              self.notes)

    def __repr__(self) -> str:
        kind = "multi-label" if self.multilabel else "single-label"
        return f"<LabelledCorpus {self.name!r}: {len(self)} documents, {len(self.frames)} " \
               f"frames, {kind}>"


def frames_to_indicators(frames: Sequence, classes: Sequence[str], *, index=None
                         ) -> pd.DataFrame:
    """Lists of frame names -> a 0/1 table with one column per class.

    Raises :class:`SchemaError` when a list holds a name that is not a class.

    Examples
    --------
    >>> frames_to_indicators([["a"], [], ["b", "a"]], ["a", "b"]).values.tolist()
    [[1, 0], [0, 0], [1, 1]]
    """
    classes = list(classes)
    position = {c: i for i, c in enumerate(classes)}
    out = np.zeros((len(frames), len(classes)), dtype=np.int64)
    for row, names in enumerate(frames):
        for name in names:
            if name not in position:
                raise SchemaError(f"row {row + 1}: frame {name!r} is not one of {classes}.")
            out[row, position[name]] = 1
    return pd.DataFrame(out, columns=classes, index=index)


def list_labelled(data_home: str | os.PathLike | None = None) -> pd.DataFrame:
    """The labelled corpora this module reads and whether each is in the data home."""
    home = get_data_home(data_home)
    return pd.DataFrame([{"name": name, "present": (home / spec["folder"] / "labels.csv.gz")
                          .is_file(), "multilabel": spec["multilabel"],
                          "frames": len(spec["frames"]), "title": spec["title"]}
                         for name, spec in LABELLED_CORPORA.items()])


def _split_frames(value, sep: str) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return sorted({part.strip() for part in str(value).split(sep) if part.strip()})


def _read_file(name: str, folder: str, data_home) -> tuple[pd.DataFrame, str]:
    home = get_data_home(data_home)
    path = home / folder / "labels.csv.gz"
    if not path.is_file():
        raise DataNotFoundError(
            f"Labelled corpus {name!r} is not in the data home {home} (expected {path}). "
            f"Point {ENV_VAR} (or data_home=) at the folder that holds frames/, or copy "
            f"labels.csv.gz (with its PROVENANCE.md) to {path.parent}/.")
    return pd.read_csv(path, dtype=str, keep_default_na=False), str(path)


def _parse_name(name: str) -> tuple[str, dict]:
    key = name.lower().strip()
    if key.startswith("semeval2023"):
        lang = key.removeprefix("semeval2023").lstrip("-") or "en"
        return "semeval2023", {"lang": lang}
    if key.startswith("gvfc"):
        lead = key.endswith("-lead")
        base = key.removesuffix("-lead")
        if base in ("gvfc", "gvfc-main"):
            return base, {"lead": lead}
    if key in ("narrative-frames", "nfc", "narrative_frames_climate"):
        return "narrative-frames", {}
    raise DataNotFoundError(f"No labelled corpus named {name!r}. Known: semeval2023[-LANG] "
                            f"(LANG in {', '.join(SEMEVAL_LANGS)}, all), gvfc, gvfc-main, "
                            "gvfc-lead, gvfc-main-lead, narrative-frames; or give a CSV file "
                            "(framing.frames.read_labels).")


def load_labelled(name: str, *, data_home: str | os.PathLike | None = None,
                  lang: str | None = None) -> LabelledCorpus:
    """Read a labelled framing corpus from the data home.

    Parameters
    ----------
    name : str
        ``"semeval2023"`` (= ``"semeval2023-en"``), ``"semeval2023-<lang>"`` or
        ``"semeval2023-all"``; ``"gvfc"``, ``"gvfc-main"`` (``-lead`` adds the first three
        sentences to the headline); ``"narrative-frames"``.
    data_home : path-like, optional
        Default: ``$FRAMING_DATA``, else ``~/framing_data``.
    lang : str, optional
        SemEval language; overrides the name's suffix (``"all"`` keeps every language).

    Returns
    -------
    LabelledCorpus

    Raises
    ------
    DataNotFoundError
        The name is unknown or the file is not in the data home (the message says where it
        should be and how to point the data home at it).

    Examples
    --------
    >>> corpus = load_labelled("gvfc-main")                       # doctest: +SKIP
    >>> corpus.target().value_counts().head(2)                    # doctest: +SKIP
    """
    base, options = _parse_name(name)
    spec = LABELLED_CORPORA[base]
    raw, source = _read_file(name, spec["folder"], data_home)
    notes: list[str] = []
    if base == "semeval2023":
        lang = (lang or options["lang"]).lower()
        if lang != "all" and lang not in SEMEVAL_LANGS:
            raise ParameterError(f"lang={lang!r}: SemEval-2023 has {SEMEVAL_LANGS} (or 'all').")
        data = raw if lang == "all" else raw[raw["lang"] == lang]
        data = data.assign(frames=[_split_frames(v, ";") for v in data["frames"]])
        data = data.drop(columns=["n_frames"]).rename(columns={"id": "doc_id"})
        display = f"semeval2023-{lang}"
        notes.append("No licence accompanies this copy: internal research/evaluation only "
                     "(see PROVENANCE.md).")
    elif base in ("gvfc", "gvfc-main"):
        data = raw.rename(columns={"id": "doc_id"})
        if base == "gvfc":
            data = data.assign(frames=[_split_frames(v, ";") for v in data["frames"]])
        else:
            data = data.assign(frames=[[v] for v in data["frame1"]])
        data = data.rename(columns={"text": "title"})
        data["text"] = (data["title"] + "\n\n" + data["lead3"]).str.strip() if options["lead"] \
            else data["title"]
        display = base + ("-lead" if options["lead"] else "")
    else:
        missing = raw["conflict"] == ""
        if missing.any():
            logger.info("narrative-frames: %d unannotated article(s) left out (%s)",
                        int(missing.sum()), ", ".join(raw.loc[missing, "id"]))
            notes.append(f"{int(missing.sum())} unannotated article(s) left out.")
        data = raw[~missing].rename(columns={"id": "doc_id"})
        values = data[list(NFC_FRAMES)].astype(float).astype(int).to_numpy()
        data = data.drop(columns=["frames", *NFC_FRAMES]).assign(
            frames=[[f for f, v in zip(NFC_FRAMES, row, strict=True) if v] for row in values])
        display = base
    columns = ["doc_id", "text", "frames", *[c for c in data.columns
                                             if c not in ("doc_id", "text", "frames")]]
    data = data[columns].reset_index(drop=True)
    frames_to_indicators(data["frames"], spec["frames"])  # every name is in the scheme
    logger.info("%s: %d labelled documents from %s", display, len(data), source)
    return LabelledCorpus(display, data, tuple(spec["frames"]), spec["multilabel"], source,
                          tuple(notes))


def read_labels(path: str | os.PathLike | pd.DataFrame, *, text_column: str = "text",
                frames_column: str | None = "frames", frame_columns: Sequence[str] | None = None,
                id_column: str = "doc_id", sep: str = ";", multilabel: bool | None = None,
                title_column: str | None = None, name: str | None = None) -> LabelledCorpus:
    """Read human frame codes from a CSV file (or a DataFrame) of your own.

    Two layouts are understood:

    * a **frames column** (default ``frames``) holding the frame names of each document joined
      by ``sep`` (``"Economic;Political"``; empty = no frame), or
    * **indicator columns** (``frame_columns=[...]``): one 0/1 column per frame.

    Parameters
    ----------
    path : path-like or DataFrame
    text_column : str
        Column with the text to classify.
    frames_column : str, optional
        Column of ``sep``-joined frame names (ignored when ``frame_columns`` is given).
    frame_columns : list of str, optional
        0/1 indicator columns, one per frame.
    id_column : str
        Document id column; when absent, ids ``row1``, ``row2`` ... are made.
    sep : str
        Separator of the frames column.
    multilabel : bool, optional
        ``False`` for a single-label scheme (every document must have exactly one frame).
        By default: single-label when every row has exactly one frame, else multi-label.
    title_column : str, optional
        Prepended to the text (``title + blank line + text``), as in the SemEval files.
    name : str, optional
        Name of the corpus (default: the file name).

    Examples
    --------
    >>> import pandas as pd
    >>> codes = pd.DataFrame({"text": ["Tax cut hits budget", "Court ruling on strike"],
    ...                       "frames": ["Economic", "Legal;Economic"]})
    >>> corpus = read_labels(codes)
    >>> corpus.frames, corpus.multilabel, corpus.indicators().values.tolist()
    (('Economic', 'Legal'), True, [[1, 0], [1, 1]])
    """
    if isinstance(path, pd.DataFrame):
        raw, source = path.copy(), "<DataFrame>"
    else:
        if not os.path.isfile(path):
            raise DataNotFoundError(f"Labels file {path} does not exist. Give a CSV with a "
                                    f"{text_column!r} column and a {frames_column!r} column "
                                    "(or 0/1 frame columns), or a labelled corpus name such "
                                    "as semeval2023-en.")
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        source = os.fspath(path)
    require_columns(raw, [text_column], table="labels", source=source)
    if frame_columns:
        require_columns(raw, frame_columns, table="labels", source=source)
        frames = []
        for row, values in enumerate(raw[list(frame_columns)].itertuples(index=False)):
            try:
                on = [float(v or 0) for v in values]
            except ValueError as exc:
                raise SchemaError(f"{source}: row {row + 1}: frame columns must hold 0/1 "
                                  f"({exc}).") from None
            frames.append([f for f, v in zip(frame_columns, on, strict=True) if v > 0])
        classes = tuple(frame_columns)
    else:
        if frames_column is None:
            raise ParameterError("give frames_column or frame_columns.")
        require_columns(raw, [frames_column], table="labels", source=source)
        frames = [_split_frames(v, sep) for v in raw[frames_column]]
        classes = tuple(sorted({f for names in frames for f in names}))
    if not classes:
        raise SchemaError(f"{source}: no frame is coded in any row.")
    one_each = all(len(f) == 1 for f in frames)
    if multilabel is None:
        multilabel = not one_each
    elif not multilabel and not one_each:
        bad = next(i for i, f in enumerate(frames) if len(f) != 1)
        raise SchemaError(f"{source}: row {bad + 1} has {len(frames[bad])} frames; a "
                          "single-label scheme needs exactly one per row.")
    ids = (raw[id_column] if id_column in raw.columns
           else pd.Series([f"row{i + 1}" for i in range(len(raw))]))
    text = raw[text_column].astype(str)
    if title_column:
        require_columns(raw, [title_column], table="labels", source=source)
        text = (raw[title_column].astype(str) + "\n\n" + text).str.strip()
    meta = raw.drop(columns=[c for c in (id_column, text_column, frames_column,
                                         *(frame_columns or ())) if c in raw.columns])
    data = pd.concat([pd.DataFrame({"doc_id": ids.astype(str).to_numpy(),
                                    "text": text.to_numpy(), "frames": frames}),
                      meta.reset_index(drop=True)], axis=1)
    if data["doc_id"].duplicated().any():
        raise SchemaError(f"{source}: column {id_column!r} has duplicated ids, e.g. "
                          f"{data.loc[data['doc_id'].duplicated(), 'doc_id'].iloc[0]!r}.")
    label = name or (os.path.basename(source) if source != "<DataFrame>" else "labels")
    return LabelledCorpus(label, data, classes, bool(multilabel), source)
