"""How the user started this program, so that a command it prints can be pasted as is.

``simulate`` prints the ``check`` command that demonstrates its profile; that command
must start the program the way the user did: ``./dev start``, the installed
``sep-port-doctor`` (by name when the shell finds it by name), ``python -m sep_port_doctor.gui``, or the
frozen ``sep-port-doctor.exe`` where it lies. Words are quoted for the shell of the
platform (POSIX shells; ``cmd.exe`` and PowerShell on Windows).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

DEV_SCRIPT_ENV = "SEP_PORT_DOCTOR_DEV_SCRIPT"
"""Set by ``./dev start`` to the path the user typed for ``dev`` (``./dev``, ``../sep/dev``)."""

_PLAIN_POSIX = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_PLAIN_WINDOWS = re.compile(r"[A-Za-z0-9_@%+=:,./\\-]+")


def quote(word: str, windows: bool | None = None) -> str:
    """One word for the shell: bare when safe, else in double quotes where that is exact."""
    windows = sys.platform == "win32" if windows is None else windows
    if windows:
        if _PLAIN_WINDOWS.fullmatch(word):
            return word
        # cmd.exe and PowerShell both take "..." as one argument; a " inside is \" for the program.
        return '"' + word.replace('"', '\\"') + '"'
    if _PLAIN_POSIX.fullmatch(word):
        return word
    if not set(word) & set('"$`\\!'):
        return f'"{word}"'  # easier to read than shlex's single quotes, and the same word
    return shlex.quote(word)


def command_line(argv: Sequence[str], windows: bool | None = None) -> str:
    return " ".join(quote(word, windows) for word in argv)


def _shown_path(path: str) -> str:
    """A program's path as the user can type it: its bare name when the shell finds this
    same file by that name, else the path as it was given (relative paths stay relative)."""
    name = Path(path).name
    found = shutil.which(name)
    if found:
        try:
            if os.path.samefile(found, path):
                return name
        except OSError:
            pass
    if sys.platform == "win32" and not Path(path).is_absolute() and not path.startswith((".\\", "./")):
        return ".\\" + path  # PowerShell does not look in the current folder for a bare name
    return path


def program_argv(
    *,
    environ: Mapping[str, str] | None = None,
    argv: Sequence[str] | None = None,
    orig_argv: Sequence[str] | None = None,
    frozen: bool | None = None,
) -> list[str]:
    """The words that start this program as the user started it (without the command)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    orig_argv = getattr(sys, "orig_argv", argv) if orig_argv is None else orig_argv
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    program = argv[0] if argv and argv[0] else "sep-port-doctor"
    if frozen:
        return [_shown_path(program)]
    dev_script = environ.get(DEV_SCRIPT_ENV, "").strip()
    if dev_script:
        return [dev_script if ("/" in dev_script or "\\" in dev_script) else f"./{dev_script}", "start"]
    if program.endswith(".py"):
        # python -m sep_port_doctor.gui ...: the interpreter as typed (by name when on the PATH), its options, the module
        words = list(orig_argv[: len(orig_argv) - len(argv) + 1]) or [sys.executable, "-m", "sep_port_doctor.gui"]
        return [_shown_path(words[0]), *words[1:]]
    return [_shown_path(program)]
