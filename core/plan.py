"""Which checks to run, from the catalogue, where the probe runs, the version and the hosts.

Roles: ``client`` (a client desk: the default), ``console`` (an admin PC running a
remote console) and ``manager`` (on the SEPM itself). Every catalogue entry becomes
one planned check; those that do not apply say why and send nothing.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sep_port_doctor.core.catalog import Catalog, PortEntry
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.hosts import Host, parse_host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import Check, Target, check_id
from sep_port_doctor.core.versions import SepVersion


class Role(StrEnum):
    CLIENT = "client"
    CONSOLE = "console"
    MANAGER = "manager"


class PlanError(UserError):
    """Bad plan input (port overrides); one line for the user."""


LOCALHOST = parse_host("127.0.0.1")


@dataclass(frozen=True)
class ClientPorts:
    """How this PC's SEP client reaches the manager: its SyLink entry for that server (the
    management server list names, per server, an HTTP port, an HTTPS port, or both)."""

    server: str
    """The server as SyLink names it."""
    http_port: int | None = None
    https_port: int | None = None

    def port_for(self, scheme: str) -> int | None:
        return self.http_port if scheme == "http" else self.https_port

    @property
    def named(self) -> bool:
        return self.http_port is not None or self.https_port is not None

    @property
    def shown(self) -> str:
        """``HTTPS 443`` or ``HTTP 8014, HTTPS 443``."""
        return ", ".join(f"{s} {p}" for s, p in (("HTTP", self.http_port), ("HTTPS", self.https_port)) if p)


@dataclass(frozen=True)
class PlanRequest:
    manager: Host
    version: SepVersion | None
    role: Role = Role.CLIENT
    gup: Host | None = None
    sql: Host | None = None
    syslog: Host | None = None
    overrides: dict[int, int] = field(default_factory=dict)
    all_ports: bool = False
    platform: str = sys.platform
    local_gup: bool = False
    """This PC is a Group Update Provider: check that it listens on 2967 too."""
    extras: tuple[tuple[Host, str, int], ...] = ()
    """``--extra HOST:PORT[/udp]``: ports outside the catalogue, probed with the run."""


def _port_number(text: str) -> int | None:
    """Digits only (full-width digits as typed with a Japanese input method count): no ``8_014``, ``+80``, ``0x50``."""
    digits = unicodedata.normalize("NFKC", text).strip()
    return int(digits) if digits.isascii() and digits.isdigit() else None


def parse_override(text: str, catalog: Catalog) -> tuple[int, int]:
    """``8014=80``: the site moved a configurable catalogue port."""
    default_text, sep, actual_text = unicodedata.normalize("NFKC", text).strip().partition("=")
    if not sep:
        raise PlanError("override-form", text=repr(text[:40]))
    default, actual = _port_number(default_text), _port_number(actual_text)
    if default is None or actual is None:
        if default_text.strip().lstrip("-").isdigit() and actual_text.strip().lstrip("-").isdigit():
            raise PlanError("override-range", text=repr(text[:40]))
        raise PlanError("override-numbers", text=repr(text[:40]))
    if not 1 <= actual <= 65535 or not 1 <= default <= 65535:
        raise PlanError("override-range", text=repr(text[:40]))
    if not any(e.port == default for e in catalog.entries):
        ports = ", ".join(str(p) for p in sorted({e.port for e in catalog.entries}))
        raise PlanError("override-not-sep", port=default, ports=ports)
    return default, actual


def parse_overrides(texts: Iterable[str], catalog: Catalog) -> dict[int, int]:
    """Every ``DEFAULT=ACTUAL`` of one request: each catalogue port at most once; raises PlanError.

    A port given twice is refused (which one was meant?), never last-wins; so there are
    at most as many overrides as catalogue ports, whatever the number of options typed.
    """
    limit = len({e.port for e in catalog.entries})
    texts = list(texts)
    if len(texts) > limit:
        raise PlanError("override-too-many", limit=limit)
    overrides: dict[int, int] = {}
    given: dict[int, str] = {}
    for text in texts:
        default, actual = parse_override(text, catalog)
        if default in overrides:
            raise PlanError("override-twice", port=default, first=repr(given[default]), second=repr(text.strip()[:40]))
        overrides[default] = actual
        given[default] = text.strip()[:40]
    return overrides


def _app_tests(entry: PortEntry, target: Target) -> tuple[str, ...]:
    """The entry's application checks, where a remote port is probed (none on this PC's own sockets)."""
    return () if target in (Target.NONE, Target.THIS_PC) else entry.checks


def this_platform(platform: str) -> str:
    """The kind of PC (catalog ``PLATFORMS``) a ``sys.platform`` is for push deployment: a Mac, or
    a Windows PC (on Linux the labs and the simulator stand in for Windows)."""
    return "mac" if platform == "darwin" else "windows"


_OTHER_PLATFORM = {"mac": "reason.not-a-mac", "windows": "reason.is-a-mac"}
"""Why an entry for the other kind of PC is not checked here, by the entry's platform."""


