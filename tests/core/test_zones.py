"""IPv6 zone ids: one interface by name or by number, and an address's zone kept where it is scoped."""

from __future__ import annotations

import socket

from sep_port_doctor.core.zones import same_address, with_zone, zone_index

LOOPBACK = socket.if_nameindex()[0]
"""(index, name) of an interface every system here has (lo, 1 on Linux)."""


def test_one_interface_by_name_or_number_is_one_zone() -> None:
    index, name = LOOPBACK
    assert zone_index(name) == zone_index(str(index)) == index and zone_index("") == 0
    assert same_address(f"fe80::1%{name}", f"fe80::1%{index}")
    assert same_address("fe80::1%eth9-none", "fe80::1%eth9-none")  # as typed, though no such card
    assert not same_address(f"fe80::1%{name}", "fe80::1")  # a zone against none: not known to be one link
    assert not same_address(f"fe80::1%{name}", "fe80::1%eth9-none")
    assert not same_address(f"fe80::1%{name}", f"fe80::2%{name}")
    assert same_address("2001:db8::1", "2001:DB8:0::1") and same_address("sepm01", "sepm01")


def test_a_link_local_sender_gets_its_cards_zone() -> None:
    index, name = LOOPBACK
    assert with_zone("fe80::1", index) == f"fe80::1%{name}"
    assert with_zone("2001:db8::1", index) == "2001:db8::1"  # global: no zone
    assert with_zone("10.0.0.1", index) == "10.0.0.1"
    assert with_zone("fe80::1", 0) == "fe80::1" and with_zone(f"fe80::1%{name}", index) == f"fe80::1%{name}"
