"""The log file: where tracebacks go, and the only place they go.

The folder is the one Qt calls AppLocalDataLocation for the organisation and
application names, computed without Qt so the command line logs to the same file as
the window: ``%LOCALAPPDATA%\\SEP Port Doctor\\sep-port-doctor`` on Windows,
``~/Library/Application Support/SEP Port Doctor/sep-port-doctor`` on macOS,
``$XDG_DATA_HOME`` (``~/.local/share``)``/SEP Port Doctor/sep-port-doctor`` elsewhere.
Nothing is logged to the terminal: the user gets one line that names this file.
Credentials in URLs are removed from every record (tracebacks included).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path
from types import TracebackType

from sep_port_doctor.core.untrusted import strip_credentials

ORGANIZATION = "SEP Port Doctor"
APPLICATION = "sep-port-doctor"
LOG_NAME = "sep-port-doctor.log"
MAX_LOG_BYTES = 1_000_000
KEPT_LOGS = 2

log = logging.getLogger(__name__)
_configured: Path | bool | None = False


def log_folder() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / ORGANIZATION / APPLICATION


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return strip_credentials(super().format(record))


def _log_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    log.error("unraisable exception in %r", unraisable.object, exc_info=unraisable.exc_value)


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    exc: tuple[type[BaseException], BaseException, TracebackType | None] | None = None
    if args.exc_value is not None:
        exc = (args.exc_type, args.exc_value, args.exc_traceback)
    log.error("exception in thread %s", args.thread.name if args.thread else "?", exc_info=exc)


def setup_logging() -> Path | None:
    """Log to the file only (once per process); returns its path, or None when no file can be written.

    Without a file the records are dropped rather than printed: the terminal never shows a traceback.
    """
    global _configured
    if _configured is not False:
        return _configured if isinstance(_configured, Path) else None
    root = logging.getLogger()
    path: Path | None = log_folder() / LOG_NAME
    handler: logging.Handler
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=KEPT_LOGS, encoding="utf-8", delay=False
        )
    except OSError:
        path, handler = None, logging.NullHandler()
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Logging's own failures (a full disk) must not print "--- Logging error ---" with a traceback.
    logging.raiseExceptions = False
    logging.captureWarnings(True)
    sys.unraisablehook = _log_unraisable
    threading.excepthook = _log_thread_exception
    _configured = path if path is not None else True
    return path
