"""Lookups that never hold the run or the exit: each blocking call has a daemon thread of its own.

A real silent DNS server is in tests/integration (the namespace lab's dnsmasq); here the
blocking call is a real blocked thread, which is what a silent resolver makes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from core import resolver
from core.resolver import in_daemon_thread

ROOT = Path(__file__).resolve().parents[2]


def test_abandoned_lookups_cannot_exhaust_later_ones() -> None:
    """In the window, after DNS was broken for a while, a new lookup still gets a thread at once."""
    release = threading.Event()

    async def scenario() -> tuple[int, str, float]:
        for _ in range(40):  # more than any executor's worker count here
            try:
                async with asyncio.timeout(0.01):
                    await in_daemon_thread(lambda: release.wait(30))
            except TimeoutError:
                pass
        stuck = resolver.active_threads()
        started = time.perf_counter()
        answer = await asyncio.wait_for(in_daemon_thread(lambda: "answered"), timeout=5)  # hang guard
        return stuck, answer, time.perf_counter() - started

    try:
        stuck, answer, _elapsed = asyncio.run(scenario())
    finally:
        release.set()
    assert stuck >= 40
    assert answer == "answered"


def test_cancelling_the_await_abandons_the_thread_and_the_exception_reaches_the_caller() -> None:
    async def scenario() -> str:
        task = asyncio.ensure_future(in_daemon_thread(lambda: time.sleep(5)))
        await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

        def fails() -> None:
            raise OSError("resolver broke")

        try:
            await in_daemon_thread(fails)
        except OSError as exc:
            return str(exc)
        return "no error"

    assert asyncio.run(scenario()) == "resolver broke"


def test_the_process_exits_right_after_the_verdict_while_a_lookup_is_stuck() -> None:
    """``asyncio.run`` joins its default executor; a stuck lookup there held the exit for 10-30 s."""
    program = (
        "import asyncio, time\n"
        "from core.resolver import in_daemon_thread\n"
        "async def main():\n"
        "    try:\n"
        "        async with asyncio.timeout(0.2):\n"
        "            await in_daemon_thread(lambda: time.sleep(60))\n"
        "    except TimeoutError:\n"
        "        print('verdict')\n"
        "asyncio.run(main())\n"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=30,  # hang guard: the stuck call alone takes 60 s
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "verdict", result.stderr
    assert result.returncode == 0
    assert time.perf_counter() - started < 20
