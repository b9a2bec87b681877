"""Running the real `sep-port-doctor` command in a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class ChildEnvironment(Mapping[str, str]):
    """This process's environment as it is when a child starts, with the checkout on PYTHONPATH
    and ``extra`` on top. A copy taken at import missed the per-test HOME and XDG folders
    (tests/conftest.py), so the children wrote their logs into the real /root/.local/share."""

    def __init__(self, extra: Mapping[str, str] | None = None, *, checkout_on_path: bool = True) -> None:
        self._extra = {**({"PYTHONPATH": str(ROOT)} if checkout_on_path else {}), **(extra or {})}

    def _now(self) -> dict[str, str]:
        return {**os.environ, **self._extra}

    def __getitem__(self, name: str) -> str:
        return self._now()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


ENV: Mapping[str, str] = ChildEnvironment()


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
    *argv: str, env: Mapping[str, str] | None = None, **kwargs: Any
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
