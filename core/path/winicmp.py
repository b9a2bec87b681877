"""ICMP echo on Windows without administrator rights: the IP Helper API's ``IcmpSendEcho2``.

Windows lets any user send ICMP echo through ``iphlpapi.dll`` (ping.exe and tracert.exe do);
a TTL in the request's ``IP_OPTION_INFORMATION`` makes it a trace hop (a router answers
``IP_TTL_EXPIRED_TRANSIT`` with its address). The call blocks for up to its timeout, so the
callers run it in a daemon thread of its own (``core.resolver.in_daemon_thread``): a
cancelled trace abandons the calls at once.

``parse_reply`` reads the reply buffer as the API fills it (``ICMP_ECHO_REPLY``); the
structures use fixed-size integers, so the layout is the same on Linux, where the tests
check it against buffers built the way Windows fills them. IPv4 only (``Icmp6SendEcho2``
is not used: IPv6 targets get "not available here").
"""

from __future__ import annotations

import ctypes
import socket
import struct
import sys
from dataclasses import dataclass
from typing import Any, Protocol

IP_SUCCESS = 0
IP_REQ_TIMED_OUT = 11010
IP_TTL_EXPIRED_TRANSIT = 11013
IP_TTL_EXPIRED_REASSEM = 11014
UNREACHABLE_STATUS = {
    11002: "net-unreach",
    11003: "host-unreach",
    11004: "protocol-unreach",
    11005: "port-unreach",
    11018: "bad-destination",
}
"""IP_STATUS codes that say a device refused to deliver the echo (ipexport.h)."""
PAYLOAD = b"SEP Port Doctor path check"


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


@dataclass(frozen=True)
class EchoReply:
    """One call's outcome: the IP_STATUS, who answered, the round trip."""

    status: int
    address: str | None
    rtt_ms: float | None


class IcmpApi(Protocol):
    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        """One echo request with this TTL; blocks up to ``timeout_ms``."""


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


class WindowsIcmp:
    """``IcmpSendEcho2`` through ctypes (Windows only)."""

    def __init__(self) -> None:
        if sys.platform != "win32":
            raise OSError("IcmpSendEcho2 exists only on Windows")
        self._api: Any = ctypes.WinDLL("iphlpapi.dll", use_last_error=True)
        self._api.IcmpCreateFile.restype = ctypes.c_void_p
        self._api.IcmpCloseHandle.argtypes = [ctypes.c_void_p]
        self._api.IcmpSendEcho2.restype = ctypes.c_uint32
        self._api.IcmpSendEcho2.argtypes = [
            ctypes.c_void_p,  # IcmpHandle
            ctypes.c_void_p,  # Event
            ctypes.c_void_p,  # ApcRoutine
            ctypes.c_void_p,  # ApcContext
            ctypes.c_uint32,  # DestinationAddress (IPAddr, network order)
            ctypes.c_void_p,  # RequestData
            ctypes.c_uint16,  # RequestSize
            ctypes.POINTER(IpOptionInformation),
            ctypes.c_void_p,  # ReplyBuffer
            ctypes.c_uint32,  # ReplySize
            ctypes.c_uint32,  # Timeout (ms)
        ]

    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        if sys.platform != "win32":
            raise OSError("IcmpSendEcho2 exists only on Windows")
        handle = self._api.IcmpCreateFile()
        if not handle or handle == ctypes.c_void_p(-1).value:
            raise OSError(ctypes.get_last_error(), "IcmpCreateFile failed")
        try:
            destination = struct.unpack("=I", socket.inet_aton(address))[0]
            options = IpOptionInformation(Ttl=ttl)
            request = ctypes.create_string_buffer(PAYLOAD, len(PAYLOAD))
            reply = ctypes.create_string_buffer(REPLY_SIZE)
            returned = self._api.IcmpSendEcho2(
                handle,
                None,
                None,
                None,
                destination,
                request,
                len(PAYLOAD),
                ctypes.byref(options),
                reply,
                REPLY_SIZE,
                timeout_ms,
            )
            error = ctypes.get_last_error() if returned == 0 else 0
            return parse_reply(reply.raw, int(returned), error)
        finally:
            self._api.IcmpCloseHandle(handle)
