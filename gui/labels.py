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
    # "検索(&S):" is read "検索", "&Search:" "Search": the mnemonic is not part of the name.
    name = _JAPANESE_MNEMONIC.sub("", text).replace("&", "").rstrip(":： ")
    buddy.setAccessibleName(name)
    edit = buddy.lineEdit() if isinstance(buddy, QComboBox) else None
    if edit is not None:
        edit.setAccessibleName(name)
