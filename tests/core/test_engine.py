"""The engine against the simulated manager and real loopback servers: verdicts,
explanations, arrival order, proxy, cancellation and clean-up."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from sep_port_doctor.core import engine as engine_module
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.engine import ProbeEngine, settle_host
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Message, say_any
from sep_port_doctor.core.plan import PlanRequest, Role, build_plan
from sep_port_doctor.core.probes import Icmp, ProbeOutcome
from sep_port_doctor.core.results import AppResult, Check, CheckResult, RunSummary, Severity, State
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.privileges import running_as_root
from tests.helpers.servers import answer, dropping_port, http_response, serving
from tests.helpers.words import english, raw

CATALOG = load_catalog()
FAST = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)
CONSOLE_PORTS = ("server-https-8443", "webconsole-tcp-9090", "report-tcp-8445", "webservice-tcp-8446")


@contextlib.asynccontextmanager
async def simulator(profile: str = "healthy") -> AsyncIterator[SimulatedManager]:
    async with SimulatedManager(profile=profile, ports={p: 0 for p in SERVED_PORTS}) as manager:
        yield manager


async def run_against(
    manager: SimulatedManager, role: Role, version: str = "14.3 RU6", **kwargs: object
) -> tuple[RunSummary, dict[str, CheckResult]]:
    request = PlanRequest(
        manager=parse_host("127.0.0.1"),
        version=parse_version(version),
        role=role,
        overrides=dict(manager.bound),
        **kwargs,  # type: ignore[arg-type]
    )
    summary = await ProbeEngine(FAST, app_timeout=3.0, use_system_proxy=False).run(
        build_plan(CATALOG, request), version=request.version
    )
    return summary, {r.check.entry_id: r for r in summary.results}


def severities(results: dict[str, CheckResult], version: str = "14.3 RU6") -> dict[str, Severity]:
    return {k: explain(r, CATALOG, parse_version(version)).severity for k, r in results.items()}


def test_healthy_manager_from_a_console() -> None:
    async def scenario() -> dict[str, CheckResult]:
        async with simulator() as manager:
            return (await run_against(manager, Role.CONSOLE))[1]

    results = asyncio.run(scenario())
    for entry_id in CONSOLE_PORTS:
        assert results[entry_id].state is State.OPEN, entry_id
    version = results["webservice-tcp-8446"].application
    assert [a.test for a in version] == ["tls", "sepm-version"]
    assert all(a.ok for a in version), version
    assert version[0].evidence_json("en")["certificate"]["self_signed"] is True
    found = severities(results)
    assert found["webservice-tcp-8446"] is Severity.PASSED
    assert found["launcher-tcp-8447"] is Severity.NOT_TESTED
    assert Severity.PROBLEM not in found.values()


def test_healthy_manager_from_a_client_desk() -> None:
    async def scenario() -> dict[str, CheckResult]:
        async with simulator() as manager:
            return (await run_against(manager, Role.CLIENT))[1]

    results = asyncio.run(scenario())
    http, https = results["client-http-8014"], results["client-https-443"]
    assert http.state is State.OPEN and https.state is State.OPEN
    assert http.app_ok and https.app_ok
    assert http.address == "127.0.0.1" and http.rtt_ms is not None
    assert results["push-tcp-445"].check.local
    assert results["push-tcp-445"].state is State.LISTENING  # the simulator plays the client's 445 too
    assert results["server-https-8443"].state is State.NOT_APPLICABLE
    assert results["gup-tcp-2967"].state is State.NOT_TESTED  # applies, but no --gup: never "passed"


@pytest.mark.parametrize(
    ("profile", "entry_id", "state", "severity", "words"),
    [
        ("secars-wrong", "client-http-8014", State.OPEN, Severity.PROBLEM, "not 'OK'"),
        ("secars-error", "client-https-443", State.OPEN, Severity.PROBLEM, "HTTP 500"),
        ("cert-expired", "client-https-443", State.OPEN, Severity.PROBLEM, "expired"),
        ("cert-expiring", "client-https-443", State.OPEN, Severity.WARNING, "expires soon"),
        ("cert-wrong-name", "client-https-443", State.OPEN, Severity.WARNING, "not for 127.0.0.1"),
        ("http-down", "client-http-8014", State.CLOSED, Severity.PROBLEM, "refused"),
        ("stalled", "client-http-8014", State.OPEN, Severity.PROBLEM, "no complete answer"),
    ],
)
def test_profiles_give_their_fault(profile: str, entry_id: str, state: State, severity: Severity, words: str) -> None:
    async def scenario() -> dict[str, CheckResult]:
        async with simulator(profile) as manager:
            return (await run_against(manager, Role.CLIENT))[1]

    results = asyncio.run(scenario())
    result = results[entry_id]
    explanation = explain(result, CATALOG, parse_version("14.3 RU6"))
    assert result.state is state
    assert explanation.severity is severity, explanation.headline_for("en")
    assert words in explanation.headline_for("en")
    assert explanation.headline_for("ja") != explanation.headline_for("en")


def test_wrong_name_is_reported_with_evidence() -> None:
    """The certificate is for another host than the one typed: a warning, with the subject."""

    async def scenario() -> CheckResult:
        async with simulator("cert-wrong-name") as manager:
            return (await run_against(manager, Role.CLIENT))[1]["client-https-443"]

    result = asyncio.run(scenario())
    tls = next(a for a in result.application if a.test == "tls")
    # SEP clients pin the certificate, so a name mismatch is worth a look, not a failure.
    assert tls.ok and "not for '127.0.0.1'" in english(tls.detail)
    assert tls.evidence_json("en")["certificate"]["name_matches"] is False


def test_dropped_ports_are_filtered_and_results_arrive_in_order() -> None:
    async def scenario() -> tuple[RunSummary, dict[str, CheckResult]]:
        async with simulator("dropped") as manager:
            # On the manager's own checks: 1100 is a plain connect the simulator accepts at once.
            return await run_against(manager, Role.MANAGER)

    summary, results = asyncio.run(scenario())
    assert results["server-https-8443"].state is State.FILTERED
    assert results["webconsole-tcp-9090"].state is State.FILTERED
    assert results["server-https-8443"].attempts == 3
    assert severities(results)["server-https-8443"] is Severity.PROBLEM
    arrival = summary.arrival
    assert arrival.index("rmi-tcp-1100@127.0.0.1") < arrival.index("server-https-8443@127.0.0.1")
    times = [r.finished_at for r in sorted(summary.results, key=lambda r: arrival.index(r.check.id))]
    assert times == sorted(times)


def test_unresolvable_name_is_unresolved_with_the_resolver_answer() -> None:
    """Run in a network namespace of its own (no interfaces up): the DNS query cannot leave
    this machine, and the resolver's failure is real."""
    import json
    import shutil
    import subprocess

    from tests.helpers.command import command

    if not running_as_root() or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to isolate the resolver from the network")
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True, timeout=HANG_GUARD_S)
    if probe.returncode != 0:  # root in a container without CAP_SYS_ADMIN
        pytest.skip(f"root here cannot make a network namespace: {probe.stderr.strip()}")
    result = subprocess.run(
        ["unshare", "--net", *command(), "check", "--manager", "sepm-nowhere.corp", "--version", "14.3", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert result.returncode == 1, result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    http = checks["client-http-8014"]
    assert http["state"] == "unresolved"
    # No network at all: the DNS server cannot be asked, which is not "the name does not exist".
    assert http["cause"] == "dns-timeout" and "DNS server did not answer" in http["reason"]
    assert http["guidance"][0] == "verdict-dns-timeout"
    assert http["severity"] == "problem"


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else -1


def test_cancel_stops_every_probe_closes_sockets_and_leaves_no_task() -> None:
    async def scenario() -> tuple[bool, int, int, set[asyncio.Task[object]]]:
        # Probes that would wait 2 x 120 s unless the cancel stops them; the hang guard is far below.
        slow = TimeoutPolicy(initial=120.0, floor=120.0, cap=120.0)
        with dropping_port() as dropped:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"),
                version=parse_version("14.3"),
                role=Role.CONSOLE,
                overrides={p: dropped for p in (8443, 9090, 8445, 8446)},
            )
            before = _open_fds()
            task = asyncio.ensure_future(ProbeEngine(slow).run(build_plan(CATALOG, request)))
            await asyncio.sleep(0.2)
            assert _open_fds() > before  # the probes hold sockets now
            task.cancel()
            await asyncio.wait({task}, timeout=HANG_GUARD_S)
            cancelled = task.done() and task.cancelled()
            after = _open_fds()
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        return cancelled, before, after, others

    cancelled, before, after, pending = asyncio.run(scenario())
    assert cancelled
    assert after == before
    assert pending == set()


def test_a_run_after_a_cancel_gives_the_right_verdicts() -> None:
    async def scenario() -> tuple[bool, dict[str, CheckResult]]:
        async with simulator() as manager:
            first = asyncio.ensure_future(run_against(manager, Role.CONSOLE))
            await asyncio.sleep(0.01)
            first.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first
            return first.cancelled(), (await run_against(manager, Role.CONSOLE))[1]

    cancelled, again = asyncio.run(scenario())
    assert cancelled
    # What the healthy manager really serves to a console, not merely what a second run said.
    for entry_id in CONSOLE_PORTS:
        assert again[entry_id].state is State.OPEN, entry_id
        assert again[entry_id].app_ok is not False, again[entry_id].application
    assert again["webservice-tcp-8446"].app_ok
    assert again["launcher-tcp-8447"].state is State.NOT_APPLICABLE
    assert Severity.PROBLEM not in severities(again).values()


def test_system_proxy_runs_http_checks_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.proxy import forward_proxy

    async def scenario() -> CheckResult:
        async with simulator() as manager, forward_proxy() as proxy:
            monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
            monkeypatch.setenv("no_proxy", "")
            monkeypatch.delenv("NO_PROXY", raising=False)
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), overrides=dict(manager.bound)
            )
            summary = await ProbeEngine(FAST, use_system_proxy=True).run(build_plan(CATALOG, request))
            assert proxy.requests and proxy.requests[0].startswith("GET http://127.0.0.1:")
            return next(r for r in summary.results if r.check.entry_id == "client-http-8014")

    result = asyncio.run(scenario())
    vias = [a.via for a in result.application]
    assert vias[0] == "direct" and vias[1].startswith("proxy 127.0.0.1:")
    assert all(a.ok for a in result.application)


