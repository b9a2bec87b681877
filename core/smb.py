"""The SMB2 NEGOTIATE request, its exchange and its response (``core.checks.smb_negotiate`` judges it).

The messages are smbprotocol's (``SMB3NegotiateRequest`` with the SMB 2.0.2 to 3.1.1
dialects, as Windows offers them; the response parsed by ``SMB2NegotiateResponse``).
"""

from __future__ import annotations

import os
import struct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

SMB2_MAGIC = b"\xfeSMB"
SMB1_MAGIC = b"\xffSMB"
MAX_ANSWER = 65536
"""A NEGOTIATE response is a few hundred bytes; a longer one is not read past this."""

DIALECT_NAMES = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1", 0x02FF: "2.???"}
_SIGNING_ENABLED, _SIGNING_REQUIRED = 0x0001, 0x0002


SMB_LIBRARIES = ("smbprotocol.connection", "smbprotocol.header", "uuid")
"""What ``negotiate_request`` loads the first time (the ``preload`` of push's SMB check)."""


def negotiate_request() -> bytes:
    """The NEGOTIATE request as Windows 10 sends it (every SMB2/3 dialect, 3.1.1's contexts), framed for TCP."""
    from smbprotocol import Dialects
    from smbprotocol.connection import (
        Ciphers,
        HashAlgorithms,
        NegotiateContextType,
        SecurityMode,
        SMB2EncryptionCapabilities,
        SMB2NegotiateContextRequest,
        SMB2PreauthIntegrityCapabilities,
        SMB3NegotiateRequest,
    )
    from smbprotocol.header import Commands, SMB2HeaderRequest

    request = SMB3NegotiateRequest()
    request["dialects"] = [
        Dialects.SMB_2_0_2,
        Dialects.SMB_2_1_0,
        Dialects.SMB_3_0_0,
        Dialects.SMB_3_0_2,
        Dialects.SMB_3_1_1,
    ]
    request["security_mode"] = SecurityMode.SMB2_NEGOTIATE_SIGNING_ENABLED
    import uuid  # here: the check's declaration imports this module, and `ports` reads those

    request["client_guid"] = uuid.UUID(bytes=os.urandom(16))
    integrity = SMB2NegotiateContextRequest()
    integrity["context_type"] = NegotiateContextType.SMB2_PREAUTH_INTEGRITY_CAPABILITIES
    integrity["data"] = SMB2PreauthIntegrityCapabilities()
    integrity["data"]["hash_algorithms"] = [HashAlgorithms.SHA_512]
    integrity["data"]["salt"] = os.urandom(32)
    encryption = SMB2NegotiateContextRequest()
    encryption["context_type"] = NegotiateContextType.SMB2_ENCRYPTION_CAPABILITIES
    encryption["data"] = SMB2EncryptionCapabilities()
    encryption["data"]["ciphers"] = [Ciphers.AES_128_GCM, Ciphers.AES_128_CCM]
    request["negotiate_context_list"] = [integrity, encryption]
    header = SMB2HeaderRequest()
    header["command"] = Commands.SMB2_NEGOTIATE
    header["credit_request"] = 1
    header["message_id"] = 0
    header["data"] = request
    message = header.pack()
    return struct.pack(">I", len(message)) + bytes(message)


def parse_negotiate_response(message: bytes) -> dict[str, Any]:
    """The facts of an SMB2 NEGOTIATE response (the message after the 4-byte TCP framing).

    Raises ValueError for anything else (the caller says what came instead)."""
    from smbprotocol.connection import SMB2NegotiateResponse
    from smbprotocol.header import SMB2HeaderResponse

    if not message.startswith(SMB2_MAGIC):
        raise ValueError("not an SMB2 message")
    header = SMB2HeaderResponse()
    try:
        header.unpack(message)
    except Exception as exc:  # smbprotocol raises several kinds for a cut header
        raise ValueError(f"a cut SMB2 header ({exc.__class__.__name__})") from None
    if header["command"].get_value() != 0:
        raise ValueError("an SMB2 answer that is not a NEGOTIATE response")
    status = header["status"].get_value()
    if status != 0:
        raise ValueError(f"the server refused the NEGOTIATE (status 0x{status:08x})")
    response = SMB2NegotiateResponse()
    try:
        response.unpack(header["data"].get_value())
    except Exception as exc:
        raise ValueError(f"a cut NEGOTIATE response ({exc.__class__.__name__})") from None
    dialect = int(response["dialect_revision"].get_value())
    mode = int(response["security_mode"].get_value())
    return {
        "dialect": DIALECT_NAMES.get(dialect, f"0x{dialect:04x}"),
        "signing_enabled": bool(mode & _SIGNING_ENABLED),
        "signing_required": bool(mode & _SIGNING_REQUIRED),
        "server_guid": str(response["server_guid"].get_value()),
    }


async def exchange(address: str, port: int, deadline: float) -> bytes:
    """Send the NEGOTIATE and read the first framed answer (or what came instead, or b"" when the
    peer closed without a word); raises TimeoutError past ``deadline`` and OSError when the
    connection fails. The connection is closed on every way out."""
    import asyncio  # here: the check's declaration imports this module, and `ports` reads those
    import contextlib

    # Made before the deadline starts: the first one loads smbprotocol (0.2-0.5 s on a busy PC),
    # which is not the PC's time to answer.
    request = negotiate_request()
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(deadline):
            # The address keeps its zone id (fe80::1%eth0): without it a link-local PC's connect fails (EINVAL).
            reader, writer = await asyncio.open_connection(address, port)
            writer.write(request)
            await writer.drain()
            return await _read_answer(reader)
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(1):
                    await writer.wait_closed()


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    """The first framed message; a peer that is not SMB may send anything, or nothing."""
    head = await reader.read(4)
    if len(head) < 4:
        head += await reader.read(4 - len(head))
    if len(head) < 4:
        return head
    length = struct.unpack(">I", head)[0]
    if head[0] != 0 or not 0 < length <= MAX_ANSWER:
        return head + await _some(reader)
    body = b""
    while len(body) < length:
        chunk = await reader.read(length - len(body))
        if not chunk:
            break
        body += chunk
    return head + body


async def _some(reader: asyncio.StreamReader) -> bytes:
    """A little more of a foreign answer, for the evidence (a line of text arrives in one piece)."""
    import asyncio
    import contextlib

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(0.2):
            return await reader.read(64)
    return b""
