"""Every word core says, by message id and named values, from one catalogue per language.

The words live in ``resources/i18n/<lang>/messages.toml`` (one folder per language; the
port and guidance texts beside them, read by ``core.catalog``). A language is a folder: a
third one is a new folder with its files (and the window's Qt ``.ts``), nothing in Python.
The catalogue is loaded once and validated as a whole: a message id that one language has
and another lacks, or a placeholder that differs between languages, is refused with the
file and the id named (:class:`CatalogError`).

A leaf module: the standard library only, so that every layer can import it.
"""

from __future__ import annotations

import locale
import os
import re
import string
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

Lang = str
"""A language code with a folder in ``resources/i18n`` (``ja``, ``en``...)."""

FALLBACK_LANG: Lang = "en"
"""The language spoken where the system's is not in the catalogue (and the window's source language)."""

MESSAGES_FILE = "messages.toml"


class CatalogError(Exception):
    """A data file is broken. The message names the file and the field."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem


def resource_files() -> Traversable:
    """The ``resources`` folder (installed and frozen alike, through importlib.resources)."""
    return resources.files("sep_port_doctor.resources")


def read_toml(file: str, data: bytes) -> dict[str, Any]:
    """One TOML file's tables; raises CatalogError naming the file."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(file, f"byte {exc.start}", "not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(file, "syntax", str(exc)) from None


def language_file(lang: Lang, name: str) -> tuple[str, bytes]:
    """(the name to show in errors, the bytes) of ``resources/i18n/<lang>/<name>``."""
    shown = f"resources/i18n/{lang}/{name}"
    try:
        return shown, (resource_files() / "i18n" / lang / name).read_bytes()
    except OSError as exc:
        raise CatalogError(shown, "file", f"cannot be read: {exc.strerror or exc}") from None


# --- Messages -------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: Lang
    name: str
    """The language's name in itself, as language choosers show it (Japanese in Japanese, ``English``)."""
    order: int
    """Where it stands in lists of languages (the window's menu)."""


@dataclass(frozen=True)
class _Catalogue:
    languages: tuple[Language, ...]
    messages: Mapping[Lang, Mapping[str, str]]
    """Per language: ``group.code`` -> the text, with ``{name}`` placeholders."""


_FORMATTER = string.Formatter()


