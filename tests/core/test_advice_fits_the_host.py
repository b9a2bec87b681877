"""The advice a verdict gives fits the host it is about.

The verdicts' guidance (filtered, closed, unreachable, the name's failures) is shared by every host a
run probes: the manager, a GUP, an SQL or syslog server, a port given with ``--extra`` and, from the
manager, the client PCs of a ``push`` sweep. It used to be written for the manager alone, so a push
sweep told an administrator at the manager to "check that the manager's Windows Firewall allows this
port" about a client PC's 445, and to look the PC up "in the client's management server list". The
real commands run here against loopback: a closed client PC, a name that does not exist, a closed
extra port; and the manager's own closed port still gets the manager's services.
"""

from __future__ import annotations

import json
import re
import socket

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.i18n import Lang
from sep_port_doctor.core.verdicts import CAUSE_GUIDANCE, VERDICT_GUIDANCE
from tests.helpers.command import run

# What names the manager in each language's words ("management server list" is not the manager).
MANAGER_WORDS: dict[Lang, re.Pattern[str]] = {"en": re.compile(r"\bmanager\b", re.I), "ja": re.compile("管理サーバー")}
STEP = re.compile(r"^\s+\d+\. (.*)$")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_verdicts_shared_guidance_names_no_host_role(lang: Lang) -> None:
    catalog = load_catalog()
    ids = {*VERDICT_GUIDANCE.values(), *(g for ids in CAUSE_GUIDANCE.values() for g in ids)}
    assert {"verdict-filtered", "verdict-closed", "verdict-unreachable", "verdict-nxdomain"} <= ids  # the control
    for guidance_id in sorted(ids):
        item = catalog.guidance[guidance_id]
        for text in (item.title.say(lang), item.text.say(lang), *(step.say(lang) for step in item.steps)):
            assert not MANAGER_WORDS[lang].search(text), (guidance_id, text)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_push_advice_about_client_pcs_sends_nobody_to_the_manager(lang: Lang) -> None:
    done = run("push", "127.0.0.2", "nosuchhost.invalid", "--lang", lang)
    assert done.returncode == 1, done.stderr
    steps = [m.group(1) for line in done.stdout.splitlines() if (m := STEP.match(line))]
    # The closed PC's Server service step and the unknown name's spelling step are there (the control) ...
    assert any("LanmanServer" in step for step in steps), done.stdout
    assert any("sepm01.corp.example" in step for step in steps), done.stdout
    # ... and no step is an action on the manager or its client's server list.
    wrong = [step for step in steps if MANAGER_WORDS[lang].search(step)]
    assert wrong == [], done.stdout


def test_a_closed_extra_port_is_not_the_managers_service() -> None:
    extra = _closed_port()
    manager_port = _closed_port()
    done = run(
        "check", "--manager", "127.0.0.1", "--version", "14.3 RU6", "--role", "client", "--json",
        "--port", f"8014={manager_port}", "--extra", f"127.0.0.2:{extra}",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    assert checks[f"extra-tcp-{extra}"]["state"] == checks["client-http-8014"]["state"] == "closed"
    # The manager's own closed port: its services, after the verdict's words every host shares.
    assert checks["client-http-8014"]["guidance"][:2] == ["verdict-closed", "manager-services"]
    assert checks[f"extra-tcp-{extra}"]["guidance"] == ["verdict-closed"]
