"""Switching the UI language at run time: Qt Linguist catalogues plus Qt's own."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QLibraryInfo, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from core.catalog import Lang
from core.i18n import system_lang

# Each language is named in itself, as language choosers do.
LANGUAGE_NAMES: dict[str, str] = {"ja": "日本語", "en": "English"}


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
        """``""`` follows the system; otherwise ``ja`` or ``en``."""
        return preference if preference in ("ja", "en") else system_lang()  # type: ignore[return-value]

    def apply(self, lang: Lang) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators.clear()
        if lang == "ja":
            ours = QTranslator(self)
            # Installed and frozen alike, resources/ is a real folder, so a path works.
            with resources.as_file(resources.files("resources") / "i18n") as folder:
                if ours.load("sep_port_doctor_ja", str(folder)):
                    self._translators.append(ours)
            qt_base = QTranslator(self)
            qt_path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_base.load("qtbase_ja", qt_path):
                self._translators.append(qt_base)
        for translator in self._translators:
            self._app.installTranslator(translator)
        changed = lang != self._lang
        self._lang = lang
        if changed:
            self.language_changed.emit(lang)
