"""The HTML troubleshooting report: one self-contained file, rendered with Jinja2.

Autoescape is on and undefined names are errors: every string that came from
outside (server answers, certificate fields, host names, the user's note) is
escaped. The file is written atomically (a temporary file in the same folder,
then a rename), so a failed write leaves the previous report intact.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from core.catalog import Catalog, Lang, configurable_code, label, load_labels
from core.diagnosis import Diagnosis
from core.errors import UserError
from core.explain import Severity

MAX_NAME_CHARS = 120
SEVERITY_ORDER = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.PASSED, Severity.NOT_TESTED)


class ReportError(UserError):
    """The report could not be written; the message is for the user, nothing was lost."""


@cache
def _environment() -> jinja2.Environment:
    def load(name: str) -> str:
        return (resources.files("resources") / "templates" / name).read_text(encoding="utf-8")

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _words(lang: Lang) -> dict[str, str]:
    return {code: text.get(lang) for code, text in load_labels()["report"].items()}


def report_context(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> dict[str, Any]:
    """Everything the template shows, as plain values (no objects with behaviour)."""
    version = diagnosis.request.version
    groups: dict[str, list[dict[str, Any]]] = {str(s): [] for s in SEVERITY_ORDER}
    # Each guidance is printed in full once; later checks citing it get its title only.
    shown: set[str] = set()

    def guidance_items(items: Any) -> list[dict[str, Any]]:
        out = []
        for item in items:
            out.append(_guidance(item, lang, repeat=item.id in shown))
            shown.add(item.id)
        return out

    for result, explanation in zip(diagnosis.results, diagnosis.explanations, strict=True):
        check = result.check
        entry = catalog.entry(check.entry_id)
        groups[str(explanation.severity)].append(
            {
                "port": f"{check.protocol.upper()} {check.port}",
                "default_port": check.default_port if check.port != check.default_port else None,
                "entry_id": entry.id,
                "purpose": entry.purpose.get(lang),
                "target": label("reason", check.reason_code, lang),
                "host": check.host.typed if check.host else None,
                "local": check.local,
                "state": label("state", str(result.state), lang),
                "state_code": str(result.state),
                "reason": result.reason,
                "address": result.address,
                "rtt_ms": None if result.rtt_ms is None else f"{result.rtt_ms:.1f}",
                "attempts": result.attempts,
                "headline": explanation.headline_for(lang),
                "application": [
                    {
                        "test": str(a.test),
                        "ok": a.ok,
                        "via": a.via,
                        "detail": a.detail,
                        "time_ms": None if a.time_ms is None else f"{a.time_ms:.0f}",
                        "status": a.evidence.get("status"),
                        "body": a.evidence.get("body_excerpt"),
                        "certificate": (a.evidence.get("certificate") or None),
                        "tls_version": a.evidence.get("tls_version"),
                        "cipher": a.evidence.get("cipher"),
                    }
                    for a in result.application
                ],
                "guidance": guidance_items(explanation.guidance),
            }
        )
    local = []
    if diagnosis.local is not None:
        for finding in diagnosis.local.findings:
            local.append(
                {
                    "severity": str(finding.severity),
                    "title": finding.title[lang],
                    "detail": finding.detail[lang],
                    "guidance": guidance_items(catalog.guidance[g] for g in finding.guidance if g in catalog.guidance),
                }
            )
    appendix = [
        {
            "port": e.label,
            "purpose": e.purpose.get(lang),
            "processes": ", ".join(p.name for p in e.processes_for(version)) or "-",
            "direction": label("direction", e.direction, lang),
            "change": label("configurable", configurable_code(e), lang),
            "versions": e.versions_text.get(lang),
        }
        for e in catalog.applicable(version)
    ]
    counts = diagnosis.counts()
    overrides = ", ".join(f"{d}→{a}" for d, a in sorted(diagnosis.request.overrides.items()))
    return {
        "lang": lang,
        "w": _words(lang),
        "overall": str(diagnosis.overall),
        "overall_text": _words(lang)[f"overall_{diagnosis.overall}"],
        "counts": [(str(s), label("severity", str(s), lang), counts[s]) for s in SEVERITY_ORDER],
        "severity_titles": {str(s): label("severity", str(s), lang) for s in SEVERITY_ORDER},
        "groups": groups,
        "local": local,
        "computer": diagnosis.computer,
        "os": diagnosis.os_name,
        "note": diagnosis.note,
        "manager": diagnosis.request.manager.typed,
        "version": version.describe() if version else "-",
        "role": label("role", str(diagnosis.request.role), lang),
        "date": diagnosis.started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "duration": f"{diagnosis.duration_ms / 1000:.2f} s",
        "overrides": overrides,
        "appendix": appendix,
        "notices": [_guidance(catalog.guidance[g], lang) for g in diagnosis.notices],
    }


def _guidance(guidance: Any, lang: Lang, repeat: bool = False) -> dict[str, Any]:
    return {
        "id": guidance.id,
        "title": guidance.title.get(lang),
        "text": guidance.text.get(lang),
        "steps": [s.get(lang) for s in guidance.steps],
        "field": guidance.source == "field",
        "repeat": repeat,
    }


def render_report(diagnosis: Diagnosis, catalog: Catalog, lang: Lang) -> str:
    return _environment().get_template("report.html.j2").render(**report_context(diagnosis, catalog, lang))


def safe_report_name(name: str, suffix: str = ".html") -> str:
    """A file name that stays inside the chosen folder: no separators, no '..', no controls."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", cleaned)
    cleaned = cleaned.lstrip(". ").rstrip(". ")
    if not cleaned:
        raise ReportError("report-needs-name")
    if cleaned.lower().endswith(suffix):
        cleaned = cleaned[: -len(suffix)]
    cleaned = cleaned[:MAX_NAME_CHARS] or "report"
    # Reserved device names on Windows.
    if cleaned.split(".")[0].upper() in {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{i}" for i in range(1, 10)),
        *(f"LPT{i}" for i in range(1, 10)),
    }:
        cleaned = f"_{cleaned}"
    return cleaned + suffix


