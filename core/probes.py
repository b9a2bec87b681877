"""Transport-level probes: TCP connect and UDP (this PC's own ports: core.socket_table).

Verdicts follow nmap's connect scan and PortQry: a refused connection is ``closed``,
silence after the attempts of ``core.timing`` is ``filtered`` (TCP) or
``open|filtered`` (UDP). Every error the system can give maps to a verdict with its
``cause`` (the message catalogue's [cause] has its words):

========================================  =====================  ====================
what happened                             verdict                cause
========================================  =====================  ====================
SYN-ACK (or SYN-ACK then reset)           open                   syn-ack, syn-ack-reset
reset / ICMP port-unreachable             closed                 conn-refused, port-unreach
silence                                   filtered               no-response
EACCES, EPERM, WSAEACCES 10013            filtered (this PC)     local-prohibited
EINVAL (a blackhole route)                filtered (this PC)     local-blackhole
ICMP administratively prohibited          filtered               admin-prohibited
ICMP host/net unreachable from the host   filtered               port-rejected
ICMP host/net unreachable from a router   unreachable            host-unreach, net-unreach
no ARP answer on this PC's own network    unreachable            host-down
no route (ENETUNREACH, unreachable route) unreachable            no-route
anything else                             error                  os-error
========================================  =====================  ====================

On Linux the ICMP message itself (type, code, and who sent it) is read from the
socket's error queue (``IP_RECVERR``); elsewhere only the error number is known, and the
engine tells a router's message from a per-port filter by whether the host answered on
other ports (``core.engine``). Every socket is closed on every path, cancellation included.
"""

from __future__ import annotations

import asyncio
import errno
import os
import select
import socket
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import PathTiming
from sep_port_doctor.core.zones import same_address, with_zone, zone_index

# Linux only, and not in Python's socket module before 3.12.
_IP_RECVERR = 11
_IPV6_RECVERR = 25
_SOL_IPV6 = 41
_MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)
_SO_EE_ORIGIN_ICMP, _SO_EE_ORIGIN_ICMP6 = 2, 3
RECVERR = sys.platform.startswith("linux")

# Windows' socket errors, by number (the errno module has them only on Windows).
_WSA = {
    "EACCES": 10013,
    "EINVAL": 10022,
    "EADDRNOTAVAIL": 10049,
    "ENETDOWN": 10050,
    "ENETUNREACH": 10051,
    "ECONNABORTED": 10053,
    "ECONNRESET": 10054,
    "ETIMEDOUT": 10060,
    "ECONNREFUSED": 10061,
    "EHOSTDOWN": 10064,
    "EHOSTUNREACH": 10065,
}


def _codes(*names: str) -> frozenset[int]:
    found = {getattr(errno, name) for name in names if hasattr(errno, name)}
    return frozenset(found | {_WSA[name] for name in names if name in _WSA})


REFUSED = _codes("ECONNREFUSED")
RESET = _codes("ECONNRESET", "ECONNABORTED")
PROHIBITED = _codes("EACCES", "EPERM")
BLACKHOLE = _codes("EINVAL")
TIMED_OUT = _codes("ETIMEDOUT")
NO_ROUTE = _codes("ENETUNREACH", "ENETDOWN", "EADDRNOTAVAIL")
HOST_UNREACHABLE = _codes("EHOSTUNREACH", "EHOSTDOWN")

_ICMP_ADMIN = {9, 10, 13}
"""ICMP (v4) destination unreachable codes: network/host administratively prohibited, communication filtered."""
_ICMP_NET = {0, 6, 11}
_ICMP6_ADMIN = {1, 5, 6}
"""ICMPv6: administratively prohibited, source address failed policy, reject route."""


