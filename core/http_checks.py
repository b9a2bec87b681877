"""One bounded HTTP(S) GET with httpx, and the system proxy: what the HTTP application checks
(``core.checks.secars``, ``core.checks.version_api``) and the path facts share.

Every exchange is bounded: one deadline covers connect, headers and body (a
server that trickles one byte at a time still ends on time), and at most
``MAX_BODY`` bytes are read whatever the server sends.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.i18n import FALLBACK_LANG, Message
from sep_port_doctor.core.untrusted import strip_credentials

if TYPE_CHECKING:
    import ssl

    import httpx

# httpx (and, through core.tlsinfo, cryptography) are imported when the first exchange
# starts: `check` sends its first packets without waiting for them (core.engine loads
# them right after those packets are out). asyncio and ssl too: the application checks'
# declarations import this module, and `ports` reads those without running any.

HTTP_LIBRARIES = ("httpx", "httpcore", "anyio._backends._asyncio", "concurrent.futures.thread")
"""What an exchange runs on. httpx imports httpcore (with h11 and certifi) only when a client is
made, anyio its asyncio backend at the first request, and asyncio its executor for the first
name lookup. Left to the first exchange, that loading took 80-190 ms of its deadline on this
2-core machine at load 7 and once 0.9 s, so a server that answered at once was told "no complete
answer within 1 s" under ``--timeout 1`` (tests/core/test_reliability.py, 2 of 9 hostile servers
in one run). They are loaded before the deadline starts, and core.engine loads them earlier
still, once the first packets are out (the HTTP checks' ``preload``)."""

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
    """The exchange failed; ``words`` is the evidence for the user (``str()``: in English, for the log)."""

    def __init__(self, words: Message, *, at_proxy: bool = False, timed_out: bool = False) -> None:
        super().__init__(words.say(FALLBACK_LANG))
        self.words = words
        self.at_proxy = at_proxy
        """Through a proxy: the failure is the proxy's (not reached, refused the tunnel)."""
        self.timed_out = timed_out
        """No complete answer within the deadline (on a lossy path the engine tries again)."""


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
    return f"proxy {host}:{port or default_port(parts.scheme)}"


_TLS_WORDS = ("ssl", "tls", "certificate", "handshake", "wrong version", "record layer")
_PROXY_SERVERS = ("tinyproxy", "squid", "proxy", "bluecoat", "zscaler", "privoxy", "ccproxy", "mcafee web gateway")


def default_port(scheme: str) -> int:
    """The port a URL of this scheme means when it names none (HTTP's, not SEP's)."""
    import http.client

    return http.client.HTTPS_PORT if scheme == "https" else http.client.HTTP_PORT


def url_for(scheme: str, host: Host, port: int, path: str) -> str:
    return f"{scheme}://{host.url_host}:{port}{path}"


def _host_header(url: str) -> dict[str, str]:
    """For a link-local manager (``https://[fe80::1%eth0]:443/``): the zone id picks this PC's link
    and stays here, not in the Host header (RFC 6874), which Apache answers with 400 Bad Request."""
    from urllib.parse import urlsplit

    netloc = urlsplit(url).netloc
    if "%" not in netloc:
        return {}
    address, _, rest = netloc.partition("%")
    return {"Host": address + rest[rest.index("]") :]}


class _OpenedConnections:
    """Every connection one exchange opened, told by httpcore's ``trace`` request extension, so that
    the exchange closes them all however it ends.

    httpcore closes a connection it could not finish setting up only on an error: a cancel (a run
    cancelled, or the exchange's own deadline) that lands in the TLS handshake leaves the TCP
    connection open, held by nothing but the garbage collector, which closes it later with a
    ResourceWarning (tests/core/test_app_checks.py, cut short in the TLS handshake).
    """

    def __init__(self) -> None:
        self._streams: list[Any] = []

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            self._streams.append(info["return_value"])

    async def close(self) -> None:
        if not self._streams:
            return
        stream = self._streams.pop()
        try:
            await stream.aclose()  # aborts the connection at once, then lets the loop run
        except Exception:  # closing twice (httpcore closed it already) is harmless
            pass
        finally:
            await self.close()  # the others too, even if this run is cancelled once more meanwhile


async def http_get(
    url: str,
    *,
    timeout: float,
    proxy: str | None = None,
    max_body: int = MAX_BODY,
    context: ssl.SSLContext | None = None,
) -> HttpExchange:
    """One bounded GET. Raises HttpFailure with the evidence."""
    import asyncio
    import importlib
    import ssl

    import httpx

    from sep_port_doctor.core.tlsinfo import client_context

    for library in HTTP_LIBRARIES:  # the program's own loading is not the server's time
        importlib.import_module(library)
    started = time.perf_counter()
    opened = _OpenedConnections()
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
                client.stream("GET", url, headers=_host_header(url), extensions={"trace": opened}) as response,
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
        raise HttpFailure(Message("evidence.http-stalled", seconds=f"{timeout:g}"), timed_out=True) from None
    except httpx.ProxyError as exc:
        raise HttpFailure(Message("evidence.proxy-refused", error=_raw(exc)), at_proxy=True) from None
    except httpx.ConnectError as exc:
        if proxy is not None and not any(word in str(exc).lower() for word in _TLS_WORDS):
            # Through a proxy the TCP connection goes to the proxy.
            raise HttpFailure(Message("evidence.proxy-connect", reason=_connect_words(exc)), at_proxy=True) from None
        raise HttpFailure(_connect_words(exc)) from None
    except httpx.RemoteProtocolError as exc:
        raise HttpFailure(Message("evidence.http-invalid", error=_raw(exc))) from None
    except (httpx.ReadError, httpx.WriteError) as exc:
        raise HttpFailure(Message("evidence.http-broken", error=str(exc) or exc.__class__.__name__)) from None
    except httpx.TimeoutException:
        raise HttpFailure(Message("evidence.http-timeout", seconds=f"{timeout:g}"), timed_out=True) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a Location such as "a:!" in an answer
        raise HttpFailure(Message("evidence.http-error", error=f"{exc.__class__.__name__}: {_raw(exc)}")) from None
    except (ssl.SSLError, OSError) as exc:
        raise HttpFailure(Message("evidence.connect-failed", error=_raw(exc))) from None
    finally:
        await opened.close()


def _raw(exc: BaseException) -> str:
    """The library's own words for a failure (a raw value of the evidence), never with a credential."""
    return strip_credentials(str(exc))


def _connect_words(exc: httpx.ConnectError) -> Message:
    text = str(exc)
    lowered = text.lower()
    if "wrong version number" in lowered or "record layer" in lowered:
        return Message("evidence.not-tls")
    if "refused" in lowered:
        return Message("evidence.connect-refused")
    if "reset" in lowered:
        return Message("evidence.connect-reset")
    return Message("evidence.connect-failed", error=strip_credentials(text) or exc.__class__.__name__)


MAX_JSON_DEPTH = 32
"""The version API answers a flat object; anything nested deeper is not that answer."""


def json_depth(text: str) -> int:
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
