"""Push readiness from the manager's side: many client PCs at once, one verdict per PC.

For each target the manager's push deployment (clientremote.exe) needs: TCP 445 with an
SMB2 NEGOTIATE (a real SMB server, its dialect, whether signing is required), TCP 139,
UDP 137 (NetBIOS node status: the PC's names and MAC, as PortQry), and with ``--mac``
TCP 22. The probes are the engine's (``core.engine``: one path estimate per address, the
same deadlines as ``check``), with a bound on probes in flight and a global pace of new
probes, so a /22 sweep cannot flood a branch link.

Verdicts per target: ``ready``, ``not_ready`` (which port, why), ``unreachable``,
``unresolved``; ``error`` when a check could not be completed and ``not_tested`` when
nothing was sent (cancelled, or a name that resolves to a broadcast address).
"""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import importlib
import ipaddress
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.checks.netbios_status import CHECK_ID as NETBIOS_STATUS
from sep_port_doctor.core.checks.smb_negotiate import CHECK_ID as SMB_NEGOTIATE
from sep_port_doctor.core.checks.smb_negotiate import SmbEvidence
from sep_port_doctor.core.diagnosis import check_json, this_computer
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.hosts import Host, HostError, parse_host, special_address
from sep_port_doctor.core.i18n import Lang, Message
from sep_port_doctor.core.results import (
    HOST_LEVEL_CAUSES,
    AppResult,
    Check,
    CheckResult,
    Finding,
    RunSummary,
    Severity,
    State,
    Target,
    check_id,
    overall,
)

if TYPE_CHECKING:
    from sep_port_doctor.core.engine import ProbeEngine  # given by the caller: a sweep's targets are parsed without it
    from sep_port_doctor.core.path.facts import Hop, PathLine
    from sep_port_doctor.core.path.sweep import SweepPaths
    from sep_port_doctor.core.path.winicmp import IcmpApi
    from sep_port_doctor.core.resolver import Resolved

MAX_ADDRESSES = 1024
"""Targets per run at most (a /22): more is refused before anything is sent."""
MAX_FILE_BYTES = 1024 * 1024
DEFAULT_CONCURRENCY = 1024
"""Probes in flight at most (each holds its attempts' sockets, up to 3 on a quiet path, until its
verdict): a /24's 762 probes all at once, so the sweep takes about one silent host's wait."""
DEFAULT_RATE = 1000.0
"""New probes per second at most, across all targets: about 600 kbit/s of SYNs, which a branch link carries."""

NEIGHBOURHOOD_V4, NEIGHBOURHOOD_V6 = 24, 64
"""Hosts in one IPv4 /24 (one IPv6 /64) are neighbours: one LAN segment behind one last router, so
their answers bound how long a PC that answers nothing may stay silent (core.timing rule 8)."""

WINDOWS_ROLES = ("smb", "netbios-session", "netbios-name")
"""The ports of a Windows target, by their part in push deployment (ports.toml ``push``), in the
order of the plan and the output."""
MAC_ROLE = "ssh"
"""A Mac's (``--mac``)."""


class TargetError(UserError):
    """A target the run cannot take; one line for the user."""


VERDICTS = ("ready", "not_ready", "unreachable", "unresolved", "error", "not_tested")


# --- targets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    hosts: tuple[Host, ...]
    notices: tuple[UserError, ...] = ()


def _where(source: str, text: str) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{source}: {shown!r}" if source else repr(shown)