def test_proxy_that_refuses_is_reported_next_to_the_direct_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.proxy import forward_proxy

    async def scenario() -> CheckResult:
        async with simulator() as manager, forward_proxy(deny=True) as proxy:
            monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
            monkeypatch.setenv("no_proxy", "")
            monkeypatch.delenv("NO_PROXY", raising=False)
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), overrides=dict(manager.bound)
            )
            summary = await ProbeEngine(FAST).run(build_plan(CATALOG, request))
            return next(r for r in summary.results if r.check.entry_id == "client-http-8014")

    result = asyncio.run(scenario())
    direct, proxied = result.application
    assert direct.ok and not proxied.ok and "403" in english(proxied.detail)
    explanation = explain(result, CATALOG, parse_version("14.3"))
    # Clients from 14.2 use only the system proxy: it stops them. The manager answered right, so the proxy is blamed.
    assert explanation.severity is Severity.PROBLEM
    assert explanation.guidance[0] == "proxy-failed"
    headline = explanation.headline_for("en")
    assert headline.startswith("direct: HTTP 200, body 'OK'; through proxy 127.0.0.1:")
    assert "the proxy failed: HTTP 403" in headline and "manager's answer" not in headline
    older = explain(result, CATALOG, parse_version("14.0"))
    assert older.severity is Severity.WARNING  # older clients try the direct path first


