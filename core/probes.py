"""Transport-level probes: name resolution, TCP connect and UDP (this PC's own ports: core.localpc.sockets).

Verdicts follow nmap's connect scan and PortQry: a refused connection is
``closed``, silence after one retry is ``filtered`` (TCP) or ``open|filtered``
(UDP), an ICMP unreachable from a router is ``unreachable``. Every socket is closed
on every path, cancellation included.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from dataclasses import dataclass
from typing import Any

from core.results import State
from core.timing import RttEstimator, wait_adaptive

RESOLVE_TIMEOUT = 5.0

_UNREACHABLE_ERRNOS = {
    errno.EHOSTUNREACH: "host-unreach",
    errno.ENETUNREACH: "net-unreach",
    getattr(errno, "EHOSTDOWN", -1001): "host-down",
    getattr(errno, "ENETDOWN", -1002): "net-down",
    getattr(errno, "EADDRNOTAVAIL", -1003): "no-route",
    getattr(errno, "WSAEHOSTUNREACH", -1004): "host-unreach",
    getattr(errno, "WSAENETUNREACH", -1005): "net-unreach",
}
_REFUSED_ERRNOS = {errno.ECONNREFUSED, getattr(errno, "WSAECONNREFUSED", -1006)}
_RESET_ERRNOS = {errno.ECONNRESET, errno.ECONNABORTED, getattr(errno, "WSAECONNRESET", -1008)}


@dataclass(frozen=True)
class Resolved:
    """The outcome of resolving a host once for the whole run."""

    family: int | None
    address: str | None
    error: str | None = None
    """Which resolver answer: e.g. "the resolver says the name does not exist (EAI_NONAME)"."""

    @property
    def ok(self) -> bool:
        return self.address is not None


@dataclass(frozen=True)
class ProbeOutcome:
    state: State
    reason: str
    rtt_ms: float | None = None
    attempts: int = 0
    answer: bytes | None = None


_GAI_REASONS = {
    getattr(socket, "EAI_NONAME", -2): "the resolver says the name does not exist",
    getattr(socket, "EAI_AGAIN", -3): "the resolver did not answer in time (temporary failure)",
    getattr(socket, "EAI_FAIL", -4): "the resolver failed permanently",
    getattr(socket, "EAI_NODATA", -5): "the name exists but has no address",
    getattr(socket, "EAI_ADDRFAMILY", -9): "the name has no address of a usable family",
}


async def resolve(name: str, timeout: float = RESOLVE_TIMEOUT) -> Resolved:
    """Resolve once; the first address the system prefers (its own IPv4/IPv6 order)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except TimeoutError:
        return Resolved(None, None, f"the resolver gave no answer within {timeout:g} s")
    except socket.gaierror as exc:
        code = exc.args[0] if exc.args else None
        words = _GAI_REASONS.get(code, "the resolver refused the name") if isinstance(code, int) else "resolver error"
        return Resolved(None, None, f"{words} ({exc.strerror or exc})")
    except (OSError, UnicodeError) as exc:
        return Resolved(None, None, f"the name cannot be resolved ({exc})")
    if not infos:
        return Resolved(None, None, "the resolver returned no address")
    family, _type, _proto, _canon, sockaddr = infos[0]
    return Resolved(int(family), str(sockaddr[0]))


def _sockaddr(family: int, address: str, port: int) -> tuple[Any, ...]:
    if family == socket.AF_INET6:
        host, _, scope = address.partition("%")
        return (host, port, 0, socket.if_nametoindex(scope) if scope and not scope.isdigit() else int(scope or 0))
    return (address, port)


def _errno_reason(exc: OSError) -> tuple[State, str] | None:
    if isinstance(exc, ConnectionRefusedError) or exc.errno in _REFUSED_ERRNOS:
        return State.CLOSED, "conn-refused"
    if exc.errno in _UNREACHABLE_ERRNOS:
        return State.UNREACHABLE, _UNREACHABLE_ERRNOS[exc.errno]
    return None


async def tcp_connect_once(family: int, address: str, port: int, estimator: RttEstimator) -> tuple[State, str, float]:
    """One connect attempt. Returns (state, reason, seconds); raises TimeoutError when silent."""
    loop = asyncio.get_running_loop()
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        started = loop.time()
        connect = asyncio.ensure_future(loop.sock_connect(sock, _sockaddr(family, address, port)))
        try:
            await wait_adaptive(connect, started, estimator)
        except TimeoutError:  # an OSError subclass: silence is not an error
            raise
        except OSError as exc:
            elapsed = loop.time() - started
            if exc.errno in _RESET_ERRNOS:
                # The handshake completed and the service reset it at once: it is listening (nmap: open).
                estimator.add_sample(elapsed)
                return State.OPEN, "syn-ack, then reset", elapsed
            decided = _errno_reason(exc)
            if decided is None:
                return State.ERROR, f"connect error: {exc.strerror or exc}", elapsed
            if decided[0] is State.CLOSED:
                estimator.add_sample(elapsed)
            return decided[0], decided[1], elapsed
        elapsed = loop.time() - started
        estimator.add_sample(elapsed)
        return State.OPEN, "syn-ack", elapsed
    finally:
        sock.close()


async def tcp_probe(family: int, address: str, port: int, estimator: RttEstimator) -> ProbeOutcome:
    """Connect with one retry before ``filtered``."""
    attempts = 0
    for _ in range(1 + estimator.policy.retries):
        attempts += 1
        try:
            state, reason, elapsed = await tcp_connect_once(family, address, port, estimator)
        except TimeoutError:
            continue
        return ProbeOutcome(state, reason, elapsed * 1000, attempts)
    return ProbeOutcome(State.FILTERED, f"no-response ({attempts} attempts)", None, attempts)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if not self.answer.done():
            self.answer.set_result(data)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answer.done():
            self.answer.cancel()


async def udp_probe(
    family: int, address: str, port: int, payload: bytes, estimator: RttEstimator, *, expect_answer: bool = True
) -> ProbeOutcome:
    """Send ``payload``; ``open`` only on a real answer, ``closed`` on ICMP port unreachable,
    otherwise ``open|filtered`` (a silent UDP port is never reported as open)."""
    loop = asyncio.get_running_loop()
    attempts = 0
    for _ in range(1 + estimator.policy.retries):
        attempts += 1
        transport, protocol = await loop.create_datagram_endpoint(
            _UdpProtocol, remote_addr=_sockaddr(family, address, port)[:2], family=family
        )
        try:
            started = loop.time()
            transport.sendto(payload)
            try:
                data = await wait_adaptive(protocol.answer, started, estimator)
            except TimeoutError:  # before OSError, of which it is a subclass
                continue
            except OSError as exc:
                decided = _errno_reason(exc)
                if decided is None:
                    return ProbeOutcome(State.ERROR, f"udp error: {exc.strerror or exc}", None, attempts)
                reason = "port-unreach" if decided[0] is State.CLOSED else decided[1]
                return ProbeOutcome(decided[0], reason, (loop.time() - started) * 1000, attempts)
            elapsed = loop.time() - started
            estimator.add_sample(elapsed)
            assert isinstance(data, bytes)
            return ProbeOutcome(State.OPEN, "udp-response", elapsed * 1000, attempts, data)
        finally:
            transport.close()
    words = "no-response" if expect_answer else "no-response (this protocol does not answer)"
    return ProbeOutcome(State.OPEN_FILTERED, f"{words} ({attempts} attempts)", None, attempts)
