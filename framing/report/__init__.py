"""A study config in, a report directory out (``framing report``).

The directory holds ``index.html`` (one self-contained file, figures embedded), ``report.md``,
``tables/*.csv`` (every number the report shows), ``figures/*.png`` and ``*.svg`` and
``manifest.json``. It is written atomically: everything goes to a temporary sibling folder that
replaces the old report only once complete, so a failed run never leaves a half-written report
over a good one. Tables are written with fixed float formatting and row order, so the same
config and seed give byte-identical tables.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt

from .._atomic import AtomicDirectory, write_json
from ..manifest import build_manifest, input_files, output_checksums
from ..pipeline import StudyResult, run_study
from ..study import load_study
from .content import build_sections
from .figures import make_figures, save_figure
from .render import render_html, render_markdown

__all__ = ["ReportResult", "build_report", "write_report"]

logger = logging.getLogger(__name__)

#: Float format of the CSV tables: enough digits for any reanalysis, none of the noise.
FLOAT_FORMAT = "%.10g"


@dataclass
class ReportResult:
    """Where the report went, how long each stage took, and the study result behind it."""

    path: Path
    timings: dict[str, float]
    study: StudyResult

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
        return (f"report written to {self.path} ({sum(self.timings.values()):.1f} s: "
                f"{stages})")


def write_report(result: StudyResult, out: str | os.PathLike, *, data_home=None,
                 timings: dict[str, float] | None = None) -> Path:
    """Write the report of a finished study to ``out`` (atomically)."""
    timings = dict(timings or result.timings)
    config = result.config
    with AtomicDirectory(out) as target:
        tmp = target.tmp
        start = time.perf_counter()
        (tmp / "tables").mkdir()
        (tmp / "figures").mkdir()
        for name, table in sorted(result.tables.items()):
            table.to_csv(tmp / "tables" / f"{name}.csv", index=False, float_format=FLOAT_FORMAT,
                         lineterminator="\n")
        figures = make_figures(result)
        fconf = config["figures"]
        images = {}
        for fig in figures:
            paths = save_figure(fig, tmp / "figures", fconf["formats"], fconf["dpi"])
            images[fig.name] = paths["png"].read_bytes()  # the HTML embeds the saved PNG
        plt.close("all")
        corpus = result["corpus"].objects["corpus"]
        sections = build_sections(result, {f.name: f for f in figures}, cards=corpus.cards)
        from .. import __version__

        header = {"title": config["study"]["title"] or config.name,
                  "description": config["study"]["description"], "study": config.name,
                  "seed": config.seed, "version": __version__}
        (tmp / "index.html").write_text(render_html(sections, header=header, images=images),
                                        encoding="utf-8")
        (tmp / "report.md").write_text(render_markdown(sections, header=header),
                                       encoding="utf-8")
        timings["report"] = time.perf_counter() - start
        manifest = build_manifest(result, inputs=input_files(corpus, data_home=data_home),
                                  outputs=output_checksums(tmp), timings=timings)
        write_json(tmp / "manifest.json", manifest)
    result.timings.update(timings)
    return target.out


def build_report(study=None, out: str | os.PathLike | None = None, *, data_home=None,
                 progress: bool = False) -> ReportResult:
    """Run a study and write its report.

    Parameters
    ----------
    study : str, path or StudyConfig, optional
        Shipped study name, TOML file or config (default: the flagship ``khan-shaykhun-2017``).
    out : path, optional
        Report directory (default: ``report-<study name>`` in the working directory).
    data_home : path, optional
        Where the corpora are (default: ``FRAMING_DATA`` or ``~/framing_data``).
    progress : bool
        Progress bar over the stages.

    Returns
    -------
    ReportResult
    """
    config = load_study(study)
    out = Path(out) if out is not None else Path(f"report-{config.name}")
    result = run_study(config, data_home=data_home, progress=progress)
    path = write_report(result, out, data_home=data_home)
    return ReportResult(path=path, timings=dict(result.timings), study=result)
