"""The Ansible recipe run for real: resources/fleet/ansible/sep-port-doctor.yml against SEP clients
that are network namespaces with their own sshd and host name (scripts/fleetlab.py), the Linux build
of the program (PyInstaller onedir from build/pyinstaller.spec) copied to each by the playbook, the
simulated manager inside the lab, and the results collected on the control node.

Root only (namespaces); skipped with the reason elsewhere. Traffic stays inside the lab's namespaces.
The build (tests/helpers/packaging.cached_onedir: built once, reused while its inputs are unchanged)
takes most of the time when it runs; the lab and the playbook take about 30 s for three clients.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from scripts.fleetlab import FleetLab, missing_requirements
from tests.helpers.command import ROOT, command
from tests.helpers.packaging import cached_onedir, cannot_build

pytestmark = [pytest.mark.integration, pytest.mark.slow]

_WHY = missing_requirements() or cannot_build()
if _WHY:
    pytestmark.append(pytest.mark.skip(reason=f"the Ansible lab is skipped: {_WHY}"))

PLAYBOOK = ROOT / "resources" / "fleet" / "ansible" / "sep-port-doctor.yml"
PLAYBOOK_HANG_GUARD_S = 300.0
"""Three clients take about 20 s; a hung SSH connection or check would take forever."""
RESULT_NAME = re.compile(r"^(?P<computer>[A-Za-z0-9._-]+)_(?P<utc>\d{8}T\d{6}Z)\.json$")


@pytest.fixture(scope="module")
def program_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged Linux program as the README tells administrators to hand it to the playbook."""
    executable = cached_onedir()
    archive = tmp_path_factory.mktemp("program") / "sep-port-doctor-linux.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(executable.parent, arcname="sep-port-doctor")
    return archive


def test_the_packaged_program_carries_the_recipes(program_archive: Path) -> None:
    """README: the recipes are in the packaged folder, under _internal/sep_port_doctor/resources/fleet."""
    recipes = {str(p.relative_to(ROOT / "resources")) for p in (ROOT / "resources" / "fleet").rglob("*") if p.is_file()}
    with tarfile.open(program_archive) as tar:
        shipped = {n.removeprefix("sep-port-doctor/_internal/sep_port_doctor/resources/") for n in tar.getnames()}
    assert recipes and recipes <= shipped


def test_the_collector_in_the_package_finds_the_program_beside_it(program_archive: Path) -> None:
    """The collector's first guess, from its own folder in the package, is the packaged program."""
    script = (ROOT / "resources" / "fleet" / "SepPortDoctor-Collect.ps1").read_text(encoding="utf-8")
    found = re.search(r"Join-Path \$ScriptFolder '([^']+)'", script)
    assert found, "the collector no longer looks beside itself"
    with tarfile.open(program_archive) as tar:
        names = set(tar.getnames())
    (collector,) = (n for n in names if n.endswith("/fleet/SepPortDoctor-Collect.ps1"))
    program = posixpath.normpath(posixpath.join(posixpath.dirname(collector), found[1].replace("\\", "/")))
    assert program.removesuffix(".exe") in names  # the Windows build's name; the Linux one has no suffix


def _reference_keys() -> set[str]:
    """The top-level keys of a real `check --json` (the installed command, against nothing)."""
    result = subprocess.run(
        [*command(), "check", "--json", "--manager", "127.0.0.1", "--version", "14.3", "--port", "8014=1",
         "--port", "443=1", "--timeout", "0.5"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    return set(json.loads(result.stdout))


def test_the_playbook_checks_each_client_and_collects_one_valid_report_per_computer(
    program_archive: Path, tmp_path: Path
) -> None:
    lab = FleetLab(clients=3)
    try:
        lab.up()
        lab.start_manager(command())
        behind_firewall = lab.members[2]
        lab.drop_from(behind_firewall, (8014,))
        collection = tmp_path / "collection"
        collection.mkdir()
        settings = {
            "sep_manager": lab.manager_ip,
            "sep_version": "14.3 RU9",
            "sep_collection_folder": str(collection),
            "sep_unix_program_archive": str(program_archive),
        }
        extra = tmp_path / "settings.json"
        extra.write_text(json.dumps(settings))
        inventory = lab.inventory(tmp_path / "inventory.ini", {})
        (tmp_path / "ansible.cfg").write_text("")
        env = {
            **os.environ,
            "ANSIBLE_CONFIG": str(tmp_path / "ansible.cfg"),
            "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
            "ANSIBLE_REMOTE_TMP": str(lab.folder / "ansible-remote"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORKS": "5",
        }
        playbook = Path(sys.executable).parent / "ansible-playbook"
        result = subprocess.run(
            lab.in_control(str(playbook), "-i", str(inventory), "-e", f"@{extra}", str(PLAYBOOK)),
            capture_output=True, text=True, timeout=PLAYBOOK_HANG_GUARD_S, env=env, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]

        files = sorted(p.name for p in collection.iterdir())
        assert len(files) == len(lab.members), files  # one file per computer, no temporaries left
        reports = {}
        for name in files:
            match = RESULT_NAME.match(name)
            assert match, name
            report = json.loads((collection / name).read_text(encoding="utf-8"))
            assert report["computer"] == match["computer"]  # named by the computer's own name
            reports[report["computer"]] = report
        assert set(reports) == {c.name for c in lab.members}

        keys = _reference_keys()
        for client in lab.members:
            report = reports[client.name]
            assert set(report) == keys
            assert (report["manager"], report["role"], report["cancelled"]) == (lab.manager_ip, "client", False)
            assert report["version"] == "14.3 RU9"
            checks = {c["id"]: c for c in report["checks"]}
            # This PC's checks ran on the client's own address: its own subnet.
            assert {c["address"] for c in report["checks"] if c["local"]} == {client.address}
            secars = checks["client-http-8014"]
            if client is behind_firewall:
                assert secars["state"] == "filtered", secars
                # 443 answers and a client uses one of the two (no SyLink on these Linux clients).
                assert secars["severity"] == "warning"
                assert secars["guidance"][0] == "client-channel-one-suffices"
            else:
                assert secars["state"] == "open", secars
                assert secars["application"]["ok"] is True
            assert checks["client-https-443"]["state"] == "open"
        # The recap names every host, none failed or unreachable.
        for client in lab.members:
            assert re.search(rf"{re.escape(client.name)}\s+: ok=\d+ .*failed=0", result.stdout), result.stdout[-3000:]
    finally:
        lab.down()
