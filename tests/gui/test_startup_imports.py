"""``gui --quit`` opens the window and quits after its first paint without loading the probe
engine, the HTTP library or the certificate library: they load with the first run. (Jinja does
load: the port reference's details pane shows its first entry through the shared templates.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.helpers.command import ENV, ROOT

NOT_AT_START = (
    "sep_port_doctor.core.engine",
    "sep_port_doctor.core.run",
    "sep_port_doctor.core.tlsinfo",
    "httpx",
    "cryptography",
)

WINDOW = textwrap.dedent(
    """
    import json, sys
    from sep_port_doctor.gui.entry import main
    rc = main(["gui", "--quit"])
    assert rc == 0, rc
    print(json.dumps(sorted(sys.modules)))
    """
)


def test_gui_quit_loads_no_engine_no_http_or_certificate_library(tmp_path: os.PathLike[str]) -> None:
    env = {**ENV, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", WINDOW], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=True
    )
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "sep_port_doctor.gui.wizard.controller" in loaded and "PySide6.QtWidgets" in loaded  # the window was built
    assert sorted({n for n in NOT_AT_START for m in loaded if m == n or m.startswith(n + ".")}) == []
