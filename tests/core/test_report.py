"""The HTML report: parsed, escaped, self-contained, written atomically."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.localpc import inspect_local
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.report import export, render_report
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.windows_fixtures import FixtureSystem

CATALOG = load_catalog()
HOSTILE_CN = '<script>alert("cn")</script><b onmouseover=x>'
HOSTILE_NOTE = '<script>alert("note")</script> & <img src=x onerror=alert(1)> チケット #42'


def _diagnosis(profile: str = "healthy", cn: str | None = None, role: Role = Role.CLIENT) -> Diagnosis:
    async def scenario() -> Diagnosis:
        manager = SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS})
        if cn is not None:
            from sep_port_doctor.core.simulator import make_certificate

            manager.certificate = make_certificate(cn, ["127.0.0.1"])
        async with manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"),
                version=parse_version("14.3 RU1"),
                role=role,
                overrides=dict(manager.bound),
                platform="win32",
            )
            summary = await ProbeEngine(TimeoutPolicy(initial=0.5, cap=1.0), use_system_proxy=False).run(
                build_plan(CATALOG, request), version=request.version
            )
        local = await inspect_local(FixtureSystem("en-fps-blocked"))
        return Diagnosis.from_run(request, summary, CATALOG, local, note=HOSTILE_NOTE)

    return asyncio.run(scenario())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def hostile() -> Diagnosis:
    return _diagnosis("healthy", cn=HOSTILE_CN, role=Role.CONSOLE)


def test_hostile_certificate_subject_and_note_are_escaped(hostile: Diagnosis) -> None:
    html = render_report(hostile, CATALOG, "en")
    parsed = _parse(html)
    assert [t for t, _ in parsed.tags if t in ("script", "img")] == []
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    text = "".join(parsed.text)
    assert '<script>alert("note")</script>' in text  # shown as text, verbatim
    assert HOSTILE_CN in text  # the certificate's subject too, verbatim as text
    assert "&lt;script&gt;alert(&#34;cn&#34;)&lt;/script&gt;&lt;b onmouseover=x&gt;" in html


def test_report_is_self_contained_and_structured() -> None:
    diagnosis = _diagnosis("cert-expired")
    html = render_report(diagnosis, CATALOG, "ja")
    parsed = _parse(html)
    # Nothing is fetched from anywhere.
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "script", "iframe", "img"), tag
        for name in ("src", "href"):
            assert not (attrs.get(name) or "").startswith(("http", "//")), attrs
    text = "".join(parsed.text)
    assert "SEP 通信ポート診断レポート" in text
    assert "問題があります" in text  # the overall verdict
    assert "client-https-443" in html
    assert "証明書の有効期限が切れています" in text
    assert "に期限が切れています" in text  # the TLS evidence in the report's language (it was English)
    assert "expired on" not in text
    assert "SHA-256" in text
    assert "ファイルとプリンターの共有(ポート 445)を許可する" in text  # this PC's finding, with guidance
    assert "付録: このバージョンで使われるポート" in text
    appendix = html.split("付録: このバージョンで使われるポート")[1]
    assert "TCP 8081" not in appendix and "TCP 8014" in appendix  # 14.3 RU1: 8081 is not used
    # The page's general notes, as the vendor's, inside the appendix (printed when it is open).
    folded = appendix.split("</details>")[0]
    assert "ベンダーのポートのページの全般的な注記(表全体に適用、ベンダーの記載)" in folded
    for note in CATALOG.general_notes:
        assert f'id="general-{note.id}"' in folded
        # Printed once: in the appendix, or where the report gives it as guidance (linked from here).
        assert html.count(note.text.say("ja")) == 1, note.id
        assert (note.text.say("ja") in folded) != (f'href="#guidance-{note.id}"' in folded), note.id
    # Print margins, but no forced paper: A4 and Letter users print on their own paper.
    assert "@page" in html and "size: A4" not in html


def test_english_report_and_counts() -> None:
    diagnosis = _diagnosis("healthy")
    html = render_report(diagnosis, CATALOG, "en")
    text = "".join(_parse(html).text)
    assert "SEP port troubleshooting report" in text
    counts = diagnosis.counts()
    assert f"Passed {counts[next(s for s in counts if str(s) == 'passed')]}" in text
    assert "Made with SEP Port Doctor" in text


def test_a_check_that_did_not_run_is_never_shown_as_passed() -> None:
    diagnosis = _diagnosis("healthy")
    html = render_report(diagnosis, CATALOG, "en")
    # gup-tcp-2967 applies but had no host: it is in the table of checks that sent nothing, with why.
    skipped = html.split('<section id="skipped">')[1].split("</section>")[0]
    assert "no Group Update Provider given" in skipped and "TCP 2967" in skipped
    passed = html.split("<b>Passed:</b>")[1].split("</li>")[0]
    evidence = html.split('<section id="evidence">')[1].split("</section>")[0]
    assert "2967" not in passed and "gup-tcp-2967" not in evidence


def test_export_writes_html_and_json_atomically(tmp_path: Path) -> None:
    diagnosis = _diagnosis("healthy")
    html_path, json_path = export(diagnosis, CATALOG, "en", tmp_path, "ticket 42.html")
    assert html_path == tmp_path / "ticket 42.html"
    assert json.loads(json_path.read_text(encoding="utf-8"))["note"] == HOSTILE_NOTE
    assert stat.S_IMODE(html_path.stat().st_mode) & 0o044  # readable by others, like any document
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dates_are_shown_in_local_time() -> None:
    diagnosis = _diagnosis("healthy")
    diagnosis.started = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    html = render_report(diagnosis, CATALOG, "en")
    assert diagnosis.started.astimezone().strftime("%Y-%m-%d %H:%M") in html


def test_out_of_support_notice_in_the_report() -> None:
    diagnosis = _diagnosis("healthy")
    diagnosis.request = PlanRequest(
        manager=diagnosis.request.manager, version=parse_version("14.2 RU1"), overrides=diagnosis.request.overrides
    )
    assert "lost vendor support at the end of 2024" in render_report(diagnosis, CATALOG, "en")
    diagnosis.request = PlanRequest(manager=diagnosis.request.manager, version=parse_version("14.3 RU1"))
    assert "lost vendor support" not in render_report(diagnosis, CATALOG, "en")