def test_local_push_checks_against_real_listeners() -> None:
    """The push ports checked on this PC, with the listener moved to free ports by overrides."""

    async def scenario() -> dict[str, CheckResult]:
        async with serving(lambda r, w: asyncio.sleep(0)) as listener:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"),
                version=parse_version("14.3"),
                overrides={445: listener.port, 139: 1},
                platform="win32",
            )
            summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return {r.check.entry_id: r for r in summary.results}

    results = asyncio.run(scenario())
    assert results["push-tcp-445"].state is State.LISTENING
    assert results["push-tcp-139"].state is State.NOT_LISTENING
    explanation = explain(results["push-tcp-139"], CATALOG)
    assert explanation.severity is Severity.PROBLEM
    # Not listening leads with the service (Server, NetBIOS over TCP/IP): a firewall does not unbind a socket.
    ids = list(explanation.guidance)
    assert ids == ["local-not-listening", "server-service"]


def test_ipv6_literal_in_brackets_against_a_manager_on_ipv6_loopback() -> None:
    import socket

    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")

    async def scenario() -> dict[str, CheckResult]:
        async with SimulatedManager(bind="::1", ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = PlanRequest(
                manager=parse_host("[::1]"), version=parse_version("14.3"), overrides=dict(manager.bound)
            )
            summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return {r.check.entry_id: r for r in summary.results}

    results = asyncio.run(scenario())
    http, https = results["client-http-8014"], results["client-https-443"]
    assert http.state is State.OPEN and http.address == "::1"
    assert http.app_ok and https.app_ok
    assert "http://[::1]:" in http.application[0].evidence_json("en")["url"]


def test_version_read_from_the_manager(tmp_path: Path) -> None:
    from sep_port_doctor.core.checks.version_api import sepm_version_check

    async def scenario() -> str | None:
        async with simulator() as manager:
            result = await sepm_version_check(parse_host("127.0.0.1"), manager.bound[8446], 2.0, None)
        return result.evidence_json("en").get("reported_release")

    assert asyncio.run(scenario()) == "14.3 RU6 (14.3.9205.6000)"


def test_push_blocked_profile_shows_the_push_guidance_at_a_client_desk() -> None:
    async def scenario() -> dict[str, CheckResult]:
        async with simulator("push-blocked") as manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), overrides=dict(manager.bound),
                platform="win32",
            )  # fmt: skip
            summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return {r.check.entry_id: r for r in summary.results}

    results = asyncio.run(scenario())
    push = results["push-tcp-445"]
    assert push.check.local and push.state is State.FILTERED
    explanation = explain(push, CATALOG)
    assert explanation.severity is Severity.PROBLEM
    assert "allow-file-printer-sharing" in list(explanation.guidance)
    assert results["client-http-8014"].state is State.OPEN


