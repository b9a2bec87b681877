"""Path facts in the window: a run's details show each target's path, and a trace's hops arrive
live on the run page's status line (the trace itself is run in tests/integration/test_path_lab.py,
where a router stands between)."""

from __future__ import annotations

import asyncio

from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.path import Hop, HopKind
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.run_events import TraceHop
from sep_port_doctor.core.simulator import SimulatedManager
from sep_port_doctor.core.versions import parse_version
from sep_port_doctor.gui.wizard.controller import DiagnosticsWizard
from sep_port_doctor.gui.wizard.pages.results import PAYLOAD_ROLE
from tests.gui.conftest import drive
from tests.gui.trees import rows


def test_details_show_the_path_and_hops_arrive_live(
    wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    request = PlanRequest(
        manager=parse_host("127.0.0.1"),
        version=parse_version("14.3 RU6"),
        role=Role.CLIENT,
        overrides=dict(simulator.bound),
    )

    async def scenario() -> None:
        await wizard.start_run(request)

    drive(loop, scenario())
    assert wizard.run is not None and wizard.diagnosis is not None
    (path,) = wizard.diagnosis.paths
    assert path.route is not None and path.route.source == "127.0.0.1"
    wizard.results.show_diagnosis(wizard.diagnosis)
    tree = wizard.results.tree
    remote = next(
        i for i in rows(tree) if i.data(0, PAYLOAD_ROLE)[0] == "check" and not i.data(0, PAYLOAD_ROLE)[1].check.local
    )
    tree.setCurrentItem(remote)
    details = wizard.results.details.toPlainText()
    assert "Path" in details and "Leaves from 127.0.0.1" in details
    # A hop of a trace, as the run delivers it: the status line says where the trace is.
    wizard._on_event(wizard.run, TraceHop("sepm.lab", Hop(2, HopKind.TIME_EXCEEDED, "10.20.0.1")))
    assert wizard.run_page.status.text() == "Tracing the path to sepm.lab: hop 2 10.20.0.1"
