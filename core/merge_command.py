"""``merge FILE.json... [DIR...] --report site.html [--json site.json] [--csv site.csv]``.

Where the outputs go is checked before any input is read (bad input: one line, exit 2). Each
file skipped gets one line on stderr naming it and why; the others are merged. Exit codes as
``check``'s (README "merge"): 0 every PC's latest run found nothing wrong and every file was
read; 1 problems at some PC; 3 no problem, but something incomplete (a file skipped, a check
that could not be done, a cancelled run); 2 bad input, or nothing at all to merge; 74 an output
could not be written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import sys
from collections import defaultdict
from pathlib import Path

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.cli_args import UsageError
from sep_port_doctor.core.console import PROG, Console, stderr_line
from sep_port_doctor.core.i18n import Lang, say, system_lang
from sep_port_doctor.core.merge import Refused, Skipped, merge_files
from sep_port_doctor.core.merge_report import Network, Writer, build_picture, html_writer, json_writer, site_csv
from sep_port_doctor.core.report_files import ReportError, file_place, report_place, write_files


def _networks(texts: list[str], lang: Lang) -> list[Network]:

    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise UsageError(say("merge.bad-subnet", lang, text=repr(text[:60]))) from None
    # The narrowest first: a PC inside 10.20.5.0/24 and 10.20.0.0/16 belongs to the /24.
    return sorted(networks, key=lambda n: -n.prefixlen)


def _places(args: argparse.Namespace, lang: Lang) -> dict[str, Path]:

    places: dict[str, Path] = {}
    try:
        if args.report is not None:
            places["report"] = report_place(args.report).html_path
        if args.json_out is not None:
            places["json"] = file_place(args.json_out)
        if args.csv is not None:
            places["csv"] = file_place(args.csv)
    except ReportError as exc:
        raise UsageError(exc.message(lang, command_line=True)) from None
    if not places:
        raise UsageError(say("merge.no-output", lang))
    if len(set(places.values())) != len(places):
        raise UsageError(say("cli.same-output", lang))
    return places


def run(args: argparse.Namespace, catalog: Catalog) -> int:

    lang: Lang = args.lang or system_lang()
    networks = _networks(args.subnet, lang)
    places = _places(args, lang)

    def on_skip(item: Skipped) -> None:
        stderr_line(f"{PROG}: " + say("merge.skipped-line", lang, file=item.source, reason=item.message(lang)))

    try:
        site = merge_files(args.inputs, on_skip)
    except Refused as refused:
        raise UsageError(refused.message(lang)) from None
    if not site.pcs:
        raise UsageError(say("merge.nothing-merged", lang, skipped=len(site.skipped)))
    picture = build_picture(site, lang, networks)
    generated = dt.datetime.now(dt.UTC)

    def content(kind: str) -> str | Writer:
        if kind == "report":
            return html_writer(picture, catalog, lang, generated)
        if kind == "json":
            return json_writer(picture, lang, generated)
        return site_csv(picture, lang)

    by_folder: dict[Path, list[tuple[Path, str | Writer]]] = defaultdict(list)
    for kind, path in places.items():
        by_folder[path.parent].append((path, content(kind)))
    try:
        for folder, files in by_folder.items():
            write_files(folder, files)
    except ReportError as exc:
        stderr_line(f"{PROG}: {exc.message(lang)}")
        return exit_codes.CANNOT_WRITE
    console = Console(sys.stdout)
    problem = sum(1 for pc in picture.pcs if pc.overall == "problem")
    warning = sum(1 for pc in picture.pcs if pc.overall == "warning")
    console.line(
        say(
            "merge.summary-line",
            lang,
            pcs=len(picture.pcs),
            runs=site.runs_merged,
            files=site.files_read,
            skipped=len(site.skipped),
            problem=problem,
            warning=warning,
        )
    )
    for path in places.values():
        console.line(say("merge.written", lang, path=path))
    return site.exit_code()
