"""A pasted URL with a password or a token is remembered without it (the recent-hosts setting)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtCore import QSettings

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.gui.settings import Settings
from tests.helpers.command import ROOT, command, spawned
from tests.helpers.hang import HANG_GUARD_S


def test_recent_hosts_never_store_credentials(qapp: object) -> None:
    settings = Settings()
    settings.remember_host("https://tech:s3cret@sepm01.corp:8443/console")
    settings.remember_host("tech:s3cret@sepm02.corp")
    assert settings.recent_hosts == ["sepm02.corp", "https://sepm01.corp:8443/console"]
    settings._q.sync()
    stored = QSettings(settings._q.fileName(), QSettings.Format.IniFormat)
    assert "s3cret" not in str(stored.value("wizard/recent_hosts"))
    with open(settings._q.fileName(), encoding="utf-8", errors="replace") as file:
        assert "s3cret" not in file.read()


def test_an_unattended_run_stores_no_secret_of_a_pasted_url(tmp_path: Path) -> None:
    """`gui --manager URL --run --report --quit` in a real process: the settings file kept the URL's
    query (?access_token=...) in the recent hosts; the log, the report and its JSON hold nothing of
    it either."""
    secret = "s3cret-T0ken"
    url = f"https://tech:{secret}@127.0.0.1:8443/console?access_token={secret}#state={secret}"
    config, data = tmp_path / "config", tmp_path / "data"

    async def scenario() -> tuple[int, str]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
                   "XDG_CONFIG_HOME": str(config), "XDG_DATA_HOME": str(data)}  # fmt: skip
            async with spawned(
                *command(), "gui", "--manager", url, "--version", "14.3", "--role", "console", *overrides,
                "--lang", "en", "--run", "--report", str(tmp_path / "r.html"), "--quit",
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
            ) as process:  # fmt: skip
                out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S * 2)
            return process.returncode or 0, (out + err).decode()

    code, printed = asyncio.run(scenario())
    assert code == 0, printed
    [stored] = [path for path in config.rglob("*.conf")]
    settings = stored.read_text(encoding="utf-8", errors="replace")
    assert "recent_hosts" in settings and "127.0.0.1" in settings
    written = [printed, settings, (tmp_path / "r.html").read_text("utf-8"), (tmp_path / "r.json").read_text("utf-8")]
    written += [path.read_text("utf-8", errors="replace") for path in data.rglob("*.log")]
    for text in written:
        assert secret not in text and "access_token" not in text and "tech:" not in text
