"""The port reference window: model, search, filters, details, language, keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.versions import parse_version
from sep_port_doctor.gui.main_window import MainWindow
from sep_port_doctor.gui.port_model import APPLIES_ROLE, COL_PROCESS, ENTRY_ROLE, PortFilterProxy, PortTableModel
from sep_port_doctor.gui.reference import entry_details_html
from tests.core.test_guidance import shared_item_html


def _shown_ids(window: MainWindow) -> set[str]:
    proxy = window.reference.proxy
    return {proxy.index(r, 0).data(ENTRY_ROLE).id for r in range(proxy.rowCount())}


def test_model_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    model = PortTableModel(load_catalog().entries, "ja")
    qtmodeltester.check(model, force_py=True)
    model.set_version(parse_version("14.3 RU1"))
    model.set_lang("en")
    qtmodeltester.check(model, force_py=True)


def test_proxy_passes_qtmodeltester(qtmodeltester: ModelTester) -> None:
    proxy = PortFilterProxy()
    proxy.setSourceModel(PortTableModel(load_catalog().entries, "en"))
    proxy.set_search("tcp")
    qtmodeltester.check(proxy, force_py=True)


def test_all_entries_are_listed(main_window: MainWindow) -> None:
    assert main_window.reference.proxy.rowCount() == 24
    assert "24 of 24" in main_window.reference.count_label.text()


def test_search_filters_as_you_type(main_window: MainWindow, qtbot: QtBot) -> None:
    ref = main_window.reference
    assert _search(qtbot, main_window, "445 win") == {"push-tcp-445"}
    # Japanese arrives through an input method: composed, then committed.
    assert _search(qtbot, main_window, "プッシュ") == {
        "push-tcp-139",
        "push-tcp-445",
        "push-udp-137",
        "push-udp-138",
        "mac-push-tcp-22",
    }
    assert _search(qtbot, main_window, "ccSvcHst") == {"gup-tcp-2967", "ntr-tcp-2968"}
    assert _search(qtbot, main_window, "8014") == {"client-http-8014"}
    # The details pane follows the only row left.
    assert "8014" in ref.details.toPlainText()
    _search(qtbot, main_window, "zzz-nothing")
    assert ref.proxy.rowCount() == 0
    assert "No port selected" in ref.details.toPlainText()


def test_protocol_and_direction_filters(main_window: MainWindow) -> None:
    ref = main_window.reference
    ref.protocol_combo.setCurrentIndex(ref.protocol_combo.findData("udp"))
    assert _shown_ids(main_window) == {"push-udp-137", "push-udp-138", "syslog-udp-514"}
    ref.protocol_combo.setCurrentIndex(0)
    ref.direction_combo.setCurrentIndex(ref.direction_combo.findData("client_to_manager"))
    assert _shown_ids(main_window) == {"client-http-8014", "client-https-443"}


def test_version_greys_out_or_hides_entries_with_reason(main_window: MainWindow) -> None:
    ref = main_window.reference
    ref.set_version_text("14.3 RU1")
    proxy = ref.proxy
    greyed = {
        proxy.index(r, 0).data(ENTRY_ROLE).id
        for r in range(proxy.rowCount())
        if not proxy.index(r, 0).data(APPLIES_ROLE)
    }
    assert greyed == {"spc-tcp-8444", "cas-http-8081", "cas-https-8082"}
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(ENTRY_ROLE).id == "cas-http-8081")
    tooltip = proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "14.3 RU1" in tooltip and "14.2.x only" in tooltip
    assert proxy.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    ref.hide_check.setChecked(True)
    assert proxy.rowCount() == 21
    assert not greyed & _shown_ids(main_window)
    # Processes follow the version.
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(ENTRY_ROLE).id == "db-tcp-2638")
    assert proxy.index(row, COL_PROCESS).data() == "sqlserver.exe"


def test_free_text_version_is_validated_at_the_field(main_window: MainWindow) -> None:
    ref = main_window.reference
    ref.set_version_text("14.3.3580.1100")
    assert ref.version is not None and ref.version.release_key == (14, 3, 1, 1)
    assert ref.version_message.isHidden()
    ref.set_version_text("13.5")
    assert not ref.version_message.isHidden()
    assert "accepted forms" in ref.version_message.text()
    # The last good version stays in force; nothing is lost.
    assert ref.version is not None and ref.version.release_key == (14, 3, 1, 1)


def test_details_pane_shows_everything_for_the_entry(main_window: MainWindow) -> None:
    ref = main_window.reference
    ref.set_version_text("14.3 MP1")
    assert ref.select_entry("db-tcp-2638")
    text = ref.details.toPlainText()
    assert "TCP 2638" in text
    assert "dbsrv16.exe" in text and "sqlserver.exe" in text
    assert "Started by Symantec Endpoint Protection Manager" in text
    assert "Configurable" in text
    assert "Used by this version" in text
    # The page's notes for the whole table, with every port, as the vendor's.
    general = text.split("The vendor's port page: general notes (for the whole table, as the vendor states them)")
    assert len(general) == 2
    assert "By default, the firewall component of Symantec Endpoint Protection allows the traffic" in general[1]
    assert "third-party firewall" in general[1]


def test_details_pane_renders_guidance_with_the_templates_the_report_uses(main_window: MainWindow) -> None:
    """The pane shows the shared templates' output (tests/core/test_guidance.py: the report and the
    results page's panes render each guidance item with the same macro)."""
    ref = main_window.reference
    assert ref.select_entry("client-https-443")
    entry = ref.current_entry()
    assert entry is not None and entry.guidance
    html = entry_details_html(entry, load_catalog(), "en", None)
    for guidance_id in entry.guidance:
        assert shared_item_html(guidance_id, "en") in html
    shown = ref.details.toPlainText()
    for guidance in load_catalog().guidance_for(entry.guidance):
        assert guidance.title.say(ref.lang) in shown and guidance.text.say(ref.lang) in shown


