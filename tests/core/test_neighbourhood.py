"""core.timing rule 8: in a sweep, a host that answers nothing is held to what its network's
other hosts showed (push), never sooner than a floor, never later than the rules alone."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import socket
import time
from collections.abc import Iterator

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.push import build_push_plan, neighbourhood_of
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import NEIGHBOUR_FLOOR, Neighbourhood, PathTiming, TimeoutPolicy
from tests.helpers.words import english


def test_a_silent_host_waits_as_long_as_nothing_is_known_until_a_neighbour_answers() -> None:
    policy = TimeoutPolicy()
    hood = Neighbourhood(policy)
    silent, neighbour = PathTiming(policy, hood), PathTiming(policy, hood)
    assert silent.timeout() == 1.0 and silent.verdict_at(0.0, 2.0, 3) == 3.5  # rules 3 and 5: nothing known yet
    neighbour.far_answer(0.001)
    assert hood.silent_wait() == NEIGHBOUR_FLOOR == 0.5
    assert silent.timeout() == pytest.approx(0.5 / 3)  # three attempts within the neighbours' bound
    assert silent.verdict_at(0.0, 2 * 0.5 / 3, 3) == pytest.approx(0.5)
    assert neighbour.timeout() == policy.floor  # the neighbour itself keeps its own estimate
    # A slower neighbour makes the bound longer: three times its round trip at least (here three
    # RFC 6298 timeouts, which the spread of 1 ms and 300 ms answers makes longer still).
    PathTiming(policy, hood).far_answer(0.3)
    wait = hood.silent_wait()
    assert wait is not None and wait >= 0.9
    assert silent.verdict_at(0.0, 0.0, 1) == pytest.approx(wait)


def test_the_hosts_own_first_answer_puts_it_back_under_its_own_estimate() -> None:
    policy = TimeoutPolicy()
    hood = Neighbourhood(policy)
    host = PathTiming(policy, hood)
    PathTiming(policy, hood).far_answer(0.001)
    host.far_answer(0.2)  # its own SYN-ACK: RFC 6298 from here on (0.2 + 4 x 0.1)
    assert host.timeout() == pytest.approx(0.6)
    assert host.verdict_at(0.0, 1.2, 3) == pytest.approx(1.8)


def test_resets_do_not_take_a_host_out_of_its_neighbourhood_but_it_is_at_least_that_far() -> None:
    """A reset may come from a firewall on the way (rule 2): the host itself has still not answered."""
    policy = TimeoutPolicy()
    hood = Neighbourhood(policy)
    PathTiming(policy, hood).far_answer(0.001)
    near = PathTiming(policy, hood)
    near.near_answer(0.002)
    assert near.timeout() == pytest.approx(0.5 / 3)
    far_reset = PathTiming(policy, hood)
    far_reset.near_answer(0.4)  # a reset from 400 ms away: each attempt waits at least two of those
    assert far_reset.timeout() == pytest.approx(0.8)


def test_never_later_than_the_rules_alone_and_a_user_timeout_is_the_least_wait() -> None:
    policy = TimeoutPolicy()
    hood = Neighbourhood(policy)
    PathTiming(policy, hood).far_answer(5.0)  # a neighbour on a 5 s link
    assert hood.silent_wait() == 3.5  # what a silent host gets without neighbours
    slow = TimeoutPolicy.from_user_timeout(2.0)  # the technician says the link is slow
    hood = Neighbourhood(slow)
    PathTiming(slow, hood).far_answer(0.001)
    assert hood.silent_wait() == 2.0
    quick = TimeoutPolicy.from_user_timeout(0.2)
    hood = Neighbourhood(quick)
    PathTiming(quick, hood).far_answer(0.001)
    assert hood.silent_wait() == pytest.approx(0.2)


def test_the_programs_own_measures_count_only_until_the_kernels() -> None:
    """A sample taken while the loop was busy (100 ms) must not hold every silent neighbour 0.9 s."""
    policy = TimeoutPolicy()
    hood = Neighbourhood(policy)
    PathTiming(policy, hood).far_answer(0.1, exact=False)
    assert hood.silent_wait() == pytest.approx(0.9)  # three RFC 6298 timeouts of a first 100 ms sample
    PathTiming(policy, hood).far_answer(0.001)
    assert hood.silent_wait() == 0.5
    PathTiming(policy, hood).far_answer(0.4, exact=False)
    assert hood.silent_wait() == 0.5


def test_waiting_probes_are_woken_once_when_the_bound_shortens() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        policy = TimeoutPolicy()
        hood = Neighbourhood(policy)
        silent, neighbour = PathTiming(policy, hood), PathTiming(policy, hood)
        first = silent.changed()
        neighbour.far_answer(0.001)
        second = silent.changed()
        neighbour.far_answer(0.0012)  # the same bound: no need to wake hundreds of probes again
        own = neighbour.changed()
        neighbour.far_answer(0.001)
        return first.done(), second.done(), own.done()

    first, second, own = asyncio.run(scenario())
    assert first and not second and own


def test_neighbourhoods_are_the_ipv4_24_and_the_ipv6_64() -> None:
    assert neighbourhood_of("10.1.2.3") == neighbourhood_of("10.1.2.254") == "10.1.2.0/24"
    assert neighbourhood_of("10.1.3.3") != neighbourhood_of("10.1.2.3")
    assert neighbourhood_of("2001:db8:1:2::7") == "2001:db8:1:2::/64"
    # fe80::/64 is on every card: link-local PCs are neighbours on their own link only.
    assert neighbourhood_of("fe80::1%eth0") == neighbourhood_of("fe80::7%eth0") == "fe80::/64%eth0"
    assert neighbourhood_of("fe80::1%eth1") == "fe80::/64%eth1"
    assert neighbourhood_of("127.0.0.1") is None and neighbourhood_of("::1") is None


# --- real sockets ----------------------------------------------------------------------------


@contextlib.contextmanager
def _two_hosts() -> Iterator[dict[int, int]]:
    """127.0.0.1 answers (445 open, 139 and 137 closed); 127.0.0.2 drops everything, on the same ports."""
    held: list[socket.socket] = []

    def tcp(address: str, port: int, backlog: int) -> int:
        sock = socket.socket()
        held.append(sock)
        sock.bind((address, port))
        sock.listen(backlog)
        return int(sock.getsockname()[1])

    try:
        # The port drawn on 127.0.0.2 may be taken on 127.0.0.1 (another test's connection, another
        # process): draw again rather than fail; a few draws are always enough.
        for _attempt in range(20):
            smb = tcp("127.0.0.2", 0, 0)
            try:
                tcp("127.0.0.1", smb, 16)
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        else:
            raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2 in 20 draws")
        netbios = tcp("127.0.0.2", 0, 0)
        for port in (smb, netbios):
            for _ in range(2):  # a full accept queue: further SYNs are dropped
                filler = socket.socket()
                held.append(filler)
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.2", port))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read: silent
        held.append(udp)
        udp.bind(("127.0.0.2", 0))
        yield {445: smb, 139: netbios, 137: int(udp.getsockname()[1])}
    finally:
        for sock in held:
            sock.close()


def _silent_host_verdicts(neighbourhood: bool) -> tuple[dict[str, tuple[State, int, str]], float]:
    async def scenario() -> tuple[dict[str, tuple[State, int, str]], float]:
        with _two_hosts() as ports:
            plan = build_push_plan(load_catalog(), [parse_host("127.0.0.1"), parse_host("127.0.0.2")], ports=ports)
            checks = [dataclasses.replace(c, app_tests=()) for c in plan]
            engine = ProbeEngine(
                TimeoutPolicy(), use_system_proxy=False, neighbourhood=(lambda _a: "lo") if neighbourhood else None
            )
            started = time.perf_counter()
            summary = await engine.run(checks)
            elapsed = time.perf_counter() - started
        return {r.check.id: (r.state, r.attempts, english(r.reason)) for r in summary.results}, elapsed

    return asyncio.run(scenario())


def test_a_host_silent_among_answering_neighbours_is_told_at_their_bound_not_after_3_5_s() -> None:
    results, elapsed = _silent_host_verdicts(neighbourhood=True)
    assert results["push-tcp-445@127.0.0.1"][0] is State.OPEN
    assert results["push-tcp-139@127.0.0.1"][0] is State.CLOSED
    for entry, state in (("push-tcp-445", State.FILTERED), ("push-tcp-139", State.FILTERED)):
        assert results[f"{entry}@127.0.0.2"][:2] == (state, 3)
    assert results["push-udp-137@127.0.0.2"][:2] == (State.OPEN_FILTERED, 3)
    assert "told silent after 0.50 s: 1 host(s) of lo answered" in results["push-tcp-445@127.0.0.2"][2]
    assert "told silent" not in results["push-tcp-445@127.0.0.1"][2]
    assert elapsed < 3.0  # the 0.5 s bound; the rules alone wait 3.5 s (the control below)


def test_control_without_neighbours_the_silent_host_waits_for_a_routers_late_answer() -> None:
    results, elapsed = _silent_host_verdicts(neighbourhood=False)
    assert results["push-tcp-445@127.0.0.2"] == (State.FILTERED, 3, "no-response (3 attempts)")
    assert elapsed >= 3.5
