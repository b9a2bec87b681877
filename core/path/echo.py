"""ICMP echo (ping) without administrator rights, or "not available here", never a failure.

* Linux and macOS: icmplib's unprivileged ICMP sockets (``SOCK_DGRAM``/``IPPROTO_ICMP``).
  Linux allows them only to the groups in ``net.ipv4.ping_group_range`` (many
  distributions allow every group; the kernel's default, ``1 0``, allows none); a router's
  unreachable is read from the socket's error queue (``IP_RECVERR``), as the probes read theirs.
* Windows: the IP Helper API's ``IcmpSendEcho2`` (IPv6: ``Icmp6SendEcho2``, a link-local
  address's zone as the scope id) (``core.path.winicmp``).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.path.facts import EchoFacts, EchoState
from sep_port_doctor.core.path.route import source_address
from sep_port_doctor.core.path.winicmp import IP_SUCCESS, IcmpApi, refusal
from sep_port_doctor.core.probes import keep_icmp_errors, read_icmp
from sep_port_doctor.core.resolver import BusyError, in_daemon_thread

COUNT = 3
INTERVAL = 0.1
TIMEOUT = 0.7
PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")


def _not_allowed_detail() -> Message:
    try:
        allowed = " ".join(PING_GROUP_RANGE.read_text().split())
    except OSError:
        allowed = "?"
    return Message("path.detail-no-ping-rights", allowed=allowed)


async def echo(address: str, api: IcmpApi | None = None) -> EchoFacts:
    """``COUNT`` echo requests to ``address``; ``api`` (Windows' IcmpSendEcho2, or a test's fake) when given."""
    if api is not None:
        return await _echo_windows(address, api)
    if sys.platform == "win32":
        return await _echo_windows(address, _windows_api())
    try:
        import icmplib
        from icmplib.exceptions import ICMPLibError, ICMPSocketError, SocketPermissionError
        from icmplib.utils import unique_identifier
    except ImportError as exc:  # pragma: no cover - a dependency; a broken install still never fails the run
        return EchoFacts(EchoState.NOT_AVAILABLE, detail=Message("path.detail-no-icmplib", error=str(exc)))
    try:
        opened = (icmplib.ICMPv6Socket if ":" in address else icmplib.ICMPv4Socket)(None, privileged=False)
    except SocketPermissionError:
        return EchoFacts(EchoState.NOT_AVAILABLE, detail=_not_allowed_detail())
    except (ICMPLibError, OSError) as exc:
        return EchoFacts(EchoState.NOT_AVAILABLE, detail=f"{type(exc).__name__}: {exc}")
    # A router's unreachable for the echo comes as an ICMP error, which the system hands to the
    # socket only when asked to queue them (Linux IP_RECVERR); then a receive fails, and the error
    # queue says who refused and how, as Windows' IcmpSendEcho2 does.
    keep_icmp_errors(opened.sock)
    sent, refused = 0, ""
    rtts: list[float] = []
    with icmplib.AsyncSocket(opened) as sock:
        identifier = unique_identifier()
        for number in range(COUNT):
            if number:
                await asyncio.sleep(INTERVAL)
            request = icmplib.ICMPRequest(address, identifier, number)
            try:
                sock.send(request)
            except ICMPLibError:
                break  # the system would not send it: said below with its reason
            sent += 1
            try:
                reply = await sock.receive(request, TIMEOUT)
                reply.raise_for_status()
                rtts.append((reply.time - request.time) * 1000)
            except ICMPSocketError:
                icmp = read_icmp(opened.sock)
                if icmp is not None:
                    refused = f"{icmp.offender or '?'}: {icmp.kind}"
            except ICMPLibError:
                pass  # no answer in time
    if rtts:
        return EchoFacts(EchoState.ANSWERED, sent, len(rtts), min(rtts))
    if not sent:
        # The system's routes say why it would not send (a zone naming a card with no way there, a
        # prohibit route), as a connected UDP socket hears it.
        return EchoFacts(EchoState.NOT_SENT, detail=source_address(address)[1] or "?")
    if refused:
        return EchoFacts(EchoState.UNREACHABLE, sent, 0, detail=refused)
    return EchoFacts(EchoState.NO_ANSWER, sent)


def _windows_api() -> IcmpApi:
    from sep_port_doctor.core.path.winicmp import WindowsIcmp

    return WindowsIcmp()


async def _echo_windows(address: str, api: IcmpApi) -> EchoFacts:
    sent, refused = 0, ""
    rtts: list[float] = []
    for number in range(COUNT):
        if number:
            await asyncio.sleep(INTERVAL)
        try:
            reply = await in_daemon_thread(lambda: api.send_echo(address, 128, int(TIMEOUT * 1000)))
        except (OSError, BusyError) as exc:
            return EchoFacts(EchoState.NOT_AVAILABLE, sent, len(rtts), detail=f"IcmpSendEcho2: {exc}")
        sent += 1
        if reply.status == IP_SUCCESS and reply.rtt_ms is not None:
            rtts.append(reply.rtt_ms)
        elif (words := refusal(reply.status, address)) is not None:
            refused = f"{reply.address or '?'}: {words}"
    if rtts:
        return EchoFacts(EchoState.ANSWERED, sent, len(rtts), min(rtts))
    if refused:
        return EchoFacts(EchoState.UNREACHABLE, sent, 0, detail=refused)
    return EchoFacts(EchoState.NO_ANSWER, sent)
