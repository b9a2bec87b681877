"""Each simulator profile prints the one command that shows its fault, and only it.

Real processes as a user runs them: ``simulate`` serves on free ports and prints a
``try:`` line; that line is run by the platform's shell exactly as printed (with
``--json`` added to read the verdicts), and its verdicts must show the profile's fault
and nothing else. ``healthy`` must exit 0 with the command exactly as printed.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.invocation import DEV_SCRIPT_ENV, command_line, program_argv, quote
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager, announcement
from sep_port_doctor.core.simulator_profiles import load_simulation
from tests.helpers.command import ENV, ROOT, command, spawned
from tests.helpers.hang import HANG_GUARD_S

PROFILES = load_simulation().profiles

CATALOG = load_catalog()

# What each profile must show: entry id -> (severity, state). Everything else that ran passes,
# except ntr-tcp-2968, which is this PC's own (Network Traffic Redirection is a SEP client
# feature the simulator does not stand in for): information when nothing listens there.
FAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "healthy": {},
    "secars-wrong": {"client-http-8014": ("problem", "open"), "client-https-443": ("problem", "open")},
    "secars-error": {"client-http-8014": ("problem", "open"), "client-https-443": ("problem", "open")},
    "cert-expired": {"client-https-443": ("problem", "open")},
    "cert-expiring": {"client-https-443": ("warning", "open")},
    "cert-wrong-name": {"client-https-443": ("warning", "open")},
    # 443 answers, and a client uses one of the two (this PC's SyLink is not read here): a warning.
    "http-down": {"client-http-8014": ("warning", "closed")},
    "stalled": {"client-http-8014": ("problem", "open")},
    "dropped": {"server-https-8443": ("problem", "filtered"), "webconsole-tcp-9090": ("problem", "filtered")},
    "version-mismatch": {"webservice-tcp-8446": ("warning", "open")},
    "push-blocked": {"push-tcp-139": ("problem", "filtered"), "push-tcp-445": ("problem", "filtered")},
}
# What the fault's headline says, so that the right fault is shown, not just some problem.
HEADLINES = {
    "secars-wrong": "It works!",
    "secars-error": "500",
    "cert-expired": "expired",
    "cert-expiring": "expires soon",
    "cert-wrong-name": "not for 127.0.0.1",
    "stalled": "no complete answer",
    "version-mismatch": "14.2 RU2",
}
# Both ways of dropping (a full accept queue) are Linux behaviour: Windows answers a full
# queue with a reset, so there the same profiles show "closed".
DROPS = {"dropped", "push-blocked"}


def _shell(line: str) -> list[str]:
    """The platform's shell running one line as a user pastes it."""
    if os.name == "nt":
        return [os.environ.get("COMSPEC", "cmd.exe"), "/d", "/c", line]
    return ["/bin/sh", "-c", line]


class SimulateEnded(Exception):
    """``simulate`` ended before printing its ``try:`` line; the message is its stderr."""


async def _run_printed(
    printed: str, extra: str = "", cwd: Path = ROOT, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    async with spawned(
        *_shell(printed + extra), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=cwd, env=env
    ) as check:
        out, err = await asyncio.wait_for(check.communicate(), HANG_GUARD_S)
    assert check.returncode is not None
    return check.returncode, out.decode(), err.decode()


async def _demonstrate(
    profile: str, starter: list[str], *, extra: str = "", lang: Lang = "en", env: dict[str, str] | None = None
) -> tuple[str, int, str, str]:
    """Start ``simulate --lang LANG``, run its printed ``try:`` line (plus ``extra``) in the same
    environment (``env``: the system's language); the line, exit code, out, err."""
    prefix = say("simulator.try", lang, command="")
    async with spawned(
        *starter, "simulate", "--free-ports", "--profile", profile, "--lang", lang,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT, env=env,
    ) as simulator:  # fmt: skip
        assert simulator.stdout is not None
        line = ""
        while not line.startswith(prefix):
            raw = await asyncio.wait_for(simulator.stdout.readline(), HANG_GUARD_S)
            if not raw:
                assert simulator.stderr is not None
                raise SimulateEnded((await simulator.stderr.read()).decode())
            line = raw.decode().rstrip("\n")
        printed = line.removeprefix(prefix)
        return (printed, *await _run_printed(printed, extra, env=env))


async def _demonstrate_in_process(profile: str) -> tuple[str, int, str, str]:
    """The same, with the simulator in this process (what ``simulate`` prints is ``announcement``)."""
    async with SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS}) as manager:
        lines = announcement(manager, CATALOG, "en", program=command())
        printed = next(line for line in lines if line.startswith("try: ")).removeprefix("try: ")
        return (printed, *await _run_printed(printed, " --json"))


