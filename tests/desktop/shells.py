"""The real desktop shells of Debian 12, started headless for the shell tests (test_shell_*.py).

One context manager per shell yields a ``Shell``: the environment apps of that session get,
and how a user's hand and eyes reach it there (a click, keys, a screenshot, the windows, the
bubbles the notification server took). How each one starts here, and its pitfalls, were
measured first: ../shared/notes/real-shells.md. Every process runs in its own process group
and dies with the test process (session.start).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import xdesk
from .session import BUS_CONF, FLAT_DIRS, answers, sni_watcher, start, start_and_read, start_x, stop, wait_alive

NOBODY = 65534
#: sway refuses to run as root: it and everything in its session run as nobody.
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--")
#: A bus other users may join: the test (root) reads the bus of a session run as nobody.
OPEN_BUS_CONF = BUS_CONF.replace('<policy context="default">', '<policy context="default">\n    <allow user="*"/>')
NOTIFICATIONS = "org.freedesktop.Notifications"

# tool -> Debian package (scripts/bootstrap --dev installs them all)
TOOLS = {
    "sway": {"sway": "sway", "waybar": "waybar", "mako": "mako-notifier", "makoctl": "mako-notifier",
             "grim": "grim", "Xwayland": "xwayland", "swaymsg": "sway", "jq": "jq", "busctl": "systemd"},
    "xfce": {"xfwm4": "xfwm4", "xfce4-panel": "xfce4-panel",
             "/usr/lib/x86_64-linux-gnu/xfce4/notifyd/xfce4-notifyd": "xfce4-notifyd",
             "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd": "xfconf", "xfconf-query": "xfconf"},
    "gnome": {"gnome-shell": "gnome-shell", "gsettings": "libglib2.0-bin", "/usr/libexec/dconf-service": "dconf-service", "gjs": "gjs",
              "/usr/share/gnome-shell/extensions/ubuntu-appindicators@ubuntu.com/metadata.json":
                  "gnome-shell-extension-appindicator"},
    "plasma": {"plasmashell": "plasma-workspace", "kwin_x11": "kwin-x11", "kded5": "kded5", "kwin_wayland": "kwin-wayland",
               "/usr/lib/x86_64-linux-gnu/libexec/kactivitymanagerd": "kactivitymanagerd"},
}


def missing(shell: str) -> list[str]:
    return [f"{tool} (Debian: {pkg})" for tool, pkg in TOOLS[shell].items()
            if not (Path(tool).exists() if tool.startswith("/") else shutil.which(tool))]


@dataclass
class Shell:
    """A running shell session. ``env``: what an app started in it gets; ``as_user``: the command
    prefix that runs a process as the session's user."""
    name: str
    env: dict
    tmp: Path
    click: Callable[[int, int, int], None] | None = None  # None: a compositor with nothing to see (kwin_virtual)
    screenshot: Callable[[Path], Path] | None = None
    windows: Callable[[], list[str]] | None = None
    move: Callable[[int, int], None] | None = None
    key: Callable[..., None] | None = None
    nudge: Callable[[], None] | None = None  # a bit of real input: the user is at work
    as_user: tuple = ()
    python: str = sys.executable
    bus_log: Path | None = None
    extra: dict = field(default_factory=dict)

    def bubbles(self) -> list[dict]:
        """The notifications the server accepted: Notify calls it answered with an id, read from
        a dbus-monitor of the session bus (summary, body, id), oldest first."""
        return parse_notify_log(self.bus_log.read_text(errors="replace")) if self.bus_log else []


def parse_notify_log(text: str) -> list[dict]:
    """``dbus-monitor`` output -> Notify calls that got a method return: [{summary, body, id}]."""
    calls, done = {}, []
    blocks = re.split(r"\n(?=(?:method call|method return|error|signal) )", text)
    for block in blocks:
        head = block.split("\n", 1)[0]
        if head.startswith("method call") and "member=Notify" in head and NOTIFICATIONS in head:
            serial = re.search(r" serial=(\d+)", head).group(1)
            sender = re.search(r"sender=(\S+)", head).group(1)
            strings = re.findall(r'^\s*string "(.*)"$', block, re.M)
            if len(strings) >= 4:
                calls[(sender, serial)] = {"app": strings[0], "summary": strings[2], "body": strings[3]}
        elif head.startswith("method return"):
            m = re.search(r"destination=(\S+) serial=\d+ reply_serial=(\d+)", head)
            nid = re.search(r"^\s*uint32 (\d+)$", block, re.M)
            if m and (m.group(1), m.group(2)) in calls and nid:
                done.append(dict(calls.pop((m.group(1), m.group(2))), id=int(nid.group(1))))
    return done


