"""A push sweep's path facts without the lab: routes once per distinct route, DNS per named
target, and traces only where they tell something, at most one per network (Windows'
IcmpSendEcho2 faked, as tests/core/test_path.py does); the JSON, the terminal and the report
carry them in both languages (a real sweep of loopback targets)."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from sep_port_doctor.core import resolver
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.path.facts import TraceEnd
from sep_port_doctor.core.path.route import RouteReader
from sep_port_doctor.core.path.sweep import MAX_GROUP_NAMES, MAX_TRACES, SweepPathWork
from sep_port_doctor.core.path.winicmp import EchoReply
from sep_port_doctor.core.push import PushRun, PushSweep, TargetVerdict, neighbourhood_of, parse_targets
from sep_port_doctor.core.push_command import push_engine, render_push_report, run_push
from sep_port_doctor.core.resolver import Resolved
from sep_port_doctor.core.results import Severity
from sep_port_doctor.core.timing import TimeoutPolicy
from tests.core.test_path import FakeIcmp

CATALOG = load_catalog()
SMB = next(e.port for e in CATALOG.entries if e.push == "smb")


class TimedIcmp(FakeIcmp):
    """The fake that also keeps how long each hop was allowed to wait."""

    def __init__(self, routers: list[str | None], end: tuple[int, str | None] | None) -> None:
        super().__init__(routers, end)
        self.waits: set[int] = set()

    def send_echo(self, address: str, ttl: int, timeout_ms: int) -> EchoReply:
        self.waits.add(timeout_ms)
        return super().send_echo(address, ttl, timeout_ms)


class OffLink(RouteReader):
    """Every test address routed through a router, whatever networks this machine is on."""

    def on_link(self, address: str) -> bool:
        return False


def _verdict(name: str, cause: str, verdict: str = "not_ready") -> TargetVerdict:
    host = parse_host(name)
    return TargetVerdict(host, name, verdict, cause, Severity.PROBLEM, Message(f"push-cause.{cause}"), (), (), ())


def test_traces_only_where_they_tell_something_and_one_per_network() -> None:
    async def scenario() -> tuple[PushRun, TimedIcmp]:
        api = TimedIcmp(["10.20.0.1"], None)  # the path reaches 10.20.0.1, nothing after it answers
        hosts = [parse_host(f"192.0.2.{n}") for n in (10, 20, 21, 30)] + [parse_host("198.51.100.7")]
        run = PushRun(CATALOG, hosts, engine=None, icmp_api=api)  # type: ignore[arg-type]
        work = run.path_work
        assert work is not None
        work.reader = OffLink()
        work.answered_from("192.0.2.10", 2.0)  # a PC of 192.0.2.0/24 answered in 2 ms
        run._trace_if_it_tells(_verdict("192.0.2.30", "silent", "unreachable"))  # its network answered: nothing
        run._trace_if_it_tells(_verdict("192.0.2.10", "ready", "ready"))
        run._trace_if_it_tells(_verdict("192.0.2.20", "445-filtered"))  # answers on 139, 445 filtered: traced
        run._trace_if_it_tells(_verdict("192.0.2.21", "445-filtered"))  # the same network: once is enough
        run._trace_if_it_tells(_verdict("198.51.100.7", "silent", "unreachable"))  # no PC of its network answered
        await work.settle()
        return run, api

    run, api = asyncio.run(scenario())
    assert run.path_work is not None
    paths = run.path_work.facts([], {})
    assert [(t.network, t.host, t.why) for t in paths.traces] == [
        ("192.0.2.0/24", "192.0.2.20", "port-filtered"),
        ("198.51.100.0/24", "198.51.100.7", "network-silent"),
    ]
    assert {address for address, _ttl in api.calls} == {"192.0.2.20", "198.51.100.7"}
    for trace in paths.traces:
        assert trace.facts.end is TraceEnd.LAST_HOP and trace.facts.last_answered is not None
        assert trace.facts.last_answered.address == "10.20.0.1"
    # A silent hop waits what the network's PCs showed (0.5 s at least), 2.5 s where none answered.
    assert api.waits == {500, 2500}
    assert paths.trace_of == {"192.0.2.20": 0, "198.51.100.7": 1}
    en, ja = paths.traces[0].text("en"), paths.traces[0].text("ja")
    assert en.startswith("192.0.2.0/24, traced toward 192.0.2.20") and "10.20.0.1 (hop 1)" in en
    assert ja.startswith("192.0.2.0/24: 192.0.2.20 へ追跡") and "10.20.0.1(1 ホップ目)" in ja


def test_traces_are_bounded_per_sweep() -> None:
    async def scenario() -> int:
        work = SweepPathWork(neighbourhood_of, traced_port=SMB, icmp_api=FakeIcmp([], None))
        work.reader = OffLink()
        for n in range(MAX_TRACES + 5):
            work.trace_toward(f"10.{n}.0.9", f"10.{n}.0.9", f"10.{n}.0.9", "network-silent")
        await work.settle()
        return len(work.facts([], {}).traces)

    assert asyncio.run(scenario()) == MAX_TRACES


def test_cancelling_the_sweep_cancels_its_traces_at_once() -> None:
    async def scenario() -> tuple[float, TraceEnd]:
        work = SweepPathWork(neighbourhood_of, traced_port=SMB, icmp_api=FakeIcmp([None] * 30, None, block=0.2))
        work.reader = OffLink()
        work.trace_toward("192.0.2.5", "192.0.2.5", "192.0.2.5", "network-silent")
        await asyncio.sleep(0.05)
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await work.settle(cancelled=True)
        return loop.time() - asked, work.facts([], {}).traces[0].facts.end

    took, end = asyncio.run(scenario())
    assert end is TraceEnd.CANCELLED and took < 1.0  # a hang guard: the blocking calls are abandoned


def test_routes_once_per_distinct_route_and_dns_per_named_target() -> None:
    work = SweepPathWork(neighbourhood_of, traced_port=SMB)
    lookup = Resolved(socket.AF_INET, "127.0.0.1", addresses=("127.0.0.1",), lookup_ms=1.5)
    targets = [
        ("127.0.0.1", "127.0.0.1", "127.0.0.1", True),
        ("127.0.0.2", "127.0.0.2", "127.0.0.2", True),
        ("localhost", "localhost", "127.0.0.1", False),
        ("gone.example", "gone.example", None, False),
    ]
    failed = Resolved(None, None, Message("evidence.nxdomain"), "nxdomain", (), 3.0)
    paths = work.facts(targets, {"localhost": lookup, "gone.example": failed})
    assert len(paths.routes) == 1 and paths.route_counts == (3,)  # loopback: one route for the three
    assert paths.routes[0].source == "127.0.0.1" and paths.routes[0].gateway is None
    assert paths.route_of == {"127.0.0.1": 0, "127.0.0.2": 0, "localhost": 0}
    assert set(paths.dns) == {"localhost", "gone.example"}  # names only: an address has no lookup
    assert paths.dns["localhost"].used == "127.0.0.1" and paths.dns["gone.example"].error == Message(
        "evidence.nxdomain"
    )
    assert paths.target_json("127.0.0.2", "en") == {"route": 0, "dns": None, "trace": None}
    assert paths.route_text(0, "en").endswith(" — 3 PC(s)") and paths.route_text(0, "ja").endswith(" — 3 台")


def test_push_json_terminal_and_report_carry_the_paths_in_both_languages() -> None:
    """A real sweep of loopback targets (nothing listens on 445 and 139 there: refused)."""
    targets = parse_targets([("", "127.0.0.1"), ("", "localhost")])
    sweep = asyncio.run(PushRun(CATALOG, targets.hosts, push_engine(TimeoutPolicy(initial=0.3))).run())
    report = sweep.to_json("en")
    assert [r["source"] for r in report["routes"]] == ["127.0.0.1"] and report["routes"][0]["targets"] == 2
    assert report["traces"] == []  # loopback is no network of neighbours: nothing to trace
    by_host = {t["host"]: t["path"] for t in report["targets"]}
    assert by_host["127.0.0.1"] == {"route": 0, "dns": None, "trace": None}
    assert by_host["localhost"]["dns"]["used"] in ("127.0.0.1", "::1") and by_host["localhost"]["route"] == 0
    for lang, heading, count in (("en", "Routes", "— 2 PC(s)"), ("ja", "送信経路", "— 2 台")):
        html = render_push_report(sweep, CATALOG, lang)
        assert f"<h2>{heading}</h2>" in html and count in html
        out = io.StringIO()
        asyncio.run(run_push(targets, CATALOG, TimeoutPolicy(initial=0.3), lang, False, out))
        assert f"{heading}:\n    " in out.getvalue() and count in out.getvalue()
    assert json.loads(json.dumps(report))["targets"][0]["path"]["route"] == 0


def test_a_pc_and_a_group_get_the_network_trace_only_where_the_port_did_not_answer() -> None:
    """The window's details (core, so the words are one way): a PC's route, DNS answer and trace, its
    network's trace only when its own SMB port did not answer either; a group's routes with its own PC
    counts, its names' DNS answers (a bounded number), the traces toward its PCs and, by the same
    rule, their networks'."""

    async def scenario() -> PushRun:
        hosts = [parse_host("192.0.2.20")]
        run = PushRun(CATALOG, hosts, engine=None, icmp_api=FakeIcmp(["10.20.0.1"], None))  # type: ignore[arg-type]
        assert run.path_work is not None
        run.path_work.reader = OffLink()
        run._trace_if_it_tells(_verdict("192.0.2.20", "445-filtered"))
        await run.path_work.settle()
        return run

    run = asyncio.run(scenario())
    assert run.path_work is not None
    named = [f"pc-{n:02d}.example" for n in range(MAX_GROUP_NAMES + 2)]
    lookups = {
        name: Resolved(socket.AF_INET, f"192.0.2.{100 + n}", addresses=(f"192.0.2.{100 + n}",), lookup_ms=2.0)
        for n, name in enumerate(named)
    }
    facts: list[tuple[str, str, str | None, bool]] = [
        ("192.0.2.20", "192.0.2.20", "192.0.2.20", True),
        ("192.0.2.21", "192.0.2.21", "192.0.2.21", True),
    ]
    facts += [(name, name, lookups[name].address, False) for name in named]
    paths = run.path_work.facts(facts, lookups)
    ready = _verdict("192.0.2.21", "ready", "ready")
    silent = _verdict("192.0.2.21", "silent", "unreachable")
    sweep = PushSweep(dt.datetime.now(dt.UTC), 1.0, [], paths=paths)
    traced = "192.0.2.0/24, traced toward 192.0.2.20 (it answers on other ports, TCP 445 is filtered). Path: "
    own = [line.text for line in sweep.path_lines(_verdict("192.0.2.20", "445-filtered"), "en")]
    assert own[-1].startswith(traced) and "10.20.0.1 (hop 1)" in own[-1]
    assert sweep.path_lines(_verdict("192.0.2.20", "445-filtered"), "en")[-1].hops == "1 10.20.0.1 · 2-30 *"
    assert sweep.path_lines(silent, "en")[-1].text.startswith(traced)  # its network's trace speaks for it
    assert not any(line.text.startswith(traced) for line in sweep.path_lines(ready, "en"))  # 445 reached it
    group = [line.text for line in sweep.group_path_lines([_verdict(n, "ready", "ready") for n in named], "en")]
    assert len(paths.routes) == 1 and group[0].endswith(f" — {len(named)} PC(s)")  # the group's own count
    dns = [line for line in group if line.startswith("DNS: ")]
    assert len(dns) == MAX_GROUP_NAMES and dns[0].startswith("DNS: pc-00.example resolved to 1 address(es)")
    assert group[-1] == "… and 2 more name(s): select a PC for its own"
    assert not any(line.startswith(traced) for line in group)  # ready PCs: no network's trace
    silent_group = sweep.group_path_lines([silent], "en")  # its network's trace, as for the PC
    assert [line.text for line in silent_group if line.text.startswith(traced)] != []
    filtered = sweep.group_path_lines([_verdict("192.0.2.20", "445-filtered")], "ja")
    assert filtered[-1].text.startswith("192.0.2.0/24: 192.0.2.20 へ追跡") and filtered[-1].hops
    assert filtered[0].text.endswith(" — 1 台")


