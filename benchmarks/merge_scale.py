"""``merge`` at fleet scale: wall time, CPU time and peak memory of the real command.

    python benchmarks/merge_scale.py [--sizes 5000 20000] [--repeat 3] [--cache DIR]

For each size a fleet of that many report files is made once by scripts/make_fleet.py (real
``check --json`` runs against simulated managers, the computers derived from them, a sixth with
earlier runs, the hostile and foreign files mixed in) and kept in ``--cache``. Then
``sep-port-doctor merge FLEET --report --json --csv`` runs ``--repeat`` times, each in a process of
its own; its wall time, user+system CPU time and peak resident memory (``wait4``'s ru_maxrss) are
printed as the median with their spread. A last scenario names the smallest fleet's folder four
times: four times the files for the same computers, so that memory growing with the files and not
with the PCs would show.

Target (issue 16): 5,000 reports in at most 10 s on the 2-core development machine; memory flat in
the number of reports. The machine is shared: the load average at start and end is printed, and
the CPU time says what the merge itself cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import load, machine, spread  # noqa: E402


def program() -> list[str]:
    script = Path(sys.executable).parent / "sep-port-doctor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sep_port_doctor.gui"]


def fleet(cache: Path, reports: int) -> Path:
    folder = cache / f"fleet-{reports}"
    if not (cache / f"fleet-{reports}.manifest.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/make_fleet.py"), str(folder), "--reports", str(reports)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        print(f"  made the fleet of {reports} reports in {time.perf_counter() - started:.0f} s")
    return folder


def one_merge(inputs: list[Path], out: Path) -> tuple[float, float, float, int, str]:
    """Wall s, CPU s, peak RSS MB, exit code and the summary line of one ``merge`` process."""
    args = [*program(), "merge", *map(str, inputs), "--report", str(out / "site.html"),
            "--json", str(out / "site.json"), "--csv", str(out / "site.csv"), "--lang", "en"]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    assert process.stdout is not None
    summary = process.stdout.read().decode("utf-8", "replace").splitlines()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode, summary[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "sep-merge-scale")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(machine())
    fleets = {size: fleet(args.cache, size) for size in sorted(args.sizes)}
    smallest = min(fleets)
    scenarios = [(f"{size} reports", [folder]) for size, folder in fleets.items()]
    scenarios.append((f"{smallest} reports named 4 times ({4 * smallest} files, same PCs)", [fleets[smallest]] * 4))
    print(f"{load()} before the merges")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for name, inputs in scenarios:
            walls, cpus, peaks = [], [], []
            summary, code = "", 0
            for _ in range(args.repeat):
                wall, cpu, peak, code, summary = one_merge(inputs, out)
                walls.append(wall)
                cpus.append(cpu)
                peaks.append(peak)
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(out.iterdir()))
            print(f"{name}: exit {code}; {summary}")
            print(f"  wall {spread(walls, 's', 2)}; CPU {spread(cpus, 's', 2)}; peak RSS {spread(peaks, 'MB')}")
            print(f"  outputs: {sizes}; {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