def test_healthy_simulator_plays_a_listening_client_too() -> None:
    async def scenario() -> CheckResult:
        async with simulator() as manager:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3"), overrides=dict(manager.bound),
                platform="win32",
            )  # fmt: skip
            summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return next(r for r in summary.results if r.check.entry_id == "push-tcp-445")

    assert asyncio.run(scenario()).state is State.LISTENING


def test_local_gup_not_listening_is_explained() -> None:
    from tests.helpers.servers import closed_port

    async def scenario(port: int) -> CheckResult:
        request = PlanRequest(
            manager=parse_host("127.0.0.1"), version=parse_version("14.3"), local_gup=True, overrides={2967: port},
        )  # fmt: skip
        summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return next(r for r in summary.results if r.check.id == "gup-tcp-2967@[this_pc]")

    with closed_port() as port:
        result = asyncio.run(scenario(port))
    assert result.state is State.NOT_LISTENING
    explanation = explain(result, CATALOG)
    assert explanation.severity is Severity.PROBLEM and explanation.guidance[0] == "gup-port"


class HelloGate:
    """A relay in front of a TLS port that passes nothing on until ``needed`` connections have
    each sent their first bytes (a TLS ClientHello), all held open at once. Steps that ran one
    after the other would each wait out their deadline here; steps that run concurrently pass.
    Connections that send nothing (the port probe's connect) are let go."""

    def __init__(self, backend_port: int, needed: int) -> None:
        self.backend_port = backend_port
        self.needed = needed
        self.hellos = 0
        self.most_held = 0
        self.held = 0
        self.open = asyncio.Event()
        self.port = 0
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> HelloGate:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        await self._server.wait_closed()

    def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.read(65536)
            if not first:
                return
            self.hellos += 1
            self.held += 1
            self.most_held = max(self.most_held, self.held)
            if self.held >= self.needed:
                self.open.set()
            try:
                await asyncio.wait_for(self.open.wait(), timeout=HANG_GUARD_S)
            finally:
                self.held -= 1
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.backend_port)
            up_writer.write(first)

            async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
                sink.close()

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()


def test_tls_facts_and_the_https_heartbeat_of_one_port_run_at_the_same_time() -> None:
    """Issue 10 item 10: on a slow link the TLS facts and the secars heartbeat on 443 took two
    round-trip-bound exchanges one after the other. Here neither gets an answer until both are
    connected at once; one after the other, each would fail at its deadline."""

    async def scenario() -> tuple[CheckResult, HelloGate]:
        async with simulator() as manager, HelloGate(manager.bound[443], needed=2) as gate:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"),
                version=parse_version("14.3 RU6"),
                role=Role.CLIENT,
                overrides={**manager.bound, 443: gate.port},
            )
            summary = await asyncio.wait_for(
                ProbeEngine(FAST, app_timeout=3.0, use_system_proxy=False).run(build_plan(CATALOG, request)),
                timeout=HANG_GUARD_S,
            )
            return next(r for r in summary.results if r.check.entry_id == "client-https-443"), gate

    result, gate = asyncio.run(scenario())
    assert result.state is State.OPEN
    assert [(a.test, a.ok) for a in result.application] == [("tls", True), ("secars-https", True)], [
        a.detail for a in result.application
    ]
    assert gate.hellos == 2 and gate.most_held == 2


