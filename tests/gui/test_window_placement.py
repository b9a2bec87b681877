"""The window's place is kept in the settings file as plain integers (window/x, y, width, height,
maximized) that an administrator can read: it was saveGeometry()'s bytes, which PySide stores as a
pickled Python object (@Variant(...PyObjectWrapper...)), unreadable, tied to PySide's pickling,
and run as code when read if someone planted a pickle there. A stored place that is unusable (a
corrupt value, the old pickled one, a planted pickle) is ignored: the window opens centred.

Each case is the program's window in a child process (tests.gui.screen_probe) on an offscreen
screen, with its own settings file on disk (XDG_CONFIG_HOME)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from tests.gui.test_screen_fit import probe
from tests.helpers.command import ROOT

SCREEN: dict[str, float] = {"width": 2560, "height": 1440, "dpr": 1}
PICKLED_BEFORE = ROOT / "tests" / "fixtures" / "settings" / "pickled_geometry_before_stop_23.conf"
"""Recorded from main at cc8cf60 (PySide 6.11.3): `python -m tests.gui.screen_probe --move 1800 900`
on this 2560x1440 screen wrote it (the window's saveGeometry() bytes, pickled by PySide)."""


def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "SEP Port Doctor" / "sep-port-doctor.conf"


def centred(found: dict[str, Any]) -> bool:
    x, y, width, height = (int(n) for n in found["window"])
    ax, ay, awidth, aheight = (int(n) for n in found["available"])
    return abs((x + width / 2) - (ax + awidth / 2)) <= 4 and abs((y + height / 2) - (ay + aheight / 2)) <= 4


def opened_cleanly(found: dict[str, Any]) -> bool:
    return "Traceback" not in found["stderr"] and "Error" not in found["stderr"]


def test_the_window_opens_where_it_was_closed_and_the_file_says_where(tmp_path: Path) -> None:
    saved = probe(tmp_path, SCREEN, "--move", "700", "300")["saved"]
    assert saved[:2] == [700, 300]
    stored = settings_file(tmp_path).read_text(encoding="utf-8")
    assert "[window]" in stored and "x=700" in stored and "y=300" in stored and "maximized=false" in stored
    assert f"width={saved[2] - 4}" in stored or f"width={saved[2]}" in stored  # the frame's 2 px sides or none
    assert "@Variant" not in stored and "PyObject" not in stored and "geometry=" not in stored
    found = probe(tmp_path, SCREEN, "--look")
    assert found["window"] == saved and not found["maximized"]
    assert found["status"] == "" and opened_cleanly(found)


def test_a_maximized_window_opens_maximized(tmp_path: Path) -> None:
    probe(tmp_path, SCREEN, "--maximize")
    assert "maximized=true" in settings_file(tmp_path).read_text(encoding="utf-8")
    found = probe(tmp_path, SCREEN, "--look")
    assert found["maximized"] and opened_cleanly(found)


CORRUPT_PLACES = (
    "x=abc\ny=20\nwidth=1000\nheight=600",
    "x=10\ny=20\nwidth=-5\nheight=600",
    "x=10\ny=20\nwidth=99999999\nheight=600",
    "x=1e3\ny=20\nwidth=800\nheight=600",
    "x=10\ny=20\nwidth=800\nheight=@Variant(\\0\\0\\x7f)",
    "x=10\ny=20\nwidth=800\nheight=600\nmaximized=sometimes",
)


def test_a_corrupt_place_is_ignored_and_the_window_opens_centred(tmp_path: Path) -> None:
    """Each corrupt value is ignored, said on the status line, and the window opens centred."""
    for place in CORRUPT_PLACES:
        path = settings_file(tmp_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"[window]\n{place}\n", "utf-8")
        found = probe(tmp_path, SCREEN, "--look")
        assert not found["maximized"] and opened_cleanly(found), (place, found["stderr"])
        assert found["status"] == "一部の設定を読み取れませんでした。既定値を使います。", place
        if "maximized" not in place:
            assert centred(found), (place, found)


def test_the_old_versions_pickled_geometry_is_ignored_and_replaced(tmp_path: Path) -> None:
    path = settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    shutil.copy(PICKLED_BEFORE, path)
    assert "PySide::PyObjectWrapper" in path.read_text(encoding="utf-8")
    found = probe(tmp_path, SCREEN, "--look")
    assert centred(found) and opened_cleanly(found), found
    stored = path.read_text(encoding="utf-8")  # --look closed the window: its place was saved
    assert "geometry=" not in stored and "PyObject" not in stored and "@Variant" not in stored
    assert "x=" in stored and "width=" in stored


class Planted:
    """A pickle that makes a folder when it is unpickled: the program must never run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def test_a_pickle_planted_in_the_settings_runs_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "the planted pickle ran"
    path = settings_file(tmp_path)
    path.parent.mkdir(parents=True)
    planted = QSettings(str(path), QSettings.Format.IniFormat)  # as PySide pickles a Python object
    for key in ("window/geometry", "window/x", "ui/language", "reference/version"):
        planted.setValue(key, Planted(marker / key.replace("/", "-")))
    planted.sync()
    assert "PyObject" in path.read_text(encoding="utf-8")
    found = probe(tmp_path, SCREEN, "--look")  # reads the settings, then saves them on close
    assert not marker.exists()
    assert centred(found) and opened_cleanly(found), found
