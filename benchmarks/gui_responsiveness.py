"""Does the window ever freeze during a run? The longest gap between ticks of a 5 ms QTimer.

Two scenarios (offscreen Qt, one qasync loop, loopback only), each repeated (--repeats,
default 7) so that the figures are medians with their spread, not one run's luck:
1. the wizard's whole run (as `gui --run` drives it) against the simulated manager whose
   8014 and 443 are moved to ports that drop connection attempts (so probes wait for
   their timeouts): about 3 s per run;
2. 216 checks in flight: ``--all-ports`` plans against 9 loopback hosts (127.0.0.1-9), run
   by ``core.run.DiagnosisRun`` (each result explained as it arrives) and shown in the
   window's run table (the wizard's run page, on screen) through the wizard's own handling
   of the run's events, run again and again for at least 3 s per repetition (one round
   alone lasts a tenth of a second: too short to measure).

    python benchmarks/gui_responsiveness.py [--repeats 7] [--against main [--rounds 2]]

Prints, per scenario, the longest gap and the 99th-percentile gap of each repetition
(median, min, max) and how many repetitions had a gap of 30 ms or more; goal: longest
gap under 30 ms. Also the longest stretch of the loop thread's own CPU time between two
ticks: the gap without the time spent waiting for a core on a loaded machine; and, first, the
machine's floor: the longest gap of Qt's loop kept busy 1 ms at a time by no program at all.

``--against REF`` measures the program as of the git commit REF side by side with this
checkout's, under the same load: each in its own process (the same scenarios, this file's),
one after the other, REF first, ``--rounds`` times; each process runs ``--repeats``
repetitions. It prints both programs' figures and the ratio of their medians.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROGRAM_ENV = "SEPD_BENCH_PROGRAM"
"""Set by --against for its processes: a folder holding another version of the program (its
sep_port_doctor/core, gui and resources), imported instead of this checkout's."""
if os.environ.get(PROGRAM_ENV):
    sys.path.insert(0, os.environ[PROGRAM_ENV])  # found before the editable install's finder

import qasync  # noqa: E402
from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from benchmarks.measure import load, machine, percentile, spread  # noqa: E402
from sep_port_doctor.core.catalog import load_catalog  # noqa: E402
from sep_port_doctor.core.engine import ProbeEngine  # noqa: E402
from sep_port_doctor.core.hosts import parse_host  # noqa: E402
from sep_port_doctor.core.plan import PlanRequest, build_plan  # noqa: E402
from sep_port_doctor.core.results import CheckResult  # noqa: E402
from sep_port_doctor.core.run import DiagnosisRun  # noqa: E402
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager  # noqa: E402
from sep_port_doctor.core.timing import TimeoutPolicy  # noqa: E402
from sep_port_doctor.core.versions import parse_version  # noqa: E402
from sep_port_doctor.gui import app as gui_app  # noqa: E402
from sep_port_doctor.gui.app import build_main_window, create_application  # noqa: E402
from sep_port_doctor.gui.main_window import MainWindow  # noqa: E402
from sep_port_doctor.gui.wizard.run_model import Progress  # noqa: E402
from sep_port_doctor.gui.wizard.unattended import run_unattended  # noqa: E402
from tests.helpers.servers import dropping_port  # noqa: E402


def program_loop(app: Any) -> asyncio.AbstractEventLoop:
    """The loop run_gui makes: the program's own where it has one (gui/event_loop.py), else
    qasync's. Looked for beside gui/app.py: the import system would find this checkout's file
    for a program without one (the editable install's finder)."""
    if (Path(gui_app.__file__).parent / "event_loop.py").exists():
        from sep_port_doctor.gui.event_loop import EventLoop

        return EventLoop(app)
    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    return loop


GOAL_MS = 30.0
MIN_SECONDS = 3.0
FLOOR_SECONDS = 1.0
FLOOR_WORK_S = 0.001
"""The floor scenario: a zero-delay timer that works 1 ms each time keeps the loop thread busy, as
a run does, but never holds it longer: its longest gap is what the machine's load (other
processes taking the cores) adds to any busy loop, with no program at all."""


