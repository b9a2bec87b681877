"""The clean LAN of the namespace lab: Apache, Samba, nftables, nmap; verdicts against the
lab's ground truth and nmap's."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

import pytest

from scripts.netlab import (
    ADMIN_PROHIBITED_PORTS,
    AS_NMAP,
    DROPPED_PORTS,
    ICMP_UNREACHABLE_PORTS,
    RESET_PORTS,
    NetLab,
)
from tests.integration.conftest import check, nmap_states, push, wrong_verdicts

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
    link_local = lab.link_local("lan_m")
    lab.link_local("lan_c")  # this PC's own, to send from
    manager = f"{link_local}%{devices['lan_c']}"
    # push from here to the same address: the SMB negotiate went to the address without its zone.
    target = push(lab, manager)["targets"][0]
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


@pytest.fixture
def ping_allowed(lab: NetLab) -> Iterator[None]:
    """Unprivileged ICMP echo in the client namespace (``net.ipv4.ping_group_range``, as many
    distributions set it), for one test: the lab's other runs send no echo."""
    setting = "net.ipv4.ping_group_range"
    before = _sysctl(lab.in_client, setting)
    subprocess.run(lab.in_client("sysctl", "-qw", f"{setting}=0 2147483647"), check=True, timeout=20)
    try:
        yield
    finally:
        subprocess.run(lab.in_client("sysctl", "-qw", f"{setting}={before}"), check=True, timeout=20)


def _sysctl(inside: Callable[..., list[str]], name: str) -> str:
    """A kernel setting's value in a namespace of the lab (``inside``: ``lab.in_client`` or another)."""
    shown = subprocess.run(inside("sysctl", "-n", name), capture_output=True, text=True, check=True, timeout=20)
    return " ".join(shown.stdout.split())


def test_path_facts_toward_a_link_local_manager_keep_its_zone(lab: NetLab, ping_allowed: None) -> None:
    """``fe80::...%card``: the echo goes out on the card the zone names, the route facts name that card,
    a filtered port is not traced (a link has no router to find) and no fact loses the zone. It did:
    the manager's own ICMP refusal came back without the zone, so it was not "the host" and was told
    "(a router)"; the route facts said they came from /proc/net/route (IPv4's table); a push sweep took
    the link-local PCs of every card for one network, fe80::/64; and a zone naming a card with no way
    there gave "Ping: none of 0 answered" and a trace hop "? (hop 1) refuses": this PC's own ENETUNREACH."""
    devices = lab._devices()
    card = devices["lan_c"]
    link_local = lab.link_local("lan_m")
    manager = f"{link_local}%{card}"
    source = lab.link_local("lan_c")
    run = check(lab, "--manager", manager, "--version", "14.3 RU1", "--all-ports")
    (facts,) = [p["path"] for p in run.report["paths"] if p["target"] == "manager"]
    route = facts["route"]
    assert (route["source"], route["interface"], route["gateway"], route["on_link"]) == (source, card, None, True)
    assert route["gateway_from"] == "/proc/net/ipv6_route"
    echo = facts["echo"]
    assert (echo["state"], echo["sent"], echo["received"]) == ("answered", 3, 3), echo
    trace = facts["trace"]
    assert (trace["end"], trace["address"], trace["hops"]) == ("on_link", manager, []), trace
    by_id = run.by_id()
    refused = by_id["control-tcp-8765"]  # the manager's firewall rejects it with ICMPv6 address unreachable
    assert (refused["state"], refused["cause"]) == ("filtered", "port-rejected")
    assert f"from {manager} (the host itself)" in refused["reason"], refused["reason"]
    assert f"from {manager}" in by_id["push-udp-137"]["reason"]  # its port unreachable
    assert not [line for line in facts["summary"] if "?" in line], facts["summary"]

    # A zone naming a card that has no way there (loopback): nothing is sent, and that is what is said.
    nowhere = check(lab, "--manager", f"{link_local}%lo", "--version", "14.3 RU1")
    (facts,) = [p["path"] for p in nowhere.report["paths"] if p["target"] == "manager"]
    assert facts["route"]["source"] is None and "ENETUNREACH" in facts["route"]["error"]
    assert (facts["echo"]["state"], facts["echo"]["sent"]) == ("not_sent", 0), facts["echo"]
    assert (facts["trace"]["end"], facts["trace"]["hops"]) == ("not_sent", []), facts["trace"]
    traced = facts["trace"]["port"]  # the first of the unreachable ports to be told
    assert facts["summary"][1:] == [
        "Ping (ICMP echo): not sent: this PC has no way to send there (Network is unreachable (ENETUNREACH))",
        f"Path: not traced: this PC has no way to send toward TCP {traced} (Network is unreachable (ENETUNREACH))",
    ]

    # push: 445 filtered on the manager's link (on the link: nothing to trace past it); the same address
    # on the router's card is another link, another network, whose silence is its own.
    lab.block_direct((445,))
    other_card = devices["rtr_c"]
    pushed = push(lab, manager, f"{link_local}%{other_card}")
    traced = [(t["network"], t["host"], t["why"], t["end"]) for t in pushed["traces"]]  # in the order they started
    assert sorted(traced) == [
        (f"fe80::/64%{card}", manager, "port-filtered", "on_link"),
        (f"fe80::/64%{other_card}", f"{link_local}%{other_card}", "network-silent", "on_link"),
    ]
    here, there = pushed["targets"]
    assert (here["verdict"], there["verdict"]) == ("not_ready", "unreachable")
    assert pushed["traces"][here["path"]["trace"]]["host"] == manager
    assert pushed["traces"][there["path"]["trace"]]["host"] == f"{link_local}%{other_card}"
    routes = pushed["routes"]
    assert routes[here["path"]["route"]]["interface"] == card
    assert routes[there["path"]["route"]]["interface"] == other_card


