"""The windows are helper processes: they never import the tray or the command line, and no
module of theirs grows past 400 lines (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WINDOWS = Path(__file__).resolve().parents[2] / "necka_tray" / "windows"
MODULES = sorted(WINDOWS.glob("*.py"))


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_window_imports_neither_the_tray_nor_the_cli(path):
    tray_process = ("tray", "owner", "schedule", "channel")
    bad = {n for n in imported(path) if n.split(".")[:2] in [["necka_tray", f] for f in (*tray_process, "cli")]}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_window_module_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
