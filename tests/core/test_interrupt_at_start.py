"""Ctrl+C at any moment from the process's start: the run's "interrupted" line and exit 130, never a traceback.

The program itself is a real process (the installed command, and ``python -m sep_port_doctor.gui``) running
``simulate`` on loopback (it serves until Ctrl+C, so every moment below finds it still running), sent SIGINT
at moments spread from 0 to 300 ms after it was started. Most of those moments fall while it is still
importing (gui/entry.py holds Ctrl+C from its first lines until the command line knows the run's language).

Before gui/entry.py's first line runs, Python is still starting (the interpreter, its site and its
.pth files, the console script's or runpy's search for the package), and nothing of ours can answer
there: Python answers, by being killed by the signal with nothing written (a shell says 130), or with its
own report of the KeyboardInterrupt (its "Fatal Python error: init_import_site" while site runs). They are
told apart by what that report names: a KeyboardInterrupt raised at or after that line would name
gui/entry.py in its traceback (its module or its main is on the stack), as every one did before Ctrl+C
was held; Python's own names no file of the program past it.
"""

from __future__ import annotations

import signal
import sys

import pytest

from tests.helpers.command import ROOT, command
from tests.helpers.interrupt import assert_each_said_interrupted, interrupted_at_every_moment


def _before_the_program(code: int | None, err: str) -> bool:
    """What Python leaves when Ctrl+C comes before gui/entry.py's first line (see the module's text)."""
    lines = err.strip().splitlines()
    return (
        code in (-signal.SIGINT, 1)
        and (lines == [] or lines[-1] == "KeyboardInterrupt")
        and str(ROOT / "gui" / "entry.py") not in err
        and str(ROOT / "core") not in err
    )


@pytest.mark.parametrize(
    ("form", "lang"), [("command", "en"), ("command", "ja"), ("module", "ja")], ids=["command-en", "command-ja", "m-ja"]
)
def test_ctrl_c_at_any_moment_from_the_start_is_one_line_and_exit_130(form: str, lang: str) -> None:
    program = command() if form == "command" else [sys.executable, "-m", "sep_port_doctor.gui"]
    assert_each_said_interrupted(interrupted_at_every_moment(program, lang), lang, _before_the_program)
