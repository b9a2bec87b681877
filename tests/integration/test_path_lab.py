"""Path facts in a routed lab (scripts/pathlab.py): client, two routers, a manager address per
way the path can end. ``check --json`` runs for real inside the client namespace; the trace
must name the right last hop, the device that refuses, or say it cannot tell; route facts are
the namespace's own addresses; DNS facts come from the lab's dnsmasq."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from scripts.netlab import missing_requirements
from scripts.pathlab import MOVED_FROM, PathLab
from tests.helpers.command import ROOT
from tests.helpers.hang import HANG_GUARD_S

WHY_NOT = missing_requirements()
pytestmark = pytest.mark.integration

TRACED = ("drop1", "drop2", "silent1", "silent2", "reject2", "drop2-v6")


@pytest.fixture(scope="module")
def pathlab() -> Iterator[PathLab]:
    if WHY_NOT:
        pytest.skip(f"integration suite skipped: {WHY_NOT}")
    lab = PathLab().up()
    try:
        yield lab
    finally:
        lab.down()


def _in_client(lab: PathLab, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        lab.in_client(sys.executable, *args), capture_output=True, text=True, cwd=ROOT, timeout=HANG_GUARD_S * 2
    )
    assert done.stdout, done.stderr[-2000:]
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def _check(lab: PathLab, name: str) -> dict[str, Any]:
    return _in_client(
        lab, "-m", "sep_port_doctor.gui.entry", "check", "--manager", name, "--version", "14.3 RU6", "--json"
    )


@pytest.fixture(scope="module")
def runs(pathlab: PathLab) -> dict[str, dict[str, Any]]:
    """One real ``check --json`` per scenario, side by side (each waits mostly on silence)."""
    hosts = {name: f"{name}.plab" for name in ("sepm", "noping", "multi", *TRACED)}
    hosts["sepm-v6"] = pathlab.ip6(42, 2)  # the manager by its IPv6 address: ICMPv6 echo, IPv6 route
    with ThreadPoolExecutor(len(hosts)) as pool:
        documents = pool.map(lambda host: _check(pathlab, host), hosts.values())
        return dict(zip(hosts, documents, strict=True))


def _path(document: dict[str, Any]) -> dict[str, Any]:
    (target,) = [t for t in document["paths"] if t["target"] == "manager"]
    path: dict[str, Any] = target["path"]
    return path


def test_route_facts_are_the_namespaces_own(pathlab: PathLab, runs: dict[str, dict[str, Any]]) -> None:
    route = _path(runs["sepm"])["route"]
    assert route["source"] == pathlab.client_ip
    assert route["interface"] == pathlab.client_device
    assert route["gateway"] == pathlab.router1_ip
    assert route["on_link"] is False
    assert route["proxy"] == []
    assert _path(runs["sepm"])["trace"] is None  # nothing filtered: nothing traced
    v6 = _path(runs["drop2-v6"])["route"]  # IPv6: /proc/net/ipv6_route
    assert (v6["source"], v6["interface"], v6["gateway"]) == (
        pathlab.ip6(40, 2),
        pathlab.client_device,
        pathlab.ip6(40, 1),
    )


def test_echo_answers_and_echo_dropped_with_tcp_allowed_says_ping_is_filtered(
    runs: dict[str, dict[str, Any]],
) -> None:
    assert _path(runs["sepm"])["echo"]["state"] == "answered"
    v6 = _path(runs["sepm-v6"])["echo"]  # ICMPv6 echo through an unprivileged socket, two routers away
    assert v6["state"] == "answered" and v6["received"] >= 1 and v6["rtt_ms"] is not None
    noping = _path(runs["noping"])
    assert noping["echo"]["state"] == "no_answer"
    assert noping["ping_filtered"] is True
    assert any("ping is filtered, the host is up" in line for line in noping["summary"])


@pytest.mark.parametrize(
    ("scenario", "end", "last_hop"),
    [
        ("drop1", "last_hop", "router1"),
        ("drop2", "last_hop", "router2"),
        ("silent1", "no_answer", None),
        ("silent2", "last_hop", "router1"),
        ("reject2", "rejected", "router2"),
        ("drop2-v6", "last_hop", "router2-v6"),  # IPV6_RECVERR, ICMPv6 time exceeded
    ],
)
def test_trace_names_the_last_hop_or_says_it_cannot_tell(
    pathlab: PathLab, runs: dict[str, dict[str, Any]], scenario: str, end: str, last_hop: str | None
) -> None:
    path = _path(runs[scenario])
    trace = path["trace"]
    assert trace is not None and trace["method"] == "tcp-syn"
    assert trace["end"] == end, trace
    expected = {
        "router1": pathlab.router1_ip,
        "router2": pathlab.router2_ip,
        "router2-v6": pathlab.router2_ip6,
        None: None,
    }[last_hop]
    assert trace["last_hop"] == expected
    assert len(trace["hops"]) <= 30 and trace["duration_ms"] < 10_500
    words = path["summary"][-1]
    if end == "no_answer":
        assert "cannot be told" in words
    else:
        assert str(expected) in words
    if scenario == "reject2":  # the refusal in the ICMP message's own words (it read "Message('evidence.icmp', ...")
        assert "(ICMP admin-prohibited (type 3 code 13))" in words and "Message(" not in words, words
    if scenario == "silent2":  # the manager answers ping: only the port is blocked
        assert "only this port's traffic is blocked" in words


def test_dns_facts_every_address_and_the_one_used(runs: dict[str, dict[str, Any]], pathlab: PathLab) -> None:
    dns = _path(runs["multi"])["dns"]
    assert sorted(dns["ipv4"]) == sorted([pathlab.address("sepm"), pathlab.ip(242, 10)])
    assert dns["ipv6"] == [pathlab.ip6(42, 2)]
    (manager_check,) = [c for c in runs["multi"]["checks"] if c["port"] == 8014]
    assert dns["used"] == manager_check["address"] and dns["used"] in dns["addresses"]
    assert dns["lookup_ms"] is not None and dns["lookup_ms"] >= 0


def test_sylink_last_address_not_among_the_names_addresses_is_a_finding(pathlab: PathLab) -> None:
    old = pathlab.ip(242, MOVED_FROM)
    document = _in_client(pathlab, "-m", "tests.helpers.path_run", "moved.plab", old)
    dns = _path(document)["dns"]
    assert dns["addresses"] == [pathlab.address("sepm")]
    assert dns["sylink_last_server_ip"] == old and dns["mismatch"] is True
    (finding,) = [f for f in document["local"] if f["id"] == "sylink-address"]
    assert finding["severity"] == "warning"
    assert old in finding["detail"] and pathlab.address("sepm") in finding["detail"]
    # The same client, its last address the name's own: no finding.
    same = _in_client(pathlab, "-m", "tests.helpers.path_run", "moved.plab", pathlab.address("sepm"))
    assert _path(same)["dns"]["mismatch"] is False
    assert not [f for f in same["local"] if f["id"] == "sylink-address"]


def test_the_window_traces_and_its_report_says_where_the_path_ends(pathlab: PathLab, tmp_path: Path) -> None:
    """The window's unattended run (``gui --run --report``) inside the client namespace: the
    JSON it writes carries the trace, the report's path section names the last hop."""
    report = tmp_path / "drop1.html"
    tmp_path.chmod(0o755)
    done = subprocess.run(
        pathlab.in_client(
            "env",
            "QT_QPA_PLATFORM=offscreen",
            sys.executable,
            "-m",
            "sep_port_doctor.gui.entry",
            "gui",
            "--lang",
            "ja",
            "--manager",
            "drop1.plab",
            "--version",
            "14.3 RU6",
            "--run",
            "--report",
            str(report),
            "--quit",
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD_S * 2,
    )
    assert report.exists(), done.stderr[-2000:]
    trace = _path(json.loads(report.with_suffix(".json").read_text(encoding="utf-8")))["trace"]
    assert trace["end"] == "last_hop" and trace["last_hop"] == pathlab.router1_ip
    html = report.read_text(encoding="utf-8")
    section = html[html.index('<section id="paths">') :]
    assert f"{pathlab.router1_ip}(1 ホップ目)まで届き" in section[: section.index("</section>")]
    # And on page 1, in the answer of the filtered port (issue 18).
    page_1 = html[html.index('<section id="answer">') :]
    assert f"{pathlab.router1_ip}(1 ホップ目)まで届き" in page_1[: page_1.index("</section>")]
