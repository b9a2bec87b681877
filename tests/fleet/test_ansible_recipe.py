"""The Ansible recipe without a lab (tests/fleet/test_ansible_lab.py runs it for real as root):
ansible-core's own syntax check, its own templating of what the tasks compute (the Windows program
path, the argument lists, the result's file name), and the Windows tasks' modules and options.

The Windows tasks cannot run here (no Windows host, and ansible.windows is not part of ansible-core):
their module options are checked against the ansible.windows documentation, listed below.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.ansible_render import render
from tests.helpers.command import ROOT

ANSIBLE = ROOT / "resources" / "fleet" / "ansible"
PLAYBOOK = ANSIBLE / "sep-port-doctor.yml"

# ansible.windows (docs.ansible.com, collections/ansible/windows): the options each module takes.
WINDOWS_MODULE_OPTIONS = {
    "ansible.windows.win_tempfile": {"path", "prefix", "state", "suffix"},
    "ansible.windows.win_copy": {"backup", "content", "decrypt", "dest", "force", "local_follow", "remote_src", "src"},
    "ansible.windows.win_command": {
        "_raw_params", "argv", "chdir", "cmd", "creates", "output_encoding_override", "removes", "stdin",
    },
    "ansible.windows.win_file": {"path", "state"},
}  # fmt: skip
TASK_KEYWORDS = {"name", "register", "changed_when", "failed_when", "timeout", "when", "block", "always"}


def _render(expression: object, variables: dict[str, Any]) -> Any:
    return render([(expression, variables)])[0]


def _tasks(path: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for task in yaml.safe_load(path.read_text(encoding="utf-8")):
        found.append(task)
        for section in ("block", "always"):
            found.extend(task.get(section, []))
    return found


def test_ansible_core_accepts_the_playbook() -> None:
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(Path(os.environ["HOME"]) / "ansible")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", "-i",
         str(ANSIBLE / "inventory.example.ini"), str(PLAYBOOK)],
        capture_output=True, text=True, timeout=120, env=env, cwd=ANSIBLE,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_ansible_core_finds_a_broken_playbook(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(PLAYBOOK.read_text(encoding="utf-8").replace("  tasks:\n", "  tasks:\n  - {\n", 1))
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", str(broken)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0


def test_the_windows_tasks_use_only_documented_options_of_ansible_windows() -> None:
    used: dict[str, set[str]] = {}
    for task in _tasks(ANSIBLE / "tasks" / "windows.yml"):
        modules = set(task) - TASK_KEYWORDS
        if "block" in task:
            continue
        assert len(modules) == 1, task
        (module,) = modules
        if module == "ansible.builtin.set_fact":
            continue
        assert module in WINDOWS_MODULE_OPTIONS, f"{module}: not a module this recipe may use"
        used[module] = set(task[module])
        assert used[module] <= WINDOWS_MODULE_OPTIONS[module], module
    assert set(used) == set(WINDOWS_MODULE_OPTIONS)


def test_the_windows_program_path_has_single_backslashes_as_ansible_renders_it() -> None:
    tasks = {t["name"]: t for t in _tasks(ANSIBLE / "tasks" / "windows.yml")}
    folder = "C:\\Users\\sep\\AppData\\Local\\Temp\\ansible.moduletmp-sep-port-doctor"
    program = _render(tasks["The program's path on this PC"]["ansible.builtin.set_fact"]["sep_windows_program"],
                      {"sep_folder": {"path": folder}})  # fmt: skip
    assert program == folder + "\\sep-port-doctor\\sep-port-doctor.exe"
    argv = _render(tasks["Run the check"]["ansible.windows.win_command"]["argv"],
                   {"sep_windows_program": program, "sep_check_arguments": ["check", "--json"]})  # fmt: skip
    assert argv == [program, "check", "--json"]
    destination = _render(tasks["Copy the program folder (the Windows build, sep-port-doctor with sep-port-doctor.exe inside)"]
                          ["ansible.windows.win_copy"]["dest"], {"sep_folder": {"path": folder}})  # fmt: skip
    assert destination == folder + "\\"


def test_the_check_arguments_and_the_result_name_render_as_intended() -> None:
    play = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))[0]
    tasks = {t["name"]: t for t in play["tasks"]}
    variables = {**play["vars"], "sep_manager": "sepm01.example.local", "sep_version": "14.3 RU9"}
    arguments = _render(tasks["The check's arguments"]["ansible.builtin.set_fact"]["sep_check_arguments"], variables)
    assert arguments == [
        "check",
        "--json",
        "--role",
        "client",
        "--manager",
        "sepm01.example.local",
        "--version",
        "14.3 RU9",
    ]
    with_options = _render(
        tasks["The check's arguments"]["ansible.builtin.set_fact"]["sep_check_arguments"],
        {**variables, "sep_lang": "ja", "sep_extra_arguments": ["--port", "8014=8015"]},
    )
    assert with_options[-4:] == ["--lang", "ja", "--port", "8014=8015"]
    stem = _render(
        tasks["Name and kind of this computer's result"]["ansible.builtin.set_fact"]["sep_result_stem"],
        {"ansible_facts": {"hostname": "PC-0042 <x>/../"}, "inventory_hostname": "pc"},
    )
    computer, utc = stem.rsplit("_", 1)
    assert computer == "PC-0042__x__.._"  # nothing but letters, digits, '.', '_' and '-'
    assert len(utc) == 16 and utc[8] == "T" and utc.endswith("Z")


def test_which_exit_codes_count_as_a_result() -> None:
    """0, 1 and 3 with a JSON object printed are results; bad input, internal errors and garbage are not."""
    play = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))[0]
    tasks = {t["name"]: t for t in play["tasks"]}
    expression = tasks["Name and kind of this computer's result"]["ansible.builtin.set_fact"]["sep_result_ok"]
    cases = [
        (0, "{}", True),
        (1, "{\n}", True),
        (3, "{}", True),
        (2, "", False),
        (70, "{}", False),
        (1, "garbage", False),
    ]
    rendered = render(
        [(expression, {**play["vars"], "sep_check": {"rc": rc, "stdout": out}}) for rc, out, _ok in cases]
    )
    assert rendered == [ok for _rc, _out, ok in cases]


def test_a_host_without_a_result_gets_an_error_record_that_says_why() -> None:
    play = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))[0]
    tasks = {t["name"]: t for t in play["tasks"]}
    content = tasks["Or why there is no result"]["ansible.builtin.copy"]["content"]
    common = {
        "ansible_facts": {"hostname": "pc7"},
        "inventory_hostname": "pc7",
        "sep_result_stem": "pc7_20261201T090000Z",
    }
    rendered = render(
        [
            (
                content,
                {**common, "sep_result_code": 2, "sep_check": {"rc": 2, "stderr": "note\n--version: unknown: 15"}},
            ),
            (content, {**common, "sep_result_code": -1, "sep_check": {"msg": "The command action timed out"}}),
        ]
    )
    assert rendered[0].splitlines() == [
        "SEP Port Doctor could not check pc7 at 20261201T090000Z (UTC).", "exit code: 2", "--version: unknown: 15",
    ]  # fmt: skip
    assert rendered[1].splitlines()[1:] == ["exit code: -1", "The command action timed out"]