def _block(text: str, where: str) -> list[Host]:
    """An IPv4 CIDR block: its host addresses (a /24 gives 254), refused beyond the limit."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise TargetError("push-bad-cidr", where=where) from None
    if network.version != 4:
        raise TargetError("push-ipv6-block", where=where)
    if network.num_addresses > 4 * MAX_ADDRESSES:
        raise TargetError("push-too-many", where=where, limit=MAX_ADDRESSES)
    refused = special_address(network.network_address) or special_address(network.broadcast_address)
    if refused is not None:
        raise TargetError("push-block-special", where=where)
    return [parse_host(str(address)) for address in network.hosts()]


def parse_targets(items: Iterable[tuple[str, str]], notices: Iterable[UserError] = ()) -> Targets:
    """``(where, text)`` pairs as typed or read: names, addresses, IPv4 CIDR blocks; raises TargetError.

    ``#`` starts a comment; blank items are skipped; the same host twice is checked once (a
    notice says how many were dropped); more than MAX_ADDRESSES targets are refused. ``notices``:
    what reading the items noted (a targets file's encoding), said first.
    """
    hosts: dict[str, Host] = {}
    duplicates: list[str] = []
    for source, raw in items:
        text = unicodedata.normalize("NFKC", raw).split("#", 1)[0].strip()
        if not text:
            continue
        where = _where(source, raw)
        try:
            found = _block(text, where) if "/" in text and "://" not in text else [parse_host(text)]
        except HostError as exc:
            raise TargetError("push-bad-target", where=where, why=exc) from None
        for host in found:
            if host.name in hosts:
                duplicates.append(host.typed)
                continue
            if len(hosts) >= MAX_ADDRESSES:
                raise TargetError("push-too-many", where=where, limit=MAX_ADDRESSES)
            hosts[host.name] = host
    if not hosts:
        raise TargetError("push-no-targets")
    said = [*notices, *(h.notice for h in hosts.values() if h.notice is not None)]
    if duplicates:
        shown = ", ".join(dict.fromkeys(duplicates[:3]))
        said.append(UserError("push-duplicates", count=len(duplicates), hosts=shown))
    return Targets(tuple(hosts.values()), tuple(said))


@dataclass(frozen=True)
class TargetsFile:
    """A targets file's lines, ``(where, text)`` as parse_targets takes them, and what was noted
    in reading it (an encoding other than UTF-8)."""

    lines: tuple[tuple[str, str], ...]
    notices: tuple[UserError, ...] = ()


def read_targets_file(path: Path) -> TargetsFile:
    """The lines of a targets file: UTF-8, with or without BOM; UTF-16 with a BOM, as Windows
    PowerShell 5.1's ``>`` writes; otherwise CP932 (Japanese Windows' "ANSI", what Notepad saved
    there before UTF-8 became its default) when the bytes are CP932 text, with a notice saying so.
    Raises TargetError for what is not a text list."""
    name = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise TargetError("push-file-unreadable", file=name, why=exc.strerror or exc.__class__.__name__) from None
    if len(data) > MAX_FILE_BYTES:
        raise TargetError("push-file-too-big", file=name, limit=MAX_FILE_BYTES // 1024)
    notices: tuple[UserError, ...] = ()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TargetError("push-file-not-utf8", file=name) from None
    else:
        if b"\x00" in data:
            raise TargetError("push-file-binary", file=name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _cp932_text(data, name)
            notices = (UserError("push-file-cp932", file=name),)
    if "\x00" in text:
        raise TargetError("push-file-binary", file=name)
    lines = tuple((f"{path.name}:{number}", line) for number, line in enumerate(text.splitlines(), 1))
    if not any(line.split("#", 1)[0].strip() for _where_, line in lines):
        raise TargetError("push-file-empty", file=name)
    return TargetsFile(lines, notices)


_TEXT_CONTROLS = frozenset("\t\r\n")


def _cp932_text(data: bytes, name: str) -> str:
    """``data`` as CP932 only when it reads as text there: every byte sequence defined (strict) and no
    control character but tab and line ends, nor a private-use one (CP932's single bytes 0x80, 0xA0
    and 0xFD-0xFF and its user-defined characters, which no list of PCs holds). Anything else is
    refused, as not UTF-8, rather than read as mojibake hosts."""
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        raise TargetError("push-file-not-utf8", file=name) from None
    if any(unicodedata.category(ch) in ("Cc", "Co") and ch not in _TEXT_CONTROLS for ch in text):
        raise TargetError("push-file-not-utf8", file=name)
    return text


# --- the plan ---------------------------------------------------------------------------


def neighbourhood_of(address: str) -> str | None:
    """The network whose hosts are ``address``'s neighbours in a sweep (None: none, loopback)."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return None
    if ip.is_loopback:
        return None
    prefix = NEIGHBOURHOOD_V4 if ip.version == 4 else NEIGHBOURHOOD_V6
    network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    zone = address.partition("%")[2]
    # Link-local PCs are neighbours on one link only: fe80::/64 is on every card.
    return f"{network}%{zone}" if zone and ip.is_link_local else network


