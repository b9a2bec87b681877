"""The window and ``check`` are two faces of one run: the same request gives the same verdicts,
counts and findings of this PC.

Found by using both on Linux against the simulator: the window read "this PC's Windows settings"
everywhere and listed six "not checked on this system" findings, counting them among the checks
not run (23 where ``check`` said 17), printing a Windows section of six such lines in the report,
and exporting ``local`` where the README says null on other systems. Here the window is driven by
keys and its export compared with ``check --json`` run as a real process.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.simulator import SimulatedManager
from sep_port_doctor.gui.wizard import Page
from tests.gui.conftest import FAST, drive, overrides_text, window_in
from tests.gui.keyboard import activate, alt, press, type_text, until
from tests.helpers.command import command, spawned
from tests.helpers.hang import HANG_GUARD_S

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="on Windows both read this PC")


def _verdicts(report: dict[str, object]) -> dict[str, str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["check_id"]: c["state"] for c in checks}


def test_the_window_and_check_give_one_answer_off_windows(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, simulator: SimulatedManager, tmp_path: Path
) -> None:
    window, wizard = window_in(qapp, qtbot, "ja")
    assert wizard.local_system is None  # this PC as it is: Linux
    wizard.policy = FAST
    report = tmp_path / "window.html"

    async def both() -> tuple[int, bytes]:
        activate(qtbot, window)
        press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.TARGET
        type_text(qtbot, "127.0.0.1")
        press(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "14.3 RU6")
        alt(qtbot, "c")
        type_text(qtbot, overrides_text(simulator))
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.run_task is not None
        await wizard.run_task
        press(qtbot, Qt.Key.Key_Return)
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.EXPORT
        press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, str(report))
        alt(qtbot, "a")  # no browser to open it in
        await until(lambda: not wizard.export_page.open_after.isChecked(), "Alt+A unticks the box")
        alt(qtbot, "e")
        await until(lambda: wizard.export_task is not None, "the export starts")
        assert wizard.export_task is not None
        await wizard.export_task
        moved = [f"--port={d}={p}" for d, p in sorted(simulator.bound.items())]
        async with spawned(
            *command(), "check", "--manager", "127.0.0.1", "--version", "14.3 RU6", "--json", "--lang", "ja", *moved,
            stdout=asyncio.subprocess.PIPE,
        ) as process:  # fmt: skip
            out, _ = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
        assert process.returncode is not None
        return process.returncode, out

    code, out = drive(loop, both())
    cli = json.loads(out)
    exported = json.loads(report.with_suffix(".json").read_text("utf-8"))
    assert code == 1, cli["counts"]  # the fixture's simulator: an expired certificate
    assert exported["local"] is None and cli["local"] is None  # README: null on other systems
    assert exported["counts"] == cli["counts"]
    assert (exported["overall"], _verdicts(exported)) == (cli["overall"], _verdicts(cli))
    html = report.read_text("utf-8")
    assert "Windows でのみ確認できます" not in html  # no section of findings that could not be read
