"""Path facts: which way the traffic to each target leaves this PC, what DNS answered,
whether the host answers ping, and where the path to a filtered port ends."""

from core.path.facts import DnsFacts, EchoFacts, EchoState, Hop, HopKind, PathFacts, RouteFacts, TraceEnd, TraceFacts
from core.path.gather import PathWork
from core.path.route import WindowsRoute

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
