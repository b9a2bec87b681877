"""Search over the catalogue: every term must match, in any order, in either language.

An entry is found by its own words, by the words of the guidance it cites (titles, texts and
steps: "firewall", and its Japanese word alike), and by the names technicians use for its protocol that
the vendor's page does not ("SMB" for 445).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

from sep_port_doctor.core.catalog import Guidance, PortEntry, configurable_code
from sep_port_doctor.core.i18n import languages, say

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
PROTOCOLS = ("tcp", "udp")

# Hiragana (U+3041 .. U+3096, and the iteration marks U+309D U+309E) to the katakana 0x60 above it: a
# technician's input method shows hiragana until it converts, and the page writes 'firewall' and
# 'push' in katakana.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in [*range(0x3041, 0x3097), 0x309D, 0x309E]}

# A port as Japanese documents and firewall rules write it: TCP445, 445/tcp, tcp:8014.
_PROTOCOL_PORT = re.compile(r"^(tcp|udp)[/:]?(\d+)$|^(\d+)[/:](tcp|udp)$")


def fold(text: str) -> str:
    """Case-, width- and kana-insensitive form: full-width TCP (U+FF34 U+FF23 U+FF30), tcp and TCP
    match, and so do a word in hiragana, in half-width katakana and in katakana."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_HIRAGANA_TO_KATAKANA)


def query_terms(query: str) -> tuple[str, ...]:
    """Split a query into folded terms (``tcp445`` into ``tcp`` and ``445``); long queries are
    capped so typing never stalls."""
    terms: list[str] = []
    for word in fold(query[:MAX_QUERY_CHARS]).split():
        joined = _PROTOCOL_PORT.match(word)
        if joined:
            protocol, port = (joined[1], joined[2]) if joined[1] else (joined[4], joined[3])
            terms += [protocol, port]
        else:
            terms.append(word)
    return tuple(terms[:MAX_TERMS])


@cache
def guidance_haystack(guidance: tuple[Guidance, ...]) -> str:
    """The words of the guidance an entry cites, both languages, folded."""
    parts: list[str] = []
    for item in guidance:
        for lang in languages():
            parts += [item.title.say(lang), item.text.say(lang), *(step.say(lang) for step in item.steps)]
            parts += [note.say(lang) for note in item.own_notes]
    return fold("\n".join(parts))


@cache
def entry_haystack(entry: PortEntry) -> str:
    """All searchable text of an entry, both languages, folded, in one string."""
    parts: list[str] = [entry.id, entry.label, str(entry.port), entry.protocol, entry.scheme or ""]
    parts += entry.search_terms  # protocol names technicians search by (ports.toml search_terms)
    for lang in languages():
        parts += [
            entry.purpose.say(lang),
            entry.initiator.say(lang),
            entry.versions_text.say(lang),
            say(f"direction.{entry.direction}", lang),
            say(f"listener.{entry.listener}", lang),
            say(f"configurable.{configurable_code(entry)}", lang),
        ]
        parts += [note.say(lang) for note in entry.notes]
        parts += [p.note.say(lang) for p in entry.processes if p.note]
    parts += [p.name for p in entry.processes]
    return fold("\n".join(parts))


def entry_matches(entry: PortEntry, terms: tuple[str, ...], guidance: Mapping[str, Guidance] | None = None) -> bool:
    """Every term is in the entry's text, or is a word in the guidance it cites. A port number
    or a protocol is the entry's own: "445" and "udp" find those ports, not the ones whose
    guidance mentions them. A number is a port typed from its first digit ("80" finds 8014,
    "445" does not find 8445) or a whole number of the entry's words ("14" in "14.2 and later");
    "tcp" is the entry's protocol (UDP 137's note on TCP ephemeral ports does not make it TCP)."""
    own = entry_haystack(entry)
    cited = guidance_haystack(tuple(guidance[g] for g in entry.guidance if g in guidance)) if guidance else ""
    return all(_term_matches(entry, term, own, cited) for term in terms)


def _term_matches(entry: PortEntry, term: str, own: str, cited: str) -> bool:
    if term in PROTOCOLS:
        return entry.protocol == term
    if term.isdigit():
        return str(entry.port).startswith(term) or re.search(rf"(?<!\d){term}(?!\d)", own) is not None
    return term in own or term in cited
