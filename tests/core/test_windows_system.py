"""WindowsSystem, the real Windows code, run on Linux: a fake ``powershell`` executable
(a real process printing fixture bytes, in UTF-8 and in CP932, or hanging) and an
injected registry reader. On Windows these run as they are, with the same fake."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

from sep_port_doctor.core.localpc import MANAGER_ENV, POWERSHELL_SCRIPT, LocalError, WindowsSystem, inspect_local
from sep_port_doctor.core.localpc.windows import decode_console_output, system_powershell
from sep_port_doctor.core.results import Severity
from tests.helpers.windows_fixtures import WINDOWS_FIXTURES

FAKE = Path(__file__).resolve().parents[1] / "helpers" / "fake_powershell.py"
HANG_GUARD_S = 30.0
"""Generous: the hang test's own deadline is 0.5 s; this only stops a broken test."""


class FixtureRegistry:
    def __init__(self, name: str) -> None:
        self.keys: dict[str, Mapping[str, object]] = json.loads(
            (WINDOWS_FIXTURES / name / "registry.json").read_text(encoding="utf-8")
        )

    def values(self, key: str) -> Mapping[str, object] | None:
        return self.keys.get(key)


@pytest.fixture
def fake_powershell(tmp_path: Path) -> Path:
    """An executable named powershell that runs tests/helpers/fake_powershell.py."""
    if sys.platform == "win32":
        wrapper = tmp_path / "powershell.cmd"
        wrapper.write_text(f'@"{sys.executable}" "{FAKE}" %*\r\n', encoding="utf-8")
    else:
        wrapper = tmp_path / "powershell"
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" "$@"\n', encoding="utf-8")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper


def _system(fake: Path, name: str, **kwargs: object) -> WindowsSystem:
    return WindowsSystem(FixtureRegistry(name), fake, **kwargs)  # type: ignore[arg-type]