def test_select_entry_clears_filters_that_hide_it(main_window: MainWindow, qtbot: QtBot) -> None:
    ref = main_window.reference
    _search(qtbot, main_window, "syslog")
    assert ref.select_entry("client-http-8014")
    assert ref.current_entry() is not None and ref.current_entry().id == "client-http-8014"  # type: ignore[union-attr]


def test_copy_selected_rows(main_window: MainWindow, qtbot: QtBot) -> None:
    ref = main_window.reference
    _search(qtbot, main_window, "8014")
    ref.table.selectRow(0)
    ref.table.setFocus()
    ref.copy_selection()
    text = QGuiApplication.clipboard().text()
    assert text.startswith("TCP 8014\t")
    assert "httpd.exe (Apache)" in text


def test_language_switch_updates_everything_and_is_remembered(
    main_window: MainWindow, qapp: QApplication, qtbot: QtBot
) -> None:
    ref = main_window.reference
    main_window.choose_language("ja")
    assert main_window.windowTitle() == "SEP Port Doctor"
    assert main_window.tabs.tabText(0) == "ポートリファレンス(&R)"
    assert ref.search_label.text() == "検索(&S):"
    assert ref.model.headerData(0, Qt.Orientation.Horizontal) == "ポート"
    _search(qtbot, main_window, "8014")
    assert "クライアント → 管理サーバー" in ref.proxy.index(0, 3).data()
    assert main_window.settings.language == "ja"
    main_window.choose_language("en")
    assert ref.search_label.text() == "&Search:"
    assert "Client → manager" in ref.proxy.index(0, 3).data()
    # Search works across both languages whatever the display language.
    assert _search(qtbot, main_window, "プッシュ 445") == {"push-tcp-445"}