class TickRecorder:
    """The gaps between ticks, in wall time and in the loop thread's own CPU time: on a machine
    shared with other work the wall gap also holds the time the thread waited for a core; the
    CPU gap is the loop's own work between ticks, what an idle machine's wall gap would be."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self.cpu_gaps: list[float] = []
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append((now - self.last) * 1000)
        self.cpu_gaps.append((cpu - self.last_cpu) * 1000)
        self.last, self.last_cpu = now, cpu

    def start(self) -> None:
        self.gaps.clear()
        self.cpu_gaps.clear()
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def stop(self) -> tuple[list[float], list[float]]:
        self.timer.stop()
        return list(self.gaps), list(self.cpu_gaps)


class Scenario:
    """The gaps of each repetition of one scenario."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.longest: list[float] = []
        self.p99: list[float] = []
        self.longest_cpu: list[float] = []
        self.seconds: list[float] = []
        self.ticks = 0

    def add(self, gaps: tuple[list[float], list[float]], seconds: float) -> None:
        wall, cpu = gaps
        self.longest.append(max(wall))
        self.p99.append(percentile(wall, 99))
        self.longest_cpu.append(max(cpu))
        self.seconds.append(seconds)
        self.ticks += len(wall)

    def figures(self) -> dict[str, Any]:
        return {"longest": self.longest, "p99": self.p99, "longest_cpu": self.longest_cpu,
                "seconds": self.seconds, "ticks": self.ticks}  # fmt: skip

    def merge(self, figures: dict[str, Any]) -> None:
        self.longest += figures["longest"]
        self.p99 += figures["p99"]
        self.longest_cpu += figures["longest_cpu"]
        self.seconds += figures["seconds"]
        self.ticks += figures["ticks"]

    def print(self, extra: str = "") -> None:
        over = sum(1 for gap in self.longest if gap >= GOAL_MS)
        print(f"{self.name}{extra}")
        print(f"  longest gap per repetition: {spread(self.longest, 'ms')}; goal < {GOAL_MS:.0f} ms: "
              f"{len(self.longest) - over} of {len(self.longest)} repetitions met it")  # fmt: skip
        print(f"  p99 gap per repetition: {spread(self.p99, 'ms')}")
        print(f"  the loop thread's longest CPU time between ticks per repetition: {spread(self.longest_cpu, 'ms')}")
        print(f"  duration per repetition: {spread(self.seconds, 's', 2)}; {self.ticks} ticks in all")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="repetitions of each scenario (1-30)")
    parser.add_argument("--against", metavar="REF", help="a git commit whose program is measured side by side")
    parser.add_argument("--rounds", type=int, default=2, help="with --against: processes of each program (1-10)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # a process of --against
    args = parser.parse_args()
    repeats = max(1, min(args.repeats, 30))
    if args.against:
        return compare(args.against, repeats, max(1, min(args.rounds, 10)))
    if not args.json:
        print(machine())
    floor, wizard_runs, in_flight, rounds = measure(repeats)
    if args.json:
        figures = {"floor": floor.figures(), "wizard": wizard_runs.figures(), "in_flight": in_flight.figures()}
        print(json.dumps({**figures, "rounds": dataclasses.asdict(rounds)}))
    else:
        floor.print()
        wizard_runs.print()
        in_flight.print(rounds.say())
        print(f"{load()} at the end")
    return 0


def compare(ref: str, repeats: int, rounds: int) -> int:
    """REF's program and this checkout's, in alternating processes, under the same load."""
    print(machine())
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    here = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="sepd-bench-") as folder:
        package = Path(folder) / "sep_port_doctor"
        package.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "core", "gui", "resources"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(package)], input=archive, check=True)
        programs = {f"{ref} ({commit})": folder, f"this checkout ({here})": ""}
        results = {name: (Scenario(WIZARD_NAME), Scenario(IN_FLIGHT_NAME), Rounds()) for name in programs}
        floor = Scenario(FLOOR_NAME + ", in every process")
        for round_number in range(1, rounds + 1):
            for name, program in programs.items():
                print(f"round {round_number} of {rounds}, {name}: {load()}", flush=True)
                env = {**os.environ, PROGRAM_ENV: program}
                child = subprocess.run(
                    [sys.executable, __file__, "--json", "--repeats", str(repeats)],
                    env=env, capture_output=True, text=True, check=False,
                )  # fmt: skip
                if child.returncode != 0:
                    raise SystemExit(f"{name} failed ({child.returncode}):\n{child.stderr[-3000:]}")
                figures = json.loads(child.stdout.strip().splitlines()[-1])
                wizard_runs, in_flight, rounds_run = results[name]
                floor.merge(figures["floor"])
                wizard_runs.merge(figures["wizard"])
                in_flight.merge(figures["in_flight"])
                rounds_run.merge(Rounds(**figures["rounds"]))
    print()
    floor.print()
    for name, (wizard_runs, in_flight, rounds_run) in results.items():
        print(f"\n== {name}")
        wizard_runs.print()
        in_flight.print(rounds_run.say())
    (base_wizard, base_flight, _), (new_wizard, new_flight, _) = results.values()
    print("\nthis checkout / REF, medians of the longest gap: "
          f"wizard run {median(new_wizard.longest) / median(base_wizard.longest):.2f}x, "
          f"checks in flight {median(new_flight.longest) / median(base_flight.longest):.2f}x; "
          f"p99 gap: wizard run {median(new_wizard.p99) / median(base_wizard.p99):.2f}x, "
          f"checks in flight {median(new_flight.p99) / median(base_flight.p99):.2f}x; "
          f"longest CPU time between ticks: wizard run {median(new_wizard.longest_cpu) / median(base_wizard.longest_cpu):.2f}x, "
          f"checks in flight {median(new_flight.longest_cpu) / median(base_flight.longest_cpu):.2f}x")  # fmt: skip
    print(f"{load()} at the end")
    return 0


