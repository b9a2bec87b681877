"""A client-desk run with path facts, as the window and ``check`` do it, printed as JSON: run
inside a lab namespace (``python -m tests.helpers.path_run MANAGER LAST_SERVER_IP``).

This PC's SEP client is a Windows fixture (``en-fps-blocked``) whose SyLink says the client
last talked to ``LAST_SERVER_IP`` under the manager's name: the only way to have a SEP client's
settings on Linux. Everything on the network is real.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.console import write_json
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.run import DiagnosisRun
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.windows_fixtures import FixtureSystem

SYLINK = "SOFTWARE\\Symantec\\Symantec Endpoint Protection\\SMC\\SYLINK\\SyLink"


class MovedManagerSystem(FixtureSystem):
    def __init__(self, manager: str, last_ip: str) -> None:
        super().__init__("en-fps-blocked")
        self.registry[SYLINK] = {**self.registry[SYLINK], "LastServer": manager, "LastServerIP": last_ip}

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        return self.registry.get(key)


async def main(manager: str, last_ip: str) -> int:
    request = PlanRequest(manager=parse_host(manager), version=parse_version("14.3 RU6"), role=Role.CLIENT)
    engine = ProbeEngine(TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0), use_system_proxy=False)
    run = DiagnosisRun(
        request,
        load_catalog(),
        engine,
        read_local=True,
        local_system=MovedManagerSystem(manager, last_ip),
        path_facts=True,
    )
    diagnosis = await run.run()
    write_json(sys.stdout, diagnosis.to_json("en"))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
