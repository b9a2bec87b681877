"""The diagnostics wizard in the main window, driven with keys and clicks against the
simulated manager on loopback; the regressions of issue 9's defects 1-8 are marked."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.plan import Role
from sep_port_doctor.core.results import CheckResult, Severity, State
from sep_port_doctor.core.simulator import SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from sep_port_doctor.gui.wizard.pages.results import PAYLOAD_ROLE
from sep_port_doctor.gui.wizard.run_model import COL_PORT, COL_STATE, COL_TARGET, COL_TIME, PROGRESS_ROLE, Progress
from tests.gui.conftest import drive, overrides_text
from tests.gui.keyboard import click, focused, paste, press, replace_text, tab_to, text_of, type_text
from tests.helpers.present import present
from tests.helpers.servers import dropping_port

CATALOG = load_catalog()
SLOW = TimeoutPolicy(initial=10.0, floor=10.0, cap=10.0)


def _entry_of(row: QTreeWidgetItem) -> str | None:
    """The catalogue entry a results row is about (the row itself names its port, not the id)."""
    payload = row.data(0, PAYLOAD_ROLE)
    return payload[1].check.entry_id if payload and payload[0] == "check" else None


def fill(
    qtbot: QtBot, wizard: DiagnosticsWizard, manager: str, ports: str, version: str = "14.3 RU1", note: str = ""
) -> None:
    """On the target page: click into each field and type, as a technician does."""
    target = wizard.target
    replace_text(qtbot, target.manager, manager)
    replace_text(qtbot, target.version, version)
    replace_text(qtbot, target.ports, ports)
    if note:
        replace_text(qtbot, target.note, note)


def to_target(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentId() == Page.TARGET


def next_button(wizard: DiagnosticsWizard) -> QAbstractButton:
    return wizard.button(wizard.WizardButton.NextButton)


async def run_to_end(wizard: DiagnosticsWizard) -> None:
    assert wizard.run_task is not None
    await wizard.run_task


async def run_against(qtbot: QtBot, wizard: DiagnosticsWizard, manager: SimulatedManager) -> None:
    """Type the simulated manager on the target page, press Enter, wait for the run to end."""
    to_target(qtbot, wizard)
    fill(qtbot, wizard, "127.0.0.1", overrides_text(manager))
    press(qtbot, Qt.Key.Key_Return)
    await run_to_end(wizard)


def results_by_entry(wizard: DiagnosticsWizard) -> dict[str, tuple[State, Severity]]:
    diagnosis = wizard.diagnosis
    assert diagnosis is not None
    return {
        r.check.entry_id: (r.state, e.severity) for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True)
    }


def test_invalid_input_is_marked_at_the_field_and_enter_does_not_advance(
    qtbot: QtBot, wizard: DiagnosticsWizard
) -> None:
    to_target(qtbot, wizard)
    target = wizard.target
    assert not target.isComplete() and not next_button(wizard).isEnabled()  # empty manager and version
    fill(qtbot, wizard, "sepm server", "8014=99999", version="13.1")
    replace_text(qtbot, target.note, "")
    paste(qtbot, "bad\x07note")
    assert "spaces" in target.fields["manager"].message.text()
    assert "accepted forms" in target.fields["version"].message.text()
    assert "1-65535" in target.fields["ports"].message.text()
    assert "control characters" in target.fields["note"].message.text()
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == Page.TARGET and wizard.run_task is None  # nothing sent
    replace_text(qtbot, target.manager, "https://sepm01.corp.example:8443/console")
    assert "from the URL" in target.fields["manager"].message.text()  # a notice, not an error
    replace_text(qtbot, target.version, "14.3.3580.1100")
    replace_text(qtbot, target.ports, "8014=80, 443=4443")
    replace_text(qtbot, target.note, "ok")
    assert target.isComplete() and next_button(wizard).isEnabled()


@pytest.mark.parametrize("text", ["8014=80 8014=81", "443=4443, 8014=80, 443=10443"])
def test_a_port_moved_twice_is_refused(qtbot: QtBot, wizard: DiagnosticsWizard, text: str) -> None:
    to_target(qtbot, wizard)
    replace_text(qtbot, wizard.target.ports, text)
    assert "overridden twice" in wizard.target.fields["ports"].message.text()
    assert not wizard.target.isComplete()


def test_prefilled_from_this_pcs_sep_client(wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop) -> None:
    drive(loop, wizard.prefill_from_local())
    target = wizard.target
    assert target.manager.currentText() == "sepm01.corp.example"
    assert target.version.currentText() == "14.3 RU1 MP1"
    assert target.ports.text() == "8014=80"
    assert "Filled in" in target.prefill_label.text()


def test_full_run_results_and_export_in_a_worker(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[str] = []
    # The desktop's browser cannot run here: record what would be opened instead.
    monkeypatch.setattr(
        "sep_port_doctor.gui.wizard.pages.export.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile())
    )
    threads: list[str] = []
    import sep_port_doctor.core.report

    real_export = sep_port_doctor.core.report.write_report

    def export_recording_thread(*args: Any, **kwargs: Any) -> Any:
        import threading

        threads.append(threading.current_thread().name)
        return real_export(*args, **kwargs)

    monkeypatch.setattr("sep_port_doctor.gui.wizard.controller.write_report", export_recording_thread)

    async def scenario() -> None:
        to_target(qtbot, wizard)
        fill(qtbot, wizard, "127.0.0.1", overrides_text(simulator))
        arrived: list[CheckResult] = []
        wizard.result_arrived.connect(arrived.append)
        click(qtbot, next_button(wizard))
        assert wizard.currentId() == Page.RUN and wizard.run_task is not None
        assert not wizard.run_page.isComplete()  # running: Next waits
        await run_to_end(wizard)
        assert wizard.run_page.isComplete()
        model = wizard.run_page.model
        assert model.rowCount() == sum(1 for r in arrived if not r.check.skip)
        assert all(model.index(row, 0).data(PROGRESS_ROLE) == "done" for row in range(model.rowCount()))
        found = results_by_entry(wizard)
        assert found["client-http-8014"] == (State.OPEN, Severity.PASSED)
        assert found["client-https-443"][1] is Severity.PROBLEM  # the simulator's certificate expired

        click(qtbot, next_button(wizard))
        assert wizard.currentId() == Page.RESULTS
        tree = wizard.results.tree
        problems = present(tree.topLevelItem(0))
        assert problems.text(0).startswith("Problem (") and problems.isExpanded()
        problem_rows = [present(problems.child(i)) for i in range(problems.childCount())]
        texts = [row.text(0) for row in problem_rows]
        https = next(row for row in problem_rows if _entry_of(row) == "client-https-443")
        assert "expired" in https.text(0)
        assert not any("client-https-443" in t for t in texts)  # the window names ports, not internal ids
        assert any("This PC: File and Printer Sharing" in t for t in texts)  # from the recorded Windows outputs
        tree.setCurrentItem(https)
        assert "The manager's certificate" in wizard.results.details.toPlainText()
        with qtbot.waitSignal(wizard.entry_requested) as blocker:
            click(qtbot, wizard.results.show_entry)
        assert blocker.args == ["client-https-443"]
        assert main_window.tabs.currentIndex() == 0  # the reference shows the entry
        main_window.show_wizard()

        click(qtbot, next_button(wizard))
        assert wizard.currentId() == Page.EXPORT
        path_field = wizard.export_page.report_path
        assert Path(path_field.text()).name.startswith("sep-port-doctor-127.0.0.1-")
        replace_text(qtbot, path_field, str(tmp_path / "ticket-4711.html"))
        click(qtbot, wizard.export_page.export_button)
        assert wizard.export_task is not None
        assert not wizard.export_page.export_button.isEnabled()  # busy while the worker writes
        await wizard.export_task

    drive(loop, scenario())
    assert threads and threads[0] != "MainThread"  # rendering and fsync happened off the GUI thread
    assert opened == [str(tmp_path / "ticket-4711.html")]
    assert (tmp_path / "ticket-4711.json").exists()
    assert "Exported" in wizard.export_page.status.text()
    assert wizard.export_page.open_button.isEnabled() and wizard.export_page.export_button.isEnabled()
    assert not wizard.has_unexported_results()


def test_export_to_a_missing_folder_says_so_and_keeps_the_results(
    qtbot: QtBot,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)
        click(qtbot, next_button(wizard))
        click(qtbot, next_button(wizard))
        wizard.export_page.open_after.setChecked(False)
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "missing" / "r.html"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]
        assert "Not exported" in wizard.export_page.status.text()
        assert "does not exist" in wizard.export_page.status.text()
        assert wizard.diagnosis is not None and wizard.run_page.model.rowCount() > 0
        assert wizard.has_unexported_results()
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "r.html"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]
        assert "Exported" in wizard.export_page.status.text()

    drive(loop, scenario())


def test_defect_2_back_change_next_runs_again_and_the_report_has_the_new_question_and_the_late_note(
    qtbot: QtBot,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    wizard.export_page.open_after.setChecked(False)

    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)
        first = wizard.run
        assert first is not None and first.request.role.value == "client"
        # Back to the first page, change the role, and the manager's spelling.
        click(qtbot, wizard.button(wizard.WizardButton.BackButton))
        click(qtbot, wizard.button(wizard.WizardButton.BackButton))
        assert wizard.currentId() == Page.WHERE
        click(qtbot, wizard.where.radios[Role.CONSOLE])
        click(qtbot, next_button(wizard))
        replace_text(qtbot, wizard.target.manager, "localhost")
        assert wizard.is_stale()  # the results answer the old question
        click(qtbot, next_button(wizard))
        assert wizard.run is not first  # a new run for the new question
        assert wizard.run is not None and wizard.running
        assert wizard.run_page.model.count(Progress.DONE) == 0  # no old verdict shown
        await run_to_end(wizard)
        assert not wizard.is_stale()
        # The ticket number arrives after the run: typed on the target page, read at export.
        click(qtbot, wizard.button(wizard.WizardButton.BackButton))
        replace_text(qtbot, wizard.target.note, "INC-0042 late")
        run_before = wizard.run
        click(qtbot, next_button(wizard))
        assert wizard.run is run_before  # the same question: its results stay
        click(qtbot, next_button(wizard))
        click(qtbot, next_button(wizard))
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "r.html"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]

    drive(loop, scenario())
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["manager"] == "localhost" and report["role"] == "console"
    assert report["note"] == "INC-0042 late"
    assert "INC-0042 late" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert {c["id"] for c in report["checks"] if c["applies"]} >= {
        "server-https-8443",
        "webconsole-tcp-9090",
    }  # the console role's plan


def test_defect_3_running_one_row_again_keeps_the_runs_start_and_duration(
    qtbot: QtBot,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    wizard.export_page.open_after.setChecked(False)

    async def scenario() -> tuple[object, object]:
        await run_against(qtbot, wizard, simulator)
        first = wizard.diagnosis
        assert first is not None
        model = wizard.run_page.model
        count = model.rowCount()
        row = next(i for i in range(count) if model.check_at(i).entry_id == "client-http-8014")
        wizard.run_page.table.selectRow(row)
        click(qtbot, wizard.run_page.rerun_row)
        await run_to_end(wizard)
        assert model.rowCount() == count  # replaced in place, not appended
        assert model.result_at(row) is not None and model.result_at(row).state is State.OPEN  # type: ignore[union-attr]
        again = wizard.diagnosis
        click(qtbot, next_button(wizard))
        click(qtbot, next_button(wizard))
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "r.html"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]
        return first, again

    first, again = drive(loop, scenario())
    assert again is not first
    assert again.started == first.started and again.duration_ms == first.duration_ms  # type: ignore[attr-defined]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["started"] == first.started.isoformat()  # type: ignore[attr-defined]
    assert report["duration_ms"] == round(first.duration_ms, 1)  # type: ignore[attr-defined]


def _question(wizard: DiagnosticsWizard) -> QMessageBox:
    boxes = [b for b in wizard.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1, "one question about the unexported results"
    return boxes[0]


def test_defect_4_finish_without_export_asks_and_new_diagnosis_starts_over(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    wizard.export_page.open_after.setChecked(False)

    async def scenario() -> None:
        to_target(qtbot, wizard)
        fill(qtbot, wizard, "127.0.0.1", overrides_text(simulator), note="INC-7")
        press(qtbot, Qt.Key.Key_Return)
        await run_to_end(wizard)
        # A tab switch keeps the results.
        main_window.show_reference()
        main_window.show_wizard()
        assert wizard.currentId() == Page.RUN and wizard.diagnosis is not None
        click(qtbot, next_button(wizard))
        click(qtbot, next_button(wizard))
        finish = wizard.button(wizard.WizardButton.FinishButton)
        # Finish, then Back: nothing changes.
        click(qtbot, finish)
        box = _question(wizard)
        click(qtbot, present(box.findChild(type(finish), "back")))
        assert wizard.currentId() == Page.EXPORT and wizard.diagnosis is not None and wizard.isVisible()
        # Finish, then Export: the report is written, then a new diagnosis starts.
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "kept.html"))
        click(qtbot, finish)
        box = _question(wizard)
        click(qtbot, present(box.findChild(type(finish), "export")))
        await wizard.export_task  # type: ignore[misc]

    drive(loop, scenario())
    assert (tmp_path / "kept.html").exists() and "INC-7" in (tmp_path / "kept.html").read_text(encoding="utf-8")
    assert wizard.currentId() == Page.WHERE and wizard.diagnosis is None
    assert wizard.target.manager.currentText() == "127.0.0.1"  # what was typed stays, but the note
    assert wizard.target.note.text() == ""
    assert wizard.run_page.model.rowCount() == 0 and wizard.results.tree.topLevelItemCount() == 0


@pytest.mark.parametrize("where", ["file-menu", "results-page"])
def test_defect_4_new_diagnosis_asks_and_discard_discards(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    where: str,
) -> None:
    """File > New diagnosis (Ctrl+N) and the results page's own button."""

    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)
        if where == "file-menu":
            press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        else:
            click(qtbot, next_button(wizard))
            assert wizard.currentId() == Page.RESULTS
            click(qtbot, wizard.results.new_diagnosis)
        box = _question(wizard)
        assert wizard.diagnosis is not None  # nothing lost before the answer
        click(qtbot, present(box.findChild(type(wizard.run_page.cancel), "discard")))

    drive(loop, scenario())
    assert wizard.currentId() == Page.WHERE and wizard.diagnosis is None
    assert not [b for b in wizard.findChildren(QMessageBox) if b.isVisible()]


