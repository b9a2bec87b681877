"""A LocalSystem that answers from recorded Windows outputs (tests/fixtures/windows/NAME)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path, PurePath

from core.localpc import SYLINK_XML, LocalError

WINDOWS_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows"


class RecordedSystem:
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
        recorded = self.folder / path.name if path == SYLINK_XML else None
        if recorded is None or not recorded.exists():
            return None
        return recorded.read_text(encoding="utf-8-sig")

    async def powershell_json(self, script: str) -> str:
        self.scripts.append(script)
        output = self.folder / "powershell.json"
        if not output.exists():
            raise LocalError("PowerShell gave no answer")
        return output.read_text(encoding="utf-8-sig")
