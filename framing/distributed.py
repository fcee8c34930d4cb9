"""Run :func:`framing.outofcore.process_corpus` on a Dask cluster, and code stored partitions
with :mod:`dask.dataframe`.

Pass a :class:`dask.distributed.Client` as ``client=`` and the chunks are processed by the
cluster's workers, each writing its own partitions, while the driver (the process that called
``process_corpus``) keeps the run-wide ledger of document ids and text digests::

    from dask.distributed import Client, LocalCluster
    from framing.outofcore import process_corpus

    with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
        result = process_corpus("news/", "out/", client=client)

How the work is split
---------------------
For every chunk ``k`` (the same cuts and numbers as a single-process run):

1. **read**: a Parquet chunk is read by a worker (``_read_parquet_spec``: the row groups it
   overlaps; a folder of partitions maps one file to one chunk when the files hold at most
   ``chunk_size`` rows); a CSV/JSONL chunk is parsed by the driver, which streams the file
   once, and scattered to a worker (record boundaries in quoted text cannot be found without
   parsing, and the parse is a small part of the cost);
2. **prepare** (worker): schema mapping, row checks, cleaning, text digests; the prepared chunk
   stays in the worker's memory and only its ids and digests go to the driver;
3. **resolve** (driver, in chunk order): ids already used by earlier chunks and texts already
   seen are looked up in the ledger, exactly as the single-process loop does;
4. **complete** (worker): ids and duplicate flags applied, codebooks, classifier, Parquet
   partitions written (``part-<k>.parquet``).

At most ``2 * workers + 2`` chunks are in the cluster at a time, so memory stays flat on the
driver and the workers. Because step 3 is the only one that looks across chunks and runs in
chunk order, the files are the same as a single-process run's.

The graph is built with futures, chunk by chunk, rather than as one ``dask.delayed`` or
``dask.dataframe`` graph up front: step 4 of chunk ``k`` depends on the driver's ledger after
chunk ``k - 1``, which a static graph could only express by holding every prepared chunk until
all are resolved. The classifier is sent to each worker once (``Client.scatter(...,
broadcast=True)``).

Work that needs no ledger is a ``dask.dataframe`` graph: :func:`code_partitions` codes and
classifies documents already stored as Parquet partitions (the ``documents/`` of a run, to code
them again with another codebook or model), one task per partition. Within a chunk there is
nothing for joblib to spread (predicting is one sparse matrix product); where scikit-learn work
is many independent fits, as in :func:`framing.topics.select_k`, ``n_jobs`` under
``joblib.parallel_config(backend="dask")`` sends the fits to the cluster.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ParameterError
from .outofcore import (
    _CODED_SCHEMA,
    _code,
    _codebook_specs,
    _complete,
    _iter_raw,
    _Ledger,
    _load_model,
    _Options,
    _ParquetSpec,
    _predict,
    _prepare,
    _Prepared,
    _read_parquet_spec,
)
from .schema import DOC_FRAMES_COLUMNS

__all__ = ["run_on_client", "code_partitions"]

logger = logging.getLogger(__name__)


def _keys_of(prepared: _Prepared):
    return prepared.keys()


def _check_client(client) -> int:
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is an optional dependency
        raise ParameterError("client= needs dask.distributed: pip install 'framing[scale]'."
                             ) from exc
    if not isinstance(client, Client):
        raise ParameterError(f"client={client!r}: expected a dask.distributed.Client.")
    if getattr(client, "asynchronous", False):
        raise ParameterError("client=: an asynchronous Client is not supported; use a "
                             "synchronous one.")
    workers = client.scheduler_info().get("workers", {})
    if not workers:
        raise ParameterError("client=: the cluster has no workers; start some first.")
    return len(workers)


def run_on_client(client, plan, opts: _Options, chunk_size: int, limit: int | None, model,
                  tmp: Path, progress: bool = False) -> tuple[list[dict[str, Any]], str]:
    """Process every chunk of ``plan`` on ``client``'s workers; return the chunk statistics
    (in chunk order) and a description of the run mode.

    Called by :func:`framing.outofcore.process_corpus`, which owns the temporary output
    folder ``tmp`` (the workers write their partitions there) and the summary.
    """
    from dask.distributed import wait
    from tqdm.auto import tqdm

    n_workers = _check_client(client)
    window = 2 * n_workers + 2
    token = uuid.uuid4().hex[:8]
    model_future = (client.scatter(model, broadcast=True, hash=False)
                    if model is not None else None)
    ledger = _Ledger()
    units = _iter_raw(plan, opts, chunk_size, limit, specs=True)
    prepared: dict[int, Any] = {}  # chunk -> future of its _Prepared (held in the cluster)
    key_futures: dict[Any, int] = {}
    ready: dict[int, Any] = {}  # chunk -> _Keys waiting for earlier chunks to be resolved
    completing: dict[Any, tuple[int, float]] = {}
    stats: dict[int, dict[str, Any]] = {}
    next_chunk, exhausted = 0, False
    bar = tqdm(desc="chunks", unit="chunk", disable=not progress)
    try:
        while True:
            while not exhausted and len(prepared) < window:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                    break
                k = unit.index
                if isinstance(unit, _ParquetSpec):
                    raw = client.submit(_read_parquet_spec, unit, key=f"framing-read-{k}-{token}")
                else:
                    raw = client.scatter(unit, hash=False)
                prepared[k] = client.submit(_prepare, raw, opts,
                                            key=f"framing-prepare-{k}-{token}")
                key_futures[client.submit(_keys_of, prepared[k],
                                          key=f"framing-keys-{k}-{token}")] = k
                del raw
            if exhausted and not key_futures and not completing and not ready:
                break
            done, _ = wait([*key_futures, *completing], return_when="FIRST_COMPLETED")
            for future in done:
                if future in key_futures:
                    ready[key_futures.pop(future)] = future.result()
                else:
                    k, resolve_seconds = completing.pop(future)
                    stat = future.result()
                    stat["timings"]["resolve"] = resolve_seconds
                    stats[k] = stat
                    del prepared[k]
                    bar.update(1)
            while next_chunk in ready:
                start = time.perf_counter()
                resolution = ledger.resolve(ready.pop(next_chunk))
                seconds = time.perf_counter() - start
                future = client.submit(_complete, prepared[next_chunk], resolution, opts,
                                       model_future, str(tmp),
                                       key=f"framing-complete-{next_chunk}-{token}")
                completing[future] = (next_chunk, seconds)
                next_chunk += 1
    except BaseException:
        client.cancel([*prepared.values(), *key_futures, *completing], force=True)
        raise
    finally:
        bar.close()
    if model_future is not None:
        client.cancel(model_future)
    mode = f"dask ({n_workers} worker{'s' if n_workers != 1 else ''})"
    logger.info("processed %d chunks on %d Dask workers", len(stats), n_workers)
    return [stats[k] for k in sorted(stats)], mode


# ======================================================================= dask.dataframe


@lru_cache(maxsize=4)
def _classifier_at(path: str):
    """A saved classifier, loaded once per worker process."""
    return _load_model(path)[0]


def _code_partition(part: pd.DataFrame, specs: tuple) -> pd.DataFrame:
    return _code(part.reset_index(drop=True), _Options(codebooks=specs), {})


def _predict_partition(part: pd.DataFrame, classifier) -> pd.DataFrame:
    model = _classifier_at(classifier) if isinstance(classifier, str) else classifier
    return _predict(part.reset_index(drop=True), model)


def _empty(names, score: str = "score") -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c == score else object) for c in names})


def code_partitions(documents, *, codebooks=("syria-2017",), classifier=None,
                    columns: Sequence[str] = ("doc_id", "title", "text")) -> dict[str, Any]:
    """Code documents stored as Parquet partitions, as :mod:`dask.dataframe` graphs.

    Coding and classifying are per document, so a corpus that is already read, checked,
    cleaned and deduplicated (the ``documents/`` partitions of
    :func:`~framing.outofcore.process_corpus`, or any Parquet folder with ``doc_id``, ``title``
    and ``text``) needs no driver in between: each partition becomes one task of a
    ``dask.dataframe`` graph, run by whatever scheduler is active (a
    :class:`dask.distributed.Client` when one exists, else Dask's local threads). Use it to
    code a processed corpus again with a new codebook or model.

    Parameters
    ----------
    documents : path or dask.dataframe.DataFrame
        A Parquet file or folder of partitions (only ``columns`` are read), or a Dask frame.
    codebooks : sequence of codebook names, paths or Codebook
        As in :func:`~framing.outofcore.process_corpus`.
    classifier : path or FrameClassifier, optional
        A saved model (loaded once per worker) or a fitted one (sent with the graph).
    columns : sequence of str
        Columns read from Parquet.

    Returns
    -------
    dict
        ``"doc_frames"``: a lazy Dask frame of the doc_frames table with a ``codebook``
        column; ``"predictions"`` (with ``classifier``): the classifier's doc_frames. Call
        ``.compute()`` or ``.to_parquet(path)``; partitions keep the order of the input's, and
        the rows equal those of :func:`~framing.frames.code_documents` and
        :meth:`~framing.frames.FrameClassifier.predict_frames` on the whole table.

    Examples
    --------
    >>> out = code_partitions("out/big/documents", codebooks=["generic"])  # doctest: +SKIP
    >>> out["doc_frames"].to_parquet("out/big/generic")  # doctest: +SKIP
    """
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - dask is an optional dependency
        raise ParameterError("code_partitions needs dask.dataframe: pip install "
                             "'framing[scale]'.") from exc
    if isinstance(documents, (str, os.PathLike)):
        path = Path(documents)
        if not path.exists():
            raise ParameterError(f"{path}: no such Parquet file or folder.")
        documents = dd.read_parquet(str(path), columns=list(columns))
    missing = [c for c in ("doc_id", "text") if c not in documents.columns]
    if missing:
        raise ParameterError(f"code_partitions: the documents lack column(s) {missing}; found "
                             f"{list(documents.columns)}.")
    specs = _codebook_specs(codebooks)
    out = {"doc_frames": documents.map_partitions(
        _code_partition, specs, meta=_empty(_CODED_SCHEMA.names), align_dataframes=False)}
    if classifier is not None:
        model, _ = _load_model(classifier)  # fails here, in the caller, if it is not a model
        sent = str(Path(classifier).resolve()) if isinstance(classifier, (str, os.PathLike)) \
            else model
        out["predictions"] = documents.map_partitions(
            _predict_partition, sent, meta=_empty(DOC_FRAMES_COLUMNS), align_dataframes=False)
    return out
