"""Real loopback servers for the probe tests: well-behaved, broken and hostile ones.

Each behaviour is a real asyncio server on 127.0.0.1 with a free port; nothing is
mocked. Every server ends its connections when the test's loop stops it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sep_port_doctor.core.simulator import Certificate, close_writer, make_certificate, read_request_target

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def http_response(status: int, body: bytes, reason: str = "OK", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
    return head.encode() + body


def answer(payload: bytes) -> Behaviour:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_target(reader)
        writer.write(payload)
        await writer.drain()

    return serve


def answer_at_once(payload: bytes) -> Behaviour:
    """Like a plain HTTP server meeting a TLS ClientHello: it answers the garbage at once."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.write(payload)
        await writer.drain()

    return serve


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        await reader.read()


async def reset_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    # SO_LINGER 0: close() sends a RST instead of a FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.transport.abort()


def trickle(payload: bytes, delay: float = 0.2) -> Behaviour:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_target(reader)
        for byte in payload:
            writer.write(bytes((byte,)))
            await writer.drain()
            await asyncio.sleep(delay)

    return serve


def huge_body(size: int) -> Behaviour:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request_target(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        chunk = b"A" * 65536
        sent = 0
        while sent < size:
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)

    return serve


@dataclass
class LoopbackServer:
    behaviour: Behaviour
    context: ssl.SSLContext | None = None
    port: int = 0
    connections: int = 0
    _server: asyncio.base_events.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> LoopbackServer:
        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            task = asyncio.ensure_future(self._serve(reader, writer))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._server = await asyncio.start_server(on_connect, "127.0.0.1", 0, ssl=self.context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self.behaviour(reader, writer)
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            await close_writer(writer)

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        # A connection the loop has just accepted reaches on_connect a few turns later (asyncio's own
        # task makes its transport): let it arrive and be closed by its handler, not leaked.
        for _ in range(3):
            await asyncio.sleep(0)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)
        await self._server.wait_closed()


@contextlib.asynccontextmanager
async def serving(behaviour: Behaviour, context: ssl.SSLContext | None = None) -> AsyncIterator[LoopbackServer]:
    server = await LoopbackServer(behaviour, context).start()
    try:
        yield server
    finally:
        await server.stop()


def _hold_tcp_port() -> list[socket.socket]:
    """Sockets bound to one free port on 127.0.0.1 and ::1 (when this machine has IPv6 loopback),
    never listening; empty when the port drawn is taken on ::1."""
    v4 = socket.socket()
    v4.bind(("127.0.0.1", 0))
    if not socket.has_ipv6:
        return [v4]
    v6 = socket.socket(socket.AF_INET6)
    try:
        v6.bind(("::1", v4.getsockname()[1]))
    except OSError as exc:
        v6.close()
        if exc.errno == errno.EADDRINUSE:
            v4.close()
            return []
        return [v4]  # no IPv6 loopback here
    return [v4, v6]


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback TCP port where nothing listens: the kernel answers a connect with a reset.

    The port stays held while the test runs (bound on 127.0.0.1 and ::1, never listening), so no
    other process can take it meanwhile, as it could take a port that was bound and closed again."""
    for _attempt in range(20):
        held = _hold_tcp_port()
        if held:
            break
    else:
        raise RuntimeError("no loopback port free on both 127.0.0.1 and ::1 in 20 tries")
    try:
        yield int(held[0].getsockname()[1])
    finally:
        for sock in held:
            sock.close()


@contextlib.contextmanager
def closed_udp_port() -> Iterator[int]:
    """A loopback UDP port where a datagram gets ICMP port unreachable, held while the test runs:
    a socket bound to it and connected to itself only accepts its own datagrams, so the kernel
    answers everyone else's as if nothing were bound there."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.connect(sock.getsockname())
        yield int(sock.getsockname()[1])


@contextlib.contextmanager
def dropping_port(host: str = "127.0.0.1", port: int = 0) -> Iterator[int]:
    """A loopback port that silently drops SYNs: a listener whose accept queue is full (on ``host``,
    ``port``: 0 for a free one)."""
    listener = socket.socket()
    listener.bind((host, port))
    listener.listen(0)
    port = int(listener.getsockname()[1])
    fillers: list[socket.socket] = []
    for _ in range(2):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect((host, port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, listener]:
            sock.close()


class UdpServer(asyncio.DatagramProtocol):
    """Answers each datagram with ``reply(data)``, or stays silent when it returns None."""

    def __init__(self, reply: Callable[[bytes], bytes | None]) -> None:
        self.reply = reply
        self.received: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)
        answer = self.reply(data)
        if answer is not None:
            self.transport.sendto(answer, addr)  # type: ignore[attr-defined]


