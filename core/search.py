"""Search over the catalogue: every term must match, in any order, in either language.

An entry is found by its own words, by the words of the guidance it cites (titles, texts and
steps: "firewall", "ファイアウォール"), and by the names technicians use for its protocol that
the vendor's page does not ("SMB" for 445).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

from core.catalog import Guidance, PortEntry, configurable_code, label
from core.i18n import languages

MAX_QUERY_CHARS = 200
MAX_TERMS = 12


def fold(text: str) -> str:
    """Case- and width-insensitive form: ＴＣＰ, tcp and TCP match; カタカナ stays itself."""
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
            parts += [item.title.get(lang), item.text.get(lang), *(step.get(lang) for step in item.steps)]
    return fold("\n".join(parts))


@cache
def entry_haystack(entry: PortEntry) -> str:
    """All searchable text of an entry, both languages, folded, in one string."""
    parts: list[str] = [entry.id, entry.label, str(entry.port), entry.protocol, entry.scheme or ""]
    parts += entry.search_terms  # protocol names technicians search by (ports.toml search_terms)
    for lang in languages():
        parts += [
            entry.purpose.get(lang),
            entry.initiator.get(lang),
            entry.versions_text.get(lang),
            label("direction", entry.direction, lang),
            label("listener", entry.listener, lang),
            label("configurable", configurable_code(entry), lang),
        ]
        parts += [note.get(lang) for note in entry.notes]
        parts += [p.note.get(lang) for p in entry.processes if p.note]
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
