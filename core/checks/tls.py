"""TLS facts of a port: a handshake that accepts any certificate, then the protocol, the cipher
and the certificate as ``core.tlsinfo`` reads them (trust is reported, not required: SEPM's
certificates are self-signed by default)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement, OpenPort, words
from sep_port_doctor.core.i18n import Joined, Message
from sep_port_doctor.core.results import AppResult, CheckResult, Severity

if TYPE_CHECKING:
    from sep_port_doctor.core.tlsinfo import CertificateFacts

CHECK_ID = "tls"


@dataclass(frozen=True)
class TlsEvidence:
    tls_version: str
    cipher: str
    certificate: CertificateFacts | None
    """None: the server sent no certificate."""

    def to_json(self) -> dict[str, Any]:
        certificate = None if self.certificate is None else dataclasses.asdict(self.certificate)
        return {"tls_version": self.tls_version, "cipher": self.cipher, "certificate": certificate}


class Tls(ApplicationCheck):
    id = CHECK_ID
    sends = "a TLS ClientHello (every protocol version and cipher the system allows; no data after the handshake)"
    guidance = ("certificate", "tls-failed")
    preload = ("sep_port_doctor.core.tlsinfo",)

    async def run(self, port: OpenPort) -> AppResult:
        # cryptography is imported here, once the first packets of the run are out (core.engine).
        from sep_port_doctor.core.tlsinfo import (
            TlsFailure,
            TlsTimedOut,
            describe_certificate_problems,
            describe_certificate_warnings,
            tls_probe,
        )

        started = time.perf_counter()
        server_name = None if port.host.is_ip else port.host.name
        try:
            facts = await tls_probe(port.address, port.port, server_name, port.host.name, port.deadline)
        except TlsFailure as exc:
            elapsed = (time.perf_counter() - started) * 1000
            return AppResult(self.id, False, exc.words, "direct", elapsed, timed_out=isinstance(exc, TlsTimedOut))
        elapsed = (time.perf_counter() - started) * 1000
        evidence = TlsEvidence(facts.version, facts.cipher, facts.certificate)
        cert = facts.certificate
        if cert is None:
            said = Message("evidence.tls-no-certificate", version=facts.version)
            return AppResult(self.id, False, said, "direct", elapsed, evidence)
        problems = describe_certificate_problems(cert)
        if problems:
            return AppResult(
                self.id, False, Joined(tuple(problems), "explain.list-separator"), "direct", elapsed, evidence
            )
        warnings = describe_certificate_warnings(cert)
        summary = Message(
            "evidence.tls-summary",
            version=facts.version,
            cipher=facts.cipher,
            name=cert.common_name or cert.subject,
            not_after=cert.not_after[:10],
            self_signed=Message("evidence.tls-self-signed") if cert.self_signed else "",
            warnings=Message("evidence.tls-warnings", warnings=Joined(tuple(warnings), "explain.list-separator"))
            if warnings
            else "",
        )
        return AppResult(self.id, True, summary, "direct", elapsed, evidence)

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement:
        cert = app.evidence.certificate if isinstance(app.evidence, TlsEvidence) else None
        if cert is None:
            return Judgement(Severity.PROBLEM, words("tls-failed", detail=app.detail), ("tls-failed", *port_guidance))
        if cert.expired:
            from sep_port_doctor.core.tlsinfo import expired_ago

            said = words("certificate-expired", date=cert.not_after[:10], ago=expired_ago(cert), detail=app.detail)
        else:
            said = words("certificate-not-yet-valid", date=cert.not_before[:10], detail=app.detail)
        return Judgement(Severity.PROBLEM, said, ("certificate",))

    def notice(self, app: AppResult) -> Judgement | None:
        cert = app.evidence.certificate if isinstance(app.evidence, TlsEvidence) else None
        if cert is None:
            return None
        if cert.expires_soon:
            from sep_port_doctor.core.tlsinfo import expires_in

            said = words("certificate-expires-soon", until=expires_in(cert))
            return Judgement(Severity.WARNING, said, ("certificate",))
        if not cert.name_matches:
            said = words("certificate-other-name", name=cert.checked_name, subject=cert.subject)
            return Judgement(Severity.WARNING, said, ("certificate",))
        return None


CHECKS = (Tls(),)
