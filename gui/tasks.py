"""Background work started from the GUI: every failure is surfaced, none is lost.

An asyncio task whose exception nobody retrieves only logs "Task exception was never
retrieved" when it is garbage-collected, if ever. Tasks started here hand a failure to
``sys.excepthook`` at once, which the application turns into its error dialog.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import sys
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def _surface(task: asyncio.Task[Any]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("%s failed", task.get_name(), exc_info=error)
        sys.excepthook(type(error), error, error.__traceback__)


def start_task(coroutine: Coroutine[Any, Any, T], what: str) -> asyncio.Task[T]:
    """Run ``coroutine`` on the application's loop; a failure reaches the error dialog."""
    task = asyncio.ensure_future(coroutine)
    task.set_name(what)
    task.add_done_callback(_surface)
    return task


# Plain Python threads: qasync's default executor runs QThreads, whose Qt timers warn when the
# loop closes from another thread. File writing needs no Qt.
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sep-port-doctor-worker")


async def in_worker(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking ``function`` (disk, fsync) off the GUI thread; the window stays responsive."""
    loop = asyncio.get_running_loop()
    # Garbage that holds Qt objects is freed here, on the GUI thread, rather than by a collection
    # that happens to run in the worker (Qt objects must be destroyed in their own thread).
    gc.collect()
    return await loop.run_in_executor(_WORKERS, functools.partial(function, *args, **kwargs))


def finish_workers() -> None:
    """Wait for the work handed to workers (a report being written) to end."""
    _WORKERS.shutdown(wait=True)
