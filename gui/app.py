"""The composition root: QApplication, the one qasync loop, settings, translations, windows."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
from types import TracebackType
from typing import Any

# qasync imports the first Qt binding it finds unless one is chosen.
os.environ.setdefault("QT_API", "pyside6")


import qasync
from PySide6.QtCore import (
    QEvent,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from core.catalog import CatalogError, load_catalog, load_labels
from core.logs import setup_logging
from gui.i18n import LanguageManager
from gui.main_window import MainWindow
from gui.settings import APPLICATION, ORGANIZATION, Settings

log = logging.getLogger(__name__)


def _setup_logging() -> None:
    # The log file only (core/logs.py): a windowed program on Windows has no stderr, and a
    # traceback on a terminal is not for the user. The folder does not depend on Qt's names.
    setup_logging()


_QT_NOISE = ("propagateSizeHints",)


def _qt_message(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to the log, not to a user's terminal (offscreen noise dropped)."""
    if any(noise in message for noise in _QT_NOISE):
        return
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(mode, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)


def _install_excepthook(app: QApplication) -> None:
    """An unexpected error is logged and shown in a dialog, never a bare traceback."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if kind is KeyboardInterrupt:
            app.quit()
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "SEP Port Doctor", app.tr("Something went wrong."))
        box.setInformativeText(f"{kind.__name__}: {value}")
        box.setDetailedText("".join(traceback.format_exception(kind, value, tb)))
        box.exec()

    sys.excepthook = hook


class _QuitAfterFirstPaint(QObject):
    """Quits the application once the window has painted (``gui --quit``)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            QTimer.singleShot(0, self._app.quit)
        return False


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task failed", exc_info=task.exception())


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("SEP Port Doctor")
    from importlib import resources

    with resources.as_file(resources.files("resources") / "icons" / "app.png") as icon_path:
        if icon_path.exists():
            app.setWindowIcon(QIcon(str(icon_path)))
    return app


def build_main_window(app: QApplication, args: argparse.Namespace | None = None) -> MainWindow:
    """Everything but the event loop: used by run_gui and by the tests."""
    catalog = load_catalog()
    load_labels()
    settings = Settings()
    languages = LanguageManager.for_app(app)
    preference = getattr(args, "lang", None) or settings.language
    languages.apply(LanguageManager.resolve(preference))
    window = MainWindow(catalog, settings, languages)
    from gui.wizard import DiagnosticsWizard

    wizard = DiagnosticsWizard(catalog, settings, languages.lang)
    window.add_wizard(wizard)
    wizard.entry_requested.connect(window.show_entry)
    wizard.language_chosen.connect(window.choose_language)
    if args is not None:
        wizard.apply_arguments(args)
        if getattr(args, "page", None) == "wizard" or getattr(args, "run", False):
            window.tabs.setCurrentIndex(1)
    if settings.notice:
        window.statusBar().showMessage(settings.notice, 15000)
    return window


def run_gui(args: argparse.Namespace) -> int:
    _setup_logging()
    qInstallMessageHandler(_qt_message)
    app = create_application()
    _install_excepthook(app)
    try:
        window = build_main_window(app, args)
    except CatalogError as exc:
        QMessageBox.critical(None, "SEP Port Doctor", f"A data file of the program is broken:\n{exc}")
        return 2
    except ValueError as exc:  # bad prefill arguments: one clear line
        print(f"sep-port-doctor: error: {exc}", file=sys.stderr)
        return 2

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    exit_code = 0
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)

    if args.quit and not args.run:
        app.installEventFilter(_QuitAfterFirstPaint(app))

    from gui.wizard import DiagnosticsWizard

    async def main() -> None:
        nonlocal exit_code
        window.show()
        wizard = window.wizard
        assert isinstance(wizard, DiagnosticsWizard)
        if args.run:
            exit_code = await wizard.run_unattended(report=args.report)
            if args.quit:
                window.close()
                app.quit()
                return
        else:
            prefill = asyncio.ensure_future(wizard.prefill_from_local())
            prefill.add_done_callback(_log_failure)
        await closing.wait()

    try:
        with loop:
            loop.run_until_complete(main())
    except KeyboardInterrupt:
        return 130
    finally:
        asyncio.set_event_loop(None)
    return exit_code
