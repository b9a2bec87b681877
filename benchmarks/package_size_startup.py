"""Size, start time and memory of the packaged program, against the installed command.

Builds the onedir and the onefile program from build/pyinstaller.spec (into a
temporary folder), then, in the same run, alternates `gui --quit` (start to first
paint, then quit) between the frozen program and the installed command.

    python benchmarks/package_size_startup.py [--runs 9]

Prints sizes, the median start times and their ratio, and peak memory (max RSS).
Targets: onedir <= 100 MB, onefile <= 45 MB, frozen start <= 1.1x installed,
frozen peak memory < 120 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.command import command  # noqa: E402

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def build(work: Path, onefile: bool) -> Path:
    env = {**os.environ, "SEP_ONEFILE": "1" if onefile else ""}
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(ROOT / "build" / "pyinstaller.spec")],
        cwd=ROOT, env=env, check=True, timeout=900,
    )  # fmt: skip
    return work / "dist" / ("sep-port-doctor" if onefile else "sep-port-doctor/sep-port-doctor")


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def timed_start(args: list[str]) -> tuple[float, int]:
    """Seconds from exec to exit of `gui --quit`, and the child's peak RSS in KB."""
    started = time.perf_counter()
    process = subprocess.Popen([*args, "gui", "--quit"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} gui --quit failed")
    return elapsed, usage.ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = max(3, min(parser.parse_args().runs, 50))
    with tempfile.TemporaryDirectory(prefix="sepd-bench-") as folder:
        onedir = build(Path(folder) / "onedir", onefile=False)
        onefile = build(Path(folder) / "onefile", onefile=True)
        onedir_size, onefile_size = size(onedir.parent), size(onefile)
        timed_start([str(onedir)])  # warm the caches once for both
        timed_start(command())
        frozen, installed, single, rss_frozen, rss_installed = [], [], [], [], []
        for _ in range(runs):
            t, rss = timed_start([str(onedir)])
            frozen.append(t)
            rss_frozen.append(rss)
            t, rss = timed_start(command())
            installed.append(t)
            rss_installed.append(rss)
            single.append(timed_start([str(onefile)])[0])
    print(f"onedir: {onedir_size / 1e6:.1f} MB ({onedir_size / 2**20:.1f} MiB), target <= 100 MB")
    print(f"onefile: {onefile_size / 1e6:.1f} MB ({onefile_size / 2**20:.1f} MiB), target <= 45 MB")
    f, i, o = statistics.median(frozen), statistics.median(installed), statistics.median(single)
    print(
        f"start to first paint and quit, median of {runs}: frozen onedir {f:.3f} s, installed {i:.3f} s, "
        f"frozen onefile {o:.3f} s"
    )
    print(f"ratio frozen/installed: {f / i:.2f} (target <= 1.10); onefile/installed: {o / i:.2f}")
    print(
        f"peak memory (max RSS): frozen {max(rss_frozen) / 1024:.0f} MB, installed {max(rss_installed) / 1024:.0f} MB "
        f"(target frozen < 120 MB)"
    )
    _ = resource  # ru_maxrss is in KB on Linux
    return 0


if __name__ == "__main__":
    sys.exit(main())
