"""Shared test set-up: offscreen Qt, isolated settings, the repository paths."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Offscreen by default; SEP_TEST_SCREEN=1 keeps a real screen (Xvfb) for looking.
if not os.environ.get("SEP_TEST_SCREEN"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_API", "pyside6")
# English by default, whatever the machine's locale; tests of Japanese ask for it.
os.environ["LANG"] = "C.UTF-8"
for _variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_variable, None)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own settings and data folders: no test sees another's choices."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(home / "config"))


@pytest.fixture(autouse=True, scope="module")
def _garbage_collected_per_module() -> Iterator[None]:
    """A socket a test leaks is closed by the garbage collector with a ResourceWarning (an error
    here: filterwarnings = error), in whatever test happens to run then. A collection when each
    module ends keeps the error in the module that leaked (reported at the teardown of its last
    test). After every test it would blame the very test, but cost about a fifth of the suite's
    time (measured: 95 s of tests/core's 407 s, 22 s of tests/gui's 133 s; a collection takes
    ~0.1 s with Qt loaded); per module it costs 1-2 % (tests/gui and tests/fleet: 20
    collections, 3.3 s of 193 s)."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _words_are_said_in_a_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Words made text without a language (str() or an f-string of a Message) show the object's repr
    to the user ("router Message('evidence.icmp-sender', ...) says"): any test that does it fails."""
    from sep_port_doctor.core.i18n import Message

    def refuse(self: Message, *_args: object) -> str:
        raise AssertionError(f"{self!r} was made text without a language: say it (say, say_any)")

    monkeypatch.setattr(Message, "__str__", refuse)
    monkeypatch.setattr(Message, "__format__", refuse)
