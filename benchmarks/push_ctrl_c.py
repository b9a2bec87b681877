"""Ctrl+C in the middle of a loopback push sweep of a /22: SIGINT to the process's exit.

    .venv/bin/python benchmarks/push_ctrl_c.py [--runs 5]

``sep-port-doctor push 127.0.8.0/22`` (1,024 loopback addresses, each port refused at once, so the
sweep's pace, 1,000 probes a second, decides how far it has got) is sent SIGINT 1.5 s in, when some
1,500 of its 3,072 checks have run and about 1,000 probes wait for a socket slot. Side by side in one
run, interleaved: the program as it is, and the same program with the engine's socket slots taken
by ``asyncio.Semaphore`` (what it used before: each release then walked past every cancelled wait).
Prints the median with its spread and the load; asserts nothing (the machine is shared). Goal
(README): stopped within 200 ms.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import ctrl_c_to_exit_ms, load, machine, spread  # noqa: E402

TARGETS = "127.0.8.0/22"
AFTER_S = 1.5

# The program itself, run as the installed command runs it (core.cli.main as the whole process);
# "semaphore" first puts asyncio.Semaphore back where the engine keeps its socket slots.
_CHILD = """
import asyncio, sys
if sys.argv[1] == "semaphore":
    from sep_port_doctor.core import engine
    engine._Slots = asyncio.Semaphore
from sep_port_doctor.core.cli import main
main(["push", sys.argv[2], "--lang", "en"], process=True)
"""


def stop_ms(variant: str) -> tuple[float, int]:
    """Milliseconds from SIGINT to the process's exit, and its exit code."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD, variant, TARGETS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        cwd=ROOT,
    )
    took = ctrl_c_to_exit_ms(process, AFTER_S)
    return took, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if os.name != "posix":
        print("cannot run: SIGINT to a child process is POSIX's")
        return 2
    print(machine())
    print(f"load at start: {load()}")
    taken: dict[str, list[float]] = {"slots (as shipped)": [], "asyncio.Semaphore": []}
    codes: set[int] = set()
    for _ in range(args.runs):
        for name, variant in (("slots (as shipped)", "slots"), ("asyncio.Semaphore", "semaphore")):
            took, code = stop_ms(variant)
            taken[name].append(took)
            codes.add(code)
    print(f"push {TARGETS}, SIGINT {AFTER_S} s in; exit codes {sorted(codes)}")
    for name, values in taken.items():
        print(f"{'Ctrl+C to exit, ' + name:<45} {spread(values, 'ms', 0)}")
    print(f"load at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
