"""``merge``: many runs' JSON (``check --json``, the window's export, ``push --json``) into one site.

**Streaming.** Files are read one at a time (at most ``MAX_FILE_BYTES`` each) and reduced at once
to a compact summary of each PC; the parsed document is then dropped. Summaries share their
pieces: the check tuples of thousands of PCs that saw the same thing are one object
(``_Interner``), so memory grows with what differs between PCs, not with the number of files.
Several runs of one computer keep the latest (by its ``started``), with the others counted.

**Untrusted input.** Every file may be hostile: too large, not UTF-8 (UTF-16, CP932), not JSON,
NaN or Infinity (not JSON, RFC 8259), a key given twice (which value would count?), nested
deeper than ``MAX_JSON_DEPTH`` (the limit the version API's answers get), trailing data, the
wrong types, another tool's JSON, a symbolic link (never followed), a folder, a device. Each such
file is skipped with its reason (``Skipped``); the others are still merged. Text is kept as text
(cut to ``MAX_TEXT`` characters): the outputs escape it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sep_port_doctor.core.http_checks import MAX_JSON_DEPTH
from sep_port_doctor.core.i18n import Lang, say
from sep_port_doctor.core.results import Severity, overall

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A run's JSON is 20-60 KB (a few hundred KB with this PC's Windows findings); 8 MB is not one run."""
MAX_TEXT = 2000
"""Characters kept of any one text field (a note, a headline, a reason); the rest is cut with '…'."""
MAX_NAME = 255
"""Characters kept of a computer's name (Windows allows 15, DNS 253)."""
ERROR_RECORD_SUFFIX = ".error.txt"
"""What the fleet recipes write for a computer they could not check (README "Fleet")."""

_STATES = {
    "open",
    "closed",
    "filtered",
    "open|filtered",
    "unreachable",
    "unresolved",
    "listening",
    "not_listening",
    "not_applicable",
    "not_tested",
    "cancelled",
    "error",
}
_SEVERITIES = {str(s) for s in Severity}
_JSON_KINDS = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string"}
_OWN_FIELDS = {"checks", "computer", "manager", "started", "overall"}
"""A document with none of these is another tool's; with some, a run of ours with fields missing."""
_PROTOCOLS = {"tcp", "udp"}


class Refused(Exception):
    """A file that is not one run's results: a reason code (the message catalogue's ``[merge]``) and its values."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: Lang) -> str:
        return say(f"merge.{self.code}", lang, **self.params)


@dataclass(frozen=True)
class Skipped:
    """A file (or a part of one) that was not merged, and why."""

    source: str
    reason: Refused

    def message(self, lang: Lang) -> str:
        return self.reason.message(lang)


@dataclass(frozen=True)
class CheckSummary:
    """What the site picture needs of one check; identical ones are shared between PCs."""

    id: str
    protocol: str
    port: int
    default_port: int
    state: str
    cause: str | None
    severity: str
    headline: str
    headline_id: str | None
    """The headline's message id (the same in every language); None in a file written before it was recorded."""
    guidance: tuple[str, ...]
    local: bool
    target: str
    """Whose port it probed (``this_pc``, ``manager``, ``gup``...: ``core.results.Target``); a run
    that did not record it: ``this_pc`` for a check of this PC, else ``manager``."""
    extra_host: str
    """The host of a port outside the catalogue (``check --extra HOST:PORT``), as typed: the place
    of its problem, where a catalogue port's is its role; "" for any other check."""
    failed_test: str | None
    """The application test that failed on an open port (secars, TLS...), else None."""
    reason: str
    """The evidence, kept for problems and warnings only (a PC's own detail)."""

    @property
    def ran(self) -> bool:
        return self.state not in ("not_applicable", "not_tested", "cancelled")

    @property
    def catalogue_port_text(self) -> str:
        """The port as the vendor's table names it ("UDP 138"), whatever this PC moved it to."""
        return f"{self.protocol.upper()} {self.default_port}"

    @property
    def moved_text(self) -> str:
        """Where this PC's run found the port when it was moved ("→50076"), else ""."""
        return "" if self.port == self.default_port else f"→{self.port}"

    @property
    def port_text(self) -> str:
        return f"{self.catalogue_port_text} ({self.moved_text})" if self.moved_text else self.catalogue_port_text


