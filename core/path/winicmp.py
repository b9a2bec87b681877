"""ICMP echo on Windows without administrator rights: the IP Helper API's ``IcmpSendEcho2``
(IPv4) and ``Icmp6SendEcho2`` (IPv6).

Windows lets any user send ICMP echo through ``iphlpapi.dll`` (ping.exe and tracert.exe do);
a TTL (IPv6: hop limit) in the request's ``IP_OPTION_INFORMATION`` makes it a trace hop (a
router answers ``IP_TTL_EXPIRED_TRANSIT``, IPv6's ``IP_HOP_LIMIT_EXCEEDED``, with its address).
The call blocks for up to its timeout, so the callers run it in a daemon thread of its own
(``core.resolver.in_daemon_thread``): a cancelled trace abandons the calls at once.

``Icmp6SendEcho2`` takes the destination as a ``SOCKADDR_IN6`` whose scope id is the
interface a link-local address is on (``fe80::1%12``: interface 12, as ipconfig shows it);
the reply names who answered in an ``IPV6_ADDRESS_EX`` with its scope id. ``parse_reply``
and ``parse_reply6`` read the reply buffer as the API fills it (``ICMP_ECHO_REPLY``,
``ICMPV6_ECHO_REPLY``), ``sockaddr_in6`` builds the destination; the structures use
fixed-size integers, so the layout is the same on Linux, where the tests check them against
buffers built after ipexport.h and ws2ipdef.h, and run ``WindowsIcmp`` against a fake of the DLL.
"""

from __future__ import annotations

import ctypes
import ipaddress
import socket
import struct
import sys
from dataclasses import dataclass
from typing import Any, Protocol

from sep_port_doctor.core.zones import zone_index

IP_SUCCESS = 0
IP_REQ_TIMED_OUT = 11010
IP_TTL_EXPIRED_TRANSIT = 11013
"""IPv6's IP_HOP_LIMIT_EXCEEDED too."""
IP_TTL_EXPIRED_REASSEM = 11014
UNREACHABLE_STATUS = {
    11002: "net-unreach",
    11003: "host-unreach",
    11004: "protocol-unreach",
    11005: "port-unreach",
    11018: "bad-destination",
}
"""IP_STATUS codes that say a device refused to deliver the echo (ipexport.h)."""
UNREACHABLE_STATUS6 = {
    11002: "no-route",
    11003: "addr-unreach",
    11004: "admin-prohibited",
    11005: "port-unreach",
    11018: "bad-destination",
    11040: "dest-unreach",
    11045: "scope-mismatch",
}
"""The same for IPv6, in its own terms (ipexport.h: IP_DEST_NO_ROUTE, IP_DEST_ADDR_UNREACHABLE,
IP_DEST_PROHIBITED, ...; IP_DEST_UNREACHABLE and IP_DEST_SCOPE_MISMATCH are IPv6's only)."""
PAYLOAD = b"SEP Port Doctor path check"
AF_INET6_WINDOWS = 23
"""Windows' AF_INET6 (Linux's is 10): SOCKADDR_IN6 is built for Windows wherever it is built."""


class IpOptionInformation(ctypes.Structure):
    _fields_ = [
        ("Ttl", ctypes.c_uint8),
        ("Tos", ctypes.c_uint8),
        ("Flags", ctypes.c_uint8),
        ("OptionsSize", ctypes.c_uint8),
        ("OptionsData", ctypes.c_void_p),
    ]


class IcmpEchoReply(ctypes.Structure):
    """``ICMP_ECHO_REPLY`` (ipexport.h); ULONG is 32 bits on Windows, so c_uint32 here."""

    _fields_ = [
        ("Address", ctypes.c_uint32),
        ("Status", ctypes.c_uint32),
        ("RoundTripTime", ctypes.c_uint32),
        ("DataSize", ctypes.c_uint16),
        ("Reserved", ctypes.c_uint16),
        ("Data", ctypes.c_void_p),
        ("Options", IpOptionInformation),
    ]


REPLY_SIZE = ctypes.sizeof(IcmpEchoReply) + len(PAYLOAD) + 8 + 64
"""The API asks for one reply, the payload echoed, 8 bytes for an ICMP error and room for options."""

ICMPV6_REPLY_SIZE = 36
"""``ICMPV6_ECHO_REPLY``: a packed ``IPV6_ADDRESS_EX`` (port 2, flow info 4, address 16, scope id 4:
26 bytes), Status at 28 (a ULONG's alignment), RoundTripTime at 32."""
REPLY6_SIZE = ICMPV6_REPLY_SIZE + len(PAYLOAD) + 8 + 64
SOCKADDR_IN6_SIZE = 28


@dataclass(frozen=True)
class EchoReply:
    """One call's outcome: the IP_STATUS, who answered, the round trip."""

    status: int
    address: str | None
    rtt_ms: float | None


class IcmpApi(Protocol):
    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        """One echo request with this TTL (IPv6: hop limit) to ``address`` (IPv4, or IPv6 with its
        zone where it is link-local); blocks up to ``timeout_ms``."""


def refusal(status: int, address: str) -> str | None:
    """The words of an IP_STATUS that says a device refused to deliver the echo (IPv6's own terms
    toward an IPv6 address); None: not a refusal."""
    return (UNREACHABLE_STATUS6 if ":" in address else UNREACHABLE_STATUS).get(status)


