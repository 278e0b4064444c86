"""Desktop notifications: one small interface, two backends, failures made visible.

On Linux the bubbles go straight to ``org.freedesktop.Notifications`` over
D-Bus (``notify_dbus.py``): buttons that work, one bubble per kind replaced
in place, no process spawned per bubble. plyer is the path on Windows and
macOS, and on Linux when there is no session bus at all. plyer on Linux
without dbus-python shells out to ``notify-send``, never reports a failure
and drops the timeout and the icon; so there we first ask the session bus
(jeepney) whether a service is there, and pass plyer's per-backend keys.

When a bubble cannot be shown ``notify`` returns False: the caller still
shows the reminder in the tray, and ``Availability`` warns once per outage,
not every time, and logs when bubbles work again.
"""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Callable, Protocol, Sequence

logger = logging.getLogger(__name__)

APP_NAME = "Necka"
SERVICE = "org.freedesktop.Notifications"
#: How long a bubble stays when the caller does not say.
DEFAULT_EXPIRE_S = 20

#: (key, label) of a bubble's button; the key "default" is a click on the bubble itself.
Action = tuple[str, str]


class Notifier(Protocol):
    def notify(self, title: str, body: str, *, tag: str = "", actions: Sequence[Action] = (),
               expire_s: int | None = None) -> bool:
        """Show a notification; False when it could not be shown. Any thread.

        ``tag``: a bubble with the same tag replaces the previous one. ``actions``: the buttons,
        where the server shows them; a press comes back through the backend's ``on_event``.
        """


class Availability:
    """Warns once when bubbles stop working and logs when they come back."""

    def __init__(self) -> None:
        self.warned = False

    def failed(self, problem: str) -> None:
        if not self.warned:
            logger.warning(
                "Desktop notifications are not available (%s). Reminders still show in the tray icon.", problem)
            self.warned = True

    def worked(self) -> None:
        if self.warned:
            logger.info("action=notify state=recovered")
            self.warned = False


class PlyerNotifier:
    """plyer: no buttons, no replacing; ``tag`` and ``actions`` are ignored."""

    def __init__(self, icon_path: str = "", timeout_s: int = DEFAULT_EXPIRE_S,
                 availability: Availability | None = None) -> None:
        self._icon_path = icon_path
        self._timeout_s = timeout_s
        self.availability = availability or Availability()

    def notify(self, title: str, body: str, *, tag: str = "", actions: Sequence[Action] = (),
               expire_s: int | None = None) -> bool:
        problem = self._service_problem()
        if problem is None:
            try:
                self._send(title, body, expire_s or self._timeout_s)
                self.availability.worked()
                return True
            except Exception as exc:  # plyer raises whatever its backend raises
                problem = f"{type(exc).__name__}: {exc}"
        self.availability.failed(problem)
        return False

    def _send(self, title: str, body: str, timeout_s: int) -> None:
        with warnings.catch_warnings():
            # plyer warns that dbus-python is missing, then uses notify-send: fine for us.
            warnings.simplefilter("ignore")
            self._send_plyer(title, body, timeout_s)

    def _send_plyer(self, title: str, body: str, timeout_s: int) -> None:
        from plyer import notification

        # plyer's public call (through notify-send on Linux it keeps bubbles until closed; Necka's own
        # D-Bus notifier, which sets expiry and buttons, is the one used wherever D-Bus answers).
        notification.notify(title=title, message=body, app_name=APP_NAME, app_icon=self._icon_path, timeout=timeout_s)

    def _service_problem(self) -> str | None:
        """Why notifications cannot be shown now, or None. Linux only; elsewhere trust plyer."""
        if not sys.platform.startswith("linux"):
            return None
        return linux_notification_service_problem()


def linux_notification_service_problem() -> str | None:
    try:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return None  # cannot check; let plyer try
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            if conn.send_and_get_reply(message_bus.NameHasOwner(SERVICE), timeout=2).body[0]:
                return None
            names = conn.send_and_get_reply(message_bus.ListActivatableNames(), timeout=2).body[0]
            if SERVICE in names:
                return None
            return "no notification service is running on the session bus"
    except Exception as exc:
        return f"no D-Bus session bus ({exc})"


class LogNotifier:
    """Logs instead of notifying: for tests and headless runs."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.options: list[dict] = []  # tag, actions, expire_s of each, in order

    def notify(self, title: str, body: str, *, tag: str = "", actions: Sequence[Action] = (),
               expire_s: int | None = None) -> bool:
        self.sent.append((title, body))
        self.options.append({"tag": tag, "actions": tuple(actions), "expire_s": expire_s})
        logger.info("action=notify title=%r", title)
        return True
