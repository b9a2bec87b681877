"""Does the window ever freeze during a run? The longest gap between ticks of a 5 ms QTimer.

Two scenarios, side by side in one run (offscreen Qt, one qasync loop, loopback only):
1. the wizard's full run against the simulated manager whose 8014 and 443 are moved
   to ports that drop connection attempts (so probes wait for their timeouts);
2. 200+ checks in flight: ``--all-ports`` plans against 9 loopback hosts (127.0.0.1-9),
   results shown in the run table as they arrive (checks order of arrival too).

    python benchmarks/gui_responsiveness.py

Prints the longest and the 99th-percentile gap; goal: longest gap under 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from core.catalog import load_catalog  # noqa: E402
from core.engine import ProbeEngine  # noqa: E402
from core.explain import explain  # noqa: E402
from core.hosts import parse_host  # noqa: E402
from core.plan import PlanRequest, build_plan  # noqa: E402
from core.simulator import SERVED_PORTS, SimulatedManager  # noqa: E402
from core.timing import TimeoutPolicy  # noqa: E402
from core.versions import parse_version  # noqa: E402
from gui.app import build_main_window, create_application  # noqa: E402
from gui.run_model import RunModel  # noqa: E402
from tests.helpers.servers import dropping_port  # noqa: E402


class TickRecorder:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.gaps)


def report(name: str, gaps: list[float], extra: str = "") -> None:
    gaps = sorted(gaps)
    p99 = gaps[int(len(gaps) * 0.99) - 1] if len(gaps) > 100 else gaps[-1]
    print(
        f"{name}: ticks {len(gaps)}, longest gap {gaps[-1]:.1f} ms, p99 {p99:.1f} ms, "
        f"median {statistics.median(gaps):.1f} ms (goal: longest < 30 ms){extra}"
    )


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "/tmp/sepd-bench-settings")
    app = create_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    catalog = load_catalog()
    window = build_main_window(app, argparse.Namespace(lang="ja"))
    window.resize(1200, 800)
    window.show()
    window.tabs.setCurrentIndex(1)
    wizard = window.wizard
    recorder = TickRecorder()

    # 1. The wizard against a manager with dropped ports.
    simulator = SimulatedManager(ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(simulator.start())
    with dropping_port() as dropped:
        bound = dict(simulator.bound)
        bound[8014] = dropped  # type: ignore[assignment]
        bound[443] = dropped  # type: ignore[assignment]
        wizard.policy = TimeoutPolicy(initial=1.0, floor=0.15, cap=3.0)
        wizard.next()
        wizard.where.set_role(wizard.where.role)
        wizard.target.manager.setCurrentText("127.0.0.1")
        wizard.target.version.setCurrentText("14.3 RU1")
        wizard.target.overrides.setText(", ".join(f"{d}={p}" for d, p in sorted(bound.items())))
        recorder.start()
        started = time.perf_counter()
        wizard.next()
        loop.run_until_complete(wizard.run_task)
        elapsed = time.perf_counter() - started
        gaps = recorder.stop()
    loop.run_until_complete(simulator.stop())
    report("wizard run, 2 dropped ports", gaps, f", run {elapsed:.2f} s")

    # 2. 200+ checks in flight, shown in a live table.
    model = RunModel(catalog, "ja")
    checks = []
    for n in range(1, 10):
        request = PlanRequest(manager=parse_host(f"127.0.0.{n}"), version=parse_version("14.3"), all_ports=True)
        checks += [c.__class__(**{**c.__dict__, "id": f"{c.id}#{n}"}) for c in build_plan(catalog, request)]
    arrival: list[float] = []

    def on_result(result):  # type: ignore[no-untyped-def]
        arrival.append(result.finished_at)
        model.add(result, explain(result, catalog))

    engine = ProbeEngine(TimeoutPolicy(initial=0.5, floor=0.1, cap=1.0), max_sockets=256, use_system_proxy=False)
    recorder.start()
    started = time.perf_counter()
    loop.run_until_complete(engine.run(checks, on_result=on_result))
    elapsed = time.perf_counter() - started
    gaps = recorder.stop()
    in_order = arrival == sorted(arrival)
    report(
        f"{len(checks)} checks in flight",
        gaps,
        f", run {elapsed:.2f} s, rows {model.rowCount()}, shown in order of arrival: {in_order}",
    )
    window.close()
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
