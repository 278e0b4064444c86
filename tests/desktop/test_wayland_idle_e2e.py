"""Idle and quiet on real Wayland shells: headless sway 1.7 with waybar and mako, Necka as its user;
and KWin 5.27 (Plasma's compositor) on its virtual backend. Both are started by the one harness
of the shell tests (shells.sway, shells_kde.kwin_virtual; ../shared/notes/real-shells.md).

sway refuses to run as root, so the whole session (a private bus, sway, waybar, mako, Necka)
runs as uid 65534. Input comes from the harness's virtual pointer (``Shell.nudge``: sway counts
it as the seat's activity, as it does a real pointer), so no input means idle as the
compositor sees it.

KWin offers ext_idle_notifier_v1 (sway 1.7 only org_kde_kwin_idle), so between them both of
Necka's protocols meet a real compositor. KWin's input here is its own "simulate user activity"
request of org_kde_kwin_idle, which the protocol says "behaves just like real user activity on
the seat" (a virtual backend has no input devices).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from . import shells, shells_kde, xdesk
from .session import FLAT_DIRS, log_tail, start, stop
from .shell_suite import at_work
from .shells import Shell


@pytest.fixture(scope="module")
def sway(tmp_path_factory):
    shells.require("sway")
    with shells.sway(tmp_path_factory.mktemp("sway")) as session:
        yield session


def as_user(sway: Shell, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run([*sway.as_user, *args], env=sway.env, capture_output=True, text=True, timeout=timeout,
                          cwd=sway.tmp)


def swaymsg(sway: Shell, *args: str) -> str:
    return xdesk.run(sway.env, "swaymsg", "--", *args)


@contextlib.contextmanager
def necka(sway: Shell, *args: str, config: str = "", unset: tuple[str, ...] = ()):
    """Necka started as the session's user would, in fresh per-user dirs; yields (process, log path)."""
    user = Path(tempfile.mkdtemp(prefix="necka-user-", dir=sway.tmp))
    env = {k: v for k, v in sway.env.items() if k not in unset}
    for var, sub in FLAT_DIRS.items():
        if var != "XDG_RUNTIME_DIR":
            (user / sub).mkdir(mode=0o700)
            env[var] = str(user / sub)
    if config:
        (user / "config" / "necka-tray").mkdir()
        (user / "config" / "necka-tray" / "config.toml").write_text(config)
    shells.chown_tree(user)
    name = f"necka-{user.name}"
    log = user / "state" / "necka-tray" / "log" / "necka-tray.log"
    with contextlib.ExitStack() as stack:
        proc = start(stack, sway.tmp, name, [*sway.as_user, sway.python, "-m", "necka_tray", *args], env, cwd=sway.tmp)
        try:
            yield proc, log, env
        finally:
            stop(proc)
            stderr = (sway.tmp / f"{name}.log").read_text(errors="replace")
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


def status(sway: Shell, env: dict) -> dict:
    out = subprocess.run([*sway.as_user, sway.python, "-m", "necka_tray", "status", "--json"], env=env,
                         capture_output=True, text=True, timeout=30, cwd=sway.tmp)
    return json.loads(out.stdout)


def test_idle_is_what_sway_sees(sway):
    # Scale 120: a natural break after 2.5 s without input, posture every 10 s, the minute tick every 0.5 s.
    # Started from outside sway's environment (no SWAYSOCK), as an autostart entry may be: sway's socket is found.
    with necka(sway, "--time-scale", "120", unset=("SWAYSOCK",)) as (proc, log, env):
        wait_log(proc, log, r"action=idle-source name=wayland-kde-idle")
        # Re-armed for the shortest pause that matters at this scale (1 min / 120), on the watch's thread.
        wait_log(proc, log, r"action=idle-timeout seconds=0.5")
        with at_work(sway):
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
        with at_work(sway):
            wait_log(proc, log, r"action=restart reason=natural-break", timeout=15)


def test_do_not_disturb_in_mako_quiets_necka(sway, request):
    with necka(sway, "--time-scale", "120") as (proc, log, env):
        wait_log(proc, log, r"action=idle-source name=wayland-kde-idle")
        as_user(sway, "makoctl", "dismiss", "-a")  # the module's earlier bubbles (mako keeps them: no timeout)
        assert as_user(sway, "makoctl", "mode", "-a", "do-not-disturb").returncode == 0
        try:
            with at_work(sway):
                # The posture check falls due (10 s) while mako is in do-not-disturb: it waits.
                wait_log(proc, log, r"action=hold kind=posture", timeout=30)
                assert "action=remind kind=posture" not in log.read_text()
                held = status(sway, env)
                assert held["quiet_reason"] and held["quiet_by"] == "mako"  # what answered, not "x11-fullscreen"
                # Do-not-disturb off: the held check is shown, as a bubble in mako.
                assert as_user(sway, "makoctl", "mode", "-r", "do-not-disturb").returncode == 0
                wait_log(proc, log, r"action=remind kind=posture notified=True held=True", timeout=30)
            shown = json.loads(as_user(sway, "makoctl", "list").stdout)
            assert "Posture check" in [n["summary"]["data"] for n in shown["data"][0]]
            from .conftest import artifact_path

            sway.screenshot(artifact_path(request.node))  # the bubble as mako draws it, for a person to look at
        finally:
            as_user(sway, "makoctl", "mode", "-r", "do-not-disturb")


@pytest.fixture(scope="module")
def kwin(tmp_path_factory):
    """kwin_wayland --virtual with a private bus; yields the env of a program in that session."""
    shells.require("plasma")
    with shells_kde.kwin_virtual(tmp_path_factory.mktemp("kwin")) as session:
        yield session.env


@contextlib.contextmanager
def kwin_activity(env: dict, every: float = 0.3):
    """User activity on KWin's seat every ``every`` seconds, from a client of its own."""
    from types import SimpleNamespace

    from pywayland.client import Display
    from pywayland.protocol.wayland import WlSeat

    from necka_tray.desktop.wayland_protocols.idle import OrgKdeKwinIdle

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
        timeout.simulate_user_activity()
        display.flush()

    try:
        with at_work(SimpleNamespace(nudge=active), every):
            yield
    finally:
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
    (sway.tmp / "window.py").write_text(WINDOW)
    os.chmod(sway.tmp / "window.py", 0o644)
    swaymsg(sway, "exec", f"GDK_BACKEND=wayland /usr/bin/python3 {sway.tmp / 'window.py'}")
    xdesk.wait_for(lambda: "Presentation" in sway.windows(), 20, what="the window in sway's tree")
    try:
        swaymsg(sway, "[title=Presentation]", "focus")
        swaymsg(sway, "[title=Presentation]", "fullscreen", "enable")
        with necka(sway, "--time-scale", "120") as (proc, log, env), at_work(sway):
            wait_log(proc, log, r"action=hold kind=posture", timeout=30)
            assert "action=remind kind=posture" not in log.read_text()
            held = status(sway, env)
            assert held["quiet_by"] == "sway-fullscreen"
            swaymsg(sway, "[title=Presentation]", "fullscreen", "disable")
            wait_log(proc, log, r"action=remind kind=posture notified=True held=True", timeout=30)
    finally:
        swaymsg(sway, "[title=Presentation]", "kill")
