"""The Japanese UI catalogue is complete and the shipped .qm matches its .ts source."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.update_translations import compile_ts

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"


def test_every_ui_string_has_a_finished_japanese_translation() -> None:
    root = ET.parse(I18N / "sep_port_doctor_ja.ts").getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 20
    for message in messages:
        translation = message.find("translation")
        assert translation is not None
        source = message.findtext("source")
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), source
        text = "".join(n.text or "" for n in translation.findall("numerusform")) or translation.text or ""
        assert text.strip(), source


def test_shipped_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.qm"
    try:
        compile_ts(I18N / "sep_port_doctor_ja.ts", fresh)
    except SystemExit as exc:  # lrelease missing: say so rather than pass
        pytest.skip(str(exc))
    assert fresh.read_bytes() == (I18N / "sep_port_doctor_ja.qm").read_bytes(), (
        "run: python scripts/update_translations.py"
    )
