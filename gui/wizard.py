"""The diagnostics wizard: where am I, what to check, the live run, the results, the export.

Pages collect input and show results; core does the work (plan, engine, explain,
report). The run is an asyncio task on the application's one qasync loop, so the
window never waits on the network.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from core import exit_codes
from core.catalog import Catalog, Lang, label
from core.diagnosis import Diagnosis
from core.engine import ProbeEngine, RunSummary
from core.errors import UserError
from core.explain import Explanation, Severity, explain, plan_reason
from core.hosts import Host, HostError, parse_host
from core.http_checks import sepm_version_check
from core.localpc import LocalFinding, LocalReport, LocalSystem, inspect_local
from core.plan import PlanError, PlanRequest, Role, build_plan, parse_override
from core.report import ReportError, export, report_place
from core.results import Check, CheckResult, State
from core.timing import TimeoutPolicy
from core.versions import KNOWN_RELEASES, VersionError, parse_version
from gui.run_model import COL_FINDING, COL_PURPOSE, RESULT_ROLE, RunModel, severity_icon
from gui.settings import Settings

log = logging.getLogger(__name__)

PAGE_WHERE, PAGE_TARGET, PAGE_RUN, PAGE_RESULTS, PAGE_EXPORT = range(5)
MAX_NOTE_CHARS = 500
ERROR_STYLE = "border: 2px solid #b00020;"


class FieldError(UserError):
    """Input refused at a field; the message is shown next to it."""


def clean_note(text: str) -> str:
    """A note for the report: control characters refused, length capped."""
    if any((ord(ch) < 32 and ch not in "\t") or ord(ch) == 127 for ch in text):
        raise FieldError("note-control")
    if len(text) > MAX_NOTE_CHARS:
        raise FieldError("note-too-long", limit=MAX_NOTE_CHARS)
    return text.strip()


def parse_overrides(text: str, catalog: Catalog) -> dict[int, int]:
    """``8014=80, 443=4443`` (commas or spaces between); raises FieldError."""
    overrides: dict[int, int] = {}
    for part in text.replace(",", " ").replace("、", " ").split():
        try:
            default, actual = parse_override(part, catalog)
        except PlanError as exc:
            raise FieldError(exc.code, **exc.params) from None
        overrides[default] = actual
    return overrides


class _Field:
    """A line of the form with its error label."""

    def __init__(self, widget: QWidget) -> None:
        self.widget = widget
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.widget.setStyleSheet(ERROR_STYLE if message else "")
        self.widget.setAccessibleDescription(message)


class WherePage(QWizardPage):
    language_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.buttons = QButtonGroup(self)
        self.radios: dict[Role, QRadioButton] = {}
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        for role in Role:
            radio = QRadioButton()
            self.radios[role] = radio
            self.buttons.addButton(radio)
            layout.addWidget(radio)
        self.radios[Role.CLIENT].setChecked(True)
        self.language_label = QLabel()
        self.language = QComboBox()
        self.language.addItem("", "")
        self.language.addItem("日本語", "ja")
        self.language.addItem("English", "en")
        self.language_label.setBuddy(self.language)
        row = QHBoxLayout()
        row.addWidget(self.language_label)
        row.addWidget(self.language)
        row.addStretch(1)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(1)
        self.language.activated.connect(lambda _i: self.language_chosen.emit(self.language.currentData()))
        self.retranslate()

    @property
    def role(self) -> Role:
        return next(role for role, radio in self.radios.items() if radio.isChecked())

    def set_role(self, role: Role) -> None:
        self.radios[role].setChecked(True)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Where are you?"))
        self.setSubTitle(self.tr("The checks depend on where this program runs."))
        self.intro.setText(self.tr("Choose where you are sitting. Most checks are made from a client PC."))
        self.radios[Role.CLIENT].setText(self.tr("At a &client PC whose SEP client cannot reach its manager"))
        self.radios[Role.CONSOLE].setText(self.tr("At an &admin PC whose console cannot reach the manager"))
        self.radios[Role.MANAGER].setText(self.tr("On the &manager (SEPM) itself"))
        self.language_label.setText(self.tr("&Language:"))
        self.language.setItemText(0, self.tr("Follow the system"))


class TargetPage(QWizardPage):
    def __init__(self, catalog: Catalog, settings: Settings, lang: Lang) -> None:
        super().__init__()
        self._catalog = catalog
        self._settings = settings
        self.lang: Lang = lang  # for the messages at the fields
        self.manager = QComboBox()
        self.manager.setEditable(True)
        self.manager.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.manager.addItems(settings.recent_hosts)
        self.manager.setCurrentText("")
        self.version = QComboBox()
        self.version.setEditable(True)
        self.version.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.version.addItems(list(reversed(KNOWN_RELEASES)))
        self.version.setCurrentText(settings.last_version)
        self.read_version = QPushButton()
        self.gup = QLineEdit()
        self.sql = QLineEdit()
        self.syslog = QLineEdit()
        self.overrides = QLineEdit()
        self.note = QLineEdit()
        self.note.setMaxLength(MAX_NOTE_CHARS * 2)  # longer input is refused with a message, not cut silently
        self.local_gup = QCheckBox()
        self.prefill_label = QLabel()
        self.prefill_label.setWordWrap(True)
        self.prefill_label.setStyleSheet("color: #1a5fb4")
        self.prefill_label.hide()

        self.fields = {
            "manager": _Field(self.manager),
            "version": _Field(self.version),
            "gup": _Field(self.gup),
            "sql": _Field(self.sql),
            "syslog": _Field(self.syslog),
            "overrides": _Field(self.overrides),
            "note": _Field(self.note),
        }
        self.labels = {name: QLabel() for name in self.fields}
        form = QFormLayout()
        version_row = QHBoxLayout()
        version_row.addWidget(self.version, 1)
        version_row.addWidget(self.read_version)
        for name, field in self.fields.items():
            self.labels[name].setBuddy(field.widget)
            if name == "version":
                form.addRow(self.labels[name], version_row)
            else:
                form.addRow(self.labels[name], field.widget)
            form.addRow("", field.error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prefill_label)
        layout.addLayout(form)
        layout.addWidget(self.local_gup)
        self.version_status = QLabel()
        self.version_status.setWordWrap(True)
        layout.addWidget(self.version_status)
        layout.addStretch(1)

        self.manager.currentTextChanged.connect(lambda _t: self._validate_field("manager"))
        self.version.currentTextChanged.connect(lambda _t: self._validate_field("version"))
        for name in ("gup", "sql", "syslog", "overrides", "note"):
            widget = self.fields[name].widget
            assert isinstance(widget, QLineEdit)
            widget.textChanged.connect(lambda _t, n=name: self._validate_field(n))
        self.read_version.clicked.connect(self._on_read_version)
        self._version_task: asyncio.Task[None] | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("What to check"))
        self.setSubTitle(self.tr("The manager and the SEP version decide which ports matter."))
        texts = {
            "manager": self.tr("&Manager (SEPM) host:"),
            "version": self.tr("SEP &version:"),
            "gup": self.tr("&Group Update Provider (optional):"),
            "sql": self.tr("Remote &SQL Server (optional):"),
            "syslog": self.tr("S&yslog server (optional):"),
            "overrides": self.tr("Ports the site &changed (optional):"),
            "note": self.tr("&Note or ticket number:"),
        }
        for name, text in texts.items():
            self.labels[name].setText(text)
        self.manager.lineEdit().setPlaceholderText(self.tr("host name or IP address, e.g. sepm01.corp.example"))  # type: ignore[union-attr]
        self.version.lineEdit().setPlaceholderText(self.tr("e.g. 14.3 RU1 or 14.3.3580.1100"))  # type: ignore[union-attr]
        self.overrides.setPlaceholderText(self.tr("DEFAULT=ACTUAL, e.g. 8014=80, 443=4443"))
        self.note.setPlaceholderText(self.tr("shown in the report"))
        self.local_gup.setText(self.tr("This PC is a Group &Update Provider (check that it listens on TCP 2967)"))
        self.read_version.setText(self.tr("Read from manager"))
        self.read_version.setToolTip(self.tr("Ask the manager's web service (TCP 8446) for its version"))
        for name in self.fields:
            self._validate_field(name)

    # --- validation --------------------------------------------------------------------

    def _value(self, name: str) -> str:
        widget = self.fields[name].widget
        if isinstance(widget, QComboBox):
            return widget.currentText()
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def _check(self, name: str) -> Any:
        """The parsed value of one field; raises FieldError, HostError, VersionError."""
        text = self._value(name)
        if name == "manager":
            return parse_host(text)
        if name == "version":
            return parse_version(text)
        if name in ("gup", "sql", "syslog"):
            return parse_host(text) if text.strip() else None
        if name == "overrides":
            return parse_overrides(text, self._catalog)
        if name == "note":
            return clean_note(text)
        raise KeyError(name)

    def _validate_field(self, name: str) -> bool:
        try:
            value = self._check(name)
        except (FieldError, HostError, VersionError) as exc:
            # An empty required field is not an error while typing; it only keeps Next disabled.
            empty_required = name in ("manager", "version") and not self._value(name).strip()
            self.fields[name].show_error("" if empty_required else exc.message(self.lang))
            self.completeChanged.emit()
            return False
        self.fields[name].show_error("")
        if name == "manager" and isinstance(value, Host) and value.notice:
            self.fields[name].error.setStyleSheet("color: #1a5fb4")
            self.fields[name].error.setText(value.notice.message(self.lang))
            self.fields[name].error.show()
        else:
            self.fields[name].error.setStyleSheet("color: #b00020")
        self.completeChanged.emit()
        return True

    def isComplete(self) -> bool:
        return all(self._valid(name) for name in self.fields)

    def _valid(self, name: str) -> bool:
        try:
            self._check(name)
        except (FieldError, HostError, VersionError):
            return False
        return True

    def validatePage(self) -> bool:
        ok = all([self._validate_field(name) for name in self.fields])
        if ok:
            self._settings.remember_host(self._value("manager").strip())
            self._settings.last_version = self._value("version").strip()
        return ok

    def request(self, role: Role) -> PlanRequest:
        """The plan input; call only when the page is complete."""
        return PlanRequest(
            manager=self._check("manager"),
            version=self._check("version"),
            role=role,
            gup=self._check("gup"),
            sql=self._check("sql"),
            syslog=self._check("syslog"),
            overrides=self._check("overrides"),
            local_gup=self.local_gup.isChecked(),
        )

    def note_text(self) -> str:
        try:
            return str(self._check("note"))
        except FieldError:
            return ""

    # --- prefill -----------------------------------------------------------------------

    def prefill_from(self, report: LocalReport) -> None:
        config = report.config
        if config is None:
            return
        filled = []
        if not self.manager.currentText().strip() and config.suggested_manager:
            self.manager.setCurrentText(config.suggested_manager)
            filled.append(self.tr("manager"))
        if not self.version.currentText().strip() and config.version is not None:
            self.version.setCurrentText(config.version.release_name)
            filled.append(self.tr("version"))
        overrides = config.suggested_overrides()
        if not self.overrides.text().strip() and overrides:
            self.overrides.setText(", ".join(f"{d}={a}" for d, a in sorted(overrides.items())))
            filled.append(self.tr("ports"))
        if filled:
            self.prefill_label.setText(
                self.tr("Filled in from this PC's SEP client settings: %1").replace("%1", ", ".join(filled))
            )
            self.prefill_label.show()

    def _on_read_version(self) -> None:
        if self._version_task is not None and not self._version_task.done():
            return
        try:
            host = parse_host(self.manager.currentText())
        except HostError as exc:
            self.fields["manager"].show_error(exc.message(self.lang))
            return
        port = (
            parse_overrides(self.overrides.text(), self._catalog).get(8446, 8446) if self._valid("overrides") else 8446
        )
        self.version_status.setText(self.tr("Asking %1 on TCP %2…").replace("%1", host.typed).replace("%2", str(port)))
        self._version_task = asyncio.ensure_future(self._read_version(host, port))

    async def _read_version(self, host: Host, port: int) -> None:
        self.read_version.setEnabled(False)
        try:
            result = await sepm_version_check(host, port, 5.0, None)
            reported = result.evidence.get("reported_version")
            if reported:
                self.version.setCurrentText(parse_version(str(reported)).release_name)
                self.version_status.setText(self.tr("The manager reports %1.").replace("%1", str(reported)))
            else:
                self.version_status.setText(self.tr("No version from the manager: %1").replace("%1", result.detail))
        finally:
            self.read_version.setEnabled(True)


class RunPage(QWizardPage):
    def __init__(self, catalog: Catalog, lang: Lang) -> None:
        super().__init__()
        self.model = RunModel(catalog, lang, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FINDING, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_PURPOSE, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(COL_PURPOSE, 300)
        self.progress = QProgressBar()
        self.status = QLabel()
        self.cancel = QPushButton()
        self.rerun_row = QPushButton()
        self.rerun_all = QPushButton()
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.rerun_row)
        buttons.addWidget(self.rerun_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.running = False
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Checking"))
        self.setSubTitle(self.tr("Each verdict appears as it arrives. Cancel stops everything at once."))
        self.cancel.setText(self.tr("&Cancel"))
        self.rerun_row.setText(self.tr("Run this &row again"))
        self.rerun_all.setText(self.tr("Run &all again"))

    def isComplete(self) -> bool:
        return not self.running and self.model.rowCount() > 0

    def set_running(self, running: bool) -> None:
        self.running = running
        self.cancel.setEnabled(running)
        self.rerun_row.setEnabled(not running)
        self.rerun_all.setEnabled(not running)
        self.completeChanged.emit()

    def selected_result(self) -> CheckResult | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        result: CheckResult = self.model.index(rows[0].row(), 0).data(RESULT_ROLE)
        return result


class ResultsPage(QWizardPage):
    entry_requested = Signal(str)

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self._catalog = catalog
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_anchor)
        self.show_entry = QPushButton()
        self.show_entry.setEnabled(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(self.show_entry, 0, Qt.AlignmentFlag.AlignRight)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.itemActivated.connect(lambda item, _col: self._request_entry(item))
        self.show_entry.clicked.connect(lambda: self._request_entry(self.tree.currentItem()))
        self._diagnosis: Diagnosis | None = None
        self._lang: Lang = "en"
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Results"))
        self.setSubTitle(self.tr("Grouped by severity. Select a line for the explanation and next steps."))
        self.show_entry.setText(self.tr("Show in the &port reference"))

    def show_diagnosis(self, diagnosis: Diagnosis, lang: Lang) -> None:
        self._diagnosis, self._lang = diagnosis, lang
        self.tree.clear()
        items: dict[Severity, QTreeWidgetItem] = {}
        for severity in (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.PASSED, Severity.NOT_TESTED):
            group = QTreeWidgetItem([label("severity", str(severity), lang)])
            group.setIcon(0, severity_icon(severity))
            items[severity] = group
        for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
            check = result.check
            text = f"{check.protocol.upper()} {check.port}  {check.entry_id}: {explanation.headline_for(lang)}"
            child = QTreeWidgetItem([text])
            child.setData(0, Qt.ItemDataRole.UserRole, ("check", result, explanation))
            child.setToolTip(0, text)
            items[explanation.severity].addChild(child)
        if diagnosis.local is not None:
            for finding in diagnosis.local.findings:
                this_pc = self.tr("This PC")
                child = QTreeWidgetItem([f"{this_pc}: {finding.title[lang]}"])
                child.setData(0, Qt.ItemDataRole.UserRole, ("local", finding, None))
                items[finding.severity].addChild(child)
        for severity, group in items.items():
            group.setText(0, f"{label('severity', str(severity), lang)} ({group.childCount()})")
            self.tree.addTopLevelItem(group)
            group.setExpanded(severity in (Severity.PROBLEM, Severity.WARNING))
        counts = diagnosis.counts()
        verdict = label("severity", str(diagnosis.overall), lang)
        notices = "".join(
            f"<br><i>{escape(self._catalog.guidance[g].title.get(lang))}: {escape(self._catalog.guidance[g].text.get(lang))}</i>"
            for g in diagnosis.notices
        )
        self.summary.setText(
            f"<b>{escape(verdict)}</b> — "
            + ", ".join(f"{escape(label('severity', str(s), lang))} {n}" for s, n in counts.items())
            + notices
        )
        first = next((g.child(0) for g in items.values() if g.childCount() and g.isExpanded()), None)
        if first is not None:
            self.tree.setCurrentItem(first)

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        payload = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        self.show_entry.setEnabled(bool(payload and payload[0] == "check"))
        if not payload:
            self.details.clear()
            return
        kind, subject, explanation = payload
        if kind == "check":
            self.details.setHtml(self._check_html(subject, explanation))
        else:
            self.details.setHtml(self._finding_html(subject))

    def _guidance_html(self, guidance: Any) -> str:
        lang = self._lang
        parts = []
        for g in guidance:
            rule_of_thumb = self.tr("rule of thumb")
            marker = f" <i>({escape(rule_of_thumb)})</i>" if g.source == "field" else ""
            parts.append(f"<p><b>{escape(g.title.get(lang))}</b>{marker}<br>{escape(g.text.get(lang))}</p>")
            if g.steps:
                parts.append("<ol>" + "".join(f"<li>{escape(s.get(lang))}</li>" for s in g.steps) + "</ol>")
        return "".join(parts)

    def _check_html(self, result: CheckResult, explanation: Explanation) -> str:
        lang = self._lang
        check = result.check
        entry = self._catalog.entry(check.entry_id)
        rows = [
            (self.tr("Verdict"), label("state", str(result.state), lang)),
            (self.tr("Evidence"), result.reason),
            (self.tr("Address"), result.address or "—"),
            (self.tr("Round trip"), f"{result.rtt_ms:.1f} ms" if result.rtt_ms is not None else "—"),
        ]
        if self._diagnosis is not None:
            rows.append(
                (self.tr("Why checked"), plan_reason(result, self._catalog, self._diagnosis.request.version, lang))
            )
        for app in result.application:
            via = "" if app.via == "direct" else f" ({app.via})"
            rows.append((f"{app.test}{via}", ("✓ " if app.ok else "✗ ") + app.detail))
        table = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return (
            f"<h3>{escape(check.protocol.upper())} {check.port} — {escape(entry.purpose.get(lang))}</h3>"
            f"<p><b>{escape(explanation.headline_for(lang))}</b></p><table cellpadding='2'>{table}</table>"
            + self._guidance_html(explanation.guidance)
        )

    def _finding_html(self, finding: LocalFinding) -> str:
        lang = self._lang
        guidance = [self._catalog.guidance[g] for g in finding.guidance if g in self._catalog.guidance]
        return f"<h3>{escape(finding.title[lang])}</h3><p>{escape(finding.detail[lang])}</p>" + self._guidance_html(
            guidance
        )

    def _request_entry(self, item: QTreeWidgetItem | None) -> None:
        payload = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if payload and payload[0] == "check":
            self.entry_requested.emit(payload[1].check.entry_id)

    def _on_anchor(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)


class ExportPage(QWizardPage):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        self.folder = QLineEdit(settings.report_folder or str(Path.home()))
        self.browse = QPushButton()
        self.name = QLineEdit()
        self.export_button = QPushButton()
        self.open_button = QPushButton()
        self.open_button.setEnabled(False)
        self.open_after = QCheckBox()
        self.open_after.setChecked(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label = QLabel()
        self.folder_label.setBuddy(self.folder)
        self.name_label = QLabel()
        self.name_label.setBuddy(self.name)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.folder_label, folder_row)
        form.addRow(self.name_label, self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_after)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.browse.clicked.connect(self._browse)
        self.last_report: Path | None = None
        self.open_button.clicked.connect(self._open)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Export the report"))
        self.setSubTitle(self.tr("One HTML file to attach to the ticket, and the same results as JSON."))
        self.folder_label.setText(self.tr("&Folder:"))
        self.name_label.setText(self.tr("File &name:"))
        self.browse.setText(self.tr("&Browse…"))
        self.export_button.setText(self.tr("&Export"))
        self.open_button.setText(self.tr("&Open the report"))
        self.open_after.setText(self.tr("Open the report &after exporting"))

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Folder for the report"), self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def open_report(self) -> None:
        self._open()

    def _open(self) -> None:
        if self.last_report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report)))


class DiagnosticsWizard(QWizard):
    """The whole flow; ``run_unattended`` drives it for ``gui --run``."""

    run_finished = Signal()
    result_arrived = Signal(object)
    entry_requested = Signal(str)
    language_chosen = Signal(str)

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        lang: Lang,
        local_system: LocalSystem | None = None,
        policy: TimeoutPolicy | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Widget)  # lives in the main window's tab
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.catalog = catalog
        self.settings = settings
        self.lang: Lang = lang
        self.local_system = local_system
        self.policy = policy or TimeoutPolicy()
        self.where = WherePage()
        self.target = TargetPage(catalog, settings, lang)
        self.run_page = RunPage(catalog, lang)
        self.results = ResultsPage(catalog)
        self.export_page = ExportPage(settings)
        for page_id, page in enumerate((self.where, self.target, self.run_page, self.results, self.export_page)):
            self.setPage(page_id, page)
        self.diagnosis: Diagnosis | None = None
        self.run_task: asyncio.Task[None] | None = None
        self._checks: tuple[Check, ...] = ()
        self._request: PlanRequest | None = None
        self._arrived: dict[str, CheckResult] = {}
        self._local: LocalReport | None = None
        self._prefilled = False

        self.currentIdChanged.connect(self._on_page)
        self.run_page.cancel.clicked.connect(self.cancel_run)
        self.run_page.rerun_all.clicked.connect(lambda: self.start_run())
        self.run_page.rerun_row.clicked.connect(self._rerun_selected)
        self.results.entry_requested.connect(self.entry_requested)
        self.where.language_chosen.connect(self.language_chosen)
        self.export_page.export_button.clicked.connect(self._export_clicked)
        self.results.show_entry.setEnabled(False)
        # Start on the first page now: a wizard in a hidden tab is otherwise never started.
        self.restart()

    def focusNextPrevChild(self, next: bool) -> bool:
        """Keep the keyboard where it is while QWizard updates its buttons.

        QWizard hides its inner widget while it updates the buttons (on every
        ``completeChanged``); hiding the widget that holds the focus asks for the next
        focus widget, which inside a tab is the tab bar: typing kept one character. During
        such an update the wizard sets the focus itself when it has to (a page change), so
        the request is declined; ordinary Tab presses arrive while it is visible.
        """
        inner = self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if self.isVisible() and any(not widget.isVisible() for widget in inner):
            return True
        return super().focusNextPrevChild(next)

    # --- language -------------------------------------------------------------------------

    def set_lang(self, lang: str) -> None:
        self.lang = lang  # type: ignore[assignment]
        self.target.lang = self.lang
        self.run_page.model.set_lang(self.lang)
        for page in (self.where, self.target, self.run_page, self.results, self.export_page):
            page.retranslate()
        if self.diagnosis is not None:
            self.results.show_diagnosis(self.diagnosis, self.lang)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            for page in (self.where, self.target, self.run_page, self.results, self.export_page):
                page.retranslate()
        super().changeEvent(event)

    # --- prefill ----------------------------------------------------------------------------

    def apply_arguments(self, args: argparse.Namespace) -> None:
        """Prefill from ``gui --manager ... --version ...``; bad values show at their fields."""
        if getattr(args, "role", None):
            self.where.set_role(Role(args.role))
        if getattr(args, "manager", None):
            self.target.manager.setCurrentText(args.manager)
        if getattr(args, "sep_version", None):
            self.target.version.setCurrentText(args.sep_version)
        if getattr(args, "port", None):
            self.target.overrides.setText(", ".join(args.port))
        if getattr(args, "notes", None):
            self.target.note.setText(args.notes)

    async def prefill_from_local(self) -> LocalReport:
        """Read this PC's SEP client settings once and fill what the user has not typed."""
        report = await inspect_local(self.local_system)
        self._local = report
        self.target.prefill_from(report)
        self._prefilled = True
        return report

    # --- the run ----------------------------------------------------------------------------

    def _on_page(self, page_id: int) -> None:
        if page_id == PAGE_RUN and (self.run_task is None or self.diagnosis is None):
            self.start_run()
        if page_id == PAGE_EXPORT and self.diagnosis is not None and not self.export_page.name.text():
            from core.report import default_report_name

            self.export_page.name.setText(default_report_name(self.diagnosis))

    def start_run(self, only: Check | None = None) -> asyncio.Task[None] | None:
        if self.run_task is not None and not self.run_task.done():
            return self.run_task
        if only is None:
            if not self.target.isComplete():
                return None
            self._request = self.target.request(self.where.role)
            self._checks = build_plan(self.catalog, self._request)
            self._arrived = {}
            self.diagnosis = None
            self.run_page.model.clear()
        self.run_task = asyncio.ensure_future(self._run(only))
        return self.run_task

    def _rerun_selected(self) -> None:
        result = self.run_page.selected_result()
        if result is not None and not result.check.skip:
            self.start_run(only=result.check)

    def cancel_run(self) -> None:
        if self.run_task is not None and not self.run_task.done():
            self.run_task.cancel()

    def _on_result(self, result: CheckResult) -> None:
        self._arrived[result.check.id] = result
        assert self._request is not None
        explanation = explain(result, self.catalog, self._request.version)
        if not result.check.skip:
            self.run_page.model.add(result, explanation)
            self.run_page.table.scrollToBottom()
        done = len(self._arrived)
        self.run_page.progress.setValue(done)
        self.result_arrived.emit(result)

    async def _run(self, only: Check | None) -> None:
        assert self._request is not None
        request = self._request
        checks = (only,) if only is not None else self._checks
        page = self.run_page
        page.set_running(True)
        page.progress.setRange(0, len(self._checks))
        page.status.setText(self.tr("Checking %1…").replace("%1", request.manager.typed))
        engine = ProbeEngine(self.policy)
        local_task = None
        if only is None:
            local_task = asyncio.ensure_future(self._local_report())
        cancelled = False
        try:
            summary: RunSummary | None = await engine.run(checks, version=request.version, on_result=self._on_result)
            if local_task is not None:
                self._local = await local_task
        except asyncio.CancelledError:
            cancelled = True
            summary = None
            if local_task is not None:
                local_task.cancel()
                await asyncio.wait({local_task})
        finally:
            page.set_running(False)
        # Checks without an answer are shown as cancelled, never as passed.
        for check in self._checks:
            if check.id not in self._arrived:
                self._on_result(CheckResult(check, State.CANCELLED, "cancelled before an answer"))
        started = summary.started if summary is not None else dt.datetime.now(dt.UTC)
        duration = summary.duration_ms if summary is not None else 0.0
        results = [self._arrived[c.id] for c in self._checks]
        explanations = [explain(r, self.catalog, request.version) for r in results]
        self.diagnosis = Diagnosis(
            request, results, explanations, started, duration, self._local, note=self.target.note_text()
        )
        self.results.show_diagnosis(self.diagnosis, self.lang)
        words = self.tr("Cancelled.") if cancelled else self.tr("Done.")
        page.status.setText(f"{words} {label('severity', str(self.diagnosis.overall), self.lang)}")
        self.run_finished.emit()

    async def _local_report(self) -> LocalReport:
        if self._local is not None and self._prefilled:
            return self._local
        return await inspect_local(self.local_system)

    # --- export -----------------------------------------------------------------------------

    def export_report(self, folder: Path, name: str | None = None) -> tuple[Path, Path]:
        """Write the report; raises ReportError with a message for the user (results stay)."""
        if self.diagnosis is None:
            raise ReportError("report-nothing")
        return export(self.diagnosis, self.catalog, self.lang, folder, name)

    def _export_clicked(self) -> None:
        page = self.export_page
        try:
            name = page.name.text() or "report"
            html, json_path = self.export_report(Path(page.folder.text().strip() or "."), name)
        except ReportError as exc:
            page.status.setStyleSheet("color: #b00020")
            page.status.setText(self.tr("Not exported: %1").replace("%1", exc.message(self.lang)))
            return
        self.settings.report_folder = str(html.parent)
        page.last_report = html
        page.open_button.setEnabled(True)
        page.status.setStyleSheet("")
        page.status.setText(self.tr("Exported: %1 and %2").replace("%1", str(html)).replace("%2", json_path.name))
        if page.open_after.isChecked():
            page.open_report()

    # --- unattended ----------------------------------------------------------------------------

    async def run_unattended(self, report: str | None = None) -> int:
        """``gui --run``: fill, run, export; exit code as for ``check`` (2 on bad input).

        Everything is validated before any packet leaves, the report's place included.
        """
        self.next()  # to the target page
        problems: list[str] = []
        if not self.target.validatePage():
            problems = [f.error.text() for f in self.target.fields.values() if f.error.text()]
            problems = problems or ["the manager and the version are needed"]
        place = None
        if report is not None and not problems:
            try:
                place = report_place(report)
            except ReportError as exc:
                problems = [f"--report: {exc.message(self.lang)}"]
        if problems:
            log.info("bad input: %s", "; ".join(problems))
            _say(f"sep-port-doctor: error: {'; '.join(problems)}")
            return 2
        self.next()  # the run page starts the run
        if self.run_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.run_task
        if self.diagnosis is None:
            return 2
        self.next()
        if place is not None:
            import sys

            from core.check_command import finish_report  # the results are kept even if the place fails now

            return finish_report(place, self.diagnosis, self.catalog, self.lang, sys.stdout, json_printed=False)
        return exit_codes.for_diagnosis(self.diagnosis)

    def shutdown(self) -> None:
        """Closing the window mid-run: cancel; the task closes its sockets as it unwinds."""
        self.cancel_run()


def _say(line: str) -> None:
    """One line for the user on stderr (a windowed program may have none)."""
    import sys

    if sys.stderr is not None:
        print(line, file=sys.stderr)
