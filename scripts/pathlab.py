"""A small routed network for the path facts (root only): two routers between a client and a
manager, and one manager address per way the path can end.

Namespaces (``T`` is the lab's tag, claimed with ``netlab.claim_tag``, so labs run side by side)::

    client 10.240.T.2 --- 10.240.T.1 [router 1] 10.241.T.1 --- 10.241.T.2 [router 2] 10.242.T.1 --- manager 10.242.T.x

and the same in IPv6 (fd40:T::/64, fd41:T::/64, fd42:T::/64, the same host numbers).

The manager listens on TCP 8014 and 443 (the kernel answers the handshake) on every address;
what reaches it, and what the routers say, depends on the address (``SCENARIOS``):

====  ================  ==================================================================
host  name              what happens
====  ================  ==================================================================
.2    sepm.plab         nothing in the way (ping answers)
.3    drop1.plab        router 1 drops everything to it (it still says time-exceeded)
.4    drop2.plab        router 2 drops everything to it
.5    silent1.plab      router 1 drops it and sends no time-exceeded for it: nobody answers
.6    silent2.plab      router 2 sends no time-exceeded for it; the manager drops TCP to it
.7    noping.plab       the manager drops ICMP echo to it; TCP answers
.8    reject2.plab      router 2 rejects TCP to it (ICMP administratively prohibited)
::4   drop2-v6.plab     IPv6 only (fd42:T::4): router 2 drops everything to it
====  ================  ==================================================================

The client's DNS is a dnsmasq of its own: ``multi.plab`` has two IPv4 and one IPv6 address,
``moved.plab`` resolves to .2 (the SEP client's SyLink says it last talked to .9).
Unprivileged ICMP sockets are allowed in the client (``net.ipv4.ping_group_range``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.netlab import (
    End,
    LabError,
    _run,
    add_address,
    claim_tag,
    dnsmasq,
    load_nft,
    loopback_up,
    missing_requirements,
    name_files,
    remove_namespaces,
    route,
    start_daemon,
    stop_processes,
    sysctl,
    veth_pair,
    wait_ready,
)

LISTEN_PORTS = (8014, 443)
SCENARIOS = {
    "sepm": 2,
    "drop1": 3,
    "drop2": 4,
    "silent1": 5,
    "silent2": 6,
    "noping": 7,
    "reject2": 8,
}
MOVED_FROM = 9
"""``moved.plab``'s old address: what SyLink's LastServerIP says."""


@dataclass
class PathLab:
    tag: str = ""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sepd-pathlab-")))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)

    def ns(self, role: str) -> str:
        return f"sepd-p{role}-{self.tag}"

    @property
    def client_ns(self) -> str:
        return self.ns("cli")

    def ip(self, net: int, host: int) -> str:
        return f"10.{net}.{self.tag}.{host}"

    @property
    def client_ip(self) -> str:
        return self.ip(240, 2)

    @property
    def router1_ip(self) -> str:
        """Router 1 as the client sees it (the client's gateway)."""
        return self.ip(240, 1)

    @property
    def router2_ip(self) -> str:
        """Router 2's address toward router 1: where its ICMP messages come from."""
        return self.ip(241, 2)

    def address(self, scenario: str) -> str:
        return self.ip(242, SCENARIOS[scenario])

    @property
    def client_device(self) -> str:
        return f"pc{self.tag}"

    def in_client(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.client_ns, *args]

    def up(self) -> PathLab:
        reason = missing_requirements()
        if reason:
            raise LabError(reason)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self.tag = claim_tag(lambda tag: f"sepd-pcli-{tag}", self.tag)
            self.owned.append(self.client_ns)
            for role in ("r1", "r2", "mgr"):
                _run("ip", "netns", "add", self.ns(role))
                self.owned.append(self.ns(role))
            self._links()
            self._rules()
            self._servers()
            self._wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def ip6(self, net: int, host: int) -> str:
        return f"fd{net}:{self.tag}::{host:x}"

    @property
    def router2_ip6(self) -> str:
        return self.ip6(41, 2)

    def _end(self, ns: str, device: str, ip: str, ip6: str) -> End:
        return End(ns, device, (f"{ip}/24", f"{ip6}/64"))

    def _links(self) -> None:
        t = self.tag
        cli, r1, r2, mgr = self.client_ns, self.ns("r1"), self.ns("r2"), self.ns("mgr")
        veth_pair(
            self._end(cli, self.client_device, self.client_ip, self.ip6(40, 2)),
            self._end(r1, f"pr{t}", self.router1_ip, self.ip6(40, 1)),
        )
        veth_pair(
            self._end(r1, f"ps{t}", self.ip(241, 1), self.ip6(41, 1)),
            self._end(r2, f"pt{t}", self.router2_ip, self.router2_ip6),
        )
        veth_pair(
            self._end(r2, f"pu{t}", self.ip(242, 1), self.ip6(42, 1)),
            self._end(mgr, f"pm{t}", self.address("sepm"), self.ip6(42, 2)),
        )
        add_address(mgr, f"pm{t}", f"{self.ip6(42, 4)}/64")
        for host in [*SCENARIOS.values(), MOVED_FROM]:
            if host != SCENARIOS["sepm"]:
                add_address(mgr, f"pm{t}", f"{self.ip(242, host)}/24")
        loopback_up(self.owned)
        route(cli, "default", "via", self.router1_ip)
        route(r1, f"10.242.{t}.0/24", "via", self.router2_ip)
        route(r2, "default", "via", self.ip(241, 1))
        route(mgr, "default", "via", self.ip(242, 1))
        route(cli, "default", "via", self.ip6(40, 1))
        route(r1, f"fd42:{t}::/64", "via", self.router2_ip6)
        route(r2, "default", "via", self.ip6(41, 1))
        route(mgr, "default", "via", self.ip6(42, 1))
        for router in (r1, r2):
            # Every probe gets its answer (the kernel would allow a burst, then one a second).
            sysctl(
                router,
                "net.ipv4.ip_forward=1",
                "net.ipv4.icmp_ratelimit=0",
                "net.ipv6.conf.all.forwarding=1",
                "net.ipv6.icmp.ratelimit=0",
            )
        sysctl(cli, "net.ipv4.ping_group_range=0 2147483647")

    def _inner_destination(self, scenario: str) -> str:
        """The original destination quoted in an ICMP error (8 bytes of ICMP header, then the IP header)."""
        return "0x" + "".join(f"{int(part):02x}" for part in self.address(scenario).split("."))

    def _nft(self, ns: str, name: str, rules: str) -> None:
        load_nft(ns, self.folder, name, rules)

    def _rules(self) -> None:
        a = self.address
        self._nft(
            self.ns("r1"),
            "r1",
            f"""
table inet sepdpath {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    ip daddr {{ {a("drop1")}, {a("silent1")} }} drop
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    icmp type time-exceeded @th,192,32 {self._inner_destination("silent1")} drop
  }}
}}
""",
        )
        self._nft(
            self.ns("r2"),
            "r2",
            f"""
table inet sepdpath {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    ip daddr {a("drop2")} drop
    ip6 daddr {self.ip6(42, 4)} drop
    ip daddr {a("reject2")} meta l4proto tcp reject with icmp type admin-prohibited
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    icmp type time-exceeded @th,192,32 {self._inner_destination("silent2")} drop
  }}
}}
""",
        )
        self._nft(
            self.ns("mgr"),
            "mgr",
            f"""
table inet sepdpath {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr {a("silent2")} meta l4proto tcp drop
    ip daddr {a("noping")} icmp type echo-request drop
  }}
}}
""",
        )

    def _servers(self) -> None:
        listen = (
            "import signal, socket\n"
            "held = []\n"
            f"for port in {LISTEN_PORTS!r}:\n"
            "    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            "    s.bind(('0.0.0.0', port)); s.listen(64); held.append(s)\n"
            "print('ready', flush=True)\n"
            "signal.pause()\n"
        )
        self._daemon(["ip", "netns", "exec", self.ns("mgr"), sys.executable, "-c", listen])
        m = self.address
        records = [
            f"--host-record=sepm.plab,{m('sepm')}",
            f"--host-record=multi.plab,{m('sepm')},{self.ip6(42, 2)}",
            f"--host-record=drop2-v6.plab,{self.ip6(42, 4)}",
            f"--host-record=multi.plab,{self.ip(242, 10)}",
            f"--host-record=moved.plab,{m('sepm')}",
            *(f"--host-record={name}.plab,{m(name)}" for name in SCENARIOS if name != "sepm"),
        ]
        name_files(self.client_ns)
        self._daemon(self.in_client(*dnsmasq(self.folder, "plab", *records)))

    def _daemon(self, args: list[str]) -> None:
        start_daemon(self.processes, args)

    def _wait_ready(self, timeout: float = 20.0) -> None:
        probe = (
            "import socket\n"
            f"s = socket.create_connection(('{self.address('sepm')}', 8014), timeout=0.5); s.close()\n"
            "assert socket.getaddrinfo('sepm.plab', None)\n"
        )
        wait_ready(self.in_client(sys.executable, "-c", probe), self.processes, "the path lab", timeout)

    def down(self) -> None:
        stop_processes(self.processes)
        self.processes.clear()
        remove_namespaces(self.owned)
        self.owned.clear()


if __name__ == "__main__":
    lab = PathLab().up()
    print(f"path lab up (tag {lab.tag}); client namespace {lab.client_ns}; Enter takes it down")
    try:
        input()
    finally:
        lab.down()
