"""The program's asyncio loop: qasync's, with the callbacks that are ready run from one queue, a
few milliseconds at a time.

qasync runs each ``call_soon`` callback as its own Qt timer (a timer started, its event, the
timer killed): the ready callbacks of a sweep, thousands a second with 216 checks in flight,
paid that three times over, and Qt ran every timer due in one pass, so a pass held the window
as long as all of them took. Here the ready callbacks wait in a queue in their order, as in
asyncio's own loop, and one zero-delay timer runs them: the ones that were ready when it fired
(a callback made ready meanwhile waits for the next pass, as asyncio's loop runs it on its next
iteration), for at most ``TURN_BUDGET_S``; the rest wait for the next pass, after Qt has
painted and handled input and the other timers. Delayed callbacks and sockets stay qasync's.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable
from contextvars import Context
from typing import Any

# qasync imports the first Qt binding it finds unless one is chosen.
os.environ.setdefault("QT_API", "pyside6")

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

TURN_BUDGET_S = 0.001
"""Ready callbacks run for at most this long in one pass of Qt's loop, and the window's own work
(painting, input, its timers) comes between. 4 ms made the wizard's longest gap worse than
qasync's at load 5-7 on 2 cores (twice 62-78 ms against 27-37 ms; the loop thread's CPU time
alike); 1 ms did not, and held the window less than qasync with 216 checks in flight
(``benchmarks/gui_responsiveness.py``)."""


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no type hints
    def __init__(self, app: QApplication | None = None) -> None:
        self._ready_queue: deque[asyncio.Handle] = deque()
        self._ready_timer = QTimer()
        self._ready_timer.setSingleShot(True)
        self._ready_timer.setInterval(0)
        self._ready_timer.timeout.connect(self._run_ready)
        super().__init__(app)

    def call_soon(self, callback: Callable[..., object], *args: Any, context: Context | None = None) -> asyncio.Handle:
        """Run callback in a coming pass of the loop, after the callbacks readied before it (once the
        loop is closed, never: as qasync, which drops it without a word)."""
        handle = asyncio.Handle(callback, args, self, context=context)
        if not self.is_closed():
            self._ready_queue.append(handle)
            if not self._ready_timer.isActive():
                self._ready_timer.start()
        return handle

    def _run_ready(self) -> None:
        ready = self._ready_queue
        deadline = time.perf_counter() + TURN_BUDGET_S
        for _ in range(len(ready)):  # those ready now: one made ready meanwhile waits for the next pass
            handle = ready.popleft()
            if not handle.cancelled():
                handle._run()  # asyncio's own call: it reports the callback's exception to the loop
            if time.perf_counter() > deadline:
                break
        if ready and not self.is_closed():
            self._ready_timer.start()

    def close(self) -> None:
        super().close()
        self._ready_timer.stop()
        self._ready_queue.clear()
