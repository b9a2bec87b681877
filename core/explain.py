"""From a check's result to a severity, a headline and the vendor's guidance.

Rules map (check, verdict, context) to guidance ids in guidance.toml; the texts
themselves live there in Japanese and English. A check that did not run is never
``passed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.catalog import Catalog, Guidance, PortEntry, label
from core.i18n import Lang
from core.results import AppResult, AppTest, CheckResult, Severity, State
from core.versions import SepVersion

PUSH_ENTRIES = ("push-tcp-139", "push-tcp-445", "push-udp-137", "push-udp-138")


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

_VERDICT_GUIDANCE = {
    State.FILTERED: "verdict-filtered",
    State.CLOSED: "verdict-closed",
    State.UNREACHABLE: "verdict-unreachable",
    State.UNRESOLVED: "verdict-unresolved",
    State.OPEN_FILTERED: "verdict-open-filtered",
}

_FAILED = (State.CLOSED, State.FILTERED, State.UNREACHABLE, State.UNRESOLVED)


def _guidance(catalog: Catalog, ids: list[str]) -> tuple[Guidance, ...]:
    seen: list[str] = []
    for gid in ids:
        if gid in catalog.guidance and gid not in seen:
            seen.append(gid)
    return tuple(catalog.guidance[g] for g in seen)


_CAUSE_GUIDANCE = {
    "local-prohibited": ["verdict-filtered-locally"],
    "local-blackhole": ["verdict-filtered-locally"],
    "admin-prohibited": ["verdict-rejected", "verdict-filtered"],
    "port-rejected": ["verdict-rejected", "verdict-filtered"],
    "host-unreach": ["verdict-unreachable"],
    "net-unreach": ["verdict-unreachable"],
    "host-down": ["verdict-unreachable"],
    "no-route": ["verdict-unreachable"],
    "nxdomain": ["verdict-nxdomain"],
    "dns-timeout": ["verdict-dns-timeout"],
    "dns-no-address": ["verdict-unresolved"],
    "dns-failure": ["verdict-unresolved"],
}
"""Causes whose guidance replaces the verdict's (nothing about the port helps with these)."""
_HOST_CAUSES = (
    "host-unreach",
    "net-unreach",
    "host-down",
    "no-route",
    "nxdomain",
    "dns-timeout",
    "dns-no-address",
    "dns-failure",
)
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


def _path_name(app: AppResult, lang: Lang) -> str:
    if app.via == "direct":
        return label("word", "direct", lang)
    return label("word", "through_proxy", lang).replace("{proxy}", app.via.removeprefix("proxy "))


def _paths_detail(apps: list[AppResult], lang: Lang, *, named: bool = False) -> str:
    """``direct: HTTP 200, body 'OK'; through proxy proxy01:8080: HTTP 200, body 'OK'``: each path named
    when there is more than one."""
    named = named or any(a.via != "direct" for a in apps)
    return "; ".join(f"{_path_name(a, lang)}: {a.detail}" if named else a.detail for a in apps)


def _proxy_apps(result: CheckResult) -> tuple[list[AppResult], list[AppResult]]:
    heartbeat = [a for a in result.application if a.test in (AppTest.SECARS_HTTP, AppTest.SECARS_HTTPS)]
    return [a for a in heartbeat if a.via == "direct"], [a for a in heartbeat if a.via != "direct"]


def _proxy_blamed(app: AppResult) -> bool:
    return (app.evidence or {}).get("failed_at") == "proxy"


