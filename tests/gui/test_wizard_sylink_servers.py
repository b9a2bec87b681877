"""Several management servers in this PC's SyLink: the wizard offers each in the manager
list (priority order, before recent hosts), prefills the one the client last used, and the
ports field follows the server chosen until the user edits it. Chosen by clicking in the
opened list and typed by keys, as a technician does."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from sep_port_doctor.gui.wizard import DiagnosticsWizard, Page
from tests.gui.conftest import drive
from tests.gui.keyboard import click, press, replace_text, type_text
from tests.helpers.windows_fixtures import FixtureSystem

SERVERS = ["sepm01.corp.example", "sepm02.corp.example", "10.20.30.41"]


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Open the list from the keyboard (F4) and click the item."""
    click(qtbot, combo)
    press(qtbot, Qt.Key.Key_F4)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    row = combo.findText(text, Qt.MatchFlag.MatchFixedString)
    assert row >= 0, text
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible())
    assert QApplication.activePopupWidget() is None


# The offscreen platform cannot raise a popup or grab the keyboard for it; it still opens.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_every_sylink_server_is_offered_and_the_ports_follow_the_choice(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.local_system = FixtureSystem("en-domain-sylink-https")
    drive(loop, wizard.prefill_from_local())
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    assert wizard.currentId() == Page.TARGET
    target = wizard.target
    combo = target.manager
    assert [combo.itemText(i) for i in range(3)] == SERVERS  # SyLink's priority order, first
    assert "server 2 of 3): HTTPS 8443" in str(combo.itemData(1, Qt.ItemDataRole.ToolTipRole))
    assert combo.currentText() == "sepm01.corp.example"  # the server the client last used
    assert target.ports.text() == ""  # HTTPS on 443: nothing moved
    assert "lists 3 management servers" in target.prefill_label.text()

    choose(qtbot, combo, "sepm02.corp.example")
    assert combo.currentText() == "sepm02.corp.example"
    assert target.ports.text() == "443=8443"  # sepm02's SyLink port
    choose(qtbot, combo, "10.20.30.41")
    assert target.ports.text() == ""  # HTTP on 8014: nothing moved

    replace_text(qtbot, combo, "sepm-new.corp.example")  # a server SyLink does not list
    assert target.ports.text() == ""
    choose(qtbot, combo, "sepm02.corp.example")
    assert target.ports.text() == "443=8443"

    replace_text(qtbot, target.ports, "443=10443")  # the user's own: kept whatever is chosen
    choose(qtbot, combo, "sepm01.corp.example")
    assert target.ports.text() == "443=10443"
    replace_text(qtbot, target.version, "14.3 RU9")
    assert target.isComplete()
    request = target.request(wizard.where.role)
    assert request.manager.typed == "sepm01.corp.example" and request.overrides == {443: 10443}


def test_what_the_user_typed_before_the_settings_were_read_stays(
    qtbot: QtBot, wizard: DiagnosticsWizard, loop: asyncio.AbstractEventLoop
) -> None:
    wizard.local_system = FixtureSystem("en-domain-sylink-https")
    click(qtbot, wizard.button(wizard.WizardButton.NextButton))
    target = wizard.target
    click(qtbot, target.manager)
    type_text(qtbot, "sepm02.corp.example")
    drive(loop, wizard.prefill_from_local())
    assert target.manager.currentText() == "sepm02.corp.example"
    assert [target.manager.itemText(i) for i in range(3)] == SERVERS
    assert target.ports.text() == "443=8443"  # the ports SyLink names for the server typed
