"""Application checks over HTTP(S) with httpx: the secars heartbeat and the 8446 version API.

Every exchange is bounded: one deadline covers connect, headers and body (a
server that trickles one byte at a time still ends on time), and at most
``MAX_BODY`` bytes are read whatever the server sends.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.hosts import Host
from core.results import AppResult, AppTest
from core.untrusted import strip_credentials
from core.versions import SepVersion, VersionError, parse_version

if TYPE_CHECKING:
    import httpx

# httpx (and, through core.tlsinfo, cryptography) are imported when the first exchange
# starts: `check` sends its first packets without waiting for them (core.engine loads
# them right after those packets are out).

SECARS_PATH = "/secars/secars.dll?hello,secars"
VERSION_PATH = "/sepm/api/v1/version"
MAX_BODY = 4096
EXCERPT_CHARS = 200
USER_AGENT = "SEP-Port-Doctor"


@dataclass(frozen=True)
class HttpExchange:
    status: int
    reason: str
    body: bytes
    truncated: bool
    time_ms: float
    server: str | None
    proxy_marks: bool = False
    """The answer carries a proxy's own headers (an error page of the proxy, not of the manager)."""

    def excerpt(self) -> str:
        return excerpt(self.body)


def excerpt(body: bytes, limit: int = EXCERPT_CHARS) -> str:
    """A short, printable excerpt of a body that may be anything (binary, not UTF-8)."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    printable = "".join(ch if ch.isprintable() or ch in " " else f"\\x{ord(ch):02x}" for ch in text)
    return printable[:limit] + ("…" if len(printable) > limit or len(body) > limit * 4 else "")


class HttpFailure(Exception):
    """The exchange failed; the message is the evidence for the user."""

    def __init__(self, message: str, *, at_proxy: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        self.at_proxy = at_proxy
        """Through a proxy: the failure is the proxy's (not reached, refused the tunnel)."""
        self.timed_out = timed_out
        """No complete answer within the deadline (on a lossy path the engine tries once more)."""


def system_proxy(url: str, host: Host) -> str | None:
    """The proxy the system would use for ``url`` (Windows: the Internet Options registry), or None.

    Blocking: ``proxy_bypass`` can resolve names (Windows, macOS); the engine calls it in a thread.
    """
    import urllib.request

    try:
        proxies = urllib.request.getproxies()
        scheme = url.split(":", 1)[0]
        proxy = proxies.get(scheme) or proxies.get("all")
        if not proxy or urllib.request.proxy_bypass(host.name):
            return None
    except (OSError, ValueError):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def proxy_label(proxy: str) -> str:
    """``proxy HOST:PORT``: how a path through a proxy is named (never with its credentials)."""
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"proxy {host}:{port or (443 if parts.scheme == 'https' else 80)}"


_PROXY_STATUSES = {407, 502, 503, 504}
_TLS_WORDS = ("ssl", "tls", "certificate", "handshake", "wrong version", "record layer")
_PROXY_SERVERS = ("tinyproxy", "squid", "proxy", "bluecoat", "zscaler", "privoxy", "ccproxy", "mcafee web gateway")


def _answer_from_proxy(exchange: HttpExchange, headers_say_proxy: bool) -> bool:
    """Whether an error answer through a proxy is the proxy's own (it could not, or would not, pass it)."""
    if exchange.status in _PROXY_STATUSES:
        return True
    return exchange.status >= 400 and headers_say_proxy


def url_for(scheme: str, host: Host, port: int, path: str) -> str:
    return f"{scheme}://{host.url_host}:{port}{path}"


