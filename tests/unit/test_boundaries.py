"""Each folder is one process or one role, and every import says so (AST over the source files).

Every import counts: at module level, inside a function, and under
``if TYPE_CHECKING:``. A folder imports only the folders below it in
``LAYERS``; together with ``test_import_graph.py`` (no circles between
modules) that keeps the tree readable from the bottom up. The tray process
never loads Tk or Pillow, so its folders never import ``necka_tray.windows``,
``tkinter`` or ``PIL``. ``core/`` stays stdlib-only: ``test_core_purity.py``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import necka_tray

PACKAGE = Path(necka_tray.__file__).parent

_BASE = {"texts", "core"}
#: folder -> the folders it may import (besides itself and ``necka_tray/__init__.py``), lowest first.
LAYERS: dict[str, set[str]] = {
    "texts": set(),  # gettext and the safety texts: everyone says things
    "core": {"texts"},  # pure logic (and store.tomllines, see CROSSINGS)
    "store": _BASE,  # the user's files
    "children": _BASE,  # the helper processes' table, messages and launcher: tray and windows alike
    "desktop": _BASE | {"store", "children"},  # the platform adapters
    "channel": _BASE | {"store"},  # the control socket: cli/ imports it without the tray process
    "schedule": _BASE | {"store"},  # APScheduler, its jobs and its store
    "tray": _BASE | {"store", "children", "desktop"},  # the tray icons, one backend per module
    "owner": _BASE | {"store", "children", "desktop", "channel", "schedule", "tray"},  # App and main.py
    "windows": _BASE | {"store", "children", "desktop"},  # the Tk helper processes
    "cli": _BASE | {"store", "children", "desktop", "channel", "windows", "owner"},  # owner: `run` starts the tray
}
#: (module, imported module) crossings the layers allow by name, and why.
CROSSINGS = {
    # The routine parser names the line of a bad value with the store's TOML line model (stdlib only).
    ("core/routine.py", "necka_tray.store.tomllines"),
    # pystray itself needs a PIL image for its icon, so once pystray loads, Pillow is loaded;
    # drawing the icon (windows/icon.py) in this process then costs nothing more.
    ("tray/pystray_icon.py", "necka_tray.windows.icon"),
    ("tray/pystray_icon.py", "necka_tray.windows.icon.draw_icon"),
    ("tray/pystray_icon.py", "necka_tray.windows"),
    # ``python -m necka_tray`` is the command line.
    ("__main__.py", "necka_tray.cli"),
    ("__main__.py", "necka_tray.cli.main"),
}
#: The folders the long-running tray process loads: no Tk, no Pillow.
TRAY_PROCESS = ("owner", "schedule", "channel", "tray", "children", "texts")
TRAY_ALLOWED = {("tray/pystray_icon.py", "PIL")}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at top level, inside a function or for type checking (absolute names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
                base = ".".join(parts[:len(parts) - node.level])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            names.add(module)
            names |= {f"{module}.{a.name}" for a in node.names}
    return names


def folder_of(name: str) -> str | None:
    """``necka_tray.owner.app`` -> ``owner``; None for ``necka_tray`` itself and its top-level names."""
    parts = name.split(".")
    if parts[0] != "necka_tray" or len(parts) < 2 or not (PACKAGE / parts[1]).is_dir():
        return None
    return parts[1]


def layer_offenders(layers: dict[str, set[str]] = LAYERS) -> list[tuple[str, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        own = rel.split("/")[0] if "/" in rel else None
        for name in sorted(imports(path)):
            other = folder_of(name)
            if other is None or other == own or (rel, name) in CROSSINGS:
                continue
            if own is None or other not in layers.get(own, set()):
                found.append((rel, name))
    return found


def offenders(folder: str, forbidden: tuple[str, ...], allowed: set[tuple[str, str]] = frozenset()
              ) -> list[tuple[str, str]]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for name in sorted(imports(path)):
            bad = next((f for f in forbidden if name == f or name.startswith(f + ".")), None)
            if bad and (rel, bad) not in allowed:
                found.append((rel, name))
    return found


def test_every_folder_is_in_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_the_layers_have_an_order():
    """Each folder's allowed folders are listed, and never allow it back (directly or through others)."""
    def below(folder: str, seen: frozenset[str] = frozenset()) -> set[str]:
        assert folder not in seen, f"the layers loop through {folder}"
        return set().union(*({f} | below(f, seen | {folder}) for f in LAYERS[folder]))

    for folder in LAYERS:
        assert folder not in below(folder)


def test_every_import_stays_in_its_layers():
    assert layer_offenders() == []


def test_the_tray_process_never_imports_the_windows_tkinter_or_pillow():
    for folder in TRAY_PROCESS:
        assert offenders(folder, ("necka_tray.windows", "tkinter", "PIL"),
                         TRAY_ALLOWED | {c for c in CROSSINGS if c[0].startswith("tray/")}) == [], folder


def test_the_store_and_desktop_never_import_tkinter():
    assert offenders("store", ("tkinter",)) == [] and offenders("desktop", ("tkinter",)) == []


def test_the_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The rules above can fail: imports inside a function and under TYPE_CHECKING are found."""
    fake = tmp_path / "necka_tray"
    for folder in ("tray", "owner", "windows"):
        (fake / folder).mkdir(parents=True)
        (fake / folder / "__init__.py").write_text("")
    (fake / "tray" / "bad.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                          "    from necka_tray.owner import app\n"
                                          "def f():\n    import tkinter\n    from necka_tray.windows import chart\n")
    (fake / "owner" / "fine.py").write_text("from ..tray import bad\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert offenders("tray", ("necka_tray.windows", "tkinter", "PIL")) == [
        ("tray/bad.py", "necka_tray.windows"), ("tray/bad.py", "necka_tray.windows.chart"), ("tray/bad.py", "tkinter")]
    assert layer_offenders({"tray": set(), "owner": {"tray"}, "windows": set()}) == [
        ("tray/bad.py", "necka_tray.owner"), ("tray/bad.py", "necka_tray.owner.app"),
        ("tray/bad.py", "necka_tray.windows"), ("tray/bad.py", "necka_tray.windows.chart")]
