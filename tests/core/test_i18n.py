"""The message catalogue: one file per language, every id in every language, the same placeholders."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sep_port_doctor.core.i18n import (
    CatalogError,
    Message,
    language_file,
    language_name,
    languages,
    placeholders,
    say,
    system_lang,
    validate_same_messages,
)

ROOT = Path(__file__).resolve().parents[2]
FILES = {"ja": "resources/i18n/ja/messages.toml", "en": "resources/i18n/en/messages.toml"}


def _messages(lang: str) -> dict[str, str]:
    doc = tomllib.loads(language_file(lang, "messages.toml")[1].decode())
    return {
        f"{group}.{code}": text for group, table in doc.items() if group != "language" for code, text in table.items()
    }


def test_every_message_id_is_in_every_language() -> None:
    shipped = {lang: _messages(lang) for lang in languages()}
    assert set(shipped) >= {"ja", "en"}
    every = set().union(*shipped.values())
    assert len(every) > 500
    for lang, texts in shipped.items():
        assert sorted(every - set(texts)) == [], lang
        for key, text in texts.items():
            assert text, (lang, key)  # (a separator may be a space)
            assert placeholders(FILES.get(lang, lang), key, text) == placeholders("en", key, shipped["en"][key]), key


def test_a_message_missing_in_one_language_is_refused_naming_file_and_id() -> None:
    messages = {"ja": {"cause.nxdomain": "その名前は存在しません"}, "en": {}}
    with pytest.raises(CatalogError) as info:
        validate_same_messages(messages, FILES)
    assert info.value.file == FILES["en"]
    assert info.value.where == "cause.nxdomain"
    assert "missing" in str(info.value) and FILES["ja"] in str(info.value)


def test_a_placeholder_that_differs_between_languages_is_refused() -> None:
    messages = {"ja": {"push.more": "ほか {count} 台"}, "en": {"push.more": "and {number} more"}}
    with pytest.raises(CatalogError) as info:
        validate_same_messages(messages, FILES)
    assert info.value.file == FILES["en"] and info.value.where == "push.more"
    assert "{number}" in str(info.value) and "{count}" in str(info.value)


@pytest.mark.parametrize("text", ["{} more", "{0} more", "{count.real} more", "{count more"])
def test_placeholders_are_names(text: str) -> None:
    with pytest.raises(CatalogError, match=r"push\.more"):
        placeholders(FILES["en"], "push.more", text)


def test_say_fills_values_and_says_a_message_value_in_the_same_language() -> None:
    assert say("push.more", "en", count=3) == "and 3 more"
    assert say("push.more", "ja", count=3) == "ほか 3 台"
    inner = Message("version.newer", latest="14.3 RU10")
    assert (
        Message("site.cause_line", count=2, title=inner).say("ja")
        == "2 台: このプログラムが知る最新の 14.3 RU10 より新しいリリース"
    )
    assert (
        Message("site.cause_line", count=2, title=inner).say("en")
        == "2 PCs: newer than 14.3 RU10, the latest this program knows"
    )
    assert Message("push.more", count=1) == Message("push.more", count=1) != Message("push.more", count=2)


def test_each_language_is_named_in_itself() -> None:
    assert languages()[:2] == ("ja", "en")
    assert language_name("ja") == "日本語" and language_name("en") == "English"


@pytest.mark.parametrize(
    ("variable", "value", "lang"),
    [
        ("LANG", "ja_JP.UTF-8", "ja"),
        ("LANG", "en_US.UTF-8", "en"),
        ("LANG", "C.UTF-8", "en"),
        ("LANG", "de_DE.UTF-8", "en"),
        ("LANGUAGE", "ja:en", "ja"),
        ("LC_ALL", "Japanese_Japan.932", "ja"),
    ],
)
def test_system_language(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, lang: str) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    assert system_lang() == lang


def _copy_program(tmp_path: Path) -> Path:
    # The installed layout (sep_port_doctor.core, .gui, .resources), found first on PYTHONPATH.
    for folder in ("core", "gui", "resources"):
        shutil.copytree(
            ROOT / folder, tmp_path / "sep_port_doctor" / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path / "sep_port_doctor" / "resources" / "i18n"


def _run(tmp_path: Path, *args: str, system: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "LANG": system}
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "sep_port_doctor.gui", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _made_up_language(text: str) -> str:
    """English words marked so that any of them on screen shows where it came from."""
    lines = []
    for line in text.splitlines():
        key, sep, value = line.partition(" = ")
        if sep and value.startswith('"') and not key.startswith("#") and key not in ("name", "order"):
            value = '"XX ' + value[1:]
        lines.append(key + sep + value)
    return "\n".join(lines) + "\n"


def test_a_third_language_is_one_new_file_per_catalogue(tmp_path: Path) -> None:
    """A made-up language from copies of the English files, in a copy of the program: the command
    line offers it and speaks it, words of the port catalogue and of core alike; no Python changed."""
    i18n = _copy_program(tmp_path)
    (i18n / "xx").mkdir()
    for name in ("messages.toml", "ports.toml", "guidance.toml"):
        english = (i18n / "en" / name).read_text(encoding="utf-8")
        made_up = _made_up_language(english)
        if name == "messages.toml":
            made_up = made_up.replace('name = "English"', 'name = "Xish"').replace("order = 2", "order = 3")
        (i18n / "xx" / name).write_text(made_up, encoding="utf-8")

    result = _run(tmp_path, "ports", "--lang", "xx", "--search", "8014")
    assert result.returncode == 0, result.stderr
    assert "XX Communication between" in result.stdout  # the port's purpose, from xx/ports.toml
    assert "XX Client → manager" in result.stdout  # a label, from xx/messages.toml

    result = _run(tmp_path, "ports", "--version", "13", system="xx_XX.UTF-8")
    assert result.returncode == 2
    assert "XX not a SEP version" in result.stderr  # an error in the system's language, from xx/messages.toml
    result = _run(tmp_path, "check", "--lang", "xx")
    assert result.stderr.startswith("XX sep-port-doctor: error: XX the following arguments are required")
    assert _run(tmp_path, "ports", "--help", "--lang", "xx").stdout.startswith("XX usage: ")  # argparse's words too

    # And a message missing in the new language stops the program, naming the file and the id.
    messages = i18n / "xx" / "messages.toml"
    messages.write_text(messages.read_text(encoding="utf-8").replace("nxdomain = ", "nxdomian = ", 1), encoding="utf-8")
    result = _run(tmp_path, "ports")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "resources/i18n/xx/messages.toml" in result.stderr and "cause.nxdomain: missing" in result.stderr


# Hiragana, katakana, CJK punctuation, ideographs (and their compatibility block), full-width forms.
CJK = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_no_cjk_character_in_the_python_of_core_and_gui() -> None:
    """Every word a user reads is in resources/ (core: the message catalogue; the window: Qt
    Linguist): not one Japanese character in the code, comments included."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("core", "gui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CJK.search(line)
    ]
    assert len(list((ROOT / "core").rglob("*.py"))) > 30
    assert found == []


