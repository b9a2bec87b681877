"""A realistic fleet of `check --json` results in one folder, as the fleet recipes collect them,
with hostile and foreign files mixed in: the input of `merge` and benchmarks/merge_scale.py.

    python scripts/make_fleet.py OUT --reports 20000 [--real-runs 200] [--seed 1]    (or --computers N)

**Real runs.** Simulated managers (core/simulator.py) listen on loopback addresses of their own
(127.20.0.1, 127.30.0.1, 127.40.0.1), each with a fault profile: healthy, a certificate about to
expire, secars answering 500. For each manager a second simulator on the same address ("dropped")
gives the ports a filtering path would show, and a third ("push-blocked") the client's File and
Printer Sharing ports dropped by its firewall. The real check (core.check_command.run_check, what
`check --json` runs, written by the same JSON writer) then runs once for every combination of
manager, path (normal, 8014 dropped, 8014 and 443 dropped), this PC (healthy, UDP 138 not
listening, push ports blocked) and a spread of SEP versions, and again until ``real_runs`` is
reached. What differs between these results is real: verdicts, round trips, reasons, certificate
facts, plans and notices of each version.

**Derived computers.** Each computer of the fleet belongs to a site (a subnet, its manager and
what its path does), has a state of its own and a version; it takes the real result of that
combination and only these fields are edited, because one machine cannot vary them: ``computer``
(the host name), ``os`` (the real runs are Linux; the fleet is Windows 10 and 11), ``started``
(spread over a week), and this PC's own address in the checks of this PC (``address``, and the
address inside their ``reason`` and ``local_sockets``): on loopback a PC reaches a manager from the
manager's own address, so the real runs cannot stand in several subnets. A sixth of the computers
have earlier runs too (history), some with another outcome. Deriving is string substitution in
the real JSON text: 20,000 computers take seconds, not the hours 20,000 real checks would.

**Hostile and foreign files**: empty, torn in half, a temporary file a collector left, UTF-16 and
UTF-8 with a byte-order mark (what Windows PowerShell 5.1 writes), CP932, another tool's JSON,
`ports --json`, NaN, duplicate keys, wrong types, missing fields, 2,000 nested arrays, a 16 MB
report, trailing garbage, two objects in one file, NUL bytes, binary, a folder and a symbolic link
named .json, terminal escapes and HTML in the host name, a name that says another computer, the
recipes' own .error.txt. ``manifest.json`` beside the folder says what each file is and whether
it is a report (``expected``: ``report``, ``skip``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import ipaddress
import itertools
import json
import random
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sep_port_doctor.core.catalog import load_catalog  # noqa: E402
from sep_port_doctor.core.check_command import run_check  # noqa: E402
from sep_port_doctor.core.console import write_json  # noqa: E402
from sep_port_doctor.core.hosts import parse_host  # noqa: E402
from sep_port_doctor.core.plan import PlanRequest, Role  # noqa: E402
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager  # noqa: E402
from sep_port_doctor.core.timing import TimeoutPolicy  # noqa: E402
from sep_port_doctor.core.versions import parse_version  # noqa: E402

MANAGERS = {"127.20.0.1": "healthy", "127.30.0.1": "cert-expiring", "127.40.0.1": "secars-error"}
PATHS = ("normal", "drops-8014", "drops-8014-443")
PC_STATES = ("healthy", "udp138-off", "push-blocked")
VERSIONS = ("14.3 RU9", "14.3 RU8", "14.3 RU10", "14.3 RU1", "14.2 RU2 MP1", "12.1.6 MP10", "14.3.9205.6000")
ONE_WEEK_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Site:
    name: str
    subnet: str
    manager: str
    path: str
    versions: tuple[str, ...]
    weight: int


SITES = (
    Site("TKY", "10.10.0.0/16", "127.20.0.1", "normal", ("14.3 RU9", "14.3 RU10", "14.3 RU8"), 40),
    Site("TKY-F3", "10.20.0.0/16", "127.20.0.1", "drops-8014", ("14.3 RU9", "14.3 RU8"), 12),
    Site("OSK", "10.31.0.0/16", "127.30.0.1", "normal", ("14.3 RU9", "14.3 RU1", "14.2 RU2 MP1"), 25),
    Site("OSK-DMZ", "172.16.8.0/21", "127.30.0.1", "drops-8014-443", ("14.3 RU8",), 3),
    Site("NGY", "10.40.0.0/16", "127.40.0.1", "normal", ("14.3 RU10", "14.3.9205.6000", "12.1.6 MP10"), 15),
    Site("FAC", "192.168.48.0/20", "127.20.0.1", "normal", ("12.1.6 MP10", "14.2 RU2 MP1"), 5),
)
PC_STATE_WEIGHTS = {"healthy": 90, "udp138-off": 6, "push-blocked": 4}
WINDOWS = ("Windows 10 (AMD64)", "Windows 11 (AMD64)", "Windows 11 (ARM64)")


@dataclass(frozen=True)
class Scenario:
    manager: str
    path: str
    pc: str
    version: str


@dataclass
class Template:
    """One real result, as text with the fields a derived computer changes marked."""

    scenario: Scenario
    text: str
    exit_code: int


@dataclass
class Manifest:
    folder: str
    computers: int = 0
    reports: int = 0
    real_runs: int = 0
    seconds_real: float = 0.0
    seconds_derived: float = 0.0
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, kind: str, expected: str, **facts: Any) -> None:
        self.files[name] = {"kind": kind, "expected": expected, **facts}


# --- real runs -----------------------------------------------------------------------------

COMPUTER, OS_NAME, STARTED, PC_ADDRESS = "@@COMPUTER@@", "@@OS@@", "@@STARTED@@", "@@PCADDRESS@@"


class Simulators:
    """Per manager address: the manager itself and a "dropped" twin whose 8443/9090 drop connection
    attempts (the ports a filtering path shows), on free ports of that loopback address. On
    127.0.0.1, the address this PC faces a loopback manager from, this PC's side: File and Printer
    Sharing (TCP 139/445) and NetBIOS (UDP 137/138) from a healthy simulator, the same TCP ports
    dropped by a "push-blocked" one (a client firewall)."""

    PC = "127.0.0.1"

    def __init__(self) -> None:
        self.running: dict[tuple[str, str], SimulatedManager] = {}

    async def start(self) -> None:
        sides = [(address, role) for address, profile in MANAGERS.items() for role in (profile, "dropped")]
        sides += [(self.PC, "healthy"), (self.PC, "push-blocked")]
        for address, role in sides:
            simulator = SimulatedManager(bind=address, profile=role, ports={p: 0 for p in SERVED_PORTS})
            await simulator.start()
            self.running[(address, role)] = simulator

    async def stop(self) -> None:
        for simulator in self.running.values():
            await simulator.stop()

    def overrides(self, scenario: Scenario) -> dict[int, int]:
        main = self.running[(scenario.manager, MANAGERS[scenario.manager])]
        dropped = self.running[(scenario.manager, "dropped")]
        ports = {default: port for default, port in main.bound.items() if default not in (137, 138, 139, 445)}
        if scenario.path in ("drops-8014", "drops-8014-443"):
            ports[8014] = dropped.bound[8443]
        if scenario.path == "drops-8014-443":
            ports[443] = dropped.bound[9090]
        pc = self.running[(self.PC, "healthy")]
        blocked = self.running[(self.PC, "push-blocked")]
        ports[137] = pc.bound[137]
        sharing = blocked if scenario.pc == "push-blocked" else pc
        ports[139], ports[445] = sharing.bound[139], sharing.bound[445]
        # UDP 138 unbound: a free port nothing listens on, as on a PC with NetBIOS over TCP/IP off.
        ports[138] = pc.bound[138] if scenario.pc != "udp138-off" else _free_udp()
        return ports


def _free_udp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scenarios() -> list[Scenario]:
    """Every combination the sites and PC states can produce, each at least once."""
    seen: list[Scenario] = []
    for site in SITES:
        for pc, version in itertools.product(PC_STATES, site.versions):
            scenario = Scenario(site.manager, site.path, pc, version)
            if scenario not in seen:
                seen.append(scenario)
    return seen


async def _run_one(scenario: Scenario, simulators: Simulators, catalog: Any) -> Template:
    request = PlanRequest(
        manager=parse_host(scenario.manager),
        version=parse_version(scenario.version),
        role=Role.CLIENT,
        overrides=simulators.overrides(scenario),
    )
    out = io.StringIO()
    code = await run_check(request, catalog, TimeoutPolicy.from_user_timeout(None), "en", True, out)
    return Template(scenario, _mark(out.getvalue(), Simulators.PC), code)


def _mark(text: str, loopback: str) -> str:
    """The real JSON with the fields one machine cannot vary replaced by markers."""
    report = json.loads(text)
    report["computer"], report["os"], report["started"] = COMPUTER, OS_NAME, STARTED
    for check in report["checks"]:
        if check["local"]:
            check["address"] = PC_ADDRESS
            check["reason"] = check["reason"].replace(loopback, PC_ADDRESS)
            check["local_sockets"] = [s.replace(loopback, PC_ADDRESS) for s in check.get("local_sockets", [])]
    marked = io.StringIO()
    write_json(marked, report)  # the program's own JSON writer, as `check --json` uses it
    return marked.getvalue()


async def real_templates(count: int, concurrency: int = 6) -> list[Template]:
    """At least one real run of every scenario, ``count`` in all (more of the common ones)."""
    catalog = load_catalog()
    wanted = scenarios()
    rng = random.Random(7)
    common = [s for s in wanted if s.pc == "healthy"]
    while len(wanted) < count:
        wanted.append(rng.choice(common))
    simulators = Simulators()
    await simulators.start()
    gate = asyncio.Semaphore(concurrency)

    async def guarded(scenario: Scenario) -> Template:
        async with gate:
            return await _run_one(scenario, simulators, catalog)

    try:
        return list(await asyncio.gather(*(guarded(s) for s in wanted)))
    finally:
        await simulators.stop()


# --- derived computers ---------------------------------------------------------------------


def _addresses(subnet: str, rng: random.Random) -> Iterator[str]:
    network = ipaddress.ip_network(subnet)
    hosts = network.num_addresses - 2
    used: set[int] = set()
    while len(used) < hosts:
        offset = rng.randrange(1, hosts + 1)
        if offset not in used:
            used.add(offset)
            yield str(network.network_address + offset)


def _utc_name(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def generate_fleet(
    folder: Path,
    computers: int | None = None,
    *,
    reports: int | None = None,
    real_runs: int = 200,
    seed: int = 1,
    hostile: bool = True,
) -> Manifest:
    """Write the fleet into ``folder`` (created; must be empty) and return what was written:
    ``computers`` computers (with their history), or as many as make ``reports`` report files."""
    if (computers is None) == (reports is None):
        raise ValueError("give computers or reports")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty")
    manifest = Manifest(folder=str(folder))
    started = time.perf_counter()
    templates = asyncio.run(real_templates(max(real_runs, len(scenarios()))))
    manifest.real_runs = len(templates)
    manifest.seconds_real = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    by_scenario: dict[Scenario, list[Template]] = {}
    for template in templates:
        by_scenario.setdefault(template.scenario, []).append(template)

    rng = random.Random(seed)
    end = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    addresses = {site.name: _addresses(site.subnet, rng) for site in SITES}
    weights = [site.weight for site in SITES]
    states, state_weights = list(PC_STATE_WEIGHTS), list(PC_STATE_WEIGHTS.values())
    numbers: dict[str, int] = {}
    while (computers is None or manifest.computers < computers) and (reports is None or manifest.reports < reports):
        manifest.computers += 1
        site = rng.choices(SITES, weights)[0]
        numbers[site.name] = numbers.get(site.name, 0) + 1
        computer = f"{site.name}-PC{numbers[site.name]:05d}"
        address = next(addresses[site.name])
        os_name = rng.choice(WINDOWS)
        version = rng.choice(site.versions)
        runs = 1 + (rng.random() < 1 / 6) * rng.randint(1, 3)
        moments = sorted(end - dt.timedelta(microseconds=rng.randrange(ONE_WEEK_S * 10**6)) for _ in range(runs))
        if reports is not None:
            moments = moments[-(reports - manifest.reports) :]  # the exact count: the earliest runs go
        state = rng.choices(states, state_weights)[0]
        for number, moment in enumerate(moments):
            latest = number == len(moments) - 1
            # Earlier runs: now and then another outcome (a PC whose firewall was fixed since).
            run_state = state if latest or rng.random() < 0.7 else rng.choice(states)
            template = rng.choice(by_scenario[Scenario(site.manager, site.path, run_state, version)])
            text = (
                template.text.replace(COMPUTER, computer)
                .replace(OS_NAME, os_name)
                .replace(STARTED, moment.isoformat(timespec="microseconds"))
                .replace(PC_ADDRESS, address)
            )
            name = f"{computer}_{_utc_name(moment)}.json"
            (folder / name).write_text(text, encoding="utf-8")
            manifest.reports += 1
            manifest.add(
                name, "report", "report", computer=computer, latest=latest, subnet=site.subnet,
                manager=site.manager, path=site.path, pc=run_state, version=version, exit_code=template.exit_code,
            )  # fmt: skip
    if hostile:
        _hostile_files(folder, manifest, templates, rng)
    manifest.seconds_derived = round(time.perf_counter() - started, 2)
    return manifest


# --- hostile and foreign files -------------------------------------------------------------


def _hostile_files(folder: Path, manifest: Manifest, templates: list[Template], rng: random.Random) -> None:
    real = templates[0].text.replace(OS_NAME, "Windows 11 (AMD64)").replace(STARTED, "2026-11-30T08:00:00+00:00")
    real = real.replace(PC_ADDRESS, "10.10.9.9")

    def report(computer: str) -> str:
        return real.replace(COMPUTER, computer)

    def put(name: str, data: bytes | str, kind: str, expected: str, **facts: Any) -> None:
        path = folder / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        manifest.add(name, kind, expected, **facts)

    valid = report("ODD-PC00001")
    put("EMPTY-PC_20261130T080000Z.json", b"", "empty", "skip")
    put("TORN-PC_20261130T080000Z.json", report("TORN-PC")[: len(valid) // 2], "torn", "skip")
    put(".TKY-PC00001_20261130T080001Z.json.5f0c2a9e.tmp", valid[:4000], "collector-temporary", "skip")
    put(".ansible_tmpk2j4_x1", valid[:3000], "ansible-temporary", "skip")
    put("UTF16-PC_20261130T080000Z.json", report("UTF16-PC").encode("utf-16"), "utf-16-bom", "skip",
        why="Windows PowerShell 5.1's '>' writes UTF-16; JSON files are UTF-8 (RFC 8259)")  # fmt: skip
    put("BOM-PC_20261130T080000Z.json", b"\xef\xbb\xbf" + report("BOM-PC").encode(), "utf-8-bom", "report",
        why="Set-Content -Encoding UTF8 in Windows PowerShell 5.1 adds a BOM; RFC 8259 lets a reader ignore it")  # fmt: skip
    cp932 = json.loads(report("SJIS-PC"))
    cp932["note"] = "経理部 3階"
    put("SJIS-PC_20261130T080000Z.json", json.dumps(cp932, ensure_ascii=False).encode("cp932"), "cp932", "skip")
    put("intune-export.json", json.dumps({"DeviceName": "PC1", "PreRemediationDetectionScriptOutput": "ok"}),
        "foreign-json", "skip")  # fmt: skip
    put("ports.json", json.dumps([{"id": "client-http-8014", "port": 8014}]), "own-ports-json", "skip")
    put("null.json", "null", "json-null", "skip")
    put("number.json", "42", "json-number", "skip")
    nan = json.loads(report("NAN-PC"))
    put("NAN-PC_20261130T080000Z.json", json.dumps(nan).replace('"duration_ms": ', '"duration_ms": NaN, "x": ', 1),
        "nan", "skip")  # fmt: skip
    put("DUP-PC_20261130T080000Z.json", report("DUP-PC").replace('"computer":', '"computer": "OTHER-PC", "computer":', 1),
        "duplicate-keys", "skip")  # fmt: skip
    wrong = json.loads(report("TYPES-PC"))
    wrong["counts"], wrong["checks"] = "3 problems", {"id": "client-http-8014"}
    put("TYPES-PC_20261130T080000Z.json", json.dumps(wrong), "wrong-types", "skip")
    missing = json.loads(report("MISSING-PC"))
    del missing["checks"], missing["started"]
    put("MISSING-PC_20261130T080000Z.json", json.dumps(missing), "missing-fields", "skip")
    put("nested.json", "[" * 2000 + "]" * 2000, "deeply-nested", "skip")
    oversize = json.loads(report("HUGE-PC"))
    oversize["note"] = "x" * (16 * 1024 * 1024)
    put("HUGE-PC_20261130T080000Z.json", json.dumps(oversize), "oversize", "skip", size_mb=16)
    put("TRAIL-PC_20261130T080000Z.json", report("TRAIL-PC") + "garbage\n", "trailing-garbage", "skip")
    put("TWO-PC_20261130T080000Z.json", report("TWO-PC") + report("TWO-PC"), "two-objects", "skip")
    put("NUL-PC_20261130T080000Z.json", report("NUL-PC")[:500] + "\0\0\0" + report("NUL-PC")[500:], "nul-bytes", "skip")
    put("BINARY-PC_20261130T080000Z.json", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)),
        "binary", "skip")  # fmt: skip
    (folder / "folder.json").mkdir()
    manifest.add("folder.json", "directory", "skip")
    with contextlib.suppress(OSError):  # where links cannot be made (some shares), there is none
        (folder / "LINK-PC_20261130T080000Z.json").symlink_to("/etc/passwd")
        manifest.add("LINK-PC_20261130T080000Z.json", "symlink-outside", "skip")
    escape = json.loads(report("X"))
    escape["computer"] = "<script>alert(1)</script>\x1b]0;owned\x07\u202eCP-LIVE"
    escape["checks"][0]["headline"] = "<img src=x onerror=alert(2)> \x1b[2J"
    put("ESCAPE-PC_20261130T080000Z.json", json.dumps(escape), "hostile-text", "report",
        computer=escape["computer"])  # fmt: skip
    long_name = json.loads(report("L" * 10_000))
    put("LONG-PC_20261130T080000Z.json", json.dumps(long_name), "long-computer-name", "report", computer="L" * 10_000)
    japanese = report("経理-PC01")
    put("経理-PC01_20261130T080000Z.json", japanese, "japanese-computer-name", "report", computer="経理-PC01")
    put("LIAR-PC_20261130T080000Z.json", report("HONEST-PC"), "name-says-another-computer", "report",
        computer="HONEST-PC")  # fmt: skip
    future = json.loads(report("FUTURE-PC"))
    future["schema_version"], future["started"] = 99, "2099-01-01T00:00:00+00:00"
    put("FUTURE-PC_20990101T000000Z.json", json.dumps(future), "future-fields-and-date", "report", computer="FUTURE-PC")
    put("GONE-PC_20261130T080000Z.error.txt",
        "SEP Port Doctor could not check GONE-PC at 20261130T080000Z (UTC).\nexit code: 10\n"
        "sep-port-doctor.exe was not found (give -Program)\n", "recipe-error-record", "skip", computer="GONE-PC")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--computers", type=int, help="this many computers (a sixth with earlier runs too)")
    size.add_argument("--reports", type=int, help="as many computers as make this many report files")
    parser.add_argument("--real-runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-hostile", action="store_true", help="reports only")
    args = parser.parse_args(argv)
    manifest = generate_fleet(args.folder, args.computers, reports=args.reports, real_runs=args.real_runs,
                              seed=args.seed, hostile=not args.no_hostile)  # fmt: skip
    manifest_path = args.folder.parent / f"{args.folder.name}.manifest.json"
    manifest_path.write_text(json.dumps(manifest.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"{manifest.computers} computers, {manifest.reports} reports, {len(manifest.files) - manifest.reports} "
        f"hostile or foreign files in {args.folder}; {manifest.real_runs} real checks in {manifest.seconds_real} s, "
        f"derived in {manifest.seconds_derived} s; manifest: {manifest_path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
