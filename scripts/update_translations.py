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


def ui_sources() -> list[str]:
    """Every Python file under gui/, relative to the repository (what lupdate reads)."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "gui").rglob("*.py"))


def collect_strings(ts: Path) -> None:
    """Bring ``ts`` up to date with the strings in the sources: new ones are added as unfinished,
    removed ones are marked vanished, translations are kept."""
    subprocess.run(
        [_tool("pyside6-lupdate"), *ui_sources(), "-ts", str(ts)],
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )


def main() -> int:
    for ts in TS_FILES:
        collect_strings(ts)
        compile_ts(ts, ts.with_suffix(".qm"))
    return 0


def compile_ts(ts: Path, qm: Path) -> None:
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, timeout=120, capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
