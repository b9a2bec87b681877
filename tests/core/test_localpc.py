"""Checks of this PC at the client desk, on Windows fixtures (tests/fixtures/windows/):
hand-made ones in the shape of public recordings, and recorded public excerpts."""

from __future__ import annotations

import asyncio
import copy
import sys
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core.localpc import POWERSHELL_SCRIPT, LocalReport, inspect_local, parse_sylink_xml
from sep_port_doctor.core.localpc.firewall import FPS_GROUP, firewall_findings, fps_ports, remote_address_admits
from sep_port_doctor.core.results import Severity
from tests.helpers.windows_fixtures import (
    RECORDED,
    WINDOWS_FIXTURES,
    FixtureSystem,
    fixture_info,
    parse_firewall_reg,
)

FIXTURES = sorted(p.name for p in WINDOWS_FIXTURES.iterdir() if p.is_dir())


def _inspect(name: str, manager: str | None = "10.20.30.40") -> tuple[LocalReport, dict[str, Any], FixtureSystem]:
    system = FixtureSystem(name)
    report = asyncio.run(inspect_local(system, manager))
    return report, {f.id: f for f in report.findings}, system


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_says_what_it_is(name: str) -> None:
    info = fixture_info(name)
    assert info["kind"] in ("hand-made", "recorded")
    assert info["description"]
    if info["kind"] == "recorded":
        assert all(f["source"] for f in info["file"])
        assert all((WINDOWS_FIXTURES / name / f["name"]).exists() for f in info["file"])
    else:
        assert info["modelled_on"]


def test_domain_pc_with_the_noscope_rules_on_is_allowed_from_another_subnet() -> None:
    """The usual SEP client: domain-joined, the manager in a data-centre subnet."""
    report, findings, system = _inspect("en-domain-fps-allowed")
    assert system.managers == ["10.20.30.40"] and system.scripts == [POWERSHELL_SCRIPT]
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PASSED
    assert "Domain profile of Ethernet (10.1.5.23)" in fps.detail_for("en")
    assert "FPS-SMB-In-TCP-NoScope" in fps.detail_for("en")
    assert findings["firewall-profiles"].evidence["active"] == ["Domain"]
    assert findings["server-service"].severity is Severity.PASSED
    assert report.config is not None and report.config.version is not None
    assert report.config.version.release_name == "14.3 RU9"


def test_domain_pc_with_everything_off_gets_exactly_the_noscope_rules_to_enable() -> None:
    _report, findings, _ = _inspect("ja-domain-fps-off-service-stopped", "192.0.2.10")
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PROBLEM
    noscope = ",".join(f"{p.rule}-NoScope" for p in fps_ports())
    assert fps.evidence["suggested_commands"] == [f"Enable-NetFirewallRule -Name {noscope}"]
    assert f"Enable-NetFirewallRule -Name {noscope}" in fps.detail_for("ja")
    assert "経験則(ベンダーの記載ではありません)" in fps.detail_for("ja")
    assert "Rule of thumb (not the vendor's words)" in fps.detail_for("en")
    # The scoped Private/Public rules are not what a domain PC needs.
    assert "FPS-SMB-In-TCP," not in fps.detail_for("en") and "-Name FPS-SMB-In-TCP " not in fps.detail_for("en")
    assert f'Enable-NetFirewallRule -Group "{FPS_GROUP}"' in fps.detail_for("en")
    assert "ドメイン プロファイル" in fps.detail_for("ja") and "イーサネット" in fps.detail_for("ja")
    assert "TCP 445, TCP 139, UDP 137, UDP 138" in fps.detail_for("en")


def test_japanese_pc_is_read_by_rule_names_not_display_names() -> None:
    report, findings, _ = _inspect("ja-domain-fps-off-service-stopped", "192.0.2.10")
    assert report.config is not None
    # 14.3 RU4 and older keep the key under Wow6432Node.
    assert report.config.version is not None and report.config.version.release_name == "14.3 RU4"
    assert report.config.suggested_manager == "管理サーバー.社内.example"
    assert report.config.suggested_overrides() == {443: 8443}
    services = findings["sep-services"]
    assert services.severity is Severity.PROBLEM and "Stopped" in services.detail_for("ja")
    assert "通信状態: Offline" in findings["management-servers"].detail_for("ja")


def test_workgroup_pc_whose_rules_accept_the_local_subnet_only() -> None:
    _report, findings, _ = _inspect("en-workgroup-scope")
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PROBLEM
    assert "accepts only LocalSubnet, which leaves out 10.20.30.40" in fps.detail_for("en")
    # The four rules have the same scope: one command widens them all (-Name takes a list).
    assert fps.evidence["suggested_commands"] == [
        "Set-NetFirewallRule -Name FPS-SMB-In-TCP,FPS-NB_Session-In-TCP,FPS-NB_Name-In-UDP,FPS-NB_Datagram-In-UDP"
        " -RemoteAddress LocalSubnet,10.20.30.40"
    ]
    assert {v["status"] for v in fps.evidence["verdicts"]} == {"scope"}


