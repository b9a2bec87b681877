"""The wizard's third place, "at the manager: push-deployment targets", driven with keys and
clicks: targets typed and loaded, a live run against real Samba on loopback, the results
grouped by cause, the export; bad targets refused at the field; Cancel mid-sweep."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gui.wizard import DiagnosticsWizard, Page
from scripts.netlab import samba_config
from tests.gui.conftest import drive
from tests.gui.keyboard import click, press, type_text
from tests.gui.trees import groups
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.present import present
from tests.helpers.servers import dropping_port


def _free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def samba_port(tmp_path: Path) -> Iterator[int]:
    """Real smbd on 127.0.0.1 only, on a free high port (signing required, no share)."""
    if shutil.which("smbd") is None:
        pytest.skip("smbd is not installed (./dev test installs samba)")
    port = _free_port()
    conf = samba_config(
        tmp_path / "samba",
        "127.0.0.1/8",
        workgroup="PUSHLAB",
        netbios_name="PUSH-SAMBA",
        ports=(port,),
        signing_required=True,
    )
    process = subprocess.Popen(
        ["smbd", "--foreground", f"--configfile={conf}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while time.monotonic() < deadline:
            assert process.poll() is None, "smbd exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def to_push_targets(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    click(qtbot, wizard.where.push_radio)
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentId() == Page.PUSH_TARGETS


def type_targets(qtbot: QtBot, wizard: DiagnosticsWizard, lines: list[str]) -> None:
    click(qtbot, wizard.push_targets.targets)
    for number, line in enumerate(lines):
        if number:
            press(qtbot, Qt.Key.Key_Return)
        type_text(qtbot, line)


def test_targets_typed_run_live_grouped_by_cause_and_exported(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop, samba_port: int, tmp_path: Path
) -> None:
    wizard.push_run.ports = {445: samba_port, 139: _free_port(), 137: _free_port(socket.SOCK_DGRAM)}

    async def scenario() -> None:
        to_push_targets(qtbot, wizard)
        type_targets(qtbot, wizard, ["# the sales floor", "127.0.0.1", "127.0.0.2", "127.0.0.1"])
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RUN
        table = wizard.push_run.table
        assert table.rowCount() == 2 and present(table.item(1, 0)).text() == "127.0.0.2"
        assert not wizard.push_run.isComplete()
        assert wizard.push_run.task is not None
        await wizard.push_run.task
        assert wizard.push_run.isComplete()
        assert "SMB 3.1.1, signing required" in present(table.item(0, 2)).text()
        assert present(table.item(0, 6)).text().startswith("ready: Ready for push deployment over TCP 445")
        assert present(table.item(1, 6)).text().startswith("not ready: Not ready: TCP 445 refused (closed)")
        assert wizard.push_run.status.text() == "2 of 2 targets checked"

        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RESULTS
        tree = wizard.push_results.groups
        titles = [group.text(0) for group in groups(tree)]
        assert titles == ["1 PC(s): TCP 445 closed: check the Server service and sharing",
                          "1 PC(s): ready over TCP 445 (NetBIOS over TCP/IP off)"]  # fmt: skip
        assert "Run the Server service (LanmanServer)" in wizard.push_results.guidance.toPlainText()
        tree.setCurrentItem(present(groups(tree)[1].child(0)))
        assert "UAC remote restrictions" in wizard.push_results.guidance.toPlainText()
        path = wizard.push_results.report_path
        click(qtbot, path)
        press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        type_text(qtbot, str(tmp_path / "push-4711.html"))
        click(qtbot, wizard.push_results.export_button)
        assert wizard.push_results.export_task is not None
        await wizard.push_results.export_task

    drive(loop, scenario())
    assert "Written:" in wizard.push_results.status.text()
    report = json.loads((tmp_path / "push-4711.json").read_text("utf-8"))
    assert [(t["host"], t["verdict"]) for t in report["targets"]] == [
        ("127.0.0.1", "ready"),
        ("127.0.0.2", "not_ready"),
    ]
    html = (tmp_path / "push-4711.html").read_text("utf-8")
    assert "127.0.0.2" in html and "Allow File and Printer Sharing" in html


def test_bad_targets_are_refused_at_the_field_and_nothing_runs(qtbot: QtBot, wizard: DiagnosticsWizard) -> None:
    to_push_targets(qtbot, wizard)
    type_targets(qtbot, wizard, ["pc01", "10.0.0.0/8"])
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentId() == Page.PUSH_TARGETS and wizard.push_run.task is None
    message = wizard.push_targets.message.text()
    assert "limit of 1024 addresses" in message and "2: '10.0.0.0/8'" in message


def test_targets_loaded_from_a_file(
    qtbot: QtBot, wizard: DiagnosticsWizard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = tmp_path / "targets.txt"
    listed.write_bytes("\ufeff# exported from AD\r\npc-01.corp\r\n10.1.2.0/30\r\n".encode())
    # The system's file dialog cannot be driven here: it answers with the file a person would pick.
    monkeypatch.setattr("gui.wizard.push.QFileDialog.getOpenFileName", lambda *args, **kwargs: (str(listed), ""))
    to_push_targets(qtbot, wizard)
    click(qtbot, wizard.push_targets.load)
    assert wizard.push_targets.targets.toPlainText() == "pc-01.corp\n10.1.2.0/30"


def test_cancel_stops_the_sweep_at_once_and_nothing_counts_as_ready(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        with dropping_port() as port:
            wizard.push_run.ports = {445: port, 139: port, 137: _free_port(socket.SOCK_DGRAM)}
            to_push_targets(qtbot, wizard)
            type_targets(qtbot, wizard, ["127.0.0.1"])
            click(qtbot, wizard.button(wizard.WizardButton.NextButton))
            task = wizard.push_run.task
            assert task is not None
            await asyncio.sleep(0.3)
            assert not task.done()
            click(qtbot, wizard.push_run.cancel)
            with pytest.raises(asyncio.CancelledError):
                await task
        sweep = wizard.push_run.sweep
        assert sweep is not None and sweep.cancelled
        assert [t.verdict for t in sweep.targets] == ["not_tested"]

    drive(loop, scenario())
