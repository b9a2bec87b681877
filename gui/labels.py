"""A field's label names the field for screen readers and UI automation, in the language shown."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox, QLabel

_JAPANESE_MNEMONIC = re.compile(r"\s*\(&\w\)")


def set_label(label: QLabel, text: str) -> None:
    """Show ``text`` (with its ``&`` mnemonic) and give the label's buddy the same words as its
    accessible name (an editable combo box's line edit too: the reader announces that)."""
    label.setText(text)
    buddy = label.buddy()
    if buddy is None:
        return
    # Japanese labels carry their mnemonic in brackets after the word ("WORD(&S):"), English ones
    # inside it ("&Search:"): either way the mnemonic, and the colon (ASCII or full-width), are
    # not part of the name read out.
    name = _JAPANESE_MNEMONIC.sub("", text).replace("&", "").rstrip(":\uff1a ")
    buddy.setAccessibleName(name)
    edit = buddy.lineEdit() if isinstance(buddy, QComboBox) else None
    if edit is not None:
        edit.setAccessibleName(name)
