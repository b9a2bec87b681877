"""Running the real `sep-port-doctor` command in a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def command() -> list[str]:
    """The installed console script when there is one, else the module."""
    script = Path(sys.executable).parent / ("sep-port-doctor.exe" if os.name == "nt" else "sep-port-doctor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sep_port_doctor.gui"]


def run(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    merged = {**ENV, **(env or {})}
    return subprocess.run(
        [*command(), *args], capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=merged, cwd=ROOT
    )


def _default_sigint() -> None:
    """Runs in the child before exec. A test runner started with SIGINT ignored (a background
    job of a non-interactive shell) passes that on to its children, which would then never see
    the Ctrl+C a test sends: the child gets the default disposition, as from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.asynccontextmanager
async def spawned(
    *argv: str, env: dict[str, str] | None = None, **kwargs: Any
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child process that is always reaped: killed if a test ends (or fails) while it runs."""
    if os.name == "posix":
        kwargs["preexec_fn"] = _default_sigint
    process = await asyncio.create_subprocess_exec(*argv, env=env or ENV, **kwargs)
    try:
        yield process
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        await process.wait()
