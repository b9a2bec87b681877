"""`sep-port-doctor ports`: the command-line view of the catalogue."""

from __future__ import annotations

import json

import pytest

from tests.helpers.command import run


def _json(*args: str) -> list[dict[str, object]]:
    result = run("ports", "--json", *args)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_json_has_every_entry_with_the_documented_fields() -> None:
    data = _json("--lang", "en")
    assert len(data) == 24
    for item in data:
        for key in (
            "id",
            "protocol",
            "port",
            "purpose",
            "processes",
            "initiator",
            "direction",
            "configurable",
            "versions",
        ):
            assert key in item, key
        assert item["protocol"] in ("tcp", "udp")
        assert isinstance(item["port"], int)
        assert isinstance(item["processes"], list)
        assert "applies" not in item


def test_8081_and_8082_apply_to_14_2_ru2_but_not_14_3_ru1() -> None:
    by_id = {i["id"]: i for i in _json("--version", "14.2 RU2")}
    assert by_id["cas-http-8081"]["applies"] is True
    assert by_id["cas-https-8082"]["applies"] is True
    by_id = {i["id"]: i for i in _json("--version", "14.3 RU1")}
    assert by_id["cas-http-8081"]["applies"] is False
    assert by_id["cas-https-8082"]["applies"] is False
    assert by_id["cas-http-8081"]["reason"]


def test_processes_follow_the_version() -> None:
    by_id = {i["id"]: i for i in _json("--version", "14.3 MP1")}
    assert by_id["db-tcp-2638"]["processes"] == ["dbsrv16.exe"]
    by_id = {i["id"]: i for i in _json("--version", "14.3.3580.1100")}
    assert by_id["db-tcp-2638"]["processes"] == ["sqlserver.exe"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("445 windows", {"push-tcp-445"}),
        ("プッシュ", {"push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138", "mac-push-tcp-22"}),
        ("ccsvchst", {"gup-tcp-2967", "ntr-tcp-2968"}),
        ("8014", {"client-http-8014"}),
        ("windows 445", {"push-tcp-445"}),
        ("ＴＣＰ　８０１４", {"client-http-8014"}),
        ("syslog", {"syslog-udp-514"}),
        ("no-such-thing-here", set()),
    ],
)
def test_search_every_term_any_order_both_languages(query: str, expected: set[str]) -> None:
    assert {i["id"] for i in _json("--search", query)} == expected


PUSH_WINDOWS = {"push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A number is a port as technicians type it from its first digit: 445 is not 8445.
        ("445", {"push-tcp-445"}),
        ("firewall 445", {"push-tcp-445"}),
        ("ポート 445", {"push-tcp-445"}),
        ("80", {"client-http-8014", "cas-http-8081", "cas-https-8082"}),
        # 14 is a number in the version words (14.x, 14.2 以降) or a port's first digits, never inside 8014 or 514.
        ("14 cas", {"cas-http-8081", "cas-https-8082"}),
        ("8014 14", set()),
        # The protocol is the entry's own: UDP 137's note on TCP ephemeral ports does not make it TCP 137.
        ("tcp 137", set()),
        ("udp 137", {"push-udp-137"}),
        ("tcp push", {"push-tcp-139", "push-tcp-445", "mac-push-tcp-22"}),
        # As Japanese documents and firewall rules write a port.
        ("TCP445", {"push-tcp-445"}),
        ("ＴＣＰ４４５", {"push-tcp-445"}),
        ("UDP137", {"push-udp-137"}),
        ("445/tcp", {"push-tcp-445"}),
        ("tcp/8014", {"client-http-8014"}),
        ("udp:514", {"syslog-udp-514"}),
        # Hiragana typed before the input method converts it, and half-width katakana.
        ("ぷっしゅ", PUSH_WINDOWS | {"mac-push-tcp-22"}),
        ("ふぁいあうぉーる ぷっしゅ", PUSH_WINDOWS),
        ("ﾌｧｲｱｳｫｰﾙ ﾌﾟｯｼｭ", PUSH_WINDOWS),
        ("くらうど", {"cloud-https-443", "roaming-https-443"}),
    ],
)
def test_search_as_a_technician_types_it(query: str, expected: set[str]) -> None:
    """Found with `ports --search` as a Japanese technician types: 445 listed 8445 too, TCP 137
    listed UDP 137, TCP445 and 445/tcp found nothing, and hiragana found nothing."""
    assert {i["id"] for i in _json("--search", query)} == expected


