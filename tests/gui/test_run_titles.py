"""A run's page says when the run is over, in both languages, and says it once.

Found using the window under Xvfb: after the last verdict the run page's title still read
確認中 / "Checking" (push's run page 対象を確認しています), and the "Done in ... s" line stood
twice, on the page's status line and again in the window's status bar right below it. Typed,
pressed and clicked in the real main window, against the simulated manager and closed
loopback ports.
"""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.i18n import seconds_text
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.gui.wizard import Page
from tests.gui.conftest import FAST, drive, overrides_text, window_in
from tests.gui.keyboard import activate, click, press
from tests.gui.test_push_wizard import to_push_targets, type_targets
from tests.gui.test_wizard import SLOW, fill, to_target
from tests.helpers.servers import dropping_port
from tests.helpers.windows_fixtures import FixtureSystem

TITLES = {
    "ja": {"running": "確認中", "done": "確認が終わりました", "cancelled": "確認を中止しました"},
    "en": {"running": "Checking", "done": "Checks finished", "cancelled": "Checks cancelled"},
}
DONE = {"ja": "{}で完了しました: ", "en": "Done in {}: "}
PUSH_TITLES = {
    "ja": {
        "running": "対象を確認しています",
        "done": "対象の確認が終わりました",
        "cancelled": "対象の確認を中止しました",
    },
    "en": {"running": "Checking the targets", "done": "Targets checked", "cancelled": "Check of the targets cancelled"},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_run_page_says_the_run_is_over_once(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    manager = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(manager.start())
    window, wizard = window_in(qapp, qtbot, lang)
    wizard.local_system = FixtureSystem("en-fps-blocked")
    wizard.policy = FAST
    page = wizard.run_page

    async def scenario() -> None:
        activate(qtbot, window)
        window.show_wizard()
        to_target(qtbot, wizard)
        fill(qtbot, wizard, "127.0.0.1", overrides_text(manager))
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RUN and wizard.run_task is not None
        assert page.title() == TITLES[lang]["running"]
        await wizard.run_task
        assert page.title() == TITLES[lang]["done"]
        assert page.status.text() and page.status.text() not in window.statusBar().currentMessage()
        assert wizard.diagnosis is not None  # its time as check's summary and the report say it (one way)
        assert page.status.text().startswith(DONE[lang].format(seconds_text(wizard.diagnosis.duration_ms, lang)))
        click(qtbot, page.rerun_all)  # the same page runs again: it says so, then says it is over
        assert wizard.run_task is not None
        assert page.title() == TITLES[lang]["running"]
        await wizard.run_task
        assert page.title() == TITLES[lang]["done"]

    try:
        drive(loop, scenario())
    finally:
        loop.run_until_complete(manager.stop())
    other = "en" if lang == "ja" else "ja"
    window.lang_actions[other].trigger()  # the language menu: the finished title follows
    assert page.title() == TITLES[other]["done"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_cancelled_run_says_so_and_a_run_that_ends_out_of_sight_reaches_the_status_bar(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    window, wizard = window_in(qapp, qtbot, lang)
    wizard.local_system = FixtureSystem("en-fps-blocked")
    page = wizard.run_page
    with dropping_port() as dropped:

        async def scenario() -> None:
            activate(qtbot, window)
            window.show_wizard()
            wizard.policy = SLOW
            to_target(qtbot, wizard)
            fill(qtbot, wizard, "127.0.0.1", f"8014={dropped}, 443={dropped}", version="14.3")
            press(qtbot, Qt.Key.Key_Return)
            assert wizard.run_task is not None
            await asyncio.sleep(0.2)
            press(qtbot, Qt.Key.Key_Escape)  # Esc cancels
            await wizard.run_task
            assert page.title() == TITLES[lang]["cancelled"]
            assert page.status.text() not in window.statusBar().currentMessage()
            wizard.policy = FAST
            click(qtbot, page.rerun_all)
            press(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # to the reference while it runs
            assert not page.isVisible()
            await wizard.run_task
            assert page.title() == TITLES[lang]["done"]
            # Out of sight, the run's end is said where the person is: the status bar.
            assert page.status.text() and page.status.text() == window.statusBar().currentMessage()

        drive(loop, scenario())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_push_run_page_says_the_sweep_is_over(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    window, wizard = window_in(qapp, qtbot, lang)
    page = wizard.push_run

    async def scenario() -> None:
        activate(qtbot, window)
        window.show_wizard()
        to_push_targets(qtbot, wizard)
        type_targets(qtbot, wizard, ["127.0.0.1"])
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RUN and page.task is not None
        assert page.title() == PUSH_TITLES[lang]["running"]
        await page.task
        assert page.title() == PUSH_TITLES[lang]["done"]
        page.ports = {445: dropped}  # the PC's 445 now drops what is sent: the sweep waits on it
        page.policy = SLOW
        click(qtbot, wizard.button(wizard.WizardButton.BackButton))  # back, and the sweep again...
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert page.title() == PUSH_TITLES[lang]["running"]
        assert page.task is not None
        await asyncio.sleep(0.05)  # the sweep under way
        click(qtbot, page.cancel)  # ...and cancelled: the sweep ends, cancelled (PushRun.cancel)
        assert (await page.task).cancelled
        assert page.title() == PUSH_TITLES[lang]["cancelled"]

    with dropping_port() as dropped:
        drive(loop, scenario())
