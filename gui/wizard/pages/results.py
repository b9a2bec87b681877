"""Page 4: the results grouped by severity, each with its explanation and next steps.

Every string that came from the network or the user is escaped in the details pane
and shown as plain text elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

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

from core.catalog import Guidance
from core.diagnosis import Diagnosis
from core.explain import Explanation
from core.i18n import say, say_any
from core.localpc import LocalFinding
from core.results import CheckResult, Severity
from gui.plaintext import literal_html
from gui.wizard.fields import plain_label
from gui.wizard.pages.base import WizardContext, WizardPage
from gui.wizard.run_model import port_text, severity_icon

SEVERITY_ORDER = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.PASSED, Severity.NOT_TESTED)
PAYLOAD_ROLE = Qt.ItemDataRole.UserRole


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
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
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
            text = f"{port_text(check)}  {check.entry_id}: {explanation.headline_for(lang)}"
            child = QTreeWidgetItem([text])
            child.setData(0, PAYLOAD_ROLE, ("check", result, explanation))
            child.setToolTip(0, literal_html(text))
            groups[explanation.severity].addChild(child)
        if diagnosis.local is not None:
            this_pc = self.tr("This PC")
            for finding in diagnosis.local.findings:
                text = f"{this_pc}: {finding.title.say(lang)}"
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

    def _guidance_html(self, guidance: Sequence[Guidance]) -> str:
        lang = self.lang
        parts = []
        # The report's words for where guidance comes from (a rule of thumb is said to be one).
        rule_of_thumb = escape(say("report.rule_of_thumb", lang))
        for g in guidance:
            marker = f" <i>({rule_of_thumb})</i>" if g.source == "field" else ""
            parts.append(f"<p><b>{escape(g.title.say(lang))}</b>{marker}<br>{escape(g.text.say(lang))}</p>")
            if g.steps:
                parts.append("<ol>" + "".join(f"<li>{escape(s.say(lang))}</li>" for s in g.steps) + "</ol>")
        return "".join(parts)

    def _check_html(self, result: CheckResult, explanation: Explanation) -> str:
        lang = self.lang
        check = result.check
        entry = self.context.catalog.entry(check.entry_id)
        rows = [
            (self.tr("Verdict"), say(f"state.{result.state}", lang)),
            (self.tr("Evidence"), say_any(result.reason, lang)),
            (self.tr("Address"), result.address or "—"),
            (self.tr("Round trip"), f"{result.rtt_ms:.1f} ms" if result.rtt_ms is not None else "—"),
        ]
        if self.diagnosis is not None:
            rows.append((self.tr("Why checked"), check.reason.say(lang)))
        for app in result.application:
            via = "" if app.via == "direct" else f" ({app.via})"
            rows.append(
                (
                    f"{say(f'apptest.{app.test}', lang)}{via}",
                    ("✓ " if app.ok else "✗ ") + say_any(app.detail, lang),
                )
            )
        table = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
        return (
            f"<h3>{escape(port_text(check))} — {escape(entry.purpose.say(lang))}</h3>"
            f"<p><b>{escape(explanation.headline_for(lang))}</b></p><table cellpadding='2'>{table}</table>"
            + self._path_html(result)
            + self._guidance_html(explanation.guidance)
        )

    def _path_html(self, result: CheckResult) -> str:
        """The path facts of the check's host (route, DNS, ping, where the path ends), escaped."""
        host = result.check.host
        if self.diagnosis is None or host is None or result.check.local:
            return ""
        path = next((p for p in self.diagnosis.paths if p.host == host.typed), None)
        if path is None:
            return ""
        lines = [escape(line) for line in path.lines(self.lang)]
        if path.trace is not None and path.trace.hops:
            lines.append(f"<tt>{escape(path.trace.hops_text())}</tt>")
        items = "".join(f"<li>{line}</li>" for line in lines)
        return f"<p><b>{escape(say('path.heading', self.lang))}</b></p><ul>{items}</ul>"

    def _finding_html(self, finding: LocalFinding) -> str:
        guidance: list[Guidance] = [
            self.context.catalog.guidance[g] for g in finding.guidance if g in self.context.catalog.guidance
        ]
        title, detail = finding.title.say(self.lang), finding.detail.say(self.lang)
        return f"<h3>{escape(title)}</h3><p>{escape(detail)}</p>" + self._guidance_html(guidance)

    def _request_entry(self, item: QTreeWidgetItem | None) -> None:
        payload = item.data(0, PAYLOAD_ROLE) if item is not None else None
        if payload and payload[0] == "check":
            self.entry_requested.emit(payload[1].check.entry_id)
