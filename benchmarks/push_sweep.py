"""A push sweep of 254 addresses side by side with nmap in one run (root only).

On scripts/pushlab.py's client network (10.238.T.0/24: a few PCs with real Samba, some
with 445 dropped, some with 445 reset, one that is not SMB, one with NetBIOS off, most
addresses with no PC at all), each repetition runs, interleaved:

* ``sep-port-doctor push --json 10.238.T.0/24`` (TCP 445 with the SMB2 negotiate, TCP 139,
  UDP 137 with the node status);
* ``nmap -sT -Pn -n -p139,445`` on the same block (TCP only);
* ``nmap -sU -Pn -n -p137`` (UDP only);

and compares every TCP verdict of ours with nmap's (an ``unreachable`` of ours is nmap's
``filtered``) and with the lab's truth. Then it measures how long ``push`` takes to stop
after Ctrl+C in the middle of a sweep (SIGINT to exit), and how long a cancel (the window's
Cancel) takes until every probe's sockets are closed, in the process.

    sudo python benchmarks/push_sweep.py [--runs 3]

Prints a table; asserts nothing (the machine is shared and noisy). Targets (issue 13):
identical TCP verdicts to nmap on every address, and a wall time no longer than nmap's
TCP scan alone while also doing UDP 137 and the SMB negotiate; stopped within 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import ctrl_c_to_exit_ms, load, machine, spread  # noqa: E402
from scripts.netlab import AS_NMAP  # noqa: E402
from scripts.pushlab import PushLab, missing_requirements  # noqa: E402


def _program() -> list[str]:
    script = Path(sys.executable).parent / "sep-port-doctor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sep_port_doctor.gui"]


def ours(lab: PushLab) -> tuple[float, dict[tuple[str, int], str], dict[str, int], float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run(
        lab.in_manager(*_program(), "push", "--json", "--lang", "en", lab.network),
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    wall = time.perf_counter() - started
    report = json.loads(result.stdout)
    states = {
        (t["host"], c["port"]): c["state"] for t in report["targets"] for c in t["checks"] if c["protocol"] == "tcp"
    }
    return wall, states, report["counts"], report["duration_ms"] / 1000


def nmap(lab: PushLab, *args: str) -> tuple[float, dict[tuple[str, int], str]]:
    started = time.perf_counter()
    result = subprocess.run(
        lab.in_manager("nmap", "-Pn", "-n", *args, "-oX", "-", lab.network),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    wall = time.perf_counter() - started
    states: dict[tuple[str, int], str] = {}
    for host in ET.fromstring(result.stdout).iter("host"):
        address = host.find("address")
        for port in host.iter("port"):
            state = port.find("state")
            if address is not None and state is not None:
                states[(address.get("addr", ""), int(port.get("portid", "0")))] = state.get("state", "")
    return wall, states


def stop_time(lab: PushLab, after: float = 1.2) -> float:
    """Seconds from SIGINT to the process's exit, in the middle of a sweep."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        lab.in_manager(*_program(), "push", "--json", lab.network),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    # ip netns exec execs the program: the pid is the program's own.
    return ctrl_c_to_exit_ms(process, after) / 1000


_CANCEL_PROBE = """
import asyncio, os, sys, time
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.push import PushRun, parse_targets
from sep_port_doctor.core.push_command import push_engine
from sep_port_doctor.core.timing import TimeoutPolicy

def open_files():
    return len(os.listdir("/proc/self/fd"))

async def main():
    arrived = []
    run = PushRun(
        load_catalog(), parse_targets([("", sys.argv[1])]).hosts, push_engine(TimeoutPolicy()), on_result=arrived.append
    )
    before = open_files()
    task = asyncio.ensure_future(run.run())
    await asyncio.sleep(float(sys.argv[2]))
    pending = len(run.checks) - len(arrived)
    asked = time.perf_counter()
    run.cancel()  # as the window's Cancel does; the sweep returns what it had, cancelled
    await asyncio.wait([task])
    took = (time.perf_counter() - asked) * 1000
    print(took, pending, len(run.checks), open_files() - before)

asyncio.run(main())
"""


def cancel_time(lab: PushLab, after: float = 0.6) -> tuple[float, int, int, int]:
    """Milliseconds from cancelling a sweep in progress (the window's Cancel) until the run has
    returned with every probe closed; with the checks still waiting then, all checks, and the
    sockets left open after it (0)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        lab.in_manager(sys.executable, "-c", _CANCEL_PROBE, lab.network, str(after)),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
        cwd=ROOT,
    )
    took, pending, total, left = result.stdout.strip().splitlines()[-1].split()
    return float(took), int(pending), int(total), int(left)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    reason = missing_requirements()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    lab = PushLab(
        samba=(10, 11, 12, 13),
        dropped=tuple(range(20, 30)),
        reset=tuple(range(30, 40)),
        not_smb=(40,),
        no_netbios=(50,),
    )
    print(machine())
    print(f"load at start: {load()}")
    lab.up()
    try:
        walls: dict[str, list[float]] = {"push": [], "nmap -sT": [], "nmap -sU": []}
        sweeps: list[float] = []
        differ: list[int] = []
        wrong: list[int] = []
        counts: dict[str, int] = {}
        for _ in range(args.runs):
            wall, states, counts, sweep = ours(lab)
            walls["push"].append(wall)
            sweeps.append(sweep)
            tcp_wall, tcp = nmap(lab, "-sT", "-p139,445")
            walls["nmap -sT"].append(tcp_wall)
            walls["nmap -sU"].append(nmap(lab, "-sU", "-p137")[0])
            differ.append(sum(1 for key, state in states.items() if AS_NMAP[state] != tcp.get(key)))
            wrong.append(
                sum(
                    1
                    for (host, port), state in states.items()
                    if AS_NMAP[state] != lab.truth(int(host.split(".")[-1]), port)
                )
            )
        stops = [stop_time(lab) for _ in range(args.runs)]
        cancelled = [cancel_time(lab) for _ in range(args.runs)]
        cancels = [c[0] for c in cancelled]
        ratio = statistics.median(walls["push"]) / statistics.median(walls["nmap -sT"])
        print(f"targets: {lab.network} (254 addresses, {len(lab.present)} PCs present); verdicts {counts}")
        print(f"{'measure':<40} figure ({args.runs} runs: median (min-max))")
        for name, values in walls.items():
            print(f"{name + ' wall time':<40} {spread(values, 's', 2)}")
        print(f"{'  of it the sweep (first probe to its end)':<40} {spread(sweeps, 's', 2)}")
        print(f"{'push / nmap -sT (TCP alone)':<40} {ratio:.2f}x")
        print(
            f"{'each run: push / nmap -sT wall':<40} "
            + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(walls["push"], walls["nmap -sT"], strict=True))
        )
        print(f"{'TCP verdicts differing from nmap':<40} {differ} of {2 * 254} per run")
        print(f"{'TCP verdicts differing from the truth':<40} {wrong} of {2 * 254} per run")
        print(f"{'Ctrl+C to exit, mid-sweep':<40} {spread([s * 1000 for s in stops], 'ms', 0)}")
        print(f"{'cancel to every probe closed (in process)':<40} {spread(cancels, 'ms', 0)}")
        waiting = ", ".join(f"{c[1]}/{c[2]}" for c in cancelled)
        print(
            f"{'  checks waiting at the cancel':<40} {waiting}; files left open after it: {[c[3] for c in cancelled]}"
        )
    finally:
        lab.down()
        print(f"load at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
