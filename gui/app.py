"""The composition root: QApplication, the one qasync loop, settings, translations, windows."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QObject,
    QSocketNotifier,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.console import PROG
from sep_port_doctor.core.i18n import CatalogError, Message, load_messages, say, system_lang
from sep_port_doctor.core.logs import setup_logging
from sep_port_doctor.core.plan import PlanError, parse_overrides
from sep_port_doctor.gui.event_loop import EventLoop
from sep_port_doctor.gui.heap import settle_heap
from sep_port_doctor.gui.i18n import LanguageManager
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.plaintext import literal_html
from sep_port_doctor.gui.settings import APPLICATION, ORGANIZATION, Settings
from sep_port_doctor.gui.tasks import finish_workers, start_task
from sep_port_doctor.gui.wizard import DiagnosticsWizard
from sep_port_doctor.gui.wizard.unattended import run_unattended

log = logging.getLogger(__name__)


def _setup_logging() -> Path | None:
    # The log file only (core/logs.py): a windowed program on Windows has no stderr, and a
    # traceback on a terminal is not for the user. The folder does not depend on Qt's names.
    return setup_logging()


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


_open_dialogs: set[QMessageBox] = set()


def error_dialog(error: BaseException, log_path: Path | None) -> QMessageBox:
    """What the user reads about an unexpected error: what it was and where the log is.

    The traceback is for the log only. The box is window-modal and opened without a nested
    event loop (``exec`` inside the qasync loop would run the probes' callbacks re-entrantly)."""
    box = QMessageBox(
        QMessageBox.Icon.Critical, "SEP Port Doctor", QCoreApplication.translate("app", "Something went wrong.")
    )
    box.setObjectName("error_dialog")
    box.setTextFormat(Qt.TextFormat.PlainText)
    if log_path is not None:
        where = QCoreApplication.translate("app", "The details are in the log file: %1").replace("%1", str(log_path))
    else:
        where = QCoreApplication.translate("app", "No log file could be written here.")
    box.setInformativeText(literal_html(f"{type(error).__name__}: {error}\n\n{where}"))  # may quote remote text
    # Kept alive while open: a box without a parent is deleted with its last Python reference.
    _open_dialogs.add(box)
    box.finished.connect(lambda _result: _open_dialogs.discard(box))
    box.open()
    return box


def _install_excepthook(app: QApplication, log_path: Path | None) -> None:
    """An unexpected error is logged and shown in a dialog, never a bare traceback."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if kind is KeyboardInterrupt:
            app.quit()
            return
        error_dialog(value, log_path)

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


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("SEP Port Doctor")
    from importlib import resources

    with resources.as_file(resources.files("sep_port_doctor.resources") / "icons" / "app.png") as icon_path:
        if icon_path.exists():
            app.setWindowIcon(QIcon(str(icon_path)))
    return app


def build_main_window(app: QApplication, args: argparse.Namespace | None = None) -> MainWindow:
    """Everything but the event loop: used by run_gui and by the tests; raises PlanError (``--port``)."""
    catalog = load_catalog()
    # --port as check takes it (core.plan.parse_overrides: the count bounded, each port once, the
    # numbers checked), before the options' text could overflow the field and be cut (3,001
    # options probed TCP 11).
    parse_overrides(getattr(args, "port", None) or [], catalog)
    load_messages()
    settings = Settings()
    languages = LanguageManager.for_app(app)
    preference = getattr(args, "lang", None) or settings.language
    languages.apply(LanguageManager.resolve(preference))
    window = MainWindow(catalog, settings, languages, preference)
    wizard = DiagnosticsWizard(catalog, settings, languages.lang)
    window.add_wizard(wizard)
    wizard.show_language(preference)
    wizard.entry_requested.connect(window.show_entry)
    wizard.language_chosen.connect(window.choose_language)
    wizard.status_message.connect(window.show_status)
    if args is not None:
        wizard.apply_arguments(args)
        # Asked to diagnose something: open where that happens, unless the reference was asked for.
        asked = any(getattr(args, name, None) for name in ("manager", "sep_version", "run"))
        page = getattr(args, "page", None)
        if page == "wizard" or (asked and page != "reference"):
            window.show_wizard()
    if settings.notice:
        window.show_settings_notice()
    return window


def keep_heap_settled(window: MainWindow) -> None:
    """Long-lived objects out of the full collections' way (``gui.heap``): once the window is up
    (the first turn of the loop), and after each run or push sweep that imported modules."""
    QTimer.singleShot(0, settle_heap)
    wizard = window.wizard
    if wizard is not None:
        wizard.run_finished.connect(settle_heap)
        wizard.push_run.completeChanged.connect(settle_heap)  # a sweep's start and its end


def _tell_before_the_loop(text: str) -> None:
    """A refusal in a box, for a program without a terminal; modal, before the event loop runs."""
    box = QMessageBox(QMessageBox.Icon.Critical, "SEP Port Doctor", text)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def _no_display_reason() -> Message | None:
    """Why no window can open here (Qt would abort), or None. Only Linux/BSD X11 and Wayland are checked."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform and platform not in ("xcb", "wayland"):
        return None  # offscreen, minimal, vnc...: no display needed
    display = os.environ.get("DISPLAY", "")
    if os.environ.get("WAYLAND_DISPLAY") or (display and _x_display_reachable(display)):
        return None
    return (
        Message("cli.no-display-at-all") if not display else Message("cli.display-unreachable", display=repr(display))
    )


def _x_display_reachable(display: str) -> bool:
    """A local X display ``:N`` has its socket; a remote one is trusted to exist."""
    host, _sep, number = display.rpartition(":")
    if host not in ("", "unix") or not number.split(".")[0].isdigit():
        return True
    return Path(f"/tmp/.X11-unix/X{number.split('.')[0]}").exists()


def run_gui(args: argparse.Namespace) -> int:
    # The command line's own lines speak its language (--lang, else the system's), as check's do.
    said = getattr(args, "lang", None) or system_lang()
    if getattr(args, "report", None) and not getattr(args, "run", False):
        print(say("cli.error-line", said, prog=PROG, message=say("cli.report-needs-run", said)), file=sys.stderr)
        return 2
    reason = _no_display_reason()
    if reason is not None:
        why = say("cli.no-display", said, reason=reason)
        print(say("cli.error-line", said, prog=PROG, message=why), file=sys.stderr)
        return 2
    log_path = _setup_logging()
    qInstallMessageHandler(_qt_message)
    app = create_application()
    _install_excepthook(app, log_path)
    try:
        window = build_main_window(app, args)
    except CatalogError as exc:
        log.error("a data file is broken: %s", exc)
        _tell_before_the_loop(QCoreApplication.translate("app", "A data file of the program is broken:") + f"\n{exc}")
        return 2
    except PlanError as exc:  # bad --port options: one clear line, as check gives
        line = say("cli.error-line", said, prog=PROG, message=f"--port: {exc.message(said, command_line=True)}")
        if sys.stderr is not None:
            print(line, file=sys.stderr)
        else:  # the windowed program (SEPPortDoctor.exe) has no terminal: say it in a box
            _tell_before_the_loop(line)
        return 2

    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    exit_code = exit_codes.OK
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)

    if args.quit and not args.run:
        app.installEventFilter(_QuitAfterFirstPaint(app))

    async def main() -> None:
        nonlocal exit_code
        window.show()
        keep_heap_settled(window)
        wizard = window.wizard
        assert wizard is not None
        if args.run:
            exit_code = await run_unattended(wizard, report=args.report)
            if args.quit:
                window.close()
                app.quit()
                return
        else:
            start_task(wizard.prefill_from_local(), "reading this PC's SEP client settings")
        await closing.wait()

    with loop:
        task = loop.create_task(main())
        interrupt = _Interrupt(app, task)
        try:
            loop.run_until_complete(task)
        except (KeyboardInterrupt, asyncio.CancelledError):
            if not interrupt.happened:
                raise
        finally:
            interrupt.close()
            asyncio.set_event_loop(None)
    if interrupt.happened:
        # The probes were cancelled and closed their sockets. Tearing Qt and the interpreter
        # down takes a few hundred milliseconds more: a Ctrl+C leaves at once instead, once no
        # worker is writing a report (that write is finished: the whole pair or the previous one).
        print(f"{PROG}: {say('cli.interrupted', said)}", file=sys.stderr)
        finish_workers()
        logging.shutdown()
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
            sys.stdout.flush()
        os._exit(exit_codes.INTERRUPTED)
    return exit_code


class _Interrupt:
    """Ctrl+C in the window's terminal: cancel what runs and leave at once (exit 130).

    Qt waits in C++ where Python cannot run its signal handler; the wake-up file descriptor
    makes the loop run Python as soon as the signal arrives."""

    def __init__(self, app: QApplication, task: asyncio.Task[None]) -> None:
        self.happened = False
        self._task = task
        self._app = app
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)
        self._previous_handler = signal.signal(signal.SIGINT, self._on_sigint)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            self._reader.recv(256)

    def _on_sigint(self, _signum: int, _frame: object) -> None:
        self.happened = True
        self._task.cancel()

    def close(self) -> None:
        signal.signal(signal.SIGINT, self._previous_handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()
