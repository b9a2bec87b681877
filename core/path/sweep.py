"""Path facts of a push sweep: what an administrator sweeping hundreds of PCs asks next, in bounded time.

* **Routes once per distinct route**: which source address, interface and gateway the traffic to
  each PC leaves by, the system's tables read once for the whole sweep; each PC names its route
  (a /24 behind one router is one route, not 254 copies of it).
* **DNS per named target**: every address the name resolved to, the one used, how long the lookup
  took (the probes' own lookups, ``core.engine.RunSummary.resolved``).
* **A trace only where it adds something**, toward TCP 445 (the port push needs), at most one per
  network (IPv4 /24, IPv6 /64: ``neighbourhood``) and ``MAX_TRACES`` per sweep, started beside the
  sweep by the verdict that calls for it:
  - a PC that answers on other ports while 445 is filtered (``port-filtered``): is 445 blocked on
    the way, or at the PC?
  - a PC that is silent while no PC of its network has answered at all (``network-silent``): how
    far does the path to that network get?
  Not where the network is this PC's own (no router between: nothing to trace), nor where this PC
  has no way to send (each hop would be its own refusal). A silent hop
  waits as traceroute's ``-w`` NEAR rule has it, from the network's PCs' answers (a router on the
  way is nearer than they are): ten times their slowest round trip, at least the 0.5 s their own
  silence is given (``core.timing`` rule 8); 2.5 s where no PC answered. Each trace ends within
  ``core.path.trace.DEADLINE``; cancelling the sweep cancels them.
No ICMP echo per PC: hundreds of pings would lengthen the sweep and say less than the ports do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sep_port_doctor.core.i18n import Lang
from sep_port_doctor.core.path.facts import DnsFacts, Hop, PathLine, RouteFacts, TraceEnd, TraceFacts, path_words
from sep_port_doctor.core.path.gather import task_result, wait_bounded
from sep_port_doctor.core.path.route import RouteReader, source_address
from sep_port_doctor.core.path.trace import HOP_WAIT, NEAR_FACTOR, trace
from sep_port_doctor.core.path.winicmp import IcmpApi
from sep_port_doctor.core.resolver import Resolved
from sep_port_doctor.core.timing import NEIGHBOUR_FLOOR

MAX_TRACES = 16
"""Traces per sweep at most (one per network): a targets file of many branch networks stays bounded."""
MAX_GROUP_NAMES = 10
"""DNS answers said for a group of PCs at most (each PC's own are said when it is selected)."""
WHY = ("port-filtered", "network-silent")

HopEvent = Callable[[str, Hop], None]


@dataclass(frozen=True)
class SweepTrace:
    """One network's trace: toward which PC, why, and where the path ends."""

    network: str
    host: str
    """The PC as typed."""
    why: str
    """``port-filtered`` or ``network-silent`` (the module's docstring)."""
    facts: TraceFacts

    def text(self, lang: Lang) -> str:
        return path_words(f"sweep-trace-{self.why}", lang, network=self.network, host=self.host) + self.facts.text(lang)

    def line(self, lang: Lang) -> PathLine:
        """The trace's sentence, with its hops as tracert shows them where there are any."""
        return PathLine(self.text(lang), self.facts.hops_text() if self.facts.hops else "")

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "network": self.network,
            "host": self.host,
            "why": self.why,
            **self.facts.to_json(lang),
            "summary": self.text(lang),
        }


