"""Switching the UI language at run time: Qt Linguist catalogues plus Qt's own."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QLibraryInfo, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from sep_port_doctor.core.i18n import FALLBACK_LANG, Lang, languages, system_lang


class LanguageManager(QObject):
    """Installs the translators for one language and announces the change."""

    language_changed = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._translators: list[QTranslator] = []
        self._lang: Lang = "en"

    @classmethod
    def for_app(cls, app: QApplication) -> LanguageManager:
        """One manager per application: translators are application-wide."""
        existing = app.findChild(cls)
        return existing if isinstance(existing, cls) else cls(app)

    @property
    def lang(self) -> Lang:
        return self._lang

    @staticmethod
    def resolve(preference: str) -> Lang:
        """``""`` follows the system; otherwise a language of the catalogue (``ja``, ``en``...)."""
        return preference if preference in languages() else system_lang()

    def apply(self, lang: Lang) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators.clear()
        if lang != FALLBACK_LANG:  # English is the language the window's strings are written in
            ours = QTranslator(self)
            # Installed and frozen alike, resources/ is a real folder, so a path works.
            with resources.as_file(resources.files("sep_port_doctor.resources") / "i18n") as folder:
                if ours.load(f"sep_port_doctor_{lang}", str(folder)):
                    self._translators.append(ours)
            qt_base = QTranslator(self)
            qt_path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_base.load(f"qtbase_{lang}", qt_path):
                self._translators.append(qt_base)
        for translator in self._translators:
            self._app.installTranslator(translator)
        changed = lang != self._lang
        self._lang = lang
        if changed:
            self.language_changed.emit(lang)
