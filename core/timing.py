"""Deadlines a near answer cannot fool: one round-trip estimate per path, retries spread like TCP's.

The rules (the README's "How long a probe waits" says the same, as nmap documents its own):

1. **One estimate per path**: the round trip from this PC to one far host (one address).
   A probe to that host waits according to that path only.
2. **Only the far host teaches it**: a TCP handshake (SYN-ACK) or a UDP answer comes from
   the host itself and updates the estimate both ways (RFC 6298: smoothed round trip and
   its variation). The round trip is the kernel's own measure where the system gives it
   (Linux: a SYN-ACK's ``TCP_INFO``, a datagram's receive stamp), so a busy event loop does
   not stretch it; a round trip this program measured itself counts only until the kernel
   measured one (one late sample, taken while an import held the loop for 0.3 s, made
   every dropped port of a LAN wait 1 s an attempt). A reset or an ICMP port-unreachable can come from any device on the
   way (a firewall next to this PC answers in a millisecond), so it never shortens a
   deadline: before the host answered, it can only raise the first wait (the host is at
   least that far); after, the host's own answers decide, and a reset or port-unreachable
   that took at least the host's smoothed round trip and at most the estimate's timeout came
   from as far as the host: it is a sample too (as nmap counts every answer), and the
   estimate never waits less than the slowest such sample (``far_reset_floor``). ICMP errors
   from routers do not count at all (a router answers after its own ARP timeout).
3. **Before the host answered** each attempt waits ``initial``: 1 s as nmap, or
   ``--timeout``, which is the technician's statement that the link is slow. After it,
   SRTT + 4 x RTTVAR (RFC 6298, as nmap), at least ``floor`` (0.1 s), at most ``cap`` (10 s,
   or ``--timeout``).
4. **Retries spread like TCP's own**: attempt k+1 leaves ``gap(k)`` after attempt k, gaps
   of 1, 1, 1, 2, 4, 4... timeouts; every attempt's socket stays open until the verdict,
   so a late answer to an early attempt, or to the kernel's own retransmission, still
   counts (the first attempt has three timeouts to be answered).
5. **Silence is a verdict** only after ``attempts`` (3) attempts and the last gap. When
   answers on this path came only after retries (loss), the silent probes of that path
   get more: twice the highest attempt that got an answer, plus one, at most
   ``max_attempts`` (8) (nmap gives its highest + 1, up to 10 tries). When nothing at all came back on the path,
   silence is a verdict no sooner than ``silent_host_wait`` (3.5 s) after the first
   attempt: a router says "host unreachable" for a dead host only when its ARP gives
   up, after 3 s.
6. Probes already waiting see a new estimate, or a raised number of attempts, at once.
7. HTTP and TLS exchanges get ``max(app_deadline, 5 timeouts of the path)``: the round
   trips of connect, TLS and request on a slow link; ``app_deadline`` is 5 s, or ``--timeout``.
   On a path that showed loss (rule 5) one that ran out of time is tried again on a fresh
   connection (``core.engine``), as many tries in all as the attempts the unluckiest answer
   of the path needed, at least 2, at most ``MAX_APP_TRIES`` (4): the kernel's own
   retransmissions back off (a SYN again after 1, 2, 4 s; data after 0.2, 0.4, 0.8... s), so
   at 25 % loss one HTTPS heartbeat in nine outlasts 5 s, one in forty 10 s, and a fresh
   connection does better than a longer wait.
8. **Neighbours** (a sweep of many hosts, ``push``; ``check`` has none): paths to one network
   (an IPv4 /24, an IPv6 /64) share a ``Neighbourhood``. Once hosts of that network answered
   (rule 2's far answers: a SYN-ACK, a UDP answer), a host that has not answered itself
   (resets and port-unreachables, which any device may send, do not count) is held to what
   they showed instead of rules 3 and 5's waits for a path about which nothing is known
   (each attempt still waits at least twice a reset's round trip): three attempts, ``silent_wait / 3`` apart, and silence is a verdict
   ``silent_wait`` after the first, where ``silent_wait`` is ``NEIGHBOUR_FACTOR`` (3) times
   the neighbours' slowest answer or their RFC 6298 timeout, whichever is longer, at least
   ``NEIGHBOUR_FLOOR`` (0.5 s: a sleeping Wi-Fi card or the last router's ARP adds a few hundred
   ms; ``--timeout``'s value where given), never later than rules 3-5 alone would say. Every attempt's socket stays open until then, so the first
   attempt has the whole ``silent_wait`` to be answered. A host silent on every port is told
   ``silent``, whether it is absent or drops everything; a router's host-unreachable that
   comes before the verdict still names the cause (one that comes 3 s later no longer waits).
   The host's own first answer puts it back under rules 1-5 at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sep_port_doctor.core.i18n import Message

DEFAULT_INITIAL = 1.0
DEFAULT_FLOOR = 0.1
DEFAULT_CAP = 10.0
DEFAULT_APP_DEADLINE = 5.0
DEFAULT_SILENT_HOST_WAIT = 3.5
NEIGHBOUR_FLOOR = 0.5
NEIGHBOUR_FACTOR = 3.0
GAP_FACTORS = (1.0, 1.0, 1.0, 2.0, 4.0)
"""Gap after attempt 1, 2, 3, 4, 5 and later, in timeouts of the path."""
APP_ROUND_TRIPS = 5
MAX_APP_TRIES = 4
"""Tries of one HTTP or TLS exchange at most, on a path that lost packets (rule 7)."""


@dataclass(frozen=True)
class TimeoutPolicy:
    initial: float = DEFAULT_INITIAL
    """Per attempt, before the far host answered once (nmap: 1 s)."""
    floor: float = DEFAULT_FLOOR
    cap: float = DEFAULT_CAP
    """Never wait longer than this per attempt."""
    attempts: int = 3
    """Attempts before silence is a verdict on a path without loss."""
    max_attempts: int = 8
    """Attempts at most, when the path shows loss."""
    app_deadline: float = DEFAULT_APP_DEADLINE
    """Least time for one HTTP or TLS exchange."""
    silent_host_wait: float = DEFAULT_SILENT_HOST_WAIT
    """Least time before silence is a verdict on a path where nothing came back at all."""
    neighbour_floor: float = NEIGHBOUR_FLOOR
    """Least time before a silent host's neighbours' answers make its silence a verdict (rule 8)."""

    @classmethod
    def from_user_timeout(cls, seconds: float | None) -> TimeoutPolicy:
        """``--timeout``: the first wait, the longest wait per attempt, and the HTTP/TLS deadline."""
        if seconds is None:
            return cls()
        return cls(
            initial=seconds,
            floor=min(DEFAULT_FLOOR, seconds),
            cap=seconds,
            app_deadline=seconds,
            silent_host_wait=min(DEFAULT_SILENT_HOST_WAIT, 3 * seconds),
            neighbour_floor=seconds,
        )


class Neighbourhood:
    """The far answers of the hosts of one network in a sweep (rule 8): how long a neighbour
    that has not answered at all may stay silent before silence is its verdict."""

    def __init__(self, policy: TimeoutPolicy, name: str = "") -> None:
        self.policy = policy
        self.name = name
        """The network, as the evidence names it (``10.1.2.0/24``)."""
        self.answered = 0
        """Hosts of the network that answered themselves."""
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.slowest = 0.0
        self.samples = 0
        self.exact = False
        """Whether the samples are the kernel's own measures (rule 2); the program's count only until one is."""
        self.members: list[PathTiming] = []
        self._wait: float | None = None
        """``silent_wait``, computed once per answer (every waiting probe asks it at every turn)."""
        self._told: float | None = None
        """The silent wait the members were last woken for."""

    def far_answer(self, rtt: float, *, exact: bool) -> None:
        if not exact and self.exact:
            return
        if exact and not self.exact:
            self.srtt, self.slowest, self.samples, self.exact = None, 0.0, 0, True
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
            self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.slowest = max(self.slowest, rtt)
        self.samples += 1
        policy = self.policy
        evidence = max(self.slowest, self.srtt + 4 * self.rttvar)
        # Never later than rules 3-5 alone would give a silent host (three initial waits, or silent_host_wait).
        alone = max(policy.attempts * min(policy.initial, policy.cap), policy.silent_host_wait)
        self._wait = wait = min(alone, max(policy.neighbour_floor, NEIGHBOUR_FACTOR * evidence))
        if wait is not None and (self._told is None or wait < 0.8 * self._told):
            # Only a wait that got noticeably shorter wakes the members' probes (a longer one is
            # seen when they next look): hundreds of silent probes wake once, not per answer.
            self._told = wait
            for member in self.members:
                if member.srtt is None:
                    member._wake()

    def evidence(self) -> Message | None:
        """What a silent neighbour's verdict rests on, for its evidence; None: no neighbour answered."""
        wait = self.silent_wait()
        if wait is None:
            return None
        return Message(
            "evidence.neighbours",
            wait=f"{wait:.2f}",
            answered=self.answered,
            network=self.name or Message("evidence.its-network"),
            slowest=f"{self.slowest * 1000:.1f}",
        )

    def silent_wait(self) -> float | None:
        """How long after its first attempt a neighbour's silence is a verdict; None: no neighbour answered."""
        return self._wait


