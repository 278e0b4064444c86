"""Linux (X11 and Wayland desktops): which tray backend can really work here.

pystray's own choice is not enough: without PyGObject it silently falls back
to its xorg backend, which has no menu and ignores clicks, and its
``appindicator`` backend loads GTK and ignores left clicks. So we decide:

- a StatusNotifier host on the session bus (KDE, GNOME with the AppIndicator
  extension, Wayland bars; on X11 too, where SNI is the native tray): ``sni``,
  Necka's own item (``tray/sni.py``);
- else an XEmbed tray (``_NET_SYSTEM_TRAY_S0`` has an owner): ``xembed``, our
  own toolkit-free icon (``tray/xembed.py``);
- else a watcher without a host yet (a panel still starting), or Wayland:
  ``sni`` with a notice, it shows when a host starts; else on X11 ``xembed``
  with a notice, it docks when a tray starts.

Both run the stretch session on a left click, pause or resume on a middle
click and open the menu on a right click. ``PYSTRAY_BACKEND`` forces a
pystray backend (``gtk``, ``appindicator``, ``xorg``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from necka_tray import APP_ID
from necka_tray.store.fsutil import atomic_write, read_user_file
from necka_tray.desktop.platform import TrayChoice, x11
from necka_tray.texts.i18n import N_, _

GNOME_HINT = N_(
    "On GNOME, install and enable the 'AppIndicator and KStatusNotifierItem Support' extension "
    "(package gnome-shell-extension-appindicator)."
)
PYGOBJECT_COMMAND = ("sudo apt install gir1.2-gtk-3.0 libgirepository1.0-dev libcairo2-dev pkg-config gcc "
                     "python3-dev && pip install 'necka-tray[gtk]'")


def display_problem(env: Mapping[str, str]) -> str | None:
    display = env.get("DISPLAY")
    if not display:
        if env.get("WAYLAND_DISPLAY"):
            return None
        return _("no graphical display: DISPLAY is not set. Start Necka from your desktop session.")
    try:
        x11.probe(display)  # kept open for the tray probe that follows
    except Exception as exc:
        return _("cannot open the X display {display} ({error}). Start Necka from your desktop session.").format(
            display=repr(display), error=type(exc).__name__)
    return None


def tray_backend(env: Mapping[str, str]) -> TrayChoice:
    forced = env.get("PYSTRAY_BACKEND")
    if forced:
        x11.drop()
        return TrayChoice(forced)
    display = env.get("DISPLAY")
    sni = status_notifier(env)
    if sni == "host":
        x11.drop()
        return TrayChoice("sni")
    if display and xembed_tray_owner(display):
        return TrayChoice("xembed")
    if sni == "watcher" or not display:  # the panel is still starting (at login), or Wayland
        x11.drop()  # the item itself says once that it waits for a host
        return TrayChoice("sni", notice=None if sni else _(GNOME_HINT))
    return TrayChoice(
        "xembed",
        notice=_("No system tray is running yet; Necka's icon will appear as soon as one starts.") + " " + _(GNOME_HINT),
    )


def xembed_tray_owner(display: str) -> int:
    """The window id owning the XEmbed tray selection, or 0."""
    return x11.tray_owner(x11.probe(display))


def status_notifier(env: Mapping[str, str] = os.environ) -> str:
    """``host``: a StatusNotifier host is registered (KDE, GNOME's AppIndicator extension, a Wayland
    bar); ``watcher``: the watcher runs but no host yet (a panel still starting); else ''."""
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(bus=env.get("DBUS_SESSION_BUS_ADDRESS") or "SESSION") as conn:
            name = "org.kde.StatusNotifierWatcher"
            if not conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=1).body[0]:
                return ""
            watcher = DBusAddress("/StatusNotifierWatcher", bus_name=name, interface="org.freedesktop.DBus.Properties")
            msg = new_method_call(watcher, "Get", "ss", (name, "IsStatusNotifierHostRegistered"))
            return "host" if conn.send_and_get_reply(msg, timeout=1).body[0][1] else "watcher"
    except Exception:
        return ""


def open_file(path: Path) -> None:
    import shutil
    import subprocess

    opener = shutil.which("xdg-open")
    if opener is None:
        raise FileNotFoundError(_("xdg-open is not installed (package xdg-utils)"))
    subprocess.Popen([opener, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- start at login: an XDG autostart entry ---------------------------------------


def autostart_file(env: Mapping[str, str] = os.environ) -> Path:
    config_home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(config_home) / "autostart" / f"{APP_ID}.desktop"


def autostart_enable(command: list[str], env: Mapping[str, str] = os.environ) -> None:
    path = autostart_file(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "[Desktop Entry]\nType=Application\nName=Necka\n"
        "Comment=Posture checks, shoulder rolls and neck stretch breaks\n"
        f"Exec={' '.join(_exec_arg(a) for a in command)}\nIcon={APP_ID}\nTerminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )
    atomic_write(path, text.encode("utf-8"), mode=0o644)


def autostart_disable(env: Mapping[str, str] = os.environ) -> None:
    autostart_file(env).unlink(missing_ok=True)


def autostart_enabled(env: Mapping[str, str] = os.environ) -> bool:
    """The entry exists and no desktop tool switched it off (GNOME Tweaks writes the key below)."""
    try:
        # Never blocks (a FIFO there would hang the tray's event thread); a non-file raises OSError.
        raw = read_user_file(autostart_file(env), 64 << 10)
        lines = raw.decode("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return False
    off = {"hidden=true", "x-gnome-autostart-enabled=false"}
    return not any(line.replace(" ", "").lower() in off for line in lines)


_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def _exec_arg(arg: str) -> str:
    """One argument quoted for a desktop entry's Exec key (the spec's two levels of escaping)."""
    arg = arg.replace("%", "%%")
    if arg and not _EXEC_RESERVED.intersection(arg):
        return arg
    quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\")

