"""The ticket text says what its numbers count, and they agree.

Copied from the real window: the overall line counted checks ("問題 2": 8014 and 443 both closed)
while the heading below counted lines grouped by cause ("問題 (1)"), so a ticket read as if a problem
had gone missing. The overall line now says it counts checks, each heading that it counts causes,
with as many lines under it. Typed and clicked in both languages against closed loopback ports.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.results import Severity
from sep_port_doctor.gui.wizard import Page
from tests.core.test_advice_fits_the_host import _closed_port
from tests.gui.conftest import FAST, drive, window_in
from tests.gui.keyboard import activate, click, press
from tests.gui.test_wizard import fill, next_button, to_target
from tests.helpers.windows_fixtures import FixtureSystem

BY_CHECK = {"ja": " (確認ごと: ", "en": " (by check: "}
COUNT = {"ja": "問題 ", "en": "problems "}
BY_CAUSE = {"ja": re.compile(r"^問題\(原因ごと\): (\d+) 件$"), "en": re.compile(r"^Problem, by cause: (\d+)$")}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_tickets_counts_say_what_they_count(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    window, wizard = window_in(qapp, qtbot, lang)
    wizard.local_system = FixtureSystem("en-fps-blocked")
    wizard.policy = FAST

    async def scenario() -> None:
        activate(qtbot, window)
        window.show_wizard()
        to_target(qtbot, wizard)
        fill(qtbot, wizard, "127.0.0.1", f"8014={_closed_port()}, 443={_closed_port()}", version="14.3")
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.run_task is not None
        await wizard.run_task
        click(qtbot, next_button(wizard))
        assert wizard.currentId() == Page.RESULTS
        click(qtbot, wizard.results.copy_summary)

    drive(loop, scenario())
    diagnosis = wizard.diagnosis
    assert diagnosis is not None
    lines = QGuiApplication.clipboard().text().splitlines()
    overall = next(line for line in lines if BY_CHECK[lang] in line)
    checks = diagnosis.counts()[Severity.PROBLEM]
    assert checks >= 2 and f"{COUNT[lang]}{checks}" in overall  # 8014, 443 and this PC's
    heading = next(n for n, line in enumerate(lines) if BY_CAUSE[lang].match(line))
    match = BY_CAUSE[lang].match(lines[heading])
    assert match is not None
    causes = [line for line in lines[heading + 1 :] if line.startswith("- ")]
    under = []
    for line in lines[heading + 1 :]:
        if not line:
            break
        if line.startswith("- "):
            under.append(line)
    assert int(match.group(1)) == len(under) and under == causes[: len(under)]
    assert len(under) < checks  # 8014 and 443 refused: one cause, two checks (the case that read wrong)
