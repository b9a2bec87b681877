"""Where reports and other output files go, and how they are written.

The place is checked before any packet leaves (``report_place``: the folder exists, the
name is one Windows and this system accept, there is room and a trial write succeeds);
the HTML and the JSON are then written as a pair (``write_pair``: temporary files, then
both renamed under a lock), so a failed write leaves the previous pair intact. Apart from
the rendering (``core.report``) so that checking a place loads no template engine.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TextIO

from sep_port_doctor.core import termination
from sep_port_doctor.core.errors import UserError


class ReportError(UserError):
    """The report could not be written; the message is for the user, nothing was lost."""


MIN_FREE_BYTES = 1_000_000
"""A report pair is rarely above 300 KB; less free space than this is refused before the run."""
TRIAL_BYTES = 64 * 1024
LOCK_WAIT_SECONDS = 10.0
TEMPORARY_PREFIX = ".sep-port-doctor-"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


@dataclass(frozen=True)
class ReportPlace:
    """Where the HTML report and its JSON go, checked: the names as the user typed them."""

    folder: Path
    html_name: str
    json_name: str
    notices: tuple[UserError, ...] = ()
    """What was changed from what the user typed, said to the user (``.html`` added)."""

    @property
    def html_path(self) -> Path:
        return self.folder / self.html_name

    @property
    def json_path(self) -> Path:
        return self.folder / self.json_name


def _json_name(html_name: str) -> str:
    parts = _split_suffix(html_name)
    return f"{parts[0]}.json" if parts else f"{html_name}.json"


def _check_name(name: str, folder: Path) -> None:
    """The system's rules for one file name; raises ReportError saying which."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise ReportError("report-name-control", name=_shown(name))
    if name in (".", "..") or "/" in name or (os.sep != "/" and os.sep in name):
        raise ReportError("report-name-leaves", name=_shown(name))
    limit = _name_limit(folder)
    if (len(name) if sys.platform == "win32" else len(os.fsencode(name))) > limit:
        raise ReportError("report-name-too-long", name=_shown(name), limit=limit)
    if sys.platform == "win32":
        why = _windows_refusal(name)
        if why:
            raise ReportError("report-name-windows", name=_shown(name), why=why)


def _windows_refusal(name: str) -> str | None:
    if name.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        return "a reserved device name"
    if set(name) & _WINDOWS_FORBIDDEN:
        return 'one of < > : " / \\ | ? *'
    if name.endswith((".", " ")):
        return "Windows drops a trailing dot or space"
    return None


def _name_limit(folder: Path) -> int:
    if sys.platform == "win32":
        return 255  # UTF-16 units on NTFS
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def _shown(text: str) -> str:
    shown = "".join(ch if ch.isprintable() else "?" for ch in text)
    return repr(shown if len(shown) <= 80 else shown[:77] + "...")


def report_place(text: str) -> ReportPlace:
    """``--report FILE``: the file's folder and its name as typed, checked; raises ReportError."""
    if not text.strip():
        raise ReportError("report-needs-name")
    path = Path(text).expanduser()
    if text.endswith(("/", "\\")) or path.name in ("", ".", ".."):
        raise ReportError("report-is-folder", text=_shown(text), example=str(path / "report.html"))
    folder = path.parent if str(path.parent) else Path(".")
    _check_name(path.name, folder)  # before asking the file system anything about the path
    if _lstat(path) is not None and path.is_dir() and not path.is_symlink():
        raise ReportError("report-is-folder", text=_shown(text), example=str(path / "report.html"))
    return report_place_in(folder, path.name)


def report_place_in(folder: Path, name: str) -> ReportPlace:
    """A name typed for a folder (the wizard's export page); raises ReportError.

    The name is kept as typed where the system accepts it; a new name without any
    suffix gets ``.html`` (said in ``notices``) so that it opens in a browser. Everything
    that can be known before the run is checked here: the folder takes a file (a trial
    write, free space), neither target is a link, a folder, a device or read-only.
    """
    if not name.strip():
        raise ReportError("report-needs-name")
    _check_name(name, folder)
    if not folder.is_dir():
        raise ReportError("report-no-folder", folder=str(folder))
    notices: list[UserError] = []
    if _split_suffix(name) is None and _lstat(folder / name) is None:
        name = f"{name}.html"
        notices.append(UserError("report-suffix-added", name=name))
        _check_name(name, folder)
    json_name = _json_name(name)
    if json_name == name:
        raise ReportError("report-name-is-json", name=_shown(name), example=_shown(name[: -len(".json")] + ".html"))
    _check_name(json_name, folder)
    real = folder.resolve()
    for target in (real / name, real / json_name):
        _check_target(target)
    _trial_write(real)
    return ReportPlace(real, name, json_name, tuple(notices))


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReportError("report-write-failed", folder=str(path.parent), detail=exc.strerror or str(exc)) from None


def _split_suffix(name: str) -> tuple[str, str] | None:
    """``report.txt`` -> (``report``, ``txt``); None for ``report``, ``ticket 4.2`` or ``.profile``."""
    match = re.fullmatch(r"(.*[^.])\.([A-Za-z][A-Za-z0-9]{0,9})", name)
    return (match.group(1), match.group(2)) if match else None


def _check_target(target: Path) -> None:
    """An existing file at the target is replaced only when it is a plain, writable file."""
    info = _lstat(target)
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise ReportError("report-is-link", name=_shown(str(target)), target=_shown(os.readlink(target)))
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device or special file"
        raise ReportError("report-not-file", name=_shown(str(target)), kind=kind)
    if not info.st_mode & stat.S_IWUSR:
        raise ReportError("report-read-only", name=_shown(str(target)))


