"""Which checks a run plans, by role, version, hosts and overrides."""

from __future__ import annotations

from typing import Any

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanError, PlanRequest, Role, build_plan, parse_override
from sep_port_doctor.core.results import Check, Target
from sep_port_doctor.core.versions import parse_version

CATALOG = load_catalog()
MANAGER = parse_host("sepm.corp")


def _plan(**kwargs: Any) -> dict[str, Check]:
    request = PlanRequest(manager=MANAGER, version=kwargs.pop("version", parse_version("14.3 RU1")), **kwargs)
    return {c.entry_id: c for c in build_plan(CATALOG, request)}


def test_every_catalogue_entry_is_planned_once() -> None:
    plan = _plan()
    assert set(plan) == {e.id for e in CATALOG.entries}


def test_client_desk_probes_the_manager_and_checks_this_pc() -> None:
    plan = _plan(platform="win32")
    http = plan["client-http-8014"]
    assert http.target is Target.MANAGER and http.host == MANAGER and not http.skip
    assert http.app_tests == ("secars-http",)
    assert plan["client-https-443"].app_tests == ("tls", "secars-https")
    for entry_id in ("push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138"):
        assert plan[entry_id].local and plan[entry_id].target is Target.THIS_PC and not plan[entry_id].skip
    assert plan["mac-push-tcp-22"].skip and plan["mac-push-tcp-22"].reason_code == "not-a-mac"
    assert plan["server-https-8443"].skip and not plan["server-https-8443"].applies
    assert plan["gup-tcp-2967"].skip and plan["gup-tcp-2967"].reason_code == "no-gup-host"
    assert plan["gup-tcp-2967"].applies  # it applies, it just was not given a host: not tested


def test_on_a_mac_the_push_check_is_ssh() -> None:
    plan = _plan(platform="darwin")
    assert not plan["mac-push-tcp-22"].skip and plan["mac-push-tcp-22"].local
    assert plan["push-tcp-445"].skip and plan["push-tcp-445"].reason_code == "is-a-mac"


def test_version_rules_out_entries_with_the_reason() -> None:
    plan = _plan(version=parse_version("14.3 RU1"))
    assert not plan["cas-http-8081"].applies and plan["cas-http-8081"].reason_code == "version"
    assert "14.2.x only" in plan["cas-http-8081"].reason.say("en")
    plan = _plan(version=parse_version("14.2 RU2"), role=Role.MANAGER)
    assert plan["cas-http-8081"].applies is False  # 14.2.x, but the appliance's address is not known
    assert plan["cas-http-8081"].reason_code == "peer-unknown"


def test_console_role() -> None:
    plan = _plan(role=Role.CONSOLE)
    for entry_id in (
        "server-https-8443",
        "webconsole-tcp-9090",
        "report-tcp-8445",
        "webservice-tcp-8446",
    ):
        assert plan[entry_id].target is Target.MANAGER and not plan[entry_id].skip
    # 1100: the page names AjaxSwing (the manager's own web-console engine) as its initiator.
    assert plan["rmi-tcp-1100"].skip and plan["rmi-tcp-1100"].reason_code == "manager-internal"
    assert not plan["rmi-tcp-1100"].applies
    assert plan["webservice-tcp-8446"].app_tests == ("tls", "sepm-version")
    assert plan["launcher-tcp-8447"].skip and plan["launcher-tcp-8447"].reason_code == "localhost-only"
    assert plan["spc-tcp-8444"].skip  # 12.1.x only


def test_manager_role_checks_localhost_only_ports_on_localhost_and_peers() -> None:
    plan = _plan(role=Role.MANAGER, sql=parse_host("sql.corp"), syslog=parse_host("10.0.0.9"))
    assert plan["launcher-tcp-8447"].target is Target.MANAGER_LOCALHOST
    assert plan["launcher-tcp-8447"].host is not None and plan["launcher-tcp-8447"].host.name == "127.0.0.1"
    assert plan["sql-tcp-1433"].target is Target.SQL and plan["sql-tcp-1433"].host == parse_host("sql.corp")
    assert plan["syslog-udp-514"].target is Target.SYSLOG and plan["syslog-udp-514"].app_tests == ("syslog-send",)
    assert plan["db-tcp-2638"].target is Target.MANAGER
    assert plan["rmi-tcp-1100"].target is Target.MANAGER and plan["rmi-tcp-1100"].reason_code == "manager-listens"


