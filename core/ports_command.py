"""``ports``: the port reference on the command line, as a table or JSON."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog, PortEntry, configurable_code
from sep_port_doctor.core.console import display_width, pad, wrap_width, write_json
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
PURPOSE_COLUMN_MIN = 20
"""Terminal columns the purpose needs beside the other columns; a narrower terminal gets one block per
port instead (a purpose in a column of a few characters would be a tower of one-word lines)."""
BLOCK_INDENT = "  "


def _rows(entries: Sequence[PortEntry], lang: Lang, version: SepVersion | None) -> tuple[list[str], list[list[str]]]:
    """The heading and each entry's cells: port, direction, process, change, versions, applies, purpose."""
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
    return head, rows


def render_ports_table(
    entries: Sequence[PortEntry], lang: Lang, version: SepVersion | None, width: int | None = None
) -> str:
    """The table, then its long version notes. With ``width`` (a terminal's columns) every line fits
    it: a purpose wraps within its column (by display width: a Japanese character takes two), and
    where the other columns leave it less than ``PURPOSE_COLUMN_MIN``, each port is a block of
    labelled lines instead. Nothing is cut: every word of the JSON's purposes is shown."""
    head, rows = _rows(entries, lang, version)
    notes: list[str] = []
    versions = [row[4] for row in rows]
    for row in rows:
        if display_width(row[4]) > VERSIONS_COLUMN_MAX:
            if row[4] not in notes:
                notes.append(row[4])
            row[4] = f"*{notes.index(row[4]) + 1}"
    keep = [i for i in range(len(head)) if i != 5 or version is not None]
    # A cell's lines: on a terminal, a port's processes stand one under the other (the widest, 2638's
    # "sqlserver.exe, dbsrv16.exe", would otherwise take the purpose's room on every row).
    cells = [[[head[i]] for i in range(len(head))]]
    for row in rows:
        cells.append([[text] for text in row])
        if width is not None:
            names = row[2].split(", ")
            cells[-1][2] = [f"{name}," for name in names[:-1]] + names[-1:]
    widths = {i: max(display_width(line) for cell in cells for line in cell[i]) for i in keep}
    before_width = sum(widths[i] + 2 for i in keep[:-1])
    if width is not None and width - before_width < PURPOSE_COLUMN_MIN:
        for row, whole in zip(rows, versions, strict=True):
            row[4] = whole
        return _blocks(head, rows, keep, width)
    lines = []
    for cell in cells:
        if width is not None:
            cell[keep[-1]] = wrap_width(cell[keep[-1]][0], width - before_width)
        for n in range(max(len(cell[i]) for i in keep)):
            parts = [cell[i][n] if n < len(cell[i]) else "" for i in keep]
            lines.append("".join(pad(part, widths[i]) + "  " for i, part in zip(keep, parts, strict=True)).rstrip())
    for number, note in enumerate(notes, 1):
        lines += _hanging(f"*{number} ", note, width)
    return "\n".join(lines)


def _hanging(label: str, text: str, width: int | None) -> list[str]:
    """``label`` then ``text`` wrapped to ``width``, its further lines under the text's start (or, where
    that leaves too little room or would split a word, under the label, indented)."""
    if width is None:
        return [label + text]
    room = width - display_width(label)
    longest = max((display_width(word) for word in text.split() if word.isascii()), default=0)
    if room >= PURPOSE_COLUMN_MIN // 2 and longest <= room:
        wrapped = wrap_width(text, room)
        return [label + wrapped[0], *(" " * display_width(label) + more for more in wrapped[1:])]
    return [label.rstrip(), *(BLOCK_INDENT * 2 + more for more in wrap_width(text, width - 2 * len(BLOCK_INDENT)))]


def _blocks(head: list[str], rows: list[list[str]], keep: list[int], width: int) -> str:
    """One block per port for a narrow terminal: the port, then each other column as a labelled line."""
    lines: list[str] = []
    for row in rows:
        if lines:
            lines.append("")
        lines.append(row[0])
        for i in keep[1:]:
            if row[i]:
                lines += [BLOCK_INDENT + line for line in _hanging(f"{head[i]}: ", row[i], width - len(BLOCK_INDENT))]
    return "\n".join(lines)


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
    # On a terminal, every line fits its width (a console would break a longer line anywhere).
    width = shutil.get_terminal_size().columns if out.isatty() else None
    out.write(render_ports_table(entries, lang, args.version, width) + "\n")
    if not entries:
        out.write(say_message("ports.no-match", lang) + "\n")
    return exit_codes.OK
