"""APScheduler is pinned to the minor release ``tray/apscheduler_import.py`` stands in for.

The stand-in answers exactly the names APScheduler 3.11 takes from ``asyncio``,
``importlib.metadata``, ``tzlocal`` and ``concurrent.futures.process`` while the scheduler and the two triggers
Necka uses import. A
release that loads other modules, or takes other names, must fail here loudly
rather than break the tray at start (or quietly load asyncio again).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The modules ``apscheduler_import.load()`` brings in (3.11.2 and 3.11.3).
LOADED = {
    "apscheduler", "apscheduler.events", "apscheduler.executors", "apscheduler.executors.base",
    "apscheduler.executors.pool", "apscheduler.job", "apscheduler.jobstores", "apscheduler.jobstores.base",
    "apscheduler.jobstores.memory", "apscheduler.schedulers", "apscheduler.schedulers.base",
    "apscheduler.triggers", "apscheduler.triggers.base", "apscheduler.triggers.date",
    "apscheduler.triggers.interval", "apscheduler.util",
}
#: (module, what it imports from asyncio / importlib.metadata): what the stand-ins must answer.
STOOD_IN = {
    ("apscheduler", "importlib.metadata", "PackageNotFoundError"),
    ("apscheduler", "importlib.metadata", "version"),
    ("apscheduler.schedulers.base", "importlib.metadata", "entry_points"),
    ("apscheduler.util", "asyncio", "iscoroutinefunction"),
    ("apscheduler.schedulers.base", "tzlocal", "get_localzone"),
    ("apscheduler.triggers.date", "tzlocal", "get_localzone"),
    ("apscheduler.triggers.interval", "tzlocal", "get_localzone"),
    ("apscheduler.executors.pool", "concurrent.futures.process", "BrokenProcessPool"),
}
STOOD_IN_MODULES = {"asyncio", "importlib.metadata", "tzlocal", "concurrent.futures.process"}


def test_pyproject_pins_the_minor_release():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"APScheduler~=3\.11\.2"', text), "pin APScheduler to the release apscheduler_import stands in for"


def test_the_installed_release_is_the_pinned_one():
    version = metadata.version("APScheduler")
    major, minor, patch = (int(p) for p in re.match(r"(\d+)\.(\d+)\.(\d+)", version).groups())
    assert (major, minor) == (3, 11) and patch >= 2, (
        f"APScheduler {version} is installed; tray/apscheduler_import.py is written for 3.11.2+ (3.11.x): "
        "re-check what it imports and update this test with it")


def _uses(module: str, path: Path) -> set[tuple[str, str, str]]:
    """(module, stood-in module, name) for every name ``path`` takes from a stood-in module."""
    found: set[tuple[str, str, str]] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {m: m for m in STOOD_IN_MODULES}  # the name a module goes by in this file -> the module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name: a.name for a in node.names if a.name in STOOD_IN_MODULES}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in STOOD_IN_MODULES:
            found |= {(module, node.module, a.name) for a in node.names}
        elif isinstance(node, ast.Attribute) and ast.unparse(node.value) in aliases:
            found.add((module, aliases[ast.unparse(node.value)], node.attr))
    return found


def test_what_apscheduler_imports_is_what_the_stand_in_answers():
    probe = ("import sys; from necka_tray.tray import apscheduler_import; apscheduler_import.load(); "
             "print('\\n'.join(f'{m} {sys.modules[m].__file__}' for m in sys.modules if m.startswith('apscheduler')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded = dict(line.split(" ", 1) for line in out.splitlines())
    assert set(loaded) == LOADED, "APScheduler now loads other modules at import: re-check apscheduler_import.py"
    used = set().union(*(_uses(m, Path(f)) for m, f in loaded.items()))
    assert used == STOOD_IN, "APScheduler takes other names from asyncio/importlib.metadata: update the stand-in"


@pytest.mark.parametrize("name", sorted({n for _, _, n in STOOD_IN}))
def test_the_stand_in_answers_every_name(name):
    from necka_tray.tray import apscheduler_import

    stand_ins = apscheduler_import._stand_ins()
    assert any(hasattr(module, name) for module in stand_ins.values())
