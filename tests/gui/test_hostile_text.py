"""Text from a hostile manager is never markup in the window (issue 12, item 2).

The report that found it: an 8446 version answer ``{"version":"<img src=file:///dev/zero>"}``
made Qt read /dev/zero until memory ran out. Here the simulated manager answers with the same
markup pointing at a file that does not exist (a regression then fails this test instead of
hanging the suite) and presents a certificate whose subject is markup. After "Read from
manager" and a run, every widget of the window is walked: labels that show such text are plain
text, tooltips and the details pane hold it escaped; then the whole window is painted. The
reported answer itself, ``file:///dev/zero``, is then run in a child process whose memory is
bounded, so that a regression ends that child (and fails the test) rather than this machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTextBrowser, QTreeWidget, QWidget
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.plan import Role
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager, make_certificate
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from tests.gui.conftest import drive, overrides_text
from tests.gui.keyboard import click, press, replace_text
from tests.gui.test_push_wizard import to_push_targets, type_targets
from tests.gui.trees import click_item, groups, rows
from tests.helpers.command import ROOT
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.present import present
from tests.helpers.servers import answer_at_once, serving

# The child run of the /dev/zero test sets the image's source (see the last test).
IMAGE = os.environ.get("SEP_PORT_DOCTOR_HOSTILE_IMAGE", "file:///nonexistent/sep-port-doctor-version.png")
HOSTILE_VERSION = f"<img src={IMAGE}>"
HOSTILE_SUBJECT = "<b>bold</b><img src=file:///nonexistent/sep-port-doctor.png>"
MARKUP = "<img"


def _tooltips(widget: QWidget) -> list[str]:
    found = [widget.toolTip()]
    if isinstance(widget, QTreeWidget):
        stack = groups(widget)
        while stack:
            item = stack.pop()
            found.append(item.toolTip(0))
            stack += [present(item.child(i)) for i in range(item.childCount())]
    elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
        model = widget.model()
        for row in range(model.rowCount(QModelIndex())):
            for column in range(model.columnCount(QModelIndex())):
                found.append(str(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) or ""))
    return found


def assert_no_markup_interpreted(window: MainWindow) -> list[str]:
    """Every place where the hostile text is, it is text; returns where it was seen."""
    seen = []
    for widget in window.findChildren(QWidget):
        name = widget.objectName() or type(widget).__name__
        if isinstance(widget, QLabel) and MARKUP in widget.text():
            assert widget.textFormat() == Qt.TextFormat.PlainText, f"label {name} would render {widget.text()!r}"
            seen.append(f"label {name}")
        if isinstance(widget, QTextBrowser):
            html = widget.toHtml()
            assert MARKUP not in html.split("<body", 1)[-1], f"{name} holds markup from the network"
            if MARKUP in widget.toPlainText():
                seen.append(f"details {name}")
        for tip in _tooltips(widget):
            assert MARKUP not in tip, f"a tooltip of {name} would render {tip!r}"
            if "&lt;img" in tip:
                seen.append(f"tooltip {name}")
    return seen


def test_a_hostile_managers_text_is_never_rendered_as_markup(
    qtbot: QtBot, main_window: MainWindow, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    manager = SimulatedManager(ports={p: 0 for p in SERVED_PORTS}, version=HOSTILE_VERSION)
    manager.certificate = make_certificate(HOSTILE_SUBJECT, ["127.0.0.1"])
    loop.run_until_complete(manager.start())
    places: list[str] = []

    async def scenario() -> None:
        click(qtbot, wizard.where.radios[Role.CONSOLE])  # 8446 is a console port
        press(qtbot, Qt.Key.Key_Return)
        replace_text(qtbot, wizard.target.manager, "127.0.0.1")
        replace_text(qtbot, wizard.target.version, "14.3 RU1")
        replace_text(qtbot, wizard.target.ports, overrides_text(manager))
        click(qtbot, wizard.target.read_version)
        assert wizard.target.version_task is not None
        await wizard.target.version_task
        assert MARKUP in wizard.target.version_status.text()  # shown (as text, checked below)
        places.extend(assert_no_markup_interpreted(main_window))
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.run_task is not None
        await wizard.run_task
        places.extend(assert_no_markup_interpreted(main_window))
        press(qtbot, Qt.Key.Key_Return)
        assert wizard.currentId() == Page.RESULTS
        tree = wizard.results.tree
        for item in rows(tree):  # each result's details, in turn
            tree.setCurrentItem(item)
            places.extend(assert_no_markup_interpreted(main_window))
        main_window.grab()  # only now paint everything: nothing interpreted, nothing loaded

    try:
        drive(loop, scenario())
    finally:
        loop.run_until_complete(manager.stop())
    assert "label version_status" in places
    assert any(p.startswith("details") for p in places)  # the certificate subject and the version, escaped
    assert any(p.startswith("tooltip") for p in places)


def test_a_pcs_hostile_answer_in_the_push_results_is_never_markup(
    qtbot: QtBot, main_window: MainWindow, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    """A device on the SMB port that answers the negotiate with markup: the push pages show its
    first words (the verdict, the row's tooltip, the details with the path facts), as text."""
    places: list[str] = []

    async def scenario() -> None:
        async with serving(answer_at_once(HOSTILE_VERSION.encode())) as server:
            with socket.socket() as unused, socket.socket(type=socket.SOCK_DGRAM) as unused_udp:
                unused.bind(("127.0.0.1", 0))
                unused_udp.bind(("127.0.0.1", 0))  # held: nothing answers there (refused, port unreachable)
                ports = (server.port, unused.getsockname()[1], unused_udp.getsockname()[1])
                wizard.push_run.ports = dict(zip((445, 139, 137), ports, strict=True))
                to_push_targets(qtbot, wizard)
                type_targets(qtbot, wizard, ["localhost"])
                click(qtbot, wizard.button(wizard.WizardButton.NextButton))
                assert wizard.push_run.task is not None
                await wizard.push_run.task
        places.extend(assert_no_markup_interpreted(main_window))
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RESULTS
        tree = wizard.push_results.groups
        for group in groups(tree):
            click_item(qtbot, tree, group)
            press(qtbot, Qt.Key.Key_Right)
            for item in [group, *(present(group.child(i)) for i in range(group.childCount()))]:
                click_item(qtbot, tree, item)
                places.extend(assert_no_markup_interpreted(main_window))
        main_window.grab()

    drive(loop, scenario())
    sweep = present(wizard.push_results.sweep)
    assert [t.cause for t in sweep.targets] == ["445-not-smb"]
    assert "details push_details" in places and "tooltip push_groups" in places


MEMORY_BOUND = 4 << 30
"""Address space for the child: several times what the window needs, far less than the machine has."""


def _bounded_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/zero").exists() or os.name != "posix", reason="needs /dev/zero and setrlimit")
def test_the_reported_answer_img_dev_zero_is_shown_as_text() -> None:
    """The 8446 answer as reported, ``<img src=file:///dev/zero>``, in a child process: the test
    above with that source, under a memory bound (a regression aborts the child: std::bad_alloc)."""
    test = f"{Path(__file__).relative_to(ROOT)}::test_a_hostile_managers_text_is_never_rendered_as_markup"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    env["SEP_PORT_DOCTOR_HOSTILE_IMAGE"] = "file:///dev/zero"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=HANG_GUARD_S * 4, preexec_fn=_bounded_memory,
    )  # fmt: skip
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    assert "1 passed" in result.stdout
