"""The one diagnosis run (core/run.py) against the simulated manager on loopback:
events as results arrive, each result explained once, consumers that fail, cancel,
re-running one check, and this PC read beside the probes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.engine import ProbeEngine, ResolvedCallback, ResultCallback
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.results import Check, CheckResult, RunSummary, Severity, State
from sep_port_doctor.core.run import DiagnosisRun
from sep_port_doctor.core.run_events import Finished, LocalRead, Planned, RunEvent, Started, Verdict
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import SepVersion, parse_version
from tests.helpers.hang import HANG_GUARD_S as HANG_GUARD
from tests.helpers.servers import dropping_port
from tests.helpers.windows_fixtures import FixtureSystem
from tests.helpers.words import english, raw

CATALOG = load_catalog()
FAST = TimeoutPolicy(initial=0.5, floor=0.05, cap=1.0)
# Probes that wait 2 x 120 s unless cancelled: far beyond the hang guard.
SLOW = TimeoutPolicy(initial=120.0, floor=120.0, cap=120.0)


def request_for(overrides: dict[int, int], role: Role = Role.CLIENT) -> PlanRequest:
    return PlanRequest(
        manager=parse_host("127.0.0.1"), version=parse_version("14.3 RU1"), role=role, overrides=overrides
    )


def engine(policy: TimeoutPolicy = FAST) -> ProbeEngine:
    return ProbeEngine(policy, app_timeout=2.0, use_system_proxy=False)


def test_events_in_order_every_check_explained_once_and_this_pc_read() -> None:
    events: list[RunEvent] = []

    async def scenario() -> DiagnosisRun:
        async with SimulatedManager(profile="cert-expired", ports={p: 0 for p in SERVED_PORTS}) as manager:
            run = DiagnosisRun(
                request_for(dict(manager.bound)),
                CATALOG,
                engine(),
                on_event=events.append,
                read_local=True,
                local_system=FixtureSystem("en-fps-blocked"),
                note="INC-1",
            )
            await asyncio.wait_for(run.run(), HANG_GUARD)
            return run

    run = asyncio.run(scenario())
    diagnosis = run.diagnosis
    assert diagnosis is not None
    assert isinstance(events[0], Planned) and events[0].checks == run.checks
    assert isinstance(events[1], Started)
    assert set(events[1].check_ids) == {c.id for c in run.checks if not c.skip}
    verdicts = [e for e in events if isinstance(e, Verdict)]
    assert sorted(v.result.check.id for v in verdicts) == sorted(c.id for c in run.checks)  # each exactly once
    assert isinstance(events[-2], LocalRead) and isinstance(events[-1], Finished)
    assert events[-1].diagnosis is diagnosis
    # The diagnosis holds the explanations that were sent out, not new ones.
    sent = {v.result.check.id: v.explanation for v in verdicts}
    assert all(sent[r.check.id] is e for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True))
    by_entry = {r.check.entry_id: e.severity for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True)}
    assert by_entry["client-http-8014"] is Severity.PASSED
    assert by_entry["client-https-443"] is Severity.PROBLEM  # the simulator's certificate expired
    assert diagnosis.local is not None
    assert any(f.id == "file-printer-sharing" and f.severity is Severity.PROBLEM for f in diagnosis.local.findings)
    assert diagnosis.note == "INC-1" and not diagnosis.cancelled
    assert diagnosis.to_json("en")["cancelled"] is False


def test_a_consumer_that_raises_is_reported_and_never_stops_the_probes() -> None:
    reported: list[BaseException] = []

    def broken_display(event: RunEvent) -> None:
        if isinstance(event, Verdict):
            raise RuntimeError(f"display bug on {event.result.check.id}")

    async def scenario() -> DiagnosisRun:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            run = DiagnosisRun(
                request_for(dict(manager.bound)),
                CATALOG,
                engine(),
                on_event=broken_display,
                on_consumer_error=reported.append,
            )
            await asyncio.wait_for(run.run(), HANG_GUARD)
            return run

    run = asyncio.run(scenario())
    assert run.diagnosis is not None
    assert [r.check.id for r in run.diagnosis.results] == [c.id for c in run.checks]
    assert all(r.state is not State.CANCELLED for r in run.diagnosis.results)
    assert len(run.consumer_errors) == len(run.checks) == len(reported)
    assert "display bug" in str(reported[0])


def test_cancel_stops_at_once_fills_every_unanswered_check_and_says_so() -> None:
    async def scenario() -> DiagnosisRun:
        with dropping_port() as dropped:
            run = DiagnosisRun(request_for({8014: dropped, 443: dropped}), CATALOG, engine(SLOW))
            task = asyncio.ensure_future(run.run())
            await asyncio.sleep(0.2)
            assert run.running
            run.cancel()
            await asyncio.wait_for(task, HANG_GUARD)
            assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()] == []
            return run

    run = asyncio.run(scenario())
    diagnosis = run.diagnosis
    assert diagnosis is not None and diagnosis.cancelled
    states = {r.check.entry_id: r.state for r in diagnosis.results}
    assert states["client-http-8014"] is State.CANCELLED
    assert states["client-https-443"] is State.CANCELLED
    cancelled = [
        e for r, e in zip(diagnosis.results, diagnosis.explanations, strict=True) if r.state is State.CANCELLED
    ]
    assert cancelled and all(e.severity is Severity.NOT_TESTED for e in cancelled)  # never passed
    assert diagnosis.to_json("en")["cancelled"] is True


def test_cancelling_the_task_that_awaits_the_run_is_not_swallowed() -> None:
    async def scenario() -> None:
        with dropping_port() as dropped:
            run = DiagnosisRun(request_for({8014: dropped}), CATALOG, engine(SLOW))
            task = asyncio.ensure_future(run.run())
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, HANG_GUARD)
            assert not run.running

    asyncio.run(scenario())


def test_rerunning_one_check_keeps_the_runs_start_and_duration() -> None:
    async def scenario() -> tuple[DiagnosisRun, Diagnosis, Diagnosis]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            run = DiagnosisRun(request_for(dict(manager.bound)), CATALOG, engine())
            first = await asyncio.wait_for(run.run(), HANG_GUARD)
            http = next(c for c in run.checks if c.entry_id == "client-http-8014")
            await asyncio.sleep(0.05)
            again = await asyncio.wait_for(run.rerun([http.id]), HANG_GUARD)
            return run, first, again

    run, first, again = asyncio.run(scenario())
    assert again is run.diagnosis and again is not first
    assert again.started == first.started
    assert again.duration_ms == first.duration_ms
    before = {r.check.entry_id: r for r in first.results}
    after = {r.check.entry_id: r for r in again.results}
    assert after["client-http-8014"] is not before["client-http-8014"]  # probed again
    assert after["client-http-8014"].state is State.OPEN
    assert all(after[k] is before[k] for k in before if k != "client-http-8014")  # the others kept


class _EngineThatBreaks(ProbeEngine):
    """A stand-in for an engine bug (the real engine keeps a check's failure to that check):
    it delivers the first check, then fails as a whole."""

    async def run(
        self,
        checks: Sequence[Check],
        *,
        version: SepVersion | None = None,
        on_result: ResultCallback | None = None,
        on_resolved: ResolvedCallback | None = None,
    ) -> RunSummary:
        assert on_result is not None
        on_result(CheckResult(checks[0], State.OPEN, raw("connected")))
        raise RuntimeError("engine bug")


def test_an_engine_that_fails_as_a_whole_leaves_an_error_verdict_on_every_check_it_did_not_deliver() -> None:
    run = DiagnosisRun(request_for({}), CATALOG, _EngineThatBreaks())
    diagnosis = asyncio.run(run.run())
    first, *rest = diagnosis.results
    assert first.state is State.OPEN
    assert rest and all(r.state is State.ERROR and "engine bug" in english(r.reason) for r in rest)
    assert not diagnosis.cancelled


def test_check_uses_the_same_run_and_shows_this_pcs_findings_where_they_are_read() -> None:
    import io

    from sep_port_doctor.core.check_command import run_check

    out = io.StringIO()

    async def scenario() -> int:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            request = request_for(dict(manager.bound))
            return await run_check(
                request, CATALOG, FAST, "en", False, out, local_system=FixtureSystem("en-fps-blocked")
            )

    code = asyncio.run(scenario())
    text = out.getvalue()
    assert code == 1  # File and Printer Sharing blocked on this (hand-made fixture) PC is a problem
    assert "Checks of this PC" in text
    assert "✗ File and Printer Sharing" in text