def build_push_plan(
    catalog: Catalog, hosts: Sequence[Host], *, mac: bool = False, ports: Mapping[int, int] | None = None
) -> tuple[Check, ...]:
    """Every target's push checks; ``ports`` moves a port (DEFAULT: ACTUAL) for labs on one machine."""
    moved = ports or {}
    entries = [catalog.push_entry(role) for role in (*WINDOWS_ROLES, *((MAC_ROLE,) if mac else ()))]
    return tuple(
        Check(
            id=check_id(entry.id, host, Target.PUSH_CLIENT),
            entry_id=entry.id,
            target=Target.PUSH_CLIENT,
            host=host,
            protocol=entry.protocol,
            port=moved.get(entry.port, entry.port),
            default_port=entry.port,
            applies=True,
            reason=Message("reason.push-target"),
            app_tests=entry.checks,
            sends=entry.sends,
        )
        for host in hosts
        for entry in entries
    )


# --- the verdict of one target --------------------------------------------------------------


@dataclass(frozen=True)
class TargetVerdict:
    host: Host
    address: str | None
    verdict: str
    cause: str
    """What the group of targets with the same finding is keyed by (the message catalogue's [push-cause])."""
    severity: Severity
    headline: Message
    guidance: tuple[str, ...]
    results: tuple[CheckResult, ...]
    explanations: tuple[Finding, ...]

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "host": self.host.typed,
            "address": self.address,
            "verdict": self.verdict,
            "cause": self.cause,
            "severity": str(self.severity),
            "headline": self.headline.say(lang),
            "guidance": list(self.guidance),
            "checks": [check_json(r, e, lang) for r, e in zip(self.results, self.explanations, strict=True)],
        }


_CAUSE_GUIDANCE = {
    "ready": ("push-admin-share", "push-uac-remote-restrictions"),
    "ready-netbios-off": ("push-netbios-off", "push-admin-share", "push-uac-remote-restrictions"),
    "ready-mac": ("mac-remote-login",),
    "445-filtered": (
        "allow-file-printer-sharing",
        "push-windows-firewall",
        "client-firewall-off-until-restart",
        "verdict-filtered",
    ),
    "445-closed": ("server-service", "allow-file-printer-sharing"),
    "445-not-smb": ("push-not-smb",),
    "445-smb-failed": ("push-not-smb", "server-service"),
    "22-closed": ("mac-remote-login",),
    # Nobody answered: the verdict's "a router or this PC reported it unreachable" would claim a report
    # that never came (a router's report is host-unreachable's).
    "silent": ("push-silent-pc", "push-windows-firewall"),
    "host-unreachable": ("verdict-unreachable",),
    "local-blocked": ("verdict-filtered-locally",),
    "nxdomain": ("verdict-nxdomain",),
    "dns-timeout": ("verdict-dns-timeout",),
    "unresolved": ("verdict-unresolved",),
    "error": (),
    "not-tested": (),
}


def _words(code: str, **values: object) -> Message:
    return Message(f"push-cause.{code}", **{"detail": "", "names": "", **values})


def _smb(result: CheckResult) -> AppResult | None:
    return next((a for a in result.application if a.test == SMB_NEGOTIATE), None)


def _netbios(result: CheckResult | None) -> AppResult | None:
    if result is None:
        return None
    return next((a for a in result.application if a.test == NETBIOS_STATUS and a.ok), None)


