"""The diagnostics wizard's controller: the pages in order, one run at a time, the export.

Pages collect input and show results; core does the work (``core.run.DiagnosisRun``
plans, probes, reads this PC and explains). The run starts when the run page is
entered (QWizard's ``initializePage``); results belong to the question that was asked,
so a changed question runs again, and the note is read when the report is written.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget, QWizard

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.i18n import Lang, say, seconds_text
from sep_port_doctor.core.localpc import LocalReport, LocalSystem, inspect_local
from sep_port_doctor.core.path.facts import hop_text
from sep_port_doctor.core.plan import PlanRequest, Role
from sep_port_doctor.core.report import write_report
from sep_port_doctor.core.report_files import ReportError, report_place
from sep_port_doctor.core.results import State
from sep_port_doctor.core.run_events import Finished, LocalRead, Planned, RunEvent, Started, TraceHop, Verdict
from sep_port_doctor.core.ticket import ticket_summary
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.gui.settings import Settings
from sep_port_doctor.gui.tasks import in_worker, start_task
from sep_port_doctor.gui.wizard.fields import first_focusable
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage
from sep_port_doctor.gui.wizard.pages.export import ExportPage
from sep_port_doctor.gui.wizard.pages.results import ResultsPage
from sep_port_doctor.gui.wizard.pages.run import RunPage
from sep_port_doctor.gui.wizard.pages.target import TargetPage
from sep_port_doctor.gui.wizard.pages.where import WherePage
from sep_port_doctor.gui.wizard.push import PushResultsPage, PushRunPage, PushTargetsPage

if TYPE_CHECKING:
    from sep_port_doctor.core.run import DiagnosisRun

log = logging.getLogger(__name__)

PageT = TypeVar("PageT", bound=WizardPage)


class Page(IntEnum):
    WHERE = 0
    TARGET = 1
    RUN = 2
    RESULTS = 3
    EXPORT = 4
    PUSH_TARGETS = 5
    PUSH_RUN = 6
    PUSH_RESULTS = 7


# The pages, declared once, in the order the wizard shows them.
PAGES: tuple[tuple[Page, type[WizardPage]], ...] = (
    (Page.WHERE, WherePage),
    (Page.TARGET, TargetPage),
    (Page.RUN, RunPage),
    (Page.RESULTS, ResultsPage),
    (Page.EXPORT, ExportPage),
    (Page.PUSH_TARGETS, PushTargetsPage),
    (Page.PUSH_RUN, PushRunPage),
    (Page.PUSH_RESULTS, PushResultsPage),
)

BUTTON_NAMES = {
    QWizard.WizardButton.BackButton: "back",
    QWizard.WizardButton.NextButton: "next",
    QWizard.WizardButton.FinishButton: "finish",
}


class DiagnosticsWizard(QWizard):
    """The whole flow inside the main window's tab; ``gui.wizard.unattended`` drives it for ``gui --run``."""

    run_finished = Signal()
    result_arrived = Signal(object)
    entry_requested = Signal(str)
    language_chosen = Signal(str)
    status_message = Signal(str)
    """A line for the window's status bar."""

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        lang: Lang,
        local_system: LocalSystem | None = None,
        policy: TimeoutPolicy | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("diagnostics_wizard")
        self.setWindowFlags(Qt.WindowType.Widget)  # lives in the main window's tab
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.catalog = catalog
        self.settings = settings
        self.context = WizardContext(catalog, settings, lang)
        self.local_system = local_system
        self.policy = policy or TimeoutPolicy()
        pages: dict[Page, WizardPage] = {}
        for page_id, page_class in PAGES:
            pages[page_id] = page_class(self.context)
            self.setPage(page_id, pages[page_id])
        self.pages = pages
        self.where = self._page(Page.WHERE, WherePage)
        self.target = self._page(Page.TARGET, TargetPage)
        self.run_page = self._page(Page.RUN, RunPage)
        self.results = self._page(Page.RESULTS, ResultsPage)
        self.export_page = self._page(Page.EXPORT, ExportPage)
        self.push_targets = self._page(Page.PUSH_TARGETS, PushTargetsPage)
        self.push_run = self._page(Page.PUSH_RUN, PushRunPage)
        self.push_results = self._page(Page.PUSH_RESULTS, PushResultsPage)
        self.where.push_page_id = Page.PUSH_TARGETS
        self.push_run.policy = self.policy
        for button, name in BUTTON_NAMES.items():
            self.button(button).setObjectName(name)

        self.run: DiagnosisRun | None = None
        self.run_task: asyncio.Task[Diagnosis] | None = None
        self.export_task: asyncio.Task[tuple[Path, Path] | None] | None = None
        self.exported: Diagnosis | None = None
        """The diagnosis last written to a report (the run's, before the note was added)."""
        self.local: LocalReport | None = None
        self.display_errors: list[BaseException] = []

        self.run_page.entered.connect(self._on_run_page_entered)
        self.run_page.left_back.connect(self.cancel_run)
        self.run_page.cancel.clicked.connect(self.cancel_run)
        self.run_page.rerun_all.clicked.connect(self.run_again)
        self.run_page.rerun_row.clicked.connect(self._rerun_selected)
        self.results.entered.connect(self._show_results)
        self.results.entry_requested.connect(self.entry_requested)
        self.results.copy_requested.connect(self.copy_for_ticket)
        self.results.new_requested.connect(self.request_new_diagnosis)
        self.export_page.entered.connect(self._on_export_page_entered)
        self.export_page.export_button.clicked.connect(self._export_clicked)
        self.where.language_chosen.connect(self.language_chosen)
        self.push_run.entered.connect(self._on_push_run_entered)
        self.push_results.entered.connect(self._on_push_results_entered)
        self._order_tabs()
        self.retranslate()
        # Start on the first page now: a wizard in a hidden tab is otherwise never started.
        self.restart()

    def _page(self, page_id: Page, kind: type[PageT]) -> PageT:
        page = self.pages[page_id]
        assert isinstance(page, kind)
        return page

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.ParentChange and hasattr(self, "export_page"):
            # Moving into the window's tab re-threads the focus chain: order it again there.
            self._order_tabs()
        return handled

    def _order_tabs(self) -> None:
        """Tab goes through a page's fields in order, then to Back, Next and Finish.

        QWizard creates its buttons before the pages exist, so without this they come
        first in the focus chain and Tab from the last field skips them.
        """
        last: QWidget = self.export_page
        for widget in self.export_page.findChildren(QWidget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                last = widget
        for button in BUTTON_NAMES:
            QWidget.setTabOrder(last, self.button(button))
            last = self.button(button)

    # --- focus, keys, closing ---------------------------------------------------------------

    def focusNextPrevChild(self, next: bool) -> bool:
        """Keep the keyboard where it is while QWizard updates its buttons.

        QWizard hides its inner widget while it updates the buttons (on every
        ``completeChanged``); hiding the widget that holds the focus asks for the next
        focus widget, which inside a tab is the tab bar: typing kept one character. During
        such an update the wizard sets the focus itself when it has to (a page change), so
        the request is declined; ordinary Tab presses arrive while it is visible.
        """
        inner = self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if self.isVisible() and any(not widget.isVisible() for widget in inner):
            return True
        return super().focusNextPrevChild(next)

    def done(self, result: int) -> None:
        """Finish and Esc end here; the wizard lives in a tab and is never hidden."""
        if result == QWizard.DialogCode.Accepted:
            self.finish()
        else:  # Esc: stop a running diagnosis (or push sweep), nothing else
            self.cancel_run()
            self.push_run.cancel_run()

    def accept(self) -> None:
        self.done(QWizard.DialogCode.Accepted)

    def reject(self) -> None:
        self.done(QWizard.DialogCode.Rejected)

    def focus_page(self) -> None:
        """Put the keyboard in the current page, unless it is there already."""
        page = self.currentPage()
        if page is None or page.isAncestorOf(QApplication.focusWidget() or self):
            return
        target = first_focusable(page)
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- language ---------------------------------------------------------------------------

    @property
    def lang(self) -> Lang:
        return self.context.lang

    def set_lang(self, lang: str) -> None:
        self.context.lang = lang
        self.retranslate()

    def show_language(self, preference: str) -> None:
        self.where.show_language(preference)

    def retranslate(self) -> None:
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Fi&nish"))
        self.button(QWizard.WizardButton.FinishButton).setToolTip(
            self.tr("Start a new diagnosis (asks first if the results were not exported)")
        )
        for page in self.pages.values():
            page.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- prefill ----------------------------------------------------------------------------

    def apply_arguments(self, args: argparse.Namespace) -> None:
        """Prefill from ``gui --manager ... --version ...``; bad values show at their fields."""
        if getattr(args, "role", None):
            self.where.set_role(Role(args.role))
        if getattr(args, "manager", None):
            self.target.manager.setCurrentText(args.manager)
        if getattr(args, "sep_version", None):
            self.target.version.setCurrentText(args.sep_version)
        if getattr(args, "port", None):
            self.target.ports.setText(", ".join(args.port))
        if getattr(args, "notes", None):
            self.target.note.setText(args.notes)

    async def prefill_from_local(self) -> LocalReport:
        """Read this PC's SEP client settings once and fill what the user has not typed."""
        report = await inspect_local(self.local_system)
        self.local = report
        self.target.prefill_from(report)
        return report

    # --- the run ----------------------------------------------------------------------------

    @property
    def diagnosis(self) -> Diagnosis | None:
        return self.run.diagnosis if self.run is not None else None

    def current_request(self) -> PlanRequest | None:
        """What the pages ask now, or None while the target page is incomplete."""
        return self.target.request(self.where.role) if self.target.isComplete() else None

    def is_stale(self) -> bool:
        """True when the results answer another question than the pages now ask."""
        return self.run is not None and self.run.request != self.current_request()

    def _on_run_page_entered(self) -> None:
        request = self.current_request()
        if request is None:
            return
        kept = self.run is not None and self.run.request == request and self.run.diagnosis is not None
        if kept and self.run is not None and self.run.diagnosis is not None and not self.run.diagnosis.cancelled:
            return  # the same question, answered in full: its results stay
        self.start_run(request)

    def _on_push_run_entered(self) -> None:
        targets = self.push_targets.parsed
        if targets is not None:
            self.push_run.start(targets, self.push_targets.mac.isChecked())

    def _on_push_results_entered(self) -> None:
        if self.push_run.sweep is not None:
            self.push_results.show_sweep(self.push_run.sweep)

    def start_run(self, request: PlanRequest) -> asyncio.Task[Diagnosis]:
        """A new run for ``request``; an older one still going is cancelled."""
        # The probe engine loads with the first run, not with the window (`gui --quit` opens fast).
        from sep_port_doctor.core.engine import ProbeEngine
        from sep_port_doctor.core.run import DiagnosisRun

        self.cancel_run()
        engine = ProbeEngine(self.policy)
        run = DiagnosisRun(
            request,
            self.catalog,
            engine,
            local_system=self.local_system,
            local_report=self.local,
            path_facts=True,
        )
        run.on_event = lambda event: self._on_event(run, event)
        run.on_consumer_error = self._on_display_error
        self.run = run
        self.display_errors.clear()
        self.results.clear()
        self._show_plan(run)  # at once: no verdict of an earlier run stays on screen
        self.run_task = start_task(run.run(), "the diagnosis run")
        return self.run_task

    def _show_plan(self, run: DiagnosisRun) -> None:
        request = run.request
        role = say(f"role.{request.role}", self.lang)
        version = request.version.release_name if request.version else "?"
        what = self.tr("Checking %1 (SEP %2, %3)…").replace("%1", request.manager.typed)
        self.run_page.show_plan(run.checks, what.replace("%2", version).replace("%3", role))

    def run_again(self) -> None:
        request = self.current_request()
        if request is not None:
            self.start_run(request)

    def _rerun_selected(self) -> None:
        check = self.run_page.selected_check()
        if self.run is None or check is None or self.running or self.run.diagnosis is None:
            return
        self.run_task = start_task(self.run.rerun([check.id]), "the check run again")

    @property
    def running(self) -> bool:
        return self.run_task is not None and not self.run_task.done()

    def cancel_run(self) -> None:
        if self.run is not None and self.running:
            self.run.cancel()

    def _on_event(self, run: DiagnosisRun, event: RunEvent) -> None:
        if run is not self.run:  # a run replaced by a newer one: its last events are old news
            return
        page = self.run_page
        if isinstance(event, Planned):
            self._show_plan(run)
        elif isinstance(event, Started):
            page.started(event.check_ids, event.at)
        elif isinstance(event, Verdict):
            page.verdict(event.result, event.explanation)
            self.result_arrived.emit(event.result)
        elif isinstance(event, LocalRead):
            self.local = event.report
        elif isinstance(event, TraceHop):
            page.status.setText(hop_text(event.host, event.hop, self.lang))
        elif isinstance(event, Finished):
            status = self._finished_text(event.diagnosis)
            page.show_finished(event.diagnosis, status)
            if not page.isVisible():  # the page's own status line says it where the person looks
                self.status_message.emit(status)
            if self.currentId() == Page.RESULTS:
                self._show_results()
            self.run_finished.emit()

    def _finished_text(self, diagnosis: Diagnosis) -> str:
        overall = say(f"report.overall_{diagnosis.overall}", self.lang)
        seconds = seconds_text(diagnosis.duration_ms, self.lang)  # as check's summary and the report say it
        if diagnosis.cancelled:
            unanswered = sum(1 for r in diagnosis.results if r.state is State.CANCELLED and not r.check.skip)
            text = self.tr("Cancelled after %1: %2 checks had no answer. So far: %3")
            text = text.replace("%1", seconds).replace("%2", str(unanswered)).replace("%3", overall)
        else:
            text = self.tr("Done in %1: %2").replace("%1", seconds).replace("%2", overall)
        if self.display_errors:
            text += " " + self.tr("(%1 display errors, the checks went on; details in the log)").replace(
                "%1", str(len(self.display_errors))
            )
        return text

    def _on_display_error(self, error: BaseException) -> None:
        """A bug in showing a result: logged by the run; said here, once per run and then counted."""
        self.display_errors.append(error)
        if len(self.display_errors) == 1:
            self.status_message.emit(
                self.tr("A result could not be shown (%1); the checks go on.").replace("%1", type(error).__name__)
            )

    # --- results and the ticket -------------------------------------------------------------

    def _show_results(self) -> None:
        if self.diagnosis is not None:
            self.results.show_diagnosis(self.diagnosis)

    def current_diagnosis(self) -> Diagnosis | None:
        """The diagnosis with the note as it reads now (the note is free text, read late)."""
        if self.diagnosis is None:
            return None
        return dataclasses.replace(self.diagnosis, note=self.target.note_text())

    def copy_for_ticket(self) -> str:
        diagnosis = self.current_diagnosis()
        if diagnosis is None:
            return ""
        text = ticket_summary(diagnosis, self.catalog, self.lang)
        QGuiApplication.clipboard().setText(text)
        self.status_message.emit(self.tr("The summary is on the clipboard."))
        return text

    # --- export -----------------------------------------------------------------------------

    def _on_export_page_entered(self) -> None:
        if self.diagnosis is not None:
            self.export_page.propose(self.diagnosis)

    def _export_clicked(self) -> None:
        self.start_export(self.export_page.report_path.text())

    def start_export(
        self, path_text: str, then: Callable[[], None] | None = None
    ) -> asyncio.Task[tuple[Path, Path] | None]:
        """Write the report in a worker thread; ``then`` runs after a successful export."""

        async def export_and_continue() -> tuple[Path, Path] | None:
            try:
                written = await self.export_report(path_text)
            finally:
                self.export_page.set_busy(False)
            if written is not None and then is not None:
                then()
            return written

        self.export_page.set_busy(True)  # at once: the click must not start a second export
        self.export_task = start_task(export_and_continue(), "the report export")
        return self.export_task

    async def export_report(self, path_text: str) -> tuple[Path, Path] | None:
        """Write the HTML and JSON; says what happened on the export page. None when not written."""
        page = self.export_page
        diagnosis = self.current_diagnosis()
        try:
            if diagnosis is None:
                raise ReportError("report-nothing")
            if self.is_stale():
                raise ReportError("report-stale")
            place = report_place(path_text)
        except ReportError as exc:
            page.show_status(self.tr("Not exported: %1").replace("%1", exc.message(self.lang)), error=True)
            return None
        page.set_busy(True)
        page.show_status(self.tr("Writing the report…"))
        try:
            # Rendering and fsync can take seconds on a USB stick or a share: not on the GUI thread.
            html, json_path = await in_worker(write_report, place, diagnosis, self.catalog, self.lang)
        except ReportError as exc:
            page.show_status(self.tr("Not exported: %1").replace("%1", exc.message(self.lang)), error=True)
            return None
        finally:
            page.set_busy(False)
        assert self.run is not None
        self.exported = self.run.diagnosis
        self.settings.report_folder = str(html.parent)
        page.last_report = html
        page.open_button.setEnabled(True)
        said = " ".join(notice.message(self.lang) for notice in place.notices)  # ".html added", say so
        page.show_status(
            self.tr("Exported: %1 and %2").replace("%1", str(html)).replace("%2", json_path.name)
            + (f" — {said}" if said else "")
        )
        self.status_message.emit(self.tr("Report written: %1").replace("%1", str(html)))
        if page.open_after.isChecked():
            page.open_report()
        return html, json_path

    def has_unexported_results(self) -> bool:
        return self.diagnosis is not None and self.exported is not self.diagnosis

    # --- finish, new diagnosis ----------------------------------------------------------------

    def finish(self) -> None:
        """Finish: a new diagnosis, after asking when the results were not exported."""
        if self.has_unexported_results():
            self._ask_about_results(self.tr("Finish"))
        else:
            self.new_diagnosis()

    def request_new_diagnosis(self) -> None:
        """File > New diagnosis and the results page's button."""
        if self.has_unexported_results():
            self._ask_about_results(self.tr("New diagnosis"))
        else:
            self.new_diagnosis()

    def _ask_about_results(self, title: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, self.tr("The results have not been exported."), parent=self)
        box.setObjectName("unexported_question")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(self.tr("Export them now, discard them, or go back to them?"))
        export_button = box.addButton(self.tr("&Export"), QMessageBox.ButtonRole.AcceptRole)
        discard_button = box.addButton(self.tr("&Discard"), QMessageBox.ButtonRole.DestructiveRole)
        back_button = box.addButton(self.tr("&Back"), QMessageBox.ButtonRole.RejectRole)
        export_button.setObjectName("export")
        discard_button.setObjectName("discard")
        back_button.setObjectName("back")
        box.setDefaultButton(back_button)
        box.setEscapeButton(back_button)

        def chosen(button: QAbstractButton) -> None:
            if button is discard_button:
                self.new_diagnosis()
            elif button is export_button:
                if self.currentId() == Page.EXPORT:
                    self.start_export(self.export_page.report_path.text(), then=self.new_diagnosis)
                else:
                    while self.currentId() != Page.EXPORT and self.currentPage().isComplete():
                        self.next()

        box.buttonClicked.connect(chosen)
        box.open()  # window-modal, and no nested event loop
        return box

    def new_diagnosis(self) -> None:
        """Back to the first page with no results; the host, version and ports stay typed."""
        self.cancel_run()
        self.run = None
        self.run_task = None
        self.exported = None
        self.run_page.model.clear()
        self.run_page.finished = None
        self.run_page.set_running(False)
        self.results.clear()
        page = self.export_page
        page.last_report = None
        page.open_button.setEnabled(False)
        page.show_status("")
        page.report_path.setModified(False)
        self.target.note.clear()
        self.restart()
        self.status_message.emit(self.tr("New diagnosis."))

    def shutdown(self) -> None:
        """Closing the window mid-run or mid-sweep: cancel; the probes close their sockets as they unwind."""
        self.cancel_run()
        self.push_run.cancel_run()
