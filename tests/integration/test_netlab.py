"""The clean LAN of the namespace lab: Apache, Samba, nftables, nmap; verdicts against the
lab's ground truth and nmap's."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from scripts.netlab import (
    ADMIN_PROHIBITED_PORTS,
    AS_NMAP,
    DROPPED_PORTS,
    ICMP_UNREACHABLE_PORTS,
    RESET_PORTS,
    NetLab,
)
from tests.helpers.command import ROOT, command
from tests.integration.conftest import check, nmap_states, wrong_verdicts

pytestmark = [pytest.mark.integration]


def test_every_tcp_verdict_is_the_truth_and_equals_nmap(lab: NetLab) -> None:
    run = check(lab, "--manager", lab.manager_name, "--version", "14.3", "--all-ports")
    assert wrong_verdicts(lab, run) == []
    ours: dict[int, set[str]] = {}
    for item in run.probed("tcp"):
        ours.setdefault(item["port"], set()).add(AS_NMAP[item["state"]])
    theirs = nmap_states(lab, lab.manager_ip, sorted(ours))
    assert len(ours) == 19  # every distinct TCP port of the catalogue
    for port, states in ours.items():
        assert states == {theirs[port]}, f"TCP {port}: ours {states}, nmap {theirs[port]}"
    # The lab's rules are seen for what they are.
    by_port = {c["port"]: c for c in run.probed("tcp")}
    for port in DROPPED_PORTS:
        assert by_port[port]["state"] == "filtered" and by_port[port]["attempts"] == 3
        assert by_port[port]["cause"] == "no-response"
    for port in RESET_PORTS:
        assert by_port[port]["state"] == "closed"
    for port in ICMP_UNREACHABLE_PORTS:
        # The manager's own firewall rejects this one port with host-unreachable while it
        # answers on others: a filter, not a dead host (issue: called "unreachable" before).
        assert by_port[port]["state"] == "filtered" and by_port[port]["cause"] == "port-rejected"
        assert by_port[port]["severity"] == "info"  # 8765 accepts localhost only: normal from elsewhere
    for port in ADMIN_PROHIBITED_PORTS:
        assert by_port[port]["state"] == "filtered" and by_port[port]["cause"] == "admin-prohibited"
        assert lab.manager_ip in by_port[port]["reason"]  # who said it
    # One probe per host:port: the three catalogue entries on 443 tell one story.
    https = [c for c in run.probed("tcp") if c["port"] == 443]
    assert len(https) == 3 and len({(c["state"], c["rtt_ms"], c["attempts"]) for c in https}) == 1


def test_apache_and_samba_answer_the_application_checks(lab: NetLab) -> None:
    run = check(lab, "--manager", lab.manager_name, "--version", "14.3 RU1", "--all-ports")
    by_id = run.by_id()
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


def test_udp_138_sends_a_real_netbios_datagram(lab: NetLab) -> None:
    """The manager's firewall counts datagrams to 138 that carry a payload: before, none was sent."""
    before = lab.nbdgm_datagrams()
    run = check(lab, "--manager", lab.manager_name, "--version", "14.3", "--all-ports")
    dgm = run.by_id()["push-udp-138"]
    assert dgm["state"] == "open|filtered"  # nmbd listens and the datagram service never answers
    assert lab.nbdgm_datagrams() - before == dgm["attempts"] >= 3


def test_client_desk_run_explains_push_ports_of_this_pc(lab: NetLab) -> None:
    run = check(lab, "--manager", lab.manager_name, "--version", "14.3")
    by_id = run.by_id()
    assert by_id["client-http-8014"]["severity"] == "passed"
    assert by_id["client-https-443"]["severity"] == "passed"
    # Nothing listens on 445 in the client namespace: the push deployment would fail.
    push = by_id["push-tcp-445"]
    assert push["local"] and push["state"] == "not_listening" and push["severity"] == "problem"
    # Not listening leads with the service; the firewall's advice is for a drop (issue 11 item 7).
    assert push["guidance"] == ["local-not-listening", "server-service"]
    assert run.code == 1


