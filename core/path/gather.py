"""The path facts of a run's targets, gathered beside the probes (``core.run`` drives it).

A host's lookup (or its first verdict with an address) starts its route facts and ICMP echo; the first
filtered or unreachable TCP port of a host starts its trace, toward that port. ``settle``
waits for what was started (each part bounded in time) and puts the facts together with
the lookup the probes used (``core.results.RunSummary.resolved``) and this PC's SyLink
settings (``core.localpc``): the client's ``LastServerIP`` no longer among the manager's
addresses is a finding of this PC.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sep_port_doctor.core.hosts import Host, special_address
from sep_port_doctor.core.http_checks import default_port, proxy_label, system_proxy, url_for
from sep_port_doctor.core.path.echo import echo
from sep_port_doctor.core.path.facts import (
    DnsFacts,
    EchoFacts,
    Hop,
    PathFacts,
    RouteFacts,
    TraceEnd,
    TraceFacts,
    path_words,
)
from sep_port_doctor.core.path.route import WindowsRoute, route_facts
from sep_port_doctor.core.path.trace import DEADLINE, trace
from sep_port_doctor.core.path.winicmp import IcmpApi
from sep_port_doctor.core.probes import after_first_packets
from sep_port_doctor.core.resolver import RESOLVE_TIMEOUT, BusyError, Resolved, in_daemon_thread
from sep_port_doctor.core.results import Check, CheckResult, State, Target

log = logging.getLogger(__name__)

TRACED_STATES = (State.FILTERED, State.UNREACHABLE)
SETTLE_GRACE = 2.0
"""Beyond a trace's own deadline, the longest ``settle`` waits (a stuck system call)."""

HopEvent = Callable[[str, Hop], None]
T = TypeVar("T")


