"""The simulated manager's faults (``simulate --profile``), apart from the simulator itself so
that the command line can offer them without loading it."""

from __future__ import annotations

from dataclasses import dataclass

from core.plan import Role


@dataclass(frozen=True)
class Profile:
    """A fault to simulate, and where a technician sees it.

    ``role`` is the role whose checks show this fault and nothing else: the client desk
    for the client ports (8014, 443) and this PC's push-deployment ports, the admin
    console for the console ports. Its words (``profile-NAME``) are in the message catalogue
    ``[simulator]``.
    """

    name: str
    role: Role
    reports_version: str | None = None
    """What the 8446 version API reports instead of the manager's own version."""


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("healthy", Role.CLIENT),
        Profile("secars-wrong", Role.CLIENT),
        Profile("secars-error", Role.CLIENT),
        Profile("cert-expired", Role.CLIENT),
        Profile("cert-expiring", Role.CLIENT),
        Profile("cert-wrong-name", Role.CLIENT),
        Profile("http-down", Role.CLIENT),
        Profile("stalled", Role.CLIENT),
        Profile("dropped", Role.CONSOLE),
        Profile("version-mismatch", Role.CONSOLE, reports_version="14.2.5323.2000"),
        Profile("push-blocked", Role.CLIENT),
    )
}
