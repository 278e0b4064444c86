"""The pywayland side of the Wayland idle source: one connection, one notification, one thread.

The thread sleeps in ``select`` on the Wayland socket and a wake-up pipe, so it
runs only when the compositor says idle/resumed or when the app re-arms or
closes it. libwayland proxies belong to the thread that dispatches them: every
request after start-up is made on that thread (re-arming goes through the pipe).
"""

from __future__ import annotations

import logging
import os
import select
import threading
from typing import Any

from necka_tray.desktop.idle.wayland_times import IdleTimes

logger = logging.getLogger(__name__)

#: What each protocol calls its two events and its destructor.
EXT = "ext-idle"
KDE = "kde-idle"


class Watch:
    """Connect, bind the seat and an idle protocol (``ext_idle_notifier_v1`` first), then watch."""

    def __init__(self, display_name: str, times: IdleTimes) -> None:
        from pywayland.client import Display
        from pywayland.protocol.wayland import WlSeat

        self._times = times
        self._display = Display(display_name)
        self._display.connect()
        try:
            offered: dict[str, tuple[int, int]] = {}
            registry = self._display.get_registry()

            def on_global(_registry: Any, name: int, iface: str, version: int) -> None:  # must return None to C
                offered.setdefault(iface, (name, version))

            registry.dispatcher["global"] = on_global
            self._display.roundtrip()
            if "wl_seat" not in offered:
                raise LookupError("the compositor offers no seat")
            self._seat = registry.bind(offered["wl_seat"][0], WlSeat, 1)
            self._bind_manager(registry, offered)
            self._notification: Any = None
            self._arm(times.timeout)
            self._display.roundtrip()  # a protocol error shows here, not on the thread
        except BaseException:
            self._display.disconnect()
            raise
        self._wake_r, self._wake_w = os.pipe()
        self._pending: list[float | None] = []  # new timeouts; None: close
        self._lock = threading.Lock()
        self._closed = False  # the pipe is closed: its numbers may belong to another file now
        self._thread = threading.Thread(target=self._run, name="necka-wayland-idle", daemon=True)
        self._thread.start()

    def _bind_manager(self, registry: Any, offered: dict[str, tuple[int, int]]) -> None:
        if "ext_idle_notifier_v1" in offered:
            from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1

            name, version = offered["ext_idle_notifier_v1"]
            version = min(version, ExtIdleNotifierV1.version)  # what both sides know
            self.protocol = EXT
            self._manager = registry.bind(name, ExtIdleNotifierV1, version)
            self._input_only = version >= 2
        elif "org_kde_kwin_idle" in offered:
            from necka_tray.desktop.wayland_protocols.idle import OrgKdeKwinIdle

            self.protocol = KDE
            self._manager = registry.bind(offered["org_kde_kwin_idle"][0], OrgKdeKwinIdle, 1)
        else:
            raise LookupError("the compositor offers neither ext_idle_notifier_v1 nor org_kde_kwin_idle")

    def _arm(self, timeout: float) -> None:
        """A new notification for ``timeout``; the old one, if any, is destroyed."""
        old = self._notification
        ms = int(round(timeout * 1000))
        if self.protocol == EXT:
            # Version 2's input notification ignores idle inhibitors (a playing video): input is what
            # sitting time is about, as on X11 and GNOME. Version 1 only has the other kind.
            make = self._manager.get_input_idle_notification if self._input_only else self._manager.get_idle_notification
            notification = make(ms, self._seat)
            notification.dispatcher["idled"] = lambda _p: self._times.idled()
            if old is not None:
                old.destroy()
        else:
            notification = self._manager.get_idle_timeout(self._seat, ms)
            notification.dispatcher["idle"] = lambda _p: self._times.idled()
            if old is not None:
                old.release()
        notification.dispatcher["resumed"] = lambda _p: self._times.resumed()
        self._notification = notification
        self._times.rearmed(timeout)

    def rearm(self, timeout: float) -> None:
        self._post(timeout)

    def close(self) -> None:
        self._post(None)
        self._thread.join(timeout=2)

    def _post(self, command: float | None) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending.append(command)
            os.write(self._wake_w, b"x")

    def _run(self) -> None:
        fd = self._display.get_fd()
        try:
            while True:
                self._display.dispatch(block=False)
                self._display.flush()
                ready, _, _ = select.select([fd, self._wake_r], [], [])
                if self._wake_r in ready:
                    os.read(self._wake_r, 64)
                    with self._lock:
                        commands, self._pending = self._pending, []
                    if None in commands:
                        return
                    self._arm(commands[-1])
                    continue
                self._display.dispatch(block=True)  # the socket is readable: this reads, then dispatches
        except Exception as exc:
            logger.warning("Wayland idle notifications stopped (%s): idle time is unknown from now on.", exc)
        finally:
            self._times.lost = True
            with self._lock:
                self._closed = True
                os.close(self._wake_r)
                os.close(self._wake_w)
            self._display.disconnect()