def monitor_bus(stack, tmp: Path, env: dict) -> Path:
    """Record the Notifications traffic of the session bus (both ways) to tmp/bus-monitor.log."""
    proc = start(stack, tmp, "bus-monitor", ["dbus-monitor", "--session", f"interface='{NOTIFICATIONS}'",
                                             f"type='method_return'"], env)
    wait_alive(proc, tmp, "bus-monitor", lambda: (tmp / "bus-monitor.log").stat().st_size > 0)
    return tmp / "bus-monitor.log"


def own_bus(stack, tmp: Path, env: dict, prefix: tuple = (), name: str = "dbus", conf: str = BUS_CONF) -> str:
    sock = tmp / name
    sock.mkdir(exist_ok=True)
    if prefix:
        os.chown(sock, NOBODY, NOBODY)
    (tmp / f"{name}.conf").write_text(conf.format(dir=sock))
    return start_and_read(stack, tmp, name, [*prefix, "dbus-daemon", f"--config-file={tmp / f'{name}.conf'}",
                                             "--nofork", "--print-address={fd}"], env)


def asks(question: Callable[[], object]) -> Callable[[], object]:
    """``question`` as a wait condition: a bus peer that is still starting (slow to answer) is not ready yet."""
    def ask():
        try:
            return question()
        except (TimeoutError, ConnectionError, OSError):
            return None
    return ask


def has_owner(env: dict, name: str) -> bool:
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
        return conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=2).body[0]


def base_env() -> dict:
    keep = ("PATH", "LANG", "LC_ALL", "TERM", "CI")
    return {k: os.environ[k] for k in keep if k in os.environ} | {"NO_AT_BRIDGE": "1"}


# --- sway + waybar + mako ------------------------------------------------------------

SWAY_CONF = """output HEADLESS-1 resolution 1280x800
xwayland enable
default_border none
exec waybar -c {waybar}
exec mako
"""
WAYBAR_CONF = {"layer": "top", "position": "top", "height": 30, "modules-left": ["sway/workspaces"],
               "modules-right": ["tray"], "tray": {"icon-size": 22, "spacing": 6}}
# mako 1.7's man page: a do-not-disturb mode is one the user defines; this one hides every bubble.
MAKO_CONF = "default-timeout=0\n\n[mode=do-not-disturb]\ninvisible=1\n"


def nobody_python(root: Path) -> str:
    """A venv nobody can run: the test's own may sit under /root (pyenv). Its site-packages are
    the test venv's (same Python minor version), so the app under test is the same checkout."""
    import sysconfig

    venv = root / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    ours = sysconfig.get_paths()["purelib"]
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "necka-test.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    return str(venv / "bin" / "python")


def nobody_root() -> Path:
    """A scratch dir nobody may enter (pytest's tmp dirs sit under a 0700 dir of root's)."""
    root = Path(tempfile.mkdtemp(prefix="necka-shell-"))
    root.chmod(0o755)
    os.chown(root, NOBODY, NOBODY)
    return root


