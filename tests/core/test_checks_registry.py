"""Application checks as a registry: each module of core/checks declares its checks, the
catalogue names them, and adding one is one new module plus catalogue data."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

import sep_port_doctor.core.checks
from sep_port_doctor.core.catalog import PROTOCOLS, load_catalog, parse_catalog
from sep_port_doctor.core.checks import payloads, registry
from sep_port_doctor.core.checks.netbios_status import NetbiosEvidence
from sep_port_doctor.core.checks.secars import HttpEvidence
from sep_port_doctor.core.checks.smb_negotiate import SmbEvidence
from sep_port_doctor.core.checks.tls import TlsEvidence
from sep_port_doctor.core.checks.version_api import VersionEvidence
from sep_port_doctor.core.diagnosis import check_json
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import group_words, languages
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.results import AppResult, Severity, State
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.servers import serving
from tests.helpers.words import raw

CATALOG = load_catalog()


def test_every_check_is_declared_once_named_by_the_catalogue_and_has_its_words() -> None:
    named = {check for entry in CATALOG.entries for check in entry.checks}
    assert set(registry()) == named  # no check that no entry runs
    for check_id, check in registry().items():
        assert check.id == check_id and check.protocol in PROTOCOLS and check.sends.strip()
        assert check.payload is None or check.payload in payloads()
        for lang in languages():  # how the report and the window name it
            assert group_words("apptest", lang).get(check_id), (check_id, lang)
        for gid in check.guidance:
            assert gid in CATALOG.guidance
    assert set(payloads()) == {entry.sends for entry in CATALOG.entries if entry.sends}


def test_what_the_catalogue_says_an_entry_gets_is_what_the_plan_runs() -> None:
    request = PlanRequest(manager=parse_host("sepm"), version=parse_version("14.3"), role=Role.MANAGER, all_ports=True)
    for check in build_plan(CATALOG, request):
        entry = CATALOG.entry(check.entry_id)
        assert check.app_tests == entry.checks and check.sends == entry.sends, entry.id


def test_evidence_becomes_the_documented_json_only_at_the_boundary() -> None:
    """The keys README documents for `application.steps[].evidence`, per check."""
    secars = AppResult(
        "secars-https",
        False,
        raw("HTTP 503"),
        "proxy p:3128",
        1.0,
        HttpEvidence("https://m/", 503, "x", False, "squid", "Service Unavailable", failed_at_proxy=True),
    )
    assert secars.evidence_json("en") == {
        "url": "https://m/", "status": 503, "body_excerpt": "x", "body_truncated": False, "server": "squid", "failed_at": "proxy",
    }  # fmt: skip
    silent = AppResult(
        "secars-http",
        False,
        raw("no answer"),
        evidence=HttpEvidence("http://m/"),
        timed_out=True,
        tries=2,
        first_try=raw("t"),
    )
    assert silent.evidence_json("en") == {"url": "http://m/", "timed_out": True, "tries": 2, "first_try": "t"}
    version = VersionEvidence("https://m/v", 200, "{}", "14.3.1", "14.3 RU1", "14.3 RU1")
    assert list(version.to_json()) == [
        "url", "status", "body_excerpt", "reported_version", "reported_release", "entered_release",
    ]  # fmt: skip
    assert TlsEvidence("TLSv1.3", "TLS_AES_128_GCM_SHA256", None).to_json() == {
        "tls_version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256", "certificate": None,
    }  # fmt: skip
    assert SmbEvidence("3.1.1", True, True, "g").to_json() == {
        "dialect": "3.1.1", "signing_enabled": True, "signing_required": True, "server_guid": "g",
    }  # fmt: skip
    assert SmbEvidence(dialect="1", answer="SMB1").to_json() == {"dialect": "1", "answer": "SMB1"}
    assert NetbiosEvidence(("PC<00>",), "02:00:00:00:00:01").to_json() == {
        "names": ["PC<00>"],
        "mac": "02:00:00:00:00:01",
    }
    assert AppResult("syslog-send", True, raw("sent")).to_json("en")["evidence"] == {}


ECHO_MODULE = '''
"""A made-up check for the test: HELLO in, HELLO back."""

import asyncio
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement
from sep_port_doctor.core.results import AppResult, Severity


@dataclass(frozen=True)
class EchoEvidence:
    answer: str

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer}


class Echo(ApplicationCheck):
    id = "echo-hello"
    sends = "HELLO"

    async def run(self, port):
        async with asyncio.timeout(port.deadline):
            reader, writer = await asyncio.open_connection(port.address, port.port)
            writer.write(b"HELLO\\r\\n")
            said = (await reader.readline()).decode().strip()
            writer.close()
        return AppResult(self.id, said == "HELLO", f"answered {said!r}", evidence=EchoEvidence(said))

    def explain(self, app, result, entry):
        return Judgement(Severity.PROBLEM, Words(app.detail), ("verdict-closed",))


@dataclass(frozen=True)
class Words:
    """The check's own sentence (a real check adds it to the messages' [check]: words(code))."""

    detail: str

    def say(self, lang):
        return {"ja": f"エコーが違います: {self.detail}"}.get(lang, f"Wrong echo: {self.detail}")


CHECKS = (Echo(),)
'''


@pytest.fixture
def echo_module(tmp_path: Path) -> Iterator[None]:
    """sep_port_doctor.core.checks with one more module (in a folder of the test's own)."""
    (tmp_path / "echo_hello.py").write_text(textwrap.dedent(ECHO_MODULE), encoding="utf-8")
    caches = (sep_port_doctor.core.checks._modules, registry, payloads)
    sep_port_doctor.core.checks.__path__.append(str(tmp_path))
    for cached in caches:
        cached.cache_clear()
    try:
        yield
    finally:
        sep_port_doctor.core.checks.__path__.remove(str(tmp_path))
        sys.modules.pop("sep_port_doctor.core.checks.echo_hello", None)
        for cached in caches:
            cached.cache_clear()


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    line = await reader.readline()
    writer.write(b"OLLEH\r\n" if line.strip() == b"HELLO" else b"?\r\n")
    await writer.drain()


@pytest.mark.usefixtures("echo_module")
def test_a_new_check_is_one_module_and_catalogue_data() -> None:
    """A module in core/checks and `checks = [...]` on an entry: nothing else changes, and the
    plan, the engine, the explanation and the JSON all carry it."""
    ports = (resources.files("sep_port_doctor.resources") / "catalog" / "ports.toml").read_text(encoding="utf-8")
    guidance = (resources.files("sep_port_doctor.resources") / "catalog" / "guidance.toml").read_bytes()
    marked = 'id = "control-tcp-8765"\n'
    assert marked in ports
    ports = ports.replace(marked, marked + 'checks = ["echo-hello"]\n', 1)
    catalog = parse_catalog("ports.toml", ports.encode(), "guidance.toml", guidance)

    async def scenario() -> AppResult | None:
        async with serving(_echo) as server:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), role=Role.MANAGER,
                overrides={8765: server.port},
            )  # fmt: skip
            check = next(c for c in build_plan(catalog, request) if c.entry_id == "control-tcp-8765")
            assert check.app_tests == ("echo-hello",)
            engine = ProbeEngine(TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0), use_system_proxy=False)
            summary = await engine.run([check])
            result = summary.results[0]
            assert result.state is State.OPEN
            explanation = explain(result, catalog)
            assert explanation.severity is Severity.PROBLEM
            assert explanation.headline_for("en") == "Wrong echo: answered 'OLLEH'"
            document = json.loads(json.dumps(check_json(result, explanation, "en")))
            assert document["application"]["steps"][0]["evidence"] == {"answer": "OLLEH"}
            return result.application[0]

    app = asyncio.run(scenario())
    assert app is not None and app.test == "echo-hello" and not app.ok


