"""From a check's result to its finding (``core.results.Finding``): a severity, a headline and guidance.

Rules map (check, verdict, context) to guidance ids in guidance.toml; the texts
themselves live in each language's files, and the headline is a message of the catalogue
(``[explain]``), said in whichever language is asked. A check that did not run is never
``passed``.
"""

from __future__ import annotations

from sep_port_doctor.core.catalog import Catalog, PortEntry
from sep_port_doctor.core.checks import application_check
from sep_port_doctor.core.checks.base import Judgement
from sep_port_doctor.core.i18n import Message, known
from sep_port_doctor.core.results import CheckResult, Finding, Severity, State, Target
from sep_port_doctor.core.verdicts import CAUSE_GUIDANCE, HOST_CAUSES, VERDICT_GUIDANCE, paths_detail
from sep_port_doctor.core.versions import SepVersion


def _state_headline(state: State) -> Message:
    return Message(f"explain.headline-{state}")


_FAILED = (State.CLOSED, State.FILTERED, State.UNREACHABLE, State.UNRESOLVED)


def _guidance(catalog: Catalog, ids: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """These guidance ids, each once, in order; an id guidance.toml does not have is a bug
    (the catalogue refuses unknown ids in its own files and in the checks' declarations)."""
    missing = [g for g in ids if g not in catalog.guidance]
    if missing:
        raise KeyError(f"unknown guidance id {missing[0]!r}")
    return tuple(dict.fromkeys(ids))


def _explanation(judgement: Judgement, catalog: Catalog) -> Finding:
    return Finding(judgement.severity, judgement.headline, _guidance(catalog, judgement.guidance))


def cause_headline(cause: str, sender: str | None = None) -> Message | None:
    """The headline of a verdict's cause (the message catalogue's [cause]), with the ICMP sender
    filled in where one is known; None for a cause without words of its own."""
    code = f"cause.{cause}"
    if not cause or not known(code):
        return None
    return Message(
        code,
        router=Message("explain.router", sender=sender) if sender else "",
        from_sender=Message("explain.from-sender", sender=sender) if sender else "",
    )


def _app_explanation(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Finding | None:
    """The open port's application checks: the first failure decides; then a passed one may
    still warn (a certificate about to expire). Each check explains its own results."""
    for app in result.application:
        if not app.ok:
            judgement = application_check(app.test).explain(app, result, entry.guidance)
            if judgement is not None:
                return _explanation(judgement, catalog)
    for app in result.application:
        judgement = application_check(app.test).notice(app)
        if judgement is not None:
            return _explanation(judgement, catalog)
    return None


def _paths_explanation(
    result: CheckResult, entry: PortEntry, catalog: Catalog, version: SepVersion | None
) -> Finding | None:
    """A check that ran over two paths (direct and the system proxy) judges the port from both."""
    for test in result.check.app_tests:
        judgement = application_check(test).explain_paths(result, entry.guidance, version)
        if judgement is not None:
            return _explanation(judgement, catalog)
    return None


def explain(result: CheckResult, catalog: Catalog, version: SepVersion | None = None) -> Finding:
    check = result.check
    entry = catalog.entry(check.entry_id)
    state = result.state
    headline = _state_headline(state)

    if not state.ran:
        ids = list(entry.guidance) if check.reason_code == "version" else []
        if check.reason_code.startswith("localhost"):
            ids.append("localhost-only")
        words = Message("explain.not-run", headline=headline, why=check.reason)
        if state is State.NOT_TESTED and result.reason and result.reason != check.reason:
            words = Message("explain.not-run", headline=headline, why=result.reason)
        return Finding(Severity.NOT_TESTED, words, _guidance(catalog, ids))

    if state is State.ERROR:
        return Finding(Severity.WARNING, Message("explain.could-not-check", reason=result.reason), ())

    if check.expected_unreachable and state in _FAILED:
        return Finding(
            Severity.INFO,
            Message("explain.localhost-normal", headline=headline),
            _guidance(catalog, ["localhost-only"]),
        )

    if not check.applies:
        # Probed anyway (--all-ports): whatever it says is for information.
        return Finding(
            Severity.INFO,
            Message("explain.not-this-setup", headline=headline),
            _guidance(catalog, list(entry.guidance)),
        )

    if check.local:
        return _explain_local(result, entry, catalog)

    paths = _paths_explanation(result, entry, catalog, version)
    if paths is not None:
        return paths

    if state is State.OPEN:
        app = _app_explanation(result, entry, catalog)
        if app is not None:
            return app
        ok = [a for a in result.application if a.ok]
        words = Message("explain.connected-with", detail=paths_detail(ok)) if ok else headline
        return Finding(Severity.PASSED, words, ())

    if state is State.OPEN_FILTERED:
        app = _app_explanation(result, entry, catalog)
        return Finding(
            Severity.WARNING,
            headline if app is None else app.headline,
            _guidance(catalog, ["verdict-open-filtered", *entry.guidance]),
        )

    # Who sent the ICMP message behind the verdict (a router's address), where the evidence names one.
    sender = result.reason.value("sender") if isinstance(result.reason, Message) else None
    headline = cause_headline(result.cause, str(sender) if sender else None) or headline
    ids = list(CAUSE_GUIDANCE.get(result.cause, [VERDICT_GUIDANCE[state]]))
    severity = Severity.PROBLEM
    # The page makes some ports optional (ports.toml "optional"): 8444 only matters where
    # Symantec Protection Center 2.0 is used, 8446 is the Java console's from 14.0.1 (and
    # RMM/EDR's), 443 is optional on 12.1, 1100 is started by AjaxSwing: not problems on their own.
    if entry.optional is not None and entry.optional.holds(version):
        severity = Severity.WARNING
        if entry.optional.guidance is not None:
            ids.insert(0, entry.optional.guidance)
    elif state is State.CLOSED and check.target in (Target.MANAGER, Target.MANAGER_LOCALHOST):
        # The verdict's own words fit any host (a GUP, a push target, an extra port); that the
        # manager's services hold its port closed is the manager's matter only (not where the
        # page calls the port optional: 1100 closed is AjaxSwing's, 8444 is SPC's).
        ids.append("manager-services")
    if result.cause in HOST_CAUSES or result.cause.startswith("local-"):
        # About the host or this PC, not the port: its advice first; the port's own would mislead.
        cause_ids = CAUSE_GUIDANCE.get(result.cause, [])
        return Finding(severity, headline, _guidance(catalog, [*cause_ids, *ids]))
    if entry.configurable and state is not State.UNRESOLVED:
        ids.append("configurable-port")
    # The certificate's guidance is for what a TLS check finds, not for a port that does not answer.
    ids += [g for g in entry.guidance if g not in ("certificate",)]
    return Finding(severity, headline, _guidance(catalog, ids))


def _explain_local(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Finding:
    state = result.state
    headline = _state_headline(state)
    if state is State.LISTENING:
        return Finding(Severity.PASSED, headline, ())
    if entry.feature is not None:
        # An optional feature (Network Traffic Redirection): not listening is information.
        words = Message("word.needed_only_with", headline=headline, feature=Message(f"feature.{entry.feature}"))
        return Finding(Severity.INFO, words, ())
    # Not listening is the service's matter (the Server service, NetBIOS over TCP/IP, ports.toml
    # "not_listening_guidance"): a firewall does not unbind a socket. Firewall advice stays with
    # a drop and the rule finding.
    own = [*entry.guidance, *(["configurable-port"] if entry.configurable else [])]
    not_listening = list(entry.not_listening_guidance) if entry.not_listening_guidance is not None else own
    if state is State.FILTERED:
        return Finding(Severity.PROBLEM, headline, _guidance(catalog, own))
    if state in (State.NOT_LISTENING, State.CLOSED):
        return Finding(Severity.PROBLEM, headline, _guidance(catalog, not_listening))
    return Finding(Severity.WARNING, headline, _guidance(catalog, not_listening))


_PORT_FAILURES = (State.CLOSED, State.FILTERED, State.UNREACHABLE)


def explain_channel_pair(result: CheckResult, explanation: Finding, partner: Finding, catalog: Catalog) -> Finding:
    """8014 or 443 from a client desk where this PC's SyLink did not single one out: a client
    uses one of the two, so the port failing while the other passes is a warning. A fault
    behind an open port (certificate, heartbeat) stays what it is: the server has it."""
    if not (
        explanation.severity is Severity.PROBLEM
        and partner.severity is Severity.PASSED
        and result.state in _PORT_FAILURES
    ):
        return explanation
    ids = ["client-channel-one-suffices", *explanation.guidance]
    return Finding(Severity.WARNING, explanation.headline, _guidance(catalog, ids))
