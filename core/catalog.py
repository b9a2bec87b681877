"""The SEP port catalogue and its guidance texts, loaded and validated from resources/.

The facts live in ``resources/catalog/ports.toml`` and ``guidance.toml``; their words in
``resources/i18n/<lang>/ports.toml`` and ``guidance.toml``, one file per language (see
core/i18n.py). This module turns them into frozen dataclasses and refuses a broken file
with a :class:`CatalogError` that names the file and the field.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Protocol

from sep_port_doctor.core.i18n import (
    CatalogError,
    Lang,
    group_words,
    language_file,
    languages,
    read_toml,
    resource_files,
    say,
)
from sep_port_doctor.core.versions import SepVersion, VersionError, VersionRule, parse_rule

EXTRA_PREFIX = "extra-"
"""Entry ids of ports outside the catalogue (``check --extra``): ``extra-tcp-8080``."""

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
PLATFORMS = ("windows", "mac")
"""The PCs a push-deployment entry is for: a Mac's is checked on a Mac only, a Windows PC's
everywhere else (on Linux the labs and the simulator stand in for Windows)."""
PUSH_ROLES = ("smb", "netbios-session", "netbios-name", "netbios-datagram", "ssh")
"""What a port does in the manager's push deployment (``push`` reads each target's ports by it)."""
SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Text:
    """One human text in every language of the catalogue."""

    by_lang: tuple[tuple[Lang, str], ...]

    def say(self, lang: Lang) -> str:
        for code, text in self.by_lang:
            if code == lang:
                return text
        raise KeyError(lang)

    @classmethod
    def of(cls, texts: Mapping[Lang, str]) -> Text:
        return cls(tuple(texts.items()))

    @classmethod
    def message(cls, code: str) -> Text:
        """A message of the catalogue (core/i18n.py) in every language."""
        return cls(tuple((lang, say(code, lang)) for lang in languages()))


@dataclass(frozen=True)
class Process:
    name: str
    versions: VersionRule
    note: Text | None

    def applies_to(self, version: SepVersion | None) -> bool:
        return version is None or self.versions.matches(version)


@dataclass(frozen=True)
class OptionalPort:
    """The page makes the port optional (for some versions): a failed port is a warning."""

    versions: VersionRule | None
    """Only for these versions, and only when the version is known; None: always."""
    guidance: str | None
    """The guidance that says why, cited first."""

    def holds(self, version: SepVersion | None) -> bool:
        if self.versions is None:
            return True
        return version is not None and self.versions.matches(version)


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
    checks: tuple[str, ...] = ()
    """Application checks on the answering port, in order (ids of ``core.checks``)."""
    sends: str | None = None
    """UDP: what the probe sends (a payload id of ``core.checks``); None: one zero byte."""
    platform: str | None = None
    """The PC a push-deployment entry is for (``PLATFORMS``); None: any."""
    push: str | None = None
    """Its part in the manager's push deployment (``PUSH_ROLES``); None: not a push port."""
    client_channel: bool = False
    """One of the two ways a client reaches the manager (its ``scheme`` says which): a client
    uses one of them, and this PC's SyLink says which."""
    feature: str | None = None
    """An optional feature the listener belongs to (a code of the messages' ``[feature]``): this
    PC not listening there is information, not a fault."""
    optional: OptionalPort | None = None
    not_listening_guidance: tuple[str, ...] | None = None
    """Guidance when this PC does not listen here; None: the entry's own (and the configurable port's)."""
    search_terms: tuple[str, ...] = ()
    """Names technicians search by that the page does not use (``smb`` for 445)."""
    firewall_rule: str | None = None
    """Windows Firewall's inbound rule for this port (File and Printer Sharing's ``FPS-SMB-In-TCP``)."""

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
    own_steps: frozenset[int] = frozenset()
    """The steps (0-based) of a vendor item that are this program's advice, not the page's words."""
    own_notes: tuple[Text, ...] = ()
    """What this program adds to a vendor item's text (its reading of the page, not the page's words)."""
    said_by: tuple[tuple[int, str], ...] = ()
    """(step, id): a step (0-based) that the item ``id`` says, more exactly for its case; where both
    are given, the step is left out, so that each thing to do is said once."""

    def step_is_field(self, index: int) -> bool:
        """Whether step ``index`` is a rule of thumb: every step of a field item, and a vendor item's own steps."""
        return self.source == "field" or index in self.own_steps

    def beside(self, ids: Collection[str]) -> Guidance:
        """This item as given with the items ``ids``: without the steps one of them says."""
        dropped = {index for index, gid in self.said_by if gid in ids}
        if not dropped:
            return self
        kept = [index for index in range(len(self.steps)) if index not in dropped]
        return replace(
            self,
            steps=tuple(self.steps[index] for index in kept),
            own_steps=frozenset(n for n, index in enumerate(kept) if index in self.own_steps),
            said_by=(),
        )