def test_a_name_that_does_not_exist_says_so(lab: NetLab) -> None:
    run = check(lab, "--manager", lab.nxdomain_name, "--version", "14.3", "--role", "console")
    for item in run.probed("tcp"):
        assert item["state"] == "unresolved" and item["cause"] == "nxdomain"
        assert item["guidance"][0] == "verdict-nxdomain"
        assert "does not exist" in item["headline"]
    assert run.code == 1


def test_moved_port_is_found_with_an_override(lab: NetLab) -> None:
    """The site moved 8446's service to 8443: the override finds it open."""
    run = check(lab, "--manager", lab.manager_ip, "--version", "14.3", "--role", "console", "--port", "8446=8443")
    by_id = run.by_id()
    moved = by_id["webservice-tcp-8446"]
    assert moved["port"] == 8443 and moved["state"] == "open"
    assert by_id["server-https-8443"]["state"] == "open"


def test_a_link_local_manager_is_reached_on_the_link_its_zone_id_names(lab: NetLab) -> None:
    """``fe80::...%card``: the zone went missing between the name and the socket, so every port of a
    manager that answers was told "discarded on this PC: a blackhole route" (connect's EINVAL); and the
    heartbeat sent the zone in its Host header, which Apache answers with 400 (blamed on the manager)."""
    devices = lab._devices()
    # The kernel gives each card its link-local address after duplicate address detection (about 2 s
    # after the lab is built): until then it is "tentative" and cannot be used.
    deadline = time.monotonic() + 15
    for inside in (lab.in_manager, lab.in_client):
        while subprocess.run(
            inside("ip", "-6", "-o", "addr", "show", "scope", "link", "tentative"),
            capture_output=True, text=True, check=True, timeout=20,
        ).stdout.strip():  # fmt: skip
            assert time.monotonic() < deadline, "link-local addresses still tentative after 15 s"
            time.sleep(0.2)
    shown = subprocess.run(
        lab.in_manager("ip", "-6", "-o", "addr", "show", "dev", devices["lan_m"], "scope", "link"),
        capture_output=True, text=True, check=True, timeout=20,
    ).stdout  # fmt: skip
    link_local = shown.split("inet6 ")[1].split("/")[0]
    manager = f"{link_local}%{devices['lan_c']}"
    # push from here to the same address: the SMB negotiate went to the address without its zone.
    merged = {**os.environ, "PYTHONPATH": str(ROOT)}
    pushed = subprocess.run(
        lab.in_client(*command(), "push", "--json", "--lang", "en", manager),
        capture_output=True, text=True, timeout=120, env=merged,
    )  # fmt: skip
    assert pushed.stdout, pushed.stderr
    target = json.loads(pushed.stdout)["targets"][0]
    smb = target["checks"][0]["application"]["steps"][0]
    assert (smb["test"], smb["ok"], smb["evidence"].get("dialect")) == ("smb-negotiate", True, "3.1.1"), smb
    assert target["verdict"] == "ready", target["headline"]
    run = check(lab, "--manager", manager, "--version", "14.3 RU1", "--all-ports")
    assert wrong_verdicts(lab, run) == []
    theirs = nmap_states(lab, manager, [8014, 443, 8443, 9090], "-6")
    by_id = run.by_id()
    for entry, port in (("client-http-8014", 8014), ("client-https-443", 443), ("server-https-8443", 8443)):
        assert (by_id[entry]["state"], theirs[port]) == ("open", "open"), by_id[entry]
        assert by_id[entry]["address"] == manager
    assert by_id["webconsole-tcp-9090"]["state"] == theirs[9090] == "filtered"
    assert by_id["client-http-8014"]["application"]["ok"] is True, by_id["client-http-8014"]["application"]
    steps = {s["test"]: s for s in by_id["client-https-443"]["application"]["steps"]}
    assert steps["secars-https"]["ok"] and steps["secars-https"]["evidence"]["status"] == 200
