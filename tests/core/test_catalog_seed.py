"""The catalogue against the vendor's Japanese page, row by row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.versions import parse_version

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed_ports_ja.txt"
SHARED_SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_def84f434120bb2e.txt"

_PORT_LINE = re.compile(r"^(TCP|UDP|HTTP|HTTPS) (\d+)(?:、(\d+))?$")
_VERSION_WORDS = ("すべて", "以降", "12.1.x", "14.2.x")


@dataclass
class SeedRow:
    ports: list[tuple[str, int]]
    lines: list[str]

    @property
    def text(self) -> str:
        return repair("".join(self.lines))


# Machine-translation damage the catalogue repairs, as (seed wording, catalogue wording).
REPAIRS = [
    ("つのSymantec", "Symantec"),
    ("localhostからの要求を適用のみします。", "localhostからの要求のみを受け付けます。"),
    ("他のサービスでそれらのプロセスが不要になります", "他のサービスはそれらの権限を必要としなくなります"),
]


def repair(text: str) -> str:
    """The repairs the catalogue makes to the machine translation, applied to the seed."""
    text = re.sub(r"\s+", "", text)
    for seed_words, ours in REPAIRS:
        text = text.replace(seed_words, ours)
    return text


def seed_rows() -> list[SeedRow]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index("適用可能なバージョン") + 1
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("• Windows Vista"))
    rows: list[SeedRow] = []
    for raw in lines[start:end]:
        line = raw.strip()
        match = _PORT_LINE.match(line)
        if match and not (rows and rows[-1].lines == [] and rows[-1].ports):
            rows.append(SeedRow([], []))
        if match:
            proto = {"HTTP": "tcp", "HTTPS": "tcp"}.get(match[1], match[1].lower())
            rows[-1].ports += [(proto, int(p)) for p in match.groups()[1:] if p]
        elif rows:
            rows[-1].lines.append(line)
    return rows


def test_the_committed_seed_is_the_shared_one() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not beside this clone")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_has_20_rows_and_24_entries() -> None:
    rows = seed_rows()
    assert len(rows) == 20
    assert sum(len(r.ports) for r in rows) == 24
    catalog = load_catalog()
    assert len(catalog.entries) == 24
    assert sorted({e.row for e in catalog.entries}) == list(range(1, 21))


@pytest.mark.parametrize("row_number", range(1, 21))
def test_catalogue_row_matches_seed(row_number: int) -> None:
    row = seed_rows()[row_number - 1]
    entries = [e for e in load_catalog().entries if e.row == row_number]
    assert sorted((e.protocol, e.port) for e in entries) == sorted(row.ports)
    seed_text = row.text
    for entry in entries:
        # The purpose, the processes, and the configurability stated in the row.
        purpose = re.sub(r"\s+", "", entry.purpose.say("ja"))
        assert purpose in seed_text or purpose.replace("(省略可能)", "") in seed_text, entry.id
        for process in entry.processes:
            assert process.name.split(" ")[0] in seed_text, (entry.id, process.name)
            if process.note:
                assert re.sub(r"\s+", "", process.note.say("ja")) in seed_text, (entry.id, process.note.say("ja"))
        if "設定可能" in seed_text:
            assert entry.configurable is True, entry.id
        elif "設定不可" in seed_text:
            assert entry.configurable is False, entry.id
        else:
            assert entry.configurable is None, entry.id
        for note in entry.notes:
            flat = re.sub(r"\s+", "", note.say("ja"))
            if flat.startswith("応答準備プロセス") or flat.startswith("クラウドコンソールのプロキシ"):
                continue  # our restatement of "なし" and of a link the copy lost
            assert flat.rstrip("。") in seed_text, (entry.id, note.say("ja"))
        # The version column: the last line of the row (the syslog row has none).
        last = row.lines[-1]
        if any(word in last for word in _VERSION_WORDS):
            assert entry.versions_text.say("ja").replace(" ", "") == last.replace(" ", ""), entry.id
        else:
            assert entry.id == "syslog-udp-514"
            assert entry.versions.is_all


def test_no_machine_translation_damage_left() -> None:
    for entry in load_catalog().entries:
        for text in (entry.purpose, entry.initiator, *entry.notes, entry.versions_text):
            assert "つの Symantec" not in text.say("ja")
            assert not text.say("ja").startswith("つの")
    for guidance in load_catalog().guidance.values():
        assert "つの" not in guidance.text.say("ja")


# (entry id, version, applies) straight from the seed's version column.
BOUNDARIES = [
    ("spc-tcp-8444", "12.1.6 MP10", True),
    ("spc-tcp-8444", "14.0", False),
    ("ntr-tcp-2968", "14.0.1 MP2", False),
    ("ntr-tcp-2968", "14.2", True),
    ("cloud-https-443", "14.0 MP2", False),
    ("cloud-https-443", "14.0.1", True),
    ("roaming-https-443", "14.0.1 MP2", False),
    ("roaming-https-443", "14.3 RU10", True),
    ("cas-http-8081", "14.2 RU2 MP1", True),
    ("cas-https-8082", "14.2", True),
    ("cas-http-8081", "14.3", False),
    ("cas-http-8081", "14.0.1", False),
    ("launcher-tcp-8447", "12.1 RU4", False),
    ("launcher-tcp-8447", "12.1.5", True),
    ("push-tcp-445", "12.1", True),
    ("syslog-udp-514", "14.3 RU1", True),
]


@pytest.mark.parametrize(("entry_id", "version", "applies"), BOUNDARIES)
def test_version_boundaries(entry_id: str, version: str, applies: bool) -> None:
    assert load_catalog().entry(entry_id).applies_to(parse_version(version)) is applies


@pytest.mark.parametrize(
    ("entry_id", "version", "process"),
    [
        ("gup-tcp-2967", "12.1 RU4", "Smc.exe"),
        ("gup-tcp-2967", "12.1.5", "ccSvcHst.exe"),
        ("db-tcp-2638", "14.3 MP1", "dbsrv16.exe"),
        ("db-tcp-2638", "14.3 RU1", "sqlserver.exe"),
        ("db-tcp-2638", "14.3.3580.1100", "sqlserver.exe"),
        ("webservice-tcp-8446", "14.0", "semapisrv.exe"),
        ("webservice-tcp-8446", "12.1.6", "SemSvc.exe"),
    ],
)
def test_processes_follow_their_own_versions(entry_id: str, version: str, process: str) -> None:
    names = [p.name for p in load_catalog().entry(entry_id).processes_for(parse_version(version))]
    assert names == [process]


def test_every_entry_has_both_languages_and_known_guidance() -> None:
    catalog = load_catalog()
    for entry in catalog.entries:
        assert entry.purpose.say("en") and entry.purpose.say("ja")
        # English is our own wording: no Japanese left in it.
        for text in (entry.purpose, entry.initiator, entry.versions_text, *entry.notes):
            assert text.say("en").isascii(), (entry.id, text.say("en"))
        for gid in entry.guidance:
            assert gid in catalog.guidance


def test_general_notes_are_guidance_with_stable_ids() -> None:
    guidance = load_catalog().guidance
    for gid, phrase in [
        ("third-party-firewall", "サードパーティ製のファイアウォール"),
        ("sep-firewall-allows-default", "これらのポートのトラフィックを許可します"),
        ("client-firewall-off-until-restart", "再起動するまで無効"),
        ("push-windows-firewall", "Windows Vista 以降"),
        ("allow-file-printer-sharing", "ファイルとプリンタの共有(ポート 445)"),
    ]:
        assert guidance[gid].source == "vendor"
        assert phrase in guidance[gid].text.say("ja")


# Every guidance entry marked "vendor" and the seed's own words that back it (issue 11 item 7).
# A claim the page does not make is marked "field" in guidance.toml instead.
VENDOR_QUOTES = {
    "third-party-firewall": "サードパーティ製のファイアウォールソフトウェアやハードウェアも実行する場合は、特定のポートを開く必要があります",
    "sep-firewall-allows-default": "のファイアウォールコンポーネントはこれらのポートのトラフィックを許可します",
    "client-firewall-off-until-restart": "Windowsファイアウォールをクライアントで有効にしたままにします",
    "push-windows-firewall": "WindowsVista以降には、デフォルトで有効になっているファイアウォールがあります",
    "allow-file-printer-sharing": "ファイルとプリンタの共有(ポート445)を許可するようにファイアウォールを設定する必要があります",
    "gup-port": "グループ更新プロバイダ(GUP)Webキャッシュプロキシ機能",
    "manager-local-database": "自動的にインストールされたデータベースと",
    "remote-sql": "リモートSQLServerデータベースと",
    "console-ports": "リモートレポートコンソールによって使用",
    "rmi-1100-ajaxswing": "どのポートがRMIレジストリを実行するかをAjaxSwingに伝えます",
    "console-optional-8444": "SymantecProtectionCenter2.0のWebサービスのポートです",
    "console-optional-8446": "Javaリモートコンソール(バージョン14.0.1以降)で使用",
    "spc-12-only": "SymantecProtectionCenter2.0は、SymantecEndpointProtection14.xでは使用できません",
    "client-communication": "クライアントの間の通信",
    "configurable-port": "設定可能",
    "https-443-optional-on-12": "12.1.xでは省略可能ですが、14.xの新規インストールではデフォルトです",
    "cloud-console": "をクラウドコンソールに登録する必要があります",
    "content-analysis-14-2-only": "14.2.xバージョンのみ。14.3で非推奨になりました。",
    "localhost-only": "localhostからの要求を適用のみします",
    "syslog": "データをSyslogサーバーへフォワード",
}


# Every step of a vendor item that is not its own_steps (guidance.toml), and the seed's words that
# back it. A "From the vendor's port page" item told a technician, under that heading, to open
# Control Panel's Windows Defender Firewall page (the page says no such thing), and the general
# notes "as the vendor states them" printed that step too.
VENDOR_STEP_QUOTES = {
    (
        "third-party-firewall",
        1,
    ): "ポートを開く手順やアプリケーションでポートを使えるようにする手順については、ファイアウォールの製品マニュアルを参照してください",
    (
        "client-firewall-off-until-restart",
        1,
    ): "ソフトウェアがインストールされてクライアントが再起動されるまで、Windowsファイアウォールをクライアントで有効にしたままにします",
    ("push-windows-firewall", 1): "ファイアウォールで必要なトラフィックを許可するように設定します",
    ("push-windows-firewall", 2): "Windowsのマニュアルを参照してください",
    ("cloud-console", 1): "プロキシバイパスリストに追加するドメインについて",
}


def test_every_step_shown_as_the_vendors_is_the_pages_or_marked_the_programs_own() -> None:
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    vendor_steps = set()
    for item in load_catalog().guidance.values():
        for index, step in enumerate(item.steps):
            if item.step_is_field(index):
                continue
            vendor_steps.add((item.id, index + 1))
            quote = VENDOR_STEP_QUOTES.get((item.id, index + 1))
            assert quote is not None, (
                f"{item.id} step {index + 1}: the seed's words here, or own_steps in guidance.toml"
            )
            assert quote in seed, (item.id, index + 1)
            assert quote in re.sub(r"\s+", "", step.say("ja")), (item.id, index + 1)
    assert vendor_steps == set(VENDOR_STEP_QUOTES)
    # The Control Panel path is this program's advice.
    assert load_catalog().guidance["allow-file-printer-sharing"].step_is_field(0)


def test_the_general_notes_are_the_pages_in_its_order() -> None:
    """The notes that apply to the whole table (the page's opening and closing notes), all
    of them, in the page's order, each the vendor's."""
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    catalog = load_catalog()
    assert catalog.general == (
        "third-party-firewall",
        "sep-firewall-allows-default",
        "client-firewall-off-until-restart",
        "push-windows-firewall",
        "allow-file-printer-sharing",
    )
    places = [seed.index(VENDOR_QUOTES[g.id]) for g in catalog.general_notes]
    assert places == sorted(places)
    assert all(g.source == "vendor" for g in catalog.general_notes)


def test_every_vendor_claim_is_quoted_from_the_seed() -> None:
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    vendor = {g.id for g in load_catalog().guidance.values() if g.source == "vendor"}
    assert vendor == set(VENDOR_QUOTES), "a vendor claim needs the seed's words here, or source = field"
    for guidance_id, quote in VENDOR_QUOTES.items():
        assert quote in seed, guidance_id


def test_rows_without_an_initiator_say_not_stated() -> None:
    catalog = load_catalog()
    for entry_id in ("spc-tcp-8444", "cloud-https-443", "roaming-https-443", "cas-http-8081", "cas-https-8082"):
        assert catalog.entry(entry_id).initiator.say("ja") == "記載なし", entry_id
        assert catalog.entry(entry_id).initiator.say("en") == "Not stated", entry_id
    # No scheme the page does not name.
    assert catalog.entry("report-tcp-8445").scheme is None and catalog.entry("cloud-https-443").scheme is None
    # Row 17: the localhost note once (the reference adds it from localhost_only), and the meaning repaired.
    launcher = catalog.entry("launcher-tcp-8447")
    assert launcher.localhost_only and not any("localhost" in n.say("ja") for n in launcher.notes)
    assert "他のサービスはそれらの権限を必要としなくなります" in launcher.notes[0].say("ja")
    # The page says "localhost only" of 8447, not of 8765.
    assert not catalog.entry("control-tcp-8765").localhost_only


def test_what_the_program_adds_to_the_pages_words_is_its_own() -> None:
    """Sentences that are this program's reading of the page, not the page's words (found under
    the vendor's mark in the reference and the reports), are own_notes, shown as a rule of thumb."""
    guidance = load_catalog().guidance
    ours = {
        "console-ports": "クライアントの通信には使われません",
        "manager-local-database": "クライアントからこのポートに接続する必要はありません",
        "syslog": "UDP は応答を返さないことが多い",
        "localhost-only": "接続できないのは正常です",
        "configurable-port": "既定のポートが閉じているのは正常です",
        "client-communication": "ポリシーを取得し、ログを送ります",
        "gup-port": "定義ファイル",
        "console-optional-8444": "使っていなければ不要です",
    }
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for gid, sentence in ours.items():
        item = guidance[gid]
        assert item.source == "vendor"
        assert sentence not in item.text.say("ja"), gid
        assert any(sentence in note.say("ja") for note in item.own_notes), gid
        assert re.sub(r"\s+", "", sentence) not in seed, gid
