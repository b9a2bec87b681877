"""The manager's version API: ``GET /sepm/api/v1/version`` over HTTPS (8446, no login needed),
whose ``version`` field is compared with the version the user gave."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement, OpenPort, words
from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.http_checks import (
    HTTP_LIBRARIES,
    MAX_JSON_DEPTH,
    HttpExchange,
    HttpFailure,
    http_get,
    json_depth,
    url_for,
)
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import AppResult, CheckResult, Severity
from sep_port_doctor.core.versions import Described, SepVersion, VersionError, parse_version

VERSION_PATH = "/sepm/api/v1/version"
CHECK_ID = "sepm-version"


@dataclass(frozen=True)
class VersionEvidence:
    """The GET, and what the answer said of the version."""

    url: str
    status: int | None = None
    body_excerpt: str | None = None
    reported_version: str | None = None
    """The ``version`` field as the manager wrote it."""
    reported_release: str | None = None
    """The release it names (``14.3 RU6 (14.3.9205.6000)``)."""
    entered_release: str | None = None

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"url": self.url}
        if self.status is not None:
            found |= {"status": self.status, "body_excerpt": self.body_excerpt}
        if self.reported_version is not None:
            found |= {"reported_version": self.reported_version, "reported_release": self.reported_release}
        if self.entered_release is not None:
            found["entered_release"] = self.entered_release
        return found


async def sepm_version_check(host: Host, port: int, timeout: float, expected: SepVersion | None) -> AppResult:
    """Read the manager's version from its web service's version API (no login needed)."""
    url = url_for("https", host, port, VERSION_PATH)
    try:
        exchange = await http_get(url, timeout=timeout)
    except HttpFailure as exc:
        return AppResult(CHECK_ID, False, exc.words, "direct", None, VersionEvidence(url), timed_out=exc.timed_out)
    return version_verdict(exchange, expected, url)


def reported_version(body: bytes) -> str:
    """The ``version`` field of the 8446 answer; raises ValueError (only) when there is none.

    Nesting is measured before parsing: how deep Python's own parser may recurse differs
    between versions (3.11 raises RecursionError at a few thousand levels, 3.13 does not), and
    the verdict must not.
    """
    try:
        text = body.decode("utf-8")
    except ValueError as exc:
        raise ValueError(f"not JSON: {exc.__class__.__name__}") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"not JSON: nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise ValueError(f"not JSON: {exc.__class__.__name__}") from None
    raw = document.get("version") if isinstance(document, dict) else None
    if not isinstance(raw, str):
        raise ValueError("no 'version' field")
    return raw


def version_verdict(exchange: HttpExchange, expected: SepVersion | None, url: str) -> AppResult:
    """The version API's verdict on one answer (any status and body)."""
    evidence = VersionEvidence(url, exchange.status, exchange.excerpt())

    def verdict(ok: bool, detail: Message, found: VersionEvidence = evidence) -> AppResult:
        return AppResult(CHECK_ID, ok, detail, "direct", exchange.time_ms, found)

    if exchange.status != 200:
        return verdict(False, Message("evidence.version-http", status=exchange.status))
    try:
        raw = reported_version(exchange.body)
        reported = parse_version(raw)
    except (ValueError, VersionError) as exc:
        return verdict(False, Message("evidence.version-unreadable", error=str(exc)))
    read = VersionEvidence(url, exchange.status, exchange.excerpt(), raw, reported.describe())
    said = Described(reported)
    if expected is None:
        return verdict(True, Message("evidence.version-reported", version=said), read)
    read = VersionEvidence(url, exchange.status, exchange.excerpt(), raw, reported.describe(), expected.release_name)
    if reported.release_key == expected.release_key:
        return verdict(True, Message("evidence.version-as-entered", version=said), read)
    return verdict(False, Message("evidence.version-differs", version=said, entered=expected.release_name), read)


class VersionApi(ApplicationCheck):
    id = CHECK_ID
    sends = "GET /sepm/api/v1/version over HTTPS (no credentials)"
    guidance = ("version-mismatch", "console-ports")
    preload = (*HTTP_LIBRARIES, "sep_port_doctor.core.tlsinfo")

    async def run(self, port: OpenPort) -> AppResult:
        return await sepm_version_check(port.host, port.port, port.deadline, port.version)

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement:
        mismatch = isinstance(app.evidence, VersionEvidence) and app.evidence.reported_release is not None
        guidance = ("version-mismatch",) if mismatch else ("console-ports",)
        return Judgement(Severity.WARNING, words("version-api-failed", detail=app.detail), guidance)


CHECKS = (VersionApi(),)
