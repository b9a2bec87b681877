"""Typed settings over QSettings: every key and its default declared once.

A settings file that cannot be read falls back to defaults with a notice
instead of stopping the program.
"""

from __future__ import annotations

import io
import pickle
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QSettings

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
WINDOW_X = _Key("window/x", None, int)
WINDOW_Y = _Key("window/y", None, int)
WINDOW_WIDTH = _Key("window/width", None, int)
WINDOW_HEIGHT = _Key("window/height", None, int)
WINDOW_MAXIMIZED = _Key("window/maximized", False, bool)
LEGACY_WINDOW_GEOMETRY = "window/geometry"
"""Before stop 23 the window's saveGeometry() bytes, which PySide stores as a pickled Python object
(@Variant(...PyObjectWrapper...)): never read, removed when the window's placement is saved."""
_INTEGER = re.compile(r"-?[0-9]{1,6}")
"""A stored coordinate or size: an INI file gives text, the Windows registry an integer."""
MAX_SIDE = 100_000
"""A width or height beyond any screen (and a coordinate further off than that) is not a placement."""


@dataclass(frozen=True)
class WindowPlacement:
    """Where the window was when it closed, as plain integers an administrator can read and edit:
    the frame's top-left corner and the window's (unmaximized) size, in device-independent pixels."""

    x: int
    y: int
    width: int
    height: int
    maximized: bool = False


class _PlainDataUnpickler(pickle.Unpickler):
    """Rebuilds only plain data: a pickle that names any class or function is refused."""

    def find_class(self, module: str, name: str, /) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _plain_data_loads(data: Any, /, **options: Any) -> Any:
    try:
        return _PlainDataUnpickler(io.BytesIO(bytes(data))).load()
    except Exception:  # a broken or refused pickle reads as no value (PySide cannot take an exception here)
        return None


class _NamesAClass:
    """Pickles as a reference to this class: a plain-data unpickler gives None for it."""


_pickles_refused = False


def refuse_pickled_objects() -> bool:
    """Make PySide unpickle stored values as plain data only; True once it does.

    QSettings turns an @Variant(...PyObject...) value into a Python object with pickle.loads, and
    it parses a whole group on the first read of any key in it (and the whole file on sync), so a
    pickle planted in the settings file would run its code when the program merely starts. PySide
    looks pickle.loads up once, at its first such value, and keeps it: that first lookup is made
    here with a plain-data loader in its place (pickle.loads is put back at once for everyone
    else), and a value naming a class is read back to prove that PySide kept this loader."""
    global _pickles_refused
    if not _pickles_refused:
        stream_bytes = QByteArray()
        QDataStream(stream_bytes, QIODevice.OpenModeFlag.WriteOnly).writeQVariant(_NamesAClass())
        trusting_loads, pickle.loads = pickle.loads, _plain_data_loads
        try:
            read = QDataStream(stream_bytes, QIODevice.OpenModeFlag.ReadOnly).readQVariant()
        finally:
            pickle.loads = trusting_loads
        _pickles_refused = read is None
    return _pickles_refused


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
    if key.kind is int:
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_SIDE:
            return True, value
        return False, key.default
    if isinstance(value, key.kind) and (not isinstance(value, str) or value.isprintable()):
        return True, value
    return False, key.default


class Settings:
    """Reads and writes the program's settings; a bad stored value reads as its default."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.pickles_refused = refuse_pickled_objects()
        """False only if PySide had unpickled a value before: then nothing stored is read."""
        self._q = qsettings if qsettings is not None else QSettings(ORGANIZATION, APPLICATION)
        self.notice: str | None = None
        if self._q.status() != QSettings.Status.NoError or not self.pickles_refused:
            self.notice = NOTICE_UNREADABLE

    def _get(self, key: _Key) -> Any:
        """The stored value, or the default with a notice when what is stored is unreadable."""
        if not self.pickles_refused:
            return key.default
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
    def window_placement(self) -> WindowPlacement | None:
        """The placement saved last, or None when none is (or a part of it is unusable)."""
        x, y, width, height = (self._get(key) for key in (WINDOW_X, WINDOW_Y, WINDOW_WIDTH, WINDOW_HEIGHT))
        maximized = bool(self._get(WINDOW_MAXIMIZED))
        if x is None and y is None and width is None and height is None:
            return None
        if x is None or y is None or width is None or height is None or width <= 0 or height <= 0:
            self.notice = NOTICE_UNREADABLE
            return None
        return WindowPlacement(x, y, width, height, maximized)

    @window_placement.setter
    def window_placement(self, placement: WindowPlacement) -> None:
        self._set(WINDOW_X, placement.x)
        self._set(WINDOW_Y, placement.y)
        self._set(WINDOW_WIDTH, placement.width)
        self._set(WINDOW_HEIGHT, placement.height)
        self._set(WINDOW_MAXIMIZED, placement.maximized)
        self._q.remove(LEGACY_WINDOW_GEOMETRY)

    def sync(self) -> None:
        self._q.sync()
