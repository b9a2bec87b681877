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

import pytest

from sep_port_doctor.core import resolver
from sep_port_doctor.core.resolver import in_daemon_thread
from tests.helpers.hang import HANG_GUARD_S

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
        "from sep_port_doctor.core.resolver import in_daemon_thread\n"
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


def test_a_blocking_system_proxy_lookup_never_blocks_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """``proxy_bypass`` can resolve names (Windows, macOS): held here until released, while the
    loop goes on delivering the other checks' results (issue 9 item 9)."""
    import urllib.request

    from sep_port_doctor.core.catalog import load_catalog
    from sep_port_doctor.core.engine import ProbeEngine
    from sep_port_doctor.core.hosts import parse_host
    from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
    from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
    from sep_port_doctor.core.timing import TimeoutPolicy
    from sep_port_doctor.core.versions import parse_version

    release = threading.Event()
    asked = threading.Event()

    def slow_bypass(_host: str) -> bool:
        asked.set()
        release.wait(HANG_GUARD_S)
        return True  # bypassed: no proxy path

    monkeypatch.setattr(urllib.request, "getproxies", lambda: {"http": "http://proxy.invalid:8080"})
    monkeypatch.setattr(urllib.request, "proxy_bypass", slow_bypass)

    async def scenario() -> tuple[list[str], int]:
        arrived: list[str] = []
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), role=Role.CLIENT,
                overrides=dict(manager.bound), platform="linux",
            )  # fmt: skip
            engine = ProbeEngine(TimeoutPolicy(initial=0.5, cap=1.0))
            run = asyncio.ensure_future(
                engine.run(build_plan(load_catalog(), request), on_result=lambda r: arrived.append(r.check.entry_id))
            )
            ticks = 0
            async with asyncio.timeout(HANG_GUARD_S):
                while not (asked.is_set() and "push-tcp-445" in arrived):
                    await asyncio.sleep(0.01)  # the loop keeps running while the lookup is held
                    ticks += 1
            held = list(arrived)
            release.set()
            summary = await asyncio.wait_for(run, HANG_GUARD_S)
        assert {r.check.entry_id for r in summary.results} >= {"client-http-8014", "push-tcp-445"}
        return held, ticks

    held, ticks = asyncio.run(scenario())
    assert "push-tcp-445" in held and "client-http-8014" not in held  # the heartbeat waits, nothing else
    assert ticks > 0
