"""What the local SEP client is configured with: version, management servers (SyLink)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath, PureWindowsPath
from typing import Protocol

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.hosts import HostError, parse_host
from sep_port_doctor.core.plan import ClientPorts
from sep_port_doctor.core.versions import SepVersion, VersionError, parse_version

SEP_KEY = r"SOFTWARE\Symantec\Symantec Endpoint Protection"
SEP_KEY_WOW = r"SOFTWARE\Wow6432Node\Symantec\Symantec Endpoint Protection"
SYLINK_XML = PureWindowsPath(
    r"C:\ProgramData\Symantec\Symantec Endpoint Protection\CurrentVersion\Data\Config\SyLink.xml"
)


class ConfigSource(Protocol):
    def registry_values(self, key: str) -> Mapping[str, object] | None: ...

    def read_text(self, path: PurePath) -> str | None: ...


@dataclass(frozen=True)
class ServerEntry:
    host: str
    http_port: int | None = None
    https_port: int | None = None


@dataclass(frozen=True)
class ClientConfig:
    product_version: str | None = None
    version: SepVersion | None = None
    servers: tuple[ServerEntry, ...] = ()
    """The management server list, in the client's priority order."""
    last_server: str | None = None
    last_server_ip: str | None = None
    communication_status: str | None = None

    @property
    def suggested_manager(self) -> str | None:
        if self.last_server:
            return self.last_server
        return self.servers[0].host if self.servers else self.last_server_ip

    def server_for(self, host: str | None) -> ServerEntry | None:
        """The SyLink entry of ``host`` (as typed or as the client knows it), else the first."""
        if host:
            for server in self.servers:
                if server.host.lower() == host.strip().lower():
                    return server
        return self.servers[0] if self.servers else None

    def server_named(self, host: str | None) -> ServerEntry | None:
        """The SyLink entry of ``host`` as typed, or of the server the client last used when
        ``host`` is its address; None when this PC's SyLink does not list that manager."""
        if not host:
            return None
        names = _spellings(host)
        if self.last_server and self.last_server_ip and self.last_server_ip.lower() in names:
            names |= _spellings(self.last_server)
        return next((s for s in self.servers if _spellings(s.host) & names), None)

    def client_ports(self, host: str | None) -> ClientPorts | None:
        """How the client reaches ``host`` (SyLink's ports for it), or None when SyLink does not say."""
        server = self.server_named(host)
        if server is None or (server.http_port is None and server.https_port is None):
            return None
        return ClientPorts(server.host, server.http_port, server.https_port)

    def suggested_overrides(self, host: str | None = None) -> dict[int, int]:
        """Ports the client is configured with for ``host`` (else the server it would use)
        that differ from the defaults."""
        return _moved_ports(self.server_for(host or self.suggested_manager))

    def overrides_for(self, host: str | None) -> dict[int, int]:
        """Ports SyLink names for exactly ``host`` that differ from the defaults; none for a
        server it does not list."""
        return _moved_ports(self.server_named(host))

    def other_servers(self, host: str | None) -> tuple[ServerEntry, ...]:
        """The management servers besides ``host``: a client fails over to them in turn."""
        chosen = {(host or "").strip().lower()}
        if self.last_server and self.last_server_ip and self.last_server_ip.lower() in chosen:
            chosen.add(self.last_server.lower())  # the manager typed by the address the client last used
        return tuple(s for s in self.servers if s.host.lower() not in chosen)


def _spellings(host: str) -> set[str]:
    """A host as typed and as the resolver is given it (IDNA): a Japanese name is its xn--... form."""
    typed = host.strip().strip("[]").lower()
    try:
        return {typed, parse_host(host).name.lower()}
    except HostError:
        return {typed}


def _moved_ports(server: ServerEntry | None) -> dict[int, int]:
    """The catalogue ports of the two client channels this server's SyLink entry moves (``--port``)."""
    overrides: dict[int, int] = {}
    if server is not None:
        catalog = load_catalog()
        for scheme, port in (("http", server.http_port), ("https", server.https_port)):
            default = catalog.client_channel(scheme).port
            if port and port != default:
                overrides[default] = port
    return overrides


def _port(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        port = int(value.strip())
    except ValueError:
        return None
    return port if 1 <= port <= 65535 else None


def parse_sylink_xml(text: str) -> tuple[ServerEntry, ...]:
    """The management server list of SyLink.xml (``<Server Name=... HttpPort=... HttpsPort=...>``)."""
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError:
        return ()
    servers = []
    seen: set[str] = set()
    for element in root.iter():
        if element.tag.split("}")[-1] != "Server":
            continue
        attrs = {k.lower(): v for k, v in element.attrib.items()}
        host = (attrs.get("name") or attrs.get("address") or "").strip()
        # A server listed twice (in two priority groups) is offered once, first place kept.
        if host and host.lower() not in seen:
            seen.add(host.lower())
            servers.append(ServerEntry(host, _port(attrs.get("httpport")), _port(attrs.get("httpsport"))))
    return tuple(servers)


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def read_client_config(system: ConfigSource) -> ClientConfig | None:
    smc = system.registry_values(SEP_KEY + r"\SMC") or system.registry_values(SEP_KEY_WOW + r"\SMC")
    current = system.registry_values(SEP_KEY + r"\CurrentVersion") or {}
    product = (smc or {}).get("ProductVersion") or current.get("PRODUCTVERSION")
    if product is None and smc is None:
        return None
    version = None
    if isinstance(product, str):
        try:
            version = parse_version(product)
        except VersionError:
            version = None
    sylink = (
        system.registry_values(SEP_KEY + r"\SMC\SYLINK\SyLink")
        or system.registry_values(SEP_KEY_WOW + r"\SMC\SYLINK\SyLink")
        or {}
    )
    xml = system.read_text(SYLINK_XML)
    return ClientConfig(
        product_version=str(product) if product is not None else None,
        version=version,
        servers=parse_sylink_xml(xml) if xml else (),
        last_server=_text(sylink.get("LastServer")),
        last_server_ip=_text(sylink.get("LastServerIP")),
        communication_status=_text(sylink.get("CommunicationStatus")),
    )
