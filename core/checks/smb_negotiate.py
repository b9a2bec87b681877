"""An SMB2 NEGOTIATE on the push port: does a real SMB server answer, which dialect, is
signing required? The exchange (``core.smb``) runs on asyncio, so hundreds of targets need no
threads. Nothing is authenticated: no session is set up, no credential is sent, no share is
opened; the connection is closed right after the server's NEGOTIATE response.

``smb_negotiate`` never raises for what the network sends: anything that is not an SMB2
NEGOTIATE response is a failed ``AppResult`` that says what came instead (an SMB1-only
server, another protocol's words, a closed connection, silence).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement, OpenPort, words
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import AppResult, CheckResult, Severity
from sep_port_doctor.core.smb import SMB1_MAGIC, SMB2_MAGIC, SMB_LIBRARIES, exchange, parse_negotiate_response
from sep_port_doctor.core.untrusted import terminal_safe

CHECK_ID = "smb-negotiate"


@dataclass(frozen=True)
class SmbEvidence:
    """The NEGOTIATE response's facts, or ``answer``: what came instead (``SMB1``, another
    protocol's first words, ``""`` for a connection closed without a word)."""

    dialect: str | None = None
    signing_enabled: bool | None = None
    signing_required: bool | None = None
    server_guid: str | None = None
    answer: str | None = None

    @property
    def smb_answered(self) -> bool:
        """An SMB server answered (SMB1, or SMB2 in a shape not expected)."""
        return self.answer in ("SMB1", "SMB2")

    def to_json(self) -> dict[str, Any]:
        found = {
            "dialect": self.dialect,
            "signing_enabled": self.signing_enabled,
            "signing_required": self.signing_required,
            "server_guid": self.server_guid,
            "answer": self.answer,
        }
        return {key: value for key, value in found.items() if value is not None}


def _excerpt(data: bytes) -> str:
    """The first bytes another protocol sent, as plain text a terminal and a report can show: UTF-8
    where they are (a banner in Japanese), else one character per byte."""
    text = _utf8(data[:48]) or data[:48].decode("latin-1")
    printable = "".join(ch if ch.isprintable() else "." for ch in text.strip())
    return terminal_safe(printable) or data[:16].hex(" ")


def _utf8(data: bytes) -> str | None:
    """``data`` as UTF-8, a character the cut at 48 bytes split left out; None when it is not UTF-8."""
    for cut in range(4):  # a UTF-8 character is at most 4 bytes
        try:
            return data[: len(data) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


async def smb_negotiate(address: str, port: int, deadline: float) -> AppResult:
    """One NEGOTIATE exchange with ``address``: a passed ``AppResult`` only for a real SMB2/3 answer."""
    started = time.perf_counter()

    def result(ok: bool, detail: Message, evidence: SmbEvidence | None = None) -> AppResult:
        elapsed = (time.perf_counter() - started) * 1000
        return AppResult(CHECK_ID, ok, detail, "direct", elapsed, evidence or SmbEvidence())

    try:
        answer = await exchange(address, port, deadline)
    except TimeoutError:
        return result(False, Message("evidence.smb-timeout", seconds=f"{deadline:g}"))
    except OSError as exc:
        return result(False, Message("evidence.smb-failed", error=exc.strerror or exc.__class__.__name__))
    if not answer:
        return result(False, Message("evidence.smb-closed"), SmbEvidence(answer=""))
    message = answer[4:]
    if message.startswith(SMB1_MAGIC):
        return result(
            False,
            Message("evidence.smb1-only"),
            SmbEvidence(dialect="1", answer="SMB1"),
        )
    if not message.startswith(SMB2_MAGIC):
        shown = _excerpt(answer)
        return result(False, Message("evidence.smb-other", port=port, answer=shown), SmbEvidence(answer=shown))
    try:
        facts = parse_negotiate_response(message)
    except ValueError as exc:
        return result(False, Message("evidence.smb-unexpected", error=str(exc)), SmbEvidence(answer="SMB2"))
    signing = Message("evidence.smb-signing-required" if facts["signing_required"] else "evidence.smb-signing-optional")
    return result(True, Message("evidence.smb-ok", dialect=facts["dialect"], signing=signing), SmbEvidence(**facts))


class SmbNegotiate(ApplicationCheck):
    id = CHECK_ID
    sends = "an SMB2 NEGOTIATE offering SMB 2.0.2 to 3.1.1, as Windows 10 does (no session, no credentials)"
    guidance = ("push-not-smb",)
    preload = SMB_LIBRARIES

    async def run(self, port: OpenPort) -> AppResult:
        return await smb_negotiate(port.address, port.port, port.deadline)

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement:
        return Judgement(Severity.PROBLEM, words("not-smb", detail=app.detail), ("push-not-smb",))


CHECKS = (SmbNegotiate(),)
