"""The report's pictures for the README: page 1 as printed on A4 by headless Chromium.

    python scripts/report_screenshots.py [docs/screenshots]

The run is real: the simulated manager with the cert-expired profile, checked from a client
desk as its printed command does, with this PC's Windows settings read from a hand-made
fixture (tests/fixtures/windows/ja-domain-fps-off-service-stopped: the SEP service stopped,
File and Printer Sharing not allowed on the Domain profile). Needs Chromium and poppler's
pdftoppm (./dev test installs both).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILE = "cert-expired"
FIXTURE = "ja-domain-fps-off-service-stopped"
DPI = 100


def main() -> int:
    from sep_port_doctor.core.report import render_report
    from tests.helpers.chromium import A4, HeadlessChromium
    from tests.helpers.profile_runs import CATALOG, profile_diagnosis

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    diagnosis = asyncio.run(profile_diagnosis(PROFILE, FIXTURE, note="INC-4711"))
    with tempfile.TemporaryDirectory() as folder, HeadlessChromium() as browser:
        for lang in ("ja", "en"):
            html = Path(folder) / f"report-{lang}.html"
            html.write_text(render_report(diagnosis, CATALOG, lang), encoding="utf-8")
            with browser.page(html) as page:
                pdf = Path(folder) / f"report-{lang}.pdf"
                pdf.write_bytes(page.print_pdf(A4))
            png = Path(folder) / f"page-{lang}"
            subprocess.run(
                ["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)],
                check=True,
            )
            target = out / f"report-{lang}.png"
            target.write_bytes(png.with_suffix(".png").read_bytes())
            print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
