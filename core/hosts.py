"""What the user typed as a host, checked before any packet leaves.

Accepted: host names (internationalised names too), IPv4 literals, IPv6 literals
with or without brackets; a pasted URL is reduced to its host with a notice.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from core.errors import UserError

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
_DOTTED_NUMBERS_RE = re.compile(r"^[0-9.]+$")


def _shown(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return printable if len(printable) <= 60 else printable[:57] + "..."


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
        notice = UserError("url-reduced", host=repr(hostname), url=repr(_shown(raw)))
        raw = hostname
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
        return Host(raw, str(address), True, notice)

    if _DOTTED_NUMBERS_RE.match(candidate):
        try:
            return Host(raw, str(ipaddress.IPv4Address(candidate)), True, notice)
        except ValueError:
            raise HostError("bad-ipv4", text=_shown(raw)) from None

    if len(candidate) > MAX_HOST_CHARS:
        raise HostError("name-too-long", limit=MAX_HOST_CHARS)
    name = candidate.rstrip(".")
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
    if ascii_name.split(".")[-1].isdigit():
        raise HostError("bad-name-or-ipv4", text=_shown(raw))
    return Host(raw, ascii_name, False, notice)
