"""A simulated SEP Manager on loopback, for trying the whole flow without a real one.

What it serves is ``resources/simulator/manager.toml``'s (core/simulator_profiles.py): secars
``OK`` over HTTP and HTTPS on the client channels, the console's web service (the version API)
over TLS and plain HTTP on the console ports, a plain listener on 1100, and stand-ins for this
PC's push-deployment ports (a client-desk check finds them in this PC's socket table, a NetBIOS
node status on UDP among them), each on the entry's port or where the ``--port DEFAULT=ACTUAL``
overrides move it (low ports need privileges). A profile adds one fault; ``demonstration`` is
the ``check`` (role, version, overrides) that shows it and nothing else, and ``announcement``
what ``simulate`` prints. Requests are read with bounds on size and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import socket
import ssl
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sep_port_doctor.core.catalog import Catalog, load_catalog
from sep_port_doctor.core.checks.secars import SECARS_PATH
from sep_port_doctor.core.checks.version_api import VERSION_PATH
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.invocation import command_line, program_argv
from sep_port_doctor.core.netbios import node_status_answer
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.simulator_profiles import Served, Simulation, check_entries, load_simulation
from sep_port_doctor.core.versions import parse_version

DEFAULT_VERSION = "14.3.9205.6000"
"""The release the simulated manager runs (14.3 RU6), as its version API reports it."""


def _checked_simulation() -> Simulation:
    simulation = load_simulation()
    check_entries(simulation, load_catalog())
    return simulation


def served_ports() -> tuple[int, ...]:
    """The catalogue ports the simulator serves (``--free-ports`` moves each)."""
    catalog = load_catalog()
    return tuple(catalog.entry(s.entry).port for s in _checked_simulation().serve)


SERVED_PORTS = served_ports()
MAX_REQUEST = 8192
REQUEST_TIMEOUT = 5.0


@dataclass(frozen=True)
class Certificate:
    cert_pem: bytes
    key_pem: bytes

    def context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as folder:
            cert_file, key_file = Path(folder) / "cert.pem", Path(folder) / "key.pem"
            cert_file.write_bytes(self.cert_pem)
            key_file.write_bytes(self.key_pem)
            context.load_cert_chain(cert_file, key_file)
        return context


def make_certificate(
    common_name: str, names: list[str], *, not_before: dt.datetime | None = None, days: int = 3650
) -> Certificate:
    """A self-signed 2048-bit RSA / SHA-256 certificate, like the one SEPM makes at install."""
    # Imported here: `check` loads this module for its options, and should not pay for cryptography.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SEPM simulator"),
        ]
    )
    start = not_before or (dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    alt_names: list[x509.GeneralName] = []
    for name in names:
        try:
            alt_names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt_names.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Certificate(
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def certificate_for_profile(certificate: str, bind: str) -> Certificate:
    """The profile's ``certificate``: SEPM's self-signed one, or one expired, expiring or for another server."""
    now = dt.datetime.now(dt.UTC)
    names = ["localhost", "sepm-sim", "127.0.0.1", "::1", bind]
    if certificate == "expired":
        return make_certificate("sepm-sim", names, not_before=now - dt.timedelta(days=375), days=365)
    if certificate == "expiring":
        return make_certificate("sepm-sim", names, not_before=now - dt.timedelta(days=358), days=365)
    if certificate == "other-name":
        return make_certificate("other-server.example", ["other-server.example"])
    return make_certificate("sepm-sim", names)


Handler = Callable[[str], tuple[int, str, bytes]]


def _response(status: int, reason: str, body: bytes, content_type: str = "text/plain") -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nServer: Apache\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


async def read_request_target(reader: asyncio.StreamReader) -> str | None:
    """The request target of one HTTP request, read with bounds; None if it is not HTTP."""
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            head = await reader.readuntil(b"\r\n\r\n")
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ssl.SSLError):
        return None
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/"):
        return None
    return parts[1].decode("latin-1")


async def close_writer(writer: asyncio.StreamWriter, timeout: float = 1.0) -> None:
    """Close a server-side connection without waiting long for a peer that does not answer."""
    writer.close()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout):
            await writer.wait_closed()


@dataclass
class SimulatedManager:
    """The running simulator: ``await start()``, then ``await stop()`` (or ``async with``)."""

    bind: str = "127.0.0.1"
    profile: str = "healthy"
    ports: dict[int, int] = field(default_factory=dict)
    """Default port -> actual port; 0 picks a free port (see ``bound``)."""
    version: str = DEFAULT_VERSION
    """The build the manager runs, as its version API reports it."""
    bound: dict[int, int] = field(default_factory=dict)
    """Default port -> the port actually listening, once started."""
    skipped: dict[int, str] = field(default_factory=dict)
    """Optional ports that could not be served, with the reason."""

    def __post_init__(self) -> None:
        self.simulation = _checked_simulation()
        if self.profile not in self.simulation.profiles:
            known = ", ".join(self.simulation.profiles)
            raise ValueError(f"unknown profile {self.profile!r}; known: {known}")
        self.faults = self.simulation.profiles[self.profile]
        self._servers: list[asyncio.base_events.Server] = []
        self._held: list[socket.socket] = []
        self._transports: list[asyncio.BaseTransport] = []
        self._connections: set[asyncio.Task[None]] = set()
        self.certificate = certificate_for_profile(self.faults.certificate, self.bind)

    def port_for(self, default: int) -> int:
        return self.ports.get(default, default)

    async def __aenter__(self) -> SimulatedManager:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    def _secars(self, target: str) -> tuple[int, str, bytes]:
        if target != SECARS_PATH:
            return 404, "Not Found", b"Not Found"
        if self.faults.secars == "wrong-page":
            return 200, "OK", b"<html><body><h1>It works!</h1></body></html>"
        if self.faults.secars == "server-error":
            return 500, "Internal Server Error", b"Internal Server Error"
        return 200, "OK", b"OK"

    def _console(self, target: str) -> tuple[int, str, bytes]:
        if target == VERSION_PATH:
            version = self.faults.reports_version or self.version
            body = json.dumps({"API_SEQUENCE": "190301", "API_VERSION": "14.3.9000", "version": version}).encode()
            return 200, "OK", body
        if target.startswith("/console"):
            return 200, "OK", b"<html><title>Symantec Endpoint Protection Manager</title></html>"
        return 404, "Not Found", b"Not Found"

    async def start(self) -> None:
        tls = self.certificate.context()
        catalog = load_catalog()
        for served in self.simulation.serve:
            default = catalog.entry(served.entry).port
            try:
                await self._serve_entry(served, default, tls if served.tls else None)
            except OSError as exc:
                if not served.optional:
                    raise
                # This PC's own SMB server or NetBIOS holds it, or a low port needs privileges: say so.
                self.skipped[default] = exc.strerror or str(exc)

    async def _serve_entry(self, served: Served, default: int, tls: ssl.SSLContext | None) -> None:
        fault = self.faults.fault(served.entry)
        if fault == "closed":
            self._hold_closed(default)
        elif fault == "dropped":
            await self._start_dropping(default)
        elif fault == "stalled":
            await self._start_server(default, self._stall)
        elif served.kind == "secars":
            await self._start_server(default, self._http(self._secars), tls)
        elif served.kind == "console":
            await self._start_server(default, self._http(self._console), tls)
        elif served.kind == "accept":
            await self._start_server(default, self._close_at_once)
        elif served.kind == "netbios":
            await self._start_netbios(default)
        else:
            await self._start_datagram_sink(default)

    async def _start_server(
        self,
        default: int,
        callback: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
        context: ssl.SSLContext | None = None,
    ) -> None:
        server = await asyncio.start_server(
            self._tracked(callback), self.bind, self.port_for(default), ssl=context, reuse_address=True
        )
        self._servers.append(server)
        self.bound[default] = server.sockets[0].getsockname()[1]

    def _tracked(
        self, callback: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], None]:
        def start(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.ensure_future(self._serve(callback, reader, writer))
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)

        return start

    async def _serve(
        self,
        callback: Callable[[asyncio.StreamReader, asyncio.StreamWriter], object],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        try:
            result = callback(reader, writer)
            if asyncio.iscoroutine(result):
                await result
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        finally:
            await close_writer(writer)

    def _http(self, handler: Handler) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], object]:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            target = await read_request_target(reader)
            if target is None:
                writer.write(_response(400, "Bad Request", b"Bad Request"))
            else:
                status, reason, body = handler(target)
                kind = "application/json" if body.startswith(b"{") else "text/plain"
                writer.write(_response(status, reason, body, kind))
            await writer.drain()

        return serve

    async def _stall(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Hold the connection, answer nothing; the prober's deadline must end it.
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(60):
                await reader.read()

    async def _close_at_once(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        return None

    def _hold_closed(self, default: int) -> None:
        """A port bound and not listening: connections to it are refused, as where a service stopped.

        Holding it (rather than leaving it free) keeps another program from taking it while
        the simulator runs, so the printed ``--port`` override really points at a closed port.
        """
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        holder = socket.socket(family, socket.SOCK_STREAM)
        holder.bind((self.bind, self.port_for(default)))
        self._held.append(holder)
        self.bound[default] = holder.getsockname()[1]

    async def _start_dropping(self, default: int) -> None:
        """A listener whose accept queue is full: Linux then drops new SYNs, so probes see silence."""
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.bind, self.port_for(default)))
        listener.listen(0)
        port = listener.getsockname()[1]
        self._held.append(listener)
        for _ in range(2):
            filler = socket.socket(family, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError, OSError):
                filler.connect((self.bind, port))
            self._held.append(filler)
        await asyncio.sleep(0.05)
        self.bound[default] = port

    async def _start_netbios(self, default: int) -> None:
        manager = self

        class NetbiosServer(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                if len(data) >= 50 and data[2] & 0x80 == 0:
                    answer = node_status_answer(data, "SEPM-SIM", "WORKGROUP", bytes.fromhex("02005e000001"))
                    self.transport.sendto(answer, addr)  # type: ignore[attr-defined]

        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            NetbiosServer, local_addr=(self.bind, self.port_for(default)), reuse_port=False
        )
        manager._transports.append(transport)
        self.bound[default] = transport.get_extra_info("sockname")[1]

    async def _start_datagram_sink(self, default: int) -> None:
        """A bound UDP socket that reads and answers nothing (as the NetBIOS datagram service)."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=(self.bind, self.port_for(default)), reuse_port=False
        )
        self._transports.append(transport)
        self.bound[default] = transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        # A connection the loop has just accepted reaches its handler a few turns later (asyncio's own
        # task makes its transport): let it arrive and be closed with the others, not leaked.
        for _ in range(3):
            await asyncio.sleep(0)
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(list(self._connections), timeout=2)
        for server in self._servers:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await server.wait_closed()
        for transport in self._transports:
            transport.close()
        for sock in self._held:
            sock.close()
        self._servers.clear()
        self._held.clear()
        self._transports.clear()


