"""How long does reading this PC's socket table hold the event loop? The longest gap between
ticks of a 1 ms ticker while the table is read, on the loop's thread (as before) and off it
(``read_socket_table_off_loop``, what the engine does now), alternated per repetition.

    python benchmarks/socket_table_gap.py [--repeats 15]

Prints the machine and its load, the read's own duration, and per way the longest gap of
each repetition (median, min, max). Nothing is sent anywhere: psutil reads /proc here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import machine, spread  # noqa: E402
from sep_port_doctor.core.socket_table import Endpoint, read_socket_table, read_socket_table_off_loop  # noqa: E402

TICK_S = 0.001


async def _on_loop() -> tuple[Endpoint, ...]:
    return read_socket_table()


async def longest_gap(read: Callable[[], Awaitable[tuple[Endpoint, ...]]]) -> tuple[float, float]:
    """(longest gap between ticks in ms, the read's duration in ms)."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(TICK_S)
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    ticking = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.02)  # the ticker settles
    gaps.clear()
    t0 = time.perf_counter()
    await read()
    took = (time.perf_counter() - t0) * 1000
    await asyncio.sleep(0.005)
    done.set()
    await ticking
    return max(gaps), took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="repetitions of each way (1-100)")
    args = parser.parse_args()
    repeats = max(1, min(100, args.repeats))
    print(machine())
    results: dict[str, list[float]] = {"on the loop's thread": [], "off the loop (gc paused)": []}
    durations: list[float] = []

    async def all_runs() -> None:
        for _ in range(repeats):
            gap, took = await longest_gap(_on_loop)
            results["on the loop's thread"].append(gap)
            durations.append(took)
            gap, _took = await longest_gap(read_socket_table_off_loop)
            results["off the loop (gc paused)"].append(gap)

    asyncio.run(all_runs())
    print(f"socket table read ({len(read_socket_table())} endpoints): {spread(durations, 'ms')}")
    for way, gaps in results.items():
        print(f"  {way}: longest loop gap {spread(gaps, 'ms')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
