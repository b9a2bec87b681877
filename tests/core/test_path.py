"""Path facts without the lab: Windows' IcmpSendEcho2 and Icmp6SendEcho2 against fakes of their results (the reply
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.check_command import run_check
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.path.echo import echo
from sep_port_doctor.core.path.facts import EchoState, HopKind, TraceEnd
from sep_port_doctor.core.path.route import linux_gateway, route_facts, source_address
from sep_port_doctor.core.path.trace import trace
from sep_port_doctor.core.path.winicmp import (
    ICMPV6_REPLY_SIZE,
    IP_REQ_TIMED_OUT,
    IP_SUCCESS,
    IP_TTL_EXPIRED_TRANSIT,
    EchoReply,
    IcmpEchoReply,
    WindowsIcmp,
    parse_reply,
    parse_reply6,
    sockaddr_in6,
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
    ipv6 = asyncio.run(trace("2001:db8::1", "tcp", 8014, api=FakeIcmp(["fe80::1%12"], (11004, "2001:db8::1"))))
    assert ipv6.end is TraceEnd.REJECTED and ipv6.hops[0].address == "fe80::1%12"  # Icmp6SendEcho2: hop limit
    assert "admin-prohibited" in ipv6.text("en")  # IPv6's words for 11004 (IPv4: protocol-unreach)


def test_windows_echo_answered_silent_and_refused() -> None:
    answered = asyncio.run(echo("10.9.8.7", FakeIcmp([], (IP_SUCCESS, None))))
    assert answered.state is EchoState.ANSWERED and answered.received == answered.sent == 3
    assert asyncio.run(echo("10.9.8.7", FakeIcmp([], None))).state is EchoState.NO_ANSWER
    refused = asyncio.run(echo("10.9.8.7", FakeIcmp([], (11003, "10.20.0.1"))))
    assert refused.state is EchoState.UNREACHABLE and "10.20.0.1" in english(refused.detail)


class Ipv6AddressEx(ctypes.Structure):
    """``IPV6_ADDRESS_EX`` as ipexport.h declares it, inside ``#include <pshpack1.h>``: packed."""

    _pack_ = 1
    _fields_ = [
        ("sin6_port", ctypes.c_uint16),
        ("sin6_flowinfo", ctypes.c_uint32),
        ("sin6_addr", ctypes.c_uint16 * 8),
        ("sin6_scope_id", ctypes.c_uint32),
    ]


class Icmpv6EchoReply(ctypes.Structure):
    """``ICMPV6_ECHO_REPLY_LH`` as ipexport.h declares it (not packed): ULONG Status, unsigned int RoundTripTime."""

    _fields_ = [("Address", Ipv6AddressEx), ("Status", ctypes.c_uint32), ("RoundTripTime", ctypes.c_uint32)]


def _buffer6(address: str, scope: int, status: int, rtt: int) -> bytes:
    """An ICMPV6_ECHO_REPLY as Icmp6SendEcho2 leaves it in the reply buffer (hand-made after ipexport.h)."""
    reply = Icmpv6EchoReply(Status=status, RoundTripTime=rtt)
    ctypes.memmove(ctypes.addressof(reply.Address.sin6_addr), socket.inet_pton(socket.AF_INET6, address), 16)
    reply.Address.sin6_scope_id = scope
    return bytes(reply) + b"\0" * 64


def test_icmp6_reply_and_sockaddr_layouts_are_windows() -> None:
    assert ctypes.sizeof(Ipv6AddressEx) == 26 and ctypes.sizeof(Icmpv6EchoReply) == ICMPV6_REPLY_SIZE == 36
    assert Icmpv6EchoReply.Status.offset == 28 and Icmpv6EchoReply.RoundTripTime.offset == 32
    expired = parse_reply6(_buffer6("fe80::1", 12, IP_TTL_EXPIRED_TRANSIT, 2), 1, 0)
    assert expired == EchoReply(IP_TTL_EXPIRED_TRANSIT, "fe80::1%12", 2.0)  # a router on link 12
    answered = parse_reply6(_buffer6("2001:db8::7", 0, IP_SUCCESS, 9), 1, 0)
    assert answered == EchoReply(IP_SUCCESS, "2001:db8::7", 9.0)
    assert parse_reply6(bytes(64), 0, IP_REQ_TIMED_OUT) == EchoReply(IP_REQ_TIMED_OUT, None, None)
    # SOCKADDR_IN6 (ws2ipdef.h): family 23 (Windows' AF_INET6), port, flow info, address, scope id.
    family, port, flow, packed, scope = struct.unpack("<HHI16sI", sockaddr_in6("fe80::5%12"))
    assert (family, port, flow, socket.inet_ntop(socket.AF_INET6, packed), scope) == (23, 0, 0, "fe80::5", 12)
    assert struct.unpack_from("<I", sockaddr_in6("2001:db8::7"), 24) == (0,)


