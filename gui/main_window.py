"""The main window: the port reference and the diagnostics wizard side by side in tabs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.i18n import Lang, language_name, languages, system_lang
from sep_port_doctor.gui.i18n import LanguageManager
from sep_port_doctor.gui.reference import ReferenceView
from sep_port_doctor.gui.settings import Settings, WindowPlacement
from sep_port_doctor.gui.wizard import DiagnosticsWizard

PREFERRED_SIZE = QSize(1180, 760)
SCREEN_SHARE = 0.92
"""At most this share of the screen's free area (taskbar excluded), so the window never starts cut off."""
STATUS_MS = 15000


def first_size(available: QSize) -> QSize:
    """The size to open at: the preferred one, or less on a small screen, never larger than it."""
    return QSize(
        min(PREFERRED_SIZE.width(), int(available.width() * SCREEN_SHARE)),
        min(PREFERRED_SIZE.height(), int(available.height() * SCREEN_SHARE)),
    )


class MainWindow(QMainWindow):
    def __init__(
        self, catalog: Catalog, settings: Settings, languages: LanguageManager, preference: str | None = None
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.settings = settings
        self.languages = languages
        self.setObjectName("mainWindow")

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.reference = ReferenceView(catalog, languages.lang)
        self.reference.set_version_text(settings.reference_version)
        self.reference.hide_check.setChecked(settings.hide_not_applicable)
        self.tabs.addTab(self.reference, "")
        self.wizard: DiagnosticsWizard | None = None
        self.preference = settings.language if preference is None else preference
        """The language chosen ("" follows the system), shown checked in the menu."""
        self.setCentralWidget(self.tabs)
        self.tabs.tabBar().installEventFilter(self)

        self._build_menus()
        self.languages.language_changed.connect(self._on_language_changed)
        self.retranslate()
        self._saved_area: QRect | None = None
        """The free area of the screen a saved placement is kept on until the window is shown."""
        self._place(settings.window_placement)

    def _place(self, saved: WindowPlacement | None) -> None:
        """Where the window closed, brought onto the screen it was on (or the main one) and clamped
        to that screen's free area; with nothing saved, a size that fits, centred on the main screen."""
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)
        if saved is None:
            size = first_size(available.size())
            self.resize(size)
            self.move(available.center().x() - size.width() // 2, available.center().y() - size.height() // 2)
            return
        target = QGuiApplication.screenAt(QRect(saved.x, saved.y, saved.width, saved.height).center()) or screen
        self._saved_area = target.availableGeometry() if target is not None else available
        self.resize(saved.width, saved.height)
        self.move(saved.x, saved.y)
        self._keep_on_screen()
        if saved.maximized:
            self.setWindowState(Qt.WindowState.WindowMaximized)

    def _keep_on_screen(self) -> None:
        """Shrink and move the window so that its frame lies inside the free area of the screen it
        was saved on: before it is shown its frame is not known, so this runs again once it is."""
        if self._saved_area is None or self.isMaximized():
            return
        area, frame, inner = self._saved_area, self.frameGeometry(), self.geometry()
        extra_width, extra_height = frame.width() - inner.width(), frame.height() - inner.height()
        width = min(inner.width(), area.width() - extra_width)
        height = min(inner.height(), area.height() - extra_height)
        self.resize(width, height)
        self.move(
            min(max(frame.x(), area.left()), area.right() - width - extra_width + 1),
            min(max(frame.y(), area.top()), area.bottom() - height - extra_height + 1),
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self._keep_on_screen()
            self._saved_area = None  # where it is moved by hand later is its own business

    def placement(self) -> WindowPlacement:
        """Where the window is, to open there next time: the frame's corner and the size it has
        when not maximized."""
        maximized = self.isMaximized()
        normal = self.normalGeometry() if maximized else self.geometry()
        corner = normal.topLeft() if maximized else self.frameGeometry().topLeft()
        return WindowPlacement(corner.x(), corner.y(), normal.width(), normal.height(), maximized)

    def add_wizard(self, wizard: DiagnosticsWizard) -> None:
        self.wizard = wizard
        self.tabs.addTab(wizard, "")
        self.retranslate()

    def show_wizard(self) -> None:
        """The diagnostics tab, with the keyboard in the wizard's page (not on the tab bar)."""
        self.tabs.setCurrentIndex(1)
        if self.wizard is not None:
            self.wizard.focus_page()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A tab's underlined letter (Alt+R, Alt+D): the keyboard goes into that tab's page, as
        Ctrl+1/Ctrl+2 put it; Qt leaves it on the tab bar, where the Enter that means Next does
        nothing. Arrows on the tab bar keep it there, so that the next arrow still moves along."""
        if watched is self.tabs.tabBar() and event.type() == QEvent.Type.Shortcut:
            QTimer.singleShot(0, self._focus_tab)  # once the tab bar has shown the tab
        return super().eventFilter(watched, event)

    def _focus_tab(self) -> None:
        if self.tabs.currentIndex() == 0:
            self.reference.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self.wizard is not None:
            self.wizard.focus_page()

    def show_reference(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.reference.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MS)

    def show_settings_notice(self) -> None:
        self.show_status(self.tr("Some settings could not be read; the defaults are used instead."))

    def _new_diagnosis(self) -> None:
        if self.wizard is not None:
            self.show_wizard()
            self.wizard.request_new_diagnosis()

    def show_entry(self, entry_id: str) -> None:
        """Jump from a result to its catalogue entry in the reference."""
        self.tabs.setCurrentIndex(0)
        self.reference.select_entry(entry_id)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.new_action = QAction(self)
        self.new_action.setObjectName("new_diagnosis_action")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self._new_diagnosis)
        self.file_menu.addAction(self.new_action)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.view_menu = self.menuBar().addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.lang_actions: dict[str, QAction] = {}
        for code in ("", *languages()):
            action = QAction(self)
            action.setCheckable(True)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.lang_actions[code] = action
        self.lang_actions[self.preference if self.preference in self.lang_actions else ""].setChecked(True)

        self.reference_action = QAction(self)
        self.reference_action.setShortcut(QKeySequence("Ctrl+1"))
        self.reference_action.triggered.connect(self.show_reference)
        self.wizard_action = QAction(self)
        self.wizard_action.setShortcut(QKeySequence("Ctrl+2"))
        self.wizard_action.triggered.connect(self.show_wizard)
        self.view_menu.addAction(self.reference_action)
        self.view_menu.addAction(self.wizard_action)

        self.help_menu = self.menuBar().addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def choose_language(self, preference: str) -> None:
        """ "" follows the system; the choice is remembered."""
        self.settings.language = preference
        self.preference = preference
        if preference in self.lang_actions:
            self.lang_actions[preference].setChecked(True)
        if self.wizard is not None:
            self.wizard.show_language(preference)
        self.languages.apply(LanguageManager.resolve(preference))

    def _on_language_changed(self, lang: str) -> None:
        # The LanguageChange event arrives later; retranslate now so the switch is immediate.
        self.retranslate()
        self.reference.set_lang(lang)
        if self.wizard is not None:
            self.wizard.set_lang(lang)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("SEP Port Doctor"))
        self.tabs.setTabText(0, self.tr("Port &reference"))
        if self.tabs.count() > 1:
            self.tabs.setTabText(1, self.tr("&Diagnostics"))
        self.file_menu.setTitle(self.tr("&File"))
        self.new_action.setText(self.tr("&New diagnosis"))
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.lang_actions[""].setText(self.tr("Follow the system (%1)").replace("%1", language_name(system_lang())))
        for code in languages():  # each language named in itself, as language choosers do
            self.lang_actions[code].setText(language_name(code))
        self.reference_action.setText(self.tr("Port reference"))
        self.wizard_action.setText(self.tr("Diagnostics"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("&About SEP Port Doctor"))

    @property
    def lang(self) -> Lang:
        return self.languages.lang

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About SEP Port Doctor"),
            self.tr(
                "Troubleshoots the network ports of Symantec Endpoint Protection.\n"
                "Port data: the vendor's Japanese port page."
            ),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.wizard is not None:
            self.wizard.shutdown()
        self.settings.reference_version = self.reference.version_combo.currentText()
        self.settings.hide_not_applicable = self.reference.hide_check.isChecked()
        self.settings.window_placement = self.placement()
        self.settings.sync()
        super().closeEvent(event)
