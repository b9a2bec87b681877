"""Entry point of the packaged program: the same `main` as the installed command."""

import os
import sys

os.environ.setdefault("QT_API", "pyside6")

from sep_port_doctor.gui.entry import main

if __name__ == "__main__":
    sys.exit(main())
