"""Truth and speed on impaired networks, side by side with nmap in one run (root only).

On the namespace lab of scripts/netlab.py, each scenario runs
``sep-port-doctor check --all-ports --json`` (every TCP and UDP catalogue port, with
the TLS and HTTP checks) and ``nmap -sT -Pn -n`` on the same TCP ports, interleaved,
and counts the verdicts of each tool that differ from the lab's ground truth
(``NetLab.truth``), plus ports our one report tells two ways.

Scenarios: the clean LAN; a 600 ms round trip (+-60 ms jitter); 600 ms with a firewall
on the client resetting every port but the manager's open and dropped ones ("nearby
resets"); 5 % and 25 % loss on each side of the LAN; a 1.6 s round trip with
``--timeout 5`` (nmap: ``--initial-rtt-timeout 5s``, the same statement).

    sudo python benchmarks/probe_speed.py [--runs 5] [--only lan,600ms] [--against main]

``--against REF`` also runs the program as of the git commit REF in every run, interleaved
with this checkout's (the order alternates run by run) and nmap, under the same load: its
own rows, and this checkout's wall time over REF's.

Prints a table of medians (ours also without start and exit: the probing itself, the
report's ``duration_ms``), ratios, wrong-verdict counts and our exit codes (they must
not flap between runs of one scenario); asserts nothing (the
machines are shared and noisy). Targets (issue 10): zero wrong at 600 ms, with nearby
resets, at 5 % loss and at 1.6 s with --timeout 5; at 25 % loss no more wrong than
nmap; wall time <= 0.6x nmap on the LAN and <= 1.0x at 600 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.measure import load, machine, spread  # noqa: E402
from scripts.netlab import (  # noqa: E402
    APACHE_PORTS,
    AS_NMAP,
    CATALOGUE_TCP_PORTS,
    DROPPED_PORTS,
    NetLab,
    missing_requirements,
)
from tests.helpers.command import command  # noqa: E402


@dataclass
class Scenario:
    name: str
    path: str
    setup: Callable[[NetLab], None]
    ours_extra: tuple[str, ...] = ()
    nmap_extra: tuple[str, ...] = ()


def _lan(lab: NetLab) -> None:
    pass


def _far(lab: NetLab) -> None:
    lab.set_link(300, 30)


def _resets(lab: NetLab) -> None:
    lab.set_link(300, 30)
    lab.set_client_resets(tuple(p for p in CATALOGUE_TCP_PORTS if p not in (*APACHE_PORTS, *DROPPED_PORTS)), "far")


def _loss(permille: int) -> Callable[[NetLab], None]:
    def setup(lab: NetLab) -> None:
        lab.set_loss(permille, "lan")

    return setup


def _very_far(lab: NetLab) -> None:
    lab.set_link(800, 20)


SCENARIOS = [
    Scenario("lan", "lan", _lan),
    Scenario("600ms", "far", _far),
    Scenario("nearby-resets", "far", _resets),
    Scenario("loss-5%", "lan", _loss(50)),
    Scenario("loss-25%", "lan", _loss(250)),
    Scenario("1.6s-timeout-5", "far", _very_far, ("--timeout", "5"), ("--initial-rtt-timeout", "5s")),
]


@dataclass
class Tally:
    walls: list[float] = field(default_factory=list)
    runs: list[float] = field(default_factory=list)
    """Ours: the probing itself (the report's ``duration_ms``); the rest of the wall time is start and exit."""
    wrong: int = 0
    verdicts: int = 0
    examples: list[str] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)


def timed(args: list[str], program: Path = ROOT) -> tuple[float, str, int]:
    """``program``: the folder whose ``sep_port_doctor`` is imported (this checkout, or --against's REF)."""
    started = time.perf_counter()
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(program)}
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1, 3):
        raise SystemExit(f"{args[:6]} failed: {result.stderr[:500]}")
    return elapsed, result.stdout, result.returncode


def compile_sources() -> None:
    """Byte-compile the program's own sources, as an installed program has them (pip compiles
    at install, PyInstaller bundles bytecode). A checkout run with PYTHONDONTWRITEBYTECODE (as
    on the development machine) would otherwise compile ~40 modules at every start: 0.5 s at
    load 7, which no user pays. The bytecode goes to ``__pycache__`` (ignored by git)."""
    import compileall

    for folder in ("core", "gui"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def export_program(ref: str, folder: Path) -> str:
    """The program as of the git commit ``ref`` in ``folder``/sep_port_doctor (byte-compiled, as
    compile_sources): on PYTHONPATH it is imported before the editable install's finder. Returns the
    short commit."""
    import compileall

    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True, check=True
    ).stdout.strip()
    package = folder / "sep_port_doctor"
    package.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "core", "gui", "resources"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(package)], input=archive, check=True)
    for name in ("core", "gui"):
        compileall.compile_dir(str(package / name), quiet=1)
    return commit


def why_not_ok(report: dict[str, Any]) -> str:
    """The checks (and this PC's findings) whose severity made a run exit non-zero, with their evidence."""
    told = []
    for item in report["checks"]:
        if item["severity"] != "problem" and item["state"] != "error":
            continue
        application = item["application"]
        said = f"{item['protocol']} {item['port']} {item['state']} ({item['cause']}, {item['attempts']} attempts)"
        if application is not None and not application["ok"]:
            said += f": {application['detail']}"
        told.append(said)
    told += [f"this PC: {f.get('id', f)}" for f in report.get("local") or () if f.get("severity") == "problem"]
    return "; ".join(told) or "no check said problem or error"


