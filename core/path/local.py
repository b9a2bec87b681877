"""What this PC's own settings add to the path facts (Windows, ``core.localpc``): the route
Find-NetRoute gave for the manager, and SyLink's ``LastServerIP`` against what the name
resolves to now."""

from __future__ import annotations

import dataclasses

from sep_port_doctor.core.localpc import LocalReport
from sep_port_doctor.core.localpc.findings import local_finding, title, words
from sep_port_doctor.core.path.facts import DnsFacts
from sep_port_doctor.core.path.route import WindowsRoute
from sep_port_doctor.core.results import Severity

SYLINK_FINDING = "sylink-address"


def windows_route_of(local: LocalReport) -> WindowsRoute | None:
    """Find-NetRoute's answer for the manager, as the collection read it (None: not read)."""
    facing = local.facing
    if facing is None or not facing.known or local.manager_address is None:
        return None
    return WindowsRoute(
        local.manager_address,
        facing.interface,
        facing.address,
        facing.next_hop,
        facing.profiles[0] if facing.profiles else None,
    )


def _short(name: str) -> str:
    return name.strip().rstrip(".").lower().split(".")[0]


def sylink_last_ip(local: LocalReport, manager: str) -> str | None:
    """SyLink's LastServerIP where the client's last server is this manager (by name, or unnamed)."""
    config = local.config
    if config is None or not config.last_server_ip:
        return None
    last = config.last_server
    if last and _short(last) != _short(manager) and last.strip().lower() != config.last_server_ip.lower():
        return None  # the client last talked to another server: its address says nothing about this name
    return config.last_server_ip.strip()


def with_sylink_finding(local: LocalReport, dns: DnsFacts | None) -> LocalReport:
    """``local`` with the finding that the client's last address is not among the name's addresses
    (and without one an earlier run left: the window keeps this PC's report between runs)."""
    kept = tuple(f for f in local.findings if f.id != SYLINK_FINDING)
    if dns is None or not dns.mismatch:
        return local if len(kept) == len(local.findings) else dataclasses.replace(local, findings=kept)
    finding = local_finding(
        SYLINK_FINDING,
        Severity.WARNING,
        title(SYLINK_FINDING),
        words(
            "sylink-address-mismatch",
            last=dns.last_server_ip,
            name=dns.name,
            addresses=", ".join(dns.addresses),
        ),
        ("client-communication",),
        {"last_server_ip": dns.last_server_ip, "name": dns.name, "addresses": list(dns.addresses)},
    )
    return dataclasses.replace(local, findings=(*kept, finding))
