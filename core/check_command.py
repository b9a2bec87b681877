"""``check`` and ``simulate`` on the command line.

``check`` validates everything before any packet leaves (exit 2 on bad input),
prints each check as its verdict arrives, then the explanations; exit 0 when
nothing is wrong, 1 when problems were found.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, TextIO

from core import exit_codes
from core.catalog import Catalog, Lang, label
from core.console import Console, write_json
from core.diagnosis import Diagnosis
from core.engine import ProbeEngine
from core.errors import UserError
from core.explain import Explanation, Severity, plan_reason
from core.hosts import Host, HostError, parse_host
from core.i18n import system_lang
from core.localpc import LocalSystem
from core.logs import setup_logging
from core.plan import PlanError, PlanRequest, Role, parse_overrides
from core.results import CheckResult, State
from core.run import DiagnosisRun, RunEvent, Verdict
from core.simulator import PROFILES, SERVED_PORTS, SimulatedManager, announcement
from core.timing import TimeoutPolicy
from core.versions import SepVersion, version_notices

if TYPE_CHECKING:
    from core.report import ReportPlace  # the report module (and its layout) loads only for --report

MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 60.0


MIN_DURATION, MAX_DURATION = 0.1, 7 * 24 * 3600.0
_SECONDS_RE = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


def seconds(value: str, option: str, low: float, high: float) -> float:
    """Seconds as people write them: ``2``, ``0.5``, full-width digits too (``２``); raises ArgumentTypeError.

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


def _timeout_arg(value: str) -> float:
    return seconds(value, "--timeout", MIN_TIMEOUT, MAX_TIMEOUT)


def _duration_arg(value: str) -> float:
    return seconds(value, "--duration", MIN_DURATION, MAX_DURATION)