def chown_tree(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        os.chown(p, NOBODY, NOBODY, follow_symlinks=False)


@contextlib.contextmanager
def sway(tmp: Path) -> Iterator[Shell]:
    """sway 1.7 (headless backend, pixman) with waybar's tray and mako, all run as nobody."""
    from .wlpointer import VirtualPointer

    root = nobody_root()
    try:
        with contextlib.ExitStack() as stack:
            env = base_env()
            for var, sub in FLAT_DIRS.items():
                (root / sub).mkdir(mode=0o700)
                env[var] = str(root / sub)
            (root / "waybar.json").write_text(json.dumps(WAYBAR_CONF))
            (root / "sway.conf").write_text(SWAY_CONF.format(waybar=root / "waybar.json"))
            (root / "config" / "mako").mkdir()
            (root / "config" / "mako" / "config").write_text(MAKO_CONF)
            chown_tree(root)
            env["DBUS_SESSION_BUS_ADDRESS"] = own_bus(stack, root, env, AS_NOBODY, conf=OPEN_BUS_CONF)
            sway_env = dict(env, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1", WLR_RENDERER="pixman")
            proc = start(stack, root, "sway", [*AS_NOBODY, "sway", "-c", str(root / "sway.conf")], sway_env)
            runtime = root / "runtime"
            wait_alive(proc, root, "sway", lambda: list(runtime.glob("sway-ipc.*.sock")) and (runtime / "wayland-1").exists(), 20)
            env.update(WAYLAND_DISPLAY="wayland-1", SWAYSOCK=str(next(runtime.glob("sway-ipc.*.sock"))),
                       XDG_CURRENT_DESKTOP="sway", XDG_SESSION_TYPE="wayland")
            wait_alive(proc, root, "sway", asks(lambda: sni_watcher(env, "IsStatusNotifierHostRegistered")), 20)
            wait_alive(proc, root, "sway", lambda: has_owner(env, NOTIFICATIONS), 20)
            # Xwayland's display (Necka's session window is Tk): what sway gives the apps it starts.
            out = root / "display"
            xdesk.run(env, "swaymsg", "exec", f"printf %s \"$DISPLAY\" > {out}")
            env["DISPLAY"] = xdesk.wait_for(lambda: out.exists() and out.read_text(), 10, what="sway's DISPLAY")
            socket = str(runtime / "wayland-1")
            pointer = VirtualPointer(socket, 1280, 800)
            stack.callback(pointer.close)
            xdesk.wait_for(lambda: "virtual_pointer" in xdesk.run(env, "swaymsg", "-t", "get_inputs"), 10,
                           what="sway took the virtual pointer")
            bus_log = monitor_bus(stack, root, env)

            def shot(path: Path) -> Path:
                path.parent.mkdir(parents=True, exist_ok=True)
                xdesk.run(dict(env, WAYLAND_DISPLAY=socket), "grim", str(path))
                return path

            def windows() -> list[str]:
                tree = json.loads(xdesk.run(env, "swaymsg", "-t", "get_tree"))
                names, todo = [], [tree]
                while todo:
                    node = todo.pop()
                    if node.get("pid"):
                        names.append(node.get("name") or "")
                    todo += node.get("nodes", []) + node.get("floating_nodes", [])
                return names

            python = nobody_python(root)
            yield Shell("sway", env, root, click=lambda x, y, button=1: pointer.click(x, y, button), screenshot=shot,
                        move=pointer.move, windows=windows, nudge=pointer.nudge, as_user=AS_NOBODY, python=python, bus_log=bus_log,
                        extra={"pointer": pointer, "shown": lambda: mako_list(env)})
    finally:
        for log in root.glob("*.log"):
            with contextlib.suppress(OSError):
                shutil.copy(log, tmp / log.name)
        shutil.rmtree(root, ignore_errors=True)


def mako_list(env: dict) -> list[dict]:
    """The bubbles mako shows now (``makoctl list``): [{summary, body, app-name, id, actions}]."""
    data = json.loads(xdesk.run(env, "makoctl", "list"))["data"]
    return [{k: v["data"] for k, v in n.items()} for n in (data[0] if data else [])]


# --- X11 shells: Xfce, Plasma, and the X display GNOME's nested shell runs in ----------------

def x11_shell(name: str, env: dict, tmp: Path, bus_log: Path, only_visible: bool = True, **extra) -> Shell:
    def shot(path: Path) -> Path:
        return xdesk.screenshot(env, path)

    def windows() -> list[str]:
        visible = ["--onlyvisible"] if only_visible else []  # Xwayland (rootless) maps nothing xdotool sees
        out = subprocess.run(["xdotool", "search", *visible, "--name", "."], env=env, capture_output=True,
                             text=True, timeout=10).stdout.split()
        names = []
        for wid in out:  # xdotool, not python-xlib: it reads XAUTHORITY from env (mutter's Xwayland needs it)
            done = subprocess.run(["xdotool", "getwindowname", wid], env=env, capture_output=True, text=True, timeout=10)
            if done.returncode == 0:
                names.append(done.stdout.rstrip("\n"))
        return names

    return Shell(name, env, tmp, click=lambda x, y, button=1: xdesk.click(env, x, y, button), screenshot=shot,
                 windows=windows, key=lambda *keys: xdesk.key(env, *keys), move=lambda x, y: xdesk.move(env, x, y),
                 nudge=lambda: xdesk.run(env, "xdotool", "mousemove_relative", "--", "1", "0"),
                 bus_log=bus_log, extra={"double_click": lambda x, y: xdesk.run(
                     env, "xdotool", "mousemove", str(x), str(y), "click", "--repeat", "2", "--delay", "120", "1"), **extra})


def x_session(stack, tmp: Path, system_bus: bool = False) -> dict:
    """Xvfb, a private session bus (and a stand-in system bus), and fresh user dirs."""
    from .session import user_env

    env = user_env(base_env(), tmp / "user")
    env["DISPLAY"] = start_x(stack, tmp, env, 1)
    xdesk.run(env, "xset", "s", "off", "-dpms")
    env["DBUS_SESSION_BUS_ADDRESS"] = own_bus(stack, tmp, env)
    if system_bus:
        env["DBUS_SYSTEM_BUS_ADDRESS"] = own_bus(stack, tmp, env, name="system-bus")
    return env


XFCE_PANEL = """<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="icon-size" type="uint" value="22"/>
      <property name="size" type="uint" value="30"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
        <value type="int" value="2"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="separator">
      <property name="expand" type="bool" value="true"/>
      <property name="style" type="uint" value="0"/>
    </property>
    <property name="plugin-2" type="string" value="systray"/>
  </property>
</channel>
"""
XFCE_LIB = "/usr/lib/x86_64-linux-gnu/xfce4"


@contextlib.contextmanager
def xfce(tmp: Path) -> Iterator[Shell]:
    """Xfce 4.18: xfwm4, a panel with its status tray (an SNI host and XEmbed tray), xfce4-notifyd."""
    with contextlib.ExitStack() as stack:
        env = x_session(stack, tmp)
        channel = Path(env["XDG_CONFIG_HOME"]) / "xfce4" / "xfconf" / "xfce-perchannel-xml"
        channel.mkdir(parents=True)
        (channel / "xfce4-panel.xml").write_text(XFCE_PANEL)
        (channel / "xfce4-notifyd.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<channel name="xfce4-notifyd" version="1.0">\n'
            '  <property name="notification-log" type="bool" value="true"/>\n'
            '  <property name="log-level" type="uint" value="1"/>\n'
            '  <property name="notify-location" type="uint" value="3"/>\n</channel>\n')
        env.update(XDG_CURRENT_DESKTOP="XFCE", XDG_SESSION_DESKTOP="xfce", GDK_BACKEND="x11")
        bus_log = monitor_bus(stack, tmp, env)
        xfconfd = start(stack, tmp, "xfconfd", [f"{XFCE_LIB}/xfconf/xfconfd"], env)
        wait_alive(xfconfd, tmp, "xfconfd", lambda: has_owner(env, "org.xfce.Xfconf"))
        wm = start(stack, tmp, "xfwm4", ["xfwm4", "--compositor=off"], env)
        wait_alive(wm, tmp, "xfwm4", lambda: has_wm(env))
        notifyd = start(stack, tmp, "xfce4-notifyd", [f"{XFCE_LIB}/notifyd/xfce4-notifyd"], env)
        wait_alive(notifyd, tmp, "xfce4-notifyd", lambda: has_owner(env, NOTIFICATIONS))
        panel = start(stack, tmp, "xfce4-panel", ["xfce4-panel"], env)
        wait_alive(panel, tmp, "xfce4-panel", asks(lambda: sni_watcher(env, "IsStatusNotifierHostRegistered")), 20)
        yield x11_shell("xfce", env, tmp, bus_log)


def has_wm(env: dict) -> bool:
    """A window manager runs: _NET_SUPPORTING_WM_CHECK is set on the root window."""
    from Xlib import X, display

    d = display.Display(env["DISPLAY"])
    try:
        return d.screen().root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType) is not None
    finally:
        d.close()


def require(shell: str) -> None:
    """Skip (fail under CI=true) when the shell's programs are not installed."""
    import pytest

    gone = missing(shell)
    if gone:
        msg = f"{shell} is not installed: {', '.join(gone)}; run scripts/bootstrap --dev"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


# --- GNOME Shell 43, nested, with the AppIndicator extension -------------------------------

APPINDICATOR = "ubuntu-appindicators@ubuntu.com"


@contextlib.contextmanager
def gnome(tmp: Path) -> Iterator[Shell]:
    """``gnome-shell --nested --wayland`` in a 1280x800 window on Xvfb, the AppIndicator extension
    on. It aborts without a system bus (a stand-in will do); settings go through dconf."""
    with contextlib.ExitStack() as stack:
        env = x_session(stack, tmp, system_bus=True)
        env.update(XDG_CURRENT_DESKTOP="GNOME", XDG_SESSION_DESKTOP="gnome", XDG_SESSION_TYPE="wayland")
        dconf = start(stack, tmp, "dconf", ["/usr/libexec/dconf-service"], env)
        wait_alive(dconf, tmp, "dconf", lambda: has_owner(env, "ca.desrt.dconf"))
        xdesk.run(env, "gsettings", "set", "org.gnome.shell", "enabled-extensions", f"['{APPINDICATOR}']")
        xdesk.run(env, "gsettings", "set", "org.gnome.shell", "welcome-dialog-last-shown-version", "'999'")
        xdesk.run(env, "gsettings", "set", "org.gnome.desktop.lockdown", "disable-lock-screen", "true")
        xdesk.run(env, "gsettings", "set", "org.gnome.desktop.screensaver", "lock-enabled", "false")
        bus_log = monitor_bus(stack, tmp, env)
        runtime = Path(env["XDG_RUNTIME_DIR"])
        shell = start(stack, tmp, "gnome-shell", ["gnome-shell", "--nested", "--wayland", "--wayland-display",
                                                   "necka-wl", "--sm-disable"],
                      dict(env, MUTTER_DEBUG_DUMMY_MODE_SPECS="1280x800"))
        wait_alive(shell, tmp, "gnome-shell", asks(lambda: sni_watcher(env, "IsStatusNotifierHostRegistered")), 60)
        # GNOME's bubbles: a D-Bus-activated helper that hands Notify to the shell (our bus activates nothing)
        fdo = start(stack, tmp, "gnome-notifications", ["gjs", "/usr/share/gnome-shell/org.gnome.Shell.Notifications"], env)
        wait_alive(fdo, tmp, "gnome-notifications", lambda: has_owner(env, NOTIFICATIONS), 30)
        auth = xdesk.wait_for(lambda: sorted(runtime.glob(".mutter-Xwaylandauth.*")), 30, what="mutter's Xwayland")
        x_display = xdesk.wait_for(lambda: _mutter_display(tmp / "gnome-shell.log"), 30, what="Xwayland's display")
        app_env = dict(env, DISPLAY=x_display, XAUTHORITY=str(auth[0]), WAYLAND_DISPLAY="necka-wl",
                       GDK_BACKEND="x11")
        outer = x11_shell("gnome", env, tmp, bus_log)
        xdesk.move(env, 640, 400)
        xdesk.wait_for(lambda: _left_overview(outer, tmp / "overview.png"), 30, interval=1,
                       what="GNOME's desktop, out of the overview it starts in")
        inner = x11_shell("gnome", app_env, tmp, bus_log, only_visible=False)
        outer.env = app_env
        outer.windows = inner.windows  # the app's windows are on the shell's Xwayland
        yield outer


def _left_overview(shell: Shell, png: Path) -> bool:
    """Press Escape until the top bar turns black: the desktop (it is see-through in the overview)."""
    from PIL import Image

    with Image.open(shell.screenshot(png)) as im:
        dark = max(im.convert("RGB").getpixel((300, 6))) < 8
    if not dark:
        shell.key("Escape")
    return dark


def _mutter_display(log: Path) -> str | None:
    m = re.search(r"Using public X11 display (:\d+)", log.read_text(errors="replace")) if log.exists() else None
    return m.group(1) if m else None