def test_no_role_connects_to_1100_but_the_managers_own_check() -> None:
    """The seed's row 19: "AjaxSwing によって開始", "設定不可"; no console or client starts it."""
    for role in (Role.CLIENT, Role.CONSOLE):
        check = _plan(role=role)["rmi-tcp-1100"]
        assert check.skip and not check.applies and check.host is None, role
    entry = CATALOG.entry("rmi-tcp-1100")
    assert entry.direction == "manager_local" and entry.initiator.say("ja") == "AjaxSwing によって開始"
    assert entry.configurable is False


def test_port_overrides_apply_to_the_probed_port() -> None:
    plan = _plan(overrides={8014: 80, 443: 4443})
    assert plan["client-http-8014"].port == 80 and plan["client-http-8014"].default_port == 8014
    assert plan["client-https-443"].port == 4443


def test_all_ports_probes_everything_on_the_manager_and_still_says_what_applies() -> None:
    plan = _plan(all_ports=True, version=parse_version("14.3 RU1"))
    assert all(not c.skip and c.target is Target.MANAGER for c in plan.values())
    assert not plan["cas-http-8081"].applies
    assert plan["client-http-8014"].applies
    assert plan["launcher-tcp-8447"].expected_unreachable
    assert not plan["server-https-8443"].applies  # not a client desk's port, probed anyway


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8014=80", (8014, 80)), (" 443 = 4443 ", (443, 4443)), ("2967=12967", (2967, 12967))],
)
def test_parse_override(text: str, expected: tuple[int, int]) -> None:
    assert parse_override(text, CATALOG) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("8014", "DEFAULT=ACTUAL"),
        ("8014=", "two port numbers"),
        ("8014=99999", "1-65535"),
        ("8014=0", "1-65535"),
        ("1234=80", "not a SEP port"),
        ("abc=80", "two port numbers"),
        ("8014=80=90", "two port numbers"),
    ],
)
def test_bad_overrides(text: str, words: str) -> None:
    with pytest.raises(PlanError, match=words):
        parse_override(text, CATALOG)


def test_this_pc_as_a_group_update_provider_is_checked_locally() -> None:
    request = PlanRequest(manager=MANAGER, version=parse_version("14.3"), local_gup=True, overrides={2967: 12967})
    checks = [c for c in build_plan(CATALOG, request) if c.entry_id == "gup-tcp-2967"]
    assert [c.target for c in checks] == [Target.NONE, Target.THIS_PC]
    local = checks[1]
    assert local.local and not local.skip and local.port == 12967 and local.reason_code == "this-pc-is-gup"


def test_check_ids_name_the_host_where_roles_share_one() -> None:
    """The manager's own checks, its SQL Server, its syslog server and a GUP on one host: every
    id is ENTRY@HOST (unique per host and port), never the role, and a check without a host says
    whose it is."""
    request = PlanRequest(
        manager=MANAGER, version=parse_version("14.3 RU1"), role=Role.MANAGER, sql=MANAGER, syslog=MANAGER, gup=MANAGER
    )
    checks = build_plan(CATALOG, request)
    ids = [c.id for c in checks]
    assert len(set(ids)) == len(ids) == len(CATALOG.entries)
    by_entry = {c.entry_id: c for c in checks}
    assert by_entry["sql-tcp-1433"].id == "sql-tcp-1433@sepm.corp"
    assert by_entry["syslog-udp-514"].id == "syslog-udp-514@sepm.corp"
    assert by_entry["gup-tcp-2967"].id == "gup-tcp-2967@sepm.corp"
    assert by_entry["launcher-tcp-8447"].id == "launcher-tcp-8447@127.0.0.1"
    assert by_entry["mac-push-tcp-22"].id == "mac-push-tcp-22@[none]"
    probed = [(c.host.name, c.protocol, c.port) for c in checks if c.host is not None and not c.skip]
    assert len(set(probed)) == len(probed)  # no two entries of this plan share a port on one host


def test_this_pc_checks_and_the_gup_of_a_client_desk_have_their_own_ids() -> None:
    request = PlanRequest(manager=MANAGER, version=parse_version("14.3"), gup=MANAGER, local_gup=True, platform="win32")
    checks = build_plan(CATALOG, request)
    ids = [c.id for c in checks]
    assert len(set(ids)) == len(ids)
    assert {"gup-tcp-2967@sepm.corp", "gup-tcp-2967@[this_pc]", "push-tcp-445@[this_pc]"} <= set(ids)