def test_the_same_workgroup_pc_lets_a_manager_in_its_subnet_in() -> None:
    _report, findings, _ = _inspect("en-workgroup-scope", "192.168.1.20")
    assert findings["file-printer-sharing"].severity is Severity.PASSED


def test_private_pc_with_sharing_off_enables_the_plain_rules() -> None:
    _report, findings, _ = _inspect("en-fps-blocked")
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PROBLEM
    plain = ",".join(p.rule for p in fps_ports())
    assert fps.evidence["suggested_commands"] == [f"Enable-NetFirewallRule -Name {plain}"]
    assert fps.guidance[0] == "allow-file-printer-sharing"


def test_group_policy_rules_are_found_by_group_and_not_given_a_local_command() -> None:
    _report, findings, _ = _inspect("ja-domain-gpo-rules-off", "192.0.2.10")
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PROBLEM
    assert {v["matched_by"] for v in fps.evidence["verdicts"]} == {"group"}
    assert {v["status"] for v in fps.evidence["verdicts"]} == {"gpo"}
    assert fps.evidence["suggested_commands"] == []
    assert "GPO" in fps.detail_for("ja") and "ask the domain administrator" in fps.detail_for("en")


def test_firewall_off_says_so_and_cites_the_sep_firewall_note() -> None:
    _report, findings, _ = _inspect("en-firewall-off")
    fps, profiles = findings["file-printer-sharing"], findings["firewall-profiles"]
    assert fps.severity is Severity.INFO
    assert "by default the SEP firewall allows these ports" in fps.detail_for("en")
    assert "sep-firewall-allows-default" in fps.guidance and "sep-firewall-allows-default" in profiles.guidance
    assert "off for the Public profile of Wi-Fi" in profiles.detail_for("en")
    assert "unknown build" in findings["sep-client"].detail_for("en")


def test_no_sep_client() -> None:
    report, findings, _ = _inspect("no-sep-client")
    assert report.config is None
    assert findings["sep-client"].severity is Severity.WARNING
    assert findings["management-servers"].severity is Severity.NOT_TESTED
    assert findings["sep-services"].severity is Severity.WARNING
    assert findings["file-printer-sharing"].severity is Severity.PASSED


def test_without_the_managers_address_every_profile_in_use_is_judged() -> None:
    system = FixtureSystem("en-domain-fps-allowed")
    document = system.document()
    document["route"] = None
    profiles, fps = firewall_findings(document, None)
    assert profiles.evidence["facing_known"] is False
    assert "the manager's address is not known" in profiles.detail_for("en")
    assert fps.severity is Severity.PASSED  # Any-address Domain rules: no address needed


def _domain_document() -> dict[str, Any]:
    return copy.deepcopy(FixtureSystem("en-domain-fps-allowed").document())


def test_a_rule_for_another_profile_does_not_let_the_manager_in() -> None:
    """Issue 14 item 14: fails if the parser ignores a rule's profile."""
    document = _domain_document()
    for rule in document["rules"]:
        # The Private/Public rules on, and even open to any address; the Domain rules off.
        rule["Enabled"] = "False" if rule["Name"].endswith("-NoScope") else "True"
        if not rule["Name"].endswith("-NoScope"):
            rule["RemoteAddress"] = ["Any"]
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PROBLEM
    assert {v["status"] for v in fps.evidence["verdicts"]} == {"disabled"}
    # The same rules on a Private network do let it in.
    document["connections"][0]["NetworkCategory"] = "Private"
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PASSED


@pytest.mark.parametrize(
    ("field", "value"),
    [("Direction", "Outbound"), ("Action", "Block"), ("Enabled", "False"), ("RemoteAddress", ["10.9.9.0/24"])],
)
def test_each_condition_of_a_rule_counts(field: str, value: Any) -> None:
    document = _domain_document()
    for rule in document["rules"]:
        if rule["Name"] == "FPS-SMB-In-TCP-NoScope":
            rule[field] = value
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PROBLEM
    assert [v["port"] for v in fps.evidence["verdicts"] if v["status"] != "allowed"] == ["TCP 445"]


def test_the_profile_of_the_interface_facing_the_manager_decides() -> None:
    document = _domain_document()
    # A second, public network (a hotel Wi-Fi) does not matter: the route goes out on Ethernet.
    document["connections"].append({"InterfaceAlias": "Wi-Fi", "InterfaceIndex": 3, "NetworkCategory": "Public"})
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PASSED
    # Its profile's firewall off changes nothing while the Domain profile's is on.
    document["profiles"] = [
        {"Name": "Domain", "Enabled": "True"},
        {"Name": "Private", "Enabled": "False"},
        {"Name": "Public", "Enabled": "False"},
    ]
    profiles, _fps = firewall_findings(document, "10.20.30.40")
    assert "on for the Domain profile" in profiles.detail_for("en")