class PathTiming:
    """The round trip of one path (this PC to one far host) and the evidence of loss on it."""

    def __init__(self, policy: TimeoutPolicy, neighbourhood: Neighbourhood | None = None) -> None:
        self.policy = policy
        self.neighbourhood = neighbourhood
        """The other hosts of its network in a sweep (rule 8); None: this path alone."""
        if neighbourhood is not None:
            neighbourhood.members.append(self)
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.samples = 0
        self.exact_samples = 0
        """Samples measured by the kernel (a SYN-ACK's ``TCP_INFO``, a datagram's receive stamp)."""
        self.near_floor = 0.0
        """The longest round trip of an answer that may not be the host's own: the host is at least this far."""
        self.far_reset_floor = 0.0
        """The slowest answer of unknown origin counted as a sample of the path: the estimate they
        refined never waits less than that one took."""
        self.answered_on = 1
        """The highest attempt number that got an answer: above 1 means packets were lost."""
        self.answers = 0
        self._waiters: list[asyncio.Future[None]] = []

    def far_answer(self, rtt: float, attempt: int = 1, *, exact: bool = True) -> None:
        """The far host itself answered (a SYN-ACK, a UDP answer) after ``rtt`` seconds.

        ``exact``: the kernel's own measure (rule 2). Otherwise this program measured it, and
        its own delays (a busy event loop) are in it: such a sample counts only until the
        kernel measured one, which then starts the estimate afresh.
        """
        rtt = max(rtt, 0.0)
        if self.neighbourhood is not None:
            if self.srtt is None:
                self.neighbourhood.answered += 1
            self.neighbourhood.far_answer(rtt, exact=exact)
        if not exact and self.exact_samples:
            self._answered(attempt)
            self._wake()
            return
        if exact and not self.exact_samples:
            self.srtt = None  # the kernel's first measure replaces the program's guesses
            self.exact_samples = 1
        elif exact:
            self.exact_samples += 1
        if self.srtt is None:
            self.srtt, self.rttvar = rtt, rtt / 2
            self.samples += 1
        else:
            self._sample(rtt)
        self._answered(attempt)
        self._wake()

    def _sample(self, rtt: float) -> None:
        """RFC 6298's update of an estimate that has a first sample."""
        assert self.srtt is not None
        self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - rtt)
        self.srtt = 0.875 * self.srtt + 0.125 * rtt
        self.samples += 1

    def near_answer(self, rtt: float, attempt: int = 1) -> None:
        """An answer of unknown origin (a reset, an ICMP port-unreachable): alone it never
        shortens a deadline. Once the host answered itself, one that took at least the host's
        own round trip and no longer than the estimate allows came from as far as the host (a
        device next to this PC answers in a millisecond): it is a sample of that path, as nmap
        counts every answer (rule 2)."""
        self.near_floor = max(self.near_floor, rtt)
        if self.srtt is not None and self.srtt <= rtt <= self.srtt + 4 * self.rttvar:
            self._sample(rtt)
            self.far_reset_floor = max(self.far_reset_floor, rtt)
        self._answered(attempt)
        self._wake()

    def _answered(self, attempt: int) -> None:
        self.answered_on = max(self.answered_on, attempt)
        self.answers += 1

    def neighbours_evidence(self) -> Message | None:
        """Where rule 8 decides this path's silence, what it rests on; otherwise None."""
        if self._neighbours_wait() is None:
            return None
        assert self.neighbourhood is not None
        return self.neighbourhood.evidence()

    def _neighbours_wait(self) -> float | None:
        """Rule 8's silent wait, where it applies: the host itself has not answered (resets and
        port-unreachables may come from any device), its neighbours have."""
        if self.srtt is not None or self.neighbourhood is None:
            return None
        return self.neighbourhood.silent_wait()

    def timeout(self) -> float:
        """How long one attempt waits for its answer."""
        policy = self.policy
        neighbours = self._neighbours_wait()
        if neighbours is not None:
            # A reset or port-unreachable on this path: the host is at least that far (rule 2).
            return min(max(neighbours / policy.attempts, policy.floor, 2 * self.near_floor), policy.cap)
        if self.srtt is None:
            # Only answers of unknown origin so far: the host is at least that far.
            estimate = max(policy.initial, 2 * self.near_floor)
        else:
            # RFC 6298's (and nmap's) timeout; a SYN-ACK later than that still counts (rule 4).
            estimate = max(self.srtt + 4 * self.rttvar, policy.floor, self.far_reset_floor)
        return min(estimate, policy.cap)

    def gap(self, sent: int) -> float:
        """The wait after the ``sent``-th attempt before the next one (or before the verdict)."""
        return self.timeout() * GAP_FACTORS[min(sent, len(GAP_FACTORS)) - 1]

    def verdict_at(self, first_sent: float, last_sent: float, sent: int) -> float:
        """When silence becomes a verdict for a probe that sent ``sent`` attempts (rules 4 and 5)."""
        due = last_sent + self.gap(sent)
        if self.answers == 0:
            neighbours = self._neighbours_wait()
            due = max(due, first_sent + (self.policy.silent_host_wait if neighbours is None else neighbours))
        return due

    def allowed_attempts(self) -> int:
        """Rule 5: three attempts, or, where answers came only after retries, twice the highest
        attempt that got one, plus one (at most ``max_attempts``). An answer that needed k
        attempts says k - 1 exchanges in a row were lost; the run's other ports are as unlucky
        as that more often than not, and an open port told filtered sends a technician to the
        firewall team for nothing (at 25 % loss the earlier "+ 2" told 2 of 285 port-runs wrong)."""
        policy = self.policy
        if self.answered_on <= 1:
            return policy.attempts
        return min(policy.max_attempts, max(policy.attempts, 2 * self.answered_on + 1))

    def app_deadline(self) -> float:
        """The deadline of one HTTP or TLS exchange on this path."""
        return max(self.policy.app_deadline, APP_ROUND_TRIPS * self.timeout())

    def app_tries(self) -> int:
        """Rule 7: how many times an HTTP or TLS exchange that ran out of time is tried in all.
        One on a path that lost nothing (a server that stalls fails at its deadline); where
        answers came only after retries, as many as the attempts the unluckiest one needed (an
        exchange is several round trips, each as unlucky), at least 2, at most ``MAX_APP_TRIES``.
        Measured in the lab at 25 % loss (the program's own HTTPS GET, 300 times): 11 % of
        single tries outlast 5 s, 2 % outlast 10 s; so two tries fail about one exchange in 80
        (a run has five: 2 of 90 runs said "no complete answer" of a manager that answers),
        three about one in 800, four one in 7000."""
        if self.answered_on <= 1:
            return 1
        return min(MAX_APP_TRIES, max(2, self.answered_on))

    def changed(self) -> asyncio.Future[None]:
        """A future resolved the next time the estimate or the evidence changes."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        return future

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
