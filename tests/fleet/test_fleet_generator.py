"""scripts/make_fleet.py: a fleet of real `check --json` results, derived computers that differ from
a real run only in the fields one machine cannot vary, and the hostile and foreign files beside
them, each described in the manifest."""

from __future__ import annotations

import asyncio
import io
import ipaddress
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scripts.make_fleet import COMPUTER, OS_NAME, PC_ADDRESS, SITES, STARTED, Manifest, Simulators, generate_fleet
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.check_command import run_check
from sep_port_doctor.core.console import write_json
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.command import ROOT, command
from tests.helpers.hang import HANG_GUARD_S

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    folder = tmp_path_factory.mktemp("fleet") / "results"
    # The fewest real runs: one of each combination the sites produce.
    return folder, generate_fleet(folder, computers=400, real_runs=0, seed=3)


def _reports(fleet: tuple[Path, Manifest]) -> dict[str, dict[str, Any]]:
    folder, manifest = fleet
    return {
        name: json.loads((folder / name).read_text(encoding="utf-8"))
        for name, facts in manifest.files.items()
        if facts["kind"] == "report"
    }


def test_every_report_has_the_shape_of_a_real_check_json(fleet: tuple[Path, Manifest]) -> None:
    async def reference() -> dict[str, Any]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            ports = [f"--port={d}={p}" for d, p in manager.bound.items()]
            process = await asyncio.create_subprocess_exec(
                *command(), "check", "--json", "--manager", "127.0.0.1", "--version", "14.3 RU9", *ports,
                stdout=subprocess.PIPE, cwd=ROOT,
            )  # fmt: skip
            out, _ = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
            loaded: dict[str, Any] = json.loads(out)
            return loaded

    real = asyncio.run(reference())
    check_keys = set(real["checks"][0])
    reports = _reports(fleet)
    assert len(reports) == fleet[1].reports >= 400
    for report in reports.values():
        assert set(report) == set(real)
        assert all(set(check) == check_keys for check in report["checks"])
        assert [c["id"] for c in report["checks"]] == [c["id"] for c in real["checks"]]


def test_derived_reports_differ_from_a_real_run_only_in_the_fields_named(fleet: tuple[Path, Manifest]) -> None:
    """Put the markers back into the edited fields: what is left is one of the real runs' texts."""
    folder, manifest = fleet
    texts = set()
    for name, report in _reports(fleet).items():
        facts = manifest.files[name]
        raw = (folder / name).read_text(encoding="utf-8")
        rewritten = io.StringIO()
        write_json(rewritten, json.loads(raw))
        assert rewritten.getvalue() == raw  # written exactly as the program writes its JSON
        assert report["computer"] == facts["computer"] and name.startswith(facts["computer"] + "_")
        assert report["os"].startswith("Windows ")
        local = [c for c in report["checks"] if c["local"]]
        network = ipaddress.ip_network(facts["subnet"])
        assert local and all(ipaddress.ip_address(c["address"]) in network for c in local)
        address = local[0]["address"]
        report["computer"], report["os"], report["started"] = COMPUTER, OS_NAME, STARTED
        for check in local:
            check["address"] = PC_ADDRESS
            check["reason"] = check["reason"].replace(address, PC_ADDRESS)
            check["local_sockets"] = [s.replace(address, PC_ADDRESS) for s in check["local_sockets"]]
        marked = io.StringIO()
        write_json(marked, report)
        texts.add(marked.getvalue())
    assert len(texts) <= manifest.real_runs  # every report is one of the real runs
    assert len(texts) >= len({(f["manager"], f["path"], f["pc"]) for f in manifest.files.values() if "pc" in f})


