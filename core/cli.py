"""The command line: ``ports``, ``check``, ``simulate``; ``gui`` is handed to the GUI layer.

Exit codes are in core/exit_codes.py. No traceback reaches a user: an unexpected error
is written to the log file (core/logs.py) and the user gets one line naming it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from core import exit_codes, termination
from core.catalog import Catalog, CatalogError, Lang, PortEntry, configurable_code, label, load_catalog
from core.console import configure_streams, write_json
from core.errors import UserError
from core.i18n import FALLBACK_LANG, languages, load_messages, system_lang
from core.i18n import say as say_message
from core.logs import setup_logging
from core.search import entry_matches, query_terms
from core.untrusted import strip_credentials, terminal_safe
from core.versions import SepVersion, VersionError, parse_version

PROG = "sep-port-doctor"

log = logging.getLogger(__name__)

GuiRunner = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad input: one line for the user, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _refuse_double_dash_values(argv: Sequence[str]) -> None:
    """argparse drops a value of ``--`` (``--manager=--`` arrives as an empty list): say so instead."""
    for arg in argv:
        option, equals, value = arg.partition("=")
        if option.startswith("--") and equals and value == "--":
            raise UsageError(UserError("option-double-dash", option=option).message(system_lang()))


def _lang_arg(value: str) -> Lang:
    if value not in languages():
        raise argparse.ArgumentTypeError(f"--lang takes {' or '.join(languages())}, not {value!r}")
    return value


def _version_arg(value: str) -> SepVersion:
    try:
        return parse_version(value)
    except VersionError as exc:
        raise argparse.ArgumentTypeError(exc.message(system_lang())) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Troubleshoot Symantec Endpoint Protection ports.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    ports = sub.add_parser("ports", help="the port reference")
    ports.add_argument("--version", type=_version_arg, help="SEP version, e.g. '14.3 RU1'")
    ports.add_argument("--search", default="", help="terms that must all match, either language")
    ports.add_argument("--lang", type=_lang_arg, help="ja or en (default: the system's)")
    ports.add_argument("--json", action="store_true", help="print a JSON array")

    from core import check_command  # the probe engine's command line lives beside the engine

    check_command.add_check_parser(sub)
    check_command.add_simulate_parser(sub)
    from core import merge_command, push_command

    push_command.add_push_parser(sub)
    merge_command.add_merge_parser(sub)

    gui = sub.add_parser("gui", help="open the window (the default with no arguments)")
    gui.add_argument("--manager", default=None, help="prefill the manager's host")
    gui.add_argument("--version", dest="sep_version", default=None, help="prefill the SEP version")
    gui.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL")
    gui.add_argument("--role", default=None, choices=("client", "console", "manager"))
    gui.add_argument("--notes", default=None, help="note or ticket number for the report")
    gui.add_argument("--lang", type=_lang_arg, default=None)
    gui.add_argument("--run", action="store_true", help="run the diagnosis at once")
    gui.add_argument("--report", default=None, metavar="FILE", help="write the HTML report there")
    gui.add_argument("--quit", action="store_true", help="quit when done (or after the first paint)")
    gui.add_argument("--page", default=None, choices=("reference", "wizard"), help="page to open")
    return parser


# --- ports ----------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def entry_json(entry: PortEntry, lang: Lang, version: SepVersion | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "protocol": entry.protocol,
        "port": entry.port,
        "purpose": entry.purpose.get(lang),
        "processes": [p.name for p in entry.processes_for(version)],
        "process_details": [
            {"name": p.name, "versions": p.versions.text, "note": p.note.get(lang) if p.note else None}
            for p in entry.processes
        ],
        "initiator": entry.initiator.get(lang),
        "direction": entry.direction,
        "listener": entry.listener,
        "localhost_only": entry.localhost_only,
        "configurable": entry.configurable,
        "versions": entry.versions_text.get(lang),
        "version_rule": entry.versions.text,
        "notes": [n.get(lang) for n in entry.notes],
        "guidance": list(entry.guidance),
    }
    if version is not None:
        item["applies"] = entry.applies_to(version)
        item["reason"] = None if item["applies"] else entry.versions_text.get(lang)
    return item


def render_ports_table(entries: Sequence[PortEntry], lang: Lang, version: SepVersion | None) -> str:
    head = [
        say_message(f"ports.head-{column}", lang)
        for column in ("port", "direction", "process", "change", "versions", "applies", "purpose")
    ]
    rows = []
    for e in entries:
        procs = ", ".join(p.name for p in e.processes_for(version)) or "-"
        applies = ""
        if version is not None:
            applies = label("word", "applies" if e.applies_to(version) else "not_applies", lang)
        rows.append(
            [
                e.label,
                label("direction", e.direction, lang),
                procs,
                label("configurable", configurable_code(e), lang),
                e.versions_text.get(lang),
                applies,
                e.purpose.get(lang),
            ]
        )
    keep = [i for i in range(len(head)) if i != 5 or version is not None]
    widths = {i: max(_width(head[i]), *(_width(r[i]) for r in rows)) if rows else _width(head[i]) for i in keep}
    lines = []
    for row in [head, *rows]:
        cells = [row[i] if i == keep[-1] else _pad(row[i], widths[i]) for i in keep]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run_ports(args: argparse.Namespace, catalog: Catalog, out: TextIO) -> int:
    lang: Lang = args.lang or system_lang()
    terms = query_terms(args.search or "")
    entries = [e for e in catalog.entries if entry_matches(e, terms, catalog.guidance)]
    if args.json:
        write_json(out, [entry_json(e, lang, args.version) for e in entries])
        return exit_codes.OK
    if args.version is not None:
        out.write(f"SEP {args.version.describe(lang)}\n")
    out.write(render_ports_table(entries, lang, args.version) + "\n")
    if not entries:
        out.write(say_message("ports.no-match", lang) + "\n")
    return exit_codes.OK


# --- entry point ----------------------------------------------------------------------


class OutputClosed(Exception):
    """The reader of stdout went away (``check ... | head -1``): end quietly."""


def say(line: str) -> None:
    """One line on stderr; a closed stderr is not worth a traceback either."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(terminal_safe(strip_credentials(line)), file=sys.stderr)


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