def test_recorded_default_rules_of_windows_11() -> None:
    """The registry export's defaults: every rule off, pairs by profile and scope."""
    rules = parse_firewall_reg((RECORDED / "firewallrules-fps-in-win11.reg").read_text(encoding="utf-8"))
    assert len(rules) == 8 and {r["Group"] for r in rules} == {FPS_GROUP}
    document = _domain_document()
    document["rules"] = rules
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PROBLEM
    noscope = ",".join(f"{p.rule}-NoScope" for p in fps_ports())
    assert fps.evidence["suggested_commands"] == [f"Enable-NetFirewallRule -Name {noscope}"]
    # As the suggestion says: with the -NoScope rules on, a domain PC lets the manager in.
    for rule in rules:
        if rule["Name"].endswith("-NoScope"):
            rule["Enabled"] = "True"
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert fps.severity is Severity.PASSED
    # On a private network the scoped rules admit the local subnet only.
    document["connections"][0]["NetworkCategory"] = "Private"
    for rule in rules:
        rule["Enabled"] = "True"
    _profiles, fps = firewall_findings(document, "10.20.30.40")
    assert {v["status"] for v in fps.evidence["verdicts"]} == {"scope"}
    _profiles, fps = firewall_findings(document, "10.1.5.200")
    assert fps.severity is Severity.PASSED


@pytest.mark.parametrize(
    ("values", "manager", "expected"),
    [
        (["Any"], "10.0.0.1", True),
        ([], "10.0.0.1", True),
        (["LocalSubnet"], "10.1.5.9", True),
        (["LocalSubnet"], "10.2.0.1", False),
        (["LocalSubnet6"], "10.1.5.9", False),
        (["10.20.30.0/24"], "10.20.30.40", True),
        (["10.20.30.0/255.255.255.0"], "10.20.30.40", True),
        (["10.20.30.1-10.20.30.50"], "10.20.30.40", True),
        (["10.20.30.1-10.20.30.39"], "10.20.30.40", False),
        (["Intranet"], "10.20.30.40", None),
        (["LocalSubnet", "Intranet"], "10.20.30.40", None),
        (["LocalSubnet"], None, None),
    ],
)
def test_remote_address_filters(values: list[str], manager: str | None, expected: bool | None) -> None:
    import ipaddress

    nets = [ipaddress.ip_network("10.1.5.0/24")]
    address = ipaddress.ip_address(manager) if manager else None
    assert remote_address_admits(values, address, nets) is expected


def test_other_management_servers_are_named() -> None:
    _report, findings, _ = _inspect("ja-domain-fps-off-service-stopped", "192.0.2.10")
    management = findings["management-servers"]
    # Typed as the address the client last used: the same server, so only the other one is named.
    assert management.evidence["other_servers"] == ["sepm-dr.社内.example"]
    report, findings, _ = _inspect("ja-domain-fps-off-service-stopped", "管理サーバー.社内.example")
    assert findings["management-servers"].evidence["other_servers"] == ["sepm-dr.社内.example"]
    assert "sepm-dr.社内.example" in findings["management-servers"].detail_for("en")
    assert report.config is not None
    assert report.config.suggested_overrides("sepm-dr.社内.example") == {}


def test_powershell_failure_is_not_tested_never_passed() -> None:
    system = FixtureSystem("en-fps-blocked")
    system.folder = WINDOWS_FIXTURES / "does-not-exist"
    report = asyncio.run(inspect_local(system))
    by_id = {f.id: f for f in report.findings}
    for finding_id in ("sep-services", "server-service", "firewall-profiles", "file-printer-sharing"):
        assert by_id[finding_id].severity is Severity.NOT_TESTED


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows behaviour")
def test_on_other_systems_every_check_is_not_applicable() -> None:
    report = asyncio.run(inspect_local())
    assert report.findings
    assert all(f.severity is Severity.NOT_TESTED for f in report.findings)
    assert all("not-applicable-here" in f.guidance for f in report.findings)
    assert all("Windows only" in f.detail_for("en") for f in report.findings)


@pytest.mark.parametrize("text", ["", "<not xml", "<ServerSettings/>", "\ufeff<a><Server/></a>"])
def test_sylink_parser_tolerates_junk(text: str) -> None:
    assert parse_sylink_xml(text) == ()


def test_sylink_parser_reads_ports() -> None:
    servers = parse_sylink_xml(
        '<x><Server Name="s1" HttpPort="80" HttpsPort="99999"/><Server Address="s2"/><Server Name="S1"/></x>'
    )
    assert [(s.host, s.http_port, s.https_port) for s in servers] == [("s1", 80, None), ("s2", None, None)]


def test_the_recording_script_parses_and_keeps_only_sylinks_server_list() -> None:
    """scripts/record_windows_fixtures.ps1, read with the PowerShell grammar (PowerShell's own
    parser runs it on the Windows runner): SyLink.xml's key (Kcs) and certificates never reach
    a fixture, only the attributes the program reads."""
    from tests.helpers.powershell import parse_file

    path = Path(__file__).resolve().parents[2] / "scripts" / "record_windows_fixtures.ps1"
    script = parse_file(path)
    assert script.syntax_errors() == []
    code = script.code_text()
    assert "Copy-Item $sylink" not in code and "Kcs" not in code
    assert "@('Address', 'Name', 'HttpPort', 'HttpsPort')" in code
    assert 'name = "SyLink.xml"' in code  # the recording says what it kept