def add_check_parser(sub: Any) -> None:
    from core.cli import _lang_arg, _version_arg

    check = sub.add_parser("check", help="probe the manager's ports and explain what is wrong")
    check.add_argument("--manager", required=True, help="the manager's host name or IP address")
    check.add_argument("--version", required=True, type=_version_arg, help="SEP version, e.g. '14.3 RU1'")
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
    check.add_argument("--timeout", type=_timeout_arg, default=None, help="longest wait per attempt, 0.1-60 s")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--report", default=None, metavar="FILE", help="write the HTML report there (and FILE's .json)")
    check.add_argument("--lang", type=_lang_arg, default=None, help="ja or en")


def add_simulate_parser(sub: Any) -> None:
    from core.cli import _lang_arg

    simulate = sub.add_parser("simulate", help="serve a simulated SEP Manager on loopback")
    simulate.add_argument("--bind", default="127.0.0.1", help="address to listen on (loopback by default)")
    simulate.add_argument("--profile", default="healthy", choices=list(PROFILES), help="faults to simulate")
    simulate.add_argument("--port", action="append", default=[], metavar="DEFAULT=ACTUAL", help="listen elsewhere")
    simulate.add_argument("--free-ports", action="store_true", help="listen on free high ports instead of the defaults")
    simulate.add_argument("--duration", type=_duration_arg, default=None, help="stop after this many seconds")
    simulate.add_argument("--lang", type=_lang_arg, default=None, help="ja or en")


def _host(value: str | None, option: str) -> Host | None:
    if value is None:
        return None
    try:
        return parse_host(value)
    except HostError as exc:
        from core.cli import UsageError

        raise UsageError(f"{option}: {exc.message(system_lang())}") from None


def _overrides(texts: list[str], catalog: Catalog) -> dict[int, int]:
    """``--port DEFAULT=ACTUAL`` options; raises UsageError."""
    from core.cli import UsageError

    try:
        return parse_overrides(texts, catalog)
    except PlanError as exc:
        raise UsageError(f"--port: {exc.message(system_lang())}") from None


def request_from_args(args: argparse.Namespace, catalog: Catalog) -> PlanRequest:
    """Everything validated before any packet leaves; raises UsageError."""

    manager = _host(args.manager, "--manager")
    assert manager is not None
    overrides = _overrides(args.port, catalog)
    from core.cli import UsageError
    from core.extra import ExtraError, parse_extras

    try:
        extras = parse_extras(getattr(args, "extra", []))
    except ExtraError as exc:
        raise UsageError(f"--extra: {exc.message(system_lang())}") from None
    return PlanRequest(
        manager=manager,
        version=args.version,
        role=Role(args.role),
        gup=_host(args.gup, "--gup"),
        sql=_host(args.sql, "--sql"),
        syslog=_host(args.syslog, "--syslog"),
        overrides=overrides,
        all_ports=args.all_ports,
        local_gup=args.local_gup,
        extras=extras,
    )


def _target_text(result: CheckResult, lang: Lang) -> str:
    check = result.check
    if check.local:
        return {"ja": "このPC", "en": "this PC"}[lang]
    if check.host is None:
        return "-"
    text = check.host.typed
    if result.address and result.address != check.host.name:
        text += f" ({result.address})"
    return text


def format_line(result: CheckResult, explanation: Explanation, lang: Lang, console: Console) -> str:
    check = result.check
    port = f"{check.protocol.upper()} {check.port}"
    if check.port != check.default_port:
        port += f" (={check.default_port})"
    rtt = f"{result.rtt_ms:.1f} ms" if result.rtt_ms is not None else ""
    state = label("state", str(result.state), lang)
    return (
        f"{console.mark(str(explanation.severity))} {port:<18} {state:<14} {rtt:>9}  {_target_text(result, lang)}  "
        f"{check.entry_id}: {explanation.headline_for(lang)}"
    )


def _print_guidance(explanations: list[tuple[CheckResult, Explanation]], lang: Lang, console: Console) -> None:
    shown: set[str] = set()
    arrow = console.mark("arrow")
    for severity in (Severity.PROBLEM, Severity.WARNING):
        items = [(r, e) for r, e in explanations if e.severity is severity]
        if not items:
            continue
        console.line()
        console.line(f"{label('severity', str(severity), lang)} ({len(items)})")
        for result, explanation in items:
            console.line(
                f"  {result.check.protocol.upper()} {result.check.port} {result.check.entry_id}: "
                + explanation.headline_for(lang)
            )
            for guidance in explanation.guidance:
                if guidance.id in shown:
                    console.line(f"    {arrow} {guidance.title.get(lang)}")
                    continue
                shown.add(guidance.id)
                console.line(f"    {arrow} {guidance.title.get(lang)}: {guidance.text.get(lang)}")
                for number, step in enumerate(guidance.steps, 1):
                    console.line(f"       {number}. {step.get(lang)}")


class _Output:
    """The run's side of the output: a closed pipe stops the run instead of failing it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.closed = False
        self.run: DiagnosisRun | None = None

    def line(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.console.line(text)
            self.console.flush()
        except OSError as exc:
            from core.cli import is_output_closed

            if not is_output_closed(exc):
                raise
            self.closed = True  # nobody reads any more: no point in probing on
            if self.run is not None:
                self.run.cancel()


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
    from core.cli import OutputClosed

    version: SepVersion | None = request.version
    console = Console(out)
    output = _Output(console)
    note = label("cli", "note", lang)

    def on_event(event: RunEvent) -> None:
        # Checks that send nothing are listed once at the end, not interleaved with verdicts.
        if isinstance(event, Verdict) and not as_json and not event.result.check.skip:
            output.line(format_line(event.result, event.explanation, lang, console))

    if not as_json:
        role = label("role", str(request.role), lang)
        console.line(f"SEP Port Doctor: {request.manager.typed}, SEP {version.describe() if version else '?'}, {role}")
        if request.manager.notice:
            console.line(f"{note}: {request.manager.notice.message(lang)}")
        for notice_id in version_notices(version):
            notice = catalog.guidance[notice_id]
            console.line(f"{note}: {notice.title.get(lang)}: {notice.text.get(lang)}")
        console.flush()
    engine = ProbeEngine(policy)
    # This PC's SEP client, firewall and sharing rules are read where they exist (Windows).
    read_local = local_system is not None or sys.platform == "win32"
    run = DiagnosisRun(
        request,
        catalog,
        engine,
        on_event=on_event,
        read_local=read_local,
        local_system=local_system,
        path_facts=True,
    )
    output.run = run
    if run.client_ports is not None and not as_json:
        said = label("cli", "client-ports", lang).format(server=run.client_ports.server, ports=run.client_ports.shown)
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
        return finish_report(place, diagnosis, catalog, lang, out, json_printed=as_json)
    return exit_codes.for_diagnosis(diagnosis)


def _print_summary(diagnosis: Diagnosis, catalog: Catalog, lang: Lang, console: Console) -> None:
    results = list(zip(diagnosis.results, diagnosis.explanations, strict=True))
    skipped = [r for r, _e in results if r.check.skip]
    if skipped:
        title = label("severity", str(Severity.NOT_TESTED), lang)
        console.line()
        console.line(f"{title} ({len(skipped)})")
        for result in skipped:
            why = plan_reason(result, catalog, diagnosis.request.version, lang)
            console.line(f"  {result.check.protocol.upper()} {result.check.port:<6} {result.check.entry_id}: {why}")
    _print_paths(diagnosis, lang, console)
    _print_guidance(results, lang, console)
    if diagnosis.local is not None:
        console.line()
        console.line(label("report", "local_checks", lang))
        for finding in diagnosis.local.findings:
            console.line(f"{console.mark(str(finding.severity))} {finding.title[lang]}: {finding.detail[lang]}")
    counts = diagnosis.counts()
    words = ", ".join(f"{label('severity', str(s), lang)} {counts[s]}" for s in Severity)
    console.line()
    console.line(f"{words} ({diagnosis.duration_ms / 1000:.2f} s)")
    errors = sum(1 for r in diagnosis.results if r.state is State.ERROR)
    if errors:
        console.line(label("cli", "incomplete", lang).format(count=errors, log=log_file_text(lang)))


def _print_paths(diagnosis: Diagnosis, lang: Lang, console: Console) -> None:
    """Each target's path facts, a line each (DNS, route, ping, where the path ends)."""
    for path in diagnosis.paths:
        console.line()
        where = path.host if path.address in (None, path.host) else f"{path.host} ({path.address})"
        console.line(f"{label('path', 'heading', lang)}: {label('path', f'target-{path.target}', lang)} {where}")
        for line in path.lines(lang):
            console.line(f"  {line}")
        if path.trace is not None and path.trace.hops:
            console.line(f"    {path.trace.hops_text()}")


def log_file_text(lang: Lang) -> str:
    path = setup_logging()
    return str(path) if path is not None else label("cli", "no-log", lang)


async def run_simulator(args: argparse.Namespace, catalog: Catalog, out: TextIO, lang: Lang) -> int:
    from core.cli import UsageError

    bind = _host(args.bind, "--bind")
    assert bind is not None
    if not bind.is_ip:
        raise UsageError("--bind takes an IP address, like 127.0.0.1 or ::1")
    ports: dict[int, int] = {p: 0 for p in SERVED_PORTS} if args.free_ports else {}
    ports.update(_overrides(args.port, catalog))
    simulator = SimulatedManager(bind=bind.name, profile=args.profile, ports=ports)
    try:
        await simulator.start()
    except PermissionError as exc:
        await simulator.stop()
        raise UsageError(
            f"cannot listen there without privileges ({exc}); try --free-ports or --port 443=10443"
        ) from None
    except OSError as exc:
        await simulator.stop()
        raise UsageError(f"cannot listen on {bind.name}: {exc.strerror or exc}; try --free-ports") from None
    try:
        console = Console(out)
        for line in announcement(simulator, catalog, lang):
            console.line(line)
        console.flush()
        if args.duration is not None:
            await asyncio.sleep(args.duration)
        else:
            await asyncio.Event().wait()
    finally:
        await simulator.stop()
    return 0


def report_place_arg(text: str, lang: Lang) -> ReportPlace:
    """``--report FILE``, checked before any packet leaves; raises UsageError."""
    from core.cli import UsageError
    from core.report import ReportError, report_place

    try:
        return report_place(text)
    except ReportError as exc:
        raise UsageError(f"--report: {exc.message(lang)}") from None


def finish_report(
    place: ReportPlace, diagnosis: Diagnosis, catalog: Catalog, lang: Lang, out: TextIO | None, *, json_printed: bool
) -> int:
    """Write the finished run's report (``check --report``, ``gui --run --report``); the exit code.

    Should the place refuse the files now (a disk that filled up during the run), the
    results are kept elsewhere and one line says where (exit CANNOT_WRITE); if no folder
    takes them, the JSON goes to stdout. Nothing of a run is lost.
    """
    from core.cli import PROG, say
    from core.report import Kept, write_or_keep

    outcome = write_or_keep(place, diagnosis, catalog, lang)
    if isinstance(outcome, Kept):
        say(f"{PROG}: {outcome.message(lang)}")
        if outcome.html is None and not json_printed and out is not None:
            write_json(out, diagnosis.to_json(lang))
        return exit_codes.CANNOT_WRITE
    if out is not None and not json_printed:
        html, json_path = outcome
        console = Console(out)
        for notice in place.notices:
            console.line(f"{label('cli', 'note', lang)}: {notice.message(lang)}")
        console.line(UserError("report-written", html=str(html), json=str(json_path)).message(lang))
    return exit_codes.for_diagnosis(diagnosis)


def run(args: argparse.Namespace, catalog: Catalog) -> int:
    lang: Lang = getattr(args, "lang", None) or system_lang()
    if args.command == "simulate":
        return asyncio.run(run_simulator(args, catalog, sys.stdout, lang))
    request = request_from_args(args, catalog)
    place = None if args.report is None else report_place_arg(args.report, lang)
    policy = TimeoutPolicy.from_user_timeout(args.timeout)
    return asyncio.run(run_check(request, catalog, policy, lang, args.json, sys.stdout, place=place))
