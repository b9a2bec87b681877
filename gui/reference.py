"""The searchable port reference: filters on top, the table, and a details pane."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelection, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from sep_port_doctor.core.catalog import DIRECTIONS, Catalog, PortEntry, configurable_code
from sep_port_doctor.core.guidance import GuidanceText, guidance_texts, render, source_words
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.versions import KNOWN_RELEASES, SepVersion, VersionError, parse_version
from sep_port_doctor.gui.labels import set_label
from sep_port_doctor.gui.port_model import (
    APPLIES_ROLE,
    COL_PORT,
    COL_PURPOSE,
    COLUMN_COUNT,
    ENTRY_ROLE,
    PortFilterProxy,
    PortTableModel,
)


def entry_details_html(entry: PortEntry, catalog: Catalog, lang: Lang, version: SepVersion | None) -> str:
    """The details pane's text: the shared templates' output (every string escaped)."""
    # The window's own words (Qt Linguist: the translator installed for ``lang``).
    words = {
        "process": QCoreApplication.translate("ReferenceView", "Listening process"),
        "initiator": QCoreApplication.translate("ReferenceView", "Started by"),
        "direction": QCoreApplication.translate("ReferenceView", "Direction"),
        "listener": QCoreApplication.translate("ReferenceView", "Listens on"),
        "change": QCoreApplication.translate("ReferenceView", "Port change"),
        "versions": QCoreApplication.translate("ReferenceView", "Versions"),
        "notes": QCoreApplication.translate("ReferenceView", "Notes"),
        "guidance": QCoreApplication.translate("ReferenceView", "Guidance"),
        "localhost": QCoreApplication.translate("ReferenceView", "Accepts requests from localhost only"),
        "not_applies": QCoreApplication.translate("ReferenceView", "Does not apply to this version"),
        "applies": QCoreApplication.translate("ReferenceView", "Used by this version"),
        "none": QCoreApplication.translate("ReferenceView", "None"),
    }
    processes = [
        {
            "text": process.name + (f" ({process.note.say(lang)})" if process.note else ""),
            "applies": version is None or process.applies_to(version),
        }
        for process in entry.processes
    ]
    rows = [
        (words["initiator"], entry.initiator.say(lang)),
        (words["direction"], say(f"direction.{entry.direction}", lang)),
        (words["listener"], say(f"listener.{entry.listener}", lang)),
        (words["change"], say(f"configurable.{configurable_code(entry)}", lang)),
        (words["versions"], entry.versions_text.say(lang)),
    ]
    notes = [n.say(lang) for n in entry.notes]
    if entry.localhost_only:
        notes.append(words["localhost"])
    return render(
        "details_entry.html.j2",
        label=entry.label,
        purpose=entry.purpose.say(lang),
        version=None if version is None else version.release_name,
        applies=version is not None and entry.applies_to(version),
        versions=entry.versions_text.say(lang),
        words=words,
        processes=processes,
        rows=rows,
        notes=notes,
        guidance=guidance_texts(catalog, entry.guidance, lang),
        w=source_words(lang),
        # The page's notes for the whole table hold for every port: shown with each, as the vendor's.
        general_notes_title=say("report.general_notes", lang),
        general_notes=[GuidanceText.of(g, lang) for g in catalog.general_notes],
    )


class ReferenceView(QWidget):
    """Search box, filters, the port table and the selected entry's details."""

    version_error_changed = Signal(str)

    def __init__(self, catalog: Catalog, lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self.model = PortTableModel(catalog.entries, lang, self)
        self.proxy = PortFilterProxy(catalog.guidance, self)
        self.proxy.setSourceModel(self.model)

        self.search_label = QLabel()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(200)
        self.search_label.setBuddy(self.search)
        self.search.setObjectName("search")

        self.version_label = QLabel()
        self.version_combo = QComboBox()
        self.version_combo.setEditable(True)
        self.version_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.version_combo.addItem("")
        for release in reversed(KNOWN_RELEASES):
            self.version_combo.addItem(release)
        self.version_combo.setMinimumContentsLength(14)
        # No completion while typing: "14.3 RU1" then Tab stayed "14.3 RU10" and "12.1" became
        # "12.1.6 MP10"; the list offers the releases, and choosing one is the user's act.
        self.version_combo.setCompleter(None)  # type: ignore[arg-type]  # None removes it
        self.version_label.setBuddy(self.version_combo)
        self.version_combo.setObjectName("reference_version")
        self.version_message = QLabel()
        self.version_message.setObjectName("fieldError")
        self.version_message.setStyleSheet("color: #b00020")
        self.version_message.setWordWrap(True)
        self.version_message.hide()

        self.protocol_label = QLabel()
        self.protocol_combo = QComboBox()
        self.protocol_label.setBuddy(self.protocol_combo)
        self.protocol_combo.setObjectName("protocol")
        self.direction_label = QLabel()
        self.direction_combo = QComboBox()
        self.direction_label.setBuddy(self.direction_combo)
        self.direction_combo.setObjectName("direction")
        self.hide_check = QCheckBox()
        self.hide_check.setObjectName("hide_not_applicable")

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_PORT, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # A cut purpose keeps its start and its end ("Push…computers"); the tooltip and the details
        # pane have the whole text.
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_PURPOSE, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self._details_shown: tuple[object, ...] | None = None

        self.count_label = QLabel()
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("copy_rows")
        self.copy_action = QAction(self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(self.copy_action)
        self.focus_search_action = QAction(self)
        self.focus_search_action.setShortcut(QKeySequence.StandardKey.Find)
        self.focus_search_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.focus_search_action)

        filters = QHBoxLayout()
        for widget in (
            self.search_label,
            self.search,
            self.version_label,
            self.version_combo,
            self.protocol_label,
            self.protocol_combo,
            self.direction_label,
            self.direction_combo,
            self.hide_check,
        ):
            filters.addWidget(widget)
        filters.setStretch(1, 3)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.copy_button)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.version_message)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.search.textChanged.connect(self._on_search)
        self.version_combo.currentTextChanged.connect(self._on_version_text)
        self.protocol_combo.currentIndexChanged.connect(self._on_protocol)
        self.direction_combo.currentIndexChanged.connect(self._on_direction)
        self.hide_check.toggled.connect(self._on_hide)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.copy_action.triggered.connect(self.copy_selection)
        self.copy_button.clicked.connect(self.copy_selection)
        self.focus_search_action.triggered.connect(self._focus_search)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.retranslate()
        self._resize_columns()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    # --- language ---------------------------------------------------------------------

    @property
    def lang(self) -> Lang:
        return self.model.lang

    def set_lang(self, lang: Lang) -> None:
        self.model.set_lang(lang)
        self.retranslate()
        self._resize_columns()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        set_label(self.search_label, self.tr("&Search:"))
        self.search.setPlaceholderText(self.tr("port, process, purpose… (e.g. 445 windows, push)"))
        self.search.setToolTip(self.tr("Every word must match, in any order, in Japanese or English"))
        set_label(self.version_label, self.tr("SEP v&ersion:"))  # Alt+V is the View menu
        line_edit = self.version_combo.lineEdit()
        if line_edit is not None:
            line_edit.setPlaceholderText(self.tr("all versions"))
        set_label(self.protocol_label, self.tr("&Protocol:"))
        set_label(self.direction_label, self.tr("Direc&tion:"))  # Alt+D is the Diagnostics tab
        self.hide_check.setText(self.tr("Hide ports that do &not apply"))  # Alt+H is the Help menu
        self.copy_button.setText(self.tr("&Copy selected rows"))
        self.copy_action.setText(self.tr("Copy"))
        self._fill_combo(self.protocol_combo, [("", self.tr("All")), ("tcp", "TCP"), ("udp", "UDP")])
        self._fill_combo(
            self.direction_combo,
            [("", self.tr("All"))] + [(d, say(f"direction.{d}", self.lang)) for d in DIRECTIONS],
        )
        self._update_count()
        self._show_details()
        self._on_version_text(self.version_combo.currentText())

    @staticmethod
    def _fill_combo(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for code, text in items:
            combo.addItem(text, code)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    # --- filters ----------------------------------------------------------------------

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._after_filter()

    def _on_protocol(self, _index: int) -> None:
        self.proxy.set_protocol(self.protocol_combo.currentData() or None)
        self._after_filter()

    def _on_direction(self, _index: int) -> None:
        self.proxy.set_direction(self.direction_combo.currentData() or None)
        self._after_filter()

    def _on_hide(self, hide: bool) -> None:
        self.proxy.set_hide_not_applicable(hide)
        self._after_filter()

    def _on_version_text(self, text: str) -> None:
        version: SepVersion | None = None
        message = ""
        if text.strip():
            try:
                version = parse_version(text)
            except VersionError as exc:
                message = str(exc)
        self.version_message.setText(message)
        self.version_message.setVisible(bool(message))
        self.version_combo.setStyleSheet("QComboBox { border: 2px solid #b00020; }" if message else "")
        self.version_error_changed.emit(message)
        if not message:
            self.model.set_version(version)
            self.proxy.refilter()
            self._after_filter()

    def set_version_text(self, text: str) -> None:
        self.version_combo.setCurrentText(text)

    @property
    def version(self) -> SepVersion | None:
        return self.model.version

    def _after_filter(self) -> None:
        self._update_count()
        if not self.table.selectionModel().hasSelection() and self.proxy.rowCount():
            self.table.selectRow(0)
        self._show_details()

    def _update_count(self, *_args: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(self.tr("%n of %1 ports shown", "", shown).replace("%1", str(total)))

    # --- selection, details, copy -------------------------------------------------------

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_details()

    def selected_entries(self) -> list[PortEntry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.proxy.index(row, 0).data(ENTRY_ROLE) for row in rows]

    def current_entry(self) -> PortEntry | None:
        index = self.table.currentIndex()
        if not index.isValid():
            selected = self.selected_entries()
            return selected[0] if selected else None
        entry: PortEntry = self.proxy.index(index.row(), 0).data(ENTRY_ROLE)
        return entry

    def _show_details(self) -> None:
        entry = self.current_entry()
        # Typing re-filters on every keystroke; re-render only when what is shown changes.
        shown = (entry.id if entry else None, self.lang, self.model.version)
        if shown == self._details_shown:
            return
        self._details_shown = shown
        if entry is None:
            message = self.tr("No port selected.")
            self.details.setPlainText(message)
            return
        self.details.setHtml(entry_details_html(entry, self._catalog, self.lang, self.model.version))

    def select_entry(self, entry_id: str) -> bool:
        """Show one entry (clearing filters that hide it); True when found."""
        source_row = self.model.row_of(entry_id)
        if source_row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not proxy_index.isValid():
            self.search.clear()
            self.protocol_combo.setCurrentIndex(0)
            self.direction_combo.setCurrentIndex(0)
            self.hide_check.setChecked(False)
            proxy_index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        self.table.setCurrentIndex(proxy_index)
        self.table.selectRow(proxy_index.row())
        self.table.scrollTo(proxy_index)
        self._show_details()
        return True

    def selection_as_text(self) -> str:
        """The selected rows as tab-separated cells; a port the chosen version does not use says so
        in one more cell (the table greys it, which a paste into a request would lose)."""
        lines = []
        for row in sorted({index.row() for index in self.table.selectionModel().selectedRows()}):
            cells = [str(self.proxy.index(row, col).data() or "") for col in range(COLUMN_COUNT)]
            if not self.proxy.index(row, 0).data(APPLIES_ROLE):
                cells.append(str(self.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)))
            lines.append("\t".join(cells))
        return "\n".join(lines)

    def copy_selection(self) -> None:
        text = self.selection_as_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _resize_columns(self) -> None:
        for column in range(COLUMN_COUNT):
            if column != COL_PURPOSE:
                self.table.resizeColumnToContents(column)
                # Long version notes must not squeeze the purpose: the tooltip and details have them whole.
                self.table.setColumnWidth(column, min(self.table.columnWidth(column), 230))