def test_keyboard_only_search_and_navigation(main_window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitActive(main_window):
        main_window.show()
        main_window.activateWindow()
    ref = main_window.reference
    ref.table.setFocus()
    qtbot.keyClick(ref.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is ref.search
    qtbot.keyClicks(ref.search, "udp")
    assert ref.proxy.rowCount() == 3
    ref.table.setFocus()
    qtbot.keyClick(ref.table, Qt.Key.Key_Down)
    entry = ref.current_entry()
    assert entry is not None and entry.protocol == "udp"
    assert entry.label in ref.details.toPlainText()


def test_readable_at_200_percent_scaling_is_not_tested_offscreen_but_fonts_are_cjk(qapp: QApplication) -> None:
    """Japanese must be rendered with a font that has the glyphs (not boxes)."""
    from PySide6.QtGui import QFontMetrics

    metrics = QFontMetrics(qapp.font())
    for ch in "ポート管理サーバー":
        assert metrics.inFontUcs4(ord(ch)), f"no glyph for {ch!r} in {qapp.font().family()}: install a CJK font"


@pytest.mark.qt_log_ignore("QVariant::load")
def test_corrupted_settings_fall_back_to_defaults_with_a_notice(qapp: QApplication, tmp_path: Path) -> None:
    import argparse

    from PySide6.QtCore import QSettings

    from sep_port_doctor.gui.app import build_main_window
    from sep_port_doctor.gui.settings import APPLICATION, ORGANIZATION

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    path = Path(QSettings(ORGANIZATION, APPLICATION).fileName())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"[ui\x00\xff\xfe garbage\nlanguage=\x01\x02\nrecent_hosts=@Variant(\x00\x00\x00\x7f)\n[[[")
    window = build_main_window(qapp, argparse.Namespace(lang="en"))
    try:
        assert window.reference.proxy.rowCount() == 24
        assert window.settings.language in ("", "ja", "en")
        assert isinstance(window.settings.recent_hosts, list)
        assert window.settings.notice is not None
        assert "defaults" in window.statusBar().currentMessage()
    finally:
        window.close()


def _search(qtbot: QtBot, window: MainWindow, text: str) -> set[str]:
    """Type the query into the search box as a person does (Japanese through the input method)."""
    from tests.gui.keyboard import activate, press, type_text

    activate(qtbot, window)
    window.show_reference()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Delete)
    type_text(qtbot, text)
    return _shown_ids(window)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("SMB", {"push-tcp-139", "push-tcp-445"}),
        ("secars", {"client-http-8014", "client-https-443"}),
        ("firewall push", {"push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138"}),
        ("ファイアウォール プッシュ", {"push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138"}),
        ("445 win", {"push-tcp-445"}),  # a number finds its port, not the ports whose guidance names it
        ("445", {"push-tcp-445"}),  # not TCP 8445 too
        ("TCP445", {"push-tcp-445"}),  # as Japanese documents write it
        ("tcp 137", set()),  # UDP 137 is not TCP 137 for its note on TCP ephemeral ports
        ("ふぁいあうぉーる ぷっしゅ", {"push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138"}),
    ],
)
def test_search_finds_guidance_words_and_protocol_names(
    main_window: MainWindow, qtbot: QtBot, query: str, found: set[str]
) -> None:
    """Issue 9, item 10: SMB, firewall, ファイアウォール and secars found nothing."""
    assert _search(qtbot, main_window, query) == found


def test_a_cut_purpose_keeps_both_ends_and_the_details_have_it_whole(main_window: MainWindow) -> None:
    ref = main_window.reference
    assert ref.table.textElideMode() == Qt.TextElideMode.ElideMiddle
    ref.select_entry("push-tcp-445")
    entry = load_catalog().entry("push-tcp-445")
    row = next(r for r in range(ref.proxy.rowCount()) if ref.proxy.index(r, 0).data(ENTRY_ROLE).id == "push-tcp-445")
    from sep_port_doctor.gui.port_model import COL_PURPOSE

    assert ref.proxy.index(row, COL_PURPOSE).data(Qt.ItemDataRole.ToolTipRole) == entry.purpose.say("en")
    assert entry.purpose.say("en") in ref.details.toPlainText()


def test_with_a_manager_given_the_window_opens_on_the_diagnostics_tab(qapp: QApplication) -> None:
    import argparse

    from sep_port_doctor.gui.app import build_main_window

    window = build_main_window(qapp, argparse.Namespace(lang="ja", manager="sepm01", sep_version="14.3"))
    try:
        assert window.tabs.currentIndex() == 1
        assert window.wizard is not None and window.wizard.where.language.currentData() == "ja"
        assert window.lang_actions["ja"].isChecked()  # the menu shows the language in use, too
    finally:
        window.close()


