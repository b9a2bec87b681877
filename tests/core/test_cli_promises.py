"""The README's promises about the command line, each through the real command:
exit codes, no traceback for the user (the log file has it), a closed pipe ends quietly,
output never crashes on an encoding, SIGTERM leaves nothing behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sep_port_doctor.core import exit_codes
from tests.helpers.command import ROOT, command
from tests.helpers.servers import dropping_port
from tests.helpers.words import english

LOG_PARTS = ("SEP Port Doctor", "sep-port-doctor", "sep-port-doctor.log")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8"}
    env.pop("PYTHONIOENCODING", None)
    return {**env, **extra}


def _log(tmp_path: Path) -> Path:
    return tmp_path.joinpath("data", *LOG_PARTS)


BROKEN_PLAN = """
import sys
import sep_port_doctor.core.check_command

def broken(*args, **kwargs):
    raise LookupError("a bug outside any check")

sep_port_doctor.core.check_command.DiagnosisRun = broken
from sep_port_doctor.core.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_internal_error_is_one_line_naming_the_log_and_exit_70(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_PLAN, "check", "--manager", "127.0.0.1", "--version", "14.3"],
        capture_output=True, text=True, env=_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert result.returncode == exit_codes.SOFTWARE == 70
    assert result.stdout.splitlines() == ["SEP Port Doctor: 127.0.0.1, SEP 14.3, Client desk"]
    lines = result.stderr.splitlines()
    assert lines == [
        f"sep-port-doctor: unexpected error (LookupError: a bug outside any check); the details are in the log: "
        f"{_log(tmp_path)}"
    ]
    logged = _log(tmp_path).read_text("utf-8")
    assert "Traceback (most recent call last)" in logged and "LookupError: a bug outside any check" in logged


