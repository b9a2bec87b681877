"""Evidence and headlines as a test reads them: said in English (a Message), or as they are (text)."""

from __future__ import annotations

from core.i18n import say_any


def english(words: object) -> str:
    return say_any(words, "en")