def judge_target(host: Host, results: Sequence[CheckResult], catalog: Catalog) -> TargetVerdict:
    """The verdict of one target from its checks (in plan order: 445, 139, 137, [22])."""
    by_role = {catalog.entry(r.check.entry_id).push: r for r in results}
    r445, r139, r137 = by_role["smb"], by_role["netbios-session"], by_role.get("netbios-name")
    r22 = by_role.get(MAC_ROLE)
    address = next((r.address for r in results if r.address), None)
    explanations = tuple(explain(r, catalog) for r in results)

    def verdict(kind: str, cause: str, severity: Severity, headline: Message) -> TargetVerdict:
        return TargetVerdict(
            host, address, kind, cause, severity, headline, _CAUSE_GUIDANCE[cause], tuple(results), explanations
        )

    states = [r.state for r in results]
    unresolved = next((r for r in results if r.state is State.UNRESOLVED), None)
    if unresolved is not None:
        cause = unresolved.cause if unresolved.cause in ("nxdomain", "dns-timeout") else "unresolved"
        return verdict("unresolved", cause, Severity.PROBLEM, _words(cause, detail=unresolved.reason))
    if any(not s.ran for s in states):
        why = next(r.reason for r in results if not r.state.ran)
        return verdict("not_tested", "not-tested", Severity.NOT_TESTED, _words("not-tested", detail=why))
    netbios = _netbios(r137)
    names = Message("push.names", detail=netbios.detail) if netbios is not None else ""
    smb = _smb(r445)
    if r22 is not None and r22.state is State.OPEN and not (smb is not None and smb.ok):
        return verdict("ready", "ready-mac", Severity.PASSED, _words("ready-mac", names=names))
    if r445.state is State.OPEN and smb is not None:
        if smb.ok:
            netbios_off = r139.state is not State.OPEN or (r137 is not None and netbios is None)
            cause = "ready-netbios-off" if netbios_off else "ready"
            return verdict("ready", cause, Severity.PASSED, _words(cause, detail=smb.detail, names=names))
        smb_answered = isinstance(smb.evidence, SmbEvidence) and smb.evidence.smb_answered
        cause = "445-smb-failed" if smb_answered else "445-not-smb"
        return verdict("not_ready", cause, Severity.PROBLEM, _words(cause, detail=smb.detail, names=names))
    if State.ERROR in states:
        failed = next(r for r in results if r.state is State.ERROR)
        return verdict("error", "error", Severity.WARNING, _words("error", detail=failed.reason))
    if any(r.cause.startswith("local-") for r in results):
        return verdict("not_ready", "local-blocked", Severity.PROBLEM, _words("local-blocked"))
    answered = [r for r in results if r.state in (State.OPEN, State.CLOSED)]
    if not answered and netbios is None:
        if any(r.cause in HOST_LEVEL_CAUSES for r in results):
            reason = next(r.reason for r in results if r.cause in HOST_LEVEL_CAUSES)
            return verdict(
                "unreachable", "host-unreachable", Severity.PROBLEM, _words("host-unreachable", detail=reason)
            )
        return verdict("unreachable", "silent", Severity.PROBLEM, _words("silent"))
    if r445.state is State.CLOSED:
        return verdict("not_ready", "445-closed", Severity.PROBLEM, _words("445-closed", names=names))
    if r445.state is not State.OPEN:
        return verdict("not_ready", "445-filtered", Severity.PROBLEM, _words("445-filtered", names=names))
    # 445 open without an SMB answer recorded: only when the SMB step itself did not run.
    return verdict("error", "error", Severity.WARNING, _words("error", detail=r445.reason))


# --- the run ------------------------------------------------------------------------------


@dataclass
class PushSweep:
    started: dt.datetime
    duration_ms: float
    targets: list[TargetVerdict]
    cancelled: bool = False
    mac: bool = False
    paths: SweepPaths | None = None
    """The sweep's routes, DNS answers and traces (``core.path.sweep``); None: not gathered."""
    computer: str = field(default_factory=lambda: this_computer()[0])
    os_name: str = field(default_factory=lambda: this_computer()[1])

    @property
    def overall(self) -> Severity:
        return overall([t.severity for t in self.targets])

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for t in self.targets if t.verdict == kind) for kind in VERDICTS}

    def groups(self) -> list[tuple[str, list[TargetVerdict]]]:
        """Targets grouped by cause, the worst first, then the largest."""
        found: dict[str, list[TargetVerdict]] = {}
        for target in self.targets:
            found.setdefault(target.cause, []).append(target)
        return sorted(found.items(), key=lambda item: (item[1][0].severity.rank, -len(item[1]), item[0]))

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "command": "push",
            "started": self.started.isoformat(),
            "duration_ms": round(self.duration_ms, 1),
            "overall": str(self.overall),
            "counts": self.counts(),
            "computer": self.computer,
            "os": self.os_name,
            "mac": self.mac,
            "cancelled": self.cancelled,
            **(self.paths.to_json(lang) if self.paths is not None else {"routes": [], "traces": []}),
            "targets": [
                {**t.to_json(lang), "path": None if self.paths is None else self.paths.target_json(t.host.name, lang)}
                for t in self.targets
            ],
        }

    def path_lines(self, target: TargetVerdict, lang: Lang) -> list[PathLine]:
        """A PC's path facts (the window's details): its route, its DNS answer, and where the path ends,
        its network's trace speaking for it only where its SMB port did not answer either."""
        if self.paths is None:
            return []
        return self.paths.target_lines(target.host.name, lang, network_trace=_unanswered(target))

    def group_path_lines(self, targets: Sequence[TargetVerdict], lang: Lang) -> list[PathLine]:
        """A group's path facts (one cause): the routes its PCs take, their names' DNS answers, the traces
        toward them, and their networks' where their SMB port did not answer."""
        if self.paths is None or not targets:
            return []
        names = [t.host.name for t in targets]
        return self.paths.group_lines(names, lang, network_traces=_unanswered(targets[0]))

    def exit_code(self) -> int:
        from sep_port_doctor.core import exit_codes

        if any(t.severity is Severity.PROBLEM for t in self.targets):
            return exit_codes.PROBLEMS
        if any(t.verdict in ("error", "not_tested") for t in self.targets):
            return exit_codes.INCOMPLETE
        return exit_codes.OK