@dataclass(frozen=True)
class Icmp:
    """The ICMP message behind a socket error, read from the error queue (Linux)."""

    type: int
    code: int
    offender: str | None
    v6: bool = False

    @property
    def kind(self) -> str:
        """``ICMP host-unreach``: the message's own name (a raw value of the evidence)."""
        name = {
            (False, 0): "net-unreach",
            (False, 1): "host-unreach",
            (False, 3): "port-unreach",
            (False, 9): "net-prohibited",
            (False, 10): "host-prohibited",
            (False, 13): "admin-prohibited",
            (True, 0): "no-route",
            (True, 1): "admin-prohibited",
            (True, 3): "addr-unreach",
            (True, 4): "port-unreach",
        }.get((self.v6, self.code), f"type {self.type} code {self.code}")
        return f"ICMP{'v6' if self.v6 else ''} {name}"

    def describe(self) -> Message:
        """``ICMP host-unreach from 10.0.0.1``: its name and who sent it (the value ``sender``)."""
        # The words " from 10.0.0.1" carry the address as ``sender``: the one value of that name in the
        # sentence, which the explanation reads to name the router (core.explain).
        from_sender = Message("evidence.icmp-sender", sender=self.offender) if self.offender else ""
        return Message("evidence.icmp", kind=self.kind, from_sender=from_sender)

    @property
    def prohibited(self) -> bool:
        return self.code in (_ICMP6_ADMIN if self.v6 else _ICMP_ADMIN)

    @property
    def network(self) -> bool:
        return not self.v6 and self.code in _ICMP_NET


@dataclass(frozen=True)
class ProbeOutcome:
    state: State
    reason: Message
    rtt_ms: float | None = None
    attempts: int = 0
    answer: bytes | None = None
    cause: str = ""
    """What decided the verdict (the table above); the message catalogue's [cause] has its words."""
    from_router: str | None = None
    """The router that said the host is unreachable (host-level evidence, see core.engine)."""


def _sockaddr(family: int, address: str, port: int) -> tuple[Any, ...]:
    if family == socket.AF_INET6:
        host, _, zone = address.partition("%")
        return (host, port, 0, zone_index(zone))
    return (address, port)


def keep_icmp_errors(sock: socket.socket) -> None:
    """Have the system queue the ICMP errors that come for ``sock`` (Linux ``IP_RECVERR``), for
    ``read_icmp``; elsewhere, or where refused, only the error number is known."""
    if not RECVERR:
        return
    try:
        if sock.family == socket.AF_INET6:
            sock.setsockopt(_SOL_IPV6, _IPV6_RECVERR, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IP, _IP_RECVERR, 1)
    except OSError:
        pass


def _new_socket(family: int, kind: int) -> socket.socket:
    sock = socket.socket(family, kind)
    sock.setblocking(False)
    keep_icmp_errors(sock)
    if RECVERR and kind == socket.SOCK_DGRAM:
        _kernel_arrival(sock)  # the first SIOCGSTAMP turns on receive stamps (see there)
    return sock


def read_icmp(sock: socket.socket) -> Icmp | None:
    """The ICMP message queued on ``sock`` after an error, if the system keeps one."""
    if not RECVERR or not hasattr(sock, "recvmsg"):
        return None
    try:
        _data, ancillary, _flags, _address = sock.recvmsg(1, 512, _MSG_ERRQUEUE)
    except OSError:
        return None
    for _level, _type, data in ancillary:
        if len(data) < 16:
            continue
        _ee_errno, origin, icmp_type, code, _pad, _info, _data32 = struct.unpack("=IBBBBII", data[:16])
        if origin not in (_SO_EE_ORIGIN_ICMP, _SO_EE_ORIGIN_ICMP6):
            continue
        offender = None
        family = struct.unpack("=H", data[16:18])[0] if len(data) >= 18 else 0
        if family == socket.AF_INET and len(data) >= 24:
            offender = socket.inet_ntop(socket.AF_INET, data[20:24])
        elif family == socket.AF_INET6 and len(data) >= 40:
            # sockaddr_in6: the kernel sets its scope id for a link-local sender (the card it came in on).
            scope = struct.unpack("=I", data[40:44])[0] if len(data) >= 44 else 0
            offender = with_zone(socket.inet_ntop(socket.AF_INET6, data[24:40]), scope)
        return Icmp(icmp_type, code, offender, origin == _SO_EE_ORIGIN_ICMP6)
    return None


