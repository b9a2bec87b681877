"""One diagnosis: the plan's results, their explanations, this PC's findings and the
context a report needs. Built the same way by the command line and the wizard."""

from __future__ import annotations

import datetime as dt
import platform
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.catalog import Catalog, Guidance, Lang, label
from core.engine import RunSummary
from core.explain import Explanation, Severity, explain, overall
from core.plan import PlanRequest
from core.results import CheckResult
from core.versions import version_notices

if TYPE_CHECKING:  # this PC's findings come from the window; `check` need not load their module
    from core.localpc import LocalReport


def this_computer() -> tuple[str, str]:
    return socket.gethostname() or "-", f"{platform.system()} {platform.release()} ({platform.machine()})"


@dataclass
class Diagnosis:
    request: PlanRequest
    results: list[CheckResult]
    explanations: list[Explanation]
    started: dt.datetime
    duration_ms: float
    local: LocalReport | None = None
    note: str = ""
    cancelled: bool = False
    """The run was stopped before every check answered (those checks say ``cancelled``)."""
    computer: str = field(default_factory=lambda: this_computer()[0])
    os_name: str = field(default_factory=lambda: this_computer()[1])

    @classmethod
    def from_run(
        cls,
        request: PlanRequest,
        summary: RunSummary,
        catalog: Catalog,
        local: LocalReport | None = None,
        note: str = "",
    ) -> Diagnosis:
        explanations = [explain(r, catalog, request.version) for r in summary.results]
        return cls(request, summary.results, explanations, summary.started, summary.duration_ms, local, note)

    def severities(self) -> list[Severity]:
        found = [e.severity for e in self.explanations]
        if self.local is not None:
            found += [f.severity for f in self.local.findings]
        return found

    @property
    def notices(self) -> list[str]:
        """Guidance ids about the run as a whole (the version out of vendor support, or newer than known)."""
        return version_notices(self.request.version)

    @property
    def overall(self) -> Severity:
        return overall(self.severities())

    def counts(self) -> dict[Severity, int]:
        found = self.severities()
        return {s: found.count(s) for s in Severity}

    def to_json(self, lang: Lang) -> dict[str, Any]:
        checks = []
        for result, explanation in zip(self.results, self.explanations, strict=True):
            item = result.to_json()
            item["severity"] = str(explanation.severity)
            item["headline"] = explanation.headline_for(lang)
            item["guidance"] = [g.id for g in explanation.guidance]
            checks.append(item)
        return {
            "manager": self.request.manager.typed,
            "version": self.request.version.describe() if self.request.version else None,
            "role": str(self.request.role),
            "started": self.started.isoformat(),
            "duration_ms": round(self.duration_ms, 1),
            "overall": str(self.overall),
            "counts": {str(s): n for s, n in self.counts().items()},
            "computer": self.computer,
            "os": self.os_name,
            "note": self.note,
            "cancelled": self.cancelled,
            "checks": checks,
            "local": None if self.local is None else [f.to_json(lang) for f in self.local.findings],
        }


def _first_step(guidance: tuple[Guidance, ...] | list[Guidance], lang: Lang) -> str | None:
    for item in guidance:
        if item.steps:
            return item.steps[0].get(lang)
    return guidance[0].title.get(lang) if guidance else None


def ticket_summary(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> str:
    """Plain text for a ticket: what was checked, when, and every problem and warning with
    its headline and first step, in ``lang``."""

    def word(code: str) -> str:
        return label("report", code, lang)

    request = diagnosis.request
    counts = diagnosis.counts()
    count_text = ", ".join(f"{word('count_' + str(s))} {counts[s]}" for s in Severity if counts[s])
    lines = [
        f"SEP Port Doctor: {word('title')}",
        f"{word('target')}: {request.manager.typed}",
        f"{word('version')}: {request.version.describe() if request.version else '-'}",
        f"{word('role')}: {label('role', str(request.role), lang)}",
        f"{word('date')}: {diagnosis.started.astimezone().strftime('%Y-%m-%d %H:%M:%S %Z')}"
        f" ({word('duration')} {diagnosis.duration_ms / 1000:.2f} s)",
        f"{word('computer')}: {diagnosis.computer} ({diagnosis.os_name})",
        f"{word('note')}: {diagnosis.note or '-'}",
        f"{word('overall')}: {word('overall_' + str(diagnosis.overall))} ({count_text})",
    ]
    if diagnosis.cancelled:
        lines.append(word("cancelled"))
    found: list[tuple[Severity, str, str | None]] = []
    for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
        if explanation.severity in (Severity.PROBLEM, Severity.WARNING):
            check = result.check
            where = word("this_pc") if check.local else (check.host.typed if check.host else "-")
            moved = f" (={check.default_port})" if check.port != check.default_port else ""
            subject = f"{check.protocol.upper()} {check.port}{moved} {check.entry_id} {where}"
            found.append(
                (
                    explanation.severity,
                    f"{subject}: {explanation.headline_for(lang)}",
                    _first_step(explanation.guidance, lang),
                )
            )
    if diagnosis.local is not None:
        for finding in diagnosis.local.findings:
            if finding.severity in (Severity.PROBLEM, Severity.WARNING):
                guidance = [catalog.guidance[g] for g in finding.guidance if g in catalog.guidance]
                text = f"{word('this_pc')}: {finding.title[lang]}: {finding.detail[lang]}"
                found.append((finding.severity, text, _first_step(guidance, lang)))
    for severity in (Severity.PROBLEM, Severity.WARNING):
        items = [(text, step) for s, text, step in found if s is severity]
        if items:
            lines += ["", f"{label('severity', str(severity), lang)} ({len(items)})"]
            for text, step in items:
                lines.append(f"- {text}")
                if step:
                    lines.append(f"  {word('first_step')}: {step}")
    return "\n".join(lines) + "\n"
