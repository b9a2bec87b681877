"""The wizard's third place, "at the manager: push-deployment targets", driven with keys and
clicks: targets typed and loaded, a live run against real Samba on loopback, the results
grouped by cause, the export; bad targets refused at the field; Cancel mid-sweep; the sweep's
path facts (routes, DNS, where the path ends) on the results page and its trace's hops live
on the run page, in both languages."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from scripts.netlab import samba_config
from sep_port_doctor.core.path.facts import Hop, HopKind
from sep_port_doctor.core.path.route import RouteReader
from sep_port_doctor.core.path.winicmp import EchoReply
from sep_port_doctor.core.push import PushSweep, neighbourhood_of
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from sep_port_doctor.gui.wizard.push import (
    ROUTE_GATEWAY,
    ROUTE_INTERFACE,
    ROUTE_PCS,
    ROUTE_PROFILE,
    ROUTE_SOURCE,
    SUBJECT_ROLE,
)
from tests.core.test_path import FakeIcmp
from tests.gui.conftest import drive
from tests.gui.keyboard import click, press, type_text, until
from tests.gui.test_keyboard import assert_unique
from tests.gui.trees import click_item, groups
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
        assert present(table.item(0, 6)).text().startswith("Ready for push deployment over TCP 445")
        assert present(table.item(1, 6)).text().startswith("Not ready: TCP 445 refused (closed)")
        assert wizard.push_run.status.text() == "2 of 2 targets checked"

        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RESULTS
        tree = wizard.push_results.groups
        titles = [group.text(0) for group in groups(tree)]
        assert titles == ["1 PC(s): TCP 445 closed: check the Server service and sharing",
                          "1 PC(s): ready over TCP 445 (NetBIOS over TCP/IP off)"]  # fmt: skip
        assert "Run the Server service (LanmanServer)" in wizard.push_results.details.toPlainText()
        tree.setCurrentItem(present(groups(tree)[1].child(0)))
        assert "UAC remote restrictions" in wizard.push_results.details.toPlainText()
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
    monkeypatch.setattr(
        "sep_port_doctor.gui.wizard.push.QFileDialog.getOpenFileName", lambda *args, **kwargs: (str(listed), "")
    )
    to_push_targets(qtbot, wizard)
    click(qtbot, wizard.push_targets.load)
    assert wizard.push_targets.targets.toPlainText() == "pc-01.corp\n10.1.2.0/30"


def start_sweep(qtbot: QtBot, wizard: DiagnosticsWizard, dropped: int, targets: list[str]) -> asyncio.Task[PushSweep]:
    """Targets typed and Next pressed, their 445 and 139 at ``dropped`` (127.0.0.1's answers wait)."""
    wizard.push_run.ports = {445: dropped, 139: dropped, 137: _free_port(socket.SOCK_DGRAM)}
    to_push_targets(qtbot, wizard)
    type_targets(qtbot, wizard, targets)
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentId() == Page.PUSH_RUN
    return present(wizard.push_run.task)


def test_cancel_stops_the_sweep_at_once_and_nothing_counts_as_ready(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> None:
        with dropping_port() as port:
            task = start_sweep(qtbot, wizard, port, ["127.0.0.1"])
            await asyncio.sleep(0.3)
            assert not task.done()
            click(qtbot, wizard.push_run.cancel)
            await task
        _assert_ended_cancelled(wizard, ["127.0.0.1"])

    drive(loop, scenario())


def _assert_ended_cancelled(wizard: DiagnosticsWizard, hosts: list[str]) -> None:
    """The page as any cancelled run leaves it: the sweep so far, nothing ready, said so, Next on."""
    sweep = wizard.push_run.sweep
    assert sweep is not None and sweep.cancelled
    assert [(t.host.typed, t.verdict) for t in sweep.targets] == [(host, "not_tested") for host in hosts]
    assert wizard.push_run.title() == "Check of the targets cancelled"
    assert wizard.push_run.isComplete() and wizard.button(wizard.WizardButton.NextButton).isEnabled()
    assert not wizard.push_run.cancel.isEnabled()
    assert wizard.push_run.status.text() == f"{len(hosts)} of {len(hosts)} targets checked"
    verdicts = [present(wizard.push_run.table.item(row, 6)).text() for row in range(len(hosts))]
    assert all(text != "waiting" for text in verdicts), verdicts


@pytest.mark.parametrize("how", ["Cancel", "Escape"])
def test_a_sweep_cancelled_before_it_starts_ends_cancelled(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop, how: str
) -> None:
    """Cancel (or Esc) pressed at once, before the sweep's task had its first turn: the task never
    ran its code, so nothing said the sweep ended; the page kept "Checking the targets", every row
    "waiting", Next and Cancel as they were. Now the sweep ends as any cancelled one does."""

    async def scenario() -> None:
        with dropping_port() as port:
            task = start_sweep(qtbot, wizard, port, ["127.0.0.1", "127.0.0.2"])
            if how == "Cancel":  # in the same turn of the loop: the task has not started
                click(qtbot, wizard.push_run.cancel)
            else:
                press(qtbot, Qt.Key.Key_Escape)
            assert not task.done()
            sweep = await task
            assert sweep is wizard.push_run.sweep
        _assert_ended_cancelled(wizard, ["127.0.0.1", "127.0.0.2"])

    drive(loop, scenario())


def test_closing_the_window_mid_sweep_cancels_it(
    qtbot: QtBot, qapp: QApplication, main_window: MainWindow, wizard: DiagnosticsWizard,
    loop: asyncio.AbstractEventLoop,
) -> None:  # fmt: skip
    """Closing the window cancelled a diagnosis run but not a push sweep, whose probes went on."""
    qapp.setQuitOnLastWindowClosed(False)  # the test's loop must outlive the window
    try:

        async def scenario() -> None:
            with dropping_port() as port:
                task = start_sweep(qtbot, wizard, port, ["127.0.0.1"])
                await asyncio.sleep(0.3)
                main_window.close()
                await asyncio.wait({task}, timeout=HANG_GUARD_S)
                assert task.done() and task.result().cancelled

        drive(loop, scenario())
    finally:
        qapp.setQuitOnLastWindowClosed(True)


def test_going_back_mid_sweep_and_on_with_other_targets_shows_only_the_new_sweep(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    """Back mid-sweep cancels it; its end, arriving after the next sweep began, is old news: it
    neither replaces the new sweep nor writes into rows that are now other targets'."""

    async def scenario() -> None:
        with dropping_port() as port:  # 127.0.0.1's answers wait; 127.0.0.2 refuses at once
            first = start_sweep(qtbot, wizard, port, ["127.0.0.1"])
            await asyncio.sleep(0.3)
            assert not first.done()
            click(qtbot, wizard.button(wizard.WizardButton.BackButton))
            assert wizard.currentId() == Page.PUSH_TARGETS
            click(qtbot, wizard.push_targets.targets)
            press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            type_text(qtbot, "127.0.0.2")
            click(qtbot, wizard.button(wizard.WizardButton.NextButton))
            second = wizard.push_run.task
            assert second is not None and second is not first
            old, new = await first, await second
        assert old.cancelled and not new.cancelled
        assert wizard.push_run.sweep is new and [t.host.typed for t in new.targets] == ["127.0.0.2"]
        assert wizard.push_run.table.rowCount() == 1 and wizard.push_run.title() == "Targets checked"
        assert present(wizard.push_run.table.item(0, 0)).text() == "127.0.0.2"
        assert present(wizard.push_run.table.item(0, 6)).text().startswith("Not ready")
        assert wizard.push_run.status.text() == "1 of 1 targets checked"

    drive(loop, scenario())


class PatientIcmp(FakeIcmp):
    """IcmpSendEcho2's answers along a path (``FakeIcmp``); where nothing answers, the call waits
    its timeout out, as the API does, so the trace takes the time a real one takes."""

    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        reply = super().send_echo(address, ttl, timeout_ms)
        if reply.address is None:
            time.sleep(timeout_ms / 1000)
        return reply


def loopback_as_a_network(address: str) -> str | None:
    """127.0.0.0/24 as a network of neighbours behind a router, as the lab's client network is
    (loopback has no router, so the sweep would trace nothing there)."""
    return "127.0.0.0/24" if address.startswith("127.0.0.") else neighbourhood_of(address)


@contextlib.contextmanager
def listening(host: str) -> Iterator[int]:
    """A port that accepts connections on ``host`` (the kernel completes the handshake)."""
    with socket.socket() as listener:
        listener.bind((host, 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def details_of(qtbot: QtBot, wizard: DiagnosticsWizard, subject: tuple[str, str]) -> str:
    """Click the group (``("cause", ...)``) or the PC (``("target", name)``) and read its details."""
    tree = wizard.push_results.groups
    for group in groups(tree):
        if group.data(0, SUBJECT_ROLE) == subject:
            click_item(qtbot, tree, group)
            return wizard.push_results.details.toPlainText()
        for child in (present(group.child(i)) for i in range(group.childCount())):
            if child.data(0, SUBJECT_ROLE) == subject:
                click_item(qtbot, tree, group)
                press(qtbot, Qt.Key.Key_Right)  # unfold the group, then click its PC
                click_item(qtbot, tree, child)
                return wizard.push_results.details.toPlainText()
    raise AssertionError(f"no row for {subject}")


def test_path_facts_on_the_results_page_and_the_traces_hops_live_in_both_languages(
    qtbot: QtBot,
    main_window: MainWindow,
    wizard: DiagnosticsWizard,
    loop: asyncio.AbstractEventLoop,
    samba_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Samba answers at 127.0.0.1; 127.0.0.2 drops the SMB port while its NetBIOS port accepts (a
    firewall without File and Printer Sharing): the sweep traces toward it. The routes and the DNS
    answer are this machine's own; the trace's router answers through a fake IcmpSendEcho2 (no
    router on loopback): hop 1 is 10.20.0.1, nothing after it answers."""
    monkeypatch.setattr("sep_port_doctor.core.push.neighbourhood_of", loopback_as_a_network)
    monkeypatch.setattr(RouteReader, "on_link", lambda _reader, _address: False)
    wizard.push_run.icmp_api = PatientIcmp(["10.20.0.1"], None)
    with listening("127.0.0.2") as netbios, dropping_port("127.0.0.2", samba_port):
        wizard.push_run.ports = {445: samba_port, 139: netbios, 137: _free_port(socket.SOCK_DGRAM)}

        async def scenario() -> None:
            to_push_targets(qtbot, wizard)
            type_targets(qtbot, wizard, ["127.0.0.1", "127.0.0.2", "localhost"])
            click(qtbot, wizard.button(wizard.WizardButton.NextButton))
            status = wizard.push_run.status
            await until(lambda: "10.20.0.1" in status.text(), "the trace's first hop on the status line")
            # The furthest hop that answered stays while the silent ones wait; the words follow the language.
            assert status.text().endswith(" targets checked · Tracing the path to 127.0.0.2: hop 1 10.20.0.1")
            present(main_window.lang_actions.get("ja")).trigger()
            assert status.text().endswith("台を確認しました · 127.0.0.2 への経路を追跡中: 1 ホップ目 10.20.0.1")
            assert wizard.push_run.task is not None
            await wizard.push_run.task
            assert status.text() == "3 台中 3 台を確認しました"  # the sweep is over: no hop is news any more
            click(qtbot, wizard.button(wizard.WizardButton.NextButton))
            assert wizard.currentId() == Page.PUSH_RESULTS

        drive(loop, scenario())

    results = wizard.push_results
    sweep = present(results.sweep)
    assert {t.host.typed: t.cause for t in sweep.targets}["127.0.0.2"] == "445-filtered"
    routes = results.routes
    assert routes.isVisible() and routes.topLevelItemCount() == 1 and routes.isColumnHidden(ROUTE_PROFILE)
    route = present(routes.topLevelItem(0))
    assert [route.text(c) for c in (ROUTE_SOURCE, ROUTE_INTERFACE, ROUTE_PCS)] == ["127.0.0.1", "lo", "3"]
    for lang, words, gateway, leaves, traced, ends in (
        (
            "ja",
            ["送信元アドレス", "インターフェイス", "ゲートウェイ", "PC 数"],
            "なし(この PC と同じネットワーク)",
            "送信元: 127.0.0.1(インターフェイス lo)",
            "127.0.0.0/24: 127.0.0.2 へ追跡(ほかのポートには応答し、TCP 445 はフィルタされています)。",
            f"経路: TCP {samba_port} への通信は 10.20.0.1(1 ホップ目)まで届き、その先の機器は応答しませんでした。",
        ),
        (
            "en",
            ["Source address", "Interface", "Gateway", "PCs"],
            "none: this PC's own network",
            "Leaves from 127.0.0.1 (interface lo)",
            "127.0.0.0/24, traced toward 127.0.0.2 (it answers on other ports, TCP 445 is filtered). ",
            f"Path: traffic to TCP {samba_port} reaches 10.20.0.1 (hop 1) and nothing after it answered: "
            "the block is at or after that device (29 hops after it were silent)",
        ),
    ):
        present(main_window.lang_actions.get(lang)).trigger()
        assert_unique(main_window, f"push results ({lang})")
        header, route = present(routes.headerItem()), present(routes.topLevelItem(0))  # the rows in the new words
        assert [header.text(c) for c in (ROUTE_SOURCE, ROUTE_INTERFACE, ROUTE_GATEWAY, ROUTE_PCS)] == words
        assert route.text(ROUTE_GATEWAY) == gateway
        filtered = details_of(qtbot, wizard, ("cause", "445-filtered"))
        assert traced + ends in filtered and "1 10.20.0.1 · 2-30 *" in filtered  # the hops, as tracert
        blocked = details_of(qtbot, wizard, ("target", "127.0.0.2"))
        assert traced + ends in blocked and leaves in blocked
        named = details_of(qtbot, wizard, ("target", "localhost"))
        assert "DNS: localhost" in named and "127.0.0.1" in named
        # Samba answered at 127.0.0.1: its network's trace (toward another PC) says nothing about it.
        ready = details_of(qtbot, wizard, ("target", "127.0.0.1"))
        assert "10.20.0.1" not in ready and leaves in ready
    # A language switch keeps the row chosen (the last one, 127.0.0.1).
    present(main_window.lang_actions.get("ja")).trigger()
    current = present(results.groups.currentItem())
    assert current.data(0, SUBJECT_ROLE) == ("target", "127.0.0.1")
    assert "送信元: 127.0.0.1(インターフェイス lo)" in results.details.toPlainText()


def test_the_status_line_keeps_the_furthest_hop_that_answered(wizard: DiagnosticsWizard) -> None:
    """A trace's silent hops time out together after its answers: "hop 30 *" must not hide how far
    the path got; a hop further on, or another trace's, is news."""
    page = wizard.push_run
    page._hop("127.0.0.2", Hop(1, HopKind.TIME_EXCEEDED, "10.20.0.1", 1.0))
    page._hop("127.0.0.2", Hop(30, HopKind.SILENT))
    assert page.status.text().endswith(" · Tracing the path to 127.0.0.2: hop 1 10.20.0.1")
    page._hop("127.0.0.2", Hop(2, HopKind.TIME_EXCEEDED, "10.30.0.1", 2.0))
    assert page.status.text().endswith(" · Tracing the path to 127.0.0.2: hop 2 10.30.0.1")
    page._hop("127.0.0.9", Hop(3, HopKind.SILENT))
    assert page.status.text().endswith(" · Tracing the path to 127.0.0.9: hop 3 *")