@dataclass(frozen=True)
class SweepPaths:
    """A sweep's path facts: its distinct routes, its traces, and each target's share of them."""

    routes: tuple[RouteFacts, ...]
    route_counts: tuple[int, ...]
    """How many targets take each route."""
    traces: tuple[SweepTrace, ...]
    route_of: Mapping[str, int]
    """Target (host name) -> index in ``routes``."""
    trace_of: Mapping[str, int]
    """Target -> index in ``traces``, for the PC each trace went toward."""
    dns: Mapping[str, DnsFacts]
    """Targets typed as names -> what DNS answered."""
    networks: Mapping[str, str] = field(default_factory=dict)
    """Target -> its network (IPv4 /24, IPv6 /64), where it has one: a trace of the network speaks for it too."""

    def route_text(self, index: int, lang: Lang, count: int | None = None) -> str:
        """The route's line with how many PCs take it (``count``: of some of them, a group's)."""
        count = self.route_counts[index] if count is None else count
        return self.routes[index].text(lang) + path_words("sweep-route-count", lang, count=count)

    def trace_for(self, name: str, *, network: bool = True) -> SweepTrace | None:
        """The trace toward this PC, else (``network``) the one toward another PC of its network; None: neither."""
        index = self.trace_of.get(name)
        if index is not None:
            return self.traces[index]
        where = self.networks.get(name) if network else None
        return next((t for t in self.traces if t.network == where), None) if where else None

    def routes_among(self, names: Iterable[str]) -> list[tuple[int, int]]:
        """The routes these targets take: (index in ``routes``, how many of them), in the sweep's order."""
        counts: dict[int, int] = {}
        for name in names:
            index = self.route_of.get(name)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        return sorted(counts.items())

    def target_lines(self, name: str, lang: Lang, *, network_trace: bool = True) -> list[PathLine]:
        """One PC's path facts, one line each: its route, what DNS answered, and where the path ends
        (its own trace, else with ``network_trace`` its network's: for a PC whose port did not answer
        either, not for one the port reached)."""
        lines = []
        route = self.route_of.get(name)
        if route is not None:
            lines.append(PathLine(self.routes[route].text(lang)))
        dns = self.dns.get(name)
        if dns is not None:
            lines.append(PathLine(dns.text(lang)))
        traced = self.trace_for(name, network=network_trace)
        if traced is not None:
            lines.append(traced.line(lang))
        return lines

    def group_lines(self, names: Iterable[str], lang: Lang, *, network_traces: bool = True) -> list[PathLine]:
        """A group of PCs' path facts: the routes they take (with how many of them each), what DNS
        answered for their names (``MAX_GROUP_NAMES`` at most), and the traces made toward them (with
        ``network_traces``, their networks' too), each once."""
        names = list(names)
        lines = [PathLine(self.route_text(index, lang, count)) for index, count in self.routes_among(names)]
        lines += self.dns_lines(names, lang)
        traced = {self.trace_for(name, network=network_traces) for name in names} - {None}
        lines += [t.line(lang) for t in self.traces if t in traced]
        return lines

    def dns_lines(self, names: Iterable[str], lang: Lang, *, more: str = "sweep-dns-more") -> list[PathLine]:
        """What DNS answered for these PCs' names (those typed as names), ``MAX_GROUP_NAMES`` at most,
        then how many more; ``more`` says where each of the others is (the window: select the PC;
        the report: its JSON)."""
        named = [self.dns[name] for name in names if name in self.dns]
        lines = [PathLine(dns.text(lang)) for dns in named[:MAX_GROUP_NAMES]]
        if len(named) > MAX_GROUP_NAMES:
            lines.append(PathLine(path_words(more, lang, count=len(named) - MAX_GROUP_NAMES)))
        return lines

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "routes": [
                {"id": i, **route.to_json(), "targets": self.route_counts[i], "summary": self.route_text(i, lang)}
                for i, route in enumerate(self.routes)
            ],
            "traces": [t.to_json(lang) for t in self.traces],
        }

    def target_json(self, name: str, lang: Lang) -> dict[str, Any]:
        dns = self.dns.get(name)
        return {
            "route": self.route_of.get(name),
            "dns": None if dns is None else dns.to_json(lang),
            "trace": self.trace_of.get(name),
        }


