"""Page 5: export the report (HTML to attach to the ticket, and the same results as JSON)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.report import default_report_name
from sep_port_doctor.gui.labels import set_label
from sep_port_doctor.gui.wizard.fields import ERROR_COLOUR, plain_label
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage


class ExportPage(WizardPage):
    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        self.report_path = QLineEdit()
        self.report_path.setObjectName("report_path")
        self.path_label = QLabel()
        self.path_label.setBuddy(self.report_path)
        self.browse = QPushButton()
        self.browse.setObjectName("browse")
        self.export_button = QPushButton()
        self.export_button.setObjectName("export")
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_report")
        self.open_button.setEnabled(False)
        self.open_after = QCheckBox()
        self.open_after.setObjectName("open_after")
        self.open_after.setChecked(True)
        self.status = plain_label()
        self.status.setObjectName("export_status")
        path_row = QHBoxLayout()
        path_row.addWidget(self.report_path, 1)
        path_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.path_label, path_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_after)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self.content)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.browse.clicked.connect(self._browse)
        self.open_button.clicked.connect(self.open_report)
        self.last_report: Path | None = None
        self.retranslate()

    def nextId(self) -> int:
        return -1  # the diagnosis ends here (the push pages follow in id order, but not after this)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Export the report"))
        self.setSubTitle(self.tr("One HTML file to attach to the ticket, and the same results as JSON beside it."))
        set_label(self.path_label, self.tr("&Save the report as:"))
        self.browse.setText(self.tr("Bro&wse…"))
        self.export_button.setText(self.tr("&Export"))
        self.open_button.setText(self.tr("&Open the report"))
        self.open_after.setText(self.tr("Open the report &after exporting"))

    def propose(self, diagnosis: Diagnosis) -> None:
        """A name for this diagnosis in the last folder used, unless the user typed one."""
        if not self.report_path.isModified() or not self.report_path.text().strip():
            folder = Path(self.context.settings.report_folder or Path.home())
            self.report_path.setText(str(folder / default_report_name(diagnosis)))
            self.report_path.setModified(False)

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet(f"color: {ERROR_COLOUR}" if error else "")
        self.status.setText(text)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.export_button, self.browse, self.report_path):
            widget.setEnabled(not busy)

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the report as"), self.report_path.text(), self.tr("HTML report (*.html)")
        )
        if chosen:
            self.report_path.setText(chosen)
            self.report_path.setModified(True)

    def open_report(self) -> None:
        if self.last_report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_report)))
