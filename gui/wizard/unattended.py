"""``gui --run``: the wizard filled from the command line, run and exported without a person.

Everything is validated before any packet leaves, the report's place included (with
core/report.py's own validation); the exit code is the one ``check`` gives.
"""

from __future__ import annotations

import contextlib
import logging
import sys

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.console import PROG
from sep_port_doctor.core.i18n import say
from sep_port_doctor.core.report import finish_report
from sep_port_doctor.core.report_files import ReportError, ReportPlace, report_place
from sep_port_doctor.gui.tasks import in_worker
from sep_port_doctor.gui.wizard.controller import DiagnosticsWizard, Page

log = logging.getLogger(__name__)


def to_stderr(line: str) -> None:
    """One line for the user on stderr (a windowed program may have none)."""
    if sys.stderr is not None:
        print(line, file=sys.stderr)


async def run_unattended(wizard: DiagnosticsWizard, report: str | None = None) -> int:
    """Fill, run, export; the exit code as for ``check`` (2 on bad input, nothing sent)."""
    wizard.next()  # to the target page
    problems: list[str] = []
    if not wizard.target.validatePage():
        problems = wizard.target.problems() or [wizard.target.missing_required()]
    place: ReportPlace | None = None
    if report is not None and not problems:
        try:
            place = report_place(report)  # before any packet: a place that cannot take it is bad input
        except ReportError as exc:
            problems = [f"--report: {exc.message(wizard.lang)}"]
    if problems:
        log.info("bad input: %s", "; ".join(problems))
        to_stderr(say("cli.error-line", wizard.lang, prog=PROG, message="; ".join(problems)))
        return exit_codes.USAGE
    wizard.next()  # entering the run page starts the run
    if wizard.run_task is not None:
        with contextlib.suppress(Exception):  # a failure of the task itself reached the error handler
            await wizard.run_task
    diagnosis = wizard.diagnosis
    if diagnosis is None:
        to_stderr(say("cli.error-line", wizard.lang, prog=PROG, message=say("cli.run-unfinished", wizard.lang)))
        return exit_codes.USAGE
    wizard.next()  # the results
    current = wizard.current_diagnosis()
    if place is not None and current is not None:
        wizard.next()  # the export page
        # Should the place refuse the files now (a disk filled during the run), the results are
        # kept elsewhere and one line says where: nothing of the run is lost.
        return await in_worker(
            finish_report, place, current, wizard.catalog, wizard.lang, sys.stdout, json_printed=False
        )
    assert wizard.currentId() in (Page.RESULTS, Page.EXPORT)
    return exit_codes.for_diagnosis(diagnosis)
