"""The XEmbed icon's menu and tooltip: short-lived Tk helper processes (``windows/popup_menu.py``).

Why processes: Tk and Pillow's fonts would weigh on the tray process for good,
and a menu is open for seconds a day. The X thread of ``tray/xembed.py`` owns
this object; the helpers' results come back through ``Children`` on that thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from necka_tray.core.actions import Action
    from necka_tray.children.processes import Children
    from necka_tray.tray.menu_model import Entry


class Popups:
    """At most one menu process and one tooltip process at a time."""

    def __init__(self, children: Children, on_action: Callable[[Action], None]) -> None:
        self._children = children
        self._on_action = on_action
        self._menu = None  # the menu process while it is open
        self._tooltip = None  # the tooltip process while it shows

    @property
    def tooltip_shows(self) -> bool:
        return self._tooltip is not None

    def open_menu(self, x: int, y: int, entries: tuple[Entry, ...]) -> None:
        from necka_tray.children import protocol
        from necka_tray.tray.menu_model import to_json

        # An open menu holds the pointer grab, so a click here means the last menu is
        # closing (unposted, its process not yet gone): end it and open the new one.
        self.close_menu()
        request = protocol.encode(protocol.MenuRequest(x, y, to_json(entries)))
        self._menu = self._children.start("menu", on_end=self._chosen, expect=protocol.MenuChoice, send=request)

    def _chosen(self, choice, _code: int) -> None:
        if choice is not None:
            self._on_action(choice.action)

    def close_menu(self) -> None:
        if self._menu is not None and self._menu.poll() is None:
            self._menu.terminate()

    def show_tooltip(self, text: str, icon: tuple[int, int, int, int]) -> None:
        """Show ``text`` beside the icon at ``icon`` (x, y, width, height on the root window)."""
        if self._tooltip is None:
            self._tooltip = self._children.start("menu", keep_stdin=True)
            self.tell_tooltip(text, icon)

    def tell_tooltip(self, text: str, icon: tuple[int, int, int, int] | None = None) -> None:
        """Give a showing tooltip its new text (and, the first time, where the icon is)."""
        if self._tooltip is None:
            return
        from necka_tray.children import protocol

        try:
            self._tooltip.stdin.write(protocol.encode(protocol.Tooltip(text, icon)).encode() + b"\n")
            self._tooltip.stdin.flush()
        except OSError:
            self.hide_tooltip()

    def hide_tooltip(self) -> None:
        proc, self._tooltip = self._tooltip, None
        if proc is not None:
            try:
                proc.stdin.close()  # the helper closes its window at end of input (its waiter reaps it)
            except OSError:
                pass
