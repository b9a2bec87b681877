"""A push-deployment lab: a manager and a client network of up to 254 PCs (root only).

Three network namespaces, beside (not inside) ``scripts/netlab.py``'s lab, built with its
helpers (the same tag claim, so labs of both kinds run side by side):

* "manager" (10.239.T.2): where ``sep-port-doctor push`` and nmap run; it reaches the
  client networks through
* "edge" (10.239.T.1), the manager's router (it answers a trace's expired probes), to
* "clients" (10.244.T.2), the clients' router and the clients themselves. The PCs that
  exist are addresses of its own (on an interface of their own, so Samba treats them as
  a network card): real Samba (``smbd`` on TCP 139/445, ``nmbd`` answering NetBIOS node
  status on UDP 137) serves them, and nftables makes the faults technicians meet:
  445 dropped (Windows Firewall without File and Printer Sharing), 445 reset, NetBIOS
  over TCP/IP disabled (139 reset, UDP 137 port-unreachable), and one PC where something
  that is not SMB answers on 445 (a line of text, then it waits). Every other address of
  the /24 is a PC that is not there: the router's ARP finds nobody, and after 3 s it says
  host-unreachable, rate-limited as the kernel limits it (a burst, then 1 a second), so
  most probes to absent PCs meet silence, as on a real network.
* A second network behind the clients' router, 10.247.T.0/24 (``dark_network``), where no PC
  answers at all: every address is one the router's ARP does not find.
* Optionally PCs much slower than their neighbours (``slow``): Samba PCs whose packets from the
  manager cross ``scripts/delaylink.py``'s slow link (``slow_ms`` on the way there, the answers
  come back directly), as a PC on a sleepy Wi-Fi or a far VPN among wired ones.

``truth(address, port)`` gives the lab's ground truth in nmap's words.
Usage: ``python scripts/pushlab.py up`` (prints the roles and waits), Ctrl+C takes it down.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scripts import delaylink
from scripts.netlab import (
    End,
    LabError,
    _run,
    claim_tag,
    dnsmasq,
    load_nft,
    loopback_up,
    name_files,
    remove_namespaces,
    route,
    samba_config,
    start_daemon,
    stop_processes,
    sysctl,
    veth_pair,
    wait_ready,
)
from scripts.netlab import missing_requirements as _missing

REQUIRED_TOOLS = ("ip", "nft", "smbd", "nmbd", "dnsmasq")

NOT_SMB_BANNER = b"220 printer-gateway ready\r\n"
"""What the PC that is not SMB says on 445 (a line, as many embedded servers do), then it waits."""

SSH_BANNER = b"SSH-2.0-OpenSSH_9.6\r\n"
"""What a Mac with Remote Login says on TCP 22."""

_LINE_SERVER = (
    "import socket, sys, threading\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)\n"
    "line = sys.argv[3].encode().decode('unicode_escape').encode('latin-1')\n"
    "def serve(c):\n"
    "    try:\n"
    "        c.sendall(line); c.settimeout(30); c.recv(4096)\n"
    "    except OSError:\n"
    "        pass\n"
    "    c.close()\n"
    "while True:\n"
    "    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()\n"
)


def missing_requirements() -> str | None:
    """Why the push lab cannot be built here, or None."""
    return _missing(REQUIRED_TOOLS, tun=False)


@dataclass
class PushLab:
    samba: tuple[int, ...] = (10, 11, 12)
    """Last octets of PCs with real Samba and nothing in the way (ready)."""
    dropped: tuple[int, ...] = (20,)
    """Samba runs, but TCP 445 is dropped (a firewall without File and Printer Sharing)."""
    reset: tuple[int, ...] = (30,)
    """Samba runs, but TCP 445 is reset."""
    not_smb: tuple[int, ...] = (40,)
    """Something that is not SMB answers on TCP 445; nothing else listens."""
    no_netbios: tuple[int, ...] = (50,)
    """Samba on 445; NetBIOS over TCP/IP disabled: TCP 139 reset, UDP 137 port-unreachable."""
    macs: tuple[int, ...] = ()
    """Macs with Remote Login: only TCP 22 answers (an SSH banner)."""
    slow: tuple[int, ...] = ()
    """Samba PCs (ready) that the manager's packets reach over a slow link: ``slow_ms`` round trip."""
    slow_ms: float = 400.0
    tag: str = ""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sepd-push-")))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)
    link: subprocess.Popen[bytes] | None = None
    """The slow PCs' delaying forwarder (scripts/delaylink.py), when there are slow PCs."""

    workgroup = "PUSHLAB"

    @property
    def manager_ns(self) -> str:
        return f"sepd-pmg-{self.tag}"

    @property
    def clients_ns(self) -> str:
        return f"sepd-pcl-{self.tag}"

    @property
    def edge_ns(self) -> str:
        return f"sepd-ped-{self.tag}"

    @property
    def manager_ip(self) -> str:
        return f"10.239.{self.tag}.2"

    @property
    def router_ip(self) -> str:
        """The manager's router (the edge), the first hop of a trace."""
        return f"10.239.{self.tag}.1"

    @property
    def clients_router_ip(self) -> str:
        """The clients' router, as the edge (and a trace's second hop) sees it."""
        return f"10.244.{self.tag}.2"

    @property
    def dark_network(self) -> str:
        """A network behind the clients' router where no PC answers."""
        return f"10.247.{self.tag}.0/24"

    @property
    def network(self) -> str:
        return f"10.238.{self.tag}.0/24"

    def address(self, last: int) -> str:
        return f"10.238.{self.tag}.{last}"

    def computer(self, last: int) -> str:
        return f"PC-{last:03d}"

    @property
    def present(self) -> tuple[int, ...]:
        return (*self.samba, *self.dropped, *self.reset, *self.not_smb, *self.no_netbios, *self.macs, *self.slow)

    @property
    def served(self) -> tuple[int, ...]:
        """PCs where Samba runs."""
        return (*self.samba, *self.dropped, *self.reset, *self.no_netbios, *self.slow)

    def in_manager(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.manager_ns, *args]

    def in_clients(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.clients_ns, *args]

    def truth(self, last: int, port: int, protocol: str = "tcp") -> str:
        """What the PC at ``last`` does with ``port`` (nmap's words; absent PCs are ``filtered``)."""
        if last not in self.present:
            return "filtered"
        if protocol == "udp":
            return "open" if last in self.served and last not in self.no_netbios and port == 137 else "closed"
        if last in self.not_smb:
            return "open" if port == 445 else "closed"
        if last in self.macs:
            return "open" if port == 22 else "closed"
        if port == 445 and last in self.dropped:
            return "filtered"
        if port == 445 and last in self.reset:
            return "closed"
        if port == 139 and last in self.no_netbios:
            return "closed"
        return "open" if port in (139, 445) else "closed"

    # --- building -------------------------------------------------------------------

    def up(self) -> PushLab:
        reason = missing_requirements()
        if reason:
            raise LabError(reason)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        try:
            self.tag = claim_tag(lambda tag: f"sepd-pmg-{tag}", self.tag)
            self.owned.append(self.manager_ns)
            for namespace in (self.clients_ns, self.edge_ns):
                _run("ip", "netns", "add", namespace)
                self.owned.append(namespace)
            self._network()
            self._names()
            self._firewall()
            self._samba()
            self._line_servers()
            self._wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def _network(self) -> None:
        t = self.tag
        dead_a = f"pd{t}"
        veth_pair(
            End(self.manager_ns, f"pm{t}", (f"{self.manager_ip}/24",)),
            End(self.edge_ns, f"pr{t}", (f"{self.router_ip}/24",)),
        )
        veth_pair(
            End(self.edge_ns, f"pu{t}", (f"10.244.{t}.1/30",)),
            End(self.clients_ns, f"pv{t}", (f"{self.clients_router_ip}/30",)),
        )
        # The PCs that exist: addresses on a network card of the clients' namespace (a veth
        # pair whose other end is unused), so they answer as hosts and Samba binds them.
        pcs = tuple(f"{self.address(last)}/32" for last in self.present)
        veth_pair(End(self.clients_ns, f"ph{t}", pcs), End(self.clients_ns, f"pp{t}"))
        # The PCs that are not there: a segment where nobody answers ARP.
        veth_pair(End(self.clients_ns, dead_a), End(self.clients_ns, f"pe{t}"))
        loopback_up([self.manager_ns, self.edge_ns, self.clients_ns])
        for network in (self.network, self.dark_network):
            route(self.clients_ns, network, "dev", dead_a)
            route(self.edge_ns, network, "via", self.clients_router_ip)
            route(self.manager_ns, network, "via", self.router_ip)
        route(self.clients_ns, "default", "via", f"10.244.{t}.1")
        sysctl(self.edge_ns, "net.ipv4.ip_forward=1")
        # Host-unreachable stays rate-limited as the kernel has it (most probes to absent PCs meet
        # silence); time-exceeded does not, so a trace is told each router it reaches, even while
        # the clients' router is sending host-unreachables for a sweep's absent PCs (6168 less bit 11).
        for namespace in (self.edge_ns, self.clients_ns):
            sysctl(namespace, "net.ipv4.icmp_ratemask=4120")
        # nmbd binds each subnet's broadcast address too, which /32 addresses do not make local.
        sysctl(self.clients_ns, "net.ipv4.ip_forward=1", "net.ipv4.ip_nonlocal_bind=1")
        if self.slow:
            self._slow_link()

    def _slow_link(self) -> None:
        """The manager's packets to the slow PCs go through a delaying forwarder (TUN to TUN); their
        answers come back over the ordinary link, so the round trip is ``slow_ms``."""
        t = self.tag
        dev_m, dev_c = f"ps{t}", f"pt{t}"
        link = delaylink.start((self.manager_ns, dev_m, f"10.243.{t}.1"), (self.clients_ns, dev_c, f"10.243.{t}.2"))
        self.processes.append(link)
        self.link = link
        delaylink.set_delay(link, self.slow_ms)
        # Packets from the manager's own address arrive on the slow device: not a spoof.
        sysctl(self.clients_ns, *(f"net.ipv4.conf.{conf}.rp_filter=0" for conf in ("all", dev_c)))
        for last in self.slow:
            route(self.manager_ns, f"{self.address(last)}/32", "dev", dev_m, "src", self.manager_ip)

    def name(self, last: int) -> str:
        """The DNS name of the PC at ``last`` (every present PC has one)."""
        return f"pc-{last:03d}.push.lab"

    nxdomain_name = "gone-pc.push.lab"

    def _names(self) -> None:
        """The manager's namespace asks a dnsmasq of its own: the PCs' names, NXDOMAIN for any
        other ``.lab`` name, and no query ever leaves the lab (``ip netns exec`` bind-mounts
        /etc/netns/NAME/* over /etc/*)."""
        name_files(self.manager_ns, "".join(f"{self.address(last)} {self.name(last)}\n" for last in self.present))
        self._daemon(self.in_manager(*dnsmasq(self.folder, "lab")))

    def _firewall(self) -> None:
        def addresses(lasts: tuple[int, ...]) -> str:
            return ", ".join(self.address(last) for last in lasts) or "127.0.0.254"

        rules = f"""
table inet sepdpush {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr {{ {addresses(self.dropped)} }} tcp dport 445 drop
    ip daddr {{ {addresses(self.reset)} }} tcp dport 445 reject with tcp reset
    ip daddr {{ {addresses(self.no_netbios)} }} tcp dport 139 reject with tcp reset
    ip daddr {{ {addresses(self.no_netbios)} }} udp dport 137 reject
  }}
}}
"""
        load_nft(self.clients_ns, self.folder, "clients", rules)

    def _daemon(self, args: list[str]) -> None:
        start_daemon(self.processes, args)

    def _samba(self) -> None:
        interfaces = " ".join(f"{self.address(last)}/24" for last in self.served)
        conf_file = samba_config(
            self.folder / "samba",
            interfaces,
            workgroup=self.workgroup,
            netbios_name="PUSH-SAMBA",
            signing_required=True,
        )
        for daemon in ("smbd", "nmbd"):
            self._daemon(self.in_clients(daemon, "--foreground", f"--configfile={conf_file}"))

    def _line_servers(self) -> None:
        banner = NOT_SMB_BANNER.decode("latin-1").encode("unicode_escape").decode()
        ssh = SSH_BANNER.decode("latin-1").encode("unicode_escape").decode()
        for last in self.not_smb:
            self._daemon(self.in_clients(sys.executable, "-c", _LINE_SERVER, self.address(last), "445", banner))
        for last in self.macs:
            self._daemon(self.in_clients(sys.executable, "-c", _LINE_SERVER, self.address(last), "22", ssh))

    def _wait_ready(self, timeout: float = 20.0) -> None:
        """Until every Samba PC accepts on 445 and 139 and nmbd answers (bounded in time)."""
        from sep_port_doctor.core.netbios import node_status_query

        checks = [(self.address(last), 445) for last in (*self.samba, *self.no_netbios, *self.not_smb, *self.slow)]
        checks += [(self.address(last), 22) for last in self.macs]
        checks += [(self.address(last), 139) for last in self.samba]
        probe = (
            "import socket, sys\n"
            f"for a, p in {checks!r}:\n"
            f"    s = socket.socket(); s.settimeout({0.5 + 2 * self.slow_ms / 1000}); s.connect((a, p)); s.close()\n"
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(0.5)\n"
            f"u.sendto({node_status_query(1)!r}, ({self.address(self.samba[0])!r}, 137)); u.recvfrom(2048)\n"
        )
        wait_ready(self.in_manager(sys.executable, "-c", probe), self.processes, "the push lab's servers", timeout, 0.3)

    def down(self) -> None:
        if self.link is not None:
            delaylink.close(self.link)
            self.link = None
        stop_processes(self.processes)
        self.processes.clear()
        remove_namespaces(self.owned)
        self.owned.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    lab = PushLab().up()
    try:
        print(f"push lab up (tag {lab.tag}): manager {lab.manager_ip} in {lab.manager_ns}; clients {lab.network}")
        print(
            f"  routers: {lab.router_ip} (edge), {lab.clients_router_ip} (clients'); no PC answers in {lab.dark_network}"
        )
        for name, lasts in (
            ("samba", lab.samba),
            ("445 dropped", lab.dropped),
            ("445 reset", lab.reset),
            ("not SMB on 445", lab.not_smb),
            ("NetBIOS off", lab.no_netbios),
            ("Macs (TCP 22 only)", lab.macs),
            (f"slow ({lab.slow_ms:g} ms)", lab.slow),
        ):
            print(f"  {name}: {', '.join(lab.address(last) for last in lasts)}")
        print(f"try: ip netns exec {lab.manager_ns} sep-port-doctor push {lab.network}")
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        lab.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
