"""The Debian package as a user meets it: ``scripts/build-deb``, ``apt-get install ./dist/…deb``, then
``/usr/bin/necka-tray`` on the test desktop, on Debian's own libraries (python3-apscheduler…).

Built and installed once for the module (about half a minute), removed at the end. It needs a
Debian host where it may install packages (root, or sudo without a password); elsewhere it skips,
and under ``CI=true`` it fails. The tray runs from a folder outside the checkout, so nothing of the
checkout can be imported by mistake.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from necka_tray import APP_ID, __version__

from . import xdesk
from .necka_app import Necka, docked, wait_menu
from .test_xembed_e2e import TEAL

ROOT = Path(__file__).resolve().parents[2]
DEB = ROOT / "dist" / f"necka-tray_{__version__}_all.deb"
EXE = Path("/usr/bin/necka-tray")
INSTALLED = [EXE, Path(f"/usr/share/applications/{APP_ID}.desktop"), Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml"),
             Path(f"/usr/share/icons/hicolor/48x48/apps/{APP_ID}.png"), Path("/usr/share/man/man1/necka-tray.1.gz"),
             Path("/usr/share/bash-completion/completions/necka-tray"),
             Path("/usr/lib/python3/dist-packages/necka_tray/locale/de/LC_MESSAGES/necka-tray.mo")]


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _root() -> list[str]:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    _unavailable("installing the .deb needs root or sudo without a password")
    return []


def apt(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([*_root(), "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-y", "-q",
                           "-o", "DPkg::Lock::Timeout=900", *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"apt-get {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done


def installed_version() -> str | None:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}", "necka-tray"], capture_output=True, text=True)
    return done.stdout.split()[-1] if done.stdout.startswith("install ok installed") else None


@pytest.fixture(scope="module")
def deb():
    if not (shutil.which("apt-get") and shutil.which("dpkg-query")):
        _unavailable("not a Debian host: no apt-get or dpkg-query")
    _root()
    done = subprocess.run([str(ROOT / "scripts" / "build-deb")], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert not re.search(r"^E: ", done.stderr, re.M), done.stderr  # build-deb prints lintian's report
    assert DEB.is_file()
    yield DEB
    if installed_version():
        apt("remove", "necka-tray")


def user_env(app_env: dict) -> dict:
    """The test user's environment, with nothing that points Python at the checkout or its venv."""
    env = {k: v for k, v in app_env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = "/usr/bin:/bin"
    return env


def start(env: dict, spawn, tmp_path: Path, *args: str) -> Necka:
    stderr = tmp_path / f"necka-stderr-{time.monotonic_ns()}.txt"
    started = time.time()
    proc = spawn([str(EXE), *args], env, stderr=stderr.open("w"), cwd=tmp_path)
    return Necka(env, proc, stderr, started)


def run(env: dict, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)


def test_the_package_depends_on_debians_libraries(deb):
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends", "Recommends", "Version", "Architecture"],
                            capture_output=True, text=True, check=True).stdout
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1)
    names = {re.sub(r"\s*\(.*", "", d).strip() for d in depends.split(",")}
    assert {"python3-apscheduler", "python3-pystray", "python3-plyer", "python3-platformdirs", "python3-jeepney",
            "python3-tomlkit", "python3-pil", "python3-pil.imagetk", "python3-tk", "python3-xlib"} <= names, depends
    assert "python3-gi" not in names  # PyGObject is the [gtk] extra, for pystray's own backends only
    assert f"Version: {__version__}\n" in fields and "Architecture: all\n" in fields
    assert "speech-dispatcher | espeak-ng" in fields and "pipewire-bin | pulseaudio-utils" in fields
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    for library in ("apscheduler", "pystray", "PIL", "plyer", "platformdirs", "tomlkit", "jeepney", "Xlib"):
        assert f"/{library}/" not in listing, f"a copy of {library} in the package"  # Debian's, not vendored


