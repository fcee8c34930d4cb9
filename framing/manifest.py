"""Reproducibility manifest of a report: versions, config, parameters, seeds, checksums, counts.

The manifest is what a reader needs to rerun a study and check that they got the same thing:
the package and dependency versions, Python and platform, the study config (as read and as
resolved), every estimator's parameters and the seed, the SHA-256 of every input file and of
every output file, documents per outlet and event, and the excluded rows by reason. Its
``created`` timestamp and ``timings`` are the only fields that change between identical runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from .datasets import get_data_home, sha256_file

__all__ = ["input_files", "build_manifest", "output_checksums"]

MANIFEST_VERSION = 1


def input_files(corpus, *, data_home=None) -> list[dict[str, Any]]:
    """Every file the corpus was read from, with its SHA-256 (and the card's, when known)."""
    rows = []
    home = get_data_home(data_home)
    for card in corpus.cards:
        for spec, path in zip(card.files, card.paths(home), strict=True):
            rows.append({"corpus": card.name, "path": spec.path,
                         "sha256": sha256_file(path) if path.is_file() else None,
                         "card_sha256": spec.sha256, "license": card.license})
    carded = {row["path"] for row in rows}
    for source in sorted(set(corpus.documents["source_file"].astype(str))):
        path = Path(source)
        if source not in carded and path.is_file():
            rows.append({"corpus": corpus.name, "path": str(path.resolve()),
                         "sha256": sha256_file(path), "card_sha256": None, "license": None})
    return rows


def output_checksums(folder: str | os.PathLike, *, skip: tuple[str, ...] = ("manifest.json",)
                     ) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (relative POSIX paths, sorted)."""
    folder = Path(folder)
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel not in skip:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _records(table: pd.DataFrame) -> list[dict]:
    return json.loads(table.to_json(orient="records"))


def build_manifest(result, *, inputs: list[dict], outputs: dict[str, str],
                   timings: dict[str, float]) -> dict[str, Any]:
    """The manifest of a report as a JSON-ready dict (see the module docstring)."""
    from . import versions

    config = result.config
    docs = result["corpus"].objects["documents"]
    counts = (docs.assign(event_id=docs["event_id"].replace("", "(none)"))
              .groupby(["outlet", "outlet_group", "event_id"]).size().rename("documents")
              .reset_index())
    exclusions = (result["corpus"].objects["corpus"].exclusions
                  .groupby(["reason", "action"]).size().rename("rows").reset_index())
    return {
        "manifest_version": MANIFEST_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        "study": {"name": config.name, "source": config.source,
                  "config_sha256": hashlib.sha256(config.text.encode()).hexdigest()
                  if config.text else None,
                  "config_text": config.text, "config": config.to_dict()},
        "seed": config.seed,
        "estimators": result.params,
        "inputs": inputs,
        "outputs": outputs,
        "counts_outlet_event": _records(counts),
        "exclusions": _records(exclusions),
        "warnings": result.warnings,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
