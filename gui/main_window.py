"""The main window: the port reference and the diagnostics wizard side by side in tabs."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from core.catalog import Catalog, Lang
from gui.i18n import LanguageManager
from gui.reference import ReferenceView
from gui.settings import Settings


class MainWindow(QMainWindow):
    def __init__(self, catalog: Catalog, settings: Settings, languages: LanguageManager) -> None:
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
        self.wizard: QWidget | None = None
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self.languages.language_changed.connect(self._on_language_changed)
        self.retranslate()
        self.resize(1180, 760)
        geometry = settings.window_geometry
        if geometry:
            self.restoreGeometry(QByteArray(geometry))

    def add_wizard(self, wizard: QWidget) -> None:
        self.wizard = wizard
        self.tabs.addTab(wizard, "")
        self.retranslate()

    def show_entry(self, entry_id: str) -> None:
        """Jump from a result to its catalogue entry in the reference."""
        self.tabs.setCurrentIndex(0)
        self.reference.select_entry(entry_id)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.file_menu.addAction(self.quit_action)

        self.view_menu = self.menuBar().addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        group = QActionGroup(self)
        self.lang_actions: dict[str, QAction] = {}
        for code in ("", "ja", "en"):
            action = QAction(self)
            action.setCheckable(True)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.lang_actions[code] = action
        self.lang_actions[self.settings.language].setChecked(True)

        self.reference_action = QAction(self)
        self.reference_action.setShortcut(QKeySequence("Ctrl+1"))
        self.reference_action.triggered.connect(lambda: self.tabs.setCurrentIndex(0))
        self.wizard_action = QAction(self)
        self.wizard_action.setShortcut(QKeySequence("Ctrl+2"))
        self.wizard_action.triggered.connect(lambda: self.tabs.setCurrentIndex(min(1, self.tabs.count() - 1)))
        self.view_menu.addAction(self.reference_action)
        self.view_menu.addAction(self.wizard_action)

        self.help_menu = self.menuBar().addMenu("")
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self._about)
        self.help_menu.addAction(self.about_action)

    def choose_language(self, preference: str) -> None:
        """ "" follows the system; the choice is remembered."""
        self.settings.language = preference
        if preference in self.lang_actions:
            self.lang_actions[preference].setChecked(True)
        self.languages.apply(LanguageManager.resolve(preference))

    def _on_language_changed(self, lang: str) -> None:
        # The LanguageChange event arrives later; retranslate now so the switch is immediate.
        self.retranslate()
        self.reference.set_lang(lang)  # type: ignore[arg-type]
        set_lang = getattr(self.wizard, "set_lang", None)
        if callable(set_lang):
            set_lang(lang)

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
        self.quit_action.setText(self.tr("&Quit"))
        self.view_menu.setTitle(self.tr("&View"))
        self.language_menu.setTitle(self.tr("&Language"))
        self.lang_actions[""].setText(self.tr("Follow the system"))
        self.lang_actions["ja"].setText("日本語")
        self.lang_actions["en"].setText("English")
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
        close_wizard = getattr(self.wizard, "shutdown", None)
        if callable(close_wizard):
            close_wizard()
        self.settings.reference_version = self.reference.version_combo.currentText()
        self.settings.hide_not_applicable = self.reference.hide_check.isChecked()
        self.settings.window_geometry = bytes(self.saveGeometry().data())
        self.settings.sync()
        super().closeEvent(event)