HOSTILE = "<img src=x onerror=alert(1)><b>owned</b>"


def _named_lookups(real: Callable[[str], list[tuple[Any, ...]]]) -> Callable[[str], list[tuple[Any, ...]]]:
    """The system's lookup (``core.resolver._lookup``) for the test's names, no query leaving this
    machine: ``dual.test`` has an IPv4 and an IPv6 loopback address, ``gone.invalid`` does not exist
    (the resolver says so in hostile words), ``slow.invalid`` is what glibc answers when its DNS
    server stays silent (EAI_AGAIN); ``localhost`` is the system's own (/etc/hosts)."""

    def lookup(name: str) -> list[tuple[Any, ...]]:
        if name == "dual.test":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 0)),
                (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("::1", 0, 0, 0)),
            ]
        if name == "gone.invalid":
            raise socket.gaierror(socket.EAI_NONAME, HOSTILE)
        if name == "slow.invalid":
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        assert name in ("localhost", "127.0.0.1"), name  # nothing else: no query leaves this machine
        return real(name)

    return lookup


def _dns_part(html: str) -> str:
    """The report's DNS section: from its heading to the table of every target."""
    start = html.index("<h2>", html.index("<h2>") + 1)  # after the groups (page 1)
    return html[start : html.rindex("<table>")]


