"""Which way this PC sends to an address, without administrator rights.

* The source address: a connected UDP socket's local address (connecting a UDP socket
  asks the kernel's routing table and sends nothing).
* The interface: the one that holds that address (``psutil.net_if_addrs``; Windows'
  friendly names, such as "Ethernet 2" or a VPN adapter's, on Windows).
* The next router: Linux's routing table (``/proc/net/route``, ``/proc/net/ipv6_route``,
  longest prefix first, then the least metric); on Windows, what ``Find-NetRoute`` told
  the client-desk collection (``core.localpc``) for the manager, with the interface's
  network profile. Elsewhere the gateway is "not known here", never guessed.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from core.path.facts import RouteFacts

PROC_ROUTE = Path("/proc/net/route")
PROC_ROUTE6 = Path("/proc/net/ipv6_route")
_RTF_GATEWAY = 0x2
_RTF_REJECT = 0x200


@dataclass(frozen=True)
class WindowsRoute:
    """What Find-NetRoute said for one address (core.localpc's collection, for the manager)."""

    address: str
    interface: str | None
    source: str | None
    next_hop: str | None
    profile: str | None


def source_address(address: str) -> tuple[str | None, str | None]:
    """(the local address the kernel would send from, why not); nothing is sent."""
    bare = address.partition("%")[0]
    family = socket.AF_INET6 if ":" in bare else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sockaddr: tuple[str, int] | tuple[str, int, int, int] = (bare, 9)
            if family == socket.AF_INET6:
                scope = address.partition("%")[2]
                index = 0
                if scope:
                    index = int(scope) if scope.isdigit() else socket.if_nametoindex(scope)
                sockaddr = (bare, 9, 0, index)
            sock.connect(sockaddr)
            return str(sock.getsockname()[0]).partition("%")[0], None
    except OSError as exc:
        name = errno.errorcode.get(exc.errno or 0, "")
        return None, f"{exc.strerror or exc}{f' ({name})' if name else ''}"


def interface_of(source: str) -> str | None:
    """The interface that holds ``source`` (psutil), or None."""
    import psutil  # loaded when the path facts are gathered, after the probes went out

    try:
        interfaces = psutil.net_if_addrs()
    except (OSError, RuntimeError):
        return None
    for name, addresses in interfaces.items():
        for entry in addresses:
            if str(entry.address).partition("%")[0] == source:
                return str(name)
    return None


def _hex_v4(text: str) -> ipaddress.IPv4Address:
    # /proc/net/route writes addresses as the host's-order hex of the network-order integer.
    return ipaddress.IPv4Address(int(text, 16).to_bytes(4, sys.byteorder))


def linux_gateway(address: str, route: Path = PROC_ROUTE, route6: Path = PROC_ROUTE6) -> tuple[bool, str | None]:
    """(known, gateway) from the main routing table; gateway None: on this PC's own network."""
    target = ipaddress.ip_address(address.partition("%")[0])
    best: tuple[int, int, str | None] | None = None  # (prefix length, -metric, gateway)
    try:
        if target.version == 4:
            lines = route.read_text().splitlines()[1:]
            for line in lines:
                fields = line.split()
                if len(fields) < 8:
                    continue
                flags = int(fields[3], 16)
                destination, gateway, mask = _hex_v4(fields[1]), _hex_v4(fields[2]), _hex_v4(fields[7])
                network = ipaddress.IPv4Network(f"{destination}/{mask}", strict=False)
                if target not in network or flags & _RTF_REJECT:
                    continue
                candidate = (network.prefixlen, -int(fields[6]), str(gateway) if flags & _RTF_GATEWAY else None)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        else:
            for line in route6.read_text().splitlines():
                fields = line.split()
                if len(fields) < 10:
                    continue
                flags = int(fields[8], 16)
                network6 = ipaddress.IPv6Network(
                    f"{ipaddress.IPv6Address(bytes.fromhex(fields[0]))}/{int(fields[1], 16)}", strict=False
                )
                if target not in network6 or flags & _RTF_REJECT or fields[9] == "lo":
                    continue
                hop = ipaddress.IPv6Address(bytes.fromhex(fields[4]))
                candidate = (network6.prefixlen, -int(fields[5], 16), None if hop.is_unspecified else str(hop))
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
    except (OSError, ValueError):
        return False, None
    if best is None:
        return False, None
    return True, best[2]


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.partition("%")[0]).is_loopback
    except ValueError:
        return False


def route_facts(
    address: str, proxies: tuple[str, ...] | None, windows: WindowsRoute | None = None, platform: str = sys.platform
) -> RouteFacts:
    """The route facts of ``address``; ``proxies`` None: not looked up (the user turned them off)."""
    source, error = source_address(address)
    interface = interface_of(source) if source else None
    known, gateway, came_from, profile = False, None, "", None
    if windows is not None and windows.address == address:
        interface = windows.interface or interface
        source = source or windows.source
        profile = windows.profile
        if windows.next_hop:
            hop = windows.next_hop
            known, gateway, came_from = True, None if hop in ("0.0.0.0", "::") else hop, "Find-NetRoute"
    elif source is not None and (source == address.partition("%")[0] or _is_loopback(address)):
        known, came_from = True, "local"  # this PC itself: no router (Linux keeps these routes off the main table)
    elif platform.startswith("linux") and source is not None:
        known, gateway = linux_gateway(address)
        came_from = PROC_ROUTE.as_posix() if known else ""
    return RouteFacts(
        source,
        interface,
        gateway,
        known,
        came_from,
        profile,
        proxies or (),
        proxies is not None,
        error,
    )
