"""One namespace lab (scripts/netlab.py) for the whole integration suite.

Built once per session (about 2 s); every test leaves it as it found it: the
impairments a test sets are cleared after it. Skipped with the reason when not root
or a tool is missing. Traffic goes only to the namespaces' own addresses.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from scripts.netlab import AS_NMAP, NetLab, missing_requirements
from tests.helpers.command import ROOT, command

WHY_NOT = missing_requirements()

# nmap's connect scan says "filtered" for an ICMP unreachable; we say "unreachable" when the host is.


@pytest.fixture(scope="session")
def netlab() -> Iterator[NetLab]:
    if WHY_NOT:
        pytest.skip(f"integration suite skipped: {WHY_NOT}")
    network = NetLab().up()
    try:
        yield network
    finally:
        network.down()


@pytest.fixture
def lab(netlab: NetLab) -> Iterator[NetLab]:
    try:
        yield netlab
    finally:
        netlab.clear_impairments()


@dataclass
class Run:
    code: int
    report: dict[str, Any]
    wall: float
    stderr: str

    @property
    def checks(self) -> list[dict[str, Any]]:
        return list(self.report["checks"])

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.checks}

    def probed(self, protocol: str = "tcp") -> list[dict[str, Any]]:
        return [
            c for c in self.checks if c["protocol"] == protocol and not c["local"] and c["state"] != "not_applicable"
        ]


def check(lab: NetLab, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """``sep-port-doctor check --json ARGS`` in the client namespace."""
    merged = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        if env is None or name not in env:
            merged.pop(name, None)
    started = time.perf_counter()
    result = subprocess.run(
        lab.in_client(*command(), "check", "--json", "--lang", "en", *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=merged,
    )
    wall = time.perf_counter() - started
    assert result.returncode in (0, 1, 3), result.stderr
    return Run(result.returncode, json.loads(result.stdout), wall, result.stderr)


def push(lab: NetLab, *targets: str, timeout: float = 120) -> dict[str, Any]:
    """``sep-port-doctor push --json TARGETS`` in the client namespace: its JSON."""
    merged = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        lab.in_client(*command(), "push", "--json", "--lang", "en", *targets),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=merged,
    )
    assert result.stdout, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def nmap_states(lab: NetLab, address: str, ports: list[int], *extra: str) -> dict[int, str]:
    result = subprocess.run(
        lab.in_client("nmap", "-sT", "-Pn", "-n", *extra, "-p", ",".join(map(str, ports)), "-oX", "-", address),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    states = {}
    for port in ET.fromstring(result.stdout).iter("port"):
        state = port.find("state")
        assert state is not None
        states[int(port.get("portid", "0"))] = state.get("state", "")
    return states


def wrong_verdicts(lab: NetLab, run: Run, path: str = "lan") -> list[str]:
    """Every TCP verdict of the run that is not the lab's ground truth, and any port told two ways."""
    wrong = []
    seen: dict[int, set[str]] = {}
    for item in run.probed("tcp"):
        seen.setdefault(item["port"], set()).add(item["state"])
        truth = lab.truth(item["port"], "tcp", path)
        if AS_NMAP.get(item["state"], item["state"]) != truth:
            wrong.append(f"TCP {item['port']} {item['id']}: {item['state']} ({item['reason']}), truth {truth}")
    wrong += [f"TCP {port} told two ways: {states}" for port, states in seen.items() if len(states) > 1]
    return wrong
