"""A small fleet of SEP clients for the Ansible recipe (root only).

Network namespaces joined through a router namespace, with private addresses that exist only
inside them; every client on its own /28 subnet:

* "router" (10.232.T.1 and .16i+1): forwards between the subnets and plays the SEP Manager: the
  simulator (``sep-port-doctor simulate``) listens on 10.232.T.1 on the real ports. nftables here
  can drop a client subnet's traffic to some ports (a path that filters, as a site firewall does).
* "client i" (10.232.T.16i+2): a SEP client PC with its own host name (its own UTS namespace) and
  its own ``sshd`` (Debian's openssh-server, started here in the foreground, never as a system
  service), which accepts only this lab's key, for root, from this lab's known host keys.
* "control" (10.232.T.2): where ``ansible-playbook`` runs, and where the results are collected.

Usage from Python: ``FleetLab(clients=3).up()``, then ``lab.down()``. Everything runs as
argument lists with deadlines; ``down`` removes only what this lab made.
"""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.netlab import (
    End,
    LabError,
    _run,
    claim_tag,
    load_nft,
    loopback_up,
    name_files,
    remove_namespaces,
    route,
    stop_processes,
    sysctl,
    veth_pair,
    wait_ready,
)
from scripts.netlab import missing_requirements as _missing

SSHD = "/usr/sbin/sshd"
REQUIRED_TOOLS = ("ip", "nft", "ssh", "ssh-keygen", "unshare", "hostname")
MAX_CLIENTS = 14
SIMULATOR_OPTIONS = ("--duration", "600", "--lang", "en")
"""A bounded life (``down`` stops it sooner), and the words ``start_manager`` waits for."""
"""/28 subnets in one /24, less the control node's."""


def missing_requirements() -> str | None:
    """Why the lab cannot be built here, or None (sshd: Debian's openssh-server)."""
    return _missing(REQUIRED_TOOLS, files=(SSHD,), tun=False)


@dataclass
class Client:
    index: int
    name: str
    address: str
    router_side: str
    subnet: str
    pid_file: Path


