"""Path facts without the lab: Windows' IcmpSendEcho2 against fakes of its results (the reply
buffer as the API fills it, hand-made after ipexport.h), the trace's conclusions, Linux's
routing table read from a hand-made /proc/net/route, cancelling a trace, and a run against
the simulated manager on loopback (path facts in the JSON and on the terminal, both languages)."""

from __future__ import annotations

import asyncio
import ctypes
import io
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.check_command import run_check
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.path.echo import echo
from sep_port_doctor.core.path.facts import EchoState, HopKind, TraceEnd
from sep_port_doctor.core.path.route import linux_gateway, route_facts, source_address
from sep_port_doctor.core.path.trace import trace
from sep_port_doctor.core.path.winicmp import (
    IP_REQ_TIMED_OUT,
    IP_SUCCESS,
    IP_TTL_EXPIRED_TRANSIT,
    EchoReply,
    IcmpEchoReply,
    parse_reply,
)
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import dropping_port
from tests.helpers.words import english

CATALOG = load_catalog()


def _buffer(address: str, status: int, rtt: int) -> bytes:
    """An ICMP_ECHO_REPLY as IcmpSendEcho2 leaves it in the reply buffer (x64 layout)."""
    reply = IcmpEchoReply()
    reply.Address = struct.unpack("=I", socket.inet_aton(address))[0]
    reply.Status = status
    reply.RoundTripTime = rtt
    return bytes(reply) + b"\0" * 64


def test_reply_buffer_layout_is_windows_x64() -> None:
    # ICMP_ECHO_REPLY on 64-bit Windows: 4+4+4+2+2, a pointer at 16, IP_OPTION_INFORMATION (8 + pointer).
    assert ctypes.sizeof(IcmpEchoReply) == 40
    assert IcmpEchoReply.Data.offset == 16 and IcmpEchoReply.Options.offset == 24


def test_parse_reply_reads_who_answered_and_how() -> None:
    expired = parse_reply(_buffer("10.20.0.1", IP_TTL_EXPIRED_TRANSIT, 3), 1, 0)
    assert expired == EchoReply(IP_TTL_EXPIRED_TRANSIT, "10.20.0.1", 3.0)
    assert parse_reply(_buffer("10.9.8.7", IP_SUCCESS, 12), 1, 0) == EchoReply(IP_SUCCESS, "10.9.8.7", 12.0)
    # No reply: the status is GetLastError's, nobody named.
    assert parse_reply(bytes(64), 0, IP_REQ_TIMED_OUT) == EchoReply(IP_REQ_TIMED_OUT, None, None)
    assert parse_reply(b"", 0, 0).status == IP_REQ_TIMED_OUT


class FakeIcmp:
    """IcmpSendEcho2's answers along a path: routers by TTL, then the target or silence."""

    def __init__(self, routers: list[str | None], end: tuple[int, str | None] | None, block: float = 0.0) -> None:
        self.routers, self.end, self.block = routers, end, block
        self.calls: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        with self.lock:
            self.calls.append((address, ttl))
        if self.block:
            time.sleep(self.block)
        if ttl <= len(self.routers):
            router = self.routers[ttl - 1]
            if router is None:
                return EchoReply(IP_REQ_TIMED_OUT, None, None)
            return EchoReply(IP_TTL_EXPIRED_TRANSIT, router, 1.0)
        if self.end is None:
            return EchoReply(IP_REQ_TIMED_OUT, None, None)
        status, who = self.end
        return EchoReply(status, who or address, 2.0)


def test_windows_trace_names_the_last_router_that_answered() -> None:
    api = FakeIcmp(["10.20.0.1", "10.30.0.1"], None)
    facts = asyncio.run(trace("10.9.8.7", "tcp", 8014, api=api))
    assert facts.method == "icmp-echo" and facts.end is TraceEnd.LAST_HOP
    assert facts.last_answered is not None and facts.last_answered.address == "10.30.0.1"
    assert len(facts.hops) == 30 and all(ttl <= 30 for _a, ttl in api.calls)
    assert "10.30.0.1 (hop 2)" in facts.text("en") and "10.30.0.1(2 ホップ目)" in facts.text("ja")


def test_windows_trace_reached_rejected_and_no_answer() -> None:
    reached = asyncio.run(trace("10.9.8.7", "tcp", 8014, api=FakeIcmp(["10.20.0.1", None], (IP_SUCCESS, None))))
    assert reached.end is TraceEnd.REACHED and reached.hops[-1].ttl == 3
    assert reached.hops[1].kind is HopKind.SILENT
    rejected = asyncio.run(trace("10.9.8.7", "tcp", 8014, api=FakeIcmp(["10.20.0.1"], (11003, "10.30.0.1"))))
    assert rejected.end is TraceEnd.REJECTED and rejected.last_answered is not None
    assert rejected.last_answered.address == "10.30.0.1" and "host-unreach" in rejected.text("en")
    silent = asyncio.run(trace("10.9.8.7", "tcp", 8014, api=FakeIcmp([None, None], None)))
    assert silent.end is TraceEnd.NO_ANSWER and "cannot be told" in silent.text("en")
    ipv6 = asyncio.run(trace("2001:db8::1", "tcp", 8014, api=FakeIcmp([], None)))
    assert ipv6.end is TraceEnd.NOT_AVAILABLE


