"""The program's event loop (gui.event_loop.EventLoop): ready callbacks run in their order, a few
milliseconds at a time, with the window's own work (a 5 ms timer here) between; a callback's
exception reaches the loop's handler and the others still run; a cancelled one never runs."""

from __future__ import annotations

import asyncio
import gc
import itertools
import threading
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from sep_port_doctor.gui.event_loop import TURN_BUDGET_S, EventLoop


def busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_ready_callbacks_run_in_order_and_one_made_ready_meanwhile_waits_its_turn(loop: EventLoop) -> None:
    order: list[str] = []

    def first() -> None:
        order.append("first")
        loop.call_soon(order.append, "made ready by first")

    async def main() -> None:
        loop.call_soon(first)
        loop.call_soon(order.append, "second")
        loop.call_soon(order.append, "third")
        await asyncio.sleep(0.05)

    loop.run_until_complete(main())
    assert order == ["first", "second", "third", "made ready by first"]


def test_the_window_ticks_between_slices_of_a_long_chain_of_ready_callbacks(
    qapp: QApplication, loop: EventLoop
) -> None:
    """300 callbacks of 1 ms each, all ready at once: a 5 ms timer ticks while they run, a few
    callbacks apart (qasync ran every ready callback in one pass: one gap of 300 ms). Counted,
    not timed: on a loaded machine fewer callbacks fit between two ticks, never more."""
    ran: list[int] = []
    between_ticks: list[int] = []

    def tick() -> None:
        between_ticks.append(len(ran))

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def one_millisecond(n: int) -> None:
        busy(0.001)
        ran.append(n)

    async def main() -> None:
        timer.start()
        for n in range(300):
            loop.call_soon(one_millisecond, n)
        while len(ran) < 300:
            await asyncio.sleep(0.01)
        timer.stop()

    loop.run_until_complete(main())
    assert ran == list(range(300))
    counts = [b - a for a, b in itertools.pairwise(between_ticks)]
    most = 3 * (5 + int(TURN_BUDGET_S * 1000) + 1)  # three times a tick's 5 ms and one slice, at 1 ms each
    assert len(between_ticks) >= 300 // most, between_ticks
    assert max(counts) <= most, counts


def test_a_failing_callback_is_reported_and_the_others_run(loop: EventLoop) -> None:
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    ran: list[str] = []

    def fails() -> None:
        raise ValueError("a bug in a callback")

    async def main() -> None:
        loop.call_soon(fails)
        loop.call_soon(ran.append, "after")
        cancelled = loop.call_soon(ran.append, "cancelled")
        cancelled.cancel()
        await asyncio.sleep(0.05)

    loop.run_until_complete(main())
    assert ran == ["after"]
    assert len(reported) == 1 and isinstance(reported[0]["exception"], ValueError)


def test_a_callback_from_another_thread_runs_on_the_loop(loop: EventLoop) -> None:
    threads: list[threading.Thread] = []

    async def main() -> None:
        arrived: asyncio.Future[threading.Thread] = loop.create_future()
        worker = threading.Thread(
            target=lambda: loop.call_soon_threadsafe(lambda: arrived.set_result(threading.current_thread()))
        )
        worker.start()
        threads.append(await asyncio.wait_for(arrived, 5))
        worker.join()

    loop.run_until_complete(main())
    assert threads == [threading.main_thread()]


def test_a_closed_loop_drops_what_is_made_ready_after(qapp: QApplication) -> None:
    loop = EventLoop(qapp)
    ran: list[str] = []
    loop.call_soon(ran.append, "pending when closed")
    loop.close()
    loop.call_soon(ran.append, "after close")
    qapp.processEvents()
    assert ran == []
    del loop
    gc.collect()  # its timer freed here, on the GUI thread
