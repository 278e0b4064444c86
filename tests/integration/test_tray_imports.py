"""What the idle tray process has imported: none of the heavy or rare-path modules.

The real ``python -m necka_tray`` runs as its own process on a private D-Bus session bus (a
Wayland-like session: no ``DISPLAY``, so its own StatusNotifierItem, waiting for a host), with a
new user's folders. Once it answers ``necka-tray status`` (its start-up is over), a SIGUSR1 makes
a small wrapper write ``sys.modules``; the list is checked against modules that belong in other
processes (Tk and Pillow: the helper windows) or only on rare paths (tomlkit: writing the
settings; the history merge: only after a broken history was moved aside). Memory itself is
measured by ``benchmarks/footprint.py`` and ``benchmarks/heap_by_package.py``, not here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Never in the idle tray process, whatever the desktop.
NEVER = (
    "tkinter", "PIL", "pystray", "gi", "plyer", "hypothesis", "tomlkit", "sqlalchemy",
    "necka_tray.windows", "necka_tray.store.history_merge",
)
#: Never on a desktop without X (this one): python-xlib is loaded only where X is asked.
NOT_WITHOUT_X = ("Xlib",)

WRAPPER = r"""
import json, os, runpy, signal, sys

def dump(signum, frame):
    with open(os.environ["NECKA_TEST_MODULES"] + ".part", "w") as f:
        json.dump(sorted(sys.modules), f)
    os.replace(os.environ["NECKA_TEST_MODULES"] + ".part", os.environ["NECKA_TEST_MODULES"])

signal.signal(signal.SIGUSR1, dump)
sys.argv = ["necka-tray"]
runpy.run_module("necka_tray", run_name="__main__", alter_sys=True)
"""

def user_env(home: Path, bus: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "XAUTHORITY", "PYSTRAY_BACKEND", "NECKA_TIME_SCALE", "NECKA_PARENT_PID")
           and not k.startswith(("XDG_", "NECKA_"))}
    dirs = {"HOME": "", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data", "XDG_STATE_HOME": "state",
            "XDG_CACHE_HOME": "cache", "XDG_RUNTIME_DIR": "run"}
    for var, sub in dirs.items():
        path = home / sub
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        env[var] = str(path)
    env.update(DBUS_SESSION_BUS_ADDRESS=bus, WAYLAND_DISPLAY="wayland-necka-test-absent",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return env


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def idle_tray_modules(tmp_path: Path, bus: str) -> list[str]:
    env = user_env(tmp_path / "user", bus)
    out = tmp_path / "modules.json"
    env["NECKA_TEST_MODULES"] = str(out)
    log = open(tmp_path / "tray.log", "wb")
    tray = subprocess.Popen([sys.executable, "-c", WRAPPER], env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, cwd=tmp_path)
    try:
        def answers() -> bool:
            if tray.poll() is not None:
                raise AssertionError(f"the tray ended (exit code {tray.returncode}): "
                                     + (tmp_path / "tray.log").read_text(errors="replace")[-2000:])
            done = subprocess.run([sys.executable, "-m", "necka_tray", "status"], env=env, capture_output=True,
                                  timeout=30, cwd=tmp_path)
            return done.returncode == 0

        wait_for(answers, 60, "the tray to answer `necka-tray status`")
        tray.send_signal(signal.SIGUSR1)
        wait_for(out.exists, 10, "the module list")
        return json.loads(out.read_text())
    finally:
        tray.terminate()
        try:
            tray.wait(15)
        except subprocess.TimeoutExpired:
            tray.kill()
            tray.wait(5)
        log.close()


def offenders(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_the_idle_tray_imports_no_heavy_or_rare_path_module(tmp_path, private_bus):
    modules = idle_tray_modules(tmp_path, private_bus)
    # It is the tray, up and idle: its icon, scheduler and control channel are loaded.
    assert {"necka_tray.tray.sni", "apscheduler.schedulers.background", "necka_tray.channel.ipc_server"} <= set(modules)
    assert offenders(modules, NEVER) == []
    assert offenders(modules, NOT_WITHOUT_X) == []


def test_offenders_names_a_module_and_its_submodules_only():
    assert offenders(["PIL", "PIL.Image", "PILLOW", "tkinter.ttk", "necka_tray.windows.chart", "Xlibx"],
                     ("PIL", "tkinter", "necka_tray.windows", "Xlib")) == ["PIL", "PIL.Image", "tkinter.ttk",
                                                                            "necka_tray.windows.chart"]
