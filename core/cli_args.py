"""The command line's grammar: every command's arguments and how a value is checked.

Apart from the commands themselves (``core.*_command``) so that parsing loads no probe
engine, report or merge code: ``ports`` then starts without them, and each command
module imports only what its own work needs.

Its words are the catalogue's, in the language asked (``--lang``, else the system's): the help
(``[cli-help]``), the errors (``[cli]``, ``[error]``) and argparse's own words (``usage:``,
``the following arguments are required``: ``[argparse]``, see :func:`argparse_speaks`).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.console import PROG
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.hosts import Host, HostError, parse_host
from sep_port_doctor.core.i18n import Lang, languages, say, system_lang
from sep_port_doctor.core.plan import PlanError, Role, parse_overrides
from sep_port_doctor.core.report_files import ReportError, ReportPlace, report_place
from sep_port_doctor.core.simulator_profiles import profile_names
from sep_port_doctor.core.versions import SepVersion, VersionError, parse_version

MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 60.0
MIN_DURATION, MAX_DURATION = 0.1, 7 * 24 * 3600.0
_SECONDS_RE = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class UsageError(Exception):
    """Bad input: one line for the user, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad input as one line and exit code 2, never a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def requested_lang(argv: Sequence[str]) -> Lang:
    """The language the command line is asked to speak before it is parsed (its help and its
    errors are words too): ``--lang xx`` or ``--lang=xx`` where the catalogue has xx, else the system's."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.partition("=")[2]
        if (arg == "--lang" or arg.startswith("--lang=")) and value in languages():
            return value
    return system_lang()


# argparse's own English (the gettext message ids it passes through argparse._ and ngettext),
# by the id of its words in the messages' [argparse].
_ARGPARSE_WORDS = {
    "usage: ": "usage",
    "positional arguments": "positional",
    "options": "options",
    "optional arguments": "optional-arguments",
    "show this help message and exit": "help",
    "subcommands": "subcommands",
    "argument %(argument_name)s: %(message)s": "argument",
    "the following arguments are required: %s": "required",
    "one of the arguments %s is required": "one-required",
    "unrecognized arguments: %s": "unrecognized",
    "not allowed with argument %s": "not-allowed-with",
    "ignored explicit argument %r": "ignored-explicit",
    "expected one argument": "expected-one",
    "expected at most one argument": "expected-at-most-one",
    "expected at least one argument": "expected-at-least-one",
    "expected %s argument": "expected-n-one",
    "expected %s arguments": "expected-n",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous",
    "unexpected option string: %s": "unexpected-option",
    "invalid %(type)s value: %(value)r": "invalid-value",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid-choice",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unknown-parser",
    "can't open '%(filename)s': %(error)s": "cannot-open",
}


@contextlib.contextmanager
def argparse_speaks(lang: Lang) -> Iterator[None]:
    """argparse says its own words (usage, errors, the help's headings) in ``lang`` meanwhile.

    argparse looks its words up through its module's ``_`` and ``ngettext`` (gettext) each time
    it says one; they are pointed at the catalogue for as long as the command line is parsed.
    Words it has that the catalogue lacks (another Python's) stay argparse's English.
    """

    def gettext(text: str) -> str:
        code = _ARGPARSE_WORDS.get(text)
        return say(f"argparse.{code}", lang) if code else text

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = gettext, ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved


def refuse_double_dash_values(argv: Sequence[str], lang: Lang) -> None:
    """argparse drops a value of ``--`` (``--manager=--`` arrives as an empty list): say so instead."""
    for arg in argv:
        option, equals, value = arg.partition("=")
        if option.startswith("--") and equals and value == "--":
            raise UsageError(UserError("option-double-dash", option=option).message(lang, command_line=True))


def _lang_arg(lang: Lang) -> Callable[[str], Lang]:
    def lang_arg(value: str) -> Lang:
        if value not in languages():
            shown = say("word.or-separator", lang).join(languages())
            raise argparse.ArgumentTypeError(say("cli.lang-choice", lang, langs=shown, value=repr(value)))
        return value

    return lang_arg


def _version_arg(lang: Lang) -> Callable[[str], SepVersion]:
    def version_arg(value: str) -> SepVersion:
        try:
            return parse_version(value)
        except VersionError as exc:
            raise argparse.ArgumentTypeError(exc.message(lang, command_line=True)) from None

    return version_arg


def seconds(value: str, option: str, low: float, high: float, lang: Lang) -> float:
    """Seconds as people write them: ``2``, ``0.5``, full-width digits too (U+FF12); raises ArgumentTypeError.

    Not ``nan``, ``inf``, ``1e3``, ``1_0`` or ``-1``, which ``float()`` would take.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    out_of_range = say("cli.seconds-range", lang, option=option, low=f"{low:g}", high=f"{high:g}")
    if text.startswith("-") and _SECONDS_RE.fullmatch(text[1:]):
        raise argparse.ArgumentTypeError(out_of_range)
    if not _SECONDS_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(say("cli.seconds-form", lang, option=option, value=repr(value[:20])))
    number = float(text)
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(out_of_range)
    return number


def _seconds_arg(option: str, low: float, high: float, lang: Lang) -> Callable[[str], float]:
    def seconds_arg(value: str) -> float:
        return seconds(value, option, low, high, lang)

    return seconds_arg


def host_option(value: str | None, option: str, lang: Lang) -> Host | None:
    """A host named by an option (``--manager``, ``--gup``...); raises UsageError."""
    if value is None:
        return None
    try:
        return parse_host(value)
    except HostError as exc:
        raise UsageError(f"{option}: {exc.message(lang, command_line=True)}") from None


def port_overrides(texts: list[str], catalog: Catalog, lang: Lang) -> dict[int, int]:
    """``--port DEFAULT=ACTUAL`` options; raises UsageError."""
    try:
        return parse_overrides(texts, catalog)
    except PlanError as exc:
        raise UsageError(f"--port: {exc.message(lang, command_line=True)}") from None


def report_place_arg(text: str, lang: Lang) -> ReportPlace:
    """``--report FILE``, checked before any packet leaves; raises UsageError."""
    try:
        return report_place(text)
    except ReportError as exc:
        raise UsageError(f"--report: {exc.message(lang)}") from None


def build_parser(lang: Lang) -> argparse.ArgumentParser:
    """The command line's grammar, its help in ``lang``."""

    def helps(code: str, **values: object) -> str:
        return say(f"cli-help.{code}", lang, **values)

    shown = say("word.or-separator", lang).join(languages())
    words = _Words(
        helps=helps,
        lang=_lang_arg(lang),
        lang_help=helps("lang", langs=shown),
        lang_default_help=helps("lang-default", langs=shown),
        version=_version_arg(lang),
        timeout=_seconds_arg("--timeout", MIN_TIMEOUT, MAX_TIMEOUT, lang),
        duration=_seconds_arg("--duration", MIN_DURATION, MAX_DURATION, lang),
    )
    parser = _Parser(prog=PROG, description=helps("description"))
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    _add_ports(sub, words)
    _add_check(sub, words)
    _add_simulate(sub, words)
    _add_push(sub, words)
    _add_merge(sub, words)
    _add_gui(sub, words)
    return parser


class _Words:
    """What the commands' arguments say and check, in the language of this command line."""

    def __init__(
        self,
        *,
        helps: Callable[..., str],
        lang: Callable[[str], Lang],
        lang_help: str,
        lang_default_help: str,
        version: Callable[[str], SepVersion],
        timeout: Callable[[str], float],
        duration: Callable[[str], float],
    ) -> None:
        self.help = helps
        self.lang, self.lang_help, self.lang_default_help = lang, lang_help, lang_default_help
        self.version, self.timeout, self.duration = version, timeout, duration


def _add_ports(sub: Any, w: _Words) -> None:
    ports = sub.add_parser("ports", help=w.help("ports"))
    ports.add_argument("--version", type=w.version, help=w.help("version"))
    ports.add_argument("--search", default="", help=w.help("ports-search"))
    ports.add_argument("--lang", type=w.lang, help=w.lang_default_help)
    ports.add_argument("--json", action="store_true", help=w.help("ports-json"))


def _add_check(sub: Any, w: _Words) -> None:
    check = sub.add_parser("check", help=w.help("check"))
    check.add_argument("--manager", required=True, help=w.help("check-manager"))
    check.add_argument("--version", required=True, type=w.version, help=w.help("version"))
    check.add_argument("--role", default="client", choices=[r.value for r in Role], help=w.help("check-role"))
    check.add_argument("--gup", default=None, metavar="HOST", help=w.help("check-gup"))
    check.add_argument("--sql", default=None, metavar="HOST", help=w.help("check-sql"))
    check.add_argument("--syslog", default=None, metavar="HOST", help=w.help("check-syslog"))
    check.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL", help=w.help("check-port"))
    check.add_argument("--all-ports", action="store_true", help=w.help("check-all-ports"))
    check.add_argument("--extra", action="append", default=[], metavar="HOST:PORT[/udp]", help=w.help("check-extra"))
    check.add_argument("--local-gup", action="store_true", help=w.help("check-local-gup"))
    check.add_argument("--timeout", type=w.timeout, default=None, help=w.help("timeout"))
    check.add_argument("--json", action="store_true", help=w.help("json-object"))
    check.add_argument("--report", default=None, metavar="FILE", help=w.help("report"))
    check.add_argument("--lang", type=w.lang, default=None, help=w.lang_help)


def _add_simulate(sub: Any, w: _Words) -> None:
    simulate = sub.add_parser("simulate", help=w.help("simulate"))
    simulate.add_argument("--bind", default="127.0.0.1", help=w.help("simulate-bind"))
    simulate.add_argument("--profile", default="healthy", choices=profile_names(), help=w.help("simulate-profile"))
    simulate.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL", help=w.help("simulate-port"))
    simulate.add_argument("--free-ports", action="store_true", help=w.help("simulate-free-ports"))
    simulate.add_argument("--duration", type=w.duration, default=None, help=w.help("simulate-duration"))
    simulate.add_argument("--lang", type=w.lang, default=None, help=w.lang_help)


def _add_push(sub: Any, w: _Words) -> None:
    push = sub.add_parser("push", help=w.help("push"))
    push.add_argument("targets", nargs="*", metavar="TARGET", help=w.help("push-targets"))
    push.add_argument("--targets", dest="targets_file", default=None, metavar="FILE", help=w.help("push-targets-file"))
    push.add_argument("--mac", action="store_true", help=w.help("push-mac"))
    push.add_argument("--timeout", type=w.timeout, default=None, help=w.help("timeout"))
    push.add_argument("--json", action="store_true", help=w.help("json-object"))
    push.add_argument("--report", default=None, metavar="FILE", help=w.help("report"))
    push.add_argument("--lang", type=w.lang, default=None, help=w.lang_help)


def _add_merge(sub: Any, w: _Words) -> None:
    merge = sub.add_parser("merge", help=w.help("merge"))
    merge.add_argument("inputs", nargs="+", metavar="FILE.json|DIR", help=w.help("merge-inputs"))
    merge.add_argument("--report", default=None, metavar="FILE", help=w.help("merge-report"))
    merge.add_argument("--json", dest="json_out", default=None, metavar="FILE", help=w.help("merge-json"))
    merge.add_argument("--csv", default=None, metavar="FILE", help=w.help("merge-csv"))
    merge.add_argument("--subnet", action="append", default=[], metavar="CIDR", help=w.help("merge-subnet"))
    merge.add_argument("--lang", type=w.lang, default=None, help=w.lang_help)


def _add_gui(sub: Any, w: _Words) -> None:
    gui = sub.add_parser("gui", help=w.help("gui"))
    gui.add_argument("--manager", default=None, help=w.help("gui-manager"))
    gui.add_argument("--version", dest="sep_version", default=None, help=w.help("gui-version"))
    gui.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL")
    gui.add_argument("--role", default=None, choices=("client", "console", "manager"))
    gui.add_argument("--notes", default=None, help=w.help("gui-notes"))
    gui.add_argument("--lang", type=w.lang, default=None)
    gui.add_argument("--run", action="store_true", help=w.help("gui-run"))
    gui.add_argument("--report", default=None, metavar="FILE", help=w.help("gui-report"))
    gui.add_argument("--quit", action="store_true", help=w.help("gui-quit"))
    gui.add_argument("--page", default=None, choices=("reference", "wizard"), help=w.help("gui-page"))
