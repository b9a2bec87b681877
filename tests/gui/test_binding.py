"""The Qt binding keeps Python's reference counts right when Qt calls into Python.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` (or ``True``) on every
signal delivered to a Python slot and every call of a Python override (``isComplete``):
the window aborted with "none_dealloc" after a few thousand key presses. On Python 3.12 and
later these objects are immortal and the loss is harmless, so the check is for 3.11.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

CALLS = 200


class _Emitter(QObject):
    changed = Signal(str)


class _Page(QWizardPage):
    def isComplete(self) -> bool:
        return True


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal from Python 3.12 on")
def test_slots_and_overrides_called_by_qt_keep_the_reference_counts(qapp: QApplication) -> None:
    emitter = _Emitter()
    received: list[str] = []
    emitter.changed.connect(received.append)
    wizard = QWizard()
    page = _Page()
    wizard.addPage(page)
    wizard.addPage(QWizardPage())
    before = _counts()
    for _ in range(CALLS):
        emitter.changed.emit("x")  # Qt calls the Python slot
        page.completeChanged.emit()  # QWizard calls the Python isComplete()
    after = _counts()
    assert len(received) == CALLS
    lost = [b - a for a, b in zip(after, before, strict=True)]
    assert max(lost) < CALLS // 2, f"references lost per {CALLS} calls (None, True, False): {lost}"
