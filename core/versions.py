"""SEP versions as technicians type them and as Windows reports them.

Accepted forms (case-insensitive, full-width characters allowed):
``12.1``, ``12.1.5``, ``12.1 RU4``, ``12.1.6 MP10``, ``12.1 RU6 MP10``, ``14``,
``14.0 MP2``, ``14.0.1``, ``14 RU1``, ``14.0.1 MP2``, ``14.2 RU2 MP1``, ``14.3``,
``14.3 RU1 MP1``, ``14.3 RU10`` and four-part builds such as ``14.3.3580.1100``.

Releases are ordered by (major, minor, RU, MP). ``12.1.5`` is 12.1 RU5 and
``14.0.1`` is 14 RU1, as the vendor numbers them. Version rules (the catalogue's
"applicable versions") are parsed by :func:`parse_rule`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from core.errors import UserError

ACCEPTED_FORMS = (
    "12.1, 12.1.5, 12.1 RU4, 12.1.6 MP10, 14, 14.0 MP2, 14.0.1, 14 RU1, "
    "14.2 RU2 MP1, 14.3, 14.3 MP1, 14.3 RU1 MP1, 14.3 RU10, 14.3.3580.1100"
)

# Highest release update per minor release that this program accepts. 14.3 is
# left open-ended enough for future RUs; a typo like "14.3 RU100" is refused.
_MAX_RU = {(12, 1): 6, (14, 0): 1, (14, 2): 2, (14, 3): 20}
_MAX_MP = 20

# Known full builds (FIELD-NOTES, confidence in brackets there) -> release.
KNOWN_BUILDS: dict[str, tuple[int, int, int, int]] = {
    "14.0.3752.1000": (14, 0, 1, 0),
    "14.0.3876.1100": (14, 0, 1, 1),
    "14.2.3335.1000": (14, 2, 1, 0),
    "14.2.5323.2000": (14, 2, 2, 0),
    "14.3.558.0000": (14, 3, 0, 0),
    "14.3.3384.1000": (14, 3, 1, 0),
    "14.3.3580.1100": (14, 3, 1, 1),
    "14.3.4615.2000": (14, 3, 2, 0),
    "14.3.5470.3000": (14, 3, 3, 0),
    "14.3.7388.4000": (14, 3, 4, 0),
    "14.3.8259.5000": (14, 3, 5, 0),
    "14.3.9205.6000": (14, 3, 6, 0),
    "14.3.9816.7000": (14, 3, 7, 0),
    "14.3.10148.8000": (14, 3, 8, 0),
    "12.1.7445.7000": (12, 1, 6, 10),
    "12.1.7454.7000": (12, 1, 6, 10),
}


class VersionError(UserError):
    """A version or version rule that cannot be understood; the message is for users."""


@dataclass(frozen=True)
class SepVersion:
    """One SEP release, optionally with the exact build it came from."""

    major: int
    minor: int
    ru: int = 0
    mp: int = 0
    build: tuple[int, int] | None = None
    """(build, revision) of a four-part build number, when one was given."""
    build_known: bool = True
    """False when ``build`` is not in the known-builds table and the release was inferred."""
    text: str = field(default="", compare=False)

    @property
    def release_key(self) -> tuple[int, int, int, int]:
        """What version rules compare: the release, not the build."""
        return (self.major, self.minor, self.ru, self.mp)

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        return (*self.release_key, self.build[0] if self.build else 0)

    @property
    def release_name(self) -> str:
        """The vendor's name of the release: ``14.3 RU1 MP1``, ``14.0.1 MP2``, ``12.1 RU6 MP10``."""
        if (self.major, self.minor) == (14, 0) and self.ru == 1:
            name = "14.0.1"
        else:
            name = f"{self.major}.{self.minor}"
            if self.ru:
                name += f" RU{self.ru}"
        if self.mp:
            name += f" MP{self.mp}"
        return name

    @property
    def build_text(self) -> str | None:
        if self.build is None:
            return None
        return f"{self.major}.{self.minor}.{self.build[0]}.{self.build[1]:04d}"

    def describe(self) -> str:
        """Release name, plus the build and whether it is known."""
        if self.build_text is None:
            return self.release_name
        if self.build_known:
            return f"{self.release_name} ({self.build_text})"
        return f"{self.release_name}? ({self.build_text}, unknown build)"

    def __lt__(self, other: SepVersion) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: SepVersion) -> bool:
        return self.sort_key <= other.sort_key

    def __gt__(self, other: SepVersion) -> bool:
        return self.sort_key > other.sort_key

    def __ge__(self, other: SepVersion) -> bool:
        return self.sort_key >= other.sort_key