def test_the_cjk_check_sees_japanese() -> None:
    assert CJK.search("ポート") and CJK.search("用途") and CJK.search("\uff12") and CJK.search("\u3001")
    assert not CJK.search("port — purpose … ✓")


# A message id written out in the code, with the group its helper adds (path_words("dns-failed") is path.dns-failed).
SAID = {
    re.compile(r"""(?<![\w.])(?:say|Message)\(\s*["']([^"'{}]+)["']\s*[,)]"""): "",
    re.compile(r"""(?<![\w.])path_words\(\s*["']([^"'{}]+)["']\s*[,)]"""): "path.",
    re.compile(r"""(?<![\w.])words\(\s*["']([^"'{}]+)["']\s*[,)]"""): None,  # local. or check., by module
}


def test_every_message_id_the_code_names_exists() -> None:
    """A literal id in say(), Message() and the groups' helpers is in the catalogue (a typo would
    raise only when that sentence is said)."""
    from sep_port_doctor.core.i18n import known

    named = 0
    for path in [*sorted((ROOT / "core").rglob("*.py")), *sorted((ROOT / "gui").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        for pattern, prefix in SAID.items():
            for found in pattern.finditer(text):
                group = prefix
                if group is None:
                    group = "check." if "checks" in path.parts else "local." if "localpc" in path.parts else None
                if group is None:
                    continue
                named += 1
                assert known(group + found.group(1)), f"{path.relative_to(ROOT)}: {group}{found.group(1)}"
    assert named > 150


# What the window and the reports say: the words of the ports and the guidance, and these groups.
SHOWN_GROUPS = (
    "apptest", "cause", "check", "configurable", "direction", "error", "evidence", "explain", "feature", "listener",
    "local", "path", "push", "push-cause", "push-group", "reason", "report", "role", "severity", "site",
    "state", "version", "word",
)  # fmt: skip
OPTION = re.compile(r"(?<![\w-])--[a-z]")


def test_no_command_line_option_in_the_window_or_the_reports() -> None:
    """'run with --role console' is for the terminal ([reason-cli], [error-cli]); the window and the
    reports say 'run this from an admin console PC'."""
    for lang in languages():
        texts = _messages(lang)
        shown = {key: text for key, text in texts.items() if key.split(".")[0] in SHOWN_GROUPS}
        assert len(shown) > 300
        # (error.extra-too-many refuses the command line's --extra, which the window does not have)
        named = [key for key, text in shown.items() if OPTION.search(text) and key != "error.extra-too-many"]
        assert named == [], lang
        for name in ("ports.toml", "guidance.toml"):
            words = language_file(lang, name)[1].decode()
            assert not [line for line in words.splitlines() if OPTION.search(line) and not line.startswith("#")]
    assert OPTION.search(say("reason-cli.not-for-client", "en"))  # the terminal's wording keeps it
    assert not OPTION.search(say("reason.not-for-client", "en"))