def _outcome(state: State, cause: str, reason: Message | None = None, router: str | None = None) -> ProbeOutcome:
    return ProbeOutcome(state, reason or Message("evidence.no-response", count=1), None, 1, None, cause, router)


def test_a_routers_unreachable_is_about_the_host_and_told_once() -> None:
    """Routers rate-limit host-unreachable: one probe gets it, the others are silent. Every port
    of that host is unreachable with one explanation (issue 10 item 6)."""
    outcomes = {
        ("far", "tcp", 8014): _outcome(
            State.UNREACHABLE,
            "host-unreach",
            Message("evidence.icmp-router", icmp=Icmp(3, 1, "10.9.9.1").describe()),
            "10.9.9.1",
        ),
        ("far", "tcp", 443): _outcome(State.FILTERED, "no-response"),
        ("far", "udp", 138): _outcome(State.OPEN_FILTERED, "no-response"),
    }
    settled = settle_host(outcomes)
    assert {o.state for o in settled.values()} == {State.UNREACHABLE}
    assert {o.cause for o in settled.values()} == {"host-unreach"}
    assert len({o.reason for o in settled.values()}) == 1
    assert "router 10.9.9.1 says the host cannot be reached (1 of 3 probes" in english(
        settled[("far", "tcp", 443)].reason
    )


def test_an_unreachable_for_one_port_while_the_host_answers_is_a_filter() -> None:
    """Without the ICMP sender (Windows gives only WSAEHOSTUNREACH), an unreachable for one port
    of a host that answers on others is a filter rejecting that port, not a dead host."""
    outcomes = {
        ("sepm", "tcp", 8014): _outcome(State.OPEN, "syn-ack"),
        ("sepm", "tcp", 8765): _outcome(
            State.UNREACHABLE, "host-unreach", Message("evidence.host-unreach-error", error="No route to host")
        ),
        ("sepm", "tcp", 9090): _outcome(State.FILTERED, "no-response"),
    }
    settled = settle_host(outcomes)
    assert settled[("sepm", "tcp", 8765)].state is State.FILTERED
    assert settled[("sepm", "tcp", 8765)].cause == "port-rejected"
    assert settled[("sepm", "tcp", 9090)] == outcomes[("sepm", "tcp", 9090)]
    assert settled[("sepm", "tcp", 8014)] == outcomes[("sepm", "tcp", 8014)]


def test_an_exchange_that_timed_out_on_a_lossy_path_is_tried_as_often_as_the_path_lost() -> None:
    """At 25 % loss the heartbeat outlasts 5 s one time in nine (the kernel's own retransmissions
    back off) and the manager was blamed: 1 run in 30 of probe_speed's loss-25% exited 1 after two
    tries. Where the path lost packets, it gets as many tries as the unluckiest answer needed
    attempts (at least 2, at most 4); a clean path, one (the server stalls)."""
    from sep_port_doctor.core.checks.secars import secars_check
    from sep_port_doctor.core.engine import _again_on_a_lossy_path
    from sep_port_doctor.core.timing import PathTiming
    from tests.helpers.servers import never_answer

    async def stalled(times: int, answered_on: int) -> tuple[AppResult, int]:
        """A server that stalls ``times`` exchanges, then answers; the path's unluckiest answer came to attempt ``answered_on``."""
        tries = 0
        async with serving(never_answer) as stalling, serving(answer(http_response(200, b"OK"))) as healthy:

            async def heartbeat() -> AppResult:
                nonlocal tries
                tries += 1
                port = stalling.port if tries <= times else healthy.port
                return await secars_check("http", parse_host("127.0.0.1"), port, 0.3)

            path = PathTiming(FAST)
            path.far_answer(0.001, attempt=answered_on)
            return await _again_on_a_lossy_path(heartbeat, path), tries

    result, tries = asyncio.run(stalled(1, answered_on=2))
    assert tries == 2 and result.ok and result.tries == result.evidence_json("en")["tries"] == 2
    assert "no complete answer within 0.3 s" in result.evidence_json("en")["first_try"]
    # The failing run's path: answers came to the 3rd and 4th attempts.
    result, tries = asyncio.run(stalled(3, answered_on=4))
    assert tries == 4 and result.ok and result.evidence_json("en")["tries"] == 4
    result, tries = asyncio.run(stalled(2, answered_on=2))  # little loss: two tries, then told
    assert tries == 2 and not result.ok and result.evidence_json("en")["timed_out"] is True
    assert result.evidence_json("en")["tries"] == 2
    # Not "the server stalls": the path lost packets, and the words say so (the first try's own stay in the evidence).
    assert say_any(result.detail, "en") == (
        "no complete answer within 0.3 s in any of 2 tries, on a path that lost packets in this run (an answer"
        " came only to attempt 2), so the network may be at fault rather than the manager"
    )
    assert "2 回試しても" in say_any(result.detail, "ja") and "ネットワーク" in say_any(result.detail, "ja")
    assert "stalls" in result.evidence_json("en")["first_try"]
    request = PlanRequest(manager=parse_host("sepm"), version=parse_version("14.3"), role=Role.CLIENT)
    check = next(c for c in build_plan(load_catalog(), request) if c.entry_id == "client-http-8014")
    said = explain(CheckResult(check, State.OPEN, raw("syn-ack"), application=(result,)), load_catalog())
    assert said.headline_for("en").startswith("The port is open, but the heartbeat did not get through: no complete")
    assert "answer is wrong" not in said.headline_for("en") and "ハートビートが通りませんでした" in said.headline_for(
        "ja"
    )
    result, tries = asyncio.run(stalled(9, answered_on=8))  # at most 4
    assert tries == 4 and not result.ok and result.evidence_json("en")["tries"] == 4
    result, tries = asyncio.run(stalled(1, answered_on=1))
    assert (
        tries == 1
        and not result.ok
        and result.evidence_json("en")["timed_out"] is True
        and "tries" not in result.evidence_json("en")
    )  # a clean path: the server stalls