def test_a_module_without_checks_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nothing_here.py").write_text("VALUE = 1\n", encoding="utf-8")
    sep_port_doctor.core.checks.__path__.append(str(tmp_path))
    sep_port_doctor.core.checks._modules.cache_clear()
    try:
        with pytest.raises(ValueError, match="nothing_here declares no CHECKS"):
            sep_port_doctor.core.checks._modules()
    finally:
        sep_port_doctor.core.checks.__path__.remove(str(tmp_path))
        sys.modules.pop("sep_port_doctor.core.checks.nothing_here", None)
        sep_port_doctor.core.checks._modules.cache_clear()


def test_guidance_the_verdict_tables_name_exists() -> None:
    """The port verdicts' and push causes' guidance ids (Python's own references into guidance.toml)."""
    from sep_port_doctor.core.push import _CAUSE_GUIDANCE as PUSH_CAUSES
    from sep_port_doctor.core.verdicts import CAUSE_GUIDANCE, VERDICT_GUIDANCE

    named = {*VERDICT_GUIDANCE.values(), *(g for ids in CAUSE_GUIDANCE.values() for g in ids)}
    named |= {g for ids in PUSH_CAUSES.values() for g in ids}
    assert len(named) > 10
    assert sorted(named - set(CATALOG.guidance)) == []
