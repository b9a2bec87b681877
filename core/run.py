"""One diagnosis run, the same for ``check`` and the wizard: plan, probes and this PC.

``DiagnosisRun`` plans the request once, runs the probes through the engine and this
PC's checks beside them, explains each result once as it arrives, and hands events to
one consumer as they happen (planned, started, a verdict, this PC read, finished).
A consumer that raises is logged and reported (``consumer_errors``, ``on_consumer_error``)
and never reaches the probes: a display bug cannot stop a run.

``cancel()`` stops the probes at once; the run still ends with a diagnosis in which
every check without an answer is ``cancelled`` and the diagnosis says it was cancelled.
Cancelling the task that awaits ``run()`` (a window closing, Ctrl+C) is not swallowed.
Re-running some checks replaces their results and keeps the run's own start and duration.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine, probes_ended
from sep_port_doctor.core.explain import explain, explain_channel_pair
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.path import Hop, PathFacts, PathWork
from sep_port_doctor.core.path.winicmp import IcmpApi
from sep_port_doctor.core.plan import ClientPorts, PlanRequest, Role, build_plan
from sep_port_doctor.core.resolver import Resolved
from sep_port_doctor.core.results import Check, CheckResult, Finding, RunSummary, State, Target
from sep_port_doctor.core.run_events import (
    EventConsumer,
    Finished,
    LocalRead,
    PathsFound,
    Planned,
    RunEvent,
    Started,
    TraceHop,
    Verdict,
)

if TYPE_CHECKING:
    from sep_port_doctor.core.localpc import LocalReport, LocalSystem

log = logging.getLogger(__name__)

CANCELLED_REASON = Message("evidence.cancelled")


def reads_this_pc(local_system: LocalSystem | None) -> bool:
    """Whether a run reads this PC's Windows settings: on Windows, or from the stand-in given (a
    recorded Windows PC). Elsewhere there is nothing to read, and ``check`` and the window say the
    same: no findings of this PC, ``local`` null in the JSON (they differed: the window listed six
    "not checked on this system" findings on Linux, and counted them among the checks not run)."""
    return local_system is not None or sys.platform == "win32"


class DiagnosisRun:
    """A request's run; ``run()`` once, then ``rerun()`` as often as wanted."""

    def __init__(
        self,
        request: PlanRequest,
        catalog: Catalog,
        engine: ProbeEngine,
        *,
        on_event: EventConsumer | None = None,
        on_consumer_error: Callable[[BaseException], None] | None = None,
        read_local: bool | None = None,
        local_system: LocalSystem | None = None,
        local_report: LocalReport | None = None,
        note: str = "",
        path_facts: bool = False,
        icmp_api: IcmpApi | None = None,
    ) -> None:
        self.request = request
        self.catalog = catalog
        self.engine = engine
        self.on_event = on_event
        self.on_consumer_error = on_consumer_error
        self.read_local = reads_this_pc(local_system) if read_local is None else read_local
        """Read this PC's Windows settings (SEP client, firewall, services): see ``reads_this_pc``."""
        self.local_system = local_system
        self.local: LocalReport | None = local_report
        """This PC as read before (the wizard's prefill); read again only when None."""
        self.note = note
        self.path_facts = path_facts
        """Gather each target's path facts (route, DNS, echo, a trace to a filtered port): they send
        packets of their own (ICMP echo, TTL-limited SYNs), so whoever runs for real asks for them."""
        self.icmp_api = icmp_api
        self.paths: dict[str, PathFacts] = {}
        self._path_work: PathWork | None = None
        self.client_ports: ClientPorts | None = self._client_ports()
        """This PC's SyLink entry for the manager: on a client desk it decides 8014 and 443."""
        self.checks: tuple[Check, ...] = build_plan(catalog, request, self.client_ports)
        self.results: dict[str, CheckResult] = {}
        self.explanations: dict[str, Finding] = {}
        self.consumer_errors: list[BaseException] = []
        self.diagnosis: Diagnosis | None = None
        self._probes: asyncio.Future[RunSummary] | None = None
        self._resolved: dict[str, Resolved] = {}
        self._cancel_requested = False
        self._answered: set[str] = set()
        """Checks answered since the engine last started."""
        self._probing: set[str] = set()
        """Checks the engine is probing now."""
        self._held: dict[str, CheckResult] = {}
        """8014 or 443 waiting for the other's answer (``_channel_partner``)."""

    def _client_ports(self) -> ClientPorts | None:
        """Read before planning (the registry and SyLink.xml: quick, and only where they exist)."""
        if not self.read_local or self.request.role is not Role.CLIENT:
            return None
        # This PC's checks load only where they run (Windows, the window): elsewhere `check`
        # sends its first packet without them.
        from sep_port_doctor.core.localpc import client_config

        config = self.local.config if self.local is not None else client_config(self.local_system)
        return config.client_ports(self.request.manager.typed) if config is not None else None

    # --- delivering events ---------------------------------------------------------

    def _emit(self, event: RunEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception as exc:  # a consumer's bug is reported, never raised into the probes
            log.exception("a consumer of the run's events failed on %s", type(event).__name__)
            self.consumer_errors.append(exc)
            if self.on_consumer_error is not None:
                try:
                    self.on_consumer_error(exc)
                except Exception:
                    log.exception("reporting a consumer's failure failed too")

    def _channel_partner(self, check: Check) -> Check | None:
        """The other of 8014 and 443, when a client desk probes both on the manager (SyLink
        did not single one out): each verdict then depends on the other's."""
        if self.request.role is not Role.CLIENT or check.channel is None:
            return None

        def probed(c: Check) -> bool:
            return c.channel is not None and c.target is Target.MANAGER and c.applies and not c.skip

        if not probed(check):
            return None
        return next((c for c in self.checks if c.id != check.id and c.host == check.host and probed(c)), None)

    def _arrived(self, result: CheckResult) -> None:
        """The engine's ``on_result``: explain once, keep, hand on; never raises. 8014 and 443
        wait for each other where each verdict depends on the other's."""
        partner = self._channel_partner(result.check)
        if partner is None:
            self._deliver(*self._explain(result))
            return
        held = self._held.pop(partner.id, None)
        if held is not None:
            held, first = self._explain(held)
            result, second = self._explain(result, first)
            self._deliver(held, explain_channel_pair(held, first, second, self.catalog))
            self._deliver(result, second)
        elif partner.id in self._probing and partner.id not in self._answered:
            self._held[result.check.id] = result
            self._answered.add(result.check.id)
        elif partner.id in self.results:  # the partner answered before (a re-run of this one)
            earlier, alone = self._explain(self.results[partner.id])
            result, explanation = self._explain(result, alone)
            self._deliver(result, explanation)
            again = explain_channel_pair(earlier, alone, explanation, self.catalog)
            if again != self.explanations.get(partner.id):
                self._deliver(earlier, again)
        else:
            self._deliver(*self._explain(result))

    def _flush_held(self) -> None:
        """What still waits for a partner that did not answer in this run: judged alone."""
        for check_id in list(self._held):
            self._deliver(*self._explain(self._held.pop(check_id)))

    def _explain(self, result: CheckResult, partner: Finding | None = None) -> tuple[CheckResult, Finding]:
        """The result and its explanation (beside the other channel's, when given); never
        raises: an explanation rule's bug makes the result an error verdict instead."""
        try:
            explanation = explain(result, self.catalog, self.request.version)
        except Exception as exc:
            log.exception("explaining %s failed", result.check.id)
            result = dataclasses.replace(
                result,
                state=State.ERROR,
                reason=Message("evidence.explaining-failed", error=f"{type(exc).__name__}: {exc}"),
            )
            explanation = explain(result, self.catalog, self.request.version)
        if partner is not None:
            explanation = explain_channel_pair(result, explanation, partner, self.catalog)
        return result, explanation

    def _deliver(self, result: CheckResult, explanation: Finding) -> None:
        """Keep the result with its explanation and hand both on."""
        self.results[result.check.id] = result
        self.explanations[result.check.id] = explanation
        self._answered.add(result.check.id)
        if self._path_work is not None:
            try:
                self._path_work.arrived(result)
            except Exception:  # a path fact's bug never stops the verdicts
                log.exception("starting the path facts of %s failed", result.check.id)
        self._emit(Verdict(result, explanation))

    # --- running -------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the probes now, or before they start; ``run()`` or ``rerun()`` returns a
        cancelled diagnosis."""
        self._cancel_requested = True
        if self._probes is not None and not self._probes.done():
            self._probes.cancel()
        if self._path_work is not None:
            self._path_work.cancel()

    @property
    def running(self) -> bool:
        """The probes are out (between the ``Started`` event and the last verdict)."""
        return self._probes is not None and not self._probes.done()

    async def run(self) -> Diagnosis:
        """Probe every planned check (and this PC) and return the diagnosis."""
        self.results.clear()
        self.explanations.clear()
        self.paths = {}
        self._resolved = {}
        self._path_work = self._new_path_work()
        self._emit(Planned(self.checks))
        started_wall = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        reading_local = self.read_local and self.local is None
        if reading_local:
            from sep_port_doctor.core.localpc import inspect_local
        local_task = (
            asyncio.ensure_future(inspect_local(self.local_system, self.request.manager)) if reading_local else None
        )
        try:
            cancelled = await self._probe(self.checks)
            if local_task is not None:
                if cancelled:
                    local_task.cancel()
                await asyncio.wait({local_task})
        finally:
            if local_task is not None and not local_task.done():
                local_task.cancel()
        if local_task is not None and not local_task.cancelled():
            if local_task.exception() is None:
                self.local = local_task.result()
            else:  # inspect_local never raises for a missing source; anything else is a bug
                log.error("reading this PC failed", exc_info=local_task.exception())
        await self._settle_paths(cancelled)
        if self.local is not None and self.read_local:
            self._emit(LocalRead(self.local))
        duration_ms = (time.perf_counter() - t0) * 1000
        return self._finish(started_wall, duration_ms, cancelled)

    async def rerun(self, check_ids: Iterable[str]) -> Diagnosis:
        """Probe these checks again; the run's start and duration stay its own."""
        if self.diagnosis is None:
            raise RuntimeError("rerun() before run()")
        wanted = set(check_ids)
        checks = tuple(c for c in self.checks if c.id in wanted and not c.skip)
        previous = self.diagnosis
        if self._path_work is None:
            self._path_work = self._new_path_work()
        # Cancelling a re-run keeps the earlier verdicts of the checks it did not reach.
        cancelled = await self._probe(checks)
        await self._settle_paths(cancelled)
        return self._finish(previous.started, previous.duration_ms, previous.cancelled)

    async def _probe(self, checks: tuple[Check, ...]) -> bool:
        """Run the engine on ``checks``; True when ``cancel()`` stopped it (or came first)."""
        self._answered = set()
        self._probing = {c.id for c in checks if not c.skip}
        if self._cancel_requested:
            return True
        self._emit(Started(tuple(c.id for c in checks if not c.skip), time.monotonic()))
        work = self._path_work
        if work is None:
            running = self.engine.run(checks, version=self.request.version, on_result=self._arrived)
        else:
            work.plan(checks)
            running = self.engine.run(
                checks, version=self.request.version, on_result=self._arrived, on_resolved=work.resolved
            )
        probes: asyncio.Future[RunSummary] = asyncio.ensure_future(running)
        self._probes = probes
        await probes_ended(probes)
        try:
            if probes.cancelled():
                return True
            error = probes.exception()
            if error is None:
                self._resolved.update(probes.result().resolved)
            if error is not None and not self._cancel_requested:
                # The engine keeps one check's failure to that check; should the engine itself
                # fail, what arrived stays and every check still waiting says why it has no verdict.
                log.error("the probe engine failed", exc_info=error)
                reason = Message("evidence.engine-failed", error=f"{type(error).__name__}: {error}")
                for check in checks:
                    if check.id not in self._answered:
                        self._arrived(CheckResult(check, State.ERROR, reason))
            return self._cancel_requested
        finally:
            self._probing = set()
            self._flush_held()

    def _new_path_work(self) -> PathWork | None:
        if not self.path_facts:
            return None

        def hop(host: str, found: Hop) -> None:
            self._emit(TraceHop(host, found))

        return PathWork(use_system_proxy=self.engine.use_system_proxy, icmp_api=self.icmp_api, on_hop=hop)

    async def _settle_paths(self, cancelled: bool) -> None:
        """The path facts of every target, this PC's SyLink address compared with the manager's."""
        work = self._path_work
        if work is None:
            return
        local = self.local if self.read_local else None
        windows_route, last_ip = None, None
        if local is not None:
            from sep_port_doctor.core.path.local import sylink_last_ip, windows_route_of, with_sylink_finding

            windows_route, last_ip = windows_route_of(local), sylink_last_ip(local, self.request.manager.name)
        try:
            self.paths = await work.settle(self._resolved, windows_route, last_ip, self.request.manager.name, cancelled)
        except Exception:  # the path facts are extra: their failure leaves the verdicts as they are
            log.exception("gathering the path facts failed")
            return
        manager_path = self.paths.get(self.request.manager.name)
        if local is not None:
            self.local = with_sylink_finding(local, None if manager_path is None else manager_path.dns)
        self._emit(PathsFound(tuple(self.paths.values())))

    def _finish(self, started: dt.datetime, duration_ms: float, cancelled: bool) -> Diagnosis:
        self._cancel_requested = False  # a cancel belongs to the run it stopped
        # Checks without an answer are cancelled, never passed; each is explained once.
        for check in self.checks:
            if check.id not in self.results:
                self._arrived(CheckResult(check, State.CANCELLED, CANCELLED_REASON))
        results = [self.results[c.id] for c in self.checks]
        explanations = [self.explanations[c.id] for c in self.checks]
        self.diagnosis = Diagnosis(
            self.request,
            results,
            explanations,
            started,
            duration_ms,
            self.local if self.read_local else None,
            note=self.note,
            cancelled=cancelled,
            paths=list(self.paths.values()),
            client_ports=self.client_ports,
        )
        self._emit(Finished(self.diagnosis))
        return self.diagnosis
