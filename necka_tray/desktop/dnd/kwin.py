"""KWin on Wayland (Plasma 5.27): is the active window full screen? Told by Necka's KWin script.

KWin gives Wayland clients no window state, Xwayland sees only X clients' windows, and KWin's
own D-Bus API names no active window (``getWindowInfo`` wants a uuid that nothing hands out,
``queryWindowInfo`` asks the user to click one). A KWin script sees it: Necka loads
``kwin_fullscreen.js`` through ``org.kde.kwin.Scripting``; the script calls ``FullScreen(b)`` on
Necka's ``io.github.necka.Necka.KWinWatch`` at the start and whenever the active window or its
full screen changes, and ``quiet`` returns the last answer. No polling: the connection's receiver
thread blocks until KWin calls. Only calls from KWin's own connection count (the bus says who
owns ``org.kde.KWin``). The script is unloaded when Necka exits; one left by a Necka that was
killed is unloaded at the next start, and a restarted KWin gets the script again.
"""

from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path
from typing import Any, Mapping

from necka_tray.desktop.dnd.bus import BusError

logger = logging.getLogger(__name__)

NAME = "io.github.necka.Necka.KWinWatch"  # the script's callDBus names it: keep the two the same
PATH = "/io/github/necka/Necka/KWinWatch"
KWIN = "org.kde.KWin"
SCRIPTING = ("/Scripting", KWIN, "org.kde.kwin.Scripting")
PLUGIN = "necka-fullscreen"
SCRIPT = Path(__file__).with_name("kwin_fullscreen.js")
#: How long the probe waits for the script's first report.
FIRST_REPORT_S = 3.0


class KWinFullscreen:
    name = "kwin-fullscreen"

    def __init__(self, script: Path = SCRIPT, timeout: float = FIRST_REPORT_S) -> None:
        from jeepney.bus_messages import message_bus

        from necka_tray.desktop.dbus_link import BusLink, NameOwner, get_name_owner

        self._script = script
        self._fullscreen = False
        self._told = threading.Event()
        self._kwin = NameOwner(KWIN)
        self._loaded_for: str | None = None  # the KWin connection that runs our script
        self._link = BusLink.open(on_signal=self._signal, name="kwin-watch", on_call=self._call)
        try:
            self._ask(message_bus.AddMatch(self._kwin.rule()))
            if self._kwin.set_from_reply(self._link.request(get_name_owner(KWIN), timeout=2)) is None:
                raise LookupError("KWin is not on the session bus")
            if self._ask(message_bus.RequestName(NAME, 4))[0] != 1:  # DO_NOT_QUEUE; 1: the primary owner
                raise LookupError(f"another program holds {NAME}")
            self._load()
            if not self._told.wait(timeout):
                raise LookupError(f"KWin's script did not report within {timeout:g} s")
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)

    def quiet(self) -> bool:
        if not self._link.alive:
            raise RuntimeError("the kwin-watch D-Bus connection has ended")
        owner = self._kwin.owner
        if owner is not None and owner != self._loaded_for:  # KWin restarted: our script went with it
            self._load()
        return self._fullscreen

    def close(self) -> None:
        """Unload the script (it would call a name nobody holds) and close the connection; once."""
        atexit.unregister(self.close)
        if self._loaded_for is not None and self._link.alive:
            try:
                self._scripting("unloadScript", "s", PLUGIN)
            except Exception as exc:
                logger.debug("unloading the KWin script failed: %s", exc)
        self._loaded_for = None
        self._link.close()

    # -- KWin's scripting interface --------------------------------------------------------

    def _load(self) -> None:
        owner = self._kwin.owner
        self._scripting("unloadScript", "s", PLUGIN)  # one a killed Necka left: loadScript refuses a loaded name
        script_id = self._scripting("loadScript", "ss", str(self._script), PLUGIN)[0]
        if script_id < 0:
            raise LookupError(f"KWin did not load {self._script}")
        self._loaded_for = owner
        self._ask(self._method(f"/{script_id}", "org.kde.kwin.Script", "run"))  # KWin 5.27: /<id>
        logger.info("action=kwin-script state=loaded id=%s", script_id)

    def _scripting(self, method: str, signature: str, *args: Any) -> tuple:
        path, bus_name, interface = SCRIPTING
        return self._ask(self._method(path, interface, method, signature, args, bus_name=bus_name))

    @staticmethod
    def _method(path: str, interface: str, method: str, signature: str | None = None, body: tuple = (),
                bus_name: str = KWIN):
        from jeepney import DBusAddress, new_method_call

        return new_method_call(DBusAddress(path, bus_name=bus_name, interface=interface), method, signature, body)

    def _ask(self, msg: Any) -> tuple:
        from jeepney import HeaderFields, MessageType

        reply = self._link.request(msg, timeout=2)
        if reply.header.message_type == MessageType.error:
            raise BusError(str(reply.header.fields.get(HeaderFields.error_name)), reply.body)
        return reply.body

    # -- on the receiver thread --------------------------------------------------------------

    def _call(self, msg: Any) -> Any:
        """KWin's ``FullScreen(b)``: the answer kept for ``quiet``. Anyone else's: refused."""
        from jeepney import HeaderFields, new_error, new_method_return

        fields = msg.header.fields
        if (fields.get(HeaderFields.path), fields.get(HeaderFields.member)) != (PATH, "FullScreen"):
            return None  # UnknownMethod
        if not self._kwin.sent(msg) or fields.get(HeaderFields.signature) != "b":
            logger.debug("action=kwin-watch refused sender=%s", fields.get(HeaderFields.sender))
            return new_error(msg, "org.freedesktop.DBus.Error.AccessDenied")
        self._fullscreen = bool(msg.body[0])
        self._told.set()
        logger.debug("action=kwin-watch fullscreen=%s", self._fullscreen)
        return new_method_return(msg)

    def _signal(self, msg: Any) -> None:
        if self._kwin.changed(msg):  # KWin left (or restarted): what it said no longer holds
            self._fullscreen = False


def open_source(env: Mapping[str, str]) -> KWinFullscreen | None:
    if not env.get("WAYLAND_DISPLAY"):
        return None
    return KWinFullscreen()
