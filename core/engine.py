"""Runs a plan: every probe concurrently, with a bounded number of sockets.

Results are delivered as they arrive (``on_result``) and returned in plan order.
Cancelling the run cancels every probe; each probe closes its sockets on the way out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.errors import UserError
from core.hosts import special_address
from core.http_checks import secars_check, sepm_version_check, system_proxy, url_for
from core.localpc.sockets import (
    Endpoint,
    SocketTableUnavailable,
    confirm_tcp,
    facing_address,
    judge_listening,
    read_socket_table,
)
from core.netbios import NetbiosError, node_status_query, parse_node_status
from core.probes import ProbeOutcome, Resolved, resolve, tcp_probe, udp_probe
from core.results import AppResult, AppTest, Check, CheckResult, State
from core.timing import RttEstimator, TimeoutPolicy
from core.tlsinfo import TlsFailure, describe_certificate_problems, describe_certificate_warnings, tls_probe
from core.versions import SepVersion

DEFAULT_MAX_SOCKETS = 64


async def _read_socket_table() -> tuple[Endpoint, ...]:
    """Read once per run, on the loop's own thread: a Python thread here would let the garbage
    collector run there and destroy Qt objects off the GUI thread (seen as "QObject::~QObject:
    Timers cannot be stopped from another thread", then a crash). On Windows the OS call is
    quick; on a busy Linux PC psutil takes tens of milliseconds, once."""
    await asyncio.sleep(0)
    return read_socket_table()


DEFAULT_APP_TIMEOUT = 5.0

ResultCallback = Callable[[CheckResult], None]

log = logging.getLogger(__name__)


def syslog_test_message() -> bytes:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    host = socket.gethostname()[:64] or "-"
    return f"<14>1 {stamp} {host} sep-port-doctor - - - SEP Port Doctor connectivity test".encode()


@dataclass
class Step:
    """Where a check is (for the evidence of an error verdict): its step and what it saw so far."""

    name: str
    address: str | None = None
    port_state: State | None = None


@dataclass
class RunSummary:
    started: dt.datetime
    duration_ms: float
    results: list[CheckResult]
    """In plan order."""
    arrival: list[str] = field(default_factory=list)
    """Check ids in the order their results arrived."""


class ProbeEngine:
    def __init__(
        self,
        policy: TimeoutPolicy | None = None,
        *,
        max_sockets: int = DEFAULT_MAX_SOCKETS,
        app_timeout: float | None = None,
        use_system_proxy: bool = True,
    ) -> None:
        self.policy = policy or TimeoutPolicy()
        self.max_sockets = max_sockets
        self.app_timeout = app_timeout if app_timeout is not None else DEFAULT_APP_TIMEOUT
        self.use_system_proxy = use_system_proxy

    async def run(
        self, checks: Sequence[Check], *, version: SepVersion | None = None, on_result: ResultCallback | None = None
    ) -> RunSummary:
        run = _Run(self, version, on_result)
        return await run.execute(checks)


class _Run:
    def __init__(self, engine: ProbeEngine, version: SepVersion | None, on_result: ResultCallback | None) -> None:
        self.engine = engine
        self.version = version
        self.on_result = on_result
        self.sockets = asyncio.Semaphore(engine.max_sockets)
        self.resolved: dict[str, asyncio.Task[Resolved]] = {}
        self.estimators: dict[str, RttEstimator] = {}
        self.results: dict[str, CheckResult] = {}
        self.steps: dict[str, Step] = {}
        self.arrival: list[str] = []
        self.t0 = 0.0
        self.socket_table: asyncio.Future[tuple[Endpoint, ...]] | None = None
        """This PC's socket table, read once per run (off the loop: psutil blocks)."""

    def estimator(self, address: str) -> RttEstimator:
        if address not in self.estimators:
            self.estimators[address] = RttEstimator(self.engine.policy)
        return self.estimators[address]

    def _deliver(self, result: CheckResult) -> None:
        result = dataclasses.replace(result, finished_at=time.perf_counter() - self.t0)
        self.results[result.check.id] = result
        self.arrival.append(result.check.id)
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception:  # a display that failed on one result must not stop the other checks
                log.exception("the result callback failed for %s", result.check.id)

    async def execute(self, checks: Sequence[Check]) -> RunSummary:
        started = dt.datetime.now(dt.UTC)
        self.t0 = time.perf_counter()
        try:
            async with asyncio.TaskGroup() as group:
                for check in checks:
                    group.create_task(self._one(check), name=f"probe {check.id}")
        finally:
            # Cancelled or not, no resolver task outlives the run.
            for task in self.resolved.values():
                task.cancel()
            if self.resolved:
                await asyncio.wait(self.resolved.values())
            if self.socket_table is not None and not self.socket_table.done():
                self.socket_table.cancel()
                await asyncio.wait({self.socket_table})
        ordered = [self.results[c.id] for c in checks]
        return RunSummary(started, (time.perf_counter() - self.t0) * 1000, ordered, self.arrival)

    async def _resolve(self, name: str) -> Resolved:
        if name not in self.resolved:
            self.resolved[name] = asyncio.ensure_future(resolve(name))
        return await asyncio.shield(self.resolved[name])

    async def _one(self, check: Check) -> None:
        if check.skip:
            state = State.NOT_APPLICABLE if not check.applies else State.NOT_TESTED
            self._deliver(CheckResult(check, state, check.reason))
            return
        self.steps[check.id] = Step(f"local {check.protocol}" if check.local else "resolve")
        try:
            async with self.sockets:
                result = await self._probe(check)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # one bad answer never sinks the run: this check's error verdict
            result = self._failed(check, exc)
        self._deliver(result)

    def _failed(self, check: Check, exc: BaseException) -> CheckResult:
        step = self.steps[check.id]
        log.error("check %s failed at step %s", check.id, step.name, exc_info=exc)
        message = str(exc)[:300]
        evidence = {"step": step.name, "exception": exc.__class__.__name__, "message": message}
        if step.port_state is not None:
            evidence["port_state"] = str(step.port_state)
        words = f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__
        return CheckResult(
            check,
            State.ERROR,
            f"the check failed at its {step.name} step ({words})",
            step.address,
            error=evidence,
        )

    async def _probe(self, check: Check) -> CheckResult:
        if check.local:
            return await self._probe_local(check)
        assert check.host is not None
        step = self.steps[check.id]
        resolved = await self._resolve(check.host.name)
        if not resolved.ok or resolved.family is None or resolved.address is None:
            return CheckResult(check, State.UNRESOLVED, resolved.error or "the name does not resolve")
        step.name, step.address = check.protocol, resolved.address
        refused = special_address(ipaddress.ip_address(resolved.address.partition("%")[0]))
        if refused is not None:
            # A name that resolves to a broadcast or multicast address gets nothing sent to it.
            why = UserError(refused, text=resolved.address).message("en")
            return CheckResult(check, State.NOT_TESTED, f"{check.host.name} resolves to {why}: nothing was sent")
        estimator = self.estimator(resolved.address)
        if check.protocol == "tcp":
            outcome = await tcp_probe(resolved.family, resolved.address, check.port, estimator)
        else:
            outcome = await udp_probe(
                resolved.family,
                resolved.address,
                check.port,
                self._udp_payload(check),
                estimator,
                expect_answer=AppTest.NETBIOS_STATUS in check.app_tests,
            )
        application: tuple[AppResult, ...] = ()
        step.port_state = outcome.state
        if outcome.state in (State.OPEN, State.OPEN_FILTERED) and check.app_tests:
            application = await self._application(check, resolved, outcome)
        return CheckResult(
            check, outcome.state, outcome.reason, resolved.address, outcome.rtt_ms, outcome.attempts, application
        )

    def _udp_payload(self, check: Check) -> bytes:
        if AppTest.NETBIOS_STATUS in check.app_tests or check.default_port == 137:
            return node_status_query()
        if AppTest.SYSLOG_SEND in check.app_tests:
            return syslog_test_message()
        return b""

    async def _probe_local(self, check: Check) -> CheckResult:
        """Is this PC listening where the manager connects? The OS's socket table says."""
        facing = None
        if check.peer is not None:
            resolved = await self._resolve(check.peer.name)
            facing = facing_address(resolved.address) if resolved.address else None
        if self.socket_table is None:
            self.socket_table = asyncio.ensure_future(_read_socket_table())
        try:
            table = await asyncio.shield(self.socket_table)
        except SocketTableUnavailable as exc:
            if check.protocol != "tcp":
                return CheckResult(check, State.NOT_TESTED, str(exc))
            # Without the table, a connect to the facing address is the best evidence left.
            address = facing or "127.0.0.1"
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            outcome = await tcp_probe(family, address, check.port, self.estimator("local"))
            state = {State.OPEN: State.LISTENING, State.CLOSED: State.NOT_LISTENING}.get(outcome.state, outcome.state)
            return CheckResult(check, state, f"{exc}; {outcome.reason} on {address}", None, outcome.rtt_ms)
        verdict = judge_listening(table, check.protocol, check.port, facing)
        evidence = [e.shown for e in verdict.bound]
        if verdict.connect_to is None:
            return CheckResult(check, verdict.state, verdict.reason, facing, local_sockets=tuple(evidence))
        state, reason, rtt = await confirm_tcp(verdict, check.port, self.estimator("local"))
        return CheckResult(check, state, reason, facing, rtt, local_sockets=tuple(evidence))

    async def _application(self, check: Check, resolved: Resolved, outcome: ProbeOutcome) -> tuple[AppResult, ...]:
        assert check.host is not None and resolved.address is not None
        timeout = self.engine.app_timeout
        results: list[AppResult] = []
        for test in check.app_tests:
            self.steps[check.id].name = str(test)
            if test is AppTest.TLS:
                results.append(await self._tls(check, resolved.address, timeout))
            elif test in (AppTest.SECARS_HTTP, AppTest.SECARS_HTTPS):
                scheme = "https" if test is AppTest.SECARS_HTTPS else "http"
                results.append(await secars_check(scheme, check.host, check.port, timeout))
                proxy = (
                    system_proxy(url_for(scheme, check.host, check.port, "/"), check.host)
                    if self.engine.use_system_proxy
                    else None
                )
                if proxy is not None:
                    results.append(await secars_check(scheme, check.host, check.port, timeout, proxy=proxy))
            elif test is AppTest.SEPM_VERSION:
                results.append(await sepm_version_check(check.host, check.port, timeout, self.version))
            elif test is AppTest.NETBIOS_STATUS and outcome.answer is not None:
                results.append(_netbios_result(outcome.answer))
            elif test is AppTest.SYSLOG_SEND:
                results.append(
                    AppResult(
                        test,
                        outcome.state is not State.CLOSED,
                        "a test message was sent; syslog does not answer, so check the server's log for "
                        "'SEP Port Doctor connectivity test'",
                    )
                )
        return tuple(results)

    async def _tls(self, check: Check, address: str, timeout: float) -> AppResult:
        assert check.host is not None
        started = time.perf_counter()
        server_name = None if check.host.is_ip else check.host.name
        try:
            facts = await tls_probe(address, check.port, server_name, check.host.name, timeout)
        except TlsFailure as exc:
            return AppResult(AppTest.TLS, False, str(exc), "direct", (time.perf_counter() - started) * 1000)
        elapsed = (time.perf_counter() - started) * 1000
        evidence = facts.to_evidence()
        cert = facts.certificate
        if cert is None:
            return AppResult(
                AppTest.TLS, False, f"{facts.version}: the server sent no certificate", "direct", elapsed, evidence
            )
        problems = describe_certificate_problems(cert)
        summary = f"{facts.version}, {facts.cipher}; certificate {cert.common_name or cert.subject}"
        summary += f", valid to {cert.not_after[:10]}" + (", self-signed" if cert.self_signed else "")
        warnings = describe_certificate_warnings(cert)
        if warnings:
            summary += "; " + "; ".join(warnings)
        if problems:
            return AppResult(AppTest.TLS, False, "; ".join(problems), "direct", elapsed, evidence)
        return AppResult(AppTest.TLS, True, summary, "direct", elapsed, evidence)


def _netbios_result(answer: bytes) -> AppResult:
    try:
        status = parse_node_status(answer)
    except NetbiosError as exc:
        return AppResult(AppTest.NETBIOS_STATUS, False, f"UDP 137 answered, but not with a node status: {exc}")
    return AppResult(
        AppTest.NETBIOS_STATUS,
        True,
        status.describe(),
        evidence={
            "names": [f"{n.name}<{n.suffix:02x}>{' group' if n.group else ''}" for n in status.names],
            "mac": status.mac,
        },
    )
