"""IPv6 zone ids (``fe80::1%eth0``, ``fe80::1%12``): which network interface a scoped address is on.

A link-local address means nothing without its link: the same ``fe80::1`` may be a different
device on each card. The zone goes wherever the address goes (sockets, ICMP senders, routes,
networks), written as typed, or as the system names the interface where the system supplied
the address; two spellings of one interface (``%eth0`` and ``%2``) are the same zone.
"""

from __future__ import annotations

import ipaddress
import socket


def zone_index(zone: str) -> int:
    """The interface index a zone names (a number, as Windows writes it, or a name); 0: no zone.
    Raises OSError where no interface has that name (``socket.if_nametoindex``)."""
    if not zone:
        return 0
    if zone.isdigit():
        return int(zone)
    return socket.if_nametoindex(zone)


def zone_name(index: int) -> str:
    """The interface's name, as ``getnameinfo`` writes a scoped address's zone; its number where the system has no name."""
    try:
        return socket.if_indextoname(index)
    except (OSError, OverflowError, AttributeError):
        return str(index)


def with_zone(address: str, index: int) -> str:
    """``address`` with the zone of interface ``index`` where it is scoped (link-local); as it is otherwise."""
    if not index or "%" in address:
        return address
    try:
        scoped = ipaddress.ip_address(address).is_link_local and ":" in address
    except ValueError:
        return address
    return f"{address}%{zone_name(index)}" if scoped else address


def same_address(one: str, other: str) -> bool:
    """Whether two addresses are one host: the same address, and for scoped ones the same interface."""
    bare_one, _, zone_one = one.partition("%")
    bare_other, _, zone_other = other.partition("%")
    try:
        if ipaddress.ip_address(bare_one) != ipaddress.ip_address(bare_other):
            return False
    except ValueError:
        return one == other
    if zone_one == zone_other:
        return True
    try:
        return bool(zone_one and zone_other) and zone_index(zone_one) == zone_index(zone_other)
    except OSError:  # an interface that is gone: only the same spelling is known to be the same
        return False
