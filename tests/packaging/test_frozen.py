"""Smoke test of the packaged program: build it from build/pyinstaller.spec (onedir and
onefile), check its size, then run it like a technician would. Skipped with the reason when
PyInstaller or a tool the Linux build needs is missing."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from tests.helpers.command import ROOT, ChildEnvironment, command, spawned
from tests.helpers.interrupt import assert_each_said_interrupted, interrupted_at_every_moment
from tests.helpers.packaging import MB, ONEDIR_LIMIT_MB, ONEFILE_LIMIT_MB, build, cannot_build, size

pytestmark = [pytest.mark.slow]

if _WHY := cannot_build():
    pytestmark.append(pytest.mark.skip(reason=_WHY))

ENV = ChildEnvironment({"QT_QPA_PLATFORM": "offscreen", "LANG": "ja_JP.UTF-8", "LC_ALL": ""}, checkout_on_path=False)
LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("onedir"), onefile=False)


@pytest.fixture(scope="module")
def onefile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("onefile"), onefile=True)


@pytest.mark.skipif(not LINUX, reason="the size limits are for the Linux build")
def test_onedir_size_stays_within_its_limit(frozen: Path) -> None:
    megabytes = size(frozen.parent) / MB
    assert megabytes <= ONEDIR_LIMIT_MB, f"onedir is {megabytes:.1f} MB (limit {ONEDIR_LIMIT_MB} MB)"


@pytest.mark.skipif(not LINUX, reason="the size limits are for the Linux build")
def test_onefile_size_stays_within_its_limit_and_it_runs(onefile: Path) -> None:
    megabytes = size(onefile) / MB
    assert megabytes <= ONEFILE_LIMIT_MB, f"onefile is {megabytes:.1f} MB (limit {ONEFILE_LIMIT_MB} MB)"
    ours, theirs = _run([str(onefile), "ports", "--json"]), _run([*command(), "ports", "--json"])
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**ENV, "PYTHONPATH": str(ROOT)})


def test_frozen_ports_json_equals_the_installed_command(frozen: Path) -> None:
    for args in (["ports", "--json"], ["ports", "--json", "--version", "14.2 RU2", "--lang", "en"]):
        theirs = _run([*command(), *args])
        ours = _run([str(frozen), *args])
        assert ours.returncode == 0, ours.stderr
        assert json.loads(ours.stdout) == json.loads(theirs.stdout)


def test_frozen_simulate_prints_the_frozen_program_to_paste(frozen: Path) -> None:
    """The printed check starts the program where it lies (not "sep-port-doctor", not Python)."""
    result = _run(
        [str(frozen), "simulate", "--free-ports", "--profile", "http-down", "--duration", "0.5", "--lang", "en"]
    )
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("try: ")]
    assert line.startswith(f"try: {frozen} check --manager 127.0.0.1 "), line


def test_frozen_bad_input_is_one_line_and_exit_2(frozen: Path) -> None:
    result = _run([str(frozen), "check", "--manager", "a b", "--version", "14.3"])
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_frozen_gui_runs_against_the_simulator_and_writes_the_report(frozen: Path, tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str, dict[str, Any]]:
        # The simulator plays the manager and this PC's TCP 139/445 and UDP 137; UDP 138 is held
        # here, so a healthy client-desk run has nothing to report and must exit 0.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as datagram:
            datagram.bind(("127.0.0.1", 0))
            async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
                ports = {**manager.bound, 138: datagram.getsockname()[1]}
                overrides = [f"--port={d}={p}" for d, p in ports.items()]
                async with spawned(
                    str(frozen), "gui", "--manager", "127.0.0.1", "--version", "14.3", *overrides, "--run",
                    "--report", str(tmp_path / "report.html"), "--quit",
                    stderr=asyncio.subprocess.PIPE, env=ENV,
                ) as gui:  # fmt: skip
                    _out, err = await asyncio.wait_for(gui.communicate(), 120)
                async with spawned(
                    str(frozen), "check", "--manager", "127.0.0.1", "--version", "14.3", "--role", "console", "--json",
                    *overrides, stdout=asyncio.subprocess.PIPE, env=ENV,
                ) as check:  # fmt: skip
                    out, _ = await asyncio.wait_for(check.communicate(), 120)
                return gui.returncode or 0, err.decode(), json.loads(out)

    code, err, report = asyncio.run(scenario())
    assert code == 0, err
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "SEP 通信ポート診断レポート" in html
    assert "client-http-8014" in html
    assert '<div class="verdict">問題は見つかりませんでした</div>' in html  # the overall verdict
    states = {c["id"]: c["state"] for c in report["checks"]}
    assert states["server-https-8443"] == "open"
    assert states["webservice-tcp-8446"] == "open"


def test_frozen_gui_quit_after_first_paint(frozen: Path) -> None:
    result = _run([str(frozen), "gui", "--quit"], timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def _before_the_packaged_program(code: int | None, err: str) -> bool:
    """What the packaged program's start leaves when Ctrl+C comes before its first runtime hook (PyInstaller's
    bootstrap: "Failed to execute script 'pyiboot01_bootstrap'"): nothing of the program, and no runtime hook
    (pyi_rth_*), which run with Ctrl+C held."""
    return (
        code in (-signal.SIGINT, 1)
        and (err == "" or "KeyboardInterrupt" in err)
        and "sep_port_doctor" not in err
        and "launcher" not in err
        and "pyi_rth_" not in err
    )


def test_frozen_ctrl_c_at_any_moment_from_the_start_is_one_line_and_exit_130(frozen: Path) -> None:
    """As tests/core/test_interrupt_at_start.py, for the packaged program: build/hold_interrupt_hook.py holds
    Ctrl+C before PyInstaller's runtime hooks, where PySide6's loads Qt; a Ctrl+C there ended in a traceback,
    SIGABRT or SIGSEGV (22 of 62 moments before the hook, 3 after: the first 10 ms)."""
    outcomes = interrupted_at_every_moment([str(frozen)], "ja", env=ENV)
    assert_each_said_interrupted(outcomes, "ja", _before_the_packaged_program)
