"""What the HTML report shows, arranged for the person who opens the ticket.

Page 1 is the answer: the overall verdict, the machine facts, and one line per cause
(checks with the same finding and the same remedy share a line: "TCP 8443, 9090 on
sepm01: no answer (filtered)"), each with its first step. The details follow without
repetition: each guidance item once with what it applies to, the evidence of every
check that ran (a certificate once, however many ports showed it), this PC's Windows
findings, and every check that sent nothing in one table with its reason.

Everything here is plain values; the template (resources/templates/report.html.j2)
only lays them out, and every word comes from the message catalogue and the guidance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.catalog import Catalog, Guidance, configurable_code
from sep_port_doctor.core.causes import CauseKey, cause_key, finding_explains, ports_text
from sep_port_doctor.core.checks.tls import TlsEvidence
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.guidance import GuidanceText
from sep_port_doctor.core.i18n import Lang, group_words, say, say_any, seconds_text
from sep_port_doctor.core.results import AppResult, CheckResult, Finding, Severity
from sep_port_doctor.core.verdicts import path_name

if TYPE_CHECKING:
    from sep_port_doctor.core.tlsinfo import CertificateFacts

SEVERITY_ORDER = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.PASSED, Severity.NOT_TESTED)
ACTIONABLE = (Severity.PROBLEM, Severity.WARNING)


@dataclass(frozen=True)
class Answer:
    """One line of page 1: one cause, the checks and findings it explains, its first step."""

    severity: str
    subject: str
    """The ports (``TCP 139, 445 · UDP 137``), or "" for a finding without ports."""
    where: str
    found: str
    also: tuple[str, ...]
    """What else was seen for the same cause (a finding's ports that did not answer)."""
    first_step: str | None
    step_is_field: bool
    guidance_id: str | None
    guidance_title: str | None
    path_end: str | None = None
    """Where the path to the host ends, from the trace toward its filtered port (issue 18)."""


@dataclass(frozen=True)
class GuidanceUse:
    """One guidance item, printed once, with everything on this report it applies to."""

    item: GuidanceText
    applies_to: tuple[str, ...]
    severity: str


@dataclass(frozen=True)
class GuidanceGroup:
    """Guidance items that apply to exactly the same checks and findings: that list once."""

    applies_to: tuple[str, ...]
    severity: str
    items: tuple[GuidanceText, ...]


@dataclass(frozen=True)
class AppLine:
    test: str
    ok: bool
    via: str | None
    detail: str
    time_ms: str | None
    tls: str | None
    certificate: int | None
    """The number of the certificate in the report's certificate table."""


@dataclass(frozen=True)
class EvidenceRow:
    anchor: str
    severity: str
    port: str
    default_port: int | None
    purpose: str
    entry_id: str
    where: str
    address: str | None
    state: str
    headline: str | None
    """The explanation, for information rows (problems and warnings have theirs on page 1)."""
    reason: str
    round_trip: str | None
    attempts: int
    application: tuple[AppLine, ...]
    sockets: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceGroup:
    """Checks of the same catalogue purpose (the four push-deployment ports): the purpose once."""

    purpose: str
    rows: tuple[EvidenceRow, ...]


def evidence_groups(rows: Sequence[EvidenceRow]) -> list[EvidenceGroup]:
    """Rows of one purpose together, the group with the worst verdict first."""
    groups: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        groups.setdefault(row.purpose, []).append(row)
    ranked = sorted(groups.items(), key=lambda item: min(Severity(r.severity).rank for r in item[1]))
    return [EvidenceGroup(purpose, tuple(items)) for purpose, items in ranked]


@dataclass(frozen=True)
class CertificateRow:
    number: int
    seen_on: str
    subject: str
    issuer: str
    sans: str
    not_before: str
    not_after: str
    days_left: int
    expired_ago: str
    """How long ago it expired, said in the report's language ("3 hours ago"); "" while valid."""
    expires_in: str
    """How long until it expires ("in 3 hours"); "" once expired."""
    expired: bool
    expires_soon: bool
    self_signed: bool
    name_matches: bool
    checked_name: str
    sha256: str
    key: str


@dataclass(frozen=True)
class FindingRow:
    anchor: str
    severity: str
    title: str
    detail: str
    guidance: tuple[tuple[str, str, bool], ...]
    """(id, title, printed above) of the guidance items it cites."""


@dataclass(frozen=True)
class SkippedGroup:
    """Checks that sent nothing for the same reason: the reason once, with their ports."""

    state: str
    reason: str
    ports: str
    entry_ids: tuple[str, ...]


@dataclass
class _Cause:
    severity: Severity
    where: str
    found: str
    guidance: tuple[Guidance, ...]
    checks: list[CheckResult] = field(default_factory=list)
    finding: Finding | None = None
    also: list[str] = field(default_factory=list)


def _words(lang: Lang) -> dict[str, str]:
    return dict(group_words("report", lang))


def port_label(result: CheckResult) -> str:
    """``TCP 8014``, or the port probed with the catalogue's in brackets: ``TCP 45889 (=8014)``."""
    check = result.check
    moved = f" (={check.default_port})" if check.port != check.default_port else ""
    return f"{check.protocol.upper()} {check.port}{moved}"


def _number(result: CheckResult) -> str:
    check = result.check
    return f"{check.port} (={check.default_port})" if check.port != check.default_port else str(check.port)


def _ports_of(results: Sequence[CheckResult]) -> str:
    return ports_text((r.check.protocol, _number(r)) for r in results)


def _first_step(guidance: Sequence[Guidance], lang: Lang) -> tuple[str | None, bool, Guidance | None]:
    for item in guidance:
        if item.steps:
            return item.steps[0].say(lang), item.step_is_field(0), item
    if guidance:
        return None, guidance[0].source == "field", guidance[0]
    return None, False, None


def _where(result: CheckResult, words: dict[str, str]) -> str:
    check = result.check
    if check.local:
        return words["this_pc"]
    return check.host.typed if check.host else "-"


def _causes(
    diagnosis: Diagnosis, catalog: Catalog, lang: Lang, words: dict[str, str], severities: tuple[Severity, ...]
) -> list[_Cause]:
    """Checks and findings of these severities, grouped by cause (``core.causes``)."""
    causes: list[_Cause] = []
    by_key: dict[CauseKey, _Cause] = {}
    for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
        if explanation.severity not in severities:
            continue
        where = _where(result, words)
        found = explanation.headline_for(lang)
        # The host's role too: a manager that is also the GUP has two places (as on the site report).
        key = cause_key(explanation.severity, (result.check.target, where), found, explanation.guidance)
        if key not in by_key:
            by_key[key] = _Cause(explanation.severity, where, found, catalog.guidance_for(explanation.guidance))
            causes.append(by_key[key])
        by_key[key].checks.append(result)
    findings = [] if diagnosis.local is None else list(diagnosis.local.findings)
    for finding in findings:
        if finding.severity not in severities:
            continue
        guidance = catalog.guidance_for(finding.guidance)
        # The whole detail is in the details (this PC's settings); page 1 takes its one line.
        line = finding.headline_for(lang)
        cause = _Cause(finding.severity, words["this_pc"], f"{finding.title_for(lang)}: {line}", guidance)
        cause.finding = finding
        # Checks of this PC that the same remedy answers are the same cause: one line.
        ids = [g.id for g in guidance]
        for other in list(causes):
            if (
                other.finding is None
                and other.where == cause.where
                and finding_explains(ids, [g.id for g in other.guidance])
            ):
                cause.also.append(f"{_ports_of(other.checks)}: {other.found}")
                cause.checks += other.checks
                cause.severity = min(cause.severity, other.severity, key=lambda s: s.rank)
                causes.remove(other)
        causes.append(cause)
    causes.sort(key=lambda c: c.severity.rank)
    return causes


def _subject(cause: _Cause) -> str:
    """The ports of a cause: a finding's own ports first, then those of the checks it explains."""
    ports = [] if cause.finding is None else [(protocol, str(port)) for protocol, port in cause.finding.ports]
    ports += [(r.check.protocol, _number(r)) for r in cause.checks]
    return ports_text(ports)


def _path_ends(diagnosis: Diagnosis, causes: Sequence[_Cause], lang: Lang) -> dict[int, str]:
    """The trace's conclusion of each target that had one, on the line of the cause whose checks
    include the traced port (else the first line about that host): index of the cause -> words."""
    out: dict[int, str] = {}
    for path in diagnosis.paths:
        words = path.conclusion(lang)
        if words is None or path.trace is None:
            continue
        on_host = [
            i
            for i, cause in enumerate(causes)
            if any(
                r.check.host is not None and not r.check.local and r.check.host.typed == path.host for r in cause.checks
            )
        ]
        traced = [
            i
            for i in on_host
            if any(
                r.check.port == path.trace.port and r.check.protocol == path.trace.protocol for r in causes[i].checks
            )
        ]
        chosen = traced or on_host
        if chosen and chosen[0] not in out:
            out[chosen[0]] = words
    return out


def answers(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> list[Answer]:
    """Page 1: every problem and warning, one line per cause, worst first; where a target's path
    was traced, the line of its filtered port says where the path ends."""
    words = _words(lang)
    out = []
    causes = _causes(diagnosis, catalog, lang, words, ACTIONABLE)
    path_ends = _path_ends(diagnosis, causes, lang)
    for index, cause in enumerate(causes):
        step, is_field, source = _first_step(cause.guidance, lang)
        out.append(
            Answer(
                severity=str(cause.severity),
                subject=_subject(cause),
                where=cause.where,
                found=cause.found,
                also=tuple(cause.also),
                first_step=step,
                step_is_field=is_field,
                guidance_id=None if source is None else source.id,
                guidance_title=None if source is None else source.title.say(lang),
                path_end=path_ends.get(index),
            )
        )
    return out


def _grouped_refs(results: Sequence[CheckResult], words: dict[str, str]) -> list[str]:
    """``TCP 8443, 9090 (sepm01)`` for the checks citing one guidance, per place."""
    by_where: dict[str, list[CheckResult]] = {}
    for result in results:
        by_where.setdefault(_where(result, words), []).append(result)
    return [f"{_ports_of(items)} ({where})" for where, items in by_where.items()]


def guidance_uses(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> list[GuidanceUse]:
    """Each guidance item that a problem or warning cites, once, in the order of page 1."""
    words = _words(lang)
    order: list[Guidance] = []
    checks: dict[str, list[CheckResult]] = {}
    findings: dict[str, list[str]] = {}
    worst: dict[str, Severity] = {}
    # Guidance for problems and warnings: information cites its guidance by title only.
    for cause in _causes(diagnosis, catalog, lang, words, ACTIONABLE):
        for item in cause.guidance:
            if item.id not in worst:
                order.append(item)
                worst[item.id] = cause.severity
            if cause.finding is not None:
                findings.setdefault(item.id, []).append(f"{cause.finding.title_for(lang)} ({words['this_pc']})")
            checks.setdefault(item.id, []).extend(cause.checks)
    return [
        GuidanceUse(
            GuidanceText.of(item, lang),
            tuple(findings.get(item.id, []) + _grouped_refs(checks.get(item.id, []), words)),
            str(worst[item.id]),
        )
        for item in order
    ]


def guidance_groups(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> list[GuidanceGroup]:
    groups: dict[tuple[str, ...], list[GuidanceUse]] = {}
    for use in guidance_uses(diagnosis, catalog, lang):
        groups.setdefault(use.applies_to, []).append(use)
    return [
        GuidanceGroup(applies, uses[0].severity, tuple(use.item for use in uses)) for applies, uses in groups.items()
    ]


def _certificate(app: AppResult) -> CertificateFacts | None:
    return app.evidence.certificate if isinstance(app.evidence, TlsEvidence) else None


def _certificate_key(certificate: CertificateFacts) -> str:
    return certificate.sha256 or certificate.subject or str(id(certificate))


def evidence(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> tuple[list[EvidenceRow], list[CertificateRow]]:
    """Every check that ran, in plan order, and each certificate once with the ports that showed it."""
    words = _words(lang)
    pairs = [(r, e) for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True) if r.state.ran]
    certificates: dict[str, tuple[CertificateFacts, list[CheckResult]]] = {}
    for result, _explanation in pairs:
        for app in result.application:
            certificate = _certificate(app)
            if certificate:
                seen = certificates.setdefault(_certificate_key(certificate), (certificate, []))[1]
                if result not in seen:
                    seen.append(result)
    numbers = {key: n for n, key in enumerate(certificates, 1)}
    rows = []
    for result, explanation in pairs:
        check = result.check
        entry = catalog.entry(check.entry_id)
        lines = []
        for app in result.application:
            certificate = _certificate(app)
            found = app.evidence if isinstance(app.evidence, TlsEvidence) else None
            tls = " · ".join(v for v in (found.tls_version, found.cipher) if v) if found is not None else ""
            lines.append(
                AppLine(
                    test=say(f"apptest.{app.test}", lang),
                    ok=app.ok,
                    via=None if app.via == "direct" else path_name(app).say(lang),
                    detail=say_any(app.detail, lang),
                    time_ms=app.time_text,
                    tls=tls or None,
                    certificate=numbers[_certificate_key(certificate)] if certificate else None,
                )
            )
        rows.append(
            EvidenceRow(
                anchor=f"check-{check.id}",
                severity=str(explanation.severity),
                port=f"{check.protocol.upper()} {check.port}",
                default_port=check.default_port if check.port != check.default_port else None,
                purpose=entry.purpose.say(lang),
                entry_id=entry.id,
                where=_where(result, words),
                address=result.address if result.address and check.host and result.address != check.host.name else None,
                state=say(f"state.{result.state}", lang),
                headline=explanation.headline_for(lang) if explanation.severity is Severity.INFO else None,
                reason=say_any(result.reason, lang),
                # A check of this PC connects to its own socket: that round trip says nothing.
                round_trip=result.round_trip,
                attempts=result.attempts,
                application=tuple(lines),
                # The sockets this PC has there, unless the verdict's own evidence already names them.
                sockets=tuple(s for s in result.local_sockets if s not in say_any(result.reason, lang)),
            )
        )
    # Only here: tlsinfo loads cryptography, which a report without certificates never needs.
    from sep_port_doctor.core.tlsinfo import expired_ago, expires_in

    table = [
        CertificateRow(
            number=numbers[key],
            seen_on=_ports_of(results),
            subject=certificate.subject,
            issuer=certificate.issuer,
            sans=", ".join(certificate.sans) or "-",
            not_before=certificate.not_before[:10],
            not_after=certificate.not_after[:10],
            days_left=certificate.days_left,
            expired_ago=expired_ago(certificate).say(lang) if certificate.expired else "",
            expires_in="" if certificate.expired else expires_in(certificate).say(lang),
            expired=certificate.expired,
            expires_soon=certificate.expires_soon,
            self_signed=certificate.self_signed,
            name_matches=certificate.name_matches,
            checked_name=certificate.checked_name,
            sha256=certificate.sha256,
            key=certificate.key,
        )
        for key, (certificate, results) in certificates.items()
    ]
    return rows, table


def finding_rows(diagnosis: Diagnosis, catalog: Catalog, lang: Lang, printed: set[str]) -> list[FindingRow]:
    """This PC's Windows findings, worst first; ``printed``: the guidance ids the report prints."""
    if diagnosis.local is None:
        return []
    findings = sorted(diagnosis.local.findings, key=lambda f: f.severity.rank)
    return [
        FindingRow(
            anchor=f"finding-{f.id}",
            severity=str(f.severity),
            title=f.title_for(lang),
            # A problem or warning has its headline on page 1: here what it does not say (the rules, the commands).
            detail=f.beyond_headline.say(lang)
            if f.severity in ACTIONABLE and f.beyond_headline
            else f.detail_for(lang),
            guidance=tuple(
                (g, catalog.guidance[g].title.say(lang), g in printed) for g in f.guidance if g in catalog.guidance
            ),
        )
        for f in findings
    ]


def skipped_groups(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> list[SkippedGroup]:
    """Every check that sent nothing (not applicable, not tested, cancelled), grouped by its reason."""
    groups: dict[tuple[str, str], list[CheckResult]] = {}
    for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
        if not result.state.ran:
            key = (say(f"state.{result.state}", lang), _skip_reason(explanation, lang))
            groups.setdefault(key, []).append(result)
    # The catalogue's port numbers: a check that sent nothing never used the port it was moved to
    # (the header lists the moves), and "TCP 8443" says which entry it is where "TCP 39857 (=8443)" does not.
    return [
        SkippedGroup(
            state,
            reason,
            ports_text((r.check.protocol, str(r.check.default_port)) for r in results),
            tuple(r.check.entry_id for r in results),
        )
        for (state, reason), results in groups.items()
    ]


def _skip_reason(explanation: Finding, lang: Lang) -> str:
    # The explanation's headline is "Not applicable: <why>"; the table's column says the first part.
    headline = explanation.headline_for(lang)
    for separator in (": ", ":"):
        if separator in headline:
            return headline.split(separator, 1)[1]
    return headline


def _summary_list(
    diagnosis: Diagnosis, lang: Lang, words: dict[str, str], severity: Severity
) -> list[tuple[str, list[str]]]:
    """(where, subjects) of the checks and findings of one severity: page 1's short lines, each
    place named once (``This PC: TCP 139, 445 · SEP client services``)."""
    results = [r for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True) if e.severity is severity]
    by_where: dict[str, list[CheckResult]] = {}
    for result in results:
        by_where.setdefault(_where(result, words), []).append(result)
    out = {where: [_ports_of(items)] for where, items in by_where.items()}
    if diagnosis.local is not None:
        for finding in diagnosis.local.findings:
            if finding.severity is severity:
                out.setdefault(words["this_pc"], []).append(finding.title_for(lang))
    return list(out.items())


def path_rows(diagnosis: Diagnosis, lang: Lang) -> list[dict[str, Any]]:
    """Each target's path facts, compact: a title, a line per fact, the trace's hops on one line."""
    rows = []
    for path in diagnosis.paths:
        hops = "" if path.trace is None else path.trace.hops_text()
        rows.append(
            {
                "title": f"{say(f'path.target-{path.target}', lang)} {path.where}",
                "lines": path.lines(lang),
                "hops": hops,
            }
        )
    return rows


def report_context(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> dict[str, Any]:
    """Everything the template shows, as plain values (no objects with behaviour)."""
    words = _words(lang)
    version = diagnosis.request.version
    counts = diagnosis.counts()
    overrides = ", ".join(f"{d}→{a}" for d, a in sorted(diagnosis.request.overrides.items()))
    rows, certificates = evidence(diagnosis, catalog, lang)
    skipped = skipped_groups(diagnosis, catalog, lang)
    guidance = guidance_groups(diagnosis, catalog, lang)
    printed = {g.id for group in guidance for g in group.items}
    manager = diagnosis.request.manager
    addresses = sorted(
        {r.address for r in diagnosis.results if r.address and r.check.host == manager and r.address != manager.name}
    )
    appendix = [
        {
            "port": e.label,
            "purpose": e.purpose.say(lang),
            "processes": ", ".join(p.name for p in e.processes_for(version)) or "-",
            "direction": say(f"direction.{e.direction}", lang),
            "change": say(f"configurable.{configurable_code(e)}", lang),
            "versions": e.versions_text.say(lang),
        }
        for e in catalog.applicable(version)
    ]
    return {
        "lang": lang,
        "w": words,
        "overall": str(diagnosis.overall),
        "overall_text": words[f"overall_{diagnosis.overall}"],
        "counts": [(str(s), say(f"severity.{s}", lang), counts[s]) for s in SEVERITY_ORDER],
        "severity_titles": {str(s): say(f"severity.{s}", lang) for s in SEVERITY_ORDER},
        "answers": answers(diagnosis, catalog, lang),
        "passed": _summary_list(diagnosis, lang, words, Severity.PASSED),
        "info": _summary_list(diagnosis, lang, words, Severity.INFO),
        "guidance": guidance,
        "evidence": evidence_groups(rows),
        "certificates": certificates,
        "paths": path_rows(diagnosis, lang),
        "paths_title": say("path.heading", lang),
        "findings": finding_rows(diagnosis, catalog, lang, printed),
        "skipped": skipped,
        "skipped_count": sum(len(g.entry_ids) for g in skipped),
        "notices": [
            {"title": catalog.guidance[g].title.say(lang), "text": catalog.guidance[g].text.say(lang)}
            for g in diagnosis.notices
        ],
        "cancelled": diagnosis.cancelled,
        "computer": diagnosis.computer,
        "os": diagnosis.os_name,
        "note": diagnosis.note,
        "manager": manager.typed,
        "manager_addresses": ", ".join(addresses),
        "version": version.describe(lang) if version else "-",
        "role": say(f"role.{diagnosis.request.role}", lang),
        "date": diagnosis.started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "duration": seconds_text(diagnosis.duration_ms, lang),
        "overrides": overrides,
        "appendix": appendix,
        # A note the report already prints as guidance is named there, not said twice.
        "general_notes": [
            {
                "id": g.id,
                "title": g.title.say(lang),
                "text": g.text.say(lang),
                "steps": [s.say(lang) for s in g.steps],
                "own_steps": g.own_steps,
                "printed": g.id in printed,
            }
            for g in catalog.general_notes
        ],
    }
