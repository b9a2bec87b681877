"""The program's long-lived objects kept out of the garbage collector's full collections.

A full collection (CPython's oldest generation) walks every container object the program
holds, and it comes every few runs of a sweep. Once the window is up that is some 45,000
objects and 400,000 references (Python's and Qt's modules and classes, the program's, the
catalogue, the window's wrappers): 25-55 ms on the development machine with the window's
loop stopped, each time (``benchmarks/gui_responsiveness.py``). They live as long as the
program, so they are moved out of the collector's sight (``gc.freeze``) once they exist: when
the window is up, and again after a run or a sweep that imported modules of its own on first
use (the probe engine, httpx, cryptography). A full collection then walks only what was made
since: a few milliseconds.

Frozen objects are still freed when nothing refers to them; only a reference cycle among them
is never collected. What is alive when the heap is settled and later becomes such garbage
stays: the first run's own objects, once (settling is for new modules, not for every run).

PySide6's import hook reads the source of every module imported after it (to look for
"PySide6" in it) and leaves the lines in ``linecache``: 8-11 MB that nothing reads again
(a traceback reads the lines it shows anew). They are dropped at the same time.
"""

from __future__ import annotations

import gc
import linecache
import sys

_modules_when_settled = 0


def settle_heap() -> bool:
    """Freeze the objects alive now, if modules were imported since the last time; True if so."""
    global _modules_when_settled
    if len(sys.modules) == _modules_when_settled:
        return False
    linecache.clearcache()
    gc.collect()  # garbage now is freed, not frozen
    gc.freeze()
    _modules_when_settled = len(sys.modules)
    return True
