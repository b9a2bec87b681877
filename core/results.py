"""What the probe engine plans and what it finds: plain frozen dataclasses.

The verdict words are nmap's and PortQry's (open, closed, filtered, open|filtered)
plus what a technician needs beyond them (unreachable, unresolved, and the states of
checks on this PC). A check that did not run is ``not_tested`` or ``not_applicable``,
never a pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.i18n import Lang, Message, Sayable, say_any

if TYPE_CHECKING:
    from sep_port_doctor.core.resolver import Resolved


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    FILTERED = "filtered"
    OPEN_FILTERED = "open|filtered"
    UNREACHABLE = "unreachable"
    UNRESOLVED = "unresolved"
    LISTENING = "listening"
    NOT_LISTENING = "not_listening"
    NOT_APPLICABLE = "not_applicable"
    NOT_TESTED = "not_tested"
    CANCELLED = "cancelled"
    ERROR = "error"

    @property
    def ran(self) -> bool:
        """True when a probe actually ran and produced this verdict."""
        return self not in (State.NOT_APPLICABLE, State.NOT_TESTED, State.CANCELLED)


class Severity(StrEnum):
    """How much a finding matters, worst first."""

    PROBLEM = "problem"
    WARNING = "warning"
    INFO = "info"
    PASSED = "passed"
    NOT_TESTED = "not_tested"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


def overall(severities: list[Severity]) -> Severity:
    """The worst severity that ran; ``not_tested`` only when nothing ran."""
    ran = [s for s in severities if s is not Severity.NOT_TESTED]
    if not ran:
        return Severity.NOT_TESTED
    return min(ran, key=lambda s: s.rank)


HOST_LEVEL_CAUSES = ("host-unreach", "net-unreach", "host-down")
"""Causes (``CheckResult.cause``) that say the host cannot be reached, as opposed to one of its ports."""


@dataclass(frozen=True)
class Finding:
    """What was found: about one check's result (``core.explain``) or about one setting of this
    PC (``core.localpc.local_finding``). The one shape the command line, the JSON (which the
    merge reads), the window, the report and the ticket read; its guidance is named by id and
    rendered by ``core.guidance`` (the shared templates, or plain text)."""

    severity: Severity
    headline: Sayable
    """One line saying what was found (a message and the words it quotes)."""
    guidance: tuple[str, ...] = ()
    """The guidance that applies, by the catalogue's ids, most specific first."""
    id: str = ""
    """A finding of this PC (``sep-client``, ``file-printer-sharing``...); "" for a check's, which
    its check names."""
    title: Sayable | None = None
    """What a finding of this PC is about (its name); a check's is its port and purpose."""
    detail: Sayable | None = None
    """All of it, where ``headline`` is its one line (this PC's firewall rules); None: the headline."""
    beyond_headline: Sayable | None = None
    """What ``detail`` says that ``headline`` does not (a report prints it under the headline page 1
    showed); None: the whole detail."""
    evidence: dict[str, Any] = field(default_factory=dict)
    ports: tuple[tuple[str, int], ...] = ()
    """(protocol, port) a finding of this PC is about, where it is about ports (File and Printer Sharing)."""

    def headline_for(self, lang: Lang, *, command_line: bool = False) -> str:
        """``command_line``: as the command line says it (a reason may name its options)."""
        if isinstance(self.headline, Message):
            return self.headline.say_in(lang, command_line=command_line)
        return self.headline.say(lang)

    @property
    def headline_id(self) -> str | None:
        """The headline's message id: what was found, the same in every language and on every PC
        (the site report groups PCs' problems by it, ``core.causes``); None for words without one."""
        return self.headline.code if isinstance(self.headline, Message) else None

    def title_for(self, lang: Lang) -> str:
        return (self.title or self.headline).say(lang)

    def detail_for(self, lang: Lang) -> str:
        return (self.detail or self.headline).say(lang)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """A finding of this PC as ``--json`` prints it (a check's is in its check's object)."""
        return {
            "id": self.id,
            "severity": str(self.severity),
            "title": self.title_for(lang),
            "detail": self.detail_for(lang),
            "guidance": list(self.guidance),
            "evidence": self.evidence,
        }