def test_cancelling_a_run_abandons_a_lookup_the_system_is_stuck_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """A silent DNS server holds getaddrinfo for tens of seconds and nothing can interrupt it:
    the cancelled run ends at once, leaves no task, and the stuck thread is abandoned (a real
    silent DNS server: tests/integration, test_silent_dns_server_...)."""
    import threading

    from sep_port_doctor.core import resolver

    release = threading.Event()
    asked: list[str] = []

    def stuck_lookup(name: str) -> list[tuple[object, ...]]:
        asked.append(name)
        release.wait(HANG_GUARD_S)
        raise OSError("released")

    monkeypatch.setattr(resolver, "_lookup", stuck_lookup)

    async def scenario() -> tuple[bool, float, set[asyncio.Task[object]], int]:
        request = PlanRequest(manager=parse_host("sepm.corp.example"), version=parse_version("14.3"), role=Role.CONSOLE)
        task = asyncio.ensure_future(ProbeEngine(FAST).run(build_plan(CATALOG, request)))
        for _ in range(200):  # until the lookup is under way (bounded)
            await asyncio.sleep(0.01)
            if asked:
                break
        started = time.perf_counter()
        task.cancel()
        await asyncio.wait({task}, timeout=HANG_GUARD_S)
        took = time.perf_counter() - started
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        return task.cancelled(), took, others, resolver.active_threads()

    try:
        cancelled, took, pending, stuck = asyncio.run(scenario())
    finally:
        release.set()
    assert asked == ["sepm.corp.example"]  # one lookup per name for the whole run
    assert cancelled and pending == set()
    assert stuck >= 1  # abandoned, still in the system: no pool that it could exhaust
    assert took < HANG_GUARD_S / 2  # hang guard: the lookup alone holds for the whole guard


def test_one_run_holds_several_managers_each_with_its_own_verdicts() -> None:
    """Two managers' checks in one run (127.0.0.1 answers secars right, 127.0.0.2 wrong): the
    same entry on two hosts is two checks, and neither verdict overwrites the other."""

    async def scenario() -> dict[str, CheckResult]:
        async with (
            SimulatedManager(bind="127.0.0.1", ports={p: 0 for p in SERVED_PORTS}) as good,
            SimulatedManager(bind="127.0.0.2", profile="secars-wrong", ports={p: 0 for p in SERVED_PORTS}) as bad,
        ):
            checks = [
                check
                for manager in (good, bad)
                for check in build_plan(
                    CATALOG,
                    PlanRequest(
                        manager=parse_host(manager.bind),
                        version=parse_version("14.3 RU6"),
                        overrides=dict(manager.bound),
                        platform="win32",
                    ),
                )
                if check.host is not None
            ]
            summary = await ProbeEngine(FAST, app_timeout=3.0, use_system_proxy=False).run(checks)
            assert [r.check for r in summary.results] == checks
            return {r.check.id: r for r in summary.results}

    results = asyncio.run(scenario())
    assert len(results) == 4  # 8014 and 443 on each manager
    good, bad = results["client-http-8014@127.0.0.1"], results["client-http-8014@127.0.0.2"]
    assert good.state is State.OPEN and good.app_ok is True and good.address == "127.0.0.1"
    assert bad.state is State.OPEN and bad.app_ok is False and bad.address == "127.0.0.2"
    assert results["client-https-443@127.0.0.1"].app_ok is True
    assert results["client-https-443@127.0.0.2"].app_ok is False


