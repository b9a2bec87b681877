"""What makes problems one cause: the one rule a PC's report (``core.report_context``) and a
site's (``core.merge_report``) group their problems and warnings by.

Two checks are one cause when they have the same severity, were found at the same place (this
PC, or the same host in the same role: the manager, the GUP, a port given with ``--extra``; a site's
PCs may name their manager differently, so the site report takes the role), found the same thing (the same headline) and call for the same first
remedy. The ports they were found on are not part of it: this PC's TCP 139 and 445 filtered are
one cause ("TCP 139, 445 · this PC: no answer (filtered)"), its guidance once. A finding of this
PC (Windows: File and Printer Sharing blocked by its firewall rules) explains this PC's checks
whose remedies include its first one: they are its cause, not a cause of their own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

CauseKey = tuple[str, Hashable, Hashable, str | None]


def cause_key(severity: str, where: Hashable, found: Hashable, guidance: Sequence[str]) -> CauseKey:
    """The cause of one problem: ``found`` is what was found (the headline, or what the headline is
    made of where only its recorded words are known), ``guidance`` its remedies by id, first first."""
    return (str(severity), where, found, guidance[0] if guidance else None)


def finding_explains(finding_guidance: Sequence[str], check_guidance: Sequence[str]) -> bool:
    """Whether a finding of this PC is the cause of this PC's check: its first remedy is one of the check's."""
    return bool(finding_guidance) and finding_guidance[0] in check_guidance


def ports_text(ports: Iterable[tuple[str, str]]) -> str:
    """(protocol, port) pairs as a cause's line names them: ``TCP 139, 445 · UDP 137, 138``."""
    by_protocol: dict[str, list[str]] = {}
    for protocol, port in ports:
        shown = by_protocol.setdefault(protocol.upper(), [])
        if port not in shown:
            shown.append(port)
    return " · ".join(f"{protocol} {', '.join(numbers)}" for protocol, numbers in by_protocol.items())