def keep(report: dict[str, Any], scenario: Scenario) -> Path:
    """A run that exited non-zero is kept whole, to be read after the benchmark (it is rare)."""
    folder = Path(os.environ.get("PROBE_SPEED_KEEP", "/tmp/probe_speed_nonzero"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{scenario.name}-{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def ours_run(lab: NetLab, scenario: Scenario, tally: Tally, command_line: list[str], program: Path) -> None:
    """One run of our check: its time, exit code and verdicts against the lab's truth."""
    wall, out, code = timed(command_line, program)
    tally.walls.append(wall)
    tally.exit_codes.append(code)
    seen: dict[int, set[str]] = {}
    report = json.loads(out)
    tally.runs.append(report["duration_ms"] / 1000)
    for item in report["checks"]:
        if item["protocol"] != "tcp" or item["state"] == "not_applicable":
            continue
        seen.setdefault(item["port"], set()).add(AS_NMAP.get(item["state"], item["state"]))
    if code != 0:  # what made the run say "problem" (1) or "incomplete" (3): the exit code must not flap
        tally.examples.append(f"exit {code}: {why_not_ok(report)} (report kept in {keep(report, scenario)})")
    for port, states in seen.items():
        tally.verdicts += 1
        truth = lab.truth(port, "tcp", scenario.path)
        if states != {truth}:
            tally.wrong += 1
            tally.examples.append(f"{port}: {sorted(states)} (truth {truth})")


def run_scenario(
    lab: NetLab, scenario: Scenario, runs: int, against: Path | None = None
) -> tuple[Tally, Tally, Tally | None]:
    """This checkout's tally, nmap's, and --against's program's (None without it)."""
    lab.clear_impairments()
    scenario.setup(lab)
    address = lab.manager_ip if scenario.path == "lan" else lab.far_ip
    ours_cmd = lab.in_client(
        *command(), "check", "--manager", address, "--version", "14.3", "--all-ports", "--json", *scenario.ours_extra
    )
    nmap_cmd = lab.in_client(
        "nmap",
        "-sT",
        "-Pn",
        "-n",
        *scenario.nmap_extra,
        "-p",
        ",".join(map(str, CATALOGUE_TCP_PORTS)),
        "-oX",
        "-",
        address,
    )
    ours, theirs = Tally(), Tally()
    other = None if against is None else Tally()
    for run in range(runs):
        programs = [(ours, ROOT)] if other is None or against is None else [(other, against), (ours, ROOT)]
        for tally, program in programs if run % 2 == 0 else reversed(programs):
            ours_run(lab, scenario, tally, ours_cmd, program)
        wall, xml, _code = timed(nmap_cmd)
        theirs.walls.append(wall)
        for element in ET.fromstring(xml).iter("port"):
            state_element = element.find("state")
            port = int(element.get("portid", "0"))
            state = "" if state_element is None else state_element.get("state", "")
            theirs.verdicts += 1
            truth = lab.truth(port, "tcp", scenario.path)
            if state != truth:
                theirs.wrong += 1
                theirs.examples.append(f"{port}: {state} (truth {truth})")
    lab.clear_impairments()
    return ours, theirs, other


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--against", metavar="REF", help="a git commit whose program also runs, interleaved")
    args = parser.parse_args()
    why = missing_requirements()
    if why:
        print(f"skipped: {why}")
        return 0
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    runs = max(1, min(args.runs, 50))
    print(machine())
    compile_sources()
    with tempfile.TemporaryDirectory(prefix="sepd-probe-speed-") as folder:
        against = None
        if args.against:
            commit = export_program(args.against, Path(folder))
            here = subprocess.run(
                ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
            ).stdout.strip()
            print(f"ours: this checkout ({here}); against: {args.against} ({commit})")
            against = Path(folder)
        lab = NetLab().up()
        rows = []
        try:
            for scenario in chosen:
                rows.append((scenario, *run_scenario(lab, scenario, runs, against)))
                print(f"... {scenario.name} done", file=sys.stderr, flush=True)
        finally:
            lab.down()
    print(
        f"{runs} runs per scenario; {len(CATALOGUE_TCP_PORTS)} TCP ports; ours: check --all-ports (TCP+UDP, TLS and HTTP checks)"
    )
    print(
        f"{'scenario':<16} {'who':<8} {'ours s':>7} {'(probing)':>9} {'nmap s':>7} {'ratio':>6} {'ours wrong':>11} "
        f"{'nmap wrong':>11}  ours exit codes"
    )
    for scenario, ours, theirs, other in rows:
        nmap_median = statistics.median(theirs.walls)
        for who, tally in (("against", other), ("ours", ours)):
            if tally is None:
                continue
            median = statistics.median(tally.walls)
            codes = ", ".join(f"{code} x{tally.exit_codes.count(code)}" for code in sorted(set(tally.exit_codes)))
            print(
                f"{scenario.name:<16} {who:<8} {median:>7.2f} {statistics.median(tally.runs):>9.2f} {nmap_median:>7.2f} "
                f"{median / nmap_median:>6.2f} {tally.wrong:>5}/{tally.verdicts:<5} {theirs.wrong:>5}/{theirs.verdicts:<5}"
                f"  {codes}"
            )
        if other is not None:
            print(f"{'':<16} ours / against: {statistics.median(ours.walls) / statistics.median(other.walls):.2f}x")
    for scenario, ours, theirs, other in rows:
        against_spread = "" if other is None else f"; against {spread(other.walls, 's', 2)}"
        print(
            f"  {scenario.name}: ours {spread(ours.walls, 's', 2)}{against_spread}; nmap {spread(theirs.walls, 's', 2)}"
        )
    print(f"{load()} at the end")
    for scenario, ours, theirs, other in rows:
        for who, tally in (("against", other), ("ours", ours), ("nmap", theirs)):
            if tally is not None and tally.examples:
                print(f"  {scenario.name} {who} wrong: {'; '.join(tally.examples[:6])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
