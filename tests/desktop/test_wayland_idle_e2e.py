"""Idle and quiet on real Wayland shells: headless sway 1.7 with waybar and mako, Necka as its user;
and KWin 5.27 (Plasma's compositor) on its virtual backend.

sway refuses to run as root, so the whole session (a private bus, sway, waybar, mako, Necka)
runs as uid 65534 through setpriv, as in ../shared/notes/real-shells.md. Input comes from
sway itself (``swaymsg seat - cursor move``: sway counts it as the seat's activity, as it
does a real pointer), so no input means idle as the compositor sees it.

KWin offers ext_idle_notifier_v1 (sway 1.7 only org_kde_kwin_idle), so between them both of
Necka's protocols meet a real compositor. KWin's input here is its own "simulate user activity"
request of org_kde_kwin_idle, which the protocol says "behaves just like real user activity on
the seat" (a virtual backend has no input devices). Its binary is copied first: exec of the
packaged one fails without its file capability (cap_sys_resource) in a container.

The start-up helper is local to this module for now (``sway_session``); tests/desktop/shells.py
(another branch) starts the same shells and may absorb it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from . import xdesk
from .session import FLAT_DIRS, log_tail, start, start_and_read, stop, wait_alive

NOBODY = 65534
AS_NOBODY = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
TOOLS = {"sway": "sway", "swaymsg": "sway", "waybar": "waybar", "mako": "mako-notifier", "makoctl": "mako-notifier",
         "jq": "jq", "busctl": "systemd", "dbus-daemon": "dbus", "setpriv": "util-linux"}

SWAY_CONFIG = """output HEADLESS-1 resolution 1280x800
xwayland disable
exec waybar -c {home}/waybar.json
exec mako
"""
WAYBAR_CONFIG = {"layer": "top", "position": "top", "height": 26, "modules-left": [], "modules-right": ["tray"],
                 "tray": {"spacing": 4}}
# mako 1.7's man page: a do-not-disturb mode is one the user defines; this one hides every bubble.
MAKO_CONFIG = "default-timeout=0\n\n[mode=do-not-disturb]\ninvisible=1\n"


def _require_tools() -> None:
    missing = [f"{tool} (Debian: {pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)]
    if missing:
        msg = f"sway desktop tools missing: {', '.join(missing)}; run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


class Sway:
    """The running session: ``env`` is what a program of its user sees (bus, Wayland, sway's socket)."""

    def __init__(self, root: Path, env: dict, stack: contextlib.ExitStack) -> None:
        self.root, self.env, self._stack = root, env, stack
        self._dx = 5

    def msg(self, *args: str) -> str:
        return subprocess.run(["swaymsg", "-s", self.env["SWAYSOCK"], "--", *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout

    def tree(self) -> str:
        return subprocess.run(["swaymsg", "-s", self.env["SWAYSOCK"], "-r", "-t", "get_tree"], capture_output=True,
                              text=True, timeout=10, check=True).stdout

    def move(self) -> None:
        """One pointer move through sway's seat: activity, as sway counts it."""
        self._dx = -self._dx
        self.msg("seat", "-", "cursor", "move", str(self._dx), "0")

    def as_user(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
        return subprocess.run([*AS_NOBODY, *args], env=self.env, capture_output=True, text=True, timeout=timeout,
                              cwd=self.root)

    def start_as_user(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        return start(self._stack, self.root, name, [*AS_NOBODY, *args], env, cwd=self.root)


@contextlib.contextmanager
def sway_session():
    _require_tools()
    root = Path(tempfile.mkdtemp(prefix="necka-sway-", dir="/tmp"))  # pytest's tmp dirs are root's alone
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, root, True)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        for var, sub in FLAT_DIRS.items():
            (root / sub).mkdir(mode=0o700)
            env[var] = str(root / sub)
        home = Path(env["HOME"])
        (home / "waybar.json").write_text(json.dumps(WAYBAR_CONFIG))
        (home / ".config" / "mako").mkdir(parents=True)
        (home / ".config" / "mako" / "config").write_text(MAKO_CONFIG)
        (root / "sway.conf").write_text(SWAY_CONFIG.format(home=home))
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(root)], check=True)
        env["DBUS_SESSION_BUS_ADDRESS"] = start_and_read(
            stack, root, "dbus", [*AS_NOBODY, "dbus-daemon", "--session", "--nofork", "--print-address={fd}",
                                  f"--address=unix:path={root}/bus"], env)
        sway_env = dict(env, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman")
        sway = start(stack, root, "sway", [*AS_NOBODY, "sway", "-c", str(root / "sway.conf")], sway_env, cwd=root)
        runtime = Path(env["XDG_RUNTIME_DIR"])
        wait_alive(sway, root, "sway", lambda: (runtime / "wayland-1").exists() and list(runtime.glob("sway-ipc.*.sock")),
                   timeout=20)
        env.update(WAYLAND_DISPLAY="wayland-1", SWAYSOCK=str(next(runtime.glob("sway-ipc.*.sock"))),
                   XDG_CURRENT_DESKTOP="sway", XDG_SESSION_TYPE="wayland")
        session = Sway(root, env, stack)
        xdesk.wait_for(lambda: session.as_user("makoctl", "mode").returncode == 0, 20, what="mako on the bus")
        yield session


@pytest.fixture(scope="module")
def sway():
    with sway_session() as session:
        yield session


@contextlib.contextmanager
def necka(sway: Sway, *args: str, config: str = "", unset: tuple[str, ...] = ()):
    """Necka started as the session's user would, in fresh per-user dirs; yields (process, log path)."""
    user = Path(tempfile.mkdtemp(prefix="necka-user-", dir=sway.root))
    env = {k: v for k, v in sway.env.items() if k not in unset}
    for var, sub in FLAT_DIRS.items():
        if var != "XDG_RUNTIME_DIR":
            (user / sub).mkdir(mode=0o700)
            env[var] = str(user / sub)
    if config:
        (user / "config" / "necka-tray").mkdir()
        (user / "config" / "necka-tray" / "config.toml").write_text(config)
    subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(user)], check=True)
    name = f"necka-{user.name}"
    proc = sway.start_as_user(name, [sys.executable, "-m", "necka_tray", *args], env)
    log = user / "state" / "necka-tray" / "log" / "necka-tray.log"
    try:
        yield proc, log, env
    finally:
        stop(proc)
        stderr = (sway.root / f"{name}.log").read_text(errors="replace")
        assert "Traceback" not in stderr, stderr[-3000:]



def wait_log(proc, log: Path, pattern: str, timeout: float = 20) -> str:
    import re

    def seen():
        if proc.poll() is not None:
            raise AssertionError(f"necka-tray exited {proc.returncode}")
        return re.search(pattern, log.read_text() if log.exists() else "")

    try:
        return xdesk.wait_for(seen, timeout, interval=0.2, what=f"log line {pattern!r}").group(0)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}; the log ends: {log_tail(log)}") from None


