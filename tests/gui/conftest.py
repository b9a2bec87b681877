"""GUI fixtures: the real main window, built as the program builds it."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from gui.app import build_main_window
from gui.main_window import MainWindow


@pytest.fixture
def main_window(qapp: QApplication, qtbot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    window = build_main_window(qapp, argparse.Namespace(lang="en"))
    qtbot.addWidget(window)
    yield window
    if shiboken6.isValid(window):
        window.close()
