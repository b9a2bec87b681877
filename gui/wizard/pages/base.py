"""What every page of the wizard shares: the context, the scrolling body, the lifecycle signals."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget, QWizardPage

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.i18n import Lang
from sep_port_doctor.gui.settings import Settings


@dataclass
class WizardContext:
    """What the pages read: the catalogue, the settings, and the language in use (it changes)."""

    catalog: Catalog
    settings: Settings
    lang: Lang


class WizardPage(QWizardPage):
    """A page whose content scrolls when the window is small, so that the buttons stay on screen."""

    entered = Signal()
    """QWizard initialised the page (arriving with Next)."""
    left_back = Signal()
    """The user went back from this page (QWizard cleans it up)."""

    def __init__(self, context: WizardContext, *, scrolling: bool = True) -> None:
        super().__init__()
        self.context = context
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.content = QWidget()
        if scrolling:
            scroll = QScrollArea()
            scroll.setObjectName("page_scroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the fields take the focus, not the frame
            scroll.setWidget(self.content)
            outer.addWidget(scroll)
        else:
            outer.addWidget(self.content)

    @property
    def lang(self) -> Lang:
        return self.context.lang

    def initializePage(self) -> None:
        self.entered.emit()

    def cleanupPage(self) -> None:
        self.left_back.emit()

    def retranslate(self) -> None:
        raise NotImplementedError
