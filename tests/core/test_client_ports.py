"""443 or 8014 from a client desk: the port this PC's SyLink names for the manager is the one
checked (and the run says so); where SyLink does not single one out, one failing while the
other answers is a warning. Real runs against the simulated manager on loopback; SyLink in
the shape of a published recording (tests/fixtures/windows/recorded-public/)."""

from __future__ import annotations

import asyncio
import io

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.check_command import run_check
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.localpc import ClientConfig, parse_sylink_xml
from sep_port_doctor.core.plan import ClientPorts, PlanRequest, Role, build_plan
from sep_port_doctor.core.results import CheckResult, Severity, State
from sep_port_doctor.core.run import DiagnosisRun
from sep_port_doctor.core.run_events import RunEvent, Verdict
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import dropping_port
from tests.helpers.windows_fixtures import RECORDED, FixtureSystem

CATALOG = load_catalog()
FAST = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)
VERSION = parse_version("14.3 RU9")


def sylink(*servers: str) -> str:
    """A SyLink.xml in the recorded shape with these ``<Server .../>`` attributes, one priority each."""
    blocks = "".join(
        f'<ServerPriorityBlock Name="Priority{n}"><Server {attrs} VerifySignatures="1" /></ServerPriorityBlock>'
        for n, attrs in enumerate(servers, 1)
    )
    return f'<?xml version="1.0" encoding="UTF-8" ?><ServerSettings><CommConf><ServerList Name="List">{blocks}</ServerList></CommConf></ServerSettings>'


def request(overrides: dict[int, int], manager: str = "127.0.0.1") -> PlanRequest:
    return PlanRequest(manager=parse_host(manager), version=VERSION, role=Role.CLIENT, overrides=overrides)


async def run_with(
    system: FixtureSystem, overrides: dict[int, int], events: list[RunEvent] | None = None
) -> DiagnosisRun:
    engine = ProbeEngine(FAST, app_timeout=2.0, use_system_proxy=False)
    consumer = events.append if events is not None else None
    run = DiagnosisRun(request(overrides), CATALOG, engine, read_local=True, local_system=system, on_event=consumer)
    await asyncio.wait_for(run.run(), HANG_GUARD_S)
    return run


def by_entry(run: DiagnosisRun) -> dict[str, tuple[CheckResult, Severity, list[str]]]:
    assert run.diagnosis is not None
    return {
        r.check.entry_id: (r, e.severity, list(e.guidance))
        for r, e in zip(run.diagnosis.results, run.diagnosis.explanations, strict=True)
    }


def test_the_recorded_sylink_names_http_only_so_443_is_not_the_clients() -> None:
    servers = parse_sylink_xml((RECORDED / "sylink-connect-2012.xml").read_text(encoding="utf-8"))
    assert [(s.host, s.http_port, s.https_port) for s in servers] == [("1.1.1.1", 8014, None)]
    ports = ClientConfig(servers=servers).client_ports("1.1.1.1")
    assert ports == ClientPorts("1.1.1.1", 8014, None)
    plan = {c.entry_id: c for c in build_plan(CATALOG, request({}, "1.1.1.1"), ports)}
    assert not plan["client-http-8014"].skip and plan["client-http-8014"].port == 8014
    assert plan["client-http-8014"].reason_code == "sylink-named"
    https = plan["client-https-443"]
    assert https.skip and not https.applies and https.reason_code == "sylink-other-scheme"
    assert https.reason.say("en") == "this PC's SyLink names only HTTP 8014 for 1.1.1.1: the client does not use HTTPS"
    assert "1.1.1.1 に HTTP 8014 だけを指定" in https.reason.say("ja")


def test_a_client_desk_checks_the_https_port_its_sylink_names_not_8014() -> None:
    """The manager's 8014 is closed (http-down); this PC's SyLink names HTTPS on the port the
    simulator serves 443 on: the HTTPS port is the one checked, 8014 is not the client's."""

    async def scenario() -> tuple[DiagnosisRun, int]:
        async with SimulatedManager(profile="http-down", ports={p: 0 for p in SERVED_PORTS}) as manager:
            https = manager.bound[443]
            moved = {d: p for d, p in manager.bound.items() if d not in (8014, 443)}
            system = FixtureSystem("en-domain-sylink-https", sylink(f'Address="127.0.0.1" HttpsPort="{https}"'))
            return await run_with(system, moved), https

    run, https = asyncio.run(scenario())
    found = by_entry(run)
    result, severity, _ = found["client-https-443"]
    assert result.check.port == https and result.state is State.OPEN and severity is Severity.PASSED
    assert result.check.reason_code == "sylink-named"
    plain, severity, _ = found["client-http-8014"]
    assert plain.check.skip and severity is Severity.NOT_TESTED  # nothing sent to the closed 8014
    diagnosis = run.diagnosis
    assert diagnosis is not None
    json = diagnosis.to_json("en")
    assert json["client_ports"] == {"source": "sylink", "server": "127.0.0.1", "http_port": None, "https_port": https}
    skipped = next(c for c in json["checks"] if c["id"] == "client-http-8014")
    # The plan's reason in the catalogue's words (there was an English twin in the code for the JSON).
    assert (
        skipped["plan_reason"]
        == f"this PC's SyLink names only HTTPS {https} for 127.0.0.1: the client does not use HTTP"
    )
    assert diagnosis.local is not None
    management = next(f for f in diagnosis.local.findings if f.id == "management-servers")
    assert (
        f"The client is set to reach 127.0.0.1 on HTTPS {https} (SyLink); the run checks that"
        in management.detail_for("en")
    )


