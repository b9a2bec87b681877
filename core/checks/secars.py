"""The secars heartbeat: ``GET /secars/secars.dll?hello,secars`` over HTTP (8014) or HTTPS (443),
which the manager answers ``200`` with the body ``OK``; run direct and, where the system names a
proxy for the manager, through it too (clients use the system proxy)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement, OpenPort, words
from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.http_checks import HTTP_LIBRARIES, HttpExchange, HttpFailure, http_get, proxy_label, url_for
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import AppResult, CheckResult, Severity, State
from sep_port_doctor.core.verdicts import CAUSE_GUIDANCE, VERDICT_GUIDANCE, path_name, paths_detail
from sep_port_doctor.core.versions import SepVersion

SECARS_PATH = "/secars/secars.dll?hello,secars"

_PROXY_STATUSES = {407, 502, 503, 504}


@dataclass(frozen=True)
class HttpEvidence:
    """One GET: the URL, and the answer when there was one."""

    url: str
    status: int | None = None
    body_excerpt: str | None = None
    body_truncated: bool = False
    server: str | None = None
    reason: str = ""
    """The status line's words (``Internal Server Error``): said in the headline; the JSON keeps
    them in the step's ``detail``."""
    failed_at_proxy: bool = False
    """Through a proxy: the failure is the proxy's (not reached, refused, could not reach the manager)."""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"url": self.url}
        if self.status is not None:
            found |= {
                "status": self.status,
                "body_excerpt": self.body_excerpt,
                "body_truncated": self.body_truncated,
                "server": self.server,
            }
        if self.failed_at_proxy:
            found["failed_at"] = "proxy"
        return found


def _answer_from_proxy(exchange: HttpExchange, headers_say_proxy: bool) -> bool:
    """Whether an error answer through a proxy is the proxy's own (it could not, or would not, pass it)."""
    if exchange.status in _PROXY_STATUSES:
        return True
    return exchange.status >= 400 and headers_say_proxy


async def secars_check(scheme: str, host: Host, port: int, timeout: float, *, proxy: str | None = None) -> AppResult:
    """``GET /secars/secars.dll?hello,secars``: the manager answers status 200 with the body ``OK``.

    Strict, because a lookalike passing would hide the fault: any other status (a redirect to a
    login page, 204) fails, and so does any other body (``ok``, ``OKAY``, ``OK`` with more after
    it, a byte-order mark or blank lines before it). Only trailing whitespace is allowed: servers
    end the body with a CR LF or a newline.

    Through a proxy, a failure that is the proxy's (it cannot be reached, refuses, asks for
    credentials, or says it cannot reach the manager) says so: evidence ``failed_at`` = ``proxy``.
    """
    test = f"secars-{scheme}"
    # The proxy's own user and password authenticate the request; they are never shown or kept.
    via = "direct" if proxy is None else proxy_label(proxy)
    url = url_for(scheme, host, port, SECARS_PATH)
    try:
        exchange = await http_get(url, timeout=timeout, proxy=proxy)
    except HttpFailure as exc:
        evidence = HttpEvidence(url, failed_at_proxy=proxy is not None and exc.at_proxy)
        return AppResult(test, False, exc.words, via, None, evidence, timed_out=exc.timed_out)
    return secars_verdict(test, exchange, via, url, through_proxy=proxy is not None)


def secars_verdict(test: str, exchange: HttpExchange, via: str, url: str, *, through_proxy: bool = False) -> AppResult:
    """The secars heartbeat's verdict on one answer (any status, reason and body)."""
    evidence = HttpEvidence(
        url, exchange.status, exchange.excerpt(), exchange.truncated, exchange.server, exchange.reason
    )
    if exchange.status != 200:
        status_line = f"HTTP {exchange.status} {exchange.reason}".strip()
        if through_proxy and _answer_from_proxy(exchange, exchange.proxy_marks):
            proxied = dataclasses.replace(evidence, failed_at_proxy=True)
            words = Message("evidence.http-from-proxy", status_line=status_line)
            return AppResult(test, False, words, via, exchange.time_ms, proxied)
        words = Message("evidence.http-not-200", status_line=status_line)
        return AppResult(test, False, words, via, exchange.time_ms, evidence)
    if exchange.body.rstrip(b" \t\r\n") != b"OK":
        words = Message("evidence.secars-body", body=repr(exchange.excerpt()))
        return AppResult(test, False, words, via, exchange.time_ms, evidence)
    return AppResult(test, True, Message("evidence.secars-ok"), via, exchange.time_ms, evidence)


