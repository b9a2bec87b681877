"""Reliability: hostile servers through `check`, Ctrl+C, long runs, probes only where allowed."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.results import Target
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.command import command, spawned
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import (
    HOSTILE_HTTP,
    Behaviour,
    answer_at_once,
    dropping_port,
    http_response,
    serving,
)

CATALOG = load_catalog()

HOSTILE: dict[str, tuple[Behaviour, str]] = {
    **HOSTILE_HTTP,
    "TLS expected, plain HTTP": (answer_at_once(http_response(400, b"bad", "Bad Request")), ""),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_check_ends_hostile_servers_with_a_failed_verdict_in_time(name: str) -> None:
    behaviour, words = HOSTILE[name]
    entry = "client-https-443" if name.startswith("TLS") else "client-http-8014"
    port = 443 if name.startswith("TLS") else 8014

    async def scenario() -> tuple[int, dict[str, object]]:
        async with serving(behaviour) as server, spawned(
            *command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "1",
            "--port", f"{port}={server.port}", "--json",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        ) as process:  # fmt: skip
            # Every exchange is bounded by --timeout (1 s per step): the words below show which
            # deadline ended it. Without one, "never answers" would hang until this guard.
            out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
            assert b"Traceback" not in err
            report = json.loads(out)
            return process.returncode or 0, next(c for c in report["checks"] if c["id"] == entry)

    code, check = asyncio.run(scenario())
    assert code == 1
    assert check["state"] == "open"
    assert check["severity"] == "problem"
    application = check["application"]
    assert isinstance(application, dict) and application["ok"] is False
    assert words in application["detail"]


def test_ctrl_c_ends_a_run_cleanly() -> None:
    async def scenario() -> tuple[int, str]:
        # Probes of dropped ports with a 60 s timeout: without the Ctrl+C the run would take 2 min.
        with dropping_port() as dropped:
            async with spawned(
                *command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "60",
                "--port", f"8014={dropped}", "--port", f"443={dropped}",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            ) as process:  # fmt: skip
                assert process.stdout is not None
                await asyncio.wait_for(process.stdout.readline(), HANG_GUARD_S)  # the banner: the run has started
                await asyncio.sleep(0.5)
                process.send_signal(signal.SIGINT)
                _out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
                return process.returncode or 0, err.decode()

    code, err = asyncio.run(scenario())
    assert code == 130
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["sep-port-doctor: interrupted"]


def _fds() -> int:
    return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0


def test_long_run_leaks_no_file_descriptors_or_tasks() -> None:
    """100 runs in one process against the simulator with a dropped port (benchmarks/soak.py does 500)."""

    async def scenario() -> tuple[int, int, int]:
        async with SimulatedManager(profile="dropped", ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), role=Role.CONSOLE,
                overrides=dict(manager.bound),
            )  # fmt: skip
            checks = build_plan(CATALOG, request)
            engine = ProbeEngine(TimeoutPolicy(initial=0.2, floor=0.02, cap=0.2), use_system_proxy=False)
            await engine.run(checks, version=request.version)
            gc.collect()
            before = _fds()
            for _ in range(100):
                await engine.run(checks, version=request.version)
            gc.collect()
            after = _fds()
            tasks = len([t for t in asyncio.all_tasks() if t is not asyncio.current_task()])
            return before, after, tasks

    before, after, tasks = asyncio.run(scenario())
    assert after <= before
    assert tasks <= 1  # the simulator's own idle servers only


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("all_ports", [False, True])
def test_probes_go_only_to_typed_hosts_and_catalogue_ports_or_overrides(role: Role, all_ports: bool) -> None:
    overrides = {8014: 80, 443: 4443}
    request = PlanRequest(
        manager=parse_host("sepm.corp"), version=parse_version("14.3"), role=role, gup=parse_host("gup.corp"),
        sql=parse_host("sql.corp"), syslog=parse_host("10.0.0.9"), overrides=overrides, all_ports=all_ports,
    )  # fmt: skip
    allowed_hosts = {"sepm.corp", "gup.corp", "sql.corp", "10.0.0.9", "127.0.0.1"}
    allowed_ports = {e.port for e in CATALOG.entries} | set(overrides.values())
    for check in build_plan(CATALOG, request):
        if check.skip:
            continue
        assert check.port in allowed_ports
        if check.local:
            assert check.host is None
        else:
            assert check.host is not None and check.host.name in allowed_hosts
            # 127.0.0.1 only for the manager's localhost-only ports when on the manager itself.
            if check.host.name == "127.0.0.1":
                assert role is Role.MANAGER and check.target is Target.MANAGER_LOCALHOST
