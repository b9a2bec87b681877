"""The command line's grammar: every command's arguments and how a value is checked.

Apart from the commands themselves (``core.*_command``) so that parsing loads no probe
engine, report or merge code: ``ports`` then starts without them, and each command
module imports only what its own work needs.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Sequence
from typing import Any, NoReturn

from core.catalog import Catalog
from core.errors import UserError
from core.hosts import Host, HostError, parse_host
from core.i18n import Lang, languages, system_lang
from core.plan import PlanError, Role, parse_overrides
from core.report_files import ReportError, ReportPlace, report_place
from core.simulator_profiles import profile_names
from core.versions import SepVersion, VersionError, parse_version

PROG = "sep-port-doctor"

MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 60.0
MIN_DURATION, MAX_DURATION = 0.1, 7 * 24 * 3600.0
_SECONDS_RE = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class UsageError(Exception):
    """Bad input: one line for the user, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def refuse_double_dash_values(argv: Sequence[str]) -> None:
    """argparse drops a value of ``--`` (``--manager=--`` arrives as an empty list): say so instead."""
    for arg in argv:
        option, equals, value = arg.partition("=")
        if option.startswith("--") and equals and value == "--":
            raise UsageError(UserError("option-double-dash", option=option).message(system_lang(), command_line=True))


def lang_arg(value: str) -> Lang:
    if value not in languages():
        raise argparse.ArgumentTypeError(f"--lang takes {' or '.join(languages())}, not {value!r}")
    return value


def version_arg(value: str) -> SepVersion:
    try:
        return parse_version(value)
    except VersionError as exc:
        raise argparse.ArgumentTypeError(exc.message(system_lang(), command_line=True)) from None