FLOOR_NAME = f"the machine's floor: Qt's loop kept busy {FLOOR_WORK_S * 1000:.0f} ms at a time, no program"
WIZARD_NAME = "wizard run (gui --run), 8014 and 443 dropped"
IN_FLIGHT_NAME = f"216 checks in flight, round after round for {MIN_SECONDS:.0f} s"


@dataclass
class Rounds:
    """The in-flight rounds of one program's processes: how many, whether each showed every
    verdict, and the memory of each process (resident MiB, objects frozen out of the garbage
    collector's sight) before its first round and after its last: it must not grow round after round."""

    count: int = 0
    all_shown: bool = True
    rss_mib: list[tuple[float, float]] = field(default_factory=list)
    frozen: list[tuple[int, int]] = field(default_factory=list)

    def merge(self, other: Rounds) -> None:
        self.count += other.count
        self.all_shown = self.all_shown and other.all_shown
        self.rss_mib += [(a, b) for a, b in other.rss_mib]
        self.frozen += [(a, b) for a, b in other.frozen]

    def say(self) -> str:
        rss = ", ".join(f"{a:.1f} -> {b:.1f}" for a, b in self.rss_mib)
        frozen = ", ".join(f"{a:,} -> {b:,}" for a, b in self.frozen)
        return (f" ({self.count} rounds; every verdict shown as it arrived: {self.all_shown};"
                f" per process, first round to last: RSS {rss} MiB, objects frozen {frozen})")  # fmt: skip


