"""Parsing and ordering SEP versions; version rules."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sep_port_doctor.core.versions import (
    KNOWN_BUILDS,
    KNOWN_RELEASES,
    RELEASES,
    VersionError,
    parse_rule,
    parse_version,
    version_notices,
)

FORMS = {
    "12.1": (12, 1, 0, 0),
    "12.1.5": (12, 1, 5, 0),
    "12.1 RU4": (12, 1, 4, 0),
    "12.1.6 MP10": (12, 1, 6, 10),
    "12.1 RU6 MP10": (12, 1, 6, 10),
    "14": (14, 0, 0, 0),
    "14.0 MP2": (14, 0, 0, 2),
    "14.0.1": (14, 0, 1, 0),
    "14 RU1": (14, 0, 1, 0),
    "14.0.1 MP2": (14, 0, 1, 2),
    "14.2 RU2 MP1": (14, 2, 2, 1),
    "14.3": (14, 3, 0, 0),
    "14.3 MP1": (14, 3, 0, 1),
    "14.3 RU1": (14, 3, 1, 0),
    "14.3 RU1 MP1": (14, 3, 1, 1),
    "14.3 RU10": (14, 3, 10, 0),
    "14.3.3580.1100": (14, 3, 1, 1),
    "14.3.558.0000": (14, 3, 0, 0),
    "12.1.7454.7000": (12, 1, 6, 10),
    " １４．３　ｒｕ１ ": (14, 3, 1, 0),
    "v14.3 ru2": (14, 3, 2, 0),
    "14.3RU1MP1": (14, 3, 1, 1),
    "14.2 MP1": (14, 2, 0, 1),
    "14.3 RU9 Patch 2": (14, 3, 9, 0),
    "14.3 ru9 patch2": (14, 3, 9, 0),
    "14.3.12154.10000": (14, 3, 10, 0),
    "12.1.671.4971": (12, 1, 0, 0),
}


@pytest.mark.parametrize(("text", "key"), FORMS.items())
def test_accepted_forms(text: str, key: tuple[int, int, int, int]) -> None:
    assert parse_version(text).release_key == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "14.1",
        "13",
        "12",
        "12.2",
        "14.3 RU1 RU2",
        "14.3.1",
        "14.2.5",
        "14.0.2",
        "12.1.7",
        "14.3 MP",
        "RU1",
        "latest",
        "14.3 RU100",
        "14.0 RU2",
        "14.3 MP99",
        "14.3.x",
        "1.2.3.4.5",
        "14.3.3580",
        "14.3;rm -rf",
        "x" * 500,
        "14.3 SP1",
        "14,3",
        "14.3 MP2",
        "14.3 RU4 MP1",
        "12.1 RU3 MP1",
        "14.2 RU2 Patch 1",
        "14.3 RU9 Patch 99",
        "41.3",
        "20.0",
        "14.10",
        "14.4 RU99",
    ],
)
def test_refused_forms_show_accepted_forms(text: str) -> None:
    with pytest.raises(VersionError) as info:
        parse_version(text)
    message = str(info.value)
    assert "accepted forms" in message
    assert "\n" not in message


def test_order_of_releases() -> None:
    names = [
        "12.1",
        "12.1 RU4",
        "12.1.5",
        "12.1.6 MP10",
        "14",
        "14.0 MP2",
        "14.0.1",
        "14.0.1 MP2",
        "14.2",
        "14.2 RU2 MP1",
        "14.3",
        "14.3 MP1",
        "14.3 RU1",
        "14.3 RU1 MP1",
        "14.3 RU2",
        "14.3 RU10",
    ]
    versions = [parse_version(n) for n in names]
    assert sorted(versions) == versions
    assert all(a < b for a, b in itertools.pairwise(versions))


def test_known_releases_are_in_order_and_parse() -> None:
    versions = [parse_version(n) for n in KNOWN_RELEASES]
    assert [v.release_key for v in sorted(versions)] == [v.release_key for v in versions]
    assert len({v.release_key for v in versions}) == len(versions)


def test_release_names_round_trip() -> None:
    for name in KNOWN_RELEASES:
        version = parse_version(name)
        assert parse_version(version.release_name).release_key == version.release_key
    assert parse_version("14 RU1").release_name == "14.0.1"
    assert parse_version("12.1.6 MP10").release_name == "12.1 RU6 MP10"


def test_known_builds_map_to_their_release_and_say_so() -> None:
    for build, release in KNOWN_BUILDS.items():
        version = parse_version(build)
        assert version.release_key == release
        assert version.build_known
        assert "unknown" not in version.describe()
        assert version.build_text == build


def test_unknown_builds_order_correctly_and_say_so() -> None:
    ru9 = parse_version("14.3.11000.9000")
    assert not ru9.build_known
    assert "unknown build" in ru9.describe()
    assert ru9.release_key == (14, 3, 9, 0)
    assert parse_version("14.3.10148.8000") < ru9 < parse_version("14.3 RU10")
    later_12 = parse_version("12.1.7500.7000")
    assert not later_12.build_known
    assert later_12 >= parse_version("12.1.7454.7000")
    assert later_12 < parse_version("14.0")
    # Builds of the same release order by build number.
    assert parse_version("14.3.3580.1100") < parse_version("14.3.3600.1100")


@given(
    st.sampled_from([(12, 1), (14, 0), (14, 2), (14, 3)]),
    st.integers(min_value=0, max_value=99999),
    st.integers(min_value=0, max_value=9999),
)
def test_any_four_part_build_parses_and_orders_by_build(minor: tuple[int, int], build: int, rev: int) -> None:
    text = f"{minor[0]}.{minor[1]}.{build}.{rev}"
    version = parse_version(text)
    assert version.release_key[:2] == minor
    bigger = parse_version(f"{minor[0]}.{minor[1]}.{build + 1}.{rev}")
    # A later build is a later version, and never lands in an earlier release.
    assert version < bigger
    assert version.release_key <= bigger.release_key


@given(st.text(max_size=60))
def test_parse_never_raises_anything_but_version_error(text: str) -> None:
    try:
        parse_version(text)
    except VersionError as exc:
        assert str(exc)


@given(st.sampled_from(KNOWN_RELEASES), st.sampled_from(KNOWN_RELEASES))
def test_ordering_is_consistent(a: str, b: str) -> None:
    va, vb = parse_version(a), parse_version(b)
    assert (va < vb) == (va.release_key < vb.release_key)
    assert (va <= vb) != (va > vb)


@pytest.mark.parametrize(
    ("rule", "inside", "outside"),
    [
        ("all", ["12.1", "14.3 RU10"], []),
        ("12.1.x", ["12.1", "12.1.6 MP10"], ["14", "14.3"]),
        (">=12.1.5", ["12.1.5", "12.1.6", "14.0"], ["12.1 RU4", "12.1"]),
        ("<12.1.5", ["12.1 RU4"], ["12.1.5", "14.0"]),
        (">=14.0.1", ["14.0.1", "14 RU1", "14.2"], ["14.0 MP2"]),
        (">=14.2", ["14.2", "14.3"], ["14.0.1 MP2"]),
        ("14.2.x", ["14.2", "14.2 RU2 MP1"], ["14.3", "14.0.1"]),
        ("<=14.3 MP1", ["14.3", "14.3 MP1", "12.1"], ["14.3 RU1"]),
        (">=14.3 RU1", ["14.3 RU1", "14.3.3580.1100"], ["14.3 MP1"]),
        ("14.x", ["14", "14.3 RU10"], ["12.1.6"]),
        (">=14.0, <14.3", ["14.0", "14.2 RU2"], ["14.3", "12.1"]),
    ],
)
def test_rules(rule: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_rule(rule)
    assert all(parsed.matches(parse_version(v)) for v in inside)
    assert not any(parsed.matches(parse_version(v)) for v in outside)


@pytest.mark.parametrize("rule", ["", "sometimes", "=>14", ">= 41", "14.x.x", ">=14.3 RU1,"])
def test_bad_rules_are_refused(rule: str) -> None:
    with pytest.raises(VersionError):
        parse_rule(rule)


def test_impossible_maintenance_packs_name_the_real_ones() -> None:
    with pytest.raises(VersionError) as info:
        parse_version("14.3 MP2")
    assert "14.3 has no MP2; known: 14.3 MP1" in str(info.value)
    assert "14.3 に MP2 はありません。あるのは 14.3 MP1 です" in info.value.message("ja")
    with pytest.raises(VersionError) as info:
        parse_version("14.3 RU4 MP1")
    assert "Patch N" in str(info.value)


@pytest.mark.parametrize("text", ["14.4", "14.4 RU1", "15", "16.0", "16.1 RU2 MP1", "14.3 RU11", "14.4.115.0000"])
def test_newer_releases_are_accepted_as_newer_than_known(text: str) -> None:
    version = parse_version(text)
    assert version.newer_than_known
    assert version > parse_version("14.3 RU10")
    assert version > parse_version("14.3.12154.10000")
    assert "newer than 14.3 RU10" in version.describe("en")
    assert "14.3 RU10 より新しい" in version.describe("ja")
    # Judged by the latest rules: what 14.2 and later use still applies, 14.2-only entries do not.
    assert parse_rule(">=14.2").matches(version)
    assert parse_rule(">=14.3 RU1").matches(version)
    assert not parse_rule("14.2.x").matches(version)
    assert not parse_rule("<=14.3 MP1").matches(version)
    assert version_notices(version) == ["newer-version"]


def test_known_releases_are_not_newer() -> None:
    for name in KNOWN_RELEASES:
        assert not parse_version(name).newer_than_known
    assert not parse_version("14.3 RU10 Patch 1").newer_than_known
    assert version_notices(parse_version("14.2 RU2")) == ["unsupported-version"]
    assert version_notices(parse_version("14.3 RU10")) == []
    assert version_notices(None) == []


def test_patch_names() -> None:
    patched = parse_version("14.3 RU9 Patch 2")
    assert patched.release_name == "14.3 RU9 Patch 2"
    assert parse_version(patched.release_name) == patched
    assert parse_version("14.3 RU9") < parse_version("14.3 RU9 Patch 1") < patched < parse_version("14.3 RU10")
    # The ports do not change with a patch: rules see RU9.
    assert parse_rule("==14.3 RU9").matches(patched)


def _build_number(build: str) -> tuple[int, int, int]:
    major, minor, number, _rev = (int(p) for p in build.split("."))
    return major, minor, number


def test_known_builds_are_numbered_in_release_order() -> None:
    """Builds of one minor release grow with the release: what the inference relies on."""
    ordered = sorted(KNOWN_BUILDS, key=_build_number)
    releases = [KNOWN_BUILDS[b] for b in ordered]
    assert releases == sorted(releases)
    for release in releases:
        assert release[:3] in RELEASES and release[3] <= RELEASES[release[:3]]


def test_every_known_build_parses_in_true_order() -> None:
    ordered = sorted(KNOWN_BUILDS, key=_build_number)
    versions = [parse_version(b) for b in ordered]
    assert all(a < b for a, b in itertools.pairwise(versions))


@pytest.mark.parametrize(
    ("build", "after", "before"),
    [
        # 12.1 RTM .. RU3 builds do not follow the thousands rule: "4971" is no RU4.
        ("12.1.700.4971", "12.1.671.4971", "12.1.1000.157"),
        ("12.1.1050.160", "12.1.1000.157", "12.1.2015.2015"),
        ("12.1.3005.170", "12.1.3001.165", "12.1.4013.4013"),
        ("12.1.2100.2093", "12.1.2015.2015", "12.1.3001.165"),
        ("12.1.6318.6100", "12.1.6168.6000", "12.1.6465.6200"),
        ("14.2.770.0000", "14.0.3876.1100", "14.2.1031.0100"),
        ("14.3.510.0000", "14.2.5569.2100", "14.3.558.0000"),
        ("14.3.11500.9000", "14.3.11232.9000", "14.3.12154.10000"),
    ],
)
def test_unknown_builds_fall_between_their_known_neighbours(build: str, after: str, before: str) -> None:
    version = parse_version(build)
    assert not version.build_known
    assert parse_version(after) < version < parse_version(before)
    assert "unknown build" in version.describe()


def test_early_12_1_build_is_not_inferred_as_a_later_release() -> None:
    assert parse_version("12.1.700.4971").release_name == "12.1"
    assert parse_version("12.1.3005.170").release_name == "12.1 RU3"
