"""NetBIOS on UDP: the node-status query PortQry sends to 137 (the answer names the PC, its
workgroup and its MAC), and the datagram-service packet a probe of 138 sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sep_port_doctor.core.checks.base import ApplicationCheck, Judgement, OpenPort, Payload, words
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.netbios import NetbiosError, datagram_packet, node_status_query, parse_node_status
from sep_port_doctor.core.results import AppResult, CheckResult, Severity

CHECK_ID = "netbios-status"
NODE_STATUS = "netbios-node-status"


@dataclass(frozen=True)
class NetbiosEvidence:
    names: tuple[str, ...]
    """``NAME<20>``, with `` group`` for a group name."""
    mac: str

    def to_json(self) -> dict[str, Any]:
        return {"names": list(self.names), "mac": self.mac}


def node_status_result(answer: bytes, port: int) -> AppResult:
    """The check's verdict on what the port answered to the node-status query."""
    try:
        status = parse_node_status(answer)
    except NetbiosError as exc:
        return AppResult(CHECK_ID, False, Message("evidence.netbios-not-status", port=port, error=str(exc)))
    names = tuple(f"{n.name}<{n.suffix:02x}>{' group' if n.group else ''}" for n in status.names)
    return AppResult(CHECK_ID, True, status.describe(), evidence=NetbiosEvidence(names, status.mac))


class NetbiosStatus(ApplicationCheck):
    id = CHECK_ID
    protocol = "udp"
    sends = "nothing more: it reads the answer to the probe's NetBIOS node-status query (NBSTAT for '*')"
    payload = NODE_STATUS
    needs_answer = True

    async def run(self, port: OpenPort) -> AppResult:
        assert port.answer is not None  # needs_answer: run only when the probe got one
        return node_status_result(port.answer, port.port)

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement:
        return Judgement(Severity.WARNING, words("netbios-unreadable", detail=app.detail), port_guidance)


CHECKS = (NetbiosStatus(),)
PAYLOADS = (
    Payload(NODE_STATUS, node_status_query, answer_expected=True),
    Payload("netbios-datagram", lambda: datagram_packet, answer_expected=False),
)
