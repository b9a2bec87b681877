"""GUI fixtures: the real main window, built as the program builds it, a qasync loop, the
simulated manager on loopback, and the wizard inside the window (where the focus bugs live)."""

from __future__ import annotations

import argparse
import asyncio
import gc
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.gui.app import build_main_window
from sep_port_doctor.gui.event_loop import EventLoop
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard
from tests.gui.keyboard import activate
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.windows_fixtures import FixtureSystem

FAST = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)
T = TypeVar("T")


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop for the test; exceptions it collects fail the test (STACK-NOTES pattern)."""
    event_loop = EventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    errors: list[dict[str, object]] = []
    event_loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield event_loop
    pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.wait(pending, timeout=HANG_GUARD_S))
    qapp.processEvents()
    event_loop.run_until_complete(event_loop.shutdown_asyncgens())
    event_loop.close()
    asyncio.set_event_loop(None)
    # The loop's Qt timers are collected here, on the GUI thread; left to a later collection they
    # could be freed in a worker thread, where Qt warns that timers cannot be stopped.
    gc.collect()
    assert errors == [], [
        "".join(__import__("traceback").format_list(e.get("source_traceback") or [])[-8:]) for e in errors
    ][:1]


def drive(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, T]) -> T:
    """Run a test's steps inside the loop, as the program runs: key presses that start work
    and the awaits on that work share one running loop (a hang fails within the guard)."""
    return loop.run_until_complete(asyncio.wait_for(scenario, HANG_GUARD_S))


@pytest.fixture
def main_window(qapp: QApplication, qtbot: QtBot) -> Iterator[MainWindow]:
    window = build_main_window(qapp, argparse.Namespace(lang="en"))
    qtbot.addWidget(window)
    yield window
    if shiboken6.isValid(window):
        window.close()


@pytest.fixture
def simulator(loop: asyncio.AbstractEventLoop) -> Iterator[SimulatedManager]:
    manager = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(manager.start())
    yield manager
    loop.run_until_complete(manager.stop())


@pytest.fixture
def wizard(main_window: MainWindow, qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> DiagnosticsWizard:
    """The wizard in its tab of the active main window, reading a recorded Windows PC."""
    main_window.resize(1100, 720)
    activate(qtbot, main_window)
    main_window.show_wizard()
    wizard = main_window.wizard
    assert wizard is not None
    wizard.local_system = FixtureSystem("en-fps-blocked")
    wizard.policy = FAST
    return wizard


def window_in(qapp: QApplication, qtbot: QtBot, lang: str) -> tuple[MainWindow, DiagnosticsWizard]:
    """The main window as the program opens it in ``lang`` (this PC as it is, no recorded one)."""
    window = build_main_window(qapp, argparse.Namespace(lang=lang))
    qtbot.addWidget(window)
    window.resize(1100, 720)
    assert window.wizard is not None
    return window, window.wizard


def overrides_text(manager: SimulatedManager) -> str:
    return ", ".join(f"{d}={p}" for d, p in sorted(manager.bound.items()))
