"""``check`` on the command line.

``check`` validates everything before any packet leaves (exit 2 on bad input),
prints each check as its verdict arrives, then the explanations; exit 0 when
nothing is wrong, 1 when problems were found.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.cli_args import UsageError, host_option, port_overrides, report_place_arg
from sep_port_doctor.core.console import Console, OutputClosed, RunOutput, pad, write_json
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.extra import ExtraError, parse_extras
from sep_port_doctor.core.guidance import guidance_lines, guidance_texts
from sep_port_doctor.core.i18n import Lang, say, seconds_text, system_lang
from sep_port_doctor.core.logs import setup_logging
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.report_files import ReportPlace
from sep_port_doctor.core.results import CheckResult, Finding, Severity, State
from sep_port_doctor.core.run import DiagnosisRun
from sep_port_doctor.core.run_events import RunEvent, Verdict
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import SepVersion, version_notices

if TYPE_CHECKING:
    from sep_port_doctor.core.localpc import LocalSystem


def request_from_args(args: argparse.Namespace, catalog: Catalog, lang: Lang) -> PlanRequest:
    """Everything validated before any packet leaves; raises UsageError (its line in ``lang``)."""

    manager = host_option(args.manager, "--manager", lang)
    assert manager is not None
    overrides = port_overrides(args.port, catalog, lang)
    try:
        extras = parse_extras(getattr(args, "extra", []))
    except ExtraError as exc:
        raise UsageError(f"--extra: {exc.message(lang, command_line=True)}") from None
    return PlanRequest(
        manager=manager,
        version=args.version,
        role=Role(args.role),
        gup=host_option(args.gup, "--gup", lang),
        sql=host_option(args.sql, "--sql", lang),
        syslog=host_option(args.syslog, "--syslog", lang),
        overrides=overrides,
        all_ports=args.all_ports,
        local_gup=args.local_gup,
        extras=extras,
    )


def _target_text(result: CheckResult, lang: Lang) -> str:
    check = result.check
    if check.local:
        return say("word.this_pc", lang)
    if check.host is None:
        return "-"
    text = check.host.typed
    if result.address and result.address != check.host.name:
        text += f" ({result.address})"
    return text


def format_line(result: CheckResult, explanation: Finding, lang: Lang, console: Console) -> str:
    check = result.check
    port = check.port_text
    rtt = result.round_trip or ""
    state = say(f"state.{result.state}", lang)
    return (
        f"{console.mark(str(explanation.severity))} {port:<18} {pad(state, 14)} {rtt:>9}  {_target_text(result, lang)}  "
        f"{check.entry_id}: {explanation.headline_for(lang, command_line=True)}"
    )


def _print_guidance(
    explanations: list[tuple[CheckResult, Finding]], catalog: Catalog, lang: Lang, console: Console
) -> None:
    shown: set[str] = set()
    arrow = console.mark("arrow")
    for severity in (Severity.PROBLEM, Severity.WARNING):
        items = [(r, e) for r, e in explanations if e.severity is severity]
        if not items:
            continue
        console.line()
        console.line(f"{say(f'severity.{severity}', lang)} ({len(items)})")
        for result, explanation in items:
            console.line(
                f"  {result.check.protocol.upper()} {result.check.port} {result.check.entry_id}: "
                + explanation.headline_for(lang, command_line=True)
            )
            texts = guidance_texts(catalog, explanation.guidance, lang)
            for line in guidance_lines(texts, lang, arrow=arrow, shown=shown):
                console.line(f"    {line}")


async def run_check(
    request: PlanRequest,
    catalog: Catalog,
    policy: TimeoutPolicy,
    lang: Lang,
    as_json: bool,
    out: TextIO,
    local_system: LocalSystem | None = None,
    place: ReportPlace | None = None,
) -> int:
    version: SepVersion | None = request.version
    console = Console(out)
    output = RunOutput(console)
    note = say("cli.note", lang)

    def on_event(event: RunEvent) -> None:
        # Checks that send nothing are listed once at the end, not interleaved with verdicts.
        if isinstance(event, Verdict) and not as_json and not event.result.check.skip:
            output.line(format_line(event.result, event.explanation, lang, console))

    if not as_json:
        role = say(f"role.{request.role}", lang)
        console.line(f"SEP Port Doctor: {request.manager.typed}, SEP {version.describe() if version else '?'}, {role}")
        if request.manager.notice:
            console.line(f"{note}: {request.manager.notice.message(lang)}")
        for notice_id in version_notices(version):
            notice = catalog.guidance[notice_id]
            console.line(f"{note}: {notice.title.say(lang)}: {notice.text.say(lang)}")
        console.flush()
    engine = ProbeEngine(policy)
    run = DiagnosisRun(
        request,
        catalog,
        engine,
        on_event=on_event,
        local_system=local_system,
        path_facts=True,
    )
    output.run = run
    if run.client_ports is not None and not as_json:
        said = say("cli.client-ports", lang, server=run.client_ports.server, ports=run.client_ports.shown)
        console.line(f"{note}: {said}")
        console.flush()
    diagnosis = await run.run()
    if output.closed:
        raise OutputClosed()
    if run.consumer_errors:  # a broken terminal: the run went on, the output did not
        raise run.consumer_errors[0]
    if as_json:
        write_json(out, diagnosis.to_json(lang))
    else:
        _print_summary(diagnosis, catalog, lang, console)
    if place is not None:
        from sep_port_doctor.core.report import finish_report  # the report's code loads once the verdicts are in

        return finish_report(place, diagnosis, catalog, lang, out, json_printed=as_json)
    return exit_codes.for_diagnosis(diagnosis)


def _print_summary(diagnosis: Diagnosis, catalog: Catalog, lang: Lang, console: Console) -> None:
    results = list(zip(diagnosis.results, diagnosis.explanations, strict=True))
    skipped = [r for r, _e in results if r.check.skip]
    if skipped:
        title = say(f"severity.{Severity.NOT_TESTED}", lang)
        console.line()
        console.line(f"{title} ({len(skipped)})")
        for result in skipped:
            why = result.check.reason.say_in(lang, command_line=True)
            # The catalogue's port: a check that sent nothing never used the port it was moved to (as the report).
            console.line(
                f"  {result.check.protocol.upper()} {result.check.default_port:<6} {result.check.entry_id}: {why}"
            )
    _print_paths(diagnosis, lang, console)
    _print_guidance(results, catalog, lang, console)
    if diagnosis.local is not None:
        console.line()
        console.line(say("report.local_checks", lang))
        for finding in diagnosis.local.findings:
            console.line(f"{console.mark(str(finding.severity))} {finding.title_for(lang)}: {finding.detail_for(lang)}")
    counts = diagnosis.counts()
    words = say("word.list-separator", lang).join(f"{say(f'severity.{s}', lang)} {counts[s]}" for s in Severity)
    console.line()
    console.line(say("cli.check-summary", lang, counts=words, duration=seconds_text(diagnosis.duration_ms, lang)))
    errors = sum(1 for r in diagnosis.results if r.state is State.ERROR)
    if errors:
        console.line(say("cli.incomplete", lang, count=errors, log=log_file_text(lang)))


def _print_paths(diagnosis: Diagnosis, lang: Lang, console: Console) -> None:
    """Each target's path facts, a line each (DNS, route, ping, where the path ends)."""
    for path in diagnosis.paths:
        console.line()
        console.line(f"{say('path.heading', lang)}: {say(f'path.target-{path.target}', lang)} {path.where}")
        for line in path.lines(lang):
            console.line(f"  {line}")
        if path.trace is not None and path.trace.hops:
            console.line(f"    {path.trace.hops_text()}")


def log_file_text(lang: Lang) -> str:
    path = setup_logging()
    return str(path) if path is not None else say("cli.no-log", lang)


def run(args: argparse.Namespace, catalog: Catalog) -> int:
    lang: Lang = getattr(args, "lang", None) or system_lang()
    request = request_from_args(args, catalog, lang)
    place = None if args.report is None else report_place_arg(args.report, lang)
    policy = TimeoutPolicy.from_user_timeout(args.timeout)
    return asyncio.run(run_check(request, catalog, policy, lang, args.json, sys.stdout, place=place))
