"""A small real network for the integration suite and the benchmarks (root only).

Three network namespaces with private addresses that exist only inside them
(``T`` is the lab's tag, claimed so that labs run side by side):

* "manager" (``sepm.lab`` = 10.231.T.1 on the LAN): Apache serving
  ``/secars/secars.dll?hello,secars`` -> ``OK`` on 8014 (HTTP) and 443/8443 (HTTPS, a
  self-signed certificate), Samba ``smbd`` on 139/445 and ``nmbd`` on UDP 137/138,
  nftables rules that drop some ports (filtered), reset others (closed) or reject them
  with ICMP (host-unreachable, admin-prohibited), and tinyproxy (``proxy01.lab`` =
  10.231.T.3:8888), a real HTTP proxy that reaches the manager from inside.
* "client" (10.231.T.2): where ``sep-port-doctor check`` and nmap run. Besides the LAN
  it reaches the manager over a **slow link** (``sepm-far.lab`` = 10.232.T.1): two TUN
  devices joined by ``scripts/delaylink.py``, a user-space forwarder that adds delay and
  jitter (this kernel has no ``netem``). It has local routes of type ``prohibit``,
  ``blackhole`` and ``unreachable`` (``prohibited.lab``, ``blackholed.lab``,
  ``noroute.lab``), and a DNS server (dnsmasq on 127.0.0.53) that says NXDOMAIN for
  unknown ``.lab`` names and never answers for names under ``silent.lab``.
* "router" (10.233.T.1): a Linux router in front of three networks: behind it
  ``gone.lab`` (10.234.T.9, an ``unreachable`` route: ICMP host-unreachable at once,
  rate-limited as the kernel limits route errors: a burst of 5, then 1 per second),
  ``gone-unlimited.lab`` (10.237.T.9, rejected by the router's firewall with
  host-unreachable, no rate limit) and ``dead.lab`` (10.235.T.9, on a segment where
  nobody answers ARP: ICMP host-unreachable after 3 s).

Impairments change while the lab runs (each call replaces that kind's setting):
``set_link`` (delay/jitter of the slow link), ``set_loss`` (nftables ``numgen random``
drops on each side's input, so no sender sees EPERM), ``set_client_resets`` (a
client-side firewall that resets chosen ports), ``block_direct`` (the manager drops
chosen ports from the client: only the proxy gets through) and
``truth`` gives the lab's ground truth for a port.

Usage: ``python scripts/netlab.py up`` (prints the names), ``... down``.
Everything runs as argument lists with deadlines; ``down`` removes what this lab made.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from scripts import delaylink

REQUIRED_TOOLS = ("ip", "nft", "apache2", "smbd", "nmbd", "nmap", "tinyproxy", "dnsmasq")

APACHE_PORTS = (8014, 443, 8443)
SAMBA_PORTS = (139, 445)
DROPPED_PORTS = (8445, 9090)
# Every TCP port of the catalogue, as the lab's ground truth and nmap see them.
CATALOGUE_TCP_PORTS = (
    22,
    139,
    443,
    445,
    1100,
    1433,
    2638,
    2967,
    2968,
    8014,
    8081,
    8082,
    8443,
    8444,
    8445,
    8446,
    8447,
    8765,
    9090,
)
# nmap -sT has no "unreachable": a host-unreachable answer is "filtered" there.
AS_NMAP = {"open": "open", "closed": "closed", "filtered": "filtered", "unreachable": "filtered"}
RESET_PORTS = (8446, 1100)
ICMP_UNREACHABLE_PORTS = (8765,)
"""Rejected by the manager's own firewall with ICMP host-unreachable (a per-port filter, not a dead host)."""
ADMIN_PROHIBITED_PORTS = (1433,)
"""Rejected by the manager's own firewall with ICMP administratively prohibited."""
UDP_OPEN_PORTS = (137, 138)
PROXY_PORT = 8888


class LabError(RuntimeError):
    pass


