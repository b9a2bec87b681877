"""A broken data file stops the program with a message naming the file and the field."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import parse_catalog
from sep_port_doctor.core.i18n import CatalogError, language_file

PORTS = (resources.files("sep_port_doctor.resources") / "catalog" / "ports.toml").read_text(encoding="utf-8")
GUIDANCE = (resources.files("sep_port_doctor.resources") / "catalog" / "guidance.toml").read_text(encoding="utf-8")


def _parse(ports: str = PORTS, guidance: str = GUIDANCE, words: dict[tuple[str, str], str] | None = None) -> None:
    """``words``: (language, file name) -> the text that replaces that language file."""

    def read(lang: str, name: str) -> tuple[str, bytes]:
        shown, data = language_file(lang, name)
        return shown, (words or {}).get((lang, name), data.decode()).encode()

    parse_catalog("ports.toml", ports.encode(), "guidance.toml", guidance.encode(), read)


def _words(lang: str, name: str) -> str:
    return language_file(lang, name)[1].decode()


def test_shipped_files_parse() -> None:
    _parse()


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (("port = 8014", "port = 80140"), "entry[12] (client-http-8014).port", "outside 1-65535"),
        (("port = 8014", 'port = "8014"'), "entry[12] (client-http-8014).port", "expected int"),
        (('protocol = "udp"\nport = 514', 'protocol = "sctp"\nport = 514'), "(syslog-udp-514).protocol", "not one of"),
        (('versions = ">=14.2"', 'versions = ">=13.5"'), "(ntr-tcp-2968).versions", "not a SEP version"),
        (('versions = "12.1.x"', 'versions = "sometimes"'), "(spc-tcp-8444).versions", "bad version rule"),
        (('id = "push-tcp-445"', 'id = "push-tcp-139"'), "entry[1].id", "duplicate id"),
        (
            ('guidance = ["gup-port"]', 'guidance = ["no-such-guidance"]'),
            "(gup-tcp-2967).guidance",
            "unknown guidance id",
        ),
        (('direction = "client_local"', 'direction = "sideways"'), "(ntr-tcp-2968).direction", "not one of"),
        (("localhost_only = true", 'localhost_only = "yes"'), "(launcher-tcp-8447).localhost_only", "expected bool"),
        (('[[entry]]\nid = "rmi-tcp-1100"', '[[entry]]\nid = "rmi-tcp-1100"\nid = "x"'), "syntax", ""),
    ],
)
def test_broken_ports_file_names_file_and_field(change: tuple[str, str], where: str, problem: str) -> None:
    old, new = change
    assert old in PORTS
    with pytest.raises(CatalogError) as info:
        _parse(ports=PORTS.replace(old, new, 1))
    assert info.value.file == "ports.toml"
    assert where in str(info.value)
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("lang", "name", "change", "where", "problem"),
    [
        ("en", "ports.toml", ('purpose = "Server control"\n', ""), "control-tcp-8765.purpose", "missing"),
        ("ja", "ports.toml", ("[control-tcp-8765]", "[control-tcp-8766]"), "control-tcp-8766", "unknown id"),
        (
            "en",
            "ports.toml",
            ('versions_text = "All"', 'versions_txt = "All"'),
            "push-tcp-139.versions_txt",
            "unknown field",
        ),
        (
            "en",
            "ports.toml",
            ('notes = ["Also uses TCP ephemeral ports."]', "notes = []"),
            "push-tcp-139.notes",
            "0 items",
        ),
        ("en", "ports.toml", ('{ "ccSvcHst.exe" =', '{ "ccSvc.exe" ='), "gup-tcp-2967.process_notes", "'ccSvc.exe'"),
        (
            "en",
            "guidance.toml",
            ('title = "Open the ports in third-party firewalls"', 'title = ""'),
            "third-party-firewall.title",
            "empty",
        ),
        (
            "ja",
            "guidance.toml",
            ('steps = [\n  "ポートを開く', 'steps = [\n  "a",\n  "ポートを開く'),
            "third-party-firewall.steps",
            "1 items where resources/i18n/ja/guidance.toml has 2",
        ),
    ],
)
def test_broken_language_file_names_file_and_field(
    lang: str, name: str, change: tuple[str, str], where: str, problem: str
) -> None:
    """The words of the ports and the guidance, one file per language, agree with the facts and with each other."""
    old, new = change
    text = _words(lang, name)
    assert old in text
    with pytest.raises(CatalogError) as info:
        _parse(words={(lang, name): text.replace(old, new, 1)})
    # Languages out of step are named against the first (Japanese): the other file is the one named.
    named = lang if "where resources/i18n/ja" not in problem else "en"
    assert info.value.file == f"resources/i18n/{named}/{name}"
    assert where in str(info.value)
    assert problem in str(info.value)


def test_duplicate_guidance_id() -> None:
    broken = GUIDANCE + '\n[[guidance]]\nid = "syslog"\nsource = "vendor"\n'
    with pytest.raises(CatalogError, match=r"guidance.toml: guidance\[\d+\].id: duplicate id 'syslog'"):
        _parse(guidance=broken)


@pytest.mark.parametrize(
    ("listed", "problem"),
    [
        ('"no-such-note"', "unknown guidance id 'no-such-note'"),
        ('"mac-remote-login"', "'mac-remote-login' is not the vendor's"),
        ("42", "must be a list of guidance ids"),
    ],
)
def test_general_notes_are_known_vendor_guidance(listed: str, problem: str) -> None:
    broken = GUIDANCE.replace('general = [\n  "third-party-firewall",', f"general = [\n  {listed},", 1)
    assert broken != GUIDANCE
    with pytest.raises(CatalogError, match=rf"guidance.toml: general: {problem}"):
        _parse(guidance=broken)


def test_not_utf8() -> None:
    with pytest.raises(CatalogError, match="not UTF-8"):
        parse_catalog("ports.toml", b"\xff\xfe[[entry]]", "guidance.toml", GUIDANCE.encode())


def test_broken_installed_file_gives_one_line_not_a_traceback(tmp_path: Path) -> None:
    """The real command, with a copy of resources/ whose ports.toml is broken."""
    import shutil

    root = Path(__file__).resolve().parents[2]
    # The installed layout (sep_port_doctor.core, .gui, .resources), found first on PYTHONPATH.
    for package in ("core", "gui", "resources"):
        shutil.copytree(root / package, tmp_path / "sep_port_doctor" / package)
    ports = tmp_path / "sep_port_doctor" / "resources" / "catalog" / "ports.toml"
    ports.write_text(PORTS.replace("port = 8014", "port = -1", 1), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "sep_port_doctor.gui", "ports"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "ports.toml" in result.stderr and "client-http-8014).port" in result.stderr


# --- what the catalogue says the program does: every key known, every id defined --------------

_BEHAVIOUR_BREAKS = [
    # A misspelt key is refused, never ignored (the entry would lose its behaviour in silence).
    (('checks = ["secars-http"]', 'check = ["secars-http"]'), "(client-http-8014).check", "unknown key"),
    (("optional = {}", 'optional = { version = "<14" }'), "(rmi-tcp-1100).optional.version", "unknown key"),
    (
        (
            'processes = [{ name = "launchd", versions = "all" }]',
            'processes = [{ name = "launchd", versions = "all", os = "x" }]',
        ),
        "(mac-push-tcp-22).processes[0].os",
        "unknown key",
    ),
    (
        ('checks = ["secars-http"]', 'checks = ["secars-ftp"]'),
        "(client-http-8014).checks[0]",
        "'secars-ftp' is not one of",
    ),
    (('checks = ["secars-http"]', 'checks = ["syslog-send"]'), "(client-http-8014).checks[0]", "is a UDP check"),
    (('checks = ["tls", "secars-https"]', 'checks = ["tls", "tls"]'), "(client-https-443).checks[1]", "twice"),
    (('sends = "syslog-message"', 'sends = "netbios-datagram"'), "(syslog-udp-514).checks[0]", "reads the answer to"),
    (
        ('sends = "netbios-datagram"', 'sends = "carrier-pigeon"'),
        "(push-udp-138).sends",
        "'carrier-pigeon' is not one of",
    ),
    (('push = "ssh"', 'push = "ssh"\nsends = "syslog-message"'), "(mac-push-tcp-22).sends", "only a UDP probe"),
    (('platform = "mac"', 'platform = "linux"'), "(mac-push-tcp-22).platform", "not one of windows, mac"),
    (('push = "ssh"', 'push = "smb"'), "(mac-push-tcp-22).push", "'smb' is push-tcp-445's already"),
    (
        ('search_terms = ["ssh"]', 'search_terms = ["ssh"]\nclient_channel = true'),
        "(mac-push-tcp-22).client_channel",
        "needs its scheme",
    ),
    (
        ('feature = "network-traffic-redirection"', 'feature = "teleportation"'),
        "(ntr-tcp-2968).feature",
        "'teleportation' is not one of",
    ),
    (
        ('guidance = "console-optional-8444"', 'guidance = "no-such-guidance"'),
        "(spc-tcp-8444).optional.guidance",
        "unknown guidance id 'no-such-guidance'",
    ),
    (
        ("optional = {}", 'optional = { versions = "sometimes" }'),
        "(rmi-tcp-1100).optional.versions",
        "bad version rule",
    ),
    (
        ('not_listening_guidance = ["local-not-listening", "server-service"]', 'not_listening_guidance = ["nope"]'),
        "(push-tcp-139).not_listening_guidance",
        "unknown guidance id 'nope'",
    ),
    (
        ('\n[[entry]]\nid = "push-tcp-139"', '\nshape = 1\n[[entry]]\nid = "push-tcp-139"'),
        "ports.toml: shape",
        "unknown key",
    ),
]


@pytest.mark.parametrize(("change", "where", "problem"), _BEHAVIOUR_BREAKS)
def test_what_an_entry_does_is_validated_with_file_and_field(change: tuple[str, str], where: str, problem: str) -> None:
    old, new = change
    assert old in PORTS
    with pytest.raises(CatalogError) as info:
        _parse(ports=PORTS.replace(old, new, 1))
    assert info.value.file == "ports.toml"
    assert where in str(info.value), str(info.value)
    assert problem in str(info.value), str(info.value)


def test_a_misspelt_guidance_key_is_refused() -> None:
    broken = GUIDANCE.replace('id = "syslog"\n', 'id = "syslog"\nsteps_ = []\n', 1)
    with pytest.raises(CatalogError, match=r"guidance.toml: guidance\[\d+\].steps_: unknown key"):
        _parse(guidance=broken)
    with pytest.raises(CatalogError, match=r"guidance\.toml: notes: unknown key"):
        _parse(guidance="notes = []\n" + GUIDANCE)


def test_guidance_a_check_cites_must_exist() -> None:
    """Python's own references into guidance.toml are checked at start too."""
    from dataclasses import dataclass

    from sep_port_doctor.core.catalog import Vocabulary, shipped_vocabulary

    @dataclass(frozen=True)
    class Cites:
        protocol: str = "tcp"
        payload: str | None = None
        guidance: tuple[str, ...] = ("certificate", "no-such-advice")

    shipped = shipped_vocabulary()
    vocabulary = Vocabulary({**shipped.checks, "tls": Cites()}, shipped.payloads, shipped.features)
    with pytest.raises(
        CatalogError, match=r"guidance\.toml: guidance: check 'tls' cites unknown guidance id 'no-such-advice'"
    ):
        parse_catalog("ports.toml", PORTS.encode(), "guidance.toml", GUIDANCE.encode(), vocabulary=vocabulary)