@dataclass(frozen=True)
class _Placement:
    target: Target
    reason: Message
    """``[reason]`` of the message catalogue."""
    relevant: bool = True
    expected_unreachable: bool = False


def _placement(entry: PortEntry, request: PlanRequest) -> _Placement:
    """Where the check probes for this role, or why it is not for this role."""
    role = request.role
    if request.all_ports:
        # On the manager host a port "applies" only where this role expects the manager to listen.
        own = _placement_for_role(entry, request)
        relevant = own.relevant and own.target in (Target.MANAGER, Target.MANAGER_LOCALHOST)
        return _Placement(
            Target.MANAGER,
            Message("reason.all-ports"),
            relevant,
            expected_unreachable=entry.localhost_only and role is not Role.MANAGER,
        )
    placement = _placement_for_role(entry, request)
    if role is Role.CLIENT and entry.platform is not None and entry.platform != this_platform(request.platform):
        return _Placement(Target.NONE, Message(_OTHER_PLATFORM[entry.platform]), False)
    return placement


def _placement_for_role(entry: PortEntry, request: PlanRequest) -> _Placement:
    role, direction = request.role, entry.direction
    if role is Role.CLIENT:
        if direction == "client_to_manager":
            return _Placement(
                Target.MANAGER,
                Message("reason.client-to-manager"),
            )
        if direction == "client_to_gup":
            if request.gup is None:
                return _Placement(
                    Target.NONE,
                    Message("reason.no-gup-host"),
                )
            return _Placement(
                Target.GUP,
                Message("reason.client-to-gup"),
            )
        if direction in ("manager_to_client", "client_local"):
            return _Placement(
                Target.THIS_PC,
                Message("reason.inbound-at-client"),
            )
        if direction == "client_to_cloud":
            return _Placement(Target.NONE, Message("reason.cloud-host-unknown"), False)
        return _Placement(Target.NONE, Message("reason.not-for-client"), False)
    if role is Role.CONSOLE:
        if direction == "console_to_manager":
            return _Placement(
                Target.MANAGER,
                Message("reason.console-to-manager"),
            )
        if entry.localhost_only:
            return _Placement(Target.NONE, Message("reason.localhost-only"), False)
        if direction == "manager_local":
            # e.g. 1100: the page names AjaxSwing, the manager's own web-console engine, as its initiator.
            return _Placement(Target.NONE, Message("reason.manager-internal"), False)
        return _Placement(Target.NONE, Message("reason.not-for-console"), False)
    # On the manager itself.
    if entry.listener == "manager":
        if entry.localhost_only:
            return _Placement(
                Target.MANAGER_LOCALHOST,
                Message("reason.manager-localhost"),
            )
        return _Placement(
            Target.MANAGER,
            Message("reason.manager-listens"),
        )
    if direction == "manager_to_elsewhere":
        host = {"sql_server": request.sql, "syslog_server": request.syslog}.get(entry.listener)
        target = {"sql_server": Target.SQL, "syslog_server": Target.SYSLOG}.get(entry.listener)
        if target is None:
            return _Placement(Target.NONE, Message("reason.peer-unknown"), False)
        if host is None:
            if target is Target.SQL:
                return _Placement(
                    Target.NONE,
                    Message("reason.no-sql-host"),
                )
            return _Placement(
                Target.NONE,
                Message("reason.no-syslog-host"),
            )
        return _Placement(target, Message(f"reason.manager-to-{target}"))
    if direction == "client_to_gup" and request.gup is not None:
        return _Placement(
            Target.GUP,
            Message("reason.manager-to-gup"),
        )
    return _Placement(Target.NONE, Message("reason.not-for-manager"), False)


