"""Is this PC listening where the manager connects? The socket table on the address
that faces the manager: real sockets here, and a recorded Windows ``netstat -ano``."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.engine import ProbeEngine
from sep_port_doctor.core.explain import explain
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.plan import PlanRequest, build_plan
from sep_port_doctor.core.results import CheckResult, Severity, State
from sep_port_doctor.core.socket_table import (
    Endpoint,
    SocketTableUnavailable,
    facing_address,
    judge_listening,
    read_socket_table,
    read_socket_table_off_loop,
)
from sep_port_doctor.core.timing import TimeoutPolicy
from sep_port_doctor.core.versions import parse_version
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.windows_fixtures import RECORDED, parse_netstat
from tests.helpers.words import english

CATALOG = load_catalog()
FAST = TimeoutPolicy(initial=0.3, floor=0.05, cap=0.5)
NETSTAT = parse_netstat((RECORDED / "netstat-ano-fr-win10.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("facing", ["192.168.1.55", "10.2.1.1", "192.168.56.1"])
@pytest.mark.parametrize(("protocol", "port"), [("tcp", 139), ("tcp", 445), ("udp", 137), ("udp", 138)])
def test_a_healthy_windows_pc_listens_on_each_cards_address(facing: str, protocol: str, port: int) -> None:
    verdict = judge_listening(NETSTAT, protocol, port, facing, platform="win32")
    assert verdict.state is State.LISTENING
    assert "PID 4" in english(verdict.reason)


def test_netbios_is_not_on_loopback_and_not_on_an_address_the_pc_does_not_have() -> None:
    """Where a loopback connect to 139 is refused on a healthy PC, the table is right."""
    assert not [e for e in NETSTAT if e.port == 139 and e.address.startswith("127.")]
    verdict = judge_listening(NETSTAT, "tcp", 139, "172.16.9.9", platform="win32")
    assert verdict.state is State.NOT_LISTENING
    assert "192.168.1.55:139" in english(verdict.reason) and "172.16.9.9" in english(verdict.reason)
    # SMB is bound to every address.
    assert judge_listening(NETSTAT, "tcp", 445, "172.16.9.9", platform="win32").state is State.LISTENING
    # IPv6 on Windows: [::]:445 is there, 139 is IPv4 only.
    assert judge_listening(NETSTAT, "tcp", 445, "2001:db8::5", platform="win32").state is State.LISTENING
    assert judge_listening(NETSTAT, "tcp", 139, "2001:db8::5", platform="win32").state is State.NOT_LISTENING


def test_windows_keeps_ipv4_and_ipv6_wildcards_apart() -> None:
    only_v6 = [e for e in NETSTAT if not (e.port == 445 and e.address == "0.0.0.0")]
    assert judge_listening(only_v6, "tcp", 445, "192.168.1.55", platform="win32").state is State.NOT_LISTENING
    assert judge_listening(only_v6, "tcp", 445, "192.168.1.55", platform="linux").state is State.LISTENING


def test_without_the_managers_address_loopback_alone_does_not_count() -> None:
    assert judge_listening(NETSTAT, "udp", 1900, None).state is State.LISTENING
    loopback_only = [e for e in NETSTAT if e.address == "127.0.0.1"]
    verdict = judge_listening(loopback_only, "tcp", 8384, None)
    assert verdict.state is State.NOT_LISTENING and "loopback only" in english(verdict.reason)


def test_the_real_socket_table_sees_a_real_listener() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as bound,
    ):
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        bound.bind(("127.0.0.1", 0))
        table = read_socket_table()
        tcp_port, udp_port = listener.getsockname()[1], bound.getsockname()[1]
        assert judge_listening(table, "tcp", tcp_port, "127.0.0.1").state is State.LISTENING
        assert judge_listening(table, "udp", udp_port, "127.0.0.1").state is State.LISTENING
    assert facing_address("127.0.0.1") == "127.0.0.1"
    assert facing_address("not an address") is None


def _local_results(overrides: dict[int, int], manager: str = "127.0.0.1") -> dict[str, CheckResult]:
    async def scenario() -> dict[str, CheckResult]:
        request = PlanRequest(
            manager=parse_host(manager), version=parse_version("14.3"), overrides=overrides, platform="win32"
        )
        summary = await ProbeEngine(FAST, use_system_proxy=False).run(build_plan(CATALOG, request))
        return {r.check.entry_id: r for r in summary.results}

    return asyncio.run(scenario())


def test_the_engine_judges_this_pc_on_the_address_facing_the_manager() -> None:
    """Real sockets: 445 on the facing address, 139 only on another loopback address, UDP 137 bound, 138 not."""
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as smb,
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as session,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as name,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as free,
    ):
        smb.bind(("127.0.0.1", 0))
        smb.listen()
        session.bind(("127.0.0.2", 0))  # another card's address
        session.listen()
        name.bind(("127.0.0.1", 0))
        free.bind(("127.0.0.1", 0))
        free_port = free.getsockname()[1]
        free.close()
        results = _local_results(
            {
                445: smb.getsockname()[1],
                139: session.getsockname()[1],
                137: name.getsockname()[1],
                138: free_port,
            }
        )
    assert results["push-tcp-445"].state is State.LISTENING
    assert results["push-tcp-445"].address == "127.0.0.1"
    assert "accepts connections on 127.0.0.1" in english(results["push-tcp-445"].reason)
    session_result = results["push-tcp-139"]
    assert session_result.state is State.NOT_LISTENING
    assert "127.0.0.2" in english(session_result.reason) and session_result.local_sockets
    assert results["push-udp-137"].state is State.LISTENING
    assert results["push-udp-138"].state is State.NOT_LISTENING
    # Not listening is the service's matter; the firewall's advice is for drops.
    explanation = explain(session_result, CATALOG)
    assert explanation.severity is Severity.PROBLEM
    ids = list(explanation.guidance)
    assert ids[0] == "local-not-listening" and "server-service" in ids
    assert "allow-file-printer-sharing" not in ids


# --- the socket table read off the event loop's thread ----------------------------------------


class _CollectionsByThread:
    """Which threads the cyclic garbage collector ran in while installed (gc.callbacks)."""

    def __init__(self) -> None:
        self.threads: list[int] = []

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self.threads.append(threading.get_ident())

    def __enter__(self) -> _CollectionsByThread:
        self.threshold = gc.get_threshold()
        gc.set_threshold(1)  # due at every allocation: whichever thread allocates collects
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)
        gc.set_threshold(*self.threshold)


def _allocating_read() -> tuple[Endpoint, ...]:
    """The real table, and many cycles besides, as a psutil read on a busy PC allocates."""
    table = read_socket_table()
    for _ in range(2000):
        cycle: list[object] = []
        cycle.append(cycle)
    return table


def test_no_garbage_collection_runs_in_the_thread_that_reads_the_socket_table() -> None:
    main = threading.get_ident()

    async def scenario() -> tuple[Endpoint, ...]:
        return await read_socket_table_off_loop(_allocating_read)

    with _CollectionsByThread() as collections:
        table = asyncio.run(scenario())
        gc.collect()  # the collector works again, on this thread
    assert isinstance(table, tuple) and all(isinstance(e, Endpoint) for e in table)
    assert collections.threads, "the collector never ran: the test would prove nothing"
    assert set(collections.threads) == {main}
    assert gc.isenabled()


def test_a_plain_thread_would_collect_there_which_is_what_the_pause_prevents() -> None:
    """The control: the same read on a plain worker thread collects off the loop's thread
    (where the window's unreachable Qt objects were once destroyed, and it crashed)."""
    main = threading.get_ident()

    async def scenario() -> tuple[Endpoint, ...]:
        return await asyncio.get_running_loop().run_in_executor(None, _allocating_read)

    with _CollectionsByThread() as collections:
        asyncio.run(scenario())
    assert set(collections.threads) - {main}


def test_the_loop_goes_on_while_the_socket_table_is_read() -> None:
    """The read waits until the loop has run a callback: on the loop's thread it would never return."""
    loop_ran = threading.Event()
    reader: list[int] = []

    def slow_read() -> tuple[Endpoint, ...]:
        reader.append(threading.get_ident())
        assert loop_ran.wait(HANG_GUARD_S), "the event loop did not run while the table was read"
        return (Endpoint("tcp", "0.0.0.0", 445, 4),)

    async def scenario() -> tuple[Endpoint, ...]:
        asyncio.get_running_loop().call_soon(loop_ran.set)
        return await read_socket_table_off_loop(slow_read)

    assert asyncio.run(scenario()) == (Endpoint("tcp", "0.0.0.0", 445, 4),)
    assert reader and reader[0] != threading.get_ident()
    assert gc.isenabled()


def test_a_failing_or_abandoned_read_leaves_the_collector_on() -> None:
    release = threading.Event()

    def failing() -> tuple[Endpoint, ...]:
        raise SocketTableUnavailable(Message("evidence.table-needs-admin", error="AccessDenied"))

    def stuck() -> tuple[Endpoint, ...]:
        release.wait(HANG_GUARD_S)
        return ()

    async def scenario() -> None:
        with pytest.raises(SocketTableUnavailable):
            await read_socket_table_off_loop(failing)
        task = asyncio.ensure_future(read_socket_table_off_loop(stuck))
        await asyncio.sleep(0)
        assert not gc.isenabled()  # held off while the thread runs
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        for _ in range(int(HANG_GUARD_S / 0.01)):
            if gc.isenabled():
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        asyncio.run(read_socket_table_off_loop(lambda: ()))
        assert not gc.isenabled()
    finally:
        gc.enable()
