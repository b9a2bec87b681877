"""Which language to speak when the user did not say."""

from __future__ import annotations

import locale
import os
import sys

from core.catalog import Lang


def system_lang() -> Lang:
    """Japanese when the system's language is Japanese, English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    if sys.platform == "win32":
        try:
            import ctypes

            lang_id = ctypes.windll.kernel32.GetUserDefaultUILanguage()
            # 0x11 is the primary language id of Japanese.
            return "ja" if (int(lang_id) & 0x3FF) == 0x11 else "en"
        except (AttributeError, OSError):
            pass
    code = locale.getlocale()[0] or ""
    return "ja" if code.lower().startswith("ja") else "en"