def placeholders(file: str, key: str, text: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a message; positional or indexed fields are refused."""
    try:
        fields = [field for _, field, _, _ in _FORMATTER.parse(text) if field is not None]
    except ValueError as exc:
        raise CatalogError(file, key, f"bad placeholder: {exc}") from None
    for field in fields:
        if not field.isidentifier():
            raise CatalogError(file, key, f"placeholder {{{field}}} is not a name (use {{count}}, {{host}}...)")
    return frozenset(fields)


def _parse_messages(file: str, lang: Lang, doc: dict[str, Any]) -> tuple[Language, dict[str, str]]:
    about = doc.get("language")
    if not isinstance(about, dict) or not isinstance(about.get("name"), str) or not about["name"].strip():
        raise CatalogError(file, "language.name", "missing: the language's name in itself")
    order = about.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        raise CatalogError(file, "language.order", "missing: an integer (its place in lists of languages)")
    messages: dict[str, str] = {}
    for group, table in doc.items():
        if group == "language":
            continue
        if not isinstance(table, dict):
            raise CatalogError(file, group, "expected a table of messages")
        for code, text in table.items():
            key = f"{group}.{code}"
            if not isinstance(text, str):
                raise CatalogError(file, key, f"expected text, got {type(text).__name__}")
            messages[key] = text  # its placeholders are checked with the other languages' (validate_same_messages)
    return Language(lang, about["name"].strip(), order), messages


def _discover() -> list[Lang]:
    folder = resource_files() / "i18n"
    found = sorted(item.name for item in folder.iterdir() if item.is_dir() and (item / MESSAGES_FILE).is_file())
    if not found:
        raise CatalogError("resources/i18n", "languages", f"no <lang>/{MESSAGES_FILE} found")
    return found


@cache
def _catalogue() -> _Catalogue:
    files: dict[Lang, str] = {}
    languages: list[Language] = []
    messages: dict[Lang, dict[str, str]] = {}
    for lang in _discover():
        file, data = language_file(lang, MESSAGES_FILE)
        language, texts = _parse_messages(file, lang, read_toml(file, data))
        files[lang], messages[lang] = file, texts
        languages.append(language)
    languages.sort(key=lambda language: (language.order, language.code))
    validate_same_messages(messages, files)
    validate_command_line_variants(messages, files)
    return _Catalogue(tuple(languages), messages)


def validate_same_messages(messages: Mapping[Lang, Mapping[str, str]], files: Mapping[Lang, str]) -> None:
    """Every language has every message id, with the same placeholders; raises CatalogError."""
    langs = list(messages)
    every = {key for texts in messages.values() for key in texts}
    for key in sorted(every):
        having = [lang for lang in langs if key in messages[lang]]
        for lang in langs:
            if key not in messages[lang]:
                raise CatalogError(files[lang], key, f"missing ({files[having[0]]} has it)")
        reference = having[0]
        expected = placeholders(files[reference], key, messages[reference][key]) | _printf_fields(
            key, messages[reference][key]
        )
        for lang in langs[1:]:
            found = placeholders(files[lang], key, messages[lang][key]) | _printf_fields(key, messages[lang][key])
            if found != expected:
                raise CatalogError(
                    files[lang],
                    key,
                    f"placeholders {_shown(found)} differ from {_shown(expected)} in {files[reference]}",
                )


def validate_command_line_variants(messages: Mapping[Lang, Mapping[str, str]], files: Mapping[Lang, str]) -> None:
    """A ``[group-cli]`` message words a ``[group]`` message for the command line: that message
    exists, and the placeholders are the same; raises CatalogError."""
    for lang, texts in messages.items():
        for key, text in texts.items():
            group, _, rest = key.partition(".")
            if not group.endswith(COMMAND_LINE_GROUP):
                continue
            base = f"{group.removesuffix(COMMAND_LINE_GROUP)}.{rest}"
            if base not in texts:
                raise CatalogError(files[lang], key, f"the command line's wording of {base}, which does not exist")
            if placeholders(files[lang], key, text) != placeholders(files[lang], base, texts[base]):
                raise CatalogError(files[lang], key, f"placeholders differ from {base}'s")


_PRINTF = re.compile(r"%(?:\((\w+)\))?([sdr])")


def _printf_fields(key: str, text: str) -> frozenset[str]:
    """argparse's own words keep its %-placeholders (``%s``, ``%(prog)s``): named ones by name,
    the others by their count and kind, so that every language has the same."""
    if not key.startswith("argparse."):
        return frozenset()
    found = _PRINTF.findall(text)
    named = {f"%({name}){kind}" for name, kind in found if name}
    unnamed = [kind for name, kind in found if not name]
    return frozenset(named | {f"%{kind}#{i}" for i, kind in enumerate(unnamed)})


def _shown(names: frozenset[str]) -> str:
    return ", ".join("{" + name + "}" for name in sorted(names)) or "none"


def load_messages() -> None:
    """Load and validate every language's messages now (the program's start); raises CatalogError."""
    _catalogue()


def languages() -> tuple[Lang, ...]:
    """The languages the catalogue speaks, in their order."""
    return tuple(language.code for language in _catalogue().languages)


def language_name(lang: Lang) -> str:
    """A language's name in itself (Japanese in Japanese), as a language chooser shows it."""
    return next(language.name for language in _catalogue().languages if language.code == lang)


def known(code: str) -> bool:
    """Whether ``group.code`` is a message id (codes from elsewhere, such as a probe's cause, may not be)."""
    return code in _catalogue().messages[FALLBACK_LANG if FALLBACK_LANG in languages() else languages()[0]]


@cache
def group_words(group: str, lang: Lang) -> Mapping[str, str]:
    """Every message of ``group`` in ``lang``, by code, placeholders unfilled: for a template that
    fills them itself (the HTML report's fixed words)."""
    prefix = group + "."
    texts = _catalogue().messages[lang]
    return MappingProxyType({key[len(prefix) :]: text for key, text in texts.items() if key.startswith(prefix)})


def word_for(group: str, code: str, lang: Lang) -> str:
    """The words for a code that comes from elsewhere (a results file, another version of this
    program): the code itself where the catalogue has none. The program's own codes use ``say``."""
    key = f"{group}.{code}"
    return say(key, lang) if known(key) else code


def say(code: str, lang: Lang, /, **values: object) -> str:
    """The message ``group.code`` in ``lang`` with its placeholders filled from ``values``
    (a :class:`Message` value, or anything else with a ``say(lang)``, is said in the same language)."""
    return _say(code, lang, values, command_line=False)


COMMAND_LINE_GROUP = "-cli"
"""``[reason-cli]`` holds the command line's wording of ``[reason]`` messages where it differs:
it may name the program's options (``--gup HOST``); the window and the report never do."""