# --- the simulated manager's file names catalogue entries, never ports -------------------------

SIMULATOR = (resources.files("sep_port_doctor.resources") / "simulator" / "manager.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (('as = "accept"\noptional = true', 'as = "accept"\noptinal = true'), "serve[7].optinal", "unknown key"),
        (('as = "netbios"', 'as = "smtp"'), "serve[9].as", "'smtp' is not one of"),
        (('secars = "wrong-page"', 'secars = "teapot"'), "profile.secars-wrong.secars", "'teapot' is not one of"),
        (
            ('role = "console"\nreports_version', 'role = "sysadmin"\nreports_version'),
            "profile.version-mismatch.role",
            "not one of",
        ),
        (('entry = "rmi-tcp-1100"', 'entry = "rmi-tcp-1101"'), "serve[6].entry", "unknown entry id 'rmi-tcp-1101'"),
        (
            ('closed = ["client-http-8014"]', 'closed = ["db-tcp-2638"]'),
            "profile.http-down.closed[0]",
            "an entry the simulator does not serve 'db-tcp-2638'",
        ),
    ],
)
def test_the_simulators_file_is_validated_with_file_and_field(
    change: tuple[str, str], where: str, problem: str
) -> None:
    from sep_port_doctor.core.catalog import load_catalog
    from sep_port_doctor.core.simulator_profiles import check_entries, parse_simulation

    old, new = change
    assert old in SIMULATOR
    with pytest.raises(CatalogError) as info:
        check_entries(
            parse_simulation("manager.toml", SIMULATOR.replace(old, new, 1).encode()), load_catalog(), "manager.toml"
        )
    assert info.value.file == "manager.toml"
    assert where in str(info.value) and problem in str(info.value), str(info.value)
