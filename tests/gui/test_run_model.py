"""The live run's table model: Qt's model tester on every state a row can be in."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.results import CheckResult, State
from sep_port_doctor.core.versions import parse_version
from sep_port_doctor.gui.wizard.run_model import COL_STATE, COL_TIME, COLUMN_COUNT, PROGRESS_ROLE, Progress, RunModel
from tests.helpers.words import raw

CATALOG = load_catalog()


def plan() -> tuple:  # type: ignore[type-arg]
    request = PlanRequest(
        manager=parse_host("sepm01.corp.example"), version=parse_version("14.3 RU1"), role=Role.CLIENT
    )
    return build_plan(CATALOG, request)


def test_qtmodeltester_on_waiting_running_and_finished_rows(qapp: QApplication, qtmodeltester: ModelTester) -> None:
    checks = plan()
    model = RunModel(CATALOG, "en")
    model.show_plan(checks)
    # Checked now (every row waiting), then on each change below as the model signals it.
    qtmodeltester.check(model, force_py=True)
    shown = [c for c in checks if not c.skip]
    model.mark_running(tuple(c.id for c in shown), time.monotonic() - 2.5)  # running, elapsed time
    model.tick()
    first = shown[0]
    result = CheckResult(first, State.OPEN, raw("syn-ack"), "10.0.0.5", 1.5, 1)
    model.set_result(result, explain(result, CATALOG))
    model.set_lang("ja")
    assert model.rowCount() == len(shown)
    assert model.index(0, 0).data(PROGRESS_ROLE) == "done"
    assert model.index(0, COL_STATE).data() == "開いている"
    assert model.index(1, 0).data(PROGRESS_ROLE) == "running"
    assert float(model.index(1, COL_TIME).data().removesuffix(" 秒")) >= 2.5  # the model speaks Japanese now
    # A round trip where a packet crossed a network; none for a check of this PC's own socket.
    remote, local = next(c for c in shown if not c.local), next(c for c in shown if c.local)
    for check, state in ((remote, State.OPEN), (local, State.LISTENING)):
        arrived = CheckResult(check, state, raw("-"), "127.0.0.1", 0.02 if check.local else 1.54, 1)
        model.set_result(arrived, explain(arrived, CATALOG))
    assert model.index(shown.index(remote), COL_TIME).data() == "1.5 ms"
    assert model.index(shown.index(local), COL_TIME).data() == ""
    model.clear()
    assert model.rowCount() == 0


def test_checks_that_send_nothing_are_not_rows_and_their_results_are_ignored() -> None:
    checks = plan()
    model = RunModel(CATALOG, "en")
    model.show_plan(checks)
    skipped = next(c for c in checks if c.skip)
    model.set_result(
        CheckResult(skipped, State.NOT_APPLICABLE, raw("not for this role")),
        explain(CheckResult(skipped, State.NOT_APPLICABLE, raw("x")), CATALOG),
    )
    assert model.row_of(skipped.id) == -1
    assert model.results() == []


def test_verdicts_arriving_together_are_told_to_the_views_in_one_signal_within_a_frame(qtbot: QtBot) -> None:
    """A sweep's verdicts arrive by the hundred in one turn of the loop: each row says its verdict
    at once, and the views hear of them all in one change a frame later (not one per verdict)."""
    checks = plan()
    model = RunModel(CATALOG, "en")
    model.show_plan(checks)
    told: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda first, last, _roles=(): told.append((first.row(), first.column(), last.row(), last.column()))
    )
    shown = [c for c in checks if not c.skip]
    for check in shown:
        result = CheckResult(check, State.CLOSED, raw("rst"), "10.0.0.5", 0.4, 1)
        model.set_result(result, explain(result, CATALOG))
    assert model.count(Progress.DONE) == len(shown) and model.count(Progress.WAITING) == 0
    assert {model.index(n, COL_STATE).data() for n in range(len(shown))} == {"closed"}
    assert told == []  # not yet: the views repaint once, with the next frame
    with qtbot.waitSignal(model.changes_shown, timeout=5_000):
        pass
    assert told == [(0, 0, len(shown) - 1, COLUMN_COUNT - 1)]
