"""Transport verdicts against real loopback sockets, and the timing rules of core.timing."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import os
import select
import socket
import struct
import threading
import time

import pytest

from sep_port_doctor.core.netbios import datagram_packet, node_status_answer, node_status_query, parse_node_status
from sep_port_doctor.core.probes import RECVERR, Icmp, ProbeOutcome, classify_error, tcp_probe, udp_probe
from sep_port_doctor.core.resolver import resolve
from sep_port_doctor.core.results import State
from sep_port_doctor.core.timing import PathTiming, TimeoutPolicy
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.servers import answer, closed_port, closed_udp_port, dropping_port, serving, udp_serving
from tests.helpers.words import english

FAST = TimeoutPolicy(initial=0.3, floor=0.05, cap=0.5, silent_host_wait=0.0)


def _path(policy: TimeoutPolicy = FAST) -> PathTiming:
    return PathTiming(policy)


def test_open_port() -> None:
    async def scenario() -> None:
        async with serving(answer(b"")) as server:
            outcome = await tcp_probe(socket.AF_INET, "127.0.0.1", server.port, _path())
        assert outcome.state is State.OPEN
        assert english(outcome.reason) == "syn-ack" and outcome.cause == "syn-ack"
        assert outcome.rtt_ms is not None and outcome.rtt_ms >= 0
        assert outcome.attempts == 1

    asyncio.run(scenario())


def test_closed_port_is_refused_not_filtered() -> None:
    with closed_port() as port:
        outcome = asyncio.run(tcp_probe(socket.AF_INET, "127.0.0.1", port, _path()))
    assert outcome.state is State.CLOSED
    assert outcome.cause == "conn-refused"
    assert outcome.attempts == 1


def test_dropped_port_is_filtered_after_three_attempts() -> None:
    with dropping_port() as port:
        path = _path()
        outcome = asyncio.run(tcp_probe(socket.AF_INET, "127.0.0.1", port, path))
    assert outcome.state is State.FILTERED
    assert outcome.attempts == 3
    assert outcome.cause == "no-response"
    assert path.samples == 0


def test_the_socket_is_kept_through_the_kernels_own_retransmission() -> None:
    """The SYN is dropped (a full accept queue), the queue frees at 0.4 s: the kernel's own
    retransmission of the first SYN (at 1 s) gets through on the first, still open, socket."""

    async def scenario() -> tuple[State, int, float]:
        slow = TimeoutPolicy(initial=3.0, floor=3.0, cap=3.0)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = [socket.socket(), socket.socket()]
        for filler in fillers:
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        started = time.perf_counter()
        probe = asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", port, _path(slow)))
        await asyncio.sleep(0.4)
        listener.setblocking(False)
        accepted = [listener.accept()[0] for _ in range(1)]
        outcome = await asyncio.wait_for(probe, timeout=HANG_GUARD_S)
        for sock in [*fillers, *accepted, listener]:
            sock.close()
        return outcome.state, outcome.attempts, time.perf_counter() - started

    state, attempts, took = asyncio.run(scenario())
    assert state is State.OPEN
    assert attempts == 1  # no attempt of ours was needed: the kernel's retransmission answered
    assert took >= 0.9  # the answer came to the retransmission, at about 1 s


def test_timeout_adapts_to_round_trips_of_the_same_host() -> None:
    """A dropped port waits the initial timeout only until another port of the host answers."""

    async def scenario() -> tuple[State, float, float]:
        # Without adaptation the dropped probe would wait 3 x 120 s; the hang guard is far below that.
        path = PathTiming(TimeoutPolicy(initial=120.0, floor=0.05, cap=240.0))
        before = path.timeout()
        with dropping_port() as dropped:
            async with serving(answer(b"")) as server:
                dropped_probe = asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", dropped, path))
                await asyncio.sleep(0.05)
                for _ in range(3):
                    await tcp_probe(socket.AF_INET, "127.0.0.1", server.port, path)
                after = path.timeout()
                outcome = await asyncio.wait_for(dropped_probe, timeout=HANG_GUARD_S)
        return outcome.state, before, after

    state, before, after = asyncio.run(scenario())
    assert state is State.FILTERED
    assert before == 120.0
    assert after < 5.0  # learnt from loopback round trips (milliseconds), whatever the load


def test_resets_never_shorten_the_deadline_of_the_far_host() -> None:
    """A nearby firewall resets in a millisecond; the far host answers in 600 ms."""
    path = PathTiming(TimeoutPolicy())
    for _ in range(10):
        path.near_answer(0.001)
    assert path.timeout() == 1.0  # still the initial wait: resets say nothing of the far host
    path.far_answer(0.6)
    far = path.timeout()
    for _ in range(20):
        path.near_answer(0.0005)
    assert path.timeout() == far >= 0.6
    # Before the host answered, a reset from far away raises the first wait: the host is at least that far.
    slow = PathTiming(TimeoutPolicy())
    slow.near_answer(0.9)
    assert slow.timeout() == pytest.approx(1.8)
    slow.far_answer(0.6)  # then the host's own answers decide
    assert slow.timeout() == pytest.approx(0.6 + 4 * 0.3)


def test_resets_from_as_far_as_the_host_refine_its_estimate() -> None:
    """At a 600 ms round trip with five open ports and thirteen closed ones, the first SYN-ACK's
    RFC 6298 variance (half the round trip) kept each attempt near 1 s: the dropped ports' silence
    took 2.9 s where nmap, which counts every answer, was done sooner. A reset that took at
    least the host's own round trip, and no longer than the estimate allows, is a sample of the
    path; a nearer one (a firewall next to this PC) or a later one (a busy loop) is not."""
    path = PathTiming(TimeoutPolicy())
    path.far_answer(0.6)
    alone = path.timeout()
    assert alone == pytest.approx(0.6 + 4 * 0.3)
    for _ in range(20):
        path.near_answer(0.001)  # the firewall next to this PC: nothing learnt
    for _ in range(5):
        path.near_answer(2.9)  # beyond the estimate: a stalled loop hands it over late
    assert path.timeout() == alone
    for rtt in (0.62, 0.65, 0.61, 0.66, 0.63, 0.64, 0.62, 0.65, 0.61, 0.66, 0.63, 0.64):
        path.near_answer(rtt)  # the host's own resets, 600 ms +- 60 ms away
    refined = path.timeout()
    assert 0.66 < refined < 0.85
    for _ in range(40):
        assert path.srtt is not None
        path.near_answer(path.srtt)  # answers as quick as the estimate's mean narrow it...
    assert path.timeout() == pytest.approx(0.66)  # ...never below the slowest reset it counted
    for _ in range(40):
        path.near_answer(0.55)  # quicker than the host's own round trip: not the host's, nothing learnt
    assert path.timeout() == pytest.approx(0.66)
    # Before the host answered itself, a reset only raises the first wait (rule 2, as before).
    unknown = PathTiming(TimeoutPolicy())
    for _ in range(10):
        unknown.near_answer(0.62)
    assert unknown.timeout() == pytest.approx(1.24)


def test_slow_answers_raise_the_timeout_instead_of_false_filtered() -> None:
    path = PathTiming(TimeoutPolicy(initial=1.0, floor=0.05, cap=10.0))
    for rtt in (0.4, 0.45, 0.5):
        path.far_answer(rtt)
    assert path.timeout() > 0.6  # a 0.5 s VPN link is not declared filtered at 0.5 s
    capped = PathTiming(TimeoutPolicy(initial=1.0, floor=0.05, cap=0.6))
    capped.far_answer(2.0)
    assert capped.timeout() == 0.6


def test_user_timeout_raises_the_first_wait_and_the_http_deadline() -> None:
    policy = TimeoutPolicy.from_user_timeout(5.0)
    path = PathTiming(policy)
    assert path.timeout() == 5.0  # not min(1, 5): the technician said the link is slow
    assert path.app_deadline() >= 5.0
    path.far_answer(1.6)
    assert path.app_deadline() > 8  # five timeouts of a 1.6 s link
    quick = PathTiming(TimeoutPolicy.from_user_timeout(0.5))
    assert quick.timeout() == 0.5 and quick.app_deadline() == 2.5


def test_a_silent_host_gets_time_for_a_routers_late_unreachable() -> None:
    """Nothing came back at all: silence waits 3.5 s (a router's ARP gives up after 3 s)."""
    path = PathTiming(TimeoutPolicy())
    assert path.verdict_at(0.0, 2.0, 3) == 3.5
    path.near_answer(0.001)  # something answered on this path: the usual three timeouts
    assert path.verdict_at(0.0, 2.0, 3) == 3.0
    assert TimeoutPolicy.from_user_timeout(0.5).silent_host_wait == 1.5  # a quick --timeout is kept quick


def test_loss_evidence_gives_silent_probes_more_attempts() -> None:
    path = PathTiming(TimeoutPolicy())
    assert path.allowed_attempts() == 3
    path.far_answer(0.01, attempt=2)  # an answer came only to the second attempt: packets are lost
    assert path.allowed_attempts() == 5
    path.far_answer(0.01, attempt=3)
    assert path.allowed_attempts() == 7
    path.far_answer(0.01, attempt=9)
    assert path.allowed_attempts() == 8  # at most max_attempts
    gaps = [path.gap(n) / path.timeout() for n in range(1, 7)]
    assert gaps == [1, 1, 1, 2, 4, 4]  # spread like TCP's own backoff


@pytest.mark.parametrize(
    ("error", "winerror", "state", "cause"),
    [
        (errno.EACCES, None, State.FILTERED, "local-prohibited"),  # a prohibit route
        (errno.EPERM, None, State.FILTERED, "local-prohibited"),  # nftables/iptables output drop
        (errno.EINVAL, None, State.FILTERED, "local-blackhole"),  # a blackhole route
        (errno.ENETUNREACH, None, State.UNREACHABLE, "no-route"),
        (errno.EHOSTUNREACH, None, State.UNREACHABLE, "no-route"),  # Linux: no ICMP behind it = our route
        (errno.ECONNREFUSED, None, State.CLOSED, "conn-refused"),
        (errno.ECONNRESET, None, State.OPEN, "syn-ack-reset"),
        (errno.EMFILE, None, State.ERROR, "os-error"),
        (10013, 10013, State.FILTERED, "local-prohibited"),  # WSAEACCES: an outbound block on Windows
        (10065, 10065, State.UNREACHABLE, None),  # WSAEHOSTUNREACH
        (10061, 10061, State.CLOSED, "conn-refused"),  # WSAECONNREFUSED
    ],
)
def test_every_os_error_maps_to_a_verdict(error: int, winerror: int | None, state: State, cause: str | None) -> None:
    exc = OSError(error, "words")
    if winerror is not None:
        exc.winerror = winerror  # type: ignore[attr-defined]
    decided = classify_error(exc, None, "10.0.0.1", "10.0.0.2")
    assert decided is not None
    assert decided[0] is state
    if cause is not None:
        assert decided[1] == cause


def test_the_kernel_giving_up_is_silence_not_an_error() -> None:
    assert classify_error(OSError(errno.ETIMEDOUT, "timed out"), None, "10.0.0.1", None) is None


@pytest.mark.parametrize(
    ("icmp", "state", "cause"),
    [
        (Icmp(3, 13, "10.0.0.1"), State.FILTERED, "admin-prohibited"),  # the host's firewall: prohibited
        (Icmp(3, 10, "10.9.9.9"), State.FILTERED, "admin-prohibited"),
        (Icmp(3, 1, "10.0.0.1"), State.FILTERED, "port-rejected"),  # the host itself, for this port
        (Icmp(3, 1, "10.9.9.9"), State.UNREACHABLE, "host-unreach"),  # a router: about the host
        (Icmp(3, 0, "10.9.9.9"), State.UNREACHABLE, "net-unreach"),
        (Icmp(3, 1, "10.0.0.2"), State.UNREACHABLE, "host-down"),  # from this PC: no ARP answer
        (Icmp(3, 3, "10.0.0.1"), State.CLOSED, "port-unreach"),
        (Icmp(1, 1, "fe80::1", v6=True), State.FILTERED, "admin-prohibited"),
    ],
)
def test_icmp_messages_name_who_said_what(icmp: Icmp, state: State, cause: str) -> None:
    decided = classify_error(OSError(errno.EHOSTUNREACH, "unreachable"), icmp, "10.0.0.1", "10.0.0.2")
    assert decided is not None and decided[:2] == (state, cause)
    assert icmp.offender is not None and icmp.offender in english(decided[2])


def test_udp_answer_is_open_and_silence_is_open_filtered() -> None:
    async def scenario() -> tuple[State, State, bytes | None]:
        async with udp_serving(lambda data: b"pong:" + data) as (port, _server):
            answered = await udp_probe(socket.AF_INET, "127.0.0.1", port, b"ping", _path())
        async with udp_serving(lambda data: None) as (port, server):
            silent = await udp_probe(socket.AF_INET, "127.0.0.1", port, b"ping", _path())
            assert server.received == [b"ping", b"ping", b"ping"]  # three attempts
        return answered.state, silent.state, answered.answer

    answered, silent, data = asyncio.run(scenario())
    assert answered is State.OPEN
    assert data == b"pong:ping"
    assert silent is State.OPEN_FILTERED


def test_udp_port_unreachable_is_closed() -> None:
    with closed_udp_port() as port:
        outcome = asyncio.run(udp_probe(socket.AF_INET, "127.0.0.1", port, b"x", _path()))
    assert outcome.state is State.CLOSED
    assert outcome.cause == "port-unreach"


def test_netbios_datagram_for_udp_138_is_a_real_datagram() -> None:
    """RFC 1002 4.4.1: DIRECT_UNIQUE, this PC's address and port, two encoded names, lengths that add up."""

    async def scenario() -> tuple[bytes, int]:
        async with udp_serving(lambda data: None) as (port, server):
            outcome = await udp_probe(socket.AF_INET, "127.0.0.1", port, datagram_packet, _path())
            assert outcome.state is State.OPEN_FILTERED
            return server.received[0], len(server.received)

    packet, count = asyncio.run(scenario())
    assert count == 3
    kind, flags, _id = struct.unpack(">BBH", packet[:4])
    assert (kind, flags) == (0x10, 0x02)
    assert socket.inet_ntoa(packet[4:8]) == "127.0.0.1"
    _source_port, length, offset = struct.unpack(">HHH", packet[8:14])
    assert length == len(packet) - 14 == 68 and offset == 0
    assert packet[14] == 32 and packet[48] == 32  # two first-level encoded names
    with pytest.raises(ValueError, match="payload"):
        asyncio.run(udp_probe(socket.AF_INET, "127.0.0.1", 9, b"", _path()))


def test_netbios_node_status_round_trip() -> None:
    async def scenario() -> bytes | None:
        def reply(query: bytes) -> bytes:
            return node_status_answer(query, "CLIENT-PC", "CORP", bytes.fromhex("001122334455"))

        async with udp_serving(reply) as (port, server):
            outcome = await udp_probe(socket.AF_INET, "127.0.0.1", port, node_status_query(), _path())
            assert server.received[0][12:14] == b"\x20\x43"  # the encoded "*" name starts with 'CK'
        return outcome.answer

    data = asyncio.run(scenario())
    assert data is not None
    status = parse_node_status(data)
    assert status.mac == "00:11:22:33:44:55"
    assert [n.name for n in status.names] == ["CLIENT-PC", "CLIENT-PC", "CORP"]
    assert english(status.describe()) == "computer CLIENT-PC, workgroup CORP, MAC 00:11:22:33:44:55"


def test_resolve_localhost_and_ip_literals() -> None:
    resolved = asyncio.run(resolve("localhost"))
    assert resolved.ok and resolved.address in ("127.0.0.1", "::1")
    assert asyncio.run(resolve("127.0.0.1")).address == "127.0.0.1"


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts file descriptors in /proc")
def test_cancelled_probe_closes_every_socket() -> None:
    async def scenario() -> tuple[int, int, int]:
        with dropping_port() as port:
            before = _open_fds()
            probe = asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", port, _path()))
            await asyncio.sleep(0.45)  # three attempts out, each with its socket
            during = _open_fds()
            probe.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(probe, timeout=HANG_GUARD_S)
            return before, during, _open_fds()

    before, during, after = asyncio.run(scenario())
    assert during >= before + 2
    assert after == before


BLOCK_S = 0.6
"""How long the tests below hold the event loop, as an import or a TLS handshake does on a busy PC."""


@pytest.mark.skipif(not RECVERR, reason="the kernel's own round trips are read on Linux")
def test_a_busy_loop_neither_stretches_a_handshake_nor_sends_a_needless_retry() -> None:
    """The SYN-ACK arrives while the loop is held: its round trip is the kernel's (not the hold),
    and the retry that fell due meanwhile is not sent (it would look like loss, and give every
    silent port of the path more attempts)."""

    async def scenario() -> tuple[ProbeOutcome, PathTiming, float, float]:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel completes the handshake; nobody needs to accept
        path = PathTiming(TimeoutPolicy(initial=0.1, floor=0.05, cap=0.5, silent_host_wait=0.0))
        started = time.perf_counter()
        probe = asyncio.ensure_future(tcp_probe(socket.AF_INET, "127.0.0.1", listener.getsockname()[1], path))
        for _ in range(10_000):  # until the kernel has the connection (bounded)
            await asyncio.sleep(0)
            if select.select([listener], [], [], 0)[0]:
                break
        held_at = time.perf_counter()
        time.sleep(BLOCK_S)  # the loop is held: the retry falls due at 0.1 s
        outcome = await asyncio.wait_for(probe, timeout=HANG_GUARD_S)
        listener.close()
        return outcome, path, started, held_at

    outcome, path, started, held_at = asyncio.run(scenario())
    assert outcome.state is State.OPEN
    assert outcome.attempts == 1
    assert path.answered_on == 1 and path.allowed_attempts() == 3  # no loss seen
    assert outcome.rtt_ms is not None and outcome.rtt_ms < ((held_at - started) + BLOCK_S / 2) * 1000


@pytest.mark.skipif(not RECVERR, reason="the kernel's receive stamps are read on Linux")
def test_a_busy_loop_neither_stretches_a_udp_round_trip_nor_sends_a_needless_retry() -> None:
    """As above for UDP: the answer's round trip is the kernel's receive stamp."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(0.1)
    answered, stop = threading.Event(), threading.Event()
    received: list[bytes] = []

    def serve() -> None:
        deadline = time.monotonic() + HANG_GUARD_S
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                data, peer = server.recvfrom(2048)
            except TimeoutError:
                continue
            received.append(data)
            server.sendto(b"pong", peer)
            answered.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    # The kernel switches receive stamps on a moment after the first request (core.probes): a
    # socket that asked a while ago keeps them on, so the probe's first answer is stamped.
    import fcntl  # POSIX only

    keeper = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    with contextlib.suppress(OSError):
        fcntl.ioctl(keeper.fileno(), 0x8906, b"\x00" * 16)
    time.sleep(0.05)

    async def scenario() -> tuple[ProbeOutcome, PathTiming, float, float]:
        path = PathTiming(TimeoutPolicy(initial=0.1, floor=0.05, cap=0.5, silent_host_wait=0.0))
        started = time.perf_counter()
        probe = asyncio.ensure_future(udp_probe(socket.AF_INET, "127.0.0.1", server.getsockname()[1], b"ping", path))
        for _ in range(10_000):  # until the answer is on its way (bounded)
            await asyncio.sleep(0)
            if answered.is_set():
                break
        held_at = time.perf_counter()
        time.sleep(BLOCK_S)
        outcome = await asyncio.wait_for(probe, timeout=HANG_GUARD_S)
        return outcome, path, started, held_at

    try:
        outcome, path, started, held_at = asyncio.run(scenario())
    finally:
        stop.set()
        thread.join(timeout=HANG_GUARD_S)
        server.close()
        keeper.close()
    assert outcome.state is State.OPEN and outcome.answer == b"pong"
    assert outcome.attempts == 1 and received == [b"ping"]
    assert path.exact_samples == 1 and path.answered_on == 1
    assert outcome.rtt_ms is not None and outcome.rtt_ms < ((held_at - started) + BLOCK_S / 2) * 1000


def test_round_trips_the_program_measured_give_way_to_the_kernels() -> None:
    """One sample taken while the loop was held (0.3 s on a LAN) made every dropped port of the
    path wait about 1 s an attempt; the kernel's first measure starts the estimate afresh."""
    path = PathTiming(TimeoutPolicy())
    path.far_answer(0.3, exact=False)  # a UDP answer measured by the program, late
    assert path.timeout() == pytest.approx(0.3 + 4 * 0.15)
    path.far_answer(0.0002)  # a SYN-ACK, as the kernel measured it
    assert path.timeout() == 0.1  # the floor: a LAN
    path.far_answer(0.4, exact=False)  # the program's measures no longer count
    assert path.timeout() == 0.1
    assert path.answers == 3  # but they are answers (the host is there)
    alone = PathTiming(TimeoutPolicy())  # where the kernel measures nothing (Windows), they are all there is
    alone.far_answer(0.6, exact=False)
    alone.far_answer(0.6, exact=False)
    assert alone.timeout() > 0.6


def test_a_refusal_the_loop_has_already_read_never_reads_as_connected() -> None:
    """At 25 % loss, closed ports came out "open": the loop had read the refusal (reading
    SO_ERROR clears it) but not handed it over, and the kernel check saw a writable socket
    with no error. A socket with no peer is not connected."""
    from sep_port_doctor.core.probes import _connected_now

    with closed_port() as port:
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError, ConnectionRefusedError):
            sock.connect(("127.0.0.1", port))
        try:
            select.select([], [sock], [], HANG_GUARD_S)
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) in (
                0,
                errno.ECONNREFUSED,
            )  # read, as the loop does
            assert _connected_now(sock) is False
        finally:
            sock.close()
    with dropping_port() as silent:
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", silent))
        try:
            assert _connected_now(sock) is False  # still waiting
        finally:
            sock.close()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    sock = socket.socket()
    sock.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        sock.connect(listener.getsockname())
    try:
        select.select([], [sock], [], HANG_GUARD_S)
        assert _connected_now(sock) is True
    finally:
        sock.close()
        listener.close()


