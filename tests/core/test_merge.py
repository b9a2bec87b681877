"""``merge``: real results (``check --json`` and the window's export against the simulator, a fleet
from scripts/make_fleet.py, ``push --json``) and hostile or foreign files, into one site picture."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
import json
import os
import random
import re
import subprocess
import tomllib
from html import escape
from pathlib import Path
from typing import Any

import pytest

from scripts.make_fleet import Manifest, generate_fleet
from sep_port_doctor.core.http_checks import MAX_JSON_DEPTH
from sep_port_doctor.core.merge import MAX_FILE_BYTES, MAX_NAME, MAX_TEXT, merge_files
from sep_port_doctor.core.merge_report import MATRIX_MAX_PCS, build_picture, csv_cell, infer_subnets, site_csv
from sep_port_doctor.core.simulator import SERVED_PORTS, SimulatedManager
from tests.helpers.command import ENV, ROOT, command, run, spawned
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.profile_runs import check_with_simulator
from tests.helpers.servers import closed_port

pytestmark = pytest.mark.slow

PUSH_RECORDED = ROOT / "tests/fixtures/merge/push-recorded-bd34c7b.json"
"""Recorded, not hand-made: ``push 127.0.0.1 127.0.0.2 --json --lang en`` of the push branch at
bd34c7b on this machine (nothing listens on 445/139 there: both not ready)."""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    folder = tmp_path_factory.mktemp("fleet") / "results"
    return folder, generate_fleet(folder, computers=60, real_runs=0, seed=11)


def _merge(*paths: Path | str, lang: str = "en", timeout: float = HANG_GUARD_S * 2) -> subprocess.CompletedProcess[str]:
    return run("merge", *map(str, paths), "--lang", lang, timeout=timeout)


def _computer(name: str, facts: dict[str, Any]) -> str:
    """The computer a report of the manifest names, as merge keeps it (long names cut)."""
    computer: str = facts.get("computer") or name.split("_")[0]
    return computer if len(computer) <= MAX_NAME else computer[: MAX_NAME - 1] + "…"


def test_a_fleet_reduces_to_each_computers_latest_run_and_skips_every_broken_file(
    fleet: tuple[Path, Manifest],
) -> None:
    folder, manifest = fleet
    site = merge_files([str(folder)])
    reports = {n: _computer(n, f) for n, f in manifest.files.items() if f["expected"] == "report"}
    assert {pc.computer for pc in site.pcs.values()} == set(reports.values())
    for pc in site.pcs.values():
        files = sorted(n for n, computer in reports.items() if computer == pc.computer)
        assert pc.runs == len(files)
        if pc.computer.startswith(("TKY", "OSK", "NGY", "FAC")):  # the derived fleet: names carry the time
            assert pc.source == files[-1] and manifest.files[pc.source]["latest"]
    skipped = {s.source: s.reason.code for s in site.skipped}
    expected_skips = {n for n, f in manifest.files.items() if f["expected"] == "skip" and not n.startswith(".")}
    assert set(skipped) == expected_skips
    assert site.temporary == 2  # the collector's and Ansible's temporary files: counted, not read
    by_kind = {manifest.files[name]["kind"]: code for name, code in skipped.items()}
    assert by_kind == {
        "empty": "empty", "torn": "not-json", "utf-16-bom": "utf-16", "cp932": "not-utf8",
        "foreign-json": "foreign", "own-ports-json": "a-list", "json-null": "not-an-object",
        "json-number": "not-an-object", "nan": "not-a-number", "duplicate-keys": "duplicate-key",
        "wrong-types": "wrong-type", "missing-fields": "missing-field", "deeply-nested": "too-deep",
        "oversize": "too-large", "trailing-garbage": "trailing-data", "two-objects": "trailing-data",
        "nul-bytes": "nul", "binary": "not-utf8", "directory": "folder", "symlink-outside": "symlink",
        "recipe-error-record": "error-record",
    }  # fmt: skip


def test_causes_count_the_pcs_whose_latest_run_has_them_and_say_where(fleet: tuple[Path, Manifest]) -> None:
    folder, manifest = fleet
    picture = build_picture(merge_files([str(folder)]), "en")
    latest = {f["computer"]: f for f in manifest.files.values() if f["kind"] == "report" and f["latest"]}
    # A warning where 443 answers (a client uses one of the two), a problem where both are filtered
    # (one cause on each PC's own report: "TCP 8014, 443 to the manager · filtered").
    filtered = [c for c in picture.causes if re.match(r"TCP (\d+, )*8014\b.* to the manager · filtered", c.title)]
    assert {c.title for c in filtered} == {
        "TCP 8014 to the manager · filtered",
        "TCP 8014, 443 to the manager · filtered",
    }
    assert {c.severity for c in filtered} <= {"problem", "warning"}
    assert {pc.computer for c in filtered for pc in c.pcs} == {c for c, f in latest.items() if f["path"] != "normal"}
    for cause in picture.causes:  # one PC counts once per cause, and only its latest run counts
        assert len({pc.computer for pc in cause.pcs}) == len(cause.pcs)
    blocked = next(c for c in picture.causes if c.title.startswith("TCP 139, 445 on the PC itself · filtered"))
    assert {pc.computer for pc in blocked.pcs} == {c for c, f in latest.items() if f["pc"] == "push-blocked"}
    for pc in picture.pcs:  # every PC's subnet holds its address, and lies inside its site's real subnet
        facts = latest.get(pc.computer)
        if facts and pc.address:
            subnet = ipaddress.ip_network(picture.subnet[pc.key])
            assert ipaddress.ip_address(pc.address) in subnet
            assert subnet.subnet_of(ipaddress.ip_network(facts["subnet"]))  # type: ignore[arg-type]
    versions = {g.name: g.pcs for g in picture.by_version}
    assert sum(versions.values()) == len(picture.pcs)
    assert {g.name for g in picture.by_manager} >= {"127.20.0.1", "127.30.0.1", "127.40.0.1"}


def test_subnets_are_inferred_from_how_the_addresses_fill_them() -> None:
    rng = random.Random(5)
    wide = [
        str(ipaddress.ip_address(int(ipaddress.ip_address("10.20.0.0")) + rng.randrange(1, 65535))) for _ in range(600)
    ]
    floors = [f"10.1.{floor}.{host}" for floor in (1, 9) for host in range(10, 200, 7)]
    neighbours = [f"10.2.{floor}.{host}" for floor in (2, 3) for host in range(1, 255, 3)]
    found = infer_subnets([*wide, *floors, *neighbours, "192.168.7.7", "2001:db8::1", "2001:db8::99"])
    assert {str(found[a]) for a in neighbours} == {"10.2.2.0/23"}  # two full neighbours: --subnet tells them apart
    assert {str(found[a]) for a in wide} == {"10.20.0.0/16"}
    assert {str(found[a]) for a in floors} == {"10.1.1.0/24", "10.1.9.0/24"}
    assert str(found["192.168.7.7"]) == "192.168.7.0/24" and str(found["2001:db8::1"]) == "2001:db8::/64"


def test_the_command_writes_html_json_and_csv_and_names_each_skipped_file(
    fleet: tuple[Path, Manifest], tmp_path: Path
) -> None:
    folder, manifest = fleet
    out = tmp_path / "out"
    out.mkdir()
    result = run(
        "merge", str(folder), "--report", str(out / "site.html"), "--json", str(out / "site.json"),
        "--csv", str(out / "site.csv"), "--lang", "ja", timeout=HANG_GUARD_S * 2,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # problems at some PCs
    skipped_lines = result.stderr.splitlines()
    skips = [n for n, f in manifest.files.items() if f["expected"] == "skip" and not n.startswith(".")]
    assert len(skipped_lines) == len(skips) and "Traceback" not in result.stderr
    for name in skips:
        assert sum(name in line for line in skipped_lines) == 1
    site = json.loads((out / "site.json").read_text(encoding="utf-8"))
    assert len(site["pcs"]) == len({_computer(n, f) for n, f in manifest.files.items() if f["expected"] == "report"})
    html = (out / "site.html").read_text(encoding="utf-8")
    assert "原因ごとの問題と警告" in html and "<script>alert" not in html and "<img src=x" not in html
    assert "<h2>サブネットごと</h2>" in html and "&lt;h2&gt;" not in html  # the template's own markup stays markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "\u202e" not in html and "\x1b" not in html
    assert html.count('<tr id="pc-') == len(site["pcs"]) <= MATRIX_MAX_PCS and 'class="matrix"' in html
    raw = (out / "site.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == len(site["pcs"]) + 1
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "コンピュータ名" and len(rows) == len(site["pcs"]) + 1
    assert {r[0] for r in rows[1:]} == {pc["computer"] for pc in site["pcs"]}
    again = merge_files([str(out / "site.json")])  # merge's own summary is not one run
    assert [s.reason.code for s in again.skipped] == ["site-summary"] and not again.pcs


def test_csv_cells_never_start_a_formula() -> None:
    assert [csv_cell(v) for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "10.0.0.1", "", None, 3)] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\t=x", "10.0.0.1", "", "", "3",
    ]  # fmt: skip


def _real_runs(folder: Path) -> None:
    """``check --json`` and the window's export (``gui --run --report``, offscreen) against one
    simulated manager, run on this machine: both are this computer's runs."""

    async def scenario() -> None:
        async with SimulatedManager(ports={p: 0 for p in SERVED_PORTS}) as manager:
            overrides = [f"--port={d}={p}" for d, p in manager.bound.items()]
            common = ["--manager", "127.0.0.1", "--version", "14.3 RU9", *overrides, "--lang", "en"]
            check = await asyncio.create_subprocess_exec(
                *command(), "check", "--json", *common, stdout=subprocess.PIPE, cwd=ROOT, env=ENV
            )
            out, _ = await asyncio.wait_for(check.communicate(), HANG_GUARD_S)
            (folder / "check.json").write_bytes(out)
            window = await asyncio.create_subprocess_exec(
                *command(), "gui", *common, "--notes", "<b>INC-1</b>", "--run", "--report",
                str(folder / "window.html"), "--quit", cwd=ROOT, env={**ENV, "QT_QPA_PLATFORM": "offscreen"},
            )  # fmt: skip
            await asyncio.wait_for(window.wait(), HANG_GUARD_S * 2)

    asyncio.run(scenario())


