"""Page 3: the live run. Every planned check is listed from the start (waiting), then
running with its elapsed time, then its verdict; Cancel stops everything at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.i18n import group_words, languages
from sep_port_doctor.core.results import Check, CheckResult, Finding
from sep_port_doctor.gui.wizard.fields import plain_label
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage
from sep_port_doctor.gui.wizard.run_model import (
    COL_FINDING,
    COL_PORT,
    COL_PURPOSE,
    COL_STATE,
    COL_TARGET,
    COL_TIME,
    Progress,
    RunModel,
)

TICK_MS = 200
PADDING = 24  # cell margins and the sort indicator's room
ICON_ROOM = 24


@contextmanager
def painted_with_the_next_frame(bar: QProgressBar) -> Iterator[None]:
    """A progress bar whose value changes paints at once (QProgressBar repaints whenever its text
    changes), and with it every change of the window still waiting for its paint, in the middle
    of the loop's turn; with its updates held off meanwhile, it asks for an ordinary paint instead."""
    bar.setUpdatesEnabled(False)
    try:
        yield
    finally:
        bar.setUpdatesEnabled(True)  # this asks for the paint


class RunPage(WizardPage):
    def __init__(self, context: WizardContext) -> None:
        super().__init__(context, scrolling=False)  # the table scrolls itself
        self.model = RunModel(context.catalog, context.lang, self)
        self.table = QTableView()
        self.table.setObjectName("run_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # long purposes keep both ends
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_FINDING, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.progress = QProgressBar()
        self.progress.setObjectName("run_progress")
        self.status = plain_label()
        self.status.setObjectName("run_status")
        self.cancel = QPushButton()
        self.cancel.setObjectName("cancel_run")
        self.rerun_row = QPushButton()
        self.rerun_row.setObjectName("rerun_row")
        self.rerun_all = QPushButton()
        self.rerun_all.setObjectName("rerun_all")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.rerun_row)
        buttons.addWidget(self.rerun_all)
        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.model.tick)
        self.model.changes_shown.connect(self._show_progress)
        self.latest: int | None = None
        """The row of the latest verdict, scrolled to (unless a row is selected) with the next frame."""
        self.running = False
        self.finished: Diagnosis | None = None
        self.set_running(False)
        self.retranslate()

    def retranslate(self) -> None:
        self._heading()
        self.cancel.setText(self.tr("&Cancel"))
        self.cancel.setToolTip(self.tr("Stop every check now (Esc)"))
        self.rerun_row.setText(self.tr("Check the &selected port again"))
        self.rerun_all.setText(self.tr("Run &all again"))
        self.model.set_lang(self.lang)
        self.size_columns()

    def _heading(self) -> None:
        """The title says whether the run is going on or over (it said "Checking" after the end)."""
        if self.finished is None or self.running:
            title = self.tr("Checking")
        elif self.finished.cancelled:
            title = self.tr("Checks cancelled")
        else:
            title = self.tr("Checks finished")
        if title != self.title():  # a new title lays the whole wizard out again, as a subtitle does
            self.setTitle(title)
        if self.finished is not None and self.finished.cancelled:
            text = self.tr("Cancelled: checks that had no answer yet are marked cancelled.")
        else:
            text = self.tr("Every planned check is listed; each verdict appears as it arrives.")
        if text != self.subTitle():  # a new subtitle lays the whole wizard out again
            self.setSubTitle(text)

    def size_columns(self) -> None:
        """Widths that keep the verdict, port, host and time readable while rows arrive."""
        metrics = self.table.fontMetrics()
        words = [self.tr("running…"), self.tr("waiting")]
        words += [text for lang in languages() for text in group_words("state", lang).values()]
        widths = {
            COL_STATE: max(metrics.horizontalAdvance(w) for w in words) + ICON_ROOM + PADDING,
            COL_PORT: metrics.horizontalAdvance("UDP 65535 (=65535)") + PADDING,
            COL_TARGET: metrics.horizontalAdvance("sepm01.corp.example") + PADDING,
            COL_TIME: metrics.horizontalAdvance("99999.9 ms") + PADDING,
            COL_PURPOSE: metrics.horizontalAdvance("M" * 18) + PADDING,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)

    # --- what the run reports ------------------------------------------------------------

    def show_plan(self, checks: tuple[Check, ...], what: str) -> None:
        self.finished = None
        self._heading()
        self.model.show_plan(checks)
        self.latest = None
        with painted_with_the_next_frame(self.progress):
            self.progress.setRange(0, max(1, self.model.rowCount()))
            self.progress.setValue(0)
        self.status.setText(what)

    def started(self, check_ids: tuple[str, ...], at: float) -> None:
        self.model.mark_running(check_ids, at)
        self.set_running(True)

    def verdict(self, result: CheckResult, explanation: Finding) -> None:
        """The row says the verdict now; the table, the progress bar and the scrolling follow with
        the next frame (a progress bar repaints at once on each new value: not once per verdict)."""
        self.model.set_result(result, explanation)
        row = self.model.row_of(result.check.id)
        if row >= 0:
            self.latest = row

    def _show_progress(self) -> None:
        with painted_with_the_next_frame(self.progress):
            self.progress.setValue(self.model.count(Progress.DONE))
        if self.latest is not None and not self.table.selectionModel().hasSelection():
            self.table.scrollTo(self.model.index(self.latest, 0))
        self.latest = None

    def show_finished(self, diagnosis: Diagnosis, status: str) -> None:
        self.finished = diagnosis
        for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
            self.model.set_result(result, explanation)
        self.latest = None  # the run is over: the table stays where it is
        self.model.show_changes()
        with painted_with_the_next_frame(self.progress):
            self.progress.setValue(self.model.count(Progress.DONE))
        self.status.setText(status)
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        was = self.running
        self.running = running
        self.cancel.setEnabled(running)
        self.rerun_row.setEnabled(not running and self.finished is not None)
        self.rerun_all.setEnabled(not running and self.finished is not None)
        if running:
            self.timer.start()
        else:
            self.timer.stop()
        self._heading()
        if was != running:
            self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.running and self.finished is not None

    def selected_check(self) -> Check | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.check_at(rows[0].row()) if rows else None