class PathWork:
    """One run's path facts, per host name."""

    def __init__(
        self, *, use_system_proxy: bool = True, icmp_api: IcmpApi | None = None, on_hop: HopEvent | None = None
    ) -> None:
        self.use_system_proxy = use_system_proxy
        self.icmp_api = icmp_api
        """Windows' IcmpSendEcho2, or a test's fake; None: the platform's own way."""
        self.on_hop = on_hop
        self.planned: dict[str, tuple[Target, Host]] = {}
        self.hosts: dict[str, tuple[Target, Host, str]] = {}
        """Host name -> (its role in the plan, the host as typed, the address probed)."""
        self.routes: dict[str, asyncio.Task[RouteFacts]] = {}
        self.echoes: dict[str, asyncio.Task[EchoFacts]] = {}
        self.traces: dict[str, asyncio.Task[TraceFacts]] = {}
        self.answered: dict[str, set[int]] = {}
        self.windows_route: WindowsRoute | None = None

    def plan(self, checks: Iterable[Check]) -> None:
        """The hosts the run will probe, with their role (before anything is sent)."""
        for check in checks:
            if not check.skip and not check.local and check.host is not None:
                self.planned.setdefault(check.host.name, (check.target, check.host))

    def resolved(self, name: str, lookup: Resolved) -> None:
        """A planned host's name resolved: its route facts and echo start now, beside the probes."""
        if lookup.address is None or name not in self.planned:
            return
        target, host = self.planned[name]
        self._start(name, target, host, lookup.address)

    def _start(self, name: str, target: Target, host: Host, address: str) -> None:
        if name in self.hosts:
            return
        if special_address(ipaddress.ip_address(address.partition("%")[0])) is not None:
            return  # the probes send nothing to a broadcast or multicast address: nor does this
        self.hosts[name] = (target, host, address)
        self.routes[name] = asyncio.ensure_future(self._route(host, address))
        self.echoes[name] = asyncio.ensure_future(self._echo(address))

    async def _echo(self, address: str) -> EchoFacts:
        await after_first_packets()  # as _route
        return await echo(address, self.icmp_api)

    def arrived(self, result: CheckResult) -> None:
        """A verdict: start what it calls for (never raises into the run)."""
        check = result.check
        if check.local or check.host is None or result.address is None or not result.state.ran:
            return
        name, address = check.host.name, result.address
        self._start(name, check.target, check.host, address)
        if name not in self.hosts:
            return
        if check.protocol == "tcp" and result.state in (State.OPEN, State.CLOSED):
            self.answered.setdefault(name, set()).add(check.port)
        if check.protocol == "tcp" and result.state in TRACED_STATES and name not in self.traces:

            def hop(found: Hop, name: str = name) -> None:
                if self.on_hop is not None:
                    self.on_hop(name, found)

            self.traces[name] = asyncio.ensure_future(self._trace(name, self.hosts[name][2], check.port, hop))

    async def _route(self, host: Host, address: str) -> RouteFacts:
        # The host's probes start with this, right after its lookup: their packets leave first,
        # then the system's proxy settings and routes are read (urllib, psutil: loaded here).
        await after_first_packets()
        proxies: tuple[str, ...] | None = None
        if self.use_system_proxy:
            found: list[str] = []
            for scheme in ("http", "https"):
                url = url_for(scheme, host, default_port(scheme), "/")
                try:
                    async with asyncio.timeout(RESOLVE_TIMEOUT):
                        # urllib's proxy_bypass can do blocking DNS (Windows, macOS): never on the loop's thread.
                        proxy = await in_daemon_thread(functools.partial(system_proxy, url, host))
                except (TimeoutError, BusyError):
                    proxy = None
                if proxy is not None and proxy_label(proxy) not in found:
                    found.append(proxy_label(proxy))
            proxies = tuple(found)
        # The Windows collection's route may still be coming: it is joined in settle().
        return route_facts(address, proxies)

    async def _trace(self, name: str, address: str, port: int, hop: Callable[[Hop], None]) -> TraceFacts:
        """Trace toward the port, unless no router stands between (the trace could only repeat the verdict)
        or this PC has no way there (each hop would be this PC's own refusal, not a device's)."""
        route = await asyncio.shield(self.routes[name])
        if route.source is None:
            return TraceFacts(address, "tcp", port, "", end=TraceEnd.NOT_SENT, detail=route.error or "?")
        if route.gateway_known and route.gateway is None:
            return TraceFacts(address, "tcp", port, "", end=TraceEnd.ON_LINK)
        return await trace(address, "tcp", port, api=self.icmp_api, on_hop=hop)

    def cancel(self) -> None:
        for task in self._tasks():
            task.cancel()

    def _tasks(self) -> list[asyncio.Task[Any]]:
        return [*self.routes.values(), *self.echoes.values(), *self.traces.values()]

    async def settle(
        self,
        resolved: Mapping[str, Resolved],
        windows_route: WindowsRoute | None = None,
        last_server_ip: str | None = None,
        manager: str | None = None,
        cancelled: bool = False,
    ) -> dict[str, PathFacts]:
        """Wait for what was started (bounded), then the facts per host name."""
        await wait_bounded(self._tasks(), cancelled)
        facts: dict[str, PathFacts] = {}
        for name, (target, host, address) in self.hosts.items():
            route = task_result(self.routes.get(name))
            if route is not None and windows_route is not None and windows_route.address == address:
                route = route_facts(address, route.proxies if route.proxy_known else None, windows_route)
            trace_facts = task_result(self.traces.get(name))
            if name in self.traces and trace_facts is None:
                trace_facts = TraceFacts(address, "tcp", 0, "", end=TraceEnd.CANCELLED)
            dns = None
            lookup = resolved.get(name)
            if not host.is_ip and lookup is not None:
                is_manager = target is Target.MANAGER and manager is not None and host.name == manager
                dns = DnsFacts(
                    host.typed,
                    lookup.addresses,
                    address,
                    lookup.lookup_ms,
                    lookup.error,
                    last_server_ip if is_manager else None,
                )
            facts[name] = PathFacts(
                str(target),
                host.typed,
                address,
                dns,
                route,
                task_result(self.echoes.get(name)),
                trace_facts,
                tuple(sorted(self.answered.get(name, ()))),
            )
        return facts


async def wait_bounded(tasks: list[asyncio.Task[Any]], cancelled: bool = False) -> None:
    """Wait for what was started, at most a trace's deadline and a grace (at once when ``cancelled``);
    cancelled or not, none of them outlives the run."""
    if not tasks:
        return
    if cancelled:
        for task in tasks:
            task.cancel()
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DEADLINE + SETTLE_GRACE):
                await asyncio.wait(tasks)
    finally:
        for task in tasks:
            task.cancel()
    await asyncio.wait(tasks)


def task_result(task: asyncio.Task[T] | None) -> T | None:
    """A finished part's facts; None when it did not finish or failed."""
    if task is None or not task.done() or task.cancelled():
        return None
    error = task.exception()
    if error is not None:  # one part's bug never sinks the run: that part is missing, the log says why
        log.error("a path fact failed", exc_info=error)
        return None
    return task.result()


__all__ = ["PathFacts", "PathWork", "path_words"]
