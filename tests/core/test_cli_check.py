"""`sep-port-doctor check` and `simulate` as a user runs them: real processes, real sockets."""

from __future__ import annotations

import asyncio
import json
import shlex
import signal

import pytest

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from tests.helpers.command import command, run, spawned
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.profile_runs import check_with_simulator, simulated_check
from tests.helpers.servers import closed_port


def test_json_schema_on_a_healthy_manager() -> None:
    code, out, err = check_with_simulator("healthy", "--version", "14.3 RU6", "--role", "console", "--json")
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
    async def scenario() -> tuple[int, str, str]:
        async with SimulatedManager(profile="http-down", ports={p: 0 for p in SERVED_PORTS}) as manager:
            with closed_port() as closed:  # 443 refused too: the client has neither way to the manager
                return await simulated_check(manager, "--version", "14.3", "--lang", "ja", moved={443: closed})

    code, out, _err = asyncio.run(scenario())
    assert code == 1
    assert "client-http-8014: 接続を拒否されました(閉じている)" in out
    assert "client-https-443: 接続を拒否されました(閉じている)" in out
    assert "問題 (2)" in out
    assert "このポートは変更できます" in out  # 8014 is configurable: the guidance says so


def test_a_closed_8014_beside_a_working_443_is_a_warning_in_japanese() -> None:
    code, out, _err = check_with_simulator("http-down", "--version", "14.3", "--lang", "ja")
    assert code == 0
    assert "client-http-8014: 接続を拒否されました(閉じている)" in out
    assert "クライアントが使うのは 8014 か 443 のどちらか" in out  # a rule of thumb, marked as such


def test_human_output_lists_each_check_as_it_completes() -> None:
    async def scenario() -> list[str]:
        async with SimulatedManager(profile="dropped", ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            async with spawned(
                *command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--role", "manager",
                "--lang", "en", "--timeout", "1", *overrides,
                stdout=asyncio.subprocess.PIPE,
            ) as process:  # fmt: skip
                assert process.stdout is not None
                lines = []
                while line := await asyncio.wait_for(process.stdout.readline(), HANG_GUARD_S):
                    lines.append(line.decode())
                await process.wait()
                return lines

    verdicts = [text for text in asyncio.run(scenario()) if text[:1] in "✓✗!i"]
    # 1100: a plain connect the simulator accepts (on the manager's own checks).
    open_line = next(i for i, text in enumerate(verdicts) if "rmi-tcp-1100" in text)
    filtered_line = next(i for i, text in enumerate(verdicts) if "server-https-8443" in text)
    # The open port's line came out before the dropped port's verdict, though 8443 is planned first.
    assert open_line < filtered_line
    assert "filtered" in verdicts[filtered_line]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--manager", "a b", "--version", "14.3"], "cannot contain spaces"),
        (["--manager", "", "--version", "14.3"], "empty"),
        (["--manager", "host:99999", "--version", "14.3"], "without a port"),
        (["--manager", "1.2.3.4.5", "--version", "14.3"], "not a valid IPv4"),
        (["--manager", "x" * 64 + ".corp", "--version", "14.3"], "longer than 63"),
        (["--manager", "sepm", "--version", "13"], "not a SEP version"),
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
            async with spawned(
                *command(), "check", "--manager", "https://127.0.0.1:8443/console", "--version", "14.3",
                "--role", "console", "--lang", "en", *overrides,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            ) as process:  # fmt: skip
                out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
                return process.returncode or 0, out.decode(), err.decode()

    code, out, _ = asyncio.run(scenario())
    assert code == 0, out
    assert "using the host '127.0.0.1' from the URL" in out
    assert "server-https-8443: Connected" in out


def test_simulate_serves_until_stopped_and_ctrl_c_exits_cleanly() -> None:
    async def scenario() -> tuple[int, str, bytes]:
        async with spawned(
            *command(), "simulate", "--free-ports", "--profile", "secars-wrong", "--lang", "en",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        ) as process:  # fmt: skip
            assert process.stdout is not None and process.stderr is not None
            banner = (await asyncio.wait_for(process.stdout.readline(), HANG_GUARD_S)).decode()
            hint = (await asyncio.wait_for(process.stdout.readline(), HANG_GUARD_S)).decode()
            args = shlex.split(hint.split(" check ", 1)[1])
            async with spawned(*command(), "check", *args, "--json", stdout=asyncio.subprocess.PIPE) as check:
                out, _ = await asyncio.wait_for(check.communicate(), HANG_GUARD_S)
            report = json.loads(out)
            by_id = {c["id"]: c for c in report["checks"]}
            # Served while it runs: the client port answers, with the wrong page.
            assert (by_id["client-http-8014"]["state"], by_id["client-http-8014"]["severity"]) == ("open", "problem")
            process.send_signal(signal.SIGINT)
            # The simulator serves until stopped: only the Ctrl+C ends it before this hang guard.
            await asyncio.wait_for(process.wait(), HANG_GUARD_S)
            return process.returncode or 0, banner, await process.stderr.read()

    code, banner, err = asyncio.run(scenario())
    assert "secars-wrong" in banner
    assert code == 130
    assert b"Traceback" not in err


def test_simulate_refuses_a_bad_profile() -> None:
    result = run("simulate", "--profile", "nonsense")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_out_of_support_version_gets_a_notice() -> None:
    code, out, _err = check_with_simulator("healthy", "--version", "14.2 RU2", "--role", "console", "--lang", "en")
    assert "note: Version out of vendor support" in out
    assert code == 0  # a notice, not a problem
    code, out, _err = check_with_simulator("healthy", "--version", "14.3 RU6", "--role", "console", "--lang", "en")
    assert "out of vendor support" not in out
    assert code == 0