@contextlib.contextmanager
def keep_active(sway: Sway, every: float = 0.3):
    """A hand on the mouse: a pointer move through sway every ``every`` seconds."""
    import threading

    done = threading.Event()

    def moving() -> None:
        while not done.wait(every):
            sway.move()

    thread = threading.Thread(target=moving, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(5)


def status(sway: Sway, env: dict) -> dict:
    out = subprocess.run([*AS_NOBODY, sys.executable, "-m", "necka_tray", "status", "--json"], env=env,
                         capture_output=True, text=True, timeout=30, cwd=sway.root)
    return json.loads(out.stdout)


def test_idle_is_what_sway_sees(sway):
    # Scale 120: a natural break after 2.5 s without input, posture every 10 s, the minute tick every 0.5 s.
    # Started from outside sway's environment (no SWAYSOCK), as an autostart entry may be: sway's socket is found.
    with necka(sway, "--time-scale", "120", unset=("SWAYSOCK",)) as (proc, log, env):
        wait_log(proc, log, r"action=idle-source name=wayland-kde-idle")
        # Re-armed for the shortest pause that matters at this scale (1 min / 120), on the watch's thread.
        wait_log(proc, log, r"action=idle-timeout seconds=0.5")
        with keep_active(sway):
            # A hand on the mouse: present, so the posture check comes, and nobody went away.
            wait_log(proc, log, r"action=remind kind=posture notified=True", timeout=30)
            assert "action=away" not in log.read_text()
            answer = status(sway, env)
        assert answer["idle_detection"] == "wayland-kde-idle"
        # On Wayland the quiet sources are sway's and mako's, never Xwayland's.
        assert answer["quiet_detection"] == "sway-fullscreen+mako"
        # Hands off: sway says idle, Necka sees the user go away...
        wait_log(proc, log, r"action=away since=", timeout=15)
        # ...and back at the first move: a natural break.
        with keep_active(sway):
            wait_log(proc, log, r"action=restart reason=natural-break", timeout=15)


def test_do_not_disturb_in_mako_quiets_necka(sway, request):
    with necka(sway, "--time-scale", "120") as (proc, log, env):
        wait_log(proc, log, r"action=idle-source name=wayland-kde-idle")
        sway.as_user("makoctl", "dismiss", "-a")  # the module's earlier bubbles (mako keeps them: no timeout)
        assert sway.as_user("makoctl", "mode", "-a", "do-not-disturb").returncode == 0
        try:
            with keep_active(sway):
                # The posture check falls due (10 s) while mako is in do-not-disturb: it waits.
                wait_log(proc, log, r"action=hold kind=posture", timeout=30)
                assert "action=remind kind=posture" not in log.read_text()
                held = status(sway, env)
                assert held["quiet_reason"] and held["quiet_by"] == "mako"  # what answered, not "x11-fullscreen"
                # Do-not-disturb off: the held check is shown, as a bubble in mako.
                assert sway.as_user("makoctl", "mode", "-r", "do-not-disturb").returncode == 0
                wait_log(proc, log, r"action=remind kind=posture notified=True held=True", timeout=30)
            shown = json.loads(sway.as_user("makoctl", "list").stdout)
            assert "Posture check" in [n["summary"]["data"] for n in shown["data"][0]]
            if shutil.which("grim"):  # the bubble as mako draws it, for a person to look at
                from .conftest import artifact_path

                shot = artifact_path(request.node)
                shot.parent.mkdir(parents=True, exist_ok=True)
                sway.as_user("grim", str(sway.root / "shot.png"))
                shutil.copy(sway.root / "shot.png", shot)
        finally:
            sway.as_user("makoctl", "mode", "-r", "do-not-disturb")


@pytest.fixture(scope="module")
def kwin(tmp_path_factory):
    """kwin_wayland --virtual with a private bus; yields the env of a program in that session."""
    if not shutil.which("kwin_wayland"):
        msg = "kwin_wayland missing (Debian: kwin-wayland); run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    root = tmp_path_factory.mktemp("kwin")
    binary = root / "kwin_wayland"  # must keep its name; the copy has no file capability
    shutil.copy(shutil.which("kwin_wayland"), binary)
    with contextlib.ExitStack() as stack:
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        for var, sub in FLAT_DIRS.items():
            (root / sub).mkdir(mode=0o700)
            env[var] = str(root / sub)
        env["DBUS_SESSION_BUS_ADDRESS"] = start_and_read(
            stack, root, "dbus", ["dbus-daemon", "--session", "--nofork", "--print-address={fd}"], env)
        proc = start(stack, root, "kwin", [str(binary), "--virtual", "--width", "1280", "--height", "800",
                                           "--socket", "necka-kwin"], env)
        wait_alive(proc, root, "kwin", lambda: (Path(env["XDG_RUNTIME_DIR"]) / "necka-kwin").exists(), timeout=30)
        yield dict(env, WAYLAND_DISPLAY="necka-kwin", XDG_SESSION_TYPE="wayland", XDG_CURRENT_DESKTOP="KDE")


@contextlib.contextmanager
def kwin_activity(env: dict, every: float = 0.3):
    """User activity on KWin's seat every ``every`` seconds, from a client of its own."""
    import threading

    from pywayland.client import Display
    from pywayland.protocol.wayland import WlSeat

    from necka_tray.desktop.wayland_protocols.idle import OrgKdeKwinIdle

    done = threading.Event()
    old = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = env["XDG_RUNTIME_DIR"]  # where libwayland looks for the socket
    display = Display(env["WAYLAND_DISPLAY"])
    display.connect()
    offered = {}

    def on_global(_registry, name, interface, version):
        offered[interface] = name

    registry = display.get_registry()
    registry.dispatcher["global"] = on_global
    display.roundtrip()
    seat = registry.bind(offered["wl_seat"], WlSeat, 1)
    timeout = registry.bind(offered["org_kde_kwin_idle"], OrgKdeKwinIdle, 1).get_idle_timeout(seat, 60_000)
    display.roundtrip()

    def active() -> None:
        while not done.wait(every):
            timeout.simulate_user_activity()
            display.flush()

    thread = threading.Thread(target=active, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(5)
        display.disconnect()
        if old is None:
            os.environ.pop("XDG_RUNTIME_DIR")
        else:
            os.environ["XDG_RUNTIME_DIR"] = old


def test_idle_is_what_kwin_sees(kwin, tmp_path, spawn):
    env = dict(kwin)
    for var, sub in FLAT_DIRS.items():
        if var != "XDG_RUNTIME_DIR":
            (tmp_path / sub).mkdir(mode=0o700)
            env[var] = str(tmp_path / sub)
    stderr = tmp_path / "necka-stderr.txt"
    proc = spawn([sys.executable, "-m", "necka_tray", "--time-scale", "120"], env, stderr=stderr.open("w"))
    log = tmp_path / "state" / "necka-tray" / "log" / "necka-tray.log"
    wait_log(proc, log, r"action=idle-source name=wayland-ext-idle")
    with kwin_activity(env):
        wait_log(proc, log, r"action=remind kind=posture notified=", timeout=30)
        assert "action=away" not in log.read_text()
    wait_log(proc, log, r"action=away since=", timeout=15)
    with kwin_activity(env):
        wait_log(proc, log, r"action=restart reason=natural-break", timeout=15)
    assert "Traceback" not in stderr.read_text()


WINDOW = """
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk
w = Gtk.Window(title="Presentation")
w.connect("destroy", Gtk.main_quit)
w.show_all()
Gtk.main()
"""


def test_a_full_screen_window_on_sway_holds_reminders(sway):
    # A native Wayland window (GTK, Debian's python3-gi), made full screen by sway itself.
    (sway.root / "window.py").write_text(WINDOW)
    os.chmod(sway.root / "window.py", 0o644)
    sway.msg("exec", f"GDK_BACKEND=wayland /usr/bin/python3 {sway.root / 'window.py'}")
    xdesk.wait_for(lambda: '"Presentation"' in sway.tree(), 20, what="the window in sway's tree")
    try:
        sway.msg("[title=Presentation]", "focus")
        sway.msg("[title=Presentation]", "fullscreen", "enable")
        with necka(sway, "--time-scale", "120") as (proc, log, env), keep_active(sway):
            wait_log(proc, log, r"action=hold kind=posture", timeout=30)
            assert "action=remind kind=posture" not in log.read_text()
            held = status(sway, env)
            assert held["quiet_by"] == "sway-fullscreen"
            sway.msg("[title=Presentation]", "fullscreen", "disable")
            wait_log(proc, log, r"action=remind kind=posture notified=True held=True", timeout=30)
    finally:
        sway.msg("[title=Presentation]", "kill")
