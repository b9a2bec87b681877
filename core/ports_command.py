"""``ports``: the port reference on the command line, as a table or JSON."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog, PortEntry, configurable_code
from sep_port_doctor.core.console import display_width, pad, write_json
from sep_port_doctor.core.i18n import Lang, say, system_lang
from sep_port_doctor.core.i18n import say as say_message
from sep_port_doctor.core.search import entry_matches, query_terms
from sep_port_doctor.core.versions import SepVersion


def entry_json(entry: PortEntry, lang: Lang, version: SepVersion | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": entry.id,
        "protocol": entry.protocol,
        "port": entry.port,
        "purpose": entry.purpose.say(lang),
        "processes": [p.name for p in entry.processes_for(version)],
        "process_details": [
            {"name": p.name, "versions": p.versions.text, "note": p.note.say(lang) if p.note else None}
            for p in entry.processes
        ],
        "initiator": entry.initiator.say(lang),
        "direction": entry.direction,
        "listener": entry.listener,
        "localhost_only": entry.localhost_only,
        "configurable": entry.configurable,
        "versions": entry.versions_text.say(lang),
        "version_rule": entry.versions.text,
        "notes": [n.say(lang) for n in entry.notes],
        "guidance": list(entry.guidance),
    }
    if version is not None:
        item["applies"] = entry.applies_to(version)
        item["reason"] = None if item["applies"] else entry.versions_text.say(lang)
    return item


VERSIONS_COLUMN_MAX = 16
"""Terminal columns of the versions column: a longer note (8081's "14.2.x only; deprecated in 14.3")
stands below the table, marked in its row, rather than widening every row."""
ELLIPSIS = "…"


def render_ports_table(
    entries: Sequence[PortEntry], lang: Lang, version: SepVersion | None, width: int | None = None
) -> str:
    """The table, then its long version notes; with ``width`` (a terminal's columns), each row's
    purpose is cut at that edge."""
    head = [
        say_message(f"ports.head-{column}", lang)
        for column in ("port", "direction", "process", "change", "versions", "applies", "purpose")
    ]
    rows = []
    for e in entries:
        procs = ", ".join(p.name for p in e.processes_for(version)) or "-"
        applies = ""
        if version is not None:
            applies = say("word.applies" if e.applies_to(version) else "word.not_applies", lang)
        rows.append(
            [
                e.label,
                say(f"direction.{e.direction}", lang),
                procs,
                say(f"configurable.{configurable_code(e)}", lang),
                e.versions_text.say(lang),
                applies,
                e.purpose.say(lang),
            ]
        )
    notes: list[str] = []
    for row in rows:
        if display_width(row[4]) > VERSIONS_COLUMN_MAX:
            if row[4] not in notes:
                notes.append(row[4])
            row[4] = f"*{notes.index(row[4]) + 1}"
    keep = [i for i in range(len(head)) if i != 5 or version is not None]
    widths = {
        i: max(display_width(head[i]), *(display_width(r[i]) for r in rows)) if rows else display_width(head[i])
        for i in keep
    }
    lines = []
    for row in [head, *rows]:
        before = "  ".join(pad(row[i], widths[i]) for i in keep[:-1]) + "  "
        lines.append((before + _cut(row[keep[-1]], None if width is None else width - display_width(before))).rstrip())
    lines += [_cut(f"*{number} {note}", width) for number, note in enumerate(notes, 1)]
    return "\n".join(lines)


def _cut(text: str, width: int | None) -> str:
    """``text`` within ``width`` terminal columns, ending with an ellipsis where cut (whole when
    ``width`` is None or leaves no room worth cutting to)."""
    if width is None or display_width(text) <= width or width < 10:
        return text
    kept = ""
    for ch in text:
        if display_width(kept + ch + ELLIPSIS) > width:
            break
        kept += ch
    return kept + ELLIPSIS


def run(args: argparse.Namespace, catalog: Catalog) -> int:
    out: TextIO = sys.stdout
    lang: Lang = args.lang or system_lang()
    terms = query_terms(args.search or "")
    entries = [e for e in catalog.entries if entry_matches(e, terms, catalog.guidance)]
    if args.json:
        write_json(out, [entry_json(e, lang, args.version) for e in entries])
        return exit_codes.OK
    if args.version is not None:
        out.write(f"SEP {args.version.describe(lang)}\n")
    # On a terminal, a row fits its width (a console wraps a longer line into two).
    width = shutil.get_terminal_size().columns if out.isatty() else None
    out.write(render_ports_table(entries, lang, args.version, width) + "\n")
    if not entries:
        out.write(say_message("ports.no-match", lang) + "\n")
    return exit_codes.OK