def test_the_real_runs_vary_what_a_site_really_varies(fleet: tuple[Path, Manifest]) -> None:
    _folder, manifest = fleet
    seen: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    for name, report in _reports(fleet).items():
        facts = manifest.files[name]
        states = {
            (c["id"], c["state"]) for c in report["checks"] if c["id"] in ("client-http-8014", "client-https-443")
        }
        states |= {(c["id"], c["state"]) for c in report["checks"] if c["id"] in ("push-tcp-445", "push-udp-138")}
        seen.setdefault((facts["manager"], facts["path"], facts["pc"]), set()).update(states)
        assert report["manager"] == facts["manager"] and report["version"]
    assert ("client-http-8014", "filtered") in seen[("127.20.0.1", "drops-8014", "healthy")]
    assert ("client-http-8014", "open") in seen[("127.20.0.1", "normal", "healthy")]
    assert ("client-https-443", "filtered") in seen[("127.30.0.1", "drops-8014-443", "healthy")]
    assert ("push-tcp-445", "filtered") in seen[("127.20.0.1", "normal", "push-blocked")]
    assert ("push-udp-138", "not_listening") in seen[("127.20.0.1", "normal", "udp138-off")]
    assert ("push-udp-138", "listening") in seen[("127.20.0.1", "normal", "healthy")]
    subnets = {manifest.files[name]["subnet"] for name in _reports(fleet)}
    assert subnets == {site.subnet for site in SITES}
    latest = [f for f in manifest.files.values() if f.get("latest")]
    assert len(latest) == manifest.computers == 400  # one latest result per computer, the rest history
    assert manifest.reports > manifest.computers


def test_hostile_and_foreign_files_are_there_and_described(fleet: tuple[Path, Manifest]) -> None:
    folder, manifest = fleet
    on_disk = {p.name for p in folder.iterdir()}
    assert on_disk == set(manifest.files)
    kinds = {f["kind"] for f in manifest.files.values()}
    assert {"empty", "torn", "collector-temporary", "utf-16-bom", "cp932", "nan", "duplicate-keys", "deeply-nested",
            "oversize", "two-objects", "binary", "directory", "hostile-text", "recipe-error-record"} <= kinds  # fmt: skip
    assert (folder / "HUGE-PC_20261130T080000Z.json").stat().st_size > 16 * 1024 * 1024
    with pytest.raises(json.JSONDecodeError):
        json.loads((folder / "TORN-PC_20261130T080000Z.json").read_text(encoding="utf-8"))
    escape = json.loads((folder / "ESCAPE-PC_20261130T080000Z.json").read_text(encoding="utf-8"))
    assert "\x1b]0;" in escape["computer"] and "<script>" in escape["computer"]


def test_the_in_process_check_is_the_command_lines_check() -> None:
    """The real runs use run_check in-process: the same verdicts as `check --json` in a process."""

    async def both() -> tuple[dict[str, Any], dict[str, Any]]:
        simulators = Simulators()
        await simulators.start()
        try:
            from scripts.make_fleet import Scenario

            scenario = Scenario("127.20.0.1", "drops-8014", "udp138-off", "14.3 RU9")
            overrides = simulators.overrides(scenario)
            request = PlanRequest(parse_host(scenario.manager), parse_version(scenario.version), Role.CLIENT,
                                  overrides=overrides)  # fmt: skip
            out = io.StringIO()
            await run_check(request, load_catalog(), TimeoutPolicy.from_user_timeout(None), "en", True, out)
            ports = [f"--port={d}={p}" for d, p in overrides.items()]
            process = await asyncio.create_subprocess_exec(
                *command(), "check", "--json", "--lang", "en", "--manager", scenario.manager, "--version",
                scenario.version, *ports, stdout=subprocess.PIPE, cwd=ROOT,
            )  # fmt: skip
            printed, _ = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
            return json.loads(out.getvalue()), json.loads(printed)
        finally:
            await simulators.stop()

    inside, outside = asyncio.run(both())

    def verdicts(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
        return [(c["id"], c["state"], c["severity"], c["headline"]) for c in report["checks"]]

    assert verdicts(inside) == verdicts(outside)
    assert (inside["overall"], inside["counts"]) == (outside["overall"], outside["counts"])
