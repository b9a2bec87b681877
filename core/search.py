"""Search over the catalogue: every term must match, in any order, in either language.

An entry is found by its own words, by the words of the guidance it cites (titles, texts and
steps: "firewall", and its Japanese word alike), and by the names technicians use for its protocol that
the vendor's page does not ("SMB" for 445).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

from sep_port_doctor.core.catalog import Guidance, PortEntry, configurable_code
from sep_port_doctor.core.i18n import languages, say

MAX_QUERY_CHARS = 200
MAX_TERMS = 12


def fold(text: str) -> str:
    """Case- and width-insensitive form: full-width TCP (U+FF34 U+FF23 U+FF30), tcp and TCP match; katakana stays itself."""
    return unicodedata.normalize("NFKC", text).casefold()


def query_terms(query: str) -> tuple[str, ...]:
    """Split a query into folded terms; long queries are capped so typing never stalls."""
    return tuple(fold(query[:MAX_QUERY_CHARS]).split()[:MAX_TERMS])


@cache
def guidance_haystack(guidance: tuple[Guidance, ...]) -> str:
    """The words of the guidance an entry cites, both languages, folded."""
    parts: list[str] = []
    for item in guidance:
        for lang in languages():
            parts += [item.title.say(lang), item.text.say(lang), *(step.say(lang) for step in item.steps)]
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
    guidance mentions them."""
    own = entry_haystack(entry)
    cited = guidance_haystack(tuple(guidance[g] for g in entry.guidance if g in guidance)) if guidance else ""
    return all(term in own or (not _names_a_port(term) and term in cited) for term in terms)


def _names_a_port(term: str) -> bool:
    return term.isdigit() or term in ("tcp", "udp")
