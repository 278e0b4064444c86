"""sway: is the focused window full screen? Read from sway's IPC (``swaymsg -t get_tree``).

On Wayland the X11 answer is wrong (Xwayland sees only X clients' windows), so a
sway session asks sway. The tree is read when a reminder is due or waits, by the
``swaymsg`` that ships with sway (``SWAYSOCK`` names the socket), like the call
sources' ``pw-dump``: no client of sway's IPC in Necka, no process kept running.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable, Mapping

from necka_tray.desktop.calls import run_json


def focused_fullscreen(tree: Any) -> bool:
    """True when the focused window, or a container holding it, is full screen (sway's ``fullscreen_mode``
    1 = on its workspace, 2 = across outputs; workspaces always say 1, so only windows and containers
    count). Any other shape of input is "not full screen"."""
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        if not isinstance(node, dict):
            continue
        mode = node.get("fullscreen_mode")
        window = node.get("type") in ("con", "floating_con")
        inside = inside or (window and isinstance(mode, int) and not isinstance(mode, bool) and mode in (1, 2))
        if window and node.get("focused") is True:
            return inside
        for key in ("nodes", "floating_nodes"):
            children = node.get(key)
            if isinstance(children, list):
                stack.extend((child, inside) for child in children)
    return False


def socket_path(env: Mapping[str, str], uid: int | None = None) -> str | None:
    """``SWAYSOCK``, or (a Necka started outside sway's own environment) the newest of this user's
    ``$XDG_RUNTIME_DIR/sway-ipc.<uid>.<pid>.sock``; the probe then says whether sway answers there."""
    if env.get("SWAYSOCK"):
        return env["SWAYSOCK"]
    runtime = env.get("XDG_RUNTIME_DIR")
    if not runtime:
        return None
    uid = os.getuid() if uid is None else uid
    sockets = sorted(Path(runtime).glob(f"sway-ipc.{uid}.*.sock"), key=lambda p: p.stat().st_mtime)
    return str(sockets[-1]) if sockets else None


def _get_tree(sock: str) -> Callable[[], Any]:
    argv = ["swaymsg", "-s", sock, "-r", "-t", "get_tree"]
    return lambda: run_json(argv)


class SwayFullscreen:
    name = "sway-fullscreen"

    def __init__(self, get_tree: Callable[[], Any]) -> None:
        self._get_tree = get_tree
        self.quiet()  # probe: raises where sway does not answer

    def quiet(self) -> bool:
        return focused_fullscreen(self._get_tree())


def open_source(env: Mapping[str, str]) -> SwayFullscreen | None:
    sock = socket_path(env)
    if sock is None or shutil.which("swaymsg") is None:
        return None
    return SwayFullscreen(_get_tree(sock))
