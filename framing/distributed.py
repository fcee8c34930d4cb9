"""Run :func:`framing.outofcore.process_corpus` on a Dask cluster.

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
broadcast=True)``). scikit-learn's own parallelism is not used: predicting a chunk is one
sparse matrix product, and the chunks are already the unit of parallel work (joblib's Dask
backend would add scheduling overhead without adding parallelism).
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from .errors import ParameterError
from .outofcore import (
    _complete,
    _iter_raw,
    _Ledger,
    _Options,
    _ParquetSpec,
    _prepare,
    _Prepared,
    _read_parquet_spec,
)

__all__ = ["run_on_client"]

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
