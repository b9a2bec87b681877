"""What the checks of this PC found: findings (``core.results.Finding``, made by ``local_finding``;
their words are messages of the catalogue's ``[local]``), and the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.i18n import Message, Sayable
from sep_port_doctor.core.results import Finding, Severity

if TYPE_CHECKING:
    from sep_port_doctor.core.localpc.client import ClientConfig


def words(code: str, **values: object) -> Message:
    """A finding's words: the message catalogue's ``[local]``, with ``values`` (raw, or words themselves)."""
    return Message(f"local.{code}", **values)


def title(finding_id: str) -> Message:
    return words(f"title-{finding_id}")


def local_finding(
    finding_id: str,
    severity: Severity,
    title: Message,
    detail: Sayable,
    guidance: tuple[str, ...] = (),
    evidence: dict[str, Any] | None = None,
    ports: tuple[tuple[str, int], ...] = (),
    summary: Sayable | None = None,
    beyond_summary: Sayable | None = None,
) -> Finding:
    """A finding of this PC: its name, what was found, and (``summary``) the one line of it that a
    summary shows where the whole is long (the firewall's rules), with what the whole says beyond it."""
    return Finding(
        severity,
        summary or detail,
        guidance,
        id=finding_id,
        title=title,
        detail=detail if summary else None,
        beyond_headline=beyond_summary,
        evidence=evidence or {},
        ports=ports,
    )


@dataclass(frozen=True)
class Facing:
    """The interface that faces the manager, as Windows routes to it."""

    profiles: tuple[str, ...]
    """The profile of that interface, or every profile in use when it is not known."""
    interface: str | None
    address: str | None
    known: bool
    next_hop: str | None = None
    """Find-NetRoute's NextHop (0.0.0.0 or :: when the manager is on this PC's own network)."""


@dataclass(frozen=True)
class LocalReport:
    platform: str
    config: ClientConfig | None
    findings: tuple[Finding, ...]
    manager_address: str | None = None
    """The manager's address the firewall was judged against (None: not known)."""
    facing: Facing | None = None
    """How Windows routes to the manager (Find-NetRoute): interface, address, next hop, profile."""


FINDING_IDS = (
    "sep-client",
    "sep-services",
    "server-service",
    "management-servers",
    "firewall-profiles",
    "file-printer-sharing",
)
