"""Typed settings over QSettings: every key and its default declared once.

A settings file that cannot be read falls back to defaults with a notice
instead of stopping the program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from sep_port_doctor.core.i18n import languages
from sep_port_doctor.core.untrusted import pasted_url_shown

ORGANIZATION = "SEP Port Doctor"
APPLICATION = "sep-port-doctor"
MAX_RECENT_HOSTS = 10


@dataclass(frozen=True)
class _Key:
    name: str
    default: Any
    kind: type


LANGUAGE = _Key("ui/language", "", str)  # "" = follow the system
HIDE_NOT_APPLICABLE = _Key("reference/hide_not_applicable", False, bool)
REFERENCE_VERSION = _Key("reference/version", "", str)
RECENT_HOSTS = _Key("wizard/recent_hosts", [], list)
LAST_VERSION = _Key("wizard/last_version", "", str)
REPORT_FOLDER = _Key("wizard/report_folder", "", str)
WINDOW_GEOMETRY = _Key("window/geometry", b"", bytes)


NOTICE_UNREADABLE = "some settings could not be read; defaults are in use"
_UNREADABLE = object()


def _coerce(value: Any, key: _Key) -> tuple[bool, Any]:
    """(usable, value): a wrong type or a broken value gives the key's default."""
    if value is None:
        return True, key.default
    if key.kind is bool:
        if isinstance(value, bool):
            return True, value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return True, value.lower() in ("true", "1")
        return False, key.default
    if key.kind is list:
        if isinstance(value, str):
            return (value.isprintable(), [value] if value.isprintable() else [])
        if isinstance(value, list | tuple) and all(isinstance(v, str) and v.isprintable() for v in value):
            return True, list(value)
        return False, list(key.default)
    if key.kind is bytes:
        if isinstance(value, QByteArray):
            return True, value.data()
        return (True, value) if isinstance(value, bytes) else (False, b"")
    if isinstance(value, key.kind) and (not isinstance(value, str) or value.isprintable()):
        return True, value
    return False, key.default


class Settings:
    """Reads and writes the program's settings; a bad stored value reads as its default."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings if qsettings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.notice: str | None = None
        if self._q.status() != QSettings.Status.NoError:
            self.notice = NOTICE_UNREADABLE

    def _get(self, key: _Key) -> Any:
        """The stored value, or the default with a notice when what is stored is unreadable."""
        try:
            value = self._q.value(key.name, key.default)
        except (RuntimeError, TypeError, ValueError, SystemError):  # a value the binding cannot convert
            value = _UNREADABLE
        usable, result = _coerce(value, key) if value is not _UNREADABLE else (False, key.default)
        if not usable:
            self.notice = NOTICE_UNREADABLE
        return result

    def _set(self, key: _Key, value: Any) -> None:
        self._q.setValue(key.name, value)

    @property
    def language(self) -> str:
        lang = self._get(LANGUAGE)
        return lang if lang in languages() else ""

    @language.setter
    def language(self, lang: str) -> None:
        self._set(LANGUAGE, lang)

    @property
    def hide_not_applicable(self) -> bool:
        return bool(self._get(HIDE_NOT_APPLICABLE))

    @hide_not_applicable.setter
    def hide_not_applicable(self, value: bool) -> None:
        self._set(HIDE_NOT_APPLICABLE, value)

    @property
    def reference_version(self) -> str:
        return str(self._get(REFERENCE_VERSION))

    @reference_version.setter
    def reference_version(self, value: str) -> None:
        self._set(REFERENCE_VERSION, value)

    @property
    def recent_hosts(self) -> list[str]:
        return list(self._get(RECENT_HOSTS))[:MAX_RECENT_HOSTS]

    def remember_host(self, host: str) -> None:
        host = pasted_url_shown(host)  # a pasted https://user:password@host/?access_token= keeps no secret here
        hosts = [h for h in self.recent_hosts if h != host]
        self._set(RECENT_HOSTS, [host, *hosts][:MAX_RECENT_HOSTS])

    @property
    def last_version(self) -> str:
        return str(self._get(LAST_VERSION))

    @last_version.setter
    def last_version(self, value: str) -> None:
        self._set(LAST_VERSION, value)

    @property
    def report_folder(self) -> str:
        return str(self._get(REPORT_FOLDER))

    @report_folder.setter
    def report_folder(self, value: str) -> None:
        self._set(REPORT_FOLDER, value)

    @property
    def window_geometry(self) -> bytes:
        return bytes(self._get(WINDOW_GEOMETRY))

    @window_geometry.setter
    def window_geometry(self, value: bytes) -> None:
        self._set(WINDOW_GEOMETRY, value)

    def sync(self) -> None:
        self._q.sync()
