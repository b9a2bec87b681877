"""Running the real `sep-port-doctor` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def command() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = Path(sys.executable).parent / ("sep-port-doctor.exe" if os.name == "nt" else "sep-port-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gui"]


def run(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [*command(), *args], capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=merged, cwd=ROOT
    )
