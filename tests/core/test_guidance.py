"""One finding type, one way to render guidance (issue 15).

Every HTML surface (the report, the window's details panes for a check, a finding of this PC, a
push group or PC and, in tests/gui/test_reference.py, a catalogue entry) renders each guidance item
through the one macro of resources/templates/guidance.html.j2: the item's exact rendering is found
in each. The plain
text (command line, ticket) is ``guidance_lines``. Text from the network stays text:
the templates escape it, so the window can show their output as rich text.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.guidance import (
    GuidanceText,
    environment,
    guidance_lines,
    guidance_texts,
    render,
    source_words,
)
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.localpc.findings import LocalReport, local_finding
from sep_port_doctor.core.path.facts import PathLine
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.report import render_report
from sep_port_doctor.core.report_context import guidance_uses
from sep_port_doctor.core.results import CheckResult, Finding, Severity, State
from sep_port_doctor.core.versions import parse_version
from tests.helpers.words import raw

CATALOG = load_catalog()
HOSTILE = "<img src=file:///nonexistent/x.png><b>bold</b>"


def shared_item_html(guidance_id: str, lang: str) -> str:
    """The shared macro's rendering of one guidance item, alone."""
    template = environment().from_string('{% from "guidance.html.j2" import guidance_item %}{{ guidance_item(g, w) }}')
    return template.render(g=GuidanceText.of(CATALOG.guidance[guidance_id], lang), w=source_words(lang))


class Said:
    """Words in each language, as a test gives them (a finding's detail with remote text in it)."""

    def __init__(self, **texts: str) -> None:
        self.texts = texts

    def say(self, lang: str) -> str:
        return self.texts[lang]


def _diagnosis() -> Diagnosis:
    """Every port of the plan filtered, and this PC's File and Printer Sharing blocked (no network)."""
    request = PlanRequest(parse_host("sepm.example"), parse_version("14.3 RU1"), Role.CLIENT)
    results = [
        CheckResult(check, State.FILTERED if not check.skip else State.NOT_APPLICABLE, raw(HOSTILE))
        for check in build_plan(CATALOG, request)
    ]
    findings = [explain(r, CATALOG, request.version) for r in results]
    blocked = local_finding(
        "file-printer-sharing",
        Severity.PROBLEM,
        Message("local.title-file-printer-sharing"),
        Said(ja=f"ブロック {HOSTILE}", en=f"blocked {HOSTILE}"),
        ("allow-file-printer-sharing",),
        summary=Said(ja="ブロック", en="blocked"),
    )
    local = LocalReport("win32", None, (blocked,))
    return Diagnosis(request, results, findings, dt.datetime.now(dt.UTC), 1000.0, local)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_report_renders_each_guidance_item_with_the_shared_macro(lang: str) -> None:
    diagnosis = _diagnosis()
    html = render_report(diagnosis, CATALOG, lang)
    printed = [use.item.id for use in guidance_uses(diagnosis, CATALOG, lang)]
    assert "verdict-filtered" in printed and "allow-file-printer-sharing" in printed
    for guidance_id in printed:
        assert shared_item_html(guidance_id, lang) in html, guidance_id
    assert HOSTILE not in html and "&lt;img src=file:///nonexistent/x.png&gt;" in html


def test_the_details_panes_render_guidance_with_the_shared_macro() -> None:
    diagnosis = _diagnosis()
    result, finding = next((r, f) for r, f in zip(diagnosis.results, diagnosis.explanations, strict=True) if f.guidance)
    words = source_words("en")
    check_pane = render(
        "details_check.html.j2",
        port="TCP 8014",
        purpose="x",
        headline=finding.headline_for("en"),
        rows=[("Evidence", result.reason)],
        path=None,
        guidance=guidance_texts(CATALOG, finding.guidance, "en"),
        w=words,
    )
    assert shared_item_html(finding.guidance[0], "en") in check_pane
    assert HOSTILE not in check_pane and "&lt;b&gt;bold&lt;/b&gt;" in check_pane
    [this_pc] = diagnosis.local.findings if diagnosis.local else ()
    finding_pane = render(
        "details_finding.html.j2",
        title=this_pc.title_for("en"),
        detail=this_pc.detail_for("en"),
        guidance=guidance_texts(CATALOG, this_pc.guidance, "en"),
        w=words,
    )
    assert shared_item_html("allow-file-printer-sharing", "en") in finding_pane
    assert "blocked &lt;img" in finding_pane  # the whole detail, escaped, not the one-line summary
    push_pane = render(
        "details_push.html.j2",
        title=f"pc-01 {HOSTILE}",
        headline="",
        rows=[],
        path={"heading": "Path", "lines": [PathLine(f"DNS: {HOSTILE}", hops=f"1 {HOSTILE}")]},
        guidance=guidance_texts(CATALOG, ["allow-file-printer-sharing"], "en"),
        w=words,
    )
    assert shared_item_html("allow-file-printer-sharing", "en") in push_pane
    assert HOSTILE not in push_pane and push_pane.count("&lt;img src=file:///nonexistent/x.png&gt;") == 3


def test_the_templates_refuse_a_value_they_were_not_given() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render(
            "details_finding.html.j2", title="t", detail="d", guidance=guidance_texts(CATALOG, ["certificate"], "en")
        )


def test_plain_text_says_each_item_once_with_its_source_and_steps() -> None:
    vendor = next(g.id for g in CATALOG.guidance.values() if g.source == "vendor" and g.steps)
    field = next(g.id for g in CATALOG.guidance.values() if g.source == "field")
    texts = guidance_texts(CATALOG, [vendor, field], "en")
    assert [t.field for t in texts] == [False, True]
    shown: set[str] = set()
    first = guidance_lines(texts, "en", arrow="->", shown=shown)
    words = source_words("en")
    assert first[0] == f"-> {texts[0].title} [{words['vendor']}]: {texts[0].text}"
    assert f"-> {texts[1].title} [{words['rule_of_thumb']}]: {texts[1].text}" in first
    assert [line for line in first if line.startswith("   1. ")]  # numbered steps
    assert len(shown) == 2
    again = guidance_lines(texts, "en", arrow="->", shown=shown)
    assert again == [f"-> {texts[0].title}", f"-> {texts[1].title}"]  # said above: titles only
    # An item given without a step another item of its finding says is not the item said above:
    # whole again where it comes with its every step (said above without some, its title would hide them).
    trimmed = guidance_texts(CATALOG, ["verdict-closed", "configurable-port"], "en")[:1]
    whole = guidance_texts(CATALOG, ["verdict-closed"], "en")
    assert len(trimmed[0].steps) == len(whole[0].steps) - 1
    guidance_lines(trimmed, "en", shown=shown)
    assert len(guidance_lines(whole, "en", shown=shown)) == 1 + len(whole[0].steps)


def test_one_finding_type_for_checks_and_this_pc() -> None:
    diagnosis = _diagnosis()
    assert diagnosis.local is not None
    kinds = {type(f) for f in (*diagnosis.explanations, *diagnosis.local.findings)}
    assert kinds == {Finding}
    [this_pc] = diagnosis.local.findings
    assert this_pc.headline_for("en") == "blocked" and this_pc.detail_for("en").startswith("blocked <img")
    assert this_pc.to_json("en") == {
        "id": "file-printer-sharing",
        "severity": "problem",
        "title": Message("local.title-file-printer-sharing").say("en"),
        "detail": f"blocked {HOSTILE}",
        "guidance": ["allow-file-printer-sharing"],
        "evidence": {},
    }