@dataclass(frozen=True)
class FindingSummary:
    """One of this PC's own findings (Windows: firewall profiles, File and Printer Sharing...)."""

    id: str
    severity: str
    title: str
    detail: str
    guidance: tuple[str, ...]


@dataclass(frozen=True)
class PushVerdict:
    """What ``push`` concluded about one target: the cause its targets are grouped by, and why."""

    verdict: str
    cause: str
    severity: str
    headline: str
    guidance: tuple[str, ...]


@dataclass
class PcRun:
    """The latest run of one computer (or one push target), with its history counted."""

    kind: str
    """``desk``: run at the PC (``check``, the window); ``push``: the PC seen from the manager."""
    computer: str
    address: str | None
    manager: str
    version: str
    os: str
    role: str
    started: dt.datetime | None
    overall: str
    note: str
    cancelled: bool
    source: str
    checks: tuple[CheckSummary, ...]
    findings: tuple[FindingSummary, ...]
    verdict: PushVerdict | None = None
    """A push target's own verdict (its checks summed up by ``push``); None for a run at the PC."""
    runs: int = 1
    earlier: tuple[str, ...] = ()
    """The overall verdicts of the runs this one replaced, in the order they were read (the last 8)."""

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.computer.casefold()

    @property
    def problems(self) -> tuple[CheckSummary, ...]:
        return tuple(c for c in self.checks if c.severity in ("problem", "warning"))


