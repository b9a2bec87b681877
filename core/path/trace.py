"""Where the path to a filtered port ends: a hop-by-hop trace, without administrator rights.

* Linux: TCP SYNs to the filtered port itself with increasing TTL (a firewall that lets
  ICMP through but drops the port is found where it is, unlike an ICMP traceroute). A
  router that drops the expiring SYN answers ICMP time-exceeded; the kernel queues it on
  the socket's error queue (``IP_RECVERR``), which names the router (``core.probes.read_icmp``).
* Windows: ICMP echo with TTL through ``IcmpSendEcho2`` (IPv6: ``Icmp6SendEcho2`` with the hop
  limit) (``core.path.winicmp``), as tracert.
* Elsewhere: "not available here".

Hops are sent 10 ms apart (at most ``MAX_HOPS``), each waits ``HOP_WAIT``, or once devices on
the path answered, ten times their slowest answer (at least 1 s), as traceroute's ``-w``; no hop
beyond one the target answered is sent. The whole trace ends within ``DEADLINE``;
cancelling it closes every socket at once (Windows abandons the blocking calls).

The conclusion is only what the answers prove: the last device that answered (the block
is at or after it), a device that refused, the target reached, or, when no router
answered, that the trace cannot tell.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import socket
import sys
import time
from collections.abc import Awaitable, Callable

from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.path.facts import Hop, HopKind, TraceEnd, TraceFacts
from sep_port_doctor.core.path.winicmp import (
    IP_REQ_TIMED_OUT,
    IP_SUCCESS,
    IP_TTL_EXPIRED_TRANSIT,
    IcmpApi,
    refusal,
)
from sep_port_doctor.core.probes import RECVERR, _new_socket, _sockaddr, read_icmp
from sep_port_doctor.core.resolver import BusyError, in_daemon_thread

MAX_HOPS = 30
HOP_WAIT = 2.5
"""How long a hop waits while nothing on the path has answered."""
NEAR_FLOOR = 1.0
NEAR_FACTOR = 10.0
STAGGER = 0.01
DEADLINE = 10.0

HopProbe = Callable[[int], Awaitable[Hop]]
HopCallback = Callable[[Hop], None]

_IPV6_UNICAST_HOPS = getattr(socket, "IPV6_UNICAST_HOPS", 16)


async def run_trace(
    probe: HopProbe,
    *,
    max_hops: int = MAX_HOPS,
    stagger: float = STAGGER,
    hop_wait: float = HOP_WAIT,
    deadline: float = DEADLINE,
    on_hop: HopCallback | None = None,
) -> tuple[tuple[Hop, ...], TraceEnd]:
    """Probe TTL 1..``max_hops``; the hops up to the first final answer, and how the path ends."""
    hops: dict[int, Hop] = {}
    final_ttl = max_hops + 1
    tasks: dict[int, asyncio.Task[Hop]] = {}

    def arrived(ttl: int, task: asyncio.Task[Hop]) -> None:
        nonlocal final_ttl
        if task.cancelled() or task.exception() is not None:
            return
        hop = task.result()
        hops[ttl] = hop
        if hop.kind in (HopKind.REACHED, HopKind.REJECTED):
            final_ttl = min(final_ttl, ttl)
        if on_hop is not None and ttl <= final_ttl:
            on_hop(hop)

    loop = asyncio.get_running_loop()
    sent: dict[int, float] = {}

    def wait_allowed() -> float:
        # As traceroute's -w MAX,HERE,NEAR: once devices answer, a silent hop waits NEAR_FACTOR
        # times their slowest answer (at least NEAR_FLOOR), never more than hop_wait.
        rtts = [h.rtt_ms for h in hops.values() if h.kind is not HopKind.SILENT and h.rtt_ms is not None]
        if not rtts:
            return hop_wait
        return min(hop_wait, max(NEAR_FLOOR, NEAR_FACTOR * max(rtts) / 1000))

    try:
        async with asyncio.timeout(deadline):
            for ttl in range(1, max_hops + 1):
                if ttl > final_ttl:
                    break
                task = asyncio.ensure_future(probe(ttl))
                task.add_done_callback(functools.partial(arrived, ttl))
                tasks[ttl], sent[ttl] = task, loop.time()
                await asyncio.sleep(stagger)
            while True:
                pending = {ttl: t for ttl, t in tasks.items() if ttl <= final_ttl and not t.done()}
                if not pending:
                    break
                allowed, now = wait_allowed(), loop.time()
                for ttl, task in pending.items():
                    if now >= sent[ttl] + allowed:
                        task.cancel()  # silent for longer than the answers say a reply takes
                await asyncio.wait(
                    pending.values(),
                    timeout=max(0.0, min(sent[ttl] for ttl in pending) + allowed - now),
                    return_when=asyncio.FIRST_COMPLETED,
                )
    except TimeoutError:
        pass  # the trace's deadline: what answered by then is the answer
    finally:
        for task in tasks.values():
            task.cancel()
        if tasks:
            await asyncio.wait(tasks.values())
    for ttl, task in tasks.items():
        if ttl not in hops and ttl <= final_ttl:
            error = None if task.cancelled() else task.exception()
            hops[ttl] = Hop(ttl, HopKind.SILENT, icmp=f"{type(error).__name__}: {error}" if error else "")
    ordered = tuple(hops[ttl] for ttl in sorted(hops) if ttl <= final_ttl)
    return ordered, conclude(ordered)


def conclude(hops: tuple[Hop, ...]) -> TraceEnd:
    """How the path ends, from the answers alone."""
    final = [h for h in hops if h.kind in (HopKind.REACHED, HopKind.REJECTED)]
    if final:
        return TraceEnd.REACHED if final[0].kind is HopKind.REACHED else TraceEnd.REJECTED
    if any(h.kind is HopKind.TIME_EXCEEDED for h in hops):
        return TraceEnd.LAST_HOP
    return TraceEnd.NO_ANSWER


# --- Linux: TCP SYN with TTL -----------------------------------------------------------------


def tcp_hop_probe(address: str, port: int, wait: float = HOP_WAIT) -> HopProbe:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr = _sockaddr(family, address, port)

    async def probe(ttl: int) -> Hop:
        loop = asyncio.get_running_loop()
        sock = _new_socket(family, socket.SOCK_STREAM)
        try:
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, _IPV6_UNICAST_HOPS, ttl)
            else:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
            started = time.perf_counter()
            try:
                async with asyncio.timeout(wait):
                    await loop.sock_connect(sock, sockaddr)
            except TimeoutError:
                return Hop(ttl, HopKind.SILENT)
            except OSError as exc:
                rtt = (time.perf_counter() - started) * 1000
                icmp = read_icmp(sock)
                if icmp is None:
                    if exc.errno == errno.ECONNREFUSED:
                        return Hop(ttl, HopKind.REACHED, address, rtt, "reset")
                    name = errno.errorcode.get(exc.errno or 0, str(exc.errno))
                    return Hop(ttl, HopKind.REJECTED, None, rtt, name)
                words = f"type {icmp.type} code {icmp.code}"
                time_exceeded = icmp.type == (3 if icmp.v6 else 11)
                kind = HopKind.TIME_EXCEEDED if time_exceeded else HopKind.REJECTED
                return Hop(ttl, kind, icmp.offender, rtt, words if time_exceeded else f"{icmp.kind} ({words})")
            return Hop(ttl, HopKind.REACHED, address, (time.perf_counter() - started) * 1000, "syn-ack")
        finally:
            sock.close()

    return probe


# --- Windows: ICMP echo with TTL -------------------------------------------------------------


def icmp_hop_probe(address: str, api: IcmpApi, wait: float = HOP_WAIT) -> HopProbe:
    # Each hop's blocking call in a thread of its own, all sent at once as on Linux (at most
    # MAX_HOPS threads, each ending by its own timeout: an abandoned call holds no one up).
    async def probe(ttl: int) -> Hop:
        try:
            reply = await in_daemon_thread(lambda: api.send_echo(address, ttl, int(wait * 1000)))
        except (OSError, BusyError) as exc:
            return Hop(ttl, HopKind.SILENT, icmp=f"IcmpSendEcho2: {exc}")
        if reply.status == IP_SUCCESS:
            return Hop(ttl, HopKind.REACHED, reply.address or address, reply.rtt_ms, "echo-reply")
        if reply.status == IP_TTL_EXPIRED_TRANSIT:
            return Hop(ttl, HopKind.TIME_EXCEEDED, reply.address, reply.rtt_ms, "ttl-expired")
        words = refusal(reply.status, address)
        if words is not None:
            return Hop(ttl, HopKind.REJECTED, reply.address, reply.rtt_ms, words)
        return Hop(ttl, HopKind.SILENT, icmp="" if reply.status == IP_REQ_TIMED_OUT else f"status {reply.status}")

    return probe


async def trace(
    address: str,
    protocol: str,
    port: int,
    *,
    api: IcmpApi | None = None,
    on_hop: HopCallback | None = None,
    max_hops: int = MAX_HOPS,
    deadline: float = DEADLINE,
    hop_wait: float = HOP_WAIT,
) -> TraceFacts:
    """Trace toward ``address`` (``protocol``/``port`` where the method goes to the port itself);
    ``hop_wait``: how long a hop waits while nothing on the path answered (a sweep that has seen the
    far hosts answer passes what they showed: a router on the way is nearer than they are)."""
    started = time.perf_counter()
    method = ""
    probe: HopProbe | None = None
    if api is None and sys.platform == "win32":
        try:
            from sep_port_doctor.core.path.winicmp import WindowsIcmp

            api = WindowsIcmp()
        except OSError as exc:
            return TraceFacts(address, protocol, port, "", end=TraceEnd.NOT_AVAILABLE, detail=f"IcmpSendEcho2: {exc}")
    if api is not None:
        probe, method = icmp_hop_probe(address, api, hop_wait), "icmp-echo"
    elif RECVERR and protocol == "tcp":
        probe, method = tcp_hop_probe(address, port, hop_wait), "tcp-syn"
    if probe is None:
        why = Message("path.detail-tcp-needs-recverr" if protocol == "tcp" else "path.detail-only-tcp")
        return _unavailable(address, protocol, port, why)
    try:
        hops, end = await run_trace(probe, on_hop=on_hop, max_hops=max_hops, deadline=deadline, hop_wait=hop_wait)
    except asyncio.CancelledError:
        raise
    return TraceFacts(address, protocol, port, method, hops, end, (time.perf_counter() - started) * 1000)


def _unavailable(address: str, protocol: str, port: int, why: Message) -> TraceFacts:
    return TraceFacts(address, protocol, port, "", end=TraceEnd.NOT_AVAILABLE, detail=why)