def test_a_run_refuses_two_checks_with_one_id() -> None:
    request = PlanRequest(manager=parse_host("127.0.0.1"), version=parse_version("14.3"))
    check = next(c for c in build_plan(CATALOG, request) if c.host is not None)
    with pytest.raises(ValueError, match="unique"):
        asyncio.run(ProbeEngine(FAST, use_system_proxy=False).run([check, check]))


def test_entries_that_share_a_port_share_one_probe_and_one_run_of_each_application_check() -> None:
    """``--all-ports``: three catalogue entries are on 443 of the manager (the client's HTTPS, the
    cloud console's, roaming clients'). The port is probed once and its TLS facts and heartbeat run
    once: the server sees one connection for each, not one per entry."""

    async def scenario() -> tuple[int, list[CheckResult]]:
        async with serving(answer(http_response(200, b"OK"))) as server:
            request = PlanRequest(
                manager=parse_host("127.0.0.1"), version=parse_version("14.3 RU6"), role=Role.CONSOLE,
                all_ports=True, overrides={443: server.port},
            )  # fmt: skip
            on_443 = [c for c in build_plan(CATALOG, request) if c.default_port == 443 and not c.skip]
            summary = await ProbeEngine(FAST, app_timeout=1.0, use_system_proxy=False).run(on_443)
            return server.connections, summary.results

    connections, results = asyncio.run(scenario())
    assert len(results) == 3 and {r.check.port for r in results} == {results[0].check.port}
    assert {(r.state, r.rtt_ms, r.attempts) for r in results} == {(results[0].state, results[0].rtt_ms, 1)}
    tests = [a.test for r in results for a in r.application]
    assert sorted(tests) == ["secars-https", "tls"]  # once each, on the entry whose checks they are
    assert connections == 3  # the port probe, the TLS handshake, the heartbeat over TLS


def _nine_loopback_hosts_all_ports() -> list[Check]:
    """``--all-ports`` against 127.0.0.1-9: 216 checks, nothing listening (refused at once)."""
    checks: list[Check] = []
    for n in range(1, 10):
        request = PlanRequest(manager=parse_host(f"127.0.0.{n}"), version=parse_version("14.3"), all_ports=True)
        checks += [dataclasses.replace(c, id=f"{c.id}#{n}") for c in build_plan(CATALOG, request)]
    return checks


