"""The diagnostics wizard, page by page, against the simulated manager on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from core.catalog import load_catalog
from core.explain import Severity
from core.results import State
from core.simulator import SERVED_PORTS, SimulatedManager
from core.timing import TimeoutPolicy
from gui.settings import Settings
from gui.wizard import PAGE_EXPORT, PAGE_RESULTS, PAGE_RUN, PAGE_TARGET, DiagnosticsWizard
from tests.helpers.command import ROOT, command
from tests.helpers.servers import dropping_port
from tests.helpers.windows_fixtures import FixtureSystem

CATALOG = load_catalog()
FAST = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop for the test; exceptions it collects fail the test (STACK-NOTES pattern)."""
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    errors: list[dict[str, object]] = []
    event_loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield event_loop
    pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.wait(pending, timeout=2))
    qapp.processEvents()
    event_loop.run_until_complete(event_loop.shutdown_asyncgens())
    event_loop.close()
    asyncio.set_event_loop(None)
    assert errors == []


@pytest.fixture
def simulator(loop: asyncio.AbstractEventLoop) -> Iterator[SimulatedManager]:
    manager = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(manager.start())
    yield manager
    loop.run_until_complete(manager.stop())


@pytest.fixture
def wizard(qtbot, loop: asyncio.AbstractEventLoop) -> DiagnosticsWizard:  # type: ignore[no-untyped-def]
    widget = DiagnosticsWizard(CATALOG, Settings(), "en", local_system=FixtureSystem("en-fps-blocked"), policy=FAST)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def _fill(wizard: DiagnosticsWizard, manager: SimulatedManager, version: str = "14.3 RU1") -> None:
    wizard.target.manager.setCurrentText("127.0.0.1")
    wizard.target.version.setCurrentText(version)
    wizard.target.overrides.setText(", ".join(f"{d}={p}" for d, p in sorted(manager.bound.items())))
    wizard.target.note.setText("ticket 4711")


def test_invalid_input_is_marked_at_the_field_and_the_wizard_does_not_advance(wizard: DiagnosticsWizard) -> None:
    wizard.next()
    assert wizard.currentId() == PAGE_TARGET
    target = wizard.target
    assert not target.isComplete()  # empty manager and version
    target.manager.setCurrentText("sepm server")
    target.version.setCurrentText("13.1")
    target.overrides.setText("8014=99999")
    target.note.setText("bad\x07note")
    assert "spaces" in target.fields["manager"].error.text()
    assert "accepted forms" in target.fields["version"].error.text()
    assert "1-65535" in target.fields["overrides"].error.text()
    assert "control characters" in target.fields["note"].error.text()
    assert not target.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_TARGET
    target.manager.setCurrentText("https://sepm01.corp.example:8443/console")
    assert "from the URL" in target.fields["manager"].error.text()  # a notice, not an error
    target.version.setCurrentText("14.3.3580.1100")
    target.overrides.setText("8014=80, 443=4443")
    target.note.setText("ok")
    assert target.isComplete()