# --- what to run against it -------------------------------------------------------------


@dataclass(frozen=True)
class Demonstration:
    """The ``check`` that shows a running simulator's profile: its fault, and nothing else."""

    role: Role
    version: str
    """The release the simulated manager runs, as a technician types it (``14.3 RU6``)."""
    manager: str
    overrides: dict[int, int]
    """Only the moved ports that this role's plan probes."""

    def check_args(self) -> list[str]:
        ports = [word for d, a in sorted(self.overrides.items()) for word in ("--port", f"{d}={a}")]
        return ["check", "--manager", self.manager, "--version", self.version, "--role", str(self.role), *ports]


def demonstration(manager: SimulatedManager, catalog: Catalog) -> Demonstration:
    """The role, version and overrides with which ``check`` sees exactly this profile's fault.

    The version is the one the simulated manager runs, so the console's version API agrees
    (except in the version-mismatch profile, whose manager reports another). On this PC
    the plan is this platform's: checks of this PC that the platform has (the push ports
    on Windows and Linux) are part of it, answered by the simulator's stand-in sockets.
    """
    profile = manager.faults
    try:
        version = parse_version(manager.version).release_name
    except ValueError:  # a made-up build (a test's hostile version): the release it stands in for
        version = parse_version(DEFAULT_VERSION).release_name
    moved = {d: a for d, a in manager.bound.items() if d != a}
    request = PlanRequest(
        manager=parse_host(manager.bind), version=parse_version(version), role=profile.role, overrides=moved
    )
    probed = {c.default_port for c in build_plan(catalog, request) if not c.skip}
    return Demonstration(profile.role, version, manager.bind, {d: a for d, a in moved.items() if d in probed})


