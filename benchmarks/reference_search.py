"""Search latency of the port reference, and start-up times, measured side by side.

* Typing into the search box: the time from a keystroke to the filtered table
  (setText + the events it causes), per keystroke, over several queries typed one
  character at a time, compared with one frame at 60 Hz (16.7 ms).
* Start-up: `ports` (no Qt loaded) and `gui --quit` (start to first paint), median of runs.

    python benchmarks/reference_search.py
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

from tests.helpers.command import command  # noqa: E402

QUERIES = ["445 windows", "プッシュ", "ccsvchst", "8014", "client manager https", "syslog 514", "設定可能 14.2"]


def keystroke_latencies() -> list[float]:
    from PySide6.QtCore import QSettings

    from gui.app import build_main_window, create_application

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "/tmp/sepd-bench-search")
    app = create_application()
    window = build_main_window(app, argparse.Namespace(lang="ja"))
    window.show()
    app.processEvents()
    search = window.reference.search
    latencies = []
    for query in QUERIES:  # warm-up, not counted: the first use of each glyph loads fonts
        search.setText(query)
        app.processEvents()
    search.clear()
    for _ in range(5):
        for query in QUERIES:
            for length in range(1, len(query) + 1):
                started = time.perf_counter()
                search.setText(query[:length])
                app.processEvents()
                latencies.append((time.perf_counter() - started) * 1000)
            search.clear()
            app.processEvents()
    window.close()
    return latencies


def startup(args: list[str], runs: int = 7) -> float:
    times = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command(), *args], env=env, check=True, capture_output=True, timeout=60)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    latencies = sorted(keystroke_latencies())
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"search, per keystroke ({len(latencies)} keystrokes): median {statistics.median(latencies):.2f} ms, "
        f"p95 {p95:.2f} ms, max {latencies[-1]:.2f} ms; one frame at 60 Hz = 16.7 ms "
        f"(max/frame = {latencies[-1] / 16.7:.2f})"
    )
    print(
        f"start-up, median of 7: `ports` {startup(['ports', '--lang', 'en']):.3f} s, "
        f"`gui --quit` (to first paint) {startup(['gui', '--quit']):.3f} s"
    )
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter finalization: PySide6 can abort while tearing down a QApplication that
    # was not made by run_gui (the program itself exits through run_gui and is not affected).
    os._exit(code)
