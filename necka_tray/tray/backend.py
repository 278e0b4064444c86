"""The one tray interface: what the app needs from any tray icon, and what each click does.

Three backends implement it: ``xembed.XEmbedTray`` (an X11 system tray),
``sni.SniTray`` (a StatusNotifierItem over D-Bus: KDE, GNOME's AppIndicator
extension, Wayland bars) and ``pystray_icon.Tray`` (Windows, macOS, or
``PYSTRAY_BACKEND``). Their capability flags say what a click does there;
``clicks`` turns them into the words ``necka-tray status`` prints and the log
says at start, so a user on a desktop where a left click opens the menu
learns where the stretch session is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from necka_tray.core.actions import Action, Verb

if TYPE_CHECKING:
    from necka_tray.core.planner import TrayView
    from necka_tray.tray.menu_model import Entry

#: What a middle click does where the tray reports middle clicks (SNI ``SecondaryActivate``, XEmbed button 2):
#: pause reminders for 30 minutes, or resume them while paused.
PAUSE_TOGGLE = Action(Verb.PAUSE, "30m")
RESUME = Action(Verb.RESUME)

#: Readable backend names for ``necka-tray status``.
NAMES = {"sni": "StatusNotifierItem", "xembed": "XEmbed", "gtk": "GTK status icon (pystray)",
         "appindicator": "AppIndicator (pystray)", "xorg": "X11 (pystray)", "win32": "Windows (pystray)",
         "darwin": "macOS (pystray)"}


class TrayBackend(Protocol):
    """``run`` owns the calling (main) thread until ``stop``; ``render`` and ``stop`` may be called
    from any thread; menu choices and clicks reach the app only through the ``on_action`` callback
    the backend was built with (which posts to the app's dispatcher)."""

    #: A left click runs the menu's default entry (else it opens the menu).
    has_default_action: bool
    #: A middle click toggles a 30-minute pause.
    has_secondary_action: bool
    #: The backend shows the whole menu (pystray's xorg backend has none).
    has_menu: bool

    def run(self, setup: Callable[[], None]) -> None: ...

    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None: ...

    def stop(self) -> None: ...


def default_action(entries: tuple[Entry, ...]) -> Action | None:
    """The action of a left click: the menu's enabled default entry (the stretch session), if any."""
    return next((e.action for e in entries if e.default and e.enabled and e.action), None)


def secondary_action(entries: tuple[Entry, ...]) -> Action:
    """The action of a middle click: resume while the menu offers it (paused), else pause 30 minutes."""
    return RESUME if any(e.action == RESUME for e in entries) else PAUSE_TOGGLE


def clicks(tray: Any) -> str:
    """What a left, middle and right click do on ``tray``, read from its capability flags."""
    from necka_tray.texts.i18n import _

    left = _("stretch session") if getattr(tray, "has_default_action", False) else _("opens the menu")
    parts = [_("left click: {what}").format(what=left)]
    if getattr(tray, "has_secondary_action", False):
        parts.append(_("middle click: pause 30 min / resume"))
    parts.append(_("right click: menu") if getattr(tray, "has_menu", True) else _("no menu"))
    return ", ".join(parts)

