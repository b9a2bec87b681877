"""Errors for the user: a code and its values; the words are the message catalogue's
``[error]`` (resources/i18n/<lang>/messages.toml). ``str(error)`` is the English line."""

from __future__ import annotations

from typing import Any

from core.i18n import known, say


class UserError(ValueError):
    """Input refused, or an action that could not be done; one line for the user."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def message(self, lang: str = "en") -> str:
        if not known(f"error.{self.code}"):
            return self.code
        values = {k: (v.message(lang) if isinstance(v, UserError) else v) for k, v in self.params.items()}
        return say(f"error.{self.code}", lang, **values)

    def __str__(self) -> str:
        return self.message("en")
