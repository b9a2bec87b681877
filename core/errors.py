"""Errors for the user: a code and its values; the words are the message catalogue's
``[error]`` (resources/i18n/<lang>/messages.toml). ``str(error)`` is the English line."""

from __future__ import annotations

from typing import Any

from sep_port_doctor.core.i18n import FALLBACK_LANG, Lang, Message, known


class UserError(ValueError):
    """Input refused, or an action that could not be done; one line for the user."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def words(self) -> Message:
        """The error as a message of the catalogue's ``[error]`` (a UserError value is said as its own words)."""
        values = {k: (v.words if isinstance(v, UserError) else v) for k, v in self.params.items()}
        return Message(f"error.{self.code}", **values)

    def message(self, lang: Lang = FALLBACK_LANG, *, command_line: bool = False) -> str:
        """``command_line``: as the command line says it (it may name an option: ``--port``)."""
        if not known(f"error.{self.code}"):
            return self.code
        return self.words.say_in(lang, command_line=command_line)

    def __str__(self) -> str:
        return self.message(FALLBACK_LANG)
