"""Each thing to do is said once in a finding's guidance.

A manager's closed port (8014 moved to a closed port) was told, in one finding: "on that host,
check that the service is running" (the closed verdict's step), then "on the manager, check that
its services are running" (the manager's services), and "if the port can be changed, look up the
port the site uses" (the closed verdict's again) then "look up the port configured on the manager
and check again with an override" (the configurable port's). The catalogue now says which step
another item says more exactly (guidance.toml ``said_by``); the real ``check`` runs here against
closed loopback ports, in both languages, and the extra port (nothing else to say it) keeps the steps.
"""

from __future__ import annotations

import re

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.i18n import Lang
from tests.core.test_advice_fits_the_host import _closed_port
from tests.helpers.command import run

STEP = re.compile(r"^\s+\d+\. (.*?)(?: \[[^]]*\])?$")
CATALOG = load_catalog()


def _steps_of(output: str, check_id: str) -> list[str]:
    """The numbered steps printed under one check's finding in check's problem list."""
    lines = output.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("  ") and f" {check_id}: " in line)
    steps = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):  # the next finding or section
            break
        if match := STEP.match(line):
            steps.append(match.group(1))
    return steps


def _step(guidance_id: str, number: int, lang: Lang) -> str:
    return CATALOG.guidance[guidance_id].steps[number - 1].say(lang)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_managers_closed_port_says_each_step_once(lang: Lang) -> None:
    moved, extra = _closed_port(), _closed_port()
    done = run(
        "check", "--manager", "127.0.0.1", "--version", "14.3 RU6", "--role", "client", "--lang", lang,
        "--port", f"8014={moved}", "--extra", f"127.0.0.2:{extra}",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    steps = _steps_of(done.stdout, "client-http-8014")
    # The manager's services and the configurable port say what to do: once each ...
    assert steps.count(_step("manager-services", 1, lang)) == 1, done.stdout
    assert steps.count(_step("configurable-port", 1, lang)) == 1, done.stdout
    # ... and the closed verdict's general steps, which mean the same, are not said beside them.
    assert _step("verdict-closed", 1, lang) not in steps, done.stdout
    assert _step("verdict-closed", 2, lang) not in steps, done.stdout
    assert len(steps) == len(set(steps)), done.stdout
    # A closed extra port has nothing else to say them: the verdict's steps are all there.
    assert _steps_of(done.stdout, f"extra-tcp-{extra}") == [_step("verdict-closed", n, lang) for n in (1, 2)]


def test_every_step_said_by_another_item_is_said_by_it() -> None:
    """The catalogue's own check: an item that takes over a step has steps of its own to say it with."""
    pairs = [(gid, index, other) for gid, item in CATALOG.guidance.items() for index, other in item.said_by]
    assert ("verdict-closed", 0, "manager-services") in pairs and ("verdict-closed", 1, "configurable-port") in pairs
    for _gid, _index, other in pairs:
        assert CATALOG.guidance[other].steps, other
    trimmed = CATALOG.guidance_for(["verdict-closed", "manager-services", "configurable-port"])
    assert [len(item.steps) for item in trimmed] == [0, 1, 1]
    assert len(CATALOG.guidance_for(["verdict-closed"])[0].steps) == 2
