"""Two things a technician met in the real window (Xvfb, openbox, xdotool's keystrokes):

- Alt+D, the Diagnostics tab's own underlined letter, left the keyboard on the tab bar, so the
  Enter that means Next did nothing until Tab was pressed (Ctrl+2 put it in the page).
- With 443 moved (``443=34611``), the results listed the cloud console's 443, which is never probed
  from a client desk, as "TCP 34611 (=443)", and its details said the cloud console talks on 34611;
  the report and the terminal name a check that sent nothing by its catalogue port.
"""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.simulator import SimulatedManager
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from sep_port_doctor.gui.wizard.pages.results import PAYLOAD_ROLE
from tests.gui.conftest import FAST, drive, overrides_text, window_in
from tests.gui.keyboard import activate, alt, focused, press, type_text, until


def test_alt_d_puts_the_keyboard_in_the_wizards_page(
    qtbot: QtBot, main_window: MainWindow, loop: asyncio.AbstractEventLoop
) -> None:
    main_window.resize(1100, 720)
    activate(qtbot, main_window)
    wizard = main_window.wizard
    assert wizard is not None and main_window.tabs.currentIndex() == 0

    async def keys() -> None:
        alt(qtbot, "d")  # the tab's underlined letter
        await until(lambda: main_window.tabs.currentIndex() == 1, "Alt+D shows the Diagnostics tab")
        await asyncio.sleep(0.05)  # a person's next key comes after the window has handled this one
        assert wizard.currentPage().isAncestorOf(focused()), focused()
        press(qtbot, Qt.Key.Key_Return)  # Enter = Next, at once
        assert wizard.currentId() == Page.TARGET
        alt(qtbot, "r")  # and back to the reference: its search box has the keyboard, as with Ctrl+1
        await until(lambda: main_window.tabs.currentIndex() == 0, "Alt+R shows the reference")
        await asyncio.sleep(0.05)
        assert focused() is main_window.reference.search

    drive(loop, keys())


def _children(wizard: DiagnosticsWizard) -> list[QTreeWidgetItem]:
    tree = wizard.results.tree
    groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    children = [g.child(j) for g in groups if g is not None for j in range(g.childCount())]
    return [c for c in children if c is not None]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_check_that_sent_nothing_is_named_by_its_catalogue_port(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, simulator: SimulatedManager, lang: str
) -> None:
    window, wizard = window_in(qapp, qtbot, lang)
    wizard.policy = FAST
    moved_443 = simulator.bound[443]

    async def journey() -> None:
        activate(qtbot, window)
        alt(qtbot, "d")
        await until(lambda: window.tabs.currentIndex() == 1, "Alt+D shows the Diagnostics tab")
        await asyncio.sleep(0.05)
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.TARGET
        type_text(qtbot, "127.0.0.1")
        press(qtbot, Qt.Key.Key_Tab)
        type_text(qtbot, "14.3 RU6")
        alt(qtbot, "c")  # the moved ports
        type_text(qtbot, overrides_text(simulator))
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RUN and wizard.run_task is not None
        await wizard.run_task
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RESULTS

    drive(loop, journey())
    labels = {}
    for child in _children(wizard):
        payload = child.data(0, PAYLOAD_ROLE)
        if payload[0] == "check":
            labels[payload[1].check.entry_id] = child.text(0)
    assert labels["client-https-443"].startswith(f"TCP {moved_443} (=443)  ")  # probed on the moved port
    for entry_id in ("cloud-https-443", "roaming-https-443"):  # sent nothing: the catalogue's port
        assert labels[entry_id].startswith("TCP 443  "), labels[entry_id]
        item = next(c for c in _children(wizard) if c.text(0) == labels[entry_id])
        tree = wizard.results.tree
        tree.scrollToItem(item)
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center())
        assert tree.currentItem() is item
        shown = wizard.results.details.toPlainText()
        assert shown.startswith("TCP 443 "), shown
        assert str(moved_443) not in shown, shown
