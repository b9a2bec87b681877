"""Size, start time and memory of the packaged program, against the installed command.

Builds the onedir and the onefile program from build/pyinstaller.spec (into a temporary
folder, the same build as tests/packaging), then, in the same run, alternates `gui --quit`
(start to first paint, then quit) between the installed command, the frozen onedir and the
frozen onefile, --runs times each (default 15).

    python benchmarks/package_size_startup.py [--runs 15]

Prints the sizes, each program's start time and peak memory (max RSS) as medians with
their spread, and the ratios of the medians. Targets: onedir <= 100 MB, onefile <= 45 MB
(checked by tests/packaging too), frozen onedir start <= 1.1x installed, frozen peak memory
< 120 MB. The onefile unpacks itself to a temporary folder at every start: slower by design.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import load, machine, spread  # noqa: E402
from tests.helpers.command import command  # noqa: E402
from tests.helpers.packaging import MB, ONEDIR_LIMIT_MB, ONEFILE_LIMIT_MB, build, size  # noqa: E402

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def timed_start(args: list[str]) -> tuple[float, float]:
    """Seconds from exec to exit of `gui --quit`, and the peak RSS in MB of the largest process
    (wait4 counts the children a process waited for: the onefile's unpacked program too)."""
    started = time.perf_counter()
    process = subprocess.Popen([*args, "gui", "--quit"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{args} gui --quit failed")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="starts of each program (3-50)")
    runs = max(3, min(parser.parse_args().runs, 50))
    print(machine())
    with tempfile.TemporaryDirectory(prefix="sepd-bench-") as folder:
        onedir = build(Path(folder) / "onedir", onefile=False)
        onefile = build(Path(folder) / "onefile", onefile=True)
        onedir_mb, onefile_mb = size(onedir.parent) / MB, size(onefile) / MB
        programs = {"installed": command(), "frozen onedir": [str(onedir)], "frozen onefile": [str(onefile)]}
        seconds: dict[str, list[float]] = {name: [] for name in programs}
        memory: dict[str, list[float]] = {name: [] for name in programs}
        for args in programs.values():  # warm the file cache once, not counted
            timed_start(args)
        for _ in range(runs):
            for name, args in programs.items():
                elapsed, rss = timed_start(args)
                seconds[name].append(elapsed)
                memory[name].append(rss)
    print(f"onedir: {onedir_mb:.1f} MB ({onedir_mb * MB / 2**20:.1f} MiB), limit {ONEDIR_LIMIT_MB} MB")
    print(f"onefile: {onefile_mb:.1f} MB ({onefile_mb * MB / 2**20:.1f} MiB), limit {ONEFILE_LIMIT_MB} MB")
    for name in programs:
        print(f"start to first paint and quit, {name}: {spread(seconds[name], 's', 3)}")
    installed = statistics.median(seconds["installed"])
    for name in ("frozen onedir", "frozen onefile"):
        print(f"ratio of medians {name}/installed: {statistics.median(seconds[name]) / installed:.2f}")
    for name in programs:
        print(f"peak memory (max RSS), {name}: {spread(memory[name], 'MB', 0)}")
    print(f"{load()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
