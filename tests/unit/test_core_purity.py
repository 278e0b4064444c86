"""The core imports nothing but the standard library, itself and ``necka_tray.texts.i18n`` (stdlib only,
with its ``.po`` reader ``necka_tray.texts.catalogs``)."""

import ast
import sys
from pathlib import Path

import necka_tray.core

CORE = Path(necka_tray.core.__file__).parent
#: Modules outside the core that the core may use: they import only the standard library.
#: ``store.tomllines``: the routine parser names the line of a bad value with the store's TOML line model.
CORE_MAY_USE = {"necka_tray.texts.i18n", "necka_tray.texts.catalogs", "necka_tray.store.tomllines"}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_core_imports_only_stdlib_and_core():
    offenders = []
    for path in sorted(CORE.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if name in CORE_MAY_USE:
                continue
            if name.startswith("necka_tray.core") or top == "__future__" or top in sys.stdlib_module_names:
                if top in {"tkinter", "sqlite3"}:
                    offenders.append((path.name, name))
                continue
            offenders.append((path.name, name))
    assert offenders == []


def test_what_the_core_may_use_imports_only_stdlib():
    for module in CORE_MAY_USE:
        path = CORE.parent / (module.removeprefix("necka_tray.").replace(".", "/") + ".py")
        names = {n.split(".")[0] for n in imported_modules(path) if n not in CORE_MAY_USE}
        assert names <= set(sys.stdlib_module_names) | {"__future__"}, (module, names)


def test_package_imports_without_a_display(monkeypatch):
    import subprocess

    env = {"PATH": "/usr/bin:/bin"}
    code = "import necka_tray, necka_tray.cli, necka_tray.owner.app, necka_tray.owner.main, necka_tray.schedule.scheduling; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
