"""Every message for the user exists in Japanese and English."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.hosts import HostError, parse_host
from sep_port_doctor.core.i18n import group_words, languages
from sep_port_doctor.core.plan import PlanError, parse_override
from sep_port_doctor.core.versions import VersionError, parse_version
from tests.helpers.command import run

ROOT = Path(__file__).resolve().parents[2]
RAISED = re.compile(
    r'(?:HostError|VersionError|PlanError|ReportError|FieldError|UserError|_refuse)\((?:[a-z]+, )?"([a-z0-9-]+)"'
)


def test_every_error_code_in_the_code_has_both_languages() -> None:
    errors = group_words("error", "en")
    codes = set()
    for path in [*ROOT.joinpath("core").glob("*.py"), *ROOT.joinpath("gui").glob("*.py")]:
        codes.update(RAISED.findall(path.read_text(encoding="utf-8")))
    codes.discard("")
    assert len(codes) > 30
    missing = sorted(code for code in codes if code not in errors)
    assert missing == []
    for lang in languages():  # (the loader refuses a language without one, or with other placeholders)
        assert set(group_words("error", lang)) == set(errors), lang


@pytest.mark.parametrize(
    ("call", "ja"),
    [
        (lambda: parse_host("a b"), "ホストに空白は使えません"),
        (lambda: parse_host("1.2.3.4.5"), "IPv4 アドレスとして正しくありません"),
        (lambda: parse_version("13.5"), "SEP 13.5 はありません"),
        (lambda: parse_version(""), "SEP のバージョンが空です"),
        (lambda: parse_override("1234=80", load_catalog()), "SEP のポートではありません"),
    ],
)
def test_messages_in_japanese(call: Callable[[], object], ja: str) -> None:
    with pytest.raises((HostError, VersionError, PlanError)) as info:
        call()
    assert ja in info.value.message("ja")
    assert not re.search(r"[ぁ-んァ-ン]", info.value.message("en"))


def test_command_line_errors_follow_the_system_language() -> None:
    result = run("check", "--manager", "a b", "--version", "14.3", env={"LANG": "ja_JP.UTF-8"})
    assert result.returncode == 2
    assert "ホストに空白は使えません" in result.stderr
    result = run("ports", "--version", "13", env={"LANG": "ja_JP.UTF-8"})
    assert "SEP のバージョンとして認識できません" in result.stderr
