"""Text from the network or the user shown as text, never as markup.

Qt guesses: a label, tooltip or message box whose text looks like HTML is rendered as
rich text, images included (``<img src=file:///dev/zero>`` reads until memory runs out;
on Windows ``file://host/share`` sends the user's credentials to that host). Labels get
``Qt.PlainText``; tooltips and the parts of message boxes that have no such switch get
escaped text inside a paragraph.
"""

from __future__ import annotations

from html import escape


def literal_html(text: str) -> str:
    """Rich text that shows ``text`` literally, line breaks kept: for tooltips and message boxes."""
    return f"<p style='white-space:pre-wrap'>{escape(text, quote=False)}</p>" if text else ""