async def http_get(
    url: str,
    *,
    timeout: float,
    proxy: str | None = None,
    max_body: int = MAX_BODY,
    context: ssl.SSLContext | None = None,
) -> HttpExchange:
    """One bounded GET. Raises HttpFailure with the evidence."""
    import httpx

    from core.tlsinfo import client_context

    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            async with (
                httpx.AsyncClient(
                    verify=context or client_context(),
                    trust_env=False,
                    proxy=proxy,
                    timeout=httpx.Timeout(timeout),
                    follow_redirects=False,
                    headers={"User-Agent": USER_AGENT},
                ) as client,
                client.stream("GET", url) as response,
            ):
                body = bytearray()
                truncated = False
                async for chunk in response.aiter_raw():
                    body += chunk
                    if len(body) >= max_body:
                        truncated = True
                        del body[max_body:]
                        break
                server = response.headers.get("server")
                marks = any(h in response.headers for h in ("x-squid-error", "proxy-authenticate")) or any(
                    name in (server or "").lower() for name in _PROXY_SERVERS
                )
                return HttpExchange(
                    status=response.status_code,
                    reason=response.reason_phrase,
                    body=bytes(body),
                    truncated=truncated,
                    time_ms=(time.perf_counter() - started) * 1000,
                    server=server[:100] if server else None,
                    proxy_marks=marks,
                )
    except TimeoutError:
        raise HttpFailure(
            f"no complete answer within {timeout:g} s (the server stalls or trickles)", timed_out=True
        ) from None
    except httpx.ProxyError as exc:
        raise HttpFailure(f"the proxy refused or failed: {exc}", at_proxy=True) from None
    except httpx.ConnectError as exc:
        if proxy is not None and not any(word in str(exc).lower() for word in _TLS_WORDS):
            # Through a proxy the TCP connection goes to the proxy.
            raise HttpFailure(f"cannot connect to the proxy: {_connect_words(exc)}", at_proxy=True) from None
        raise HttpFailure(_connect_words(exc)) from None
    except httpx.RemoteProtocolError as exc:
        raise HttpFailure(f"the answer is not valid HTTP ({exc})") from None
    except (httpx.ReadError, httpx.WriteError) as exc:
        raise HttpFailure(f"the connection broke: {exc or exc.__class__.__name__}") from None
    except httpx.TimeoutException:
        raise HttpFailure(f"no complete answer within {timeout:g} s", timed_out=True) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a Location such as "a:!" in an answer
        raise HttpFailure(f"HTTP error: {exc.__class__.__name__}: {exc}") from None
    except (ssl.SSLError, OSError) as exc:
        raise HttpFailure(f"connection failed: {exc}") from None


def _connect_words(exc: httpx.ConnectError) -> str:
    text = str(exc)
    lowered = text.lower()
    if "wrong version number" in lowered or "record layer" in lowered:
        return "the port answered, but not with TLS (plain HTTP?)"
    if "refused" in lowered:
        return "connection refused"
    if "reset" in lowered:
        return "the server reset the connection"
    return f"connection failed: {text or exc.__class__.__name__}"


async def secars_check(scheme: str, host: Host, port: int, timeout: float, *, proxy: str | None = None) -> AppResult:
    """``GET /secars/secars.dll?hello,secars``: the manager answers status 200 with the body ``OK``.

    Strict, because a lookalike passing would hide the fault: any other status (a redirect to a
    login page, 204) fails, and so does any other body (``ok``, ``OKAY``, ``OK`` with more after
    it, a byte-order mark or blank lines before it). Only trailing whitespace is allowed: servers
    end the body with a CR LF or a newline.

    Through a proxy, a failure that is the proxy's (it cannot be reached, refuses, asks for
    credentials, or says it cannot reach the manager) says so: evidence ``failed_at`` = ``proxy``.
    """
    test = AppTest.SECARS_HTTPS if scheme == "https" else AppTest.SECARS_HTTP
    # The proxy's own user and password authenticate the request; they are never shown or kept.
    via = "direct" if proxy is None else proxy_label(proxy)
    url = url_for(scheme, host, port, SECARS_PATH)
    try:
        exchange = await http_get(url, timeout=timeout, proxy=proxy)
    except HttpFailure as exc:
        evidence_failed: dict[str, Any] = {"url": url}
        if proxy is not None and exc.at_proxy:
            evidence_failed["failed_at"] = "proxy"
        if exc.timed_out:
            evidence_failed["timed_out"] = True
        return AppResult(test, False, strip_credentials(str(exc)), via, None, evidence_failed)
    return secars_verdict(test, exchange, via, url, through_proxy=proxy is not None)


