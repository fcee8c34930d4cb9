"""Seeded events over corpora larger than memory: :func:`assign_events`'s table, streamed.

:func:`stream_events` gives, document for document, the table ``assign_events`` gives on the
whole corpus, while holding one chunk of documents, one block of counts, the vocabulary and the
event profiles. The seeded matcher needs one statistic of the whole corpus, the IDF of its text
space, so the source is read twice:

1. **Counting** (:func:`~framing.topics.streaming.spool_counts`): the word texts of
   :class:`~framing.events.EventFeatures` (title repeated ``title_weight`` times, then the body)
   are tokenised once by the word vectorizer and their counts spooled to disk; the document
   frequencies give the vocabulary and IDF that ``TfidfVectorizer.fit`` learns on the whole
   corpus (same pruning, same arithmetic in ``float32``).
2. **Scoring**: the source is read again in the same blocks, for ``published``, ``title`` and
   ``text``; each block's spooled counts become tf-idf rows, scored against the event profiles
   and weighted by date, and the articles that pass the threshold are split into sentences to
   count mentions, exactly as :meth:`SeededEventMatcher.assign` does. Each block's assignments
   are written as one Parquet partition, to a temporary folder renamed into place at the end.

Only ``entity_weight=0`` (the matcher's default) is streamed: the entity block would need a
second vocabulary pass.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .._atomic import AtomicDirectory, write_json
from ..errors import ParameterError
from ..topics.streaming import _blocks, _ids, _positive, _source_chunks, spool_counts
from .features import EventFeatures
from .seeded import SeededEventMatcher, _check_documents, _warn_undated
from .table import ASSIGNMENT_COLUMNS

__all__ = ["stream_events", "EVENTS_INFO"]

logger = logging.getLogger(__name__)

#: Name of the JSON file that describes a streamed events output folder.
EVENTS_INFO = "_events.json"

_COLUMNS = ("doc_id", "published", "title", "text")


def stream_events(source, out_dir, *, events=None, chunk_size: int = 5000, spool_dir=None,
                  **params) -> Path:
    """Assign the documents of a large corpus to seeded events, writing Parquet partitions.

    Parameters
    ----------
    source : chunk source
        A folder of Parquet partitions, the output folder of
        :func:`~framing.outofcore.process_corpus` (or its ``ProcessResult``), a Parquet, CSV,
        TSV or JSONL file, a corpus card name, a DataFrame, or a zero-argument callable that
        returns a fresh iterator of DataFrame chunks. It is read twice, so a one-shot iterator
        is refused. Documents need ``doc_id``, ``published`` (dates) and ``text``; ``title`` is
        optional.
    out_dir : path-like
        Output folder: ``part-NNNNN.parquet`` files (``doc_id, event_id, score``, in corpus
        order, ``chunk_size`` documents each) and ``_events.json`` (counts and parameters).
        An earlier output of this function is replaced; any other non-empty folder is refused.
    events : sequence of EventDefinition, path-like or None
        Event definitions (default: the shipped ``corpora/_events.toml``).
    chunk_size : int
        Documents read, counted and scored at a time.
    spool_dir : path-like, optional
        Where the temporary counts go (default: the system's temporary folder).
    **params
        Parameters of :class:`SeededEventMatcher` (``entity_weight`` must stay 0).

    Returns
    -------
    Path
        ``out_dir``; ``pd.read_parquet(out_dir)`` is the assignments table.

    Examples
    --------
    >>> import tempfile
    >>> docs = pd.DataFrame({
    ...     "doc_id": ["a", "b", "c"],
    ...     "published": pd.to_datetime(["2017-04-04", "2017-04-07", "2017-04-07"]),
    ...     "title": ["Gas attack kills dozens", "Navy fires Tomahawk missiles", "Budget talks"],
    ...     "text": ["A sarin gas attack hit Khan Shaykhun.",
    ...              "Tomahawk missiles hit the Shayrat air base.",
    ...              "Congress debated the budget."]})
    >>> out = stream_events(docs, Path(tempfile.mkdtemp()) / "events", chunk_size=2)
    >>> pd.read_parquet(out)[["doc_id", "event_id"]].values.tolist()
    [['a', 'khan-shaykhun-2017'], ['b', 'shayrat-strike-2017'], ['c', '']]
    """
    chunk_size = _positive("chunk_size", chunk_size)
    if not (isinstance(source, (str, os.PathLike, pd.DataFrame, list, tuple)) or callable(source)
            or hasattr(source, "files")):
        raise ParameterError("stream_events reads the source twice: give a path, a DataFrame, a "
                             "ProcessResult or a callable returning a fresh iterator of chunks, "
                             f"not a one-shot {type(source).__name__}.")
    matcher = SeededEventMatcher(events, **params)
    matcher._prepare()
    if float(matcher.entity_weight) != 0.0:
        raise ParameterError(f"entity_weight={matcher.entity_weight!r}: stream_events streams "
                             "the word block only; use entity_weight=0 (the default) or "
                             "assign_events on a corpus that fits in memory.")
    features = EventFeatures(title_weight=matcher.title_weight, entity_weight=0.0)
    features._validate()

    def word_chunks() -> Iterator[pd.DataFrame]:
        # The checked reader of the scoring pass, so that a missing column or a bad date fails
        # on its first chunk rather than after the whole counting pass.
        for chunk in _dated_chunks(source, chunk_size):
            yield pd.DataFrame({"doc_id": chunk["doc_id"].to_numpy(),
                                "text": features.word_texts(chunk).to_numpy()})

    start = time.perf_counter()
    with spool_counts(word_chunks, features.word_vectorizer(), block_size=chunk_size,
                      chunk_size=chunk_size, spool_dir=spool_dir) as spool:
        counted = time.perf_counter() - start
        tfidf = spool.tfidf_transformer()
        features.words_, features.entities_ = spool.vectorizer, None
        features.words_.idf_ = tfidf.idf_
        matcher.features_ = features
        matcher._set_profiles()
        assigned = np.zeros(len(matcher.events_), dtype=np.int64)
        unassigned = undated = 0
        with AtomicDirectory(out_dir, marker=EVENTS_INFO, kind="a stream_events output") as target:
            blocks = _blocks(_dated_chunks(source, chunk_size), chunk_size)
            for index, (chunk, (ids, counts)) in enumerate(
                    zip(blocks, spool.iter_blocks(), strict=True)):
                if not np.array_equal(_ids(chunk["doc_id"]), ids):
                    raise ParameterError(f"block {index}: the source gave other documents on the "
                                         "second pass; stream_events needs a source that reads "
                                         "the same way twice.")
                vectors = features.combine(tfidf.transform(counts, copy=False))
                undated += int(chunk["published"].isna().sum())  # one warning, at the end
                scores = matcher._text_scores(vectors) * matcher._time_weights(chunk)
                table = matcher._assign(chunk, scores)
                table.to_parquet(target.tmp / f"part-{index:05d}.parquet", index=False)
                hits = table.loc[table["event_id"] != "", "event_id"]
                assigned += hits.value_counts().reindex(matcher.event_ids_, fill_value=0
                                                        ).to_numpy()
                unassigned += int((table["event_id"] == "").sum())
            info = {"n_documents": spool.n_documents, "n_terms": spool.n_terms,
                    "assigned": dict(zip(matcher.event_ids_, assigned.tolist(), strict=True)),
                    "unassigned": unassigned, "undated": undated,
                    "columns": list(ASSIGNMENT_COLUMNS), "chunk_size": chunk_size,
                    "params": {k: v for k, v in matcher.get_params().items() if k != "events"},
                    "events": matcher.event_ids_,
                    "seconds": {"count": round(counted, 3),
                                "score": round(time.perf_counter() - start - counted, 3)}}
            write_json(target.tmp / EVENTS_INFO, info)
    _warn_undated(undated, stacklevel=3)
    logger.info("stream_events: %d documents, %d assignments, %d in no event -> %s",
                spool.n_documents, int(assigned.sum()), unassigned, target.out)
    return target.out


def _dated_chunks(source, chunk_size: int) -> Iterator[pd.DataFrame]:
    """Chunks with ``doc_id, published, title, text``, ``published`` as datetime64."""
    for chunk in _source_chunks(source, chunk_size, _COLUMNS):
        chunk = chunk.reset_index(drop=True)
        if "published" in chunk and not pd.api.types.is_datetime64_any_dtype(chunk["published"]):
            parsed = pd.to_datetime(chunk["published"], errors="coerce", format="mixed")
            bad = parsed.isna() & chunk["published"].notna()
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ParameterError(f"document {chunk['doc_id'].iloc[row]!r}: column "
                                     f"'published' holds {chunk['published'].iloc[row]!r}, "
                                     "not a date.")
            chunk["published"] = parsed
        _check_documents(chunk)
        yield chunk
