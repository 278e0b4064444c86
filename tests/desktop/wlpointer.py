"""Real pointer input on a wlroots compositor (sway), where xdotool cannot reach Wayland clients
such as waybar: a virtual pointer (``zwlr_virtual_pointer_v1``) through pywayland.

Debian 12 has no wlrctl/ydotool for this, and pywayland ships no bindings for wlroots' own
protocols, so its scanner builds them once per run from ``protocols/virtual-pointer.xml``.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import time
from pathlib import Path

XML = Path(__file__).parent / "protocols" / "virtual-pointer.xml"
PACKAGE = "necka_test_wlproto"
BTN = {1: 0x110, 2: 0x112, 3: 0x111}  # BTN_LEFT, BTN_MIDDLE, BTN_RIGHT (linux/input-event-codes.h)


def _bindings():
    """The generated module, imported from a package of its own in a temp dir."""
    if PACKAGE not in sys.modules:
        from pywayland.scanner import Protocol

        root = Path(tempfile.mkdtemp(prefix="necka-wlproto-"))
        pkg = root / PACKAGE
        pkg.mkdir()
        (pkg / "__init__.py").write_text("")
        # The generated code imports wl_seat from a sibling module "wayland": the core protocol.
        (pkg / "wayland.py").write_text("from pywayland.protocol.wayland import WlSeat, WlSeatProxy  # noqa: F401\n")
        protocol = Protocol.parse_file(str(XML))
        protocol.output(str(pkg), {"wl_seat": "wayland", **{i.name: protocol.name for i in protocol.interface}})
        sys.path.insert(0, str(root))
    return importlib.import_module(f"{PACKAGE}.{'wlr_virtual_pointer_unstable_v1'}")


class VirtualPointer:
    """A pointer of the compositor's seat that moves to absolute output positions and clicks."""

    def __init__(self, socket: str, width: int, height: int):
        from pywayland.client import Display
        from pywayland.protocol.wayland import WlSeat

        proto = _bindings()
        self.size = (width, height)
        self.display = Display(socket)
        self.display.connect()
        found: dict = {}
        registry = self.display.get_registry()

        def on_global(registry, name, interface, version):
            if interface == "zwlr_virtual_pointer_manager_v1":
                found["manager"] = registry.bind(name, proto.ZwlrVirtualPointerManagerV1, 1)
            elif interface == "wl_seat" and "seat" not in found:
                found["seat"] = registry.bind(name, WlSeat, 1)

        registry.dispatcher["global"] = on_global
        self.display.roundtrip()
        if "manager" not in found:
            self.display.disconnect()
            raise RuntimeError(f"{socket}: the compositor offers no zwlr_virtual_pointer_manager_v1")
        self.pointer = found["manager"].create_virtual_pointer(found.get("seat"))
        self.display.roundtrip()

    @staticmethod
    def _ms() -> int:
        return int(time.monotonic() * 1000) & 0xFFFFFFFF

    def move(self, x: int, y: int) -> None:
        self.pointer.motion_absolute(self._ms(), x, y, *self.size)
        self.pointer.frame()
        self.display.roundtrip()

    def click(self, x: int, y: int, button: int = 1) -> None:
        self.move(x, y)
        for state in (1, 0):  # pressed, released
            self.pointer.button(self._ms(), BTN[button], state)
            self.pointer.frame()
            self.display.roundtrip()

    def nudge(self) -> None:
        """A one-pixel move there and back: input that resets the seat's idle timer."""
        for d in (1, -1):
            self.pointer.motion(self._ms(), d, 0)
            self.pointer.frame()
        self.display.roundtrip()

    def close(self) -> None:
        self.display.disconnect()
