"""Screenshots of the real windows for the README (offscreen, QWidget.grab()).

    python scripts/screenshots.py [docs/screenshots]

For each language: the port reference, then every page of the wizard, run for real against
the simulated manager (profile cert-expired) on loopback, with this PC's findings from a
Windows fixture. The live-run picture is taken while checks are still running (8014 drops
connection attempts, so its row waits for its timeout). The report's own pictures
(report-ja.png, report-en.png: page 1 as printed) come from scripts/report_screenshots.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1280, 800)
LIVE_AFTER_S = 1.5
"""When the live-run picture is taken: the quick checks have answered, the dropped ones still wait."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default="docs/screenshots")
    out = Path(parser.parse_args().folder)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QSettings

    from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
    from sep_port_doctor.core.timing import TimeoutPolicy
    from sep_port_doctor.gui.app import build_main_window, create_application
    from sep_port_doctor.gui.event_loop import EventLoop
    from sep_port_doctor.gui.wizard import Page
    from tests.helpers.servers import dropping_port
    from tests.helpers.windows_fixtures import FixtureSystem

    settings = Path(tempfile.mkdtemp(prefix="sep-port-doctor-shots-"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(settings))
    app = create_application()
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    notes = {"ja": "チケット #4711", "en": "ticket #4711"}

    async def shoot(lang: str) -> Path:
        window = build_main_window(app, argparse.Namespace(lang=lang))
        window.resize(*SIZE)
        window.reference.set_version_text("14.3 RU1")
        window.reference.select_entry("push-tcp-445")
        window.show()
        await asyncio.sleep(0.1)
        window.grab().save(str(out / f"reference-{lang}.png"))
        wizard = window.wizard
        assert wizard is not None
        wizard.local_system = FixtureSystem("en-fps-blocked")
        wizard.policy = TimeoutPolicy(initial=3.0, floor=3.0, cap=3.0)
        window.show_wizard()

        async def grab(name: str) -> None:
            # The loop, not app.processEvents(), lets Qt lay out and paint: processing events
            # inside this task would run the probes' callbacks re-entrantly (qasync refuses).
            await asyncio.sleep(0.05)
            window.grab().save(str(out / f"wizard-{name}-{lang}.png"))

        await grab("where")
        manager = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
        await manager.start()
        try:
            with dropping_port() as dropped:
                ports = {**manager.bound, 8014: dropped}
                wizard.next()
                target = wizard.target
                target.manager.setCurrentText("127.0.0.1")
                target.version.setCurrentText("14.3 RU1")
                target.ports.setText(", ".join(f"{d}={p}" for d, p in sorted(ports.items())))
                target.note.setText(notes[lang])
                await grab("target")
                wizard.next()
                await asyncio.sleep(LIVE_AFTER_S)
                await grab("run")  # live: some verdicts in, some checks still running
                assert wizard.run_task is not None
                await wizard.run_task
                wizard.next()
                await grab("results")
                wizard.next()
                report = out / f".report-{lang}.html"
                wizard.export_page.report_path.setText(str(report))
                wizard.export_page.open_after.setChecked(False)
                await wizard.export_report(str(report))
                await grab("export")
                assert wizard.currentId() == Page.EXPORT
        finally:
            await manager.stop()
        window.close()
        return report

    reports = [loop.run_until_complete(shoot(lang)) for lang in ("ja", "en")]
    for report in reports:
        report.unlink()
        report.with_suffix(".json").unlink()
    loop.close()
    shutil.rmtree(settings, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
