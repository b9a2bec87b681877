"""The keyboard on every page, in both languages: mnemonics unique where they are visible
together (menus, tabs, the page, the wizard's buttons), every input named for automation and
screen readers, the reference's version box left as typed (issue 9, defect 6 and item 10)."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.simulator import SimulatedManager
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from tests.gui.conftest import drive, overrides_text
from tests.gui.keyboard import alt, click, focused, is_in, press, replace_text, until

INPUT_NAMES = {"manager", "version", "gup", "sql", "syslog", "ports", "note", "report_path", "language", "local_gup"}
REFERENCE_INPUTS = {"search", "reference_version", "protocol", "direction"}


def visible_mnemonics(window: MainWindow) -> dict[str, list[str]]:
    """Alt+letter -> what it names, for everything a person sees at once in the window."""
    found: dict[str, list[str]] = defaultdict(list)

    def add(text: str, what: str) -> None:
        key = QKeySequence.mnemonic(text).toString()
        if key:
            found[key].append(what)

    for action in window.menuBar().actions():
        add(action.text(), f"menu {action.text()}")
    for index in range(window.tabs.count()):
        add(window.tabs.tabText(index), f"tab {window.tabs.tabText(index)}")
    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QAbstractButton):
            add(widget.text(), f"button {widget.objectName() or widget.text()}")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), f"label {widget.text()}")
        elif isinstance(widget, QGroupBox):
            add(widget.title(), f"group {widget.title()}")
    return found


def assert_unique(window: MainWindow, where: str) -> None:
    clashes = {key: names for key, names in visible_mnemonics(window).items() if len(names) > 1}
    assert clashes == {}, f"{where}: one Alt+letter for several things: {clashes}"


def assert_inputs_named(page: QWidget, names: set[str] = INPUT_NAMES) -> None:
    for widget in page.findChildren(QWidget):
        combo = widget.parent()
        if isinstance(widget, QLineEdit) and isinstance(combo, QComboBox):
            assert widget.accessibleName() == combo.accessibleName()  # what the reader announces
            continue  # the combo box itself carries the objectName
        if isinstance(widget, QLineEdit | QComboBox) and widget.isVisible():
            assert widget.objectName() in names, f"an input without a stable objectName: {widget!r}"
            assert widget.accessibleName(), f"{widget.objectName()} has no accessible name"
        if isinstance(widget, QAbstractButton) and widget.isVisible():
            assert widget.objectName(), f"a button without an objectName: {widget.text()!r}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_page_has_unique_mnemonics_and_named_inputs(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    lang: str,
) -> None:
    main_window.choose_language(lang)
    main_window.show_reference()
    assert_unique(main_window, f"reference ({lang})")
    assert_inputs_named(main_window.reference, REFERENCE_INPUTS)
    assert main_window.reference.search.accessibleName() == {"ja": "検索", "en": "Search"}[lang]
    main_window.show_wizard()

    async def walk() -> None:
        assert_unique(main_window, f"{Page.WHERE.name} ({lang})")
        assert_inputs_named(wizard.currentPage())
        press(qtbot, Qt.Key.Key_Return)
        replace_text(qtbot, wizard.target.manager, "127.0.0.1")
        replace_text(qtbot, wizard.target.version, "14.3 RU1")
        replace_text(qtbot, wizard.target.ports, overrides_text(simulator))
        assert_unique(main_window, f"{Page.TARGET.name} ({lang})")
        assert_inputs_named(wizard.currentPage())
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.run_task is not None
        await wizard.run_task
        for page in (Page.RUN, Page.RESULTS, Page.EXPORT):
            assert wizard.currentId() == page
            assert_unique(main_window, f"{page.name} ({lang})")
            assert_inputs_named(wizard.currentPage())
            if page is not Page.EXPORT:
                press(qtbot, Qt.Key.Key_Return)

    drive(loop, walk())


# A menu popup on the offscreen platform: it cannot raise the popup or grab the keyboard, and says so.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_alt_letters_reach_their_fields_and_the_menus(
    qtbot: QtBot, main_window: MainWindow, wizard: DiagnosticsWizard
) -> None:
    press(qtbot, Qt.Key.Key_Return)
    alt(qtbot, "t")  # Note
    assert focused() is wizard.target.note
    alt(qtbot, "m")  # Manager
    assert is_in(focused(), wizard.target.manager)
    main_window.show_reference()
    alt(qtbot, "e")  # the reference's SEP version (Alt+V is the View menu's)
    assert is_in(focused(), main_window.reference.version_combo)
    alt(qtbot, "v")  # the View menu opens (the version box took Alt+V before)
    assert QApplication.activePopupWidget() is main_window.view_menu
    press(qtbot, Qt.Key.Key_Escape)
    press(qtbot, Qt.Key.Key_Escape)
    assert QApplication.activePopupWidget() is None


def test_the_reference_version_box_keeps_what_was_typed(
    qtbot: QtBot, main_window: MainWindow, wizard: DiagnosticsWizard
) -> None:
    """Item 10: "14.3 RU1" then Tab stayed "14.3 RU10", "12.1" became "12.1.6 MP10"."""
    main_window.show_reference()
    combo = main_window.reference.version_combo
    for typed in ("14.3 RU1", "12.1"):
        replace_text(qtbot, combo, typed)
        press(qtbot, Qt.Key.Key_Tab)
        assert combo.currentText() == typed
    main_window.show_wizard()
    press(qtbot, Qt.Key.Key_Return)
    replace_text(qtbot, wizard.target.version, "14.3 RU1")
    press(qtbot, Qt.Key.Key_Tab)
    assert wizard.target.version.currentText() == "14.3 RU1"


def test_a_role_is_chosen_with_the_arrow_keys_or_its_letter(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    async def choose() -> None:
        click(qtbot, wizard.where.radios[wizard.where.role])
        press(qtbot, Qt.Key.Key_Down)
        assert wizard.where.role.value == "console"
        alt(qtbot, "m")  # a mnemonic clicks after Qt's press animation
        await until(lambda: wizard.where.role.value == "manager", "Alt+M chooses the manager")

    drive(loop, choose())
