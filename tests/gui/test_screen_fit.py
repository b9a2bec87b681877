"""The window fits common screens (issue 9, defect 5): on 1024x768, 1366x768 and a 1920x1080
screen at 150 % (1280x720 device-independent pixels), the window starts inside the screen's
free area and every page's Back/Next/Finish buttons are on screen; a geometry saved on a
larger screen is brought back onto a smaller one.

Each screen is a child process on Qt's offscreen platform with that screen configured
(``offscreen:configfile=``); the child walks the pages against the simulated manager."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.command import ROOT
from tests.helpers.hang import HANG_GUARD_S

SCREENS: dict[str, dict[str, float]] = {
    "1024x768": {"width": 1024, "height": 768, "dpr": 1},
    "1366x768": {"width": 1366, "height": 768, "dpr": 1},
    "1920x1080 at 150%": {"width": 1280, "height": 720, "dpr": 1.5},
}


def probe(tmp_path: Path, screen: dict[str, float], *args: str) -> dict[str, Any]:
    config = tmp_path / "screen.json"
    entry = {"name": "test", "x": 0, "y": 0, "logicalDpi": 96, "logicalBaseDpi": 96, **screen}
    config.write_text(json.dumps({"screens": [entry]}), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.screen_probe", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=HANG_GUARD_S * 2,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    found["stderr"] = result.stderr
    return found


def inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize("name", list(SCREENS))
def test_the_window_and_every_pages_buttons_are_on_screen(tmp_path: Path, name: str) -> None:
    found = probe(tmp_path, SCREENS[name])
    available = found["available"]
    assert inside(found["window"], available), f"{name}: the window {found['window']} leaves {available}"
    pages = found["pages"]
    assert set(pages) == {"WHERE", "TARGET", "RUN", "RESULTS", "EXPORT"}
    for page, seen in pages.items():
        assert seen["buttons"], f"{name}, {page}: no wizard button visible"
        assert inside(seen["window"], available), f"{name}, {page}: the window grew off screen"
        for button, where in seen["buttons"].items():
            assert inside(where, available), f"{name}, {page}: {button} at {where} is off {available}"


def test_a_window_saved_off_a_smaller_screen_comes_back_onto_it(tmp_path: Path) -> None:
    big: dict[str, float] = {"width": 2560, "height": 1440, "dpr": 1}
    saved = probe(tmp_path, big, "--move", "1800", "900")["saved"]
    assert saved[0] >= 1000  # it really was saved far right
    found = probe(tmp_path, SCREENS["1024x768"])
    assert inside(found["window"], found["available"])
