"""Refresh resources/i18n: collect UI strings with lupdate, compile .qm with lrelease.

Run after changing strings in gui/: ``python scripts/update_translations.py``; then
translate the new entries in Qt Linguist (``pyside6-linguist resources/i18n/*.ts``)
and run it again. The compiled .qm files are committed so a fresh clone runs as is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS_FILES = sorted((ROOT / "resources" / "i18n").glob("*.ts"))


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        sys.exit(f"{name} not found: install the project first (pip install -e .)")
    return found


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").glob("*.py"))
    for ts in TS_FILES:
        subprocess.run(
            [_tool("pyside6-lupdate"), *sources, "-ts", str(ts.relative_to(ROOT))], cwd=ROOT, check=True, timeout=120
        )
        compile_ts(ts, ts.with_suffix(".qm"))
    return 0


def compile_ts(ts: Path, qm: Path) -> None:
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, timeout=120, capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