def secars_verdict(
    test: AppTest, exchange: HttpExchange, via: str, url: str, *, through_proxy: bool = False
) -> AppResult:
    """The secars heartbeat's verdict on one answer (any status, reason and body)."""
    evidence: dict[str, Any] = {
        "url": url,
        "status": exchange.status,
        "body_excerpt": exchange.excerpt(),
        "body_truncated": exchange.truncated,
        "server": exchange.server,
    }
    if exchange.status != 200:
        detail = f"HTTP {exchange.status} {exchange.reason}".strip()
        if through_proxy and _answer_from_proxy(exchange, exchange.proxy_marks):
            evidence["failed_at"] = "proxy"
            return AppResult(test, False, f"{detail} from the proxy", via, exchange.time_ms, evidence)
        return AppResult(test, False, f"{detail}, not 200 OK", via, exchange.time_ms, evidence)
    if exchange.body.rstrip(b" \t\r\n") != b"OK":
        return AppResult(
            test, False, f"HTTP 200 but the body is {exchange.excerpt()!r}, not 'OK'", via, exchange.time_ms, evidence
        )
    return AppResult(test, True, "HTTP 200, body 'OK'", via, exchange.time_ms, evidence)


async def sepm_version_check(host: Host, port: int, timeout: float, expected: SepVersion | None) -> AppResult:
    """Read the manager's version from the 8446 web service (no login needed)."""
    url = url_for("https", host, port, VERSION_PATH)
    try:
        exchange = await http_get(url, timeout=timeout)
    except HttpFailure as exc:
        evidence: dict[str, Any] = {"url": url, **({"timed_out": True} if exc.timed_out else {})}
        return AppResult(AppTest.SEPM_VERSION, False, str(exc), "direct", None, evidence)
    return version_verdict(exchange, expected, url)


MAX_JSON_DEPTH = 32
"""The version API answers a flat object; anything nested deeper is not that answer."""


def _json_depth(text: str) -> int:
    """How deep arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


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
    if _json_depth(text) > MAX_JSON_DEPTH:
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
    evidence: dict[str, Any] = {"url": url, "status": exchange.status, "body_excerpt": exchange.excerpt()}
    if exchange.status != 200:
        return AppResult(
            AppTest.SEPM_VERSION, False, f"HTTP {exchange.status}: no version", "direct", exchange.time_ms, evidence
        )
    try:
        raw = reported_version(exchange.body)
        reported = parse_version(raw)
    except (ValueError, VersionError) as exc:
        return AppResult(
            AppTest.SEPM_VERSION,
            False,
            f"the answer holds no readable version ({exc})",
            "direct",
            exchange.time_ms,
            evidence,
        )
    evidence["reported_version"] = raw
    evidence["reported_release"] = reported.describe()
    if expected is None:
        return AppResult(
            AppTest.SEPM_VERSION, True, f"manager reports {reported.describe()}", "direct", exchange.time_ms, evidence
        )
    evidence["entered_release"] = expected.release_name
    if reported.release_key == expected.release_key:
        return AppResult(
            AppTest.SEPM_VERSION,
            True,
            f"manager reports {reported.describe()}, as entered",
            "direct",
            exchange.time_ms,
            evidence,
        )
    return AppResult(
        AppTest.SEPM_VERSION,
        False,
        f"manager reports {reported.describe()}, but {expected.release_name} was entered",
        "direct",
        exchange.time_ms,
        evidence,
    )
