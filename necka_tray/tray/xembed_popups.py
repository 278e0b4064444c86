"""The XEmbed icon's menu and tooltip: short-lived Tk processes (``windows/popup_menu.py``).

Tk never loads in the tray process (it would stay there for good, with
Pillow's fonts for a tooltip); a right click starts a menu process that gets
the entries as JSON and prints the chosen action, a hover starts a tooltip
process that is told each new text and closes at the end of its input.
Called on the icon's X thread; a chosen action goes to ``on_action`` (which
posts to the app's dispatcher) from a waiter thread.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from dataclasses import asdict
from typing import Any, Callable

logger = logging.getLogger(__name__)


class Popups:
    def __init__(self, on_action: Callable[[tuple[Any, ...]], None]) -> None:
        self._on_action = on_action
        self._menu = None  # the menu process while it is open
        self._tooltip = None  # the tooltip process while it shows

    def open_menu(self, x: int, y: int, entries) -> None:
        # An open menu holds the pointer grab, so a click here means the last menu is
        # closing (unposted, its process not yet gone): end it and open the new one.
        self.close_menu()
        request = json.dumps({"x": x, "y": y, "entries": [asdict(e) for e in entries]})
        try:
            self._menu = subprocess.Popen(menu_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError as exc:
            logger.error("Could not open the tray menu (%s)", exc)
            return
        threading.Thread(target=self._wait_menu, args=(self._menu, request), name="menu-wait", daemon=True).start()

    def _wait_menu(self, proc, request: str) -> None:
        try:
            out, _ = proc.communicate(request.encode())
        except OSError as exc:
            logger.warning("The tray menu failed (%s)", exc)
            return
        for line in out.decode(errors="replace").splitlines():
            try:
                chosen = json.loads(line).get("action")
            except (ValueError, AttributeError):
                continue
            if isinstance(chosen, list) and chosen:
                self._on_action(tuple(chosen))
                return

    def close_menu(self) -> None:
        if self._menu is not None and self._menu.poll() is None:
            self._menu.terminate()

    def show_tooltip(self, text: str, icon: list[int]) -> None:
        """Show ``text`` below (or beside) the icon at ``icon`` = [x, y, width, height]; once."""
        if self._tooltip is not None:
            return
        try:
            self._tooltip = subprocess.Popen(menu_command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        except OSError as exc:
            logger.warning("Could not show the tooltip (%s)", exc)
            return
        self.tell_tooltip({"tooltip": text, "icon": icon})

    def tell_tooltip(self, message: dict) -> None:
        if self._tooltip is None:
            return
        try:
            self._tooltip.stdin.write(json.dumps(message).encode() + b"\n")
            self._tooltip.stdin.flush()
        except OSError:
            self.hide_tooltip()

    def hide_tooltip(self) -> None:
        proc, self._tooltip = self._tooltip, None
        if proc is not None:
            try:
                proc.stdin.close()  # the helper closes its window at end of input
            except OSError:
                pass
            threading.Thread(target=proc.wait, name="tooltip-wait", daemon=True).start()  # no zombie


def menu_command() -> list[str]:
    """The menu (or tooltip) process. Straight to the module, not through the CLI: a right
    click should not pay for building every subcommand's parser. (A frozen build has no
    ``-m``: packaging/frozen_main.py takes ``menu`` as its first argument.)"""
    if getattr(sys, "frozen", False):
        from necka_tray.tray.children import self_command

        return self_command("menu")
    return [sys.executable, "-m", "necka_tray.windows.popup_menu"]
