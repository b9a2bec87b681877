"""The command line: ``ports``, ``check``, ``push``, ``simulate``, ``merge``; ``gui`` is handed to the GUI layer.

The arguments are parsed by ``core.cli_args``; each command lives in its own module,
imported only when that command runs, so that ``ports`` loads no probe engine and
``check`` no merge or report code it was not asked for. Exit codes are in
core/exit_codes.py. No traceback reaches a user: an unexpected error is written to the
log file (core/logs.py) and the user gets one line naming it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sep_port_doctor.core import exit_codes, termination
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.cli_args import (
    UsageError,
    argparse_speaks,
    build_parser,
    refuse_double_dash_values,
    requested_lang,
)
from sep_port_doctor.core.console import PROG, configure_streams, is_output_closed, stderr_line
from sep_port_doctor.core.i18n import FALLBACK_LANG, CatalogError, Lang, load_messages, say
from sep_port_doctor.core.logs import setup_logging

log = logging.getLogger(__name__)

GuiRunner = Callable[[argparse.Namespace], int]


def _silence_stdout() -> None:
    """After a closed pipe, Python's flush at exit would fail again: point stdout at nothing."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _run_command(args: argparse.Namespace) -> int:
    """The command's own module, imported now: each loads only what its work needs."""
    catalog = load_catalog()
    if args.command == "ports":
        from sep_port_doctor.core import ports_command

        return ports_command.run(args, catalog)
    if args.command == "merge":
        from sep_port_doctor.core import merge_command

        return merge_command.run(args, catalog)
    if args.command == "push":
        from sep_port_doctor.core import push_command

        return push_command.run(args, catalog)
    if args.command == "simulate":
        from sep_port_doctor.core import simulate_command

        return simulate_command.run(args, catalog)
    from sep_port_doctor.core import check_command

    return check_command.run(args, catalog)


def main(
    argv: Sequence[str] | None = None,
    gui_runner: GuiRunner | None = None,
    *,
    process: bool = False,
    release_interrupt: Callable[[], None] | None = None,
) -> int:
    """Run one command; its exit code. ``process``: this call is the whole process (the installed
    command, ``python -m sep_port_doctor.gui``, the frozen launcher), so once a command other than the window
    has finished the process ends at once (``leave``). ``release_interrupt``: Ctrl+C was held while the
    program loaded (gui/entry.py); called once the run's language is known, it raises a held one as
    KeyboardInterrupt, which ends here in the "interrupted" line in that language."""
    code, command = _main(argv, gui_runner, release_interrupt)
    if process and command != "gui":
        leave(code)
    return code


def leave(code: int) -> NoReturn:
    """End the process now: the output flushed and the log closed, then ``os._exit``. The
    interpreter's teardown (freeing every loaded module's objects: 0.1-0.2 s after a ``check``
    on a busy PC, longer than nmap's whole exit) does nothing a finished command needs: no
    thread of a finished command still works, and nothing of ours runs at exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:
            if stream is sys.stdout and is_output_closed(exc):
                code = exit_codes.OUTPUT_CLOSED
    logging.shutdown()
    os._exit(code)


def _main(
    argv: Sequence[str] | None, gui_runner: GuiRunner | None, release_interrupt: Callable[[], None] | None
) -> tuple[int, str | None]:
    """(the exit code, the command that ran, if the arguments named one)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    configure_streams()
    log_path = setup_logging()
    termination.install()
    lang: Lang = FALLBACK_LANG
    command: str | None = None
    try:
        load_messages()  # a broken words file: one line naming it (in English: no words can be trusted)
        if not argv:
            argv = ["gui"]
        lang = requested_lang(argv)  # its help and its errors speak it too
        if release_interrupt is not None:
            release_interrupt()
        refuse_double_dash_values(argv, lang)
        with argparse_speaks(lang):  # argparse names its help's headings when the parser is made
            args = build_parser(lang).parse_args(argv)
        lang = getattr(args, "lang", None) or lang
        if args.command is None:
            raise UsageError(say("cli.no-command", lang))
        command = args.command
        if command == "gui":
            if gui_runner is None:
                raise UsageError(say("cli.no-gui", lang))
            return gui_runner(args), command
        return _run_command(args), command
    except UsageError as exc:
        stderr_line(say("cli.error-line", lang, prog=PROG, message=str(exc)))
        return exit_codes.USAGE, command
    except CatalogError as exc:
        stderr_line(f"{PROG}: broken data file: {exc}")
        return exit_codes.USAGE, command
    except BaseException as exc:  # the last line of defence: never a traceback for the user
        return _unexpected(exc, lang, log_path), command


def _unexpected(exc: BaseException, lang: Lang, log_path: Path | None) -> int:
    leaves = _leaves(exc)
    if any(isinstance(leaf, KeyboardInterrupt) for leaf in leaves):
        stderr_line(f"{PROG}: {say('cli.interrupted', lang)}")
        return exit_codes.INTERRUPTED
    if any(isinstance(leaf, termination.Terminated) for leaf in leaves):
        stderr_line(f"{PROG}: {say('cli.terminated', lang)}")
        return exit_codes.TERMINATED
    if all(is_output_closed(leaf) for leaf in leaves):
        _silence_stdout()
        return exit_codes.OUTPUT_CLOSED
    if isinstance(exc, SystemExit) and isinstance(exc.code, int):
        return exc.code
    log.error("unexpected error", exc_info=exc)
    first = next((leaf for leaf in leaves if not is_output_closed(leaf)), exc)
    what = f"{first.__class__.__name__}: {str(first)[:200]}".rstrip(": ")
    place = str(log_path) if log_path is not None else say("cli.no-log", lang)
    stderr_line(f"{PROG}: {say('cli.unexpected', lang, what=what, log=place)}")
    return exit_codes.SOFTWARE
