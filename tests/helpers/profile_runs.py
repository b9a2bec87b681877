"""Diagnoses of the simulator's profiles, made the way their printed ``check`` makes them."""

from __future__ import annotations

import asyncio
import dataclasses

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.run import DiagnosisRun
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager, demonstration
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.command import command, spawned
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.windows_fixtures import FixtureSystem

CATALOG = load_catalog()


async def profile_diagnosis(
    profile: str, fixture: str | None = None, role: Role | None = None, note: str = "INC-4711"
) -> Diagnosis:
    """The run of the profile's printed command (``core.simulator.demonstration``: role, version,
    moved ports). With ``fixture``, this PC is read from that hand-made Windows fixture and the
    plan is Windows'; ``role`` overrides the profile's own."""
    async with SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS}) as manager:
        shown = demonstration(manager, CATALOG)
        request = PlanRequest(
            manager=parse_host(shown.manager),
            version=parse_version(shown.version),
            role=role or Role(shown.role),
            overrides=dict(manager.bound) if fixture or role else shown.overrides,
        )
        if fixture:
            request = dataclasses.replace(request, platform="win32")
        local = FixtureSystem(fixture) if fixture else None
        engine = ProbeEngine(TimeoutPolicy.from_user_timeout(None), use_system_proxy=False)
        run = DiagnosisRun(request, CATALOG, engine, read_local=local is not None, local_system=local, note=note)
        return await run.run()


async def simulated_check(
    manager: SimulatedManager, *args: str, host: str = "127.0.0.1", moved: dict[int, int] | None = None
) -> tuple[int, str, str]:
    """``check --manager HOST`` as a user runs it against the simulator's ports (``moved``: some of
    them elsewhere): its exit code, stdout and stderr."""
    overrides = [f"--port={d}={p}" for d, p in {**manager.bound, **(moved or {})}.items()]
    async with spawned(
        *command(), "check", "--manager", host, *overrides, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    ) as process:  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def check_with_simulator(profile: str, *args: str, host: str = "127.0.0.1") -> tuple[int, str, str]:
    """``check`` against a simulated manager of ``profile`` started for it (see ``simulated_check``)."""

    async def scenario() -> tuple[int, str, str]:
        async with SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS}) as manager:
            return await simulated_check(manager, *args, host=host)

    return asyncio.run(scenario())
