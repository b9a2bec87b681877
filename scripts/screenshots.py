"""Screenshots of the real windows for the README (offscreen, QWidget.grab()).

python scripts/screenshots.py docs/screenshots
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    from PySide6.QtCore import QSettings

    from gui.app import build_main_window, create_application

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(out / ".settings-tmp"))
    app = create_application()
    for lang in ("ja", "en"):
        window = build_main_window(app, argparse.Namespace(lang=lang))
        window.resize(1280, 800)
        window.reference.set_version_text("14.3 RU1")
        window.reference.select_entry("push-tcp-445")
        window.show()
        app.processEvents()
        window.grab().save(str(out / f"reference-{lang}.png"))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
