"""The Python package as pip builds it: every resource file shipped, no setuptools warning, and
setuptools' build folders ignored by git (no second copy of the code for search tools)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.command import ROOT

pytestmark = pytest.mark.slow

DATA = (".toml", ".j2", ".ts", ".qm", ".png", ".ico", ".ps1", ".yml", ".xml", ".ini")
"""The data files pyproject's package-data ships (resources/ holds nothing else but README-like notes)."""


def _tracked(*paths: str) -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    listing = subprocess.run(["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    return listing.stdout.splitlines()


def test_wheel_ships_every_resource_without_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in _tracked():
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path / "wheel"), str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "Package would be ignored" not in output
    assert "BuildBackendWarning" not in output
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    # One import namespace: the folders are installed as sep_port_doctor.core, .gui, .resources, and nothing
    # else reaches site-packages' top level (no generic `core` or `gui` to collide with another distribution).
    assert {name.split("/")[0] for name in shipped} == {"sep_port_doctor", "sep_port_doctor-0.1.0.dist-info"}
    resources = [name for name in _tracked("resources") if not name.endswith(".py")]
    assert len(resources) >= 9
    # Every source file and resource, so a folder left out of pyproject's package list fails here.
    program = [*_tracked("core", "gui"), *resources]
    assert [
        name for name in program if name.endswith((".py", *DATA)) and f"sep_port_doctor/{name}" not in shipped
    ] == []
    assert {"sep_port_doctor/core/cli.py", "sep_port_doctor/gui/app.py"} <= shipped


def test_setuptools_build_folders_are_ignored() -> None:
    _tracked()
    probes = ["build/lib/core/cli.py", "build/bdist.linux-x86_64/wheel/core/cli.py", "build/pyinstaller/x"]
    result = subprocess.run(["git", "check-ignore", *probes], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == probes
    assert subprocess.run(["git", "check-ignore", "-q", "build/icu_trim.py"], cwd=ROOT).returncode == 1
