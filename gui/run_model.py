"""Live rows of a diagnosis run: one row per probe, appended as each verdict arrives."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from core.catalog import Catalog, Lang, label
from core.explain import Explanation, Severity
from core.results import CheckResult
from gui.table_model import BilingualTableModel, Index

COL_STATE, COL_PORT, COL_PURPOSE, COL_TARGET, COL_TIME, COL_FINDING = range(6)
COLUMN_COUNT = 6
RESULT_ROLE = Qt.ItemDataRole.UserRole + 10
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 11

_HEADERS: dict[Lang, tuple[str, ...]] = {
    "ja": ("判定", "ポート", "用途", "確認先", "時間", "結果"),
    "en": ("Verdict", "Port", "Purpose", "Checked on", "Time", "Finding"),
}


def severity_icon(severity: Severity) -> QIcon:
    """Standard icons of the platform's style: familiar to users, no files to ship."""
    style = QApplication.style()
    pixmap = {
        Severity.PROBLEM: QStyle.StandardPixmap.SP_MessageBoxCritical,
        Severity.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
        Severity.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
        Severity.PASSED: QStyle.StandardPixmap.SP_DialogApplyButton,
        Severity.NOT_TESTED: QStyle.StandardPixmap.SP_DialogCancelButton,
    }[severity]
    return style.standardIcon(pixmap)


class RunModel(BilingualTableModel):
    HEADERS = _HEADERS

    def __init__(self, catalog: Catalog, lang: Lang, parent: Any = None) -> None:
        super().__init__(lang, parent)
        self._catalog = catalog
        self._rows: list[tuple[CheckResult, Explanation]] = []

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.endResetModel()

    def add(self, result: CheckResult, explanation: Explanation) -> None:
        """A new verdict: appended, or replacing the row of the same check (a rerun)."""
        for row, (existing, _old) in enumerate(self._rows):
            if existing.check.id == result.check.id:
                self._rows[row] = (result, explanation)
                self.dataChanged.emit(self.index(row, 0), self.index(row, COLUMN_COUNT - 1))
                return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append((result, explanation))
        self.endInsertRows()

    def row(self, row: int) -> tuple[CheckResult, Explanation]:
        return self._rows[row]

    def rows(self) -> list[tuple[CheckResult, Explanation]]:
        return list(self._rows)

    def row_total(self) -> int:
        return len(self._rows)

    def _text(self, result: CheckResult, explanation: Explanation, column: int) -> str:
        check = result.check
        if column == COL_STATE:
            return label("state", str(result.state), self._lang)
        if column == COL_PORT:
            text = f"{check.protocol.upper()} {check.port}"
            return text + (f" (={check.default_port})" if check.port != check.default_port else "")
        if column == COL_PURPOSE:
            return self._catalog.entry(check.entry_id).purpose.get(self._lang)
        if column == COL_TARGET:
            if check.local:
                return {"ja": "この PC", "en": "this PC"}[self._lang]
            return check.host.typed if check.host else "—"
        if column == COL_TIME:
            return f"{result.rtt_ms:.1f} ms" if result.rtt_ms is not None else ""
        if column == COL_FINDING:
            return explanation.headline_for(self._lang)
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < COLUMN_COUNT:
            return None
        result, explanation = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(result, explanation, index.column())
        if role == Qt.ItemDataRole.DecorationRole and index.column() == COL_STATE:
            return severity_icon(explanation.severity)
        if role == RESULT_ROLE:
            return result
        if role == SEVERITY_ROLE:
            return str(explanation.severity)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == COL_TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
