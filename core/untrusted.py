"""Text from outside (server answers, certificates, environment variables, what the user
pasted) made safe to show: credentials removed from URLs, control characters escaped.

Two rules, applied where text leaves the program (terminal, log, report, JSON, settings):

- **credentials**: ``scheme://user:password@host`` becomes ``scheme://host``; the user
  name goes too, since it is half of the secret and the report does not need it. A URL the
  user pasted (a manager's console URL) is shown without its query and fragment as well, where
  a browser keeps a session's token (``?access_token=``, ``#state=``).
- **terminal**: C0/C1 control characters, DEL, bidirectional overrides and line/paragraph
  separators are shown as ``\\x1b`` / ``\\u202e``, so a hostile reason phrase or
  certificate subject cannot change the window title, clear the screen, write the
  clipboard (OSC 52) or reorder what the technician reads.
"""

from __future__ import annotations

import re

# The authority's userinfo: everything between "//" and the last "@" before the host's end.
# RFC 3986 allows "@" only once there, but pasted URLs often carry an unescaped "@" in the password.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s\"'<>]*@")
_BARE_USERINFO = re.compile(r"^[^/?#\s\"'<>@]+:[^/?#\s\"'<>]*@")
# A URL's query and fragment, up to the URL's end (white space or a quote).
_QUERY_AND_FRAGMENT = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^?#\s\"'<>]*)[?#][^\s\"'<>]*")

# Cc (C0, DEL, C1), bidi embeddings/overrides/isolates and marks, line/paragraph separators.
_UNSAFE_ON_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def strip_credentials(text: str) -> str:
    """Every URL in ``text`` without its ``user:password@`` part."""
    return _USERINFO.sub(r"\1", text)


def strip_bare_credentials(text: str) -> str:
    """``user:password@host`` typed without a scheme, reduced to ``host``."""
    return _BARE_USERINFO.sub("", strip_credentials(text))


def pasted_url_shown(text: str) -> str:
    """What the user pasted, safe to echo or store: every URL without its credentials, query or fragment."""
    return _QUERY_AND_FRAGMENT.sub(r"\1", strip_bare_credentials(text))


def has_credentials(text: str) -> bool:
    return strip_bare_credentials(text) != text


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """One line that a terminal shows as written: every control character escaped."""
    return _UNSAFE_ON_TERMINAL.sub(_escape, text)


def json_safe(text: str) -> str:
    """JSON text whose strings hold no raw C1, DEL or bidi controls (``json`` leaves those raw).

    ``json`` already escapes C0 controls inside strings; the characters left occur only
    inside strings, where ``\\uXXXX`` is the same value.
    """
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
