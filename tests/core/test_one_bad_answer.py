"""One bad answer never sinks a run: hostile servers through the real command, and a probe
that raises what nobody expected, in the engine and through `check` and the report."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.report import export
from sep_port_doctor.core.results import State
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.command import ROOT, command
from tests.helpers.servers import HOSTILE_SERVERS, HostileServer, serving, udp_serving
from tests.helpers.words import english

CATALOG = load_catalog()
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"), "LANG": "C.UTF-8"}


async def _run(args: list[str], env: dict[str, str], prefix: list[str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *(prefix or command()), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)  # hang guard
    return process.returncode if process.returncode is not None else -1, out.decode(), err.decode()


async def _against(server: HostileServer, args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    base = ["check", "--manager", "127.0.0.1", "--version", "14.3", "--role", server.role, "--timeout", "1"]
    if server.all_ports:
        base.append("--all-ports")
    if server.protocol == "udp":
        assert server.udp_reply is not None
        async with udp_serving(server.udp_reply) as (port, _protocol):
            return await _run([*base, "--port", f"{server.default_port}={port}", *args], env)
    assert server.behaviour is not None
    context = server.certificate().context() if server.certificate else None
    async with serving(server.behaviour, context) as tcp:
        return await _run([*base, "--port", f"{server.default_port}={tcp.port}", *args], env)


def _check_text(check: dict[str, Any]) -> str:
    application = check.get("application") or {}
    steps = " ".join(json.dumps(s.get("evidence"), ensure_ascii=False) for s in application.get("steps", []))
    return " ".join([check["reason"], application.get("detail", ""), check["headline"], steps])


@pytest.mark.parametrize("name", HOSTILE_SERVERS)
def test_hostile_server_gets_a_verdict_and_the_run_goes_on(name: str, tmp_path: Path) -> None:
    server = HOSTILE_SERVERS[name]
    code, out, err = asyncio.run(_against(server, ["--json"], _env(tmp_path)))
    assert err == "", err
    assert code in (exit_codes.OK, exit_codes.PROBLEMS, exit_codes.INCOMPLETE), (code, out)
    document = json.loads(out)
    checks = {c["id"]: c for c in document["checks"]}
    assert len(checks) == len(CATALOG.entries)  # the whole diagnosis, not just the hostile check
    hostile = checks[server.entry]
    assert hostile["state"] != "error", hostile  # parsed as a bad answer, not a crash
    assert server.words in _check_text(hostile), _check_text(hostile)
    assert all(c["severity"] for c in document["checks"])


@pytest.mark.parametrize("name", HOSTILE_SERVERS)
def test_hostile_server_text_never_reaches_the_terminal_raw(name: str, tmp_path: Path) -> None:
    code, out, err = asyncio.run(_against(HOSTILE_SERVERS[name], ["--lang", "en"], _env(tmp_path)))
    assert code in (exit_codes.OK, exit_codes.PROBLEMS, exit_codes.INCOMPLETE), (code, out, err)
    assert "Traceback" not in out + err
    assert RAW_CONTROLS.search(out) is None, repr(RAW_CONTROLS.search(out))
    assert RAW_CONTROLS.search(err) is None
    if "terminal escapes" in name:
        assert "\\x1b]0" in out and "owned" in out  # shown escaped: the technician sees what was sent


class Surprise(Exception):
    """What no code path expects."""


class DeepSurprise(BaseException):
    """Not even an Exception: only a run that isolates everything survives it."""


def _request(manager: SimulatedManager, role: Role = Role.CONSOLE) -> PlanRequest:
    return PlanRequest(
        manager=parse_host("127.0.0.1"), version=parse_version("14.3 RU1"), role=role,
        overrides=dict(manager.bound), platform="linux",
    )  # fmt: skip


@pytest.mark.parametrize("kind", [Surprise, DeepSurprise, RecursionError, KeyError])
def test_a_probe_raising_anything_yields_an_error_verdict_and_a_full_report(
    kind: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sep_port_doctor.core.tlsinfo

    async def raising(*_args: object, **_kwargs: object) -> object:
        raise kind("nobody expected this")

    # The engine takes tls_probe from sep_port_doctor.core.tlsinfo when a TLS check starts (loaded late: core.engine).
    monkeypatch.setattr(sep_port_doctor.core.tlsinfo, "tls_probe", raising)

    async def scenario() -> Diagnosis:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = _request(manager)
            engine = ProbeEngine(TimeoutPolicy(initial=0.5, cap=1.0), use_system_proxy=False)
            summary = await engine.run(build_plan(CATALOG, request), version=request.version)
        return Diagnosis.from_run(request, summary, CATALOG)

    diagnosis = asyncio.run(scenario())
    by_id = {r.check.entry_id: r for r in diagnosis.results}
    assert len(by_id) == len(CATALOG.entries)
    failed = by_id["server-https-8443"]
    assert failed.state is State.ERROR
    assert failed.error == {
        "step": "tls", "exception": kind.__name__, "message": "'nobody expected this'" if kind is KeyError
        else "nobody expected this", "port_state": "open",
    }  # fmt: skip
    # The step in words (the check's name, TLS; its id tls stays in the error's evidence above).
    assert "at its TLS step" in english(failed.reason) and kind.__name__ in english(failed.reason)
    assert by_id["webconsole-tcp-9090"].state is State.OPEN  # the others went on
    assert exit_codes.for_diagnosis(diagnosis) == exit_codes.INCOMPLETE  # never "nothing wrong"
    html, json_path = export(diagnosis, CATALOG, "en", tmp_path, "report.html")
    assert kind.__name__ in html.read_text("utf-8")
    checks = {c["id"]: c for c in json.loads(json_path.read_text("utf-8"))["checks"]}
    assert checks["server-https-8443"]["state"] == "error"
    assert checks["server-https-8443"]["error"]["exception"] == kind.__name__


RAISING_CHECK = """
import sys
import sep_port_doctor.core.tlsinfo