class SweepPathWork:
    """Gathers a sweep's path facts beside its probes (``core.push.PushRun`` drives it)."""

    def __init__(
        self,
        network_of: Callable[[str], str | None],
        *,
        traced_port: int,
        icmp_api: IcmpApi | None = None,
        on_hop: HopEvent | None = None,
        max_traces: int = MAX_TRACES,
    ) -> None:
        self.network_of = network_of
        self.traced_port = traced_port
        """The SMB port the sweep probes (the catalogue's push role ``smb``): where a trace goes."""
        self.icmp_api = icmp_api
        """Windows' IcmpSendEcho2, or a test's fake; None: the platform's own way."""
        self.on_hop = on_hop
        self.max_traces = max_traces
        self.reader = RouteReader()
        self.answered: dict[str, float] = {}
        """Networks where some PC answered (a SYN-ACK, a reset, a UDP answer) -> the slowest round
        trip of their own answers, in seconds (a SYN-ACK's, a UDP answer's; 0 where only resets came)."""
        self.traces: dict[str, tuple[str, str, str, str, asyncio.Task[TraceFacts]]] = {}
        """Network -> (host name, host as typed, its address, why, the trace)."""

    def answered_from(self, address: str, rtt_ms: float | None = None) -> None:
        """A PC at ``address`` answered on some port (``rtt_ms``: its own answer's round trip, None
        for a reset, which any device on the way may send): its network is reachable."""
        network = self.network_of(address)
        if network is not None:
            self.answered[network] = max(self.answered.get(network, 0.0), (rtt_ms or 0.0) / 1000)

    def network_answered(self, address: str) -> bool:
        network = self.network_of(address)
        return network is not None and network in self.answered

    def trace_toward(self, name: str, typed: str, address: str, why: str) -> None:
        """Trace toward ``address``'s TCP 445 for ``why``, unless its network has one or the sweep has enough."""
        network = self.network_of(address)
        if network is None or network in self.traces or len(self.traces) >= self.max_traces:
            return
        wait = HOP_WAIT
        if network in self.answered:
            wait = min(HOP_WAIT, max(NEIGHBOUR_FLOOR, NEAR_FACTOR * self.answered[network]))
        self.traces[network] = (name, typed, address, why, asyncio.ensure_future(self._trace(typed, address, wait)))

    async def _trace(self, typed: str, address: str, hop_wait: float) -> TraceFacts:
        _source, error = source_address(address)
        if error is not None:  # no way there: each hop would be this PC's own refusal, not a device's
            return TraceFacts(address, "tcp", self.traced_port, "", end=TraceEnd.NOT_SENT, detail=error)
        if self.reader.on_link(address):
            return TraceFacts(address, "tcp", self.traced_port, "", end=TraceEnd.ON_LINK)

        def hop(found: Hop) -> None:
            if self.on_hop is not None:
                self.on_hop(typed, found)

        return await trace(address, "tcp", self.traced_port, api=self.icmp_api, on_hop=hop, hop_wait=hop_wait)

    def cancel(self) -> None:
        for *_rest, task in self.traces.values():
            task.cancel()

    async def settle(self, cancelled: bool = False) -> None:
        """Wait for the traces (bounded; at once when the sweep was cancelled)."""
        await wait_bounded([task for *_rest, task in self.traces.values()], cancelled)

    def facts(
        self, targets: Iterable[tuple[str, str, str | None, bool]], resolved: Mapping[str, Resolved]
    ) -> SweepPaths:
        """The facts of ``targets`` ((host name, as typed, address used or None, typed as an address)),
        with the lookups the probes used; traces that did not finish are ``cancelled``."""
        routes: dict[RouteFacts, int] = {}
        counts: list[int] = []
        route_of: dict[str, int] = {}
        dns: dict[str, DnsFacts] = {}
        networks: dict[str, str] = {}
        for name, typed, address, is_ip in targets:
            if address is not None:
                network = self.network_of(address)
                if network is not None:
                    networks[name] = network
                route = self.reader.facts(address, None)
                index = routes.setdefault(route, len(routes))
                if index == len(counts):
                    counts.append(0)
                counts[index] += 1
                route_of[name] = index
            lookup = resolved.get(name)
            if not is_ip and lookup is not None:
                dns[name] = DnsFacts(typed, lookup.addresses, address, lookup.lookup_ms, lookup.error)
        traces: list[SweepTrace] = []
        trace_of: dict[str, int] = {}
        for network, (name, typed, address, why, task) in self.traces.items():
            facts = task_result(task) or TraceFacts(address, "tcp", self.traced_port, "", end=TraceEnd.CANCELLED)
            trace_of[name] = len(traces)
            traces.append(SweepTrace(network, typed, why, facts))
        return SweepPaths(tuple(routes), tuple(counts), tuple(traces), route_of, trace_of, dns, networks)
