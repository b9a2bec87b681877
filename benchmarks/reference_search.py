"""Search latency of the port reference, and start-up times, measured side by side.

* Typing into the search box: the time from a keystroke to the filtered table
  (the text one character longer + the events it causes), per keystroke, over several
  queries typed one character at a time, 5 times over (330 keystrokes a pass); the pass is
  repeated (--repeats, default 7) and each pass's median, p95 and maximum are reported
  as medians with their spread, against one frame at 60 Hz (16.7 ms).
* Start-up: `ports` (no Qt loaded) and `gui --quit` (start to first paint and quit),
  alternated, --runs times each (default 15).

    python benchmarks/reference_search.py [--repeats 7] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import load, machine, percentile, spread  # noqa: E402
from tests.helpers.command import command  # noqa: E402

FRAME_MS = 1000 / 60
ROUNDS_PER_PASS = 5
QUERIES = ["445 windows", "プッシュ", "ccsvchst", "8014", "client manager https", "syslog 514", "設定可能 14.2"]


def keystroke_passes(repeats: int) -> list[list[float]]:
    """Milliseconds per keystroke, one list per typing pass."""
    from PySide6.QtCore import QSettings

    from sep_port_doctor.gui.app import build_main_window, create_application

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "/tmp/sepd-bench-search")
    app = create_application()
    window = build_main_window(app, argparse.Namespace(lang="ja"))
    window.show()
    app.processEvents()
    search = window.reference.search
    for query in QUERIES:  # warm-up, not counted: the first use of each glyph loads fonts
        search.setText(query)
        app.processEvents()
    search.clear()
    passes = []
    for _ in range(repeats):
        latencies = []
        for query in QUERIES * ROUNDS_PER_PASS:
            for length in range(1, len(query) + 1):
                started = time.perf_counter()
                search.setText(query[:length])
                app.processEvents()
                latencies.append((time.perf_counter() - started) * 1000)
            search.clear()
            app.processEvents()
        passes.append(latencies)
    window.close()
    return passes


def startups(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Seconds from start to exit of each command, alternated so that load hits all alike."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():  # warm the file cache once, not counted
        subprocess.run([*command(), *args], env=env, check=True, capture_output=True, timeout=60)
    for _ in range(runs):
        for name, args in commands.items():
            started = time.perf_counter()
            subprocess.run([*command(), *args], env=env, check=True, capture_output=True, timeout=60)
            times[name].append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="typing passes (1-30)")
    parser.add_argument("--runs", type=int, default=15, help="starts of each command (3-50)")
    options = parser.parse_args()
    repeats, runs = max(1, min(options.repeats, 30)), max(3, min(options.runs, 50))
    print(machine())
    passes = keystroke_passes(repeats)
    everything = [ms for latencies in passes for ms in latencies]
    print(
        f"search, per keystroke ({len(passes[0])} keystrokes a pass, {repeats} passes; one frame = {FRAME_MS:.1f} ms):"
    )
    print(f"  median of a pass: {spread([statistics.median(p) for p in passes], 'ms', 2)}")
    print(f"  p95 of a pass: {spread([percentile(p, 95) for p in passes], 'ms', 2)}")
    print(f"  max of a pass: {spread([max(p) for p in passes], 'ms', 2)}")
    slow = sum(1 for ms in everything if ms > FRAME_MS)
    print(f"  keystrokes slower than a frame: {slow} of {len(everything)}")
    times = startups({"ports": ["ports", "--lang", "en"], "gui --quit": ["gui", "--quit"]}, runs)
    for name, seconds in times.items():
        print(f"start-up `{name}`: {spread(seconds, 's', 3)}")
    print(f"{load()} at the end")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter finalization: PySide6 can abort while tearing down a QApplication that
    # was not made by run_gui (the program itself exits through run_gui and is not affected).
    os._exit(code)