@dataclass(frozen=True)
class Catalog:
    entries: tuple[PortEntry, ...]
    guidance: Mapping[str, Guidance]
    general: tuple[str, ...] = ()
    """The vendor page's general notes (for the whole table, not a row), in the page's order."""

    @property
    def general_notes(self) -> tuple[Guidance, ...]:
        return tuple(self.guidance[g] for g in self.general)

    def guidance_for(self, ids: Iterable[str]) -> tuple[Guidance, ...]:
        """The guidance of these ids (a finding's), in their order; ids it does not know are left out, and
        a step that another of them says is said there only (``Guidance.said_by``)."""
        given = [g for g in ids if g in self.guidance]
        return tuple(self.guidance[g].beside(given) for g in given)

    def entry(self, entry_id: str) -> PortEntry:
        if entry_id.startswith(EXTRA_PREFIX):  # check --extra: a port outside the catalogue
            return extra_entry(entry_id)
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)

    def by_port(self, protocol: str, port: int) -> tuple[PortEntry, ...]:
        return tuple(e for e in self.entries if e.protocol == protocol and e.port == port)

    def with_check(self, check_id: str) -> tuple[PortEntry, ...]:
        """The entries whose answering port gets this application check."""
        return tuple(e for e in self.entries if check_id in e.checks)

    def push_entry(self, role: str) -> PortEntry:
        """The entry that plays this part in push deployment (``PUSH_ROLES``)."""
        for entry in self.entries:
            if entry.push == role:
                return entry
        raise KeyError(role)

    def client_channel(self, scheme: str) -> PortEntry:
        """The way a client reaches the manager over ``http`` or ``https``."""
        for entry in self.entries:
            if entry.client_channel and entry.scheme == scheme:
                return entry
        raise KeyError(scheme)

    def applicable(self, version: SepVersion | None) -> tuple[PortEntry, ...]:
        return tuple(e for e in self.entries if e.applies_to(version))


# --- Loading and validation -----------------------------------------------------


