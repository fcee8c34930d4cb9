"""The notebooks run top to bottom on the data home (outputs are stripped in git).

Notebooks 02-05 rebuild the flagship report's tables with the public API and raise unless they
are byte-identical to the report's; they (and 06) read the report from ``FRAMING_REPORT``, here
the session's ``flagship_report``, so that it is built once for all of them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def _uses_report(path: Path) -> bool:
    return "FRAMING_REPORT" in path.read_text(encoding="utf-8")


def test_notebooks_are_numbered_in_order():
    names = [p.name for p in NOTEBOOKS]
    assert names[:6] == ["01_corpus.ipynb", "02_events.ipynb", "03_topics.ipynb",
                         "04_frames.ipynb", "05_comparisons.ipynb", "06_report.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_stripped(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.corpora
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, real_home, monkeypatch, request):
    monkeypatch.setenv("FRAMING_DATA", str(real_home))
    if _uses_report(path):
        report = request.getfixturevalue("flagship_report")
        monkeypatch.setenv("FRAMING_REPORT", str(report.path))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
