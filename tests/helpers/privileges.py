"""Who the tests run as, on every system (Windows has no ``os.geteuid``)."""

from __future__ import annotations

import os


def running_as_root() -> bool:
    """True for root on Unix; never on Windows, where tests run as an ordinary user."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0
