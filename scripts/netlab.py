"""A small real network for the integration suite and the benchmarks (root only).

Two network namespaces joined by a veth pair, with private addresses that exist
only inside them:

* "manager" (10.231.N.1): Apache serving ``/secars/secars.dll?hello,secars`` -> ``OK``
  on 8014 (HTTP) and 443/8443 (HTTPS, a self-signed certificate), Samba ``smbd``
  on 139/445 and ``nmbd`` on UDP 137, and nftables rules that drop some ports
  (filtered) and reject others with a reset (closed) or an ICMP host unreachable.
* "client" (10.231.N.2): where ``sep-port-doctor check`` and nmap run. Its
  ``/etc/hosts`` names the manager ``sepm.lab``; its resolver points at a loopback
  address where nothing answers, so unknown names fail fast and never leave.

Usage: ``python scripts/netlab.py up`` (prints the names), ``... down``.
Everything runs as argument lists with deadlines; ``down`` removes it all.
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
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED_TOOLS = ("ip", "nft", "apache2", "smbd", "nmbd", "nmap")

DROPPED_PORTS = (8445, 9090)
RESET_PORTS = (8446, 1100)
ICMP_UNREACHABLE_PORTS = (8765,)


class LabError(RuntimeError):
    pass


def missing_requirements() -> str | None:
    """Why the lab cannot be built here, or None."""
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "building network namespaces needs root (run as root, as CI does)"
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing tools: {', '.join(missing)} (./dev test installs them as root)"
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


@dataclass
class NetLab:
    tag: str = ""
    """Empty: ``up`` claims a free tag (two labs at once never share one)."""
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sepd-lab-")))
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)
    """Namespaces this lab created: the only ones ``down`` empties and removes."""

    @property
    def manager_ns(self) -> str:
        return f"sepd-mgr-{self.tag}"

    @property
    def client_ns(self) -> str:
        return f"sepd-cli-{self.tag}"

    @property
    def manager_ip(self) -> str:
        return f"10.231.{self.tag}.1"

    @property
    def client_ip(self) -> str:
        return f"10.231.{self.tag}.2"

    manager_name = "sepm.lab"

    def in_client(self, *args: str) -> list[str]:
        """An argument list that runs ``args`` inside the client namespace."""
        return ["ip", "netns", "exec", self.client_ns, *args]

    def in_manager(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.manager_ns, *args]

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
            self._client_resolver()
            self._firewall()
            self._apache()
            self._samba()
            self._wait_ready()
        except BaseException:
            self.down()
            raise
        return self

    def _claim(self) -> None:
        """Create the two namespaces under a tag nobody else holds.

        ``ip netns add`` fails when the name exists, so creating the manager's namespace
        is the claim: a tag in use by another run (or a leftover) is skipped, never killed.
        """
        candidates = [self.tag] if self.tag else [str(t) for t in random.sample(TAGS, len(TAGS))]
        for tag in candidates:
            if _run("ip", "netns", "add", f"sepd-mgr-{tag}", check=False).returncode == 0:
                self.tag = tag
                self.owned.append(self.manager_ns)
                _run("ip", "netns", "add", self.client_ns)
                self.owned.append(self.client_ns)
                return
        raise LabError(f"no free lab tag (tried {', '.join(candidates[:5])}...): namespaces sepd-mgr-* are all taken")

    def _network(self) -> None:
        veth_m, veth_c = f"vm{self.tag}", f"vc{self.tag}"
        _run("ip", "link", "add", veth_m, "type", "veth", "peer", "name", veth_c)
        _run("ip", "link", "set", veth_m, "netns", self.manager_ns)
        _run("ip", "link", "set", veth_c, "netns", self.client_ns)
        for ns, dev, ip in ((self.manager_ns, veth_m, self.manager_ip), (self.client_ns, veth_c, self.client_ip)):
            _run("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
            _run("ip", "-n", ns, "link", "set", dev, "up")
            _run("ip", "-n", ns, "link", "set", "lo", "up")

    def _client_resolver(self) -> None:
        # `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc/*: both namespaces know
        # the manager's name, and ask a loopback resolver where nothing answers.
        for ns in (self.client_ns, self.manager_ns):
            folder = Path("/etc/netns") / ns
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "hosts").write_text(
                f"127.0.0.1 localhost\n::1 localhost\n{self.manager_ip} {self.manager_name}\n"
            )
            (folder / "resolv.conf").write_text("nameserver 127.0.0.53\noptions timeout:1 attempts:1\n")

    def _firewall(self) -> None:
        def ports(values: tuple[int, ...]) -> str:
            return ", ".join(str(p) for p in values)

        rules = f"""
