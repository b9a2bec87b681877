"""The wizard's third place: at the manager, are these client PCs ready for push deployment?

Three pages after the first: the targets (pasted or loaded from a file, checked as
``push`` checks them), the live run (one row per target, its ports filled in as they
answer, then its verdict; a trace's hops on the status line), and the results: the routes
the sweep left by, the targets grouped by cause, the selected group's or PC's path facts and
guidance (the shared templates, as the check's details), and the export (the HTML report and
its JSON, as ``push --report`` writes them).
The work is core's (``core.push``, ``core.path.sweep``); these pages only collect and show.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.guidance import guidance_texts, render, source_words
from sep_port_doctor.core.i18n import say, say_any
from sep_port_doctor.core.path.facts import hop_text
from sep_port_doctor.core.push import (
    MAC_ROLE,
    WINDOWS_ROLES,
    PushRun,
    PushSweep,
    TargetError,
    Targets,
    TargetVerdict,
    parse_targets,
    read_targets_file,
)
from sep_port_doctor.core.push_command import push_engine, render_push_pair, summary_line
from sep_port_doctor.core.report_files import ReportError, report_place, write_pair
from sep_port_doctor.core.results import CheckResult
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.gui.plaintext import literal_html
from sep_port_doctor.gui.tasks import in_worker, start_task
from sep_port_doctor.gui.wizard.fields import ERROR_COLOUR, NOTICE_COLOUR, plain_label
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage
from sep_port_doctor.gui.wizard.pages.results import beside_details

if TYPE_CHECKING:
    from sep_port_doctor.core.path.facts import Hop
    from sep_port_doctor.core.path.winicmp import IcmpApi

log = logging.getLogger(__name__)

PORT_COLUMNS = {role: 2 + n for n, role in enumerate((*WINDOWS_ROLES, MAC_ROLE))}
"""A column per port, by its part in push deployment (its header is the catalogue's ``TCP 445``)."""
COL_TARGET, COL_ADDRESS, COL_VERDICT = 0, 1, 2 + len(PORT_COLUMNS)
ROUTE_SOURCE, ROUTE_INTERFACE, ROUTE_GATEWAY, ROUTE_PROFILE, ROUTE_PCS = range(5)
ROUTE_ROWS_SHOWN = 4
"""Routes shown without scrolling (a sweep seldom leaves by more: a VPN and the LAN)."""
SUBJECT_ROLE = Qt.ItemDataRole.UserRole
"""A results row's subject: ("cause", cause) for a group, ("target", host name) for a PC."""


class PushTargetsPage(WizardPage):
    """The targets: one per line (names, addresses, IPv4 CIDR blocks), pasted or loaded."""

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        layout = QVBoxLayout(self.content)
        self.intro = plain_label()
        layout.addWidget(self.intro)
        self.targets_label = QLabel()
        self.targets = QPlainTextEdit()
        self.targets.setObjectName("push_targets")
        self.targets.setTabChangesFocus(True)
        self.targets_label.setBuddy(self.targets)
        layout.addWidget(self.targets_label)
        layout.addWidget(self.targets, 1)
        self.message = plain_label()
        self.message.setObjectName("push_targets_message")
        self.message.hide()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.load = QPushButton()
        self.load.setObjectName("push_load")
        self.mac = QCheckBox()
        self.mac.setObjectName("push_mac")
        row.addWidget(self.load)
        row.addWidget(self.mac)
        row.addStretch(1)
        layout.addLayout(row)
        self.load.clicked.connect(self._load_clicked)
        self.targets.textChanged.connect(self._edited)
        self.parsed: Targets | None = None
        self.file_notices: list[UserError] = []
        """What reading the loaded files noted (CP932 read for UTF-8): said on loading and on the run page."""
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Push-deployment targets"))
        self.setSubTitle(self.tr("Which client PCs should the manager be able to push the SEP client to?"))
        self.intro.setText(
            self.tr(
                "One target per line: PC names, IP addresses or IPv4 blocks such as 192.168.10.0/24 "
                "(at most 1,024 addresses). Lines starting with # are ignored. No credentials are needed: "
                "nothing is installed and no share is opened."
            )
        )
        self.targets_label.setText(self.tr("&Targets:"))
        self.targets.setAccessibleName(self.tr("Targets"))
        self.load.setText(self.tr("&Load from a file…"))
        self.mac.setText(self.tr("Some targets are &Macs (check TCP 22 too)"))

    def _show(self, text: str, colour: str) -> None:
        self.message.setStyleSheet(f"color: {colour}")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _load_clicked(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Load targets"), str(Path.home()), self.tr("Text files (*.txt *.csv);;All files (*)")
        )
        if chosen:
            self.load_file(Path(chosen))

    def _edited(self) -> None:
        self._show("", ERROR_COLOUR)
        if not self.targets.toPlainText().strip():  # emptied: nothing read from a file is left
            self.file_notices = []

    def load_file(self, path: Path) -> bool:
        """Append the targets of a file (checked as ``--targets`` checks it); False with the reason shown."""
        try:
            read = read_targets_file(path)
        except TargetError as exc:
            self._show(exc.message(self.lang), ERROR_COLOUR)
            return False
        kept = [line for _where, line in read.lines if line.split("#", 1)[0].strip()]
        current = self.targets.toPlainText().rstrip("\n")
        self.targets.setPlainText("\n".join([current, *kept]) if current else "\n".join(kept))
        self.file_notices += read.notices
        self._show("\n".join(n.message(self.lang) for n in read.notices), NOTICE_COLOUR)
        return True

    def validatePage(self) -> bool:
        items = [(f"{number}", line) for number, line in enumerate(self.targets.toPlainText().splitlines(), 1)]
        try:
            self.parsed = parse_targets(items, self.file_notices)
        except TargetError as exc:
            self.parsed = None
            self._show(exc.message(self.lang), ERROR_COLOUR)
            self.targets.setFocus()
            return False
        self._show("\n".join(n.message(self.lang) for n in self.parsed.notices), NOTICE_COLOUR)
        return True


class PushRunPage(WizardPage):
    """One row per target, live: each port as it answers, then the target's verdict."""

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context, scrolling=False)
        layout = QVBoxLayout(self.content)
        # What the targets page noted (a duplicate checked once, a URL reduced to its host): that page
        # is left at once by the Next that accepted them, so the notes are said here, where they stay.
        self.notices = plain_label()
        self.notices.setObjectName("push_notices")
        self.notices.setWordWrap(True)
        self.notices.setStyleSheet(f"color: {NOTICE_COLOUR}")
        self.notices.hide()
        layout.addWidget(self.notices)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("push_table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_VERDICT, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.status = plain_label()
        self.status.setObjectName("push_status")
        self.cancel = QPushButton()
        self.cancel.setObjectName("push_cancel")
        row.addWidget(self.status, 1)
        row.addWidget(self.cancel)
        layout.addLayout(row)
        self.policy = TimeoutPolicy()
        self.ports: dict[int, int] = {}
        """Ports moved (DEFAULT: ACTUAL), for a lab on one machine; empty in the program."""
        self.icmp_api: IcmpApi | None = None
        """Windows' IcmpSendEcho2 stand-in for a test; None in the program (the platform's own way)."""
        self.last_hop: tuple[str, Hop] | None = None
        """The latest hop of a trace while the sweep runs (the status line says where the trace is)."""
        self.targets: Targets | None = None
        self.mac = False
        self.task: asyncio.Task[PushSweep] | None = None
        self.run: PushRun | None = None
        """The sweep going on (or the last one); a sweep replaced by a newer one says nothing more."""
        self.sweep: PushSweep | None = None
        self.rows: dict[str, int] = {}
        self.done_count = 0
        self.cancel.clicked.connect(self.cancel_run)
        self.retranslate()

    def retranslate(self) -> None:
        self._heading()
        self.setSubTitle(self.tr("Each PC's ports are filled in as they answer, then its verdict."))
        ports = [self.context.catalog.push_entry(role).label for role in PORT_COLUMNS]
        self.table.setHorizontalHeaderLabels([self.tr("Target"), self.tr("Address"), *ports, self.tr("Verdict")])
        self.cancel.setText(self.tr("&Cancel"))
        if self.targets is not None:
            self._count()
            self._show_notices(self.targets)

    def _heading(self) -> None:
        """The title says whether the sweep is going on or over (it said "Checking" after the end)."""
        if self.sweep is None:
            self.setTitle(self.tr("Checking the targets"))
        elif self.sweep.cancelled:
            self.setTitle(self.tr("Check of the targets cancelled"))
        else:
            self.setTitle(self.tr("Targets checked"))

    def _show_notices(self, targets: Targets) -> None:
        self.notices.setText("\n".join(n.message(self.lang) for n in targets.notices))
        self.notices.setVisible(bool(targets.notices))

    def isComplete(self) -> bool:
        return self.sweep is not None

    def start(self, targets: Targets, mac: bool) -> None:
        self.cancel_run()
        self.targets, self.mac, self.sweep, self.done_count, self.last_hop = targets, mac, None, 0, None
        self.table.setColumnHidden(PORT_COLUMNS[MAC_ROLE], not mac)
        self.table.setRowCount(len(targets.hosts))
        self.rows = {}
        waiting = self.tr("waiting")
        for row, host in enumerate(targets.hosts):
            self.rows[host.name] = row
            self.table.setItem(row, COL_TARGET, QTableWidgetItem(host.typed))
            for column in (COL_ADDRESS, *PORT_COLUMNS.values(), COL_VERDICT):
                self.table.setItem(row, column, QTableWidgetItem(waiting if column != COL_ADDRESS else ""))
        self._count()
        self._show_notices(targets)
        self._heading()
        run = PushRun(
            self.context.catalog,
            targets.hosts,
            push_engine(self.policy),
            mac=mac,
            on_target=lambda target: self._target_done(target) if run is self.run else None,
            on_result=lambda result: self._result(result) if run is self.run else None,
            ports=self.ports,
            icmp_api=self.icmp_api,
            on_hop=lambda host, hop: self._hop(host, hop) if run is self.run else None,
        )
        self.run = run
        self.task = start_task(self._run(run), "push sweep")
        self.completeChanged.emit()

    async def _run(self, run: PushRun) -> PushSweep:
        """The sweep, shown as it ends: done or cancelled (``PushRun.cancel``), even before it began."""
        try:
            sweep = await run.run()
        except asyncio.CancelledError:  # the program closing under it: the sweep so far
            sweep = run.partial()
            if run is self.run:
                self._finished(sweep)
            raise
        if run is self.run:
            self._finished(sweep)
        return sweep

    def _finished(self, sweep: PushSweep) -> None:
        self.sweep, self.last_hop = sweep, None
        for target in sweep.targets:
            self._target_done(target, count=False)
        self._count()
        self._heading()
        self.completeChanged.emit()

    def cancel_run(self) -> None:
        """Stop the sweep, now or before it starts: it ends cancelled, as a diagnosis run does."""
        if self.run is not None and self.task is not None and not self.task.done():
            self.run.cancel()

    def cleanupPage(self) -> None:
        self.cancel_run()
        super().cleanupPage()

    def _cell(self, row: int, column: int, text: str) -> None:
        item = self.table.item(row, column)
        if item is not None:
            item.setText(text)

    def _result(self, result: CheckResult) -> None:
        assert result.check.host is not None
        row = self.rows[result.check.host.name]
        state = say(f"state.{result.state}", self.lang)
        detail = next((say_any(a.detail, self.lang) for a in result.application if a.ok), "")
        role = self.context.catalog.entry(result.check.entry_id).push
        self._cell(row, PORT_COLUMNS[str(role)], f"{state} · {detail}" if detail else state)
        if result.address:
            self._cell(row, COL_ADDRESS, result.address)

    def _target_done(self, target: TargetVerdict, count: bool = True) -> None:
        row = self.rows[target.host.name]
        # The headline starts with the verdict ("Not ready: ...", "Unreachable: ..."): said once.
        self._cell(row, COL_VERDICT, target.headline.say(self.lang))
        for result in target.results:
            self._result(result)
        if count:
            self.done_count += 1
            self._count()

    def _hop(self, host: str, hop: Hop) -> None:
        if self.sweep is not None:  # a hop that arrives as a cancelled sweep ends is old news
            return
        if self.last_hop is not None and self.last_hop[0] == host and not _tells_more(hop, self.last_hop[1]):
            return
        self.last_hop = (host, hop)
        self._count()

    def _count(self) -> None:
        total = len(self.targets.hosts) if self.targets else 0
        done = len(self.sweep.targets) if self.sweep is not None else self.done_count
        text = self.tr("%1 of %2 targets checked").replace("%1", str(done)).replace("%2", str(total))
        if self.last_hop is not None:
            text += " · " + hop_text(*self.last_hop, self.lang)
        self.status.setText(text)
        self.cancel.setEnabled(self.sweep is None)  # nothing left to cancel once the sweep is done


def _tells_more(hop: Hop, shown: Hop) -> bool:
    """Whether a trace's new hop tells more than the one shown: the furthest answered hop stays (the
    silent hops time out together after the answers, and "hop 30 *" would hide how far the path got)."""
    return shown.address is None or (hop.address is not None and hop.ttl > shown.ttl)


class PushResultsPage(WizardPage):
    """The routes the sweep took, the targets grouped by cause, the details of the selected group
    or PC (its path facts and guidance, through the shared templates), and the export."""

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        layout = QVBoxLayout(self.content)
        self.summary = plain_label()
        self.summary.setObjectName("push_summary")
        layout.addWidget(self.summary)
        self.routes_label = QLabel()
        self.routes = QTreeWidget()
        self.routes.setObjectName("push_routes")
        self.routes.setColumnCount(5)
        self.routes.setRootIsDecorated(False)
        self.routes.setItemsExpandable(False)
        self.routes.setUniformRowHeights(True)
        self.routes.header().setStretchLastSection(False)
        self.routes.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.routes.header().setSectionResizeMode(ROUTE_GATEWAY, QHeaderView.ResizeMode.Stretch)
        self.routes_label.setBuddy(self.routes)
        layout.addWidget(self.routes_label)
        layout.addWidget(self.routes)
        self.groups = QTreeWidget()
        self.groups.setObjectName("push_groups")
        self.groups.setHeaderHidden(True)
        self.groups.setMinimumHeight(160)
        self.details = QTextBrowser()
        self.details.setObjectName("push_details")
        self.details.setOpenLinks(False)  # nothing shown there is a link: remote text is escaped
        self.details.setTabChangesFocus(True)
        layout.addWidget(beside_details(self.groups, self.details), 1)
        row = QHBoxLayout()
        self.path_label = QLabel()
        self.report_path = QLineEdit()
        self.report_path.setObjectName("push_report_path")
        self.path_label.setBuddy(self.report_path)
        self.export_button = QPushButton()
        self.export_button.setObjectName("push_export")
        row.addWidget(self.path_label)
        row.addWidget(self.report_path, 1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.status = plain_label()
        self.status.setObjectName("push_export_status")
        layout.addWidget(self.status)
        self.sweep: PushSweep | None = None
        self.exported: tuple[Path, Path] | None = None
        self.export_task: asyncio.Task[None] | None = None
        self.groups.currentItemChanged.connect(lambda item, _old: self._show_details(item))
        self.export_button.clicked.connect(self._export_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Push readiness"))
        self.setSubTitle(
            self.tr("The targets grouped by what was found. Select a group or a PC for its path and what to do.")
        )
        self.routes_label.setText(self.tr("Rou&tes from this PC:"))
        self.routes.setAccessibleName(self.tr("Routes from this PC"))
        self.routes.setHeaderLabels(
            [
                self.tr("Source address"),
                self.tr("Interface"),
                self.tr("Gateway"),
                self.tr("Network profile"),
                self.tr("PCs"),
            ]
        )
        self.groups.setAccessibleName(self.tr("Targets by cause"))
        self.details.setAccessibleName(self.tr("Details"))
        self.path_label.setText(self.tr("&Save the report as:"))
        self.report_path.setAccessibleName(self.tr("Save the report as"))
        self.export_button.setText(self.tr("&Export"))
        if self.sweep is not None:
            self.show_sweep(self.sweep)

    def show_sweep(self, sweep: PushSweep) -> None:
        lang = self.lang
        current = self.groups.currentItem()
        kept = current.data(0, SUBJECT_ROLE) if current is not None and sweep is self.sweep else None
        self.sweep = sweep
        self.summary.setText(summary_line(sweep, lang))
        self._show_routes(sweep)
        self.groups.clear()
        chosen: QTreeWidgetItem | None = None
        for cause, targets in sweep.groups():
            title = say("push.group", lang, count=len(targets), headline=say(f"push-group.{cause}", lang))
            group = QTreeWidgetItem([title])
            group.setData(0, SUBJECT_ROLE, ("cause", cause))
            for target in targets:
                shown = target.host.typed
                if target.address and target.address != target.host.name:
                    shown += f" ({target.address})"
                text = f"{shown}: {target.headline.say(lang)}"
                child = QTreeWidgetItem([text])
                child.setData(0, SUBJECT_ROLE, ("target", target.host.name))
                child.setToolTip(0, literal_html(text))  # a long headline, whole
                group.addChild(child)
                if child.data(0, SUBJECT_ROLE) == kept:
                    chosen = child
            self.groups.addTopLevelItem(group)
            if group.data(0, SUBJECT_ROLE) == kept:
                chosen = group
        chosen = chosen or self.groups.topLevelItem(0)  # the same group or PC after a language switch
        if chosen is None:
            self._show_details(None)
        else:
            self.groups.setCurrentItem(chosen)  # its details follow (currentItemChanged)
        if not self.report_path.text().strip():
            folder = Path(self.context.settings.report_folder or Path.home())
            stamp = sweep.started.astimezone().strftime("%Y%m%d-%H%M%S")
            self.report_path.setText(str(folder / f"sep-push-readiness-{stamp}.html"))

    def _show_routes(self, sweep: PushSweep) -> None:
        """A row per distinct route (source address, interface, gateway, profile, how many PCs take it)."""
        lang, paths = self.lang, sweep.paths
        self.routes.clear()
        routes = paths.routes if paths is not None else ()
        for index, route in enumerate(routes):
            assert paths is not None
            cells = [route.source or "—", route.interface or "—", route.gateway_text(lang), route.profile_text(lang)]
            item = QTreeWidgetItem([*cells, str(paths.route_counts[index])])
            item.setTextAlignment(ROUTE_PCS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(ROUTE_GATEWAY, literal_html(paths.route_text(index, lang)))
            self.routes.addTopLevelItem(item)
        self.routes.setColumnHidden(ROUTE_PROFILE, not any(route.profile for route in routes))
        self.routes_label.setVisible(bool(routes))
        self.routes.setVisible(bool(routes))
        if routes:
            # As tall as its rows (up to ROUTE_ROWS_SHOWN), so the groups and details keep the room.
            rows = min(len(routes), ROUTE_ROWS_SHOWN)
            height = self.routes.header().sizeHint().height() + rows * self.routes.sizeHintForRow(0)
            self.routes.setFixedHeight(height + 2 * self.routes.frameWidth() + 2)

    def _show_details(self, item: QTreeWidgetItem | None) -> None:
        subject = item.data(0, SUBJECT_ROLE) if item is not None else None
        if not subject or self.sweep is None:
            self.details.clear()
            return
        kind, key = subject
        self.details.setHtml(self._group_html(key) if kind == "cause" else self._target_html(key))

    def _path(self, lines: list[Any]) -> dict[str, Any] | None:
        return {"heading": say("path.heading", self.lang), "lines": lines} if lines else None

    def _group_html(self, cause: str) -> str:
        assert self.sweep is not None
        lang = self.lang
        targets = dict(self.sweep.groups()).get(cause, [])
        return render(
            "details_push.html.j2",
            title=say("push.group", lang, count=len(targets), headline=say(f"push-group.{cause}", lang)),
            headline="",
            rows=[],
            path=self._path(self.sweep.group_path_lines(targets, lang)),
            guidance=guidance_texts(self.context.catalog, targets[0].guidance if targets else (), lang),
            w=source_words(lang),
        )

    def _target_html(self, name: str) -> str:
        assert self.sweep is not None
        lang = self.lang
        target = next(t for t in self.sweep.targets if t.host.name == name)
        title = target.host.typed
        if target.address and target.address != target.host.name:
            title += f" ({target.address})"
        rows = [(self.tr("Verdict"), say(f"push.verdict-{target.verdict}", lang))]
        for result in target.results:
            state = say(f"state.{result.state}", lang)
            detail = next((say_any(a.detail, lang) for a in result.application if a.ok), "")
            rows.append(
                (self.context.catalog.entry(result.check.entry_id).label, f"{state} · {detail}" if detail else state)
            )
        return render(
            "details_push.html.j2",
            title=title,
            headline=target.headline.say(lang),
            rows=rows,
            path=self._path(self.sweep.path_lines(target, lang)),
            guidance=guidance_texts(self.context.catalog, target.guidance, lang),
            w=source_words(lang),
        )

    def _export_clicked(self) -> None:
        if self.sweep is None or (self.export_task is not None and not self.export_task.done()):
            return
        self.export_task = start_task(self.export(self.report_path.text()), "push export")

    async def export(self, text: str) -> None:
        assert self.sweep is not None
        sweep, lang, catalog = self.sweep, self.lang, self.context.catalog
        self.export_button.setEnabled(False)
        try:
            place = report_place(text)
            html, json_text = render_push_pair(sweep, catalog, lang)
            self.exported = await in_worker(write_pair, place, html, json_text)
        except ReportError as exc:
            self.status.setStyleSheet(f"color: {ERROR_COLOUR}")
            self.status.setText(exc.message(lang))
            return
        finally:
            self.export_button.setEnabled(True)
        self.context.settings.report_folder = str(self.exported[0].parent)
        self.status.setStyleSheet("")
        self.status.setText(
            self.tr("Written: %1 and %2").replace("%1", str(self.exported[0])).replace("%2", str(self.exported[1]))
        )
