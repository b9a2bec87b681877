"""Path facts of one target: what DNS answered, which way the traffic leaves this PC, whether
the host answers ping, and where the path to a filtered port ends. Plain frozen dataclasses
with their JSON and their words (the message catalogue's [path]), both languages."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sep_port_doctor.core.i18n import Lang, Message, known, say, say_any


def path_words(code: str, lang: Lang, **values: object) -> str:
    """The words of ``[path] code`` in ``lang`` with ``values`` filled in."""
    return say(f"path.{code}", lang, **values)


@dataclass(frozen=True)
class DnsFacts:
    """What the name resolved to, as the probes used it."""

    name: str
    addresses: tuple[str, ...]
    used: str | None
    lookup_ms: float | None
    error: Message | None = None
    """Why the name did not resolve (the resolver's evidence)."""
    last_server_ip: str | None = None
    """SyLink's ``LastServerIP`` where this target is the client's manager (None: not known)."""

    @property
    def mismatch(self) -> bool:
        """The client last talked to an address the name no longer resolves to."""
        return bool(self.last_server_ip and self.addresses and self.last_server_ip not in self.addresses)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "name": self.name,
            "addresses": list(self.addresses),
            "ipv4": [a for a in self.addresses if ":" not in a],
            "ipv6": [a for a in self.addresses if ":" in a],
            "used": self.used,
            "lookup_ms": self.recorded_lookup_ms,
            "error": None if self.error is None else self.error.say(lang),
            "sylink_last_server_ip": self.last_server_ip,
            "mismatch": self.mismatch,
        }

    @property
    def recorded_lookup_ms(self) -> float | None:
        """The lookup's time as the JSON records it (0.1 ms); what is shown is said from it."""
        return None if self.lookup_ms is None else round(self.lookup_ms, 1)

    def lookup_text(self) -> str:
        """How long the lookup took, as a technician reads it: a tenth of a millisecond where the
        answer came from this PC's own files or cache (``0.3``), whole ones from a DNS server."""
        lookup = self.recorded_lookup_ms  # 9.96 ms is 10.0 in the JSON, so "10" here
        if lookup is None:
            return "?"
        if lookup < 0.05:
            return "< 0.1"
        return f"{lookup:.1f}" if lookup < 10 else f"{lookup:.0f}"

    def text(self, lang: Lang) -> str:
        if not self.addresses:
            # A refusal the system answered says how long it took; a timeout's evidence says its limit.
            if self.lookup_ms is None:
                return path_words("dns-failed", lang, name=self.name, error=self.error or "?")
            return path_words("dns-failed-after", lang, name=self.name, ms=self.lookup_text(), error=self.error or "?")
        others = [a for a in self.addresses if a != self.used]
        words = path_words(
            "dns-answer",
            lang,
            name=self.name,
            count=len(self.addresses),
            used=self.used or "?",
            ms=self.lookup_text(),
        )
        if others:
            words += path_words("dns-others", lang, others=", ".join(others))
        return words