def test_without_a_sylink_decision_a_closed_8014_beside_a_working_443_is_a_warning() -> None:
    """The same closed 8014; this PC's SyLink does not list the manager (so both are checked):
    the client needs one of the two, and 443 answers. Each verdict came out once, held until
    the other's was known."""
    events: list[RunEvent] = []

    async def scenario() -> DiagnosisRun:
        async with SimulatedManager(profile="http-down", ports={p: 0 for p in SERVED_PORTS}) as manager:
            return await run_with(FixtureSystem("en-domain-sylink-https"), dict(manager.bound), events)

    run = asyncio.run(scenario())
    found = by_entry(run)
    plain, severity, guidance = found["client-http-8014"]
    assert plain.state is State.CLOSED and plain.check.reason_code == "client-to-manager"
    assert severity is Severity.WARNING and guidance[0] == "client-channel-one-suffices"
    assert found["client-https-443"][1] is Severity.PASSED
    verdicts = [e.result.check.entry_id for e in events if isinstance(e, Verdict)]
    assert verdicts.count("client-http-8014") == verdicts.count("client-https-443") == 1
    sent = next(
        e.explanation for e in events if isinstance(e, Verdict) and e.result.check.entry_id == "client-http-8014"
    )
    assert sent.severity is Severity.WARNING  # what the live display showed is what the report says
    assert run.diagnosis is not None and run.diagnosis.to_json("en")["client_ports"] is None
    assert run.diagnosis.local is not None
    management = next(f for f in run.diagnosis.local.findings if f.id == "management-servers")
    assert (
        "127.0.0.1 is not in this PC's SyLink server list; TCP 8014 and 443 are both checked"
        in management.detail_for("en")
    )


def test_both_failing_stay_problems_and_a_certificate_fault_stays_a_problem() -> None:
    async def both_dropped() -> DiagnosisRun:
        with dropping_port() as dropped:
            return await run_with(FixtureSystem("en-domain-sylink-https"), {8014: dropped, 443: dropped})

    found = by_entry(asyncio.run(both_dropped()))
    assert found["client-http-8014"][1] is found["client-https-443"][1] is Severity.PROBLEM

    async def expired() -> DiagnosisRun:
        async with SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS}) as manager:
            return await run_with(FixtureSystem("en-domain-sylink-https"), dict(manager.bound))

    found = by_entry(asyncio.run(expired()))
    assert found["client-http-8014"][1] is Severity.PASSED
    assert found["client-https-443"][1] is Severity.PROBLEM  # the server has the fault, whichever is used


def test_sylink_with_both_ports_checks_both_where_sylink_puts_them() -> None:
    async def scenario() -> DiagnosisRun:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            http, https = manager.bound[8014], manager.bound[443]
            moved = {d: p for d, p in manager.bound.items() if d not in (8014, 443)}
            both = sylink(f'Address="127.0.0.1" HttpPort="{http}" HttpsPort="{https}"')
            return await run_with(FixtureSystem("en-domain-sylink-https", both), moved)

    found = by_entry(asyncio.run(scenario()))
    for entry_id in ("client-http-8014", "client-https-443"):
        result, severity, _ = found[entry_id]
        assert result.state is State.OPEN and severity is Severity.PASSED and result.check.reason_code == "sylink-named"
        assert result.check.port != result.check.default_port


def test_a_port_the_user_gave_wins_over_sylink_and_the_reason_says_both() -> None:
    ports = ClientPorts("sepm01.corp.example", 8015, None)
    plan = {c.entry_id: c for c in build_plan(CATALOG, request({8014: 80}, "sepm01.corp.example"), ports)}
    check = plan["client-http-8014"]
    assert check.port == 80 and check.reason_code == "sylink-port-overridden"
    assert check.reason.say("en") == "checked as overridden (SyLink names HTTP 8015 for sepm01.corp.example)"


def test_check_says_on_the_terminal_where_the_port_came_from() -> None:
    out = io.StringIO()

    async def scenario() -> int:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            https = manager.bound[443]
            moved = {d: p for d, p in manager.bound.items() if d != 443}
            system = FixtureSystem("en-domain-sylink-https", sylink(f'Address="127.0.0.1" HttpsPort="{https}"'))
            code = await run_check(request(moved), CATALOG, FAST, "en", False, out, local_system=system)
            out.write(f"\nHTTPS={https}\n")
            return code

    asyncio.run(scenario())
    text = out.getvalue()
    https = text.rsplit("HTTPS=", 1)[1].strip()
    assert f"note: this PC's SyLink names HTTPS {https} for 127.0.0.1; that is what is checked" in text
    assert "client-http-8014: this PC's SyLink names only HTTPS" in text  # among the checks that sent nothing


def test_the_manager_typed_by_the_address_the_client_last_used_finds_its_sylink_entry() -> None:
    system = FixtureSystem("en-domain-sylink-https")
    from sep_port_doctor.core.localpc import client_config

    config = client_config(system)
    assert config is not None
    assert config.client_ports("10.20.30.40") == ClientPorts("sepm01.corp.example", None, 443)  # LastServerIP
    assert config.client_ports("SEPM02.corp.example") == ClientPorts("sepm02.corp.example", None, 8443)
    assert config.client_ports("10.20.30.41") == ClientPorts("10.20.30.41", 8014, None)
    assert config.client_ports("sepm99.corp.example") is None


def test_a_japanese_server_name_is_found_however_it_was_written() -> None:
    config = ClientConfig(servers=parse_sylink_xml(sylink('Address="管理サーバー.社内.example" HttpsPort="8443"')))
    expected = ClientPorts("管理サーバー.社内.example", None, 8443)
    assert config.client_ports("管理サーバー.社内.example") == expected
    assert config.client_ports("https://管理サーバー.社内.example:8443/console") == expected  # a pasted URL
    assert config.client_ports("xn--vckucxgb0296f0sj.xn--v6q418g.example") == expected  # as the resolver has it
