"""`check --extra HOST:PORT[/udp]`: ports outside the catalogue, probed with the run against
real loopback sockets, explained with the verdict's guidance only; bad forms refused."""

from __future__ import annotations

import json
import socket

import pytest

from sep_port_doctor.core import cli
from sep_port_doctor.core.extra import MAX_EXTRAS, parse_extras


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_extra_ports_are_probed_and_explained(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        open_port = listener.getsockname()[1]
        closed_port = _free_port()
        code = cli.main(
            ["check", "--manager", "127.0.0.1", "--version", "14.3", "--json", "--lang", "en",
             "--extra", f"127.0.0.1:{open_port}", "--extra", f"[::1]:{closed_port}", "--extra", f"127.0.0.1:{open_port}"]
        )  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    extras = {c["check_id"]: c for c in report["checks"] if c["target"] == "extra"}
    assert code == 1
    assert set(extras) == {f"extra-tcp-{open_port}@127.0.0.1", f"extra-tcp-{closed_port}@::1"}  # the same one once
    opened = extras[f"extra-tcp-{open_port}@127.0.0.1"]
    assert opened["id"] == f"extra-tcp-{open_port}" and opened["host"] == "127.0.0.1"
    assert (opened["state"], opened["severity"], opened["guidance"]) == ("open", "passed", [])
    closed = extras[f"extra-tcp-{closed_port}@::1"]
    assert (closed["state"], closed["severity"], closed["guidance"]) == ("closed", "problem", ["verdict-closed"])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("sepm", "HOST:PORT"),
        ("sepm:", "1 to 65535"),
        ("sepm:0", "1 to 65535"),
        ("sepm:http", "1 to 65535"),
        ("sepm:80/sctp", "HOST:PORT"),
        ("fe80::1:80", "HOST:PORT"),
        ("user@sepm:80", "cannot be used"),
        ("255.255.255.255:80", "cannot be used"),
    ],
)
def test_bad_extra_is_refused_before_anything_is_sent(
    value: str, words: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run started")

    monkeypatch.setattr("sep_port_doctor.core.check_command.run_check", must_not_run)
    code = cli.main(["check", "--manager", "127.0.0.1", "--version", "14.3", "--lang", "en", f"--extra={value}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and words in err[0], err


def test_at_most_64_extra_ports(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    async def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the run started")

    assert MAX_EXTRAS == 64
    assert len(parse_extras([f"127.0.0.1:{10000 + n}" for n in range(MAX_EXTRAS)])) == MAX_EXTRAS
    monkeypatch.setattr("sep_port_doctor.core.check_command.run_check", must_not_run)
    extras = [f"--extra=127.0.0.1:{10000 + n}" for n in range(MAX_EXTRAS + 1)]
    code = cli.main(["check", "--manager", "127.0.0.1", "--version", "14.3", "--lang", "en", *extras])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "at most 64 --extra ports" in err[0], err
