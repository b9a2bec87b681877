"""What is shown as the vendor's is the vendor's: a step of a vendor item that is this program's
advice (guidance.toml `own_steps`) says it is a rule of thumb wherever it is printed, and the
vendor's general notes, quoted "as the vendor states them", leave it out.

Found reading check's terminal and its report as a ticket reader: under "Allow File and Printer
Sharing (port 445) [From the vendor's port page]" came "In Control Panel, open Windows Defender
Firewall > ...", which the vendor's page does not say; the report's general notes printed it too.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.i18n import Lang, say
from tests.helpers.profile_runs import check_with_simulator

FPS = load_catalog().guidance["allow-file-printer-sharing"]


def _run(profile: str, lang: Lang, report: Path) -> str:
    code, out, err = check_with_simulator(
        profile, "--version", "14.3 RU6", "--role", "client", "--lang", lang, "--report", str(report)
    )
    assert code in (0, 1), err
    return out


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_programs_own_step_under_a_vendor_item_says_so_in_the_terminal_and_the_report(
    lang: Lang, tmp_path: Path
) -> None:
    """push-blocked: this PC's TCP 139 and 445 drop, and the File and Printer Sharing guidance is printed."""
    out = _run("push-blocked", lang, tmp_path / "r.html")
    step, vendor, thumb = FPS.steps[0].say(lang), say("report.vendor", lang), say("report.own_mark", lang)
    line = next(line for line in out.splitlines() if step in line)
    assert line.rstrip().endswith(f"{step} [{thumb}]"), line
    # The vendor's own sentence above it keeps the vendor's mark.
    assert f"{FPS.title.say(lang)} [{vendor}]: {FPS.text.say(lang)}" in out

    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    item = report[report.index('id="guidance-allow-file-printer-sharing"') :]
    item = _text(item[: item.index("</div>")])
    assert f"{step} ({thumb})" in item, item
    assert f"({vendor})" in item  # the title's
    # The vendor's general notes name the printed item by its title, without the step.
    notes = report[report.index('id="general-notes"') :]
    assert step not in _text(notes)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_vendors_general_notes_are_the_vendors_words_only(lang: Lang, tmp_path: Path) -> None:
    """healthy: nothing printed the File and Printer Sharing item, so the general notes say it whole."""
    _run("healthy", lang, tmp_path / "r.html")
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    note = report[report.index('id="general-allow-file-printer-sharing"') :]
    note = _text(note[: note.index("</li>")])
    assert FPS.text.say(lang) in note
    assert FPS.steps[0].say(lang) not in note
    # A vendor step stays in its note: the page's own words.
    third = report[report.index('id="general-third-party-firewall"') :]
    assert load_catalog().guidance["third-party-firewall"].steps[0].say(lang) in _text(third[: third.index("</li>")])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_what_the_program_adds_to_a_vendor_text_says_so(lang: Lang, tmp_path: Path) -> None:
    """dropped, from a console: under "Management console ports [From the vendor's port page]" the
    text went on "Client communication does not use them", which is this program's reading of the
    page; it now stands after the page's words, marked a rule of thumb, in the terminal and the report."""
    code, out, err = check_with_simulator(
        "dropped", "--version", "14.3 RU6", "--role", "console", "--lang", lang, "--report", str(tmp_path / "r.html")
    )
    assert code == 1, err
    console = load_catalog().guidance["console-ports"]
    [added] = console.own_notes
    vendor, thumb = say("report.vendor", lang), say("report.own_mark", lang)
    assert f"{console.title.say(lang)} [{vendor}]: {console.text.say(lang)} {added.say(lang)} [{thumb}]" in out
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    item = report[report.index('id="guidance-console-ports"') :]
    item = _text(item[: item.index("</div>")])
    assert f"{console.text.say(lang)} {added.say(lang)} ({thumb})" in item, item
