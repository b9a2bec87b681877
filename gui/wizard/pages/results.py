"""Page 4: the results grouped by severity, each with its explanation and next steps.

The details pane shows the shared templates' output (resources/templates/details_*.html.j2,
the guidance as the report shows it): every string that came from the network or the user
is escaped there, and shown as plain text elsewhere.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.guidance import guidance_texts, render, source_words
from sep_port_doctor.core.i18n import say, say_any
from sep_port_doctor.core.results import CheckResult, Finding, Severity
from sep_port_doctor.core.verdicts import path_name
from sep_port_doctor.gui.plaintext import literal_html
from sep_port_doctor.gui.wizard.fields import plain_label
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage
from sep_port_doctor.gui.wizard.run_model import port_text, severity_icon

SEVERITY_ORDER = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.PASSED, Severity.NOT_TESTED)
PAYLOAD_ROLE = Qt.ItemDataRole.UserRole


def beside_details(tree: QTreeWidget, details: QTextBrowser) -> QSplitter:
    """A results tree with the details of its current row on its right (the check's and push's results)."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(tree)
    splitter.addWidget(details)
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    return splitter


class ResultsPage(WizardPage):
    entry_requested = Signal(str)
    copy_requested = Signal()
    new_requested = Signal()

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context, scrolling=False)  # the tree and the details scroll themselves
        self.verdict = plain_label()
        self.verdict.setObjectName("overall")
        bold = QFont(self.verdict.font())
        bold.setBold(True)
        self.verdict.setFont(bold)
        self.summary = plain_label()
        self.summary.setObjectName("summary")
        self.tree = QTreeWidget()
        self.tree.setObjectName("results_tree")
        self.tree.setHeaderHidden(True)
        self.details = QTextBrowser()
        self.details.setObjectName("details")
        self.details.setOpenLinks(False)  # nothing shown there is a link: remote text is escaped
        self.show_entry = QPushButton()
        self.show_entry.setObjectName("show_entry")
        self.show_entry.setEnabled(False)
        self.copy_summary = QPushButton()
        self.copy_summary.setObjectName("copy_summary")
        self.new_diagnosis = QPushButton()
        self.new_diagnosis.setObjectName("new_diagnosis")
        splitter = beside_details(self.tree, self.details)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_summary)
        buttons.addWidget(self.new_diagnosis)
        buttons.addStretch(1)
        buttons.addWidget(self.show_entry)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.verdict)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.tree.currentItemChanged.connect(self._on_current)
        # A double click opens the entry in the reference; Enter stays the wizard's Next.
        self.tree.itemDoubleClicked.connect(lambda item, _column: self._request_entry(item))
        self.show_entry.clicked.connect(lambda: self._request_entry(self.tree.currentItem()))
        self.copy_summary.clicked.connect(self.copy_requested)
        self.new_diagnosis.clicked.connect(self.new_requested)
        self.diagnosis: Diagnosis | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Results"))
        self.setSubTitle(self.tr("Grouped by severity. Select a line for the explanation and next steps."))
        self.show_entry.setText(self.tr("Show in the &port reference"))
        self.copy_summary.setText(self.tr("&Copy for the ticket"))
        self.copy_summary.setToolTip(self.tr("Copy a plain-text summary: host, version, time and every problem"))
        self.new_diagnosis.setText(self.tr("New dia&gnosis"))
        if self.diagnosis is not None:
            self.show_diagnosis(self.diagnosis)

    def show_diagnosis(self, diagnosis: Diagnosis) -> None:
        lang = self.lang
        self.diagnosis = diagnosis
        self.tree.clear()
        groups: dict[Severity, QTreeWidgetItem] = {}
        for severity in SEVERITY_ORDER:
            group = QTreeWidgetItem([say(f"severity.{severity}", lang)])
            group.setIcon(0, severity_icon(severity))
            groups[severity] = group
        for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
            check = result.check
            text = f"{port_text(check)}  {explanation.headline_for(lang)}"
            child = QTreeWidgetItem([text])
            child.setData(0, PAYLOAD_ROLE, ("check", result, explanation))
            child.setToolTip(0, literal_html(text))
            groups[explanation.severity].addChild(child)
        if diagnosis.local is not None:
            this_pc = self.tr("This PC")
            for finding in diagnosis.local.findings:
                text = f"{this_pc}: {finding.title_for(lang)}"
                child = QTreeWidgetItem([text])
                child.setData(0, PAYLOAD_ROLE, ("local", finding, None))
                child.setToolTip(0, literal_html(text))
                groups[finding.severity].addChild(child)
        for severity, group in groups.items():
            group.setText(0, f"{say(f'severity.{severity}', lang)} ({group.childCount()})")
            self.tree.addTopLevelItem(group)
            group.setExpanded(severity in (Severity.PROBLEM, Severity.WARNING))
        overall = say(f"report.overall_{diagnosis.overall}", lang)
        if diagnosis.cancelled:
            overall = self.tr("Cancelled (incomplete): %1").replace("%1", overall)
        self.verdict.setText(overall)
        counts = diagnosis.counts()
        lines = [", ".join(f"{say(f'severity.{s}', lang)} {n}" for s, n in counts.items())]
        for gid in diagnosis.notices:
            notice = self.context.catalog.guidance[gid]
            lines.append(f"{notice.title.say(lang)}: {notice.text.say(lang)}")
        self.summary.setText("\n".join(lines))
        first = next((g.child(0) for g in groups.values() if g.childCount() and g.isExpanded()), None)
        if first is not None:
            self.tree.setCurrentItem(first)
        else:
            self._on_current(None, None)

    def clear(self) -> None:
        self.diagnosis = None
        self.tree.clear()
        self.details.clear()
        self.verdict.clear()
        self.summary.clear()

    # --- details -------------------------------------------------------------------------

    def _on_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        payload = item.data(0, PAYLOAD_ROLE) if item is not None else None
        self.show_entry.setEnabled(bool(payload and payload[0] == "check"))
        if not payload:
            self.details.clear()
            return
        kind, subject, explanation = payload
        self.details.setHtml(self._check_html(subject, explanation) if kind == "check" else self._finding_html(subject))

    def _check_html(self, result: CheckResult, explanation: Finding) -> str:
        lang = self.lang
        check = result.check
        entry = self.context.catalog.entry(check.entry_id)
        rows = [
            (self.tr("Verdict"), say(f"state.{result.state}", lang)),
            (self.tr("Evidence"), say_any(result.reason, lang)),
            (self.tr("Address"), result.address or "—"),
            (self.tr("Round trip"), result.round_trip or "—"),
        ]
        if self.diagnosis is not None:
            rows.append((self.tr("Why checked"), check.reason.say(lang)))
        for app in result.application:
            via = "" if app.via == "direct" else f" ({path_name(app).say(lang)})"
            rows.append(
                (
                    f"{say(f'apptest.{app.test}', lang)}{via}",
                    ("✓ " if app.ok else "✗ ") + say_any(app.detail, lang),
                )
            )
        return render(
            "details_check.html.j2",
            port=port_text(check),
            purpose=entry.purpose.say(lang),
            headline=explanation.headline_for(lang),
            rows=rows,
            path=self._path(result),
            guidance=guidance_texts(self.context.catalog, explanation.guidance, lang),
            w=source_words(lang),
        )

    def _path(self, result: CheckResult) -> dict[str, Any] | None:
        """The path facts of the check's host (route, DNS, ping, where the path ends)."""
        host = result.check.host
        if self.diagnosis is None or host is None or result.check.local:
            return None
        path = next((p for p in self.diagnosis.paths if p.host == host.typed), None)
        if path is None:
            return None
        return {"heading": say("path.heading", self.lang), "lines": path.path_lines(self.lang)}

    def _finding_html(self, finding: Finding) -> str:
        return render(
            "details_finding.html.j2",
            title=finding.title_for(self.lang),
            detail=finding.detail_for(self.lang),
            guidance=guidance_texts(self.context.catalog, finding.guidance, self.lang),
            w=source_words(self.lang),
        )

    def _request_entry(self, item: QTreeWidgetItem | None) -> None:
        payload = item.data(0, PAYLOAD_ROLE) if item is not None else None
        if payload and payload[0] == "check":
            self.entry_requested.emit(payload[1].check.entry_id)