@dataclass(frozen=True)
class RouteFacts:
    """How this PC sends to the target: the address and interface it sends from, and the next router."""

    source: str | None
    interface: str | None
    gateway: str | None
    """The next router; None when the target is on this PC's own network or it is not known (``gateway_known``)."""
    gateway_known: bool
    gateway_from: str
    """Where the gateway came from: ``/proc/net/route``, ``Find-NetRoute``, or ``""`` (the system does not say)."""
    profile: str | None = None
    """Windows: the network profile of that interface (Domain, Private, Public)."""
    proxies: tuple[str, ...] = ()
    """The system proxies HTTP and HTTPS to the target would take (``proxy HOST:PORT``); empty: direct."""
    proxy_known: bool = True
    error: str | None = None
    """Why the system would not say how it sends there (no route, a prohibit route...)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "interface": self.interface,
            "gateway": self.gateway,
            "on_link": (self.gateway is None) if self.gateway_known else None,
            "gateway_from": self.gateway_from or None,
            "profile": self.profile,
            "proxy": list(self.proxies) if self.proxy_known else None,
            "error": self.error,
        }

    def profile_text(self, lang: Lang) -> str:
        """The interface's network profile in ``lang`` (as the system names it where the catalogue does not); "" elsewhere."""
        if not self.profile:
            return ""
        code = f"local.profile-{self.profile.lower()}"
        return say(code, lang) if known(code) else self.profile

    def gateway_text(self, lang: Lang) -> str:
        """The next router, or what stands for it: this PC's own network, not known, no route."""
        if self.source is None:
            return path_words("sweep-no-route", lang, error=self.error or "?")
        if not self.gateway_known:
            return path_words("sweep-gateway-unknown", lang)
        return self.gateway or path_words("sweep-gateway-on-link", lang)

    def text(self, lang: Lang) -> str:
        if self.source is None:
            return path_words("route-none", lang, error=self.error or "?")
        words = path_words("route-source", lang, source=self.source, interface=self.interface or "?")
        profile = self.profile_text(lang)
        if profile:
            words += path_words("route-profile", lang, profile=profile)
        if not self.gateway_known:
            words += path_words("route-gateway-unknown", lang)
        elif self.gateway is None:
            words += path_words("route-on-link", lang)
        else:
            words += path_words("route-gateway", lang, gateway=self.gateway)
        if self.proxy_known:
            words += (
                path_words("route-proxy", lang, proxy=", ".join(p.removeprefix("proxy ") for p in self.proxies))
                if self.proxies
                else path_words("route-no-proxy", lang)
            )
        return words


class EchoState(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"
    NOT_AVAILABLE = "not_available"
    """This system does not let an unprivileged program send ICMP echo: nothing was sent."""
    NOT_SENT = "not_sent"
    """This PC has no way to send there (its routes, a zone naming a card with no way there): nothing was sent."""


@dataclass(frozen=True)
class EchoFacts:
    state: EchoState
    sent: int = 0
    received: int = 0
    rtt_ms: float | None = None
    """The least round trip of the answers."""
    detail: str | Message = ""
    """Evidence: why it is not available (words), who said unreachable (raw)."""

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "state": str(self.state),
            "sent": self.sent,
            "received": self.received,
            "rtt_ms": self.recorded_rtt_ms,
            "detail": say_any(self.detail, lang) or None,
        }

    @property
    def recorded_rtt_ms(self) -> float | None:
        """The least round trip as the JSON records it (0.01 ms); what is shown is said from it."""
        return None if self.rtt_ms is None else round(self.rtt_ms, 2)

    def text(self, lang: Lang) -> str:
        if self.state is EchoState.ANSWERED:  # 0.2549 ms is 0.25 in the JSON, so 0.2 here
            return path_words(
                "echo-answered", lang, received=self.received, sent=self.sent, rtt=f"{self.recorded_rtt_ms or 0:.1f}"
            )
        if self.state is EchoState.NOT_AVAILABLE:
            return path_words("echo-not-available", lang, detail=self.detail)
        if self.state is EchoState.NOT_SENT:
            return path_words("echo-not-sent", lang, error=self.detail)
        if self.state is EchoState.UNREACHABLE:
            return path_words("echo-unreachable", lang, sent=self.sent, detail=self.detail)
        return path_words("echo-no-answer", lang, sent=self.sent)


class HopKind(StrEnum):
    TIME_EXCEEDED = "time_exceeded"
    """A router on the way said the probe's time to live ran out: the path reaches it."""
    REJECTED = "rejected"
    """A device said it will not deliver the probe (ICMP destination unreachable)."""
    REACHED = "reached"
    """The target itself answered (SYN-ACK or reset; ICMP echo reply)."""
    SILENT = "silent"


@dataclass(frozen=True)
class Hop:
    ttl: int
    kind: HopKind
    address: str | None = None
    rtt_ms: float | None = None
    icmp: str = ""
    """The ICMP message, e.g. ``type 3 code 13``, where one came."""

    def to_json(self) -> dict[str, Any]:
        return {
            "ttl": self.ttl,
            "kind": str(self.kind),
            "address": self.address,
            "rtt_ms": None if self.rtt_ms is None else round(self.rtt_ms, 2),
            "icmp": self.icmp or None,
        }


