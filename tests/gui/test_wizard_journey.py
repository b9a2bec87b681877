"""The whole diagnosis by keyboard alone, from the window's start to the written report,
in Japanese and in English, against the simulated manager on loopback (issue 9)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.gui.app import build_main_window
from sep_port_doctor.gui.wizard import Page
from tests.gui.conftest import FAST, drive, overrides_text
from tests.gui.keyboard import activate, alt, focused, is_in, press, type_text, until
from tests.helpers.windows_fixtures import FixtureSystem

NOTES = {"ja": "チケット 4711 再確認", "en": "INC-4711 recheck"}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_keyboard_only_from_start_to_the_written_report(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path, lang: str
) -> None:
    manager = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(manager.start())
    window = build_main_window(qapp, argparse.Namespace(lang=lang))
    qtbot.addWidget(window)
    window.resize(1100, 720)
    wizard = window.wizard
    assert wizard is not None
    wizard.local_system = FixtureSystem("en-fps-blocked")
    wizard.policy = FAST
    report = tmp_path / f"journey-{lang}.html"

    async def journey() -> None:
        activate(qtbot, window)
        press(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # View > Diagnostics
        assert window.tabs.currentIndex() == 1
        assert focused() is wizard.where.radios[wizard.where.role]  # the keyboard is in the page
        press(qtbot, Qt.Key.Key_Down)  # the admin PC's console...
        press(qtbot, Qt.Key.Key_Up)  # ...no: the client desk after all
        press(qtbot, Qt.Key.Key_Return)  # Enter = Next
        assert wizard.currentId() == Page.TARGET
        assert is_in(focused(), wizard.target.manager)
        type_text(qtbot, "127.0.0.1")
        press(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "14.3 RU1")
        for _ in range(5):  # Read from manager, GUP, SQL, syslog, to the moved ports
            press(qtbot, Qt.Key.Key_Tab)
        assert focused() is wizard.target.ports
        type_text(qtbot, overrides_text(manager))
        press(qtbot, Qt.Key.Key_Tab)  # "this PC is a GUP": left unchecked
        press(qtbot, Qt.Key.Key_Tab)
        assert focused() is wizard.target.note
        type_text(qtbot, NOTES[lang])  # Japanese through the input method
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RUN and wizard.run_task is not None
        await wizard.run_task  # a person waits for the run
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RESULTS
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.EXPORT
        assert focused() is wizard.export_page.report_path
        press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, str(report))
        assert wizard.export_page.open_after.isChecked()
        alt(qtbot, "a")  # "Open the report after exporting": off, there is no browser here (test_wizard opens)
        await until(lambda: not wizard.export_page.open_after.isChecked(), "Alt+A unticks the box")
        alt(qtbot, "e")  # Export
        await until(lambda: wizard.export_task is not None, "the export starts")
        assert wizard.export_task is not None
        await wizard.export_task
        alt(qtbot, "n")  # Finish: exported, so a new diagnosis starts without a question
        await until(lambda: wizard.currentId() == Page.WHERE, "a new diagnosis")

    try:
        drive(loop, journey())
    finally:
        loop.run_until_complete(manager.stop())
    written = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    assert written["manager"] == "127.0.0.1"
    assert written["role"] == "client"
    assert written["note"] == NOTES[lang]
    verdicts = {c["id"]: (c["state"], c["severity"]) for c in written["checks"]}
    assert verdicts["client-http-8014"] == ("open", "passed")
    assert verdicts["client-https-443"] == ("open", "problem")  # the certificate expired
    assert any(f["id"] == "file-printer-sharing" and f["severity"] == "problem" for f in written["local"])
    html = report.read_text(encoding="utf-8")
    assert NOTES[lang] in html
    assert ("SEP 通信ポート診断レポート" if lang == "ja" else "SEP port troubleshooting report") in html