class Target(StrEnum):
    """Whose port a check probes."""

    MANAGER = "manager"
    MANAGER_LOCALHOST = "manager_localhost"
    GUP = "gup"
    SQL = "sql"
    SYSLOG = "syslog"
    THIS_PC = "this_pc"
    PUSH_CLIENT = "push_client"
    """A client PC the manager push-deploys to (``push``)."""
    EXTRA = "extra"
    """A port outside the catalogue (``check --extra HOST:PORT``)."""
    NONE = "none"


def check_id(entry_id: str, host: Host | None, target: Target) -> str:
    """A check's id, unique per host and port in one run: ``ENTRY@HOST`` (the name the resolver
    is given: an IDNA name or an address), or, for a check without a host, ``ENTRY@[this_pc]``
    (this PC's own sockets) or ``ENTRY@[none]`` (nothing is sent). The entry names the protocol
    and the catalogue port (a run moves each catalogue port at most once); host names never
    hold brackets, so the two forms cannot meet."""
    return f"{entry_id}@{host.name}" if host is not None else f"{entry_id}@[{target}]"


@dataclass(frozen=True)
class Check:
    """One planned probe, tied to its catalogue entry."""

    id: str
    entry_id: str
    target: Target
    host: Host | None
    protocol: str
    port: int
    """The port actually probed (after the user's overrides)."""
    default_port: int
    applies: bool
    reason: Message
    """Why the check is planned this way, or why it does not apply: ``[reason]`` of the message catalogue."""
    app_tests: tuple[str, ...] = ()
    """Application checks on the answering port (ids of ``core.checks``), in order."""
    sends: str | None = None
    """UDP: what the probe sends (a payload id of ``core.checks``); None: one zero byte."""
    channel: str | None = None
    """``http`` or ``https`` for one of the two ways a client reaches the manager (a client
    uses one of them: each verdict depends on the other's); None for every other port."""
    local: bool = False
    """True when the check looks at this PC (is it listening?) rather than a remote host."""
    expected_unreachable: bool = False
    """Localhost-only ports probed from elsewhere: not answering is normal."""
    skip: bool = False
    """True when nothing will be sent (not applicable, or no host to probe)."""
    peer: Host | None = None
    """For a check of this PC: the host that connects here (the manager), whose route picks
    the address that is judged."""

    @property
    def port_text(self) -> str:
        """``TCP 39857 (=8443)`` for a check probed on a moved port; ``TCP 443`` for a check that sends
        nothing, which never used the port another entry was moved to (the cloud console's 443 is not
        the manager's)."""
        if self.skip or self.port == self.default_port:
            return f"{self.protocol.upper()} {self.default_port}"
        return f"{self.protocol.upper()} {self.port} (={self.default_port})"

    @property
    def reason_code(self) -> str:
        """The reason's code (``client-to-manager``, ``version``...)."""
        return self.reason.code.removeprefix("reason.")


class Evidence(Protocol):
    """What an application check saw, typed by the check (``core.checks``); made plain only
    for the JSON output."""

    def to_json(self) -> dict[str, Any]: ...


Said = Sayable
"""The sentence a verdict or a test rests on: a message of the catalogue (``[evidence]``) around raw
values (addresses, status lines, certificate names), said in the run's language."""


@dataclass(frozen=True)
class AppResult:
    """One application-level test on an open port, with its evidence."""

    test: str
    """The check's id (``core.checks``): ``secars-https``, ``tls``..."""
    ok: bool
    detail: Said
    via: str = "direct"
    time_ms: float | None = None
    evidence: Evidence | None = None
    timed_out: bool = False
    """No complete answer within the deadline (on a lossy path the engine tries again)."""
    tries: int = 1
    """How many times the exchange was made (more than one only on a lossy path: core.timing rule 7)."""
    first_try: Said | None = None
    """When the engine tried more than once: what the first try said."""

    def evidence_json(self, lang: Lang) -> dict[str, Any]:
        found = {} if self.evidence is None else self.evidence.to_json()
        if self.timed_out:
            found["timed_out"] = True
        if self.tries > 1:
            found["tries"] = self.tries
        if self.first_try is not None:
            found["first_try"] = say_any(self.first_try, lang)
        return found

    @property
    def recorded_time_ms(self) -> float | None:
        """The exchange's time as the JSON records it (0.1 ms); what is shown is said from it."""
        return None if self.time_ms is None else round(self.time_ms, 1)

    @property
    def time_text(self) -> str | None:
        """The exchange's time in whole milliseconds, as its JSON's 0.1 ms reads (12.46 ms is 12.5
        there, so 13 here); None when not timed."""
        recorded = self.recorded_time_ms
        return None if recorded is None else f"{recorded:.0f}"

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "test": self.test,
            "ok": self.ok,
            "detail": say_any(self.detail, lang),
            "via": self.via,
            "time_ms": self.recorded_time_ms,
            "evidence": self.evidence_json(lang),
        }


