"""Evidence and headlines as a test reads them: said in English (a Message), or as they are (text)."""

from __future__ import annotations

from dataclasses import dataclass

from sep_port_doctor.core.i18n import say_any


def english(words: object) -> str:
    return say_any(words, "en")


@dataclass(frozen=True)
class Raw:
    """Evidence a test makes up: the same text in every language (the program's own evidence is
    always a sentence of the catalogue around raw values)."""

    text: str

    def say(self, lang: str) -> str:
        return self.text


def raw(text: str) -> Raw:
    return Raw(text)
