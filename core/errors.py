"""Errors for the user: a code and its values; the words, Japanese and English, are in
resources/catalog/labels.toml ``[error]``. ``str(error)`` is the English line."""

from __future__ import annotations

from typing import Any


class UserError(ValueError):
    """Input refused, or an action that could not be done; one line for the user."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)

    def message(self, lang: str = "en") -> str:
        from core.catalog import load_labels  # late: the catalogue itself parses versions

        texts = load_labels().get("error", {})
        text = texts.get(self.code)
        if text is None:
            return self.code
        values = {k: (v.message(lang) if isinstance(v, UserError) else v) for k, v in self.params.items()}
        return text.get(lang).format(**values)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.message("en")