_RELEASE_RE = re.compile(
    r"^(?P<major>\d{1,2})(?:\.(?P<minor>\d{1,2}))?(?:\.(?P<third>\d{1,2}))?"
    r"(?:\s*RU\s*(?P<ru>\d{1,3}))?(?:\s*MP\s*(?P<mp>\d{1,3}))?$",
    re.IGNORECASE,
)
_BUILD_RE = re.compile(r"^(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.(?P<build>\d{1,6})\.(?P<rev>\d{1,5})$")


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (１４．３ ＲＵ１) typed on Japanese IMEs.
    folded = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", " ", folded)


def _refuse(text: str, why: str, **params: int) -> VersionError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return VersionError("version-refused", text=repr(shown), why=VersionError(why, **params), forms=ACCEPTED_FORMS)


def _check_release(text: str, major: int, minor: int, ru: int, mp: int) -> None:
    if (major, minor) not in _MAX_RU:
        raise _refuse(text, "version-no-minor", major=major, minor=minor)
    if ru > _MAX_RU[(major, minor)]:
        raise _refuse(text, "version-no-ru", major=major, minor=minor, ru=ru)
    if mp > _MAX_MP:
        raise _refuse(text, "version-mp-range", mp=mp)


def parse_version(text: str) -> SepVersion:
    """Parse what a technician typed or what Windows reported. Raises VersionError."""
    if not isinstance(text, str):
        raise VersionError("version-not-text")
    norm = _normalise(text)
    if not norm:
        raise VersionError("version-empty", forms=ACCEPTED_FORMS)
    if len(norm) > 40:
        raise _refuse(norm, "version-too-long")
    if norm.lower().startswith("v"):
        norm = norm[1:].lstrip()

    build_match = _BUILD_RE.match(norm)
    if build_match:
        return _parse_build(norm, build_match)

    match = _RELEASE_RE.match(norm)
    if not match:
        raise _refuse(norm, "version-unrecognised")
    major = int(match["major"])
    minor = int(match["minor"]) if match["minor"] is not None else 0
    if match["minor"] is None and major == 12:
        raise _refuse(norm, "version-say-12-1")
    third = int(match["third"]) if match["third"] is not None else None
    ru = int(match["ru"]) if match["ru"] is not None else 0
    mp = int(match["mp"]) if match["mp"] is not None else 0
    if third is not None:
        if match["ru"] is not None:
            raise _refuse(norm, "version-third-and-ru")
        # 12.1.5 is 12.1 RU5; 14.0.1 is 14 RU1; other three-part names do not exist.
        if (major, minor) == (12, 1) and 1 <= third <= 6:
            ru = third
        elif (major, minor) == (14, 0) and third == 1:
            ru = 1
        elif third == 0:
            ru = 0
        else:
            raise _refuse(norm, "version-no-release", major=major, minor=minor, third=third)
    _check_release(norm, major, minor, ru, mp)
    return SepVersion(major, minor, ru, mp, text=text)


