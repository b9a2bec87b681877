"""``simulate``: a simulated SEP Manager on loopback, served until Ctrl+C or ``--duration``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.cli_args import UsageError, host_option, port_overrides
from sep_port_doctor.core.console import Console
from sep_port_doctor.core.i18n import Lang, say, system_lang
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager, announcement


async def run_simulator(args: argparse.Namespace, catalog: Catalog, out: TextIO, lang: Lang) -> int:
    bind = host_option(args.bind, "--bind", lang)
    assert bind is not None
    if not bind.is_ip:
        raise UsageError(say("cli.bind-not-ip", lang))
    ports: dict[int, int] = {p: 0 for p in SERVED_PORTS} if args.free_ports else {}
    ports.update(port_overrides(args.port, catalog, lang))
    simulator = SimulatedManager(bind=bind.name, profile=args.profile, ports=ports)
    try:
        await simulator.start()
    except PermissionError as exc:
        await simulator.stop()
        raise UsageError(say("cli.listen-privileges", lang, error=str(exc))) from None
    except OSError as exc:
        await simulator.stop()
        raise UsageError(say("cli.listen-failed", lang, host=bind.name, error=str(exc.strerror or exc))) from None
    try:
        console = Console(out)
        # --lang given: the printed command says it too, or pasted it speaks the system's language.
        for line in announcement(simulator, catalog, lang, pass_lang=getattr(args, "lang", None) is not None):
            console.line(line)
        console.flush()
        if args.duration is not None:
            await asyncio.sleep(args.duration)
        else:
            await asyncio.Event().wait()
    finally:
        await simulator.stop()
    return 0


def run(args: argparse.Namespace, catalog: Catalog) -> int:
    lang: Lang = getattr(args, "lang", None) or system_lang()
    return asyncio.run(run_simulator(args, catalog, sys.stdout, lang))