def announcement(
    manager: SimulatedManager,
    catalog: Catalog,
    lang: Lang,
    program: list[str] | None = None,
    *,
    pass_lang: bool = False,
) -> list[str]:
    """What ``simulate`` prints once it serves: what it simulates, and the command to paste
    (with ``--lang LANG`` when ``pass_lang``: simulate was told the language, not the system)."""

    def said(code: str, **values: object) -> str:
        return say(f"simulator.{code}", lang, **values)

    shown = demonstration(manager, catalog)
    listening = ", ".join(f"{d}->{p}" for d, p in sorted(manager.bound.items()))
    lines = [
        said(
            "serving",
            profile=manager.profile,
            description=said(f"profile-{manager.profile}"),
            bind=manager.bind,
            listening=listening,
        )
    ]
    lines += [said("not-serving", port=d, why=why) for d, why in sorted(manager.skipped.items())]
    words = [*(program or program_argv()), *shown.check_args(), *(("--lang", lang) if pass_lang else ())]
    lines.append(said("try", command=command_line(words)))
    overrides = ", ".join(f"{d}={a}" for d, a in sorted(shown.overrides.items()))
    role = say(f"role.{shown.role}", lang)
    lines.append(said("window", manager=shown.manager, version=shown.version, role=role, overrides=overrides or "-"))
    if shown.role is Role.CLIENT and sys.platform == "win32":
        lines.append(said("windows-this-pc"))
    lines.append(said("stop"))
    return lines