def missing_requirements(
    tools: tuple[str, ...] = REQUIRED_TOOLS, files: tuple[str, ...] = (), tun: bool = True
) -> str | None:
    """Why a lab that needs ``tools`` (commands), ``files`` and, with ``tun``, TUN devices cannot
    be built here, or None. Every lab asks this one (their own tools): this lab's by default."""
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "building network namespaces needs root (run as root, as CI does)"
    missing = [tool for tool in tools if shutil.which(tool) is None]
    missing += [path for path in files if not Path(path).is_file()]
    if missing:
        return f"missing tools: {', '.join(missing)} (./dev test installs them as root)"
    if tun and not Path("/dev/net/tun").exists():
        return "no /dev/net/tun: the slow link needs TUN devices"
    return _namespaces_denied()


def _namespaces_denied() -> str | None:
    """Root in a container may lack the rights the lab needs (CAP_SYS_ADMIN for namespaces,
    CAP_NET_ADMIN for links): try both the way the lab does, in a namespace of this probe's own
    that is removed at once."""
    name = f"sepd-probe-{os.getpid()}"
    added = _run("ip", "netns", "add", name, check=False)
    if added.returncode != 0:
        return f"root here cannot make network namespaces: {added.stderr.strip()[:200]}"
    try:
        link = _run("ip", "-n", name, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1", check=False)
        if link.returncode != 0:
            return f"root here cannot make network links in a namespace: {link.stderr.strip()[:200]}"
    finally:
        _run("ip", "netns", "del", name, check=False)
    return None


def _run(*args: str, timeout: float = 20, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise LabError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()[:500]}")
    return result


TAGS = range(20, 250)
"""The third octet of the lab's addresses and the suffix of its names."""


def claim_tag(first_namespace: Callable[[str], str], preferred: str = "") -> str:
    """A lab tag nobody else holds. ``ip netns add`` fails when the name exists, so creating the
    lab's first namespace is the claim: a tag in use by another run (or a leftover) is skipped,
    never killed. ``preferred`` (non-empty) is the only tag tried."""
    candidates = [preferred] if preferred else [str(t) for t in random.sample(TAGS, len(TAGS))]
    for tag in candidates:
        if _run("ip", "netns", "add", first_namespace(tag), check=False).returncode == 0:
            return tag
    taken = first_namespace("*")
    raise LabError(f"no free lab tag (tried {', '.join(candidates[:5])}...): namespaces {taken} are all taken")


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate each, kill what has not stopped within 5 s; every one is reaped."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def remove_namespaces(owned: list[str]) -> None:
    """Remove the namespaces a lab made. They go with their interfaces; anything left in them
    (the lab's own: it made them) is killed first."""
    for ns in owned:
        for pid in _run("ip", "netns", "pids", ns, check=False).stdout.split():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        _run("ip", "netns", "del", ns, check=False)
        shutil.rmtree(Path("/etc/netns") / ns, ignore_errors=True)


# --- building blocks every lab uses (pushlab, pathlab, fleetlab build with these) -------------


@dataclass(frozen=True)
class End:
    """One end of a veth pair: the namespace it goes into, its device name, and its addresses
    (``10.1.2.3/24``; an IPv6 one is added without duplicate address detection, usable at once)."""

    namespace: str
    device: str
    addresses: tuple[str, ...] = ()


def add_address(namespace: str, device: str, address: str) -> None:
    if ":" in address:
        _run("ip", "-n", namespace, "-6", "addr", "add", address, "dev", device, "nodad")
    else:
        _run("ip", "-n", namespace, "addr", "add", address, "dev", device)


def veth_pair(a: End, b: End) -> None:
    """A veth pair between two namespaces (or two ends in one), each end with its addresses, up."""
    _run("ip", "link", "add", a.device, "type", "veth", "peer", "name", b.device)
    for end in (a, b):
        _run("ip", "link", "set", end.device, "netns", end.namespace)
        for address in end.addresses:
            add_address(end.namespace, end.device, address)
        _run("ip", "-n", end.namespace, "link", "set", end.device, "up")


def route(namespace: str, *spec: str) -> None:
    """``ip route add SPEC`` in ``namespace`` (IPv6 where an address in it is): ``route(ns, "default",
    "via", gateway)``, ``route(ns, "prohibit", "10.1.2.3/32")``."""
    family = ["-6"] if any(":" in word for word in spec) else []
    _run("ip", "-n", namespace, *family, "route", "add", *spec)


def loopback_up(namespaces: list[str]) -> None:
    for ns in namespaces:
        _run("ip", "-n", ns, "link", "set", "lo", "up")


def sysctl(namespace: str, *settings: str) -> None:
    """``sysctl -w`` each ``name=value`` inside ``namespace``."""
    for setting in settings:
        _run("ip", "netns", "exec", namespace, "sysctl", "-qw", setting)


def load_nft(namespace: str, folder: Path, name: str, rules: str) -> None:
    """nftables ``rules`` into ``namespace``, from ``folder/name.nft`` (kept there to read)."""
    rules_file = folder / f"{name}.nft"
    rules_file.write_text(rules)
    _run("ip", "netns", "exec", namespace, "nft", "-f", str(rules_file))


def name_files(
    namespace: str, hosts: str = "", resolver: str = "nameserver 127.0.0.53\noptions timeout:1 attempts:1\n"
) -> None:
    """``/etc/netns/NAMESPACE``'s hosts and resolv.conf, which ``ip netns exec`` bind-mounts over
    /etc's: ``hosts`` lines after localhost's; by default the resolver is the namespace's own
    127.0.0.53 (a lab's dnsmasq, or nothing: an unknown name fails fast and never leaves)."""
    folder = Path("/etc/netns") / namespace
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hosts").write_text(f"127.0.0.1 localhost\n::1 localhost\n{hosts}")
    (folder / "resolv.conf").write_text(resolver)


def dnsmasq(folder: Path, domain: str, *extra: str) -> list[str]:
    """The command of a lab's DNS server on 127.0.0.53: only what ``extra`` adds, NXDOMAIN for any
    other name under ``domain``, nothing cached, no query forwarded out of the lab."""
    return [
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--no-resolv",
        "--no-hosts",
        "--listen-address=127.0.0.53",
        "--bind-interfaces",
        "--port=53",
        "--user=root",
        "--cache-size=0",
        f"--pid-file={folder}/dnsmasq.pid",
        f"--local=/{domain}/",
        *extra,
    ]


def samba_config(
    folder: Path,
    interfaces: str,
    *,
    workgroup: str,
    netbios_name: str,
    ports: tuple[int, ...] = (445, 139),
    bind_interfaces_only: bool = True,
    signing_required: bool = False,
) -> Path:
    """An smb.conf whose every file lives under ``folder`` (no system Samba state is touched):
    a standalone server on ``interfaces`` with SMB on ``ports`` and NetBIOS on."""
    for sub in ("run", "lock", "state", "cache", "private", "log"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    conf = f"""
[global]
  workgroup = {workgroup}
  netbios name = {netbios_name}
  server role = standalone server
  interfaces = {interfaces}
  bind interfaces only = {"yes" if bind_interfaces_only else "no"}
  smb ports = {" ".join(str(p) for p in ports)}
  disable netbios = no
  pid directory = {folder}/run
  lock directory = {folder}/lock
  state directory = {folder}/state
  cache directory = {folder}/cache
  private dir = {folder}/private
  ncalrpc dir = {folder}/run/ncalrpc
  # nmbd's packet socket; else /run/samba/nmbd, which exists only where the samba service ran
  nmbd:socket dir = {folder}/run/nmbd
  log file = {folder}/log/log.%m
  load printers = no
  printcap name = /dev/null
"""
    if signing_required:
        conf += "  server signing = mandatory\n"
    conf_file = folder / "smb.conf"
    conf_file.write_text(conf)
    return conf_file


def start_daemon(processes: list[subprocess.Popen[bytes]], args: list[str]) -> None:
    """A lab's server, in the foreground, kept in ``processes`` (``stop_processes`` ends it)."""
    processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))


