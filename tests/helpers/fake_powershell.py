"""A stand-in for powershell.exe on Linux: a real process that prints recorded bytes.

Started through a wrapper named ``powershell`` (tests/core/test_windows_system.py). It
records its arguments and the manager's address it was given, then, as the environment
says: prints a file's bytes (``print``), hangs (``hang``, for the deadline), or fails
with a message on stderr (``fail``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    record = os.environ.get("FAKE_POWERSHELL_RECORD")
    if record:
        Path(record).write_text(
            json.dumps(
                {"argv": sys.argv[1:], "manager": os.environ.get("SEP_PORT_DOCTOR_MANAGER"), "pid": os.getpid()}
            ),
            encoding="utf-8",
        )
    mode = os.environ.get("FAKE_POWERSHELL_MODE", "print")
    if mode == "hang":
        time.sleep(120)
        return 0
    if mode == "fail":
        sys.stderr.buffer.write(os.environ.get("FAKE_POWERSHELL_ERROR", "").encode("cp932"))
        return 1
    sys.stdout.buffer.write(Path(os.environ["FAKE_POWERSHELL_OUTPUT"]).read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
