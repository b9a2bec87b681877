"""What the program's table models share: headers in the user's language (Qt Linguist), flat rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from sep_port_doctor.core.i18n import Lang

Index = QModelIndex | QPersistentModelIndex


class TranslatedTableModel(QAbstractTableModel):
    """A flat table whose column headers are the window's own words (``self.tr``), shown again
    when the language changes; its cells say catalogue words in ``lang``."""

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def __init__(self, lang: Lang, parent: Any = None) -> None:
        super().__init__(parent)
        self._lang: Lang = lang
        self._columns = len(self.headers())
        """The number of columns, which no language changes: views ask for it all the time (each
        index made), and the headers are translated anew each time they are asked for."""

    @property
    def lang(self) -> Lang:
        return self._lang

    def row_total(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal_text = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        headers = self.headers()
        if horizontal_text and 0 <= section < len(headers):
            return headers[section]
        return None

    def _all_changed(self) -> None:
        rows, columns = self.row_total(), self._columns
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, columns - 1))

    def set_lang(self, lang: Lang) -> None:
        if lang != self._lang:
            self._lang = lang
            self._all_changed()
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self._columns - 1)