def _verdicts(report: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    return {c["id"]: (c["severity"], c["state"], c["headline"]) for c in report["checks"]}


def _all_profiles() -> list[tuple[str, tuple[str, int, str, str]]]:
    async def scenario() -> list[tuple[str, tuple[str, int, str, str]]]:
        # Two at a time: each simulator listens on its own free ports.
        limit = asyncio.Semaphore(2)

        async def one(profile: str) -> tuple[str, tuple[str, int, str, str]]:
            async with limit:
                return profile, await _demonstrate_in_process(profile)

        return list(await asyncio.gather(*(one(p) for p in PROFILES)))

    return asyncio.run(scenario())


@pytest.fixture(scope="module")
def demonstrations() -> dict[str, tuple[str, int, str, str]]:
    return dict(_all_profiles())


def test_every_profile_has_expectations() -> None:
    assert set(FAULTS) == set(PROFILES)


@pytest.mark.parametrize("profile", list(FAULTS))
def test_printed_command_shows_the_fault_and_only_it(
    profile: str, demonstrations: dict[str, tuple[str, int, str, str]]
) -> None:
    if profile in DROPS and not sys.platform.startswith("linux"):
        pytest.skip("the simulator drops connections with a full accept queue, which only Linux drops silently")
    printed, code, out, err = demonstrations[profile]
    assert "Traceback" not in err
    verdicts = _verdicts(json.loads(out))
    expected = FAULTS[profile]
    shown = {i: (s, st) for i, (s, st, _h) in verdicts.items() if s in ("problem", "warning")}
    assert shown == expected, printed
    for entry, (severity, _state, _headline) in verdicts.items():
        if entry not in expected:
            allowed = {"passed", "not_tested"} | ({"info"} if entry == "ntr-tcp-2968" else set())
            assert severity in allowed, (entry, severity, printed)
    if profile in HEADLINES:
        for entry in expected:
            assert HEADLINES[profile] in verdicts[entry][2], verdicts[entry]
    assert code == (1 if any(s == "problem" for s, _ in expected.values()) else 0), (code, err)
    # The role the fault needs, the version the simulated manager runs, the moved ports it probes.
    role = PROFILES[profile].role
    assert f"--role {role}" in printed
    assert quote("14.3 RU6") in printed
    # Every check that ran went to the simulator (a moved port) or to this PC's stand-in sockets.
    ran = [c for c in json.loads(out)["checks"] if c["state"] not in ("not_applicable", "not_tested")]
    for check in ran:
        if check["id"] != "ntr-tcp-2968":
            assert check["port"] != check["default_port"], check["id"]


def test_healthy_exits_0_with_the_command_exactly_as_printed() -> None:
    printed, code, out, err = asyncio.run(_demonstrate("healthy", command()))
    assert code == 0, out + err
    assert re.search(r"^Problem 0, Warning 0, ", out, re.MULTILINE), out
    # The installed command, named so that the user's shell finds it: by name when the PATH
    # has it, else by its path.
    program = printed.split(" check ", 1)[0]
    assert program in (quote(command()[0]), Path(command()[0]).name) or program.endswith(" -m sep_port_doctor.gui"), (
        program
    )


@pytest.mark.parametrize(("lang", "system"), [("ja", "C.UTF-8"), ("en", "ja_JP.UTF-8")])
def test_the_printed_command_speaks_the_language_simulate_was_asked_for(lang: Lang, system: str) -> None:
    """A trainer's `simulate --lang ja` on an English system printed a check line without --lang:
    pasted, it told the fault in English (and `--lang en` on a Japanese system, in Japanese)."""
    env = {**ENV, "LANG": system, "LC_ALL": system, "LANGUAGE": ""}
    printed, code, out, err = asyncio.run(_demonstrate("http-down", command(), lang=lang, env=env))
    assert printed.endswith(f" --lang {lang}"), printed
    assert code == 0, out + err  # a warning: 443 answers
    assert say("state.closed", lang) in out, out
    other: Lang = "en" if lang == "ja" else "ja"
    assert say("state.closed", other) not in out


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_cert_expired_says_the_days_simulate_says(lang: Lang, tmp_path: Path) -> None:
    """simulate says the certificate "expired 10 days ago"; check said "(11 days ago)" in the terminal
    and the report: the days since expiry were the floor of a negative time (-10 days and seconds
    is -11 days)."""
    from tests.helpers.profile_runs import check_with_simulator

    code, out, err = check_with_simulator(
        "cert-expired",
        "--version",
        "14.3 RU6",
        "--role",
        "client",
        "--lang",
        lang,
        "--report",
        str(tmp_path / "r.html"),
    )
    assert code == 1, err
    assert "10" in say("simulator.profile-cert-expired", lang)
    days = re.findall(r"(\d+) (?:days ago|日前)", out)
    assert days and set(days) == {"10"}, out
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert set(re.findall(r"(\d+) (?:days ago|日前)", report)) == {"10"}


@pytest.mark.parametrize(
    ("ends", "lang", "said", "report_words"),
    [
        ({"hours": -3, "minutes": -5}, "en", "3 hours ago", ("report.days_ago", "ago")),
        ({"hours": -3, "minutes": -5}, "ja", "3 時間前", ("report.days_ago", "ago")),
        ({"minutes": -20}, "en", "less than an hour ago", ("report.days_ago", "ago")),
        ({"minutes": -20}, "ja", "1 時間足らず前", ("report.days_ago", "ago")),
        ({"days": -1, "hours": -2}, "en", "1 day ago", ("report.days_ago", "ago")),
        ({"hours": 5, "minutes": 5}, "en", "in 5 hours", ("report.days_left", "until")),
        ({"hours": 5, "minutes": 5}, "ja", "あと 5 時間", ("report.days_left", "until")),
    ],
)
def test_a_certificate_hours_from_its_end_is_not_said_as_0_days(
    ends: dict[str, int], lang: Lang, said: str, report_words: tuple[str, str], tmp_path: Path
) -> None:
    """A certificate that expired a few hours ago read "expired 0 days ago" / "0 日前" (days counted
    whole, bd892a8), and one expiring in a few hours "0 days left" / "残り 0 日". check, run as a
    process against the simulator serving such a certificate, says the hours in the terminal and the
    report (the window shows check's same headline)."""
    import datetime as dt

    from sep_port_doctor.core.simulator import make_certificate
    from tests.helpers.profile_runs import simulated_check

    async def scenario() -> tuple[int, str, str]:
        manager = SimulatedManager(profile="healthy", ports={p: 0 for p in SERVED_PORTS})
        end = dt.datetime.now(dt.UTC) + dt.timedelta(**ends)
        manager.certificate = make_certificate(
            "sepm-sim", ["localhost", "127.0.0.1"], not_before=end - dt.timedelta(days=365), days=365
        )
        async with manager:
            report = str(tmp_path / "r.html")
            return await simulated_check(
                manager, "--version", "14.3 RU6", "--role", "client", "--lang", lang, "--report", report
            )

    code, out, err = asyncio.run(scenario())
    expired = report_words[1] == "ago"
    assert code == (1 if expired else 0), err  # expired: a problem; expiring soon: a warning
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    for text in (out, report):
        assert said in text, text
        assert not re.search(r"\b0 (?:days|日)|残り 0 日|あと 0 日", text)
    key, value = report_words
    assert say(key, lang, **{value: said}) in report


def test_dev_start_prints_dev_start() -> None:
    """``./dev start simulate`` prints ``./dev start check ...``, and that line works from the same folder."""
    if os.name == "nt":
        pytest.skip("./dev is the POSIX entry point (Windows users run the packaged program)")
    try:
        printed, code, out, err = asyncio.run(_demonstrate("http-down", ["./dev", "start"]))
    except SimulateEnded as ended:
        # ./dev start first installs what is missing; as a normal user it can only name it.
        if "missing system packages" in str(ended):
            pytest.skip(f"./dev start cannot install here: {str(ended).strip().splitlines()[-1]}")
        raise
    assert printed.startswith("./dev start check --manager 127.0.0.1 "), printed
    assert code == 0, out + err  # a warning: 443 answers
    assert "client-http-8014: Connection refused (closed)" in out


def test_program_is_named_as_it_was_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "bin" / "sep-port-doctor"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent))
    # The installed command found on the PATH: its name. Elsewhere: the path as typed.
    assert program_argv(environ={}, argv=[str(script), "simulate"], frozen=False) == ["sep-port-doctor"]
    other = tmp_path / "elsewhere" / "sep-port-doctor"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    assert program_argv(environ={}, argv=[str(other), "simulate"], frozen=False) == [str(other)]
    assert program_argv(environ={}, argv=["../sep/sep-port-doctor"], frozen=False) == ["../sep/sep-port-doctor"]
    # ./dev start, as the user typed dev.
    assert program_argv(environ={DEV_SCRIPT_ENV: "./dev"}, argv=[str(script)], frozen=False) == ["./dev", "start"]
    assert program_argv(environ={DEV_SCRIPT_ENV: "dev"}, argv=[str(script)], frozen=False) == ["./dev", "start"]
    # The frozen program: where it lies, even when started from ./dev's environment.
    exe = tmp_path / "dist" / "sep-port-doctor" / "sep-port-doctor"
    assert program_argv(environ={DEV_SCRIPT_ENV: "./dev"}, argv=[str(exe)], frozen=True) == [str(exe)]
    # python -m sep_port_doctor.gui, with the interpreter's options.
    main = str(ROOT / "gui" / "__main__.py")
    assert program_argv(
        environ={},
        argv=[main, "simulate"],
        orig_argv=["python3", "-X", "utf8", "-m", "sep_port_doctor.gui", "simulate"],
        frozen=False,
    ) == ["python3", "-X", "utf8", "-m", "sep_port_doctor.gui"]


