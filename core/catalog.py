"""The SEP port catalogue and its guidance texts, loaded and validated from resources/.

The data lives in ``resources/catalog/ports.toml`` and ``guidance.toml``; this
module turns it into frozen dataclasses and refuses a broken file with a
:class:`CatalogError` that names the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from core.versions import SepVersion, VersionError, VersionRule, parse_rule

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")

DIRECTIONS = (
    "client_to_manager",
    "client_to_gup",
    "manager_to_client",
    "console_to_manager",
    "manager_local",
    "manager_to_elsewhere",
    "client_to_cloud",
    "client_local",
)
LISTENERS = ("manager", "client", "gup", "sql_server", "syslog_server", "cloud", "appliance")
PROTOCOLS = ("tcp", "udp")
GUIDANCE_SOURCES = ("vendor", "field")


class CatalogError(Exception):
    """A data file is broken. The message names the file and the field."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class Text:
    """One human text in both languages."""

    ja: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Process:
    name: str
    versions: VersionRule
    note: Text | None

    def applies_to(self, version: SepVersion | None) -> bool:
        return version is None or self.versions.matches(version)


@dataclass(frozen=True)
class PortEntry:
    id: str
    row: int
    protocol: str
    port: int
    scheme: str | None
    purpose: Text
    processes: tuple[Process, ...]
    initiator: Text
    direction: str
    listener: str
    localhost_only: bool
    configurable: bool | None
    """True when the port can be changed, False when fixed, None when the seed does not say."""
    versions: VersionRule
    versions_text: Text
    notes: tuple[Text, ...]
    guidance: tuple[str, ...]

    @property
    def label(self) -> str:
        """``TCP 8014``: how technicians name a port."""
        return f"{self.protocol.upper()} {self.port}"

    def applies_to(self, version: SepVersion | None) -> bool:
        return version is None or self.versions.matches(version)

    def processes_for(self, version: SepVersion | None) -> tuple[Process, ...]:
        return tuple(p for p in self.processes if p.applies_to(version))


@dataclass(frozen=True)
class Guidance:
    id: str
    source: str
    title: Text
    text: Text
    steps: tuple[Text, ...]


@dataclass(frozen=True)
class Catalog:
    entries: tuple[PortEntry, ...]
    guidance: Mapping[str, Guidance]
    general: tuple[str, ...] = ()
    """The vendor page's general notes (for the whole table, not a row), in the page's order."""

    @property
    def general_notes(self) -> tuple[Guidance, ...]:
        return tuple(self.guidance[g] for g in self.general)

    def entry(self, entry_id: str) -> PortEntry:
        if entry_id.startswith("extra-"):  # check --extra: a port outside the catalogue
            from core.extra import extra_entry

            return extra_entry(entry_id)
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def by_port(self, protocol: str, port: int) -> tuple[PortEntry, ...]:
        return tuple(e for e in self.entries if e.protocol == protocol and e.port == port)

    def applicable(self, version: SepVersion | None) -> tuple[PortEntry, ...]:
        return tuple(e for e in self.entries if e.applies_to(version))


# --- Loading and validation -----------------------------------------------------


