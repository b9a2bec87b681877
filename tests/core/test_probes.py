"""Transport verdicts against real loopback sockets."""

from __future__ import annotations

import asyncio
import socket

from core.netbios import node_status_answer, node_status_query, parse_node_status
from core.probes import resolve, tcp_probe, udp_probe
from core.results import State
from core.timing import RttEstimator, TimeoutPolicy
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import answer, closed_port, closed_udp_port, dropping_port, serving, udp_serving

FAST = TimeoutPolicy(initial=0.3, floor=0.05, cap=0.5)


def _estimator() -> RttEstimator:
    return RttEstimator(FAST)


def test_open_port() -> None:
    async def scenario() -> None:
        async with serving(answer(b"")) as server:
            outcome = await tcp_probe(socket.AF_INET, "127.0.0.1", server.port, _estimator())
        assert outcome.state is State.OPEN
        assert outcome.reason == "syn-ack"
        assert outcome.rtt_ms is not None and outcome.rtt_ms >= 0
        assert outcome.attempts == 1

    asyncio.run(scenario())


def test_closed_port_is_refused_not_filtered() -> None:
    with closed_port() as port:
        outcome = asyncio.run(tcp_probe(socket.AF_INET, "127.0.0.1", port, _estimator()))
    assert outcome.state is State.CLOSED
    assert outcome.reason == "conn-refused"
    assert outcome.attempts == 1


def test_dropped_port_is_filtered_after_one_retry() -> None:
    with dropping_port() as port:
        estimator = _estimator()
        outcome = asyncio.run(tcp_probe(socket.AF_INET, "127.0.0.1", port, estimator))  # type: ignore[arg-type]
    assert outcome.state is State.FILTERED
    assert outcome.attempts == 2
    assert "no-response" in outcome.reason
    assert estimator.samples == 0


def test_timeout_adapts_to_round_trips_of_the_same_host() -> None:
    """A dropped port waits the initial timeout only until another port of the host answers."""

    async def scenario() -> tuple[State, float, float]:
        # Without adaptation the dropped probe would wait 2 x 120 s; the hang guard is far below that.
        estimator = RttEstimator(TimeoutPolicy(initial=120.0, floor=0.05, cap=240.0))
        before = estimator.timeout()
        with dropping_port() as dropped:
            async with serving(answer(b"")) as server:
                dropped_probe = asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", dropped, estimator))  # type: ignore[arg-type]
                await asyncio.sleep(0.05)
                for _ in range(3):
                    await tcp_probe(socket.AF_INET, "127.0.0.1", server.port, estimator)
                after = estimator.timeout()
                outcome = await asyncio.wait_for(dropped_probe, timeout=HANG_GUARD_S)
        return outcome.state, before, after

    state, before, after = asyncio.run(scenario())
    assert state is State.FILTERED
    assert before == 120.0
    assert after < 5.0  # learnt from loopback round trips (milliseconds), whatever the load


def test_slow_answers_raise_the_timeout_instead_of_false_filtered() -> None:
    estimator = RttEstimator(TimeoutPolicy(initial=1.0, floor=0.05, cap=10.0))
    for rtt in (0.4, 0.45, 0.5):
        estimator.add_sample(rtt)
    assert estimator.timeout() > 0.9  # a 0.5 s VPN link is not declared filtered at 0.5 s
    estimator = RttEstimator(TimeoutPolicy(initial=1.0, floor=0.05, cap=0.6))
    estimator.add_sample(2.0)
    assert estimator.timeout() == 0.6  # --timeout caps it


def test_udp_answer_is_open_and_silence_is_open_filtered() -> None:
    async def scenario() -> tuple[State, State, bytes | None]:
        async with udp_serving(lambda data: b"pong:" + data) as (port, _server):
            answered = await udp_probe(socket.AF_INET, "127.0.0.1", port, b"ping", _estimator())
        async with udp_serving(lambda data: None) as (port, server):
            silent = await udp_probe(socket.AF_INET, "127.0.0.1", port, b"ping", _estimator())
            assert server.received == [b"ping", b"ping"]  # one retry
        return answered.state, silent.state, answered.answer

    answered, silent, data = asyncio.run(scenario())
    assert answered is State.OPEN
    assert data == b"pong:ping"
    assert silent is State.OPEN_FILTERED


def test_udp_port_unreachable_is_closed() -> None:
    with closed_udp_port() as port:
        outcome = asyncio.run(udp_probe(socket.AF_INET, "127.0.0.1", port, b"x", _estimator()))
    assert outcome.state is State.CLOSED
    assert outcome.reason == "port-unreach"


def test_netbios_node_status_round_trip() -> None:
    async def scenario() -> bytes | None:
        def reply(query: bytes) -> bytes:
            return node_status_answer(query, "CLIENT-PC", "CORP", bytes.fromhex("001122334455"))

        async with udp_serving(reply) as (port, server):
            outcome = await udp_probe(socket.AF_INET, "127.0.0.1", port, node_status_query(), _estimator())
            assert server.received[0][12:14] == b"\x20\x43"  # the encoded "*" name starts with 'CK'
        return outcome.answer

    data = asyncio.run(scenario())
    assert data is not None
    status = parse_node_status(data)
    assert status.mac == "00:11:22:33:44:55"
    assert [n.name for n in status.names] == ["CLIENT-PC", "CLIENT-PC", "CORP"]
    assert status.describe() == "computer CLIENT-PC, workgroup CORP, MAC 00:11:22:33:44:55"


def test_resolve_localhost_and_ip_literals() -> None:
    resolved = asyncio.run(resolve("localhost"))
    assert resolved.ok and resolved.address in ("127.0.0.1", "::1")
    assert asyncio.run(resolve("127.0.0.1")).address == "127.0.0.1"
