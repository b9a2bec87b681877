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

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.probes import tcp_probe, udp_probe
from sep_port_doctor.core.push import PushRun, PushSweep, TargetVerdict, parse_targets
from sep_port_doctor.core.push_command import push_engine
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import PathTiming, TimeoutPolicy
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import answer, closed_port, dropping_port, serving, udp_serving

CATALOG = load_catalog()

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


@pytest.mark.parametrize("when", ["before run()", "before the task's first turn"])
def test_a_sweep_cancelled_before_it_starts_ends_cancelled_and_sends_nothing(when: str) -> None:
    """A sweep cancelled before its task started (the window's Cancel pressed at once) never said it
    ended: the task's code never ran. ``PushRun.cancel()`` now works before the start as after it, as
    ``DiagnosisRun.cancel()`` does: ``run()`` returns the sweep, cancelled, every target not tested,
    and nothing was sent (the listener standing in for 445 and 139 saw no connection)."""

    async def scenario() -> tuple[PushSweep, int, int]:
        async with serving(answer(b"")) as server, udp_serving(lambda data: b"") as (udp_port, _udp):
            targets = parse_targets([("", "127.0.0.1"), ("", "127.0.0.2")])
            ports = {445: server.port, 139: server.port, 137: udp_port}
            run = PushRun(CATALOG, targets.hosts, push_engine(TimeoutPolicy()), ports=ports)
            if when == "before run()":
                run.cancel()
                sweep = await asyncio.wait_for(run.run(), HANG_GUARD_S)
            else:
                task = asyncio.ensure_future(run.run())
                run.cancel()
                sweep = await asyncio.wait_for(task, HANG_GUARD_S)
            await asyncio.sleep(0.1)  # a connection that was made would have reached the server by now
            return sweep, server.connections, len(asyncio.all_tasks()) - 1

    sweep, connections, others = asyncio.run(scenario())
    assert sweep.cancelled and connections == 0 and others == 0
    assert [(t.host.typed, t.verdict) for t in sweep.targets] == [
        ("127.0.0.1", "not_tested"),
        ("127.0.0.2", "not_tested"),
    ]
    assert {r.state for t in sweep.targets for r in t.results} == {State.CANCELLED}
    assert sweep.to_json("en")["cancelled"] is True


def test_a_sweep_cancelled_mid_way_returns_what_it_had() -> None:
    """``cancel()`` while 127.0.0.1's ports wait for their answers and 127.0.0.2 has refused: the sweep
    returns at once, 127.0.0.2's verdict kept, 127.0.0.1 not tested."""

    async def scenario() -> tuple[PushSweep, float]:
        with dropping_port() as port:
            targets = parse_targets([("", "127.0.0.1"), ("", "127.0.0.2")])
            refused = asyncio.Event()  # 127.0.0.2's verdict is in; 127.0.0.1's ports wait 30 s

            def on_target(target: TargetVerdict) -> None:
                if target.host.typed == "127.0.0.2":
                    refused.set()

            run = PushRun(
                CATALOG, targets.hosts, push_engine(SLOW), ports={445: port, 139: port}, path_facts=False,
                on_target=on_target,
            )  # fmt: skip
            task = asyncio.ensure_future(run.run())
            await asyncio.wait_for(refused.wait(), HANG_GUARD_S)
            assert not task.done()
            asked = time.perf_counter()
            run.cancel()
            sweep = await asyncio.wait_for(task, HANG_GUARD_S)
            return sweep, time.perf_counter() - asked

    sweep, took = asyncio.run(scenario())
    assert sweep.cancelled and took < 2.0  # a hang guard; benchmarks/push_sweep.py measures the cancel
    verdicts = {t.host.typed: t.verdict for t in sweep.targets}
    assert verdicts == {"127.0.0.1": "not_tested", "127.0.0.2": "not_ready"}