def _output(tmp_path: Path, name: str, encoding: str) -> Path:
    text = (WINDOWS_FIXTURES / name / "powershell.json").read_text(encoding="utf-8")
    path = tmp_path / f"out-{encoding}.bin"
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_output_read_through_a_real_process(
    fake_powershell: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "call.json"
    monkeypatch.setenv("FAKE_POWERSHELL_OUTPUT", str(_output(tmp_path, "ja-domain-fps-off-service-stopped", "utf-8")))
    monkeypatch.setenv("FAKE_POWERSHELL_RECORD", str(record))
    system = _system(fake_powershell, "ja-domain-fps-off-service-stopped")
    report = asyncio.run(asyncio.wait_for(inspect_local(system, "192.0.2.10"), HANG_GUARD_S))
    findings = {f.id: f for f in report.findings}
    assert findings["file-printer-sharing"].severity is Severity.PROBLEM
    assert "イーサネット" in findings["file-printer-sharing"].detail_for("ja")
    assert "ファイルとプリンターの共有 (SMB 受信)" in json.dumps(
        findings["file-printer-sharing"].evidence, ensure_ascii=False
    )
    # The registry came through the injected reader (Wow6432Node on 14.3 RU4).
    assert report.config is not None and report.config.version is not None
    assert report.config.version.release_name == "14.3 RU4"
    call = json.loads(record.read_text(encoding="utf-8"))
    assert call["argv"] == [
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-Command",
        POWERSHELL_SCRIPT,
    ]
    # The manager's address travels in the environment, never inside the script.
    assert call["manager"] == "192.0.2.10"
    assert "192.0.2.10" not in POWERSHELL_SCRIPT and MANAGER_ENV in POWERSHELL_SCRIPT


def test_cp932_output_of_a_japanese_console_is_still_read(
    fake_powershell: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows PowerShell 5.1 writes a pipe in the OEM code page when the console ignores UTF-8."""
    monkeypatch.setenv("FAKE_POWERSHELL_OUTPUT", str(_output(tmp_path, "ja-domain-fps-off-service-stopped", "cp932")))
    system = _system(fake_powershell, "ja-domain-fps-off-service-stopped", oem="cp932")
    text = asyncio.run(asyncio.wait_for(system.powershell_json(POWERSHELL_SCRIPT, None), HANG_GUARD_S))
    assert "ファイルとプリンターの共有 (SMB 受信)" in text
    assert "\ufffd" not in text
    # Without being told the code page, CP932 is still tried before giving up.
    plain = _system(fake_powershell, "ja-domain-fps-off-service-stopped", oem="")
    assert "イーサネット" in asyncio.run(asyncio.wait_for(plain.powershell_json(POWERSHELL_SCRIPT), HANG_GUARD_S))


def test_a_hanging_powershell_meets_the_deadline_and_is_killed(
    fake_powershell: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_POWERSHELL_MODE", "hang")
    # The processes the program starts, as it starts them. The fake's own record of its pid is
    # written once its Python has started: 50-120 ms of the 0.5 s deadline at load 5, 50-270 ms
    # at load 7, and a process killed before that leaves no record (the test then failed reading it).
    started: list[asyncio.subprocess.Process] = []
    spawn = asyncio.create_subprocess_exec

    async def recorded(*args: Any, **kwargs: Any) -> asyncio.subprocess.Process:
        process = await spawn(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(asyncio, "create_subprocess_exec", recorded)
    system = _system(fake_powershell, "en-fps-blocked", timeout=0.5)
    with pytest.raises(LocalError, match=r"no answer within 0\.5 s"):
        asyncio.run(asyncio.wait_for(system.powershell_json(POWERSHELL_SCRIPT), HANG_GUARD_S))
    # The PowerShell run this started was ended, not left behind.
    [deadline_reached] = started
    pid = deadline_reached.pid
    assert deadline_reached.returncode is not None  # ended and reaped
    if sys.platform != "win32":
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # And a whole inspection turns it into "not tested", never passed.
    report = asyncio.run(asyncio.wait_for(inspect_local(system, "10.20.30.40"), HANG_GUARD_S))
    by_id = {f.id: f for f in report.findings}
    assert by_id["file-printer-sharing"].severity is Severity.NOT_TESTED
    assert "0.5 s" in by_id["file-printer-sharing"].detail_for("en")


def test_a_failing_powershell_says_why_in_its_own_words(fake_powershell: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_POWERSHELL_MODE", "fail")
    monkeypatch.setenv("FAKE_POWERSHELL_ERROR", "このシステムではスクリプトの実行が無効になっています")
    system = _system(fake_powershell, "en-fps-blocked", oem="cp932")
    with pytest.raises(LocalError, match="スクリプトの実行が無効"):
        asyncio.run(asyncio.wait_for(system.powershell_json(POWERSHELL_SCRIPT), HANG_GUARD_S))


def test_a_missing_powershell_is_a_clear_error(tmp_path: Path) -> None:
    system = WindowsSystem(FixtureRegistry("en-fps-blocked"), tmp_path / "no-such-powershell")
    with pytest.raises(LocalError, match="could not be started"):
        asyncio.run(system.powershell_json(POWERSHELL_SCRIPT))


def test_powershell_is_started_by_its_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYSTEMROOT", r"D:\Windows")
    expected = PureWindowsPath(r"D:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe")
    assert system_powershell() == expected
    assert WindowsSystem(FixtureRegistry("en-fps-blocked")).powershell == str(expected)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("管理サーバー".encode(), "管理サーバー"),
        ("\ufeff{}".encode(), "{}"),
        ("管理サーバー".encode("cp932"), "管理サーバー"),
        ("管理".encode("utf-16"), "管理"),
        (b"\xff\x80\x81", None),
    ],
)
def test_console_output_is_decoded_tolerantly(data: bytes, text: str | None) -> None:
    decoded = decode_console_output(data, "cp932")
    assert isinstance(decoded, str)
    if text is not None:
        assert decoded == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932"])
def test_sylink_xml_in_any_of_its_encodings(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "SyLink.xml"
    path.write_bytes('<x><Server Name="管理サーバー" HttpPort="8014"/></x>'.encode(encoding))
    assert "管理サーバー" in (WindowsSystem(FixtureRegistry("en-fps-blocked")).read_text(path) or "")
