"""The live run: every planned check from the start, waiting, then running with its
elapsed time, then its verdict (or cancelled). One row per check that sends something.

A row's data changes at once; the views hear of the changes once per frame
(``SHOW_EVERY_MS``): hundreds of verdicts arrive in one turn of the loop in a sweep, and a
signal for each (with the work each one starts in the views) held the window that long.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
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
SHOW_EVERY_MS = 16
"""Row changes are signalled together, at most once a frame (60 a second)."""


_ANSWERED_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        RESULT_ROLE,
        CHECK_ROLE,
        PROGRESS_ROLE,
        SEVERITY_ROLE,
    )
)
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Progress(Enum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"


_SEVERITY_PIXMAPS = {
    Severity.PROBLEM: QStyle.StandardPixmap.SP_MessageBoxCritical,
    Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    Severity.PASSED: QStyle.StandardPixmap.SP_DialogApplyButton,
    Severity.NOT_TESTED: QStyle.StandardPixmap.SP_DialogCancelButton,
}


def severity_icon(severity: Severity) -> QIcon:
    """Standard icons of the platform's style: familiar to users, no files to ship."""
    return QApplication.style().standardIcon(_SEVERITY_PIXMAPS[severity])


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
    changes_shown = Signal()
    """The views were told of the rows changed since the last time (at most once a frame)."""

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
        self._progress: Counter[Progress] = Counter()
        self._icons: dict[Severity | QStyle.StandardPixmap, QIcon] = {}
        """The state column's icons, asked for each time a row is painted: made once."""
        self._changed: tuple[int, int] | None = None
        """The first and last row changed since the views were last told."""
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_EVERY_MS)
        self._show_timer.timeout.connect(self.show_changes)

    # --- what the run reports -------------------------------------------------------------

    def show_plan(self, checks: tuple[Check, ...]) -> None:
        """Every check that sends something, waiting."""
        self.beginResetModel()
        self._rows = [_Row(c) for c in checks if not c.skip]
        self._index = {row.check.id: n for n, row in enumerate(self._rows)}
        self._progress = Counter({Progress.WAITING: len(self._rows)})
        self._changed = None  # the reset shows every row anew
        self._show_timer.stop()
        self.endResetModel()

    def clear(self) -> None:
        self.show_plan(())

    def mark_running(self, check_ids: tuple[str, ...], at: float) -> None:
        for check_id in check_ids:
            number = self._index.get(check_id)
            if number is not None:
                row = self._rows[number]
                self._set_progress(row, Progress.RUNNING)
                row.started, row.result, row.explanation = at, None, None
                self._row_changed(number)

    def set_result(self, result: CheckResult, explanation: Finding) -> None:
        number = self._index.get(result.check.id)
        if number is None:  # a check that sends nothing: listed in the results, not here
            return
        row = self._rows[number]
        if row.result is result and row.explanation is explanation:  # the run's end says it again
            return
        self._set_progress(row, Progress.DONE)
        row.result, row.explanation = result, explanation
        self._row_changed(number)

    def tick(self) -> None:
        """Refresh the elapsed time of the running rows (one signal from the first to the last)."""
        running = [n for n, row in enumerate(self._rows) if row.progress is Progress.RUNNING]
        if running:
            first, last = self.index(running[0], COL_TIME), self.index(running[-1], COL_TIME)
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.DisplayRole])

    def show_changes(self) -> None:
        """Tell the views now of the rows changed since they were last told."""
        self._show_timer.stop()
        if self._changed is None:
            return
        first, last = self._changed
        self._changed = None
        self.dataChanged.emit(self.index(first, 0), self.index(last, COLUMN_COUNT - 1))
        self.changes_shown.emit()

    def _set_progress(self, row: _Row, progress: Progress) -> None:
        self._progress[row.progress] -= 1
        self._progress[progress] += 1
        row.progress = progress

    def _row_changed(self, number: int) -> None:
        if self._changed is None:
            self._changed = (number, number)
            self._show_timer.start()
        else:
            first, last = self._changed
            self._changed = (min(first, number), max(last, number))

    # --- reading ------------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rows)

    def count(self, progress: Progress) -> int:
        return self._progress[progress]

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
        # A view asks for ten roles of each cell it paints, most of them answered by no one here:
        # those go first (a table of 25 rows is 1,500 questions a frame).
        if role not in _ANSWERED_ROLES:
            return None
        number, column = index.row(), index.column()
        if not 0 <= number < len(self._rows) or not 0 <= column < COLUMN_COUNT or not index.isValid():
            return None
        row = self._rows[number]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(number, column)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._state_icon(row) if column == COL_STATE else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT_ALIGNED if column == COL_TIME else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return literal_html(self.text(number, column))
        if role == RESULT_ROLE:
            return row.result
        if role == CHECK_ROLE:
            return row.check
        if role == PROGRESS_ROLE:
            return row.progress.value
        if role == SEVERITY_ROLE:
            return str(row.explanation.severity) if row.explanation is not None else None
        return None

    def _state_icon(self, row: _Row) -> QIcon:
        key: Severity | QStyle.StandardPixmap
        if row.explanation is not None:
            key = row.explanation.severity
        elif row.progress is Progress.RUNNING:
            key = QStyle.StandardPixmap.SP_BrowserReload
        else:
            key = QStyle.StandardPixmap.SP_MediaPause
        if key not in self._icons:
            self._icons[key] = (
                severity_icon(key) if isinstance(key, Severity) else QApplication.style().standardIcon(key)
            )
        return self._icons[key]
