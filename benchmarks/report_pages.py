"""How many pages the report takes on paper for Windows client-desk runs: simulator profiles
seen from a client desk whose PC is read from the hand-made Windows fixtures, in both languages,
on A4 and Letter, printed by headless Chromium and counted with pdfinfo.

    python benchmarks/report_pages.py [PROFILE+FIXTURE ...]

``tests/core/test_report_print.py`` asserts the targets for the runs it names; this prints a
wider set, one line per printing (the target: at most 2 pages for up to 5 problems).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.diagnosis import Diagnosis
from core.report import render_report
from core.results import Severity
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
                        pages = pdf_pages(page.print_pdf(size))
                        missed = pages > (2 if problems <= 5 else 4)
                        over += missed
                        print(f"{profile}+{fixture} {lang} {paper}: {pages} pages, {problems} problems"
                              + ("  (over the target)" if missed else ""))  # fmt: skip
    print(f"{over} of {len(runs) * 4} printings over the target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
