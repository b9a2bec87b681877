"""The real Windows sources, read-only: the registry and one PowerShell run.

PowerShell is started by its full path under the system folder (a bare name would
search the application's and the current folder first), with an argument list, a
deadline, and the manager's address in the environment, never in the script text. Its
output is decoded tolerantly: the script asks for UTF-8, but a console that ignores
that writes its OEM code page (CP932 on Japanese Windows).

The registry reader and the PowerShell path can be injected, so that this code runs on
Linux too, against a fake ``powershell`` executable that prints recorded bytes.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from importlib import resources
from pathlib import Path, PurePath, PureWindowsPath
from typing import Protocol

POWERSHELL_TIMEOUT = 20.0
MANAGER_ENV = "SEP_PORT_DOCTOR_MANAGER"
"""The environment variable that carries the manager's address to the script."""

# One PowerShell run gathers everything as JSON (resources/windows/collect_local.ps1,
# also run by scripts/record_windows_fixtures.ps1 so that recordings match).
POWERSHELL_SCRIPT = (resources.files("sep_port_doctor.resources") / "windows" / "collect_local.ps1").read_text(
    encoding="utf-8"
)


class LocalError(Exception):
    """A source of this PC's facts could not be read; the message says why."""


def system_powershell() -> PureWindowsPath:
    """Windows PowerShell 5.1 where Windows keeps it."""
    # os.environ ignores case on Windows; the API would say the same (GetSystemWindowsDirectory).
    root = os.environ.get("SYSTEMROOT") or os.environ.get("WINDIR") or r"C:\Windows"
    return PureWindowsPath(root) / "System32" / "WindowsPowerShell" / "v1.0" / "powershell.exe"


def oem_encoding() -> str | None:
    """The console's OEM code page (``cp932`` on Japanese Windows); None elsewhere."""
    if sys.platform != "win32":
        return None
    import ctypes

    return f"cp{ctypes.windll.kernel32.GetOEMCP()}"


def decode_console_output(data: bytes, oem: str | None = None) -> str:
    """PowerShell's output as text: UTF-8 (as the script asks), UTF-16 with a byte order
    mark, else the OEM code page, else CP932; never raises."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in dict.fromkeys(e for e in (oem, "cp932") if e):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


class RegistryReader(Protocol):
    def values(self, key: str) -> Mapping[str, object] | None:
        """Values of an HKLM key (64- and 32-bit views), or None when the key does not exist."""


class WinregReader:
    """HKLM through ``winreg``, read-only."""

    def values(self, key: str) -> Mapping[str, object] | None:
        if sys.platform != "win32":  # also tells mypy where winreg exists
            return None
        import winreg

        values: dict[str, object] = {}
        for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
            try:
                with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key, 0, winreg.KEY_READ | view) as handle:
                    index = 0
                    while True:
                        try:
                            name, value, _kind = winreg.EnumValue(handle, index)
                        except OSError:
                            break
                        values.setdefault(name, value)
                        index += 1
            except OSError:
                continue
        return values or None


class WindowsSystem:
    """The real thing (read-only)."""

    platform = "win32"

    def __init__(
        self,
        registry: RegistryReader | None = None,
        powershell: str | os.PathLike[str] | None = None,
        *,
        timeout: float = POWERSHELL_TIMEOUT,
        oem: str | None = None,
    ) -> None:
        self.registry = registry or WinregReader()
        self.powershell = str(powershell) if powershell is not None else str(system_powershell())
        self.timeout = timeout
        self.oem = oem if oem is not None else oem_encoding()

    def registry_values(self, key: str) -> Mapping[str, object] | None:
        return self.registry.values(key)

    def read_text(self, path: PurePath) -> str | None:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16", errors="replace")
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return None

    async def powershell_json(self, script: str, manager: str | None = None) -> str:
        env = {**os.environ, MANAGER_ENV: manager or ""}
        try:
            process = await asyncio.create_subprocess_exec(
                self.powershell, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-Command", script,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env=env,
            )  # fmt: skip
        except OSError as exc:
            raise LocalError(f"PowerShell could not be started ({self.powershell}): {exc.strerror or exc}") from None
        try:
            async with asyncio.timeout(self.timeout):
                out, err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise LocalError(f"PowerShell gave no answer within {self.timeout:g} s") from None
        finally:
            if process.returncode is None:  # cancelled: never leave it running
                process.kill()
                await process.wait()
        if process.returncode != 0 and not out.strip():
            message = decode_console_output(err, self.oem).strip()[:200]
            raise LocalError(f"PowerShell failed ({process.returncode}): {message}")
        return decode_console_output(out, self.oem)
