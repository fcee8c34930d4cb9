"""The README's two commands, .ci/run, and a non-editable install that still finds its data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick, flags=re.S)


def test_quickstart_is_two_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    main, tests = commands
    assert "framing " in main and "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.slow
def test_wheel_ships_cards_and_rules(tmp_path):
    """A built wheel (what ``pip install .`` installs) carries the cards, outlet table and
    boilerplate rules, and finds them when imported from outside the checkout."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], check=True,
                   cwd=tmp_path)
    wheel = next(tmp_path.glob("framing-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for card in ("allsides-abp", "fa-kes", "dai-newsarticles-2017", "basil"):
        assert f"framing/corpora/{card}.toml" in names
    assert {"framing/corpora/outlets.csv", "framing/boilerplate.toml"} <= names
    shipped = {n for n in names if not n.startswith("framing-")}
    for path in (ROOT / "framing").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".txt", ".json", ".csv", ".j2"):
            name = path.relative_to(ROOT).as_posix()
            assert name in shipped, f"{name} is not in the wheel: list it in pyproject.toml"
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import framing, framing.datasets as d, framing.clean as c; print(framing.__file__); "
            "print(sorted(x.name for x in framing.list_cards())); "
            "print((d.card_directory() / 'outlets.csv').is_file(), len(c.default_rules()) > 0); "
            "print(framing.list_studies(), framing.load_study().name)")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(site)}
                         ).stdout.splitlines()
    assert out[0].startswith(str(site)), "imported the checkout, not the wheel"
    assert "fa-kes" in out[1] and "allsides-abp" in out[1]
    assert out[2] == "True True"
    assert "'ghouta-2013'" in out[3] and out[3].endswith("khan-shaykhun-2017")


def test_cli_module_runs():
    out = subprocess.run([sys.executable, "-m", "framing.cli", "--version"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.startswith("framing ")
