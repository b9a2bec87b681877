"""The exit codes of every command, in one place (README "Exit codes" lists the same).

A check that could not be completed (the ``error`` verdict) never lets a run say
"nothing wrong": without problems the run exits INCOMPLETE, not OK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sep_port_doctor.core.results import Severity, State

if TYPE_CHECKING:
    from sep_port_doctor.core.diagnosis import Diagnosis

OK = 0
"""Nothing wrong: every check that ran passed or is only informational."""
PROBLEMS = 1
"""Problems found."""
USAGE = 2
"""Bad input: one line on stderr, nothing sent."""
INCOMPLETE = 3
"""No problem found, but at least one check could not be completed (``error`` verdict)."""
SOFTWARE = 70
"""An internal error outside any check (sysexits EX_SOFTWARE): one line and the log's path."""
CANNOT_WRITE = 74
"""The results could not be written where asked (sysexits EX_IOERR); they were kept elsewhere, said where."""
INTERRUPTED = 130
"""Ctrl+C (128 + SIGINT)."""
OUTPUT_CLOSED = 141
"""The reader of the output went away (``check ... | head -1``): 128 + SIGPIPE, as the shell reports other tools."""
TERMINATED = 143
"""SIGTERM (128 + 15): stopped cleanly, no temporary file left."""


def for_diagnosis(diagnosis: Diagnosis) -> int:
    """A finished diagnosis: problems first, then checks that could not be completed, else OK."""
    if diagnosis.overall is Severity.PROBLEM:
        return PROBLEMS
    return INCOMPLETE if any(r.state is State.ERROR for r in diagnosis.results) else OK