def _blamed_on_proxy(app: AppResult) -> bool:
    return isinstance(app.evidence, HttpEvidence) and app.evidence.failed_at_proxy


class Secars(ApplicationCheck):
    sends = "GET /secars/secars.dll?hello,secars (HTTP/1.1, no credentials)"
    guidance = ("secars-not-ok", "client-communication", "proxy-differs", "proxy-only", "proxy-failed")
    preload = (*HTTP_LIBRARIES, "sep_port_doctor.core.tlsinfo")

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.id = f"secars-{scheme}"
        self.proxy_scheme = scheme

    async def run(self, port: OpenPort) -> AppResult:
        return await secars_check(self.scheme, port.host, port.port, port.deadline, proxy=port.proxy)

    def _paths(self, result: CheckResult) -> tuple[list[AppResult], list[AppResult]]:
        heartbeat = [a for a in result.application if a.test == self.id]
        return [a for a in heartbeat if a.via == "direct"], [a for a in heartbeat if a.via != "direct"]

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement:
        ids = ["secars-not-ok", "client-communication"]
        direct, proxied = self._paths(result)
        if direct and proxied and direct[0].ok != proxied[0].ok:
            ids.insert(0, "proxy-differs")
        evidence = app.evidence if isinstance(app.evidence, HttpEvidence) else None
        if evidence is not None and evidence.status is not None:
            status = f"{evidence.status} {evidence.reason}".strip()
            headline = words("secars-wrong-answer", status=status, body=repr(evidence.body_excerpt or ""))
        elif app.timed_out and app.tries > 1:
            # Tried again on a path that lost packets (core.timing rule 7): the network may be at fault.
            headline = words("secars-lossy-path", detail=app.detail)
        else:
            headline = words("secars-no-answer", detail=app.detail)
        return Judgement(Severity.PROBLEM, headline, tuple(ids))

    def explain_paths(
        self, result: CheckResult, port_guidance: tuple[str, ...], version: SepVersion | None
    ) -> Judgement | None:
        """The heartbeat tried direct and through the system proxy: the verdict names each path."""
        direct, proxied = self._paths(result)
        if not proxied:
            return None
        proxy = proxied[0]
        state = result.state
        direct_ok = state is State.OPEN and bool(direct) and direct[0].ok
        if direct_ok and proxy.ok:
            return None  # both paths pass: the passed headline names them
        # The manager answered right directly, so whatever went wrong through the proxy is the proxy's doing.
        blamed = not proxy.ok and (_blamed_on_proxy(proxy) or direct_ok)
        direct_words = (
            paths_detail([direct[0]], named=True)
            if state is State.OPEN and direct
            else Message("explain.path-state", path=Message("word.direct"), state=Message(f"state.{state}"))
        )
        proxy_words = (
            Message(
                "explain.path-proxy-failed",
                path=path_name(proxy),
                failed=Message("cause.proxy-failed"),
                detail=proxy.detail,
            )
            if blamed
            else paths_detail([proxy])
        )
        headline = Message("explain.both-paths", direct=direct_words, proxy=proxy_words)
        verdict = [VERDICT_GUIDANCE[state]] if state in VERDICT_GUIDANCE else []
        if proxy.ok:
            # Only the proxy gets through (or only it answers right): the client works only if it uses the proxy.
            ids = ["proxy-only"] if not direct_ok and state is not State.OPEN else ["secars-not-ok", "proxy-differs"]
            severity = Severity.WARNING if state is not State.OPEN else Severity.PROBLEM
            return Judgement(severity, headline, (*ids, *verdict, *port_guidance))
        ids = ["proxy-failed"] if blamed else ["proxy-differs"]
        if direct_ok:
            # Clients from 14.2 use only the system proxy: a failing proxy stops them; older ones go direct first.
            uses_proxy_only = version is None or version.release_key >= (14, 2, 0, 0)
            severity = Severity.PROBLEM if uses_proxy_only else Severity.WARNING
            return Judgement(severity, headline, (*ids, "client-communication"))
        if state is State.OPEN:
            ids = ["secars-not-ok", *ids, "client-communication"]
        elif state in VERDICT_GUIDANCE:
            ids = [*CAUSE_GUIDANCE.get(result.cause, verdict), *ids]
        return Judgement(Severity.PROBLEM, headline, (*ids, *port_guidance))


CHECKS = (Secars("http"), Secars("https"))
