"""Deadlines in tests are hang guards, never speed expectations (speed is measured in benchmarks/).

A hang guard is far above what a loaded 2-core machine needs for the step, and far below what
the bug it guards against would take (a probe waiting out a 120 s timeout, a process that never
exits), so a slow machine never fails a test and a hang always does, in bounded time.
"""

HANG_GUARD_S = 30.0