def wait_ready(
    probe: list[str],
    processes: list[subprocess.Popen[bytes]],
    what: str,
    timeout: float = 20.0,
    pause: float = 0.2,
    logs: str = "",
) -> None:
    """Until ``probe`` (a command, run inside a namespace) succeeds, bounded in time; a lab's server
    that exits meanwhile ends the wait at once (``logs``: where its own words are)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _run(*probe, check=False).returncode == 0:
            return
        for process in processes:
            if process.poll() is not None:
                where = f": see {logs}" if logs else ""
                raise LabError(f"{cast('list[str]', process.args)[4:6]} exited with {process.returncode}{where}")
        time.sleep(pause)
    raise LabError(f"{what} did not come up within {timeout:g} s")


def _ports(values: tuple[int, ...] | list[int]) -> str:
    return ", ".join(str(p) for p in values)


@dataclass
class NetLab:
    tag: str = ""
    """Empty: ``up`` claims a free tag (two labs at once never share one)."""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sepd-lab-")))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)
    """Namespaces this lab created: the only ones ``down`` empties and removes."""
    link: subprocess.Popen[bytes] | None = None
    loss: dict[str, int] = field(default_factory=dict)
    """Per path ("lan", "far"): drops per thousand packets on each side's input."""
    client_resets: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Per path: TCP ports the client's own firewall resets."""
    blocked_direct: tuple[int, ...] = ()
    """TCP ports the manager drops from the client's LAN addresses (the proxy still gets through)."""

    manager_name = "sepm.lab"
    far_name = "sepm-far.lab"
    proxy_name = "proxy01.lab"
    gone_name = "gone.lab"
    gone_unlimited_name = "gone-unlimited.lab"
    dead_name = "dead.lab"
    prohibited_name = "prohibited.lab"
    blackholed_name = "blackholed.lab"
    noroute_name = "noroute.lab"
    silent_name = "sepm.silent.lab"
    nxdomain_name = "nothere.lab"

    @property
    def manager_ns(self) -> str:
        return f"sepd-mgr-{self.tag}"

    @property
    def client_ns(self) -> str:
        return f"sepd-cli-{self.tag}"

    @property
    def router_ns(self) -> str:
        return f"sepd-rtr-{self.tag}"

    def _ip(self, net: int, host: int) -> str:
        return f"10.{net}.{self.tag}.{host}"

    @property
    def manager_ip(self) -> str:
        return self._ip(231, 1)

    @property
    def client_ip(self) -> str:
        return self._ip(231, 2)

    @property
    def proxy_ip(self) -> str:
        return self._ip(231, 3)

    @property
    def far_ip(self) -> str:
        """The manager over the slow link."""
        return self._ip(232, 1)

    @property
    def far_client_ip(self) -> str:
        return self._ip(232, 2)

    @property
    def router_ip(self) -> str:
        return self._ip(233, 1)

    @property
    def gone_ip(self) -> str:
        return self._ip(234, 9)

    @property
    def gone_unlimited_ip(self) -> str:
        return self._ip(237, 9)

    @property
    def dead_ip(self) -> str:
        return self._ip(235, 9)

    @property
    def prohibited_ip(self) -> str:
        return self._ip(236, 1)

    @property
    def blackholed_ip(self) -> str:
        return self._ip(236, 2)

    @property
    def noroute_ip(self) -> str:
        return self._ip(236, 3)

    @property
    def proxy_url(self) -> str:
        return f"http://{self.proxy_name}:{PROXY_PORT}"

    def _devices(self) -> dict[str, str]:
        t = self.tag
        return {
            "lan_m": f"vm{t}",
            "lan_c": f"vc{t}",
            "far_m": f"tm{t}",
            "far_c": f"tc{t}",
            "rtr_r": f"vr{t}",
            "rtr_c": f"vq{t}",
            "dead_a": f"vd{t}",
            "dead_b": f"ve{t}",
        }

    def link_local(self, device: str, timeout: float = 15) -> str:
        """The link-local IPv6 address of one of the lab's cards (a ``_devices()`` key, such as
        ``lan_m``), once usable: the kernel gives each card its link-local address after duplicate
        address detection, about 2 s after the lab is built; until then it is "tentative"."""
        name = self._devices()[device]
        inside = {"m": self.in_manager, "c": self.in_client}.get(device[-1], self.in_router)
        deadline = time.monotonic() + timeout
        while True:
            shown = _run(*inside("ip", "-6", "-o", "addr", "show", "dev", name, "scope", "link")).stdout
            if "inet6 " in shown and "tentative" not in shown:
                return shown.split("inet6 ")[1].split("/")[0]
            if time.monotonic() > deadline:
                raise LabError(f"{name}'s link-local address still tentative after {timeout:.0f} s: {shown.strip()}")
            time.sleep(0.2)

    def in_client(self, *args: str) -> list[str]:
        """An argument list that runs ``args`` inside the client namespace."""
        return ["ip", "netns", "exec", self.client_ns, *args]

    def in_manager(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.manager_ns, *args]

    def in_router(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.router_ns, *args]

    # --- ground truth ------------------------------------------------------------------

    def truth(self, port: int, protocol: str = "tcp", path: str = "lan") -> str:
        """What the manager really does with ``port`` seen from the client (nmap's words).

        UDP 137/138 are served by nmbd ("open"); a silent open UDP port may honestly be
        reported as ``open|filtered``.
        """
        if protocol == "udp":
            return "open" if port in UDP_OPEN_PORTS else "closed"
        if port in self.client_resets.get(path, ()):
            return "closed"
        if path == "lan" and port in self.blocked_direct:
            return "filtered"
        if port in DROPPED_PORTS or port in ICMP_UNREACHABLE_PORTS or port in ADMIN_PROHIBITED_PORTS:
            return "filtered"
        if port in APACHE_PORTS or port in SAMBA_PORTS:
            return "open"
        return "closed"

    # --- building -------------------------------------------------------------------

    def up(self) -> NetLab:
        reason = missing_requirements()
        if reason:
            raise LabError(reason)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        try:
            self._claim()
            self._network()
            self._router()
            self._slow_link()
            self._names()
            self._firewall()
            self._apache()
            self._samba()
            self._proxy()
            self._dns()
            self._impairments()
            self._wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def _claim(self) -> None:
        """Create the namespaces under a tag nobody else holds.

        ``ip netns add`` fails when the name exists, so creating the manager's namespace
        is the claim: a tag in use by another run (or a leftover) is skipped, never killed.
        """
        self.tag = claim_tag(lambda tag: f"sepd-mgr-{tag}", self.tag)
        self.owned.append(self.manager_ns)
        for ns in (self.client_ns, self.router_ns):
            _run("ip", "netns", "add", ns)
            self.owned.append(ns)

    def _network(self) -> None:
        d = self._devices()
        veth_pair(
            End(self.manager_ns, d["lan_m"], (f"{self.manager_ip}/24", f"{self.proxy_ip}/24")),
            End(self.client_ns, d["lan_c"], (f"{self.client_ip}/24",)),
        )
        loopback_up(self.owned)
        # Routes of this PC that refuse, discard, or have no way (connect gives EACCES, EINVAL, EHOSTUNREACH).
        for kind, ip in (("prohibit", self.prohibited_ip), ("blackhole", self.blackholed_ip)):
            route(self.client_ns, kind, f"{ip}/32")
        route(self.client_ns, "unreachable", f"{self.noroute_ip}/32")

    def _router(self) -> None:
        d = self._devices()
        veth_pair(
            End(self.router_ns, d["rtr_r"], (f"{self.router_ip}/24",)),
            End(self.client_ns, d["rtr_c"], (f"{self._ip(233, 2)}/24",)),
        )
        for net in (234, 235, 237):
            route(self.client_ns, f"10.{net}.{self.tag}.0/24", "via", self.router_ip)
        sysctl(self.router_ns, "net.ipv4.ip_forward=1")
        # gone.lab: the router knows the network is unreachable and says so at once (rate-limited).
        route(self.router_ns, "unreachable", f"10.234.{self.tag}.0/24")
        # dead.lab: a segment where nobody answers ARP; after 3 s the router says host-unreachable.
        veth_pair(End(self.router_ns, d["dead_a"], (f"{self._ip(235, 1)}/24",)), End(self.router_ns, d["dead_b"]))
        # gone-unlimited.lab: routed onto the dead segment, but the router's firewall rejects it
        # first, with no rate limit (ICMP from the firewall is limited by icmp_ratelimit only).
        route(self.router_ns, f"10.237.{self.tag}.0/24", "dev", d["dead_a"])
        sysctl(self.router_ns, "net.ipv4.icmp_ratelimit=0")
        self._nft(
            self.router_ns,
            "router",
            f"""
table inet sepdlab {{
  chain forward {{
    type filter hook forward priority 0; policy accept;
    ip daddr 10.237.{self.tag}.0/24 reject with icmp type host-unreachable
  }}
}}
""",
        )

    def _slow_link(self) -> None:
        d = self._devices()
        self.link = delaylink.start(
            (self.manager_ns, d["far_m"], self.far_ip), (self.client_ns, d["far_c"], self.far_client_ip)
        )
        self.processes.append(self.link)

    def _names(self) -> None:
        # `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc/*: every namespace knows the
        # lab's names. The client asks the lab's dnsmasq; the others a loopback address where
        # nothing answers, so an unknown name fails fast and never leaves.
        hosts = {
            self.manager_name: self.manager_ip,
            self.far_name: self.far_ip,
            self.proxy_name: self.proxy_ip,
            self.gone_name: self.gone_ip,
            self.gone_unlimited_name: self.gone_unlimited_ip,
            self.dead_name: self.dead_ip,
            self.prohibited_name: self.prohibited_ip,
            self.blackholed_name: self.blackholed_ip,
            self.noroute_name: self.noroute_ip,
        }
        lines = "".join(f"{ip} {name}\n" for name, ip in hosts.items())
        for ns in self.owned:
            if ns == self.client_ns:
                # glibc's defaults are 5 s x 2; these are longer, so a silent server outlasts any deadline of ours.
                name_files(ns, lines, "nameserver 127.0.0.53\nsearch corp.lab\noptions timeout:15 attempts:2\n")
            else:
                name_files(ns, lines)

    def _nft(self, namespace: str, name: str, rules: str) -> None:
        load_nft(namespace, self.folder, name, rules)

    def _firewall(self) -> None:
        manager = f"""
table inet sepdlab {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip saddr {{ {self.client_ip}, {self.far_client_ip} }} udp dport 138 udp length > 8 counter name nbdgm_with_payload
    tcp dport {{ {_ports(DROPPED_PORTS)} }} drop
    tcp dport {{ {_ports(RESET_PORTS)} }} reject with tcp reset
    tcp dport {{ {_ports(ICMP_UNREACHABLE_PORTS)} }} reject with icmpx type host-unreachable
    tcp dport {{ {_ports(ADMIN_PROHIBITED_PORTS)} }} reject with icmpx type admin-prohibited
  }}
  counter nbdgm_with_payload {{ }}
}}
"""
        self._nft(self.manager_ns, "manager", manager)
        # Its rejections answer every probe (the kernel would allow 6, then 1 a second, to each
        # address: runs in quick succession would then see some ports silent, which is still
        # "filtered" but not the rejection the tests look for). IPv6 too (its link-local address).
        sysctl(self.manager_ns, "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0")
        # The DNS server's upstream for silent.lab is a black hole: queries to it vanish.
        client = """
table inet sepdlab {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr 127.0.0.54 meta l4proto { tcp, udp } th dport 53 drop
  }
}
"""
        self._nft(self.client_ns, "client", client)

    def nbdgm_datagrams(self) -> int:
        """UDP 138 datagrams with a payload that reached the manager (a real NetBIOS datagram was sent)."""
        out = _run(*self.in_manager("nft", "list", "counter", "inet", "sepdlab", "nbdgm_with_payload")).stdout
        words = out.split()
        return int(words[words.index("packets") + 1])

    def _apache(self) -> None:
        www = self.folder / "www"
        www.mkdir(exist_ok=True)
        (www / "secars.txt").write_text("OK")
        (www / "index.html").write_text("<html>lab</html>")
        cert, key = self._certificate()
        modules = "/usr/lib/apache2/modules"
        conf = f"""
ServerRoot {self.folder}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule socache_shmcb_module {modules}/mod_socache_shmcb.so
LoadModule ssl_module {modules}/mod_ssl.so
TypesConfig /dev/null
ServerName {self.manager_name}
User www-data
Group www-data
PidFile {self.folder}/apache.pid
ErrorLog {self.folder}/apache-error.log
Mutex file:{self.folder} default
DocumentRoot {www}
Listen 8014
Listen 443 https
Listen 8443 https
SSLSessionCache shmcb:{self.folder}/ssl_cache(512000)
<Directory {www}>
  Require all granted
</Directory>
Alias /secars/secars.dll {www}/secars.txt
<Files secars.txt>
  ForceType text/plain
</Files>
<VirtualHost *:443 *:8443>
  ServerName {self.manager_name}
  SSLEngine on
  SSLCertificateFile {cert}
  SSLCertificateKeyFile {key}
</VirtualHost>
"""
        conf_file = self.folder / "apache.conf"
        conf_file.write_text(conf)
        _run(*self.in_manager("apache2", "-f", str(conf_file), "-k", "start"), timeout=30)

    def _certificate(self) -> tuple[Path, Path]:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from sep_port_doctor.core.simulator import make_certificate

        made = make_certificate(self.manager_name, [self.manager_name, self.far_name, self.manager_ip, self.far_ip])
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        cert.write_bytes(made.cert_pem)
        key.write_bytes(made.key_pem)
        key.chmod(0o600)
        return cert, key

    def _daemon(self, args: list[str]) -> None:
        start_daemon(self.processes, args)

    def _samba(self) -> None:
        conf_file = samba_config(
            self.folder / "samba",
            self._devices()["lan_m"],
            workgroup="SEPLAB",
            netbios_name="SEPM-LAB",
            bind_interfaces_only=False,
        )
        for daemon in ("smbd", "nmbd"):
            # Without --no-process-group Samba makes a process group of its own, and the
            # signal it sends its group on exit stays there (not with whoever started it).
            self._daemon(self.in_manager(daemon, "--foreground", f"--configfile={conf_file}"))

    def _proxy(self) -> None:
        conf = f"""
User nobody
Group nogroup
Port {PROXY_PORT}
Listen {self.proxy_ip}
Timeout 30
MaxClients 50
Allow {self.client_ip}
ConnectPort 443
ConnectPort 8443
DisableViaHeader No
LogLevel Warning
LogFile "{self.folder}/tinyproxy.log"
"""
        conf_file = self.folder / "tinyproxy.conf"
        conf_file.write_text(conf)
        (self.folder / "tinyproxy.log").touch()
        os.chmod(self.folder / "tinyproxy.log", 0o666)
        self._daemon(self.in_manager("tinyproxy", "-d", "-c", str(conf_file)))

    def _dns(self) -> None:
        self._daemon(self.in_client(*dnsmasq(self.folder, "lab", "--server=/silent.lab/127.0.0.54")))

    def _wait_ready(self, timeout: float = 20.0) -> None:
        """Until Apache, smbd, tinyproxy and dnsmasq answer (bounded in time)."""
        probe = (
            "import socket\n"
            f"for a, p in (('{self.manager_ip}', 8014), ('{self.manager_ip}', 443), ('{self.manager_ip}', 445),"
            f" ('{self.manager_ip}', 139), ('{self.far_ip}', 8014), ('{self.proxy_ip}', {PROXY_PORT})):\n"
            "    s=socket.socket(); s.settimeout(0.5)\n"
            "    s.connect((a, p)); s.close()\n"
            "try:\n"
            "    socket.getaddrinfo('nothere.lab', None)\n"
            "except socket.gaierror as e:\n"
            "    assert e.errno == socket.EAI_NONAME, e\n"
        )
        wait_ready(self.in_client(sys.executable, "-c", probe), self.processes, "the lab's servers", timeout)

    # --- impairments ------------------------------------------------------------------

    def set_link(self, delay_ms: float, jitter_ms: float = 0.0) -> None:
        """One-way delay of the slow link (a round trip is twice that), ± jitter per packet."""
        assert self.link is not None
        delaylink.set_delay(self.link, delay_ms, jitter_ms)

    def set_loss(self, permille: int, path: str = "lan") -> None:
        """Drop ``permille``/1000 of the packets arriving on each side of ``path``; 0 removes it."""
        self.loss[path] = permille
        self._impairments()

    def set_client_resets(self, ports: tuple[int, ...], path: str = "far") -> None:
        """The client's own firewall resets these TCP ports at once (a nearby firewall)."""
        self.client_resets[path] = tuple(ports)
        self._impairments()

    def block_direct(self, ports: tuple[int, ...]) -> None:
        """The manager drops these TCP ports from the client's LAN addresses (its IPv4 address and
        its link-local IPv6 one); the proxy gets through."""
        self.blocked_direct = tuple(ports)
        self._impairments()

    def clear_impairments(self) -> None:
        self.loss.clear()
        self.client_resets.clear()
        self.blocked_direct = ()
        self._impairments()
        if self.link is not None:
            self.set_link(0, 0)

    def _impairments(self) -> None:
        devices = self._devices()
        side = {"lan": (devices["lan_c"], devices["lan_m"]), "far": (devices["far_c"], devices["far_m"])}
        client_rules, manager_rules = [], []
        for path, permille in self.loss.items():
            if permille:
                client_dev, manager_dev = side[path]
                client_rules.append(f'iifname "{client_dev}" numgen random mod 1000 < {permille} drop')
                manager_rules.append(f'iifname "{manager_dev}" numgen random mod 1000 < {permille} drop')
        client_out = []
        for path, ports in self.client_resets.items():
            if ports:
                target = self.manager_ip if path == "lan" else self.far_ip
                client_out.append(f"ip daddr {target} tcp dport {{ {_ports(ports)} }} reject with tcp reset")
        if self.blocked_direct:
            manager_rules.append(f"ip saddr {self.client_ip} tcp dport {{ {_ports(self.blocked_direct)} }} drop")
            lan_m = devices["lan_m"]
            manager_rules.append(
                f'iifname "{lan_m}" ip6 saddr fe80::/10 tcp dport {{ {_ports(self.blocked_direct)} }} drop'
            )

        def table(input_rules: list[str], output_rules: list[str]) -> str:
            return f"""
table inet sepdimpair
delete table inet sepdimpair
table inet sepdimpair {{
  chain input {{
    type filter hook input priority -10; policy accept;
    {chr(10).join(input_rules)}
  }}
  chain output {{
    type filter hook output priority -10; policy accept;
    {chr(10).join(output_rules)}
  }}
}}
"""

        self._nft(self.client_ns, "impair-client", table(client_rules, client_out))
        self._nft(self.manager_ns, "impair-manager", table(manager_rules, []))

    # --- tearing down -----------------------------------------------------------------

    def down(self, quiet: bool = False) -> None:
        pid_file = self.folder / "apache.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        if self.link is not None:
            delaylink.close(self.link)
        stop_processes(self.processes)
        self.processes.clear()
        self.link = None
        remove_namespaces(self.owned)
        self.owned.clear()
        if not quiet:
            shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "up"
    tag = os.environ.get("SEPD_LAB_TAG", "77")
    lab = NetLab(tag=tag, folder=Path(tempfile.gettempdir()) / f"sepd-lab-{tag}")
    if action == "down":
        # The lab that `up` left standing, named by its tag: this run did not create it, so say it owns it.
        lab.owned = [
            ns
            for ns in (lab.manager_ns, lab.client_ns, lab.router_ns)
            if _run("ip", "netns", "pids", ns, check=False).returncode == 0
        ]
        lab.down()
        return 0
    started = time.perf_counter()
    lab.up()
    print(f"lab up in {time.perf_counter() - started:.1f} s (tag {lab.tag})")
    print(f"manager: {lab.manager_name} = {lab.manager_ip} in namespace {lab.manager_ns}")
    print(f"  over the slow link: {lab.far_name} = {lab.far_ip}; proxy: {lab.proxy_url}")
    print(f"client:  {lab.client_ip} in namespace {lab.client_ns}; router: {lab.router_ip} in {lab.router_ns}")
    print(
        f"try: ip netns exec {lab.client_ns} sep-port-doctor check --manager {lab.manager_name} --version 14.3 --all-ports"
    )
    print("the slow link lives as long as this script: Ctrl+C takes the lab down")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        lab.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
