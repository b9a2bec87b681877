"""PyInstaller runtime hook, run before every other one: Ctrl+C is held from here on.

The packaged program runs PyInstaller's runtime hooks before build/launcher.py, and PySide6's loads
Qt there (0.1 s and more): a Ctrl+C in that time ended in PyInstaller's "Failed to execute script
'pyi_rth_pyside6'" with a traceback, or in a crash (SIGABRT, SIGSEGV) inside Qt's loading. Importing
the program's entry module holds Ctrl+C (gui/entry.py); the command line says it once it knows the
run's language, as in the installed program.
"""

import sep_port_doctor.gui.entry  # noqa: F401 - imported for its hold on Ctrl+C
