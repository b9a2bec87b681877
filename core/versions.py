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

from sep_port_doctor.core.errors import UserError
from sep_port_doctor.core.i18n import Lang, say

ACCEPTED_FORMS = (
    "12.1, 12.1.5, 12.1 RU4, 12.1.6 MP10, 14, 14.0 MP2, 14.0.1, 14 RU1, "
    "14.2 RU2 MP1, 14.3, 14.3 MP1, 14.3 RU1 MP1, 14.3 RU10, 14.3 RU9 Patch 2, 14.3.3580.1100"
)

# The releases the vendor published, (major, minor, RU) -> its highest MP (0: none).
# Names from FIELD-NOTES; the MPs from public vulnerability-scanner plugins (Tenable
# Nessus, Greenbone) that name them with their builds, listed in KNOWN_BUILDS below.
# Where a release's MPs are not certain the table errs on accepting: refusing a real
# release at a customer's desk is worse than accepting one that never shipped.
RELEASES: dict[tuple[int, int, int], int] = {
    (12, 1, 0): 0,
    (12, 1, 1): 1,  # 12.1 RU1 MP1 = 12.1.1101.401 (Tenable: "Fixed version 12.1.1101.401 (12.1 RU1 MP1)")
    (12, 1, 2): 1,  # 12.1 RU2 MP1 (12.1.2100.2093, medium)
    (12, 1, 3): 0,
    (12, 1, 4): 1,  # 12.1 RU4 MP1 = 12.1.4100.4126 (Tenable: "SEPM 12.1 RU4 MP1 (12.1.4100.4126)")
    (12, 1, 5): 0,
    (12, 1, 6): 10,  # 12.1 RU6 MP1 .. MP10
    (14, 0, 0): 2,  # 14.0 MP1, MP2
    (14, 0, 1): 2,  # 14.0.1 (= 14 RU1) MP1, MP2
    (14, 2, 0): 1,  # 14.2 MP1 = 14.2.1031.0100 (the 8446 version API of a 14.2 MP1 manager, public test data)
    (14, 2, 1): 1,  # 14.2 RU1 MP1 (medium)
    (14, 2, 2): 1,  # 14.2 RU2 MP1 = 14.2.5569.2100 (Tenable SYMSA1505)
    (14, 3, 0): 1,  # 14.3 MP1 (the administration guide: "14.3 MP1 (14.3.0.1)")
    (14, 3, 1): 1,  # 14.3 RU1 MP1
    **{(14, 3, ru): 0 for ru in range(2, 11)},  # RU2 .. RU10: later updates are "Patch N"
}
LATEST_KNOWN = max(RELEASES)
"""The newest release this program's catalogue was written for: 14.3 RU10."""

# Releases newer than the catalogue (Broadcom ships 14.4 and 16.x) are accepted as
# "newer than known" and judged by the rules of the latest known release, within these
# bounds: a typo such as "41.3" is still refused.
_NEWER_MAJORS = range(14, 20)
_NEWER_MAX = 20
"""RU, MP and patch numbers above this are refused as typos for a newer release."""

