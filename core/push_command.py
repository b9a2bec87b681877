"""``push`` on the command line: push readiness of many client PCs, seen from the manager.

Everything is validated before any packet leaves (exit 2 on bad input); each target's
line is printed as soon as its checks are all in; then the targets grouped by cause,
with each cause's guidance once; exit 0 when every target is ready, 1 when any is not
(not ready, unreachable, unresolved), 3 when none is wrong but one could not be checked.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.cli_args import UsageError, report_place_arg
from sep_port_doctor.core.console import PROG, Console, OutputClosed, RunOutput, pad, stderr_line, write_json
from sep_port_doctor.core.guidance import guidance_lines, guidance_texts, render, source_words
from sep_port_doctor.core.i18n import Lang, say, seconds_text, system_lang
from sep_port_doctor.core.push import (
    DEFAULT_CONCURRENCY,
    DEFAULT_RATE,
    PushRun,
    PushSweep,
    TargetError,
    Targets,
    TargetVerdict,
    neighbourhood_of,
    parse_targets,
    read_targets_file,
)
from sep_port_doctor.core.report_files import ReportError, ReportPlace, write_pair
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.untrusted import json_safe, strip_credentials

if TYPE_CHECKING:
    from sep_port_doctor.core.engine import ProbeEngine
    from sep_port_doctor.core.path.facts import PathLine


def targets_from_args(args: argparse.Namespace, lang: Lang) -> Targets:
    """Every target checked before anything is sent; raises UsageError."""

    items = [("", text) for text in args.targets]
    try:
        if args.targets_file is None:
            return parse_targets(items)
        read = read_targets_file(Path(args.targets_file))
        return parse_targets([*items, *read.lines], read.notices)
    except TargetError as exc:
        raise UsageError(exc.message(lang, command_line=True)) from None


def _ports_text(target: TargetVerdict, lang: Lang) -> str:
    parts = []
    for result in target.results:
        check = result.check
        state = say(f"state.{result.state}", lang)
        parts.append(f"{check.protocol.upper()} {check.port} {state}")
    return " · ".join(parts)


def target_line(target: TargetVerdict, lang: Lang, console: Console) -> str:
    shown = target.host.typed
    if target.address and target.address != target.host.name:
        shown += f" ({target.address})"
    verdict = say(f"push.verdict-{target.verdict}", lang)
    return f"{console.mark(str(target.severity))} {pad(shown, 18)} {pad(verdict, 12)} {_ports_text(target, lang)}  {target.headline.say(lang)}"


def print_groups(sweep: PushSweep, catalog: Catalog, lang: Lang, console: Console, *, limit: int = 8) -> None:
    """The targets grouped by cause; each group's guidance once, with its steps."""
    arrow = console.mark("arrow")
    shown: set[str] = set()
    for cause, targets in sweep.groups():
        console.line()
        headline = say(f"push-group.{cause}", lang)
        console.line(
            f"{console.mark(str(targets[0].severity))} {say('push.group', lang, count=len(targets), headline=headline)}"
        )
        names = [t.host.typed for t in targets[:limit]]
        if len(targets) > limit:
            names.append(say("push.more", lang, count=len(targets) - limit))
        console.line(f"    {', '.join(names)}")
        for line in guidance_lines(guidance_texts(catalog, targets[0].guidance, lang), lang, arrow=arrow, shown=shown):
            console.line(f"    {line}")


def path_sections(sweep: PushSweep, lang: Lang) -> list[tuple[str, list[str]]]:
    """The sweep's path facts as (heading, lines): its distinct routes with their PC counts, and
    where each traced network's path ends (the terminal and the report)."""
    paths = sweep.paths
    if paths is None:
        return []
    sections = []
    if paths.routes:
        routes = [paths.route_text(i, lang) for i in range(len(paths.routes))]
        sections.append((say("path.sweep-routes", lang), routes))
    if paths.traces:
        sections.append((say("path.sweep-traces", lang), [t.text(lang) for t in paths.traces]))
    return sections


def dns_sections(sweep: PushSweep, lang: Lang) -> list[tuple[str, list[PathLine]]]:
    """What DNS answered for the PCs typed as names, per group as the report's page 1 has them
    (heading, lines): ``MAX_GROUP_NAMES`` names a group at most, as the window's group details, then
    how many more, whose answers the report's JSON has; groups without a name are left out."""
    paths = sweep.paths
    if paths is None:
        return []
    sections = []
    for cause, targets in sweep.groups():
        lines = paths.dns_lines([t.host.name for t in targets], lang, more="sweep-dns-more-report")
        if lines:
            headline = say(f"push-group.{cause}", lang)
            sections.append((say("push.group", lang, count=len(targets), headline=headline), lines))
    return sections