class Surprise(Exception):
    pass

async def raising(*args, **kwargs):
    raise Surprise("the parser met something new")

sep_port_doctor.core.tlsinfo.tls_probe = raising
from sep_port_doctor.core.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_check_with_a_raising_probe_exits_3_with_the_evidence_and_no_traceback(tmp_path: Path) -> None:
    env = _env(tmp_path)

    async def scenario() -> tuple[tuple[int, str, str], tuple[int, str, str]]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            args = ["check", "--manager", "127.0.0.1", "--version", "14.3 RU1", "--role", "console", *overrides]
            prefix = [sys.executable, "-c", RAISING_CHECK]
            human = await _run([*args, "--lang", "en"], env, prefix)
            as_json = await _run([*args, "--json"], env, prefix)
            return human, as_json

    (code, out, err), (json_code, json_out, json_err) = asyncio.run(scenario())
    assert code == json_code == exit_codes.INCOMPLETE, out + err
    assert err == json_err == ""
    assert "Traceback" not in out
    assert "server-https-8443: Could not be checked: the check failed at its TLS step (Surprise:" in out
    assert "webconsole-tcp-9090: Connected" in out
    log = tmp_path / "data" / "SEP Port Doctor" / "sep-port-doctor" / "sep-port-doctor.log"
    assert f"could not be completed (error); the other results stand; the details are in the log: {log}" in out
    logged = log.read_text("utf-8")
    assert "Traceback" in logged and "Surprise: the parser met something new" in logged
    checks = {c["id"]: c for c in json.loads(json_out)["checks"]}
    assert checks["server-https-8443"]["error"]["step"] == "tls"
    assert checks["report-tcp-8445"]["state"] == "error"
    assert checks["webconsole-tcp-9090"]["state"] == "open"
