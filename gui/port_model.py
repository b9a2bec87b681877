"""The port catalogue as a Qt table model, and the proxy that searches and filters it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from sep_port_doctor.core.catalog import Guidance, PortEntry, configurable_code
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.search import entry_matches, query_terms
from sep_port_doctor.core.versions import SepVersion
from sep_port_doctor.gui.table_model import Index, TranslatedTableModel

COL_PORT, COL_PURPOSE, COL_PROCESS, COL_DIRECTION, COL_CONFIGURABLE, COL_VERSIONS = range(6)
COLUMN_COUNT = 6

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2
APPLIES_ROLE = Qt.ItemDataRole.UserRole + 3


class PortTableModel(TranslatedTableModel):
    """One row per catalogue entry, shown in one language for one SEP version."""

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Port"),
            self.tr("Purpose"),
            self.tr("Listening process"),
            self.tr("Direction"),
            self.tr("Port change"),
            self.tr("Versions"),
        )

    def __init__(self, entries: tuple[PortEntry, ...], lang: Lang, parent: Any = None) -> None:
        super().__init__(lang, parent)
        self._entries = entries
        self._version: SepVersion | None = None

    @property
    def version(self) -> SepVersion | None:
        return self._version

    def set_version(self, version: SepVersion | None) -> None:
        if version != self._version:
            self._version = version
            self._all_changed()

    def entry(self, row: int) -> PortEntry:
        return self._entries[row]

    def row_of(self, entry_id: str) -> int:
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return -1

    def row_total(self) -> int:
        return len(self._entries)

    def applies(self, entry: PortEntry) -> bool:
        return entry.applies_to(self._version)

    def display_text(self, entry: PortEntry, column: int) -> str:
        lang = self._lang
        if column == COL_PORT:
            return entry.label
        if column == COL_PURPOSE:
            return entry.purpose.say(lang)
        if column == COL_PROCESS:
            return ", ".join(p.name for p in entry.processes_for(self._version)) or "—"
        if column == COL_DIRECTION:
            return say(f"direction.{entry.direction}", lang)
        if column == COL_CONFIGURABLE:
            return say(f"configurable.{configurable_code(entry)}", lang)
        if column == COL_VERSIONS:
            return entry.versions_text.say(lang)
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if not 0 <= index.column() < COLUMN_COUNT:
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(entry, column)
        if role == SORT_ROLE:
            if column == COL_PORT:
                return entry.port * 10 + (0 if entry.protocol == "tcp" else 1)
            return self.display_text(entry, column)
        if role == ENTRY_ROLE:
            return entry
        if role == APPLIES_ROLE:
            return self.applies(entry)
        if role == Qt.ItemDataRole.ForegroundRole and not self.applies(entry):
            return QBrush(QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.ToolTipRole:
            if not self.applies(entry) and self._version is not None:
                reason = entry.versions_text.say(self._lang)
                head = self.tr("Does not apply to this version")
                return f"{head} ({self._version.release_name}): {reason}"
            return self.display_text(entry, column)  # the whole text of a cut-off cell
        return None


class PortFilterProxy(QSortFilterProxyModel):
    """Search (every term, any order, both languages) plus protocol/direction/version filters."""

    def __init__(self, guidance: Mapping[str, Guidance] | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._guidance = guidance
        """The catalogue's guidance: an entry is also found by the words of what it cites."""
        self._terms: tuple[str, ...] = ()
        self._protocol: str | None = None
        self._direction: str | None = None
        self._hide_not_applicable = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def _change(self, attribute: str, value: object) -> None:
        if getattr(self, attribute) != value:
            self.beginFilterChange()
            setattr(self, attribute, value)
            self.endFilterChange()

    def set_search(self, text: str) -> None:
        self._change("_terms", query_terms(text))

    def set_protocol(self, protocol: str | None) -> None:
        self._change("_protocol", protocol)

    def set_direction(self, direction: str | None) -> None:
        self._change("_direction", direction)

    def set_hide_not_applicable(self, hide: bool) -> None:
        self._change("_hide_not_applicable", hide)

    def refilter(self) -> None:
        """Call after the source model's version changed."""
        self.beginFilterChange()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, PortTableModel):
            return True
        entry = model.entry(source_row)
        if self._protocol and entry.protocol != self._protocol:
            return False
        if self._direction and entry.direction != self._direction:
            return False
        if self._hide_not_applicable and not model.applies(entry):
            return False
        return entry_matches(entry, self._terms, self._guidance)
