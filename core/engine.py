"""Runs a plan: every probe concurrently, with a bounded number of probes in flight.

* **One probe per host:port per run**: catalogue entries that share a port (443 with
  ``--all-ports``) share one probe, and one run of each application test, so one report
  never says two things about one port.
* **Host-level evidence**: a router's "host unreachable" is about the host, not a port.
  Routers rate-limit these messages (a burst, then one a second), so only some probes
  get one; when the host answered no probe at all, every silent port of it is
  ``unreachable`` with the same explanation. When the host did answer on other ports,
  an unreachable for one port is a filter rejecting that port: ``filtered``.
  Verdicts that this can change are held until the host's probes are all done; the
  others are delivered as they arrive (``on_result``).
* **A few new probes per turn of the loop** (``STARTS_PER_TURN``): a run of hundreds of
  checks starts its probes over several turns rather than all in one, so that the loop
  (the window's own) paints and answers in between.
* Independent steps of one port (TLS facts, the HTTPS heartbeat, the version API) run
  concurrently; with a system proxy, the heartbeat also runs through it, whatever the
  direct path said (the proxy is a second path to the manager).

Results are returned in plan order. Cancelling the run cancels every probe, lookup
included (``core.resolver``); each probe closes its sockets on the way out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import importlib
import ipaddress
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks import ApplicationCheck, application_check, payloads
from sep_port_doctor.core.checks.base import OpenPort
from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.hosts import special_address
from sep_port_doctor.core.http_checks import proxy_label, system_proxy, url_for
from sep_port_doctor.core.i18n import Lang, Message, known, say, word_for
from sep_port_doctor.core.probes import ProbeOutcome, after_first_packets, tcp_probe, udp_probe
from sep_port_doctor.core.resolver import RESOLVE_TIMEOUT, BusyError, Resolved, in_daemon_thread, resolve
from sep_port_doctor.core.results import HOST_LEVEL_CAUSES, AppResult, Check, CheckResult, RunSummary, State
from sep_port_doctor.core.socket_table import (
    Endpoint,
    SocketTableUnavailable,
    confirm_tcp,
    facing_address,
    judge_listening,
    read_socket_table_off_loop,
)
from sep_port_doctor.core.timing import Neighbourhood, PathTiming, TimeoutPolicy
from sep_port_doctor.core.versions import SepVersion

DEFAULT_MAX_SOCKETS = 64
STARTS_PER_TURN = 16
"""New probes started in one turn of the event loop at most. Each start (its socket, the
options, the connect or the first datagram) holds the loop a little: 216 checks starting in
one turn made the window's longest gap 55 ms, 39 ms with this limit (p99 52 -> 31 ms;
``benchmarks/gui_responsiveness.py --against``, load 1.3-2 on 2 cores)."""
TASKS_PER_TURN = 32
"""A run's checks get their tasks this many in one turn of the loop at most: 216 made in one
turn held the window's loop some 3-5 ms at once (the loop thread's CPU time, measured with
``gui_responsiveness.py``), on top of that turn's other work."""

ResultCallback = Callable[[CheckResult], None]
ResolvedCallback = Callable[[str, Resolved], None]

log = logging.getLogger(__name__)

_HELD_CAUSES = ("no-response", *HOST_LEVEL_CAUSES)


async def _read_socket_table() -> tuple[Endpoint, ...]:
    """Read once per run, off the loop's thread with the garbage collector held off
    (core.socket_table explains why a plain thread crashed the window)."""
    return await read_socket_table_off_loop()


@dataclass(frozen=True)
class _StepWords:
    """A step's name as each language says it: ``resolve``, ``tcp``, ``local tcp``, or the
    application checks that were running (``tls+secars-https``: their names, joined)."""

    name: str

    def say(self, lang: Lang) -> str:
        code = f"evidence.step-{self.name.replace(' ', '-')}"
        if known(code):
            return say(code, lang)
        return " + ".join(word_for("apptest", test, lang) for test in self.name.split("+"))


