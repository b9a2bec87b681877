"""What every benchmark here prints the same way: the machine it ran on, how loaded it was, and
figures as the median with their spread over repeated runs (never one run's number)."""

from __future__ import annotations

import os
import platform
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of at least one value."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def spread(values: list[float], unit: str, digits: int = 1) -> str:
    """``median 2.2 ms (min 1.9, max 3.4, n=7)``."""
    fmt = f"{{:.{digits}f}}"
    return (
        f"median {fmt.format(statistics.median(values))} {unit} "
        f"(min {fmt.format(min(values))}, max {fmt.format(max(values))}, n={len(values)})"
    )


def load() -> str:
    one, five, _fifteen = (
        Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ("?",) * 3
    )
    return f"load average {one} (1 min), {five} (5 min)"


def machine() -> str:
    """One line: CPU, cores, memory, OS, Python and Qt versions, and the load right now."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 2**20:.0f} GiB"
    try:
        from PySide6 import __version__ as qt_version
    except ImportError:  # pragma: no cover - the benchmarks here all have Qt installed
        qt_version = "none"
    return (
        f"machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, PySide6 {qt_version}; {load()} at start"
    )


def ctrl_c_to_exit_ms(process: subprocess.Popen[Any], after_s: float, guard_s: float = 30) -> float:
    """Milliseconds from SIGINT, sent ``after_s`` into the process's run, until it has exited (killed after
    ``guard_s`` if it does not). A blocking wait, so the exit is seen as it happens: ``Popen.wait(timeout=...)``
    polls with sleeps growing to 50 ms, which read every stop up to 50 ms late."""
    guard = threading.Timer(guard_s, process.kill)
    guard.start()
    try:
        time.sleep(after_s)
        sent = time.perf_counter()
        process.send_signal(signal.SIGINT)
        process.wait()
        return (time.perf_counter() - sent) * 1000
    finally:
        guard.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
