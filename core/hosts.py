"""What the user typed as a host, checked before any packet leaves.

Accepted: host names (internationalised names too), IPv4 literals, IPv6 literals
with or without brackets (a zone id such as ``%eth0`` or ``%12``); a pasted URL is
reduced to its host with a notice, and its ``user:password@`` never shown.
Refused with the reason: addresses that are not one host (unspecified, broadcast,
multicast, reserved), broken names (empty labels, invalid punycode).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.untrusted import has_credentials, pasted_url_shown

MAX_HOST_CHARS = 253


class HostError(UserError):
    """The text is not a host; the message is one line for the user."""


@dataclass(frozen=True)
class Host:
    typed: str
    """As the user wrote it (after trimming), for display."""
    name: str
    """What the resolver is given: an IP literal or an ASCII (IDNA) host name."""
    is_ip: bool
    notice: UserError | None = None
    """Set when the input was changed (a URL reduced to its host)."""

    def __str__(self) -> str:
        return self.typed

    @property
    def url_host(self) -> str:
        """The host as it goes into a URL (IPv6 literals in brackets)."""
        return f"[{self.name}]" if ":" in self.name else self.name


_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_DOTTED_NUMBERS_RE = re.compile(r"^(?=.*[0-9])[0-9.]+$")
_ZONE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,32}$")
_LIMITED_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_LOOPBACK_BROADCAST = ipaddress.IPv4Address("127.255.255.255")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")


def _shown(text: str) -> str:
    """The text for a message: no credentials (nor a URL's query), no control characters, not too long."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in pasted_url_shown(text))
    return printable if len(printable) <= 60 else printable[:57] + "..."


def special_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why the address is not one host to probe (an error code), or None.

    A probe to these would go to no host (0.0.0.0, ::), to every host of a network
    (broadcast, multicast: UDP to 224.0.0.1 on a real LAN reaches every machine), or to
    addresses no host may use (240.0.0.0/4).
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or (isinstance(address, ipaddress.IPv4Address) and address in _THIS_NETWORK):
        return "address-unspecified"
    if address in (_LIMITED_BROADCAST, _LOOPBACK_BROADCAST):
        return "address-broadcast"
    if address.is_multicast:
        return "address-multicast"
    if isinstance(address, ipaddress.IPv4Address) and address.is_reserved:
        return "address-reserved"
    return None


def _checked_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address, raw: str) -> str:
    why = special_address(address)
    if why is not None:
        raise HostError(why, text=_shown(raw))
    return str(address)


def _interface_here(zone: str) -> bool:
    """Whether this PC has the network interface a zone id names (by name, or by index as Windows
    numbers them); True where the system cannot say."""
    try:
        if zone.isdigit():
            socket.if_indextoname(int(zone))
        else:
            socket.if_nametoindex(zone)
    except (OSError, OverflowError):
        return False
    except AttributeError:  # a system without the interface calls
        return True
    return True


def parse_host(text: str) -> Host:
    """Check one host; raise HostError with one clear line."""
    if not isinstance(text, str):
        raise HostError("host-not-text")
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw:
        raise HostError("host-empty")
    if len(raw) > 2048:
        raise HostError("host-too-long")
    notice = None
    if "://" in raw:
        try:
            parts = urlsplit(raw)
            hostname = parts.hostname
            _ = parts.port  # raises ValueError for a bad port
        except ValueError:
            raise HostError("url-unusable", text=_shown(raw)) from None
        if not hostname:
            raise HostError("url-no-host", text=_shown(raw))
        # RFC 6874: in a URL the zone id's "%" is written "%25" (https://[fe80::1%25eth0]/).
        hostname = hostname.replace("%25", "%", 1) if "%25" in hostname else hostname
        notice = UserError("url-reduced", host=repr(hostname), url=repr(_shown(raw)))
        raw = hostname
    elif has_credentials(raw) or ("@" in raw and not raw.startswith("[")):
        # user@host or user:password@host: this tool needs no account, and the secret is never echoed.
        raise HostError("host-credentials", text=_shown(raw.rpartition("@")[2]))
    if any(ch.isspace() for ch in raw):
        raise HostError("host-spaces", text=_shown(raw))
    if any(not ch.isprintable() for ch in raw):
        raise HostError("host-control", text=_shown(raw))

    candidate = raw
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1]
    elif candidate.startswith("["):
        raise HostError("ipv6-brackets", text=_shown(raw))
    if ":" in candidate:
        try:
            address = ipaddress.IPv6Address(candidate)
        except ValueError:
            if candidate.count(":") == 1:
                raise HostError("host-with-port", text=_shown(raw)) from None
            raise HostError("bad-ipv6", text=_shown(raw)) from None
        if address.scope_id is not None and not _ZONE_RE.match(address.scope_id):
            raise HostError("bad-zone", text=_shown(raw))
        if address.scope_id is None and address.is_link_local:
            # Without its zone the system cannot tell which link the address is on (connect: EINVAL).
            raise HostError("link-local-no-zone", text=_shown(raw))
        if address.scope_id is not None and not _interface_here(address.scope_id):
            raise HostError("zone-unknown", zone=address.scope_id, text=_shown(raw))
        return Host(raw, _checked_address(address, raw), True, notice)

    if _DOTTED_NUMBERS_RE.match(candidate):
        try:
            ipv4 = ipaddress.IPv4Address(candidate)
        except ValueError:
            raise HostError("bad-ipv4", text=_shown(raw)) from None
        return Host(raw, _checked_address(ipv4, raw), True, notice)

    if len(candidate) > MAX_HOST_CHARS:
        raise HostError("name-too-long", limit=MAX_HOST_CHARS)
    # One trailing dot is the DNS root ("sepm.corp."); more are an empty label.
    name = candidate[:-1] if candidate.endswith(".") else candidate
    if not name:
        raise HostError("bad-name", text=_shown(raw))
    try:
        ascii_name = idna.encode(name, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        # idna refuses underscores, which Windows networks do use in names; retry plain ASCII.
        if name.isascii():
            ascii_name = name.lower()
        else:
            raise HostError("bad-name", text=_shown(raw)) from None
    if len(ascii_name) > MAX_HOST_CHARS:
        raise HostError("name-too-long", limit=MAX_HOST_CHARS)
    for label in ascii_name.split("."):
        if not label:
            raise HostError("empty-label", text=_shown(raw))
        if len(label) > 63:
            raise HostError("label-too-long", text=_shown(raw))
        if not _LABEL_RE.match(label):
            raise HostError("bad-name", text=_shown(raw))
        if label.startswith("xn--") and not _valid_punycode(label):
            raise HostError("bad-punycode", text=_shown(raw))
    if ascii_name.split(".")[-1].isdigit():
        raise HostError("bad-name-or-ipv4", text=_shown(raw))
    return Host(raw, ascii_name, False, notice)


def _valid_punycode(label: str) -> bool:
    """An ``xn--`` label must decode to a valid internationalised label (and back to itself)."""
    try:
        return idna.encode(idna.decode(label)).decode("ascii") == label
    except (idna.IDNAError, UnicodeError, ValueError):
        return False