def _push_file(folder: Path) -> Path:
    """``push --json`` run here when the command exists, else the recorded one."""
    target = folder / "push.json"
    result = run("push", "127.0.0.1", "--json", "--lang", "en")
    if result.returncode in (0, 1) and result.stdout.lstrip().startswith("{"):
        target.write_text(result.stdout, encoding="utf-8")
    else:
        target.write_bytes(PUSH_RECORDED.read_bytes())
    return target


def _hostile_reports(folder: Path, real: dict[str, Any]) -> None:
    """Markup in every text field; a note just under the size limit; names a spreadsheet would run."""

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if (
            isinstance(value, str)
            and path not in (".started", ".role")
            and not path.endswith((".state", ".severity", ".protocol", ".address"))
        ):
            return f"<i>{path}</i>{value}"
        return value

    (folder / "markup.json").write_text(json.dumps(walk(real, "")), encoding="utf-8")
    big = dict(real, computer='=HYPERLINK("http://x")', note="n" * (MAX_FILE_BYTES - 200_000))
    (folder / "big-note.json").write_text(json.dumps(big), encoding="utf-8")
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH):  # with the report's own object: one level too deep
        nested = [nested]
    (folder / "deep.json").write_text(json.dumps(dict(real, computer="DEEP", note=nested)), encoding="utf-8")
    secret = dict(real, computer="SECRET-PC", note="proxy https://admin:s3cret@proxy01:8080/ per INC-7")
    (folder / "secret.json").write_text(json.dumps(secret), encoding="utf-8")
    (folder / "outside.txt").write_text("not read: only .json files of a folder are")


