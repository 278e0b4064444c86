"""Libraries used as they are: nothing of ours in ``sys.modules``, no library's private names
touched, no protocol client of our own beside a declared library, every imported library
declared with a range that admits Debian 12's release (the oldest end CI runs on:
``constraints/oldest.txt``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import necka_tray

PACKAGE = Path(necka_tray.__file__).parent
ROOT = PACKAGE.parent
SOURCES = sorted(PACKAGE.rglob("*.py"))

#: The top-level module each imported library gives -> its distribution, and Debian 12's release.
LIBRARIES = {
    "apscheduler": ("APScheduler", "3.9.1"),
    "pystray": ("pystray", "0.19.4"),
    "PIL": ("Pillow", "9.4.0"),
    "plyer": ("plyer", "2.0.0"),
    "platformdirs": ("platformdirs", "2.6.0"),
    "tomlkit": ("tomlkit", "0.11.7"),
    "jeepney": ("jeepney", "0.8.0"),
    "Xlib": ("python-xlib", "0.33"),
}
#: Imported only by an optional path, so declared as an extra.
EXTRAS = {"gi": ("PyGObject", "gtk"), "pywayland": ("pywayland", "wayland")}
#: Names of python-xlib that are its own business (the list of extensions it loads, its keymap).
XLIB_PRIVATE = ("__extensions__", "_update_keymap", "_keymap_codes", "_keymap_syms")


def _trees():
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in SOURCES]


def _is_sys_modules(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules" and ast.unparse(node.value) == "sys"


def test_nothing_is_written_into_sys_modules():
    found = []
    for path, tree in _trees():
        rel = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and _is_sys_modules(target.value):
                    found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_sys_modules(node.func.value)
                    and node.func.attr not in ("get", "keys", "values", "items", "copy", "__contains__")):
                found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}: {m.group(0)}" for m in re.finditer(r"sys\.modules(\[|\.update|\.setdefault|\.pop)", text)]
    assert found == []


def _xlib_names(tree: ast.AST) -> set[str]:
    """The names a module binds to python-xlib modules or objects."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "Xlib"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "Xlib":
            names |= {a.asname or a.name for a in node.names}
    return names


def test_no_private_name_of_python_xlib_is_touched_or_overridden():
    found = []
    for path, tree in _trees():
        rel = path.relative_to(PACKAGE)
        text = path.read_text(encoding="utf-8")
        found += [f"{rel}: {name}" for name in XLIB_PRIVATE if name in text]
        xlib = _xlib_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.endswith("__"):
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in xlib:
                    found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b).split(".")[0] in xlib for b in node.bases):
                found.append(f"{rel}:{node.lineno}: class {node.name} subclasses python-xlib")
    assert found == []


def test_no_x11_client_of_our_own():
    """python-xlib speaks X; a socket to the X server or an Xauthority parser of ours would be a second client."""
    found = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.X11-unix", r"MIT-MAGIC-COOKIE", r"XAUTHORITY", r"\b6000\b"):
            if re.search(pattern, text):
                found.append(f"{path.relative_to(PACKAGE)}: {pattern}")
    assert found == []
    assert not (PACKAGE / "desktop" / "platform" / "xwire.py").exists()


def _imported_top_levels() -> set[str]:
    names = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"necka_tray", "__future__"}


def _requirements() -> dict[str, str]:
    """distribution (lower case) -> its requirement text, from pyproject's dependencies and extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower(): r for r in reqs}


def test_every_imported_library_is_declared():
    imported = _imported_top_levels()
    unknown = imported - set(LIBRARIES) - set(EXTRAS) - {"winreg", "winsound", "msvcrt", "objc", "AppKit",
                                                         "Foundation", "Quartz"}
    assert unknown == set(), "imported but not in LIBRARIES (declare it in pyproject.toml)"
    reqs = _requirements()
    for module in imported & set(LIBRARIES):
        dist, debian = LIBRARIES[module]
        req = reqs.get(dist.lower())
        assert req, f"{dist} is imported ({module}) but not declared"
        assert f">={debian}" in req, f"{req}: the range must start at Debian 12's {debian}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for module, (dist, extra) in EXTRAS.items():
        assert any(r.startswith(dist) for r in project["optional-dependencies"][extra])
        assert not any(r.startswith(dist) for r in project["dependencies"]), f"{dist} must stay optional"


def test_the_oldest_constraints_pin_debian_12s_releases():
    pins = {}
    for line in (ROOT / "constraints" / "oldest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    assert {dist.lower(): version for dist, version in LIBRARIES.values()}.items() <= pins.items()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


@pytest.mark.parametrize("dist, debian", sorted(LIBRARIES.values()))
def test_the_installed_release_is_in_the_declared_range(dist, debian):
    if dist in ("jeepney", "python-xlib") and sys.platform != "linux":
        pytest.skip(f"{dist} is a Linux dependency")
    installed = metadata.version(dist)
    assert _version(installed) >= _version(debian)
    if dist == "APScheduler":
        assert _version(installed) < (4,)


def test_apscheduler_is_itself_after_the_scheduler_started(tmp_path):
    """Started as the tray starts it, APScheduler still knows its version and its own aliases."""
    probe = textwrap.dedent(f"""
        from importlib import metadata
        from necka_tray.core.clock import TimeScale
        from necka_tray.core.planner import Planner
        from necka_tray.schedule.scheduling import ReminderScheduler
        scheduler = ReminderScheduler({str(tmp_path / "jobs.sqlite3")!r}, Planner(TimeScale(1)))
        scheduler.start(lambda job_id: None)
        import apscheduler
        from apscheduler.schedulers.background import BackgroundScheduler
        other = BackgroundScheduler()
        job = other.add_job(print, "interval", minutes=1, id="alias")
        print(apscheduler.__version__ == metadata.version("APScheduler"), job.trigger.__class__.__name__)
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "IntervalTrigger"]
