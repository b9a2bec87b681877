"""Parsing and ordering SEP versions; version rules."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.versions import KNOWN_BUILDS, KNOWN_RELEASES, VersionError, parse_rule, parse_version

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
}


@pytest.mark.parametrize(("text", "key"), FORMS.items())
def test_accepted_forms(text: str, key: tuple[int, int, int, int]) -> None:
    assert parse_version(text).release_key == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "15.0",
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


@pytest.mark.parametrize("rule", ["", "sometimes", "=>14", ">= 15", "14.x.x", ">=14.3 RU1,"])
def test_bad_rules_are_refused(rule: str) -> None:
    with pytest.raises(VersionError):
        parse_rule(rule)
