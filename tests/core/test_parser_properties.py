"""Every parser of remote data, fed random and mutated bytes (hypothesis): each returns its
result or raises its one documented error, never anything else.

Covered: the HTTP exchange (a real loopback server sending the bytes), the secars and
version-API verdicts, the certificate facts (`cryptography` raises many classes), the
NetBIOS node status, SyLink.xml.
"""

from __future__ import annotations

import asyncio
import functools
import struct

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sep_port_doctor.core.checks.netbios_status import node_status_result
from sep_port_doctor.core.checks.secars import secars_verdict
from sep_port_doctor.core.checks.version_api import reported_version, version_verdict
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.http_checks import HttpExchange, HttpFailure, http_get
from sep_port_doctor.core.localpc import parse_sylink_xml
from sep_port_doctor.core.netbios import NetbiosError, node_status_answer, node_status_query, parse_node_status
from sep_port_doctor.core.results import AppResult
from sep_port_doctor.core.simulator import make_certificate
from sep_port_doctor.core.tlsinfo import (
    CertificateFacts,
    CertificateUnreadable,
    certificate_facts,
    describe_certificate_warnings,
)
from sep_port_doctor.core.versions import parse_version
from tests.helpers.servers import (
    answer_at_once,
    nested_json,
    netbios_cut_after_record_header,
    serving,
    x400_san_certificate,
)
from tests.helpers.words import english

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NETWORK_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original cut, with bytes flipped, inserted or removed: what a broken or hostile peer sends."""
    data = bytearray(original)
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        if operation == "flip":
            data[at] = draw(st.integers(0, 255))
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "delete":
            del data[at]
        else:
            del data[at:]
    return bytes(data)


# --- NetBIOS node status ---------------------------------------------------------------------

VALID_NBSTAT = node_status_answer(node_status_query(0x1234), "SEPM01", "CORP", b"\x00\x11\x22\x33\x44\x55")


def _node_status_or_its_error(data: bytes) -> None:
    try:
        status = parse_node_status(data)
    except NetbiosError:
        pass
    else:
        assert isinstance(english(status.describe()), str)
    result = node_status_result(data, 137)
    assert isinstance(result, AppResult)


@PROPERTY
@given(st.binary(max_size=600))
def test_netbios_random_bytes(data: bytes) -> None:
    _node_status_or_its_error(data)


@PROPERTY
@given(mutated(VALID_NBSTAT))
@example(netbios_cut_after_record_header(node_status_query(1)))
@example(VALID_NBSTAT[:56])
def test_netbios_mutated_answers(data: bytes) -> None:
    _node_status_or_its_error(data)


def test_netbios_every_truncation_of_a_real_answer() -> None:
    for end in range(len(VALID_NBSTAT) + 1):
        _node_status_or_its_error(VALID_NBSTAT[:end])


def test_netbios_answer_ending_right_after_the_record_header_is_a_readable_refusal() -> None:
    result = node_status_result(netbios_cut_after_record_header(node_status_query(7)), 137)
    assert not result.ok
    assert "the record ends after its header" in english(result.detail)


def test_netbios_still_reads_a_real_answer() -> None:
    status = parse_node_status(VALID_NBSTAT)
    assert status.mac == "00:11:22:33:44:55"
    assert "computer SEPM01" in english(status.describe())


# --- certificate facts -------------------------------------------------------------------------


@functools.cache
def _valid_der() -> bytes:
    pem = make_certificate("sepm01", ["sepm01.corp", "127.0.0.1"]).cert_pem
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


def _facts_or_unreadable(der: bytes) -> CertificateFacts | None:
    try:
        facts = certificate_facts(der, "sepm01.corp")
    except CertificateUnreadable as exc:
        assert str(exc).startswith("the certificate cannot be read")
        return None
    assert isinstance(describe_certificate_warnings(facts), list)
    return facts


@PROPERTY
@given(st.binary(max_size=2000))
def test_certificate_random_bytes(der: bytes) -> None:
    _facts_or_unreadable(der)


@PROPERTY
@given(st.data())
def test_certificate_mutated_der(data: st.DataObject) -> None:
    _facts_or_unreadable(data.draw(mutated(_valid_der())))


def test_certificate_with_an_x400_address_in_its_san_keeps_the_other_facts() -> None:
    pem = x400_san_certificate("sepm01").cert_pem
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    facts = _facts_or_unreadable(der)
    assert facts is not None
    assert facts.common_name == "sepm01" and facts.not_after != "?"
    assert facts.unreadable == (
        "alternative names: UnsupportedGeneralNameType: x400Address/EDIPartyName are not supported types",
    )
    assert facts.name_matches is False  # cannot be confirmed without the names
    assert "certificate field unreadable: alternative names" in " ".join(
        english(w) for w in describe_certificate_warnings(facts)
    )


# --- HTTP answers: secars and the 8446 version API ----------------------------------------------


def _exchange(status: int, reason: str, body: bytes) -> HttpExchange:
    return HttpExchange(status, reason, body, False, 1.0, None)


@PROPERTY
@given(st.integers(0, 999), st.text(max_size=80), st.binary(max_size=4096))
@example(200, "OK", b"OK")
@example(200, "OK", b"\xff\xfe\x00OK\x80")
def test_secars_verdict_on_any_answer(status: int, reason: str, body: bytes) -> None:
    result = secars_verdict("secars-http", _exchange(status, reason, body), "direct", "http://x/")
    assert result.ok == (status == 200 and body.strip() == b"OK")


VERSION_BODIES = [
    b'{"version":"14.3.7393.4000"}',
    b'{"version":"<img src=file:///dev/zero>"}',
    b'{"version":' + b"9" * 4000 + b"}",
    b'{"version":"' + "１４．３ ＲＵ１".encode() + b'"}',
]


@PROPERTY
@given(st.one_of(st.binary(max_size=4096), st.sampled_from(VERSION_BODIES).flatmap(mutated)))
@example(nested_json(2000))
@example(b'{"a":' * 1500 + b"1" + b"}" * 1500)
@example(b'{"version":' + b"[" * 3000)
def test_version_verdict_on_any_body(body: bytes) -> None:
    expected = parse_version("14.3 RU1")
    result = version_verdict(_exchange(200, "OK", body), expected, "https://x/")
    assert isinstance(result, AppResult)
    try:
        reported_version(body)
    except ValueError:
        assert not result.ok


def test_nesting_is_measured_outside_strings_only() -> None:
    flat = b'{"version": "14.3.9205.6000", "note": "[[[[{{{{' + b"[" * 100 + b'"}'
    assert reported_version(flat) == "14.3.9205.6000"
    assert reported_version(b'{"version":"14.3","x":' + b"[" * 31 + b"]" * 31 + b"}") == "14.3"
    with pytest.raises(ValueError, match="nested deeper than 32 levels"):
        reported_version(b'{"version":"14.3","x":' + b"[" * 32 + b"]" * 32 + b"}")


def test_nested_arrays_are_an_unreadable_answer_not_a_crash() -> None:
    result = version_verdict(_exchange(200, "OK", nested_json(2000)), None, "https://x/")
    assert not result.ok
    assert "not JSON: nested deeper than 32 levels" in english(result.detail)


async def _http_get_of(raw: bytes) -> HttpExchange | None:
    async with serving(answer_at_once(raw)) as server:
        try:
            return await http_get(f"http://127.0.0.1:{server.port}/", timeout=2.0)
        except HttpFailure:
            return None


@NETWORK_PROPERTY
@given(
    st.one_of(
        st.binary(min_size=1, max_size=1500),
        mutated(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nServer: x\r\n\r\nOK"),
        mutated(
            b"HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n0\r\n\r\n"
        ),
    )
)
def test_http_exchange_of_any_bytes_is_an_answer_or_a_failure(raw: bytes) -> None:
    exchange = asyncio.run(_http_get_of(raw))
    if exchange is not None:
        assert isinstance(exchange.excerpt(), str)
        result = secars_verdict("secars-http", exchange, "direct", "http://x/")
        assert isinstance(result, AppResult)


# --- SyLink.xml ----------------------------------------------------------------------------------

SYLINK = (
    '<?xml version="1.0" encoding="UTF-8"?><ServerSettings><CommConf><ServerList><ServerPriorityBlock>'
    '<Server Name="sepm01.corp" HttpPort="8014" HttpsPort="443"/><Server Address="10.0.0.5" HttpPort="x"/>'
    "</ServerPriorityBlock></ServerList></CommConf></ServerSettings>"
)
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><Server Name="&j;"/>'
)


@PROPERTY
@given(st.one_of(st.text(max_size=2000), st.sampled_from([SYLINK]).map(str.encode).flatmap(mutated).map(
    lambda b: b.decode("utf-8", errors="replace"))))  # fmt: skip
@example(BILLION_LAUGHS)
@example("<" * 5000)
def test_sylink_of_any_text_is_a_server_list(text: str) -> None:
    servers = parse_sylink_xml(text)
    assert isinstance(servers, tuple)


def test_sylink_still_reads_a_real_file() -> None:
    servers = parse_sylink_xml(SYLINK)
    assert [s.host for s in servers] == ["sepm01.corp", "10.0.0.5"]


def test_netbios_answer_with_a_huge_name_count_is_bounded() -> None:
    header = struct.pack(">HHHHHH", 1, 0x8400, 0, 1, 0, 0)
    answer = header + bytes((32,)) + b"C" * 32 + b"\x00" + struct.pack(">HHIH", 0x21, 1, 0, 65535) + b"\xff"
    assert not node_status_result(answer, 137).ok
    assert parse_host("127.0.0.1").is_ip


def _patched(find: bytes, replace: bytes) -> bytes:
    der = _valid_der()
    assert der.count(find) == 1 and len(find) == len(replace)
    return der.replace(find, replace)


def test_certificate_with_a_duplicated_extension_keeps_the_other_facts() -> None:
    """The SAN's OID (2.5.29.17) turned into basicConstraints' (2.5.29.19): `cryptography` raises
    DuplicateExtension, an Exception but not a ValueError, on any look at the extensions."""
    facts = _facts_or_unreadable(_patched(b"\x06\x03\x55\x1d\x11", b"\x06\x03\x55\x1d\x13"))
    assert facts is not None and facts.common_name == "sepm01"
    assert facts.unreadable and facts.unreadable[0].startswith("alternative names: DuplicateExtension")


def test_certificate_with_an_unknown_key_algorithm_keeps_the_other_facts() -> None:
    """rsaEncryption (1.2.840.113549.1.1.1) turned into an OID nobody knows: UnsupportedAlgorithm."""
    facts = _facts_or_unreadable(
        _patched(b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01\x05\x00", b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x7f\x05\x00")
    )
    assert facts is not None and facts.key == "?"
    assert any(u.startswith("public key: ") for u in facts.unreadable)
