"""An unexpected error in the window: the user reads what it was and where the log is; the
traceback goes to the log only (issue 12, item 3, for the window)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from sep_port_doctor.gui.app import _install_excepthook


def _visible_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


@pytest.mark.parametrize("log_written", [True, False], ids=["log-file", "no-log-file"])
def test_an_unexpected_error_says_what_and_where_the_log_is_never_a_traceback(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    log_written: bool,
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    log_path = tmp_path / "SEP Port Doctor" / "sep-port-doctor" / "sep-port-doctor.log" if log_written else None
    _install_excepthook(qapp, log_path)
    try:
        raise LookupError("<img src=file:///nonexistent/x.png> from the network")
    except LookupError as error:
        with caplog.at_level(logging.ERROR):
            sys.excepthook(type(error), error, error.__traceback__)
    boxes = _visible_boxes()
    assert len(boxes) == 1, "one dialog for one error"
    box = boxes[0]
    try:
        shown = f"{box.text()}\n{box.informativeText()}\n{box.detailedText()}"
        assert box.detailedText() == ""  # no "Show Details..." with the traceback
        assert "Traceback" not in shown and 'File "' not in shown and "raise LookupError" not in shown
        assert "LookupError: &lt;img src=file:///nonexistent/x.png&gt; from the network" in box.informativeText()
        if log_path is not None:
            assert f"The details are in the log file: {log_path}" in box.informativeText()
        else:
            assert "No log file could be written here." in box.informativeText()
        assert "Traceback" in caplog.text and "raise LookupError" in caplog.text  # the log has it all
    finally:
        box.close()