@dataclass
class Step:
    """Where a check is (for the evidence of an error verdict): its step and what it saw so far."""

    name: str
    address: str | None = None
    port_state: State | None = None


class ProbeEngine:
    def __init__(
        self,
        policy: TimeoutPolicy | None = None,
        *,
        max_sockets: int = DEFAULT_MAX_SOCKETS,
        app_timeout: float | None = None,
        use_system_proxy: bool = True,
        probe_rate: float | None = None,
        neighbourhood: Callable[[str], str | None] | None = None,
    ) -> None:
        self.policy = policy or TimeoutPolicy()
        if app_timeout is not None:
            self.policy = dataclasses.replace(self.policy, app_deadline=app_timeout)
        self.max_sockets = max_sockets
        self.use_system_proxy = use_system_proxy
        self.probe_rate = probe_rate
        """New probes per second at most across the run (None: as fast as sockets free up)."""
        self.neighbourhood = neighbourhood
        """An address's network, whose hosts' answers bound a silent host's wait (core.timing rule 8);
        None: every path on its own (``check``)."""

    @property
    def app_timeout(self) -> float:
        """The least deadline of one HTTP or TLS exchange (slow paths get more, see core.timing)."""
        return self.policy.app_deadline

    async def run(
        self,
        checks: Sequence[Check],
        *,
        version: SepVersion | None = None,
        on_result: ResultCallback | None = None,
        on_resolved: ResolvedCallback | None = None,
    ) -> RunSummary:
        """``on_resolved``: each host name's lookup as soon as it is known (the path facts start there)."""
        run = _Run(self, version, on_result)
        run.on_resolved = on_resolved
        return await run.execute(checks)


async def probes_ended(probes: asyncio.Future[RunSummary]) -> None:
    """Wait until ``probes`` (a ``ProbeEngine.run`` in its own task, which ``cancel()`` can stop)
    has ended, however. Should the awaiting task itself be cancelled (the window closed, Ctrl+C),
    the probes are stopped and waited for, so every socket is closed, before it goes on cancelled."""
    try:
        await asyncio.wait({probes})
    except asyncio.CancelledError:
        probes.cancel()
        await asyncio.wait({probes})
        raise


ProbeKey = tuple[str, str, int]
"""(host name, protocol, port): what one probe answers for every check that shares it."""


class _HostGroup:
    """The probes of one host in this run, for the host-level evidence."""

    def __init__(self, keys: set[ProbeKey]) -> None:
        self.pending = set(keys)
        self.outcomes: dict[ProbeKey, ProbeOutcome] = {}
        self.done = asyncio.Event()
        if not self.pending:
            self.done.set()
        self._settled: dict[ProbeKey, ProbeOutcome] | None = None

    def finished(self, key: ProbeKey, outcome: ProbeOutcome | None) -> None:
        if outcome is not None:
            self.outcomes[key] = outcome
        self.pending.discard(key)
        if not self.pending:
            self.done.set()

    def settled(self, key: ProbeKey) -> ProbeOutcome:
        if self._settled is None:
            self._settled = settle_host(self.outcomes)
        return self._settled[key]


def settle_host(outcomes: dict[ProbeKey, ProbeOutcome]) -> dict[ProbeKey, ProbeOutcome]:
    """Apply host-level evidence to every port of one host (see the module's docstring)."""
    answered = any(o.state in (State.OPEN, State.CLOSED) for o in outcomes.values())
    unreachable = [o for o in outcomes.values() if o.cause in HOST_LEVEL_CAUSES]
    if not unreachable:
        return dict(outcomes)
    settled: dict[ProbeKey, ProbeOutcome] = {}
    if answered:
        for key, outcome in outcomes.items():
            if outcome.cause in HOST_LEVEL_CAUSES:
                outcome = dataclasses.replace(
                    outcome,
                    state=State.FILTERED,
                    cause="port-rejected",
                    reason=Message("evidence.rejected-while-answering", first=outcome.reason),
                )
            settled[key] = outcome
        return settled
    routers = sorted({o.from_router for o in unreachable if o.from_router})
    first = unreachable[0]
    who = Message("evidence.who-routers", routers=", ".join(routers)) if routers else Message("evidence.who-network")
    # What the router sent (the ICMP message and its sender), without "(a router)": the sentence says who.
    icmp = first.reason.values.get("icmp", first.reason)
    reason = Message("evidence.host-unreachable-said", icmp=icmp, who=who, got=len(unreachable), of=len(outcomes))
    if first.cause == "host-down":
        reason = Message("evidence.some-answered", first=first.reason, got=len(unreachable), of=len(outcomes))
    for key, outcome in outcomes.items():
        if outcome.cause in _HELD_CAUSES:
            outcome = dataclasses.replace(
                outcome, state=State.UNREACHABLE, cause=first.cause, reason=reason, from_router=first.from_router
            )
        settled[key] = outcome
    return settled


