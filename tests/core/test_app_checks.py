"""Application checks (secars, TLS, version API) against real, broken and hostile loopback servers.

Every exchange must end in a correct verdict with its evidence, reading at most a few KB. That
the check's own deadline ended a stalled exchange shows in its words ("no complete answer
within"); the tests' deadlines are hang guards only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import ssl

import pytest
import trustme

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.checks.secars import SECARS_PATH, HttpEvidence, secars_check
from sep_port_doctor.core.checks.version_api import VersionEvidence, sepm_version_check
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.http_checks import MAX_BODY, HttpFailure, http_get
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.results import AppResult
from sep_port_doctor.core.simulator import make_certificate
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.tlsinfo import TlsFacts, TlsFailure, tls_probe
from sep_port_doctor.core.versions import parse_version
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.present import present
from tests.helpers.servers import (
    HOSTILE_HTTP,
    Behaviour,
    answer,
    answer_at_once,
    http_response,
    huge_body,
    never_answer,
    serving,
    udp_serving,
)
from tests.helpers.words import english

LOCAL = parse_host("127.0.0.1")
DEADLINE = 1.5


@pytest.fixture(scope="module")
def tls_context() -> ssl.SSLContext:
    ca = trustme.CA()
    cert = ca.issue_cert("sepm.example", "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


def _secars(behaviour: Behaviour, scheme: str = "http", context: ssl.SSLContext | None = None) -> AppResult:
    async def scenario() -> AppResult:
        async with serving(behaviour, context) as server:
            return await asyncio.wait_for(secars_check(scheme, LOCAL, server.port, DEADLINE), HANG_GUARD_S)

    return asyncio.run(scenario())


def test_secars_ok() -> None:
    result = _secars(answer(http_response(200, b"OK")))
    assert result.ok
    assert isinstance(result.evidence, HttpEvidence) and result.evidence.status == 200
    assert result.evidence.body_excerpt == "OK"
    assert result.time_ms is not None


def test_secars_ok_over_https(tls_context: ssl.SSLContext) -> None:
    result = _secars(answer(http_response(200, b"OK\r\n")), "https", tls_context)
    assert result.ok, english(result.detail)


# The secars heartbeat passes on status 200 with the body exactly "OK"; trailing whitespace
# (a CR LF or a newline a server appends) is allowed, nothing else (core/checks/secars.py).
@pytest.mark.parametrize("body", [b"OK", b"OK\r\n", b"OK\n", b"OK \t\r\n"])
def test_secars_accepts_ok_with_trailing_whitespace_only(body: bytes) -> None:
    result = _secars(answer(http_response(200, body)))
    assert result.ok, english(result.detail)
    assert english(result.detail) == "HTTP 200, body 'OK'"


@pytest.mark.parametrize(
    "body", [b"ok", b"Ok", b"OKAY", b"OK!", b"OK\r\nmore", b"OK OK", b" OK", b"\r\nOK", b"\xef\xbb\xbfOK", b""]
)
def test_secars_rejects_any_other_body(body: bytes) -> None:
    result = _secars(answer(http_response(200, body)))
    assert not result.ok
    assert "HTTP 200 but the body is" in english(result.detail) and "not 'OK'" in english(result.detail)


@pytest.mark.parametrize(
    ("status", "reason", "extra"),
    [
        (201, "Created", ""),
        (202, "Accepted", ""),
        (204, "No Content", ""),
        (206, "Partial Content", "Content-Range: bytes 0-1/2\r\n"),
        (301, "Moved Permanently", "Location: /secars/elsewhere\r\n"),
        (302, "Found", "Location: /login\r\n"),
        (304, "Not Modified", ""),
        (307, "Temporary Redirect", "Location: /login\r\n"),
        (399, "Unknown", ""),
    ],
)
def test_secars_rejects_every_status_but_200(status: int, reason: str, extra: str) -> None:
    result = _secars(answer(http_response(status, b"OK", reason, extra)))
    assert not result.ok
    assert english(result.detail).startswith(f"HTTP {status} ") and english(result.detail).endswith("not 200 OK"), (
        english(result.detail)
    )
    assert isinstance(result.evidence, HttpEvidence) and result.evidence.status == status


HOSTILE = HOSTILE_HTTP


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_http_servers_fail_with_evidence_within_the_deadline(name: str) -> None:
    behaviour, words = HOSTILE[name]
    result = _secars(behaviour)
    assert not result.ok
    assert words in english(result.detail)
    assert isinstance(result.evidence, HttpEvidence) and result.evidence.url.endswith(SECARS_PATH)


def test_huge_body_is_read_only_a_few_kb() -> None:
    async def scenario() -> int:
        async with serving(huge_body(50 * 1024 * 1024)) as server:
            exchange = await http_get(f"http://127.0.0.1:{server.port}/", timeout=DEADLINE)
        assert exchange.truncated
        return len(exchange.body)

    assert asyncio.run(scenario()) == MAX_BODY


def test_tls_on_the_http_port(tls_context: ssl.SSLContext) -> None:
    result = _secars(answer(http_response(200, b"OK")), "http", tls_context)
    assert not result.ok


def test_plain_http_on_the_tls_port() -> None:
    result = _secars(answer_at_once(http_response(400, b"Bad Request", "Bad Request")), "https")
    assert not result.ok
    assert english(result.detail) == "the port answered, but not with TLS (plain HTTP?)"


def _tls(context: ssl.SSLContext | None, behaviour: Behaviour, name: str = "127.0.0.1") -> TlsFacts:
    async def scenario() -> TlsFacts:
        async with serving(behaviour, context) as server:
            sni = None if name[0].isdigit() else name
            return await asyncio.wait_for(tls_probe("127.0.0.1", server.port, sni, name, DEADLINE), HANG_GUARD_S)

    return asyncio.run(scenario())


def _context_for(cert_pem: bytes, key_pem: bytes) -> ssl.SSLContext:
    from sep_port_doctor.core.simulator import Certificate

    return Certificate(cert_pem, key_pem).context()


def test_tls_facts_of_a_ca_issued_certificate(tls_context: ssl.SSLContext) -> None:
    facts = _tls(tls_context, never_answer)
    cert = present(facts.certificate)
    assert facts.version.startswith("TLSv1")
    assert cert.name_matches
    assert not cert.self_signed
    assert not cert.expired
    assert "IP:127.0.0.1" in cert.sans and "DNS:sepm.example" in cert.sans
    assert len(cert.sha256.split(":")) == 32


def test_self_signed_expired_certificate_is_reported() -> None:
    now = dt.datetime.now(dt.UTC)
    made = make_certificate("sepm", ["sepm", "127.0.0.1"], not_before=now - dt.timedelta(days=400), days=365)
    facts = _tls(_context_for(made.cert_pem, made.key_pem), never_answer)
    cert = present(facts.certificate)
    assert cert.self_signed
    assert cert.expired
    assert cert.days_left < 0
    assert cert.key == "RSA 2048"


def test_certificate_expiring_soon() -> None:
    now = dt.datetime.now(dt.UTC)
    made = make_certificate("sepm", ["127.0.0.1"], not_before=now - dt.timedelta(days=355), days=365)
    cert = present(_tls(_context_for(made.cert_pem, made.key_pem), never_answer).certificate)
    assert cert.expires_soon and not cert.expired
    assert 0 <= cert.days_left <= 10


def test_certificate_for_another_name() -> None:
    made = make_certificate("other.example", ["other.example"])
    cert = present(_tls(_context_for(made.cert_pem, made.key_pem), never_answer, "sepm.corp").certificate)
    assert not cert.name_matches
    assert cert.checked_name == "sepm.corp"


def test_certificate_subject_with_html_is_kept_verbatim_for_escaping_later() -> None:
    made = make_certificate("<script>alert(1)</script>", ["127.0.0.1"])
    cert = present(_tls(_context_for(made.cert_pem, made.key_pem), never_answer).certificate)
    assert cert.common_name == "<script>alert(1)</script>"
    assert "script" in cert.subject


def test_failed_tls_handshake() -> None:
    with pytest.raises(TlsFailure, match="not with TLS"):
        _tls(None, answer_at_once(http_response(400, b"plain", "Bad Request")))


def test_tls_handshake_stall_hits_the_deadline() -> None:
    with pytest.raises(TlsFailure, match=f"no TLS handshake within {DEADLINE:g} s"):
        _tls(None, never_answer)


def test_version_api(tls_context: ssl.SSLContext) -> None:
    body = b'{"API_SEQUENCE": "190301", "API_VERSION": "14.3.9000", "version": "14.3.3580.1100"}'

    async def scenario(expected: str) -> AppResult:
        async with serving(answer(http_response(200, body)), tls_context) as server:
            return await sepm_version_check(LOCAL, server.port, DEADLINE, parse_version(expected))

    same = asyncio.run(scenario("14.3 RU1 MP1"))
    assert same.ok and "14.3 RU1 MP1" in english(same.detail)
    other = asyncio.run(scenario("14.2 RU2"))
    assert not other.ok
    assert isinstance(other.evidence, VersionEvidence) and other.evidence.reported_version == "14.3.3580.1100"
    assert "14.2 RU2 was entered" in english(other.detail)


def test_version_api_with_garbage(tls_context: ssl.SSLContext) -> None:
    async def scenario() -> AppResult:
        async with serving(answer(http_response(200, b"\x00\xff not json")), tls_context) as server:
            return await sepm_version_check(LOCAL, server.port, DEADLINE, None)

    result = asyncio.run(scenario())
    assert not result.ok
    assert "no readable version" in english(result.detail)


@pytest.mark.parametrize("cut_by", ["deadline", "cancel"])
def test_an_https_exchange_cut_short_in_the_tls_handshake_closes_its_connection(cut_by: str) -> None:
    """The deadline (or a cancelled run) falls while the server has not answered the ClientHello:
    the connection is closed then, not left to the garbage collector, which would close it much
    later with a ResourceWarning (the suite's filterwarnings=error then fails whichever test runs)."""

    async def scenario() -> tuple[int, bool]:
        accepted = asyncio.Event()
        peer_closed = asyncio.Event()

        async def hold_until_the_client_closes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.set()
            with contextlib.suppress(ConnectionError):
                await reader.read()  # until EOF: the client closed its end
            peer_closed.set()

        async with serving(hold_until_the_client_closes) as server:
            url = f"https://127.0.0.1:{server.port}{SECARS_PATH}"
            if cut_by == "deadline":
                with pytest.raises(HttpFailure, match="no complete answer within"):
                    await asyncio.wait_for(http_get(url, timeout=0.3), HANG_GUARD_S)
            else:
                exchange = asyncio.ensure_future(http_get(url, timeout=HANG_GUARD_S))
                await asyncio.wait_for(accepted.wait(), HANG_GUARD_S)
                await asyncio.sleep(0.05)  # the ClientHello is out; the handshake waits for the server
                exchange.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await exchange
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(peer_closed.wait(), 2.0)
            return server.connections, peer_closed.is_set()

    collecting = gc.isenabled()
    gc.disable()  # the collector would close a leaked socket, hiding the leak this test is about
    try:
        connections, closed = asyncio.run(scenario())
    finally:
        if collecting:
            gc.enable()
        gc.collect()
    assert connections == 1
    assert closed, "the client left its connection open after the exchange was cut short"


def test_the_syslog_check_sends_one_test_message_the_readme_names() -> None:
    """README, "Sends": with the manager role, a syslog message "SEP Port Doctor connectivity test"
    to the syslog host (RFC 5424, facility user, severity info: <14>), which a real server receives."""
    catalog = load_catalog()

    async def scenario() -> tuple[list[bytes], bool | None]:
        async with udp_serving(lambda data: None) as (port, server):
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), role=Role.MANAGER,
                syslog=parse_host("127.0.0.1"), overrides={514: port},
            )  # fmt: skip
            syslog = [c for c in build_plan(catalog, request) if c.entry_id == "syslog-udp-514"]
            policy = TimeoutPolicy(initial=0.2, floor=0.05, cap=0.2, silent_host_wait=0.0)
            summary = await ProbeEngine(policy, use_system_proxy=False).run(syslog)
            return server.received, summary.results[0].app_ok

    received, ok = asyncio.run(scenario())
    assert ok is True
    assert received and all(
        d.startswith(b"<14>1 ") and d.endswith(b"SEP Port Doctor connectivity test") for d in received
    )
