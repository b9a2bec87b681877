"""From a check's result to a severity, a headline and the vendor's guidance.

Rules map (check, verdict, context) to guidance ids in guidance.toml; the texts
themselves live there in Japanese and English. A check that did not run is never
``passed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.catalog import Catalog, Guidance, PortEntry, label
from core.checks import application_check
from core.checks.base import Judgement
from core.i18n import Lang, languages, say
from core.results import CheckResult, Severity, State
from core.verdicts import CAUSE_GUIDANCE, HOST_CAUSES, VERDICT_GUIDANCE, paths_detail
from core.versions import SepVersion


@dataclass(frozen=True)
class Explanation:
    severity: Severity
    headline: dict[str, str]
    """{"ja": ..., "en": ...}: one line saying what was found."""
    guidance: tuple[Guidance, ...]

    def headline_for(self, lang: Lang) -> str:
        return self.headline[lang]


def _h(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


_STATE_HEADLINES = {
    State.OPEN: _h("接続できました", "Connected"),
    State.CLOSED: _h("接続を拒否されました(閉じている)", "Connection refused (closed)"),
    State.FILTERED: _h("応答がありません(フィルタ)", "No answer (filtered)"),
    State.OPEN_FILTERED: _h("応答がありません(開いているかフィルタ)", "No answer (open or filtered)"),
    State.UNREACHABLE: _h("到達できません", "Unreachable"),
    State.UNRESOLVED: _h("ホスト名を解決できません", "The host name does not resolve"),
    State.LISTENING: _h("このコンピュータで待ち受けています", "This PC is listening"),
    State.NOT_LISTENING: _h("このコンピュータで待ち受けていません", "This PC is not listening"),
    State.NOT_APPLICABLE: _h("対象外", "Not applicable"),
    State.NOT_TESTED: _h("未実施", "Not tested"),
    State.CANCELLED: _h("中止されました", "Cancelled"),
    State.ERROR: _h("確認できませんでした", "Could not be checked"),
}

_FAILED = (State.CLOSED, State.FILTERED, State.UNREACHABLE, State.UNRESOLVED)


def _guidance(catalog: Catalog, ids: list[str] | tuple[str, ...]) -> tuple[Guidance, ...]:
    """The guidance of these ids, each once, in order; an id guidance.toml does not have is a bug
    (the catalogue refuses unknown ids in its own files and in the checks' declarations)."""
    missing = [g for g in ids if g not in catalog.guidance]
    if missing:
        raise KeyError(f"unknown guidance id {missing[0]!r}")
    return tuple(catalog.guidance[g] for g in dict.fromkeys(ids))


def _explanation(judgement: Judgement, catalog: Catalog) -> Explanation:
    return Explanation(judgement.severity, judgement.headline, _guidance(catalog, judgement.guidance))


_SENDER = re.compile(r"from ([0-9A-Fa-f.:]*[0-9A-Fa-f])")


def _cause_headline(result: CheckResult) -> dict[str, str] | None:
    """The headline of the verdict's cause (the message catalogue's [cause]), with the ICMP sender filled in."""
    if not result.cause or label("cause", result.cause, "en") == result.cause:
        return None
    found = _SENDER.search(result.reason)
    sender = found.group(1) if found else ""
    fills = {
        "ja": {"{router}": f" {sender} " if sender else "", "{from}": f"、送信元 {sender}" if sender else ""},
        "en": {"{router}": f" {sender}" if sender else "", "{from}": f" from {sender}" if sender else ""},
    }
    words = {}
    for lang in ("ja", "en"):
        text = label("cause", result.cause, lang)
        for key, value in fills[lang].items():
            text = text.replace(key, value)
        words[lang] = text
    return words


def _app_explanation(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Explanation | None:
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
) -> Explanation | None:
    """A check that ran over two paths (direct and the system proxy) judges the port from both."""
    for test in result.check.app_tests:
        judgement = application_check(test).explain_paths(result, entry.guidance, version)
        if judgement is not None:
            return _explanation(judgement, catalog)
    return None


def explain(result: CheckResult, catalog: Catalog, version: SepVersion | None = None) -> Explanation:
    check = result.check
    entry = catalog.entry(check.entry_id)
    state = result.state
    headline = _STATE_HEADLINES[state]

    if not state.ran:
        ids = list(entry.guidance) if check.reason_code == "version" else []
        if check.reason_code.startswith("localhost"):
            ids.append("localhost-only")
        why = {lang: plan_reason(result, catalog, version, lang) for lang in ("ja", "en")}
        words = _h(f"{headline['ja']}: {why['ja']}", f"{headline['en']}: {why['en']}")
        if state is State.NOT_TESTED and result.reason and result.reason != check.reason:
            words = _h(f"{headline['ja']}: {result.reason}", f"{headline['en']}: {result.reason}")
        return Explanation(Severity.NOT_TESTED, words, _guidance(catalog, ids))

    if state is State.ERROR:
        return Explanation(
            Severity.WARNING, _h(f"確認できませんでした: {result.reason}", f"Could not be checked: {result.reason}"), ()
        )

    if check.expected_unreachable and state in _FAILED:
        return Explanation(
            Severity.INFO,
            _h(
                f"{headline['ja']}(localhost のみ受け付けるため正常です)",
                f"{headline['en']} (normal: this port accepts localhost only)",
            ),
            _guidance(catalog, ["localhost-only"]),
        )

    if not check.applies:
        # Probed anyway (--all-ports): whatever it says is for information.
        return Explanation(
            Severity.INFO,
            _h(f"{headline['ja']}(このバージョン・役割では対象外)", f"{headline['en']} (not used in this setup)"),
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
        detail = {lang: paths_detail(ok, lang) for lang in ("ja", "en")}
        return Explanation(
            Severity.PASSED,
            _h(
                f"接続できました{(': ' + detail['ja']) if ok else ''}",
                f"Connected{(': ' + detail['en']) if ok else ''}",
            ),
            (),
        )

    if state is State.OPEN_FILTERED:
        app = _app_explanation(result, entry, catalog)
        return Explanation(
            Severity.WARNING,
            headline if app is None else app.headline,
            _guidance(catalog, ["verdict-open-filtered", *entry.guidance]),
        )

    headline = _cause_headline(result) or headline
    ids = list(CAUSE_GUIDANCE.get(result.cause, [VERDICT_GUIDANCE[state]]))
    severity = Severity.PROBLEM
    # The page makes some ports optional (ports.toml "optional"): 8444 only matters where
    # Symantec Protection Center 2.0 is used, 8446 is the Java console's from 14.0.1 (and
    # RMM/EDR's), 443 is optional on 12.1, 1100 is started by AjaxSwing: not problems on their own.
    if entry.optional is not None and entry.optional.holds(version):
        severity = Severity.WARNING
        if entry.optional.guidance is not None:
            ids.insert(0, entry.optional.guidance)
    if result.cause in HOST_CAUSES or result.cause.startswith("local-"):
        # About the host or this PC, not the port: its advice first; the port's own would mislead.
        cause_ids = CAUSE_GUIDANCE.get(result.cause, [])
        return Explanation(severity, headline, _guidance(catalog, [*cause_ids, *ids]))
    if entry.configurable and state is not State.UNRESOLVED:
        ids.append("configurable-port")
    # The certificate's guidance is for what a TLS check finds, not for a port that does not answer.
    ids += [g for g in entry.guidance if g not in ("certificate",)]
    return Explanation(severity, headline, _guidance(catalog, ids))


def _explain_local(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Explanation:
    state = result.state
    headline = _STATE_HEADLINES[state]
    if state is State.LISTENING:
        return Explanation(Severity.PASSED, headline, ())
    if entry.feature is not None:
        # An optional feature (Network Traffic Redirection): not listening is information.
        words = {
            lang: say(
                "word.needed_only_with", lang, headline=headline[lang], feature=say(f"feature.{entry.feature}", lang)
            )
            for lang in languages()
        }
        return Explanation(Severity.INFO, words, ())
    # Not listening is the service's matter (the Server service, NetBIOS over TCP/IP, ports.toml
    # "not_listening_guidance"): a firewall does not unbind a socket. Firewall advice stays with
    # a drop and the rule finding.
    own = [*entry.guidance, *(["configurable-port"] if entry.configurable else [])]
    not_listening = list(entry.not_listening_guidance) if entry.not_listening_guidance is not None else own
    if state is State.FILTERED:
        return Explanation(Severity.PROBLEM, headline, _guidance(catalog, own))
    if state in (State.NOT_LISTENING, State.CLOSED):
        return Explanation(Severity.PROBLEM, headline, _guidance(catalog, not_listening))
    return Explanation(Severity.WARNING, headline, _guidance(catalog, not_listening))


_PORT_FAILURES = (State.CLOSED, State.FILTERED, State.UNREACHABLE)


def explain_channel_pair(
    result: CheckResult, explanation: Explanation, partner: Explanation, catalog: Catalog
) -> Explanation:
    """8014 or 443 from a client desk where this PC's SyLink did not single one out: a client
    uses one of the two, so the port failing while the other passes is a warning. A fault
    behind an open port (certificate, heartbeat) stays what it is: the server has it."""
    if not (
        explanation.severity is Severity.PROBLEM
        and partner.severity is Severity.PASSED
        and result.state in _PORT_FAILURES
    ):
        return explanation
    ids = ["client-channel-one-suffices", *(g.id for g in explanation.guidance)]
    return Explanation(Severity.WARNING, explanation.headline, _guidance(catalog, ids))


def plan_reason(result: CheckResult, catalog: Catalog, version: SepVersion | None, lang: Lang) -> str:
    """Why the check was planned this way, in the user's language."""
    check = result.check
    text = label("reason", check.reason_code, lang)
    for name, value in check.reason_args:
        text = text.replace("{" + name + "}", value)
    if check.reason_code == "version" and version is not None:
        entry = catalog.entry(check.entry_id)
        return text.replace("{version}", version.release_name).replace("{versions}", entry.versions_text.get(lang))
    return text if text != check.reason_code else check.reason
