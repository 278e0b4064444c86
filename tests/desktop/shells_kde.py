"""The KDE Plasma 5.27 sessions for the shell tests (test_shell_plasma_*.py): on X11, and on
Wayland with kwin_wayland nested in a window on Xvfb; and KWin alone on its virtual backend
(test_wayland_idle_e2e.py). The common parts are in shells.py."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

from . import xdesk
from .session import sni_watcher, start, user_env, wait_alive
from .shells import (NOTIFICATIONS, Shell, asks, base_env, has_owner, has_wm, monitor_bus, own_bus, x11_shell,
                     x_session)


# --- KDE Plasma 5.27 on X11 ------------------------------------------------------------------

KAMD = "/usr/lib/x86_64-linux-gnu/libexec/kactivitymanagerd"


@contextlib.contextmanager
def plasma_x11(tmp: Path) -> Iterator[Shell]:
    """kwin_x11, kded5 (its StatusNotifierWatcher) and plasmashell (panel, system tray and
    notifications) on Xvfb, with a stand-in system bus."""
    with contextlib.ExitStack() as stack:
        env = x_session(stack, tmp, system_bus=True)
        env.update(XDG_CURRENT_DESKTOP="KDE", KDE_FULL_SESSION="true", KDE_SESSION_VERSION="5",
                   XDG_SESSION_DESKTOP="KDE", QT_QPA_PLATFORM="xcb", QT_XCB_GL_INTEGRATION="none")
        bus_log = monitor_bus(stack, tmp, env)
        kwin = start(stack, tmp, "kwin", ["kwin_x11"], dict(env, KWIN_COMPOSE="N"))
        wait_alive(kwin, tmp, "kwin", lambda: has_wm(env), 30)
        # what a Plasma session's bus would activate: the activity manager (plasmashell aborts without it)
        kamd = start(stack, tmp, "kactivitymanagerd", [KAMD], env)
        wait_alive(kamd, tmp, "kactivitymanagerd", lambda: has_owner(env, "org.kde.ActivityManager"), 30)
        kded = start(stack, tmp, "kded5", ["kded5"], env)
        wait_alive(kded, tmp, "kded5", asks(lambda: sni_watcher(env, "NameHasOwner")), 30)
        shell = start(stack, tmp, "plasmashell", ["plasmashell", "--no-respawn"], env)
        wait_alive(shell, tmp, "plasmashell", asks(lambda: sni_watcher(env, "IsStatusNotifierHostRegistered")), 90)
        wait_alive(shell, tmp, "plasmashell", lambda: has_owner(env, NOTIFICATIONS), 60)
        yield x11_shell("plasma-x11", env, tmp, bus_log)


# --- KDE Plasma 5.27 on Wayland: kwin_wayland nested on Xvfb ----------------------------------

def kwin_wayland_copy(root: Path) -> str:
    """kwin_wayland without its file capability (cap_sys_resource): exec of the installed one
    fails here with EPERM. The copy must keep the name kwin_wayland."""
    (root / "kwin").mkdir(exist_ok=True)
    copy = root / "kwin" / "kwin_wayland"
    shutil.copy(shutil.which("kwin_wayland"), copy)  # a plain copy carries no capability
    return str(copy)


def start_kwin(stack, tmp: Path, env: dict, *backend: str) -> subprocess.Popen:
    """kwin_wayland 1280x800 on ``backend`` (its options), serving the socket necka-kwin; back once it is there."""
    kwin = start(stack, tmp, "kwin_wayland", [kwin_wayland_copy(tmp), *backend, "--width", "1280", "--height", "800",
                                               "--socket", "necka-kwin"], dict(env, KWIN_COMPOSE="Q"))
    wait_alive(kwin, tmp, "kwin_wayland", lambda: (Path(env["XDG_RUNTIME_DIR"]) / "necka-kwin").exists(), 30)
    return kwin


@contextlib.contextmanager
def kwin_virtual(tmp: Path) -> Iterator[Shell]:
    """kwin_wayland on its virtual backend with a private bus: no X server, no input devices and
    nothing to look at, just the compositor's Wayland protocols (its idle ones)."""
    with contextlib.ExitStack() as stack:
        env = user_env(base_env(), tmp / "user")
        env["DBUS_SESSION_BUS_ADDRESS"] = own_bus(stack, tmp, env)
        start_kwin(stack, tmp, env, "--virtual")
        yield Shell("kwin-virtual", dict(env, WAYLAND_DISPLAY="necka-kwin", XDG_SESSION_TYPE="wayland",
                                         XDG_CURRENT_DESKTOP="KDE"), tmp)


@contextlib.contextmanager
def plasma_wayland(tmp: Path) -> Iterator[Shell]:
    """kwin_wayland (its X11 backend: a 1280x800 window on Xvfb, with Xwayland), then kded5 and
    plasmashell as Wayland clients; clicks and keys reach it through that window."""
    with contextlib.ExitStack() as stack:
        env = x_session(stack, tmp, system_bus=True)
        env.update(XDG_CURRENT_DESKTOP="KDE", KDE_FULL_SESSION="true", KDE_SESSION_VERSION="5",
                   XDG_SESSION_DESKTOP="KDE", XDG_SESSION_TYPE="wayland", QT_XCB_GL_INTEGRATION="none")
        bus_log = monitor_bus(stack, tmp, env)
        kamd = start(stack, tmp, "kactivitymanagerd", [KAMD], env)
        wait_alive(kamd, tmp, "kactivitymanagerd", lambda: has_owner(env, "org.kde.ActivityManager"), 30)
        kwin = start_kwin(stack, tmp, env, "--x11-display", env["DISPLAY"], "--xwayland")
        wl = dict(env, WAYLAND_DISPLAY="necka-kwin", QT_QPA_PLATFORM="wayland")
        kded = start(stack, tmp, "kded5", ["kded5"], wl)
        wait_alive(kded, tmp, "kded5", asks(lambda: sni_watcher(env, "NameHasOwner")), 30)
        shell = start(stack, tmp, "plasmashell", ["plasmashell", "--no-respawn"], wl)
        wait_alive(shell, tmp, "plasmashell", asks(lambda: sni_watcher(env, "IsStatusNotifierHostRegistered")), 90)
        wait_alive(shell, tmp, "plasmashell", lambda: has_owner(env, NOTIFICATIONS), 60)
        x_display = xdesk.wait_for(lambda: _xwayland_of(kwin.pid), 30, what="kwin's Xwayland")
        outer = x11_shell("plasma-wayland", env, tmp, bus_log)
        inner = x11_shell("plasma-wayland", dict(env, DISPLAY=x_display), tmp, bus_log, only_visible=False)
        outer.env = dict(env, WAYLAND_DISPLAY="necka-kwin", DISPLAY=x_display)
        outer.windows = inner.windows  # the session window (Tk) is on kwin's Xwayland
        yield outer


def _xwayland_of(pid: int) -> str | None:
    """The display of the Xwayland that process ``pid`` started (its first ``:N`` argument)."""
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (proc / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and "Xwayland" in stat.split(")")[0]:
                args = (proc / "cmdline").read_bytes().decode().split("\0")
                return next((a for a in args if re.fullmatch(r":\d+", a)), None)
    return None