def _trial_write(folder: Path) -> None:
    """Create, write, sync and remove a temporary file: the folder takes the report now."""
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        usage = None  # no figure (some network shares): the trial write tells
    # /proc and /sys report no blocks at all: the trial write says what is wrong there.
    if usage is not None and usage.total > 0 and usage.free < MIN_FREE_BYTES:
        raise ReportError("report-disk-full", folder=str(folder))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            stream.write(b"\0" * TRIAL_BYTES)
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        raise _write_error(exc, folder) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _write_error(exc: OSError, folder: Path) -> ReportError:
    if exc.errno == errno.EROFS:
        return ReportError("report-read-only-folder", folder=str(folder))
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return ReportError("report-disk-full", folder=str(folder))
    if isinstance(exc, PermissionError):
        return ReportError("report-no-permission", folder=str(folder))
    return ReportError("report-write-failed", folder=str(folder), detail=exc.strerror or str(exc))


# --- writing the pair --------------------------------------------------------------------------


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """One export at a time per folder (other processes too): two exports to one name never mix.

    The lock file is removed afterwards; a waiter that locked a file already removed retries.
    """
    path = folder / f"{TEMPORARY_PREFIX}lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise _write_error(exc, folder) from None
        try:
            if _try_lock(fd):
                try:
                    if os.fstat(fd).st_ino == os.stat(path).st_ino:
                        break
                except FileNotFoundError:
                    pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        if time.monotonic() > deadline:
            raise ReportError("report-busy", folder=str(folder), seconds=f"{LOCK_WAIT_SECONDS:g}")
        time.sleep(0.02)
    try:
        yield
    finally:
        if os.name != "nt":
            with contextlib.suppress(OSError):
                os.unlink(path)
        os.close(fd)  # releases the lock
        if os.name == "nt":
            with contextlib.suppress(OSError):
                os.unlink(path)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _temporary(folder: Path, text: str | Callable[[TextIO], None], mode: int) -> str:
    """The text (or what a writer writes) in a new temporary file of the folder, synced; returns its path."""
    handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); a report is an ordinary document (or keeps its mode).
        os.chmod(temporary, mode)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            if isinstance(text, str):
                stream.write(text)
            else:
                text(stream)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _replace_all(pairs: list[tuple[str, Path]]) -> None:
    """Rename every temporary onto its target; on any failure put every target back as it was."""
    backups: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for temporary, target in pairs:
            if target.exists():
                backup = target.with_name(f"{TEMPORARY_PREFIX}{os.urandom(6).hex()}.old")
                try:
                    os.link(target, backup)  # the old file stays in place meanwhile
                except OSError:  # no hard links (FAT, some shares): move it aside instead
                    os.replace(target, backup)
                backups.append((backup, target))
            os.replace(temporary, target)
            placed.append(target)
    except BaseException:
        restored = {target for _backup, target in backups}
        for target in placed:
            if target not in restored:
                with contextlib.suppress(OSError):
                    os.unlink(target)
        for backup, target in reversed(backups):
            with contextlib.suppress(OSError):
                if target.exists() and os.path.samefile(backup, target):
                    os.unlink(backup)  # the target is still the old file: drop the extra hard link
                else:
                    os.replace(backup, target)
        raise
    for backup, _target in backups:
        with contextlib.suppress(OSError):
            os.unlink(backup)


def write_pair(place: ReportPlace, html: str, json_text: str) -> tuple[Path, Path]:
    """Write the HTML and the JSON as a pair: both or neither; raises ReportError.

    Both go to temporary files first; then, under the folder's lock and with SIGTERM held
    back, both are renamed into place. A failure at any step leaves both old files as
    they were and no temporary file behind (a SIGTERM meanwhile included).
    """
    write_files(place.folder, [(place.html_path, html), (place.json_path, json_text)])
    return place.html_path, place.json_path


def write_files(folder: Path, files: list[tuple[Path, str | Callable[[TextIO], None]]]) -> None:
    """Write files of one folder together (``write_pair``'s rules: all or none); raises ReportError.
    A file's content is its text, or a writer that writes it to the stream (``merge``'s large site)."""
    temporaries: list[str] = []
    try:
        with _folder_lock(folder):
            for target, _text in files:
                _check_target(target)  # again: the folder may have changed during the run
            for target, text in files:
                temporaries.append(_temporary(folder, text, _mode_for(target)))
            with termination.deferred():
                _replace_all(list(zip(temporaries, (target for target, _text in files), strict=True)))
            temporaries.clear()
    except ReportError:
        raise
    except UnicodeEncodeError as exc:  # text that cannot be encoded: nothing was replaced
        raise ReportError("report-not-encodable", detail=str(exc)) from None
    except OSError as exc:
        raise _write_error(exc, folder) from None
    finally:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def file_place(text: str) -> Path:
    """One output file's place (``merge --json``, ``--csv``), checked as the report's is, the name
    kept exactly as typed; raises ReportError."""
    if not text.strip():
        raise ReportError("report-needs-name")
    path = Path(text).expanduser()
    if text.endswith(("/", "\\")) or path.name in ("", ".", ".."):
        raise ReportError("report-is-folder", text=_shown(text), example=str(path / "site.json"))
    folder = path.parent if str(path.parent) else Path(".")
    _check_name(path.name, folder)
    if not folder.is_dir():
        raise ReportError("report-no-folder", folder=str(folder))
    real = folder.resolve()
    _check_target(real / path.name)
    _trial_write(real)
    return real / path.name


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