# Known full builds -> (major, minor, RU, MP). Sources: FIELD-NOTES (confidence there),
# and public scanner plugins and scripts that pair a build with its release name.
KNOWN_BUILDS: dict[str, tuple[int, int, int, int]] = {
    # 12.1 RTM .. RU3 do not follow the thousands rule (the revision is no RU number).
    "12.1.671.4971": (12, 1, 0, 0),  # 12.1 RTM (FIELD-NOTES)
    "12.1.1000.157": (12, 1, 1, 0),  # 12.1 RU1 (Tenable: "# 12.1 RU1 (12.1.1000)")
    "12.1.1101.401": (12, 1, 1, 1),  # 12.1 RU1 MP1 (Tenable)
    "12.1.2015.2015": (12, 1, 2, 0),  # 12.1 RU2 (Tenable: "Versions 12.1 RU2 (12.1.2015.2015)")
    "12.1.3001.165": (12, 1, 3, 0),  # 12.1 RU3 (Tenable: "Fixed version 12.1.3001.165 (12.1 RU3)")
    "12.1.4013.4013": (12, 1, 4, 0),  # 12.1 RU4 (Greenbone, citing Broadcom TECH154475)
    "12.1.4100.4126": (12, 1, 4, 1),  # 12.1 RU4 MP1 (Tenable)
    "12.1.5337.5000": (12, 1, 5, 0),  # 12.1 RU5 (public uninstall scripts; thousands rule)
    "12.1.6168.6000": (12, 1, 6, 0),  # 12.1 RU6 (Greenbone: "12.1 RU6 (12.1.6168.6000)")
    "12.1.6465.6200": (12, 1, 6, 2),  # 12.1 RU6 MP2 (Greenbone: "12.1 RU6 MP2(12.1.6465.6200)")
    "12.1.6867.6400": (12, 1, 6, 4),  # 12.1 RU6 MP4 (the SEPM API's own formattedVersion)
    "12.1.7004.6500": (12, 1, 6, 5),  # 12.1 RU6 MP5 (the SEPM API's own formattedVersion)
    "12.1.7369.6900": (12, 1, 6, 9),  # 12.1 RU6 MP9 (Tenable: 12.1.x fixed in 12.1.7369.6900)
    "12.1.7445.7000": (12, 1, 6, 10),  # 12.1 RU6 MP10 (FIELD-NOTES, medium)
    "12.1.7454.7000": (12, 1, 6, 10),  # 12.1 RU6 MP10 re-release (FIELD-NOTES, medium)
    "14.0.3752.1000": (14, 0, 1, 0),  # 14.0.1 (FIELD-NOTES, medium)
    "14.0.3876.1100": (14, 0, 1, 1),  # 14.0.1 MP1 (FIELD-NOTES, high)
    "14.2.1031.0100": (14, 2, 0, 1),  # 14.2 MP1 (public SEPM API test data: version 14.2.1031.0100)
    "14.2.3332.1000": (14, 2, 1, 0),  # 14.2 RU1, first build (Tenable: "< 14.2.3332.1000", SYMSA1479)
    "14.2.3335.1000": (14, 2, 1, 0),  # 14.2 RU1 re-release (FIELD-NOTES, medium)
    "14.2.5323.2000": (14, 2, 2, 0),  # 14.2 RU2 (FIELD-NOTES, medium)
    "14.2.5569.2100": (14, 2, 2, 1),  # 14.2 RU2 MP1 (Tenable: "14.x < 14.2.5569.2100", SYMSA1505)
    "14.3.558.0000": (14, 3, 0, 0),  # 14.3 (FIELD-NOTES, medium-high)
    "14.3.3384.1000": (14, 3, 1, 0),  # 14.3 RU1 (FIELD-NOTES, medium)
    "14.3.3580.1100": (14, 3, 1, 1),  # 14.3 RU1 MP1 (FIELD-NOTES, high)
    "14.3.4615.2000": (14, 3, 2, 0),  # 14.3 RU2 (FIELD-NOTES, high)
    "14.3.5470.3000": (14, 3, 3, 0),  # 14.3 RU3, patched (FIELD-NOTES, high)
    "14.3.7388.4000": (14, 3, 4, 0),  # 14.3 RU4 (FIELD-NOTES; Tenable 171960: "minver 14.3.7388.4000")
    "14.3.7419.4000": (14, 3, 4, 0),  # 14.3 RU4 patch build (Tenable 171960, Broadcom advisory 21165)
    "14.3.8259.5000": (14, 3, 5, 0),  # 14.3 RU5 (FIELD-NOTES; Tenable 171960)
    "14.3.8289.5000": (14, 3, 5, 0),  # 14.3 RU5 patch build (Tenable 171960)
    "14.3.9205.6000": (14, 3, 6, 0),  # 14.3 RU6 (FIELD-NOTES; Tenable 171960)
    "14.3.9210.6000": (14, 3, 6, 0),  # 14.3 RU6 patch build (Tenable 171960)
    "14.3.9816.7000": (14, 3, 7, 0),  # 14.3 RU7 (FIELD-NOTES, medium)
    "14.3.10148.8000": (14, 3, 8, 0),  # 14.3 RU8 (FIELD-NOTES, medium)
    "14.3.11213.9000": (14, 3, 9, 0),  # 14.3 RU9 (FIELD-NOTES, scanner plugins, medium)
    "14.3.11232.9000": (14, 3, 9, 0),  # 14.3 RU9 patch build (public installer folder names, medium)
    "14.3.12154.10000": (14, 3, 10, 0),  # 14.3 RU10 (Broadcom KB 386578 "SEP 14.3 RU10 (14.3.12154.10000)")
}


class VersionError(UserError):
    """A version or version rule that cannot be understood; the message is for users."""