class FakeFunction:
    """One function of the DLL: called as ctypes calls it, with the restype and argtypes it is given."""

    def __init__(self, body: Callable[..., int]) -> None:
        self.body, self.restype, self.argtypes = body, None, None

    def __call__(self, *args: Any) -> int:
        return self.body(*args)


class FakeIphlpapi:
    """iphlpapi.dll's echo functions over a made-up network: on link 12, the target fe80::5 and a
    router fe80::1 in front of 2001:db8::9; 10.9.8.7 behind 10.20.0.1. Each call answers in the
    reply buffer as Windows fills it, from what the caller put in the request: the destination's
    address and scope id (SOCKADDR_IN6), or its IPAddr, and the TTL of IP_OPTION_INFORMATION."""

    def __init__(self) -> None:
        self.destinations: list[str] = []
        self.IcmpCreateFile = FakeFunction(lambda: 4)
        self.Icmp6CreateFile = FakeFunction(lambda: 6)
        self.IcmpCloseHandle = FakeFunction(lambda handle: 1)
        self.IcmpSendEcho2 = FakeFunction(self._send4)
        self.Icmp6SendEcho2 = FakeFunction(self._send6)

    def _send6(self, handle: int, _e: None, _r: None, _c: None, source: Any, destination: Any, *rest: Any) -> int:
        _request, _size, options, reply, _reply_size, _timeout = rest
        assert handle == 6 and len(bytes(source)) == len(bytes(destination)) == 28
        _family, _port, _flow, packed, scope = struct.unpack("<HHI16sI", bytes(destination))
        address = socket.inet_ntop(socket.AF_INET6, packed)
        self.destinations.append(f"{address}%{scope}" if scope else address)
        ttl = options._obj.Ttl
        if (address, scope) == ("fe80::5", 12):
            answer = _buffer6(address, 12, IP_SUCCESS, 1)
        elif address == "2001:db8::9":
            answer = _buffer6("fe80::1", 12, IP_TTL_EXPIRED_TRANSIT, 1) if ttl == 1 else _buffer6(address, 0, 0, 3)
        else:
            answer = _buffer6("::", 0, IP_REQ_TIMED_OUT, 0)  # nobody has it on that link: no reply
        ctypes.memmove(reply, answer, ICMPV6_REPLY_SIZE)
        return 0 if address.startswith("fe80::") and scope != 12 else 1

    def _send4(self, handle: int, _e: None, _r: None, _c: None, destination: int, *rest: Any) -> int:
        _request, _size, options, reply, _reply_size, _timeout = rest
        address = socket.inet_ntoa(struct.pack("=I", destination))
        self.destinations.append(address)
        answer = _buffer("10.20.0.1", IP_TTL_EXPIRED_TRANSIT, 1) if options._obj.Ttl == 1 else _buffer(address, 0, 2)
        ctypes.memmove(reply, answer, ctypes.sizeof(IcmpEchoReply))
        return 1


def test_windows_echo_and_trace_reach_a_link_local_target_on_the_link_its_zone_names() -> None:
    """Icmp6SendEcho2 needs the link in the destination's scope id: without it (or with another
    link's) the target on link 12 never answers. IPv6 was "not available here" on Windows."""
    dll = FakeIphlpapi()
    api = WindowsIcmp(dll)
    answered = asyncio.run(echo("fe80::5%12", api))
    assert (answered.state, answered.sent, answered.received) == (EchoState.ANSWERED, 3, 3)
    assert dll.destinations == ["fe80::5%12"] * 3
    assert asyncio.run(echo("fe80::5%13", api)).state is EchoState.NO_ANSWER  # another link: nobody there
    on_link = asyncio.run(trace("fe80::5%12", "tcp", 445, api=api))
    assert (on_link.method, on_link.end) == ("icmp-echo", TraceEnd.REACHED)
    assert [(h.ttl, h.kind, h.address) for h in on_link.hops] == [(1, HopKind.REACHED, "fe80::5%12")]
    routed = asyncio.run(trace("2001:db8::9", "tcp", 445, api=api))
    assert [(h.ttl, h.address) for h in routed.hops] == [(1, "fe80::1%12"), (2, "2001:db8::9")]
    assert routed.end is TraceEnd.REACHED
    ipv4 = asyncio.run(trace("10.9.8.7", "tcp", 445, api=api))  # IcmpSendEcho2 as before
    assert [(h.ttl, h.address) for h in ipv4.hops] == [(1, "10.20.0.1"), (2, "10.9.8.7")]


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
