"""Cancelling many probes at once closes every socket in one step, and the probes give the same
verdicts on a loop that cannot watch sockets itself (Windows' proactor: the loop's own
sock_connect/sock_recv in tasks)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from typing import Any

import pytest

from sep_port_doctor.core.probes import tcp_probe, udp_probe
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import PathTiming, TimeoutPolicy
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import answer, closed_port, dropping_port, serving, udp_serving

QUICK = TimeoutPolicy(initial=0.2, floor=0.05, cap=0.3, silent_host_wait=0.0)
SLOW = TimeoutPolicy(initial=30.0, floor=30.0, cap=30.0)


class _NoWatchLoop(asyncio.SelectorEventLoop):
    """A loop without public socket watches, as the proactor (its own sock_* still work)."""

    def add_writer(self, fd: Any, callback: Any, *args: Any) -> None:  # type: ignore[override]
        raise NotImplementedError

    def add_reader(self, fd: Any, callback: Any, *args: Any) -> None:  # type: ignore[override]
        raise NotImplementedError


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("loop_factory", [asyncio.SelectorEventLoop, _NoWatchLoop], ids=["watched", "tasks"])
def test_the_same_verdicts_whether_the_loop_watches_sockets_or_runs_tasks(loop_factory: Any) -> None:
    async def scenario() -> list[State]:
        with closed_port() as closed, dropping_port() as dropped:
            async with serving(answer(b"")) as server, udp_serving(lambda data: b"pong") as (udp_port, _server):
                return [
                    (await tcp_probe(socket.AF_INET, "127.0.0.1", server.port, PathTiming(QUICK))).state,
                    (await tcp_probe(socket.AF_INET, "127.0.0.1", closed, PathTiming(QUICK))).state,
                    (await tcp_probe(socket.AF_INET, "127.0.0.1", dropped, PathTiming(QUICK))).state,
                    (await udp_probe(socket.AF_INET, "127.0.0.1", udp_port, b"ping", PathTiming(QUICK))).state,
                ]

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        states = runner.run(scenario())
    assert states == [State.OPEN, State.CLOSED, State.FILTERED, State.OPEN]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files through /proc")
@pytest.mark.parametrize("loop_factory", [asyncio.SelectorEventLoop, _NoWatchLoop], ids=["watched", "tasks"])
def test_cancelling_hundreds_of_waiting_probes_closes_every_socket_and_leaves_no_task(loop_factory: Any) -> None:
    """300 probes to a port that drops every SYN, each with attempts waiting: cancelled together,
    they end in a few turns of the loop with every socket closed (a sweep's Cancel)."""

    async def scenario() -> tuple[float, int, int, int]:
        with dropping_port() as port:
            before = _open_files()
            path = PathTiming(TimeoutPolicy(initial=0.05, floor=0.05, cap=0.05, silent_host_wait=30.0))
            tcp = [asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", port, path)) for _ in range(200)]
            silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read
            silent.bind(("127.0.0.1", 0))
            udp_path = PathTiming(SLOW)
            udp = [
                asyncio.ensure_future(udp_probe(socket.AF_INET, "127.0.0.1", silent.getsockname()[1], b"x", udp_path))
                for _ in range(100)
            ]
            await asyncio.sleep(0.4)  # every TCP probe has sent its three attempts and waits for the verdict
            opened = _open_files() - before
            asked = time.perf_counter()
            for probe in (*tcp, *udp):
                probe.cancel()
            await asyncio.wait([*tcp, *udp], timeout=HANG_GUARD_S)
            took = time.perf_counter() - asked
            left = _open_files() - before - 1  # the silent UDP socket is the test's own
            silent.close()
            others = len(asyncio.all_tasks()) - 1
        return took, opened, left, others

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        took, opened, left, others = runner.run(scenario())
    assert opened >= 600 + 100  # three attempts of each TCP probe, one socket per UDP probe
    assert left == 0 and others == 0
    assert took < 2.0  # a hang guard; the speed is measured by benchmarks/push_sweep.py