@pytest.mark.parametrize(
    ("page", "manager", "tab"),
    [("reference", "sepm01", 0), ("wizard", None, 1), (None, None, 0), (None, "sepm01", 1)],
)
def test_gui_page_opens_the_tab_asked_for(qapp: QApplication, page: str | None, manager: str | None, tab: int) -> None:
    """``gui --page reference|wizard``: the tab to open, whatever else was given; without it the
    reference, or the diagnostics when something to diagnose was given."""
    import argparse

    from sep_port_doctor.gui.app import build_main_window

    window = build_main_window(qapp, argparse.Namespace(lang="en", manager=manager, page=page))
    try:
        assert window.tabs.currentIndex() == tab
    finally:
        window.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_details_pane_marks_the_programs_own_step_under_a_vendor_item(
    qapp: QApplication, qtbot: QtBot, lang: str
) -> None:
    """TCP 445's details said "In Control Panel, open Windows Defender Firewall > ..." under a
    title marked "From the vendor's port page", and again in the general notes "as the vendor
    states them": the page says no such thing. Typed and clicked as a technician does."""
    from sep_port_doctor.core.i18n import say
    from tests.gui.conftest import window_in

    window, _wizard = window_in(qapp, qtbot, lang)
    window.show()
    assert _search(qtbot, window, "445") == {"push-tcp-445"}
    table = window.reference.table
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(table.model().index(0, 1)).center()
    )
    text = window.reference.details.toPlainText()
    fps = load_catalog().guidance["allow-file-printer-sharing"]
    step, thumb = fps.steps[0].say(lang), say("report.own_mark", lang)
    assert f"{step} ({thumb})" in text
    # Once: the general notes quote the vendor's sentence without the program's step.
    assert text.count(step) == 1
    general = text[text.index(say("report.general_notes", lang)) :]
    assert fps.text.say(lang) in general


def test_a_version_typed_with_the_products_name_is_taken(main_window: MainWindow, qtbot: QtBot) -> None:
    """ "SEP 14.3 RU1", as the reference's own heading and the report write it, typed into the
    version field: it was refused with the accepted forms, and the filter stayed as it was."""
    from tests.gui.keyboard import activate, type_text

    activate(qtbot, main_window)
    main_window.show_reference()
    ref = main_window.reference
    ref.version_combo.setFocus()
    type_text(qtbot, "SEP 14.3 RU1")
    assert ref.version_message.isHidden(), ref.version_message.text()
    assert ref.version is not None and ref.version.release_name == "14.3 RU1"
    greyed = {
        ref.proxy.index(r, 0).data(ENTRY_ROLE).id
        for r in range(ref.proxy.rowCount())
        if not ref.proxy.index(r, 0).data(APPLIES_ROLE)
    }
    assert greyed == {"spc-tcp-8444", "cas-http-8081", "cas-https-8082"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_copied_rows_say_which_ports_this_version_does_not_use(qapp: QApplication, qtbot: QtBot, lang: str) -> None:
    """With a version chosen, the table greys the ports it does not use; copied (Ctrl+A, Ctrl+C) into a
    firewall request, those rows read like the others: the reason now goes with them."""
    from tests.gui.conftest import window_in
    from tests.gui.keyboard import activate, press, type_text

    window, _wizard = window_in(qapp, qtbot, lang)
    activate(qtbot, window)
    window.show_reference()
    ref = window.reference
    ref.version_combo.setFocus()
    type_text(qtbot, "14.3 RU1")
    assert ref.version is not None and ref.version.release_name == "14.3 RU1"
    ref.search.setFocus()
    type_text(qtbot, "tcp 8")
    ref.table.setFocus()
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    rows = {line.split("\t")[0]: line.split("\t") for line in QGuiApplication.clipboard().text().splitlines()}
    assert {"TCP 8014", "TCP 8081", "TCP 8443", "TCP 8444"} <= set(rows)
    cas = load_catalog().entry("cas-http-8081").versions_text.say(lang)
    for port in ("TCP 8081", "TCP 8082", "TCP 8444"):
        assert rows[port][-1].endswith(cas if port != "TCP 8444" else "12.1.x" if lang == "ja" else "12.1.x only"), (
            rows[port]
        )
        assert "14.3 RU1" in rows[port][-1]
    assert len(rows["TCP 8014"]) == len(rows["TCP 8081"]) - 1  # a port it uses: the columns only
