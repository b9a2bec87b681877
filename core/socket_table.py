"""Is this PC listening where the manager will connect? Asked of the OS's own socket table.

Windows binds NetBIOS over TCP/IP (TCP 139, UDP 137/138) to each network card's
address, not to 0.0.0.0 or 127.0.0.1, and SMB (TCP 445) to 0.0.0.0 and [::]
(FIELD-NOTES; ``netstat -ano`` in tests/fixtures/windows/). So "listening" is judged
on the address of the interface that faces the manager (the source address the OS
picks for it: a connected UDP socket sends nothing), from the socket table that
psutil reads without administrator rights on Windows and Linux.

A TCP socket found there is then connected to on that address once: on Linux a local
filter can drop it (the simulator's push-blocked profile); Windows does not filter a
PC's traffic to itself, so there it only confirms the socket accepts.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sep_port_doctor.core.i18n import FALLBACK_LANG, Message
from sep_port_doctor.core.probes import tcp_probe
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import PathTiming


@dataclass(frozen=True)
class Endpoint:
    """One listening TCP socket or bound UDP socket of this PC."""

    protocol: str
    """``tcp`` or ``udp``."""
    address: str
    port: int
    pid: int | None = None

    @property
    def shown(self) -> str:
        address = f"[{self.address}]" if ":" in self.address else self.address
        owner = f" (PID {self.pid})" if self.pid is not None else ""
        return f"{self.protocol.upper()} {address}:{self.port}{owner}"


class SocketTableUnavailable(Exception):
    """The OS would not show its socket table (macOS without administrator rights); ``words`` say why."""

    def __init__(self, words: Message) -> None:
        super().__init__(words.say(FALLBACK_LANG))
        self.words = words


def read_socket_table() -> tuple[Endpoint, ...]:
    """Listening TCP sockets and bound UDP sockets of every process. Blocking: use
    ``read_socket_table_off_loop`` from the event loop."""
    import psutil

    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied as exc:
        raise SocketTableUnavailable(Message("evidence.table-needs-admin", error=str(exc))) from None
    found = []
    for conn in connections:
        if not conn.laddr:
            continue
        if conn.type == socket.SOCK_STREAM and conn.status == psutil.CONN_LISTEN:
            found.append(Endpoint("tcp", conn.laddr.ip, conn.laddr.port, conn.pid))
        elif conn.type == socket.SOCK_DGRAM:
            found.append(Endpoint("udp", conn.laddr.ip, conn.laddr.port, conn.pid))
    return tuple(found)


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


class _GcPause:
    """The cyclic collector held off until ``end()`` (once; nested pauses count)."""

    def __init__(self) -> None:
        global _gc_pauses, _gc_was_enabled
        self._ended = False
        with _gc_lock:
            if _gc_pauses == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
            _gc_pauses += 1

    def end(self) -> None:
        global _gc_pauses
        with _gc_lock:
            if self._ended:
                return
            self._ended = True
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


GC_JOIN_WAIT = 0.05
"""Seconds the loop waits for the reading thread to end once its answer is in (it has only
its own teardown left); should it still run, the loop looks again later instead."""
GC_RESUME_POLL = 0.002
ACK_WAIT = 2.0
"""Seconds the reading thread waits for the loop to take its answer; a loop that closed
meanwhile never will, and the thread then resumes the collector itself."""


async def read_socket_table_off_loop(
    read: Callable[[], tuple[Endpoint, ...]] = read_socket_table,
) -> tuple[Endpoint, ...]:
    """``read()`` in a thread of its own, with the cyclic garbage collector paused until that
    thread has ended; the event loop goes on meanwhile (psutil takes tens of milliseconds
    on a busy Linux PC).

    Why the pause: the collector runs in whichever thread allocates when it is due, and
    psutil allocates thousands of objects. Run on a plain thread, it collected the window's
    unreachable Qt objects there ("QObject::~QObject: Timers cannot be stopped from another
    thread", then a crash). With the collector off for the thread's whole life, every
    collection happens later on the loop's own thread; the thread touches no object but
    psutil's and hands back plain frozen tuples. Cancelling the await abandons the thread
    (the collector resumes when it ends).
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[tuple[Endpoint, ...]] = loop.create_future()
    taken = threading.Event()

    def resume_when_ended() -> None:
        if thread.is_alive():
            loop.call_later(GC_RESUME_POLL, resume_when_ended)
        else:
            pause.end()

    def deliver(value: tuple[Endpoint, ...] | None, error: BaseException | None) -> None:
        taken.set()
        if not future.done():
            if error is not None:
                future.set_exception(error)
            else:
                assert value is not None
                future.set_result(value)
        thread.join(GC_JOIN_WAIT)
        resume_when_ended()

    def work() -> None:
        value: tuple[Endpoint, ...] | None = None
        error: BaseException | None = None
        try:
            value = tuple(read())
        except BaseException as exc:  # handed to the awaiting coroutine, whatever it is
            error = exc
        try:
            loop.call_soon_threadsafe(deliver, value, error)
        except RuntimeError:  # the loop is closed: nobody waits for the answer
            pause.end()
            return
        if not taken.wait(ACK_WAIT):
            pause.end()  # the loop closed before taking it, or is stuck: do not leave the collector off

    thread = threading.Thread(target=work, name="sepd-socket-table", daemon=True)
    pause = _GcPause()
    try:
        thread.start()
    except BaseException:
        pause.end()
        raise
    return await future


def facing_address(remote: str) -> str | None:
    """The local address this PC would use to reach ``remote``; nothing is sent."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(remote).version == 6 else socket.AF_INET
    except ValueError:
        return None
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.connect((remote, 9))  # UDP connect only picks the route and the source address
        address = str(sock.getsockname()[0])
    except OSError:
        return None
    finally:
        sock.close()
    return address.split("%")[0]


def _plain(address: str) -> str:
    return address.split("%")[0]


def _covers(bound: str, facing: ipaddress.IPv4Address | ipaddress.IPv6Address, platform: str) -> bool:
    """Does a socket bound to ``bound`` receive what arrives for ``facing``?"""
    try:
        local = ipaddress.ip_address(_plain(bound))
    except ValueError:
        return False
    if local == facing:
        return True
    if local.is_unspecified:
        if local.version == facing.version:
            return True
        # Linux's [::] takes IPv4 too (bindv6only=0); Windows binds 0.0.0.0 and [::] separately.
        return local.version == 6 and facing.version == 4 and platform != "win32"
    return False


@dataclass(frozen=True)
class ListeningVerdict:
    state: State
    reason: Message
    bound: tuple[Endpoint, ...]
    """Every socket of this protocol and port, whatever its address: the evidence."""
    connect_to: str | None = None
    """For TCP: the address to confirm the socket on."""


def judge_listening(
    table: Iterable[Endpoint], protocol: str, port: int, facing: str | None, platform: str = sys.platform
) -> ListeningVerdict:
    """Listening on the address that faces the manager (or, when that is unknown, on any
    address other than loopback), from the socket table."""
    bound = tuple(e for e in table if e.protocol == protocol and e.port == port)
    listing = ", ".join(e.shown for e in bound)
    if facing is not None:
        target = ipaddress.ip_address(_plain(facing))
        covering = [e for e in bound if _covers(e.address, target, platform)]
        if covering:
            where = covering[0]
            connect = facing if where.protocol == "tcp" else None
            said = Message("evidence.receives-for", socket=where.shown, facing=facing)
            return ListeningVerdict(State.LISTENING, said, bound, connect)
        if bound:
            said = Message("evidence.bound-elsewhere", listing=listing, facing=facing)
            return ListeningVerdict(State.NOT_LISTENING, said, bound)
        said = Message("evidence.nothing-bound", protocol=protocol.upper(), port=port)
        return ListeningVerdict(State.NOT_LISTENING, said, bound)
    reachable = [e for e in bound if not ipaddress.ip_address(_plain(e.address)).is_loopback]
    if reachable:
        where = reachable[0]
        connect = None
        if where.protocol == "tcp":
            connect = "127.0.0.1" if ipaddress.ip_address(_plain(where.address)).is_unspecified else where.address
        return ListeningVerdict(
            State.LISTENING, Message("evidence.any-but-loopback", socket=where.shown), bound, connect
        )
    if bound:
        return ListeningVerdict(State.NOT_LISTENING, Message("evidence.loopback-only", listing=listing), bound)
    said = Message("evidence.nothing-bound", protocol=protocol.upper(), port=port)
    return ListeningVerdict(State.NOT_LISTENING, said, bound)


async def confirm_tcp(verdict: ListeningVerdict, port: int, path: PathTiming) -> tuple[State, Message, float | None]:
    """Connect once to a socket the table shows: does this PC let it through?"""
    assert verdict.connect_to is not None
    address = _plain(verdict.connect_to)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    outcome = await tcp_probe(family, address, port, path)
    if outcome.state is State.OPEN:
        return State.LISTENING, Message("evidence.accepts-on", first=verdict.reason, address=address), outcome.rtt_ms
    if outcome.state is State.FILTERED:
        said = Message("evidence.local-filter-drops", first=verdict.reason, address=address, port=port)
        return State.FILTERED, said, None
    said = Message("evidence.local-refused", first=verdict.reason, address=address, port=port)
    return State.NOT_LISTENING, said, outcome.rtt_ms