@pytest.mark.parametrize(
    "typed",
    [
        "SEP 14.3 RU1",
        "sep 14.3 RU1",
        "SEPM 14.3 RU1",
        "Symantec Endpoint Protection Manager 14.3 RU1",
        "ＳＥＰ　１４．３　ＲＵ１",
    ],
)
def test_a_version_with_the_products_name_is_read(typed: str) -> None:
    """The reference's own heading, the report and the wizard say "SEP 14.3 RU1"; pasted back
    (or the console's "Symantec Endpoint Protection Manager 14.3 RU1"), it was refused."""
    result = run("ports", "--lang", "en", "--version", typed, "--search", "2638")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("SEP 14.3 RU1"), result.stdout
    check = run("check", "--manager", "bad..name", "--version", typed, "--lang", "en")
    assert check.returncode == 2 and "version" not in check.stderr.lower(), (
        check.stderr
    )  # the host is refused, not the version


def test_japanese_table_by_default_for_japanese_locale() -> None:
    result = run("ports", "--search", "8014", env={"LANG": "ja_JP.UTF-8", "LC_ALL": ""})
    assert result.returncode == 0
    assert "クライアント → 管理サーバー" in result.stdout
    assert "TCP 8014" in result.stdout


def test_english_table() -> None:
    result = run("ports", "--lang", "en", "--version", "14.3", "--search", "8444")
    assert result.returncode == 0
    assert "does not apply" in result.stdout
    assert "SEP 14.3" in result.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["ports", "--version", "13"], "not a SEP version"),
        (["ports", "--lang", "fr"], "--lang takes ja or en"),
        (["ports", "--bogus"], "unrecognized arguments"),
        (["nonsense"], "invalid choice"),
        (["ports", "--version"], "expected one argument"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def _in_a_terminal(columns: int, *args: str) -> str:
    """``sep-port-doctor ARGS`` with its output on a terminal ``columns`` wide (a pty), as a
    technician's console shows it."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    from tests.helpers.command import ENV, command

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {key: value for key, value in ENV.items() if key not in ("COLUMNS", "LINES")}
    with subprocess.Popen([*command(), *args], stdout=follower, stderr=follower, env=env) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed: the process has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def _at_column(line: str, column: int) -> tuple[str, str]:
    """``line`` split at a terminal column (a wide character takes two)."""
    from sep_port_doctor.core.console import display_width

    for index in range(len(line) + 1):
        if display_width(line[:index]) >= column:
            return line[:index], line[index:]
    return line, ""


def _purposes_shown(shown: str, lang: str) -> tuple[str, list[str]]:
    """The layout (``table`` or ``blocks``) and each port's purpose as the terminal shows it, its
    lines joined. In the table, the purpose column starts where its heading does on every line."""
    from sep_port_doctor.core.console import display_width
    from sep_port_doctor.core.i18n import say

    label = say("ports.head-purpose", lang)
    lines = [line for line in shown.rstrip("\n").splitlines() if not line.startswith("SEP ")]
    purposes: list[str] = []
    if lines[0].endswith(label):  # a table
        column = display_width(lines[0]) - display_width(label)
        for line in lines[1:]:
            if line.startswith("*"):  # the version notes below the table
                break
            before, purpose = _at_column(line, column)
            # Aligned: the purpose starts at its column (a line that ends before it holds only a process).
            assert (before.endswith("  ") and display_width(before) == column) or not purpose, line
            if not line.startswith(" "):
                purposes.append("")
            purposes[-1] += purpose
        return "table", purposes
    key = f"  {label}: "
    inside = False
    for line in lines:
        if line.startswith(key) or line == key.rstrip():  # its words beside the label, or below it
            purposes.append(line[len(key) :])
            inside = True
        elif inside and line.startswith("    "):  # deeper than the labels
            purposes[-1] += line.strip()
        else:
            inside = False
    return "blocks", purposes


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="a pseudo-terminal is POSIX's")
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("columns", [24, 60, 80, 100, 120, 200])
@pytest.mark.parametrize("version", [["--version", "14.3 RU1"], []], ids=["14.3 RU1", "any version"])
def test_the_table_fits_the_technicians_terminal_and_says_every_word(
    lang: str, columns: int, version: list[str]
) -> None:
    """Under about 100 columns `ports` cut the Japanese purposes at the terminal's edge ("Symantec …").
    On a terminal every line fits its width and nothing is cut: a purpose wraps within its column
    (by display width, a Japanese character two columns), the columns stay aligned, and where the
    other columns leave the purpose too little room each port is a block of labelled lines. A long
    version note stands below the table, marked in its row (in a block it is whole). Redirected, the
    table is one line per port with its purposes whole."""
    from sep_port_doctor.core.catalog import load_catalog
    from sep_port_doctor.core.console import display_width

    catalog = load_catalog()
    shown = _in_a_terminal(columns, "ports", "--lang", lang, *version)
    lines = shown.rstrip("\n").splitlines()
    assert all(display_width(line) <= columns for line in lines), [
        line for line in lines if display_width(line) > columns
    ]
    assert "…" not in shown
    layout, purposes = _purposes_shown(shown, lang)
    assert layout == ("table" if columns >= 120 else "blocks"), shown[:400]
    expected = [entry.purpose.say(lang) for entry in catalog.entries]
    # Every word, in order (a line break stands where a space or nothing was).
    assert [p.replace(" ", "") for p in purposes] == [e.replace(" ", "") for e in expected]
    if lang == "en":  # English breaks only at spaces: every word of every cell whole on its line
        piped = run("ports", "--lang", lang, *version).stdout.splitlines()[2 if version else 1 :]
        words = {word for line in piped for word in line.split() if not word.startswith("*")}
        on_screen = {word for line in lines for word in line.split()}
        on_screen |= {word.rstrip(":") for word in on_screen}  # a block's labels: "DIRECTION:"
        assert words <= on_screen, words - on_screen
    cas = catalog.entry("cas-http-8081").versions_text.say(lang)
    [row] = [line for line in lines if line.startswith("TCP 8081")]
    if layout == "table":
        [mark] = [word for word in row.split() if word.startswith("*")]
        assert any(line.startswith(f"{mark} ") for line in lines)
        notes = " ".join(line for line in lines[lines.index(row) :] if line.startswith((mark, "   ")))
        assert cas.replace(" ", "") in notes.replace(" ", "").replace(mark, "")
    else:
        block = shown[shown.index("TCP 8081") :].split("\n\n")[0]
        assert cas.replace(" ", "") in block.replace(" ", "").replace("\n", "")


def test_a_redirected_table_keeps_each_port_on_one_line_with_its_purpose_whole() -> None:
    from sep_port_doctor.core.catalog import load_catalog

    catalog = load_catalog()
    for lang in ("ja", "en"):
        piped = run("ports", "--lang", lang, "--version", "14.3 RU1")
        cas = catalog.entry("cas-http-8081").versions_text.say(lang)
        lines = piped.stdout.splitlines()
        for entry in catalog.entries:
            assert [line for line in lines if line.startswith(entry.label) and line.endswith(entry.purpose.say(lang))]
        [row] = [line for line in lines if line.startswith("TCP 8081")]
        [mark] = [word for word in row.split() if word.startswith("*")]
        assert f"{mark} {cas}" in lines


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        # Japanese breaks between characters, by display width (two columns each)...
        ("ネットワークトラフィックリダイレクト", 12, ["ネットワーク", "トラフィック", "リダイレクト"]),
        # ...never before a closing mark or a small kana, never after an opening bracket.
        ("「管理サーバー」へ、接続します。", 10, ["「管理サー", "バー」へ、", "接続しま", "す。"]),
        ("グループ更新プロバイダ(GUP)Web キャッシュ", 24, ["グループ更新プロバイダ", "(GUP)Web キャッシュ"]),
        # English at spaces; a word longer than the line is split, never dropped.
        ("Push deployment from Symantec", 16, ["Push deployment", "from Symantec"]),
        ("C:\\Program_Files_(x86)\\Symantec", 12, ["C:\\Program_F", "iles_(x86)\\S", "ymantec"]),
        ("", 10, [""]),
    ],
)
def test_text_wraps_by_display_width_and_keeps_every_character(text: str, width: int, expected: list[str]) -> None:
    from sep_port_doctor.core.console import display_width, wrap_width

    lines = wrap_width(text, width)
    assert lines == expected
    assert all(display_width(line) <= width for line in lines)
