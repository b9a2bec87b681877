"""Syslog over UDP: one RFC 5424 test message to the syslog server, which never answers, so the
check passes unless the port is closed, and says where to look for the message."""

from __future__ import annotations

import datetime as dt
import socket

from sep_port_doctor.core.checks.base import ApplicationCheck, OpenPort, Payload
from sep_port_doctor.core.i18n import Message
from sep_port_doctor.core.results import AppResult, State

CHECK_ID = "syslog-send"
MESSAGE = "syslog-message"
TEST_WORDS = "SEP Port Doctor connectivity test"


def syslog_test_message() -> bytes:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    host = socket.gethostname()[:64] or "-"
    return f"<14>1 {stamp} {host} sep-port-doctor - - - {TEST_WORDS}".encode()


class SyslogSend(ApplicationCheck):
    id = CHECK_ID
    protocol = "udp"
    sends = f"nothing more: the probe itself sends one syslog message (facility user, severity info: '{TEST_WORDS}')"
    payload = MESSAGE

    async def run(self, port: OpenPort) -> AppResult:
        return AppResult(
            self.id,
            port.state is not State.CLOSED,
            Message("evidence.syslog-sent", words=TEST_WORDS),
        )


CHECKS = (SyslogSend(),)
PAYLOADS = (Payload(MESSAGE, syslog_test_message, answer_expected=False),)