def parse_reply(buffer: bytes, returned: int, last_error: int) -> EchoReply:
    """What one ``IcmpSendEcho2`` call said: ``returned`` replies (0: ``last_error`` is the status)."""
    if len(buffer) < ctypes.sizeof(IcmpEchoReply):
        return EchoReply(last_error or IP_REQ_TIMED_OUT, None, None)
    reply = IcmpEchoReply.from_buffer_copy(buffer[: ctypes.sizeof(IcmpEchoReply)])
    address = socket.inet_ntoa(struct.pack("=I", reply.Address)) if reply.Address else None
    if returned == 0:
        # No reply in the buffer: the status is the last error (a timeout, or a refusal without an answer).
        status = last_error or int(reply.Status) or IP_REQ_TIMED_OUT
        return EchoReply(status, address if reply.Status == status else None, None)
    return EchoReply(int(reply.Status), address, float(reply.RoundTripTime))


def sockaddr_in6(address: str) -> bytes:
    """Windows' ``SOCKADDR_IN6`` (ws2ipdef.h) for ``address``: family, port 0, flow info 0, the
    address, and its zone's interface index as the scope id (0: none)."""
    bare, _, zone = address.partition("%")
    packed = socket.inet_pton(socket.AF_INET6, bare)
    return struct.pack("<HHI16sI", AF_INET6_WINDOWS, 0, 0, packed, zone_index(zone))


def parse_reply6(buffer: bytes, returned: int, last_error: int) -> EchoReply:
    """What one ``Icmp6SendEcho2`` call said (``parse_reply``'s rules); a link-local sender with
    its zone, the interface number as Windows writes it (``fe80::1%12``)."""
    if len(buffer) < ICMPV6_REPLY_SIZE:
        return EchoReply(last_error or IP_REQ_TIMED_OUT, None, None)
    packed, scope = struct.unpack_from("<16sI", buffer, 6)
    status, rtt = struct.unpack_from("<II", buffer, 28)
    address = None
    if any(packed):
        sender = ipaddress.IPv6Address(packed)
        address = f"{sender}%{scope}" if scope and sender.is_link_local else str(sender)
    if returned == 0:
        answered = last_error or int(status) or IP_REQ_TIMED_OUT
        return EchoReply(answered, address if status == answered else None, None)
    return EchoReply(int(status), address, float(rtt))


def _iphlpapi() -> Any:
    if sys.platform != "win32":
        raise OSError("IcmpSendEcho2 exists only on Windows")
    return ctypes.WinDLL("iphlpapi.dll", use_last_error=True)


def _last_error() -> int:
    if sys.platform == "win32":
        return ctypes.get_last_error()
    return 0  # a test's fake of the DLL: its status is in the reply buffer


class WindowsIcmp:
    """``IcmpSendEcho2`` and ``Icmp6SendEcho2`` through ctypes (Windows; ``api``: a test's fake of the DLL)."""

    def __init__(self, api: Any = None) -> None:
        self._api: Any = api if api is not None else _iphlpapi()
        self._api.IcmpCreateFile.restype = ctypes.c_void_p
        self._api.Icmp6CreateFile.restype = ctypes.c_void_p
        self._api.IcmpCloseHandle.argtypes = [ctypes.c_void_p]
        # IcmpHandle, Event, ApcRoutine, ApcContext; then the destination; then RequestData, RequestSize,
        # RequestOptions, ReplyBuffer, ReplySize, Timeout (ms).
        head = [ctypes.c_void_p] * 4
        tail = [ctypes.c_void_p, ctypes.c_uint16, ctypes.POINTER(IpOptionInformation)]
        tail += [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint32]
        self._api.IcmpSendEcho2.restype = ctypes.c_uint32
        self._api.IcmpSendEcho2.argtypes = [*head, ctypes.c_uint32, *tail]  # IPAddr, network order
        self._api.Icmp6SendEcho2.restype = ctypes.c_uint32
        # SourceAddress (any) and DestinationAddress (with the zone's scope id): SOCKADDR_IN6.
        self._api.Icmp6SendEcho2.argtypes = [*head, ctypes.c_void_p, ctypes.c_void_p, *tail]

    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        v6 = ":" in address
        if v6:
            source = ctypes.create_string_buffer(sockaddr_in6("::"), SOCKADDR_IN6_SIZE)
            destination = ctypes.create_string_buffer(sockaddr_in6(address), SOCKADDR_IN6_SIZE)
            create, size, parse = self._api.Icmp6CreateFile, REPLY6_SIZE, parse_reply6
        else:
            destination4 = struct.unpack("=I", socket.inet_aton(address))[0]
            create, size, parse = self._api.IcmpCreateFile, REPLY_SIZE, parse_reply
        handle = create()
        if not handle or handle == ctypes.c_void_p(-1).value:
            raise OSError(_last_error(), f"Icmp{'6' if v6 else ''}CreateFile failed")
        try:
            options = IpOptionInformation(Ttl=ttl)
            request = ctypes.create_string_buffer(PAYLOAD, len(PAYLOAD))
            reply = ctypes.create_string_buffer(size)
            rest = (request, len(PAYLOAD), ctypes.byref(options), reply, size, timeout_ms)
            if v6:
                returned = self._api.Icmp6SendEcho2(handle, None, None, None, source, destination, *rest)
            else:
                returned = self._api.IcmpSendEcho2(handle, None, None, None, destination4, *rest)
            error = _last_error() if returned == 0 else 0
            return parse(reply.raw, int(returned), error)
        finally:
            self._api.IcmpCloseHandle(handle)