def test_installed_necka_runs_on_the_desktop_and_keeps_what_the_user_saved(
        deb, desktop, app_env, spawn, tmp_path, shot, active_user):
    apt("install", str(deb))
    assert installed_version() == __version__
    for path in INSTALLED:
        assert path.is_file(), f"{path} is not installed"
    env = user_env(app_env)
    assert run(env, tmp_path, "--version").stdout == f"necka-tray {__version__}\n"
    # The package's code and Debian's libraries, nothing from a virtual environment or PyPI.
    where = subprocess.run(["/usr/bin/python3", "-c", "import necka_tray, apscheduler, pystray, platformdirs; "
                            "print(necka_tray.__file__, apscheduler.__file__, pystray.__file__, platformdirs.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert where.returncode == 0 and all(p.startswith("/usr/lib/python3/dist-packages/")
                                         for p in where.stdout.split()), where

    # A posture check every 5 minutes, at 20 times the speed: a bubble after 15 s; the stretch
    # break 3 minutes away; the neck session about 6 s.
    config = Path(env["XDG_CONFIG_HOME"]) / "necka-tray" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("# mine\n[reminders.posture]\ninterval_minutes = 5\n")
    saved = config.read_bytes()
    necka = start(env, spawn, tmp_path, "--time-scale", "20")
    icon = docked(desktop, necka, timeout=30)
    necka.wait_log(r"action=control-listen")

    def teal_pixels() -> int:  # the icon drawn (its disc), by Debian's Pillow in the icon helper
        with Image.open(shot("deb-icon", window=icon.wid)) as im:
            rgb = im.convert("RGB")
            return sum(1 for x in range(rgb.width) for y in range(rgb.height)
                       if all(abs(a - b) < 40 for a, b in zip(rgb.getpixel((x, y)), TEAL)))

    xdesk.wait_for(lambda: teal_pixels() > icon.w * icon.h // 4, 15, what="the icon drawn")
    bubble = xdesk.wait_for(lambda: [n for n in desktop.notifications() if n["summary"] == "Posture check"], 40,
                            what="a posture-check bubble")
    assert bubble[0]["appname"] == "Necka"

    desktop.click(*icon.center)
    wid = desktop.wait_window("^Necka .+ Stretch session$", timeout=30)
    shot("deb-session-window", window=wid)
    necka.wait_log(r"action=session-end outcome=completed", timeout=60)

    status = run(env, tmp_path, "status")
    assert status.returncode == 0 and status.stdout.startswith(f"Necka is running (pid {necka.proc.pid},"), status

    # Start at login, from the menu (from the bottom: Quit Necka, Open settings file, Start at login).
    desktop.click(*icon.center, button=3)
    wait_menu(desktop)
    desktop.key(*["Up"] * 4, "Return")
    necka.wait_log(r"action=autostart on=True")
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"
    assert "\nExec=/usr/bin/necka-tray\n" in entry.read_text()

    assert run(env, tmp_path, "quit").returncode == 0
    assert necka.proc.wait(15) == 0
    assert necka.stderr.read_text() == ""
    stretch_due = necka.next_run("stretch")
    sessions = necka.history("session")
    assert stretch_due and sessions

    # Removing the package leaves the user's settings, schedule and history in place.
    apt("remove", "necka-tray")
    assert installed_version() is None and not EXE.exists()
    assert config.read_bytes() == saved and entry.exists()
    assert necka.history("session") == sessions and necka.next_run("stretch") == stretch_due

    # The same version again: a restart, not a reset (the stretch break stays where it was).
    apt("install", str(deb))
    again = start(env, spawn, tmp_path, "--time-scale", "20")
    docked(desktop, again, timeout=30)
    # The log goes on from the first run: ready once it listens for commands a second time.
    xdesk.wait_for(lambda: again.log_text().count("action=control-listen") >= 2, 30, what="the second start ready")
    assert abs((again.next_run("stretch") - stretch_due).total_seconds()) < 2, (again.next_run("stretch"), stretch_due)
    assert again.history("session")[: len(sessions)] == sessions
    assert run(env, tmp_path, "quit").returncode == 0
    assert again.proc.wait(15) == 0
