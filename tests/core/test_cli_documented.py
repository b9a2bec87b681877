"""What the README's "Command line" and "Layout" sections promise of the command line, as a user
runs it: the terminal names the command's options where the report and the JSON do not, and a
finished command ends its process without the interpreter's teardown."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers.command import ENV, ROOT
from tests.helpers.hang import HANG_GUARD_S
from tests.helpers.profile_runs import check_with_simulator

CONSOLE_ONLY = "not used from a client desk (run this from an admin console PC or on the manager)"
OPTION = re.compile(r"--(?:gup|sql|syslog|role|all-ports|port|extra|manager|version)\b")


def test_the_terminal_names_the_options_the_report_and_the_json_do_not(tmp_path: Path) -> None:
    """A client-desk run without ``--gup``: the GUP check and the console ports send nothing, and
    the terminal says which option would change that ([reason-cli]); the report and its JSON say
    the same without naming an option ([reason])."""
    code, out, err = check_with_simulator(
        "healthy", "--version", "14.3", "--lang", "en", "--report", str(tmp_path / "r.html")
    )
    assert code == 0, out + err
    assert "gup-tcp-2967: no Group Update Provider given (--gup HOST)" in out
    assert "server-https-8443: not used from a client desk (run with --role console or manager)" in out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "no Group Update Provider given" in html
    assert CONSOLE_ONLY in html
    assert OPTION.findall(html) == []
    exported = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    reasons = {c["id"]: c["plan_reason"] for c in exported["checks"]}
    assert reasons["gup-tcp-2967"] == "no Group Update Provider given"
    assert reasons["server-https-8443"] == CONSOLE_ONLY
    assert [r for r in reasons.values() if OPTION.search(r)] == []


def test_a_finished_command_ends_without_the_interpreters_teardown() -> None:
    """``core/cli.py`` ``leave``: the output is flushed and the process ends at once; a handler the
    interpreter's teardown would run (atexit) never runs."""
    program = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('TEARDOWN', file=sys.stderr, flush=True))\n"
        "sys.argv = ['sep-port-doctor', 'ports', '--json', '--lang', 'en']\n"
        "from sep_port_doctor.gui.entry import main\n"
        "sys.exit(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=HANG_GUARD_S
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 24  # every byte of the output is there
    assert "TEARDOWN" not in result.stderr
    # The control: the same handler runs when the command is called as a function, not as the process.
    called = program.replace("sys.exit(main())", "sys.exit(main(sys.argv[1:]))")
    control = subprocess.run(
        [sys.executable, "-c", called], capture_output=True, text=True, env=ENV, cwd=ROOT, timeout=HANG_GUARD_S
    )
    assert control.returncode == 0 and "TEARDOWN" in control.stderr
