"""What the simulated manager serves and the faults it can add (``simulate --profile``), read
from ``resources/simulator/manager.toml``: apart from the simulator itself, so that the command
line can offer the profiles without loading it.

The file names catalogue entries, never ports: the simulator serves each on the entry's port
(or where ``--port`` moves it). :func:`load_simulation` checks the file's own shape; the entry
ids are checked against the catalogue when the simulator starts (:func:`check_entries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sep_port_doctor.core.catalog import Catalog, TableReader
from sep_port_doctor.core.i18n import CatalogError, read_toml, resource_files
from sep_port_doctor.core.plan import Role

FILE = "resources/simulator/manager.toml"
SERVE_KINDS = ("secars", "console", "accept", "netbios", "silent")
SECARS_ANSWERS = ("ok", "wrong-page", "server-error")
CERTIFICATES = ("self-signed", "expired", "expiring", "other-name")
FAULTS = ("closed", "dropped", "stalled")


@dataclass(frozen=True)
class Served:
    """One catalogue entry the simulator answers on."""

    entry: str
    kind: str
    """``SERVE_KINDS``: what answers there."""
    tls: bool = False
    optional: bool = False
    """This PC may hold the port already: the simulator goes on without it, and says so."""


@dataclass(frozen=True)
class Profile:
    """A fault to simulate, and where a technician sees it.

    ``role`` is the role whose checks show this fault and nothing else: the client desk for the
    client channels and this PC's push-deployment ports, the admin console for the console
    ports. Its words (``profile-NAME``) are in the message catalogue ``[simulator]``.
    """

    name: str
    role: Role
    reports_version: str | None = None
    """What the version API reports instead of the manager's own version."""
    closed: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    stalled: tuple[str, ...] = ()
    secars: str = "ok"
    certificate: str = "self-signed"

    def fault(self, entry: str) -> str | None:
        """``closed``, ``dropped`` or ``stalled`` for an entry this profile breaks; None otherwise."""
        return next((f for f in FAULTS if entry in getattr(self, f)), None)


@dataclass(frozen=True)
class Simulation:
    serve: tuple[Served, ...]
    profiles: Mapping[str, Profile]


def parse_simulation(file: str, data: bytes) -> Simulation:
    """The simulator's file; raises CatalogError naming the file and the field."""
    doc = read_toml(file, data)
    for key in doc:
        if key not in ("serve", "profile"):
            raise CatalogError(file, key, "unknown key (known: serve, profile)")
    raw_serve = doc.get("serve")
    if not isinstance(raw_serve, list) or not raw_serve:
        raise CatalogError(file, "serve", "no [[serve]] tables")
    serve = []
    for i, raw in enumerate(raw_serve):
        r = TableReader(file, f"serve[{i}]", raw)
        serve.append(Served(r.required_string("entry"), r.choice("as", SERVE_KINDS), r.flag("tls"), r.flag("optional")))
        r.finish()
    raw_profiles = doc.get("profile")
    if not isinstance(raw_profiles, dict) or not raw_profiles:
        raise CatalogError(file, "profile", "no [profile.NAME] tables")
    profiles = {name: _profile(file, name, table) for name, table in raw_profiles.items()}
    return Simulation(tuple(serve), profiles)


def _profile(file: str, name: str, table: Any) -> Profile:
    r = TableReader(file, f"profile.{name}", table)
    profile = Profile(
        name,
        Role(r.choice("role", [str(role) for role in Role])),
        reports_version=r.string("reports_version", optional=True),
        closed=r.strings("closed"),
        dropped=r.strings("dropped"),
        stalled=r.strings("stalled"),
        secars=r.optional_choice("secars", SECARS_ANSWERS) or "ok",
        certificate=r.optional_choice("certificate", CERTIFICATES) or "self-signed",
    )
    r.finish()
    return profile


@cache
def load_simulation() -> Simulation:
    try:
        data = (resource_files() / "simulator" / "manager.toml").read_bytes()
    except OSError as exc:
        raise CatalogError(FILE, "file", f"cannot be read: {exc.strerror or exc}") from None
    return parse_simulation(FILE, data)


def profile_names() -> list[str]:
    return list(load_simulation().profiles)


def check_entries(simulation: Simulation, catalog: Catalog, file: str = FILE) -> None:
    """Every entry the file names is the catalogue's, and every broken one is served; raises CatalogError."""
    known = {e.id for e in catalog.entries}
    served = [s.entry for s in simulation.serve]
    for i, entry in enumerate(served):
        if entry not in known:
            raise CatalogError(file, f"serve[{i}].entry", f"unknown entry id {entry!r}")
        if entry in served[:i]:
            raise CatalogError(file, f"serve[{i}].entry", f"{entry!r} is served twice")
    for profile in simulation.profiles.values():
        for fault in FAULTS:
            for j, entry in enumerate(getattr(profile, fault)):
                if entry not in served:
                    where = f"profile.{profile.name}.{fault}[{j}]"
                    problem = "unknown entry id" if entry not in known else "an entry the simulator does not serve"
                    raise CatalogError(file, where, f"{problem} {entry!r}")
