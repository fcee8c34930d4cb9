"""CITATION.cff is valid CFF 1.2.0 and cites the four news corpora."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CFF = Path(__file__).resolve().parents[1] / "CITATION.cff"


def _citation():
    pytest.importorskip("cffconvert", reason="cffconvert is not installed "
                        "(pip install 'framing[dev]'); cannot validate CITATION.cff")
    from cffconvert import Citation

    return Citation(CFF.read_text(encoding="utf-8"), src=str(CFF))


def test_citation_cff_validates():
    _citation().validate()  # raises jsonschema.ValidationError when invalid


def test_citation_cff_content():
    cff = _citation().cffobj
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "software"
    assert cff["version"] == "0.1.0"
    assert cff["license"] == "BSD-3-Clause"
    dois = {ref.get("doi") for ref in cff["references"]}
    assert {"10.18653/v1/2020.emnlp-main.404", "10.1609/icwsm.v13i01.3254",
            "10.7910/DVN/GMFCTR", "10.18653/v1/D19-1664"} <= dois
    types = {ref["doi"]: ref["type"] for ref in cff["references"]}
    assert types["10.7910/DVN/GMFCTR"] == "data"
    assert types["10.1609/icwsm.v13i01.3254"] == "conference-paper"


def test_cffconvert_command_line_validates():
    exe = Path(sys.executable).with_name("cffconvert")
    command = str(exe) if exe.is_file() else shutil.which("cffconvert")
    if command is None:
        pytest.skip("the cffconvert command is not installed (pip install 'framing[dev]')")
    done = subprocess.run([command, "--validate", "-i", str(CFF)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
