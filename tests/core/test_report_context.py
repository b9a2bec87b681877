"""What the report shows, and where: page 1 is the answer (one line per cause, with its
first step), the details say each thing once. Runs against the simulator as its
profiles' printed commands run; this PC from hand-made Windows fixtures where named."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.merge import merge_files
from sep_port_doctor.core.merge_report import build_picture
from sep_port_doctor.core.path.facts import Hop, HopKind, PathFacts, TraceEnd, TraceFacts
from sep_port_doctor.core.plan import Role
from sep_port_doctor.core.report import render_report
from sep_port_doctor.core.report_context import answers, evidence, guidance_groups, skipped_groups
from tests.helpers.profile_runs import CATALOG, profile_diagnosis

RUNS = {
    "dropped": ("dropped", None, None),
    "secars-wrong": ("secars-wrong", None, None),
    "healthy": ("healthy", None, None),
    "cert-expired-console": ("cert-expired", None, Role.CONSOLE),
    "fps-blocked": ("push-blocked", "en-fps-blocked", None),
}


@pytest.fixture(scope="module")
def runs() -> dict[str, Diagnosis]:
    async def all_runs() -> dict[str, Diagnosis]:
        found = await asyncio.gather(*(profile_diagnosis(p, f, r) for p, f, r in RUNS.values()))
        return dict(zip(RUNS, found, strict=True))

    return asyncio.run(all_runs())


def _port(diagnosis: Diagnosis, entry_id: str) -> int:
    return next(r.check.port for r in diagnosis.results if r.check.entry_id == entry_id)


def test_checks_with_one_cause_share_one_line_with_its_first_step(runs: dict[str, Diagnosis]) -> None:
    dropped = runs["dropped"]
    [line] = answers(dropped, CATALOG, "en")
    a, b = _port(dropped, "server-https-8443"), _port(dropped, "webconsole-tcp-9090")
    assert (line.severity, line.subject, line.where) == ("problem", f"TCP {a} (=8443), {b} (=9090)", "127.0.0.1")
    assert line.found == "No answer (filtered)"
    filtered = CATALOG.guidance["verdict-filtered"]
    assert line.first_step == filtered.steps[0].say("en") and line.guidance_id == "verdict-filtered"
    assert line.step_is_field  # the verdict explanations are rules of thumb, and say so
    [line] = answers(runs["secars-wrong"], CATALOG, "ja")
    assert line.subject.startswith("TCP ") and "(=8014)" in line.subject and "(=443)" in line.subject
    assert line.first_step == CATALOG.guidance["secars-not-ok"].steps[0].say("ja")


def test_a_finding_and_the_checks_its_remedy_answers_are_one_line(runs: dict[str, Diagnosis]) -> None:
    """This PC's firewall finding (File and Printer Sharing blocked) and the push ports that did
    not answer have one remedy: one line, naming every port, with the first step of the vendor's item."""
    lines = answers(runs["fps-blocked"], CATALOG, "en")
    [line] = [a for a in lines if "File and Printer Sharing" in a.found]
    assert line.subject.startswith("TCP 445, 139, ") and line.subject.endswith("· UDP 137, 138")
    assert line.where == "This PC" and "not allowed in from 127.0.0.1" in line.found
    assert "Enable-NetFirewallRule" not in line.found  # the commands are in the details, once
    assert [also.endswith(": No answer (filtered)") for also in line.also] == [True]
    assert line.first_step == CATALOG.guidance["allow-file-printer-sharing"].steps[0].say("en")
    # The vendor's page says to allow File and Printer Sharing; the Control Panel path is this
    # program's advice, and page 1 marked it "From the vendor's port page".
    assert line.step_is_field
    assert not [a for a in lines if a.found == "No answer (filtered)"]  # not a second line


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_site_report_groups_a_pcs_problems_as_its_own_report_does(
    runs: dict[str, Diagnosis], name: str, lang: str, tmp_path: Path
) -> None:
    """Each run's JSON merged on its own: the site's causes are its report's page-1 lines, one for
    one, with the same catalogue ports (the File and Printer Sharing finding with the push ports it
    explains; TCP 139 and 445 filtered one cause; 8443 and 9090 dropped one cause)."""
    diagnosis = runs[name]
    (tmp_path / "run.json").write_text(json.dumps(diagnosis.to_json(lang)), encoding="utf-8")
    picture = build_picture(merge_files([str(tmp_path / "run.json")]), lang)
    lines = answers(diagnosis, CATALOG, lang)
    assert len(picture.causes) == len(lines), ([c.title for c in picture.causes], lines)

    def catalogue_ports(subject: str) -> set[tuple[str, int]]:  # "TCP 40929 (=139), 445 · UDP 137"
        found = set()
        for part in filter(None, subject.split(" · ")):
            protocol, numbers = part.split(" ", 1)
            found |= {(protocol.lower(), int(n)) for n in re.sub(r"\d+ \(=(\d+)\)", r"\1", numbers).split(", ")}
        return found

    # Each cause's ports are those of one line (a finding's line also names the ports it is about).
    subjects = [catalogue_ports(a.subject) for a in lines]
    for cause in picture.causes:
        assert any(set(cause.catalogue_ports) <= ports for ports in subjects), (cause.title, subjects)
    assert sorted(c.severity for c in picture.causes) == sorted(a.severity for a in lines)


