"""The command line: ``ports``, ``check``, ``simulate``; ``gui`` is handed to the GUI layer.

Exit codes: 0 nothing wrong, 1 problems found, 2 bad input (one line on stderr).
No traceback reaches a user: unexpected errors are logged and summarised.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from core.catalog import Catalog, CatalogError, Lang, PortEntry, configurable_code, label, load_catalog
from core.i18n import system_lang
from core.search import entry_matches, query_terms
from core.versions import SepVersion, VersionError, parse_version

PROG = "sep-port-doctor"
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

log = logging.getLogger(__name__)

GuiRunner = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad input: one line for the user, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _lang_arg(value: str) -> Lang:
    if value not in ("ja", "en"):
        raise argparse.ArgumentTypeError(f"--lang takes ja or en, not {value!r}")
    return value  # type: ignore[return-value]


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
    head = {
        "ja": ["ポート", "方向", "応答準備プロセス", "変更", "バージョン", "対象", "用途"],
        "en": ["PORT", "DIRECTION", "PROCESS", "CHANGE", "VERSIONS", "APPLIES", "PURPOSE"],
    }[lang]
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
    entries = [e for e in catalog.entries if entry_matches(e, terms)]
    if args.json:
        json.dump([entry_json(e, lang, args.version) for e in entries], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return EXIT_OK
    if args.version is not None:
        out.write(f"SEP {args.version.describe()}\n")
    out.write(render_ports_table(entries, lang, args.version) + "\n")
    if not entries:
        out.write({"ja": "一致するポートはありません。\n", "en": "No port matches.\n"}[lang])
    return EXIT_OK


# --- entry point ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, gui_runner: GuiRunner | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        if not argv:
            argv = ["gui"]
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError("give a command: ports, check, simulate or gui")
        if args.command == "gui":
            if gui_runner is None:
                raise UsageError("the GUI is not available in this build")
            return gui_runner(args)
        catalog = load_catalog()
        if args.command == "ports":
            return run_ports(args, catalog, sys.stdout)
        from core import check_command

        return check_command.run(args, catalog)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogError as exc:
        print(f"{PROG}: broken data file: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for the user
        log.exception("unexpected error")
        print(f"{PROG}: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 70
