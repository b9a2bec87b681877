"""Typing in the wizard inside the main window, key by key, as a person does (issue 9, defect 1)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from sep_port_doctor.gui.main_window import MainWindow
from tests.gui.keyboard import activate, focused, type_text
from tests.helpers.present import present

FIELDS = ("manager", "version", "gup", "sql", "syslog", "ports", "note")


@pytest.mark.parametrize("name", FIELDS)
def test_typing_in_every_field_keeps_every_character_and_the_focus(
    main_window: MainWindow, qtbot: QtBot, name: str
) -> None:
    activate(qtbot, main_window)
    main_window.tabs.setCurrentIndex(1)
    wizard = present(main_window.wizard)
    wizard.next()
    field = wizard.target.fields[name].widget
    field.setFocus()
    typed = "sepm01.corp.example" if name != "ports" else "8014=80, 443=4443"
    type_text(qtbot, typed)
    text = field.currentText() if isinstance(field, QComboBox) else field.text()
    assert text == typed
    assert focused() in (field, field.lineEdit() if isinstance(field, QComboBox) else None)


def test_japanese_input_method_composition_reaches_the_field(
    main_window: MainWindow, qtbot: QtBot, qapp: QApplication
) -> None:
    """An input method sends a preedit string, then commits it; the focus must stay put meanwhile."""
    from PySide6.QtGui import QInputMethodEvent

    activate(qtbot, main_window)
    main_window.tabs.setCurrentIndex(1)
    wizard = present(main_window.wizard)
    wizard.next()
    note = wizard.target.note
    note.setFocus()
    type_text(qtbot, "INC-1 ")
    for preedit in ("ち", "ちけ", "ちけっと"):
        qapp.sendEvent(focused(), QInputMethodEvent(preedit, []))
        assert focused() is note
    commit = QInputMethodEvent()
    commit.setCommitString("チケット")
    qapp.sendEvent(focused(), commit)
    type_text(qtbot, " 42")
    assert note.text() == "INC-1 チケット 42"
    assert focused() is note
