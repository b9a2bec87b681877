"""What a port's verdict and its cause call for (guidance ids), and how a path to it is named.

Shared by the explanations of ports (``core.explain``) and of application checks that judge
the port from more than one path (``core.checks.secars``: direct and through the system proxy).
"""

from __future__ import annotations

from collections.abc import Sequence

from sep_port_doctor.core.i18n import Joined, Message
from sep_port_doctor.core.results import AppResult, State

VERDICT_GUIDANCE = {
    State.FILTERED: "verdict-filtered",
    State.CLOSED: "verdict-closed",
    State.UNREACHABLE: "verdict-unreachable",
    State.UNRESOLVED: "verdict-unresolved",
    State.OPEN_FILTERED: "verdict-open-filtered",
}

CAUSE_GUIDANCE = {
    "local-prohibited": ["verdict-filtered-locally"],
    "local-blackhole": ["verdict-filtered-locally"],
    "admin-prohibited": ["verdict-rejected", "verdict-filtered"],
    "port-rejected": ["verdict-rejected", "verdict-filtered"],
    "host-unreach": ["verdict-unreachable"],
    "net-unreach": ["verdict-unreachable"],
    "host-down": ["verdict-unreachable"],
    "no-route": ["verdict-unreachable"],
    "nxdomain": ["verdict-nxdomain"],
    "dns-timeout": ["verdict-dns-timeout"],
    "dns-no-address": ["verdict-unresolved"],
    "dns-failure": ["verdict-unresolved"],
}
"""Causes whose guidance replaces the verdict's (nothing about the port helps with these)."""

HOST_CAUSES = (
    "host-unreach",
    "net-unreach",
    "host-down",
    "no-route",
    "nxdomain",
    "dns-timeout",
    "dns-no-address",
    "dns-failure",
)
"""Causes about the host or the name, not the port."""


def path_name(app: AppResult) -> Message:
    """``direct``, or ``through proxy proxy01:8080``: the path a result took."""
    if app.via == "direct":
        return Message("word.direct")
    return Message("word.through_proxy", proxy=app.via.removeprefix("proxy "))


def paths_detail(apps: Sequence[AppResult], *, named: bool = False) -> Joined:
    """``direct: HTTP 200, body 'OK'; through proxy proxy01:8080: HTTP 200, body 'OK'``: each path named
    when there is more than one."""
    named = named or any(a.via != "direct" for a in apps)
    return Joined(
        tuple(Message("explain.path-detail", path=path_name(a), detail=a.detail) if named else a.detail for a in apps),
        "explain.list-separator",
    )