def test_esc_never_blanks_the_tab(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    to_target(qtbot, wizard)
    press(qtbot, Qt.Key.Key_Escape)
    assert wizard.isVisible() and wizard.currentId() == Page.TARGET


def test_defect_7_live_run_lists_every_planned_check_waiting_then_running_with_elapsed_time(
    qtbot: QtBot, main_window: MainWindow, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    wizard.policy = SLOW
    wizard.export_page.open_after.setChecked(False)
    with dropping_port() as dropped:

        async def scenario() -> None:
            to_target(qtbot, wizard)
            fill(qtbot, wizard, "127.0.0.1", f"8014={dropped}, 443={dropped}", version="14.3")
            press(qtbot, Qt.Key.Key_Return)
            run = wizard.run
            assert run is not None
            model = wizard.run_page.model
            planned = [c for c in run.checks if not c.skip]
            assert model.rowCount() == len(planned)  # every planned check, from the start
            await asyncio.sleep(1.2)
            states = [model.index(r, 0).data(PROGRESS_ROLE) for r in range(model.rowCount())]
            http = model.row_of(next(c.id for c in planned if c.entry_id == "client-http-8014"))
            assert states[http] == "running"
            assert model.index(http, COL_STATE).data() == "running…"
            elapsed = model.index(http, COL_TIME).data()
            assert elapsed.endswith(" s") and float(elapsed[:-2]) >= 1.0  # the elapsed time counts
            table = wizard.run_page.table
            for column in (COL_STATE, COL_PORT, COL_TARGET, COL_TIME):  # readable, not "T…"
                widest = max(
                    table.fontMetrics().horizontalAdvance(model.index(r, column).data())
                    for r in range(model.rowCount())
                )
                assert table.columnWidth(column) > widest
            click(qtbot, wizard.run_page.cancel)
            await run_to_end(wizard)

        drive(loop, scenario())
    diagnosis = wizard.diagnosis
    assert diagnosis is not None and diagnosis.cancelled
    assert results_by_entry(wizard)["client-http-8014"] == (State.CANCELLED, Severity.NOT_TESTED)
    assert "Cancelled" in wizard.run_page.subTitle()  # the header
    assert "Cancelled" in wizard.run_page.status.text()
    assert wizard.run_page.title() == "Checks cancelled"
    # Said once: the status bar below the page does not repeat it (test_run_titles: when out of sight, it does).
    assert "Cancelled" not in main_window.statusBar().currentMessage()

    async def export() -> None:
        click(qtbot, next_button(wizard))
        assert "Cancelled" in wizard.results.verdict.text()
        click(qtbot, next_button(wizard))
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "c.html"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]

    drive(loop, export())
    assert "This run was cancelled" in (tmp_path / "c.html").read_text(encoding="utf-8")  # the report
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["cancelled"] is True


def test_cancel_stops_everything_at_once_and_esc_cancels_too(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.policy = SLOW
    with dropping_port() as dropped:

        async def scenario() -> float:
            to_target(qtbot, wizard)
            fill(qtbot, wizard, "127.0.0.1", f"8014={dropped}, 443={dropped}", version="14.3")
            press(qtbot, Qt.Key.Key_Return)
            await asyncio.sleep(0.2)
            assert wizard.run_page.cancel.isEnabled()
            started = time.perf_counter()
            press(qtbot, Qt.Key.Key_Escape)
            await run_to_end(wizard)
            return time.perf_counter() - started

        elapsed = drive(loop, scenario())
    assert elapsed < 5.0  # the probes wait 10 s each: a cancel that waited for them would show
    assert wizard.run_page.isComplete() and wizard.diagnosis is not None and wizard.diagnosis.cancelled
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []


def test_defect_8_a_display_bug_is_shown_and_never_stops_the_probes(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_row(*_args: object) -> None:
        raise RuntimeError("display bug")

    monkeypatch.setattr(wizard.run_page, "verdict", broken_row)
    messages: list[str] = []
    wizard.status_message.connect(messages.append)

    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)

    drive(loop, scenario())
    diagnosis = wizard.diagnosis
    assert diagnosis is not None and not diagnosis.cancelled
    assert all(r.state is not State.CANCELLED for r in diagnosis.results)  # every probe ran to its end
    assert wizard.run_page.isComplete()  # not stuck on "Checking…"
    assert any("could not be shown (RuntimeError)" in m for m in messages)
    assert "display errors" in wizard.run_page.status.text()


def test_a_failing_background_task_reaches_the_error_dialog(
    loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sep_port_doctor.gui.tasks import start_task

    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _kind, error, _tb: seen.append(error))

    async def broken() -> None:
        raise ValueError("lost?")

    async def scenario() -> None:
        task = start_task(broken(), "a broken task")
        await asyncio.wait({task})

    drive(loop, scenario())
    assert [str(e) for e in seen] == ["lost?"]


def test_language_switch_retranslates_the_wizard(main_window: MainWindow) -> None:
    wizard = main_window.wizard
    assert wizard is not None
    main_window.choose_language("ja")
    assert wizard.where.title() == "どこで実行していますか?"
    assert wizard.run_page.model.headerData(0, Qt.Orientation.Horizontal) == "判定"
    assert wizard.button(wizard.WizardButton.NextButton).text() == "次へ(&N) >"
    assert wizard.where.language.currentData() == "ja"  # the box shows the language in use
    main_window.choose_language("en")
    assert wizard.where.title() == "Where are you?"


def test_close_during_a_run_cancels_cleanly(
    qtbot: QtBot,
    qapp: QApplication,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    loop: asyncio.AbstractEventLoop,
) -> None:
    wizard.policy = SLOW
    # The test's loop must outlive the window (the program's own loop ends with it).
    qapp.setQuitOnLastWindowClosed(False)
    try:
        with dropping_port() as dropped:

            async def scenario() -> float:
                # From the console role: only the manager's ports (this PC's quick local checks
                # race the cancel in the engine's connect, which logs "never retrieved").
                click(qtbot, wizard.where.radios[Role.CONSOLE])
                to_target(qtbot, wizard)
                fill(qtbot, wizard, "127.0.0.1", f"8443={dropped}, 9090={dropped}", version="14.3")
                press(qtbot, Qt.Key.Key_Return)
                await asyncio.sleep(0.1)
                started = time.perf_counter()
                main_window.close()
                await asyncio.wait({present(wizard.run_task)})
                return time.perf_counter() - started

            elapsed = drive(loop, scenario())
    finally:
        qapp.setQuitOnLastWindowClosed(True)
    assert elapsed < 5.0  # the probes wait 10 s each
    assert wizard.diagnosis is not None and wizard.diagnosis.cancelled


def _corpus() -> list[dict[str, str]]:
    import tomllib

    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads((root / "tests" / "fixtures" / "bad_inputs.toml").read_text("utf-8"))["bad"]
    fields = {"manager", "gup", "sql", "syslog", "version", "port", "notes"}
    return [item for item in data if item["field"] in fields]


@pytest.mark.parametrize("item", _corpus(), ids=lambda i: f"{i['field']}:{i['value'][:16]!r}")
def test_every_bad_input_is_marked_at_its_field(qtbot: QtBot, wizard: DiagnosticsWizard, item: dict[str, str]) -> None:
    """Pasted, as bad values arrive from tickets and e-mails (control characters cannot be typed)."""
    target = wizard.target
    to_target(qtbot, wizard)
    replace_text(qtbot, target.manager, "127.0.0.1")
    replace_text(qtbot, target.version, "14.3")
    value = "x" * 600 if item["value"] == "@@LONG@@" else item["value"]
    name = {"port": "ports", "notes": "note"}.get(item["field"], item["field"])
    field = target.fields[name]
    replace_text(qtbot, field.widget, "")
    paste(qtbot, value)
    if value.strip() and "\n" not in value:
        assert not target.isComplete()
        assert item["words"] in field.message.text()
    press(qtbot, Qt.Key.Key_Return)
    if not target.isComplete():
        assert wizard.currentId() == Page.TARGET  # the wizard does not advance
        assert wizard.run_task is None  # and nothing was sent


def test_twenty_runs_in_a_row_in_one_window(
    qtbot: QtBot, wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    def fds() -> int:
        return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0

    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)
        first = results_by_entry(wizard)
        before = fds()
        for _ in range(20):
            click(qtbot, wizard.run_page.rerun_all)
            await run_to_end(wizard)
            assert results_by_entry(wizard) == first
        assert fds() <= before

    drive(loop, scenario())
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []


def test_version_read_from_the_managers_web_service(
    qtbot: QtBot, wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        to_target(qtbot, wizard)
        replace_text(qtbot, wizard.target.manager, "127.0.0.1")
        replace_text(qtbot, wizard.target.ports, f"8446={simulator.bound[8446]}")
        click(qtbot, wizard.target.read_version)
        assert wizard.target.version_task is not None
        await wizard.target.version_task

    drive(loop, scenario())
    assert wizard.target.version.currentText() == "14.3 RU6"
    assert "14.3.9205.6000" in wizard.target.version_status.text()


def test_field_messages_in_japanese(qtbot: QtBot, wizard: DiagnosticsWizard, main_window: MainWindow) -> None:
    main_window.choose_language("ja")
    to_target(qtbot, wizard)
    target = wizard.target
    replace_text(qtbot, target.manager, "sepm 01")
    replace_text(qtbot, target.version, "13.0")
    replace_text(qtbot, target.ports, "8014")
    assert "ホストに空白は使えません" in target.fields["manager"].message.text()
    assert "13.0" in target.fields["version"].message.text()
    assert "既定=実際" in target.fields["ports"].message.text()
    replace_text(qtbot, target.manager, "https://sepm01:8443/console")
    message = target.fields["manager"].message.text()
    assert "URL" in message and "ホスト" in message
    main_window.choose_language("en")
    replace_text(qtbot, target.manager, "sepm 02")
    assert "a host cannot contain spaces" in target.fields["manager"].message.text()


def test_copy_for_the_ticket_in_the_ui_language(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
) -> None:
    main_window.choose_language("ja")

    async def scenario() -> None:
        to_target(qtbot, wizard)
        fill(qtbot, wizard, "127.0.0.1", overrides_text(simulator), note="チケット 4711")
        press(qtbot, Qt.Key.Key_Return)
        await run_to_end(wizard)
        click(qtbot, next_button(wizard))
        click(qtbot, wizard.results.copy_summary)

    drive(loop, scenario())
    text = QGuiApplication.clipboard().text()
    assert text.startswith("SEP Port Doctor: SEP 通信ポート診断レポート\n")
    assert "管理サーバー: 127.0.0.1" in text and "チケット 4711" in text and "クライアント" in text
    diagnosis = wizard.diagnosis
    assert diagnosis is not None and diagnosis.request.version is not None
    assert f": {diagnosis.request.version.describe()}\n" in text  # the version asked about
    assert diagnosis.started.astimezone().strftime("%Y-%m-%d %H:%M:%S") in text  # when it ran
    https = next(line for line in text.splitlines() if f"{simulator.bound[443]} (=443)" in line)
    assert https.startswith("- TCP ") and "127.0.0.1: 証明書" in https
    step = text.splitlines()[text.splitlines().index(https) + 1]
    assert step.startswith("  最初の対処: ")  # every problem with its first step
    assert "この PC: File and Printer Sharing" in text or "この PC: ファイルとプリンターの共有" in text
    # The details pane speaks the UI language too (seen in the real window: "(rule of thumb)" and
    # the raw test codes tls, secars-https in a Japanese window).
    tree = wizard.results.tree
    problems = present(tree.topLevelItem(0))
    https_row = next(
        row
        for row in (present(problems.child(i)) for i in range(problems.childCount()))
        if _entry_of(row) == "client-https-443"
    )
    tree.setCurrentItem(https_row)
    details = wizard.results.details.toPlainText()
    assert "(経験則(ベンダーの表にはありません))" in details  # the certificate guidance is a rule of thumb
    assert "secars(HTTPS)" in details and "TLS" in details
    assert "rule of thumb" not in details and "secars-https" not in details


def test_tab_order_follows_the_page_then_back_and_next(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    to_target(qtbot, wizard)
    replace_text(qtbot, wizard.target.version, "14.3 RU1")
    replace_text(qtbot, wizard.target.manager, "sepm01")  # Next is enabled, so Tab reaches it
    order = [focused().objectName() or present(focused().parent()).objectName()]
    for _ in range(10):
        press(qtbot, Qt.Key.Key_Tab)
        widget = focused()
        order.append(widget.objectName() or present(widget.parent()).objectName())
    assert order[:11] == [
        "manager", "version", "read_version", "gup", "sql", "syslog", "ports", "local_gup", "note", "back", "next",
    ]  # fmt: skip


def test_tab_reaches_every_field_and_typing_keeps_what_is_typed(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    to_target(qtbot, wizard)
    for name in ("gup", "sql", "syslog"):
        tab_to(qtbot, wizard.target.fields[name].widget)
        type_text(qtbot, f"{name}.corp.example")
        assert text_of(wizard.target.fields[name].widget) == f"{name}.corp.example"


def test_the_export_page_says_when_html_was_added_to_the_name(
    qtbot: QtBot,
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
) -> None:
    """A name typed without a suffix gets ``.html`` (so it opens in a browser), and the page says so."""
    wizard.export_page.open_after.setChecked(False)

    async def scenario() -> None:
        await run_against(qtbot, wizard, simulator)
        click(qtbot, next_button(wizard))
        click(qtbot, next_button(wizard))
        replace_text(qtbot, wizard.export_page.report_path, str(tmp_path / "INC-4711"))
        click(qtbot, wizard.export_page.export_button)
        await wizard.export_task  # type: ignore[misc]

    drive(loop, scenario())
    status = wizard.export_page.status.text()
    assert status.startswith(f"Exported: {tmp_path / 'INC-4711.html'} and INC-4711.json"), status
    assert status.endswith(" — the report is written as INC-4711.html (.html added so that it opens in a browser)")
    assert (tmp_path / "INC-4711.html").is_file() and not (tmp_path / "INC-4711").exists()
