"""Dependencies: ranges in pyproject.toml for users, the exact set in constraints.txt for CI,
./dev and the package build (refreshed by ./dev lock)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.helpers.command import ROOT

RELOCK = "run ./dev lock and commit constraints.txt"


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert match, f"constraints.txt: not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(text) for text in declared]


def test_every_declared_dependency_has_a_range_and_a_pin_within_it() -> None:
    pins = _pins()
    for requirement in _requirements():
        assert str(requirement.specifier), f"{requirement.name}: give it a range in pyproject.toml"
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt: {RELOCK}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name}: the pin {pins[name]} is outside {requirement.specifier}: {RELOCK}"
        )


def test_modules_imported_by_the_program_are_declared() -> None:
    """What core/ and gui/ import from outside the standard library is declared, not merely
    brought in by another package (idna came only through httpx)."""
    imports = {"PySide6": "pyside6-essentials", "qasync": "qasync", "httpx": "httpx", "idna": "idna",
               "jinja2": "jinja2", "cryptography": "cryptography", "psutil": "psutil", "smbprotocol": "smbprotocol",
               "icmplib": "icmplib"}  # fmt: skip
    found: set[str] = set()
    for source in [*(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    third_party = sorted(found - set(sys.stdlib_module_names) - {"sep_port_doctor", "__future__"})
    assert [name for name in third_party if name not in imports] == [], "a new import: declare it in pyproject.toml"
    declared = {canonicalize_name(r.name) for r in _requirements()}
    assert {imports[name] for name in third_party} <= declared


def test_this_venv_is_the_locked_set() -> None:
    """./dev's .venv holds exactly the pinned versions, and nothing unpinned (a dependency added to
    pyproject.toml without ./dev lock would arrive here at whatever version is newest)."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip(f"not ./dev's venv ({sys.prefix}): only ./dev installs the locked set")
    pins = _pins()
    installed: dict[str, Version] = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in distributions()}
    installed.pop("sep-port-doctor", None)
    unpinned = sorted(set(installed) - set(pins))
    assert unpinned == [], f"installed but not pinned: {unpinned}: {RELOCK}"
    assert {n: str(v) for n, v in installed.items() if pins[n] != v} == {}, "run ./dev test to install the pins"


def test_the_pinned_qt_keeps_its_references_to_none(qapp: object) -> None:
    """PySide6 6.12.0's QObject.killTimer() dropped a reference to None on every call; qasync
    kills a timer for every scheduled callback, so on Python 3.11 the window aborted
    ("none_dealloc") after some thousands of them. (From Python 3.12 None is immortal and its
    count does not move: the test then passes without telling anything.)"""
    from PySide6.QtCore import QObject

    timers = QObject()
    ids = [timers.startTimer(60_000) for _ in range(2000)]
    before = sys.getrefcount(None)
    for timer_id in ids:
        timers.killTimer(timer_id)
    assert before - sys.getrefcount(None) < 100, "this PySide6 loses references to None: pin another"