_TCP_INFO = getattr(socket, "TCP_INFO", 11)
_TCPI_RTT = 68
"""Offset of ``tcpi_rtt`` (microseconds) in Linux's ``struct tcp_info``."""


def _kernel_rtt(sock: socket.socket) -> float | None:
    """The handshake's round trip as the kernel measured it (Linux), in seconds.

    Taken when the SYN-ACK arrived, not when this program noticed it: a busy event loop
    (a TLS handshake, an import) would otherwise add its own delay to the estimate.
    """
    if not RECVERR:
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 104)
    except OSError:
        return None
    if len(info) < _TCPI_RTT + 4:
        return None
    rtt = int(struct.unpack_from("=I", info, _TCPI_RTT)[0])
    return rtt / 1_000_000 if rtt > 0 else None


_SIOCGSTAMP = 0x8906
_STAMP_IS_NOW = 0.001
"""A receive stamp this close to the time it was read may be the kernel's "not stamped" (it answers the time of the call)."""


def _kernel_arrival(sock: socket.socket) -> float | None:
    """When the kernel received the last datagram on ``sock`` (Linux ``SIOCGSTAMP``), as ``time.time()``.

    The kernel stamps arriving packets only once a socket asked for a stamp (the first call
    answers ENOENT and turns stamping on, a moment later, from a kernel worker), so
    ``_new_socket`` asks once before anything is sent; a datagram that arrived before
    stamping was on reads as stamped at the time of the call. (``SO_TIMESTAMP`` would not
    do: it hands the stamp to ``recvmsg`` only.)
    """
    if not RECVERR or sys.platform == "win32":
        return None
    import fcntl  # POSIX only

    try:
        stamp = fcntl.ioctl(sock.fileno(), _SIOCGSTAMP, b"\x00" * 16)
    except OSError:
        return None
    seconds, microseconds = struct.unpack("=qq", stamp)
    return seconds + microseconds / 1_000_000 if seconds > 0 else None


def _local_address(sock: socket.socket) -> str | None:
    try:
        return str(sock.getsockname()[0])
    except OSError:
        return None


def classify_error(
    exc: OSError, icmp: Icmp | None, target: str, local: str | None, *, udp: bool = False
) -> tuple[State, str, Message] | None:
    """(state, cause, evidence) for a socket error; None for "no answer" (the kernel gave up)."""
    code = exc.errno if exc.errno is not None else -1
    winerror = getattr(exc, "winerror", None)
    codes = {code} | ({winerror} if isinstance(winerror, int) else set())
    words = exc.strerror or str(exc) or exc.__class__.__name__
    if codes & TIMED_OUT:
        return None
    if icmp is not None and icmp.offender is not None:
        return _classify_icmp(icmp, target, local)
    if codes & REFUSED:
        cause = "port-unreach" if udp else "conn-refused"
        return State.CLOSED, cause, Message(f"evidence.{cause}")
    if codes & RESET:
        # TCP: the handshake completed and the service reset it at once: it listens (nmap: open).
        # UDP on Windows: an ICMP port-unreachable comes back as WSAECONNRESET.
        if udp:
            return State.CLOSED, "port-unreach", Message("evidence.port-unreach-reset")
        return State.OPEN, "syn-ack-reset", Message("evidence.syn-ack-reset")
    if codes & PROHIBITED:
        return (
            State.FILTERED,
            "local-prohibited",
            Message("evidence.local-prohibited", error=words),
        )
    if codes & BLACKHOLE:
        return State.FILTERED, "local-blackhole", Message("evidence.local-blackhole", error=words)
    if codes & NO_ROUTE:
        return State.UNREACHABLE, "no-route", Message("evidence.no-route", target=target, error=words)
    if codes & HOST_UNREACHABLE:
        if RECVERR:
            # No ICMP behind it: this PC's own route says unreachable.
            return State.UNREACHABLE, "no-route", Message("evidence.route-unreachable", target=target, error=words)
        # Who said it is unknown here; the engine decides with the host's other ports.
        return State.UNREACHABLE, "host-unreach", Message("evidence.host-unreach-error", error=words)
    return State.ERROR, "os-error", Message("evidence.udp-error" if udp else "evidence.connect-error", error=words)


