"""The Windows recipes in resources/fleet, read with a PowerShell grammar (tests/helpers/powershell.py
says what that proves and what not): they parse, the parser does find the mistakes one could make in
them, they keep to Windows PowerShell 5.1, they call only what a standard user may run, they hold no
credentials, they pass only parameters their own functions and the collector declare, and each says
in its header which rights it needs and what the exit codes mean.

PowerShell itself is not on this machine; .github/workflows/windows.yml parses them with PowerShell's
own parser on a Windows runner.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scripts.sync_fleet_recipes import COPIES, SOURCE, shared_region, synced
from tests.helpers.command import ROOT
from tests.helpers.powershell import Script, parse, parse_file

FLEET = ROOT / "resources" / "fleet"
SCRIPTS = sorted(FLEET.rglob("*.ps1"))
# The Windows runner's check of the recipes: parsed here too (it calls more than a recipe may).
SMOKE = ROOT / "scripts" / "fleet_windows_smoke.ps1"
RECIPES = sorted(p for p in FLEET.rglob("*") if p.is_file())
# The playbook's task files and the example inventory are explained by the playbook's header.
WITH_HEADERS = [p for p in RECIPES if p.parent.name != "tasks" and p.name != "inventory.example.ini"]
COLLECTOR = FLEET / "SepPortDoctor-Collect.ps1"
DRIVER = FLEET / "Invoke-SepPortDoctorFleet.ps1"
TASK_XML = FLEET / "group_policy" / "ScheduledTasks.xml"

# Every command the recipes call, and why a standard user may: read-only or in the user's own folders
# and sessions. A new command fails the test until it is added here with its reason.
STANDARD_USER_COMMANDS = {
    "Add-Member": "adds a property to an object in memory",
    "ConvertFrom-Json": "parses text",
    "Copy-Item": "-ToSession copies into the remote user's own %TEMP%",
    "ForEach-Object": "pipeline",
    "Get-ChildItem": "lists this account's own state folder",
    "Get-Command": "looks up a program on PATH",
    "Get-Content": "reads the administrator's computer list",
    "Invoke-Command": "runs in a remoting session WinRM already allows this user (Remote Management Users)",
    "Join-Path": "string work",
    "New-Item": "creates folders in %TEMP% or %LOCALAPPDATA% of this account",
    "New-Object": ".NET objects in memory",
    "New-PSSession": "opens a remoting session WinRM already allows this user",
    "Remove-Item": "removes this script's own temporary files and folders",
    "Remove-PSSession": "closes the sessions this script opened",
    "Resolve-Path": "string work",
    "Select-Object": "pipeline",
    "Sort-Object": "pipeline",
    "Split-Path": "string work",
    "Test-Path": "reads whether a path exists",
    "Where-Object": "pipeline",
    "Write-Output": "output",
}
DOTNET_TYPES = {
    "System.Collections.Generic.List[object]", "System.DateTime", "System.Diagnostics.Process",
    "System.Diagnostics.ProcessStartInfo", "System.Environment", "System.Globalization.CultureInfo",
    "System.Guid", "System.IO.File", "System.IO.IOException", "System.Text.Encoding",
    "System.Text.StringBuilder", "System.Text.UTF8Encoding", "char", "int", "pscustomobject", "regex",
    "string", "void",
}  # fmt: skip
"""In-memory work, the program as a child process, files in folders this account may write."""

# What needs administrator rights (or changes the PC) and must never appear in what runs.
ADMINISTRATOR_ONLY = re.compile(
    r"(?i)#requires\s+-runasadministrator|-verb\s+runas|\bHKLM:|HKEY_LOCAL_MACHINE|Set-ExecutionPolicy|"
    r"Enable-PSRemoting|Set-NetFirewall|New-NetFirewall|Set-Service|New-Service|Stop-Service|Restart-Service|"
    r"\bnetsh\b|\bsc\.exe\b|\breg(\.exe)?\s+add\b|Register-ScheduledTask|Add-LocalGroupMember|icacls|takeown|"
    r"\$env:windir|\\Windows\\System32\\(?!WindowsPowerShell)"
)
CREDENTIALS = re.compile(r"(?i)password|cpassword|-Credential\b|Get-Credential|ConvertTo-SecureString|PSCredential")
# Windows PowerShell 5.1 (Intune, Configuration Manager and Group Policy run it) has none of these.
POWERSHELL_7_NODES = {"pipeline_chain_tail", "null_coalesce_expression", "ternary_expression"}
POWERSHELL_7_SYNTAX = re.compile(r"\?\?=|\?\.|-Parallel\b|-AsHashtable\b|\bclean\s*\{")


def _script(path: Path) -> Script:
    return parse_file(path)


@pytest.mark.parametrize("path", [*SCRIPTS, SMOKE], ids=lambda p: p.name)
def test_the_recipe_parses_without_a_syntax_error(path: Path) -> None:
    assert _script(path).syntax_errors() == []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_the_parser_finds_the_mistakes_one_could_make_in_the_recipe(path: Path) -> None:
    """The check above can fail on these very files: a brace dropped, a string left open, a call cut off."""
    source = path.read_bytes()
    script = _script(path)
    last_brace = max(n.start_byte for n in script.nodes("}"))  # a token, not a brace inside a string
    first_quote = min(n.start_byte for n in script.nodes("string_literal"))
    mutations = {
        "last closing brace dropped": source[:last_brace] + source[last_brace + 1 :],
        "a string left open": source[:first_quote] + b'"' + source[first_quote + 1 :],
        "a call cut off": source + b"\n$cut = Join-Path (",
        "an if without its block": source + b"\nif ($true)\n",
        "half the script": source[: len(source) // 2],
    }
    for what, mutated in mutations.items():
        assert parse(mutated).syntax_errors(), f"{what}: not found"


@pytest.mark.parametrize("path", [*SCRIPTS, SMOKE], ids=lambda p: p.name)
def test_the_recipe_keeps_to_windows_powershell_5_1(path: Path) -> None:
    script = _script(path)
    assert {n.type for n in script.nodes()} & POWERSHELL_7_NODES == set()
    assert POWERSHELL_7_SYNTAX.findall(script.code_text()) == []


def test_the_5_1_check_finds_powershell_7_syntax() -> None:
    for text in ("a && b", "$a = $b ?? 1", "$c = $d ? 1 : 2", "a || b"):
        assert {n.type for n in parse(text.encode()).nodes()} & POWERSHELL_7_NODES, text
    for text in ("$a ??= 1", "1..3 | ForEach-Object -Parallel { $_ }", "'{}' | ConvertFrom-Json -AsHashtable"):
        assert POWERSHELL_7_SYNTAX.search(text), text


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_the_recipe_calls_only_what_a_standard_user_may_run(path: Path) -> None:
    script = _script(path)
    own = _functions(script)
    collector_functions = set(_functions(_script(COLLECTOR))) if path == DRIVER else set()
    foreign = script.commands() - set(own) - collector_functions
    assert foreign - set(STANDARD_USER_COMMANDS) == set()
    assert {re.split(r"[(\s]", t)[0] for t in script.types()} - DOTNET_TYPES == set()
    assert ADMINISTRATOR_ONLY.findall(script.code_text()) == []


def test_the_administrator_check_finds_what_needs_an_administrator() -> None:
    for text in (
        "#Requires -RunAsAdministrator",
        "Start-Process powershell -Verb RunAs",
        "Set-ItemProperty -Path HKLM:\\SOFTWARE\\X -Name A -Value 1",
        "Set-NetFirewallRule -Name FPS-SMB-In-TCP -Enabled True",
        "Restart-Service LanmanServer",
        "netsh advfirewall set allprofiles state off",
    ):
        assert ADMINISTRATOR_ONLY.search(text), text
    assert parse(b"Start-Process notepad").commands() - set(STANDARD_USER_COMMANDS) == {"Start-Process"}


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: str(p.relative_to(FLEET)))
def test_no_recipe_holds_or_asks_for_credentials(path: Path) -> None:
    text = _script(path).code_text() if path.suffix == ".ps1" else _without_comments(path)
    assert CREDENTIALS.findall(text) == []


@pytest.mark.parametrize("path", WITH_HEADERS, ids=lambda p: str(p.relative_to(FLEET)))
def test_each_recipe_says_which_rights_it_needs_and_what_the_exit_codes_mean(path: Path) -> None:
    header = path.read_text(encoding="utf-8")[:6000]
    assert re.search(r"(?m)^\s*(#\s*)?Rights:", header), "no 'Rights:' paragraph"
    assert "administrator" in header.lower()
    assert re.search(r"(?i)exit codes", header)
    for code, meaning in (("0", "nothing wrong"), ("1", "problems"), ("2", "bad input")):
        assert re.search(rf"(?<![\w.])(0x)?{code}\b[^\n]*{meaning}", header), (
            f"exit code {code} ({meaning}) not explained"
        )
    assert "core/exit_codes.py" in header


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_calls_to_the_recipes_own_functions_pass_only_their_parameters(path: Path) -> None:
    """A misspelt parameter is no syntax error; PowerShell would stop at it on the PC."""
    script = _script(path)
    functions = _functions(script)
    if path == DRIVER:
        functions |= _functions(_script(COLLECTOR))
    for command in script.nodes("command"):
        names = [script.text(n) for n in command.children if n.type == "command_name"]
        if not names or names[0] not in functions:
            continue
        passed: set[str] = set()
        for element in command.children:
            if element.type == "command_elements":
                passed |= {
                    script.text(n).lstrip("-").rstrip(":").lower()
                    for n in element.children
                    if n.type == "command_parameter"
                }
        declared = {p.lower() for p in functions[names[0]]}
        assert passed <= declared, f"{names[0]}: {sorted(passed - declared)} not among {sorted(declared)}"


def test_the_driver_passes_the_collector_what_it_declares_in_its_order() -> None:
    """Invoke-Command -FilePath passes -ArgumentList by position; dot-sourcing passes names."""
    collector = _script(COLLECTOR).script_parameters()
    assert collector == ["Manager", "Version", "Share", "Program", "ExtraArguments", "Lang", "TimeoutSeconds"]
    driver = DRIVER.read_text(encoding="utf-8")
    positional = re.search(r"-ArgumentList (\$Manager, \$Version, '', \$program, [^\n)]+)", driver)
    assert positional, "the collector's call not found"
    assert [a.strip().lstrip("$") for a in positional[1].split(",")] == [
        "Manager", "Version", "''", "program", "ExtraArguments", "Lang", "TimeoutSeconds",
    ]  # fmt: skip
    dot_sourced = re.search(r"^\. \$collector (.+)$", driver, re.MULTILINE)
    assert dot_sourced
    names = re.findall(r"-(\w+) \$(\w+)", dot_sourced[1])
    # Each name both scripts declare is given the driver's own value (dot-sourcing would reset it).
    shared = set(collector) & set(_script(DRIVER).script_parameters())
    assert {name for name, value in names if name == value} == shared


def test_the_intune_scripts_carry_the_collectors_shared_helpers_unchanged() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    assert "function Write-SepFile" in shared_region(source)
    for copy in COPIES:
        text = copy.read_text(encoding="utf-8")
        assert synced(text, source) == text, f"{copy.name}: run python scripts/sync_fleet_recipes.py"


def test_the_group_policy_task_runs_the_collector_as_network_service_with_least_privilege() -> None:
    tree = ET.parse(TASK_XML)
    root = tree.getroot()
    assert root.tag == "ScheduledTasks" and root.get("clsid") == "{CC63F200-7309-4ba0-B154-A71CD118DBCC}"
    (task,) = root
    assert task.tag == "TaskV2" and task.get("clsid") == "{D8896631-B747-47a7-84A6-C155337F3BC8}"
    properties = task.find("Properties")
    assert properties is not None and properties.get("runAs") == "S-1-5-20"
    assert properties.get("cpassword") is None
    assert root.findtext(".//Principal/UserId") == "S-1-5-20"
    assert root.findtext(".//Principal/RunLevel") == "LeastPrivilege"
    assert root.findtext(".//Exec/Command", "").endswith("\\WindowsPowerShell\\v1.0\\powershell.exe")
    arguments = root.findtext(".//Exec/Arguments", "")
    file = re.search(r'-File "([^"]+)"', arguments)
    assert file and file[1].endswith("\\SepPortDoctor-Collect.ps1")
    passed = re.findall(r"(?<= )-(\w+)", arguments[file.end() :])
    assert set(passed) <= set(_script(COLLECTOR).script_parameters())
    assert {"Manager", "Version", "Share"} <= set(passed)


def _functions(script: Script) -> dict[str, list[str]]:
    """Each function the script defines, with its parameters."""
    found: dict[str, list[str]] = {}
    for function in script.nodes("function_statement"):
        names = [script.text(n) for n in function.children if n.type == "function_name"]
        blocks = [c for c in function.children if c.type == "script_block"]
        parameters: list[str] = []
        if blocks:
            inner = [c for c in blocks[0].children if c.type == "param_block"]
            if inner:
                parameters = parse(script.text(inner[0]).encode()).script_parameters()
        found[names[0]] = parameters
    return found


def _without_comments(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".xml":
        return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    return "\n".join(line.split(" #")[0] for line in text.splitlines() if not line.lstrip().startswith("#"))
