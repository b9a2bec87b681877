"""Search over the catalogue: every term must match, in any order, in either language."""

from __future__ import annotations

import unicodedata
from functools import cache

from core.catalog import LANGS, PortEntry, configurable_code, label

MAX_QUERY_CHARS = 200
MAX_TERMS = 12


def fold(text: str) -> str:
    """Case- and width-insensitive form: ＴＣＰ, tcp and TCP match; カタカナ stays itself."""
    return unicodedata.normalize("NFKC", text).casefold()


def query_terms(query: str) -> tuple[str, ...]:
    """Split a query into folded terms; long queries are capped so typing never stalls."""
    return tuple(fold(query[:MAX_QUERY_CHARS]).split()[:MAX_TERMS])


@cache
def entry_haystack(entry: PortEntry) -> str:
    """All searchable text of an entry, both languages, folded, in one string."""
    parts: list[str] = [entry.id, entry.label, str(entry.port), entry.protocol, entry.scheme or ""]
    for lang in LANGS:
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


def entry_matches(entry: PortEntry, terms: tuple[str, ...]) -> bool:
    haystack = entry_haystack(entry)
    return all(term in haystack for term in terms)
