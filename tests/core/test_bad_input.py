"""The bad-input corpus (tests/fixtures/bad_inputs.toml) through the command line:
exit code 2, one clear line, no traceback, and no packet sent."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest

from tests.helpers.command import ChildEnvironment, command
from tests.helpers.servers import answer, http_response, serving

_DATA = tomllib.loads((Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs.toml").read_text("utf-8"))
CORPUS = _DATA["bad"] + _DATA["cli_only"]
LONG_NOTE = "x" * 600
ENV = ChildEnvironment({"QT_QPA_PLATFORM": "offscreen"})


def _value(item: dict[str, str]) -> str:
    return LONG_NOTE if item["value"] == "@@LONG@@" else item["value"]


def test_the_corpus_is_large_and_covers_every_field() -> None:
    assert len(CORPUS) >= 60
    fields = {item["field"] for item in CORPUS}
    assert fields == {
        "manager", "gup", "sql", "syslog", "version", "port", "timeout", "duration", "role", "report", "notes"
    }  # fmt: skip


def _arguments(item: dict[str, str], trap: int) -> list[str]:
    """A command line that would probe the trap server if the bad value got through."""
    field, value = item["field"], _value(item)
    traps = ["--port", f"8014={trap}", "--port", f"445={trap}", "--port", f"2967={trap}"]
    if field == "duration":  # the simulator would start listening (and never stop) if it got through
        return ["simulate", "--free-ports", f"--duration={value}"]
    if field in ("report", "notes"):
        args = ["gui", "--manager", "127.0.0.1", "--version", "14.3", *traps, "--run", "--quit"]
        return [*args, "--report", value] if field == "report" else [*args, "--notes", value, "--report", "/tmp/x.html"]
    values = {"manager": "127.0.0.1", "version": "14.3", "gup": "127.0.0.1"}
    extra: list[str] = []
    if field in ("manager", "version", "gup"):
        values[field] = value
    elif field in ("sql", "syslog"):
        extra = ["--role", "manager", f"--{field}={value}"]
    elif field == "port" and value == "@@MANY_PORTS@@":
        extra = ["--port", "1100=1100"] * 3001
    elif field == "port":
        extra = ["--port", value]
    elif field in ("timeout", "role"):
        extra = [f"--{field}={value}"]
    # NAME=VALUE keeps a value that starts with "-" from being read as an option.
    return ["check", f"--manager={values['manager']}", f"--version={values['version']}", f"--gup={values['gup']}",
            *traps, *extra]  # fmt: skip


@pytest.mark.parametrize("item", CORPUS, ids=[f"{i['field']}:{i['value'][:20]!r}" for i in CORPUS])
def test_bad_input_exits_2_with_one_line_and_sends_nothing(item: dict[str, str]) -> None:
    async def scenario() -> tuple[int, str, str, int]:
        async with serving(answer(http_response(200, b"OK"))) as trap:
            process = await asyncio.create_subprocess_exec(
                *command(), *_arguments(item, trap.port),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=ENV,
            )  # fmt: skip
            out, err = await asyncio.wait_for(process.communicate(), 60)
            return process.returncode or 0, out.decode(), err.decode(), trap.connections

    code, out, err, connections = asyncio.run(scenario())
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert item["words"] in lines[0], lines[0]
    assert "Traceback" not in err
    assert connections == 0