def test_each_guidance_item_is_printed_once_with_what_it_applies_to(runs: dict[str, Diagnosis]) -> None:
    diagnosis = runs["fps-blocked"]
    html = render_report(diagnosis, CATALOG, "en")
    ids = re.findall(r'id="guidance-([a-z0-9-]+)"', html)
    assert ids and len(ids) == len(set(ids))
    for guidance_id in ids:
        assert html.count(CATALOG.guidance[guidance_id].text.say("en")) == 1, guidance_id
    groups = guidance_groups(diagnosis, CATALOG, "en")
    fps = next(g for g in groups for item in g.items if item.id == "allow-file-printer-sharing")
    assert fps.applies_to[0] == "File and Printer Sharing (inbound rules) (This PC)"
    assert any(applies.endswith("(This PC)") and "(=139)" in applies for applies in fps.applies_to)


def test_a_certificate_is_shown_once_with_every_port_that_showed_it(runs: dict[str, Diagnosis]) -> None:
    diagnosis = runs["cert-expired-console"]
    rows, certificates = evidence(diagnosis, CATALOG, "en")
    [certificate] = certificates
    for entry in ("server-https-8443", "report-tcp-8445", "webservice-tcp-8446"):
        assert f"{_port(diagnosis, entry)} (=" in certificate.seen_on
    assert certificate.expired and certificate.days_left < 0
    linked = [a.certificate for r in rows for a in r.application if a.certificate is not None]
    assert linked and set(linked) == {1}
    html = render_report(diagnosis, CATALOG, "ja")
    assert html.count(certificate.sha256) == 1
    assert f"{-certificate.days_left} 日前に期限切れ" in html


def test_checks_that_sent_nothing_are_one_table_with_each_reason_once(runs: dict[str, Diagnosis]) -> None:
    diagnosis = runs["healthy"]
    groups = skipped_groups(diagnosis, CATALOG, "en")
    not_run = [r for r in diagnosis.results if not r.state.ran]
    assert sum(len(g.entry_ids) for g in groups) == len(not_run) > 10
    reasons = [(g.state, g.reason) for g in groups]
    assert len(reasons) == len(set(reasons))
    desk = next(g for g in groups if "not used from a client desk" in g.reason)
    assert len(desk.entry_ids) >= 10 and desk.ports.startswith("TCP 2638, 1433, ")
    html = render_report(diagnosis, CATALOG, "en")
    assert html.count("not used from a client desk") == 1