def resident_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def measure(repeats: int) -> tuple[Scenario, Scenario, Scenario, Rounds]:
    """Both scenarios; also the in-flight rounds run, whether each showed every verdict, and memory."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, "/tmp/sepd-bench-settings")
    app = create_application()
    loop = program_loop(app)
    asyncio.set_event_loop(loop)
    catalog = load_catalog()
    recorder = TickRecorder()

    # 0. The machine's floor: the loop kept busy 1 ms at a time, nothing of the program.
    floor = Scenario(FLOOR_NAME)
    work = QTimer()
    work.setInterval(0)
    work.timeout.connect(functools.partial(busy, FLOOR_WORK_S))
    for _ in range(repeats):
        recorder.start()
        work.start()
        started = time.perf_counter()
        loop.run_until_complete(asyncio.sleep(FLOOR_SECONDS))
        work.stop()
        floor.add(recorder.stop(), time.perf_counter() - started)

    def fresh_window() -> MainWindow:
        window = build_main_window(app, argparse.Namespace(lang="ja"))
        window.resize(1200, 800)
        window.show()
        window.tabs.setCurrentIndex(1)
        if hasattr(gui_app, "keep_heap_settled"):  # as run_gui does once the window is shown
            gui_app.keep_heap_settled(window)
        app.processEvents()
        return window

    # 1. The wizard against a manager with dropped ports, as `gui --run` fills and runs it.
    wizard_runs = Scenario(WIZARD_NAME)
    simulator = SimulatedManager(ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(simulator.start())
    with dropping_port() as dropped:
        bound = {**simulator.bound, 8014: dropped, 443: dropped}
        arguments = argparse.Namespace(
            role="client", manager="127.0.0.1", sep_version="14.3 RU1", notes=None,
            port=[f"{d}={p}" for d, p in sorted(bound.items())],
        )  # fmt: skip
        for _ in range(repeats):  # a new window each time, as a technician starts the program
            window = fresh_window()
            wizard = window.wizard
            assert wizard is not None
            wizard.policy = TimeoutPolicy(initial=1.0, floor=0.15, cap=3.0)
            wizard.apply_arguments(arguments)
            recorder.start()
            started = time.perf_counter()
            code = loop.run_until_complete(run_unattended(wizard))
            elapsed = time.perf_counter() - started
            wizard_runs.add(recorder.stop(), elapsed)
            window.close()
            if code != 1:
                raise SystemExit(f"the wizard run ended with {code}, not 1 (the dropped ports are problems)")
    loop.run_until_complete(simulator.stop())

    # 2. 216 checks in flight, shown in the window's run table as they arrive.
    window = fresh_window()
    wizard = window.wizard
    assert wizard is not None
    wizard.policy = TimeoutPolicy(initial=0.5, floor=0.1, cap=1.0)
    wizard.apply_arguments(argparse.Namespace(role="client", manager="127.0.0.1", sep_version="14.3", notes=None))
    wizard.next()  # the target page
    wizard.next()  # the run page: its own run of 127.0.0.1 first (nothing listens there: refused at once)
    assert wizard.run_task is not None and wizard.currentPage() is wizard.run_page
    loop.run_until_complete(wizard.run_task)
    request = PlanRequest(manager=parse_host("127.0.0.1"), version=parse_version("14.3"), all_ports=True)
    checks = []
    for n in range(1, 10):
        host = PlanRequest(manager=parse_host(f"127.0.0.{n}"), version=parse_version("14.3"), all_ports=True)
        checks += [c.__class__(**{**c.__dict__, "id": f"{c.id}#{n}"}) for c in build_plan(catalog, host)]
    arrived: list[CheckResult] = []
    wizard.result_arrived.connect(arrived.append)
    engine = ProbeEngine(TimeoutPolicy(initial=0.5, floor=0.1, cap=1.0), max_sockets=256, use_system_proxy=False)
    assert len(checks) == 216, len(checks)
    in_flight = Scenario(IN_FLIGHT_NAME)
    rounds, all_shown = 0, True
    rss_before, frozen_before = resident_mib(), gc.get_freeze_count()
    for _ in range(repeats):
        recorder.start()
        started = time.perf_counter()
        while time.perf_counter() - started < MIN_SECONDS and rounds < 1000:
            # As the wizard starts a run (controller.start_run), with the nine hosts' plan.
            run = DiagnosisRun(request, catalog, engine)
            run.checks = tuple(checks)
            run.on_event = functools.partial(wizard._on_event, run)
            wizard.run = run
            arrived.clear()
            diagnosis = loop.run_until_complete(run.run())
            rows = wizard.run_page.model
            sending = sum(1 for c in checks if not c.skip)
            all_shown = (
                all_shown
                and not diagnosis.cancelled
                and sum(1 for r in arrived if not r.check.skip) == rows.rowCount() == sending
                and rows.count(Progress.DONE) == sending
            )
            rounds += 1
        in_flight.add(recorder.stop(), time.perf_counter() - started)
    memory = [(rss_before, resident_mib())], [(frozen_before, gc.get_freeze_count())]
    window.close()
    loop.close()
    return floor, wizard_runs, in_flight, Rounds(rounds, all_shown, *memory)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # Skip interpreter finalization: PySide6 can abort while tearing down a QApplication that
    # was not made by run_gui (the program itself exits through run_gui and is not affected).
    os._exit(code)
