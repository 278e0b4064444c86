"""The table of Necka's helper processes and the one way to build their command lines.

The tray process never loads Tk or Pillow: every window, the xembed tray's
menu and tooltip, and the icon drawing run as short-lived processes of their
own. This module is neutral ground: the tray (``children/processes.py`` starts
them), the windows (a session window opens an info page) and
``desktop/autostart.py`` (the command that starts Necka at login) all build
command lines here, without importing one another. A frozen build has no
``python -m``: ``packaging/frozen_main.py`` runs ``helper NAME ...`` through
``run`` below, from this same table.

Stdlib only, imported by the tray at start: keep it small.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from necka_tray.children.commandline import self_command  # noqa: F401  (Necka's own CLI: one definition)

#: The first argument of a frozen build that names a helper (``necka-tray helper menu``).
FROZEN_ARG = "helper"
#: Set for a helper the tray starts: the tray's pid, so the helper can end with it.
PARENT_ENV = "NECKA_PARENT_PID"


@dataclass(frozen=True)
class Helper:
    """``entry``: ``module:function``; the function takes the helper's arguments (a list) and
    returns the exit code. ``result``: what the helper prints as its last line (protocol.py)."""

    entry: str
    result: str | None = None


#: name -> what runs. Every helper process Necka starts is listed here.
HELPERS: dict[str, Helper] = {
    "session": Helper("necka_tray.windows.session_window:main", result="session_end"),
    "stats": Helper("necka_tray.windows.stats_window:main"),
    "checkin": Helper("necka_tray.windows.checkin:main", result="checkin"),
    "info": Helper("necka_tray.windows.info_window:helper_main", result="info"),
    "menu": Helper("necka_tray.windows.popup_menu:helper_main", result="menu_choice"),  # the popup menu and the tooltip
    "icons": Helper("necka_tray.windows.icon_bitmaps:main"),
}


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def command(name: str, *args: str) -> list[str]:
    """The command line of helper ``name`` with ``args``. Straight to the helper, not through the
    CLI: a right click should not pay for building every subcommand's parser."""
    if name not in HELPERS:
        raise KeyError(f"no helper {name!r}")
    if frozen():
        return [sys.executable, FROZEN_ARG, name, *args]
    return [sys.executable, "-m", "necka_tray.children.helpers", name, *args]


_tray_pid: int | None = None  # the tray that started this helper (bind_to_parent), if one did


def started_by_tray() -> bool:
    """Whether the tray started this helper (``bind_to_parent`` found its pid)."""
    return _tray_pid is not None


def tray_gone() -> bool:
    """Whether the tray that started this helper has died (its reports would reach no one)."""
    import os

    return _tray_pid is not None and os.getppid() != _tray_pid


def bind_to_parent() -> None:
    """In a helper started by the tray: get SIGTERM when the tray dies (Linux), never an orphan.

    The kernel sends it when the tray's thread that started us ends, which in the tray
    happens only at quit or death. A tray that died before this ran is caught by
    comparing parents. The variable is removed so this helper's own children are free.
    """
    import os

    global _tray_pid
    parent = os.environ.pop(PARENT_ENV, "")
    if not parent.isdigit():
        return
    _tray_pid = int(parent)
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != int(parent):
        os.kill(os.getpid(), signal.SIGTERM)  # the tray is gone already: end as if told to


def run(name: str, argv: list[str]) -> int:
    """Run helper ``name`` in this process (``python -m necka_tray.children.helpers NAME ...``, frozen builds)."""
    bind_to_parent()
    helper = HELPERS.get(name)
    if helper is None:
        print(f"necka-tray: no helper {name!r}; choose from {', '.join(HELPERS)}", file=sys.stderr)
        return 2
    module, _, function = helper.entry.partition(":")
    return getattr(importlib.import_module(module), function)(list(argv))


if __name__ == "__main__":
    # Through the imported module, not this __main__ copy: the helper's own code reads its state
    # (``tray_gone``) from ``necka_tray.children.helpers``.
    from necka_tray.children import helpers as _module

    sys.exit(_module.run(sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:]))