def test_a_run_without_problems_says_so_on_page_1(runs: dict[str, Diagnosis]) -> None:
    diagnosis = runs["healthy"]
    assert answers(diagnosis, CATALOG, "en") == []
    html = render_report(diagnosis, CATALOG, "en")
    answer = html.split('<section id="answer">')[1].split("</section>")[0]
    assert "No problem and no warning." in answer and "<b>Passed:</b>" in answer
    assert '<section id="guidance">' not in html  # nothing to do, no section for it


def test_the_catalogue_appendix_is_folded_and_printed_only_when_opened(runs: dict[str, Diagnosis]) -> None:
    html = render_report(runs["healthy"], CATALOG, "ja")
    assert re.search(r'<details class="appendix" id="appendix">', html)
    assert "details.appendix:not([open]) { display: none; }" in html


def test_every_word_of_the_template_comes_from_the_labels() -> None:
    """Outside Jinja expressions, the template's visible text holds no words of its own."""
    template = (resources.files("sep_port_doctor.resources") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    body = template.split("</style>", 1)[1]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.S)
    body = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", body, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", body)
    words = set(re.findall(r"[A-Za-z]{2,}|[\u3040-\u30ff\u4e00-\u9fff]+", text))
    # "SHA-256" is the fingerprint's name and "ms" the SI unit, in both languages.
    assert words <= {"SHA", "ms"}, words
    style = template.split("<style>", 1)[1].split("</style>", 1)[0]
    # The printed page's foot: the program's name, the run's date, the page numbers; and the separator
    # between the checks that sent nothing.
    assert set(re.findall(r'content: "([^"]*)"', style)) <= {"SEP Port Doctor · {{ date }}", " / ", " · "}


def _traced(diagnosis: Diagnosis, port: int, end: TraceEnd) -> Diagnosis:
    """The run with the manager's path traced toward ``port``: router 10.20.0.1 answers at hop 1,
    nothing after it (a trace as core.path.trace makes it; the lab's own is tests/integration)."""
    hops = (Hop(1, HopKind.TIME_EXCEEDED, "10.20.0.1", 0.8), *(Hop(ttl, HopKind.SILENT) for ttl in range(2, 5)))
    trace = TraceFacts("127.0.0.1", "tcp", port, "tcp-syn", hops if end is TraceEnd.LAST_HOP else (), end)
    return dataclasses.replace(diagnosis, paths=[PathFacts("manager", "127.0.0.1", "127.0.0.1", trace=trace)])


def test_page_1_says_where_the_path_to_a_filtered_port_ends(runs: dict[str, Diagnosis]) -> None:
    """Issue 18: the trace's conclusion is in the answer of the port it traced, on page 1, in both
    languages (and stays in the path section); a trace that could not run says nothing there."""
    dropped = runs["dropped"]
    port = _port(dropped, "server-https-8443")
    traced = _traced(dropped, port, TraceEnd.LAST_HOP)
    [line] = answers(traced, CATALOG, "en")
    assert line.path_end is not None
    assert line.path_end.startswith(f"Path: traffic to TCP {port} reaches 10.20.0.1 (hop 1) and nothing after it")
    assert "the block is at or after that device" in line.path_end
    [line_ja] = answers(traced, CATALOG, "ja")
    assert line_ja.path_end is not None and "10.20.0.1(1 ホップ目)まで届き" in line_ja.path_end
    for lang, words in (("en", line.path_end), ("ja", line_ja.path_end)):
        html = render_report(traced, CATALOG, lang)
        page_1 = html[html.index('<section id="answer">') : html.index("</section>")]
        assert words in page_1, lang
        assert words in html[html.index('<section id="paths">') :], lang
    # Not available here (no trace could run): nothing on page 1, no guess.
    [untraced] = answers(_traced(dropped, port, TraceEnd.NOT_AVAILABLE), CATALOG, "en")
    assert untraced.path_end is None
