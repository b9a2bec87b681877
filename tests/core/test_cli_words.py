"""The command line speaks --lang (else the system's language) in its help and its errors,
argparse's own words included: usage, "error:", "the following arguments are required"."""

from __future__ import annotations

import pytest

from tests.helpers.command import run

COMMANDS = ("ports", "check", "simulate", "push", "merge", "gui")
JAPANESE = {"LANG": "ja_JP.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}
ENGLISH = {"LANG": "en_US.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "LANGUAGE": ""}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_in_japanese_for_every_command(command: str) -> None:
    for how in (["--lang", "ja"], ["--lang=ja"]):
        result = run(command, "--help", *how, env=ENGLISH)
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert out.startswith("使い方: sep-port-doctor " + command), out[:80]
        assert "オプション:" in out and "このヘルプを表示して終了します" in out
        assert "usage:" not in out and "show this help message" not in out
    # The system's language when --lang does not say.
    assert run(command, "--help", env=JAPANESE).stdout.startswith("使い方: ")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_in_english_for_every_command(command: str) -> None:
    out = run(command, "--help", "--lang", "en", env=JAPANESE).stdout
    assert out.startswith("usage: sep-port-doctor " + command), out[:80]
    assert "options:" in out and "show this help message and exit" in out
    assert "使い方" not in out


def test_the_commands_help_says_what_each_option_is_for_in_the_language() -> None:
    ja = run("check", "--help", "--lang", "ja").stdout
    assert "管理サーバーのホスト名または IP アドレス" in ja and "1 回の試行で待つ最長時間(0.1-60 秒)" in ja
    en = run("check", "--help", "--lang", "en").stdout
    assert "the manager's host name or IP address" in en and "longest wait per attempt, 0.1-60 s" in en
    top = run("--help", "--lang", "ja").stdout
    assert "Symantec Endpoint Protection の通信ポートを診断します。" in top and "位置引数" in top


@pytest.mark.parametrize(
    ("args", "ja", "en"),
    [
        (
            ["check"],
            "sep-port-doctor: エラー: 次の引数が必要です: --manager, --version",
            "sep-port-doctor: error: the following arguments are required: --manager, --version",
        ),
        (
            ["check", "--manager", "m", "--version", "14.3", "--role", "desk"],
            "引数 --role: 選択肢にありません: 'desk'(選べるのは 'client', 'console', 'manager')",
            "argument --role: invalid choice: 'desk' (choose from 'client', 'console', 'manager')",
        ),
        (["ports", "--bogus"], "認識できない引数です: --bogus", "unrecognized arguments: --bogus"),
        (
            ["push", "--timeout", "abc"],
            "引数 --timeout: --timeout には秒数を指定してください(例: 2、0.5)。'abc' は使えません",
            "argument --timeout: --timeout takes seconds, like 2 or 0.5, not 'abc'",
        ),
        (
            ["ports", "--version", "13"],
            "引数 --version: SEP のバージョンとして認識できません",
            "argument --version: not a SEP version",
        ),
        (
            ["check", "--manager", "a b", "--version", "14.3"],
            "--manager: ホストに空白は使えません",
            "--manager: a host cannot contain spaces",
        ),
        (
            ["check", "--manager", "sepm:8014", "--version", "14.3"],
            "変更されたポートは --port 既定=実際 で指定します",  # the command line names its option
            "to check a moved port use --port DEFAULT=ACTUAL",
        ),
        (
            ["simulate", "--bind", "localhost"],
            "--bind には IP アドレスを指定してください",
            "--bind takes an IP address",
        ),
        (["merge", "x.json"], "書き出す先を指定してください", "say where the site goes"),
        (["gui", "--report", "r.html"], "--report は --run の結果を書きます", "--report writes the report of --run"),
    ],
)
def test_errors_in_the_language_asked_or_the_systems(args: list[str], ja: str, en: str) -> None:
    for env, how, expected, other in (
        (ENGLISH, ["--lang", "ja"], ja, en),
        (JAPANESE, [], ja, en),
        (JAPANESE, ["--lang", "en"], en, ja),
        (ENGLISH, [], en, ja),
    ):
        result = run(*args, *how, env=env)
        assert result.returncode == 2, (args, how, result.stdout, result.stderr)
        line = result.stderr.strip()
        assert expected in line and other not in line, (args, how, line)
        assert line.startswith("sep-port-doctor: エラー: " if expected == ja else "sep-port-doctor: error: "), line
        assert "\n" not in line  # one line, never a usage dump
