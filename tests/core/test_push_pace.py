"""A sweep's load on the network (README, "`push`", speed and load): at most 1,000 new probes a
second across the run and at most 1,024 probes in flight, so that a /22 cannot flood a branch
link. Real probes on loopback; the probe functions are wrapped only to note when each starts and
ends, then run as they are."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sep_port_doctor.core import engine as engine_module
from sep_port_doctor.core import probes
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.extra import extra_checks, parse_extras
from sep_port_doctor.core.push import DEFAULT_CONCURRENCY, DEFAULT_RATE, PushRun, parse_targets
from sep_port_doctor.core.push_command import push_engine
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import TimeoutPolicy
from tests.helpers.servers import dropping_port

CATALOG = load_catalog()


class ProbeLog:
    """When each probe started, and the most probes that were under way at once."""

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.running = 0
        self.most = 0

    def wrap(self, probe: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def noted(*args: Any, **kwargs: Any) -> Any:
            self.starts.append(asyncio.get_running_loop().time())
            self.running += 1
            self.most = max(self.most, self.running)
            try:
                return await probe(*args, **kwargs)
            finally:
                self.running -= 1

        return noted


@pytest.fixture
def probe_log(monkeypatch: pytest.MonkeyPatch) -> ProbeLog:
    log = ProbeLog()
    # The engine's own names for the probe functions (core.engine imports them from core.probes).
    monkeypatch.setattr(engine_module, "tcp_probe", log.wrap(probes.tcp_probe))
    monkeypatch.setattr(engine_module, "udp_probe", log.wrap(probes.udp_probe))
    return log


def test_the_sweep_engine_is_paced_and_bounded_as_documented() -> None:
    engine = push_engine(TimeoutPolicy())
    assert (engine.probe_rate, engine.max_sockets) == (DEFAULT_RATE, DEFAULT_CONCURRENCY) == (1000.0, 1024)


def test_a_sweep_starts_at_most_1000_probes_a_second(probe_log: ProbeLog) -> None:
    """A /24 of loopback addresses (every port refused at once, so nothing but the pace holds
    the probes back): 762 probes, TCP 445 and 139 and UDP 137 of 254 PCs, take at least 0.761 s."""
    targets = parse_targets([("", "127.0.9.0/24")])
    sweep = asyncio.run(PushRun(CATALOG, targets.hosts, push_engine(TimeoutPolicy(initial=0.3))).run())
    assert len(sweep.targets) == 254
    starts = sorted(probe_log.starts)
    assert len(starts) == 254 * 3
    spread = starts[-1] - starts[0]
    # The pace gives each probe its turn 1 ms after the one before; a busy machine only delays turns.
    assert spread >= (len(starts) - 1) / DEFAULT_RATE * 0.99, spread


def test_probes_in_flight_are_bounded(probe_log: ProbeLog) -> None:
    """Twenty probes to ports that drop every SYN, with room for five at a time: five wait at
    once, never six, and each still gets its verdict."""
    quick = TimeoutPolicy(initial=0.1, floor=0.05, cap=0.1, silent_host_wait=0.0)

    async def scenario() -> list[State]:
        with contextlib.ExitStack() as stack:
            ports = [stack.enter_context(dropping_port()) for _ in range(20)]
            checks = extra_checks(parse_extras([f"127.0.0.1:{port}" for port in ports]), CATALOG)
            summary = await ProbeEngine(quick, max_sockets=5, use_system_proxy=False).run(checks)
        return [r.state for r in summary.results]

    states = asyncio.run(scenario())
    assert states == [State.FILTERED] * 20
    assert probe_log.most == 5
