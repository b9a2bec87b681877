"""Headless Chromium, printing and photographing local HTML files (tests and scripts).

One browser serves many pages: it is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: file descriptors 3 and 4, no network port), which prints
with the same engine as ``--print-to-pdf`` and lets the paper size be chosen per print
(A4, Letter) without touching the page. Started as root, it needs ``--no-sandbox``.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

A4 = (8.27, 11.69)
LETTER = (8.5, 11.0)
"""Paper sizes in inches, as the DevTools protocol takes them."""

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class ChromiumError(RuntimeError):
    pass


class HeadlessChromium:
    """``with HeadlessChromium() as browser: browser.print_pdf(path, A4)``; POSIX only."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0) -> None:
        found = executable or find_chromium()
        if found is None:
            raise ChromiumError("no Chromium here")
        self.executable = found
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> HeadlessChromium:
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        reading, self._to_chrome = os.pipe()
        self._from_chrome, writing = os.pipe()
        # Kept above 3 and 4, so that the child's dup2 onto 3 and 4 is a real copy (it clears close-on-exec).
        to_chrome_r, from_chrome_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (reading, writing))
        os.close(reading)
        os.close(writing)
        args = [
            self.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--mute-audio",
            f"--user-data-dir={self._profile.name}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # posix_spawn puts the pipes on 3 and 4 in the child: no Python code runs between fork and exec.
        with open(os.devnull, "rb") as null_in, open(os.devnull, "wb") as null_out:
            self._pid = os.posix_spawn(
                self.executable,
                args,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null_in.fileno(), 0),
                    (os.POSIX_SPAWN_DUP2, null_out.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, null_out.fileno(), 2),
                    (os.POSIX_SPAWN_DUP2, to_chrome_r, 3),
                    (os.POSIX_SPAWN_DUP2, from_chrome_w, 4),
                ],
            )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(Exception):
            self._send("Browser.close")
        deadline = time.monotonic() + 10
        while os.waitpid(self._pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
                break
            time.sleep(0.05)
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._profile.cleanup()

    # --- the protocol ---------------------------------------------------------------

    def _send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._events.append(reply)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise ChromiumError("Chromium did not answer in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium ended")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    return
            if time.monotonic() > deadline:
                raise ChromiumError(f"no {method} in time")
            message = self._read()
            if "method" in message:
                self._events.append(message)

    @contextlib.contextmanager
    def page(self, path: Path, width: int = 1100) -> Iterator[Page]:
        """``path`` loaded (fonts too) in a new tab, closed afterwards."""
        target = self._send("Target.createTarget", url="about:blank")["targetId"]
        session = self._send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            page = Page(self, session)
            self._send("Page.enable", session)
            page.set_width(width)
            self._send("Page.navigate", session, url=path.resolve().as_uri())
            self._wait_event("Page.loadEventFired", session)
            page.evaluate("document.fonts.ready.then(() => true)")
            yield page
        finally:
            self._send("Target.closeTarget", targetId=target)


class Page:
    """One loaded page: print it on a paper size, photograph it, ask it a question."""

    def __init__(self, browser: HeadlessChromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def _send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser._send(method, self.session, **params)

    def set_width(self, width: int, height: int = 800) -> None:
        self._send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def evaluate(self, expression: str) -> Any:
        result = self._send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def print_pdf(self, paper: tuple[float, float] = A4) -> bytes:
        """The page printed as a user prints it: on that paper, with the page's own CSS margins."""
        result = self._send(
            "Page.printToPDF",
            paperWidth=paper[0],
            paperHeight=paper[1],
            printBackground=False,
            displayHeaderFooter=False,
            preferCSSPageSize=False,
        )
        return base64.b64decode(result["data"])

    def printed_text(self, paper: tuple[float, float], folder: Path) -> str:
        """The page printed on that paper and read back as pdftotext -layout reads it (what a
        reader of the printout sees, line by line)."""
        pdf = folder / "printed.pdf"
        pdf.write_bytes(self.print_pdf(paper))
        return subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
        ).stdout

    def screenshot(self, width: int = 1100) -> bytes:
        """A PNG of the whole page at a window ``width`` CSS pixels wide."""
        self.set_width(width)
        height = int(self._send("Page.getLayoutMetrics")["cssContentSize"]["height"]) + 1
        self.set_width(width, height)
        return base64.b64decode(self._send("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"])

    def print_media_overflow(self, width_px: int) -> int:
        """How many CSS pixels the page is wider than ``width_px`` when laid out for print."""
        self._send("Emulation.setEmulatedMedia", media="print")
        self.set_width(width_px)
        try:
            return int(self.evaluate("document.documentElement.scrollWidth") or 0) - width_px
        finally:
            self._send("Emulation.setEmulatedMedia", media="")


def pdf_pages(pdf: bytes) -> int:
    """The number of pages, as poppler's pdfinfo reads them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as handle:
        handle.write(pdf)
    try:
        out = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True, timeout=60).stdout
    finally:
        os.unlink(handle.name)
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ValueError("pdfinfo gave no page count")