def test_prefilled_from_this_pcs_sep_client(wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(wizard.prefill_from_local())
    target = wizard.target
    assert target.manager.currentText() == "sepm01.corp.example"
    assert target.version.currentText() == "14.3 RU1 MP1"
    assert target.overrides.text() == "8014=80"
    assert "Filled in" in target.prefill_label.text()


def test_full_run_results_and_export(
    wizard: DiagnosticsWizard,
    simulator: SimulatedManager,
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    qtbot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    wizard.next()
    _fill(wizard, simulator)
    arrived = []
    wizard.result_arrived.connect(arrived.append)
    wizard.next()
    assert wizard.currentId() == PAGE_RUN
    assert wizard.run_task is not None
    assert not wizard.run_page.isComplete()  # running: Next waits
    loop.run_until_complete(wizard.run_task)
    assert wizard.run_page.isComplete()
    model = wizard.run_page.model
    assert model.rowCount() == sum(1 for r in arrived if not r.check.skip)
    assert wizard.run_page.progress.value() == len(CATALOG.entries)
    rows = {r.check.entry_id: (r, e) for r, e in model.rows()}
    assert rows["client-http-8014"][1].severity is Severity.PASSED
    assert rows["client-https-443"][1].severity is Severity.PROBLEM  # the simulator's certificate expired

    wizard.next()
    assert wizard.currentId() == PAGE_RESULTS
    tree = wizard.results.tree
    problems = tree.topLevelItem(0)
    assert problems.text(0).startswith("Problem (")
    assert problems.isExpanded()
    texts = [problems.child(i).text(0) for i in range(problems.childCount())]
    assert any("client-https-443" in t and "expired" in t for t in texts)
    assert any("This PC: File and Printer Sharing" in t for t in texts)  # from the hand-made Windows fixture
    https = next(
        problems.child(i) for i in range(problems.childCount()) if "client-https-443" in problems.child(i).text(0)
    )
    tree.setCurrentItem(https)
    assert "The manager's certificate" in wizard.results.details.toPlainText()
    with qtbot.waitSignal(wizard.entry_requested) as blocker:
        wizard.results.show_entry.click()
    assert blocker.args == ["client-https-443"]

    wizard.next()
    assert wizard.currentId() == PAGE_EXPORT
    assert wizard.export_page.name.text().startswith("sep-port-doctor-127.0.0.1-")
    wizard.export_page.folder.setText(str(tmp_path))
    wizard.export_page.name.setText("ticket-4711")
    opened: list[str] = []
    # The desktop's browser cannot run here: record what would be opened instead.
    monkeypatch.setattr("gui.wizard.QDesktopServices.openUrl", lambda url: opened.append(url.toLocalFile()))
    wizard.export_page.export_button.click()
    assert opened == [str(tmp_path / "ticket-4711.html")]
    assert (tmp_path / "ticket-4711.html").exists()
    assert (tmp_path / "ticket-4711.json").exists()
    assert "Exported" in wizard.export_page.status.text()
    assert wizard.export_page.open_button.isEnabled()
    assert "ticket 4711" in (tmp_path / "ticket-4711.html").read_text(encoding="utf-8")


def test_export_to_a_missing_folder_says_so_and_keeps_the_results(
    wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    wizard.next()
    _fill(wizard, simulator)
    wizard.next()
    loop.run_until_complete(wizard.run_task)  # type: ignore[arg-type]
    wizard.next()
    wizard.next()
    wizard.export_page.open_after.setChecked(False)
    wizard.export_page.folder.setText(str(tmp_path / "missing"))
    wizard.export_page.export_button.click()
    assert "Not exported" in wizard.export_page.status.text()
    assert "does not exist" in wizard.export_page.status.text()
    assert wizard.diagnosis is not None and wizard.run_page.model.rowCount() > 0
    wizard.export_page.folder.setText(str(tmp_path))
    wizard.export_page.export_button.click()
    assert "Exported" in wizard.export_page.status.text()


def test_cancel_stops_everything_at_once_and_nothing_shows_as_passed(
    wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.policy = TimeoutPolicy(initial=10.0, floor=10.0, cap=10.0)
    with dropping_port() as dropped:
        wizard.next()
        wizard.target.manager.setCurrentText("127.0.0.1")
        wizard.target.version.setCurrentText("14.3")
        wizard.where.set_role(wizard.where.role)
        wizard.target.overrides.setText(f"8014={dropped}, 443={dropped}")
        wizard.next()
        task = wizard.run_task
        assert task is not None
        loop.run_until_complete(asyncio.sleep(0.2))
        assert wizard.run_page.cancel.isEnabled()
        started = time.perf_counter()
        wizard.run_page.cancel.click()
        loop.run_until_complete(asyncio.wait({task}))
        elapsed = time.perf_counter() - started
    assert elapsed < 0.2
    assert wizard.run_page.isComplete()
    assert wizard.diagnosis is not None
    by_id = {
        r.check.entry_id: (r, e) for r, e in zip(wizard.diagnosis.results, wizard.diagnosis.explanations, strict=True)
    }
    http, explanation = by_id["client-http-8014"]
    assert http.state is State.CANCELLED
    assert explanation.severity is Severity.NOT_TESTED
    assert "Cancelled" in wizard.run_page.status.text()
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []


def test_rerun_a_single_row_and_all(
    wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.next()
    _fill(wizard, simulator)
    wizard.next()
    loop.run_until_complete(wizard.run_task)  # type: ignore[arg-type]
    model = wizard.run_page.model
    count = model.rowCount()
    row = next(i for i in range(count) if model.row(i)[0].check.entry_id == "client-http-8014")
    wizard.run_page.table.selectRow(row)
    wizard.run_page.rerun_row.click()
    assert wizard.run_task is not None
    loop.run_until_complete(wizard.run_task)
    assert model.rowCount() == count  # replaced in place, not appended
    assert model.row(row)[0].state is State.OPEN
    wizard.run_page.rerun_all.click()
    loop.run_until_complete(wizard.run_task)
    assert model.rowCount() == count


def test_language_switch_retranslates_the_wizard(wizard: DiagnosticsWizard, main_window, qapp) -> None:  # type: ignore[no-untyped-def]
    window_wizard = main_window.wizard
    main_window.choose_language("ja")
    assert window_wizard.where.title() == "どこで実行していますか?"
    assert window_wizard.run_page.model.headerData(0, Qt.Orientation.Horizontal) == "判定"
    main_window.choose_language("en")
    assert window_wizard.where.title() == "Where are you?"


ENV = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}


def test_gui_quit_alone_quits_after_the_first_paint() -> None:
    started = time.perf_counter()
    result = subprocess.run([*command(), "gui", "--quit"], capture_output=True, text=True, timeout=60, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert time.perf_counter() - started < 30


def test_unattended_run_writes_the_report_and_exits_like_check(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, str]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            process = await asyncio.create_subprocess_exec(
                *command(), "gui", "--manager", "127.0.0.1", "--version", "14.3", "--role", "console",
                *overrides, "--notes", "チケット 42", "--lang", "ja", "--run", "--report", str(tmp_path / "r.html"),
                "--quit", stderr=asyncio.subprocess.PIPE, env=ENV,
            )  # fmt: skip
            _out, err = await asyncio.wait_for(process.communicate(), 120)
            return process.returncode or 0, err.decode()

    code, err = asyncio.run(scenario())
    assert code in (0, 1), err
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "SEP 通信ポート診断レポート" in html and "チケット 42" in html
    assert (tmp_path / "r.json").exists()


def test_unattended_run_with_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *command(),
            "gui",
            "--manager",
            "bad host",
            "--version",
            "14.3",
            "--run",
            "--quit",
            "--report",
            str(tmp_path / "x.html"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("sep-port-doctor:")]
    assert len(lines) == 1 and "spaces" in lines[0]
    assert not (tmp_path / "x.html").exists()


def test_close_during_a_run_cancels_cleanly(main_window, loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    wizard = main_window.wizard
    wizard.policy = TimeoutPolicy(initial=10.0, floor=10.0, cap=10.0)
    with dropping_port() as dropped:
        wizard.next()
        wizard.target.manager.setCurrentText("127.0.0.1")
        wizard.target.version.setCurrentText("14.3")
        wizard.target.overrides.setText(f"8014={dropped}, 443={dropped}")
        wizard.next()
        task = wizard.run_task
        loop.run_until_complete(asyncio.sleep(0.1))
        started = time.perf_counter()
        main_window.close()
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(asyncio.wait({task}))
    assert time.perf_counter() - started < 1.0
    assert task.done()


def _corpus() -> list[dict[str, str]]:
    import tomllib

    data = tomllib.loads((ROOT / "tests" / "fixtures" / "bad_inputs.toml").read_text("utf-8"))["bad"]
    fields = {"manager", "gup", "sql", "syslog", "version", "port", "notes"}
    return [item for item in data if item["field"] in fields]


@pytest.mark.parametrize("item", _corpus(), ids=lambda i: f"{i['field']}:{i['value'][:16]!r}")
def test_every_bad_input_is_marked_at_its_field(wizard: DiagnosticsWizard, item: dict[str, str]) -> None:
    target = wizard.target
    wizard.next()
    target.manager.setCurrentText("127.0.0.1")
    target.version.setCurrentText("14.3")
    value = "x" * 600 if item["value"] == "@@LONG@@" else item["value"]
    name = {"port": "overrides", "notes": "note"}.get(item["field"], item["field"])
    widget = target.fields[name].widget
    if hasattr(widget, "setCurrentText"):
        widget.setCurrentText(value)
    else:
        widget.setText(value)
    assert not target.isComplete()
    if value.strip():
        assert item["words"] in target.fields[name].error.text()
    wizard.next()
    assert wizard.currentId() == PAGE_TARGET  # the wizard does not advance
    assert wizard.run_task is None  # and nothing was sent


def test_twenty_runs_in_a_row_in_one_window(
    wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.next()
    _fill(wizard, simulator)
    wizard.next()
    loop.run_until_complete(wizard.run_task)  # type: ignore[arg-type]
    first = {r.check.entry_id: r.state for r, _e in wizard.run_page.model.rows()}
    fds = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0
    for _ in range(20):
        wizard.run_page.rerun_all.click()
        loop.run_until_complete(wizard.run_task)  # type: ignore[arg-type]
        assert {r.check.entry_id: r.state for r, _e in wizard.run_page.model.rows()} == first
    assert (len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0) <= fds
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []


def test_hostile_certificate_subject_is_escaped_in_the_window(
    wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    from core.simulator import make_certificate

    manager = SimulatedManager(ports={p: 0 for p in SERVED_PORTS})
    manager.certificate = make_certificate("<b>bold</b><img src=x>", ["127.0.0.1"])
    loop.run_until_complete(manager.start())
    try:
        wizard.next()
        _fill(wizard, manager)
        wizard.next()
        loop.run_until_complete(wizard.run_task)  # type: ignore[arg-type]
        wizard.next()
    finally:
        loop.run_until_complete(manager.stop())
    tree = wizard.results.tree
    items = [
        tree.topLevelItem(g).child(i)
        for g in range(tree.topLevelItemCount())
        for i in range(tree.topLevelItem(g).childCount())
    ]
    https = next(item for item in items if "client-https-443" in item.text(0))
    tree.setCurrentItem(https)
    shown = wizard.results.details.toPlainText()
    assert "<b>bold</b><img src=x>" in shown  # the subject as text, not as markup
    assert "<img" not in wizard.results.details.toHtml().split("<body", 1)[1].replace("&lt;img", "")


def test_version_read_from_the_managers_web_service(
    wizard: DiagnosticsWizard, simulator: SimulatedManager, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.next()
    wizard.target.manager.setCurrentText("127.0.0.1")
    wizard.target.overrides.setText(f"8446={simulator.bound[8446]}")
    wizard.target.read_version.click()
    assert wizard.target._version_task is not None
    loop.run_until_complete(wizard.target._version_task)
    assert wizard.target.version.currentText() == "14.3 RU6"
    assert "14.3.9205.6000" in wizard.target.version_status.text()


def test_field_messages_in_japanese(qtbot, loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    widget = DiagnosticsWizard(CATALOG, Settings(), "ja", local_system=FixtureSystem("en-fps-blocked"), policy=FAST)
    qtbot.addWidget(widget)
    widget.next()
    widget.target.manager.setCurrentText("sepm 01")
    widget.target.version.setCurrentText("13.5")
    widget.target.overrides.setText("8014")
    assert "ホストに空白は使えません" in widget.target.fields["manager"].error.text()
    assert "SEP 13.5 はありません" in widget.target.fields["version"].error.text()
    assert "既定=実際" in widget.target.fields["overrides"].error.text()
    widget.target.manager.setCurrentText("https://sepm01:8443/console")
    assert (
        "URL" in widget.target.fields["manager"].error.text()
        and "ホスト" in widget.target.fields["manager"].error.text()
    )
    widget.set_lang("en")
    widget.target.manager.setCurrentText("sepm 02")
    assert "a host cannot contain spaces" in widget.target.fields["manager"].error.text()