def _release_name(major: int, minor: int, ru: int, mp: int, patch: int = 0) -> str:
    if (major, minor) == (14, 0) and ru == 1:
        name = "14.0.1"
    else:
        name = f"{major}.{minor}"
        if ru:
            name += f" RU{ru}"
    if mp:
        name += f" MP{mp}"
    if patch:
        name += f" Patch {patch}"
    return name


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
    patch: int = 0
    """Broadcom's "Patch N" on top of a release (14.3 RU9 Patch 2); ports do not change with it."""

    @property
    def release_key(self) -> tuple[int, int, int, int]:
        """What version rules compare: the release, not the build or the patch."""
        return (self.major, self.minor, self.ru, self.mp)

    @property
    def sort_key(self) -> tuple[int, int, int, int, int, int]:
        return (*self.release_key, self.patch, self.build[0] if self.build else 0)

    @property
    def newer_than_known(self) -> bool:
        """A release after the latest the catalogue knows: judged by the latest rules."""
        return (self.major, self.minor, self.ru) > LATEST_KNOWN

    @property
    def release_name(self) -> str:
        """The vendor's name of the release: ``14.3 RU1 MP1``, ``14.0.1 MP2``, ``14.3 RU9 Patch 2``."""
        return _release_name(self.major, self.minor, self.ru, self.mp, self.patch)

    @property
    def build_text(self) -> str | None:
        if self.build is None:
            return None
        # 14.x pads the revision to four digits (14.3.558.0000); early 12.1 builds do not (12.1.1000.157).
        revision = f"{self.build[1]:04d}" if self.major >= 14 else str(self.build[1])
        return f"{self.major}.{self.minor}.{self.build[0]}.{revision}"

    def describe(self, lang: Lang = "en") -> str:
        """Release name, plus the build and whether it is known, in the user's language."""
        name = self.release_name
        if self.newer_than_known:
            latest = _release_name(*LATEST_KNOWN, 0)
            name += " (" + say("version.newer", lang, latest=latest) + ")"
        if self.build_text is None:
            return name
        if self.build_known:
            return f"{name} ({self.build_text})"
        return f"{name}? ({self.build_text}, {say('version.unknown_build', lang)})"

    def __lt__(self, other: SepVersion) -> bool:
        return self.sort_key < other.sort_key

    def __le__(self, other: SepVersion) -> bool:
        return self.sort_key <= other.sort_key

    def __gt__(self, other: SepVersion) -> bool:
        return self.sort_key > other.sort_key

    def __ge__(self, other: SepVersion) -> bool:
        return self.sort_key >= other.sort_key


@dataclass(frozen=True)
class Described:
    """A version as each language describes it (a newer release, an unknown build): a value of a message."""

    version: SepVersion

    def say(self, lang: Lang) -> str:
        return self.version.describe(lang)


_RELEASE_RE = re.compile(
    r"^(?P<major>\d{1,2})(?:\.(?P<minor>\d{1,2}))?(?:\.(?P<third>\d{1,2}))?"
    r"(?:\s*RU\s*(?P<ru>\d{1,3}))?(?:\s*MP\s*(?P<mp>\d{1,3}))?(?:\s*Patch\s*(?P<patch>\d{1,3}))?$",
    re.IGNORECASE,
)
_BUILD_RE = re.compile(r"^(?P<major>\d{1,2})\.(?P<minor>\d{1,2})\.(?P<build>\d{1,6})\.(?P<rev>\d{1,5})$")


_PRODUCT_NAME = re.compile(r"^(?:symantec endpoint protection(?: manager)?|sepm?)(?= ?\d| v\d)\s*", re.IGNORECASE)


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and letters (14.3 RU1 typed full-width) typed on Japanese IMEs.
    folded = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", " ", folded)


def _refuse(text: str, why: str, **params: object) -> VersionError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return VersionError("version-refused", text=repr(shown), why=VersionError(why, **params), forms=ACCEPTED_FORMS)


def _is_newer_minor(major: int, minor: int) -> bool:
    return (major, minor) > LATEST_KNOWN[:2] and major in _NEWER_MAJORS and minor <= 9


def _known_minor(major: int, minor: int) -> bool:
    return any(release[:2] == (major, minor) for release in RELEASES)


