"""How the program's modules depend on each other, and what each command loads.

- **No import cycles** among core/ and gui/, read statically from the source: every
  ``import`` counts, at module level, inside a function and under ``TYPE_CHECKING``.
  Function-level imports are allowed only to load something later than the module that
  needs it (the command line's dispatcher loads one command's module; the window loads
  the probe engine with its first run; ``check`` loads the report's code after the run);
  since they count here, none can hide a cycle.
- **Leaf modules** stay leaves: the languages and their words (``core.i18n``), the errors
  and the shared value types import only what is listed below.
- **What a command loads**, in a child process: ``ports`` no probe engine, HTTP or
  certificate library, template engine or Qt; ``check`` none of what comes after its
  first packet before it (tests/gui/test_startup_imports.py: ``gui --quit``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers.command import ENV, ROOT

PACKAGES = ("core", "gui")


def module_graph(
    root: Path, packages: tuple[str, ...] = PACKAGES, prefix: str = "sep_port_doctor."
) -> dict[str, dict[str, int]]:
    """Each module of ``packages`` under ``root`` -> the project modules it imports (with a line).
    ``prefix``: the name the folders are installed under (core/ is ``sep_port_doctor.core``).

    A package's ``__init__`` that runs before its submodule is not counted as an import of it.
    """
    files: dict[str, tuple[Path, bool]] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            files[prefix + ".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in files.items():
        here = name if is_package else name.rpartition(".")[0]
        found: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                # `from sep_port_doctor.core import check_command` imports the module ...core.check_command;
                # `from sep_port_doctor.core.localpc import LocalReport` the package ...core.localpc.
                submodules = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in files]
                targets = submodules or [module]
            else:
                continue
            for target in targets:
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.setdefault(target, node.lineno)
        graph[name] = found
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return sorted(found)


def _described(graph: dict[str, dict[str, int]], component: list[str]) -> str:
    arrows = [f"{a} -> {b} (line {line})" for a in component for b, line in graph[a].items() if b in component]
    return "; ".join(arrows)


def test_the_cycle_finder_sees_imports_in_functions_and_under_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "core"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def late():\n    from core import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from core.c import Thing\n")
    (package / "c.py").write_text("from . import a\n")
    (package / "d.py").write_text("import core.a\n")
    graph = module_graph(tmp_path, ("core",), prefix="")
    assert graph["core.a"] == {"core.b": 2}
    assert cycles(graph) == [["core.a", "core.b", "core.c"]]


def test_no_import_cycles_among_the_programs_modules() -> None:
    graph = module_graph(ROOT)
    # The reader is alive: the dispatcher's function-level import of a command is an edge.
    assert "sep_port_doctor.core.check_command" in graph["sep_port_doctor.core.cli"]
    assert "sep_port_doctor.core.run" in graph["sep_port_doctor.gui.wizard.controller"]
    found = cycles(graph)
    assert found == [], "\n".join(_described(graph, c) for c in found)


LEAVES = {
    "sep_port_doctor.core.i18n": set(),
    "sep_port_doctor.core.errors": {"sep_port_doctor.core.i18n"},
    "sep_port_doctor.core.results": {
        "sep_port_doctor.core.hosts",
        "sep_port_doctor.core.i18n",
        "sep_port_doctor.core.resolver",
    },
    "sep_port_doctor.core.run_events": {
        "sep_port_doctor.core.diagnosis",
        "sep_port_doctor.core.explain",
        "sep_port_doctor.core.localpc",
        "sep_port_doctor.core.path",
        "sep_port_doctor.core.results",
    },
    "sep_port_doctor.core.exit_codes": {"sep_port_doctor.core.diagnosis", "sep_port_doctor.core.results"},
}
"""Each leaf module and every project module it may import (``core.results`` says its evidence and
reasons through ``core.i18n``, itself a leaf, and only names
``core.resolver``'s lookup under TYPE_CHECKING; ``core.run_events`` only names its types)."""


def test_leaf_modules_import_only_what_they_are_allowed() -> None:
    graph = module_graph(ROOT)
    for leaf, allowed in LEAVES.items():
        assert set(graph[leaf]) <= allowed, f"{leaf} imports {sorted(set(graph[leaf]) - allowed)}"
    # The shared types are imported from their leaves only, never from a module that re-exports them.
    for path in (p for d in (*PACKAGES, "tests") for p in (ROOT / d).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    home = HOMES.get(alias.name, node.module)
                    assert node.module == home, f"{path}:{node.lineno}: {alias.name} from {node.module}, not {home}"


HOMES = {
    "Lang": "sep_port_doctor.core.i18n",
    "CatalogError": "sep_port_doctor.core.i18n",
    "Severity": "sep_port_doctor.core.results",
    "State": "sep_port_doctor.core.results",
    "RunSummary": "sep_port_doctor.core.results",
    "Finding": "sep_port_doctor.core.results",
    "RunEvent": "sep_port_doctor.core.run_events",
}
"""Where each shared type lives (and the only module it is imported from)."""


AFTER_THE_FIRST_PACKET = (
    "jinja2",
    "httpx",
    "httpcore",
    "anyio",
    "cryptography",
    "urllib.request",
    "icmplib",
    "psutil",
    "sep_port_doctor.core.report",
    "sep_port_doctor.core.report_context",
    "sep_port_doctor.core.merge",
    "sep_port_doctor.core.push",
    "sep_port_doctor.core.simulator",
    "sep_port_doctor.core.tlsinfo",
    "smbprotocol",
    "PySide6",
)
"""What ``check`` needs only once answers arrive (TLS facts, HTTP and the system's proxy, the
path's echo and route, the report), or never (push's SMB, the merge)."""

NOT_FOR_PORTS = (
    *AFTER_THE_FIRST_PACKET,
    "sep_port_doctor.core.engine",
    "sep_port_doctor.core.run",
    "sep_port_doctor.core.probes",
    "sep_port_doctor.core.explain",
    "asyncio",
)


def _modules_after(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ENV, cwd=ROOT, check=True
    )
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def _any_of(loaded: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names for m in loaded if m == n or m.startswith(n + ".")})


def test_ports_loads_no_engine_no_http_or_certificate_library() -> None:
    loaded = _modules_after(
        "import contextlib, io, json, sys\n"
        "from sep_port_doctor.gui.entry import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['ports', '--json'])\n"
        "assert rc == 0, rc\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    assert "sep_port_doctor.core.catalog" in loaded  # it did run
    assert _any_of(loaded, NOT_FOR_PORTS) == []


FIRST_PACKET = textwrap.dedent(
    """
    import contextlib, io, json, socket, sys
    seen = []
    real_connect = socket.socket.connect

    def connect(self, *args):
        if self.type == socket.SOCK_STREAM and not seen:  # a SYN (a connected UDP socket sends nothing)
            seen.append(sorted(sys.modules))
        return real_connect(self, *args)

    socket.socket.connect = connect
    from sep_port_doctor.gui.entry import main
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(["check", "--manager", "127.0.0.1", "--version", "14.3", "--all-ports", "--timeout", "0.5", "--json"])
    assert rc in (0, 1, 3), rc
    print(json.dumps(seen[0]))
    """
)


def test_check_sends_its_first_packet_before_loading_what_comes_later() -> None:
    loaded = _modules_after(FIRST_PACKET)
    assert "sep_port_doctor.core.engine" in loaded  # the probes were out
    assert _any_of(loaded, AFTER_THE_FIRST_PACKET) == []
    if sys.platform != "win32":  # this PC's checks (SyLink, firewall) are read on Windows only
        assert _any_of(loaded, ("sep_port_doctor.core.localpc",)) == []


WATCHED_DEADLINES = textwrap.dedent(
    """
    import asyncio, contextlib, importlib, json, sys

    in_deadline = []
    deadline = asyncio.timeout

    @contextlib.asynccontextmanager
    async def watched(delay):
        before = set(sys.modules)
        try:
            async with deadline(delay):
                yield
        finally:
            in_deadline.extend(sorted(set(sys.modules) - before))

    asyncio.timeout = watched

    async def serving(answer, exchange):
        async def serve(reader, writer):
            await reader.read(4096)
            writer.write(answer)
            await writer.drain()
            writer.close()

        async with await asyncio.start_server(serve, "127.0.0.1", 0) as server:
            before = set(sys.modules)
            said = await exchange(server.sockets[0].getsockname()[1])
            return said, sorted(set(sys.modules) - before)

    def preload(check):
        if sys.argv[1] == "preloaded":  # what core.engine loads once the first packets are out
            for module in check.preload:
                importlib.import_module(module)
    """
)

FIRST_EXCHANGES = {
    "http": """
        from sep_port_doctor.core.checks.secars import Secars
        from sep_port_doctor.core.http_checks import http_get

        preload(Secars("http"))
        async def get(port):  # a name is looked up, as for a manager
            return (await http_get(f"http://localhost:{port}/", timeout=30)).status
        said, in_exchange = asyncio.run(serving(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nOK", get))
        """,
    "smb": """
        from sep_port_doctor.core.checks.smb_negotiate import CHECKS
        from sep_port_doctor.core.smb import exchange

        preload(CHECKS[0])
        async def negotiate(port):
            return (await exchange("127.0.0.1", port, 30))[:4].hex()
        said, in_exchange = asyncio.run(serving(b"\\x00\\x00\\x00\\x08\\xffSMBr\\x00\\x00\\x00", negotiate))
        """,
}
ANSWERED = {"http": 200, "smb": "00000008"}


@pytest.mark.parametrize("before", ["fresh", "preloaded"])
@pytest.mark.parametrize("kind", FIRST_EXCHANGES)
def test_an_exchanges_deadline_is_the_servers_time_not_the_programs_loading(kind: str, before: str) -> None:
    """The first HTTP exchange loaded httpcore, h11 and anyio's backend inside its deadline: 80-190 ms
    of it at load 7 and once 0.9 s, so a server that answered at once was told "no complete answer
    within 1 s" under --timeout 1 (test_reliability's hostile servers, 2 of 9 in one run); push's
    first SMB negotiate loaded smbprotocol inside its own (0.2-0.5 s at load 7). Nothing loads
    inside a deadline; after the check's preload, the exchange loads nothing at all."""
    program = (
        WATCHED_DEADLINES
        + textwrap.dedent(FIRST_EXCHANGES[kind])
        + ('print(json.dumps({"said": said, "in_deadline": in_deadline, "in_exchange": in_exchange}))\n')
    )
    result = subprocess.run(
        [sys.executable, "-c", program, before], capture_output=True, text=True, timeout=120, env=ENV, cwd=ROOT,
        check=True,
    )  # fmt: skip
    said = json.loads(result.stdout.strip().splitlines()[-1])
    assert said["said"] == ANSWERED[kind]  # the exchange did run, and the server's answer came back
    assert said["in_deadline"] == []
    if before == "preloaded":
        assert said["in_exchange"] == []