def test_real_check_window_and_push_outputs_merge_with_hostile_ones(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    _real_runs(folder)
    push = _push_file(tmp_path)
    real = json.loads((folder / "check.json").read_text(encoding="utf-8"))
    window = json.loads((folder / "window.json").read_text(encoding="utf-8"))
    assert window["note"] == "<b>INC-1</b>" and real["computer"] == window["computer"]
    _hostile_reports(folder, real)
    out = tmp_path / "site.html"
    result = run("merge", str(folder), str(push), "--report", str(out), "--csv", str(tmp_path / "s.csv"),
                 "--json", str(tmp_path / "s.json"), "--lang", "en", timeout=HANG_GUARD_S * 2)  # fmt: skip
    assert result.returncode == 1, result.stderr  # the push targets are not ready
    assert result.stderr.count("\n") == 1 and "deep.json" in result.stderr and "nested deeper than 32" in result.stderr
    site = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    pcs = {(pc["kind"], pc["computer"]): pc for pc in site["pcs"]}
    this_pc = pcs[("desk", real["computer"])]
    assert this_pc["runs"] == 2 and this_pc["note"] == "<b>INC-1</b>"  # the window ran after check: the latest
    assert pcs[("push", "127.0.0.1")]["overall"] == "problem"
    assert any(c["title"].startswith("Push from the manager") and c["pcs"] >= 1 for c in site["causes"])
    assert len(pcs[("desk", '=HYPERLINK("http://x")')]["note"]) <= 500
    html = out.read_text(encoding="utf-8")
    assert "<i>" not in html and "<b>INC-1" not in html and "&lt;i&gt;.computer&lt;/i&gt;" in html
    cells = [row[0] for row in csv.reader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8-sig")))]
    assert '\'=HYPERLINK("http://x")' in cells
    for output in ("site.html", "s.csv", "s.json"):  # a credential in a URL reaches no output
        text = (tmp_path / output).read_text(encoding="utf-8")
        assert "s3cret" not in text and "proxy01:8080" in text
    assert '<input id="pc-filter" type="search"' in html and html.index("hidden>") < html.index("<script>")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["merge", "nowhere.json", "--report", "x.html"], "nowhere.json does not exist"),
        (["merge", "tests/fixtures/bad_inputs.toml", "--report", "x.html"], "no results to merge (1 files skipped)"),
        (
            ["merge", "tests/fixtures/merge", "--subnet", "10.0.0.0/33", "--report", "x.html"],
            "--subnet takes a network",
        ),
        (["merge", "tests/fixtures/merge"], "say where the site goes"),
        (["merge", "tests/fixtures/merge", "--report", "/nonexistent/dir/x.html"], "the folder does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_with_nothing_written(args: list[str], words: str, tmp_path: Path) -> None:
    result = run(*args)
    assert result.returncode == 2 and words in result.stderr.splitlines()[-1], result.stderr
    assert "Traceback" not in result.stderr and not os.path.exists(ROOT / "x.html")


def test_a_site_without_problems_exits_0_and_a_skipped_file_makes_it_3(tmp_path: Path) -> None:
    healthy = json.loads(PUSH_RECORDED.read_text(encoding="utf-8"))
    for target in healthy["targets"]:
        target["severity"] = "passed"
        for check in target["checks"]:
            check["severity"] = "passed"
    (tmp_path / "ok.json").write_text(json.dumps(healthy), encoding="utf-8")
    assert _merge(tmp_path / "ok.json", "--json", str(tmp_path / "s.json")).returncode == 0
    (tmp_path / "torn.json").write_text('{"computer": "X"', encoding="utf-8")
    assert _merge(tmp_path / "ok.json", tmp_path / "torn.json", "--json", str(tmp_path / "s.json")).returncode == 3


def test_the_report_of_a_large_site_folds_its_details_and_has_no_matrix(tmp_path: Path) -> None:
    real = json.loads(PUSH_RECORDED.read_text(encoding="utf-8"))
    real["targets"] = [
        dict(real["targets"][0], host=f"10.9.{i // 250}.{i % 250 + 1}") for i in range(MATRIX_MAX_PCS + 1)
    ]
    (tmp_path / "sweep.json").write_text(json.dumps(real), encoding="utf-8")
    site = merge_files([str(tmp_path / "sweep.json")])
    assert len(site.pcs) == MATRIX_MAX_PCS + 1
    result = _merge(tmp_path / "sweep.json", "--report", str(tmp_path / "s.html"))
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert result.returncode == 1 and 'class="matrix"' not in html and 'id="pc-fold">' in html  # folded: no "open"
    assert f"{MATRIX_MAX_PCS + 1} PCs: Push from the manager" in html
    assert site_csv(build_picture(site, "en"), "en").count("\r\n") == MATRIX_MAX_PCS + 2


def test_the_site_template_has_no_words_of_its_own() -> None:
    """Every word of the site report is in the message catalogue ([site]) or comes from the runs."""
    import re

    text = (ROOT / "resources/templates/site.html.j2").read_text(encoding="utf-8")
    text = re.sub(r"<style>.*?</style>|<script>.*?</script>|\{[{%#].*?[}%#]\}|<[^>]+>", " ", text, flags=re.S)
    assert re.findall(r"[^\W\d_]{2,}", text) == []


def test_a_link_named_on_the_command_line_is_followed_one_inside_a_folder_is_not(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes(PUSH_RECORDED.read_bytes())
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "LINK_20261201T000000Z.json").symlink_to(tmp_path / "real.json")
    site = merge_files([str(folder), str(folder / "LINK_20261201T000000Z.json")])
    assert [s.reason.code for s in site.skipped] == ["symlink"] and len(site.pcs) == 2


def test_long_fields_are_cut_at_their_documented_limits(tmp_path: Path) -> None:
    """README, "Text is text": fields are cut at 2,000 characters, a computer's name at 255, a note at 500."""
    code, out, err = check_with_simulator("healthy", "--version", "14.3", "--json", "--lang", "en")
    assert code == 0, err
    real = json.loads(out)
    real["computer"], real["note"] = "n" * 300, "x" * 700
    real["checks"][0]["headline"] = "h" * 3000
    (tmp_path / "long.json").write_text(json.dumps(real), encoding="utf-8")
    assert _merge(tmp_path / "long.json", "--json", str(tmp_path / "s.json")).returncode == 0
    (pc,) = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["pcs"]
    assert (len(pc["computer"]), len(pc["note"])) == (MAX_NAME, 500) == (255, 500)
    assert pc["computer"].endswith("…") and pc["note"].endswith("…")
    assert len(pc["checks"][0]["headline"]) == MAX_TEXT == 2000


@pytest.mark.parametrize(("site_lang", "run_lang"), [("ja", "en"), ("en", "ja")])
def test_the_csv_says_its_headlines_are_as_each_run_recorded_them(
    site_lang: str, run_lang: str, tmp_path: Path
) -> None:
    """The CSV quoted each run's headline in the language that run used, under a bare "問題" /
    "Problems": a Japanese site CSV showed English sentences without saying why. Its columns of quoted
    text are labelled as the HTML labels them (記録された説明 / As recorded). A real check --json in one
    language, merged in the other."""
    from sep_port_doctor.core.i18n import say

    results = tmp_path / "run.json"  # written beside the report
    code, _out, err = check_with_simulator(
        "cert-expired",
        "--version",
        "14.3 RU6",
        "--role",
        "client",
        "--lang",
        run_lang,
        "--report",
        str(tmp_path / "run.html"),
    )
    assert code == 1, err
    site = tmp_path / "site.csv"
    done = run("merge", str(results), "--report", str(tmp_path / "site.html"), "--csv", str(site), "--lang", site_lang)
    assert done.returncode == 1, done.stderr
    header, row = list(csv.reader(io.StringIO(site.read_text(encoding="utf-8-sig"), newline="")))
    recorded = say("site.recorded", site_lang).casefold()  # "As recorded" within "Problems (as recorded)"
    header = [cell.casefold() for cell in header]
    problems = header.index(say("site.csv_problems", site_lang).casefold())
    for column in ("csv_problems", "csv_warnings", "csv_findings"):
        assert recorded in header[header.index(say(f"site.{column}", site_lang).casefold())]
    assert not any(recorded in cell for cell in header[:problems])
    # The quoted text is the run's own words.
    expired = say("check.certificate-expired", run_lang, date="", ago="")[:12]
    assert expired in row[problems], row[problems]


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() != 0 or not Path("/usr/bin/unshare").exists(),
    reason="each PC's run has its own computer name in its own UTS namespace (root, unshare)",
)
def test_a_grid_column_is_the_catalogues_port_and_a_moved_port_is_in_its_pcs_cell(tmp_path: Path) -> None:
    """The PCs x checks grid labelled a column with the first PC's moved port ("UDP 138 (→50076)")
    though other PCs moved it elsewhere or not at all. Two real check runs, as PC-A and PC-B (each its
    own computer name), against one simulator: PC-A with every port moved where the simulator serves
    it, PC-B with 8014 and 138 left where the catalogue has them. Each column is the catalogue's port;
    PC-A's cells say where it found the port, PC-B's say nothing of a move."""
    from sep_port_doctor.core.i18n import say

    unmoved = (8014, 138)

    async def check_as(computer: str, manager: SimulatedManager, moved: dict[int, int]) -> None:
        overrides = [f"--port={d}={p}" for d, p in moved.items()]
        async with spawned(
            "/usr/bin/unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', computer,
            *command(), "check", "--manager", "127.0.0.1", *overrides, "--version", "14.3 RU6", "--role", "client",
            "--report", str(tmp_path / f"{computer}.html"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        ) as process:  # fmt: skip
            _out, err = await asyncio.wait_for(process.communicate(), HANG_GUARD_S)
        assert process.returncode in (0, 1), err.decode()  # PC-A: all passed; PC-B: two ports closed

    async def scenario() -> dict[int, int]:
        async with SimulatedManager(profile="healthy", ports={p: 0 for p in SERVED_PORTS}) as manager:
            await check_as("PC-A", manager, manager.bound)
            await check_as("PC-B", manager, {d: p for d, p in manager.bound.items() if d not in unmoved})
            return dict(manager.bound)

    bound = asyncio.run(scenario())
    out = tmp_path / "site.html"
    done = run("merge", str(tmp_path / "PC-A.json"), str(tmp_path / "PC-B.json"), "--report", str(out), "--lang", "en")
    assert done.returncode == 1, done.stderr
    html = out.read_text(encoding="utf-8")
    grid = html[html.index('<table class="matrix">') : html.index("</table>", html.index('<table class="matrix">'))]
    columns = re.findall(r'<th class="col">([^<]*)</th>', grid)
    assert "TCP 8014" in columns and "UDP 138" in columns, columns
    assert not [c for c in columns if "→" in c], columns
    rows = {re.search(r">(PC-[AB])</a>", row).group(1): row for row in grid.split("<tr>") if "PC-" in row}  # type: ignore[union-attr]
    for port in unmoved:
        assert f"→{bound[port]}" in rows["PC-A"], rows["PC-A"]
        assert f"→{bound[port]}" not in rows["PC-B"], rows["PC-B"]
    assert say("state.closed", "en") in rows["PC-B"]  # its 8014 and 138, where nothing listens


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_pcs_problems_are_one_cause_on_the_site_as_on_its_own_report(lang: str, tmp_path: Path) -> None:
    """The site report gave one PC's TCP 139 and 445 filtered as two causes, where that PC's own
    report gives one line (one cause, its guidance once). Real check runs against the simulator, each
    with its report (and its JSON beside it): push-blocked from a client desk (139 and 445 dropped),
    and dropped from the console (8443 and 9090 dropped); a second PC is the first run under another
    name; and the manager's push --json of 127.0.0.1 (445 and 139 closed). Each PC's causes on the
    site are the lines of its own report's page 1, with the same ports; the push target's is its verdict."""
    from sep_port_doctor.core.i18n import say

    runs = {
        "PC-A": ("push-blocked", "--role", "client"),
        "PC-C": ("dropped", "--role", "console"),
    }
    own_lines: dict[str, list[str]] = {}
    for computer, (profile, *role) in runs.items():
        code, _out, err = check_with_simulator(
            profile, "--version", "14.3 RU6", *role, "--lang", lang, "--report", str(tmp_path / f"{computer}.html")
        )
        assert code == 1, err
        document = json.loads((tmp_path / f"{computer}.json").read_text(encoding="utf-8"))
        document["computer"] = computer
        (tmp_path / f"{computer}.json").write_text(json.dumps(document), encoding="utf-8")
        html = (tmp_path / f"{computer}.html").read_text(encoding="utf-8")
        answers = html[html.index('<ol class="answers">') : html.index("</ol>", html.index('<ol class="answers">'))]
        own_lines[computer] = re.findall(r'<span class="subject">([^<]*)</span>', answers)
    assert len(own_lines["PC-A"]) == 1 and re.fullmatch(r"TCP \d+ \(=139\), \d+ \(=445\)", own_lines["PC-A"][0])
    assert len(own_lines["PC-C"]) == 1 and re.fullmatch(r"TCP \d+ \(=8443\), \d+ \(=9090\)", own_lines["PC-C"][0])
    pc_b = json.loads((tmp_path / "PC-A.json").read_text(encoding="utf-8"))
    pc_b["computer"] = "PC-B"
    (tmp_path / "PC-B.json").write_text(json.dumps(pc_b), encoding="utf-8")

    # And the manager's push --json of a PC whose 445 and 139 are closed: one cause, push's verdict.
    pushed = run("push", "127.0.0.1", "--json", "--lang", lang)
    assert pushed.returncode == 1, pushed.stderr  # nothing listens on this machine's 445 (README)
    (tmp_path / "push.json").write_text(pushed.stdout, encoding="utf-8")
    [target] = json.loads(pushed.stdout)["targets"]
    assert target["cause"] == "445-closed" and {c["state"] for c in target["checks"] if c["protocol"] == "tcp"} == {
        "closed"
    }

    files = [str(tmp_path / f"PC-{name}.json") for name in "ABC"] + [str(tmp_path / "push.json")]
    done = run("merge", *files, "--report", str(tmp_path / "site.html"), "--json", str(tmp_path / "site.json"),
               "--lang", lang)  # fmt: skip
    assert done.returncode == 1, done.stderr
    causes = json.loads((tmp_path / "site.json").read_text(encoding="utf-8"))["causes"]
    titles = {cause["title"]: sorted(cause["computers"]) for cause in causes}
    on_this_pc = say("site.on_this_pc", lang)
    filtered = say("state.filtered", lang)
    push_closed = f"{say('site.push', lang)} · {say('push-group.445-closed', lang)}"
    assert titles == {
        f"TCP 139, 445 {on_this_pc} · {filtered}": ["PC-A", "PC-B"],
        f"TCP 8443, 9090 {say('site.to_manager', lang)} · {filtered}": ["PC-C"],
        push_closed: ["127.0.0.1"],
    }, titles
    html = (tmp_path / "site.html").read_text(encoding="utf-8")
    line = say("site.cause_line", lang, count=2, title=f"TCP 139, 445 {on_this_pc} · {filtered}")
    assert html.count(line) == 1, line
    # Its guidance once: the File and Printer Sharing item is printed in full in one place.
    words = tomllib.loads((ROOT / f"resources/i18n/{lang}/guidance.toml").read_text(encoding="utf-8"))
    assert html.count(escape(words["allow-file-printer-sharing"]["text"])) == 1


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_each_role_and_each_extra_host_is_a_place_of_its_own_on_both_reports(lang: str, tmp_path: Path) -> None:
    """One host as the GUP and as an --extra target, and a second --extra host: their closed ports
    are one line per place on the PC's report (the host in its role) and one cause per place on the
    site's (the role; an --extra port's host), named in the site's language. A real check run."""
    from sep_port_doctor.core.i18n import say

    with closed_port() as closed, closed_port() as other:
        code, _out, err = check_with_simulator(
            "healthy", "--version", "14.3 RU6", "--role", "client", "--gup", "127.0.0.1",
            "--extra", f"127.0.0.1:{closed}", "--extra", f"127.0.0.2:{closed}", "--extra", f"127.0.0.2:{other}",
            "--lang", lang, "--report", str(tmp_path / "run.html"),
        )  # fmt: skip
    assert code == 1, err
    html = (tmp_path / "run.html").read_text(encoding="utf-8")
    lines = re.findall(r'<span class="subject">([^<]*)</span> · <span class="where">([^<]*)</span>', html)
    assert sorted(lines) == sorted(
        [("TCP 2967", "127.0.0.1"), (f"TCP {closed}", "127.0.0.1"), (f"TCP {closed}, {other}", "127.0.0.2")]
    ), lines
    done = run("merge", str(tmp_path / "run.json"), "--json", str(tmp_path / "site.json"), "--lang", lang)
    assert done.returncode == 1, done.stderr
    titles = sorted(c["title"] for c in json.loads((tmp_path / "site.json").read_text(encoding="utf-8"))["causes"])
    closed_word = say("state.closed", lang)
    assert titles == sorted(
        [
            f"TCP 2967 {say('site.to_gup', lang)} · {closed_word}",
            f"TCP {closed} {say('site.to_host', lang, host='127.0.0.1')} · {closed_word}",
            f"TCP {closed}, {other} {say('site.to_host', lang, host='127.0.0.2')} · {closed_word}",
        ]
    ), titles


def test_runs_written_before_headline_ids_group_with_newer_ones(tmp_path: Path) -> None:
    """A site collected over an upgrade: a run of this version (with each check's headline_id) and a
    run as the previous version wrote it (no headline_id; in Japanese, its headlines other words) found
    the same: one cause for both PCs, not two causes with one title."""
    for lang in ("en", "ja"):
        code, _out, err = check_with_simulator(
            "push-blocked", "--version", "14.3 RU6", "--role", "client", "--lang", lang,
            "--report", str(tmp_path / f"{lang}.html"),
        )  # fmt: skip
        assert code == 1, err
    new = json.loads((tmp_path / "en.json").read_text(encoding="utf-8"))
    old = json.loads((tmp_path / "ja.json").read_text(encoding="utf-8"))
    assert all("headline_id" in check for check in old["checks"])
    new["computer"], old["computer"] = "PC-NEW", "PC-OLD"
    for check in old["checks"]:
        del check["headline_id"]
    (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    picture = build_picture(merge_files([str(tmp_path / "new.json"), str(tmp_path / "old.json")]), "en")
    assert [(c.title, sorted(pc.computer for pc in c.pcs)) for c in picture.causes] == [
        ("TCP 139, 445 on the PC itself · filtered", ["PC-NEW", "PC-OLD"])
    ]
