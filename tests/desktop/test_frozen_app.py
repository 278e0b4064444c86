"""The PyInstaller build (packaging/necka-tray.spec): built here, then run like a user would.

The one-folder app must dock its icon, open its menu and its stretch session
window by running itself (necka_tray/children/helpers.py: frozen, there is
no ``python -m``; see packaging/frozen_main.py), and answer its own ``quit``. The build takes
about half a minute; it runs in the normal suite and never skips under CI.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .necka_app import menus, wait_menu

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "necka-tray.spec"


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> Path:
    if importlib.util.find_spec("PyInstaller") is None:
        message = "PyInstaller is not installed (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    tmp = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "work"), str(SPEC)],
        capture_output=True, text=True, timeout=600, cwd=tmp)
    assert done.returncode == 0, done.stderr[-4000:]
    exe = tmp / "dist" / "necka-tray" / "necka-tray"
    assert exe.is_file() and os.access(exe, os.X_OK)
    return exe


def test_frozen_app_docks_opens_its_session_window_and_quits(desktop, app_env, spawn, frozen, tmp_path, shot):
    assert subprocess.run([str(frozen), "--version"], capture_output=True, text=True, timeout=60).stdout.startswith(
        "necka-tray ")
    stderr = tmp_path / "frozen-stderr.txt"
    # Scale 10: the session's first step lasts a second and a half, reminders stay minutes away.
    proc = spawn([str(frozen), "--time-scale", "10"], app_env, stderr=stderr.open("w"))
    desktop.wait_for(lambda: proc.poll() is not None or desktop.tray_icons(), 30, what="an icon in the tray")
    assert proc.poll() is None, stderr.read_text()
    icon = desktop.wait_tray_icon(timeout=15)
    assert 16 <= icon.w <= 64
    # The menu is a helper process too (the xembed tray's Tk menu): it must open, frozen.
    log = Path(app_env["XDG_STATE_HOME"]) / "necka-tray" / "log" / "necka-tray.log"
    # The icon docks before the app has built its menu: a right click right then finds none.
    desktop.wait_for(lambda: log.exists() and "action=add job=stretch" in log.read_text(), 15, what="the app ready")

    def trouble(what: str) -> AssertionError:
        return AssertionError(f"{what}; the app's log ends:\n{log.read_text()[-3000:]}"
                              f"\nits stderr: {stderr.read_text()[-2000:]}")

    desktop.click(*icon.center, button=3)
    try:
        menu = wait_menu(desktop, timeout=20)
    except TimeoutError:
        raise trouble("no tray menu") from None
    shot("frozen-menu", window=menu.wid)
    desktop.key("Escape")
    desktop.wait_for(lambda: not menus(desktop), 10, what="the menu closed")

    desktop.click(*icon.center)
    try:
        wid = desktop.wait_window("^Necka .+ Stretch session$", timeout=20)
    except TimeoutError:
        raise trouble("no session window") from None
    desktop.wait_for(lambda: desktop.window_geometry(wid).w > 300, 5, what="the session window laid out")
    shot("frozen-session-window", window=wid)

    status = subprocess.run([str(frozen), "status"], env=app_env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 0 and "Necka is running (pid " in status.stdout, status.stdout + status.stderr
    done = subprocess.run([str(frozen), "quit"], env=app_env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "Necka has quit.\n"), done.stderr
    assert proc.wait(10) == 0
    assert stderr.read_text() == ""


def test_frozen_app_speaks_every_language_it_ships(app_env, frozen):
    """The bundle carries a compiled catalogue per language (built by the spec; no .po to fall back
    on), and the frozen command line answers in German when asked to."""
    locale = frozen.parent / "_internal" / "necka_tray" / "locale"
    if not locale.is_dir():  # PyInstaller before 6 put the data beside the executable
        locale = frozen.parent / "necka_tray" / "locale"
    shipped = sorted(p.parent.parent.name for p in locale.glob("*/LC_MESSAGES/necka-tray.mo"))
    sources = sorted(p.parent.parent.name for p in (ROOT / "necka_tray" / "locale").glob("*/LC_MESSAGES/*.po"))
    assert shipped == sources and len(shipped) >= 12, (shipped, sources)
    assert not list(locale.glob("*/LC_MESSAGES/*.po"))
    done = subprocess.run([str(frozen), "status"], env={**app_env, "LANGUAGE": "de"}, capture_output=True,
                          text=True, timeout=60)
    assert "Necka läuft nicht" in done.stdout + done.stderr, (done.stdout, done.stderr)
