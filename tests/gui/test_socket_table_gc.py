"""The socket table is read in a thread while the window has unreachable Qt objects waiting
for the garbage collector: none may be destroyed in that thread (Qt warns "Timers cannot be
stopped from another thread", which fails the test, then crashes).

Without the collector's pause the same scenario prints that warning (tried by hand with
``run_in_executor``: the test fails on that warning); here the real read runs and the reading
thread alone allocates enough to make a collection due.
"""

from __future__ import annotations

import asyncio
import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from sep_port_doctor.core.socket_table import Endpoint, read_socket_table, read_socket_table_off_loop
from tests.gui.conftest import drive

ALLOCATIONS_DUE = 50_000


class _Cycle(QObject):
    """A window-side object kept alive only by a reference cycle, with a running timer."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.start(60_000)
        self.me = self


def test_qt_garbage_is_never_collected_in_the_socket_table_thread(
    qapp: QApplication, loop: asyncio.AbstractEventLoop
) -> None:
    destroyed: list[int] = []

    def read() -> tuple[Endpoint, ...]:
        table = read_socket_table()
        kept: list[list[int]] = [[] for _ in range(3 * ALLOCATIONS_DUE)]  # a plain thread would collect here
        return table if kept else ()

    async def scenario() -> tuple[Endpoint, ...]:
        threshold = gc.get_threshold()
        # Due only after many allocations, so that the reading thread's are what makes it due.
        gc.set_threshold(ALLOCATIONS_DUE)
        gc.collect()
        for _ in range(50):
            cycle = _Cycle()
            cycle.destroyed.connect(lambda *_args: destroyed.append(1))
        del cycle
        try:
            return await read_socket_table_off_loop(read)
        finally:
            gc.set_threshold(*threshold)

    table = drive(loop, scenario())
    assert isinstance(table, tuple)
    gc.collect()
    qapp.processEvents()
    assert len(destroyed) == 50  # collected, on this thread: no Qt warning was logged
    assert asyncio.get_event_loop() is loop