@dataclass
class FleetLab:
    clients: int = 3
    tag: str = ""
    """Empty: ``up`` claims a free tag (two labs at once never share one)."""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sepd-fleet-")))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)
    """Namespaces this lab created: the only ones ``down`` empties and removes."""
    members: list[Client] = field(default_factory=list)

    @property
    def router_ns(self) -> str:
        return f"sepd-fr-{self.tag}"

    @property
    def control_ns(self) -> str:
        return f"sepd-fc-{self.tag}"

    def client_ns(self, index: int) -> str:
        return f"sepd-fp-{self.tag}-{index}"

    @property
    def manager_ip(self) -> str:
        return f"10.232.{self.tag}.1"

    @property
    def control_ip(self) -> str:
        return f"10.232.{self.tag}.2"

    @property
    def key(self) -> Path:
        return self.folder / "lab_key"

    @property
    def known_hosts(self) -> Path:
        return self.folder / "known_hosts"

    def in_router(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.router_ns, *args]

    def in_control(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.control_ns, *args]

    # --- building -------------------------------------------------------------------

    def up(self) -> FleetLab:
        reason = missing_requirements()
        if reason:
            raise LabError(reason)
        if not 1 <= self.clients <= MAX_CLIENTS:
            raise LabError(f"1 to {MAX_CLIENTS} clients, not {self.clients}")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)
        try:
            self._claim()
            self._network()
            self._keys()
            self._sshd()
            self._wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def _claim(self) -> None:
        """The router's namespace under a tag nobody else holds (netlab.claim_tag), then the rest."""
        self.tag = claim_tag(lambda tag: f"sepd-fr-{tag}", self.tag)
        self.owned.append(self.router_ns)
        for ns in (self.control_ns, *(self.client_ns(i) for i in range(1, self.clients + 1))):
            _run("ip", "netns", "add", ns)
            self.owned.append(ns)

    def _link(self, index: int, ns: str) -> tuple[str, str]:
        """A veth pair from the router to ``ns`` on subnet ``index``: (router side, far side)."""
        base = 16 * index
        router_side, far_side = f"10.232.{self.tag}.{base + 1}", f"10.232.{self.tag}.{base + 2}"
        veth_pair(
            End(self.router_ns, f"fa{self.tag}x{index}", (f"{router_side}/28",)),
            End(ns, f"fb{self.tag}x{index}", (f"{far_side}/28",)),
        )
        loopback_up([ns])
        route(ns, "default", "via", router_side)
        return router_side, far_side

    def _network(self) -> None:
        loopback_up([self.router_ns])
        sysctl(self.router_ns, "net.ipv4.ip_forward=1")
        self._link(0, self.control_ns)
        for index in range(1, self.clients + 1):
            router_side, address = self._link(index, self.client_ns(index))
            self.members.append(
                Client(
                    index=index,
                    name=f"sep-lab-pc{index}",
                    address=address,
                    router_side=router_side,
                    subnet=f"10.232.{self.tag}.{16 * index}/28",
                    pid_file=self.folder / f"sshd-{index}.pid",
                )
            )
        for ns in self.owned:
            name_files(ns)  # no resolver outside the lab

    def drop_from(self, client: Client, ports: tuple[int, ...]) -> None:
        """The path from ``client``'s subnet to the manager drops TCP to ``ports`` (filtered)."""
        listed = ", ".join(str(p) for p in ports)
        rules = f"""
table inet sepdfleet {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip saddr {client.subnet} tcp dport {{ {listed} }} drop
  }}
}}
"""
        load_nft(self.router_ns, self.folder, f"drop-{client.index}", rules)

    def _keys(self) -> None:
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sepd-fleet-lab", "-f", str(self.key))
        (self.folder / "authorized_keys").write_text(Path(f"{self.key}.pub").read_text())
        known = []
        for client in self.members:
            host_key = self.folder / f"host-{client.index}"
            _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", client.name, "-f", str(host_key))
            public = Path(f"{host_key}.pub").read_text().split()
            known.append(f"{client.address} {public[0]} {public[1]}\n")
        self.known_hosts.write_text("".join(known))

    def _sshd(self) -> None:
        # sshd checks for its privilege-separation folder, which the service would have made.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for client in self.members:
            config = self.folder / f"sshd-{client.index}.conf"
            config.write_text(
                f"ListenAddress {client.address}\n"
                f"HostKey {self.folder / f'host-{client.index}'}\n"
                f"PidFile {client.pid_file}\n"
                f"AuthorizedKeysFile {self.folder / 'authorized_keys'}\n"
                "PermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                "UsePAM no\nStrictModes no\nX11Forwarding no\nPrintMotd no\nLogLevel ERROR\n"
                # The program's log and settings stay in the lab's folder, not in root's home.
                f"SetEnv XDG_DATA_HOME={self.folder / 'data' / client.name} XDG_CONFIG_HOME={self.folder / 'config' / client.name}\n"
                "Subsystem sftp internal-sftp\n"
            )
            # Its own UTS namespace: the client has its own host name, as a PC of the fleet does.
            # (A fixed script; the name and the configuration are passed as arguments.)
            with (self.folder / f"sshd-{client.index}.log").open("wb") as log:
                process = subprocess.Popen(
                    [
                        "ip", "netns", "exec", self.client_ns(client.index), "unshare", "--uts",
                        "sh", "-c", 'hostname "$1" && exec "$2" -D -e -f "$3"', "sh", client.name, SSHD, str(config),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )  # fmt: skip
            self.processes.append(process)

    def _wait_ready(self, timeout: float = 20.0) -> None:
        """Until every sshd accepts TCP from the control node (bounded in time)."""
        addresses = ", ".join(f"'{c.address}'" for c in self.members)
        probe = (
            "import socket\n"
            f"for a in ({addresses},):\n"
            "    s=socket.socket(); s.settimeout(0.5); s.connect((a, 22)); s.close()\n"
        )
        probe_command = self.in_control(sys.executable, "-c", probe)
        wait_ready(probe_command, self.processes, "the clients' sshd", timeout, logs=f"{self.folder}/sshd-*.log")

    def start_manager(self, command: list[str], profile: str = "healthy") -> subprocess.Popen[bytes]:
        """The simulated SEP Manager on the router's address, on the real ports (root in the
        namespace may bind them), until ``down``. ``command`` starts ``sep-port-doctor``."""
        process = subprocess.Popen(
            self.in_router(*command, "simulate", "--bind", self.manager_ip, "--profile", profile, *SIMULATOR_OPTIONS),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while (remaining := deadline - time.monotonic()) > 0:
            # Wait for a line only as long as the deadline allows: a silent simulator is no hang here.
            if not select.select([process.stdout], [], [], remaining)[0]:
                break
            line = process.stdout.readline().decode("utf-8", "replace")
            if line.startswith("simulated SEPM"):
                return process
            if not line and process.poll() is not None:
                break
        raise LabError(f"the simulator did not start in the router namespace (exit {process.poll()})")

    def inventory(self, path: Path, variables: dict[str, str]) -> Path:
        """An Ansible inventory of the clients (group ``sep_clients``), with this lab's key and
        known host keys; ``variables`` become the group's vars."""
        ssh_args = (
            f"-o UserKnownHostsFile={self.known_hosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes "
            "-o ConnectTimeout=10"
        )
        lines = ["[sep_clients]"]
        lines += [f"{c.name} ansible_host={c.address}" for c in self.members]
        lines += [
            "",
            "[sep_clients:vars]",
            "ansible_user=root",
            f"ansible_ssh_private_key_file={self.key}",
            f"ansible_ssh_common_args={ssh_args}",
            "ansible_python_interpreter=/usr/bin/python3",
        ]
        lines += [f"{name}={value}" for name, value in variables.items()]
        path.write_text("\n".join(lines) + "\n")
        return path

    # --- tearing down -----------------------------------------------------------------

    def down(self) -> None:
        stop_processes(self.processes)
        for process in self.processes:
            if process.stdout is not None:
                process.stdout.close()
        self.processes.clear()
        remove_namespaces(self.owned)
        self.owned.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