class TableReader:
    """Reads typed fields out of one TOML table, naming the place on failure (``finish``: and
    refusing keys nothing read). The other data files of resources/ use it too."""

    def __init__(self, file: str, where: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise CatalogError(file, where, "expected a table")
        self.file, self.where, self.table = file, where, table
        self.read: set[str] = set()

    def fail(self, key: str, problem: str) -> CatalogError:
        return CatalogError(self.file, f"{self.where}.{key}", problem)

    def finish(self) -> None:
        """Refuse a key nothing read: a misspelt key would otherwise be ignored in silence."""
        for key in self.table:
            if key not in self.read:
                raise self.fail(key, "unknown key")

    def _get(self, key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
        self.read.add(key)
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

    def rule(self, key: str) -> VersionRule:
        raw = self.required_string(key)
        try:
            return parse_rule(raw)
        except VersionError as exc:
            raise self.fail(key, str(exc)) from None

    def list_of(self, key: str, optional: bool = False) -> list[Any]:
        value: list[Any] | None = self._get(key, list, optional)
        return [] if value is None else value

    def strings(self, key: str, allowed: Iterable[str] | None = None, optional: bool = True) -> tuple[str, ...]:
        """A list of strings (ids, names), each of ``allowed`` when given, none twice."""
        values = self.list_of(key, optional)
        known = None if allowed is None else tuple(allowed)
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{key}[{i}]", "expected a non-empty string")
            if known is not None and value not in known:
                raise self.fail(f"{key}[{i}]", f"{value!r} is not one of {', '.join(known)}")
            if value in values[:i]:
                raise self.fail(f"{key}[{i}]", f"{value!r} twice")
        return tuple(values)

    def optional_choice(self, key: str, allowed: Iterable[str]) -> str | None:
        self.read.add(key)
        return self.choice(key, allowed) if key in self.table else None

    def flag(self, key: str) -> bool:
        """An optional boolean, false when absent."""
        self.read.add(key)
        return self.boolean(key) if key in self.table else False

    def optional_rule(self, key: str) -> VersionRule | None:
        self.read.add(key)
        return self.rule(key) if key in self.table else None


def _strings(reader: TableReader, key: str, optional: bool = False) -> list[str]:
    values = reader.list_of(key, optional)
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise reader.fail(f"{key}[{i}]", "expected text")
    return values


ReadWords = Callable[[Lang, str], tuple[str, bytes]]
"""(a language, a file name) -> (the file as errors name it, its bytes): ``core.i18n.language_file``."""


class _Words:
    """The words of one catalogue (ports or guidance) in every language, by id, checked to agree:
    every id in every language and nothing else, the same fields, as many notes or steps."""

    def __init__(self, name: str, read: ReadWords, ids: Iterable[str], fields: Mapping[str, str]) -> None:
        """``fields``: each field's kind: ``text``, ``texts`` (a list), ``optional texts`` (a list
        that may be left out) or ``notes`` (a table of texts)."""
        self.tables: dict[Lang, dict[str, dict[str, Any]]] = {}
        self.files: dict[Lang, str] = {}
        ids = list(ids)
        for lang in languages():
            file, data = read(lang, name)
            doc = read_toml(file, data)
            self.files[lang] = file
            for unknown in sorted(set(doc) - set(ids)):
                raise CatalogError(file, unknown, "unknown id (not in resources/catalog/" + name + ")")
            tables: dict[str, dict[str, Any]] = {}
            for item_id in ids:
                if item_id not in doc:
                    raise CatalogError(file, item_id, "missing: every id needs its words in every language")
                reader = TableReader(file, item_id, doc[item_id])
                for unknown in sorted(set(reader.table) - set(fields)):
                    raise reader.fail(unknown, f"unknown field (known: {', '.join(fields)})")
                table: dict[str, Any] = {}
                for key, kind in fields.items():
                    if kind == "text":
                        table[key] = reader.required_string(key)
                    elif kind in ("texts", "optional texts"):
                        table[key] = _strings(reader, key, optional=kind == "optional texts")
                    else:
                        raw = reader._get(key, dict, optional=True) or {}
                        notes = TableReader(file, f"{item_id}.{key}", raw)
                        table[key] = {k: notes.required_string(k) for k in raw}
                tables[item_id] = table
            self.tables[lang] = tables
        first = languages()[0]
        for item_id in ids:
            for key, kind in fields.items():
                expected = self.tables[first][item_id][key]
                for lang in languages()[1:]:
                    found = self.tables[lang][item_id][key]
                    if kind in ("texts", "optional texts") and len(found) != len(expected):
                        raise CatalogError(
                            self.files[lang],
                            f"{item_id}.{key}",
                            f"{len(found)} items where {self.files[first]} has {len(expected)}",
                        )
                    if kind == "notes" and set(found) != set(expected):
                        raise CatalogError(
                            self.files[lang],
                            f"{item_id}.{key}",
                            f"notes for {sorted(found)} where {self.files[first]} has {sorted(expected)}",
                        )

    def text(self, item_id: str, key: str) -> Text:
        return Text(tuple((lang, tables[item_id][key]) for lang, tables in self.tables.items()))

    def texts(self, item_id: str, key: str) -> tuple[Text, ...]:
        first = next(iter(self.tables.values()))
        count = len(first[item_id][key])
        return tuple(
            Text(tuple((lang, tables[item_id][key][i]) for lang, tables in self.tables.items())) for i in range(count)
        )

    def note(self, item_id: str, key: str, name: str) -> Text | None:
        first = next(iter(self.tables.values()))
        if name not in first[item_id][key]:
            return None
        return Text(tuple((lang, tables[item_id][key][name]) for lang, tables in self.tables.items()))

    def check_notes_name(self, item_id: str, key: str, names: Iterable[str]) -> None:
        names = set(names)
        for lang, tables in self.tables.items():
            for name in tables[item_id][key]:
                if name not in names:
                    raise CatalogError(self.files[lang], f"{item_id}.{key}", f"{name!r} is not a process of {item_id}")


_PORT_WORDS = {
    "purpose": "text",
    "initiator": "text",
    "versions_text": "text",
    "notes": "texts",
    "process_notes": "notes",
}
_GUIDANCE_WORDS = {"title": "text", "text": "text", "own_notes": "optional texts", "steps": "texts"}


def _optional(file: str, where: str, table: Any) -> OptionalPort:
    r = TableReader(file, where, table)
    optional = OptionalPort(r.optional_rule("versions"), r.string("guidance", optional=True))
    r.finish()
    return optional


def _parse_entry(file: str, index: int, table: Any, words: _Words, vocabulary: Vocabulary) -> PortEntry:
    where = f"entry[{index}]"
    if isinstance(table, dict) and isinstance(table.get("id"), str):
        where = f"entry[{index}] ({table['id']})"
    r = TableReader(file, where, table)
    entry_id = r.required_string("id")
    raw_processes = r.list_of("processes")
    processes = []
    for i, raw in enumerate(raw_processes):
        p = TableReader(file, f"{where}.processes[{i}]", raw)
        name = p.required_string("name")
        processes.append(Process(name, p.rule("versions"), words.note(entry_id, "process_notes", name)))
        p.finish()
    words.check_notes_name(entry_id, "process_notes", (p.name for p in processes))
    guidance = r.strings("guidance", optional=False)
    configurable_raw = r._get("configurable", (bool, str))
    if isinstance(configurable_raw, str) and configurable_raw != "not stated":
        raise r.fail("configurable", 'expected true, false or "not stated"')
    scheme = r.optional_choice("scheme", SCHEMES)
    protocol = r.choice("protocol", PROTOCOLS)
    checks = r.strings("checks", vocabulary.checks)
    for i, check_id in enumerate(checks):
        spec = vocabulary.checks[check_id]
        if spec.protocol != protocol:
            raise r.fail(f"checks[{i}]", f"{check_id!r} is a {spec.protocol.upper()} check")
        if spec.payload is not None and table.get("sends") != spec.payload:
            raise r.fail(f"checks[{i}]", f"{check_id!r} reads the answer to sends = {spec.payload!r}")
    sends = r.optional_choice("sends", vocabulary.payloads)
    if sends is not None and protocol != "udp":
        raise r.fail("sends", "only a UDP probe sends a payload")
    client_channel = r.flag("client_channel")
    if client_channel and scheme is None:
        raise r.fail("client_channel", "a client channel needs its scheme")
    optional_table = r._get("optional", dict, optional=True)
    not_listening = r.strings("not_listening_guidance") if "not_listening_guidance" in table else None
    entry = PortEntry(
        id=entry_id,
        row=r.integer("row", 1, 1000),
        protocol=protocol,
        port=r.integer("port", 1, 65535),
        scheme=scheme,
        purpose=words.text(entry_id, "purpose"),
        processes=tuple(processes),
        initiator=words.text(entry_id, "initiator"),
        direction=r.choice("direction", DIRECTIONS),
        listener=r.choice("listener", LISTENERS),
        localhost_only=r.boolean("localhost_only"),
        configurable=configurable_raw if isinstance(configurable_raw, bool) else None,
        versions=r.rule("versions"),
        versions_text=words.text(entry_id, "versions_text"),
        notes=words.texts(entry_id, "notes"),
        guidance=guidance,
        checks=checks,
        sends=sends,
        platform=r.optional_choice("platform", PLATFORMS),
        push=r.optional_choice("push", PUSH_ROLES),
        client_channel=client_channel,
        feature=r.optional_choice("feature", vocabulary.features),
        optional=None if optional_table is None else _optional(file, f"{where}.optional", optional_table),
        not_listening_guidance=not_listening,
        search_terms=r.strings("search_terms"),
        firewall_rule=r.string("firewall_rule", optional=True),
    )
    r.finish()
    return entry


def _step_numbers(r: TableReader, key: str, numbers: list[Any]) -> None:
    for i, number in enumerate(numbers):
        if not isinstance(number, int) or isinstance(number, bool) or number < 1 or number in numbers[:i]:
            raise r.fail(f"{key}[{i}]", "expected a step number (1, 2, ...), each once")


def _parse_guidance(file: str, index: int, table: Any) -> tuple[str, str, frozenset[int], tuple[tuple[int, str], ...]]:
    r = TableReader(file, f"guidance[{index}]", table)
    gid, source = r.required_string("id"), r.choice("source", GUIDANCE_SOURCES)
    own = r.list_of("own_steps", optional=True)
    if own and source != "vendor":
        raise r.fail("own_steps", "only a vendor item has steps of its own (a field item's are all the program's)")
    _step_numbers(r, "own_steps", own)
    said_by = r.list_of("said_by", optional=True)
    pairs = []
    for i, pair in enumerate(said_by):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], str)):
            raise r.fail(f"said_by[{i}]", "expected [step number, guidance id]")
        _step_numbers(r, "said_by", [p[0] for p in said_by[: i + 1]])
        pairs.append((pair[0] - 1, pair[1]))
    r.finish()
    return gid, source, frozenset(number - 1 for number in own), tuple(pairs)


