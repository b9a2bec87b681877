"""Windows Firewall as Windows applies it to the manager's push traffic.

A rule lets the manager in on a port when it is enabled, inbound, allows, covers the
profile of the interface that faces the manager, and its remote-address filter admits
the manager's address; and only when that profile's firewall is on (FIELD-NOTES).

On Windows 10/11 each File and Printer Sharing inbound rule is a pair: the plain rule
(profiles Private and Public, remote address LocalSubnet) and its ``-NoScope`` twin
(profile Domain, any address). Rules are matched by name and, where a PC names them
otherwise, by the group's untranslated resource id; display names are localised and
only kept as evidence.

What to do is suggested as a command that enables exactly what is missing for that
profile; it is a rule of thumb (``field``), not the vendor's words.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sep_port_doctor.core.catalog import PUSH_ROLES, load_catalog
from sep_port_doctor.core.i18n import Joined, Message
from sep_port_doctor.core.localpc.findings import Facing, local_finding, title, words
from sep_port_doctor.core.results import Finding, Severity

FPS_GROUP = "@FirewallAPI.dll,-28502"
"""File and Printer Sharing: the group's resource id, the same on every language of Windows."""

_PROFILES = ("Domain", "Private", "Public")
_CATEGORY_TO_PROFILE = {
    "domainauthenticated": "Domain", "private": "Private", "public": "Public",
    "2": "Domain", "1": "Private", "0": "Public",
}  # fmt: skip
_TRUE = {"true", "1"}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class FpsPort:
    protocol: str
    port: int
    rule: str
    """The plain (Private, Public; LocalSubnet) rule; its Domain twin adds ``-NoScope``."""
    push: str
    """Its part in push deployment (catalog ``PUSH_ROLES``)."""

    @property
    def label(self) -> str:
        return f"{self.protocol} {self.port}"

    @property
    def names(self) -> tuple[str, str]:
        return (self.rule, f"{self.rule}-NoScope")


@cache
def fps_ports() -> tuple[FpsPort, ...]:
    """The push-deployment ports with a File and Printer Sharing rule (ports.toml ``firewall_rule``),
    in the order of their part in push deployment (SMB first: the one push cannot do without)."""
    entries = [e for e in load_catalog().entries if e.firewall_rule and e.push]
    entries.sort(key=lambda e: PUSH_ROLES.index(str(e.push)))
    return tuple(FpsPort(e.protocol.upper(), e.port, str(e.firewall_rule), str(e.push)) for e in entries)


