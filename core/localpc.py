"""Checks of this PC at the client desk, behind one platform interface.

On Windows: the SEP client's presence, version and services, its management
servers (SyLink), the Windows Firewall profiles and whether File and Printer
Sharing may come in. Read-only: the registry through ``winreg``, the rest as JSON
from PowerShell objects (``netsh`` text and rule display names are localised; the
property and enum names used here are not), run as argument lists with a deadline.

On other systems every such check is "not applicable on this system", never passed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any, Protocol

from core.explain import Severity
from core.versions import SepVersion, VersionError, parse_version

POWERSHELL_TIMEOUT = 20.0
SEP_KEY = r"SOFTWARE\Symantec\Symantec Endpoint Protection"
SEP_KEY_WOW = r"SOFTWARE\Wow6432Node\Symantec\Symantec Endpoint Protection"
SYLINK_XML = PureWindowsPath(
    r"C:\ProgramData\Symantec\Symantec Endpoint Protection\CurrentVersion\Data\Config\SyLink.xml"
)
CLIENT_SERVICES = ("SepMasterService", "SepScanService", "sepWscSvc", "SepLpsService")
FPS_RULES = {
    "FPS-SMB-In-TCP": "TCP 445",
    "FPS-NB_Session-In-TCP": "TCP 139",
    "FPS-NB_Name-In-UDP": "UDP 137",
    "FPS-NB_Datagram-In-UDP": "UDP 138",
}

# One PowerShell run gathers everything as JSON (resources/windows/collect_local.ps1,
# also run by scripts/record_windows_fixtures.ps1 so that recordings match).
POWERSHELL_SCRIPT = (resources.files("resources") / "windows" / "collect_local.ps1").read_text(encoding="utf-8")


class LocalSystem(Protocol):
    """Where the local facts come from: Windows itself, or fixture files in tests."""

    platform: str

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        """Values of an HKLM key, or None when the key does not exist."""

    def read_text(self, path: PurePath) -> str | None: ...

    async def powershell_json(self, script: str) -> str: ...


class LocalError(Exception):
    pass


class WindowsSystem:
    """The real thing (read-only)."""

    platform = "win32"

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        if sys.platform != "win32":  # also tells mypy where winreg exists
            return None
        import winreg

        values: dict[str, object] = {}
        for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
            try:
                with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key, 0, winreg.KEY_READ | view) as handle:
                    index = 0
                    while True:
                        try:
                            name, value, _kind = winreg.EnumValue(handle, index)
                        except OSError:
                            break
                        values.setdefault(name, value)
                        index += 1
            except OSError:
                continue
        return values or None

    def read_text(self, path: PurePath) -> str | None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        for encoding in ("utf-8-sig", "utf-16", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return None

    async def powershell_json(self, script: str) -> str:
        process = await asyncio.create_subprocess_exec(
            "powershell.exe", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", script,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            async with asyncio.timeout(POWERSHELL_TIMEOUT):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise LocalError(f"PowerShell gave no answer within {POWERSHELL_TIMEOUT:g} s") from None
        if process.returncode != 0 and not out.strip():
            raise LocalError(f"PowerShell failed ({process.returncode}): {err.decode(errors='replace')[:200]}")
        return out.decode("utf-8", errors="replace")


# --- what the local SEP client is configured with ----------------------------------------


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
    last_server: str | None = None
    last_server_ip: str | None = None
    communication_status: str | None = None

    @property
    def suggested_manager(self) -> str | None:
        if self.last_server:
            return self.last_server
        return self.servers[0].host if self.servers else self.last_server_ip

    def suggested_overrides(self) -> dict[int, int]:
        """Ports the client is configured with that differ from the defaults."""
        overrides: dict[int, int] = {}
        for server in self.servers[:1]:
            if server.http_port and server.http_port != 8014:
                overrides[8014] = server.http_port
            if server.https_port and server.https_port != 443:
                overrides[443] = server.https_port
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
    for element in root.iter():
        if element.tag.split("}")[-1] != "Server":
            continue
        attrs = {k.lower(): v for k, v in element.attrib.items()}
        host = attrs.get("name") or attrs.get("address")
        if host:
            servers.append(ServerEntry(host.strip(), _port(attrs.get("httpport")), _port(attrs.get("httpsport"))))
    return tuple(servers)


def read_client_config(system: LocalSystem) -> ClientConfig | None:
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


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


# --- findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalFinding:
    id: str
    severity: Severity
    title: dict[str, str]
    detail: dict[str, str]
    guidance: tuple[str, ...] = ()
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": str(self.severity),
            "title": self.title[lang],
            "detail": self.detail[lang],
            "guidance": list(self.guidance),
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class LocalReport:
    platform: str
    config: ClientConfig | None
    findings: tuple[LocalFinding, ...]


def _t(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


TITLES = {
    "sep-client": _t("SEP クライアント", "SEP client"),
    "sep-services": _t("SEP クライアントのサービス", "SEP client services"),
    "management-servers": _t("管理サーバーの設定(SyLink)", "Management servers (SyLink)"),
    "firewall-profiles": _t("Windows ファイアウォールのプロファイル", "Windows Firewall profiles"),
    "file-printer-sharing": _t("ファイルとプリンターの共有(受信規則)", "File and Printer Sharing (inbound rules)"),
}


def not_applicable_report(platform: str) -> LocalReport:
    findings = tuple(
        LocalFinding(
            finding_id,
            Severity.NOT_TESTED,
            title,
            _t(
                "このシステムでは対象外です(Windows でのみ確認できます)", "Not applicable on this system (Windows only)"
            ),
            ("not-applicable-here",),
        )
        for finding_id, title in TITLES.items()
    )
    return LocalReport(platform, None, findings)


_RUNNING = {"running", "4"}
_ENABLED = {"true", "1"}


def services_finding(services: list[dict[str, Any]]) -> LocalFinding:
    by_name = {str(s.get("Name", "")).lower(): s for s in services if isinstance(s, dict)}
    master = by_name.get("sepmasterservice")
    states = {str(s.get("Name")): str(s.get("Status")) for s in by_name.values()}
    if master is None:
        return LocalFinding(
            "sep-services",
            Severity.WARNING,
            TITLES["sep-services"],
            _t("SepMasterService が見つかりません。SEP クライアントはインストールされていないようです。",
               "SepMasterService was not found: the SEP client does not seem to be installed."),
            (),
            {"services": states},
        )  # fmt: skip
    if str(master.get("Status", "")).lower() not in _RUNNING:
        return LocalFinding(
            "sep-services",
            Severity.PROBLEM,
            TITLES["sep-services"],
            _t(f"SepMasterService が実行されていません(状態: {master.get('Status')})。",
               f"SepMasterService is not running (status: {master.get('Status')})."),
            (),
            {"services": states},
        )  # fmt: skip
    listing = ", ".join(f"{name}: {status}" for name, status in states.items())
    return LocalFinding(
        "sep-services", Severity.PASSED, TITLES["sep-services"], _t(f"実行中 ({listing})", f"Running ({listing})"), (),
        {"services": states},
    )  # fmt: skip


_CATEGORY_TO_PROFILE = {"domainauthenticated": "Domain", "private": "Private", "public": "Public", "2": "Domain",
                        "1": "Private", "0": "Public"}  # fmt: skip


def active_profiles(connections: list[dict[str, Any]]) -> set[str]:
    found = set()
    for connection in connections:
        category = str(connection.get("NetworkCategory", "")).replace(" ", "").lower()
        if category in _CATEGORY_TO_PROFILE:
            found.add(_CATEGORY_TO_PROFILE[category])
    return found


def firewall_findings(document: dict[str, Any]) -> tuple[LocalFinding, LocalFinding]:
    profiles = _as_list(document.get("profiles"))
    connections = _as_list(document.get("connections"))
    rules = _as_list(document.get("rules"))
    enabled = {str(p.get("Name")): str(p.get("Enabled", "")).lower() in _ENABLED for p in profiles}
    active = active_profiles(connections) or set(enabled)
    on = sorted(p for p in active if enabled.get(p))
    profile_text = ", ".join(f"{name}: {'on' if state else 'off'}" for name, state in sorted(enabled.items()))
    profile_text_ja = ", ".join(f"{name}: {'有効' if state else '無効'}" for name, state in sorted(enabled.items()))
    if on:
        profiles_finding = LocalFinding(
            "firewall-profiles",
            Severity.INFO,
            TITLES["firewall-profiles"],
            _t(f"使用中のプロファイル {', '.join(sorted(active))} でファイアウォールは有効です ({profile_text_ja})",
               f"The firewall is on for the active profile {', '.join(sorted(active))} ({profile_text})"),
            ("client-firewall-off-until-restart",),
            {"profiles": enabled, "active": sorted(active)},
        )  # fmt: skip
    else:
        profiles_finding = LocalFinding(
            "firewall-profiles",
            Severity.INFO,
            TITLES["firewall-profiles"],
            _t(f"使用中のプロファイルでは Windows ファイアウォールは無効です ({profile_text_ja})。SEP のファイアウォールが有効な場合は正常です。",
               f"Windows Firewall is off for the active profile ({profile_text}); normal when the SEP firewall is in charge."),
            ("client-firewall-off-until-restart",),
            {"profiles": enabled, "active": sorted(active)},
        )  # fmt: skip

    allowed: list[str] = []
    blocked: list[str] = []
    for name, port in FPS_RULES.items():
        matching = [r for r in rules if str(r.get("Name")) == name]
        ok = any(_rule_allows(r, on) for r in matching)
        (allowed if ok else blocked).append(port)
    evidence = {
        "rules": [{k: r.get(k) for k in ("Name", "DisplayName", "Enabled", "Profile", "Action")} for r in rules]
    }
    if not on:
        fps = LocalFinding(
            "file-printer-sharing",
            Severity.INFO,
            TITLES["file-printer-sharing"],
            _t("Windows ファイアウォールが無効なため、規則は適用されていません。",
               "Windows Firewall is off for the active profile, so its rules do not apply."),
            (),
            evidence,
        )  # fmt: skip
    elif "TCP 445" in blocked:
        fps = LocalFinding(
            "file-printer-sharing",
            Severity.PROBLEM,
            TITLES["file-printer-sharing"],
            _t(f"使用中のプロファイルで許可されていません: {', '.join(blocked)}。プッシュ配備と配備後の管理ができません。",
               f"Not allowed for the active profile: {', '.join(blocked)}. Push deployment will fail."),
            ("allow-file-printer-sharing", "push-windows-firewall", "client-firewall-off-until-restart"),
            evidence,
        )  # fmt: skip
    elif blocked:
        fps = LocalFinding(
            "file-printer-sharing",
            Severity.WARNING,
            TITLES["file-printer-sharing"],
            _t(f"TCP 445 は許可されていますが、次は許可されていません: {', '.join(blocked)}",
               f"TCP 445 is allowed, but these are not: {', '.join(blocked)}"),
            ("push-windows-firewall",),
            evidence,
        )  # fmt: skip
    else:
        fps = LocalFinding(
            "file-printer-sharing",
            Severity.PASSED,
            TITLES["file-printer-sharing"],
            _t("TCP 445、139、UDP 137、138 の受信が許可されています。", "TCP 445 and 139, UDP 137 and 138 may come in."),
            (),
            evidence,
        )  # fmt: skip
    return profiles_finding, fps


def _as_list(value: object) -> list[dict[str, Any]]:
    # ConvertTo-Json writes a lone object where a list had one element.
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _rule_allows(rule: dict[str, Any], active_on: list[str]) -> bool:
    if str(rule.get("Enabled", "")).lower() not in _ENABLED:
        return False
    if str(rule.get("Direction", "")).lower() not in ("inbound", "1"):
        return False
    if str(rule.get("Action", "")).lower() not in ("allow", "2"):
        return False
    profiles = {p.strip().lower() for p in str(rule.get("Profile", "")).split(",")}
    return "any" in profiles or any(p.lower() in profiles for p in active_on)


def config_finding(config: ClientConfig | None) -> tuple[LocalFinding, LocalFinding]:
    if config is None:
        missing = _t("SEP クライアントの設定が見つかりません(インストールされていないか、読み取れません)。",
                     "No SEP client settings found (not installed, or not readable).")  # fmt: skip
        return (
            LocalFinding("sep-client", Severity.WARNING, TITLES["sep-client"], missing),
            LocalFinding("management-servers", Severity.NOT_TESTED, TITLES["management-servers"], missing),
        )
    version = config.version.describe() if config.version else (config.product_version or "?")
    client = LocalFinding(
        "sep-client", Severity.INFO, TITLES["sep-client"], _t(f"バージョン {version}", f"Version {version}"), (),
        {"product_version": config.product_version},
    )  # fmt: skip
    servers = ", ".join(
        f"{s.host} (HTTP {s.http_port or '-'}, HTTPS {s.https_port or '-'})" for s in config.servers
    ) or (config.last_server or "-")
    status = config.communication_status or "?"
    management = LocalFinding(
        "management-servers",
        Severity.INFO,
        TITLES["management-servers"],
        _t(f"管理サーバー: {servers}。最後の接続先: {config.last_server or '-'}。通信状態: {status}",
           f"Management servers: {servers}. Last server: {config.last_server or '-'}. Communication status: {status}"),
        ("client-communication",),
        {"servers": [s.__dict__ for s in config.servers], "last_server": config.last_server},
    )  # fmt: skip
    return client, management


async def inspect_local(system: LocalSystem | None = None) -> LocalReport:
    """Everything about this PC; never raises for a missing or unreadable source."""
    if system is None:
        if sys.platform != "win32":
            return not_applicable_report(sys.platform)
        system = WindowsSystem()
    if system.platform != "win32":
        return not_applicable_report(system.platform)
    config = read_client_config(system)
    client, management = config_finding(config)
    try:
        document = json.loads(await system.powershell_json(POWERSHELL_SCRIPT) or "{}")
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
    except (LocalError, ValueError) as exc:
        unread = _t(f"PowerShell から読み取れませんでした: {exc}", f"Could not be read from PowerShell: {exc}")
        failed = tuple(
            LocalFinding(fid, Severity.NOT_TESTED, TITLES[fid], unread)
            for fid in ("sep-services", "firewall-profiles", "file-printer-sharing")
        )
        return LocalReport(system.platform, config, (client, management, *failed))
    services = services_finding(_as_list(document.get("services")))
    profiles, fps = firewall_findings(document)
    return LocalReport(system.platform, config, (client, services, management, profiles, fps))
