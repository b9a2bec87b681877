"""Where the report goes and how it is written: the place checked before any packet, the
name kept as typed, the HTML and the JSON written as a pair (both or neither, under a
lock), the previous pair and its mode kept, no temporary file left even on SIGTERM, and
results kept elsewhere when the place fails after the run."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sep_port_doctor.core import exit_codes
from sep_port_doctor.core.catalog import load_catalog
from sep_port_doctor.core.diagnosis import Diagnosis
from sep_port_doctor.core.hosts import parse_host
from sep_port_doctor.core.plan import PlanRequest
from sep_port_doctor.core.report import Kept, write_or_keep
from sep_port_doctor.core.report_files import (
    ReportError,
    ReportPlace,
    _windows_refusal,
    report_place,
    report_place_in,
    write_pair,
)
from sep_port_doctor.core.versions import parse_version
from tests.helpers.command import ROOT, ChildEnvironment, command
from tests.helpers.privileges import running_as_root
from tests.helpers.servers import answer, dropping_port, http_response, serving

CATALOG = load_catalog()
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and devices as on POSIX")
ROOT_ONLY = pytest.mark.skipif(
    not running_as_root() or shutil.which("mount") is None, reason="mounting a small tmpfs needs root"
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".sep-port-doctor-"))


@contextlib.contextmanager
def _refused(code: str) -> Iterator[None]:
    with pytest.raises(ReportError) as caught:
        yield
    assert caught.value.code == code, caught.value.message("en")


def _empty_diagnosis(note: str = "") -> Diagnosis:
    request = PlanRequest(manager=parse_host("127.0.0.1"), version=parse_version("14.3"))
    return Diagnosis(request, [], [], dt.datetime(2026, 1, 2, tzinfo=dt.UTC), 1.0, note=note)


# --- names: kept as typed where the system accepts them -------------------------------------


@pytest.mark.parametrize(
    ("typed", "html", "json_name", "changed"),
    [
        ("report.html", "report.html", "report.json", False),
        ("report.txt", "report.txt", "report.json", False),  # not report.txt.html
        ("CON.html", "CON.html", "CON.json", sys.platform == "win32"),  # a plain name off Windows
        ("チケット 42", "チケット 42.html", "チケット 42.json", True),
        ("ticket 4.2", "ticket 4.2.html", "ticket 4.2.json", True),
        ("sepm.2026-01-02.htm", "sepm.2026-01-02.htm", "sepm.2026-01-02.json", False),
        ("x" * 200 + ".html", "x" * 200 + ".html", "x" * 200 + ".json", False),  # not cut
    ],
)
def test_names_are_kept_as_typed_and_changes_said(
    typed: str, html: str, json_name: str, changed: bool, tmp_path: Path
) -> None:
    if sys.platform == "win32" and typed == "CON.html":
        pytest.skip("refused on Windows: see test_windows_names")
    place = report_place_in(tmp_path, typed)
    assert (place.html_name, place.json_name) == (html, json_name)
    assert bool(place.notices) == changed
    if changed:
        assert ".html added" in place.notices[0].message("en")
    assert _leftovers(tmp_path) == [] and list(tmp_path.iterdir()) == []  # the trial write left nothing


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "needs a file name"),
        ("a/b.html", "leaves the folder"),
        ("..", "leaves the folder"),
        ("line\nbreak.html", "control characters"),
        ("bidi\u202eblah.html", "control characters"),
        ("x" * 300 + ".html", "longer than this folder allows (255 bytes)"),
        ("results.json", "ends in .json"),
    ],
)
def test_names_the_system_refuses_are_refused_with_the_reason(typed: str, words: str, tmp_path: Path) -> None:
    with pytest.raises(ReportError) as caught:
        report_place_in(tmp_path, typed)
    assert words in caught.value.message("en")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "why"),
    [("CON.html", "reserved"), ("lpt1", "reserved"), ("a:b.html", "one of"), ("report.html.", "trailing"),
     ("report ", "trailing"), ("ok.html", None)],
)  # fmt: skip
def test_windows_names(name: str, why: str | None) -> None:
    refusal = _windows_refusal(name)
    assert (refusal is None) if why is None else (refusal is not None and why in refusal)


def test_a_folder_is_not_a_file_name(tmp_path: Path) -> None:
    for typed in (str(tmp_path), f"{tmp_path}/", "."):
        with _refused("report-is-folder"):
            report_place(typed)


# --- the targets and the folder ------------------------------------------------------------------


@POSIX_ONLY
def test_links_devices_folders_and_read_only_reports_are_refused_before_anything(tmp_path: Path) -> None:
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.html"
    outside.write_text("someone else's file")
    (tmp_path / "outside.html").symlink_to(outside)
    (tmp_path / "pair.html").write_text("old")
    (tmp_path / "pair.json").mkdir()
    (tmp_path / "kept.html").write_text("read-only")
    (tmp_path / "kept.html").chmod(0o444)
    cases = {
        str(tmp_path / "dangling.html"): "is a symbolic link",
        str(tmp_path / "outside.html"): "is a symbolic link",
        str(tmp_path / "pair.html"): "pair.json' exists and is not a regular file (a folder)",
        "/dev/full": "is not a regular file (a device",
        str(tmp_path / "kept.html"): "kept.html' is read-only and is kept as it is",
    }
    for typed, words in cases.items():
        with pytest.raises(ReportError) as caught:
            report_place(typed)
        assert words in caught.value.message("en"), typed
    assert outside.read_text() == "someone else's file"
    assert (tmp_path / "kept.html").read_text() == "read-only"
    assert _leftovers(tmp_path) == []


@POSIX_ONLY
def test_special_file_systems_are_refused_before_anything() -> None:
    for typed in ("/proc/sep-port-doctor.html", "/sys/sep-port-doctor.html"):
        with pytest.raises(ReportError):
            report_place(typed)


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str, *options: str) -> Iterator[Path]:
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(folder)]
    mounted = subprocess.run(mount, capture_output=True, text=True, timeout=30)
    if mounted.returncode != 0:  # root in a container without CAP_SYS_ADMIN
        pytest.skip(f"root here cannot mount a tmpfs: {(mounted.stderr.strip().splitlines() or ['?'])[0]}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True, timeout=30)


@ROOT_ONLY
def test_read_only_mount_and_full_disk_are_refused_before_anything(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "ro", "1m", "ro") as read_only, _refused("report-read-only-folder"):
        report_place(str(read_only / "r.html"))
    with _tmpfs(tmp_path / "full", "64k") as full:
        (full / "filler").write_bytes(b"x" * 60_000)
        with _refused("report-disk-full"):
            report_place(str(full / "r.html"))
        assert sorted(p.name for p in full.iterdir()) == ["filler"]


# --- the pair: both or neither ---------------------------------------------------------------


def _old_pair(folder: Path) -> ReportPlace:
    (folder / "r.html").write_text("old html")
    (folder / "r.json").write_text("old json")
    return report_place_in(folder, "r.html")


def test_a_pair_replaces_both_and_keeps_their_mode(tmp_path: Path) -> None:
    place = _old_pair(tmp_path)
    (tmp_path / "r.html").chmod(0o600)
    write_pair(place, "new html", "new json")
    assert (tmp_path / "r.html").read_text() == "new html"
    assert (tmp_path / "r.json").read_text() == "new json"
    if sys.platform != "win32":
        assert stat.S_IMODE((tmp_path / "r.html").stat().st_mode) == 0o600  # as it was
        assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) & 0o044  # an ordinary document
    assert _leftovers(tmp_path) == []


def test_a_failed_second_rename_puts_the_first_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one fault injected by hand: the JSON's rename fails after the HTML's succeeded."""
    place = _old_pair(tmp_path)
    real_replace = os.replace

    def failing(source: str | Path, target: str | Path) -> None:
        if str(target).endswith("r.json") and str(source).endswith(".tmp"):
            raise OSError(5, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr("sep_port_doctor.core.report_files.os.replace", failing)
    with _refused("report-write-failed"):
        write_pair(place, "new html", "new json")
    assert (tmp_path / "r.html").read_text() == "old html"
    assert (tmp_path / "r.json").read_text() == "old json"
    assert _leftovers(tmp_path) == []


def test_a_folder_appearing_at_the_json_during_the_run_changes_neither(tmp_path: Path) -> None:
    place = report_place_in(tmp_path, "r.html")
    (tmp_path / "r.html").write_text("old html")
    (tmp_path / "r.json").mkdir()
    with _refused("report-not-file"):
        write_pair(place, "new html", "new json")
    assert (tmp_path / "r.html").read_text() == "old html"
    assert _leftovers(tmp_path) == []


@ROOT_ONLY
def test_a_disk_full_between_the_two_files_changes_neither(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "small", "2m") as small:
        place = _old_pair(small)
        with _refused("report-disk-full"):
            write_pair(place, "h" * 500_000, "j" * 3_000_000)  # the HTML fits, the JSON does not
        assert (small / "r.html").read_text() == "old html"
        assert (small / "r.json").read_text() == "old json"
        assert sorted(p.name for p in small.iterdir()) == ["r.html", "r.json"]


def test_two_exports_to_one_name_never_mix(tmp_path: Path) -> None:
    place = report_place_in(tmp_path, "r.html")
    mixed = 0
    for trial in range(40):
        barrier = threading.Barrier(2)

        def export(marker: str, barrier: threading.Barrier = barrier) -> None:
            barrier.wait(timeout=30)  # hang guard
            write_pair(place, f"{marker} html " + "x" * 20_000, f"{marker} json " + "y" * 20_000)

        writers = [threading.Thread(target=export, args=(f"{trial}-{side}",)) for side in "AB"]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join(timeout=60)  # hang guard
        html_marker = (tmp_path / "r.html").read_text().split(" ")[0]
        json_marker = (tmp_path / "r.json").read_text().split(" ")[0]
        mixed += html_marker != json_marker
    assert mixed == 0
    assert _leftovers(tmp_path) == []


SIGTERM_DURING = """
import os, signal, sys
from pathlib import Path
from sep_port_doctor.core import termination
import sep_port_doctor.core.report_files as report
termination.install()
folder = Path(sys.argv[1])
place = report.report_place_in(folder, "r.html")
moment = sys.argv[2]
real = {"fsync": os.fsync, "replace": os.replace}

def fsync(fd):
    real["fsync"](fd)
    if moment == "write":
        os.kill(os.getpid(), signal.SIGTERM)

def replace(source, target):
    if moment == "commit":
        os.kill(os.getpid(), signal.SIGTERM)  # held back until both are renamed
    real["replace"](source, target)

report.os.fsync = fsync
report.os.replace = replace
try:
    report.write_pair(place, "new html", "new json")
except SystemExit as stopped:
    sys.exit(stopped.code)
sys.exit(0)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")
@pytest.mark.parametrize(("moment", "expected"), [("write", "old"), ("commit", "new")])
def test_sigterm_during_the_write_leaves_no_temporary_and_a_whole_pair(
    moment: str, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "r.html").write_text("old html")
    (tmp_path / "r.json").write_text("old json")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", SIGTERM_DURING, str(tmp_path), moment], capture_output=True,
                            text=True, env=env, timeout=60)  # fmt: skip
    assert result.returncode == exit_codes.TERMINATED, result.stderr
    assert (tmp_path / "r.html").read_text() == f"{expected} html"
    assert (tmp_path / "r.json").read_text() == f"{expected} json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.json"]


# --- after the run: results are never lost ------------------------------------------------------


def test_results_are_kept_elsewhere_when_the_place_fails_after_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    place = report_place_in(folder, "r.html")
    shutil.rmtree(folder)  # the share went away during the run
    spare = tmp_path / "spare"
    spare.mkdir()
    monkeypatch.setattr("sep_port_doctor.core.report.tempfile.gettempdir", lambda: str(spare))
    outcome = write_or_keep(place, _empty_diagnosis("INC-1"), CATALOG, "en")
    assert isinstance(outcome, Kept) and outcome.html is not None and outcome.json is not None
    assert outcome.html.parent == spare and "INC-1" in outcome.json.read_text("utf-8")
    assert f"the results are kept in {outcome.html} and {outcome.json}" in outcome.message("en")
    monkeypatch.setattr("sep_port_doctor.core.report.tempfile.gettempdir", lambda: str(tmp_path / "gone"))
    nowhere = write_or_keep(place, _empty_diagnosis(), CATALOG, "ja")
    assert isinstance(nowhere, Kept) and nowhere.html is None
    assert "標準出力" in nowhere.message("ja")


# --- through the command line: refused before any packet, kept after ------------------------------

ENV = ChildEnvironment({"QT_QPA_PLATFORM": "offscreen"})


def _setup(case: str, tmp_path: Path) -> str:
    if case == "dangling link":
        (tmp_path / "r.html").symlink_to(tmp_path / "nowhere")
    elif case == "link outside":
        (tmp_path / "r.html").symlink_to("/etc/hostname")
    elif case == "read-only report":
        (tmp_path / "r.html").write_text("keep me")
        (tmp_path / "r.html").chmod(0o444)
    elif case == "json is a folder":
        (tmp_path / "r.json").mkdir()
    elif case == "device":
        return "/dev/full"
    elif case == "/proc":
        return "/proc/r.html"
    return str(tmp_path / "r.html")


REFUSED = ["dangling link", "link outside", "read-only report", "json is a folder", "device", "/proc"]


@POSIX_ONLY
@pytest.mark.parametrize("how", ["check", "gui"])
@pytest.mark.parametrize("case", REFUSED)
def test_a_bad_report_place_sends_nothing_and_says_why(case: str, how: str, tmp_path: Path) -> None:
    target = _setup(case, tmp_path)

    async def scenario() -> tuple[int, str, int]:
        async with serving(answer(http_response(200, b"OK"))) as trap:
            traps = ["--port", f"8014={trap.port}", "--port", f"445={trap.port}"]
            args = (["check", "--manager", "127.0.0.1", "--version", "14.3", *traps] if how == "check"
                    else ["gui", "--manager", "127.0.0.1", "--version", "14.3", *traps, "--run", "--quit"])  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                *command(), *args, "--report", target, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=ENV,
            )  # fmt: skip
            _out, err = await asyncio.wait_for(process.communicate(), 90)  # hang guard
            return process.returncode or 0, err.decode(), trap.connections

    code, err, connections = asyncio.run(scenario())
    assert code == exit_codes.USAGE, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sep-port-doctor: error: --report: "), err
    assert connections == 0
    if case == "read-only report":
        assert (tmp_path / "r.html").read_text() == "keep me"
    assert _leftovers(tmp_path) == []


@ROOT_ONLY
def test_a_disk_that_fills_during_the_run_keeps_the_results_elsewhere(tmp_path: Path) -> None:
    spare = tmp_path / "spare"
    spare.mkdir()
    with _tmpfs(tmp_path / "small", "1200k") as small, dropping_port() as dropped:
        process = subprocess.Popen(
            [*command(), "check", "--manager", "127.0.0.1", "--version", "14.3", "--timeout", "1",
             "--port", f"8014={dropped}", "--report", str(small / "r.html")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**ENV, "TMPDIR": str(spare)},
        )  # fmt: skip
        assert process.stdout is not None
        banner = process.stdout.readline()  # the place was checked: the run has started
        with contextlib.suppress(OSError):  # and now the disk fills up, to the last byte
            (small / "filler").write_bytes(b"x" * 2_000_000)
        out, err = process.communicate(timeout=90)  # hang guard
        assert banner.startswith(b"SEP Port Doctor")
        assert process.returncode == exit_codes.CANNOT_WRITE, err
        assert sorted(p.name for p in small.iterdir()) == ["filler"]
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "the results are kept in" in lines[0] and str(spare) in lines[0]
    kept = sorted(p.suffix for p in spare.iterdir())
    assert kept == [".html", ".json"]
    assert b"Problem" in out  # the run's own output is complete