def _classify_icmp(icmp: Icmp, target: str, local: str | None) -> tuple[State, str, Message]:
    evidence = icmp.describe()
    if (not icmp.v6 and icmp.code == 3) or (icmp.v6 and icmp.code == 4):
        return State.CLOSED, "port-unreach", evidence
    if icmp.prohibited:
        return State.FILTERED, "admin-prohibited", evidence
    if icmp.offender is not None and same_address(icmp.offender, target):
        # The host itself refuses this one port with an unreachable: its firewall.
        return State.FILTERED, "port-rejected", Message("evidence.icmp-the-host", icmp=evidence)
    if icmp.offender is not None and local is not None and same_address(icmp.offender, local):
        return State.UNREACHABLE, "host-down", Message("evidence.icmp-host-down", icmp=evidence, target=target)
    cause = "net-unreach" if icmp.network else "host-unreach"
    return State.UNREACHABLE, cause, Message("evidence.icmp-router", icmp=evidence)


def _outcome(decided: tuple[State, str, Message], rtt: float | None, attempts: int, icmp: Icmp | None) -> ProbeOutcome:
    state, cause, evidence = decided
    router = icmp.offender if icmp is not None and cause in ("host-unreach", "net-unreach") else None
    return ProbeOutcome(state, evidence, None if rtt is None else rtt * 1000, attempts, None, cause, router)


def _teach(path: PathTiming, decided: tuple[State, str, Message], rtt: float, attempt: int) -> None:
    """What an answer tells the path's estimate (core.timing rules 2 and 5)."""
    state, cause, _evidence = decided
    if state is State.OPEN:
        path.far_answer(rtt, attempt)
    elif cause in ("conn-refused", "port-unreach"):
        path.near_answer(rtt, attempt)


def _without_traceback(error: OSError) -> OSError:
    """The error without the frames it was raised through. A refused connect is the common
    answer, not a fault: kept with its traceback, the error holds the frame that holds the watch
    that holds the future that holds the error, a cycle only the garbage collector frees, and a
    sweep of hundreds of refusals then left its sockets and socket notifiers to one full
    collection that stopped the window for tens of milliseconds (benchmarks/gui_responsiveness.py).
    """
    return error.with_traceback(None)


