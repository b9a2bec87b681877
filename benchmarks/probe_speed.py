"""Probe speed, side by side in one run, on the namespace network of scripts/netlab.py.

Compares the wall time of ``sep-port-doctor check --all-ports`` with
``nmap -sT -Pn -n`` on the same TCP ports (two of them dropped by the lab's
firewall), checks that every TCP verdict agrees in every run, and times the way
technicians test today: one port after another with a fixed 3 s timeout.

    sudo python benchmarks/probe_speed.py [--runs 20]

Prints medians and ratios; asserts nothing (the machines are shared and noisy).
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

from scripts.netlab import NetLab, missing_requirements  # noqa: E402
from tests.helpers.command import command  # noqa: E402

AS_NMAP = {"open": "open", "closed": "closed", "filtered": "filtered", "unreachable": "filtered"}

ONE_BY_ONE = """
import socket, sys
host, ports = sys.argv[1], [int(p) for p in sys.argv[2].split(",")]
for port in ports:
    s = socket.socket(); s.settimeout(3.0)
    try: s.connect((host, port))
    except OSError: pass
    finally: s.close()
"""


def timed(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"{args[:6]} failed: {result.stderr[:500]}")
    return elapsed, result.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    why = missing_requirements()
    if why:
        print(f"skipped: {why}")
        return 0
    lab = NetLab().up()
    try:
        ours_cmd = lab.in_client(
            *command(), "check", "--manager", lab.manager_ip, "--version", "14.3", "--all-ports", "--json"
        )
        _t, out = timed(ours_cmd)
        ports = sorted({c["port"] for c in json.loads(out)["checks"] if c["protocol"] == "tcp"})
        nmap_cmd = lab.in_client(
            "nmap", "-sT", "-Pn", "-n", "-p", ",".join(map(str, ports)), "-oX", "-", lab.manager_ip
        )
        ours_times, nmap_times, agreed = [], [], 0
        for _ in range(max(1, min(args.runs, 100))):
            t_ours, out = timed(ours_cmd)
            t_nmap, xml = timed(nmap_cmd)
            ours_times.append(t_ours)
            nmap_times.append(t_nmap)
            ours: dict[int, set[str]] = {}
            for check in json.loads(out)["checks"]:
                if check["protocol"] == "tcp":
                    ours.setdefault(check["port"], set()).add(AS_NMAP[check["state"]])
            theirs = {int(p.get("portid", 0)): p.find("state").get("state") for p in ET.fromstring(xml).iter("port")}  # type: ignore[union-attr]
            agreed += all(states == {theirs[port]} for port, states in ours.items())
        slow = [
            timed(lab.in_client(sys.executable, "-c", ONE_BY_ONE, lab.manager_ip, ",".join(map(str, ports))))[0]
            for _ in range(2)
        ]
    finally:
        lab.down()
    ours_median, nmap_median, slow_median = (statistics.median(x) for x in (ours_times, nmap_times, slow))
    print(f"TCP ports: {len(ports)} (2 dropped by the lab's firewall); runs: {len(ours_times)}")
    print(f"sep-port-doctor check --all-ports (TCP+UDP, app checks): median {ours_median:.3f} s")
    print(f"nmap -sT -Pn -n (TCP only):                              median {nmap_median:.3f} s")
    print(f"one by one, fixed 3 s timeout (today's way):              median {slow_median:.3f} s")
    print(f"ratio ours/nmap: {ours_median / nmap_median:.2f} (goal <= 0.60)")
    print(f"ratio ours/one-by-one: {ours_median / slow_median:.3f}")
    print(f"identical TCP verdicts: {agreed}/{len(ours_times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
