"""The integration suite: a real network in namespaces, Apache, Samba, nftables and nmap.

Built by scripts/netlab.py; skipped with the reason when not root or a tool is missing.
Traffic goes only to the namespaces' own addresses.
"""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from scripts.netlab import DROPPED_PORTS, ICMP_UNREACHABLE_PORTS, RESET_PORTS, NetLab, missing_requirements
from tests.helpers.command import ROOT, command

pytestmark = [pytest.mark.integration]

_WHY = missing_requirements()
if _WHY:
    pytestmark.append(pytest.mark.skip(reason=f"integration suite skipped: {_WHY}"))


@pytest.fixture(scope="module")
def lab() -> Iterator[NetLab]:
    network = NetLab().up()
    try:
        yield network
    finally:
        network.down()


def _check(lab: NetLab, *args: str) -> tuple[int, dict[str, object]]:
    result = subprocess.run(
        lab.in_client(*command(), "check", "--json", *args),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def nmap_states(lab: NetLab, ports: list[int]) -> dict[int, str]:
    result = subprocess.run(
        lab.in_client("nmap", "-sT", "-Pn", "-n", "-p", ",".join(map(str, ports)), "-oX", "-", lab.manager_ip),
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


# nmap's connect scan says "filtered" for an ICMP unreachable; we say "unreachable".
AS_NMAP = {"open": "open", "closed": "closed", "filtered": "filtered", "unreachable": "filtered"}


def test_every_tcp_verdict_equals_nmap(lab: NetLab) -> None:
    _code, report = _check(lab, "--manager", lab.manager_name, "--version", "14.3", "--all-ports")
    checks = report["checks"]
    assert isinstance(checks, list)
    ours: dict[int, set[str]] = {}
    for check in checks:
        if check["protocol"] == "tcp":
            ours.setdefault(check["port"], set()).add(AS_NMAP[check["state"]])
    theirs = nmap_states(lab, sorted(ours))
    assert len(ours) == 19  # every distinct TCP port of the catalogue
    for port, states in ours.items():
        assert states == {theirs[port]}, f"TCP {port}: ours {states}, nmap {theirs[port]}"
    # The lab's rules are seen for what they are.
    by_port = {c["port"]: c for c in checks if c["protocol"] == "tcp"}
    for port in DROPPED_PORTS:
        assert by_port[port]["state"] == "filtered" and by_port[port]["attempts"] == 2
    for port in RESET_PORTS:
        assert by_port[port]["state"] == "closed"
    for port in ICMP_UNREACHABLE_PORTS:
        assert by_port[port]["state"] == "unreachable"
        assert by_port[port]["severity"] == "info"  # 8765 accepts localhost only: normal from elsewhere


def test_apache_and_samba_answer_the_application_checks(lab: NetLab) -> None:
    _code, report = _check(lab, "--manager", lab.manager_name, "--version", "14.3 RU1", "--all-ports")
    by_id = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    http = by_id["client-http-8014"]
    assert http["state"] == "open" and http["application"]["ok"] is True
    assert http["address"] == lab.manager_ip
    https = by_id["client-https-443"]
    steps = {s["test"]: s for s in https["application"]["steps"]}
    assert steps["secars-https"]["ok"] and steps["secars-https"]["evidence"]["status"] == 200
    cert = steps["tls"]["evidence"]["certificate"]
    assert cert["self_signed"] and cert["name_matches"] and cert["common_name"] == lab.manager_name
    netbios = by_id["push-udp-137"]
    assert netbios["state"] == "open"
    assert "SEPM-LAB" in netbios["application"]["detail"]
    assert by_id["push-tcp-445"]["state"] == "open"
    assert by_id["push-tcp-139"]["state"] == "open"


def test_client_desk_run_explains_push_ports_of_this_pc(lab: NetLab) -> None:
    code, report = _check(lab, "--manager", lab.manager_name, "--version", "14.3")
    by_id = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    assert by_id["client-http-8014"]["severity"] == "passed"
    assert by_id["client-https-443"]["severity"] == "passed"
    # Nothing listens on 445 in the client namespace: the push deployment would fail.
    push = by_id["push-tcp-445"]
    assert push["local"] and push["state"] == "not_listening" and push["severity"] == "problem"
    # Not listening leads with the service; the firewall's advice is for a drop (issue 11 item 7).
    assert push["guidance"] == ["local-not-listening", "server-service"]
    assert code == 1


def test_unknown_name_is_unresolved_inside_the_namespace(lab: NetLab) -> None:
    code, report = _check(lab, "--manager", "nothere.lab", "--version", "14.3")
    by_id = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    assert by_id["client-http-8014"]["state"] == "unresolved"
    assert "resolver" in by_id["client-http-8014"]["reason"]
    assert code == 1


def test_moved_port_is_found_with_an_override(lab: NetLab) -> None:
    """The site moved 8443's service: the default closed, the override open."""
    _code, report = _check(
        lab, "--manager", lab.manager_ip, "--version", "14.3", "--role", "console", "--port", "8446=8443"
    )
    by_id = {c["id"]: c for c in report["checks"]}  # type: ignore[union-attr]
    moved = by_id["webservice-tcp-8446"]
    assert moved["port"] == 8443 and moved["state"] == "open"
    assert by_id["server-https-8443"]["state"] == "open"
