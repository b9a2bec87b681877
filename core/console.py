"""What the command line writes: lines that cannot hurt a terminal or crash on an encoding.

- Every line passes ``terminal_safe`` and ``strip_credentials``: remote text (reason
  phrases, certificate subjects, NetBIOS names) is shown, never interpreted.
- The marks are ✓/✗/→ where the output's encoding has them, else ASCII (``[OK]``,
  ``[NG]``, ``->``): a Japanese Windows console redirected to a file writes CP932, an
  EUC-JP terminal has no ✓.
- Anything else the encoding cannot hold is written as a backslash escape instead of
  raising (``configure_streams``).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import json
import sys
import unicodedata
from typing import Protocol, TextIO

from sep_port_doctor.core.untrusted import json_safe, strip_credentials, terminal_safe

UNICODE_MARKS = {"problem": "✗", "warning": "!", "info": "i", "passed": "✓", "not_tested": "-", "arrow": "→"}
ASCII_MARKS = {
    "problem": "[NG]",
    "warning": "[!] ",
    "info": "[i] ",
    "passed": "[OK]",
    "not_tested": "[-] ",
    "arrow": "->",
}


def configure_streams() -> None:
    """stdout and stderr never raise UnicodeEncodeError: what cannot be encoded is escaped."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            # A closed or detached stream has nothing to configure.
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def encoding_of(stream: TextIO) -> str:
    name = getattr(stream, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "ascii"


def can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(encoding_of(stream))
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def is_unicode(stream: TextIO) -> bool:
    """True when the stream writes a Unicode encoding (UTF-8/16/32): JSON can stay readable."""
    return encoding_of(stream).startswith(("utf-8", "utf-16", "utf-32"))


def _wide(ch: str) -> bool:
    """East Asian wide and full-width characters take two terminal columns."""
    return unicodedata.east_asian_width(ch) in "WF"


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal."""
    return sum(2 if _wide(ch) else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (``str.ljust`` counts characters,
    so Japanese columns went ragged)."""
    return text + " " * max(0, width - display_width(text))


NO_LINE_START = frozenset(
    # the ideographic comma and full stop, full-width punctuation, closing brackets and quotes,
    # the prolonged sound mark, small kana, the iteration mark; then their ASCII counterparts
    "\u3001\u3002\uff0c\uff0e\u30fb\uff1a\uff1b\uff1f\uff01\u30fc\uff09\u300d\u300f\u3011\u3015\u3009\u300b\u3019\u301b\u201d\u2019\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u3005)]},.;:!?%"
)
"""Characters a line never starts with (Japanese line-breaking rules, JIS X 4051's kinsoku): they
stay with the character before them. Written as escapes: they are typography, not words, and the
code holds no Japanese text (tests/core/test_i18n.py)."""
NO_LINE_END = frozenset(
    "\uff08\u300c\u300e\u3010\u3014\u3008\u300a\u3018\u301a\u201c\u2018([{"
)  # opening brackets and quotes
"""Characters a line never ends with: they go with the character after them."""


def _breakable_units(text: str) -> list[tuple[bool, str]]:
    """``text`` as the units a line may break between: (a space came before it, the unit). A run
    of narrow characters (an English word, ``(GUP)Web``) is one unit; each wide character is one,
    so Japanese breaks between any two characters, except where the line-breaking rules glue them."""
    units: list[tuple[bool, str]] = []
    spaced = False
    for ch in text:
        if ch.isspace():
            spaced = True
            continue
        if units and not spaced:
            before = units[-1][1]
            if ch in NO_LINE_START or before[-1] in NO_LINE_END or not (_wide(ch) or _wide(before[-1])):
                units[-1] = (units[-1][0], before + ch)
                continue
        units.append((spaced, ch))
        spaced = False
    return units


def wrap_width(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns, broken at spaces, between Japanese
    characters (never before a closing mark or after an opening one) and, for a word longer than a
    line, inside it: every character is kept, none is cut."""
    width = max(width, 2)
    lines: list[str] = []
    line = ""
    for spaced, unit in _breakable_units(text):
        joined = f"{line} {unit}" if spaced and line else line + unit
        if display_width(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in unit:  # a unit wider than a line (a long path or name) is split where it must be
            if display_width(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line or not lines:
        lines.append(line)
    return lines


class Console:
    """Writes lines to one stream: escaped, without credentials, with marks it can encode."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.marks = UNICODE_MARKS if can_encode(stream, "".join(UNICODE_MARKS.values())) else ASCII_MARKS

    def mark(self, code: str) -> str:
        return self.marks[code]

    def line(self, text: str = "") -> None:
        self.stream.write(terminal_safe(strip_credentials(text)) + "\n")

    def flush(self) -> None:
        self.stream.flush()


def write_json(stream: TextIO, document: object) -> None:
    """JSON for a pipe or a file: readable Japanese where the encoding is Unicode, ASCII escapes
    elsewhere (valid JSON in any encoding), never a raw C1 or bidi control."""
    text = json.dumps(document, ensure_ascii=not is_unicode(stream), indent=2)
    stream.write(json_safe(strip_credentials(text)) + "\n")


class OutputClosed(Exception):
    """The reader of stdout went away (``check ... | head -1``): end quietly."""


def is_output_closed(exc: BaseException) -> bool:
    """A write to a pipe whose reader is gone (EPIPE; EINVAL on Windows)."""
    if isinstance(exc, OutputClosed | BrokenPipeError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.EINVAL) and exc.filename is None


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class RunOutput:
    """A run's lines as they come (``check``'s verdicts, ``push``'s targets): a closed pipe stops the
    run (``cancel()``: nobody reads any more, no point in probing on) instead of failing it; the
    command then raises ``OutputClosed`` once the run has ended."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.closed = False
        self.run: Cancellable | None = None

    def line(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.console.line(text)
            self.console.flush()
        except OSError as exc:
            if not is_output_closed(exc):
                raise
            self.closed = True
            if self.run is not None:
                self.run.cancel()


PROG = "sep-port-doctor"
"""The command's name, as its lines on stderr start."""


def stderr_line(line: str) -> None:
    """One line on stderr; a closed stderr is not worth a traceback either."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(terminal_safe(strip_credentials(line)), file=sys.stderr)
