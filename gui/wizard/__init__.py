"""The diagnostics wizard: a small controller and one module per page (``pages/``)."""

from sep_port_doctor.gui.wizard.controller import PAGES, DiagnosticsWizard, Page

__all__ = ["PAGES", "DiagnosticsWizard", "Page"]
