"""merge's site report on paper: the PC list's addresses and subnets are printed whole.

The PC list's cells were set with ``overflow-wrap: anywhere``, so the table gave the address and
subnet columns the width of one character's break and, printed, ``127.0.0.1`` read ``127.`` /
``0.0.`` / ``1`` and ``127.0.0.0/24`` read ``127.`` / ``0.0.0`` / ``/24`` over three lines. Real
outputs merged (a push sweep from the manager and a client desk's check against the simulator),
printed by headless Chromium on A4 and Letter, read back with pdftotext, in both languages.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from sep_port_doctor.core.i18n import say
from tests.helpers.chromium import A4, LETTER, HeadlessChromium, find_chromium
from tests.helpers.command import run
from tests.helpers.profile_runs import check_with_simulator

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="Chromium is driven over a POSIX pipe; ./dev installs it on Linux"),
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium here (./dev test installs Debian's chromium)"),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="no pdftotext here (./dev test installs poppler-utils)"
    ),
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    swept = run("push", "127.0.0.1", "127.0.0.2", "127.0.0.3", "--json", timeout=120)
    assert swept.returncode == 1, swept.stderr
    (folder / "push.json").write_text(swept.stdout, encoding="utf-8")
    code, out, err = check_with_simulator("http-down", "--version", "14.3 RU6", "--role", "client", "--json")
    assert code == 0, err
    (folder / "desk.json").write_text(out, encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_pc_lists_addresses_and_subnets_are_printed_whole(outputs: Path, tmp_path: Path, lang: str) -> None:
    report = tmp_path / f"site-{lang}.html"
    merged = run("merge", str(outputs), "--report", str(report), "--lang", lang)
    assert merged.returncode == 1, merged.stderr
    with HeadlessChromium() as browser, browser.page(report) as page:
        for paper in (A4, LETTER):
            text = page.printed_text(paper, tmp_path)
            pc_list = text[text.rindex(say("site.pc_list", lang)) :]  # the report's last table
            # Each PC's name, address, subnet and manager whole: 127.0.0.1 is all four of a swept PC.
            lines = pc_list.splitlines()
            for address in ("127.0.0.1", "127.0.0.2", "127.0.0.3"):
                assert any(re.search(rf"{re.escape(address)}\s+.*{re.escape(address)}\s", line) for line in lines), (
                    paper,
                    address,
                    pc_list,
                )
            assert "127.0.0.0/24" in pc_list, (paper, pc_list)
            # No piece of an address left at a line's end ("127." or "0.0." then the rest below).
            broken = [line for line in lines if re.search(r"(?:^|\s)[0-9./]*\.$|/2$", line.rstrip())]
            assert broken == [], (paper, broken)
