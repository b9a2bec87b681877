"""core/ never imports Qt: the CLI and the probes must run without it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sep_port_doctor.core as core


def test_importing_every_core_module_loads_no_qt() -> None:
    # Every module, those of core's packages too (checks/, localpc/, path/).
    modules = sorted(m.name for m in pkgutil.walk_packages(core.__path__, "sep_port_doctor.core."))
    assert {
        "sep_port_doctor.core.catalog",
        "sep_port_doctor.core.checks.tls",
        "sep_port_doctor.core.localpc.firewall",
        "sep_port_doctor.core.path.sweep",
    } <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'qasync', 'PyQt5', 'PyQt6')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == ""


def test_ports_command_loads_no_qt() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from sep_port_doctor.gui.entry import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['ports', '--json'])\n"
        "print(rc, any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "0 False"
