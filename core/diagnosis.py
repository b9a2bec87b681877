"""One diagnosis: the plan's results, their explanations, this PC's findings and the
context a report needs. Built the same way by the command line and the wizard."""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.i18n import Lang
from sep_port_doctor.core.plan import ClientPorts, PlanRequest
from sep_port_doctor.core.results import CheckResult, Finding, RunSummary, Severity, overall
from sep_port_doctor.core.versions import version_notices

if TYPE_CHECKING:  # this PC's findings come from the window; `check` need not load their module
    from sep_port_doctor.core.localpc import LocalReport
    from sep_port_doctor.core.path import PathFacts


def this_computer() -> tuple[str, str]:
    import platform  # slow to import; wanted only once a diagnosis is made

    return socket.gethostname() or "-", f"{platform.system()} {platform.release()} ({platform.machine()})"


def check_json(result: CheckResult, explanation: Finding, lang: Lang) -> dict[str, Any]:
    """One check as ``check --json`` and ``push --json`` print it: the result and its explanation."""
    item = result.to_json(lang)
    item["severity"] = str(explanation.severity)
    item["headline"] = explanation.headline_for(lang)
    item["headline_id"] = explanation.headline_id
    item["guidance"] = list(explanation.guidance)
    return item


@dataclass
class Diagnosis:
    request: PlanRequest
    results: list[CheckResult]
    explanations: list[Finding]
    started: dt.datetime
    duration_ms: float
    local: LocalReport | None = None
    note: str = ""
    cancelled: bool = False
    """The run was stopped before every check answered (those checks say ``cancelled``)."""
    paths: list[PathFacts] = field(default_factory=list)
    """Each target's path facts (route, DNS, echo, the trace to a filtered port), where gathered."""
    client_ports: ClientPorts | None = None
    """This PC's SyLink entry for the manager, when it decided 8014 and 443."""
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
        checks = [check_json(r, e, lang) for r, e in zip(self.results, self.explanations, strict=True)]
        return {
            "manager": self.request.manager.typed,
            "version": self.request.version.describe() if self.request.version else None,
            "role": str(self.request.role),
            "client_ports": None
            if self.client_ports is None
            else {
                "source": "sylink",
                "server": self.client_ports.server,
                "http_port": self.client_ports.http_port,
                "https_port": self.client_ports.https_port,
            },
            "started": self.started.isoformat(),
            "duration_ms": round(self.duration_ms, 1),
            "overall": str(self.overall),
            "counts": {str(s): n for s, n in self.counts().items()},
            "computer": self.computer,
            "os": self.os_name,
            "note": self.note,
            "cancelled": self.cancelled,
            "checks": checks,
            "paths": [p.to_json(lang) for p in self.paths],
            "local": None if self.local is None else [f.to_json(lang) for f in self.local.findings],
        }
