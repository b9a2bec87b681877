"""Credentials in any URL (a proxy's, a pasted manager URL's) never reach the terminal, the
log, the report or the JSON; the proxy still gets them to authenticate."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from sep_port_doctor.core.untrusted import strip_bare_credentials, strip_credentials
from tests.helpers.command import ROOT, command
from tests.helpers.proxy import forward_proxy

SECRET = "s3cret-Pa55"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("proxy http://tech:s3cret@proxy.corp:8080", "proxy http://proxy.corp:8080"),
        ("https://tech@sepm/x?y=a@b", "https://sepm/x?y=a@b"),
        ("HTTP://u:p%40ss@h/", "HTTP://h/"),
        ("socks5://u:p@h:1080 and http://v:q@i", "socks5://h:1080 and http://i"),
        ("no url here: tech@example", "no url here: tech@example"),
        ("http://sepm:8014/secars", "http://sepm:8014/secars"),
    ],
)
def test_strip_credentials(text: str, expected: str) -> None:
    assert strip_credentials(text) == expected


def test_bare_credentials() -> None:
    assert strip_bare_credentials("tech:secret@sepm01") == "sepm01"
    assert strip_bare_credentials("sepm01") == "sepm01"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "XDG_DATA_HOME": str(tmp_path / "data"), "no_proxy": "", **extra}


def _log(tmp_path: Path) -> str:
    log = tmp_path / "data" / "SEP Port Doctor" / "sep-port-doctor" / "sep-port-doctor.log"
    return log.read_text("utf-8") if log.exists() else ""


async def _run(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command(), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    out, err = await asyncio.wait_for(process.communicate(), 90)  # hang guard
    return process.returncode or 0, out.decode(), err.decode()


def test_a_proxy_password_reaches_the_proxy_and_nothing_else(tmp_path: Path) -> None:
    async def scenario() -> tuple[tuple[int, str, str], tuple[int, str, str], list[str]]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager, forward_proxy() as proxy:
            proxy_url = f"http://tech:{SECRET}@127.0.0.1:{proxy.port}"
            env = _env(tmp_path, http_proxy=proxy_url, HTTP_PROXY=proxy_url)
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            args = ["check", "--manager", "127.0.0.1", "--version", "14.3", *overrides, "--lang", "en"]
            human = await _run([*args, "--report", str(tmp_path / "r.html")], env)
            as_json = await _run([*args, "--json"], env)
            return human, as_json, proxy.requests

    (_code, out, err), (_json_code, json_out, json_err), requests = asyncio.run(scenario())
    assert requests, "the secars check went through the proxy"
    checks = {c["id"]: c for c in json.loads(json_out)["checks"]}
    steps = checks["client-http-8014"]["application"]["steps"]
    assert any(s["via"].startswith("proxy 127.0.0.1:") for s in steps)  # a proxy is named by host and port
    written = [out, err, json_out, json_err, _log(tmp_path)]
    written += [(tmp_path / name).read_text("utf-8") for name in ("r.html", "r.json")]
    for text in written:
        assert SECRET not in text
        assert "tech:" not in text


def _pasted_console_url(url: str, tmp_path: Path) -> list[str]:
    """``check --manager URL --role console`` against the simulator, with a report: everything it
    wrote (terminal, log, report, JSON), after checking that the notice names the URL reduced."""

    async def scenario() -> tuple[int, str, str]:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            return await _run(
                ["check", "--manager", url, "--version", "14.3", "--role", "console", *overrides, "--lang", "en",
                 "--report", str(tmp_path / "r.html")],
                _env(tmp_path),
            )  # fmt: skip

    code, out, err = asyncio.run(scenario())
    assert code == 0, out + err
    assert "using the host '127.0.0.1' from the URL 'https://127.0.0.1:8443/console'" in out
    return [
        out,
        err,
        _log(tmp_path),
        (tmp_path / "r.html").read_text("utf-8"),
        (tmp_path / "r.json").read_text("utf-8"),
    ]


def test_a_pasted_url_with_a_password_is_reduced_and_never_echoed(tmp_path: Path) -> None:
    for text in _pasted_console_url(f"https://tech:{SECRET}@127.0.0.1:8443/console", tmp_path):
        assert SECRET not in text and "tech:" not in text


@pytest.mark.parametrize("typed", [f"tech:{SECRET}@sepm.corp", f"tech:{SECRET}@10.0.0.5", f"tech:{SECRET}@[::1]"])
def test_a_host_with_credentials_is_refused_without_echoing_them(typed: str, tmp_path: Path) -> None:
    code, out, err = asyncio.run(_run(["check", "--manager", typed, "--version", "14.3"], _env(tmp_path)))
    assert code == 2
    assert "no user name or password" in err
    assert SECRET not in out + err + _log(tmp_path)


def test_a_pasted_urls_query_and_fragment_are_never_echoed(tmp_path: Path) -> None:
    """A console URL pasted from a browser carries its session in the query or the fragment
    (?access_token=..., #state=...): the notice printed it whole, "using the host '127.0.0.1' from
    the URL 'https://127.0.0.1:8443/console?access_token=...'"."""
    url = f"https://127.0.0.1:8443/console?access_token={SECRET}&lang=ja#state={SECRET}"
    for text in _pasted_console_url(url, tmp_path):
        assert SECRET not in text and "access_token" not in text
    # Refused (a port out of range): the one line names the URL without its query either.
    code, out, err = asyncio.run(
        _run(["check", "--manager", f"https://sepm:99999/console?access_token={SECRET}", "--version", "14.3"],
             _env(tmp_path))
    )  # fmt: skip
    assert code == 2 and "https://sepm:99999/console" in err, err
    assert SECRET not in out + err + _log(tmp_path)