def as_list(value: object) -> list[dict[str, Any]]:
    """ConvertTo-Json writes a lone object where a list had one element."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def _profile_set(text: object) -> set[str]:
    found = {p.strip().lower() for p in str(text or "").split(",") if p.strip()}
    if "any" in found or "all" in found:
        return {p.lower() for p in _PROFILES}
    return found


def _address(text: str | None) -> IpAddress | None:
    try:
        return ipaddress.ip_address((text or "").split("%")[0])
    except ValueError:
        return None


# --- the remote-address filter --------------------------------------------------------------


def _admits_one(value: str, manager: IpAddress | None, local_nets: list[IpNetwork]) -> bool | None:
    low = value.strip().lower()
    if low in ("any", "*", ""):
        return True
    if low in ("localsubnet", "localsubnet4", "localsubnet6"):
        if manager is None:
            return None
        family = {"localsubnet4": 4, "localsubnet6": 6}.get(low)
        if family is not None and manager.version != family:
            return False
        return any(manager in net for net in local_nets if net.version == manager.version)
    try:
        if "-" in low:
            first, last = (ipaddress.ip_address(p.strip()) for p in low.split("-", 1))
            return None if manager is None else (manager.version == first.version and first <= manager <= last)  # type: ignore[operator]
        network = ipaddress.ip_network(low, strict=False)
    except ValueError:
        return None  # a keyword such as Intranet, DNS or DefaultGateway: Windows resolves it, we cannot
    return None if manager is None else manager in network


def remote_address_admits(values: Iterable[str], manager: IpAddress | None, local_nets: list[IpNetwork]) -> bool | None:
    """True when the filter admits the manager, False when it does not, None when it cannot be told."""
    unknown = False
    listed = False
    for value in values:
        listed = True
        answer = _admits_one(value, manager, local_nets)
        if answer:
            return True
        unknown = unknown or answer is None
    if not listed:
        return True  # no filter recorded: any address
    return None if unknown else False


# --- which profile applies ------------------------------------------------------------------


def facing(document: Mapping[str, Any]) -> Facing:
    connections = as_list(document.get("connections"))
    by_index = {str(c.get("InterfaceIndex")): c for c in connections}
    route = document.get("route") if isinstance(document.get("route"), dict) else None
    if route is not None:
        connection = by_index.get(str(route.get("InterfaceIndex")))
        category = str((connection or {}).get("NetworkCategory", "")).replace(" ", "").lower()
        if category in _CATEGORY_TO_PROFILE:
            return Facing(
                (_CATEGORY_TO_PROFILE[category],),
                str(route.get("InterfaceAlias") or (connection or {}).get("InterfaceAlias") or "?"),
                str(route.get("IPAddress") or "") or None,
                True,
                str(route.get("NextHop") or "") or None,
            )
    in_use = []
    for connection in connections:
        category = str(connection.get("NetworkCategory", "")).replace(" ", "").lower()
        if category in _CATEGORY_TO_PROFILE and _CATEGORY_TO_PROFILE[category] not in in_use:
            in_use.append(_CATEGORY_TO_PROFILE[category])
    return Facing(tuple(in_use) or _PROFILES, None, None, False)


def local_networks(document: Mapping[str, Any]) -> list[IpNetwork]:
    """The subnets this PC is on (what Windows means by LocalSubnet)."""
    found: list[IpNetwork] = []
    entries = as_list(document.get("addresses"))
    route = document.get("route")
    if isinstance(route, dict):
        entries.append(route)
    for entry in entries:
        address = str(entry.get("IPAddress")).split("%")[0]
        try:
            network = ipaddress.ip_network(f"{address}/{int(str(entry.get('PrefixLength')))}", strict=False)
        except ValueError:
            continue
        if not network.is_loopback and not network.is_link_local and network not in found:
            found.append(network)
    return found


# --- one port's rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class PortVerdict:
    port: FpsPort
    profile: str
    status: str
    """allowed | disabled | scope | missing | unknown | gpo"""
    rule: str | None = None
    """The rule that allows, or the one to change."""
    addresses: tuple[str, ...] = ()
    matched_by: str = "name"


def _port_matches(rule: Mapping[str, Any], port: FpsPort) -> bool:
    return str(rule.get("Protocol", "")).upper() == port.protocol and str(port.port) in _strings(rule.get("LocalPort"))


def _candidates(rules: list[dict[str, Any]], port: FpsPort) -> tuple[list[dict[str, Any]], str]:
    by_name = [r for r in rules if str(r.get("Name")) in port.names]
    if by_name:
        return by_name, "name"
    in_group = [r for r in rules if str(r.get("Group")) == FPS_GROUP and _port_matches(r, port)]
    return in_group, "group"


def judge_port(
    rules: list[dict[str, Any]], port: FpsPort, profile: str, manager: IpAddress | None, local_nets: list[IpNetwork]
) -> PortVerdict:
    candidates, matched_by = _candidates(rules, port)
    inbound = [
        r
        for r in candidates
        if str(r.get("Direction", "")).lower() in ("inbound", "1")
        and str(r.get("Action", "")).lower() in ("allow", "2")
    ]
    covering = [r for r in inbound if profile.lower() in _profile_set(r.get("Profile"))]
    # The rule a Windows administrator would turn to first: the one whose scope admits the manager.
    covering.sort(
        key=lambda r: remote_address_admits(_strings(r.get("RemoteAddress")), manager, local_nets) is not True
    )
    enabled = [r for r in covering if str(r.get("Enabled", "")).lower() in _TRUE]
    for rule in enabled:
        if remote_address_admits(_strings(rule.get("RemoteAddress")), manager, local_nets) is True:
            return PortVerdict(port, profile, "allowed", str(rule.get("Name")), matched_by=matched_by)
    if any(remote_address_admits(_strings(r.get("RemoteAddress")), manager, local_nets) is None for r in enabled):
        rule = next(
            r for r in enabled if remote_address_admits(_strings(r.get("RemoteAddress")), manager, local_nets) is None
        )
        return PortVerdict(
            port, profile, "unknown", str(rule.get("Name")), tuple(_strings(rule.get("RemoteAddress"))), matched_by
        )
    target = enabled[0] if enabled else (covering[0] if covering else None)
    if target is None:
        return PortVerdict(port, profile, "missing", matched_by=matched_by)
    if str(target.get("PolicyStoreSourceType", "")).lower() == "grouppolicy":
        return PortVerdict(
            port, profile, "gpo", str(target.get("Name")), tuple(_strings(target.get("RemoteAddress"))), matched_by
        )
    addresses = tuple(_strings(target.get("RemoteAddress")))
    if enabled:
        status = "scope"
    elif remote_address_admits(addresses, manager, local_nets) is False:
        status = "disabled-scope"
    else:
        status = "disabled"
    return PortVerdict(port, profile, status, str(target.get("Name")), addresses, matched_by)


# --- the findings ---------------------------------------------------------------------------


def _profile_word(profile: str) -> Message:
    return words(f"profile-{profile.lower()}")


def _join(parts: Iterable[Message], separator: str = "word.list-separator") -> Joined:
    return Joined(tuple(parts), separator)


def _suggestions(verdicts: list[PortVerdict], manager: str | None) -> tuple[list[str], bool]:
    """Commands that enable exactly what is missing; and whether Group Policy owns a rule."""
    to_enable: list[str] = []
    scoped: dict[str, tuple[str, ...]] = {}
    gpo = False
    for verdict in verdicts:
        if verdict.status == "gpo":
            gpo = True
        if verdict.status in ("disabled", "disabled-scope") and verdict.rule and verdict.rule not in to_enable:
            to_enable.append(verdict.rule)
        if verdict.status in ("scope", "disabled-scope") and verdict.rule and manager:
            scoped[verdict.rule] = verdict.addresses
    commands = []
    if to_enable:
        commands.append("Enable-NetFirewallRule -Name " + ",".join(to_enable))
    # Rules with the same scope take one command (-Name takes a list): one line to paste, not one per port.
    by_scope: dict[tuple[str, ...], list[str]] = {}
    for rule, addresses in scoped.items():
        by_scope.setdefault(tuple(a for a in addresses if a.lower() not in ("any", "*")), []).append(rule)
    for keep, names in by_scope.items():
        commands.append(
            f"Set-NetFirewallRule -Name {','.join(names)} -RemoteAddress {','.join([*keep, manager or ''])}"
        )
    return commands, gpo


def firewall_findings(document: Mapping[str, Any], manager: str | None) -> tuple[Finding, Finding]:
    """The profile that applies to the manager's traffic, and whether push deployment may come in."""
    profiles = {
        str(p.get("Name")): str(p.get("Enabled", "")).lower() in _TRUE for p in as_list(document.get("profiles"))
    }
    rules = as_list(document.get("rules"))
    where = facing(document)
    manager_ip = _address(manager)
    nets = local_networks(document)
    states = _join(
        words("profile-state-" + ("on" if on else "off"), profile=_profile_word(name))
        for name, on in sorted(profiles.items())
    )
    on = [p for p in where.profiles if profiles.get(p)]
    profile_words = _join(_profile_word(p) for p in where.profiles)
    evidence_base: dict[str, Any] = {
        "profiles": profiles,
        "active": list(where.profiles),
        "facing_known": where.known,
        "interface": where.interface,
        "interface_address": where.address,
        "manager": manager,
    }
    if where.known:
        place = words(
            "facing-interface", profile=profile_words, interface=where.interface, address=where.address or "?"
        )
    else:
        place = words(
            "facing-unknown" if manager else "facing-no-manager", profiles=profile_words, manager=manager or ""
        )
    profiles_finding = local_finding(
        "firewall-profiles",
        Severity.INFO,
        title("firewall-profiles"),
        words("profiles-on" if on else "profiles-off", place=place, states=states),
        ("client-firewall-off-until-restart",)
        if on
        else ("sep-firewall-allows-default", "client-firewall-off-until-restart"),
        evidence_base,
    )
    rule_evidence = [
        {
            k: r.get(k)
            for k in ("Name", "DisplayName", "Enabled", "Profile", "Action", "RemoteAddress", "PolicyStoreSourceType")
        }
        for r in rules
    ]
    if not on:
        fps = local_finding(
            "file-printer-sharing",
            Severity.INFO,
            title("file-printer-sharing"),
            words("fps-firewall-off", place=place),
            ("sep-firewall-allows-default", "client-firewall-off-until-restart"),
            {**evidence_base, "rules": rule_evidence},
        )
        return profiles_finding, fps
    verdicts = [judge_port(rules, port, profile, manager_ip, nets) for profile in on for port in fps_ports()]
    blocked = [v for v in verdicts if v.status != "allowed"]
    evidence = {
        **evidence_base,
        "rules": rule_evidence,
        "verdicts": [
            {"port": v.port.label, "profile": v.profile, "status": v.status, "rule": v.rule, "matched_by": v.matched_by}
            for v in verdicts
        ],
    }
    if not blocked:
        used = sorted({v.rule for v in verdicts if v.rule})
        detail = words("fps-allowed", place=place, rules=", ".join(used), manager=manager or words("the-manager"))
        return profiles_finding, local_finding(
            "file-printer-sharing", Severity.PASSED, title("file-printer-sharing"), detail, (), evidence
        )
    reasons = _join(
        (
            words(
                f"why-{v.status}",
                port=v.port.label,
                rule=v.rule or "",
                addresses=", ".join(v.addresses) or "-",
                manager=manager or words("the-manager"),
                profile=_profile_word(v.profile),
            )
            for v in blocked
        ),
        "local.reason-separator",
    )
    ports = ", ".join(dict.fromkeys(v.port.label for v in blocked))
    commands, gpo = _suggestions(blocked, manager)
    detail = words("fps-blocked", place=place, ports=ports, reasons=reasons, manager=manager or words("the-manager"))
    remedies = []
    if gpo:
        remedies.append(words("remedy-gpo"))
    if commands:
        remedies.append(words("remedy-command", command="; ".join(commands)))
    remedies.append(words("remedy-group", command=f'Enable-NetFirewallRule -Group "{FPS_GROUP}"'))
    said = Joined((detail, *remedies), "word.sentence-separator")
    why = words("fps-blocked-rules", ports=ports, reasons=reasons)
    beyond_summary = Joined((why, *remedies), "word.sentence-separator")
    evidence["suggested_commands"] = commands
    evidence["group_command"] = f'Enable-NetFirewallRule -Group "{FPS_GROUP}"'
    only_unknown = all(v.status == "unknown" for v in blocked)
    severity = Severity.PROBLEM if any(v.port.push == "smb" for v in blocked) and not only_unknown else Severity.WARNING
    guidance = ("allow-file-printer-sharing", "push-windows-firewall", "client-firewall-off-until-restart")
    blocked_ports = tuple(dict.fromkeys((v.port.protocol, v.port.port) for v in blocked))
    summary = words("fps-blocked-summary", place=place, manager=manager or words("the-manager"))
    return profiles_finding, local_finding(
        "file-printer-sharing",
        severity,
        title("file-printer-sharing"),
        said,
        guidance,
        evidence,
        blocked_ports,
        summary,
        beyond_summary,
    )
