"""The hosts the README's "Hosts" paragraph accepts, as technicians type them: names (internationalised
ones too), IPv4, IPv6 with or without brackets and with a zone id, full-width digits from a Japanese
input method, a pasted URL. What is refused is the bad-input corpus's (tests/fixtures/bad_inputs.toml)."""

from __future__ import annotations

import pytest

from sep_port_doctor.core.hosts import parse_host


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
        ("fe80::1%eth0", "fe80::1%eth0", True),  # a zone id: letters, digits, ".", "_", "-"
        ("[fe80::1%12]", "fe80::1%12", True),  # Windows names its zones by number
        ("fe80::1%br-lan_2.1", "fe80::1%br-lan_2.1", True),
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
