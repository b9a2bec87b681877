"""The push place's notes and its Cancel, as an administrator meets them in the real window.

The targets page noted a duplicate checked once and a URL reduced to its host, but the Next that
accepted the targets left that page at once, so nobody ever read the note (``push`` prints it); and
Cancel stayed enabled after every PC was checked. Typed and clicked, against closed loopback ports.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit
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


CP932_NOTICE = {"ja": "CP932(日本語版 Windows の ANSI)として読みました", "en": "read as CP932"}


def _type_into_file_dialog(qtbot: QtBot, path: Path, tries: int = 50) -> None:
    """In the open dialog the Load button shows: type the file's name and press Enter, as a person does
    (tried again until the dialog is up; a dialog that never shows fails the test's assertions, not a hang)."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, QFileDialog):
        if tries:
            QTimer.singleShot(50, lambda: _type_into_file_dialog(qtbot, path, tries - 1))
        return
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    if name is None:
        dialog.reject()
        return
    qtbot.keyClicks(name, path.name)  # the dialog opens in the home folder, where the file is
    for _ in range(2):  # the first Enter may only close the name's completion list
        if dialog.isVisible():
            qtbot.keyClick(name, Qt.Key.Key_Return)
            qtbot.wait(100)
    if dialog.isVisible():
        dialog.reject()  # the test's assertions on the loaded targets then fail, rather than hang


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")  # offscreen
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_cp932_file_loaded_with_the_button_is_read_and_said_so(
    qapp: QApplication, qtbot: QtBot, loop: asyncio.AbstractEventLoop, lang: str
) -> None:
    """Notepad's "ANSI" on Japanese Windows is CP932: a list saved so, with Japanese comments, was refused."""
    path = Path.home() / "targets.txt"  # the test's own home (tests/conftest.py)
    path.write_bytes("# 営業部 3 階\r\n127.0.0.2  # 受付の PC\r\n".encode("cp932"))
    window, wizard = window_in(qapp, qtbot, lang)

    async def scenario() -> None:
        activate(qtbot, window)
        window.show_wizard()
        to_push_targets(qtbot, wizard)
        page = wizard.push_targets
        QTimer.singleShot(0, lambda: _type_into_file_dialog(qtbot, path))
        click(qtbot, page.load)  # the dialog is modal: the click returns once the file is chosen
        assert page.targets.toPlainText() == "127.0.0.2  # 受付の PC", page.message.text()
        assert CP932_NOTICE[lang] in page.message.text() and page.message.isVisible()
        click(qtbot, wizard.button(wizard.WizardButton.NextButton))
        assert wizard.currentId() == Page.PUSH_RUN
        run = wizard.push_run
        assert CP932_NOTICE[lang] in run.notices.text() and run.notices.isVisible()
        assert run.task is not None
        await run.task

    drive(loop, scenario())
