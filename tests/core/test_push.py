"""`push` without a network: targets as typed and read from files, the plan's ids, the
verdict rules, and the SMB2 negotiate against real loopback servers that are not SMB."""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sep_port_doctor.core import cli
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.checks.smb_negotiate import smb_negotiate
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Lang, Message, seconds_text
from sep_port_doctor.core.push import (
    MAX_ADDRESSES,
    PushSweep,
    TargetVerdict,
    build_push_plan,
    parse_targets,
    read_targets_file,
)
from sep_port_doctor.core.results import Severity
from sep_port_doctor.core.smb import negotiate_request, parse_negotiate_response
from tests.helpers import command
from tests.helpers.command import ENV, ROOT
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.words import english

_BAD = tomllib.loads((Path(__file__).resolve().parents[1] / "fixtures" / "push_bad_inputs.toml").read_text("utf-8"))


def _file_bytes(text: str) -> bytes:
    return bytes.fromhex(text[4:]) if text.startswith("hex:") else text.encode("utf-8")


@pytest.mark.parametrize("item", _BAD["bad"], ids=[str(i.get("args", i.get("file")))[:30] for i in _BAD["bad"]])
def test_bad_targets_exit_2_with_one_line_and_nothing_sent(
    item: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def must_not_run(self: object) -> None:
        raise AssertionError("the sweep started: something would have been sent")

    monkeypatch.setattr("sep_port_doctor.core.push.PushRun.run", must_not_run)
    args = ["push", "--lang", "en", *(item.get("args") or [])]  # type: ignore[misc]
    if "file" in item:
        targets = tmp_path / "targets.txt"
        targets.write_bytes(_file_bytes(str(item["file"])))
        args += ["--targets", str(targets)]
    code = cli.main(args)
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert str(item["words"]) in lines[0]
    assert captured.out == ""


def test_a_block_gives_its_hosts_and_duplicates_are_checked_once() -> None:
    targets = parse_targets([("", "192.168.10.0/24"), ("", "192.168.10.7"), ("", "PC01"), ("", "pc01 # again")])
    names = [h.name for h in targets.hosts]
    assert len(names) == 255 and names[0] == "192.168.10.1" and names[253] == "192.168.10.254"
    assert names[-1] == "pc01" and "192.168.10.0" not in names and "192.168.10.255" not in names
    assert [n.message("en") for n in targets.notices] == ["2 duplicate target(s) checked once (192.168.10.7, pc01)"]
    assert len(parse_targets([("", "10.1.0.0/22")]).hosts) == 1022 <= MAX_ADDRESSES
    assert [h.name for h in parse_targets([("", "10.1.0.8/31"), ("", "10.1.0.20/32")]).hosts] == [
        "10.1.0.8",
        "10.1.0.9",
        "10.1.0.20",
    ]


def test_target_files_as_windows_writes_them(tmp_path: Path) -> None:
    """UTF-8 with a BOM (Notepad), UTF-16 with a BOM (PowerShell 5.1's `>`), CRLF, comments."""
    content = "# floor 3\r\npc01\r\n\r\n10.0.0.5   # printer room\r\n２号機.corp\r\n"
    for encoded in (codecs.BOM_UTF8 + content.encode(), codecs.BOM_UTF16_LE + content.encode("utf-16-le")):
        path = tmp_path / "targets.txt"
        path.write_bytes(encoded)
        read = read_targets_file(path)
        assert read.notices == ()  # UTF-8 and UTF-16 are read without a word
        targets = parse_targets(read.lines)
        assert [h.typed for h in targets.hosts] == ["pc01", "10.0.0.5", "2号機.corp"]


CP932_TARGETS = "# 営業部 3 階(メモ帳の ANSI で保存)\r\n127.0.0.2\t# 受付の PC\r\n\r\n"
CP932_NOTICE = {
    "ja": "CP932(日本語版 Windows の ANSI)として読みました",
    "en": "is not UTF-8: read as CP932 (the ANSI encoding of Japanese Windows)",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_cp932_targets_file_is_read_and_said_so(tmp_path: Path, lang: str) -> None:
    """Notepad's "ANSI" on Japanese Windows is CP932: such a file with Japanese comments was refused as
    not UTF-8. push reads it, says in a note that it read CP932, and sweeps its targets (loopback)."""
    path = tmp_path / "対象.txt"
    path.write_bytes(CP932_TARGETS.encode("cp932"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    done = command.run("push", "--lang", lang, "--targets", str(path))
    assert done.returncode != 2, done.stderr
    notes = [line for line in done.stdout.splitlines() if CP932_NOTICE[lang] in line]
    assert len(notes) == 1 and str(path) in notes[0], done.stdout
    assert "127.0.0.2" in done.stdout and "営業部" not in done.stdout  # the comment is a comment


def test_every_check_id_is_unique_per_host_and_port() -> None:
    targets = parse_targets([("", "10.9.0.0/22")])
    checks = build_push_plan(load_catalog(), targets.hosts, mac=True)
    assert len(checks) == 4 * 1022
    assert len({c.id for c in checks}) == len(checks)
    assert len({(c.host.name if c.host else "", c.protocol, c.port) for c in checks}) == len(checks)


def test_the_negotiate_request_is_an_smb2_negotiate_with_every_dialect() -> None:
    request = negotiate_request()
    length = int.from_bytes(request[:4], "big")
    assert length == len(request) - 4
    message = request[4:]
    assert message[:4] == b"\xfeSMB" and int.from_bytes(message[12:14], "little") == 0  # NEGOTIATE
    body = message[64:]
    count = int.from_bytes(body[2:4], "little")
    dialects = [int.from_bytes(body[36 + 2 * i : 38 + 2 * i], "little") for i in range(count)]
    assert dialects == [0x0202, 0x0210, 0x0300, 0x0302, 0x0311]
    with pytest.raises(ValueError):
        parse_negotiate_response(message)  # a request is not a response


async def _serving(handler: object) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (b"SSH-2.0-OpenSSH_9.2\r\n", "something else answers on"),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "'HTTP/1.1 400 Bad Request"),
        (b"\x00\x00\x00\x08\xffSMBr\x00\x00\x00", "SMB1-only"),
        (b"\x00\x00\x00\x10\xfeSMB" + b"\x00" * 12, "not as expected"),
        (b"", "closed it without an SMB answer"),
        # Text in UTF-8 (a NAS's or an appliance's banner) is shown as written, not as Latin-1
        # ('\u65e5\u672c' read 'æ.¥æ.¬'), also where the first 48 bytes end inside a character.
        ("日本語のバナー\r\n".encode(), "'日本語のバナー'"),
        (("a" + "ログインしてください。" * 3).encode(), "'aログインしてください。ログイン'"),
    ],
)
def test_what_answers_on_445_when_it_is_not_smb2(answer: bytes, words: str) -> None:
    async def scenario() -> None:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(4096)
            writer.write(answer)
            await writer.drain()
            writer.close()

        server, port = await _serving(handler)
        async with server:
            result = await smb_negotiate("127.0.0.1", port, 5.0)
        assert not result.ok and words in english(result.detail), english(result.detail)
        assert "\x1b" not in english(result.detail)

    asyncio.run(scenario())


def test_a_silent_listener_is_not_smb_within_the_deadline() -> None:
    async def scenario() -> None:
        held: list[asyncio.StreamWriter] = []

        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            held.append(writer)
            await reader.read(4096)

        server, port = await _serving(handler)
        async with server:
            result = await smb_negotiate("127.0.0.1", port, 0.3)
            for writer in held:
                writer.close()
        assert not result.ok and "no SMB answer within 0.3 s" in english(result.detail)

    asyncio.run(scenario())


def test_the_negotiate_loads_smbprotocols_messages_and_no_authentication_library() -> None:
    """What the packaged program takes for push (README, "Size"): the smbprotocol modules the
    negotiate imports, 11 of them, and not pyspnego, smbprotocol's authentication dependency."""
    program = (
        "import json, sys\n"
        "from sep_port_doctor.core.smb import negotiate_request, parse_negotiate_response\n"
        "request = negotiate_request()\n"
        "try:\n"
        "    parse_negotiate_response(request[4:])\n"
        "except ValueError:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=ENV, cwd=ROOT,
                            timeout=HANG_GUARD_S, check=True)  # fmt: skip
    loaded = json.loads(result.stdout)
    assert [m for m in loaded if m.split(".")[0] == "spnego" or m == "smbprotocol.session"] == []
    assert len([m for m in loaded if m.split(".")[0] == "smbprotocol"]) == 11


@pytest.mark.parametrize(
    ("verdicts", "code"),
    [
        ([("ready", Severity.PASSED), ("ready", Severity.PASSED)], 0),
        ([("ready", Severity.PASSED), ("not_ready", Severity.PROBLEM)], 1),
        ([("ready", Severity.PASSED), ("unreachable", Severity.PROBLEM)], 1),
        ([("unresolved", Severity.PROBLEM), ("error", Severity.WARNING)], 1),
        ([("ready", Severity.PASSED), ("error", Severity.WARNING)], 3),
        ([("ready", Severity.PASSED), ("not_tested", Severity.NOT_TESTED)], 3),
    ],
)
def test_push_exit_codes(verdicts: list[tuple[str, Severity]], code: int) -> None:
    """README, "`push`": 0 every target ready, 1 any not ready, unreachable or unresolved, 3 none
    wrong but one could not be checked (2, bad input, is the corpus's above)."""
    targets = [
        TargetVerdict(parse_host(f"pc{n}"), None, verdict, verdict, severity, Message("push-cause.error"), (), (), ())
        for n, (verdict, severity) in enumerate(verdicts)
    ]
    assert PushSweep(dt.datetime.now(dt.UTC), 0.0, targets).exit_code() == code


@pytest.mark.parametrize(
    ("milliseconds", "en", "ja"),
    [(3.2, "< 0.01 s", "< 0.01 秒"), (0.0, "< 0.01 s", "< 0.01 秒"), (4.9, "< 0.01 s", "< 0.01 秒"),
     (4.96, "0.01 s", "0.01 秒"), (5.0, "0.01 s", "0.01 秒"), (190.0, "0.19 s", "0.19 秒"), (12346.0, "12.35 s", "12.35 秒")],
)  # fmt: skip
def test_a_sweep_too_short_to_round_is_said_under_the_smallest_step(milliseconds: float, en: str, ja: str) -> None:
    """A loopback sweep of 3 ms printed '0.00 秒', as if nothing had run: the catalogue's seconds, one way."""
    assert (seconds_text(milliseconds, "en"), seconds_text(milliseconds, "ja")) == (en, ja)
    assert seconds_text(milliseconds, "en", digits=1) == (
        "< 0.1 s" if milliseconds < 50 else f"{milliseconds / 1000:.1f} s"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pushs_summary_says_its_duration_as_its_json_records_it(tmp_path: Path, lang: Lang) -> None:
    report = tmp_path / "push.html"
    done = command.run("push", "127.0.0.2", "--lang", lang, "--report", str(report))
    assert done.returncode == 1, done.stderr
    duration = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))["duration_ms"]
    summary = done.stdout.strip().splitlines()[-1]
    assert f"({seconds_text(duration, lang)})" in summary or f"({seconds_text(duration, lang)})" in done.stdout
    assert "0.00" not in summary