def _parse_build(norm: str, match: re.Match[str]) -> SepVersion:
    major, minor = int(match["major"]), int(match["minor"])
    build, rev = int(match["build"]), int(match["rev"])
    key = f"{major}.{minor}.{build}.{rev:04d}"
    if key in KNOWN_BUILDS:
        k = KNOWN_BUILDS[key]
        return SepVersion(*k, build=(build, rev), build_known=True, text=norm)
    if (major, minor) not in _MAX_RU:
        raise _refuse(norm, "version-no-minor", major=major, minor=minor)
    # Rule of thumb (FIELD-NOTES, medium confidence): the last field's thousands
    # are the RU and its hundreds the MP. 12.1 does not follow it past RU6, so the
    # inferred release is never below the nearest lower known build.
    ru = min(rev // 1000, _MAX_RU[(major, minor)])
    mp = (rev % 1000) // 100
    inferred = (major, minor, ru, mp)
    lower_known = [
        release
        for known, release in KNOWN_BUILDS.items()
        if release[:2] == (major, minor) and int(known.split(".")[2]) < build
    ]
    if lower_known:
        inferred = max(inferred, max(lower_known))
    return SepVersion(*inferred, build=(build, rev), build_known=False, text=norm)


# --- Rules -------------------------------------------------------------------------

_CLAUSE_RE = re.compile(r"^(?P<op>>=|<=|>|<|==)\s*(?P<version>.+)$")
_SERIES_RE = re.compile(r"^(?P<major>\d{1,2})(?:\.(?P<minor>\d{1,2}))?\.x$", re.IGNORECASE)


@dataclass(frozen=True)
class _Clause:
    op: str
    key: tuple[int, ...]

    def holds(self, version: SepVersion) -> bool:
        if self.op == "series":
            return version.release_key[: len(self.key)] == self.key
        have = version.release_key
        return {
            ">=": have >= self.key,
            "<=": have <= self.key,
            ">": have > self.key,
            "<": have < self.key,
            "==": have == self.key,
        }[self.op]


@dataclass(frozen=True)
class VersionRule:
    """A parsed "applicable versions" rule: every clause must hold."""

    text: str
    clauses: tuple[_Clause, ...]

    def matches(self, version: SepVersion) -> bool:
        return all(clause.holds(version) for clause in self.clauses)

    @property
    def is_all(self) -> bool:
        return not self.clauses


def parse_rule(text: str) -> VersionRule:
    """Parse ``all``, ``>=12.1.5``, ``<=14.3 MP1``, ``14.2.x``, ``12.1.x``, ``14.x``,
    or clauses joined by ``,``. Raises VersionError naming the bad clause."""
    norm = _normalise(text)
    if norm.lower() == "all":
        return VersionRule(text, ())
    clauses: list[_Clause] = []
    for raw in norm.split(","):
        part = raw.strip()
        series = _SERIES_RE.match(part)
        if series:
            key: tuple[int, ...] = (int(series["major"]),)
            if series["minor"] is not None:
                key += (int(series["minor"]),)
            clauses.append(_Clause("series", key))
            continue
        clause = _CLAUSE_RE.match(part)
        if not clause:
            raise VersionError("bad-rule", clause=repr(part))
        version = parse_version(clause["version"])
        clauses.append(_Clause(clause["op"], version.release_key))
    return VersionRule(text, tuple(clauses))


# Releases offered in the GUI's version pickers, oldest first.
KNOWN_RELEASES: tuple[str, ...] = (
    "12.1",
    "12.1 RU1",
    "12.1 RU2",
    "12.1 RU3",
    "12.1 RU4",
    "12.1.5",
    "12.1.6",
    "12.1.6 MP10",
    "14.0",
    "14.0 MP1",
    "14.0 MP2",
    "14.0.1",
    "14.0.1 MP1",
    "14.0.1 MP2",
    "14.2",
    "14.2 RU1",
    "14.2 RU2",
    "14.2 RU2 MP1",
    "14.3",
    "14.3 MP1",
    "14.3 RU1",
    "14.3 RU1 MP1",
    *(f"14.3 RU{n}" for n in range(2, 11)),
)


def out_of_support(version: SepVersion) -> bool:
    """SEP 12.1 and 14.0 to 14.2 are out of vendor support (end of 2024 for 14.0-14.2)."""
    return version.release_key < (14, 3, 0, 0)