def _needs_host(outcome: ProbeOutcome) -> bool:
    return outcome.cause in _HELD_CAUSES


class _Pacer:
    """At most ``rate`` new probes a second across one run, evenly spaced (a sweep of a /22
    must not flood a branch link); a probe takes its turn once it holds a socket slot."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next = 0.0

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        turn = max(now, self.next)
        self.next = turn + self.interval
        if turn > now:
            await asyncio.sleep(turn - now)


class _Slots:
    """At most ``size`` probes hold sockets at once; the others wait in the order they asked.

    Not asyncio.Semaphore: a cancelled run (Ctrl+C, the window's Cancel) cancels its ~1,000 waiting
    probes at once, and each release by a probe that held a slot then walked past every one of
    those cancelled waits (``Semaphore._wake_up_next``) before they had left its queue: a /22 spent
    0.1 s of its Ctrl+C there. Here a release drops the cancelled waits it passes, each once.
    """

    def __init__(self, size: int) -> None:
        self.free = size
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def __aenter__(self) -> None:
        if self.free:  # a free slot means nobody waits (a release hands its slot to a waiter first)
            self.free -= 1
            return
        slot = asyncio.get_running_loop().create_future()
        self.waiting.append(slot)
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():  # handed a slot as it was cancelled: pass it on
                self._release()
            raise

    async def __aexit__(self, *_exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self.waiting:
            slot = self.waiting.popleft()
            if not slot.done():
                slot.set_result(None)
                return
        self.free += 1


class _Turns:
    """At most ``per_turn`` probes start in one turn of the loop, in the order they asked.

    Every start waits for its turn: once a turn, one callback (``_next_turn``) lets the next
    ``per_turn`` waiting probes go, and they all run in the loop's next turn, so no turn runs
    more starts than one release lets go. The wait costs a probe one turn of the loop (micro-
    seconds when the loop is idle); its timing starts when it sends, after the wait.
    """

    def __init__(self, per_turn: int) -> None:
        self.per_turn = per_turn
        self.waiting: deque[asyncio.Future[None]] = deque()
        self.next_turn_due = False

    async def take(self) -> None:
        turn = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        self._next_turn_soon()
        await turn  # cancelled: the future is too, and the next turn passes it by

    async def queue_started(self) -> None:
        """Returns once the probes that were waiting for their turn have been let go."""
        while self.waiting:
            await asyncio.sleep(0)

    def _next_turn_soon(self) -> None:
        if not self.next_turn_due:
            self.next_turn_due = True
            asyncio.get_running_loop().call_soon(self._next_turn)

    def _next_turn(self) -> None:
        self.next_turn_due = False
        let_go = 0
        while let_go < self.per_turn and self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                let_go += 1
        if self.waiting:
            self._next_turn_soon()


class _Run:
    def __init__(self, engine: ProbeEngine, version: SepVersion | None, on_result: ResultCallback | None) -> None:
        self.engine = engine
        self.version = version
        self.on_result = on_result
        self.on_resolved: ResolvedCallback | None = None
        self.sockets = _Slots(engine.max_sockets)
        self.pacer = _Pacer(engine.probe_rate) if engine.probe_rate else None
        self.turns = _Turns(STARTS_PER_TURN)
        self.resolved: dict[str, asyncio.Task[Resolved]] = {}
        self.paths: dict[str, PathTiming] = {}
        self.neighbourhoods: dict[str, Neighbourhood] = {}
        self.probes: dict[ProbeKey, asyncio.Task[ProbeOutcome]] = {}
        self.hosts: dict[str, _HostGroup] = {}
        self.preload: tuple[str, ...] = ()
        """The libraries the run's application checks need, imported once the first packets are out."""
        self.preloading: asyncio.Task[None] | None = None
        self.key_checks: dict[ProbeKey, Check] = {}
        """The first check of each probe key: what the shared probe sends."""
        self.sharing: dict[ProbeKey, int] = {}
        """How many checks share each probe: a probe of one check runs in that check's own task
        (a sweep of hundreds of hosts has half as many tasks to unwind when cancelled)."""
        self.inline_started: set[ProbeKey] = set()
        self.apps: dict[tuple[str, int, str, str], asyncio.Task[AppResult]] = {}
        self.proxies: dict[tuple[str, str], asyncio.Task[str | None]] = {}
        self.results: dict[str, CheckResult] = {}
        self.steps: dict[str, Step] = {}
        self.arrival: list[str] = []
        self.t0 = 0.0
        self.socket_table: asyncio.Future[tuple[Endpoint, ...]] | None = None
        """This PC's socket table, read once per run."""

    def path(self, address: str) -> PathTiming:
        if address not in self.paths:
            network = self.engine.neighbourhood(address) if self.engine.neighbourhood is not None else None
            neighbours = None
            if network is not None:
                neighbours = self.neighbourhoods.setdefault(network, Neighbourhood(self.engine.policy, network))
            self.paths[address] = PathTiming(self.engine.policy, neighbours)
        return self.paths[address]

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
        # Results are kept by check id: two checks with one id would lose one verdict unseen.
        ids = [check.id for check in checks]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"check ids must be unique in one run: {', '.join(twice[:5])}")
        started = dt.datetime.now(dt.UTC)
        self.t0 = time.perf_counter()
        keys: dict[str, set[ProbeKey]] = {}
        for check in checks:
            if not check.skip and not check.local and check.host is not None:
                keys.setdefault(check.host.name, set()).add(_key(check))
                self.key_checks.setdefault(_key(check), check)
                self.sharing[_key(check)] = self.sharing.get(_key(check), 0) + 1
        self.hosts = {name: _HostGroup(found) for name, found in keys.items()}
        self.preload = tuple(
            dict.fromkeys(
                module
                for check in checks
                if not check.skip
                for test in check.app_tests
                for module in application_check(test).preload
            )
        )
        shared: list[asyncio.Task[Any]] = []
        try:
            async with asyncio.TaskGroup() as group:
                for made, check in enumerate(checks, 1):
                    group.create_task(self._one(check), name=f"check {check.id}")
                    if made % TASKS_PER_TURN == 0:
                        await asyncio.sleep(0)  # the loop's next turn: the window paints between
        finally:
            # Cancelled or not, no lookup, probe or application task outlives the run.
            shared = [*self.resolved.values(), *self.probes.values(), *self.apps.values(), *self.proxies.values()]
            if self.socket_table is not None:
                shared.append(self.socket_table)  # type: ignore[arg-type]
            for task in shared:
                task.cancel()
            if shared:
                await asyncio.wait(shared)
        ordered = [self.results[c.id] for c in checks]
        resolved = {
            name: task.result()
            for name, task in self.resolved.items()
            if task.done() and not task.cancelled() and task.exception() is None
        }
        return RunSummary(started, (time.perf_counter() - self.t0) * 1000, ordered, self.arrival, resolved)

    def _resolve(self, name: str) -> Awaitable[Resolved]:
        if name not in self.resolved:
            self.resolved[name] = asyncio.ensure_future(resolve(name))
            self.resolved[name].add_done_callback(functools.partial(self._resolved, name))
        return asyncio.shield(self.resolved[name])

    def _resolved(self, name: str, task: asyncio.Task[Resolved]) -> None:
        if self.on_resolved is None or task.cancelled() or task.exception() is not None:
            return
        try:
            self.on_resolved(name, task.result())
        except Exception:  # a consumer's bug must not stop the probes
            log.exception("the lookup callback failed for %s", name)

    async def _one(self, check: Check) -> None:
        if check.skip:
            state = State.NOT_APPLICABLE if not check.applies else State.NOT_TESTED
            self._deliver(CheckResult(check, state, check.reason))
            return
        self.steps[check.id] = Step(f"local {check.protocol}" if check.local else "resolve")
        try:
            result = await self._probe(check)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # one bad answer never sinks the run: this check's error verdict
            result = self._failed(check, exc)
        finally:
            self._never_probed(check)
        self._deliver(result)

    def _never_probed(self, check: Check) -> None:
        """A check that was to run its own probe and ended before it started (an error, a name that
        does not resolve): its host's other probes must not wait for that probe's evidence."""
        if check.local or check.host is None or check.skip:
            return
        key = _key(check)
        if self.sharing.get(key) == 1 and key not in self.inline_started:
            self.inline_started.add(key)
            self.hosts[check.host.name].finished(key, None)

    def _failed(self, check: Check, exc: BaseException) -> CheckResult:
        step = self.steps[check.id]
        log.error("check %s failed at step %s", check.id, step.name, exc_info=exc)
        message = str(exc)[:300]
        evidence = {"step": step.name, "exception": exc.__class__.__name__, "message": message}
        if step.port_state is not None:
            evidence["port_state"] = str(step.port_state)
        words = f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__
        said = Message("evidence.check-failed", step=_StepWords(step.name), error=words)
        return CheckResult(check, State.ERROR, said, step.address, error=evidence)

    async def _probe(self, check: Check) -> CheckResult:
        if check.local:
            return await self._probe_local(check)
        assert check.host is not None
        resolved = await self._resolve(check.host.name)
        if not resolved.ok or resolved.family is None or resolved.address is None:
            return CheckResult(
                check, State.UNRESOLVED, resolved.error or Message("evidence.unresolved"), cause=resolved.cause
            )
        step = self.steps[check.id]
        step.name, step.address = check.protocol, resolved.address
        refused = special_address(ipaddress.ip_address(resolved.address.partition("%")[0]))
        if refused is not None:
            # A name that resolves to a broadcast or multicast address gets nothing sent to it.
            why = UserError(refused, text=resolved.address).words
            said = Message("evidence.resolves-to-special", host=check.host.name, why=why)
            return CheckResult(check, State.NOT_TESTED, said)
        key = _key(check)
        self._start_probes(check.host.name, resolved)
        for scheme in _proxy_schemes(check):
            self._proxy_for(check, scheme)  # looked up while the port is probed
        if self.sharing[key] == 1:
            self.inline_started.add(key)
            outcome = await self._transport(key, check, resolved)
        else:
            outcome = await asyncio.shield(self.probes[key])
        if _needs_host(outcome):
            group = self.hosts[check.host.name]
            await group.done.wait()
            outcome = group.settled(key)
        step.port_state = outcome.state
        application = await self._application(check, resolved, outcome)
        return CheckResult(
            check,
            outcome.state,
            outcome.reason,
            resolved.address,
            outcome.rtt_ms,
            outcome.attempts,
            application,
            cause=outcome.cause,
        )

    def _start_probes(self, name: str, resolved: Resolved) -> None:
        """Every shared probe of the host at once (once), so that its host-level evidence always
        completes; a probe of one check is started by that check (its lookup is this one), or
        marked finished when that check ends first (``_never_probed``)."""
        if self.preload:
            # The HTTP and TLS libraries (httpx, cryptography: a few hundred ms on a slow PC) are
            # imported once the first packets are out (the probes started with them), on the loop's own thread (a worker thread
            # could run the garbage collector on the window's Qt objects): the round trips are
            # the kernel's measure, so the wait they cost the loop stretches none.
            self.preloading = asyncio.ensure_future(_preload(self.preload, self.turns))
            self.preload = ()
        group = self.hosts[name]
        for key in sorted(group.pending | set(group.outcomes)):
            if key not in self.probes and self.sharing[key] > 1:
                self.probes[key] = asyncio.ensure_future(self._transport(key, self.key_checks[key], resolved))

    async def _transport(self, key: ProbeKey, check: Check, resolved: Resolved) -> ProbeOutcome:
        assert resolved.family is not None and resolved.address is not None and check.host is not None
        outcome: ProbeOutcome | None = None
        try:
            async with self.sockets:
                await self.turns.take()
                if self.pacer is not None:  # last: the pace spaces the starts themselves
                    await self.pacer.wait()
                path = self.path(resolved.address)
                if check.protocol == "tcp":
                    outcome = await tcp_probe(resolved.family, resolved.address, check.port, path)
                else:
                    payload = payloads()[check.sends] if check.sends else None
                    outcome = await udp_probe(
                        resolved.family,
                        resolved.address,
                        check.port,
                        b"\x00" if payload is None else payload.make(),
                        path,
                        expect_answer=payload is not None and payload.answer_expected,
                    )
                if outcome.cause == "no-response" and path.neighbours_evidence():
                    # Silence judged by the host's neighbours (core.timing rule 8): the evidence says so.
                    neighbours = path.neighbours_evidence()
                    outcome = dataclasses.replace(
                        outcome, reason=Message("evidence.with-neighbours", first=outcome.reason, neighbours=neighbours)
                    )
            return outcome
        finally:
            self.hosts[check.host.name].finished(key, outcome)

    async def _probe_local(self, check: Check) -> CheckResult:
        """Is this PC listening where the manager connects? The OS's socket table says."""
        facing = None
        if check.peer is not None:
            resolved = await self._resolve(check.peer.name)
            facing = facing_address(resolved.address) if resolved.address else None
        if self.socket_table is None:
            self.socket_table = asyncio.ensure_future(_read_socket_table())
        path = self.path("local")
        try:
            table = await asyncio.shield(self.socket_table)
        except SocketTableUnavailable as exc:
            if check.protocol != "tcp":
                return CheckResult(check, State.NOT_TESTED, exc.words)
            # Without the table, a connect to the facing address is the best evidence left.
            address = facing or "127.0.0.1"
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            async with self.sockets:
                outcome = await tcp_probe(family, address, check.port, path)
            state = {State.OPEN: State.LISTENING, State.CLOSED: State.NOT_LISTENING}.get(outcome.state, outcome.state)
            said = Message("evidence.table-fallback", why=exc.words, outcome=outcome.reason, address=address)
            return CheckResult(check, state, said, None, outcome.rtt_ms, cause=outcome.cause)
        verdict = judge_listening(table, check.protocol, check.port, facing)
        evidence = [e.shown for e in verdict.bound]
        if verdict.connect_to is None:
            return CheckResult(check, verdict.state, verdict.reason, facing, local_sockets=tuple(evidence))
        async with self.sockets:
            state, reason, rtt = await confirm_tcp(verdict, check.port, path)
        return CheckResult(check, state, reason, facing, rtt, local_sockets=tuple(evidence))

    # --- application tests -------------------------------------------------------------

    def _proxy_for(self, check: Check, scheme: str) -> asyncio.Task[str | None]:
        """The system proxy for the check's URL, looked up once per run off the event loop."""
        assert check.host is not None
        lookup = (scheme, check.host.name)
        if lookup not in self.proxies:
            url = url_for(scheme, check.host, check.port, "/")
            host = check.host
            enabled = self.engine.use_system_proxy
            turns = self.turns

            async def find() -> str | None:
                if not enabled:
                    return None
                await turns.queue_started()
                await after_first_packets()  # urllib loads in that thread: the SYNs leave first
                try:
                    async with asyncio.timeout(RESOLVE_TIMEOUT):
                        # urllib's proxy_bypass can do blocking DNS (Windows, macOS): never on the loop's thread.
                        return await in_daemon_thread(lambda: system_proxy(url, host))
                except (TimeoutError, BusyError):
                    return None

            self.proxies[lookup] = asyncio.ensure_future(find())
        return self.proxies[lookup]

    def _shared_app(self, check: ApplicationCheck, port: OpenPort, path: PathTiming) -> Awaitable[AppResult]:
        """One run of an application check per host, port and path in the run (checks that share
        a port share it)."""
        via = "direct" if port.proxy is None else proxy_label(port.proxy)
        key = (port.host.name, port.port, check.id, via)
        if key not in self.apps:
            self.apps[key] = asyncio.ensure_future(_again_on_a_lossy_path(lambda: check.run(port), path))
        return asyncio.shield(self.apps[key])

    async def _application(self, check: Check, resolved: Resolved, outcome: ProbeOutcome) -> tuple[AppResult, ...]:
        """Every application check of the port, concurrently; results in the plan's order. Each
        runs where the port answered (a UDP one that reads the answer: where there is one), and
        one with a proxy path also through the system proxy, whatever the direct path said."""
        assert check.host is not None and resolved.address is not None
        path = self.path(resolved.address)
        port = OpenPort(
            check.host, resolved.address, check.port, outcome.state, outcome.answer, path.app_deadline(), self.version
        )
        reachable = outcome.state in (State.OPEN, State.OPEN_FILTERED)
        steps: list[Awaitable[AppResult]] = []
        self.steps[check.id].name = "+".join(check.app_tests) or "application"
        for test in check.app_tests:
            application = application_check(test)
            if reachable and (not application.needs_answer or outcome.answer is not None):
                steps.append(self._shared_app(application, port, path))
            if application.proxy_scheme is not None:
                proxy = await asyncio.shield(self._proxy_for(check, application.proxy_scheme))
                if proxy is not None:
                    # The proxy is a second path: tried whatever the direct path said.
                    steps.append(self._shared_app(application, dataclasses.replace(port, proxy=proxy), path))
        return tuple(await asyncio.gather(*steps))