class _Reader:
    """Reads typed fields out of one TOML table, naming the place on failure."""

    def __init__(self, file: str, where: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise CatalogError(file, where, "expected a table")
        self.file, self.where, self.table = file, where, table

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(self.file, f"{self.where}.{key}", problem)

    def _get(self, key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        if key not in self.table:
            if optional:
                return None
            raise self.fail(key, "missing")
        value = self.table[key]
        # bool is an int in Python; a port of `true` must not pass as 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
        return value

    def string(self, key: str, optional: bool = False) -> str | None:
        value = self._get(key, str, optional)
        if value is not None and not value.strip():
            raise self.fail(key, "empty")
        return value  # type: ignore[no-any-return]

    def required_string(self, key: str) -> str:
        value = self.string(key)
        assert value is not None
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        value: int = self._get(key, int)
        if not low <= value <= high:
            raise self.fail(key, f"{value} is outside {low}-{high}")
        return value

    def boolean(self, key: str) -> bool:
        value: bool = self._get(key, bool)
        return value

    def choice(self, key: str, allowed: Iterable[str]) -> str:
        value = self.required_string(key)
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(key, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def text(self, key: str, optional: bool = False) -> Text | None:
        table = self._get(key, dict, optional)
        if table is None:
            return None
        return _text(self.file, f"{self.where}.{key}", table)

    def required_text(self, key: str) -> Text:
        value = self.text(key)
        assert value is not None
        return value

    def rule(self, key: str) -> VersionRule:
        raw = self.required_string(key)
        try:
            return parse_rule(raw)
        except VersionError as exc:
            raise self.fail(key, str(exc)) from None

    def list_of(self, key: str) -> list[Any]:
        value: list[Any] = self._get(key, list)
        return value


def _text(file: str, where: str, table: Any) -> Text:
    reader = _Reader(file, where, table)
    extra = set(table) - set(LANGS)
    if extra:
        raise CatalogError(file, where, f"unknown language keys {sorted(extra)}")
    return Text(ja=reader.required_string("ja"), en=reader.required_string("en"))


def _load_toml(file: str, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CatalogError(file, f"byte {exc.start}", "not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(file, "syntax", str(exc)) from None


def _parse_entry(file: str, index: int, table: Any) -> PortEntry:
    where = f"entry[{index}]"
    if isinstance(table, dict) and isinstance(table.get("id"), str):
        where = f"entry[{index}] ({table['id']})"
    r = _Reader(file, where, table)
    processes = []
    for i, raw in enumerate(r.list_of("processes")):
        p = _Reader(file, f"{where}.processes[{i}]", raw)
        processes.append(Process(p.required_string("name"), p.rule("versions"), p.text("note", optional=True)))
    notes = tuple(_text(file, f"{where}.notes[{i}]", raw) for i, raw in enumerate(r.list_of("notes")))
    guidance = r.list_of("guidance")
    for i, gid in enumerate(guidance):
        if not isinstance(gid, str):
            raise CatalogError(file, f"{where}.guidance[{i}]", "expected a guidance id")
    configurable_raw = r._get("configurable", (bool, str))
    if isinstance(configurable_raw, str) and configurable_raw != "not stated":
        raise r.fail("configurable", 'expected true, false or "not stated"')
    scheme = r.string("scheme", optional=True)
    if scheme is not None and scheme not in ("http", "https"):
        raise r.fail("scheme", f"{scheme!r} is not http or https")
    return PortEntry(
        id=r.required_string("id"),
        row=r.integer("row", 1, 1000),
        protocol=r.choice("protocol", PROTOCOLS),
        port=r.integer("port", 1, 65535),
        scheme=scheme,
        purpose=r.required_text("purpose"),
        processes=tuple(processes),
        initiator=r.required_text("initiator"),
        direction=r.choice("direction", DIRECTIONS),
        listener=r.choice("listener", LISTENERS),
        localhost_only=r.boolean("localhost_only"),
        configurable=configurable_raw if isinstance(configurable_raw, bool) else None,
        versions=r.rule("versions"),
        versions_text=r.required_text("versions_text"),
        notes=notes,
        guidance=tuple(guidance),
    )


def _parse_guidance(file: str, index: int, table: Any) -> Guidance:
    r = _Reader(file, f"guidance[{index}]", table)
    steps = tuple(_text(file, f"guidance[{index}].steps[{i}]", s) for i, s in enumerate(r.list_of("steps")))
    return Guidance(
        id=r.required_string("id"),
        source=r.choice("source", GUIDANCE_SOURCES),
        title=r.required_text("title"),
        text=r.required_text("text"),
        steps=steps,
    )


def parse_catalog(ports_file: str, ports_data: bytes, guidance_file: str, guidance_data: bytes) -> Catalog:
    """Build a Catalog from the two files' bytes; raises CatalogError."""
    guidance_doc = _load_toml(guidance_file, guidance_data)
    guidance: dict[str, Guidance] = {}
    for i, raw in enumerate(guidance_doc.get("guidance", [])):
        item = _parse_guidance(guidance_file, i, raw)
        if item.id in guidance:
            raise CatalogError(guidance_file, f"guidance[{i}].id", f"duplicate id {item.id!r}")
        guidance[item.id] = item
    if not guidance:
        raise CatalogError(guidance_file, "guidance", "no [[guidance]] entries")
    general = guidance_doc.get("general", [])
    if not isinstance(general, list) or not all(isinstance(g, str) for g in general):
        raise CatalogError(guidance_file, "general", "must be a list of guidance ids")
    for gid in general:
        if gid not in guidance:
            raise CatalogError(guidance_file, "general", f"unknown guidance id {gid!r}")
        if guidance[gid].source != "vendor":
            raise CatalogError(guidance_file, "general", f"{gid!r} is not the vendor's (source = vendor)")

    ports_doc = _load_toml(ports_file, ports_data)
    raw_entries = ports_doc.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogError(ports_file, "entry", "no [[entry]] tables")
    entries: list[PortEntry] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_entries):
        entry = _parse_entry(ports_file, i, raw)
        if entry.id in seen:
            raise CatalogError(ports_file, f"entry[{i}].id", f"duplicate id {entry.id!r}")
        seen.add(entry.id)
        for gid in entry.guidance:
            if gid not in guidance:
                raise CatalogError(ports_file, f"entry[{i}] ({entry.id}).guidance", f"unknown guidance id {gid!r}")
        entries.append(entry)
    return Catalog(tuple(entries), guidance, tuple(general))


@cache
def load_catalog() -> Catalog:
    """The catalogue shipped in resources/ (works installed and frozen)."""
    base = resources.files("resources") / "catalog"
    ports = base / "ports.toml"
    guidance = base / "guidance.toml"
    try:
        ports_data = ports.read_bytes()
        guidance_data = guidance.read_bytes()
    except OSError as exc:
        raise CatalogError(
            str(getattr(exc, "filename", "resources/catalog")), "file", f"cannot be read: {exc.strerror}"
        ) from None
    return parse_catalog("resources/catalog/ports.toml", ports_data, "resources/catalog/guidance.toml", guidance_data)


@cache
def load_labels() -> Mapping[str, Mapping[str, Text]]:
    """Bilingual labels for codes (directions, states, severities...), from labels.toml."""
    file = "resources/catalog/labels.toml"
    try:
        data = (resources.files("resources") / "catalog" / "labels.toml").read_bytes()
    except OSError as exc:
        raise CatalogError(file, "file", f"cannot be read: {exc.strerror}") from None
    doc = _load_toml(file, data)
    labels: dict[str, dict[str, Text]] = {}
    for group, table in doc.items():
        if not isinstance(table, dict):
            raise CatalogError(file, group, "expected a table")
        labels[group] = {code: _text(file, f"{group}.{code}", value) for code, value in table.items()}
    for group in ("direction", "listener", "configurable", "state", "severity", "role"):
        if group not in labels:
            raise CatalogError(file, group, "missing")
    missing = set(DIRECTIONS) - set(labels["direction"])
    if missing:
        raise CatalogError(file, "direction", f"no label for {sorted(missing)}")
    return labels


def label(group: str, code: str, lang: Lang) -> str:
    """The label of a code in one language; the code itself if it has none."""
    text = load_labels().get(group, {}).get(code)
    return text.get(lang) if text else code


def configurable_code(entry: PortEntry) -> str:
    return {True: "yes", False: "no", None: "unknown"}[entry.configurable]
