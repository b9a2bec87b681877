"""What the checks of this PC found: findings (their words are messages of the catalogue's
``[local]``, said in whichever language is asked), and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.i18n import Message, Sayable
from core.results import Severity

if TYPE_CHECKING:
    from core.localpc.client import ClientConfig


def words(code: str, **values: object) -> Message:
    """A finding's words: the message catalogue's ``[local]``, with ``values`` (raw, or words themselves)."""
    return Message(f"local.{code}", **values)


def title(finding_id: str) -> Message:
    return words(f"title-{finding_id}")


@dataclass(frozen=True)
class LocalFinding:
    id: str
    severity: Severity
    title: Message
    detail: Sayable
    guidance: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)
    ports: tuple[tuple[str, int], ...] = ()
    """(protocol, port) that the finding is about, where it is about ports (File and Printer Sharing)."""
    summary: Sayable | None = None
    """One line for a summary (the report's page 1) where ``detail`` is long; None: the detail."""
    beyond_summary: Sayable | None = None
    """What ``detail`` says that ``summary`` does not: the report's details print it under a finding
    whose summary page 1 shows (None: the whole detail)."""

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "title": self.title.say(lang),
            "detail": self.detail.say(lang),
            "guidance": list(self.guidance),
            "evidence": self.evidence,
        }


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
    findings: tuple[LocalFinding, ...]
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
