"""Windows fixtures (tests/fixtures/windows/) and the sources built on them.

Each folder's ``fixture.toml`` says what it is: ``hand-made`` (written in the shape of
public recordings of real Windows output, which it names) or ``recorded`` (real output
from a public source, named per file). ``FixtureSystem`` answers the local-PC code from a
folder; ``parse_netstat`` and ``parse_firewall_reg`` read the recorded files.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from sep_port_doctor.core.localpc import SYLINK_XML, LocalError
from sep_port_doctor.core.socket_table import Endpoint

WINDOWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows"
RECORDED = WINDOWS_FIXTURES / "recorded-public"


def fixture_info(name: str) -> dict[str, Any]:
    return tomllib.loads((WINDOWS_FIXTURES / name / "fixture.toml").read_text(encoding="utf-8"))


class FixtureSystem:
    """A LocalSystem that answers from one fixture folder; remembers what it was asked."""

    platform = "win32"

    def __init__(self, name: str, sylink: str | None = None) -> None:
        """``sylink``: this PC's SyLink.xml instead of the folder's (a test's own servers)."""
        self.folder = WINDOWS_FIXTURES / name
        self.sylink = sylink
        self.registry: dict[str, Mapping[str, object]] = json.loads(
            (self.folder / "registry.json").read_text(encoding="utf-8-sig")
        )
        self.scripts: list[str] = []
        self.managers: list[str | None] = []

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        return self.registry.get(key)

    def read_text(self, path: PurePath) -> str | None:
        if path == SYLINK_XML and self.sylink is not None:
            return self.sylink
        fixture = self.folder / path.name if path == SYLINK_XML else None
        if fixture is None or not fixture.exists():
            return None
        return fixture.read_text(encoding="utf-8-sig")

    async def powershell_json(self, script: str, manager: str | None = None) -> str:
        self.scripts.append(script)
        self.managers.append(manager)
        output = self.folder / "powershell.json"
        if not output.exists():
            raise LocalError("PowerShell gave no answer")
        return output.read_text(encoding="utf-8-sig")

    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.folder / "powershell.json").read_text(encoding="utf-8-sig"))
        return loaded


_NETSTAT = re.compile(r"^\s*(TCP|UDP)\s+(\S+):(\d+)\s+(\S+)\s+(?:(\S+)\s+)?(\d+)\s*$")


def parse_netstat(text: str) -> tuple[Endpoint, ...]:
    """``netstat -ano`` as the socket table: listening TCP and bound UDP sockets."""
    found = []
    for line in text.splitlines():
        match = _NETSTAT.match(line)
        if not match:
            continue
        protocol, address, port, _remote, state, pid = match.groups()
        if protocol == "TCP" and state != "LISTENING":
            continue
        found.append(Endpoint(protocol.lower(), address.strip("[]").split("%")[0], int(port), int(pid)))
    return tuple(found)


_PROTOCOLS = {"6": "TCP", "17": "UDP"}


def parse_firewall_reg(text: str) -> list[dict[str, Any]]:
    """FirewallRules registry values as the collection script reports rules."""
    rules = []
    for match in re.finditer(r'^"([^"]+)"="(v2\.\d+\|[^"]*)"$', text, re.MULTILINE):
        name, value = match.groups()
        fields: dict[str, list[str]] = {}
        for part in value.split("|")[1:]:
            key, _, val = part.partition("=")
            if key:
                fields.setdefault(key, []).append(val)
        remote = fields.get("RA4", []) + [a for a in fields.get("RA6", []) if a not in fields.get("RA4", [])]
        rules.append(
            {
                "Name": name,
                "Group": fields.get("EmbedCtxt", [""])[0],
                "Enabled": "True" if fields.get("Active", ["FALSE"])[0] == "TRUE" else "False",
                "Profile": ", ".join(fields.get("Profile", [])) or "Any",
                "Direction": {"In": "Inbound", "Out": "Outbound"}[fields["Dir"][0]],
                "Action": fields["Action"][0],
                "RemoteAddress": remote or ["Any"],
                "Protocol": _PROTOCOLS.get(fields.get("Protocol", [""])[0], ""),
                "LocalPort": fields.get("LPort", []),
                "PolicyStoreSourceType": "Local",
            }
        )
    return rules
