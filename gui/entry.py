"""The `sep-port-doctor` command: the GUI with no arguments, the CLI otherwise.

Qt is imported only when the window is wanted, so `ports` and `check` start fast.

Importing this module starts the program (the installed command, ``python -m sep_port_doctor.gui``
and the frozen launcher import it for nothing else): its first lines hold Ctrl+C, so that an
interrupt while the program is still importing (tens of milliseconds; over 100 on a busy PC)
ends in the run's "interrupted" line and exit 130, not in Python's traceback from the
middle of an import. The command line releases it as soon as it knows the run's language.
"""

from __future__ import annotations

# The interpreter's own signal module, loaded before any code of ours runs: `signal` would first
# build its enums, a millisecond inside the very window this closes.
import _signal  # type: ignore[import-not-found]  # (typeshed has no stub: the same functions as signal)


class _HeldInterrupt:
    """Ctrl+C remembered, not raised, until ``release``; a start that was asked to ignore Ctrl+C
    (a background job's SIGINT is ignored) keeps ignoring it."""

    def __init__(self) -> None:
        self.pending = False
        self.previous = _signal.getsignal(_signal.SIGINT)
        if self.previous is _signal.default_int_handler:
            _signal.signal(_signal.SIGINT, self._remember)

    def _remember(self, _signum: int, _frame: FrameType | None) -> None:
        self.pending = True

    def release(self) -> None:
        """Python's Ctrl+C again; one that came while held is raised now, where the program says it."""
        if _signal.getsignal(_signal.SIGINT) == self._remember:
            _signal.signal(_signal.SIGINT, self.previous)
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


_held_interrupt = _HeldInterrupt()

import sys  # noqa: E402 - after Ctrl+C is held
from collections.abc import Sequence  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    import argparse
    from types import FrameType


def _run_gui(args: argparse.Namespace) -> int:
    from sep_port_doctor.gui.app import run_gui

    return run_gui(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Without ``argv`` this is the program itself (the installed command, ``python -m sep_port_doctor.gui``, the
    frozen launcher): a command other than the window ends the process when done."""
    from sep_port_doctor.core.cli import main as cli_main

    return cli_main(argv, gui_runner=_run_gui, process=argv is None, release_interrupt=_held_interrupt.release)


if __name__ == "__main__":
    sys.exit(main())
