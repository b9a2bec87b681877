"""What a diagnosis run tells its consumer as it goes (``core.run.DiagnosisRun``'s events).

Apart from the run itself so that a consumer (the window) can hold and tell them apart
without loading the probe engine before a run is started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sep_port_doctor.core.diagnosis import Diagnosis
    from sep_port_doctor.core.localpc import LocalReport
    from sep_port_doctor.core.path import Hop, PathFacts
    from sep_port_doctor.core.results import Check, CheckResult, Finding


@dataclass(frozen=True)
class Planned:
    """The plan: every check, in plan order, before anything is sent."""

    checks: tuple[Check, ...]


@dataclass(frozen=True)
class Started:
    """These checks are being probed from ``at`` (``time.monotonic()``) on."""

    check_ids: tuple[str, ...]
    at: float


@dataclass(frozen=True)
class Verdict:
    """One check's result with its explanation, as it arrives."""

    result: CheckResult
    explanation: Finding


@dataclass(frozen=True)
class LocalRead:
    """This PC's settings and firewall were read."""

    report: LocalReport


@dataclass(frozen=True)
class TraceHop:
    """A hop of the trace toward one host's filtered port answered (or stayed silent)."""

    host: str
    hop: Hop


@dataclass(frozen=True)
class PathsFound:
    """The path facts of every target (after the probes)."""

    paths: tuple[PathFacts, ...]


@dataclass(frozen=True)
class Finished:
    diagnosis: Diagnosis


RunEvent = Planned | Started | Verdict | LocalRead | TraceHop | PathsFound | Finished
EventConsumer = Callable[[RunEvent], None]