class _Watch:
    """A future of one socket operation (a connect's outcome, a datagram), settled by the loop's
    own watch of the socket where the loop has one (selector loops): no task per operation, so
    when a sweep of hundreds of probes is cancelled each ends in one step (``stop`` needs no turn
    of the loop). Elsewhere (Windows' proactor) the loop's ``sock_connect``/``sock_recv`` in a task."""

    def __init__(self, sock: socket.socket, *, connect: tuple[Any, ...] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.sock = sock
        self.writer = connect is not None
        self.future: asyncio.Future[Any]
        self.fd = -1
        if connect is not None:
            try:
                sock.connect(connect)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as exc:
                self.future = self.loop.create_future()
                self.future.set_exception(_without_traceback(exc))
                return
            else:
                self.future = self.loop.create_future()
                self.future.set_result(None)
                return
        try:
            self.future = self.loop.create_future()
            fd = sock.fileno()
            (self.loop.add_writer if self.writer else self.loop.add_reader)(fd, self._ready)
            self.fd = fd
        except NotImplementedError:
            self.future = asyncio.ensure_future(
                self.loop.sock_connect(sock, connect) if connect is not None else self.loop.sock_recv(sock, 65535)
            )

    def _ready(self) -> None:
        failed: OSError | None = None
        value: Any = None
        try:
            if self.writer:
                error = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    failed = OSError(error, os.strerror(error))  # not raised: see _without_traceback
            else:
                value = self.sock.recv(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            failed = _without_traceback(exc)
        self._unwatch()
        if self.future.done():
            return
        if failed is not None:
            self.future.set_exception(failed)
        else:
            self.future.set_result(value)

    def _unwatch(self) -> None:
        if self.fd >= 0:
            (self.loop.remove_writer if self.writer else self.loop.remove_reader)(self.fd)
            self.fd = -1

    def stop(self) -> asyncio.Task[Any] | None:
        """Stop watching (before the socket closes); the fallback's task, if it is still to end."""
        self._unwatch()
        future = self.future
        if not future.done():
            future.cancel()
            return future if isinstance(future, asyncio.Task) else None
        if not future.cancelled():
            future.exception()  # looked at: an error that came as the probe ended is not "never retrieved"
        return None


@dataclass
class _Attempt:
    number: int
    sock: socket.socket
    sent: float
    watch: _Watch | None = None
    task: asyncio.Future[Any] | None = None
    """The connect's outcome until it is looked at (``watch.future``), then None."""


async def _close_all(attempts: list[_Attempt]) -> None:
    tasks = [t for t in (a.watch.stop() for a in attempts if a.watch is not None) if t is not None]
    try:
        if tasks:
            # Let them finish cancelling (the loop drops the sockets) before the sockets close.
            await asyncio.wait(tasks)
    finally:
        for attempt in attempts:
            attempt.sock.close()


def _readable_now(sock: socket.socket) -> bool:
    """Whether a datagram (or an error) is waiting in the kernel for ``sock``."""
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return bool(readable)


def _connected_now(sock: socket.socket) -> OSError | bool:
    """Ask the kernel whether a pending connect has completed: True, False, or its error."""
    try:
        _r, writable, _x = select.select([], [sock], [], 0)
    except (OSError, ValueError):
        return False
    if not writable:
        return False
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error:
        return OSError(error, errno.errorcode.get(error, str(error)))
    try:
        sock.getpeername()
    except OSError:
        # Writable, no error, no peer: the loop has already read the error (reading it clears
        # it) and has yet to hand it over. Not connected: a refused port must never read as open.
        return False
    return True


async def after_first_packets() -> None:
    """Returns once probes started before (or together with) this call have sent their first
    packet: a TCP probe connects in its own first step (where the loop cannot watch sockets, in
    its connect task's first step, one turn later); a UDP probe sends in its first step. Work that is not a probe (loading the
    HTTP and TLS libraries, the path's echo) waits for this so that the first packets leave first.
    """
    for _turn in range(3):
        await asyncio.sleep(0)


async def tcp_probe(family: int, address: str, port: int, path: PathTiming) -> ProbeOutcome:
    """Connect, with attempts spread as ``core.timing`` says, every socket kept until the verdict."""
    loop = asyncio.get_running_loop()
    sockaddr = _sockaddr(family, address, port)
    attempts: list[_Attempt] = []

    def settle(attempt: _Attempt, result: OSError | None) -> ProbeOutcome | None:
        elapsed = loop.time() - attempt.sent
        if result is None:
            measured = _kernel_rtt(attempt.sock)
            rtt = min(elapsed, measured) if measured is not None else elapsed
            path.far_answer(rtt, attempt.number, exact=measured is not None)
            return ProbeOutcome(State.OPEN, Message("evidence.syn-ack"), rtt * 1000, len(attempts), cause="syn-ack")
        icmp = read_icmp(attempt.sock)
        decided = classify_error(result, icmp, address, _local_address(attempt.sock))
        if decided is None:
            return None
        _teach(path, decided, elapsed, attempt.number)
        return _outcome(decided, elapsed, len(attempts), icmp)

    def kernel_answer() -> ProbeOutcome | None:
        """Ask the kernel about every attempt still waiting: the loop may be late to hand over
        an answer (a busy PC), and a retry or a verdict must not be decided on that lateness."""
        for attempt in attempts:
            if attempt.task is None:
                continue
            state = _connected_now(attempt.sock)
            if state is not False:
                decided = settle(attempt, None if state is True else state)
                if decided is not None:
                    return decided
        return None

    def handed_over() -> ProbeOutcome | None:
        """Settle the attempts whose answer the loop has handed over (each looked at once)."""
        for attempt in attempts:
            if attempt.task is not None and attempt.task.done() and not attempt.task.cancelled():
                error = attempt.task.exception()
                if error is not None and not isinstance(error, OSError):
                    raise error
                attempt.task = None
                decided = settle(attempt, error)
                if decided is not None:
                    return decided
        return None

    async def answered_meanwhile() -> ProbeOutcome | None:
        """Before a retry or the verdict: an answer the loop has taken but not handed over yet
        (one turn of the loop hands it over), or one the kernel holds that the loop has not
        seen (a busy PC). A retry for an answered attempt would look like loss."""
        await asyncio.sleep(0)
        return handed_over() or kernel_answer()

    try:
        while True:
            decided = handed_over()
            if decided is not None:
                return decided
            allowed = path.allowed_attempts()
            if not attempts or (len(attempts) < allowed and loop.time() >= attempts[-1].sent + path.gap(len(attempts))):
                decided = await answered_meanwhile() if attempts else None
                if decided is not None:
                    return decided
                attempt = _Attempt(len(attempts) + 1, _new_socket(family, socket.SOCK_STREAM), loop.time())
                attempts.append(attempt)
                attempt.watch = _Watch(attempt.sock, connect=sockaddr)
                attempt.task = attempt.watch.future
                await asyncio.sleep(0)  # a local refusal (EACCES, EINVAL, no route) is known at once
                continue
            pending = [a.task for a in attempts if a.task is not None]
            due = attempts[-1].sent + path.gap(len(attempts))
            if len(attempts) >= allowed:
                if not pending:
                    break  # every attempt ended in the kernel giving up
                due = path.verdict_at(attempts[0].sent, attempts[-1].sent, len(attempts))
            remaining = due - loop.time()
            if remaining <= 0:
                if len(attempts) < allowed:
                    continue
                decided = await answered_meanwhile()  # the verdict, unless an answer came meanwhile
                if decided is not None:
                    return decided
                break
            changed = path.changed()
            try:
                await asyncio.wait({*pending, changed}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not changed.done():
                    changed.cancel()
        return ProbeOutcome(
            State.FILTERED,
            Message("evidence.no-response", count=len(attempts)),
            None,
            len(attempts),
            cause="no-response",
        )
    finally:
        await _close_all(attempts)


Payload = bytes | Callable[[str, int], bytes]
"""A datagram, or a function that makes it from this PC's address and port (NetBIOS datagrams carry them)."""


async def udp_probe(
    family: int, address: str, port: int, payload: Payload, path: PathTiming, *, expect_answer: bool = True
) -> ProbeOutcome:
    """Send ``payload`` (sent again as ``core.timing`` says); ``open`` only on a real answer,
    ``closed`` on ICMP port-unreachable, otherwise ``open|filtered`` (silence is never open)."""
    loop = asyncio.get_running_loop()
    sock = _new_socket(family, socket.SOCK_DGRAM)
    sends: list[float] = []
    sent_at = 0.0
    watch: _Watch | None = None
    receive: asyncio.Future[bytes] | None = None

    def decide(error: OSError, started: float) -> ProbeOutcome:
        elapsed = loop.time() - started
        icmp = read_icmp(sock)
        decided = classify_error(error, icmp, address, _local_address(sock), udp=True)
        if decided is None:
            decided = (State.OPEN_FILTERED, "no-response", Message("evidence.gave-up"))
        _teach(path, decided, elapsed, len(sends))
        return _outcome(decided, elapsed, len(sends), icmp)

    try:
        try:
            sock.connect(_sockaddr(family, address, port))
        except OSError as exc:
            return decide(exc, loop.time())
        if callable(payload):
            local = sock.getsockname()
            payload = payload(str(local[0]), int(local[1]))
        if not payload:
            raise ValueError("a UDP probe needs a payload (an empty datagram proves nothing)")
        while True:
            if receive is not None and not receive.done():
                await asyncio.sleep(0)  # hands over an answer the loop has already taken
            if receive is not None and not receive.done() and _readable_now(sock):
                # Before a retry or the verdict: an answer (or an ICMP error) waits in the kernel and the
                # loop has not handed it over yet (a busy PC). It is not loss: wait for it.
                await asyncio.wait({receive}, timeout=max(path.timeout(), 1.0))
            if not sends or (
                not (receive is not None and receive.done())
                and len(sends) < path.allowed_attempts()
                and loop.time() >= sends[-1] + path.gap(len(sends))
            ):
                sends.append(loop.time())
                sent_at = time.time()  # the clock of the kernel's receive stamps
                try:
                    sock.send(payload)
                except BlockingIOError:
                    pass  # the send queue is full: as good as a lost datagram
                except OSError as exc:
                    return decide(exc, sends[-1])
            if receive is None:
                watch = _Watch(sock)
                receive = watch.future
            if receive.done():
                error = receive.exception()
                if error is None:
                    data = receive.result()
                    # Which send it answers is unknown: the first (a longer round trip is the safe guess).
                    elapsed = loop.time() - sends[0]
                    arrived = _kernel_arrival(sock)
                    # A stamp of "now" is the kernel saying it did not stamp the datagram (stamping
                    # is switched on a moment after the first request): then this program measured it.
                    exact = (
                        arrived is not None
                        and len(sends) == 1
                        and 0 <= arrived - sent_at <= elapsed
                        and time.time() - arrived > _STAMP_IS_NOW
                    )
                    if exact:
                        assert arrived is not None
                        elapsed = arrived - sent_at  # not stretched by a busy event loop
                    path.far_answer(elapsed, len(sends), exact=exact)
                    answered = Message("evidence.udp-response")
                    return ProbeOutcome(State.OPEN, answered, elapsed * 1000, len(sends), data, "udp-response")
                if not isinstance(error, OSError):
                    raise error
                return decide(error, sends[-1])
            due = sends[-1] + path.gap(len(sends))
            if len(sends) >= path.allowed_attempts():
                due = path.verdict_at(sends[0], sends[-1], len(sends))
            remaining = due - loop.time()
            if remaining > 0:
                changed = path.changed()
                try:
                    waiting: list[asyncio.Future[Any]] = [receive, changed]
                    await asyncio.wait(waiting, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if not changed.done():
                        changed.cancel()
                continue
            await asyncio.sleep(0)  # an answer the loop has taken but not handed over yet
            if receive.done() or len(sends) < path.allowed_attempts() or _readable_now(sock):
                continue
            break
        words = Message("evidence.no-response" if expect_answer else "evidence.no-response-silent", count=len(sends))
        return ProbeOutcome(State.OPEN_FILTERED, words, None, len(sends), cause="no-response")
    finally:
        task = watch.stop() if watch is not None else None
        try:
            if task is not None:
                await asyncio.wait({task})
        finally:
            sock.close()
