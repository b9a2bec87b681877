"""Screenshots of the real windows for the README (offscreen, QWidget.grab()).

    python scripts/screenshots.py [docs/screenshots]

The wizard runs for real against the simulated manager (profile cert-expired) on
loopback, with this PC's findings from a hand-made Windows fixture (tests/fixtures/windows/).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    import qasync
    from PySide6.QtCore import QSettings

    from core.simulator import SERVED_PORTS, SimulatedManager
    from gui.app import build_main_window, create_application
    from gui.wizard import DiagnosticsWizard
    from tests.helpers.windows_fixtures import FixtureSystem

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    settings_dir = out / ".settings-tmp"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(settings_dir))
    app = create_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    for lang in ("ja", "en"):
        window = build_main_window(app, argparse.Namespace(lang=lang))
        window.resize(1280, 800)
        window.reference.set_version_text("14.3 RU1")
        window.reference.select_entry("push-tcp-445")
        window.show()
        app.processEvents()
        window.grab().save(str(out / f"reference-{lang}.png"))

        wizard = window.wizard
        assert isinstance(wizard, DiagnosticsWizard)
        wizard.local_system = FixtureSystem("en-fps-blocked")
        window.tabs.setCurrentIndex(1)
        simulator = SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS})
        loop.run_until_complete(simulator.start())
        try:
            wizard.next()
            wizard.target.manager.setCurrentText("127.0.0.1")
            wizard.target.version.setCurrentText("14.3 RU1")
            wizard.target.overrides.setText(", ".join(f"{d}={p}" for d, p in sorted(simulator.bound.items())))
            wizard.target.note.setText("チケット #4711" if lang == "ja" else "ticket #4711")
            app.processEvents()
            window.grab().save(str(out / f"wizard-target-{lang}.png"))
            wizard.next()
            assert wizard.run_task is not None
            loop.run_until_complete(wizard.run_task)
            app.processEvents()
            window.grab().save(str(out / f"wizard-run-{lang}.png"))
            wizard.next()
            app.processEvents()
            window.grab().save(str(out / f"wizard-results-{lang}.png"))
        finally:
            loop.run_until_complete(simulator.stop())
        window.close()
    loop.close()
    for leftover in settings_dir.rglob("*"):
        if leftover.is_file():
            leftover.unlink()
    for folder in sorted(settings_dir.rglob("*"), reverse=True):
        folder.rmdir()
    if settings_dir.exists():
        settings_dir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
