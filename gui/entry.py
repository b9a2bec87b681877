"""The `sep-port-doctor` command: the GUI with no arguments, the CLI otherwise.

Qt is imported only when the window is wanted, so `ports` and `check` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _run_gui(args: argparse.Namespace) -> int:
    from sep_port_doctor.gui.app import run_gui

    return run_gui(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Without ``argv`` this is the program itself (the installed command, ``python -m sep_port_doctor.gui``, the
    frozen launcher): a command other than the window ends the process when done."""
    from sep_port_doctor.core.cli import main as cli_main

    return cli_main(argv, gui_runner=_run_gui, process=argv is None)


if __name__ == "__main__":
    sys.exit(main())