def summary_line(sweep: PushSweep, lang: Lang) -> str:
    counts = sweep.counts()
    return say("push.summary", lang, duration=seconds_text(sweep.duration_ms, lang), **counts)


def push_engine(policy: TimeoutPolicy) -> ProbeEngine:
    """The engine of a sweep: more probes in flight than ``check`` (many hosts), paced; a PC that answers
    nothing is held to what its network's other PCs showed (core.timing rule 8). Loaded here, when a
    sweep starts: the window's push pages use this module from the start."""
    from sep_port_doctor.core.engine import ProbeEngine

    return ProbeEngine(
        policy,
        max_sockets=DEFAULT_CONCURRENCY,
        probe_rate=DEFAULT_RATE,
        use_system_proxy=False,
        neighbourhood=neighbourhood_of,
    )


async def run_push(
    targets: Targets,
    catalog: Catalog,
    policy: TimeoutPolicy,
    lang: Lang,
    as_json: bool,
    out: TextIO,
    *,
    mac: bool = False,
    place: ReportPlace | None = None,
) -> int:
    console = Console(out)
    if not as_json:
        console.line(say("push.title", lang, count=len(targets.hosts)))
        for notice in targets.notices:
            console.line(f"{say('cli.note', lang)}: {notice.message(lang)}")
        console.flush()

    output = RunOutput(console)

    def on_target(target: TargetVerdict) -> None:
        if not as_json:
            output.line(target_line(target, lang, console))

    run = output.run = PushRun(catalog, targets.hosts, push_engine(policy), mac=mac, on_target=on_target)
    sweep = await run.run()
    if output.closed:
        raise OutputClosed()
    if as_json:
        write_json(out, sweep.to_json(lang))
    else:
        print_groups(sweep, catalog, lang, console)
        for heading, lines in path_sections(sweep, lang):
            console.line()
            console.line(f"{heading}:")
            for text in lines:
                console.line(f"    {text}")
        console.line()
        console.line(summary_line(sweep, lang))
    if place is not None:
        return _write_report(place, sweep, catalog, lang, console, quiet=as_json)
    return sweep.exit_code()


def render_push_report(sweep: PushSweep, catalog: Catalog, lang: Lang) -> str:
    groups = [
        {
            "cause": cause,
            "severity": str(targets[0].severity),
            "title": say(f"push-group.{cause}", lang),
            "targets": targets,
            "guidance": guidance_texts(catalog, targets[0].guidance, lang),
        }
        for cause, targets in sweep.groups()
    ]
    return render(
        "push.html.j2",
        lang=lang,
        sweep=sweep,
        groups=groups,
        summary=summary_line(sweep, lang),
        path_sections=path_sections(sweep, lang),
        dns_sections=dns_sections(sweep, lang),
        say=lambda code, **values: say(code, lang, **values),
        w=source_words(lang),
        ports=lambda target: _ports_text(target, lang),
    )


def render_push_pair(sweep: PushSweep, catalog: Catalog, lang: Lang) -> tuple[str, str]:
    """The HTML report and its JSON, without a credential anywhere (as ``check``'s pair)."""
    html = strip_credentials(render_push_report(sweep, catalog, lang))
    json_text = json_safe(strip_credentials(json.dumps(sweep.to_json(lang), ensure_ascii=False, indent=2))) + "\n"
    return html, json_text


def _write_report(
    place: ReportPlace, sweep: PushSweep, catalog: Catalog, lang: Lang, console: Console, *, quiet: bool
) -> int:

    html, json_text = render_push_pair(sweep, catalog, lang)
    try:
        html_path, json_path = write_pair(place, html, json_text)
    except ReportError as exc:
        stderr_line(f"{PROG}: --report: {exc.message(lang)}")
        return exit_codes.CANNOT_WRITE
    if not quiet:
        from sep_port_doctor.core.errors import UserError

        console.line(UserError("report-written", html=str(html_path), json=str(json_path)).message(lang))
    return sweep.exit_code()


def _raise_file_limit() -> None:
    """Room for every probe's sockets: the soft limit up to the hard one (1024 by default on Linux desktops)."""
    if sys.platform == "win32":  # no such limit on sockets
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * DEFAULT_CONCURRENCY + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))


def run(args: argparse.Namespace, catalog: Catalog) -> int:

    lang: Lang = getattr(args, "lang", None) or system_lang()
    targets = targets_from_args(args, lang)
    place = None if args.report is None else report_place_arg(args.report, lang)
    policy = TimeoutPolicy.from_user_timeout(args.timeout)
    _raise_file_limit()
    return asyncio.run(run_push(targets, catalog, policy, lang, args.json, sys.stdout, mac=args.mac, place=place))
