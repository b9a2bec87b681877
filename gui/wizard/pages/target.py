"""Page 2: what to check (the manager, the SEP version, optional peers and moved ports, a note).

Each field is checked as it is typed and its message shown beside it; Next is enabled
when everything parses. The page tells the wizard only when that changes: QWizard
rebuilds its buttons on every ``completeChanged``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from sep_port_doctor.core.checks.version_api import CHECK_ID as VERSION_API
from sep_port_doctor.core.checks.version_api import VersionEvidence, sepm_version_check
from sep_port_doctor.core.hosts import Host, HostError, parse_host
from sep_port_doctor.core.i18n import say_any
from sep_port_doctor.core.localpc import ClientConfig, LocalReport
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.versions import KNOWN_RELEASES, VersionError, parse_version
from sep_port_doctor.gui.tasks import start_task
from sep_port_doctor.gui.wizard.fields import (
    MAX_NOTE_CHARS,
    Field,
    FieldError,
    clean_note,
    parse_overrides_text,
    plain_label,
)
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage

FIELD_NAMES = ("manager", "version", "gup", "sql", "syslog", "ports", "note")
REQUIRED = ("manager", "version")
MAX_PORTS_TEXT = 4000
VERSION_READ_TIMEOUT = 5.0
_REFUSED = (FieldError, HostError, VersionError)


def _editable_combo(items: list[str]) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.addItems(items)
    combo.setCurrentText("")
    # No completion while typing: "14.3 RU1" then Tab stays "14.3 RU1" (inline completion made it
    # "14.3 RU10"); the list opens with Alt+Down or a click, and a choice there is the user's.
    combo.setCompleter(None)  # type: ignore[arg-type]  # None removes it (Qt documents this)
    return combo


class TargetPage(WizardPage):
    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        settings = context.settings
        manager = _editable_combo(settings.recent_hosts)
        version = _editable_combo(list(reversed(KNOWN_RELEASES)))
        version.setCurrentText(settings.last_version)
        self.fields = {
            "manager": Field("manager", manager),
            "version": Field("version", version),
            "gup": Field("gup", QLineEdit()),
            "sql": Field("sql", QLineEdit()),
            "syslog": Field("syslog", QLineEdit()),
            "ports": Field("ports", QLineEdit()),
            "note": Field("note", QLineEdit()),
        }
        self.manager, self.version = manager, version
        self.gup, self.sql, self.syslog = self._line("gup"), self._line("sql"), self._line("syslog")
        self.ports = self._line("ports")
        self.ports.setMaxLength(MAX_PORTS_TEXT)
        self.note = self._line("note")
        self.note.setMaxLength(MAX_NOTE_CHARS * 2)  # longer input is refused with a message, not cut silently
        self.read_version = QPushButton()
        self.read_version.setObjectName("read_version")
        self.local_gup = QCheckBox()
        self.local_gup.setObjectName("local_gup")
        self.prefill_label = plain_label()
        self.prefill_label.setStyleSheet("color: #1a5fb4")
        self.prefill_label.hide()
        self.version_status = plain_label()
        self.version_status.setObjectName("version_status")

        form = QFormLayout()
        version_row = QHBoxLayout()
        version_row.addWidget(version, 1)
        version_row.addWidget(self.read_version)
        for name, field in self.fields.items():
            form.addRow(field.label, version_row if name == "version" else field.widget)
            form.addRow("", field.message)
            if name == "version":
                form.addRow("", self.version_status)
            if name == "ports":
                form.addRow("", self.local_gup)
        layout = QVBoxLayout(self.content)
        layout.addWidget(self.prefill_label)
        layout.addLayout(form)
        layout.addStretch(1)

        for name, field in self.fields.items():
            field.line_edit.textChanged.connect(lambda _text, n=name: self._on_edited(n))
        self.read_version.clicked.connect(self._on_read_version)
        self.version_task: asyncio.Task[None] | None = None
        self._complete = False
        self._client: ClientConfig | None = None
        """This PC's SEP client settings, once read: the ports prefill follows the chosen server."""
        self._prefilled_ports: str | None = None
        """The ports text as the prefill wrote it; replaced when the server changes, until edited."""
        self.retranslate()

    def _line(self, name: str) -> QLineEdit:
        widget = self.fields[name].widget
        assert isinstance(widget, QLineEdit)
        return widget

    def retranslate(self) -> None:
        self.setTitle(self.tr("What to check"))
        self.setSubTitle(self.tr("The manager and the SEP version decide which ports matter."))
        texts = {
            "manager": self.tr("&Manager (SEPM) host:"),
            "version": self.tr("S&EP version:"),
            "gup": self.tr("&Group Update Provider (optional):"),
            "sql": self.tr("Remote &SQL Server (optional):"),
            "syslog": self.tr("S&yslog server (optional):"),
            "ports": self.tr("Ports the site &changed (optional):"),
            "note": self.tr("No&te or ticket number:"),
        }
        for name, text in texts.items():
            self.fields[name].set_label(text)
        self.fields["manager"].line_edit.setPlaceholderText(
            self.tr("host name or IP address, e.g. sepm01.corp.example")
        )
        self.fields["version"].line_edit.setPlaceholderText(self.tr("e.g. 14.3 RU1 or 14.3.3580.1100"))
        self.ports.setPlaceholderText(self.tr("DEFAULT=ACTUAL, e.g. 8014=80, 443=4443"))
        self.note.setPlaceholderText(self.tr("shown in the report"))
        self.local_gup.setText(self.tr("This PC is a Group &Update Provider (check that it listens on TCP 2967)"))
        self.read_version.setText(self.tr("Read fr&om manager"))
        self.read_version.setToolTip(self.tr("Ask the manager's web service (TCP 8446) for its version"))
        for name in self.fields:
            self._validate(name)
        self._update_complete()

    # --- validation --------------------------------------------------------------------

    def value(self, name: str) -> str:
        return self.fields[name].text()

    def parsed(self, name: str) -> Any:
        """The parsed value of one field; raises FieldError, HostError or VersionError."""
        text = self.value(name)
        if name == "manager":
            return parse_host(text)
        if name == "version":
            return parse_version(text)
        if name in ("gup", "sql", "syslog"):
            return parse_host(text) if text.strip() else None
        if name == "ports":
            return parse_overrides_text(text, self.context.catalog)
        if name == "note":
            return clean_note(text)
        raise KeyError(name)

    def _validate(self, name: str) -> bool:
        field = self.fields[name]
        try:
            value = self.parsed(name)
        except _REFUSED as exc:
            # An empty required field is not an error while typing; it only keeps Next disabled.
            empty_required = name in REQUIRED and not self.value(name).strip()
            field.show_error("" if empty_required else exc.message(self.lang))
            return False
        if isinstance(value, Host) and value.notice is not None:
            field.show_notice(value.notice.message(self.lang))
        else:
            field.show_error("")
        return True

    def _on_edited(self, name: str) -> None:
        if name == "manager":
            self._ports_follow_server()
        self._validate(name)
        self._update_complete()

    def _update_complete(self) -> None:
        complete = all(self.valid(name) for name in self.fields)
        if complete != self._complete:
            self._complete = complete
            self.completeChanged.emit()

    def valid(self, name: str) -> bool:
        try:
            self.parsed(name)
        except _REFUSED:
            return False
        return True

    def isComplete(self) -> bool:
        return self._complete

    def validatePage(self) -> bool:
        ok = all([self._validate(name) for name in self.fields])
        if ok:
            self.context.settings.remember_host(self.value("manager").strip())
            self.context.settings.last_version = self.value("version").strip()
        return ok

    def problems(self) -> list[str]:
        """Every refused field's message, for ``gui --run``'s one line."""
        return [f.message.text() for name, f in self.fields.items() if not self.valid(name) and f.message.text()]

    def missing_required(self) -> str:
        return self.tr("the manager and the SEP version are needed")

    def request(self, role: Role) -> PlanRequest:
        """What was asked; call only when the page is complete."""
        return PlanRequest(
            manager=self.parsed("manager"),
            version=self.parsed("version"),
            role=role,
            gup=self.parsed("gup"),
            sql=self.parsed("sql"),
            syslog=self.parsed("syslog"),
            overrides=self.parsed("ports"),
            local_gup=self.local_gup.isChecked(),
        )

    def note_text(self) -> str:
        """The note as it is now (read at export), or "" while it is refused."""
        try:
            return str(self.parsed("note"))
        except FieldError:
            return ""

    # --- prefill -----------------------------------------------------------------------

    def prefill_from(self, report: LocalReport) -> None:
        """Fill what is still empty from this PC's SEP client settings, and say so. Every
        management server in its SyLink is offered in the manager list (priority order, first)."""
        config = report.config
        if config is None:
            return
        self._client = config
        typed = self.value("manager")
        self._offer_servers(config)
        self.manager.setCurrentText(typed)
        filled = []
        if not typed.strip() and config.suggested_manager:
            self.manager.setCurrentText(config.suggested_manager)
            filled.append(self.tr("manager"))
        if not self.value("version").strip() and config.version is not None:
            self.version.setCurrentText(config.version.release_name)
            filled.append(self.tr("version"))
        if not self.ports.text().strip():
            overrides = config.overrides_for(self.value("manager"))
            self._set_prefilled_ports(overrides)
            if overrides:
                filled.append(self.tr("ports"))
        lines = []
        if filled:
            lines.append(self.tr("Filled in from this PC's SEP client settings: %1").replace("%1", ", ".join(filled)))
        if len(config.servers) > 1:
            more = self.tr("This PC's SyLink lists %1 management servers: choose another in the manager list.")
            lines.append(more.replace("%1", str(len(config.servers))))
        if lines:
            self.prefill_label.setText("\n".join(lines))
            self.prefill_label.show()

    def _offer_servers(self, config: ClientConfig) -> None:
        """SyLink's servers at the top of the manager list, each once, with its ports as a tip."""
        for priority, server in enumerate(reversed(config.servers)):
            existing = self.manager.findText(server.host, Qt.MatchFlag.MatchFixedString)
            if existing >= 0:
                self.manager.removeItem(existing)
            self.manager.insertItem(0, server.host)
            ports = ", ".join(
                f"{scheme} {port}"
                for scheme, port in (("HTTP", server.http_port), ("HTTPS", server.https_port))
                if port
            )
            tip = self.tr("From this PC's SyLink (server %1 of %2): %3")
            number = len(config.servers) - priority
            tip = tip.replace("%1", str(number)).replace("%2", str(len(config.servers))).replace("%3", ports or "-")
            self.manager.setItemData(0, tip, Qt.ItemDataRole.ToolTipRole)

    def _set_prefilled_ports(self, overrides: dict[int, int]) -> None:
        text = ", ".join(f"{d}={a}" for d, a in sorted(overrides.items()))
        self._prefilled_ports = text
        self.ports.setText(text)

    def _ports_follow_server(self) -> None:
        """A prefilled ports field follows the chosen server's SyLink ports (none for a server
        SyLink does not list); once the user edits it, it is theirs."""
        if self._client is None or self._prefilled_ports is None:
            return
        if self.ports.text() != self._prefilled_ports:
            self._prefilled_ports = None
            return
        self._set_prefilled_ports(self._client.overrides_for(self.value("manager")))

    # --- the version from the manager ----------------------------------------------------

    def _on_read_version(self) -> None:
        if self.version_task is not None and not self.version_task.done():
            return
        try:
            host = parse_host(self.value("manager"))
        except HostError as exc:
            self.fields["manager"].show_error(exc.message(self.lang))
            return
        # The catalogue's port for the version API, as this field moves it.
        default = self.context.catalog.with_check(VERSION_API)[0].port
        port = self.parsed("ports").get(default, default) if self.valid("ports") else default
        asking = self.tr("Asking %1 on TCP %2…")
        self.version_status.setText(asking.replace("%1", host.typed).replace("%2", str(port)))
        self.version_task = start_task(self._read_version(host, port), "read the manager's version")

    async def _read_version(self, host: Host, port: int) -> None:
        self.read_version.setEnabled(False)
        try:
            result = await sepm_version_check(host, port, VERSION_READ_TIMEOUT, None)
            reported = result.evidence.reported_version if isinstance(result.evidence, VersionEvidence) else None
            try:
                version = parse_version(str(reported)) if reported else None
            except VersionError:
                version = None
            if version is not None:
                self.version.setCurrentText(version.release_name)
                self.version_status.setText(self.tr("The manager reports %1.").replace("%1", str(reported)))
            elif reported:
                self.version_status.setText(
                    self.tr("The manager reports a version not known here: %1").replace("%1", str(reported))
                )
            else:
                self.version_status.setText(
                    self.tr("No version from the manager: %1").replace("%1", say_any(result.detail, self.lang))
                )
        finally:
            self.read_version.setEnabled(True)
