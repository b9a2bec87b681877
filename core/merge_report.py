"""The site picture of a merge (``core.merge.Site``) and its outputs: HTML, JSON, CSV.

- **Causes**: the problems and warnings of every PC's latest run, grouped as that PC's own report
  groups them (``core.causes``: one PC's TCP 139 and 445 filtered are one cause), then the same
  causes of all PCs together: one line with the count of PCs and where they are, the guidance once.
- **Where**: the PCs grouped by their subnet, SEP version and management server. A PC's subnet
  is the one named with ``--subnet`` that holds its address, else inferred from the addresses
  (``infer_subnets``): the JSON holds a PC's address, not its prefix length.
- **Every PC**: a table, worst first, each row with the PC's own findings folded beneath it; a
  PCs x checks table when the site is small enough to read one (``MATRIX_MAX_PCS``).
- **CSV** for Excel: UTF-8 with a byte-order mark (Japanese Excel reads UTF-8 without one as
  CP932), CRLF, and no cell that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import ipaddress
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from sep_port_doctor.core.catalog import Catalog
from sep_port_doctor.core.causes import CauseKey, cause_key, finding_explains, ports_text
from sep_port_doctor.core.explain import cause_headline
from sep_port_doctor.core.guidance import GuidanceText, environment
from sep_port_doctor.core.i18n import Lang, group_words, say, word_for
from sep_port_doctor.core.merge import SITE_SCHEMA, CheckSummary, FindingSummary, PcRun, Site, Skipped
from sep_port_doctor.core.results import Severity
from sep_port_doctor.core.untrusted import json_safe, strip_credentials, terminal_safe

if TYPE_CHECKING:  # imported when a report is rendered
    pass

MATRIX_MAX_PCS = 200
"""Up to this many PCs, the report also shows every PC x every check; beyond, that table is a wall."""
NAMES_SHOWN = 200
"""PC names listed under a cause; the rest are counted (the per-PC table and the CSV have all)."""
SUBNETS_NAMED = 3
"""A cause names up to this many subnets on its line; more are counted (the breakdown has them)."""
SEVERITY_ORDER = {str(s): s.rank for s in Severity}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- subnets ---------------------------------------------------------------------------------


def infer_subnets(addresses: Iterable[str]) -> dict[str, Network]:
    """Each address's subnet, as the addresses themselves show it.

    The sorted addresses are split at their highest differing bit until a group fills its
    prefix evenly (both halves of it hold addresses at the next bit: the spread of one DHCP
    scope, not two sites far apart) or is within a /24 (IPv6: /64), the narrowest subnet named.
    Two neighbouring subnets that are both full look like one wider subnet: ``--subnet`` names
    the real ones.
    """
    found: dict[str, Network] = {}
    by_family: dict[int, list[int]] = defaultdict(list)
    texts: dict[tuple[int, int], list[str]] = defaultdict(list)
    for text in set(addresses):
        address = ipaddress.ip_address(text)
        by_family[address.version].append(int(address))
        texts[(address.version, int(address))].append(text)
    for version, values in by_family.items():
        width, floor = (32, 24) if version == 4 else (128, 64)
        values.sort()
        for low, high, prefix in _clusters(values, width, floor):
            network = ipaddress.ip_network((values[low] >> (width - prefix) << (width - prefix), prefix))
            for value in values[low:high]:
                for text in texts[(version, value)]:
                    found[text] = network
    return found


def _common_prefix(low: int, high: int, width: int) -> int:
    return width - (low ^ high).bit_length()


def _clusters(values: list[int], width: int, floor: int) -> list[tuple[int, int, int]]:
    """(start, end, prefix) of each group of the sorted values (iterative: no recursion limit)."""
    out: list[tuple[int, int, int]] = []
    pending = [(0, len(values))]
    while pending:
        low, high = pending.pop()
        common = _common_prefix(values[low], values[high - 1], width)
        if common >= floor:
            out.append((low, high, floor))
            continue
        split_value = (values[low] >> (width - common) << (width - common)) | (1 << (width - common - 1))
        middle = bisect.bisect_left(values, split_value, low, high)
        left = _common_prefix(values[low], values[middle - 1], width)
        right = _common_prefix(values[middle], values[high - 1], width)
        if left == right == common + 1:
            out.append((low, high, common))
        else:
            pending += [(middle, high), (low, middle)]
    return sorted(out)


def subnet_of(address: str | None, named: Sequence[Network], inferred: dict[str, Network]) -> str:
    if address is None:
        return ""
    ip = ipaddress.ip_address(address)
    for network in named:
        if ip.version == network.version and ip in network:
            return str(network)
    found = inferred.get(address)
    return str(found) if found is not None else ""


# --- the picture -----------------------------------------------------------------------------


@dataclass
class Cause:
    """One cause shared by PCs (``core.causes``): what it is, how many PCs have it, where, what to do."""

    key: tuple[Any, ...]
    severity: str
    title: str
    local: bool
    guidance: tuple[str, ...]
    pcs: list[PcRun] = field(default_factory=list)
    headlines: Counter[str] = field(default_factory=Counter)
    ports: set[int] = field(default_factory=set)
    """The ports its checks probed, where each PC found them."""
    catalogue_ports: dict[tuple[str, int], None] = field(default_factory=dict)
    """(protocol, the catalogue's port) of its checks, in the order first seen: what its title names."""
    subnets: Counter[str] = field(default_factory=Counter)

    def add_guidance(self, ids: tuple[str, ...]) -> None:
        if not set(ids) <= set(self.guidance):
            self.guidance = tuple(dict.fromkeys((*self.guidance, *ids)))

    @property
    def moved(self) -> bool:
        """Some PC probed one of its ports elsewhere than the catalogue has it."""
        return bool(self.catalogue_ports) and self.ports != {port for _protocol, port in self.catalogue_ports}


@dataclass
class Group:
    """PCs that share a subnet, a version or a manager."""

    name: str
    pcs: int = 0
    problem: int = 0
    warning: int = 0
    causes: Counter[str] = field(default_factory=Counter)


@dataclass
class Picture:
    pcs: list[PcRun]
    subnet: dict[tuple[str, str], str]
    causes: list[Cause]
    by_subnet: list[Group]
    by_version: list[Group]
    by_manager: list[Group]
    columns: list[tuple[str, str]]
    """The PCs x checks table's columns: (check id, the catalogue's port), in the order first seen. A
    column is the vendor's port: where one PC moved it, that PC's cell says so (others moved it elsewhere
    or not at all)."""
    site: Site


@dataclass
class _PcCause:
    """One cause of one PC, grouped as that PC's own report groups it (``core.report_context``)."""

    key: CauseKey
    severity: str
    checks: list[CheckSummary] = field(default_factory=list)
    finding: FindingSummary | None = None


Made = tuple[str, str | None, str | None]
"""What a check's headline is made of: its state, cause and first failed application test."""


def _made_of(check: CheckSummary) -> Made:
    return (check.state, check.cause, check.failed_test)


def headline_ids(pcs: Iterable[PcRun]) -> dict[Made, str]:
    """The headline id that files recording one give for what a headline is made of, where they all
    give the same: a file written before headline ids were recorded takes it, so that a site merged
    from older and newer runs has one cause where both found the same."""
    seen: dict[Made, set[str]] = defaultdict(set)
    for pc in pcs:
        for check in pc.problems:
            if check.headline_id:
                seen[_made_of(check)].add(check.headline_id)
    return {made: next(iter(ids)) for made, ids in seen.items() if len(ids) == 1}


def pc_causes(pc: PcRun, known: dict[Made, str] | None = None) -> list[_PcCause]:
    """A PC's problems and warnings by cause (``core.causes``), as its own report groups them: its
    checks by what was found, where, and the first remedy (TCP 139 and 445 filtered: one), then each
    finding of this PC with the checks of this PC it explains. ``known``: ``headline_ids``."""
    causes: dict[CauseKey, _PcCause] = {}
    for check in pc.checks:
        if check.severity not in ("problem", "warning"):
            continue
        # What was found: its headline's id (the same words in any language, on any day); a file
        # written before that was recorded: the id other files give, else what the headline is made of.
        made = _made_of(check)
        found = check.headline_id or (known or {}).get(made) or made
        key = cause_key(check.severity, (check.target, check.extra_host), found, check.guidance)
        causes.setdefault(key, _PcCause(key, check.severity)).checks.append(check)
    for finding in pc.findings:
        if finding.severity not in ("problem", "warning"):
            continue
        explained = [
            c
            for c in causes.values()
            if c.finding is None and c.checks[0].local and finding_explains(finding.guidance, c.checks[0].guidance)
        ]
        severity = min((finding.severity, *(c.severity for c in explained)), key=SEVERITY_ORDER.__getitem__)
        key = cause_key(severity, "this_pc", ("finding", finding.id), finding.guidance)
        cause = _PcCause(key, severity, finding=finding)
        for other in explained:
            cause.checks += other.checks
            del causes[other.key]
        causes[key] = cause
    return list(causes.values())


def _check_words(check: CheckSummary, lang: Lang) -> str:
    """What a check cause found, in words: ``filtered``, ``open · TLS``, with its cause's headline."""
    parts = [word_for("state", check.state, lang)]
    if check.failed_test:
        parts.append(" + ".join(word_for("apptest", test, lang) for test in check.failed_test.split("+")))
    cause = cause_headline(check.cause) if check.cause else None
    if cause is not None:
        parts.append(cause.say(lang))
    return " · ".join(parts)


_SITE_PLACE = {
    "this_pc": "site.on_this_pc",
    "gup": "site.to_gup",
    "sql": "site.to_sql",
    "syslog": "site.to_syslog",
    "extra": "site.to_host",
}
"""Where a check cause was found, by the role of the host probed (``core.results.Target``): the
manager's and any role not listed here say ``to the manager``."""


def _cause_title(cause: Cause, check: CheckSummary, lang: Lang) -> str:
    """``TCP 139, 445 on the PC itself · filtered``: the catalogue's ports of every PC's checks of the cause."""
    where = _SITE_PLACE.get(check.target, "site.to_manager")
    where = say(where, lang, host=check.extra_host) if check.extra_host else say(where, lang)
    ports = ports_text((protocol, str(port)) for protocol, port in cause.catalogue_ports)
    return f"{ports} {where} · {_check_words(check, lang)}"


def build_picture(site: Site, lang: Lang, named_subnets: Sequence[Network] = ()) -> Picture:
    pcs = sorted(site.pcs.values(), key=lambda pc: (SEVERITY_ORDER[pc.overall], pc.computer.casefold()))
    inferred = infer_subnets(
        pc.address for pc in pcs if pc.address and not any(_inside(pc.address, n) for n in named_subnets)
    )
    subnet = {pc.key: subnet_of(pc.address, named_subnets, inferred) for pc in pcs}
    causes: dict[tuple[Any, ...], Cause] = {}
    first_check: dict[tuple[Any, ...], CheckSummary] = {}
    """A check cause's first check: its title's words (every check of a cause found the same)."""
    groups: dict[str, dict[str, Group]] = {"subnet": {}, "version": {}, "manager": {}}
    group_keys: dict[str, dict[str, Counter[tuple[Any, ...]]]] = {d: defaultdict(Counter) for d in groups}
    columns: dict[str, str] = {}
    known = headline_ids(pcs)
    for pc in pcs:
        keys_here: list[tuple[Any, ...]] = []
        for check in pc.checks:
            if check.ran and check.id not in columns:
                columns[check.id] = check.catalogue_port_text
        if pc.verdict is not None:
            if pc.verdict.severity in ("problem", "warning"):
                # A push target's verdict already sums up its checks: its cause is the group.
                verdict = pc.verdict
                key: tuple[Any, ...] = ("push", verdict.cause or verdict.verdict, verdict.severity, verdict.guidance)
                cause = causes.get(key)
                if cause is None:
                    title = word_for("push-group", verdict.cause, lang) if verdict.cause else verdict.verdict
                    if title == verdict.cause:  # no words for that cause here: the target's own headline
                        title = verdict.headline or verdict.verdict
                    title = f"{say('site.push', lang)} · {title}"
                    cause = causes[key] = Cause(key, verdict.severity, title, False, verdict.guidance)
                cause.pcs.append(pc)
                cause.headlines[verdict.headline] += 1
                cause.subnets[subnet[pc.key]] += 1
                keys_here.append(key)
        else:
            for found in pc_causes(pc, known):
                key = found.key
                cause = causes.get(key)
                if cause is None:
                    if found.finding is not None:
                        title = f"{say('site.this_pc', lang)} · {found.finding.title}"
                        cause = Cause(key, found.severity, title, True, found.finding.guidance)
                    else:
                        check = first_check[key] = found.checks[0]
                        cause = Cause(key, found.severity, "", check.local, check.guidance)
                    causes[key] = cause
                for check in found.checks:
                    cause.add_guidance(check.guidance)
                    cause.ports.add(check.port)
                    cause.catalogue_ports[(check.protocol, check.default_port)] = None
                cause.pcs.append(pc)  # one PC counts once per cause
                headline = found.finding.detail if found.finding is not None else found.checks[0].headline
                cause.headlines[headline] += 1
                cause.subnets[subnet[pc.key]] += 1
                keys_here.append(key)
        for dimension, name in (("subnet", subnet[pc.key]), ("version", pc.version), ("manager", pc.manager)):
            group = groups[dimension].setdefault(name, Group(name))
            group.pcs += 1
            group.problem += pc.overall == "problem"
            group.warning += pc.overall == "warning"
            group_keys[dimension][name].update(keys_here)
    for key, check in first_check.items():
        causes[key].title = _cause_title(causes[key], check, lang)
    for dimension, named in group_keys.items():
        for name, counted in named.items():
            groups[dimension][name].causes.update({causes[key].title: n for key, n in counted.items()})
    ordered = sorted(causes.values(), key=lambda c: (SEVERITY_ORDER[c.severity], -len(c.pcs), c.title))
    return Picture(
        pcs=pcs,
        subnet=subnet,
        causes=ordered,
        by_subnet=_ordered_groups(groups["subnet"], _subnet_order),
        by_version=_ordered_groups(groups["version"], lambda g: (-g.pcs, g.name)),
        by_manager=_ordered_groups(groups["manager"], lambda g: (-g.pcs, g.name)),
        columns=list(columns.items()),
        site=site,
    )


def _inside(address: str, network: Network) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.version == network.version and ip in network


def _subnet_order(group: Group) -> tuple[int, int, int]:
    if not group.name:
        return (2, 0, 0)
    network = ipaddress.ip_network(group.name)
    return (network.version, int(network.network_address), network.prefixlen)


def _ordered_groups(groups: dict[str, Group], key: Any) -> list[Group]:
    return sorted(groups.values(), key=key)


# --- words -----------------------------------------------------------------------------------


def words(lang: Lang) -> dict[str, str]:
    return dict(group_words("site", lang))


def _when(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def where_line(cause: Cause, lang: Lang, subnet_sizes: dict[str, int]) -> str:
    """``in 10.20.0.0/16 (412 of 412 PCs there)``; ``in 7 subnets``."""
    w = words(lang)
    named = [(name, count) for name, count in cause.subnets.most_common() if name]
    if not named:
        return ""
    if len(named) > SUBNETS_NAMED:
        return w["in_subnets"].format(count=len(named))
    parts = [
        w["in_subnet"].format(subnet=name, count=count, total=subnet_sizes.get(name, count)) for name, count in named
    ]
    return ", ".join(parts)


# --- HTML --------------------------------------------------------------------------------------


def html_context(picture: Picture, catalog: Catalog, lang: Lang, generated: dt.datetime) -> dict[str, Any]:
    w = words(lang)
    subnet_sizes = {g.name: g.pcs for g in picture.by_subnet}
    site = picture.site
    counts = Counter(pc.overall for pc in picture.pcs)
    guidance_shown: set[str] = set()
    causes = []
    for number, cause in enumerate(picture.causes, 1):
        items = []
        for gid in cause.guidance:
            entry = catalog.guidance.get(gid)
            if entry is None:
                continue
            items.append({"item": GuidanceText.of(entry, lang), "again": gid in guidance_shown})
            guidance_shown.add(gid)
        causes.append(
            {
                "anchor": f"cause-{number}",
                "severity": cause.severity,
                "title": cause.title,
                "count": len(cause.pcs),
                "where": where_line(cause, lang, subnet_sizes),
                "headline": cause.headlines.most_common(1)[0][0] if cause.headlines else "",
                "variants": len(cause.headlines),
                "ports": sorted(cause.ports) if len(cause.ports) <= 3 else [],
                "port_count": len(cause.ports),
                "moved": cause.moved,
                "guidance": items,
                "names": [pc.computer for pc in cause.pcs[:NAMES_SHOWN]],
                "more_names": max(0, len(cause.pcs) - NAMES_SHOWN),
                "subnets": [
                    {"name": name or w["unknown"], "count": n, "total": subnet_sizes.get(name, n)}
                    for name, n in cause.subnets.most_common()
                ],
            }
        )
    cause_anchor = {c.title: f"cause-{i}" for i, c in enumerate(picture.causes, 1)}

    def group_rows(groups: list[Group]) -> list[dict[str, Any]]:
        return [
            {
                "name": g.name or w["unknown"],
                "pcs": g.pcs,
                "problem": g.problem,
                "warning": g.warning,
                "causes": [
                    {"title": t, "count": n, "anchor": cause_anchor.get(t, "")} for t, n in g.causes.most_common(3)
                ],
                "more_causes": max(0, len(g.causes) - 3),
            }
            for g in groups
        ]

    # One PC's row at a time, as the template writes it: thousands of rows are never all in memory.
    pcs = (_pc_row(i, pc, picture, lang, w) for i, pc in enumerate(picture.pcs, 1))
    matrix = None
    if len(picture.pcs) <= MATRIX_MAX_PCS and picture.columns:
        matrix = {
            "columns": [text for _id, text in picture.columns],
            "ids": [cid for cid, _text in picture.columns],
            "rows": [
                {"computer": pc.computer, "anchor": _anchor(i), "cells": _matrix_cells(pc, picture.columns, lang)}
                for i, pc in enumerate(picture.pcs, 1)
            ],
        }
    return {
        "lang": lang,
        "w": w,
        "generated": _when(generated),
        "overall": _site_overall(counts),
        "counts": [
            {"severity": str(s), "label": word_for("severity", s, lang), "count": counts.get(str(s), 0)}
            for s in Severity
        ],
        "total_pcs": len(picture.pcs),
        "desk_pcs": sum(1 for pc in picture.pcs if pc.kind == "desk"),
        "push_pcs": sum(1 for pc in picture.pcs if pc.kind == "push"),
        "files_read": site.files_read,
        "runs_merged": site.runs_merged,
        "replaced": site.runs_merged - len(picture.pcs),
        "with_history": sum(1 for pc in picture.pcs if pc.runs > 1),
        "changed": sum(1 for pc in picture.pcs if any(e != pc.overall for e in pc.earlier)),
        "temporary": site.temporary,
        "skipped": [{"source": s.source, "reason": s.message(lang)} for s in site.skipped],
        "causes": causes,
        "by_subnet": group_rows(picture.by_subnet),
        "by_version": group_rows(picture.by_version),
        "by_manager": group_rows(picture.by_manager),
        "pcs": pcs,
        "pc_count": len(picture.pcs),
        "matrix": matrix,
        "matrix_max": MATRIX_MAX_PCS,
    }


def _site_overall(counts: Counter[str]) -> str:
    for severity in ("problem", "warning"):
        if counts.get(severity):
            return severity
    return "passed" if counts else "not_tested"


def _short(check: CheckSummary, lang: Lang) -> str:
    return f"{check.port_text} {word_for('state', check.state, lang)}"


def _anchor(index: int) -> str:
    return f"pc-{index}"


def _pc_row(index: int, pc: PcRun, picture: Picture, lang: Lang, w: dict[str, str]) -> dict[str, Any]:
    problems = [c for c in pc.checks if c.severity in ("problem", "warning")]
    passed = [c for c in pc.checks if c.severity == "passed"]
    findings = [f for f in pc.findings if f.severity in ("problem", "warning")]
    return {
        "anchor": _anchor(index),
        "computer": pc.computer,
        "kind": w["kind_" + pc.kind],
        "address": pc.address or "",
        "subnet": picture.subnet[pc.key],
        "manager": pc.manager,
        "version": pc.version,
        "os": pc.os,
        "started": _when(pc.started),
        "runs": pc.runs,
        "earlier": [word_for("severity", e, lang) for e in pc.earlier],
        "overall": pc.overall,
        "overall_label": word_for("severity", pc.overall, lang),
        "note": pc.note,
        "source": pc.source,
        "cancelled": pc.cancelled,
        "summary": "; ".join([_short(c, lang) for c in problems] + [f.title for f in findings]),
        "problems": [
            {
                "severity": c.severity,
                "port": c.port_text,
                "state": word_for("state", c.state, lang),
                "headline": c.headline,
                "reason": c.reason,
                "local": c.local,
            }
            for c in problems
        ],
        "findings": [{"severity": f.severity, "title": f.title, "detail": f.detail} for f in findings],
        "passed": ", ".join(dict.fromkeys(c.port_text for c in passed)),
        "search": " ".join(
            filter(None, (pc.computer, pc.address, picture.subnet[pc.key], pc.manager, pc.version))
        ).casefold(),
    }


_MARK = {"problem": "✗", "warning": "!", "info": "i", "passed": "✓", "not_tested": "–"}


def _matrix_cells(pc: PcRun, columns: list[tuple[str, str]], lang: Lang) -> list[dict[str, str]]:
    by_id = {c.id: c for c in pc.checks}
    cells = []
    for cid, _text in columns:
        check = by_id.get(cid)
        if check is None:
            cells.append({"severity": "absent", "mark": "", "moved": "", "title": ""})
        else:
            cells.append(
                {
                    "severity": check.severity,
                    "mark": _MARK[check.severity],
                    "moved": check.moved_text,
                    "title": f"{check.port_text} {word_for('state', check.state, lang)}: {check.headline}",
                }
            )
    return cells


def _visible(value: Any) -> Any:
    """Every value the site report shows passes ``terminal_safe``, so a control or bidi character in a
    PC's name (``\u202e`` reverses what follows) is shown as its escape, never applied. Markup
    (``__html__``: a macro's output) is the template's own, already escaped, never remote text."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return terminal_safe(strip_credentials(value))
    return value


Writer = Callable[[TextIO], None]


def html_writer(picture: Picture, catalog: Catalog, lang: Lang, generated: dt.datetime) -> Writer:
    """Writes the report as the template produces it (``generate``), without holding it whole."""
    template = environment(_visible).get_template("site.html.j2")

    def write(stream: TextIO) -> None:
        for chunk in template.generate(**html_context(picture, catalog, lang, generated)):
            stream.write(chunk)

    return write


# --- JSON --------------------------------------------------------------------------------------


def _check_json(check: CheckSummary) -> dict[str, Any]:
    return {
        "id": check.id,
        "protocol": check.protocol,
        "port": check.port,
        "default_port": check.default_port,
        "state": check.state,
        "cause": check.cause,
        "severity": check.severity,
        "headline": check.headline,
        "local": check.local,
        "failed_test": check.failed_test,
        "guidance": list(check.guidance),
    }


def _finding_json(finding: FindingSummary) -> dict[str, Any]:
    return {"id": finding.id, "severity": finding.severity, "title": finding.title, "guidance": list(finding.guidance)}


def json_writer(picture: Picture, lang: Lang, generated: dt.datetime) -> Writer:
    """Writes the site as JSON, one PC at a time (the PCs' part is most of it)."""
    site = picture.site
    shared: dict[int, list[dict[str, Any]]] = {}

    def checks_json(checks: tuple[CheckSummary, ...]) -> list[dict[str, Any]]:
        # PCs that saw the same share one tuple of checks (core.merge._Interner): convert it once.
        if id(checks) not in shared:
            shared[id(checks)] = [_check_json(c) for c in checks if c.ran]
        return shared[id(checks)]

    counts = Counter(pc.overall for pc in picture.pcs)
    document = {
        "schema": SITE_SCHEMA,
        "generated": generated.isoformat(),
        "overall": _site_overall(counts),
        "counts": {str(s): counts.get(str(s), 0) for s in Severity},
        "files_read": site.files_read,
        "runs_merged": site.runs_merged,
        "temporary_files": site.temporary,
        "skipped": [{"file": s.source, "code": s.reason.code, "reason": s.message(lang)} for s in site.skipped],
        "causes": [
            {
                "severity": c.severity,
                "title": c.title,
                "pcs": len(c.pcs),
                "guidance": list(c.guidance),
                "computers": [pc.computer for pc in c.pcs],
                "subnets": dict(c.subnets.most_common()),
            }
            for c in picture.causes
        ],
        "by_subnet": [_group_json(g) for g in picture.by_subnet],
        "by_version": [_group_json(g) for g in picture.by_version],
        "by_manager": [_group_json(g) for g in picture.by_manager],
    }

    def pc_json(pc: PcRun) -> dict[str, Any]:
        return {
            "computer": pc.computer,
            "kind": pc.kind,
            "address": pc.address,
            "subnet": picture.subnet[pc.key] or None,
            "manager": pc.manager,
            "version": pc.version,
            "os": pc.os,
            "role": pc.role,
            "started": pc.started.isoformat() if pc.started else None,
            "overall": pc.overall,
            "runs": pc.runs,
            "earlier": list(pc.earlier),
            "cancelled": pc.cancelled,
            "note": pc.note,
            "file": pc.source,
            "checks": checks_json(pc.checks),
            "local": [_finding_json(f) for f in pc.findings],
        }

    def dumps(value: Any) -> str:
        return json_safe(strip_credentials(json.dumps(value, ensure_ascii=False, separators=(",", ":"))))

    def write(stream: TextIO) -> None:
        stream.write(dumps(document)[:-1] + ',"pcs":[')
        for number, pc in enumerate(picture.pcs):
            stream.write(("," if number else "") + dumps(pc_json(pc)))
        stream.write("]}\n")

    return write


def _group_json(group: Group) -> dict[str, Any]:
    return {
        "name": group.name or None,
        "pcs": group.pcs,
        "problem": group.problem,
        "warning": group.warning,
        "causes": dict(group.causes.most_common()),
    }


# --- CSV ----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel (and LibreOffice) read a cell as a formula (OWASP "CSV injection")."""


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a value starting like a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = (
    "computer",
    "kind",
    "address",
    "subnet",
    "manager",
    "version",
    "os",
    "started",
    "overall",
    "runs",
    "problems",
    "warnings",
    "findings",
    "note",
    "file",
)


def site_csv(picture: Picture, lang: Lang) -> str:
    """One row per PC: UTF-8 with a byte-order mark, CRLF, formula-safe cells."""
    w = words(lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([w["csv_" + name] for name in CSV_COLUMNS])
    for pc in picture.pcs:
        problems = [c for c in pc.checks if c.severity == "problem"]
        warnings = [c for c in pc.checks if c.severity == "warning"]
        findings = [f for f in pc.findings if f.severity in ("problem", "warning")]
        row = [
            pc.computer,
            w["kind_" + pc.kind],
            pc.address,
            picture.subnet[pc.key],
            pc.manager,
            pc.version,
            pc.os,
            pc.started.isoformat() if pc.started else "",
            word_for("severity", pc.overall, lang),
            pc.runs,
            "; ".join(f"{_short(c, lang)}: {c.headline}" for c in problems),
            "; ".join(f"{_short(c, lang)}: {c.headline}" for c in warnings),
            "; ".join(f"{f.title}: {f.detail}" for f in findings),
            pc.note,
            pc.source,
        ]
        writer.writerow([csv_cell(strip_credentials(str(v)) if v is not None else "") for v in row])
    return "\ufeff" + out.getvalue()


def skipped_lines(skipped: Iterable[Skipped], lang: Lang) -> list[str]:
    return [f"{s.source}: {s.message(lang)}" for s in skipped]
