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

import asyncio
import signal
import sys

import pytest

from sep_port_doctor.core.i18n import say
from tests.helpers.command import ROOT, command, spawned
from tests.helpers.hang import HANG_GUARD_S

MOMENTS_S = [ms / 1000 for ms in range(0, 301, 25)]  # 13 moments


def _before_the_program(code: int | None, err: str) -> bool:
    """What Python leaves when Ctrl+C comes before gui/entry.py's first line (see the module's text)."""
    lines = err.strip().splitlines()
    return (
        code in (-signal.SIGINT, 1)
        and (lines == [] or lines[-1] == "KeyboardInterrupt")
        and str(ROOT / "gui" / "entry.py") not in err
        and str(ROOT / "core") not in err
    )


# Python itself now and then loses a Ctrl+C that comes while it is still starting: the interpreter runs on
# as if none had come (3 of some 700 tries at 25-46 ms, under load; each time, an instrumented run showed it
# sent 5-24 ms before gui/entry.py's first line, with nothing held there). A person then presses Ctrl+C
# again; so does the test, and that one must end in the line and 130 as any other. Later moments get no
# second chance.
PYTHON_START_S = 0.1
HEEDED_S = 10.0  # a heeded Ctrl+C ends the program in well under a second even on a loaded machine


async def _interrupted_at(program: list[str], lang: str, delay: float) -> tuple[int | None, str]:
    argv = [*program, "simulate", "--free-ports", "--lang", lang]
    async with spawned(*argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) as process:
        await asyncio.sleep(delay)
        process.send_signal(signal.SIGINT)
        ended = asyncio.ensure_future(process.communicate())
        done, _ = await asyncio.wait([ended], timeout=HEEDED_S)
        if not done:
            assert delay < PYTHON_START_S, f"Ctrl+C at {delay * 1000:.0f} ms not heeded in {HEEDED_S:.0f} s"
            process.send_signal(signal.SIGINT)  # pressed again
        _out, err = await asyncio.wait_for(ended, HANG_GUARD_S)
        return process.returncode, err.decode()


@pytest.mark.parametrize(
    ("form", "lang"), [("command", "en"), ("command", "ja"), ("module", "ja")], ids=["command-en", "command-ja", "m-ja"]
)
def test_ctrl_c_at_any_moment_from_the_start_is_one_line_and_exit_130(form: str, lang: str) -> None:
    program = command() if form == "command" else [sys.executable, "-m", "sep_port_doctor.gui"]
    line = f"sep-port-doctor: {say('cli.interrupted', lang)}"

    async def scenario() -> list[tuple[float, int | None, str]]:
        return [(delay, *await _interrupted_at(program, lang, delay)) for delay in MOMENTS_S]

    outcomes = asyncio.run(scenario())
    said = 0
    for delay, code, err in outcomes:
        if _before_the_program(code, err):
            continue
        assert "Traceback" not in err, f"at {delay * 1000:.0f} ms: {err}"
        assert (code, err.strip().splitlines()) == (130, [line]), f"at {delay * 1000:.0f} ms"
        said += 1
    # Python's own start is a few of the first moments; the rest of the 300 ms is the program's.
    assert said > len(MOMENTS_S) // 2, outcomes
