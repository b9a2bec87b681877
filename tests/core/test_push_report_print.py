"""push's HTML report on paper: a group's PCs are listed whole.

The list of a group's PCs was set with ``word-break: break-all``, so on paper an address broke
anywhere at a line's end ("10.2" / "38.153.22"): an administrator copying addresses from the
printout read two wrong ones. A real sweep of loopback addresses (all closed: one group of 62 PCs),
printed by headless Chromium on A4 and Letter, and read back with pdftotext.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers.chromium import A4, LETTER, HeadlessChromium, find_chromium
from tests.helpers.command import run

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="Chromium is driven over a POSIX pipe; ./dev installs it on Linux"),
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium here (./dev test installs Debian's chromium)"),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="no pdftotext here (./dev test installs poppler-utils)"
    ),
]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_pc_of_a_group_is_printed_whole(tmp_path: Path, lang: str) -> None:
    report = tmp_path / f"push-{lang}.html"
    done = run("push", "127.0.0.0/26", "--lang", lang, "--report", str(report), timeout=120)
    assert done.returncode == 1, done.stderr
    addresses = [f"127.0.0.{n}" for n in range(1, 63)]
    with HeadlessChromium() as browser, browser.page(report) as page:
        for paper in (A4, LETTER):
            text = page.printed_text(paper, tmp_path)
            # The group's list: the addresses, each once, whole on its line.
            printed = re.findall(r"127\.0\.0\.\d+", text)
            assert set(addresses) <= set(printed), sorted(set(addresses) - set(printed))
            broken = [
                line for line in text.splitlines() if re.search(r"(?:^|[ ,])127(?:\.\d*){0,2}\.?$", line.rstrip())
            ]
            assert broken == [], broken


def test_a_verdict_is_printed_whole_in_its_narrow_column(tmp_path: Path) -> None:
    """The table of every PC gives its verdict a narrow column: on paper "準備未完了" broke between its
    characters ("準備未" / "完了"). Two real loopback PCs, both not ready (445 closed), printed by
    Chromium on A4 and Letter in Japanese: each row's verdict is read back whole."""
    from sep_port_doctor.core.i18n import say

    report = tmp_path / "push-ja.html"
    done = run("push", "127.0.0.1", "127.0.0.2", "--lang", "ja", "--report", str(report), timeout=120)
    assert done.returncode == 1, done.stderr
    verdict = say("push.verdict-not_ready", "ja")
    html = report.read_text(encoding="utf-8")
    cells = html.count(f">{verdict}</td>")
    assert cells == 2, html
    with HeadlessChromium() as browser, browser.page(report) as page:
        for paper in (A4, LETTER):
            text = page.printed_text(paper, tmp_path)
            rows = [line for line in text.splitlines() if re.match(r"\s*127\.0\.0\.[12]\s", line)]
            assert len(rows) == 2, text
            assert all(verdict in row for row in rows), rows
