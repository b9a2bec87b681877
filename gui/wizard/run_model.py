"""The live run: every planned check from the start, waiting, then running with its
elapsed time, then its verdict (or cancelled). One row per check that sends something."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.i18n import Lang, say, seconds_text
from sep_port_doctor.core.results import Check, CheckResult, Finding, Severity
from sep_port_doctor.gui.plaintext import literal_html
from sep_port_doctor.gui.table_model import Index, TranslatedTableModel

COL_STATE, COL_PORT, COL_TARGET, COL_TIME, COL_PURPOSE, COL_FINDING = range(6)
COLUMN_COUNT = 6
RESULT_ROLE = Qt.ItemDataRole.UserRole + 10
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 11
CHECK_ROLE = Qt.ItemDataRole.UserRole + 12
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 13


class Progress(Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"


def severity_icon(severity: Severity) -> QIcon:
    """Standard icons of the platform's style: familiar to users, no files to ship."""
    pixmap = {
        Severity.PROBLEM: QStyle.StandardPixmap.SP_MessageBoxCritical,
        Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
        Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
        Severity.PASSED: QStyle.StandardPixmap.SP_DialogApplyButton,
        Severity.NOT_TESTED: QStyle.StandardPixmap.SP_DialogCancelButton,
    }[severity]
    return QApplication.style().standardIcon(pixmap)


@dataclass
class _Row:
    check: Check
    progress: Progress = Progress.WAITING
    started: float | None = None
    """``time.monotonic()`` when the probe started."""
    result: CheckResult | None = None
    explanation: Finding | None = None


def port_text(check: Check) -> str:
    return check.port_text


class RunModel(TranslatedTableModel):
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Verdict"),
            self.tr("Port"),
            self.tr("Checked on"),
            self.tr("Time"),
            self.tr("Purpose"),
            self.tr("Finding"),
        )

    def __init__(self, catalog: Catalog, lang: Lang, parent: Any = None) -> None:
        super().__init__(lang, parent)
        self._catalog = catalog
        self._rows: list[_Row] = []
        self._index: dict[str, int] = {}

    # --- what the run reports -------------------------------------------------------------

    def show_plan(self, checks: tuple[Check, ...]) -> None:
        """Every check that sends something, waiting."""
        self.beginResetModel()
        self._rows = [_Row(c) for c in checks if not c.skip]
        self._index = {row.check.id: n for n, row in enumerate(self._rows)}
        self.endResetModel()

    def clear(self) -> None:
        self.show_plan(())

    def mark_running(self, check_ids: tuple[str, ...], at: float) -> None:
        for check_id in check_ids:
            number = self._index.get(check_id)
            if number is not None:
                row = self._rows[number]
                row.progress, row.started, row.result, row.explanation = Progress.RUNNING, at, None, None
                self._row_changed(number)

    def set_result(self, result: CheckResult, explanation: Finding) -> None:
        number = self._index.get(result.check.id)
        if number is None:  # a check that sends nothing: listed in the results, not here
            return
        row = self._rows[number]
        row.progress, row.result, row.explanation = Progress.DONE, result, explanation
        self._row_changed(number)

    def tick(self) -> None:
        """Refresh the elapsed time of the running rows."""
        for number, row in enumerate(self._rows):
            if row.progress is Progress.RUNNING:
                index = self.index(number, COL_TIME)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    def _row_changed(self, number: int) -> None:
        self.dataChanged.emit(self.index(number, 0), self.index(number, COLUMN_COUNT - 1))

    # --- reading ------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rows)

    def count(self, progress: Progress) -> int:
        return sum(1 for row in self._rows if row.progress is progress)

    def row_of(self, check_id: str) -> int:
        return self._index.get(check_id, -1)

    def check_at(self, number: int) -> Check:
        return self._rows[number].check

    def result_at(self, number: int) -> CheckResult | None:
        return self._rows[number].result

    def results(self) -> list[tuple[CheckResult, Finding]]:
        """The verdicts shown so far, in plan order."""
        return [(r.result, r.explanation) for r in self._rows if r.result is not None and r.explanation is not None]

    def text(self, number: int, column: int) -> str:
        row = self._rows[number]
        check = row.check
        if column == COL_STATE:
            if row.result is not None:
                return say(f"state.{row.result.state}", self._lang)
            return self.tr("running…") if row.progress is Progress.RUNNING else self.tr("waiting")
        if column == COL_PORT:
            return port_text(check)
        if column == COL_TARGET:
            if check.local:
                return self.tr("this PC")
            return check.host.typed if check.host else "—"
        if column == COL_TIME:
            if row.progress is Progress.RUNNING and row.started is not None:
                return seconds_text((time.monotonic() - row.started) * 1000, self._lang, digits=1)
            return (row.result.round_trip if row.result is not None else None) or ""
        if column == COL_PURPOSE:
            return self._catalog.entry(check.entry_id).purpose.say(self._lang)
        if column == COL_FINDING:
            return row.explanation.headline_for(self._lang) if row.explanation is not None else ""
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < COLUMN_COUNT:
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal_html(self.text(index.row(), index.column()))
        if role == Qt.ItemDataRole.DecorationRole and index.column() == COL_STATE:
            if row.explanation is not None:
                return severity_icon(row.explanation.severity)
            pixmap = (
                QStyle.StandardPixmap.SP_BrowserReload
                if row.progress is Progress.RUNNING
                else QStyle.StandardPixmap.SP_MediaPause
            )
            return QApplication.style().standardIcon(pixmap)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COL_TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RESULT_ROLE:
            return row.result
        if role == CHECK_ROLE:
            return row.check
        if role == PROGRESS_ROLE:
            return row.progress.value
        if role == SEVERITY_ROLE:
            return str(row.explanation.severity) if row.explanation is not None else None
        return None
