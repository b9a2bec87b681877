"""PowerShell read without PowerShell (not in Debian, not on this machine): the tree-sitter grammar
of PowerShell (PyPI ``tree-sitter-pwsh``, a maintained fork of the grammar Airbus CERT wrote for
PowerShell analysis), through the ``tree-sitter`` bindings.

What a clean parse proves: the script is well-formed by that grammar (braces, parentheses, strings
and here-strings closed, statements, pipelines, parameter blocks, hash tables and expressions
complete). What it does not: that PowerShell's own parser agrees in every corner (the grammar is a
re-implementation; it accepts a few things PowerShell refuses, such as ``param()`` after other
statements or a ``try`` without ``catch``), that the commands and their parameters exist, or that
the script does what it should. The tree also gives the commands, parameters and .NET types a
script uses, which tests/fleet checks against what a standard user may run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter
import tree_sitter_pwsh


@cache
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_pwsh.language()))


@dataclass(frozen=True)
class Script:
    source: bytes
    tree: tree_sitter.Tree

    def text(self, node: tree_sitter.Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8")

    def nodes(self, *types: str) -> list[tree_sitter.Node]:
        found: list[tree_sitter.Node] = []
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            if not types or node.type in types:
                found.append(node)
            stack.extend(reversed(node.children))
        return found

    def syntax_errors(self) -> list[str]:
        """Each place the grammar could not parse (an ERROR node) or had to invent a token (MISSING)."""
        return [
            f"line {node.start_point[0] + 1}, column {node.start_point[1] + 1}: "
            + (f"missing {node.type!r}" if node.is_missing else f"cannot parse {self.text(node)[:60]!r}")
            for node in self.nodes()
            if node.is_error or node.is_missing
        ]

    def commands(self) -> set[str]:
        """The names of the commands the script calls by name (cmdlets, functions, programs)."""
        return {self.text(node) for node in self.nodes("command_name")}

    def parameters_used(self) -> set[str]:
        """Every ``-Name`` passed to a command, lower-case."""
        return {self.text(node).lower().rstrip(":") for node in self.nodes("command_parameter")}

    def types(self) -> set[str]:
        """.NET types named in ``[Type]`` literals and as New-Object's type, without brackets."""
        named = {self.text(node).strip("[]") for node in self.nodes("type_literal")}
        for command in self.nodes("command"):
            names = [self.text(n) for n in command.children if n.type == "command_name"]
            if names == ["New-Object"]:
                elements = [c for c in command.children if c.type == "command_elements"]
                words = self.text(elements[0]).split() if elements else []
                named.update(w for w in words[:1] if not w.startswith("-"))
        return named

    def script_parameters(self) -> list[str]:
        """The script's own parameters, in order (its top-level ``param(...)`` block)."""
        blocks = [n for n in self.tree.root_node.children if n.type == "param_block"]
        if not blocks:
            return []
        lists = [c for c in blocks[0].children if c.type == "parameter_list"]
        parameters = [p for p in lists[0].children if p.type == "script_parameter"] if lists else []
        return [self.text(v).lstrip("$") for p in parameters for v in p.children if v.type == "variable"]

    def code_text(self) -> str:
        """The source without its comments (what runs)."""
        text = self.source
        for node in sorted(self.nodes("comment"), key=lambda n: n.start_byte, reverse=True):
            text = text[: node.start_byte] + b" " * (node.end_byte - node.start_byte) + text[node.end_byte :]
        return text.decode("utf-8")


def parse(source: bytes) -> Script:
    return Script(source, _parser().parse(source))


def parse_file(path: Path) -> Script:
    return parse(path.read_bytes())
