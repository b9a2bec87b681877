"""The NetBIOS node-status query PortQry sends to UDP 137, and its answer."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from sep_port_doctor.core.i18n import Joined, Message

_NBSTAT = 0x0021
_CLASS_IN = 0x0001


def _encode_name(name: bytes) -> bytes:
    """First-level encoding (RFC 1001): each half-byte becomes a letter from 'A'."""
    padded = name.ljust(16, b"\x00")[:16]
    encoded = bytearray()
    for byte in padded:
        encoded += bytes((0x41 + (byte >> 4), 0x41 + (byte & 0x0F)))
    return bytes((32,)) + bytes(encoded) + b"\x00"


def _random_id() -> int:
    """A 16-bit transaction id (``os.urandom``: ``secrets`` costs ~25 ms of start-up for this)."""
    return int.from_bytes(os.urandom(2), "big")


def _netbios_name(name: str, suffix: int) -> bytes:
    """A NetBIOS name as the datagram service carries it: 15 characters, space-padded, then the suffix."""
    raw = name.upper().encode("ascii")[:15].ljust(15, b" ") + bytes((suffix,))
    encoded = bytearray()
    for byte in raw:
        encoded += bytes((0x41 + (byte >> 4), 0x41 + (byte & 0x0F)))
    return bytes((32,)) + bytes(encoded) + b"\x00"


DATAGRAM_DIRECT_UNIQUE = 0x10
DATAGRAM_SOURCE_NAME = "SEPPORTDOCTOR"
DATAGRAM_DESTINATION = "*SMBSERVER"


def datagram_packet(source_ip: str, source_port: int, datagram_id: int | None = None) -> bytes:
    """A NetBIOS datagram-service packet for UDP 138 (RFC 1002 4.4.1: DIRECT_UNIQUE, first fragment).

    Addressed to ``*SMBSERVER<20>`` with no user data: nothing on the receiver acts on it, but
    it is a real datagram, so a closed port answers with ICMP port-unreachable, and a
    datagram service that does not hold the name may answer with a DATAGRAM ERROR.
    """
    dgm_id = _random_id() if datagram_id is None else datagram_id
    names = _netbios_name(DATAGRAM_SOURCE_NAME, 0x00) + _netbios_name(DATAGRAM_DESTINATION, 0x20)
    flags = 0x02  # FIRST fragment, no MORE, B node
    header = struct.pack(">BBH", DATAGRAM_DIRECT_UNIQUE, flags, dgm_id)
    header += bytes(int(part) for part in source_ip.split(".")) if source_ip.count(".") == 3 else b"\x00" * 4
    header += struct.pack(">HHH", source_port, len(names), 0)
    return header + names


def node_status_query(transaction_id: int | None = None) -> bytes:
    tid = _random_id() if transaction_id is None else transaction_id
    header = struct.pack(">HHHHHH", tid, 0x0000, 1, 0, 0, 0)
    return header + _encode_name(b"*") + struct.pack(">HH", _NBSTAT, _CLASS_IN)


@dataclass(frozen=True)
class NodeName:
    name: str
    suffix: int
    group: bool


@dataclass(frozen=True)
class NodeStatus:
    names: tuple[NodeName, ...]
    mac: str

    def describe(self) -> Joined:
        """``computer PC01, workgroup SALES, MAC 00:11:22:33:44:55`` in any language."""
        unique = [n.name for n in self.names if not n.group and n.suffix == 0x00]
        group = [n.name for n in self.names if n.group and n.suffix == 0x00]
        parts = []
        if unique:
            parts.append(Message("evidence.netbios-computer", name=unique[0]))
        if group:
            parts.append(Message("evidence.netbios-workgroup", name=group[0]))
        parts.append(Message("evidence.netbios-mac", mac=self.mac))
        return Joined(tuple(parts))


class NetbiosError(ValueError):
    pass


def parse_node_status(data: bytes) -> NodeStatus:
    """Parse a node-status answer; raises NetbiosError (and nothing else) for anything else.

    Every read is bounds-checked: the answer comes from the network and may end anywhere.
    """
    if len(data) < 12:
        raise NetbiosError("answer too short for a NetBIOS node status")
    _tid, flags, _qd, ancount, _ns, _ar = struct.unpack(">HHHHHH", data[:12])
    if not flags & 0x8000 or ancount < 1:
        raise NetbiosError("not a NetBIOS answer")
    offset = 12
    if offset >= len(data):
        raise NetbiosError("truncated answer: no record")
    length = data[offset]
    if length & 0xC0:
        raise NetbiosError("compressed or invalid name in the answer")
    offset += 1 + length + 1  # encoded name and its terminating zero
    if offset + 10 > len(data):
        raise NetbiosError("truncated answer: the record header is cut")
    rr_type, _rr_class, _ttl, rdlength = struct.unpack(">HHIH", data[offset : offset + 10])
    offset += 10
    if rr_type != _NBSTAT:
        raise NetbiosError(f"answer of type {rr_type:#06x}, not NBSTAT")
    end = min(len(data), offset + rdlength)
    if offset >= end:
        raise NetbiosError("truncated answer: the record ends after its header")
    count = data[offset]
    offset += 1
    names = []
    for _ in range(count):
        if offset + 18 > end:
            raise NetbiosError("truncated name table")
        raw = data[offset : offset + 15].rstrip(b" \x00")
        suffix = data[offset + 15]
        name_flags = struct.unpack(">H", data[offset + 16 : offset + 18])[0]
        names.append(NodeName(raw.decode("latin-1"), suffix, bool(name_flags & 0x8000)))
        offset += 18
    mac_bytes = data[offset : offset + 6] if offset + 6 <= end else b""
    mac = ":".join(f"{b:02x}" for b in mac_bytes) if mac_bytes else "unknown"
    return NodeStatus(tuple(names), mac)


def node_status_answer(query: bytes, computer: str, workgroup: str, mac: bytes) -> bytes:
    """An answer as Windows or nmbd would send it (used by the simulated manager and tests)."""
    tid = struct.unpack(">H", query[:2])[0]
    header = struct.pack(">HHHHHH", tid, 0x8400, 0, 1, 0, 0)
    entries = [
        (computer, 0x00, 0x0400),
        (computer, 0x20, 0x0400),
        (workgroup, 0x00, 0x8400),
    ]
    table = bytes((len(entries),))
    for name, suffix, flags in entries:
        table += name.encode("latin-1")[:15].ljust(15, b" ") + bytes((suffix,)) + struct.pack(">H", flags)
    table += mac[:6].ljust(6, b"\x00") + b"\x00" * 40
    rr = _encode_name(b"*") + struct.pack(">HHIH", _NBSTAT, _CLASS_IN, 0, len(table))
    return header + rr + table
