"""SIGTERM as an exception, so that a stopped run cleans up like an interrupted one.

Python's default for SIGTERM ends the process at once: ``finally`` blocks do not run,
so a report being written would leave its temporary files behind. Here SIGTERM raises
``Terminated`` (a SystemExit, so asyncio and task groups pass it through as they do
Ctrl+C). Inside ``deferred()`` (the few renames that replace a report pair) it waits
until the section ends, so the pair is never left half replaced.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from sep_port_doctor.core import exit_codes


class _Deferral:
    depth = 0
    pending = False


_state = _Deferral()


class Terminated(SystemExit):
    """The process got SIGTERM; exit code 143."""

    def __init__(self) -> None:
        super().__init__(exit_codes.TERMINATED)


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    if _state.depth:
        _state.pending = True
        return
    raise Terminated()


def install() -> None:
    """Turn SIGTERM into ``Terminated`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A section SIGTERM does not interrupt; a SIGTERM that came meanwhile is raised at its end."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if not _state.depth and _state.pending:
            _state.pending = False
            raise Terminated()
