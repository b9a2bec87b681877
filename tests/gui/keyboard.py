"""Typing as a person does: every key goes to whichever widget has the focus now.

``qtbot.keyClicks(widget, ...)`` delivers to the widget named even after the focus
has moved elsewhere, which hides focus bugs; these helpers never name a widget.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def type_text(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Each character to the widget that has the focus at that moment."""
    for character in text:
        qtbot.keyClick(focused(), character)


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(focused(), key, modifier)


def activate(qtbot, window: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Show the window and wait until it is the active one, so that it has the keyboard."""
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