# --- reading one file ----------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing what is not a plain file of a run's size; raises Refused."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise Refused("missing") from None
    except OSError as exc:
        raise Refused("unreadable", detail=exc.strerror or str(exc)) from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused("symlink")
    if stat.S_ISDIR(info.st_mode):
        raise Refused("folder")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("not-a-file")
    if info.st_size > MAX_FILE_BYTES:
        raise Refused("too-large", size=f"{info.st_size / 1e6:.1f}", limit=MAX_FILE_BYTES // 1_000_000)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:  # replaced by a link since (ELOOP), or no permission
        raise Refused("unreadable", detail=exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise Refused("not-a-file")
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # grew since it was looked at
        raise Refused("too-large", size=f"{len(data) / 1e6:.1f}", limit=MAX_FILE_BYTES // 1_000_000)
    return data


def _refuse_constant(name: str) -> None:
    raise Refused("not-a-number", value=name)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _v in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise Refused("duplicate-key", key=_shown(twice))
    return document


def _depth(document: Any, limit: int) -> int:
    """How deep arrays and objects nest (containers only, level by level; stops past ``limit``)."""
    level = [document]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            break
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
    return depth


def parse_document(data: bytes) -> Any:
    """One JSON value from a file's bytes; raises Refused with what is wrong."""
    if not data.strip():
        raise Refused("empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        raise Refused("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):  # Windows PowerShell 5.1's UTF8; RFC 8259 lets a reader ignore it
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused("not-utf8", offset=exc.start) from None
    if "\0" in text:
        raise Refused("nul")
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_refuse_constant)
    except RecursionError:
        raise Refused("too-deep", limit=MAX_JSON_DEPTH) from None
    except json.JSONDecodeError as exc:
        code = "trailing-data" if exc.msg == "Extra data" else "not-json"
        raise Refused(code, line=exc.lineno, column=exc.colno, detail=exc.msg) from None
    if isinstance(document, dict | list) and _depth(document, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise Refused("too-deep", limit=MAX_JSON_DEPTH)
    return document


# --- from a document to PC summaries -------------------------------------------------------


def _shown(text: str, limit: int = 80) -> str:
    """A value named in a reason: printable, short (the outputs escape it)."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Interner:
    """One object for equal values: thousands of PCs that saw the same thing share it."""

    def __init__(self) -> None:
        self._known: dict[Any, Any] = {}
        self.by_key: dict[tuple[Any, ...], Any] = {}
        """Check objects as found, to their summary: a fleet's equal checks are validated once."""

    def __call__(self, value: Any) -> Any:
        return self._known.setdefault(value, value)


class _Fields:
    """Typed access to one JSON object: a wrong type is a Refused naming the field."""

    def __init__(self, document: Any, where: str) -> None:
        if not isinstance(document, dict):
            raise Refused("wrong-type", field=where or "(top)", expected="object")
        self.document = document
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, kinds: type | tuple[type, ...], *, required: bool = True, default: Any = None) -> Any:
        if key not in self.document:
            if required:
                raise Refused("missing-field", field=self._name(key))
            return default
        value = self.document[key]
        if value is None and not required:
            return default
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _as_tuple(kinds)):
            expected = "/".join(k.__name__ for k in _as_tuple(kinds))
            raise Refused("wrong-type", field=self._name(key), expected=expected)
        return value

    def text(self, key: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
        value: str = self.get(key, str, required=required, default="")
        return _cut(value, limit)

    def choice(self, key: str, allowed: set[str]) -> str:
        value: str = self.get(key, str)
        if value not in allowed:
            raise Refused("unknown-value", field=self._name(key), value=_shown(value, 40))
        return value


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _started(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _check_key(raw: Any) -> tuple[Any, ...] | None:
    """The fields a CheckSummary is made of, as found, or None when they cannot be a key (not an
    object). Numbers and booleans carry their type (``1`` equals ``true`` and ``1.0``); text never
    equals another type, and a list where text belongs fails to hash: the slow path says why."""
    if type(raw) is not dict:
        return None
    get = raw.get
    application = get("application")
    if application is not None:
        if type(application) is not dict:
            return None
        ok = application.get("ok")
        application = (ok, type(ok), application.get("test"), _failed_step(application))
    severity = get("severity")
    guidance = get("guidance")
    port, default_port, local = get("port"), get("default_port"), get("local")
    return (
        get("id"), get("protocol"), port, type(port), default_port, type(default_port), get("state"),
        get("cause"), severity, get("headline"), get("headline_id"), local, type(local), get("target"),
        get("host") if get("target") == "extra" else None,
        tuple(guidance) if type(guidance) is list else guidance,
        application,
        get("reason") if severity == "problem" or severity == "warning" else None,
    )  # fmt: skip


def _failed_step(application: dict[str, Any]) -> str | None:
    """The first application test that failed (``steps``), which decided the check's headline
    (``core.explain``): 8446's TLS and version API ran, its expired certificate is 8443's cause too."""
    steps = application.get("steps")
    if type(steps) is not list:
        return None
    for step in steps:
        if type(step) is dict and step.get("ok") is False:
            test = step.get("test")
            return _cut(test, 40) if type(test) is str else None
    return None


def _check(raw: Any, where: str, intern: _Interner) -> CheckSummary:
    """One check object, validated; equal ones (most of a fleet's) are validated once."""
    key = _check_key(raw)
    if key is not None:
        try:
            known = intern.by_key.get(key)
        except TypeError:  # an unhashable value where text belongs: the slow path names it
            key, known = None, None
        if known is not None:
            return known  # type: ignore[no-any-return]
    summary = _validated_check(raw, where, intern)
    if key is not None:
        intern.by_key[key] = summary
    return summary


def _validated_check(raw: Any, where: str, intern: _Interner) -> CheckSummary:
    fields = _Fields(raw, where)
    severity = fields.choice("severity", _SEVERITIES)
    application = fields.get("application", dict, required=False)
    failed_test = None
    if application is not None:
        app = _Fields(application, f"{where}.application")
        if app.get("ok", bool, required=False, default=True) is False:
            failed_test = _failed_step(application) or app.text("test", required=False, limit=40) or "?"
    port = fields.get("port", int)
    guidance = fields.get("guidance", list, required=False, default=[])
    if not all(isinstance(g, str) for g in guidance):
        raise Refused("wrong-type", field=f"{where}.guidance", expected="list of str")
    keep_reason = severity in ("problem", "warning")
    local = fields.get("local", bool, required=False, default=False)
    target = fields.text("target", required=False, limit=40) or ("this_pc" if local else "manager")
    extra_host = (fields.get("host", str, required=False) and fields.text("host", limit=MAX_NAME)) or ""
    return intern(  # type: ignore[no-any-return]
        CheckSummary(
            id=intern(fields.text("id", limit=80)),
            protocol=fields.choice("protocol", _PROTOCOLS),
            port=port,
            default_port=fields.get("default_port", int, required=False, default=port),
            state=fields.choice("state", _STATES),
            cause=intern(fields.get("cause", str, required=False) and fields.text("cause", limit=40)) or None,
            severity=severity,
            headline=intern(fields.text("headline", required=False)),
            headline_id=intern(fields.text("headline_id", required=False, limit=80)) or None,
            guidance=intern(tuple(_cut(g, 80) for g in guidance[:20])),
            local=local,
            target=intern(target),
            extra_host=intern(extra_host) if target == "extra" else "",
            failed_test=intern(failed_test),
            reason=intern(fields.text("reason", required=False)) if keep_reason else "",
        )
    )


def _checks(raw: Any, where: str, intern: _Interner) -> tuple[CheckSummary, ...]:
    if not isinstance(raw, list):
        raise Refused("wrong-type", field=where, expected="list")
    return intern(tuple(_check(item, f"{where}[{i}]", intern) for i, item in enumerate(raw)))  # type: ignore[no-any-return]


def _findings(raw: Any, intern: _Interner) -> tuple[FindingSummary, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise Refused("wrong-type", field="local", expected="list")
    found = []
    for i, item in enumerate(raw):
        fields = _Fields(item, f"local[{i}]")
        guidance = fields.get("guidance", list, required=False, default=[])
        found.append(
            FindingSummary(
                id=intern(fields.text("id", limit=80)),
                severity=fields.choice("severity", _SEVERITIES),
                title=intern(fields.text("title", required=False)),
                detail=intern(fields.text("detail", required=False)),
                guidance=intern(tuple(_cut(g, 80) for g in guidance[:20] if isinstance(g, str))),
            )
        )
    return intern(tuple(found))  # type: ignore[no-any-return]


def _pc_address(checks: tuple[CheckSummary, ...], raw_checks: list[Any]) -> str | None:
    """This PC's own address: the one its checks of this PC used (facing the manager)."""
    for summary, raw in zip(checks, raw_checks, strict=True):
        address = raw.get("address") if summary.local else None
        if isinstance(address, str):
            try:
                return str(ipaddress.ip_address(address.split("%")[0]))
            except ValueError:
                continue
    return None


def _overall(checks: Iterable[CheckSummary], findings: Iterable[FindingSummary]) -> str:
    severities = [Severity(c.severity) for c in checks] + [Severity(f.severity) for f in findings]
    return str(overall(severities))


def summarise(document: Any, source: str, intern: _Interner) -> list[PcRun]:
    """The PCs one document holds (one for a check or window export, one per target of a push).

    Raises Refused for anything that is not one of these; a push target that is broken is
    refused as a whole file too (the file is one run: half of it would mislead).
    """
    if isinstance(document, list):
        raise Refused("a-list")
    if not isinstance(document, dict):
        raise Refused("not-an-object", kind=_JSON_KINDS.get(type(document), "value"))
    if document.get("schema") == SITE_SCHEMA:
        raise Refused("site-summary")
    if "targets" in document:
        return _push_runs(document, source, intern)
    if not _OWN_FIELDS & set(document):
        raise Refused("foreign")
    fields = _Fields(document, "")
    raw_checks = fields.get("checks", list)
    checks = _checks(raw_checks, "checks", intern)
    findings = _findings(document.get("local"), intern)
    started_text = fields.text("started", limit=64)
    started = _started(started_text)
    if started is None:
        raise Refused("bad-date", value=_shown(started_text, 40))
    computer = fields.text("computer", limit=MAX_NAME)
    if not computer.strip():
        raise Refused("missing-field", field="computer")
    return [
        PcRun(
            kind="desk",
            computer=computer,
            address=_pc_address(checks, raw_checks),
            manager=intern(fields.text("manager", limit=MAX_NAME)),
            version=intern(fields.text("version", required=False, limit=80)),
            os=intern(fields.text("os", required=False, limit=120)),
            role=intern(fields.text("role", required=False, limit=20)),
            started=started,
            overall=_overall(checks, findings),
            note=fields.text("note", required=False, limit=500),
            cancelled=fields.get("cancelled", bool, required=False, default=False),
            source=source,
            checks=checks,
            findings=findings,
        )
    ]


def _push_runs(document: dict[str, Any], source: str, intern: _Interner) -> list[PcRun]:
    fields = _Fields(document, "")
    targets = fields.get("targets", list)
    started_text = fields.text("started", required=False, limit=64)
    started = _started(started_text) if started_text else None
    manager = intern(fields.text("manager", required=False, limit=MAX_NAME) or fields.text("computer", required=False))
    runs = []
    for i, raw in enumerate(targets):
        target = _Fields(raw, f"targets[{i}]")
        host = target.text("host", limit=MAX_NAME)
        if not host.strip():
            raise Refused("missing-field", field=f"targets[{i}].host")
        address = target.get("address", str, required=False)
        checks = _checks(target.get("checks", list), f"targets[{i}].checks", intern)
        guidance = target.get("guidance", list, required=False, default=[])
        verdict = intern(
            PushVerdict(
                verdict=intern(target.text("verdict", limit=40)),
                cause=intern(target.text("cause", required=False, limit=60)),
                severity=target.choice("severity", _SEVERITIES),
                headline=intern(target.text("headline", required=False)),
                guidance=intern(tuple(_cut(g, 80) for g in guidance[:20] if isinstance(g, str))),
            )
        )
        severities = [Severity(verdict.severity)] + [Severity(c.severity) for c in checks]
        runs.append(
            PcRun(
                kind="push",
                computer=host,
                address=_address_or_none(address),
                manager=manager,
                version=intern(fields.text("version", required=False, limit=80)),
                os="",
                role="push",
                started=started,
                overall=str(overall(severities)),
                note=fields.text("note", required=False, limit=500),
                cancelled=fields.get("cancelled", bool, required=False, default=False),
                source=source,
                checks=checks,
                findings=(),
                verdict=verdict,
            )
        )
    return runs


def _address_or_none(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return str(ipaddress.ip_address(text.split("%")[0]))
    except ValueError:
        return None


def error_record(path: Path) -> Skipped:
    """A recipe's ``<COMPUTER>_<time>.error.txt``: that computer was not checked, and why."""
    try:
        text = read_bytes(path).decode("utf-8", errors="replace")
    except Refused as refused:
        return Skipped(path.name, refused)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return Skipped(path.name, Refused("error-record", detail=_shown(" / ".join(lines[:4]), 300)))


# --- the inputs: files and folders ---------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    files: list[Path]
    skipped: list[Skipped]
    temporary: int
    """Files a collector is still writing (``.name.tmp``, ``.ansible_tmp*``): not read, counted."""


def _is_temporary(name: str) -> bool:
    return name.startswith(".") or name.endswith(".tmp")


def collect_inputs(arguments: Iterable[str]) -> Inputs:
    """The files named, and the ``*.json`` and recipes' ``*.error.txt`` of the folders named (not their
    subfolders). A link named on the command line is followed; links inside a folder (a PC could
    put one in a shared drop box) never are. Raises Refused("no-input") naming an argument that does
    not exist."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    temporary = 0
    for argument in arguments:
        path = Path(argument)
        try:
            info = path.stat()  # what the user named is followed; links inside a folder never are
        except OSError:
            raise Refused("no-input", path=_shown(argument, 200)) from None
        if not stat.S_ISDIR(info.st_mode):
            files.append(path.resolve() if path.is_symlink() else path)
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError as exc:
            raise Refused("folder-unreadable", path=_shown(argument, 200), detail=exc.strerror or str(exc)) from None
        for name in names:
            if _is_temporary(name):
                temporary += 1
            elif name.endswith(ERROR_RECORD_SUFFIX):
                skipped.append(error_record(path / name))
            elif name.lower().endswith(".json"):
                files.append(path / name)
    return Inputs(files, skipped, temporary)


# --- the site: every PC's latest run ---------------------------------------------------------

SITE_SCHEMA = "sep-port-doctor/site/1"
HISTORY_KEPT = 8


@dataclass
class Site:
    """Every PC's latest run, the history counted, what was skipped."""

    pcs: dict[tuple[str, str], PcRun] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    files_read: int = 0
    runs_merged: int = 0
    temporary: int = 0

    def add(self, run: PcRun) -> None:
        self.runs_merged += 1
        known = self.pcs.get(run.key)
        if known is None:
            self.pcs[run.key] = run
            return
        newer, older = (run, known) if _later(run, known) else (known, run)
        newer.runs = known.runs + 1
        newer.earlier = (*known.earlier, older.overall)[-HISTORY_KEPT:]
        self.pcs[run.key] = newer

    def exit_code(self) -> int:
        """As ``check``: 1 problems at any PC; 3 nothing wrong found but something incomplete (a file
        skipped, a check that could not be done, a run cancelled); 0 only when all is well."""
        from sep_port_doctor.core import exit_codes

        if any(pc.overall == "problem" for pc in self.pcs.values()):
            return exit_codes.PROBLEMS
        incomplete = self.skipped or any(
            pc.cancelled or any(c.state == "error" for c in pc.checks) for pc in self.pcs.values()
        )
        return exit_codes.INCOMPLETE if incomplete else exit_codes.OK


def _later(run: PcRun, known: PcRun) -> bool:
    if run.started is None or known.started is None:
        return known.started is None
    return run.started > known.started


def merge_files(arguments: Iterable[str], on_skip: Any = None) -> Site:
    """Read every input one at a time into a Site. ``on_skip(Skipped)`` is told of each file
    skipped as it happens (the command line's one line per file)."""
    inputs = collect_inputs(arguments)
    site = Site(temporary=inputs.temporary)
    intern = _Interner()

    def skip(item: Skipped) -> None:
        site.skipped.append(item)
        if on_skip is not None:
            on_skip(item)

    for item in inputs.skipped:
        skip(item)
    for path in inputs.files:
        for result in read_runs(path, intern):
            if isinstance(result, Skipped):
                skip(result)
            else:
                site.add(result)
        site.files_read += 1
    return site


def read_runs(path: Path, intern: _Interner | None = None) -> Iterator[PcRun | Skipped]:
    """The runs of one file, or one Skipped saying why there are none."""
    try:
        runs = summarise(parse_document(read_bytes(path)), path.name, intern or _Interner())
    except Refused as refused:
        yield Skipped(str(path.name), refused)
        return
    except (MemoryError, RecursionError):
        yield Skipped(str(path.name), Refused("too-deep", limit=MAX_JSON_DEPTH))
        return
    if not runs:
        yield Skipped(str(path.name), Refused("no-targets"))
    yield from runs
