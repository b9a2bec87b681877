"""`push` against a client network of real Samba PCs in namespaces (scripts/pushlab.py):
ready, 445 dropped, 445 reset, something that is not SMB on 445, NetBIOS off, absent PCs
in a CIDR block, a name that does not resolve; TCP verdicts compared with nmap's."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.netlab import AS_NMAP
from scripts.pushlab import PushLab, missing_requirements
from tests.helpers.command import ROOT, command

WHY_NOT = missing_requirements()


@pytest.fixture(scope="module")
def pushlab() -> Iterator[PushLab]:
    if WHY_NOT:
        pytest.skip(f"push lab skipped: {WHY_NOT}")
    lab = PushLab(
        samba=(10, 11), dropped=(20,), reset=(30,), not_smb=(40,), no_netbios=(50,), macs=(60,), slow=(70,), slow_ms=400
    ).up()
    try:
        yield lab
    finally:
        lab.down()


def push(lab: PushLab, *args: str, timeout: float = 120) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        lab.in_manager(*command(), "push", "--json", "--lang", "en", *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def sweep(pushlab: PushLab) -> tuple[int, dict[str, Any]]:
    """One sweep of 10.238.T.0/26 (62 addresses, 57 of them absent: the Mac at .60 answers only on 22,
    which this sweep without --mac does not probe), a PC by name, and a name that does not exist."""
    return push(pushlab, f"10.238.{pushlab.tag}.0/26", pushlab.name(10), pushlab.nxdomain_name)


def _by_host(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["host"]: t for t in report["targets"]}


def test_each_pc_gets_the_verdict_of_what_it_really_does(pushlab: PushLab, sweep: tuple[int, dict[str, Any]]) -> None:
    code, report = sweep
    assert code == 1
    targets = _by_host(report)
    assert len(targets) == 62 + 2
    a = pushlab.address
    for last in (10, 11):
        target = targets[a(last)]
        assert (target["verdict"], target["cause"]) == ("ready", "ready"), target["headline"]
        smb = target["checks"][0]["application"]["steps"][0]
        assert smb["test"] == "smb-negotiate" and smb["ok"]
        assert smb["evidence"]["dialect"] == "3.1.1" and smb["evidence"]["signing_required"] is True
        netbios = target["checks"][2]["application"]["steps"][0]["evidence"]
        assert "PUSH-SAMBA<20>" in netbios["names"] and "PUSHLAB<00> group" in netbios["names"]
    assert (targets[a(20)]["verdict"], targets[a(20)]["cause"]) == ("not_ready", "445-filtered")
    assert "allow-file-printer-sharing" in targets[a(20)]["guidance"]
    assert (targets[a(30)]["verdict"], targets[a(30)]["cause"]) == ("not_ready", "445-closed")
    not_smb = targets[a(40)]
    assert (not_smb["verdict"], not_smb["cause"]) == ("not_ready", "445-not-smb")
    assert "something else answers on 445" in not_smb["headline"] and "220 printer-gateway ready" in not_smb["headline"]
    assert (targets[a(50)]["verdict"], targets[a(50)]["cause"]) == ("ready", "ready-netbios-off")
    named = targets[pushlab.name(10)]
    assert named["verdict"] == "ready" and named["address"] == a(10)
    gone = targets[pushlab.nxdomain_name]
    assert (gone["verdict"], gone["cause"]) == ("unresolved", "nxdomain")
    absent = [
        t
        for host, t in targets.items()
        if host.startswith("10.238.") and int(host.split(".")[-1]) not in pushlab.present
    ]
    assert len(absent) == 62 - 7
    mac = targets[a(60)]
    assert (mac["verdict"], mac["cause"]) == ("not_ready", "445-closed")  # a Mac, checked as a Windows PC
    assert {t["verdict"] for t in absent} == {"unreachable"}
    assert report["counts"] == {
        "ready": 4, "not_ready": 4, "unreachable": 55, "unresolved": 1, "error": 0, "not_tested": 0
    }  # fmt: skip


def test_check_ids_are_unique_and_every_check_object_is_check_json(sweep: tuple[int, dict[str, Any]]) -> None:
    _code, report = sweep
    checks = [c for t in report["targets"] for c in t["checks"]]
    assert len({c["check_id"] for c in checks}) == len(checks) == 3 * 64
    for target in report["targets"]:
        assert {c["host"] for c in target["checks"]} == {target["host"]}
        assert set(target) >= {"host", "address", "verdict", "checks", "severity", "headline", "guidance"}
    assert set(checks[0]) >= {"id", "state", "cause", "reason", "application", "severity", "headline", "guidance"}


def test_tcp_verdicts_are_nmaps_and_the_lab_truth(pushlab: PushLab, sweep: tuple[int, dict[str, Any]]) -> None:
    _code, report = sweep
    result = subprocess.run(
        pushlab.in_manager("nmap", "-sT", "-Pn", "-n", "-p139,445", "-oX", "-", f"10.238.{pushlab.tag}.0/26"),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    nmap: dict[tuple[str, int], str] = {}
    for host in ET.fromstring(result.stdout).iter("host"):
        address = host.find("address")
        assert address is not None
        for port in host.iter("port"):
            state = port.find("state")
            assert state is not None
            nmap[(address.get("addr", ""), int(port.get("portid", "0")))] = state.get("state", "")
    wrong = []
    for target in report["targets"]:
        if not target["host"].startswith("10.238."):
            continue
        last = int(target["host"].split(".")[-1])
        for check in target["checks"]:
            if check["protocol"] != "tcp":
                continue
            ours = AS_NMAP[check["state"]]
            truth = pushlab.truth(last, check["port"])
            theirs = nmap[(target["host"], check["port"])]
            if not ours == truth == theirs:
                wrong.append(f"{target['host']}:{check['port']} ours {check['state']} nmap {theirs} truth {truth}")
    assert wrong == []


def test_the_text_output_groups_pcs_by_cause_and_the_report_is_written(pushlab: PushLab, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    a = pushlab.address
    report = tmp_path / "push-site.html"
    result = subprocess.run(
        pushlab.in_manager(
            *command(), "push", "--lang", "ja", "--report", str(report), a(10), a(11), a(20), a(10), a(21)
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "重複した対象 1 件は 1 回だけ確認します" in result.stdout
    assert "2 台: プッシュ配備の準備ができています" in result.stdout
    assert "1 台: TCP 445 がフィルタされています" in result.stdout
    assert "ファイルとプリンターの共有" in result.stdout
    # An absent PC: nobody answered, so no advice may say a router or this PC reported it unreachable.
    silent = result.stdout.split("1 台: どのポートにも応答がありません")[1].split("\n\n")[0]
    assert "PC の電源と IP アドレス(ipconfig)を確認します" in silent  # the control: its own advice is there
    assert "「宛先に到達できない」と応答しました" not in silent, silent
    written = json.loads(report.with_suffix(".json").read_text("utf-8"))
    assert [t["verdict"] for t in written["targets"]] == ["ready", "ready", "not_ready", "unreachable"]
    assert written["targets"][3]["cause"] == "silent" and "verdict-unreachable" not in written["targets"][3]["guidance"]
    html = report.read_text("utf-8")
    assert '<html lang="ja">' in html and a(20) in html and "ファイルとプリンターの共有" in html


def test_with_mac_a_mac_is_ready_on_22_and_a_windows_pc_on_445(pushlab: PushLab) -> None:
    code, report = push(pushlab, "--mac", pushlab.address(60), pushlab.address(10), pushlab.address(30))
    targets = _by_host(report)
    assert code == 1 and report["mac"] is True
    mac, windows, closed = targets[pushlab.address(60)], targets[pushlab.address(10)], targets[pushlab.address(30)]
    assert (mac["verdict"], mac["cause"]) == ("ready", "ready-mac")
    assert [c["port"] for c in mac["checks"]] == [445, 139, 137, 22] and mac["checks"][3]["state"] == "open"
    assert (windows["verdict"], windows["cause"]) == ("ready", "ready")  # SMB answers; no Remote Login needed
    assert closed["verdict"] == "not_ready"


def test_absent_pcs_are_told_at_their_neighbours_bound_and_a_pc_much_slower_than_them_is_still_found(
    pushlab: PushLab,
) -> None:
    """core.timing rule 8: the PCs that answer within a millisecond bound how long the absent ones
    are waited for (0.5 s, not the 3.5 s a router's late host-unreachable needs), yet a PC 400 ms
    away among them is ready: each attempt's socket stays open for the whole bound."""
    a = pushlab.address
    code, report = push(pushlab, a(10), a(11), f"10.238.{pushlab.tag}.64/28")  # .65-.78: .70 slow, the rest absent
    targets = _by_host(report)
    slow = targets[a(70)]
    assert (slow["verdict"], slow["cause"]) == ("ready", "ready"), slow["headline"]
    assert slow["checks"][0]["rtt_ms"] >= 350 and slow["checks"][0]["application"]["steps"][0]["ok"]
    absent = [targets[a(last)] for last in range(65, 79) if last != 70]
    assert {(t["verdict"], t["cause"]) for t in absent} == {("unreachable", "silent")}
    for target in absent:
        for check in target["checks"]:
            assert check["attempts"] == 3
            assert f"host(s) of 10.238.{pushlab.tag}.0/24 answered" in check["reason"], check["reason"]
    wrong = [
        (target["host"], check["port"], check["state"])
        for target in targets.values()
        for check in target["checks"]
        if check["protocol"] == "tcp"
        and AS_NMAP[check["state"]] != pushlab.truth(int(target["host"].split(".")[-1]), check["port"])
    ]
    assert wrong == [] and code == 1


def test_path_facts_one_route_dns_for_names_and_a_trace_only_where_it_tells(pushlab: PushLab, tmp_path: Path) -> None:
    """Every PC behind the manager's one route (its own address and card, the edge router as the
    gateway); what DNS answered for the PC typed by name, and the lab's dnsmasq's NXDOMAIN for a
    name it does not have, in the JSON and the HTML report; a trace toward the PC that answers on 139
    while 445 is dropped (the path reaches the edge, then nothing: the block is at or after it) and one
    toward the network where no PC answers at all (it reaches the clients' router); none for the
    absent PC of a network whose other PCs answer."""
    a, tag = pushlab.address, pushlab.tag
    html_path = tmp_path / "push.html"
    named = (pushlab.name(11), pushlab.nxdomain_name)
    code, report = push(
        pushlab, a(10), a(20), a(21), *named, f"10.247.{tag}.0/29", "--report", str(html_path), timeout=180
    )
    targets = _by_host(report)
    assert code == 1 and len(targets) == 5 + 6
    gone = targets.pop(pushlab.nxdomain_name)
    assert gone["cause"] == "nxdomain" and gone["path"]["route"] is None
    assert gone["path"]["dns"]["addresses"] == [] and gone["path"]["dns"]["lookup_ms"] is not None
    html = html_path.read_text(encoding="utf-8")
    dns = html[html.index("<h2>What DNS answered</h2>") : html.rindex("<table>")]
    assert f"<li>DNS: {named[0]} resolved to 1 address(es), {a(11)} was used (" in dns
    assert f"<li>DNS: {named[1]} did not resolve, the lookup ended after " in dns
    assert "the name does not exist (the DNS answer is NXDOMAIN)" in dns and dns.count("<li>DNS: ") == 2
    [route] = report["routes"]
    assert (route["source"], route["interface"], route["gateway"]) == (
        pushlab.manager_ip,
        f"pm{tag}",
        pushlab.router_ip,
    )
    assert route["on_link"] is False and route["targets"] == 10
    assert all(t["path"]["route"] == 0 for t in targets.values())
    dns = targets[pushlab.name(11)]["path"]["dns"]
    assert dns["addresses"] == [a(11)] and dns["used"] == a(11) and dns["lookup_ms"] is not None
    assert targets[a(10)]["path"]["dns"] is None  # typed as an address: no lookup
    traces = {t["network"]: t for t in report["traces"]}
    assert set(traces) == {f"10.238.{tag}.0/24", f"10.247.{tag}.0/24"}
    filtered = traces[f"10.238.{tag}.0/24"]
    assert (filtered["host"], filtered["why"], filtered["port"], filtered["method"]) == (
        a(20),
        "port-filtered",
        445,
        "tcp-syn",
    )
    assert (filtered["end"], filtered["last_hop"], filtered["last_ttl"]) == ("last_hop", pushlab.router_ip, 1)
    assert f"reaches {pushlab.router_ip} (hop 1)" in filtered["summary"]
    dark = traces[f"10.247.{tag}.0/24"]
    assert dark["why"] == "network-silent" and dark["host"].startswith(f"10.247.{tag}.")
    assert (dark["end"], dark["last_hop"], dark["last_ttl"]) == ("last_hop", pushlab.clients_router_ip, 2)
    assert targets[a(20)]["path"]["trace"] == report["traces"].index(filtered)
    assert targets[a(21)]["cause"] == "silent" and targets[a(21)]["path"]["trace"] is None
