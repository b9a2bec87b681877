"""Using the window as a person does: keys go to whichever widget has the focus now, text
that people paste arrives with Ctrl+V, buttons are clicked with the mouse.

``qtbot.keyClicks(widget, ...)`` delivers to the widget named even after the focus has
moved elsewhere, which hides focus bugs; these helpers never name a widget for keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QComboBox, QLineEdit, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from tests.helpers.hang import HANG_GUARD_S

MAX_TABS = 60
"""Tab presses before giving up on reaching a widget (a page has far fewer stops)."""


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def type_text(qtbot: QtBot, text: str) -> None:
    """Each character to the widget that has the focus at that moment. Japanese arrives as an
    input method delivers it: composed, then committed."""
    for character in text:
        if character.isascii():
            qtbot.keyClick(focused(), character)
        else:
            compose(character)


def compose(text: str) -> None:
    """An input method's composition (preedit) of ``text``, then its commit."""
    QApplication.sendEvent(focused(), QInputMethodEvent(text, []))
    commit = QInputMethodEvent()
    commit.setCommitString(text)
    QApplication.sendEvent(focused(), commit)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def alt(qtbot: QtBot, letter: str) -> None:
    """A mnemonic: Alt and the underlined letter."""
    qtbot.keyClick(focused(), getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)


def paste(qtbot: QtBot, text: str) -> None:
    """What a technician copies from a ticket or an e-mail (control characters included)."""
    QGuiApplication.clipboard().setText(text)
    press(qtbot, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def is_in(widget: QWidget, target: QWidget) -> bool:
    """``widget`` is ``target`` or the line edit inside an editable combo box."""
    return widget is target or (isinstance(target, QComboBox) and widget is target.lineEdit())


def tab_to(qtbot: QtBot, target: QWidget) -> int:
    """Press Tab until ``target`` has the focus; the number of presses."""
    for presses in range(MAX_TABS):
        if is_in(focused(), target):
            return presses
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName() or target}")


def click(qtbot: QtBot, widget: QWidget) -> None:
    """A left click in the middle of ``widget`` (a line edit gets the focus as from a click)."""
    assert widget.isVisible() and widget.isEnabled(), f"{widget.objectName()} cannot be clicked"
    target = widget.lineEdit() if isinstance(widget, QComboBox) and widget.lineEdit() is not None else widget
    assert target is not None
    # A radio button or check box reacts on its indicator and text, not on the empty room beside.
    x = 8 if isinstance(target, QRadioButton | QCheckBox) else target.width() // 2
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(x, target.height() // 2))


def replace_text(qtbot: QtBot, field: QWidget, text: str) -> None:
    """Click into a field, select what is there and type over it."""
    click(qtbot, field)
    assert is_in(focused(), field), (
        f"the focus is on {focused()!r}, not on {field.objectName()}; popup {QApplication.activePopupWidget()}, "
        f"active {QApplication.activeWindow()}, visible {field.isVisible()} {field.isEnabled()}"
    )
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        type_text(qtbot, text)
    else:
        press(qtbot, Qt.Key.Key_Delete)


def text_of(field: QWidget) -> str:
    if isinstance(field, QComboBox):
        return field.currentText()
    assert isinstance(field, QLineEdit | QAbstractButton)
    return field.text()


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Show the window and wait until it is the active one, so that it has the keyboard."""
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()


async def until(condition: Callable[[], object], what: str, guard_s: float = HANG_GUARD_S) -> None:
    """Let the loop run until ``condition()`` holds (a mnemonic clicks its button after Qt's
    100 ms press animation, for instance); fails after the hang guard."""
    deadline = asyncio.get_running_loop().time() + guard_s
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)
