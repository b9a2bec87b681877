"""Name resolution (and other blocking system look-ups) that never hold the run or the exit.

The system resolver (``getaddrinfo``: hosts file, DNS, and on Windows LLMNR/NetBIOS too,
as the SEP client itself resolves) cannot be interrupted once called. A lookup to a
silent DNS server blocks its thread for as long as the system's own timeouts say (5 s
x 2 tries by default, doubled by a search list). So each blocking call runs in a daemon
thread of its own:

* a run that is cancelled, or that gives up after ``RESOLVE_TIMEOUT``, abandons the
  thread; the process exits right after the verdict (daemon threads are not waited for,
  unlike ``asyncio``'s default executor, which ``asyncio.run`` joins at the end);
* abandoned lookups cannot exhaust a pool: there is none, every call has its own thread,
  up to ``MAX_THREADS`` at once (a long-lived window after hours of broken DNS), then
  the call is refused with a clear reason rather than queued behind the stuck ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sep_port_doctor.core.i18n import Message

RESOLVE_TIMEOUT = 5.0
MAX_THREADS = 64

T = TypeVar("T")

_active = 0
_active_lock = threading.Lock()


class BusyError(RuntimeError):
    """Too many blocking look-ups are still stuck in the system."""


def active_threads() -> int:
    """Blocking calls still running (abandoned ones included)."""
    return _active


async def in_daemon_thread(function: Callable[[], T]) -> T:
    """Run ``function`` in a daemon thread of its own; cancelling the await abandons the thread."""
    global _active
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    with _active_lock:
        if _active >= MAX_THREADS:
            raise BusyError(f"{_active} earlier system look-ups are still waiting for an answer")
        _active += 1

    def deliver(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def work() -> None:
        global _active
        try:
            value = function()
        except BaseException as exc:  # handed to the awaiting coroutine, whatever it is
            error = exc
            _post(lambda: deliver(lambda: future.set_exception(error)))
        else:
            _post(lambda: deliver(lambda: future.set_result(value)))
        finally:
            with _active_lock:
                _active -= 1

    def _post(callback: Callable[[], None]) -> None:
        # A closed loop (RuntimeError): nobody waits for this answer any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(callback)

    threading.Thread(target=work, name="sepd-lookup", daemon=True).start()
    return await future


@dataclass(frozen=True)
class Resolved:
    """The outcome of resolving a host once for the whole run."""

    family: int | None
    address: str | None
    error: Message | None = None
    """The evidence, e.g. "the DNS server did not answer within 5 s"."""
    cause: str = ""
    """``nxdomain``, ``dns-timeout``, ``dns-no-address``, ``dns-failure`` (the message catalogue's [cause])."""
    addresses: tuple[str, ...] = ()
    """Every address the name resolved to, in the system's order (IPv4 and IPv6; ``address`` is the first)."""
    lookup_ms: float | None = None
    """How long the system's lookup took, its refusals too (None when it never answered: timed out, stuck)."""

    @property
    def ok(self) -> bool:
        return self.address is not None


_GAI_CAUSES: dict[int, tuple[str, str]] = {
    getattr(socket, "EAI_NONAME", -2): ("nxdomain", "evidence.nxdomain"),
    getattr(socket, "EAI_AGAIN", -3): ("dns-timeout", "evidence.dns-temporary"),
    getattr(socket, "EAI_FAIL", -4): ("dns-failure", "evidence.dns-permanent"),
    getattr(socket, "EAI_NODATA", -5): ("dns-no-address", "evidence.dns-no-address"),
    getattr(socket, "EAI_ADDRFAMILY", -9): ("dns-no-address", "evidence.dns-no-family"),
}
# Windows reports WSA codes: WSAHOST_NOT_FOUND 11001, WSATRY_AGAIN 11002, WSANO_RECOVERY 11003, WSANO_DATA 11004.
_GAI_CAUSES.update(
    {
        11001: _GAI_CAUSES[getattr(socket, "EAI_NONAME", -2)],
        11002: _GAI_CAUSES[getattr(socket, "EAI_AGAIN", -3)],
        11003: _GAI_CAUSES[getattr(socket, "EAI_FAIL", -4)],
        11004: _GAI_CAUSES[getattr(socket, "EAI_NODATA", -5)],
    }
)


def _lookup(name: str) -> list[tuple[Any, ...]]:
    return socket.getaddrinfo(name, None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)


async def resolve(name: str, timeout: float = RESOLVE_TIMEOUT) -> Resolved:
    """Resolve once; the first address the system prefers (its own IPv4/IPv6 order)."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            infos = await in_daemon_thread(lambda: _lookup(name))
    except TimeoutError:
        return Resolved(None, None, Message("evidence.dns-timeout", seconds=f"{timeout:g}"), "dns-timeout")
    except BusyError as exc:
        return Resolved(None, None, Message("evidence.resolver-stuck", error=str(exc)), "dns-timeout")
    except socket.gaierror as exc:
        code = exc.args[0] if exc.args else None
        cause, words = (
            _GAI_CAUSES.get(code, ("dns-failure", "evidence.resolver-refused"))
            if isinstance(code, int)
            else ("dns-failure", "evidence.resolver-error")
        )
        said = Message("evidence.resolver-said", words=Message(words), error=str(exc.strerror or exc))
        # The system answered, quickly (NXDOMAIN from a server) or after its own retries: the time tells which.
        return Resolved(None, None, said, cause, lookup_ms=_since(started))
    except (OSError, UnicodeError) as exc:
        return Resolved(None, None, Message("evidence.cannot-resolve", error=str(exc)), "dns-failure")
    if not infos:
        return Resolved(
            None, None, Message("evidence.no-address-returned"), "dns-no-address", lookup_ms=_since(started)
        )
    family, _type, _proto, _canon, sockaddr = infos[0]
    addresses = tuple(dict.fromkeys(_with_zone(name, info[4]) for info in infos))
    return Resolved(int(family), _with_zone(name, sockaddr), addresses=addresses, lookup_ms=_since(started))


def _with_zone(name: str, sockaddr: tuple[Any, ...]) -> str:
    """The address as the probes connect to it: an IPv6 address with a scope (a link-local
    ``fe80::1%eth0``) keeps its zone, as typed (else the interface's index), without which the
    system cannot tell which link it is on (connect fails with EINVAL)."""
    address = str(sockaddr[0])
    if len(sockaddr) < 4 or not sockaddr[3] or "%" in address:
        return address
    typed_zone = name.partition("%")[2]
    return f"{address}%{typed_zone or sockaddr[3]}"


def _since(started: float) -> float:
    """Milliseconds since ``started`` (``time.perf_counter``)."""
    return (time.perf_counter() - started) * 1000
