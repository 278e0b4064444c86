"""Desktop notifications through plyer, with failures made visible.

plyer on Linux without dbus-python shells out to ``notify-send`` and never
reports a failure; through that path it also drops the timeout and the icon.
So on Linux we first ask the session bus (jeepney, pure Python) whether a
notification service is there, and pass plyer's per-backend keys for the
timeout and icon. When no service answers, ``notify`` returns False: the
caller still shows the reminder in the tray, and we warn once, not every time.
"""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Protocol

logger = logging.getLogger(__name__)

APP_NAME = "Necka"
SERVICE = "org.freedesktop.Notifications"


class Notifier(Protocol):
    def notify(self, title: str, body: str) -> bool:
        """Show a notification; False when it could not be shown. Any thread."""


class PlyerNotifier:
    def __init__(self, icon_path: str = "", timeout_s: int = 20) -> None:
        self._icon_path = icon_path
        self._timeout_s = timeout_s
        self._warned = False

    def notify(self, title: str, body: str) -> bool:
        problem = self._service_problem()
        if problem is None:
            try:
                self._send(title, body)
                if self._warned:
                    logger.info("action=notify state=recovered")
                    self._warned = False
                return True
            except Exception as exc:  # plyer raises whatever its backend raises
                problem = f"{type(exc).__name__}: {exc}"
        if not self._warned:
            logger.warning(
                "Desktop notifications are not available (%s). Reminders still show in the tray icon.",
                problem,
            )
            self._warned = True
        return False

    def _send(self, title: str, body: str) -> None:
        with warnings.catch_warnings():
            # plyer warns that dbus-python is missing, then uses notify-send: fine for us.
            warnings.simplefilter("ignore")
            self._send_plyer(title, body)

    def _send_plyer(self, title: str, body: str) -> None:
        from plyer import notification

        if sys.platform.startswith("linux"):
            # The public notify() cannot pass notify-send's expiry or icon.
            notification._notify(
                title=title,
                message=body,
                app_name=APP_NAME,
                app_icon=self._icon_path,
                icon=self._icon_path,
                timeout=self._timeout_s,
                expire_time=str(self._timeout_s * 1000),
                hints={},
            )
        else:
            notification.notify(
                title=title, message=body, app_name=APP_NAME, app_icon=self._icon_path, timeout=self._timeout_s
            )

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

    def notify(self, title: str, body: str) -> bool:
        self.sent.append((title, body))
        logger.info("action=notify title=%r", title)
        return True
