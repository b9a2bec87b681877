"""Page 1: where this program runs (the role decides the plan), and the language."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QComboBox, QGroupBox, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout

from sep_port_doctor.core.i18n import language_name, languages, system_lang
from sep_port_doctor.core.plan import Role
from sep_port_doctor.gui.labels import set_label
from sep_port_doctor.gui.wizard.fields import plain_label
from sep_port_doctor.gui.wizard.pages.base import WizardContext, WizardPage


class WherePage(WizardPage):
    language_chosen = Signal(str)
    """"" (follow the system) or a language of the catalogue ("ja", "en"...)."""

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        layout = QVBoxLayout(self.content)
        self.intro = plain_label()
        layout.addWidget(self.intro)
        self.role_box = QGroupBox()
        self.role_box.setObjectName("role")
        box_layout = QVBoxLayout(self.role_box)
        self.buttons = QButtonGroup(self)
        self.radios: dict[Role, QRadioButton] = {}
        for role in Role:
            radio = QRadioButton()
            radio.setObjectName(f"role_{role.value}")
            self.radios[role] = radio
            self.buttons.addButton(radio)
            box_layout.addWidget(radio)
        # The third place: at the manager, many client PCs' push-deployment ports (gui/wizard/push.py).
        self.push_radio = QRadioButton()
        self.push_radio.setObjectName("role_push")
        self.buttons.addButton(self.push_radio)
        box_layout.addWidget(self.push_radio)
        self.push_page_id: int | None = None
        """The page after this one when the push place is chosen (set by the controller)."""
        self.radios[Role.CLIENT].setChecked(True)
        layout.addWidget(self.role_box)

        self.language_label = QLabel()
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.addItem("", "")  # following the system: named in retranslate
        for code in languages():
            self.language.addItem(language_name(code), code)
        self.language_label.setBuddy(self.language)
        row = QHBoxLayout()
        row.addWidget(self.language_label)
        row.addWidget(self.language)
        row.addStretch(1)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(1)
        self.language.activated.connect(lambda _i: self.language_chosen.emit(self.language.currentData()))
        self.retranslate()

    @property
    def push_chosen(self) -> bool:
        return self.push_radio.isChecked()

    @property
    def role(self) -> Role:
        """The role of a diagnosis; the push place runs at the manager."""
        return next((role for role, radio in self.radios.items() if radio.isChecked()), Role.MANAGER)

    def nextId(self) -> int:
        if self.push_chosen and self.push_page_id is not None:
            return self.push_page_id
        return super().nextId()

    def set_role(self, role: Role) -> None:
        self.radios[role].setChecked(True)

    def show_language(self, preference: str) -> None:
        """Select what is in use: the language chosen, or following the system."""
        index = self.language.findData(preference if preference in languages() else "")
        self.language.setCurrentIndex(max(index, 0))

    def retranslate(self) -> None:
        self.setTitle(self.tr("Where are you?"))
        self.setSubTitle(self.tr("The checks depend on where this program runs."))
        self.intro.setText(self.tr("Choose where you are sitting. Most checks are made from a client PC."))
        self.role_box.setTitle(self.tr("This program runs"))
        self.radios[Role.CLIENT].setText(self.tr("At a &client PC whose SEP client cannot reach its manager"))
        self.radios[Role.CONSOLE].setText(self.tr("At an &admin PC whose console cannot reach the manager"))
        self.radios[Role.MANAGER].setText(self.tr("On the &manager (SEPM) itself"))
        self.push_radio.setText(self.tr("At the manager: &push-deployment targets (many client PCs)"))
        set_label(self.language_label, self.tr("&Language:"))
        system = language_name(system_lang())
        self.language.setItemText(0, self.tr("Follow the system (%1)").replace("%1", system))