def seconds(value: str, option: str, low: float, high: float) -> float:
    """Seconds as people write them: ``2``, ``0.5``, full-width digits too (U+FF12); raises ArgumentTypeError.

    Not ``nan``, ``inf``, ``1e3``, ``1_0`` or ``-1``, which ``float()`` would take.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if text.startswith("-") and _SECONDS_RE.fullmatch(text[1:]):
        raise argparse.ArgumentTypeError(f"{option} must be between {low:g} and {high:g} seconds")
    if not _SECONDS_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{option} takes seconds, like 2 or 0.5, not {value[:20]!r}")
    number = float(text)
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(f"{option} must be between {low:g} and {high:g} seconds")
    return number


def timeout_arg(value: str) -> float:
    return seconds(value, "--timeout", MIN_TIMEOUT, MAX_TIMEOUT)


def duration_arg(value: str) -> float:
    return seconds(value, "--duration", MIN_DURATION, MAX_DURATION)


def host_option(value: str | None, option: str) -> Host | None:
    """A host named by an option (``--manager``, ``--gup``...); raises UsageError."""
    if value is None:
        return None
    try:
        return parse_host(value)
    except HostError as exc:
        raise UsageError(f"{option}: {exc.message(system_lang(), command_line=True)}") from None


def port_overrides(texts: list[str], catalog: Catalog) -> dict[int, int]:
    """``--port DEFAULT=ACTUAL`` options; raises UsageError."""
    try:
        return parse_overrides(texts, catalog)
    except PlanError as exc:
        raise UsageError(f"--port: {exc.message(system_lang(), command_line=True)}") from None


def report_place_arg(text: str, lang: Lang) -> ReportPlace:
    """``--report FILE``, checked before any packet leaves; raises UsageError."""
    try:
        return report_place(text)
    except ReportError as exc:
        raise UsageError(f"--report: {exc.message(lang)}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Troubleshoot Symantec Endpoint Protection ports.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_ports(sub)
    _add_check(sub)
    _add_simulate(sub)
    _add_push(sub)
    _add_merge(sub)
    _add_gui(sub)
    return parser


def _add_ports(sub: Any) -> None:
    ports = sub.add_parser("ports", help="the port reference")
    ports.add_argument("--version", type=version_arg, help="SEP version, e.g. '14.3 RU1'")
    ports.add_argument("--search", default="", help="terms that must all match, either language")
    ports.add_argument("--lang", type=lang_arg, help="ja or en (default: the system's)")
    ports.add_argument("--json", action="store_true", help="print a JSON array")


def _add_check(sub: Any) -> None:
    check = sub.add_parser("check", help="probe the manager's ports and explain what is wrong")
    check.add_argument("--manager", required=True, help="the manager's host name or IP address")
    check.add_argument("--version", required=True, type=version_arg, help="SEP version, e.g. '14.3 RU1'")
    check.add_argument("--role", default="client", choices=[r.value for r in Role], help="where this runs")
    check.add_argument("--gup", default=None, metavar="HOST", help="a Group Update Provider to check (TCP 2967)")
    check.add_argument("--sql", default=None, metavar="HOST", help="the remote SQL Server (role manager)")
    check.add_argument("--syslog", default=None, metavar="HOST", help="the syslog server (role manager)")
    check.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL", help="the site moved a port")
    check.add_argument("--all-ports", action="store_true", help="probe every catalogue port on the manager host")
    check.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="HOST:PORT[/udp]",
        help="also probe a port outside the catalogue",
    )
    check.add_argument("--local-gup", action="store_true", help="this PC is a Group Update Provider (check 2967 here)")
    check.add_argument("--timeout", type=timeout_arg, default=None, help="longest wait per attempt, 0.1-60 s")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--report", default=None, metavar="FILE", help="write the HTML report there (and FILE's .json)")
    check.add_argument("--lang", type=lang_arg, default=None, help="ja or en")


def _add_simulate(sub: Any) -> None:
    simulate = sub.add_parser("simulate", help="serve a simulated SEP Manager on loopback")
    simulate.add_argument("--bind", default="127.0.0.1", help="address to listen on (loopback by default)")
    simulate.add_argument("--profile", default="healthy", choices=profile_names(), help="faults to simulate")
    simulate.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL", help="listen elsewhere")
    simulate.add_argument("--free-ports", action="store_true", help="listen on free high ports instead of the defaults")
    simulate.add_argument("--duration", type=duration_arg, default=None, help="stop after this many seconds")
    simulate.add_argument("--lang", type=lang_arg, default=None, help="ja or en")


def _add_push(sub: Any) -> None:
    push = sub.add_parser("push", help="from the manager: are these client PCs ready for push deployment?")
    push.add_argument("targets", nargs="*", metavar="TARGET", help="PC names, IP addresses, IPv4 CIDR blocks")
    push.add_argument("--targets", dest="targets_file", default=None, metavar="FILE", help="one target per line")
    push.add_argument("--mac", action="store_true", help="the targets include Macs: check TCP 22 too")
    push.add_argument("--timeout", type=timeout_arg, default=None, help="longest wait per attempt, 0.1-60 s")
    push.add_argument("--json", action="store_true", help="print one JSON object")
    push.add_argument("--report", default=None, metavar="FILE", help="write the HTML report there (and FILE's .json)")
    push.add_argument("--lang", type=lang_arg, default=None, help="ja or en")


def _add_merge(sub: Any) -> None:
    merge = sub.add_parser("merge", help="one site report from many runs' JSON files")
    merge.add_argument(
        "inputs", nargs="+", metavar="FILE.json|DIR", help="check --json, window or push --json files; folders"
    )
    merge.add_argument("--report", default=None, metavar="FILE", help="write the site's HTML report there")
    merge.add_argument("--json", dest="json_out", default=None, metavar="FILE", help="write the site as JSON there")
    merge.add_argument("--csv", default=None, metavar="FILE", help="one row per PC, for Excel (UTF-8 with BOM)")
    merge.add_argument("--subnet", action="append", default=[], metavar="CIDR", help="a real subnet of the site")
    merge.add_argument("--lang", type=lang_arg, default=None, help="ja or en")


def _add_gui(sub: Any) -> None:
    gui = sub.add_parser("gui", help="open the window (the default with no arguments)")
    gui.add_argument("--manager", default=None, help="prefill the manager's host")
    gui.add_argument("--version", dest="sep_version", default=None, help="prefill the SEP version")
    gui.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL")
    gui.add_argument("--role", default=None, choices=("client", "console", "manager"))
    gui.add_argument("--notes", default=None, help="note or ticket number for the report")
    gui.add_argument("--lang", type=lang_arg, default=None)
    gui.add_argument("--run", action="store_true", help="run the diagnosis at once")
    gui.add_argument("--report", default=None, metavar="FILE", help="write the HTML report there")
    gui.add_argument("--quit", action="store_true", help="quit when done (or after the first paint)")
    gui.add_argument("--page", default=None, choices=("reference", "wizard"), help="page to open")