def report_target(text: str) -> tuple[Path, str]:
    """Where ``--report FILE`` goes: an existing folder and a safe name; raises ReportError."""
    if not text.strip():
        raise ReportError("report-needs-name")
    if text.endswith(("/", "\\")) or Path(text).is_dir():
        raise ReportError("report-is-folder", text=repr(text), example=str(Path(text) / "report.html"))
    path = Path(text).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ReportError("report-no-folder", folder=str(folder))
    return folder, safe_report_name(path.name)


def default_report_name(diagnosis: Diagnosis) -> str:
    stamp = diagnosis.started.astimezone().strftime("%Y%m%d-%H%M%S")
    host = re.sub(r"[^A-Za-z0-9.-]", "_", diagnosis.request.manager.name)[:60]
    return f"sep-port-doctor-{host}-{stamp}.html"


@cache
def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomically(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder/name`` via a temporary file and a rename; raises ReportError."""
    if not folder.is_dir():
        raise ReportError("report-no-folder", folder=str(folder))
    target = folder / name
    if target.resolve().parent != folder.resolve():
        raise ReportError("report-name-leaves", name=repr(name))
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=".sep-port-doctor-", suffix=".tmp", dir=folder)
        # mkstemp makes the file private (0600); a report is an ordinary document.
        os.chmod(temporary, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        temporary = None
    except PermissionError:
        raise ReportError("report-no-permission", folder=str(folder)) from None
    except OSError as exc:
        raise ReportError("report-write-failed", folder=str(folder), detail=exc.strerror or str(exc)) from None
    except ValueError as exc:  # text that cannot be encoded: nothing was replaced
        raise ReportError("report-not-encodable", detail=str(exc)) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return target


def export(
    diagnosis: Diagnosis, catalog: Catalog, lang: Lang, folder: Path, name: str | None = None
) -> tuple[Path, Path]:
    """Write the HTML report and the same results as JSON beside it."""
    html_name = safe_report_name(name or default_report_name(diagnosis))
    html = render_report(diagnosis, catalog, lang)
    json_text = json.dumps(diagnosis.to_json(lang), ensure_ascii=False, indent=2)
    html_path = write_atomically(folder, html_name, html)
    json_path = write_atomically(folder, html_name[: -len(".html")] + ".json", json_text)
    return html_path, json_path