def _channel_placement(
    entry: PortEntry, request: PlanRequest, client_ports: ClientPorts | None
) -> tuple[_Placement, int] | None:
    """8014 or 443 from a client desk as this PC's SyLink names them for the manager (the
    port, and whether the client uses that scheme at all); None when SyLink does not say."""
    scheme = entry.scheme if entry.client_channel else None
    if scheme is None or client_ports is None or not client_ports.named:
        return None
    if request.role is not Role.CLIENT or request.all_ports:
        return None
    words = {"http": "HTTP", "https": "HTTPS"}
    other = "https" if scheme == "http" else "http"
    named = client_ports.port_for(scheme)
    server, shown = client_ports.server, words[scheme]
    if named is None:
        other_port = client_ports.port_for(other)
        reason = Message(
            "reason.sylink-other-scheme", server=server, scheme=shown, other=f"{words[other]} {other_port}"
        )
        return _Placement(Target.NONE, reason, False), entry.port
    port = request.overrides.get(entry.port, named)
    if port != named:
        reason = Message("reason.sylink-port-overridden", server=server, scheme=shown, sylink_port=named)
        return _Placement(Target.MANAGER, reason), port
    return _Placement(
        Target.MANAGER, Message("reason.sylink-named", server=server, scheme=shown, sylink_port=named)
    ), port


def build_plan(catalog: Catalog, request: PlanRequest, client_ports: ClientPorts | None = None) -> tuple[Check, ...]:
    """Every catalogue entry as one check. ``client_ports``: this PC's SyLink entry for the
    manager, which decides 8014 and 443 on a client desk (see ``_channel_placement``)."""
    checks: list[Check] = []
    hosts = {
        Target.MANAGER: request.manager,
        Target.MANAGER_LOCALHOST: LOCALHOST,
        Target.GUP: request.gup,
        Target.SQL: request.sql,
        Target.SYSLOG: request.syslog,
        Target.THIS_PC: None,
        Target.NONE: None,
    }
    for entry in catalog.entries:
        placement = _placement(entry, request)
        port = request.overrides.get(entry.port, entry.port)
        channel = _channel_placement(entry, request, client_ports)
        if channel is not None:
            placement, port = channel
        version_ok = entry.applies_to(request.version)
        applies = version_ok and placement.relevant
        reason = placement.reason
        if not version_ok and request.version is not None:
            reason = Message("reason.version", version=request.version.release_name, versions=entry.versions_text)
        target = placement.target
        # Without --all-ports nothing is sent for a check that does not apply.
        skip = target is Target.NONE or (not applies and not request.all_ports)
        host = hosts[target]
        checks.append(
            Check(
                id=check_id(entry.id, host, target),
                entry_id=entry.id,
                target=target,
                host=host,
                protocol=entry.protocol,
                port=port,
                default_port=entry.port,
                applies=applies,
                reason=reason,
                app_tests=() if skip else _app_tests(entry, target),
                sends=entry.sends,
                channel=entry.scheme if entry.client_channel else None,
                local=target is Target.THIS_PC,
                expected_unreachable=placement.expected_unreachable,
                skip=skip,
                peer=request.manager if target is Target.THIS_PC else None,
            )
        )
    if request.local_gup:
        entry = next(e for e in catalog.entries if e.listener == "gup")
        checks.append(
            Check(
                id=check_id(entry.id, None, Target.THIS_PC),
                entry_id=entry.id,
                target=Target.THIS_PC,
                host=None,
                protocol=entry.protocol,
                port=request.overrides.get(entry.port, entry.port),
                default_port=entry.port,
                applies=entry.applies_to(request.version),
                reason=Message("reason.this-pc-is-gup"),
                local=True,
                peer=request.manager,
            )
        )
    if request.extras:
        from sep_port_doctor.core.extra import extra_checks

        checks += extra_checks(request.extras, catalog)
    return tuple(checks)
