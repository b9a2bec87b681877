"""``check --extra HOST:PORT[/udp]``: a port outside the catalogue, like Test-NetConnection.

Each extra port is a check of its own with a catalogue-shaped entry (``extra-tcp-8080``,
made by ``core.catalog.extra_entry``): it is probed like every other port and explained
with the verdict's guidance only (the catalogue knows nothing else about it).
"""

from __future__ import annotations

import unicodedata

from sep_port_doctor.core.catalog import EXTRA_PREFIX, Catalog
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.hosts import Host, HostError, parse_host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import Check, Target, check_id

MAX_EXTRAS = 64


class ExtraError(UserError):
    """A bad ``--extra``; one line for the user."""


def parse_extra(text: str) -> tuple[Host, str, int]:
    """``host:8080``, ``[fe80::1]:8080/udp``, ``10.0.0.5:514/UDP``; raises ExtraError."""
    raw = unicodedata.normalize("NFKC", text).strip()
    shown = raw[:60]
    rest, slash, protocol = raw.rpartition("/")
    if not slash:
        rest, protocol = raw, "tcp"
    protocol = protocol.lower()
    if protocol not in ("tcp", "udp"):
        raise ExtraError("extra-form", text=repr(shown))
    host_text, colon, port_text = rest.rpartition(":")
    if not colon or not host_text or (":" in host_text and not host_text.startswith("[")):
        raise ExtraError("extra-form", text=repr(shown))
    if not (port_text.isascii() and port_text.isdigit()) or not 1 <= int(port_text) <= 65535:
        raise ExtraError("extra-port", text=repr(shown))
    try:
        host = parse_host(host_text)
    except HostError as exc:
        raise ExtraError("extra-host", text=repr(shown), why=exc) from None
    return host, protocol, int(port_text)


def parse_extras(texts: list[str]) -> tuple[tuple[Host, str, int], ...]:
    if len(texts) > MAX_EXTRAS:
        raise ExtraError("extra-too-many", limit=MAX_EXTRAS)
    found = [parse_extra(t) for t in texts]
    unique = {(h.name, p, n): (h, p, n) for h, p, n in found}
    return tuple(unique.values())


def extra_checks(extras: tuple[tuple[Host, str, int], ...], catalog: Catalog) -> list[Check]:
    """One check per extra port. A UDP probe of a port the catalogue knows sends what the
    catalogue's probe of it sends (a NetBIOS node status to 137): an answer proves more."""

    def sends(protocol: str, port: int) -> str | None:
        return next((e.sends for e in catalog.by_port(protocol, port) if e.sends), None)

    return [
        Check(
            id=check_id(f"{EXTRA_PREFIX}{protocol}-{port}", host, Target.EXTRA),
            entry_id=f"{EXTRA_PREFIX}{protocol}-{port}",
            target=Target.EXTRA,
            host=host,
            protocol=protocol,
            port=port,
            default_port=port,
            applies=True,
            reason=Message("reason.extra"),
            sends=sends(protocol, port),
        )
        for host, protocol, port in extras
    ]
