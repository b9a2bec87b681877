"""Diagnoses of the simulator's profiles, made the way their printed ``check`` makes them."""

from __future__ import annotations

import dataclasses

from core.catalog import load_catalog
from core.diagnosis import Diagnosis
from core.engine import ProbeEngine
from core.hosts import parse_host
from core.plan import PlanRequest, Role
from core.run import DiagnosisRun
from core.simulator import SERVED_PORTS, SimulatedManager, demonstration
from core.timing import TimeoutPolicy
from core.versions import parse_version
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
