"""Checks of this PC at the client desk, behind one platform interface.

On Windows: the SEP client's presence, version and services, the Server service, its
management servers (SyLink), the Windows Firewall profile of the interface that faces
the manager and whether File and Printer Sharing lets the manager in. Read-only: the
registry through ``winreg``, the rest as JSON from one PowerShell run
(``resources/windows/collect_local.ps1``). Whether this PC listens on the push ports is
asked of the OS's socket table (``core.socket_table``, used by the probe engine).

On other systems every such check is "not applicable on this system", never passed.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Protocol

from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.localpc.client import (
    SEP_KEY,
    SEP_KEY_WOW,
    SYLINK_XML,
    ClientConfig,
    ServerEntry,
    parse_sylink_xml,
    read_client_config,
)
from sep_port_doctor.core.localpc.findings import FINDING_IDS, LocalReport, local_finding, title, words
from sep_port_doctor.core.localpc.firewall import FPS_GROUP, as_list, facing, firewall_findings, fps_ports
from sep_port_doctor.core.localpc.windows import (
    MANAGER_ENV,
    POWERSHELL_SCRIPT,
    POWERSHELL_TIMEOUT,
    LocalError,
    WindowsSystem,
    decode_console_output,
    system_powershell,
)
from sep_port_doctor.core.results import Finding, Severity
from sep_port_doctor.core.versions import Described

__all__ = [
    "FPS_GROUP",
    "MANAGER_ENV",
    "POWERSHELL_SCRIPT",
    "POWERSHELL_TIMEOUT",
    "SEP_KEY",
    "SEP_KEY_WOW",
    "SYLINK_XML",
    "ClientConfig",
    "LocalError",
    "LocalReport",
    "LocalSystem",
    "ServerEntry",
    "WindowsSystem",
    "client_config",
    "decode_console_output",
    "fps_ports",
    "inspect_local",
    "local_finding",
    "not_applicable_report",
    "parse_sylink_xml",
    "read_client_config",
    "system_powershell",
]

CLIENT_SERVICES = ("SepMasterService", "SepScanService", "sepWscSvc", "SepLpsService")


class LocalSystem(Protocol):
    """Where the local facts come from: Windows itself, or fixture files in tests."""

    platform: str

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        """Values of an HKLM key, or None when the key does not exist."""

    def read_text(self, path: PurePath) -> str | None: ...

    async def powershell_json(self, script: str, manager: str | None = None) -> str:
        """The collection script's output; ``manager`` is the manager's address, or None."""


def not_applicable_report(platform: str) -> LocalReport:
    findings = tuple(
        local_finding(
            finding_id, Severity.NOT_TESTED, title(finding_id), words("not-applicable"), ("not-applicable-here",)
        )
        for finding_id in FINDING_IDS
    )
    return LocalReport(platform, None, findings)


_RUNNING = {"running", "4"}


def services_finding(services: list[dict[str, Any]]) -> Finding:
    by_name = {str(s.get("Name", "")).lower(): s for s in services}
    states = {
        str(s.get("Name")): str(s.get("Status")) for s in by_name.values() if str(s.get("Name")) in CLIENT_SERVICES
    }
    master = by_name.get("sepmasterservice")
    found = title("sep-services")
    if master is None:
        return local_finding(
            "sep-services", Severity.WARNING, found, words("sep-service-missing"), (), {"services": states}
        )
    status = str(master.get("Status", ""))
    if status.lower() not in _RUNNING:
        detail = words("sep-service-stopped", status=status)
        return local_finding("sep-services", Severity.PROBLEM, found, detail, (), {"services": states})
    listing = ", ".join(f"{name}: {state}" for name, state in states.items())
    return local_finding(
        "sep-services", Severity.PASSED, found, words("sep-service-running", listing=listing), (), {"services": states}
    )


def server_service_finding(services: list[dict[str, Any]]) -> Finding:
    """The Server service (LanmanServer) serves TCP 139/445: push deployment needs it."""
    server = next((s for s in services if str(s.get("Name", "")).lower() == "lanmanserver"), None)
    found = title("server-service")
    if server is None:
        return local_finding(
            "server-service", Severity.WARNING, found, words("server-service-missing"), ("server-service",)
        )
    status, start = str(server.get("Status", "")), str(server.get("StartType", ""))
    evidence = {"status": status, "start_type": start}
    if status.lower() not in _RUNNING:
        detail = words("server-service-stopped", status=status, start=start)
        return local_finding("server-service", Severity.PROBLEM, found, detail, ("server-service",), evidence)
    return local_finding(
        "server-service", Severity.PASSED, found, words("server-service-running", start=start), (), evidence
    )


def _joined(first: Message, then: Message) -> Message:
    """Two sentences of a finding."""
    return Message("local.two-sentences", first=first, then=then)


def config_findings(config: ClientConfig | None, manager: str | None = None) -> tuple[Finding, Finding]:
    if config is None:
        missing = words("no-client-config")
        return (
            local_finding("sep-client", Severity.WARNING, title("sep-client"), missing),
            local_finding("management-servers", Severity.NOT_TESTED, title("management-servers"), missing),
        )
    described = Described(config.version) if config.version else (config.product_version or "?")
    client = local_finding(
        "sep-client",
        Severity.INFO,
        title("sep-client"),
        words("client-version", version=described),
        (),
        {"product_version": config.product_version},
    )
    servers = ", ".join(
        f"{s.host} (HTTP {s.http_port or '-'}, HTTPS {s.https_port or '-'})" for s in config.servers
    ) or (config.last_server or "-")
    others = config.other_servers(manager) if manager else ()
    detail = words(
        "management-servers",
        servers=servers,
        last=config.last_server or "-",
        status=config.communication_status or "?",
    )
    ports = config.client_ports(manager) if manager else None
    if ports is not None:
        detail = _joined(detail, words("client-ports", server=ports.server, ports=ports.shown))
    elif manager and config.servers:
        detail = _joined(detail, words("manager-not-in-sylink", manager=manager))
    if manager and len(config.servers) > 1 and others:
        detail = _joined(detail, words("other-servers", others=", ".join(s.host for s in others), manager=manager))
    management = local_finding(
        "management-servers",
        Severity.INFO,
        title("management-servers"),
        detail,
        ("client-communication",),
        {
            "servers": [s.__dict__ for s in config.servers],
            "last_server": config.last_server,
            "other_servers": [s.host for s in others],
        },
    )
    return client, management


def client_config(system: LocalSystem | None = None) -> ClientConfig | None:
    """This PC's SEP client settings (registry, SyLink.xml), or None where there are none
    (not Windows, no client); never raises for a missing or unreadable source."""
    if system is None:
        if sys.platform != "win32":
            return None
        system = WindowsSystem()
    if system.platform != "win32":
        return None
    return read_client_config(system)


async def manager_address(manager: Host | str | None) -> str | None:
    """The manager's IP address: as typed, or resolved (with the probes' own deadline)."""
    if manager is None:
        return None
    name = manager.name if isinstance(manager, Host) else manager.strip().strip("[]")
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    from sep_port_doctor.core.resolver import resolve

    resolved = await resolve(name)
    return resolved.address if resolved.ok else None


async def inspect_local(system: LocalSystem | None = None, manager: Host | str | None = None) -> LocalReport:
    """Everything about this PC; never raises for a missing or unreadable source.

    ``manager``: the management server whose traffic is judged (its route picks the
    interface, so the firewall profile; its address is checked against each rule's scope).
    """
    if system is None:
        if sys.platform != "win32":
            return not_applicable_report(sys.platform)
        system = WindowsSystem()
    if system.platform != "win32":
        return not_applicable_report(system.platform)
    config = client_config(system)
    typed = manager.typed if isinstance(manager, Host) else manager
    client, management = config_findings(config, typed)
    address = await manager_address(manager)
    try:
        document = json.loads(await system.powershell_json(POWERSHELL_SCRIPT, address) or "{}")
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except (LocalError, ValueError) as exc:
        unread = words("powershell-unread", error=str(exc))
        failed = tuple(
            local_finding(fid, Severity.NOT_TESTED, title(fid), unread)
            for fid in ("sep-services", "server-service", "firewall-profiles", "file-printer-sharing")
        )
        return LocalReport(system.platform, config, (client, management, *failed), address)
    services = as_list(document.get("services"))
    profiles, fps = firewall_findings(document, address)
    findings = (client, services_finding(services), server_service_finding(services), management, profiles, fps)
    return LocalReport(system.platform, config, findings, address, facing(document))
