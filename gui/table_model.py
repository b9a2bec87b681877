"""What the program's table models share: headers in the user's language, flat rows."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from core.i18n import Lang

Index = QModelIndex | QPersistentModelIndex


class BilingualTableModel(QAbstractTableModel):
    """A flat table whose column headers come in Japanese and English."""

    HEADERS: ClassVar[dict[Lang, tuple[str, ...]]]

    def __init__(self, lang: Lang, parent: Any = None) -> None:
        super().__init__(parent)
        self._lang: Lang = lang

    @property
    def lang(self) -> Lang:
        return self._lang

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS["en"])

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal_text = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal_text and 0 <= section < len(self.HEADERS["en"]):
            return self.HEADERS[self._lang][section]
        return None

    def _all_changed(self) -> None:
        rows, columns = self.row_total(), len(self.HEADERS["en"])
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))

    def set_lang(self, lang: Lang) -> None:
        if lang != self._lang:
            self._lang = lang
            self._all_changed()
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.HEADERS["en"]) - 1)