@dataclass(frozen=True)
class CheckResult:
    check: Check
    state: State
    reason: Said
    address: str | None = None
    rtt_ms: float | None = None
    attempts: int = 0
    application: tuple[AppResult, ...] = ()
    finished_at: float = 0.0
    """Monotonic seconds since the run started, for "order of arrival" displays."""
    error: dict[str, str] | None = None
    """For the ``error`` verdict: the step that failed, the exception's class and message."""
    local_sockets: tuple[str, ...] = ()
    """For a check of this PC: every socket on that protocol and port, from the OS's table."""
    cause: str = ""
    """What decided the verdict: a code of the message catalogue's [cause] (``no-response``, ``local-prohibited``,
    ``host-unreach``, ``nxdomain``...); empty where the state says it all."""

    @property
    def recorded_rtt_ms(self) -> float | None:
        """The round trip as the JSON records it (0.01 ms); what is shown is said from it."""
        return None if self.rtt_ms is None else round(self.rtt_ms, 2)

    @property
    def round_trip(self) -> str | None:
        """The round trip as a technician reads it (``0.4 ms``; ``< 0.1 ms`` on loopback, where one
        decimal would say 0.0), or None: nothing answered, or a check of this PC's own socket (the
        socket table, or a connect that never left this PC: no network's round trip to show)."""
        rtt = self.recorded_rtt_ms  # 0.0496 ms is 0.05 in the JSON, so "0.1 ms" here
        if rtt is None or self.check.local:
            return None
        return "< 0.1 ms" if rtt < 0.05 else f"{rtt:.1f} ms"

    @property
    def app_ok(self) -> bool | None:
        """None when no application test ran; else whether all passed."""
        if not self.application:
            return None
        return all(a.ok for a in self.application)

    def application_json(self, lang: Lang) -> dict[str, Any] | None:
        if not self.application:
            return None
        failed = [a for a in self.application if not a.ok]
        shown = failed or list(self.application)
        return {
            "test": "+".join(dict.fromkeys(a.test for a in self.application)),
            "ok": not failed,
            "detail": "; ".join(f"{a.test} ({a.via}): {say_any(a.detail, lang)}" for a in shown),
            "steps": [a.to_json(lang) for a in self.application],
        }

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """The JSON of ``check --json``: its sentences in ``lang``, the run's language."""
        check = self.check
        return {
            "id": check.entry_id,
            "check_id": check.id,
            "target": str(check.target),
            "host": None if check.host is None else check.host.typed,
            "address": self.address,
            "protocol": check.protocol,
            "port": check.port,
            "default_port": check.default_port,
            "local": check.local,
            "state": str(self.state),
            "rtt_ms": self.recorded_rtt_ms,
            "attempts": self.attempts,
            "applies": check.applies,
            "expected_unreachable": check.expected_unreachable,
            "reason": say_any(self.reason, lang),
            "cause": self.cause or None,
            "plan_reason": check.reason.say(lang),
            "application": self.application_json(lang),
            "error": self.error,
            "local_sockets": list(self.local_sockets),
        }


@dataclass
class RunSummary:
    """What one run of the probe engine found."""

    started: dt.datetime
    duration_ms: float
    results: list[CheckResult]
    """In plan order."""
    arrival: list[str] = field(default_factory=list)
    """Check ids in the order their results arrived."""
    resolved: dict[str, Resolved] = field(default_factory=dict)
    """Each host name's lookup, as the probes used it (the path facts' DNS part)."""