def seconds_text(milliseconds: float, lang: Lang, digits: int = 2) -> str:
    """A duration in the catalogue's seconds (``0.19 s`` in English), one way in every output: the
    terminal's summaries, the ticket and the report said "s" in Japanese where the window said seconds.
    A duration that rounds to nothing is said as under the smallest step (``< 0.01 s``, as a round
    trip under 0.1 ms is ``< 0.1 ms``): a sweep of 3 ms read ``0.00 s``, as if nothing had run.
    The duration is said as the JSON records it, to 0.1 ms: a sweep of 4.96 ms was "< 0.01 s" on the
    terminal while its JSON's 5.0 ms reads "0.01 s"."""
    step = 10.0**-digits
    seconds = round(milliseconds, 1) / 1000
    if round(seconds, digits) < step:
        return say("word.seconds", lang, seconds=f"< {step:.{digits}f}")
    return say("word.seconds", lang, seconds=f"{seconds:.{digits}f}")


def _say(code: str, lang: Lang, values: Mapping[str, object], *, command_line: bool) -> str:
    texts = _catalogue().messages[lang]
    if command_line:
        group, _, rest = code.partition(".")
        code = variant if (variant := f"{group}{COMMAND_LINE_GROUP}.{rest}") in texts else code
    text = texts[code]
    if not values:
        return text if "{" not in text else text.format()
    filled = {
        name: value.say_in(lang, command_line=command_line)
        if isinstance(value, Message)
        else value.say(lang)
        if isinstance(value, Sayable)
        else value
        for name, value in values.items()
    }
    return text.format_map(filled)


@dataclass(frozen=True)
class Joined:
    """Several words said one after the other, with a separator that is itself a message
    (the ideographic comma between Japanese items, ``, `` between English ones)."""

    parts: tuple[object, ...]
    separator: str = "word.list-separator"

    def say(self, lang: Lang) -> str:
        return say(self.separator, lang).join(say_any(part, lang) for part in self.parts)


def say_any(words: object, lang: Lang) -> str:
    """Words as said in ``lang``: a Message or a catalogue's text in that language, anything else as it is
    (a raw value: an address, a status line)."""
    if isinstance(words, Message):
        return words.say(lang)
    if isinstance(words, Sayable):
        return words.say(lang)
    return str(words)


@runtime_checkable
class Sayable(Protocol):
    """Words in every language (a catalogue's text): ``say(lang)``."""

    def say(self, lang: Lang) -> str: ...


class Message:
    """Words to say later, in whichever language is asked: a message id and its named values.

    Values stay as they came (an address, a status line, a count); only the sentence around
    them is the catalogue's. A value may itself be a Message (or a catalogue's text), said in
    the same language.
    """

    __slots__ = ("code", "values")

    def __init__(self, code: str, /, **values: object) -> None:
        self.code = code
        self.values = values

    def value(self, name: str) -> object | None:
        """The first value called ``name`` in this message or the messages among its values
        (the ICMP sender inside an evidence sentence); None where there is none."""
        if name in self.values:
            return self.values[name]
        for value in self.values.values():
            if isinstance(value, Message) and (found := value.value(name)) is not None:
                return found
        return None

    def say(self, lang: Lang) -> str:
        """The words for the window, the report and the JSON."""
        return _say(self.code, lang, self.values, command_line=False)

    def say_in(self, lang: Lang, *, command_line: bool) -> str:
        """``command_line``: the command line's wording, which may name its options (``--gup HOST``)."""
        return _say(self.code, lang, self.values, command_line=command_line)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.code, self.values) == (other.code, other.values)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.values.items()))))

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.values.items())
        return f"Message({self.code!r}{values})"


# --- The system's language -------------------------------------------------------


def _speaks(value: str) -> Lang | None:
    """The catalogue language a locale name names, if any: ``ja_JP.UTF-8``, ``ja-JP``, ``ja:en``
    (GNU's LANGUAGE list) and Windows' long ``Japanese_Japan`` alike."""
    found = re.match(r"[a-z]+", value.lower())
    word = found.group(0) if found else ""
    for lang in languages():
        if word == lang or (len(word) > 3 and word.startswith(lang)):
            return lang
    return None


def system_lang() -> Lang:
    """The system's language where the catalogue speaks it, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return _speaks(value) or FALLBACK_LANG
    if sys.platform == "win32":
        try:
            import ctypes

            lang_id = int(ctypes.windll.kernel32.GetUserDefaultUILanguage())
            # LCIDToLocaleName gives "ja-JP" for 0x0411: the language, whatever it is.
            buffer = ctypes.create_unicode_buffer(85)
            if ctypes.windll.kernel32.LCIDToLocaleName(lang_id, buffer, len(buffer), 0):
                return _speaks(buffer.value) or FALLBACK_LANG
        except (AttributeError, OSError):
            pass
    code = locale.getlocale()[0] or ""
    return _speaks(code) or FALLBACK_LANG
