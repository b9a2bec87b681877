"""The hosts the README's "Hosts" paragraph accepts, as technicians type them: names (internationalised
ones too), IPv4, IPv6 with or without brackets and with a zone id, full-width digits from a Japanese
input method, a pasted URL. What is refused is the bad-input corpus's (tests/fixtures/bad_inputs.toml)."""

from __future__ import annotations

import socket

import pytest

from sep_port_doctor.core.hosts import HostError, parse_host

# This PC's own first network interface: a zone id must name one that exists here.
_CARD_INDEX, _CARD = socket.if_nameindex()[0]


@pytest.mark.parametrize(
    ("typed", "name", "is_ip"),
    [
        ("sepm01", "sepm01", False),
        ("SEPM01.corp.", "sepm01.corp", False),  # one trailing dot is the DNS root
        ("sepm_01.corp", "sepm_01.corp", False),  # underscores, which Windows networks use
        ("münchen.corp", "xn--mnchen-3ya.corp", False),  # an internationalised name, as IDNA
        ("ｓｅｐｍ０１", "sepm01", False),  # full-width, from a Japanese input method
        ("10.0.0.5", "10.0.0.5", True),
        ("１０．０．０．５", "10.0.0.5", True),
        ("::1", "::1", True),
        ("[::1]", "::1", True),
        # A zone id names one of this PC's interfaces (by name, or by number as Windows does).
        (f"fe80::1%{_CARD}", f"fe80::1%{_CARD}", True),
        (f"[fe80::1%{_CARD_INDEX}]", f"fe80::1%{_CARD_INDEX}", True),
        ("2001:db8::1", "2001:db8::1", True),  # a global address needs no zone
    ],
)
def test_the_forms_a_host_may_take(typed: str, name: str, is_ip: bool) -> None:
    host = parse_host(typed)
    assert (host.name, host.is_ip, host.notice) == (name, is_ip, None)


def test_a_pasted_url_is_reduced_to_its_host_with_a_notice() -> None:
    host = parse_host("https://sepm01.corp:8443/console")
    assert host.name == "sepm01.corp" and not host.is_ip
    assert host.notice is not None
    assert host.notice.message("en") == "using the host 'sepm01.corp' from the URL 'https://sepm01.corp:8443/console'"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        # Without its zone the system cannot tell which link the address is on: connect failed with
        # EINVAL, and the run said "discarded on this PC: a blackhole route" about a manager that answers.
        ("fe80::1", "a link-local IPv6 address needs its zone id"),
        ("[fe80::abcd]", "a link-local IPv6 address needs its zone id"),
        ("fe80::1%no-such-card9", "this PC has no network interface no-such-card9"),
        ("fe80::1%999999", "this PC has no network interface 999999"),
    ],
)
def test_a_link_local_address_needs_a_zone_this_pc_has(typed: str, words: str) -> None:
    with pytest.raises(HostError) as refused:
        parse_host(typed)
    assert words in refused.value.message("en")


def test_a_pasted_url_with_a_zone_id_keeps_it_decoded() -> None:
    """RFC 6874 writes the zone's % as %25 in a URL (``https://[fe80::1%25eth0]:8443/``): the zone is
    eth0 (it was read as "25eth0", an interface no PC has)."""
    host = parse_host(f"https://[fe80::1%25{_CARD}]:8443/console")
    assert (host.name, host.is_ip) == (f"fe80::1%{_CARD}", True) and host.notice is not None
    assert f"using the host 'fe80::1%{_CARD}' from the URL" in host.notice.message("en")
