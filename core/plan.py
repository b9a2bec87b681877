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

from core.catalog import Catalog, PortEntry
from core.errors import UserError
from core.hosts import Host, parse_host
from core.results import Check, Target, check_id
from core.versions import SepVersion


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


_OTHER_PLATFORM = {
    "mac": ("not-a-mac", "Mac push deployment; this PC is not a Mac"),
    "windows": ("is-a-mac", "Windows push deployment; this PC is a Mac"),
}
"""Why an entry for the other kind of PC is not checked here, by the entry's platform."""


@dataclass(frozen=True)
class _Placement:
    target: Target
    reason_code: str
    reason: str
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
            "all-ports",
            "probed on the manager host (--all-ports)",
            relevant,
            expected_unreachable=entry.localhost_only and role is not Role.MANAGER,
        )
    placement = _placement_for_role(entry, request)
    if role is Role.CLIENT and entry.platform is not None and entry.platform != this_platform(request.platform):
        code, reason = _OTHER_PLATFORM[entry.platform]
        return _Placement(Target.NONE, code, reason, False)
    return placement


def _placement_for_role(entry: PortEntry, request: PlanRequest) -> _Placement:
    role, direction = request.role, entry.direction
    if role is Role.CLIENT:
        if direction == "client_to_manager":
            return _Placement(Target.MANAGER, "client-to-manager", "this PC's SEP client connects to the manager here")
        if direction == "client_to_gup":
            if request.gup is None:
                return _Placement(Target.NONE, "no-gup-host", "no Group Update Provider given (--gup HOST)")
            return _Placement(Target.GUP, "client-to-gup", "this PC's SEP client fetches content from the GUP here")
        if direction in ("manager_to_client", "client_local"):
            return _Placement(Target.THIS_PC, "inbound-at-client", "the manager (or this PC) connects to this PC here")
        if direction == "client_to_cloud":
            return _Placement(
                Target.NONE, "cloud-host-unknown", "goes to the cloud console, whose address is not probed", False
            )
        return _Placement(
            Target.NONE, "not-for-client", "not used from a client desk (run with --role console or manager)", False
        )
    if role is Role.CONSOLE:
        if direction == "console_to_manager":
            return _Placement(Target.MANAGER, "console-to-manager", "consoles on this PC connect to the manager here")
        if entry.localhost_only:
            return _Placement(Target.NONE, "localhost-only", "accepts connections from the manager itself only", False)
        if direction == "manager_local":
            # e.g. 1100: the page names AjaxSwing, the manager's own web-console engine, as its initiator.
            return _Placement(
                Target.NONE, "manager-internal", "used inside the manager (a process on the manager starts it)", False
            )
        return _Placement(Target.NONE, "not-for-console", "not used from an admin console PC", False)
    # On the manager itself.
    if entry.listener == "manager":
        if entry.localhost_only:
            return _Placement(
                Target.MANAGER_LOCALHOST, "manager-localhost", "listens on the manager for localhost only"
            )
        return _Placement(Target.MANAGER, "manager-listens", "the manager listens here")
    if direction == "manager_to_elsewhere":
        host = {"sql_server": request.sql, "syslog_server": request.syslog}.get(entry.listener)
        target = {"sql_server": Target.SQL, "syslog_server": Target.SYSLOG}.get(entry.listener)
        if target is None:
            return _Placement(Target.NONE, "peer-unknown", "goes to a peer whose address is not probed", False)
        if host is None:
            if target is Target.SQL:
                return _Placement(Target.NONE, "no-sql-host", "no SQL Server host given (--sql HOST)")
            return _Placement(Target.NONE, "no-syslog-host", "no syslog host given (--syslog HOST)")
        return _Placement(target, f"manager-to-{target}", f"the manager connects to the {target} host here")
    if direction == "client_to_gup" and request.gup is not None:
        return _Placement(Target.GUP, "manager-to-gup", "the GUP's port, checked from the manager")
    return _Placement(
        Target.NONE, "not-for-manager", "not probed from the manager (it starts this traffic to clients)", False
    )


def _channel_placement(
    entry: PortEntry, request: PlanRequest, client_ports: ClientPorts | None
) -> tuple[_Placement, int, tuple[tuple[str, str], ...]] | None:
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
    args: tuple[tuple[str, str], ...] = (("server", client_ports.server), ("scheme", words[scheme]))
    if named is None:
        other_port = client_ports.port_for(other)
        args += (("other", f"{words[other]} {other_port}"),)
        reason = f"this PC's SyLink names only {words[other]} {other_port} for {client_ports.server}"
        return _Placement(Target.NONE, "sylink-other-scheme", reason, False), entry.port, args
    args += (("sylink_port", str(named)),)
    port = request.overrides.get(entry.port, named)
    if port != named:
        reason = f"port {port} as overridden (SyLink names {words[scheme]} {named} for {client_ports.server})"
        return _Placement(Target.MANAGER, "sylink-port-overridden", reason), port, args
    reason = f"this PC's SEP client settings (SyLink) name {words[scheme]} {named} for {client_ports.server}"
    return _Placement(Target.MANAGER, "sylink-named", reason), port, args


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
        reason_args: tuple[tuple[str, str], ...] = ()
        channel = _channel_placement(entry, request, client_ports)
        if channel is not None:
            placement, port, reason_args = channel
        version_ok = entry.applies_to(request.version)
        applies = version_ok and placement.relevant
        if not version_ok and request.version is not None:
            reason_code = "version"
            reason = f"not used by SEP {request.version.release_name} ({entry.versions_text.get('en')})"
        else:
            reason_code, reason = placement.reason_code, placement.reason
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
                reason_code=reason_code,
                reason_args=reason_args if reason_code == placement.reason_code else (),
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
                reason="this PC is a Group Update Provider: clients fetch content from it here",
                reason_code="this-pc-is-gup",
                local=True,
                peer=request.manager,
            )
        )
    if request.extras:
        from core.extra import extra_checks

        checks += extra_checks(request.extras, catalog)
    return tuple(checks)