def test_words_are_quoted_for_the_shell() -> None:
    assert command_line(["./dev", "start", "check", "--version", "14.3 RU6"], windows=False) == (
        './dev start check --version "14.3 RU6"'
    )
    assert command_line(["/opt/my tools/sep-port-doctor", "--x", "a$b"], windows=False) == (
        "\"/opt/my tools/sep-port-doctor\" --x 'a$b'"
    )
    assert command_line(
        [r"C:\Program Files\SEP Port Doctor\sep-port-doctor.exe", "--version", "14.3 RU6"], windows=True
    ) == (r'"C:\Program Files\SEP Port Doctor\sep-port-doctor.exe" --version "14.3 RU6"')


def test_simulate_speaks_japanese() -> None:
    async def scenario() -> list[str]:
        async with SimulatedManager(profile="push-blocked", ports={p: 0 for p in SERVED_PORTS}) as manager:
            return announcement(manager, CATALOG, "ja", program=["sep-port-doctor"])

    lines = asyncio.run(scenario())
    assert lines[0].startswith("SEPM のシミュレーター(push-blocked: この PC のプッシュ配備のポート TCP 139 と 445")
    assert lines[1].startswith('実行例: sep-port-doctor check --manager 127.0.0.1 --version "14.3 RU6" --role client ')
    assert lines[2].startswith("ウィンドウでは: 管理サーバー 127.0.0.1、SEP バージョン 14.3 RU6、クライアントの PC")
    assert lines[-1] == "Ctrl+C で停止します。"


@pytest.mark.parametrize("platform", ["win32", "linux"])
def test_on_windows_simulate_says_what_it_reads_of_this_pc_is_real(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client-desk check on Windows reads this PC's SEP client, firewall and services: the
    simulator cannot stand in for them, and says so there (and only there)."""

    async def scenario() -> list[str]:
        async with SimulatedManager(profile="healthy", ports={p: 0 for p in SERVED_PORTS}) as manager:
            monkeypatch.setattr(sys, "platform", platform)
            try:
                return announcement(manager, CATALOG, "en", program=["sep-port-doctor"])
            finally:
                monkeypatch.undo()

    said = [line for line in asyncio.run(scenario()) if "not simulated" in line]
    assert said == (["note: on Windows the check also reads this PC's SEP client, firewall and services: "
                     "what it finds there is this PC's own, not simulated"] if platform == "win32" else [])  # fmt: skip
