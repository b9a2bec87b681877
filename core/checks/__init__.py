"""Application checks, one module per kind, found here by the catalogue's ids.

Every module of this package but ``base`` declares ``CHECKS`` (its :class:`ApplicationCheck`
instances) and may declare ``PAYLOADS`` (what a UDP probe sends). ports.toml names them per
entry (``checks``, ``sends``) and the catalogue refuses, at start, an id no module declares.
Adding a kind of check is one module here and the entries' ``checks`` in ports.toml: the
engine runs it, the explanations ask it, the JSON and the report show its evidence.

The modules are light (HTTP, TLS and SMB libraries are imported when a check first runs), so
finding them costs the programs that only read the catalogue a few milliseconds.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import ModuleType

from sep_port_doctor.core.checks.base import ApplicationCheck, Payload

__all__ = ["ApplicationCheck", "Payload", "application_check", "payloads", "registry"]


@cache
def _modules() -> tuple[ModuleType, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base" and not m.name.startswith("_"))
    modules = tuple(importlib.import_module(f"{__name__}.{name}") for name in names)
    for module in modules:
        if not getattr(module, "CHECKS", None):
            raise ValueError(f"{module.__name__} declares no CHECKS")
    return modules


def _collect(attribute: str) -> dict[str, ApplicationCheck | Payload]:
    found: dict[str, ApplicationCheck | Payload] = {}
    for module in _modules():
        for item in getattr(module, attribute, ()):
            if item.id in found:
                raise ValueError(f"{module.__name__}.{attribute}: {item.id!r} is declared twice")
            found[item.id] = item
    return found


@cache
def registry() -> Mapping[str, ApplicationCheck]:
    """Every application check by id."""
    return {key: check for key, check in _collect("CHECKS").items() if isinstance(check, ApplicationCheck)}


@cache
def payloads() -> Mapping[str, Payload]:
    """Every UDP probe payload by id."""
    return {key: payload for key, payload in _collect("PAYLOADS").items() if isinstance(payload, Payload)}


def application_check(check_id: str) -> ApplicationCheck:
    return registry()[check_id]
