"""`check` and `simulate` on the command line (filled in with the probe engine)."""

from __future__ import annotations

import argparse
from typing import Any

from core.catalog import Catalog


def add_check_parser(sub: Any) -> None:
    sub.add_parser("check", help="probe the manager's ports")


def add_simulate_parser(sub: Any) -> None:
    sub.add_parser("simulate", help="serve a simulated manager on loopback")


def run(args: argparse.Namespace, catalog: Catalog) -> int:
    raise NotImplementedError(args.command)