def _proxy_explanation(
    result: CheckResult, entry: PortEntry, catalog: Catalog, version: SepVersion | None
) -> Explanation | None:
    """The heartbeat tried direct and through the system proxy: the verdict names each path."""
    direct, proxied = _proxy_apps(result)
    if not proxied:
        return None
    proxy = proxied[0]
    state = result.state
    direct_ok = state is State.OPEN and bool(direct) and direct[0].ok
    if direct_ok and proxy.ok:
        return None  # both paths pass: the passed headline names them
    # The manager answered right directly, so whatever went wrong through the proxy is the proxy's doing.
    blamed = not proxy.ok and (_proxy_blamed(proxy) or direct_ok)
    direct_words = {
        lang: (
            _paths_detail([direct[0]], lang, named=True)
            if state is State.OPEN and direct
            else f"{label('word', 'direct', lang)}: {label('state', str(state), lang)}"
        )
        for lang in ("ja", "en")
    }
    proxy_words = {}
    for lang in ("ja", "en"):
        if not blamed:
            proxy_words[lang] = _paths_detail([proxy], lang)
        else:
            proxy_words[lang] = f"{_path_name(proxy, lang)}: {label('cause', 'proxy-failed', lang)}: {proxy.detail}"
    headline = {lang: f"{direct_words[lang]}; {proxy_words[lang]}" for lang in ("ja", "en")}
    if proxy.ok:
        # Only the proxy gets through (or only it answers right): the client works only if it uses the proxy.
        ids = ["proxy-only"] if not direct_ok and state is not State.OPEN else ["secars-not-ok", "proxy-differs"]
        severity = Severity.WARNING if state is not State.OPEN else Severity.PROBLEM
        ids += [_VERDICT_GUIDANCE[state]] if state in _VERDICT_GUIDANCE else []
        return Explanation(severity, headline, _guidance(catalog, [*ids, *entry.guidance]))
    ids = ["proxy-failed"] if blamed else ["proxy-differs"]
    if direct_ok:
        # Clients from 14.2 use only the system proxy: a failing proxy stops them; older ones go direct first.
        uses_proxy_only = version is None or version.release_key >= (14, 2, 0, 0)
        return Explanation(
            Severity.PROBLEM if uses_proxy_only else Severity.WARNING,
            headline,
            _guidance(catalog, [*ids, "client-communication"]),
        )
    if state is State.OPEN:
        ids = ["secars-not-ok", *ids, "client-communication"]
    elif state in _VERDICT_GUIDANCE:
        ids = [*_CAUSE_GUIDANCE.get(result.cause, [_VERDICT_GUIDANCE[state]]), *ids]
    return Explanation(Severity.PROBLEM, headline, _guidance(catalog, [*ids, *entry.guidance]))


