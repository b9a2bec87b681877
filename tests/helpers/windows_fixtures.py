"""A LocalSystem that answers from a Windows fixture folder (tests/fixtures/windows/NAME).

Most fixtures are hand-made in the shape of public recordings of real Windows output;
each folder's README line says which (see tests/fixtures/windows/README.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path, PurePath

from core.localpc import SYLINK_XML, LocalError

WINDOWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows"


class FixtureSystem:
    platform = "win32"

    def __init__(self, name: str) -> None:
        self.folder = WINDOWS_FIXTURES / name
        self.registry: dict[str, Mapping[str, object]] = json.loads(
            (self.folder / "registry.json").read_text(encoding="utf-8-sig")
        )
        self.scripts: list[str] = []

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        return self.registry.get(key)

    def read_text(self, path: PurePath) -> str | None:
        fixture = self.folder / path.name if path == SYLINK_XML else None
        if fixture is None or not fixture.exists():
            return None
        return fixture.read_text(encoding="utf-8-sig")

    async def powershell_json(self, script: str) -> str:
        self.scripts.append(script)
        output = self.folder / "powershell.json"
        if not output.exists():
            raise LocalError("PowerShell gave no answer")
        return output.read_text(encoding="utf-8-sig")
