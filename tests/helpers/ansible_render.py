"""Ansible's own templating of expressions taken from the recipe, in a child process.

A child, because PySide6 (loaded in the test process by pytest-qt) hooks every import, and its hook
trips over ansible.errors' lazy module attributes while Ansible is still importing itself.

    render([(expression, variables), ...]) -> [result, ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

_CHILD = """
import json, sys
from ansible.template import Templar, trust_as_template
from ansible.parsing.dataloader import DataLoader
out = []
for expression, variables in json.load(sys.stdin):
    out.append(Templar(loader=DataLoader(), variables=variables).template(trust_as_template(expression)))
json.dump(out, sys.stdout)
"""


def render(items: list[tuple[object, dict[str, Any]]]) -> list[Any]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD], input=json.dumps(items), capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise RuntimeError(f"Ansible's templating failed:\n{result.stderr[-3000:]}")
    rendered: list[Any] = json.loads(result.stdout)
    return rendered