def _app_explanation(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Explanation | None:
    """The open port's application tests: the first failure decides, expiry is a warning."""
    failed = [a for a in result.application if not a.ok]
    for app in failed:
        if app.test in (AppTest.SECARS_HTTP, AppTest.SECARS_HTTPS):
            ids = ["secars-not-ok", "client-communication"]
            if _proxy_differs(result.application, app.test):
                ids.insert(0, "proxy-differs")
            status = (app.evidence or {}).get("status")
            if status is not None:
                body = (app.evidence or {}).get("body_excerpt", "")
                ja = f"ポートは開いていますが、管理サーバーの応答が「OK」ではありません(HTTP {status}、本文 {body!r})"
            else:
                ja = f"ポートは開いていますが、HTTP の応答を得られませんでした({app.detail})"
            return Explanation(
                Severity.PROBLEM,
                _h(ja, f"The port is open, but the manager's answer is wrong: {app.detail}"),
                _guidance(catalog, ids),
            )
        if app.test is AppTest.TLS:
            cert = (app.evidence.get("certificate") or {}) if app.evidence else {}
            if cert:
                if cert.get("expired"):
                    ja = f"証明書の有効期限が切れています({str(cert.get('not_after'))[:10]}、{-int(cert.get('days_left', 0))} 日前)"
                else:
                    ja = f"証明書はまだ有効期間前です({str(cert.get('not_before'))[:10]} から有効)"
                return Explanation(
                    Severity.PROBLEM,
                    _h(ja, f"Certificate problem: {app.detail}"),
                    _guidance(catalog, ["certificate"]),
                )
            return Explanation(
                Severity.PROBLEM,
                _h(f"TLS で接続できません: {app.detail}", f"No TLS session: {app.detail}"),
                _guidance(catalog, ["tls-failed", *entry.guidance]),
            )
        if app.test is AppTest.SEPM_VERSION:
            mismatch = "reported_release" in (app.evidence or {})
            return Explanation(
                Severity.WARNING,
                _h(f"管理サーバーのバージョン: {app.detail}", f"Manager version: {app.detail}"),
                _guidance(catalog, ["version-mismatch"] if mismatch else ["console-ports"]),
            )
        if app.test is AppTest.SMB_NEGOTIATE:
            words = {
                lang: label("push-cause", "check-not-smb", lang).format(detail=app.detail) for lang in ("ja", "en")
            }
            return Explanation(Severity.PROBLEM, words, _guidance(catalog, ["push-not-smb"]))
        if app.test is AppTest.NETBIOS_STATUS:
            return Explanation(
                Severity.WARNING,
                _h(f"NetBIOS の応答が読めません: {app.detail}", f"Unreadable NetBIOS answer: {app.detail}"),
                _guidance(catalog, list(entry.guidance)),
            )
    for app in result.application:
        cert = (app.evidence or {}).get("certificate") if app.test is AppTest.TLS else None
        if cert and cert.get("expires_soon"):
            return Explanation(
                Severity.WARNING,
                _h(
                    f"証明書の有効期限が近づいています(残り {cert.get('days_left')} 日)",
                    f"The certificate expires soon ({cert.get('days_left')} days left)",
                ),
                _guidance(catalog, ["certificate"]),
            )
        if cert and not cert.get("name_matches", True):
            name, subject = cert.get("checked_name"), cert.get("subject")
            return Explanation(
                Severity.WARNING,
                _h(
                    f"証明書は {name} 用ではありません(サブジェクト: {subject})",
                    f"The certificate is not for {name} (subject: {subject})",
                ),
                _guidance(catalog, ["certificate"]),
            )
    return None


def _proxy_differs(apps: tuple[AppResult, ...], test: AppTest) -> bool:
    outcomes = {a.via == "direct": a.ok for a in apps if a.test is test}
    return len(outcomes) == 2 and outcomes[True] != outcomes[False]


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

    proxied = _proxy_explanation(result, entry, catalog, version)
    if proxied is not None:
        return proxied

    if state is State.OPEN:
        app = _app_explanation(result, entry, catalog)
        if app is not None:
            return app
        ok = [a for a in result.application if a.ok]
        detail = {lang: _paths_detail(ok, lang) for lang in ("ja", "en")}
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
    ids = list(_CAUSE_GUIDANCE.get(result.cause, [_VERDICT_GUIDANCE[state]]))
    severity = Severity.PROBLEM
    # The page: 8444 only matters where Symantec Protection Center 2.0 is used, 8446 is the Java
    # console's from 14.0.1 (and RMM/EDR's): from a console PC these are not problems on their
    # own. 1100 (probed on the manager only) is started by AjaxSwing; the page says no more.
    if entry.id == "spc-tcp-8444" or (
        entry.id == "webservice-tcp-8446" and version is not None and version.release_key < (14, 0, 1, 0)
    ):
        severity = Severity.WARNING
        ids.insert(0, f"console-optional-{entry.port}")
    if entry.id == "rmi-tcp-1100":
        severity = Severity.WARNING
    if entry.id == "client-https-443" and version is not None and version.release_key[:2] == (12, 1):
        severity = Severity.WARNING
        ids.insert(0, "https-443-optional-on-12")
    if result.cause in _HOST_CAUSES or result.cause.startswith("local-"):
        # About the host or this PC, not the port: its advice first; the port's own would mislead.
        cause_ids = _CAUSE_GUIDANCE.get(result.cause, [])
        return Explanation(severity, headline, _guidance(catalog, [*cause_ids, *ids]))
    if entry.configurable and state is not State.UNRESOLVED:
        ids.append("configurable-port")
    ids += [g for g in entry.guidance if g not in ("certificate",)]
    if entry.id in PUSH_ENTRIES:
        ids += ["push-windows-firewall", "allow-file-printer-sharing"]
    return Explanation(severity, headline, _guidance(catalog, ids))


def _explain_local(result: CheckResult, entry: PortEntry, catalog: Catalog) -> Explanation:
    state = result.state
    headline = _STATE_HEADLINES[state]
    if state is State.LISTENING:
        return Explanation(Severity.PASSED, headline, ())
    if entry.id == "ntr-tcp-2968":
        # Network Traffic Redirection is an optional feature: not listening is information.
        return Explanation(
            Severity.INFO,
            _h(
                f"{headline['ja']}(ネットワークトラフィックリダイレクトを使う場合のみ必要)",
                f"{headline['en']} (needed only with Network Traffic Redirection)",
            ),
            (),
        )
    # Not listening is the service's matter (the Server service, NetBIOS over TCP/IP): a
    # firewall does not unbind a socket. Firewall advice stays with a drop and the rule finding.
    push_ids = ["local-not-listening", "server-service"]
    dropped_ids = ["push-windows-firewall", "allow-file-printer-sharing", "client-firewall-off-until-restart"]
    if entry.id == "mac-push-tcp-22":
        push_ids = dropped_ids = ["mac-remote-login"]
    elif entry.id == "gup-tcp-2967":
        push_ids = dropped_ids = ["gup-port", "configurable-port"]
    if state is State.FILTERED:
        return Explanation(Severity.PROBLEM, headline, _guidance(catalog, dropped_ids))
    if state in (State.NOT_LISTENING, State.CLOSED):
        return Explanation(Severity.PROBLEM, headline, _guidance(catalog, push_ids))
    return Explanation(Severity.WARNING, headline, _guidance(catalog, push_ids))


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