def test_the_report_says_what_dns_answered_for_each_name_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real sweep of loopback targets typed by name: each name's addresses (IPv4 and IPv6), the one
    the probes used and how long the lookup took, under its group; a name that does not exist and a
    DNS server that did not answer said apart; the resolver's words escaped; page 1 (the groups and
    their guidance) comes first."""
    monkeypatch.setattr(resolver, "_lookup", _named_lookups(resolver._lookup))
    targets = parse_targets([("", n) for n in ("127.0.0.1", "localhost", "dual.test", "gone.invalid", "slow.invalid")])
    sweep = asyncio.run(PushRun(CATALOG, targets.hosts, push_engine(TimeoutPolicy(initial=0.3))).run())
    ms = r"(&lt; 0\.1|\d+(\.\d)?) ms"  # escaped, as the report has it
    loopback = r"(127\.0\.0\.1|::1)"  # /etc/hosts may give localhost ::1 too, and first
    expected = {
        "en": (
            "What DNS answered",
            rf"DNS: localhost resolved to [12] address\(es\), {loopback} was used \({ms}\)</li>",
            rf"DNS: dual\.test resolved to 2 address\(es\), 127\.0\.0\.1 was used \({ms}\); the others: ::1</li>",
            rf"DNS: gone\.invalid did not resolve, the lookup ended after {ms}: the name does not exist \(the DNS "
            r"answer is NXDOMAIN\)",
            rf"DNS: slow\.invalid did not resolve, the lookup ended after {ms}: the DNS server did not answer "
            r"\(temporary failure\)",
            "3 PC(s): TCP 445 closed",
        ),
        "ja": (
            "DNS の応答",
            rf"DNS: localhost → [12] 件のアドレス、使用したのは {loopback}\({ms}\)</li>",
            rf"DNS: dual\.test → 2 件のアドレス、使用したのは 127\.0\.0\.1\({ms}\)。ほかのアドレス: ::1</li>",
            rf"DNS: gone\.invalid は解決できませんでした\({ms} で終了\): その名前は存在しません\(DNS の応答は NXDOMAIN\)",
            rf"DNS: slow\.invalid は解決できませんでした\({ms} で終了\): DNS サーバーが応答しませんでした\(一時的な失敗\)",
            "3 台: TCP 445 が閉じています",
        ),
    }
    for lang, (heading, localhost, dual, gone, slow, closed_group) in expected.items():
        html = render_push_report(sweep, CATALOG, lang)
        assert html.index('<div class="item"') < html.index(f"<h2>{heading}</h2>")  # page 1 stays the answer
        dns = _dns_part(html)
        assert dns.count("<li>DNS: ") == 4  # the names only: 127.0.0.1 was typed as an address
        for pattern in (localhost, dual, gone, slow):
            assert re.search(pattern, dns), (lang, pattern, dns)
        # Under its own group: the two that resolved under the group of the closed port, each failure under its own.
        groups = dns.split('<div class="dns">')[1:]
        assert len(groups) == 3 and closed_group in groups[0] and "localhost" in groups[0] and "dual.test" in groups[0]
        assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;owned&lt;/b&gt;" in dns
    report = sweep.to_json("en")["targets"]
    dual_json = next(t["path"]["dns"] for t in report if t["host"] == "dual.test")
    assert (dual_json["ipv4"], dual_json["ipv6"], dual_json["used"]) == (["127.0.0.1"], ["::1"], "127.0.0.1")
    gone_json = next(t["path"]["dns"] for t in report if t["host"] == "gone.invalid")
    assert gone_json["addresses"] == [] and gone_json["lookup_ms"] is not None  # the system answered: timed


def test_the_report_bounds_a_groups_names_and_says_where_the_others_are() -> None:
    """As the window's group details: ten names a group at most, then how many more and where they are
    (the JSON written with the report); a lookup that never ended says its limit instead of a time;
    every name and word escaped."""
    work = SweepPathWork(neighbourhood_of, traced_port=SMB)
    named = [f"pc-{n:02d}.example" for n in range(MAX_GROUP_NAMES + 3)]
    lookups = {
        name: Resolved(socket.AF_INET, f"192.0.2.{100 + n}", addresses=(f"192.0.2.{100 + n}",), lookup_ms=12.0)
        for n, name in enumerate(named)
    }
    lookups["stuck.example"] = Resolved(None, None, Message("evidence.resolver-stuck", error=HOSTILE), "dns-timeout")
    lookups["late.example"] = Resolved(None, None, Message("evidence.dns-timeout", seconds="5"), "dns-timeout")
    facts = [(name, name, lookups[name].address, False) for name in named]
    facts += [("stuck.example", "stuck.example", None, False), ("late.example", "late.example", None, False)]
    paths = work.facts(facts, lookups)
    targets = [_verdict(name, "silent", "unreachable") for name in named]
    targets += [_verdict(n, "dns-timeout", "unresolved") for n in ("stuck.example", "late.example")]
    sweep = PushSweep(dt.datetime.now(dt.UTC), 1.0, targets, paths=paths)
    for lang, more, took, late in (
        ("en", "… and 3 more name(s): the JSON report written beside this one", " (12 ms)", "late.example did not "
         "resolve: the DNS server did not answer within 5 s"),
        ("ja", "…ほか 3 件の名前(各名前の応答は、このレポートと一緒に保存した JSON レポートにあります)", "(12 ms)",
         "late.example は解決できませんでした: DNS サーバーが 5 秒以内に応答しませんでした"),
    ):  # fmt: skip
        dns = _dns_part(render_push_report(sweep, CATALOG, lang))
        silent, unresolved = dns.split('<div class="dns">')[1:]  # the larger group first, as on page 1
        assert silent.count("<li>DNS: ") == MAX_GROUP_NAMES and silent.count(took) == MAX_GROUP_NAMES
        assert f"<li>{more}" in silent and "pc-10.example" not in dns  # the first ten, in the sweep's order
        assert unresolved.count("<li>DNS: ") == 2 and late in unresolved
        assert HOSTILE not in dns and "&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;owned&lt;/b&gt;" in unresolved
