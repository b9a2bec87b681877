"""Soak: 500 runs in one process against the simulated manager with dropped ports.

Prints open file descriptors and memory (RSS) at the start and at the end, and
the growth; asserts nothing (the machines are shared and noisy).

    python benchmarks/soak.py [--runs 500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sep_port_doctor.core.catalog import load_catalog  # noqa: E402
from sep_port_doctor.core.engine import ProbeEngine  # noqa: E402
from sep_port_doctor.core.hosts import parse_host  # noqa: E402
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan  # noqa: E402
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager  # noqa: E402
from sep_port_doctor.core.timing import TimeoutPolicy  # noqa: E402
from sep_port_doctor.core.versions import parse_version  # noqa: E402


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def soak(runs: int) -> None:
    catalog = load_catalog()
    async with SimulatedManager(profile="dropped", ports={p: 0 for p in SERVED_PORTS}) as manager:
        request = PlanRequest(
            manager=parse_host("127.0.0.1"), version=parse_version("14.3"), role=Role.CONSOLE,
            overrides=dict(manager.bound),
        )  # fmt: skip
        checks = build_plan(catalog, request)
        engine = ProbeEngine(TimeoutPolicy(initial=0.2, floor=0.02, cap=0.2), use_system_proxy=False)
        for _ in range(5):  # warm up caches (TLS contexts, imports)
            await engine.run(checks, version=request.version)
        gc.collect()
        start_fds, start_rss, started = fds(), rss_mb(), time.perf_counter()
        for number in range(1, runs + 1):
            await engine.run(checks, version=request.version)
            if number % 100 == 0:
                gc.collect()
                print(f"  after {number:4d} runs: fds {fds()}, RSS {rss_mb():.1f} MB")
        gc.collect()
        end_fds, end_rss = fds(), rss_mb()
    print(f"{runs} runs in {time.perf_counter() - started:.1f} s")
    print(f"open file descriptors: start {start_fds}, end {end_fds} (growth {end_fds - start_fds})")
    print(f"memory (RSS): start {start_rss:.1f} MB, end {end_rss:.1f} MB (growth {end_rss - start_rss:+.1f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    asyncio.run(soak(max(1, min(parser.parse_args().runs, 5000))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
