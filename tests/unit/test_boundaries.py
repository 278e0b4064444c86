"""Each folder is one process or one role, and the imports say so (AST over the source files).

The tray process never loads Tk or Pillow, so ``tray/`` never imports
``necka_tray.windows``, ``tkinter`` or ``PIL``; windows never import the tray
or the command line; neutral modules (``helpers``, ``protocol``) import
neither. ``core/`` stays stdlib-only: ``test_core_purity.py``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import necka_tray

PACKAGE = Path(necka_tray.__file__).parent

#: Tray modules allowed what the tray may not import, and why.
TRAY_ALLOWED = {
    # pystray itself needs a PIL image for its icon, so once pystray loads, Pillow is loaded;
    # drawing the icon (windows/icon.py) in this process then costs nothing more.
    "pystray_icon.py": {"PIL", "necka_tray.windows"},
}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at top level or inside a function (absolute names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-node.level])
                names.add(f"{base}.{node.module}" if node.module else base)
            else:
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def offenders(folder: str, forbidden: tuple[str, ...], allowed: dict[str, set[str]] | None = None
              ) -> list[tuple[str, str]]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        rel = str(path.relative_to(PACKAGE / folder))
        for name in sorted(imports(path)):
            bad = next((f for f in forbidden if name == f or name.startswith(f + ".")), None)
            if bad and bad not in (allowed or {}).get(rel, set()):
                found.append((rel, name))
    return found


def test_the_tray_never_imports_the_windows_tkinter_or_pillow():
    assert offenders("tray", ("necka_tray.windows", "tkinter", "PIL"), TRAY_ALLOWED) == []


def test_the_windows_never_import_the_tray_or_the_command_line():
    assert offenders("windows", ("necka_tray.tray", "necka_tray.cli")) == []


def test_the_store_and_desktop_never_import_the_tray_or_the_windows():
    forbidden = ("necka_tray.tray", "necka_tray.windows", "necka_tray.cli", "tkinter")
    assert offenders("store", forbidden) == [] and offenders("desktop", forbidden) == []


def test_neutral_modules_import_no_process_of_their_own():
    """The helper table and the protocol are shared by the tray and the windows (the helper table
    names the windows' entry points as text, imported only when a helper runs)."""
    for name in ("helpers.py", "protocol.py"):
        top_level = set()
        for node in ast.parse((PACKAGE / name).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                top_level |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                top_level.add(node.module)
        assert not {m for m in top_level if m.startswith(("necka_tray.tray", "necka_tray.windows", "necka_tray.cli",
                                                           "tkinter", "PIL"))}, name


def test_the_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    """The rules above can fail: a tray module importing tkinter inside a function is found."""
    fake = tmp_path / "necka_tray"
    (fake / "tray").mkdir(parents=True)
    (fake / "tray" / "bad.py").write_text("def f():\n    import tkinter\n    from necka_tray.windows import chart\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert offenders("tray", ("necka_tray.windows", "tkinter", "PIL")) == [
        ("bad.py", "necka_tray.windows"), ("bad.py", "necka_tray.windows.chart"), ("bad.py", "tkinter")]