@contextlib.asynccontextmanager
async def udp_serving(reply: Callable[[bytes], bytes | None]) -> AsyncIterator[tuple[int, UdpServer]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(lambda: UdpServer(reply), local_addr=("127.0.0.1", 0))
    try:
        yield transport.get_extra_info("sockname")[1], protocol
    finally:
        transport.close()


# Broken and hostile HTTP servers, each with a fragment of the failed check's detail.
HOSTILE_HTTP: dict[str, tuple[Behaviour, str]] = {
    "wrong body": (answer(http_response(200, b"<html>It works!</html>")), "not 'OK'"),
    "error status 500": (answer(http_response(500, b"oops", "Internal Server Error")), "HTTP 500"),
    "not found 404": (answer(http_response(404, b"nope", "Not Found")), "HTTP 404"),
    "accepts and never answers": (never_answer, "no complete answer within"),
    "reset right after accept": (reset_at_once, ""),
    "trickles one byte at a time": (trickle(http_response(200, b"OK"), 0.3), "no complete answer within"),
    "binary garbage": (answer(bytes(range(256)) * 4), "not valid HTTP"),
    "body not UTF-8": (answer(http_response(200, b"\xff\xfe\x00OK\x80")), "not 'OK'"),
    "50 MB body": (huge_body(50 * 1024 * 1024), "not 'OK'"),
}


# --- Hostile answers beyond HTTP: certificates, the version API, NetBIOS, terminal escapes ------


def x400_san_certificate(common_name: str = "sepm-hostile") -> Certificate:
    """A certificate whose subjectAltName holds an x400Address: OpenSSL serves it, `cryptography`
    cannot read that name type (UnsupportedGeneralNameType, not a ValueError).

    Made by patching a DNS name's tag ([2] IA5String) into [3] x400Address with a DER SEQUENCE
    inside; the signature no longer verifies, which a TLS server does not check on its own cert.
    """
    placeholder = "x400-placeholder.invalid"
    made = make_certificate(common_name, [placeholder, "127.0.0.1"])
    der = x509.load_pem_x509_certificate(made.cert_pem).public_bytes(serialization.Encoding.DER)
    name = placeholder.encode()
    at = der.index(name)
    assert der[at - 2] == 0x82 and der[at - 1] == len(name)
    payload = bytes((0x30, len(name) - 2)) + b"A" * (len(name) - 2)
    patched = der[: at - 2] + bytes((0xA3, len(name))) + payload + der[at + len(name) :]
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(patched) + b"-----END CERTIFICATE-----\n"
    return Certificate(pem, made.key_pem)


def nested_json(depth: int = 2000) -> bytes:
    """2,000 nested JSON arrays: 4,000 bytes, within MAX_BODY (Python 3.11's own parser gives up at such depths)."""
    return b"[" * depth + b"]" * depth


def netbios_cut_after_record_header(query: bytes) -> bytes:
    """A node-status answer whose name is longer than usual and which ends right after the
    record header: the name table's count byte is missing."""
    tid = query[:2] if len(query) >= 2 else b"\x00\x00"
    header = tid + struct.pack(">HHHHH", 0x8400, 0, 1, 0, 0)
    name = bytes((40,)) + b"C" * 40 + b"\x00"
    return header + name + struct.pack(">HHIH", 0x0021, 0x0001, 0, 200)


# Escape sequences a hostile server would like a terminal to run: set the title, clear the
# screen, write the clipboard (OSC 52), and a C1 CSI.
TERMINAL_ATTACK = "\x1b]0;owned\x07\x1b[2J\x1b]52;c;ZWNobyBvd25lZA==\x07\x9b31m"


@dataclass(frozen=True)
class HostileServer:
    """One hostile server for one catalogue port, and what the check must say about it."""

    default_port: int
    entry: str
    role: str
    protocol: str = "tcp"
    behaviour: Behaviour | None = None
    certificate: Callable[[], Certificate] | None = None
    udp_reply: Callable[[bytes], bytes | None] | None = None
    words: str = ""
    """A fragment of the check's JSON (its application detail or reason)."""
    all_ports: bool = False


HOSTILE_SERVERS: dict[str, HostileServer] = {
    "certificate SAN with an x400Address": HostileServer(
        8443, "server-https-8443", "console", behaviour=never_answer, certificate=x400_san_certificate,
        words="certificate field unreadable: alternative names: UnsupportedGeneralNameType",
    ),
    "certificate that is not DER": HostileServer(
        8443, "server-https-8443", "console", behaviour=answer_at_once(b"\x16\x03\x01\x00\x05hello"),
        words="TLS",
    ),
    "8446 version API: 2,000 nested arrays": HostileServer(
        8446, "webservice-tcp-8446", "console", behaviour=answer(http_response(200, nested_json())),
        certificate=lambda: make_certificate("sepm-hostile", ["127.0.0.1"]), words="not JSON: nested deeper than 32 levels",
    ),
    "8446 version API: a version that is markup": HostileServer(
        8446, "webservice-tcp-8446", "console",
        behaviour=answer(http_response(200, b'{"version":"<img src=file:///dev/zero>"}')),
        certificate=lambda: make_certificate("sepm-hostile", ["127.0.0.1"]), words="no readable version",
    ),
    "NetBIOS answer ending right after the record header": HostileServer(
        137, "push-udp-137", "client", protocol="udp", udp_reply=netbios_cut_after_record_header,
        words="the record ends after its header", all_ports=True,
    ),
    "terminal escapes in the certificate subject": HostileServer(
        8443, "server-https-8443", "console", behaviour=never_answer,
        certificate=lambda: make_certificate(f"sepm{TERMINAL_ATTACK}", ["sepm.invalid"]), words="sepm\x1b]0;owned",
    ),
    "terminal escapes in the reason phrase": HostileServer(
        8014, "client-http-8014", "client",
        behaviour=answer(http_response(503, b"x", reason=TERMINAL_ATTACK)), words="HTTP 503",
    ),
}  # fmt: skip