table inet sepdlab {{
  chain input {{
    type filter hook input priority 0; policy accept;
    tcp dport {{ {ports(DROPPED_PORTS)} }} drop
    tcp dport {{ {ports(RESET_PORTS)} }} reject with tcp reset
    tcp dport {{ {ports(ICMP_UNREACHABLE_PORTS)} }} reject with icmpx type host-unreachable
  }}
}}
"""
        rules_file = self.folder / "rules.nft"
        rules_file.write_text(rules)
        _run(*self.in_manager("nft", "-f", str(rules_file)))

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
Listen {self.manager_ip}:8014
Listen {self.manager_ip}:443 https
Listen {self.manager_ip}:8443 https
SSLSessionCache shmcb:{self.folder}/ssl_cache(512000)
<Directory {www}>
  Require all granted
</Directory>
Alias /secars/secars.dll {www}/secars.txt
<Files secars.txt>
  ForceType text/plain
</Files>
<VirtualHost {self.manager_ip}:443 {self.manager_ip}:8443>
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
        from core.simulator import make_certificate

        made = make_certificate(self.manager_name, [self.manager_name, self.manager_ip])
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        cert.write_bytes(made.cert_pem)
        key.write_bytes(made.key_pem)
        key.chmod(0o600)
        return cert, key

    def _samba(self) -> None:
        samba = self.folder / "samba"
        for sub in ("run", "lock", "state", "cache", "private", "log"):
            (samba / sub).mkdir(parents=True, exist_ok=True)
        conf = f"""
[global]
  workgroup = SEPLAB
  netbios name = SEPM-LAB
  server role = standalone server
  interfaces = {self.manager_ip}/24
  bind interfaces only = yes
  smb ports = 445 139
  disable netbios = no
  pid directory = {samba}/run
  lock directory = {samba}/lock
  state directory = {samba}/state
  cache directory = {samba}/cache
  private dir = {samba}/private
  ncalrpc dir = {samba}/run/ncalrpc
  # nmbd's packet socket; else /run/samba/nmbd, which exists only where the samba service ran
  nmbd:socket dir = {samba}/run/nmbd
  log file = {samba}/log/log.%m
  load printers = no
  printcap name = /dev/null
"""
        conf_file = samba / "smb.conf"
        conf_file.write_text(conf)
        for daemon in ("smbd", "nmbd"):
            # Without --no-process-group Samba makes a process group of its own, and the
            # signal it sends its group on exit stays there (not with whoever started it).
            process = subprocess.Popen(
                self.in_manager(daemon, "--foreground", f"--configfile={conf_file}"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.processes.append(process)

    def _wait_ready(self, timeout: float = 20.0) -> None:
        """Until Apache answers secars and smbd accepts on 445 (bounded in time)."""
        deadline = time.monotonic() + timeout
        probe = (
            "import socket,sys\n"
            "for p in (8014, 443, 445, 139):\n"
            "    s=socket.socket(); s.settimeout(0.5)\n"
            f"    s.connect(('{self.manager_ip}', p)); s.close()\n"
        )
        while time.monotonic() < deadline:
            if _run(*self.in_client(sys.executable, "-c", probe), check=False).returncode == 0:
                return
            for process in self.processes:
                if process.poll() is not None:
                    raise LabError(f"{process.args[4]} exited with {process.returncode}")
            time.sleep(0.2)
        raise LabError(f"the lab's servers did not come up within {timeout:g} s")

    # --- tearing down -----------------------------------------------------------------

    def down(self, quiet: bool = False) -> None:
        pid_file = self.folder / "apache.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()
        # Namespaces go with their interfaces; anything left in them (ours: we made them) is killed first.
        for ns in self.owned:
            pids = _run("ip", "netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                with contextlib.suppress(ValueError, ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            _run("ip", "netns", "del", ns, check=False)
            shutil.rmtree(Path("/etc/netns") / ns, ignore_errors=True)
        self.owned.clear()
        if not quiet:
            shutil.rmtree(self.folder, ignore_errors=True)


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "up"
    lab = NetLab(tag=os.environ.get("SEPD_LAB_TAG", "77"), folder=Path(tempfile.gettempdir()) / "sepd-lab-77")
    if action == "down":
        # The lab that `up` left standing, named by its tag: this run did not create it, so say it owns it.
        lab.owned = [
            ns for ns in (lab.manager_ns, lab.client_ns) if _run("ip", "netns", "pids", ns, check=False).returncode == 0
        ]
        lab.down()
        return 0
    started = time.perf_counter()
    lab.up()
    print(f"lab up in {time.perf_counter() - started:.1f} s")
    print(f"manager: {lab.manager_name} = {lab.manager_ip} in namespace {lab.manager_ns}")
    print(f"client:  {lab.client_ip} in namespace {lab.client_ns}")
    print(
        f"try: ip netns exec {lab.client_ns} sep-port-doctor check --manager {lab.manager_name} --version 14.3 --all-ports"
    )
    print("note: Samba runs in the foreground of this script's children; `down` stops everything")
    return 0


if __name__ == "__main__":
    sys.exit(main())
