"""How many pages the report takes on paper for Windows client-desk runs: simulator profiles
seen from a client desk whose PC is read from the hand-made Windows fixtures, in both languages,
on A4 and Letter, printed by headless Chromium and counted with pdfinfo; how full the last
page is (the text's foot, as a share of the page's text height: poppler's pdftotext -bbox)
says how close a printing is to one page more.

    python benchmarks/report_pages.py [PROFILE+FIXTURE ...]

``tests/core/test_report_print.py`` asserts the targets for the runs it names; this prints a
wider set, one line per printing (the target: at most 2 pages for up to 5 problems).
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.report import render_report
from sep_port_doctor.core.results import Severity
from tests.helpers.chromium import A4, LETTER, HeadlessChromium, pdf_pages
from tests.helpers.profile_runs import CATALOG, profile_diagnosis

RUNS = (
    "push-blocked+en-fps-blocked",
    "healthy+ja-domain-fps-off-service-stopped",
    "cert-expired+en-fps-blocked",
    "push-blocked+ja-domain-fps-off-service-stopped",
    "secars-error+ja-domain-gpo-rules-off",
    "http-down+en-workgroup-scope",
    "dropped+en-firewall-off",
    "cert-expiring+ja-domain-gpo-rules-off",
)


MARGINS_PT = (8 / 25.4 * 72, 10 / 25.4 * 72)
"""The report's top and bottom page margins (its @page rule), in points; the footer sits in the bottom one."""


def last_page_fill(pdf: bytes, pages: int) -> float:
    """How far down the last page's text reaches, as a share of the page's text height."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        box = subprocess.run(
            ["pdftotext", "-bbox", "-f", str(pages), "-l", str(pages), file.name, "-"],
            capture_output=True, text=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', box).group(1))  # type: ignore[union-attr]
    top, bottom = MARGINS_PT
    feet = [float(y) for y in re.findall(r'yMax="([\d.]+)"', box) if float(y) < height - bottom]
    return (max(feet, default=top) - top) / (height - top - bottom)


def main(names: list[str]) -> int:
    runs = [tuple(name.split("+", 1)) for name in names or RUNS]

    async def diagnose() -> list[Diagnosis]:
        return await asyncio.gather(*(profile_diagnosis(profile, fixture) for profile, fixture in runs))

    diagnoses = asyncio.run(diagnose())
    over = 0
    with tempfile.TemporaryDirectory() as folder, HeadlessChromium() as browser:
        for (profile, fixture), diagnosis in zip(runs, diagnoses, strict=True):
            problems = diagnosis.counts()[Severity.PROBLEM]
            for lang in ("ja", "en"):
                path = Path(folder) / f"{profile}+{fixture}-{lang}.html"
                path.write_text(render_report(diagnosis, CATALOG, lang), encoding="utf-8")
                with browser.page(path) as page:
                    for paper, size in (("A4", A4), ("Letter", LETTER)):
                        pdf = page.print_pdf(size)
                        pages = pdf_pages(pdf)
                        fill = last_page_fill(pdf, pages)
                        missed = pages > (2 if problems <= 5 else 4)
                        over += missed
                        print(f"{profile}+{fixture} {lang} {paper}: {pages} pages (the last {fill:.0%} full),"
                              f" {problems} problems" + ("  (over the target)" if missed else ""))  # fmt: skip
    print(f"{over} of {len(runs) * 4} printings over the target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
