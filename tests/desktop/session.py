"""Start and stop a real headless desktop: Xvfb, a private D-Bus session bus,
dunst (notification daemon) and trayer (XEmbed system tray), or instead of
trayer a StatusNotifierItem host: ``status-notifier-watcher`` and
``gtk-sni-tray-standalone --bottom`` (what KDE, GNOME's AppIndicator extension
and Wayland bars speak).

Shared by the desktop tests (``conftest.py``'s session fixture, and tests
that need a desktop of their own to break) and the footprint benchmark
(``benchmarks/footprint.py``), so there is one way to build the desktop.
Every helper runs in its own process group and dies with its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import select
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from . import xdesk

# tool -> Debian package (scripts/bootstrap --dev installs them all)
TOOLS = {
    "Xvfb": "xvfb", "xset": "x11-xserver-utils", "dbus-daemon": "dbus",
    "dunst": "dunst", "dunstctl": "dunst", "notify-send": "libnotify-bin",
    "trayer": "trayer", "xdotool": "xdotool", "xwininfo": "x11-utils",
    "status-notifier-watcher": "haskell-status-notifier-item-utils",
    "gtk-sni-tray-standalone": "haskell-gtk-sni-tray-utils",
    # test_calls_e2e: a real audio server with a null source, and a recorder as the "call"
    "pulseaudio": "pulseaudio", "pactl": "pulseaudio-utils", "parecord": "pulseaudio-utils",
}

# No service directories: nothing is D-Bus-activated behind our back (a stray
# default-config dunst, the a11y bus), so a missing service shows as an error.
BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Bubbles at the bottom right, away from the tray at the top right (a bubble
# over an icon would swallow its clicks); they stay until closed.
DUNSTRC = """[global]
    origin = bottom-right
    offset = 10x10
    width = 320
    font = DejaVu Sans 10
    idle_threshold = 0
    history_length = 1000
    sticky_history = yes
    show_indicators = no
    dmenu = {dmenu}
[urgency_low]
    timeout = 3600
[urgency_normal]
    timeout = 3600
[urgency_critical]
    timeout = 3600