async def _again_on_a_lossy_path(make: Callable[[], Awaitable[AppResult]], path: PathTiming) -> AppResult:
    """One application exchange; on a path that lost packets, again while it runs out of time.

    At 25 % loss the kernel's own retransmissions (a SYN again after 1, 2, 4 s) outlast one
    deadline now and then, and "the manager's answer is wrong" would blame the manager for the
    network. So where this run saw loss on the path (answers only after retries, core.timing
    rule 5), an exchange that timed out is tried again on a fresh connection, with the same
    deadline, up to the path's ``app_tries`` (rule 7); its evidence says so. A server that
    stalls on a clean path still fails at once.
    """
    result = await make()
    first, tries = result, 1
    # The path's loss is read after each try: the port probes that showed it may end meanwhile.
    while not result.ok and result.timed_out and tries < path.app_tries():
        result = await make()
        tries += 1
    if tries == 1:
        return result
    detail = result.detail
    seconds = detail.value("seconds") if isinstance(detail, Message) else None
    if not result.ok and result.timed_out and seconds is not None:
        # "The server stalls" / "may not speak TLS" would blame the manager for the network.
        detail = Message("evidence.lossy-path-timeout", seconds=seconds, tries=tries, attempt=path.answered_on)
    return dataclasses.replace(result, detail=detail, tries=tries, first_try=first.detail)


async def _preload(modules: tuple[str, ...], turns: _Turns) -> None:
    await turns.queue_started()
    await after_first_packets()
    for module in modules:
        importlib.import_module(module)


def _proxy_schemes(check: Check) -> list[str]:
    """The URL schemes of the check's application checks that also run through the system proxy."""
    return [s for s in (application_check(t).proxy_scheme for t in check.app_tests) if s is not None]


def _key(check: Check) -> ProbeKey:
    assert check.host is not None
    return (check.host.name, check.protocol, check.port)
