"""Qt's getters say "or None" (an index past the end, no parent); a test that expects the thing fails
at once when it is not there, instead of on an attribute of None three lines later."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def present(value: T | None) -> T:
    """``value``, which the test expects to exist."""
    assert value is not None, "expected a value, got None"
    return value