TargetCallback = Callable[[TargetVerdict], None]
HopCallback = Callable[[str, "Hop"], None]

TRACE_WHEN_FILTERED = ("445-filtered",)
"""Causes of a PC that answers on other ports while 445 is filtered: is the block on the way or at the PC?"""
TRACE_WHEN_NETWORK_SILENT = ("silent", "host-unreachable")
"""Causes of a silent PC: traced only where no PC of its network answered (how far does the path get?)."""


def _unanswered(target: TargetVerdict) -> bool:
    """The PC's SMB port did not answer: a trace toward its network says how far the way there gets."""
    return target.cause in (*TRACE_WHEN_FILTERED, *TRACE_WHEN_NETWORK_SILENT)


class PushRun:
    """Probe every target's push ports; ``on_target`` gets each target's verdict as soon as it is complete."""

    def __init__(
        self,
        catalog: Catalog,
        hosts: Sequence[Host],
        engine: ProbeEngine,
        *,
        mac: bool = False,
        on_target: TargetCallback | None = None,
        on_result: Callable[[CheckResult], None] | None = None,
        ports: Mapping[int, int] | None = None,
        path_facts: bool = True,
        icmp_api: IcmpApi | None = None,
        on_hop: HopCallback | None = None,
    ) -> None:
        from sep_port_doctor.core.path.sweep import SweepPathWork

        self.catalog = catalog
        self.hosts = list(hosts)
        self.engine = engine
        self.mac = mac
        self.on_target = on_target
        self.on_result = on_result
        self.checks = build_push_plan(catalog, hosts, mac=mac, ports=ports)
        self._pending: dict[str, dict[str, CheckResult]] = {h.name: {} for h in hosts}
        self._host_checks: dict[str, list[Check]] = {h.name: [] for h in hosts}
        """Each target's checks in plan order."""
        for check in self.checks:
            assert check.host is not None
            self._host_checks[check.host.name].append(check)
        self._per_host = len(self.checks) // max(1, len(self.hosts))
        self.verdicts: dict[str, TargetVerdict] = {}
        self.started: dt.datetime | None = None
        self.t0 = 0.0
        # Traces go toward the port push needs (the catalogue's SMB push port, as probed here).
        smb_port = next((c.port for c in self.checks if catalog.entry(c.entry_id).push == "smb"), None)
        self.path_work = (
            SweepPathWork(neighbourhood_of, traced_port=smb_port, icmp_api=icmp_api, on_hop=on_hop)
            if path_facts and smb_port is not None
            else None
        )
        self.resolved: dict[str, Resolved] = {}
        """Each name's lookup as the probes used it (the DNS facts)."""
        self._cancel_requested = False
        self._probes: asyncio.Future[RunSummary] | None = None

    def _arrived(self, result: CheckResult) -> None:
        if self.on_result is not None:
            self.on_result(result)
        assert result.check.host is not None
        name = result.check.host.name
        if self.path_work is not None and result.address and result.state in (State.OPEN, State.CLOSED):
            self.path_work.answered_from(result.address, result.rtt_ms if result.state is State.OPEN else None)
        got = self._pending[name]
        got[result.check.id] = result
        if len(got) == self._per_host:
            host = result.check.host
            ordered = [got[c.id] for c in self._host_checks[name]]
            self.verdicts[name] = judge_target(host, ordered, self.catalog)
            self._trace_if_it_tells(self.verdicts[name])
            if self.on_target is not None:
                self.on_target(self.verdicts[name])

    def _trace_if_it_tells(self, target: TargetVerdict) -> None:
        """Start the trace a verdict calls for (``core.path.sweep``: at most one per network)."""
        work, address = self.path_work, target.address
        if work is None or address is None:
            return
        if target.cause in TRACE_WHEN_FILTERED:
            work.trace_toward(target.host.name, target.host.typed, address, "port-filtered")
        elif target.cause in TRACE_WHEN_NETWORK_SILENT and not work.network_answered(address):
            work.trace_toward(target.host.name, target.host.typed, address, "network-silent")

    def _resolved(self, name: str, lookup: Resolved) -> None:
        self.resolved[name] = lookup

    def _path_facts(self, targets: Sequence[TargetVerdict]) -> SweepPaths | None:
        if self.path_work is None:
            return None
        return self.path_work.facts(
            ((t.host.name, t.host.typed, t.address, t.host.is_ip) for t in targets), self.resolved
        )

    async def _cancelled(self) -> PushSweep:
        if self.path_work is not None:
            await self.path_work.settle(cancelled=True)  # no trace outlives the sweep
        return self.partial()

    def partial(self) -> PushSweep:
        """The sweep so far, after a cancel: targets without every answer get their checks ``cancelled``."""
        import time as _time

        targets = []
        for host in self.hosts:
            if host.name in self.verdicts:
                targets.append(self.verdicts[host.name])
                continue
            got = self._pending[host.name]
            results = [
                got.get(c.id) or CheckResult(c, State.CANCELLED, Message("evidence.cancelled"))
                for c in self._host_checks[host.name]
            ]
            targets.append(judge_target(host, results, self.catalog))
        started = self.started or dt.datetime.now(dt.UTC)
        elapsed = (_time.perf_counter() - self.t0) * 1000 if self.t0 else 0.0
        if self.path_work is not None:
            self.path_work.cancel()  # run() waits for them as it ends; what did not finish is "cancelled"
        return PushSweep(started, elapsed, targets, cancelled=True, mac=self.mac, paths=self._path_facts(targets))

    def cancel(self) -> None:
        """Stop the sweep now, or before it starts: ``run()`` returns the sweep so far, cancelled
        (as ``DiagnosisRun.cancel``: a sweep cancelled before its first packet ends like any other)."""
        self._cancel_requested = True
        if self._probes is not None and not self._probes.done():
            self._probes.cancel()
        if self.path_work is not None:
            self.path_work.cancel()

    async def run(self) -> PushSweep:
        """The sweep; after ``cancel()``, the sweep so far with ``cancelled`` set. Cancelling the task
        that awaits it (Ctrl+C, the program closing) stops the probes and raises, as any task."""
        import time as _time

        from sep_port_doctor.core.engine import probes_ended

        # smbprotocol's messages are loaded before the first packet: loaded by the first negotiate
        # they held the loop 0.1-0.3 s mid-sweep, and every reset that arrived meanwhile looked that
        # much farther away (core.timing rule 2), which made its host's silent ports wait longer.
        importlib.import_module("smbprotocol.connection")
        self.started = dt.datetime.now(dt.UTC)
        self.t0 = _time.perf_counter()
        try:
            if self._cancel_requested:  # cancelled before the sweep began: nothing was sent
                return await self._cancelled()
            probes = self._probes = asyncio.ensure_future(
                self.engine.run(self.checks, on_result=self._arrived, on_resolved=self._resolved)
            )
            await probes_ended(probes)
            if probes.cancelled() or self._cancel_requested:
                return await self._cancelled()
            summary = probes.result()
            if self.path_work is not None:
                await self.path_work.settle()  # the traces the verdicts called for, within their deadline
        except BaseException:
            if self.path_work is not None:
                await self.path_work.settle(cancelled=True)  # no trace outlives the sweep
            raise
        by_host: dict[str, list[CheckResult]] = {}
        for result in summary.results:
            assert result.check.host is not None
            by_host.setdefault(result.check.host.name, []).append(result)
        targets = [self.verdicts.get(h.name) or judge_target(h, by_host[h.name], self.catalog) for h in self.hosts]
        duration = (_time.perf_counter() - self.t0) * 1000
        return PushSweep(summary.started, duration, targets, mac=self.mac, paths=self._path_facts(targets))
