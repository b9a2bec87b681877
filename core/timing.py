"""Adaptive timeouts from round trips measured on the same host (RFC 6298 style).

A LAN run is not held hostage by one dropped port (the timeout falls to a floor a
few round trips long as soon as other ports answer), and a slow VPN link does not
produce false ``filtered`` (the timeout grows with the measured round trips, up to
the cap). Probes already waiting see the new timeout at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

DEFAULT_INITIAL = 1.0
DEFAULT_FLOOR = 0.15
DEFAULT_CAP = 10.0


@dataclass(frozen=True)
class TimeoutPolicy:
    initial: float = DEFAULT_INITIAL
    """Per attempt, before any round trip to the host was measured (nmap: 1 s)."""
    floor: float = DEFAULT_FLOOR
    cap: float = DEFAULT_CAP
    """Never wait longer than this per attempt (``--timeout``)."""
    retries: int = 1
    """Attempts after the first before a silent port is ``filtered``."""

    @classmethod
    def from_user_timeout(cls, seconds: float | None) -> TimeoutPolicy:
        """``--timeout`` caps each attempt; the initial wait never exceeds it."""
        if seconds is None:
            return cls()
        return cls(initial=min(DEFAULT_INITIAL, seconds), floor=min(DEFAULT_FLOOR, seconds), cap=seconds)


class RttEstimator:
    """Smoothed round trip and variation for one host; wakes waiters when it learns."""

    def __init__(self, policy: TimeoutPolicy) -> None:
        self.policy = policy
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.samples = 0
        self._waiters: list[asyncio.Future[None]] = []

    def add_sample(self, rtt: float) -> None:
        rtt = max(rtt, 0.0)
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.samples += 1
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def timeout(self) -> float:
        if self.srtt is None:
            return min(self.policy.initial, self.policy.cap)
        # Two round trips plus four deviations: room for a SYN-ACK that is a bit late.
        estimate = 2 * self.srtt + 4 * self.rttvar
        return min(max(estimate, self.policy.floor), self.policy.cap)

    def changed(self) -> asyncio.Future[None]:
        """A future resolved the next time a sample arrives."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        return future


async def wait_adaptive(awaitable: asyncio.Future[Any], started: float, estimator: RttEstimator) -> Any:
    """Await ``awaitable`` until ``started + estimator.timeout()``, re-reading the timeout as it adapts.

    Raises TimeoutError (and cancels the awaitable) when the deadline passes.
    """
    loop = asyncio.get_running_loop()
    try:
        while True:
            remaining = started + estimator.timeout() - loop.time()
            if remaining <= 0:
                raise TimeoutError
            changed = estimator.changed()
            try:
                done, _ = await asyncio.wait(
                    {awaitable, changed}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                if not changed.done():
                    changed.cancel()
            if awaitable in done:
                return awaitable.result()
    finally:
        if not awaitable.done():
            awaitable.cancel()
            # Let it finish cancelling (closing what it opened) without swallowing our own cancellation.
            await asyncio.wait({awaitable})
