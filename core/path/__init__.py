"""Path facts: which way the traffic to each target leaves this PC, what DNS answered,
whether the host answers ping, and where the path to a filtered port ends."""

from sep_port_doctor.core.path.facts import (
    DnsFacts,
    EchoFacts,
    EchoState,
    Hop,
    HopKind,
    PathFacts,
    RouteFacts,
    TraceEnd,
    TraceFacts,
)
from sep_port_doctor.core.path.gather import PathWork
from sep_port_doctor.core.path.route import WindowsRoute

__all__ = [
    "DnsFacts",
    "EchoFacts",
    "EchoState",
    "Hop",
    "HopKind",
    "PathFacts",
    "PathWork",
    "RouteFacts",
    "TraceEnd",
    "TraceFacts",
    "WindowsRoute",
]