def _check_release(text: str, major: int, minor: int, ru: int, mp: int, patch: int) -> None:
    if _is_newer_minor(major, minor) or ((major, minor) == LATEST_KNOWN[:2] and ru > LATEST_KNOWN[2]):
        if max(ru, mp, patch) > _NEWER_MAX:
            raise _refuse(text, "version-newer-range", limit=_NEWER_MAX)
        return
    if not _known_minor(major, minor):
        raise _refuse(text, "version-no-minor", major=major, minor=minor)
    if (major, minor, ru) not in RELEASES:
        raise _refuse(text, "version-no-ru", major=major, minor=minor, ru=ru)
    highest = RELEASES[(major, minor, ru)]
    if mp > highest:
        base = _release_name(major, minor, ru, 0)
        known = ", ".join(_release_name(major, minor, ru, n) for n in range(1, highest + 1))
        if known:
            raise _refuse(text, "version-no-mp", release=base, mp=mp, known=known)
        raise _refuse(text, "version-no-mp-at-all", release=base, mp=mp)
    if patch and (major, minor) < (14, 3):
        raise _refuse(text, "version-no-patch", release=_release_name(major, minor, ru, mp))
    if patch > _NEWER_MAX:
        raise _refuse(text, "version-newer-range", limit=_NEWER_MAX)


def parse_version(text: str) -> SepVersion:
    """Parse what a technician typed or what Windows reported. Raises VersionError."""
    if not isinstance(text, str):
        raise VersionError("version-not-text")
    norm = _normalise(text)
    if not norm:
        raise VersionError("version-empty", forms=ACCEPTED_FORMS)
    # The product's name before the version, as the reference, the report and the manager's
    # console write it ("SEP 14.3 RU1", "Symantec Endpoint Protection Manager 14.3 RU1").
    norm = _PRODUCT_NAME.sub("", norm[:80], count=1) + norm[80:]
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
    patch = int(match["patch"]) if match["patch"] is not None else 0
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
    _check_release(norm, major, minor, ru, mp, patch)
    return SepVersion(major, minor, ru, mp, text=text, patch=patch)


def _numbers(build: str) -> tuple[int, int, int, int]:
    major, minor, number, rev = (int(part) for part in build.split("."))
    return major, minor, number, rev


# "14.3.558.0" and "14.3.558.0000" are the same build.
_KNOWN_BY_NUMBERS = {_numbers(build): release for build, release in KNOWN_BUILDS.items()}


def _builds_of(major: int, minor: int) -> list[tuple[int, tuple[int, int, int, int]]]:
    """The known builds of one minor release as (build number, release), by build number."""
    return sorted(
        (numbers[2], release) for numbers, release in _KNOWN_BY_NUMBERS.items() if numbers[:2] == (major, minor)
    )


def _parse_build(norm: str, match: re.Match[str]) -> SepVersion:
    major, minor = int(match["major"]), int(match["minor"])
    build, rev = int(match["build"]), int(match["rev"])
    known_release = _KNOWN_BY_NUMBERS.get((major, minor, build, rev))
    if known_release is not None:
        return SepVersion(*known_release, build=(build, rev), build_known=True, text=norm)
    # Rule of thumb (FIELD-NOTES, medium confidence): the last field's thousands are
    # the RU and its hundreds the MP.
    ru, mp = rev // 1000, (rev % 1000) // 100
    if _is_newer_minor(major, minor):
        return SepVersion(major, minor, min(ru, _NEWER_MAX), mp, build=(build, rev), build_known=False, text=norm)
    if not _known_minor(major, minor):
        raise _refuse(norm, "version-no-minor", major=major, minor=minor)
    # The rule fails for 12.1 RTM .. RU3 and past 12.1 RU6, so the guess is kept between
    # the releases of the nearest known builds below and above: builds are numbered in
    # release order, so this keeps the true order of every build.
    releases_here = sorted(r for r in RELEASES if r[:2] == (major, minor))
    if (major, minor, ru) in RELEASES:
        guess = (major, minor, ru, min(mp, RELEASES[(major, minor, ru)]))
    elif (major, minor) == LATEST_KNOWN[:2] and ru > LATEST_KNOWN[2]:
        guess = (major, minor, min(ru, _NEWER_MAX), mp)  # a 14.3 RU11 and later: newer than known
    else:
        last = releases_here[-1]
        guess = (*last, RELEASES[last]) if ru > last[2] else (major, minor, 0, 0)
    known = _builds_of(major, minor)
    below = [release for number, release in known if number <= build]
    above = [release for number, release in known if number > build]
    if above and guess > above[0]:
        guess = below[-1] if below else (major, minor, 0, 0)
    if below and guess < below[-1]:
        guess = below[-1]
    return SepVersion(*guess, build=(build, rev), build_known=False, text=norm)


def version_notices(version: SepVersion | None) -> list[str]:
    """Guidance ids about the version as a whole: out of vendor support, newer than known."""
    if version is None:
        return []
    notices = []
    if out_of_support(version):
        notices.append("unsupported-version")
    if version.newer_than_known:
        notices.append("newer-version")
    return notices


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
    "14.2 MP1",
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