def test_windows_echo_answered_silent_and_refused() -> None:
    answered = asyncio.run(echo("10.9.8.7", FakeIcmp([], (IP_SUCCESS, None))))
    assert answered.state is EchoState.ANSWERED and answered.received == answered.sent == 3
    assert asyncio.run(echo("10.9.8.7", FakeIcmp([], None))).state is EchoState.NO_ANSWER
    refused = asyncio.run(echo("10.9.8.7", FakeIcmp([], (11003, "10.20.0.1"))))
    assert refused.state is EchoState.UNREACHABLE and "10.20.0.1" in english(refused.detail)


@pytest.fixture
def dropped() -> Iterator[int]:
    with dropping_port() as port:
        yield port


def test_cancelling_a_trace_returns_at_once(dropped: int) -> None:
    """A trace to a port that drops everything waits seconds; cancelled, it stops (the brief: 200 ms)."""
    measured: list[float] = []

    async def scenario(api: FakeIcmp | None) -> None:
        task = asyncio.ensure_future(trace("127.0.0.1", "tcp", dropped, api=api))
        await asyncio.sleep(0.3)
        assert not task.done()
        started = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        measured.append(time.perf_counter() - started)

    asyncio.run(asyncio.wait_for(scenario(None), HANG_GUARD_S))  # Linux: TCP SYNs, sockets closed
    asyncio.run(asyncio.wait_for(scenario(FakeIcmp([None], None, block=5.0)), HANG_GUARD_S))  # Windows: calls abandoned
    assert all(seconds < 1.0 for seconds in measured), measured  # a hang guard; the figure is in the README


PROC_ROUTE = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
tun0\t0000140A\t0100140A\t0003\t0\t0\t50\t0000FFFF\t0\t0\t0
eth0\t0000FE0A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0
"""


def test_linux_gateway_longest_prefix_from_the_routing_table(tmp_path: Path) -> None:
    table = tmp_path / "route"
    table.write_text(PROC_ROUTE)
    missing = tmp_path / "none"
    assert linux_gateway("8.8.8.8", table, missing) == (True, "10.0.2.1")  # the default route
    assert linux_gateway("10.0.2.77", table, missing) == (True, None)  # on this PC's own network
    assert linux_gateway("10.20.3.4", table, missing) == (True, "10.20.0.1")  # the VPN's route, longer prefix
    assert linux_gateway("10.254.0.1", table, missing) == (True, "10.0.2.1")  # a reject route is no way there
    assert linux_gateway("10.0.2.77", missing, missing) == (False, None)


def _route6(destination: str, prefix: int, hop: str, flags: int, device: str) -> str:
    """One line of /proc/net/ipv6_route as the kernel writes it (addresses as 32 hex digits)."""
    hexed = [socket.inet_pton(socket.AF_INET6, a).hex() for a in (destination, "::", hop)]
    return f"{hexed[0]} {prefix:02x} {hexed[1]} 00 {hexed[2]} 00000400 00000001 00000000 {flags:08x} {device:>8}\n"


def test_linux_ipv6_gateway_keeps_a_link_local_routers_zone(tmp_path: Path) -> None:
    """IPv6 routers announce their link-local address: the gateway is on one card, and says which;
    a link-local target's own card (its zone) decides, as every card has fe80::/64."""
    table6 = tmp_path / "ipv6_route"
    table6.write_text(
        _route6("::", 0, "fe80::1", 0x3, "eth0")  # the default route, via the router's link-local address
        + _route6("fe80::", 64, "::", 0x1, "eth0")
        + _route6("fe80::", 64, "::", 0x1, "eth1")
        + _route6("fd00:1::", 64, "fd00:2::1", 0x3, "eth1")
    )
    missing = tmp_path / "none"
    assert linux_gateway("2001:db8::5", missing, table6) == (True, "fe80::1%eth0")
    assert linux_gateway("fd00:1::5", missing, table6) == (True, "fd00:2::1")  # a global gateway has no zone
    assert linux_gateway("fe80::9%eth1", missing, table6) == (True, None)
    assert linux_gateway("fe80::9%wlan0", missing, table6) == (False, None)  # no route on the card it names


def test_route_facts_of_loopback_and_a_refused_destination() -> None:
    facts = route_facts("127.0.0.1", ())
    assert (facts.source, facts.gateway, facts.gateway_known) == ("127.0.0.1", None, True)
    assert facts.interface is not None  # lo here, "Loopback Pseudo-Interface 1" on Windows
    assert "no system proxy" in facts.text("en")
    other = route_facts("127.0.0.9", ())  # another loopback address: this PC still, not the default route
    assert (other.source, other.gateway, other.gateway_known) == ("127.0.0.1", None, True)
    source, error = source_address("224.0.0.1")  # multicast: the kernel picks a source (or says why not)
    assert source is not None or error


