"""Local checks at the client desk, on Windows fixtures (English and Japanese; hand-made, see their README)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from core.explain import Severity
from core.localpc import POWERSHELL_SCRIPT, inspect_local, parse_sylink_xml
from tests.helpers.windows_fixtures import WINDOWS_FIXTURES, FixtureSystem


def _inspect(name: str):  # type: ignore[no-untyped-def]
    system = FixtureSystem(name)
    report = asyncio.run(inspect_local(system))
    return report, {f.id: f for f in report.findings}, system


def test_english_pc_with_file_and_printer_sharing_blocked() -> None:
    report, findings, system = _inspect("en-fps-blocked")
    assert report.config is not None
    assert report.config.version is not None and report.config.version.release_name == "14.3 RU1 MP1"
    assert report.config.suggested_manager == "sepm01.corp.example"
    assert report.config.suggested_overrides() == {8014: 80}
    assert findings["sep-services"].severity is Severity.PASSED
    fps = findings["file-printer-sharing"]
    assert fps.severity is Severity.PROBLEM
    assert "TCP 445" in fps.detail["en"]
    assert fps.guidance[0] == "allow-file-printer-sharing"
    assert "client-firewall-off-until-restart" in fps.guidance
    assert system.scripts == [POWERSHELL_SCRIPT]


def test_japanese_pc_rules_matched_by_name_not_display_name() -> None:
    report, findings, _ = _inspect("ja-fps-allowed-service-stopped")
    assert report.config is not None
    # 14.3 RU4 and older keep the key under Wow6432Node.
    assert report.config.version is not None and report.config.version.release_name == "14.3 RU4"
    assert report.config.suggested_manager == "管理サーバー.社内.example"
    assert report.config.suggested_overrides() == {443: 8443}
    # The display names are Japanese; the rule names and enum names are not.
    assert findings["file-printer-sharing"].severity is Severity.PASSED
    assert findings["firewall-profiles"].evidence["active"] == ["Domain"]
    services = findings["sep-services"]
    assert services.severity is Severity.PROBLEM
    assert "Stopped" in services.detail["ja"]
    assert "通信状態: Offline" in findings["management-servers"].detail["ja"]


def test_firewall_off_and_single_objects_instead_of_lists() -> None:
    _report, findings, _ = _inspect("en-firewall-off")
    assert findings["file-printer-sharing"].severity is Severity.INFO
    assert "off" in findings["firewall-profiles"].detail["en"]
    assert findings["sep-services"].severity is Severity.PASSED
    assert "unknown build" in findings["sep-client"].detail["en"]


def test_no_sep_client() -> None:
    report, findings, _ = _inspect("no-sep-client")
    assert report.config is None
    assert findings["sep-client"].severity is Severity.WARNING
    assert findings["management-servers"].severity is Severity.NOT_TESTED
    assert findings["sep-services"].severity is Severity.WARNING
    assert findings["file-printer-sharing"].severity is Severity.PASSED


def test_powershell_failure_is_not_tested_never_passed(tmp_path: object) -> None:
    system = FixtureSystem("en-fps-blocked")
    system.folder = WINDOWS_FIXTURES / "does-not-exist"
    report = asyncio.run(inspect_local(system))
    by_id = {f.id: f for f in report.findings}
    for finding_id in ("sep-services", "firewall-profiles", "file-printer-sharing"):
        assert by_id[finding_id].severity is Severity.NOT_TESTED


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows behaviour")
def test_on_other_systems_every_check_is_not_applicable() -> None:
    report = asyncio.run(inspect_local())
    assert report.findings
    assert all(f.severity is Severity.NOT_TESTED for f in report.findings)
    assert all("not-applicable-here" in f.guidance for f in report.findings)
    assert all("Windows only" in f.detail["en"] for f in report.findings)


@pytest.mark.parametrize("text", ["", "<not xml", "<ServerSettings/>", "\ufeff<a><Server/></a>"])
def test_sylink_parser_tolerates_junk(text: str) -> None:
    assert parse_sylink_xml(text) == ()


def test_sylink_parser_reads_ports() -> None:
    servers = parse_sylink_xml('<x><Server Name="s1" HttpPort="80" HttpsPort="99999"/><Server Address="s2"/></x>')
    assert [(s.host, s.http_port, s.https_port) for s in servers] == [("s1", 80, None), ("s2", None, None)]
