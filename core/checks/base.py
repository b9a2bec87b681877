"""What every application check declares, what it is given when it runs, and what it says.

An application check asks more of a port that answered (``core.engine`` runs it): the secars
heartbeat, the TLS facts, the version API, a NetBIOS node status, a syslog message, an SMB2
NEGOTIATE. Each is one :class:`ApplicationCheck` in a module of this package, named by its
``id`` in ``resources/catalog/ports.toml`` (an entry's ``checks``). It declares what it sends,
runs once per path to the port (:class:`OpenPort`), keeps what it saw as typed evidence
(a frozen dataclass with ``to_json``; plain dicts only at the JSON boundary), and explains
its own failures (:class:`Judgement`: severity, words, guidance ids).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from sep_port_doctor.core.hosts import Host
from sep_port_doctor.core.i18n import Message, Sayable
from sep_port_doctor.core.results import AppResult, CheckResult, Severity, State
from sep_port_doctor.core.versions import SepVersion

if TYPE_CHECKING:
    from sep_port_doctor.core.probes import Payload as ProbePayload


@dataclass(frozen=True)
class Payload:
    """What a UDP probe sends (ports.toml ``sends``): a check that reads the answer names it."""

    id: str
    make: Callable[[], ProbePayload]
    """Bytes, or a function of the probe's own address and port (which some packets carry)."""
    answer_expected: bool
    """The protocol answers this: silence then says more than for one that never answers."""


@dataclass(frozen=True)
class OpenPort:
    """A port that answered its probe, and what a check may use to talk to it."""

    host: Host
    address: str
    """The address the probe used (the check talks to the same one)."""
    port: int
    state: State
    """``open``, or ``open|filtered`` for a UDP port that stayed silent."""
    answer: bytes | None
    """The UDP probe's answer (what the entry ``sends`` brought back), if any."""
    deadline: float
    """Seconds for the whole exchange (``core.timing``: longer on a slow path)."""
    version: SepVersion | None
    """The version the user gave, if any."""
    proxy: str | None = None
    """The path: None for direct, else the proxy's URL (checks with ``proxy_scheme`` only)."""


@dataclass(frozen=True)
class Judgement:
    """How a check explains one of its results: the explanation without the guidance texts."""

    severity: Severity
    headline: Sayable
    """One line: a message of ``[check]`` (``words``) and the evidence it quotes."""
    guidance: tuple[str, ...]
    """Guidance ids (guidance.toml), most useful first."""


def words(code: str, **values: object) -> Message:
    """A sentence of the messages' ``[check]``, with its values (raw, or words themselves)."""
    return Message(f"check.{code}", **values)


class ApplicationCheck:
    """One kind of application check. Subclasses set the class attributes and ``run``."""

    id: str
    protocol: ClassVar[str] = "tcp"
    """The entries that may name it: ``tcp`` or ``udp``."""
    sends: ClassVar[str]
    """What goes on the wire, in words (for the reader of this code and of ``--help``)."""
    payload: ClassVar[str | None] = None
    """UDP: the payload id whose answer it reads (the entry must send it)."""
    needs_answer: ClassVar[bool] = False
    """UDP: runs only when the probe got an answer."""
    proxy_scheme: str | None = None
    """Also runs through the system proxy for a URL of this scheme (a second path to the server)."""
    guidance: ClassVar[tuple[str, ...]] = ()
    """Every guidance id its explanations cite (refused at start where guidance.toml has none)."""
    preload: ClassVar[tuple[str, ...]] = ()
    """Slow libraries it needs (httpx, core.tlsinfo's cryptography): a run imports them once its
    first packets are out, rather than when the first answer waits for them."""

    async def run(self, port: OpenPort) -> AppResult:
        raise NotImplementedError

    def explain(self, app: AppResult, result: CheckResult, port_guidance: tuple[str, ...]) -> Judgement | None:
        """A failed result of this check on an open port: what it means; None: say nothing more.
        ``port_guidance``: the entry's own guidance (ports.toml), for a failure that is the port's."""
        return None

    def notice(self, app: AppResult) -> Judgement | None:
        """A passed result worth a warning (a certificate about to expire); None: nothing."""
        return None

    def explain_paths(
        self, result: CheckResult, port_guidance: tuple[str, ...], version: SepVersion | None
    ) -> Judgement | None:
        """For a check with a proxy path: the verdict of the port from both paths, when they
        say different things or the proxy's failed; None: the port's usual verdict."""
        return None