"""

# dunst's context menu (``dunstctl context``) pipes the bubbles' actions to this "dmenu",
# one per line, and runs the line it prints: the first one containing the text a test
# wrote to dmenu-choice (Desktop.choose_action). What it was offered is kept for the test.
DMENU_STUB = """#!/bin/sh
cat > '{offered}.part'
grep -m1 -F -- "$(cat '{choice}')" '{offered}.part'
mv '{offered}.part' '{offered}'
"""

TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
          "--height", "32", "--transparent", "false",
          "--SetDockType", "true"]

SNI_HOST = ["gtk-sni-tray-standalone", "--bottom"]
WATCHER = "org.kde.StatusNotifierWatcher"

BOUND_HELPERS = ("tray_icons", "wait_tray_icon", "popups", "move", "click", "key", "type_text",
                 "wait_window", "window_geometry", "screenshot", "notifications",
                 "displayed_count", "clear_notifications")


def missing_tools() -> list[str]:
    missing = [f"{tool} (Debian: {pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)]
    if not (shutil.which("import") or shutil.which("scrot")):
        missing.append("import or scrot (Debian: imagemagick or scrot)")
    return missing


_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent() -> None:
    """Run in the child before exec: if the parent is killed outright (no teardown,
    e.g. a CI timeout's SIGKILL), the kernel sends this helper SIGTERM."""
    _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop(proc: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it spawned."""
    for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
            return


def log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def start(stack: contextlib.ExitStack, tmp: Path, name: str, args: list[str], env=None,
          **kw) -> subprocess.Popen:
    """Start a long-running helper, logging to tmp/<name>.log, stopped on unwind."""
    log = open(tmp / f"{name}.log", "ab")
    stack.callback(log.close)
    proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=die_with_parent, **kw)
    stack.callback(stop, proc)
    return proc


def start_and_read(stack, tmp, name, args, env=None, procs: dict | None = None) -> str:
    """Start a helper that writes one line to the fd given as ``{fd}`` in ``args``
    when it is ready (Xvfb's display number, dbus-daemon's address); return it.
    ``procs`` (if given) receives the process under ``name``."""
    r, w = os.pipe()
    try:
        proc = start(stack, tmp, name, [a.format(fd=w) for a in args], env, pass_fds=(w,))
        if procs is not None:
            procs[name] = proc
        os.close(w)
        w = None
        out = b""
        while not out.endswith(b"\n") and select.select([r], [], [], 10)[0]:
            chunk = os.read(r, 256)
            if not chunk:
                break
            out += chunk
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
    if not out.endswith(b"\n"):
        raise RuntimeError(f"{name} did not start (rc={proc.poll()}): {log_tail(tmp / f'{name}.log')}")
    return out.decode().strip()


def wait_alive(proc, tmp, name, predicate, timeout=10):
    """Wait for ``predicate``, failing at once with the log if the process died."""
    def ready():
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited {proc.returncode}: {log_tail(tmp / f'{name}.log')}")
        return predicate()
    xdesk.wait_for(ready, timeout, what=f"{name} ready")


def answers(env, *args) -> bool:
    return subprocess.run(args, env=env, capture_output=True, timeout=5).returncode == 0


#: Per-user dirs of a test user: one flat folder each, easy to find in a test's tmp dir.
FLAT_DIRS = {"HOME": "home", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
             "XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache", "XDG_RUNTIME_DIR": "runtime"}
#: Where a real user has them (Safe Eyes 2.1.5 needs XDG_CONFIG_HOME to be ~/.config).
STANDARD_DIRS = {"HOME": ".", "XDG_CONFIG_HOME": ".config", "XDG_DATA_HOME": ".local/share",
                 "XDG_STATE_HOME": ".local/state", "XDG_CACHE_HOME": ".cache", "XDG_RUNTIME_DIR": "runtime"}


#: Prefix a command to run it as root without root's power over file modes (reading,
#: writing, chmod-ing what is not its own), so "the user cannot read/write this" can be
#: tested as root; setpriv is in util-linux.
WITHOUT_ROOT_OVERRIDES = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--")


def user_env(base_env: dict, root: Path, dirs: dict[str, str] = FLAT_DIRS) -> dict:
    """``base_env`` plus a new user's dirs (0700) under ``root``."""
    env = dict(base_env)
    for var, sub in dirs.items():
        path = root / sub
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)
        env[var] = str(path.resolve())
    return env


@dataclass
class Desktop:
    """The running desktop: its environment, and the xdesk helpers bound to it
    (``desktop.click(x, y)`` is ``xdesk.click(desktop.env, x, y)``).

    ``stop_dunst``/``start_dunst`` and ``restart_tray`` break and repair the
    desktop on purpose: use them only on a desktop of your own.
    """
    env: dict
    display: str
    tmp: Path
    _stack: contextlib.ExitStack = field(repr=False, default=None)
    _procs: dict = field(repr=False, default_factory=dict)
    wait_for = staticmethod(xdesk.wait_for)

    def __getattr__(self, name):
        if name in BOUND_HELPERS:
            return functools.partial(getattr(xdesk, name), self.env)
        raise AttributeError(name)

    def start_dunst(self) -> None:
        stub = self.tmp / "dmenu-stub"
        stub.write_text(DMENU_STUB.format(choice=self.tmp / "dmenu-choice", offered=self.tmp / "dmenu-offered"))
        stub.chmod(0o755)
        (self.tmp / "dunstrc").write_text(DUNSTRC.format(dmenu=stub))
        proc = start(self._stack, self.tmp, "dunst", ["dunst", "-config", str(self.tmp / "dunstrc")], self.env)
        self._procs["dunst"] = proc
        wait_alive(proc, self.tmp, "dunst", lambda: answers(self.env, "dunstctl", "is-paused"))

    def choose_action(self, text: str) -> list[str]:
        """Pick, from dunst's context menu, the first bubble action whose line contains ``text``
        (a line is ``#<label> (<summary>) [<id>,<key>]``); return the lines it offered."""
        offered = self.tmp / "dmenu-offered"
        offered.unlink(missing_ok=True)
        (self.tmp / "dmenu-choice").write_text(text)
        xdesk.run(self.env, "dunstctl", "context")
        xdesk.wait_for(offered.exists, 5, what="dunst's context menu")
        return offered.read_text().splitlines()

    def stop_dunst(self) -> None:
        stop(self._procs.pop("dunst"))

    def start_tray(self) -> None:
        proc = start(self._stack, self.tmp, "trayer", TRAYER, self.env)
        self._procs["trayer"] = proc
        wait_alive(proc, self.tmp, "trayer", lambda: xdesk.has_tray(self.env))

    def stop_tray(self) -> None:
        stop(self._procs.pop("trayer"))
        xdesk.wait_for(lambda: not xdesk.has_tray(self.env), 5, what="tray selection released")

    def restart_tray(self) -> None:
        self.stop_tray()
        self.start_tray()

    def kill_display(self) -> None:
        """SIGKILL the X server: every client's connection closes at once (a crashed session)."""
        proc = self._procs.pop("xephyr", None) or self._procs.pop("xvfb")
        proc.kill()
        proc.wait(10)

    # -- a StatusNotifierItem desktop ----------------------------------------------

    def start_watcher(self) -> None:
        proc = start(self._stack, self.tmp, "sni-watcher", ["status-notifier-watcher"], self.env)
        self._procs["sni-watcher"] = proc
        wait_alive(proc, self.tmp, "sni-watcher", lambda: sni_watcher(self.env, "NameHasOwner"))

    def start_sni_host(self) -> None:
        """The bar along the bottom edge; ready once it registered itself with the watcher."""
        proc = start(self._stack, self.tmp, "sni-host", SNI_HOST, self.env)
        self._procs["sni-host"] = proc
        wait_alive(proc, self.tmp, "sni-host", lambda: sni_watcher(self.env, "IsStatusNotifierHostRegistered"))

    def stop_sni_host(self) -> None:
        stop(self._procs.pop("sni-host"))
        xdesk.wait_for(lambda: not sni_watcher(self.env, "IsStatusNotifierHostRegistered"), 5,
                       what="the SNI host gone")

    def stop_watcher(self) -> None:
        stop(self._procs.pop("sni-watcher"))
        xdesk.wait_for(lambda: not sni_watcher(self.env, "NameHasOwner"), 5, what="the watcher gone")


def sni_watcher(env: dict, question: str):
    """Ask the session bus: ``NameHasOwner`` (is a watcher running), or a property of the watcher
    (``IsStatusNotifierHostRegistered``, ``RegisteredStatusNotifierItems``); None if it cannot answer."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        if question == "NameHasOwner":
            return conn.send_and_get_reply(message_bus.NameHasOwner(WATCHER), timeout=2).body[0]
        props = DBusAddress("/StatusNotifierWatcher", bus_name=WATCHER, interface="org.freedesktop.DBus.Properties")
        reply = conn.send_and_get_reply(new_method_call(props, "Get", "ss", (WATCHER, question)), timeout=2)
        return reply.body[0][1] if reply.body and isinstance(reply.body[0], tuple) else None


#: Two 1280x800 monitors side by side, joined by Xinerama. Xvfb 21.1 cannot place a second
#: screen (``Xvfb +xinerama -screen 0 ... -screen 1 ...`` puts both at 0,0), so a nested Xephyr,
#: which takes each screen's origin, runs inside a 2560x800 Xvfb.
TWO_SCREENS = ("1280x800+0+0", "1280x800+1280+0")


def start_x(stack, tmp: Path, env: dict, screens: int, procs: dict | None = None) -> str:
    """Start the X server (``screens`` 1 or 2 monitors); returns its DISPLAY. ``procs`` receives
    the server processes ("xvfb", and "xephyr" for two monitors)."""
    display = ":" + start_and_read(stack, tmp, "xvfb", [
        "Xvfb", "-displayfd", "{fd}", "-screen", "0", "2560x800x24" if screens == 2 else "1280x800x24",
        "-nolisten", "tcp", "-noreset"], procs=procs)
    if screens == 2:
        args = ["Xephyr", "-displayfd", "{fd}", "+xinerama", "-nolisten", "tcp", "-noreset"]
        for geometry in TWO_SCREENS:
            args += ["-screen", geometry]
        display = ":" + start_and_read(stack, tmp, "xephyr", args, dict(env, DISPLAY=display), procs=procs)
    return display


@contextlib.contextmanager
def running_desktop(tmp: Path, base_env: dict | None = None, system_bus: bool = False,
                    screens: int = 1, tray: str = "xembed") -> Iterator[Desktop]:
    """Xvfb, a private session bus, dunst and trayer, up until the block ends.
    ``tray="sni"``: a StatusNotifier watcher and host instead of trayer, started
    in that order before dunst (the app comes after all of them).
    ``tmp`` receives the configuration and each helper's log. ``system_bus``
    also starts a private stand-in for the system bus (``DBUS_SYSTEM_BUS_ADDRESS``):
    Safe Eyes refuses to start without one, and a container has none. ``screens=2``:
    two monitors side by side (see ``TWO_SCREENS``)."""
    env = {k: v for k, v in (base_env if base_env is not None else os.environ).items()
           if k not in ("WAYLAND_DISPLAY", "XAUTHORITY", "DESKTOP_SESSION", "XDG_CURRENT_DESKTOP")}
    # GDK_BACKEND: never a developer's Wayland session; NO_AT_BRIDGE: no a11y bus.
    env.update(GDK_BACKEND="x11", NO_AT_BRIDGE="1")
    procs: dict = {}
    with contextlib.ExitStack() as stack:
        # -displayfd: Xvfb picks a free display itself and reports it when ready.
        env["DISPLAY"] = start_x(stack, tmp, env, screens, procs)
        xdesk.run(env, "xset", "s", "off", "-dpms")  # else the screen saver blanks after 10 min
        # --nofork keeps the bus our child, stopped like the rest (--fork reparents it).
        (tmp / "bus.conf").write_text(BUS_CONF.format(dir=tmp))
        env["DBUS_SESSION_BUS_ADDRESS"] = start_and_read(stack, tmp, "dbus", [
            "dbus-daemon", f"--config-file={tmp / 'bus.conf'}", "--nofork", "--print-address={fd}"],
            env)
        if system_bus:
            (tmp / "system").mkdir(exist_ok=True)
            (tmp / "system-bus.conf").write_text(BUS_CONF.format(dir=tmp / "system"))
            env["DBUS_SYSTEM_BUS_ADDRESS"] = start_and_read(stack, tmp, "system-bus", [
                "dbus-daemon", f"--config-file={tmp / 'system-bus.conf'}", "--nofork",
                "--print-address={fd}"], env)
        desk = Desktop(env=env, display=env["DISPLAY"], tmp=tmp, _stack=stack, _procs=procs)
        if tray == "sni":
            desk.start_watcher()
            desk.start_sni_host()
            desk.start_dunst()
        else:
            desk.start_dunst()
            desk.start_tray()
        yield desk