@dataclass(frozen=True)
class PathLine:
    """One path fact as the window's details show it: a sentence, and for a trace its hops
    as tracert shows them (``1 10.0.0.1 · 2-30 *``)."""

    text: str
    hops: str = ""


def hop_text(host: str, hop: Hop, lang: Lang) -> str:
    """One hop as it arrives (the window's live line)."""
    return path_words("live-hop", lang, host=host, ttl=hop.ttl, address=hop.address or "*")


class TraceEnd(StrEnum):
    REACHED = "reached"
    LAST_HOP = "last_hop"
    """A router answered, nothing after it did: the block is at or after it."""
    REJECTED = "rejected"
    NO_ANSWER = "no_answer"
    """No router answered at all: the trace cannot tell."""
    ON_LINK = "on_link"
    """Not traced: the target is on this PC's own network, no router in between."""
    NOT_AVAILABLE = "not_available"
    NOT_SENT = "not_sent"
    """Not traced: this PC has no way to send there (``detail`` says why, as the system said it)."""
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TraceFacts:
    """A hop-by-hop trace toward one port (Linux: TCP SYNs to it; Windows: ICMP echo)."""

    address: str
    protocol: str
    port: int | None
    method: str
    """``tcp-syn`` (to the port itself), ``icmp-echo``, or ``""`` where none could run."""
    hops: tuple[Hop, ...] = ()
    end: TraceEnd = TraceEnd.NO_ANSWER
    duration_ms: float = 0.0
    detail: str | Message = ""
    """Why no trace ran (words), or the system's own error (raw)."""

    @property
    def last_answered(self) -> Hop | None:
        answered = [h for h in self.hops if h.kind is not HopKind.SILENT]
        return answered[-1] if answered else None

    def hops_text(self) -> str:
        """The hops on one line, as tracert shows them: ``1 10.0.0.1 · 2 * · 3-30 *``."""
        last = self.last_answered
        shown = [h for h in self.hops if last is None or h.ttl <= last.ttl]
        words = [f"{h.ttl} {h.address or '*'}" for h in shown]
        rest = [h for h in self.hops if h not in shown]
        if rest:
            words.append(f"{rest[0].ttl}-{rest[-1].ttl} *" if len(rest) > 1 else f"{rest[0].ttl} *")
        return " · ".join(words)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        last = self.last_answered
        return {
            "address": self.address,
            "protocol": self.protocol,
            "port": self.port,
            "method": self.method or None,
            "end": str(self.end),
            "last_hop": None if last is None else last.address,
            "last_ttl": None if last is None else last.ttl,
            "hops": [h.to_json() for h in self.hops],
            "duration_ms": round(self.duration_ms, 1),
            "detail": say_any(self.detail, lang) or None,
        }

    def text(self, lang: Lang) -> str:
        last = self.last_answered
        where = f"{self.protocol.upper()} {self.port}" if self.port is not None else self.address
        if self.end is TraceEnd.NOT_AVAILABLE:
            return path_words("trace-not-available", lang, detail=self.detail)
        if self.end is TraceEnd.CANCELLED:
            return path_words("trace-cancelled", lang)
        if self.end is TraceEnd.NOT_SENT:
            return path_words("trace-not-sent", lang, where=where, error=self.detail)
        if self.end is TraceEnd.ON_LINK:
            return path_words("trace-on-link", lang, target=self.address, where=where)
        if self.end is TraceEnd.REACHED and last is not None:
            return path_words("trace-reached", lang, target=self.address, ttl=last.ttl, where=where)
        if self.end is TraceEnd.REJECTED and last is not None:
            return path_words(
                "trace-rejected", lang, hop=last.address or "?", ttl=last.ttl, icmp=last.icmp, where=where
            )
        if self.end is TraceEnd.LAST_HOP and last is not None:
            silent = sum(1 for h in self.hops if h.ttl > last.ttl)
            return path_words("trace-last-hop", lang, hop=last.address or "?", ttl=last.ttl, where=where, silent=silent)
        return path_words("trace-no-answer", lang, count=len(self.hops), where=where)


