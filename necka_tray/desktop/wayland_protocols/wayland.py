"""The core interfaces the generated bindings import as ``.wayland`` (pywayland's own, re-exported)."""

from pywayland.protocol.wayland import WlSeat, WlSeatProxy

__all__ = ["WlSeat", "WlSeatProxy"]