def test_check_prints_and_exports_path_facts_in_both_languages() -> None:
    """The dropped profile on loopback: 8443 and 9090 filtered, but no router to trace through."""

    async def scenario(lang: str) -> str:
        ports = {p: 0 for p in SERVED_PORTS}
        async with SimulatedManager(profile="dropped", ports=ports) as manager:
            request = PlanRequest(
                manager=parse_host("localhost"),
                version=parse_version("14.3 RU6"),
                role=Role.CONSOLE,
                overrides=dict(manager.bound),
            )
            out = io.StringIO()
            policy = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)
            await run_check(request, CATALOG, policy, lang, lang == "en", out)
            return out.getvalue()

    import json

    document = json.loads(asyncio.run(asyncio.wait_for(scenario("en"), HANG_GUARD_S)))
    (target,) = document["paths"]
    path = target["path"]
    assert target["target"] == "manager" and target["host"] == "localhost"
    assert path["dns"]["used"] == "127.0.0.1" and "127.0.0.1" in path["dns"]["addresses"]
    assert path["route"]["source"] == "127.0.0.1" and path["route"]["on_link"] is True
    assert path["echo"]["state"] in ("answered", "not_available")  # net.ipv4.ping_group_range decides
    # No router between this PC and itself: nothing to trace, and the words say where the block can be.
    assert path["trace"]["end"] == "on_link" and path["trace"]["hops"] == []
    assert any("no router in between" in line for line in path["summary"])
    text = asyncio.run(asyncio.wait_for(scenario("ja"), HANG_GUARD_S))
    assert "経路: 管理サーバー localhost (127.0.0.1)" in text
    assert "送信元: 127.0.0.1" in text


def test_windows_route_and_profile_come_from_the_client_desk_collection() -> None:
    """On Windows the route facts of the manager reuse Find-NetRoute's answer (NextHop, interface,
    profile) from core.localpc's one PowerShell run; the report prints them in the path section."""
    from sep_port_doctor.core.engine import ProbeEngine
    from sep_port_doctor.core.report import render_report
    from sep_port_doctor.core.run import DiagnosisRun
    from tests.helpers.windows_fixtures import FixtureSystem

    async def scenario() -> DiagnosisRun:
        async with SimulatedManager(profile="healthy", ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"),
                version=parse_version("14.3 RU6"),
                role=Role.CLIENT,
                overrides=dict(manager.bound),
            )
            engine = ProbeEngine(TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0), use_system_proxy=False)
            run = DiagnosisRun(
                request,
                CATALOG,
                engine,
                read_local=True,
                local_system=FixtureSystem("en-domain-fps-allowed"),
                path_facts=True,
            )
            await run.run()
            return run

    run = asyncio.run(asyncio.wait_for(scenario(), HANG_GUARD_S))
    assert run.diagnosis is not None
    (path,) = run.diagnosis.paths
    assert path.route is not None and path.route.gateway_from == "Find-NetRoute"
    assert (path.route.gateway, path.route.interface, path.route.profile) == ("10.1.5.1", "Ethernet", "Domain")
    assert path.dns is None  # typed as an address: no lookup, so no DNS facts and no SyLink comparison
    assert not [f for f in run.diagnosis.local.findings if f.id == "sylink-address"]  # type: ignore[union-attr]
    html = render_report(run.diagnosis, CATALOG, "ja")
    section = html[html.index('<section id="paths">') :]
    assert "ゲートウェイ 10.1.5.1 経由" in section and "ネットワーク プロファイル ドメイン" in section


def test_route_facts_name_the_system_proxy_that_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy the system would use for HTTP/HTTPS to the host (core.http_checks.system_proxy,
    as the heartbeat uses it), named by host and port only; none where the host is bypassed."""
    from sep_port_doctor.core.path.gather import PathWork

    monkeypatch.setenv("https_proxy", "http://user:secret@proxy01.lab:8080")
    monkeypatch.setenv("http_proxy", "http://user:secret@proxy01.lab:8080")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    work = PathWork()
    facts = asyncio.run(asyncio.wait_for(work._route(parse_host("sepm01.corp.example"), "127.0.0.1"), HANG_GUARD_S))
    assert facts.proxies == ("proxy proxy01.lab:8080",) and "secret" not in facts.text("en")
    assert "through the system proxy proxy01.lab:8080" in facts.text("en")
    monkeypatch.setenv("no_proxy", "corp.example")
    bypassed = asyncio.run(asyncio.wait_for(work._route(parse_host("sepm01.corp.example"), "127.0.0.1"), HANG_GUARD_S))
    assert bypassed.proxies == () and bypassed.proxy_known
    off = asyncio.run(
        asyncio.wait_for(PathWork(use_system_proxy=False)._route(parse_host("sepm"), "127.0.0.1"), HANG_GUARD_S)
    )
    assert not off.proxy_known and off.to_json()["proxy"] is None
