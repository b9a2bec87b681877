"""Copy the shared helpers of the fleet recipes into the scripts that must stand alone.

Intune uploads each remediation script as one file and runs it without parameters, so
``resources/fleet/intune/*.ps1`` cannot load ``SepPortDoctor-Collect.ps1``: they carry a copy
of its ``#region shared`` ... ``#endregion shared`` block. Edit the block in the collector only,
then run ``python scripts/sync_fleet_recipes.py``; ``tests/fleet/test_powershell_recipes.py``
fails while a copy differs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLEET = ROOT / "resources" / "fleet"
SOURCE = FLEET / "SepPortDoctor-Collect.ps1"
COPIES = (FLEET / "intune" / "Detect-SepPortDoctor.ps1", FLEET / "intune" / "Remediate-SepPortDoctor.ps1")
REGION = re.compile(r"^#region shared\b.*?^#endregion shared$", re.MULTILINE | re.DOTALL)


def shared_region(text: str) -> str:
    found = REGION.findall(text)
    if len(found) != 1:
        raise ValueError(f"expected one '#region shared' ... '#endregion shared' block, found {len(found)}")
    return str(found[0])


def synced(copy_text: str, source_text: str) -> str:
    """``copy_text`` with its shared block replaced by the source's."""
    block = shared_region(source_text)
    shared_region(copy_text)  # exactly one block to replace
    return REGION.sub(lambda _match: block, copy_text)


def main() -> int:
    source = SOURCE.read_text(encoding="utf-8")
    for path in COPIES:
        before = path.read_text(encoding="utf-8")
        after = synced(before, source)
        if after != before:
            path.write_text(after, encoding="utf-8", newline="\n")
            print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
