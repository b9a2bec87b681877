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

from sep_port_doctor.core.path.facts import RouteFacts
from sep_port_doctor.core.zones import zone_index, zone_name

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
                sockaddr = (bare, 9, 0, zone_index(address.partition("%")[2]))
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


_Route = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int, str | None, str]
"""(destination, metric, gateway or None for on-link, interface) of one usable route; a link-local
gateway (IPv6 routers announce theirs) with its zone, the interface: it is on that link only."""


def _read_routes(route: Path, route6: Path, version: int) -> list[_Route] | None:
    """The main routing table's usable routes of one IP version (reject routes left out); None: unreadable."""
    routes: list[_Route] = []
    try:
        if version == 4:
            for line in route.read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) < 8:
                    continue
                flags = int(fields[3], 16)
                if flags & _RTF_REJECT:
                    continue
                destination, gateway, mask = _hex_v4(fields[1]), _hex_v4(fields[2]), _hex_v4(fields[7])
                network = ipaddress.IPv4Network(f"{destination}/{mask}", strict=False)
                routes.append((network, int(fields[6]), str(gateway) if flags & _RTF_GATEWAY else None, fields[0]))
        else:
            for line in route6.read_text().splitlines():
                fields = line.split()
                if len(fields) < 10:
                    continue
                flags = int(fields[8], 16)
                if flags & _RTF_REJECT or fields[9] == "lo":
                    continue
                network6 = ipaddress.IPv6Network(
                    f"{ipaddress.IPv6Address(bytes.fromhex(fields[0]))}/{int(fields[1], 16)}", strict=False
                )
                hop = ipaddress.IPv6Address(bytes.fromhex(fields[4]))
                gateway6 = None if hop.is_unspecified else f"{hop}%{fields[9]}" if hop.is_link_local else str(hop)
                routes.append((network6, int(fields[5], 16), gateway6, fields[9]))
    except (OSError, ValueError):
        return None
    return routes


def _best(
    target: ipaddress.IPv4Address | ipaddress.IPv6Address, routes: list[_Route], interface: str | None = None
) -> tuple[bool, str | None]:
    """(known, gateway) of the route the kernel picks: the longest prefix, then the least metric;
    ``interface``: a scoped target's (its zone's), whose routes alone lead to it."""
    best: tuple[int, int, str | None] | None = None
    for network, metric, gateway, device in routes:
        if target.version != network.version or target not in network or interface not in (None, device):
            continue
        candidate = (network.prefixlen, -metric, gateway)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return (False, None) if best is None else (True, best[2])


def linux_gateway(address: str, route: Path = PROC_ROUTE, route6: Path = PROC_ROUTE6) -> tuple[bool, str | None]:
    """(known, gateway) from the main routing table; gateway None: on this PC's own network."""
    target = ipaddress.ip_address(address.partition("%")[0])
    routes = _read_routes(route, route6, target.version)
    return (False, None) if routes is None else _best(target, routes, zone_interface(address))


def zone_interface(address: str) -> str | None:
    """The interface a scoped address's zone names (``fe80::1%eth0``, ``fe80::1%2``); None: no zone, or no such interface."""
    zone = address.partition("%")[2]
    if not zone:
        return None
    if not zone.isdigit():
        return zone
    name = zone_name(int(zone))
    return None if name == zone else name


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.partition("%")[0]).is_loopback
    except ValueError:
        return False


class RouteReader:
    """Route facts of many addresses with the system's tables read once and each source's interface
    looked up once (a push sweep's hundreds of PCs); one reader per run, the tables may change."""

    def __init__(self, platform: str = sys.platform, route: Path = PROC_ROUTE, route6: Path = PROC_ROUTE6) -> None:
        self.platform = platform
        self.route, self.route6 = route, route6
        self._tables: dict[int, list[_Route] | None] = {}
        self._interfaces: dict[str, str | None] = {}

    def _gateway(self, address: str) -> tuple[bool, str | None]:
        target = ipaddress.ip_address(address.partition("%")[0])
        if target.version not in self._tables:
            self._tables[target.version] = _read_routes(self.route, self.route6, target.version)
        routes = self._tables[target.version]
        return (False, None) if routes is None else _best(target, routes, zone_interface(address))

    def _interface(self, source: str) -> str | None:
        if source not in self._interfaces:
            self._interfaces[source] = interface_of(source)
        return self._interfaces[source]

    def on_link(self, address: str) -> bool:
        """Whether the system says ``address`` is on this PC's own network (no router between);
        False where it does not say. The routing table alone: no interface is looked up."""
        source, _error = source_address(address)
        if source is None or source == address.partition("%")[0] or _is_loopback(address):
            return source is not None
        if not self.platform.startswith("linux"):
            return False
        known, gateway = self._gateway(address)
        return known and gateway is None

    def facts(self, address: str, proxies: tuple[str, ...] | None, windows: WindowsRoute | None = None) -> RouteFacts:
        """The route facts of ``address``; ``proxies`` None: not looked up (turned off, or not relevant)."""
        source, error = source_address(address)
        interface = None
        if source is not None:
            # A scoped address is on the card its zone names (two cards may hold one link-local address);
            # a zone by number (Windows' %12) is named as psutil names the card holding the source.
            zone = address.partition("%")[2]
            named = zone if zone and not zone.isdigit() else None
            interface = named or self._interface(source) or zone_interface(address)
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
        elif self.platform.startswith("linux") and source is not None:
            known, gateway = self._gateway(address)
            table = self.route6 if ":" in address else self.route
            came_from = table.as_posix() if known else ""
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


def route_facts(
    address: str, proxies: tuple[str, ...] | None, windows: WindowsRoute | None = None, platform: str = sys.platform
) -> RouteFacts:
    """The route facts of ``address``; ``proxies`` None: not looked up (the user turned them off)."""
    return RouteReader(platform).facts(address, proxies, windows)
