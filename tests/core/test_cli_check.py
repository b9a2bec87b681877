"""`sep-port-doctor check` and `simulate` as a user runs them: real processes, real sockets."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import pytest

from core.simulator import SERVED_PORTS, SimulatedManager
from tests.helpers.command import ROOT, command, run

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


async def _check(manager: SimulatedManager, *args: str) -> tuple[int, str, str]:
    overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
    process = await asyncio.create_subprocess_exec(
        *command(), "check", "--manager", "127.0.0.1", *overrides, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=ENV,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _with_simulator(profile: str, *args: str) -> tuple[int, str, str]:
    async def scenario() -> tuple[int, str, str]:
        async with SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS}) as manager:
            return await _check(manager, *args)

    return asyncio.run(scenario())


def test_json_schema_on_a_healthy_manager() -> None:
    code, out, err = _with_simulator("healthy", "--version", "14.3 RU6", "--role", "console", "--json")
    assert code == 0, out + err
    report = json.loads(out)
    for key in ("manager", "version", "role", "started", "duration_ms", "checks"):
        assert key in report
    assert report["manager"] == "127.0.0.1" and report["role"] == "console"
    assert len(report["checks"]) == 24
    states = {"open", "closed", "filtered", "open|filtered", "unreachable", "unresolved", "listening",
              "not_listening", "not_applicable", "not_tested", "cancelled", "error"}  # fmt: skip
    for check in report["checks"]:
        for key in ("id", "host", "protocol", "port", "state", "rtt_ms", "applies", "reason", "application"):
            assert key in check
        assert check["state"] in states
        assert check["application"] is None or {"test", "ok", "detail"} <= set(check["application"])
    by_id = {c["id"]: c for c in report["checks"]}
    assert by_id["server-https-8443"]["state"] == "open"
    assert by_id["server-https-8443"]["application"]["ok"] is True
    assert by_id["server-https-8443"]["port"] != 8443  # the port actually probed
    assert by_id["cas-http-8081"]["applies"] is False


def test_problems_exit_1_and_explain_in_japanese() -> None:
    code, out, _err = _with_simulator("http-down", "--version", "14.3", "--lang", "ja")
    assert code == 1
    assert "client-http-8014: 接続を拒否されました(閉じている)" in out
    assert "問題" in out
    assert "このポートは変更できます" in out  # 8014 is configurable: the guidance says so


def test_human_output_lists_each_check_as_it_completes() -> None:
    async def scenario() -> list[tuple[float, str]]:
        async with SimulatedManager(profile="dropped", ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            process = await asyncio.create_subprocess_exec(
                *command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--role", "console",
                "--lang", "en", "--timeout", "1", *overrides,
                stdout=asyncio.subprocess.PIPE, env=ENV,
            )  # fmt: skip
            assert process.stdout is not None
            lines = []
            started = time.perf_counter()
            while line := await asyncio.wait_for(process.stdout.readline(), 30):
                lines.append((time.perf_counter() - started, line.decode()))
            await process.wait()
            return lines

    lines = asyncio.run(scenario())
    verdicts = [(t, text) for t, text in lines if text[:1] in "✓✗!i"]
    open_line = next(t for t, text in verdicts if "rmi-tcp-1100" in text)
    filtered_line = next(t for t, text in verdicts if "server-https-8443" in text)
    # The open port's line was on the screen before the dropped port's verdict came.
    assert open_line < filtered_line
    assert "filtered" in next(text for _, text in verdicts if "server-https-8443" in text)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--manager", "a b", "--version", "14.3"], "cannot contain spaces"),
        (["--manager", "", "--version", "14.3"], "empty"),
        (["--manager", "host:99999", "--version", "14.3"], "without a port"),
        (["--manager", "1.2.3.4.5", "--version", "14.3"], "not a valid IPv4"),
        (["--manager", "x" * 64 + ".corp", "--version", "14.3"], "longer than 63"),
        (["--manager", "sepm", "--version", "15"], "not a SEP version"),
        (["--manager", "sepm", "--version", "14.3", "--port", "1234=80"], "not a SEP port"),
        (["--manager", "sepm", "--version", "14.3", "--port", "8014=70000"], "1-65535"),
        (["--manager", "sepm", "--version", "14.3", "--timeout", "0"], "between 0.1 and 60"),
        (["--manager", "sepm", "--version", "14.3", "--timeout", "61"], "between 0.1 and 60"),
        (["--manager", "sepm", "--version", "14.3", "--role", "server"], "invalid choice"),
        (["--manager", "sepm", "--version", "14.3", "--gup", "bad host"], "--gup"),
        (["--version", "14.3"], "--manager"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], words: str) -> None:
    result = run("check", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0]
    assert result.stdout == ""


def test_pasted_url_is_reduced_to_its_host_with_a_notice() -> None:
    async def scenario() -> tuple[int, str, str]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            process = await asyncio.create_subprocess_exec(
                *command(), "check", "--manager", "https://127.0.0.1:8443/console", "--version", "14.3",
                "--role", "console", "--lang", "en", *overrides,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=ENV,
            )  # fmt: skip
            out, err = await asyncio.wait_for(process.communicate(), 60)
            return process.returncode or 0, out.decode(), err.decode()

    code, out, _ = asyncio.run(scenario())
    assert code == 0, out
    assert "using the host '127.0.0.1' from the URL" in out
    assert "server-https-8443: Connected" in out


def test_simulate_serves_until_stopped_and_ctrl_c_exits_cleanly(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str, float]:
        process = await asyncio.create_subprocess_exec(
            *command(), "simulate", "--free-ports", "--profile", "secars-wrong",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=ENV,
        )  # fmt: skip
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        hint = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        args = hint.split("try: sep-port-doctor ", 1)[1].split()
        check = await asyncio.create_subprocess_exec(
            *command(), *args, "--json",
            stdout=asyncio.subprocess.PIPE, env=ENV,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(check.communicate(), 60)
        report = json.loads(out)
        assert {c["id"]: c["state"] for c in report["checks"]}["server-https-8443"] == "open"
        started = time.perf_counter()
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 5)
        return process.returncode or 0, banner, time.perf_counter() - started

    code, banner, elapsed = asyncio.run(scenario())
    assert "secars-wrong" in banner
    assert code == 130
    assert elapsed < 1.0


def test_simulate_refuses_a_bad_profile() -> None:
    result = run("simulate", "--profile", "nonsense")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_out_of_support_version_gets_a_notice() -> None:
    code, out, _err = _with_simulator("healthy", "--version", "14.2 RU2", "--role", "console", "--lang", "en")
    assert "note: Version out of vendor support" in out
    assert code == 0  # a notice, not a problem
    code, out, _err = _with_simulator("healthy", "--version", "14.3 RU6", "--role", "console", "--lang", "en")
    assert "out of vendor support" not in out
    assert code == 0
