"""What the wizard's fields accept, and one input with its message beside it.

Messages can quote what was typed, so every label here shows plain text only.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.plan import PlanError, parse_overrides
from sep_port_doctor.gui.labels import set_label

MAX_NOTE_CHARS = 500
ERROR_COLOUR = "#b00020"
NOTICE_COLOUR = "#1a5fb4"
# Direction overrides and isolates reorder what a reader sees (U+202E makes "txt.exe" read "exe.txt").
_BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


class FieldError(UserError):
    """Input refused at a field; the message is shown next to it."""


def clean_note(text: str) -> str:
    """A note for the report: control characters, line separators and direction controls
    refused, length capped."""
    for character in text:
        category = unicodedata.category(character)
        control = category == "Cc" and character != "\t"
        if control or category in ("Zl", "Zp") or ord(character) in _BIDI_CONTROLS:
            raise FieldError("note-control")
    if len(text) > MAX_NOTE_CHARS:
        raise FieldError("note-too-long", limit=MAX_NOTE_CHARS)
    return text.strip()


def parse_overrides_text(text: str, catalog: Catalog) -> dict[int, int]:
    """``8014=80, 443=4443`` (commas, the ideographic comma U+3001 or spaces between); raises FieldError."""
    parts = text.replace(",", " ").replace("\u3001", " ").split()
    try:
        return parse_overrides(parts, catalog)
    except PlanError as exc:
        raise FieldError(exc.code, **exc.params) from None


def plain_label() -> QLabel:
    """A label that never interprets markup, whatever text it is given."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class Field:
    """An input, its label (with the mnemonic) and the line under it for messages."""

    def __init__(self, name: str, widget: QLineEdit | QComboBox) -> None:
        self.name = name
        self.widget = widget
        widget.setObjectName(name)
        self.label = QLabel()
        self.label.setBuddy(widget)
        self.message = plain_label()
        self.message.setObjectName(f"{name}_message")
        self.message.hide()
        self._error = ""

    @property
    def line_edit(self) -> QLineEdit:
        if isinstance(self.widget, QComboBox):
            edit = self.widget.lineEdit()
            assert edit is not None, "the wizard's combo boxes are editable"
            return edit
        return self.widget

    def text(self) -> str:
        return self.widget.currentText() if isinstance(self.widget, QComboBox) else self.widget.text()

    def set_label(self, text: str) -> None:
        # Screen readers and UI automation find the field by the words of its label.
        set_label(self.label, text)

    def show_error(self, message: str) -> None:
        """An error (red, with a red border), or no message at all when ``message`` is empty."""
        self._show(message, ERROR_COLOUR)
        if message != self._error:  # restyling on every key press would be wasted work
            self._error = message
            self.widget.setStyleSheet(f"border: 2px solid {ERROR_COLOUR};" if message else "")
        self.widget.setAccessibleDescription(message)

    def show_notice(self, message: str) -> None:
        """Information about accepted input (blue), such as a URL reduced to its host."""
        self.show_error("")
        self._show(message, NOTICE_COLOUR)

    def _show(self, message: str, colour: str) -> None:
        self.message.setStyleSheet(f"color: {colour}")
        self.message.setText(message)
        self.message.setVisible(bool(message))


def first_focusable(widget: QWidget) -> QWidget | None:
    """The first widget under ``widget`` that Tab would reach, as a person sees it."""
    for child in widget.findChildren(QWidget):
        takes_tab = bool(child.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if takes_tab and child.isVisibleTo(widget) and child.isEnabled() and child.focusProxy() is None:
            return child
    return None
