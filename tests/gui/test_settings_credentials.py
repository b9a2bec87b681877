"""A pasted URL with a password is remembered without it (the recent-hosts setting)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from sep_port_doctor.gui.settings import Settings


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
