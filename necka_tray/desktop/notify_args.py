"""The ``Notify`` call for one server: what it can do (``GetCapabilities``) and how it draws (``GetServerInformation``).

The spec lets a server show the "default" action (a click on the bubble) or
not. GNOME Shell, Plasma, Cinnamon, notification-daemon and SwayNC hide it
and draw every other action as a button, so a bubble that should have a
visible Start button offers it twice: as "default" and under its own key.
xfce4-notifyd draws "default" as a button too, and dunst and mako list it in
their action menus: there the second copy is a duplicate, so it is left out
(the click on the bubble and the one button or menu line do the same). A server
we do not know is taken to show the default action: a missing extra button
costs nothing (the bubble's click still works), a duplicated one is a visible flaw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from necka_tray.desktop.notify import APP_NAME, DEFAULT_EXPIRE_S, Action

#: The desktop file's name (packaging/linux/io.github.necka.Necka.desktop), without ".desktop".
DESKTOP_ENTRY = "io.github.necka.Necka"
#: Freedesktop has no category for health reminders: a vendor one, as the spec allows.
CATEGORY_REMINDER = "x-necka.reminder"
CATEGORY_NOTICE = "x-necka.notice"
#: ``GetServerInformation`` names (lower case, a part is enough) of servers that never show "default".
HIDE_DEFAULT = ("gnome shell", "plasma", "cinnamon", "notification daemon", "swaynotificationcenter", "budgie")


@dataclass(frozen=True)
class ServerInfo:
    caps: frozenset[str]
    name: str = ""

    @property
    def shows_default(self) -> bool:
        """Whether the server draws (or lists) the "default" action among the others."""
        name = self.name.lower()
        return not any(hidden in name for hidden in HIDE_DEFAULT)


def _escape_markup(text: str) -> str:
    """``html.escape(text, quote=False)``, without loading ``html``'s entity tables (~0.5 MiB) into the tray."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shown_actions(actions: Sequence[Action], shows_default: bool) -> list[Action]:
    """``actions`` without the copies of the default action that a server showing "default" would draw twice."""
    default = dict(actions).get("default")
    if not shows_default or default is None:
        return list(actions)
    return [(key, label) for key, label in actions if key == "default" or label != default]


def notify_args(server: ServerInfo | frozenset[str], title: str, body: str, *, replaces_id: int = 0,
                icon_path: str = "", tag: str = "", actions: Sequence[Action] = (),
                expire_s: int | None = None) -> tuple[Any, ...]:
    """The body of a ``Notify`` call (signature ``susssasa{sv}i``) for ``server`` (or just its caps).

    Buttons only where the server has "actions" (else they would be silently
    dropped and the bubble would promise nothing it cannot do), each once as the
    server draws them; the body escaped where the server reads markup; the icon
    as ``app_icon`` and ``image-path``.
    """
    if not isinstance(server, ServerInfo):
        server = ServerInfo(frozenset(server))
    caps = server.caps
    flat: list[str] = []
    if "actions" in caps:
        for key, label in shown_actions(actions, server.shows_default):
            flat += [key, label]
    if "body-markup" in caps:
        body = _escape_markup(body)
    hints: dict[str, tuple[str, Any]] = {
        "desktop-entry": ("s", DESKTOP_ENTRY),
        "category": ("s", CATEGORY_REMINDER if tag else CATEGORY_NOTICE),
        "urgency": ("y", 1),
    }
    if icon_path:
        hints["image-path"] = ("s", icon_path)
    expire_ms = int((DEFAULT_EXPIRE_S if expire_s is None else expire_s) * 1000)
    return (APP_NAME, replaces_id, icon_path, title, body, flat, hints, expire_ms)
