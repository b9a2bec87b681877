"""The Japanese UI catalogue matches the strings in gui/, is complete, and the shipped .qm is
compiled from it."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.update_translations import collect_strings, compile_ts

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
TS = I18N / "sep_port_doctor_ja.ts"
REFRESH = "run: python scripts/update_translations.py, translate in pyside6-linguist, and run it again"


def _messages(ts: Path) -> dict[tuple[str, str], str | None]:
    """(context, source text) -> the translation's type (None when finished)."""
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            found[(name, message.findtext("source") or "")] = None if translation is None else translation.get("type")
    return found


def _tool_or_skip(action: Callable[..., None], *args: Path) -> None:
    try:
        action(*args)
    except SystemExit as exc:  # the Qt tools are missing: say so rather than pass
        pytest.skip(str(exc))


def test_the_ts_holds_exactly_the_strings_of_the_gui_sources(tmp_path: Path) -> None:
    """lupdate run on gui/ now: a string added or changed in the code without updating the .ts
    comes back unfinished, one removed comes back vanished."""
    refreshed = tmp_path / TS.name
    shutil.copy(TS, refreshed)
    _tool_or_skip(collect_strings, refreshed)
    committed, current = _messages(TS), _messages(refreshed)
    new = sorted(key for key, kind in current.items() if key not in committed or kind == "unfinished")
    gone = sorted(key for key, kind in current.items() if kind in ("vanished", "obsolete"))
    assert new == [], f"strings in gui/ missing from the .ts: {new}; {REFRESH}"
    assert gone == [], f"strings in the .ts no longer in gui/: {gone}; {REFRESH}"
    assert current.keys() == committed.keys()


def test_every_ui_string_has_a_finished_japanese_translation() -> None:
    root = ET.parse(TS).getroot()
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
    _tool_or_skip(compile_ts, TS, fresh)
    assert fresh.read_bytes() == (I18N / "sep_port_doctor_ja.qm").read_bytes(), REFRESH