def test_refused_probes_leave_their_sockets_to_no_garbage_collection() -> None:
    """A refusal is the common answer: its error carries no traceback (which would hold the frame
    that holds the socket's watch, whose future holds the error: a cycle), so each probe's socket
    is freed when the probe ends, not left with hundreds of others for one full collection that
    stops the window (benchmarks/gui_responsiveness.py)."""

    async def scenario() -> tuple[list[ProbeOutcome], int]:
        with closed_port() as port, closed_udp_port() as udp_port:
            path = _path()
            await tcp_probe(socket.AF_INET, "127.0.0.1", port, path)  # the loop's own first objects
            gc.collect()
            gc.disable()
            try:
                outcomes = await asyncio.gather(
                    *(tcp_probe(socket.AF_INET, "127.0.0.1", port, path) for _ in range(100)),
                    *(udp_probe(socket.AF_INET, "127.0.0.1", udp_port, b"x", path) for _ in range(50)),
                )
                left = sum(1 for o in gc.get_objects() if isinstance(o, socket.socket) and o.fileno() == -1)
            finally:
                gc.enable()
        return list(outcomes), left

    outcomes, left_for_the_collector = asyncio.run(scenario())
    assert {o.state for o in outcomes} == {State.CLOSED}
    assert left_for_the_collector == 0