def is_output_closed(exc: BaseException) -> bool:
    """A write to a pipe whose reader is gone (EPIPE; EINVAL on Windows)."""
    if isinstance(exc, OutputClosed | BrokenPipeError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.EINVAL) and exc.filename is None


def main(argv: Sequence[str] | None = None, gui_runner: GuiRunner | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    configure_streams()
    log_path = setup_logging()
    termination.install()
    lang: Lang = FALLBACK_LANG
    try:
        load_messages()  # a broken words file: one line naming it (in English: no words can be trusted)
        lang = system_lang()
        parser = build_parser()
        if not argv:
            argv = ["gui"]
        _refuse_double_dash_values(argv)
        args = parser.parse_args(argv)
        lang = getattr(args, "lang", None) or lang
        if args.command is None:
            raise UsageError("give a command: ports, check, push, simulate, merge or gui")
        if args.command == "gui":
            if gui_runner is None:
                raise UsageError("the GUI is not available in this build")
            return gui_runner(args)
        catalog = load_catalog()
        if args.command == "ports":
            return run_ports(args, catalog, sys.stdout)
        if args.command == "merge":
            from core import merge_command

            return merge_command.run(args, catalog)
        if args.command == "push":
            from core import push_command

            return push_command.run(args, catalog)
        from core import check_command

        return check_command.run(args, catalog)
    except UsageError as exc:
        say(f"{PROG}: error: {exc}")
        return exit_codes.USAGE
    except CatalogError as exc:
        say(f"{PROG}: broken data file: {exc}")
        return exit_codes.USAGE
    except BaseException as exc:  # the last line of defence: never a traceback for the user
        return _unexpected(exc, lang, log_path)


def _unexpected(exc: BaseException, lang: Lang, log_path: Path | None) -> int:
    leaves = _leaves(exc)
    if any(isinstance(leaf, KeyboardInterrupt) for leaf in leaves):
        say(f"{PROG}: {label('cli', 'interrupted', lang)}")
        return exit_codes.INTERRUPTED
    if any(isinstance(leaf, termination.Terminated) for leaf in leaves):
        say(f"{PROG}: {label('cli', 'terminated', lang)}")
        return exit_codes.TERMINATED
    if all(is_output_closed(leaf) for leaf in leaves):
        _silence_stdout()
        return exit_codes.OUTPUT_CLOSED
    if isinstance(exc, SystemExit) and isinstance(exc.code, int):
        return exc.code
    log.error("unexpected error", exc_info=exc)
    first = next((leaf for leaf in leaves if not is_output_closed(leaf)), exc)
    what = f"{first.__class__.__name__}: {str(first)[:200]}".rstrip(": ")
    place = str(log_path) if log_path is not None else label("cli", "no-log", lang)
    say(f"{PROG}: {label('cli', 'unexpected', lang).format(what=what, log=place)}")
    return exit_codes.SOFTWARE