def test_an_internal_error_is_said_in_japanese_too(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_PLAN, "check", "--manager", "127.0.0.1", "--version", "14.3", "--lang", "ja"],
        capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert result.returncode == 70
    assert "予期しないエラーです(LookupError: a bug outside any check)。詳細はログにあります" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`check ... | head -1`: the reader goes away while verdicts are still coming."""
    with dropping_port() as dropped:
        process = subprocess.Popen(
            [*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "1",
             "--port", f"8014={dropped}", "--port", f"443={dropped}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path),
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # as `head -1` does after its line
        err = process.stderr.read()
        process.stderr.close()
        code = process.wait(timeout=60)  # hang guard
    assert first.startswith(b"SEP Port Doctor: 127.0.0.1")
    assert err == b""
    assert code == exit_codes.OUTPUT_CLOSED


def test_a_closed_pipe_stops_a_push_sweep(tmp_path: Path) -> None:
    """`push 127.0.8.0/22 | head -2`: push went on probing all 1,024 addresses for nobody (4 s) and
    then ended; it now stops the sweep at its next line, as check stops its run. Side by side with
    the same sweep read to its end."""

    def sweep(close_after: int | None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command(), "push", "127.0.8.0/22", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path),
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        if close_after is None:
            process.stdout.read()
        else:
            for _ in range(close_after):
                process.stdout.readline()
        process.stdout.close()  # as `head -2` does after its lines
        err = process.stderr.read()
        process.stderr.close()
        code = process.wait(timeout=60)  # hang guard
        return code, err, time.perf_counter() - started

    code, err, whole = sweep(None)
    assert (code, err) == (exit_codes.PROBLEMS, b"")
    code, err, stopped = sweep(2)
    assert (code, err) == (exit_codes.OUTPUT_CLOSED, b"")
    assert stopped < whole / 2, (stopped, whole)


def test_head_1_in_a_real_shell_pipeline(tmp_path: Path) -> None:
    if shutil.which("sh") is None or shutil.which("head") is None:
        pytest.skip("no POSIX shell here")
    with dropping_port() as dropped:
        line = " ".join([*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "1",
                         "--port", f"8014={dropped}"])  # fmt: skip
        result = subprocess.run(
            ["sh", "-c", f"{line} | head -1"],
            capture_output=True, text=True, env=_env(tmp_path), timeout=60,
        )  # fmt: skip
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]
    assert result.stdout.startswith("SEP Port Doctor: 127.0.0.1")
    assert result.stderr == ""  # no "Broken pipe", no traceback


def _simulated_check(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    """check against the simulator with 8014 and 443 down (problems to print), in a child of its own."""
    script = (
        "import asyncio, socket, subprocess, sys\n"
        "from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager\n"
        "async def main():\n"
        "    async with SimulatedManager(profile='http-down', ports={p: 0 for p in SERVED_PORTS}) as m:\n"
        "        closed = socket.socket()\n"
        "        closed.bind(('127.0.0.1', 0))  # bound, never listening: refused\n"
        "        moved = {**m.bound, 443: closed.getsockname()[1]}\n"
        "        overrides = [f'--port={d}={p}' for d, p in moved.items()]\n"
        "        proc = await asyncio.create_subprocess_exec(*sys.argv[1:], *overrides)\n"
        "        return await proc.wait()\n"
        "sys.exit(asyncio.run(main()))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *command(), "check", "--manager", "127.0.0.1", "--version", "14.3", *args],
        capture_output=True, env=env, timeout=90,
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["cp932", "euc-jp", "ascii", "latin-1"])
def test_human_output_never_crashes_on_an_encoding(encoding: str, tmp_path: Path) -> None:
    result = _simulated_check(tmp_path, _env(tmp_path, PYTHONIOENCODING=encoding), "--lang", "ja")
    assert result.returncode == exit_codes.PROBLEMS, result.stderr
    assert result.stderr == b""
    text = result.stdout.decode(encoding)
    assert "[NG] TCP" in text and "✗" not in text
    assert "->" in text or "→" in text
    if encoding in ("cp932", "euc-jp"):
        assert "接続を拒否されました" in text  # Japanese stays Japanese where the encoding has it
    else:
        assert "\\u63a5\\u7d9a" in text  # escaped, not a crash


@pytest.mark.parametrize("encoding", ["cp932", "ascii"])
def test_json_output_is_valid_in_any_encoding(encoding: str, tmp_path: Path) -> None:
    result = _simulated_check(tmp_path, _env(tmp_path, PYTHONIOENCODING=encoding), "--json", "--lang", "ja")
    assert result.returncode == exit_codes.PROBLEMS
    document = json.loads(result.stdout.decode(encoding))
    assert any("接続を拒否されました" in c["headline"] for c in document["checks"])


def _eucjp_locale(tmp_path: Path) -> Path | None:
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/ja_JP").exists():
        return None
    folder = tmp_path / "locales"
    folder.mkdir()
    made = subprocess.run(
        ["localedef", "-i", "ja_JP", "-f", "EUC-JP", str(folder / "ja_JP.eucjp")], capture_output=True, timeout=120
    )
    return folder if made.returncode in (0, 1) and (folder / "ja_JP.eucjp").exists() else None


def test_a_real_eucjp_terminal(tmp_path: Path) -> None:
    """LC_ALL=ja_JP.eucjp with the locale compiled here (Python then writes EUC-JP)."""
    locales = _eucjp_locale(tmp_path)
    if locales is None:
        pytest.skip("localedef or the ja_JP locale source is missing")
    env = _env(tmp_path, LOCPATH=str(locales), LC_ALL="ja_JP.eucjp")
    env.pop("LANG")
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"], capture_output=True,
                           text=True, env=env, timeout=30)  # fmt: skip
    assert probe.stdout.strip().lower().replace("_", "-") == "euc-jp"
    result = _simulated_check(tmp_path, env)
    assert result.returncode == exit_codes.PROBLEMS, result.stderr
    assert result.stderr == b""
    text = result.stdout.decode("euc-jp")
    assert "[NG]" in text and "接続を拒否されました" in text  # the system language is Japanese here


def test_log_never_holds_a_proxy_password(tmp_path: Path) -> None:
    env = _env(tmp_path, http_proxy="http://tech:s3cret@127.0.0.1:9/", https_proxy="http://tech:s3cret@127.0.0.1:9/")
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_PLAN.replace('"a bug outside any check"', 'str(__import__("os").environ)'),
         "check", "--manager", "127.0.0.1", "--version", "14.3"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 70
    logged = _log(tmp_path).read_text("utf-8")
    assert "http://127.0.0.1:9/" in logged  # the record is there...
    assert "s3cret" not in logged and "s3cret" not in result.stderr  # ...without the credentials


def test_full_width_numbers_are_read_as_typed_with_a_japanese_input_method(tmp_path: Path) -> None:
    from tests.helpers.servers import closed_port

    with closed_port() as port:
        wide = "".join(chr(ord(d) + 0xFEE0) for d in str(port))  # ４１２３４: what an IME types
        result = subprocess.run(
            [*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "２",
             "--port", f"８０１４={wide}", "--json"],
            capture_output=True, text=True, env=_env(tmp_path), timeout=60,
        )  # fmt: skip
    assert result.returncode == exit_codes.PROBLEMS, result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["client-http-8014"]["port"] == port and checks["client-http-8014"]["state"] == "closed"
    simulated = subprocess.run([*command(), "simulate", "--free-ports", "--duration", "０.２"],
                               capture_output=True, text=True, env=_env(tmp_path), timeout=60)  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr


def test_a_name_that_resolves_to_a_multicast_address_gets_nothing_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import socket

    import sep_port_doctor.core.engine
    from sep_port_doctor.core.catalog import load_catalog
    from sep_port_doctor.core.hosts import parse_host
    from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
    from sep_port_doctor.core.resolver import Resolved
    from sep_port_doctor.core.results import State
    from sep_port_doctor.core.versions import parse_version

    async def multicast(_name: str) -> Resolved:
        return Resolved(socket.AF_INET, "224.0.0.1")

    async def never(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("a packet would have been sent")

    monkeypatch.setattr(sep_port_doctor.core.engine, "resolve", multicast)
    monkeypatch.setattr(sep_port_doctor.core.engine, "tcp_probe", never)
    monkeypatch.setattr(sep_port_doctor.core.engine, "udp_probe", never)
    catalog = load_catalog()
    request = PlanRequest(manager=parse_host("sepm.corp"), version=parse_version("14.3"), role=Role.CONSOLE,
                          all_ports=True, platform="linux")  # fmt: skip
    summary = asyncio.run(
        sep_port_doctor.core.engine.ProbeEngine().run(build_plan(catalog, request), version=request.version)
    )
    remote = [r for r in summary.results if not r.check.skip and not r.check.local]
    assert remote and all(r.state is State.NOT_TESTED for r in remote)
    assert "sepm.corp resolves to 224.0.0.1 is a multicast address" in english(remote[0].reason)
    assert "nothing was sent" in english(remote[0].reason)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
def test_sigterm_during_a_run_stops_cleanly_with_143(tmp_path: Path) -> None:
    import signal

    with dropping_port() as dropped:
        process = subprocess.Popen(
            [*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "30",
             "--port", f"8014={dropped}", "--report", str(tmp_path / "r.html")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path),
        )  # fmt: skip
        assert process.stdout is not None
        process.stdout.readline()  # the banner: the run has started
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)  # hang guard
    assert process.returncode == exit_codes.TERMINATED == 143
    assert err.decode().splitlines() == ["sep-port-doctor: stopped by a termination request (SIGTERM)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no report, no temporary file


def test_a_report_folder_gone_during_the_run_keeps_the_results_and_exits_74(tmp_path: Path) -> None:
    share, spare = tmp_path / "share", tmp_path / "spare"
    share.mkdir()
    spare.mkdir()
    with dropping_port() as dropped:
        process = subprocess.Popen(
            [*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "1",
             "--port", f"8014={dropped}", "--report", str(share / "r.html")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path, TMPDIR=str(spare)),
        )  # fmt: skip
        assert process.stdout is not None
        process.stdout.readline()  # the place was checked and the run has started
        shutil.rmtree(share)  # the share went away meanwhile
        out, err = process.communicate(timeout=60)  # hang guard
    assert process.returncode == exit_codes.CANNOT_WRITE == 74, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and "the results are kept in" in lines[0], lines
    assert sorted(p.suffix for p in spare.iterdir()) == [".html", ".json"]
    assert b"Problem" in out
