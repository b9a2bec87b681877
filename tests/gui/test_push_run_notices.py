"""The push place's notes and its Cancel, as an administrator meets them in the real window.

The targets page noted a duplicate checked once and a URL reduced to its host, but the Next that
accepted the targets left that page at once, so nobody ever read the note (``push`` prints it); and
Cancel stayed enabled after every PC was checked. Typed and clicked, against closed loopback ports.
"""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sep_port_doctor.gui.wizard import Page
from tests.gui.conftest import drive, window_in
from tests.gui.keyboard import activate, click
from tests.gui.test_push_wizard import to_push_targets, type_targets

NOTES = {
    "en": ("1 duplicate target(s) checked once", "using the host '127.0.0.3' from the URL"),
    "ja": ("重複した対象 1 件は 1 回だけ確認します", "URL 'https://127.0.0.3/' からホスト '127.0.0.3' を使います"),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_targets_notes_are_on_the_run_page_and_cancel_ends_with_the_sweep(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    window, wizard = window_in(qapp, qtbot, lang)

    async def scenario() -> None:
        activate(qtbot, window)
        window.show_wizard()
        to_push_targets(qtbot, wizard)
        type_targets(qtbot, wizard, ["127.0.0.2", "https://bob:Hunter2@127.0.0.3/", "127.0.0.2"])
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RUN
        page = wizard.push_run
        assert page.cancel.isEnabled()  # the sweep has just started
        shown = page.notices.text()
        assert page.notices.isVisible() and all(words in shown for words in NOTES[lang]), shown
        assert "Hunter2" not in shown and "bob" not in shown
        assert page.task is not None
        await page.task
        assert page.isComplete() and not page.cancel.isEnabled()  # nothing left to cancel
        assert page.notices.isVisible()  # still there to be read

    drive(loop, scenario())