def _same_address(host: str, address: str) -> bool:
    if host == address:
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("[").removesuffix("]")) == ipaddress.ip_address(address)
    except ValueError:  # a name
        return False


@dataclass(frozen=True)
class PathFacts:
    """Everything known about the way to one target (one host of the plan)."""

    target: str
    """The plan's role of the host (``manager``, ``gup``...)."""
    host: str
    """As typed."""
    address: str | None
    dns: DnsFacts | None = None
    """None: the host was typed as an address (no lookup)."""
    route: RouteFacts | None = None
    echo: EchoFacts | None = None
    trace: TraceFacts | None = None
    """None: no port of the host was filtered or unreachable, so no trace was needed."""
    tcp_answered: tuple[int, ...] = field(default_factory=tuple)
    """TCP ports of the host that answered (open or closed): with a silent echo, ping is filtered."""

    @property
    def ping_filtered(self) -> bool:
        return self.echo is not None and self.echo.state is EchoState.NO_ANSWER and bool(self.tcp_answered)

    @property
    def where(self) -> str:
        """The host as typed, and the address used when it is not the host itself: ``sepm01 (10.0.0.5)``,
        but ``[::1]`` once (a bracketed or zero-padded address is the same address)."""
        if self.address is None or _same_address(self.host, self.address):
            return self.host
        return f"{self.host} ({self.address})"

    def lines(self, lang: Lang) -> list[str]:
        """The compact facts, one line each (the terminal, the report, the window)."""
        out = []
        if self.dns is not None:
            out.append(self.dns.text(lang))
            if self.dns.mismatch:
                out.append(path_words("dns-sylink-mismatch", lang, last=self.dns.last_server_ip, name=self.dns.name))
        if self.route is not None:
            out.append(self.route.text(lang))
        if self.echo is not None:
            echo = self.echo.text(lang)
            if self.ping_filtered:
                echo += path_words("echo-filtered", lang, ports=", ".join(str(p) for p in self.tcp_answered[:3]))
            out.append(echo)
        if self.trace is not None:
            out.append(self._trace_words(lang))
        return out

    def path_lines(self, lang: Lang) -> list[PathLine]:
        """``lines`` for the window, the trace's with its hops."""
        lines = [PathLine(text) for text in self.lines(lang)]
        if self.trace is not None and self.trace.hops:
            lines[-1] = PathLine(lines[-1].text, self.trace.hops_text())  # the trace's line is the last
        return lines

    def _trace_words(self, lang: Lang) -> str:
        assert self.trace is not None
        words = self.trace.text(lang)
        target = self.address or self.host
        answered = self.echo is not None and self.echo.state is EchoState.ANSWERED
        if self.trace.end in (TraceEnd.LAST_HOP, TraceEnd.NO_ANSWER, TraceEnd.ON_LINK) and answered:
            words += path_words("trace-host-up", lang, target=target)
        return words

    def conclusion(self, lang: Lang) -> str | None:
        """Where the path to the traced port ends, for the answer on the report's page 1; None where
        no trace ran to an end (not needed, not available here, nothing sent, cancelled)."""
        if self.trace is None or self.trace.end in (TraceEnd.NOT_AVAILABLE, TraceEnd.NOT_SENT, TraceEnd.CANCELLED):
            return None
        return self._trace_words(lang)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "target": self.target,
            "host": self.host,
            "path": {
                "address": self.address,
                "dns": None if self.dns is None else self.dns.to_json(lang),
                "route": None if self.route is None else self.route.to_json(),
                "echo": None if self.echo is None else self.echo.to_json(lang),
                "ping_filtered": self.ping_filtered,
                "trace": None if self.trace is None else self.trace.to_json(lang),
                "summary": self.lines(lang),
            },
        }
