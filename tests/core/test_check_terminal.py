"""``check``'s terminal lines as a technician reads them, from the real command against the simulator.

The window and the report say a round trip one way (``CheckResult.round_trip``: none for this PC's
own socket, ``< 0.1 ms`` on loopback); the terminal printed ``0.0 ms`` for both. A check that sent
nothing is named by its catalogue port in the report; the terminal named the port another entry was
moved to (``TCP 39857  cloud-https-443``). And Japanese words are two columns wide on a terminal, so
columns padded by character count went ragged in ``--lang ja``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from sep_port_doctor.core.i18n import Lang, say
from tests.helpers.command import run
from tests.helpers.profile_runs import check_with_simulator

RESULT_LINE = re.compile(r"^[✓✗!i?-] (?:TCP|UDP) \d+")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.fixture(scope="module", params=["ja", "en"])
def healthy_run(request: pytest.FixtureRequest) -> tuple[Lang, str]:
    lang: Lang = request.param
    code, out, err = check_with_simulator("healthy", "--version", "14.3 RU6", "--role", "client", "--lang", lang)
    assert code == 0, out + err
    return lang, out


def test_round_trips_are_said_as_the_window_and_report_say_them(healthy_run: tuple[Lang, str]) -> None:
    lang, out = healthy_run
    lines = [line for line in out.splitlines() if RESULT_LINE.match(line)]
    this_pc = say("word.this_pc", lang)
    own = [line for line in lines if f"  {this_pc}  " in line]
    remote = [line for line in lines if "  127.0.0.1  " in line]
    assert own and remote, out  # the control: both kinds of line are there
    assert not [line for line in own if " ms " in line], out  # this PC's own socket: no network round trip
    assert all(re.search(r"(?:< 0\.1|\d+\.\d) ms  127\.0\.0\.1", line) for line in remote), out
    assert " 0.0 ms" not in out, out


def test_a_check_that_sent_nothing_is_named_by_its_catalogue_port(healthy_run: tuple[Lang, str]) -> None:
    _lang, out = healthy_run
    # The simulator moved 443 (the printed command's --port 443=N): the client's 443 line says so ...
    assert re.search(r"TCP \d+ \(=443\) ", out), out
    # ... and the cloud console's 443, which was never probed, is still TCP 443.
    assert re.search(r"^  TCP 443 +cloud-https-443: ", out, re.M), out
    assert re.search(r"^  TCP 443 +roaming-https-443: ", out, re.M), out


def test_columns_line_up_in_both_languages(healthy_run: tuple[Lang, str]) -> None:
    lang, out = healthy_run
    this_pc = say("word.this_pc", lang)
    starts = set()
    for line in out.splitlines():
        if RESULT_LINE.match(line):
            where = min(i for i in (line.find(f"  {this_pc}  "), line.find("  127.0.0.1  ")) if i >= 0)
            starts.add(_width(line[:where]))
    # Every result line's target column begins at one display column (a CJK character takes two).
    assert len(starts) == 1, out


def test_push_columns_line_up_in_japanese() -> None:
    done = run("push", "127.0.0.2", "nosuchhost.invalid", "--lang", "ja")
    assert done.returncode == 1, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("✗ ") and " · TCP 139 " in line]
    assert len(rows) == 2, done.stdout  # 名前解決不可 and 準備未完了: words of different widths
    assert len({_width(line[: line.index(" TCP 445 ")]) for line in rows}) == 1, done.stdout


# Two decimals, or under the smallest of them (a loopback sweep may take less than 5 ms).
SECONDS = {"ja": r"(?:< 0\.01|\d+\.\d\d) 秒", "en": r"(?:< 0\.01|\d+\.\d\d) s"}


def test_durations_are_said_in_the_runs_language(healthy_run: tuple[Lang, str]) -> None:
    """check said "(0.19 s)" in Japanese where push said "(0.0 秒)" and the window "3.8 秒".
    check's summary, push's and the report's header now say seconds one way, with two decimals
    as check has them."""
    lang, out = healthy_run
    assert re.search(rf"\({SECONDS[lang]}\)$", out.rstrip().splitlines()[-1]), out
    pushed = run("push", "127.0.0.2", "--lang", lang)
    assert re.search(rf"\({SECONDS[lang]}\)$", pushed.stdout.rstrip().splitlines()[-1]), pushed.stdout


def test_the_reports_duration_is_said_in_its_language(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    code, out, err = check_with_simulator(
        "healthy", "--version", "14.3 RU6", "--role", "client", "--lang", "ja", "--report", str(report)
    )
    assert code == 0, out + err
    assert re.search(rf"UTC <span class=\"muted\">\({SECONDS['ja']}\)</span>", report.read_text("utf-8")), "no 秒"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_path_names_an_address_once(tmp_path: Path, lang: Lang) -> None:
    """``Path: extra host [::1] (::1)`` said the host twice: a host typed as an address is that address.
    A name still gets the address it was resolved to, in the terminal and in the report."""
    from tests.core.test_advice_fits_the_host import _closed_port

    port = _closed_port()
    report = tmp_path / "r.html"
    done = run(
        "check", "--manager", "127.0.0.1", "--version", "14.3 RU6", "--lang", lang, "--timeout", "0.5",
        "--port", f"8014={port}", "--port", f"443={port}", "--extra", f"[::1]:{port}", "--extra", f"localhost:{port}",
        "--report", str(report),
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    heading, extra = say("path.heading", lang), say("path.target-extra", lang)
    paths = [line for line in done.stdout.splitlines() if line.startswith(f"{heading}: ")]
    assert f"{heading}: {extra} [::1]" in paths, paths
    assert f"{heading}: {extra} localhost (127.0.0.1)" in paths, paths
    assert not any("(::1)" in line or "127.0.0.1 (127.0.0.1)" in line for line in paths), paths
    html = report.read_text(encoding="utf-8")
    assert f"{extra} [::1]<" in html and "[::1] (::1)" not in html
    assert f"{extra} localhost (127.0.0.1)<" in html
