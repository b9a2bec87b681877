"""Run in a child process on an offscreen screen of a given size (``offscreen:configfile=``):
open the window as the program does, walk the wizard's pages against the simulated manager,
and print, as JSON, where the window and the wizard's buttons are on that screen.

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.gui.screen_probe [--move X Y | --maximize | --look]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_API", "pyside6")


def rect(r: Any) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--move", nargs=2, type=int, default=None, help="move the window there, then close (saves it)")
    parser.add_argument("--maximize", action="store_true", help="maximize the window, then close (saves it)")
    parser.add_argument(
        "--look", action="store_true", help="say where the window opened and its status line, then close"
    )
    options = parser.parse_args()

    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWizard

    from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
    from sep_port_doctor.gui.app import build_main_window, create_application
    from sep_port_doctor.gui.event_loop import EventLoop
    from sep_port_doctor.gui.wizard import Page
    from tests.gui.keyboard import replace_text, text_of

    app = create_application()
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    window = build_main_window(app, argparse.Namespace(lang="ja"))
    window.show()
    app.processEvents()
    screen = window.screen()
    if options.look:
        print(json.dumps({"available": rect(screen.availableGeometry()), "window": rect(window.frameGeometry()),
                          "maximized": window.isMaximized(), "status": window.statusBar().currentMessage()}))  # fmt: skip
        window.close()
        loop.close()
        return 0
    if options.move is not None or options.maximize:
        if options.maximize:
            window.showMaximized()
        else:
            window.move(*options.move)
        app.processEvents()
        saved = rect(window.frameGeometry())
        window.close()
        print(json.dumps({"saved": saved}))
        loop.close()
        return 0
    found: dict[str, Any] = {
        "available": rect(screen.availableGeometry()),
        "dpr": screen.devicePixelRatio(),
        "window": rect(window.frameGeometry()),
        "pages": {},
    }
    wizard = window.wizard
    assert wizard is not None
    window.show_wizard()
    manager = SimulatedManager(ports={p: 0 for p in SERVED_PORTS})
    loop.run_until_complete(manager.start())

    def record(page: Page) -> None:
        app.processEvents()
        buttons = {}
        for kind, name in ((QWizard.WizardButton.BackButton, "back"), (QWizard.WizardButton.NextButton, "next"),
                           (QWizard.WizardButton.FinishButton, "finish")):  # fmt: skip
            button = wizard.button(kind)
            if button.isVisible():
                top_left = button.mapToGlobal(QPoint(0, 0))
                buttons[name] = [top_left.x(), top_left.y(), button.width(), button.height()]
        found["pages"][page.name] = {"buttons": buttons, "window": rect(window.frameGeometry())}

    try:
        record(Page.WHERE)
        wizard.next()
        # Typed as a person types (click, select all, keys), as the GUI tests do: QTest is what
        # qtbot's keyClick and mouseClick call (no pytest in this child process).
        window.activateWindow()
        app.processEvents()

        def type_into(field: Any, text: str) -> None:
            replace_text(cast("QtBot", QTest), field, text)  # QTest has the keyClick/mouseClick qtbot calls
            assert text_of(field) == text, (field.objectName(), text_of(field))

        type_into(wizard.target.manager, "127.0.0.1")
        type_into(wizard.target.version, "14.3 RU1")
        type_into(wizard.target.ports, ", ".join(f"{d}={p}" for d, p in sorted(manager.bound.items())))
        type_into(wizard.target.gup, "bad host")  # a message under a field makes the page taller
        record(Page.TARGET)
        type_into(wizard.target.gup, "")
        wizard.next()
        assert wizard.run_task is not None
        loop.run_until_complete(wizard.run_task)
        record(Page.RUN)
        wizard.next()
        record(Page.RESULTS)
        wizard.next()
        record(Page.EXPORT)
    finally:
        loop.run_until_complete(manager.stop())
    print(json.dumps(found))
    window.close()
    loop.close()  # ends the resolver's worker threads before Qt goes
    return 0


if __name__ == "__main__":
    sys.exit(main())
