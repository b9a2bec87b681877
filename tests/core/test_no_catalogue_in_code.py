"""What the catalogue says stays in the catalogue: no entry id and no catalogue port number is
written in the Python of core/ or gui/, so that what a port gets (its checks, its payload, its
platform, its part in push deployment, its client channel, its firewall rule...) is read from
resources/catalog/ports.toml and nowhere else. Words that name a port for a reader (help texts,
examples) are the message catalogue's and the window's, not this test's."""

from __future__ import annotations

import ast
from pathlib import Path

from sep_port_doctor.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()


def _sources() -> list[Path]:
    return sorted(path for package in ("core", "gui") for path in (ROOT / package).rglob("*.py"))


def _findings(path: Path, root: Path = ROOT) -> list[str]:
    source = path.read_text(encoding="utf-8")
    ids = {entry.id for entry in CATALOG.entries}
    ports = {entry.port for entry in CATALOG.entries}
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.Constant):
            continue
        value = node.value
        where = f"{path.relative_to(root)}:{node.lineno}"
        # A number as a port is written in decimal: 0x0202 (SMB 2.0.2) is not port 514.
        is_port = isinstance(value, int) and not isinstance(value, bool) and value in ports
        if is_port and (ast.get_source_segment(source, node) or "").isdigit():
            found.append(f"{where}: port {value!r}")
        if isinstance(value, str) and any(entry_id in value for entry_id in ids):
            found.append(f"{where}: entry id in {value[:60]!r}")
    return found


def test_no_entry_id_or_catalogue_port_in_core_or_gui() -> None:
    found = [line for path in _sources() for line in _findings(path)]
    assert found == [], "\n".join(found)


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The test above cannot pass by reading nothing: it finds a port and an id where there is one."""
    sample = tmp_path / "sample.py"
    sample.write_text('PORT = 8446\nENTRY = "client-https-443"\nDIALECT = 0x0202\n', encoding="utf-8")
    assert _findings(sample, tmp_path) == ["sample.py:1: port 8446", "sample.py:2: entry id in 'client-https-443'"]
    assert len(_sources()) > 50
