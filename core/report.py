"""The HTML troubleshooting report: one self-contained file, rendered with Jinja2, and
the same results as JSON beside it.

Autoescape is on and undefined names are errors: every string that came from
outside (server answers, certificate fields, host names, the user's note) is
escaped; no credential of a URL is written. Where it goes is checked and
written by ``core.report_files`` (before any packet leaves; then as a pair); results
that cannot go where asked are kept elsewhere (``write_or_keep``).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.console import PROG, Console, stderr_line, write_json
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.guidance import render
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.report_context import report_context
from sep_port_doctor.core.report_files import ReportError, ReportPlace, report_place_in, write_pair
from sep_port_doctor.core.untrusted import json_safe, strip_credentials


def render_report(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> str:
    """The report's HTML; what it shows is arranged by ``core.report_context``."""
    return render("report.html.j2", **report_context(diagnosis, catalog, lang))


def default_report_name(diagnosis: Diagnosis) -> str:
    stamp = diagnosis.started.astimezone().strftime("%Y%m%d-%H%M%S")
    host = re.sub(r"[^A-Za-z0-9.-]", "_", diagnosis.request.manager.name)[:60]
    return f"sep-port-doctor-{host}-{stamp}.html"


def render_pair(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> tuple[str, str]:
    """The HTML report and the JSON, without a credential in any URL (a proxy's password)."""
    html = strip_credentials(render_report(diagnosis, catalog, lang))
    json_text = json_safe(strip_credentials(json.dumps(diagnosis.to_json(lang), ensure_ascii=False, indent=2)))
    return html, json_text + "\n"


def write_report(place: ReportPlace, diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> tuple[Path, Path]:
    html, json_text = render_pair(diagnosis, catalog, lang)
    return write_pair(place, html, json_text)


def export(
    diagnosis: Diagnosis, catalog: Catalog, lang: Lang, folder: Path, name: str | None = None
) -> tuple[Path, Path]:
    """Write the HTML report and the same results as JSON beside it; raises ReportError."""
    return write_report(report_place_in(folder, name or default_report_name(diagnosis)), diagnosis, catalog, lang)


@dataclass(frozen=True)
class Kept:
    """Where the results went when the place asked for refused them after the run."""

    failure: ReportError
    html: Path | None = None
    json: Path | None = None
    """None when no folder took them either: the caller prints the JSON."""

    def message(self, lang: Lang) -> str:
        why = self.failure.message(lang)
        if self.html is None or self.json is None:
            return UserError("report-kept-nowhere", why=why).message(lang)
        return UserError("report-kept-elsewhere", why=why, html=str(self.html), json=str(self.json)).message(lang)


def write_or_keep(place: ReportPlace, diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> tuple[Path, Path] | Kept:
    """The report where asked; if that fails now (the disk filled during the run), the results
    are kept in the temporary folder instead of being lost, and ``Kept`` says where."""
    try:
        return write_report(place, diagnosis, catalog, lang)
    except ReportError as failure:
        try:
            spare = report_place_in(Path(tempfile.gettempdir()), default_report_name(diagnosis))
            html, json_path = write_report(spare, diagnosis, catalog, lang)
        except ReportError:
            return Kept(failure)
        return Kept(failure, html, json_path)


def finish_report(
    place: ReportPlace, diagnosis: Diagnosis, catalog: Catalog, lang: Lang, out: TextIO | None, *, json_printed: bool
) -> int:
    """Write the finished run's report (``check --report``, ``gui --run --report``); the exit code.

    Should the place refuse the files now (a disk that filled up during the run), the
    results are kept elsewhere and one line says where (exit CANNOT_WRITE); if no folder
    takes them, the JSON goes to stdout. Nothing of a run is lost.
    """
    outcome = write_or_keep(place, diagnosis, catalog, lang)
    if isinstance(outcome, Kept):
        stderr_line(f"{PROG}: {outcome.message(lang)}")
        if outcome.html is None and not json_printed and out is not None:
            write_json(out, diagnosis.to_json(lang))
        return exit_codes.CANNOT_WRITE
    if out is not None and not json_printed:
        html, json_path = outcome
        console = Console(out)
        for notice in place.notices:
            console.line(f"{say('cli.note', lang)}: {notice.message(lang)}")
        console.line(UserError("report-written", html=str(html), json=str(json_path)).message(lang))
    return exit_codes.for_diagnosis(diagnosis)