class CheckDeclaration(Protocol):
    """What the catalogue needs to know of an application check (``core.checks``)."""

    @property
    def protocol(self) -> str: ...

    @property
    def payload(self) -> str | None: ...

    @property
    def guidance(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Vocabulary:
    """What the catalogue may name that is defined elsewhere: application checks and probe
    payloads (``core.checks``), optional features (the messages' ``[feature]``)."""

    checks: Mapping[str, CheckDeclaration]
    payloads: Collection[str]
    features: Collection[str]


def shipped_vocabulary() -> Vocabulary:
    from sep_port_doctor.core.checks import payloads, registry

    features = tuple(group_words("feature", languages()[0]))
    return Vocabulary(registry(), tuple(payloads()), features)


def _top_level(file: str, doc: dict[str, Any], known: tuple[str, ...]) -> None:
    for key in doc:
        if key not in known:
            raise CatalogError(file, key, f"unknown key (known: {', '.join(known)})")


def _check_entry_references(file: str, where: str, entry: PortEntry, guidance: Mapping[str, Guidance]) -> None:
    cited = [("guidance", gid) for gid in entry.guidance]
    cited += [("not_listening_guidance", gid) for gid in entry.not_listening_guidance or ()]
    if entry.optional is not None and entry.optional.guidance is not None:
        cited.append(("optional.guidance", entry.optional.guidance))
    for field_name, gid in cited:
        if gid not in guidance:
            raise CatalogError(file, f"{where}.{field_name}", f"unknown guidance id {gid!r}")


def _check_roles(file: str, entries: list[PortEntry]) -> None:
    """One entry per push role and per client channel: code asks the catalogue for "the" one."""
    for kind in ("push", "client_channel"):
        seen: dict[str, str] = {}
        for i, entry in enumerate(entries):
            value = entry.push if kind == "push" else (entry.scheme if entry.client_channel else None)
            if value is None:
                continue
            if value in seen:
                raise CatalogError(file, f"entry[{i}] ({entry.id}).{kind}", f"{value!r} is {seen[value]}'s already")
            seen[value] = entry.id


def parse_catalog(
    ports_file: str,
    ports_data: bytes,
    guidance_file: str,
    guidance_data: bytes,
    read: ReadWords = language_file,
    vocabulary: Vocabulary | None = None,
) -> Catalog:
    """Build a Catalog from the two files' bytes and every language's words (``read``); raises
    CatalogError. ``vocabulary``: the ids defined elsewhere that entries may name (the shipped
    checks and features when None)."""
    vocabulary = vocabulary or shipped_vocabulary()
    guidance_doc = read_toml(guidance_file, guidance_data)
    _top_level(guidance_file, guidance_doc, ("guidance", "general"))
    sources: dict[str, str] = {}
    own_steps: dict[str, frozenset[int]] = {}
    said_by: dict[str, tuple[tuple[int, str], ...]] = {}
    for i, raw in enumerate(guidance_doc.get("guidance", [])):
        gid, source, own, taken_over = _parse_guidance(guidance_file, i, raw)
        if gid in sources:
            raise CatalogError(guidance_file, f"guidance[{i}].id", f"duplicate id {gid!r}")
        sources[gid], own_steps[gid], said_by[gid] = source, own, taken_over
    if not sources:
        raise CatalogError(guidance_file, "guidance", "no [[guidance]] entries")
    general = guidance_doc.get("general", [])
    if not isinstance(general, list) or not all(isinstance(g, str) for g in general):
        raise CatalogError(guidance_file, "general", "must be a list of guidance ids")
    for gid in general:
        if gid not in sources:
            raise CatalogError(guidance_file, "general", f"unknown guidance id {gid!r}")
        if sources[gid] != "vendor":
            raise CatalogError(guidance_file, "general", f"{gid!r} is not the vendor's (source = vendor)")
    said = _Words("guidance.toml", read, sources, _GUIDANCE_WORDS)
    guidance = {
        gid: Guidance(
            gid,
            source,
            said.text(gid, "title"),
            said.text(gid, "text"),
            said.texts(gid, "steps"),
            own_steps[gid],
            said.texts(gid, "own_notes"),
            said_by[gid],
        )
        for gid, source in sources.items()
    }
    for gid, item in guidance.items():
        if any(index >= len(item.steps) for index in item.own_steps):
            raise CatalogError(guidance_file, f"{gid}.own_steps", f"names a step it does not have ({len(item.steps)})")
        if item.own_notes and item.source != "vendor":
            raise CatalogError(
                said.files[languages()[0]],
                f"{gid}.own_notes",
                "only a vendor item has notes of its own (source = vendor)",
            )
        for index, other in item.said_by:
            if index >= len(item.steps):
                raise CatalogError(
                    guidance_file, f"{gid}.said_by", f"names a step it does not have ({len(item.steps)})"
                )
            if other not in guidance or other == gid:
                raise CatalogError(guidance_file, f"{gid}.said_by", f"unknown guidance id {other!r}")

    for check_id, check in vocabulary.checks.items():
        for gid in check.guidance:
            if gid not in guidance:
                raise CatalogError(guidance_file, "guidance", f"check {check_id!r} cites unknown guidance id {gid!r}")

    ports_doc = read_toml(ports_file, ports_data)
    _top_level(ports_file, ports_doc, ("entry",))
    raw_entries = ports_doc.get("entry")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogError(ports_file, "entry", "no [[entry]] tables")
    ids: list[str] = []
    for i, raw in enumerate(raw_entries):
        entry_id = TableReader(ports_file, f"entry[{i}]", raw).required_string("id")
        if entry_id in ids:
            raise CatalogError(ports_file, f"entry[{i}].id", f"duplicate id {entry_id!r}")
        ids.append(entry_id)
    words = _Words("ports.toml", read, ids, _PORT_WORDS)
    entries: list[PortEntry] = []
    for i, raw in enumerate(raw_entries):
        entry = _parse_entry(ports_file, i, raw, words, vocabulary)
        _check_entry_references(ports_file, f"entry[{i}] ({entry.id})", entry, guidance)
        entries.append(entry)
    _check_roles(ports_file, entries)
    return Catalog(tuple(entries), guidance, tuple(general))


@cache
def load_catalog() -> Catalog:
    """The catalogue shipped in resources/ (works installed and frozen)."""
    base = resource_files() / "catalog"
    try:
        ports_data = (base / "ports.toml").read_bytes()
        guidance_data = (base / "guidance.toml").read_bytes()
    except OSError as exc:
        raise CatalogError(
            str(getattr(exc, "filename", "resources/catalog")), "file", f"cannot be read: {exc.strerror}"
        ) from None
    return parse_catalog("resources/catalog/ports.toml", ports_data, "resources/catalog/guidance.toml", guidance_data)


@cache
def extra_entry(entry_id: str) -> PortEntry:
    """The entry of ``extra-PROTOCOL-PORT``: what the catalogue would say, for a port it does not hold."""
    _prefix, protocol, port = entry_id.split("-", 2)
    return PortEntry(
        id=entry_id,
        row=0,
        protocol=protocol,
        port=int(port),
        scheme=None,
        purpose=Text.message("extra.purpose"),
        processes=(),
        initiator=Text.message("extra.initiator"),
        direction="client_to_manager",
        listener="manager",
        localhost_only=False,
        configurable=None,
        versions=parse_rule("all"),
        versions_text=Text.message("word.all_versions"),
        notes=(),
        guidance=(),
    )


def configurable_code(entry: PortEntry) -> str:
    return {True: "yes", False: "no", None: "unknown"}[entry.configurable]
