"""The JSON the commands write has exactly the fields the README's tables name: ``check --json``
with its path facts, ``push --json`` with its routes and traces, and ``merge --json``. A field
added or renamed fails here until the README's table says it.

Real runs: ``check`` against the simulated manager (two ports dropped, the manager typed as a
name so that its DNS facts are there), ``push`` of loopback targets, ``merge`` of that check's
file. A trace with hops needs a router, which loopback has none of: the sweep's trace is made
with the recorded-shape Windows ICMP fake of tests/core/test_path.py."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.path.sweep import SweepPathWork
from sep_port_doctor.core.push import neighbourhood_of
from tests.core.test_path import FakeIcmp
from tests.core.test_push_paths import OffLink
from tests.helpers.command import run
from tests.helpers.profile_runs import check_with_simulator

CATALOG = load_catalog()
SMB = next(e.port for e in CATALOG.entries if e.push == "smb")

# README "`check --json`": the object, its check objects, and the path facts' table.
CHECK_TOP = {
    "manager", "version", "role", "started", "duration_ms", "overall", "counts", "computer", "os", "note",
    "cancelled", "client_ports", "local", "checks", "paths",
}  # fmt: skip
CHECK_FIELDS = {
    "id", "check_id", "target", "host", "address", "protocol", "port", "default_port", "state", "cause", "reason",
    "rtt_ms", "attempts", "applies", "plan_reason", "local", "expected_unreachable", "local_sockets", "application",
    "severity", "headline", "headline_id", "guidance", "error",
}  # fmt: skip
APPLICATION = {"test", "ok", "detail", "steps"}
STEP = {"test", "ok", "detail", "via", "time_ms", "evidence"}
SEVERITIES = {"problem", "warning", "info", "passed", "not_tested"}
PATH_ENTRY = {"target", "host", "path"}
PATH = {"address", "dns", "route", "echo", "ping_filtered", "trace", "summary"}
DNS = {"name", "addresses", "ipv4", "ipv6", "used", "lookup_ms", "error", "sylink_last_server_ip", "mismatch"}
ROUTE = {"source", "interface", "gateway", "on_link", "gateway_from", "profile", "proxy", "error"}
ECHO = {"state", "sent", "received", "rtt_ms", "detail"}
TRACE = {"address", "protocol", "port", "method", "end", "last_hop", "last_ttl", "hops", "duration_ms", "detail"}
HOP = {"ttl", "kind", "address", "rtt_ms", "icmp"}

# README "`push --json`".
PUSH_TOP = {
    "command", "started", "duration_ms", "overall", "counts", "computer", "os", "mac", "cancelled", "routes",
    "traces", "targets",
}  # fmt: skip
PUSH_COUNTS = {"ready", "not_ready", "unreachable", "unresolved", "error", "not_tested"}
TARGET = {"host", "address", "verdict", "cause", "severity", "headline", "guidance", "checks", "path"}
TARGET_PATH = {"route", "dns", "trace"}
SWEEP_ROUTE = {"id", *ROUTE, "targets", "summary"}
SWEEP_TRACE = {"network", "host", "why", *TRACE, "summary"}

# README "`merge`", its JSON.
SITE_TOP = {
    "schema", "generated", "overall", "counts", "files_read", "runs_merged", "temporary_files", "skipped", "causes",
    "by_subnet", "by_version", "by_manager", "pcs",
}  # fmt: skip
SITE_PC = {
    "computer", "kind", "address", "subnet", "manager", "version", "os", "role", "started", "overall", "runs",
    "earlier", "cancelled", "note", "file", "checks", "local",
}  # fmt: skip


@pytest.fixture(scope="module")
def check_json() -> dict[str, Any]:
    code, out, err = check_with_simulator(
        "dropped", "--version", "14.3", "--role", "console", "--timeout", "0.5", "--json", "--lang", "en",
        host="localhost",
    )  # fmt: skip
    assert code == 1, err  # 8443 and 9090 dropped: problems
    document: dict[str, Any] = json.loads(out)
    return document


def test_check_json_has_the_documented_fields(check_json: dict[str, Any]) -> None:
    assert set(check_json) == CHECK_TOP
    assert check_json["overall"] in SEVERITIES and set(check_json["counts"]) == SEVERITIES
    assert check_json["checks"]
    for check in check_json["checks"]:
        assert set(check) == CHECK_FIELDS, check["id"]
    applications = [c["application"] for c in check_json["checks"] if c["application"] is not None]
    assert applications  # the TLS facts and the version API of the ports that answered
    for application in applications:
        assert set(application) == APPLICATION
        for step in application["steps"]:
            assert set(step) == STEP


def test_check_json_path_facts_have_the_documented_fields(check_json: dict[str, Any]) -> None:
    (entry,) = check_json["paths"]  # one host probed: the manager
    assert set(entry) == PATH_ENTRY and entry["target"] == "manager" and entry["host"] == "localhost"
    path = entry["path"]
    assert set(path) == PATH
    assert set(path["dns"]) == DNS and path["dns"]["used"] == path["address"]
    assert set(path["route"]) == ROUTE
    assert set(path["echo"]) == ECHO
    # A dropped TCP port: the trace is there (loopback is this PC's own network: on_link, no hops).
    assert set(path["trace"]) == TRACE and path["trace"]["end"] == "on_link"


def test_push_json_has_the_documented_fields() -> None:
    result = run("push", "127.0.0.1", "localhost", "--json", "--lang", "en", "--timeout", "0.5")
    assert result.returncode == 1, result.stderr  # nothing listens on 445 and 139 here: not ready
    document = json.loads(result.stdout)
    assert set(document) == PUSH_TOP and document["command"] == "push"
    assert set(document["counts"]) == PUSH_COUNTS
    for route in document["routes"]:
        assert set(route) == SWEEP_ROUTE
    by_host = {t["host"]: t for t in document["targets"]}
    assert set(by_host) == {"127.0.0.1", "localhost"}
    for target in by_host.values():
        assert set(target) == TARGET and set(target["path"]) == TARGET_PATH
        for check in target["checks"]:
            assert set(check) == CHECK_FIELDS  # the same check objects as check --json
    assert by_host["127.0.0.1"]["path"]["dns"] is None  # an address typed as such
    assert set(by_host["localhost"]["path"]["dns"]) == DNS


def test_a_sweep_trace_has_the_documented_fields() -> None:
    async def scenario() -> dict[str, Any]:
        work = SweepPathWork(neighbourhood_of, traced_port=SMB, icmp_api=FakeIcmp(["10.20.0.1"], None))
        work.reader = OffLink()
        work.trace_toward("192.0.2.9", "192.0.2.9", "192.0.2.9", "network-silent")
        await work.settle()
        return work.facts([], {}).to_json("en")

    (trace,) = asyncio.run(scenario())["traces"]
    assert set(trace) == SWEEP_TRACE and trace["why"] == "network-silent"
    assert trace["hops"] and all(set(hop) == HOP for hop in trace["hops"])


def test_merge_json_has_the_documented_fields(check_json: dict[str, Any], tmp_path: Path) -> None:
    run_file = tmp_path / "desk01.json"
    run_file.write_text(json.dumps(check_json), encoding="utf-8")
    result = run("merge", str(run_file), "--json", str(tmp_path / "site.json"), "--lang", "en")
    assert result.returncode == 1, result.stderr  # the run's problems
    site = json.loads((tmp_path / "site.json").read_text(encoding="utf-8"))
    assert set(site) == SITE_TOP and site["schema"] == "sep-port-doctor/site/1"
    (pc,) = site["pcs"]
    assert set(pc) == SITE_PC