BEHIND_THE_ROUTER = "2001:db8:77::/64"
"""A documentation prefix: nobody has it; the lab's router alone is asked for it."""


@pytest.fixture
def behind_a_link_local_router(lab: NetLab) -> Iterator[tuple[str, str]]:
    """An IPv6 network reached through the lab's router by its link-local address, as IPv6 routers
    announce themselves; the router forwards IPv6 but has no way onward (ICMPv6 no route). Yields
    (the router's link-local address, this PC's card toward it); the lab is left as it was."""
    devices = lab._devices()
    router, card = lab.link_local("rtr_r"), devices["rtr_c"]
    lab.link_local("rtr_c")
    route = ("ip", "-6", "route", "{}", BEHIND_THE_ROUTER, "via", router, "dev", card)
    # Every probe, hop and echo gets its answer (the kernel allows a burst of 6 errors, then 4 a second).
    settings = ("net.ipv6.conf.all.forwarding", "net.ipv6.icmp.ratelimit")
    before = [_sysctl(lab.in_router, name) for name in settings]
    subprocess.run(lab.in_router("sysctl", "-qw", f"{settings[0]}=1", f"{settings[1]}=0"), check=True, timeout=20)
    subprocess.run(lab.in_client(*(part.format("add") for part in route)), check=True, timeout=20)
    try:
        yield router, card
    finally:
        subprocess.run(lab.in_client(*(part.format("del") for part in route)), check=True, timeout=20)
        restore = [f"{name}={value}" for name, value in zip(settings, before, strict=True)]
        subprocess.run(lab.in_router("sysctl", "-qw", *restore), check=True, timeout=20)


def test_a_link_local_router_is_named_with_its_zone(
    behind_a_link_local_router: tuple[str, str], lab: NetLab, ping_allowed: None
) -> None:
    """The gateway, the hop that refuses and the router that refuses the echo are the router's
    link-local address on this PC's card: without the zone they name no device (every card has
    fe80::/64). The refusing hop's words were the repr of a message object ("Message('evidence.icmp',
    ...)") on every trace a router refused; the echo said "none of 3 answered" where the router had
    answered that there is no route (icmplib drops ICMP errors; they are read from the socket's queue)."""
    router, card = behind_a_link_local_router
    router_here = f"{router}%{card}"
    run = check(lab, "--manager", "2001:db8:77::9", "--version", "14.3 RU1")
    (facts,) = [p["path"] for p in run.report["paths"] if p["target"] == "manager"]
    route = facts["route"]
    assert (route["interface"], route["gateway"], route["on_link"]) == (card, router_here, False), route
    assert route["gateway_from"] == "/proc/net/ipv6_route"
    trace = facts["trace"]
    assert [(h["ttl"], h["kind"], h["address"]) for h in trace["hops"]] == [(1, "rejected", router_here)]
    assert trace["end"] == "rejected" and trace["last_hop"] == router_here
    assert facts["summary"][-1].startswith(
        f"Path: {router_here} (hop 1) refuses traffic to TCP {trace['port']} (ICMPv6 no-route (type 1 code 0))"
    ), facts["summary"]
    refused = run.by_id()["client-http-8014"]
    assert (refused["state"], refused["cause"]) == ("unreachable", "host-unreach")
    assert f"router {router_here} says" in refused["reason"], refused["reason"]
    echo = facts["echo"]
    assert (echo["state"], echo["sent"], echo["received"]) == ("unreachable", 3, 0), echo
    assert echo["detail"] == f"{router_here}: ICMPv6 no-route"