class _ProbeStarts:
    """The turn of the loop each probe of a run starts in: a callback that runs once each turn
    (it schedules itself for the next) numbers the turns; the engine's probes note the number."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.turn = 0
        self.turns: list[int] = []
        self.counting = False
        for name in ("tcp_probe", "udp_probe"):
            monkeypatch.setattr(engine_module, name, self._noting(getattr(engine_module, name)))

    def _noting(self, probe: Callable[..., object]) -> Callable[..., object]:
        def started(*args: object, **kwargs: object) -> object:
            self.turns.append(self.turn)
            return probe(*args, **kwargs)

        return started

    def count(self) -> None:
        self.counting = True
        asyncio.get_running_loop().call_soon(self._next)

    def _next(self) -> None:
        self.turn += 1
        if self.counting:
            asyncio.get_running_loop().call_soon(self._next)

    def most_in_one_turn(self) -> int:
        return max(self.turns.count(turn) for turn in set(self.turns))


def test_a_run_of_hundreds_of_checks_starts_a_few_probes_per_turn_with_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """216 checks at once: no turn of the loop (the window's) starts more than STARTS_PER_TURN
    probes; without the limit one turn starts far more, and the verdicts are the same."""
    checks = _nine_loopback_hosts_all_ports()
    starts = _ProbeStarts(monkeypatch)
    limit = engine_module.STARTS_PER_TURN

    async def run() -> dict[str, tuple[State, str | None]]:
        starts.turns.clear()
        starts.count()
        engine = ProbeEngine(FAST, max_sockets=256, use_system_proxy=False)
        summary = await asyncio.wait_for(engine.run(checks), HANG_GUARD_S)
        starts.counting = False
        return {r.check.id: (r.state, r.cause) for r in summary.results}

    limited = asyncio.run(run())
    limited_starts = list(starts.turns)
    most_limited = starts.most_in_one_turn()
    monkeypatch.setattr(engine_module, "STARTS_PER_TURN", 100_000)
    monkeypatch.setattr(engine_module, "TASKS_PER_TURN", 100_000)  # every check's task in one turn too
    unlimited = asyncio.run(run())
    most_unlimited = starts.most_in_one_turn()

    assert len(limited_starts) == len(starts.turns) > 150  # the UDP and TCP probes of 9 hosts
    assert most_limited == limit
    assert len(set(limited_starts)) >= len(limited_starts) / limit
    assert most_unlimited > 4 * limit  # the count sees a burst where there is one
    assert limited == unlimited


def test_cancelling_a_run_whose_probes_wait_for_their_turn_starts_none_of_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancelled two turns in, most of the 216 checks' probes still wait for their turn: the run
    ends cancelled, they never start (those let go before the cancel reached their tasks, one or
    two turns' worth, do, and are closed at once), every socket is closed and no task is left."""
    checks = _nine_loopback_hosts_all_ports()
    starts = _ProbeStarts(monkeypatch)

    async def scenario() -> tuple[bool, int, int, int, float, set[asyncio.Task[object]]]:
        before = _open_fds()
        engine = ProbeEngine(TimeoutPolicy(initial=120.0, floor=120.0, cap=120.0), max_sockets=256)
        task = asyncio.ensure_future(engine.run(checks, version=parse_version("14.3")))
        while not starts.turns:  # the names resolved (no lookup for a literal address: a few turns)
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        started_at_cancel = len(starts.turns)
        asked = time.perf_counter()
        task.cancel()
        await asyncio.wait({task}, timeout=HANG_GUARD_S)
        took = time.perf_counter() - asked
        for _turn in range(50):  # any probe let go after the cancel would start in these turns
            await asyncio.sleep(0)
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        return task.cancelled(), started_at_cancel, len(starts.turns), _open_fds() - before, took, others

    cancelled, at_cancel, in_all, left, took, others = asyncio.run(scenario())
    assert cancelled
    assert 0 < at_cancel <= 2 * engine_module.STARTS_PER_TURN  # two turns' starts: the others were waiting
    assert in_all <= at_cancel + 2 * engine_module.STARTS_PER_TURN < 100
    assert left == 0 and others == set()
    assert took < HANG_GUARD_S


def test_socket_slots_survive_a_mass_cancel_and_hand_on_a_slot_given_as_it_was_cancelled() -> None:
    """The engine's socket slots (engine._Slots): after the waiting probes of a cancelled run are cancelled at
    once, the holders' releases leave every slot free and nobody queued; a waiter handed a slot in the same
    turn as it is cancelled passes the slot on instead of losing it; waiters go first come, first served."""

    async def scenario() -> tuple[int, int, list[str], int]:
        slots = engine_module._Slots(2)
        holding = asyncio.Event()
        let_go = asyncio.Event()
        order: list[str] = []

        async def hold(name: str) -> None:
            async with slots:
                order.append(name)
                holding.set()
                await let_go.wait()

        holders = [asyncio.ensure_future(hold(f"holder{i}")) for i in range(2)]
        await holding.wait()
        waiters = [asyncio.ensure_future(hold(f"waiter{i}")) for i in range(300)]
        await asyncio.sleep(0)
        for waiter in waiters:
            waiter.cancel()
        let_go.set()
        await asyncio.gather(*holders, *waiters, return_exceptions=True)
        free_after_cancel, queued = slots.free, len(slots.waiting)

        # Handed a slot (the holder leaves) and cancelled before it runs: the slot goes on to the next.
        let_go.clear()
        first = asyncio.ensure_future(hold("first"))
        second = asyncio.ensure_future(hold("second"))
        await asyncio.sleep(0)
        late = [asyncio.ensure_future(hold(name)) for name in ("late1", "late2")]
        await asyncio.sleep(0)
        let_go.set()
        await asyncio.sleep(0)  # "first" and "second" leave: "late1" and "late2" are handed their slots
        late[0].cancel()
        await asyncio.wait_for(asyncio.gather(first, second, late[1], late[0], return_exceptions=True), HANG_GUARD_S)
        return free_after_cancel, queued, order, slots.free

    free_after_cancel, queued, order, free_at_end = asyncio.run(scenario())
    assert (free_after_cancel, queued) == (2, 0)
    assert order == ["holder0", "holder1", "first", "second", "late2"]
    assert free_at_end == 2
