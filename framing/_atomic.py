"""Atomic output folders: write into a temporary sibling, rename it into place when complete.

A failed run removes its temporary folder and never leaves a partial output over a good one;
an earlier output is removed only after the new one has taken its place. Used by
:func:`framing.outofcore.process_corpus`, the ``doc_topics`` partitions of
:class:`framing.topics.StreamingTopicModel` and ``framing report``. (Single files are written
atomically by ``framing.datasets._atomic_write``.)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ParameterError

__all__ = ["AtomicDirectory", "write_json"]


class AtomicDirectory:
    """An output folder written atomically through a temporary sibling folder.

    Write into :attr:`tmp`, then :meth:`commit` (swap it in for :attr:`out`) or
    :meth:`discard` (remove it). As a context manager, the block's normal end commits and an
    exception discards.

    Parameters
    ----------
    out_dir : path-like
        The output folder (resolved; its parent is created).
    marker : str, optional
        File that marks an earlier output of the same kind: an existing ``out_dir`` that is not
        a folder, or is a non-empty folder without ``marker``, is refused. Without ``marker``
        any existing folder is replaced.
    kind : str
        What an earlier output is, for the refusal message ("a doc_topics output").

    Raises
    ------
    ParameterError
        ``out_dir`` exists and is not an earlier output (see ``marker``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with AtomicDirectory(Path(tempfile.mkdtemp()) / "out") as target:
    ...     _ = (target.tmp / "table.csv").write_text("a\\n1\\n")
    >>> sorted(p.name for p in target.out.iterdir())
    ['table.csv']
    """

    def __init__(self, out_dir: str | os.PathLike, *, marker: str | None = None,
                 kind: str = ""):
        out = Path(out_dir).resolve()
        if marker is not None and out.exists() and (
                not out.is_dir() or (any(out.iterdir()) and not (out / marker).is_file())):
            raise ParameterError(f"{out}: exists and is not {kind} (no {marker}); refusing to "
                                 "replace it. Choose a new or empty folder.")
        out.parent.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))

    def commit(self) -> Path:
        """Swap :attr:`tmp` in for :attr:`out` and return :attr:`out`; on failure the earlier
        output is put back and :attr:`tmp` removed."""
        try:
            self.tmp.chmod(0o755)
            if self.out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-",
                                            dir=self.out.parent))
                old.rmdir()
                self.out.rename(old)
                try:
                    self.tmp.rename(self.out)
                except BaseException:
                    old.rename(self.out)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                self.tmp.rename(self.out)
        except BaseException:
            self.discard()
            raise
        return self.out

    def discard(self) -> None:
        """Remove :attr:`tmp` (if it is still there)."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> AtomicDirectory:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def write_json(path: Path, data: Any, *, default: Callable[[Any], Any] | None = str) -> None:
    """Write the JSON description of an output folder (``indent=1``, UTF-8, final newline).

    ``default`` converts values JSON does not know (as in :func:`json.dumps`); ``None``
    raises ``TypeError`` on them instead.
    """
    path.write_text(json.dumps(data, indent=1, default=default) + "\n", encoding="utf-8")
