"""``gui`` from the command line, in a real process (offscreen): ``--run --report`` end to end,
bad input refused before any packet leaves, and Ctrl+C."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from tests.helpers.command import ROOT, command, run, spawned
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import never_answer, serving

OFFSCREEN = {"QT_QPA_PLATFORM": "offscreen"}


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("sep-port-doctor:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_gui_quit_alone_quits_after_the_first_paint() -> None:
    result = run("gui", "--quit", env=OFFSCREEN)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_unattended_run_writes_the_report_and_exits_like_check(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            async with spawned(
                *command(), "gui", "--manager", "127.0.0.1", "--version", "14.3", "--role", "console",
                *overrides, "--notes", "チケット 42", "--lang", "ja", "--run", "--report", str(tmp_path / "r.html"),
                "--quit", stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT), **OFFSCREEN},
            ) as process:  # fmt: skip
                _out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S * 2)
            return process.returncode or 0, err.decode()

    code, err = asyncio.run(scenario())
    assert code == 0, err  # a healthy simulated manager, seen from a console
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "SEP 通信ポート診断レポート" in html and "チケット 42" in html
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["role"] == "console" and report["note"] == "チケット 42"
    assert report["overall"] != "problem"


async def _refused_before_any_packet(*args: str) -> tuple[int, str, int]:
    """Run ``gui --run`` against a listener on the manager's 8014 and 443: how many connected."""
    async with serving(never_answer) as listener:
        result = await asyncio.to_thread(
            run, "gui", "--manager", "127.0.0.1", "--version", "14.3", "--port", f"8014={listener.port}",
            "--port", f"443={listener.port}", "--run", "--quit", *args, env=OFFSCREEN,
        )  # fmt: skip
        return result.returncode, result.stderr, listener.connections


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--notes", "bad\x07note"], "control characters"),
        (["--port", "8446=1", "--port", "8446=2"], "overridden twice"),
        (["--report", "/proc/sep-port-doctor/r.html"], "--report"),
        (["--report", "/"], "--report"),
    ],
    ids=["note-control", "port-twice", "report-no-folder", "report-is-folder"],
)
def test_bad_input_exits_2_with_one_line_and_nothing_sent(args: list[str], words: str) -> None:
    code, stderr, connections = asyncio.run(_refused_before_any_packet(*args))
    assert code == 2, stderr
    assert words in one_error_line(stderr)
    assert connections == 0  # validated before any packet left


def test_bad_manager_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    result = run(
        "gui", "--manager", "bad host", "--version", "14.3", "--run", "--quit", "--report", str(tmp_path / "x.html"),
        env=OFFSCREEN,
    )  # fmt: skip
    assert result.returncode == 2
    assert "spaces" in one_error_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_report_without_run_is_refused(tmp_path: Path) -> None:
    result = run("gui", "--report", str(tmp_path / "r.html"), "--quit", env=OFFSCREEN)
    assert result.returncode == 2
    assert "--run" in one_error_line(result.stderr)


def test_too_many_port_options_are_refused_before_the_window_opens() -> None:
    ports = [f"--port=8014={10000 + n}" for n in range(3001)]
    result = run("gui", "--manager", "127.0.0.1", "--version", "14.3", *ports, "--run", "--quit", env=OFFSCREEN)
    assert result.returncode == 2
    assert "too many port overrides" in one_error_line(result.stderr)


def test_no_display_is_one_line_and_exit_2() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    import subprocess

    result = subprocess.run([*command(), "gui"], capture_output=True, text=True, env=env, timeout=HANG_GUARD_S)
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "display" in line and "QT_QPA_PLATFORM=offscreen" in line


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT as a terminal's Ctrl+C does")
def test_ctrl_c_during_an_unattended_run_exits_130_and_leaves_no_half_report(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str, float]:
        async with serving(never_answer) as listener, spawned(
            *command(), "gui", "--manager", "127.0.0.1", "--version", "14.3",
            "--port", f"8014={listener.port}", "--port", f"443={listener.port}",
            "--run", "--quit", "--report", str(tmp_path / "r.html"),
            stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT), **OFFSCREEN},
        ) as process:  # fmt: skip
            deadline = time.monotonic() + HANG_GUARD_S
            while listener.connections == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)  # the probes are out: the secars check waits on 8014
            assert listener.connections > 0
            started = time.monotonic()
            process.send_signal(signal.SIGINT)
            _out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
            return process.returncode or 0, err.decode(), time.monotonic() - started

    code, stderr, seconds = asyncio.run(scenario())
    assert code == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert seconds < HANG_GUARD_S
    assert list(tmp_path.iterdir()) == []  # no report, no temporary file
    print(f"Ctrl+C to exit: {seconds * 1000:.0f} ms")


def test_a_corrupt_stored_geometry_never_stops_the_window(tmp_path: Path) -> None:
    """Issue 12, item 6: a truncated ``@Variant(...)`` in the settings file."""
    stored = "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\nQByteArray\\0\\0\\0\\0\\x10"
    folder = tmp_path / "config" / "SEP Port Doctor"
    folder.mkdir(parents=True)
    (folder / "sep-port-doctor.conf").write_text(f"[window]\ngeometry={stored}\n", encoding="latin-1")
    result = run("gui", "--quit", env={**OFFSCREEN, "XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_log_file_is_in_the_documented_folder(tmp_path: Path) -> None:
    """Issue 12, item 20: the log went to ~/.local/share/sep-port-doctor.log (set up before the
    application had its names). The README's folder, which is Qt's AppLocalDataLocation."""
    data = tmp_path / "data"
    env = {**OFFSCREEN, "XDG_DATA_HOME": str(data), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = run("gui", "--quit", env=env)
    assert result.returncode == 0, result.stderr
    assert (data / "SEP Port Doctor" / "sep-port-doctor" / "sep-port-doctor.log").is_file()
    assert not (data / "sep-port-doctor.log").exists()


@pytest.mark.parametrize(
    "ports",
    [["8014=99999"], ["8014=80", "8014=81"], ["9999=80"], [f"8014={10000 + n}" for n in range(30)]],
    ids=["out-of-range", "twice", "not-a-catalogue-port", "too-many"],
)
def test_gui_port_is_refused_with_the_words_check_gives(ports: list[str]) -> None:
    """Issue 12, item 18: ``gui --port`` follows ``check --port``'s rules, through the same code."""
    options = [f"--port={p}" for p in ports]
    checked = run("check", "--manager", "127.0.0.1", "--version", "14.3", *options, "--lang", "en")
    opened = run("gui", *options, "--lang", "en", "--quit", env={**OFFSCREEN, "LANG": "C.UTF-8"})
    assert checked.returncode == opened.returncode == 2, (checked.stderr, opened.stderr)
    said = one_error_line(opened.stderr)
    assert said.split("--port: ", 1)[1] == one_error_line(checked.stderr).split("--port: ", 1)[1]
