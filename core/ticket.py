"""The plain-text summary a technician pastes into a ticket: what was checked, when, and
every problem and warning with its first step, in the user's language.

The problems are the report's page 1 (``core.report_context.answers``): one line per cause,
worst first, so the ticket and the report say the same thing.
"""

from __future__ import annotations

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.i18n import Lang, Message, say, seconds_text
from sep_port_doctor.core.report_context import answers
from sep_port_doctor.core.results import Severity


def ticket_summary(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> str:
    def word(code: str) -> str:
        return say(f"report.{code}", lang)

    request = diagnosis.request
    counts = diagnosis.counts()
    # The overall line counts checks; the headings below count causes (a line each): each says which.
    count_text = say("word.list-separator", lang).join(
        f"{word('count_' + str(s))} {counts[s]}" for s in Severity if counts[s]
    )
    lines = [
        f"SEP Port Doctor: {word('title')}",
        f"{word('target')}: {request.manager.typed}",
        f"{word('version')}: {request.version.describe() if request.version else '-'}",
        f"{word('role')}: {say(f'role.{request.role}', lang)}",
        f"{word('date')}: {diagnosis.started.astimezone().strftime('%Y-%m-%d %H:%M:%S %Z')}"
        f" ({word('duration')} {seconds_text(diagnosis.duration_ms, lang)})",
        f"{word('computer')}: {diagnosis.computer} ({diagnosis.os_name})",
        f"{word('note')}: {diagnosis.note or '-'}",
        f"{word('overall')}: {word('overall_' + str(diagnosis.overall))}"
        f" ({say('report.ticket_by_check', lang, counts=count_text)})",
    ]
    if diagnosis.cancelled:
        lines.append(word("cancelled"))
    found = answers(diagnosis, catalog, lang)
    for severity in (Severity.PROBLEM, Severity.WARNING):
        items = [a for a in found if a.severity == str(severity)]
        if not items:
            continue
        lines += ["", say("report.ticket_by_cause", lang, severity=Message(f"severity.{severity}"), count=len(items))]
        for item in items:
            subject = f"{item.subject} " if item.subject else ""
            lines.append(f"- {subject}{item.where}: {item.found}")
            lines += [f"  {also}" for also in item.also]
            if item.first_step:
                lines.append(f"  {word('first_step')}: {item.first_step}")
    return "\n".join(lines) + "\n"
