"""The only module that imports pystray: the ``backend.TrayBackend`` on Windows, macOS and ``PYSTRAY_BACKEND``.

The one tray module allowed Pillow and ``necka_tray.windows`` (the boundary
test lists it): pystray itself needs a PIL image, so once pystray is loaded
Pillow is too, and drawing the icon here costs nothing more.

pystray's loop owns the main thread. Its menu callbacks run on that thread
and only post an action to the app's dispatcher; ``render`` is called from
the dispatcher thread, and the GTK backends marshal icon, title and menu
updates onto the main loop themselves. Each part is updated only when it
changed, so an idle tray is not redrawn.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

from necka_tray.core.actions import Action
from necka_tray.core.planner import TrayView
from necka_tray.tray.menu_model import Entry
from necka_tray.windows.icon import draw_icon

logger = logging.getLogger(__name__)


class Tray:
    def __init__(self, backend: str, on_action: Callable[[Action], None]) -> None:
        os.environ["PYSTRAY_BACKEND"] = backend
        import pystray

        self._pystray = pystray
        self._on_action = on_action
        self._entries: tuple[Entry, ...] = ()
        self._view: TrayView | None = None
        icon_class = _with_gtk_tooltip(pystray.Icon) if backend == "gtk" else pystray.Icon
        self._icon = icon_class("necka-tray", icon=draw_icon(), title="Necka", menu=pystray.Menu(self._items))

    has_secondary_action = False  # pystray reports no middle clicks

    @property
    def has_default_action(self) -> bool:
        return bool(getattr(self._icon, "HAS_DEFAULT_ACTION", True))

    @property
    def has_menu(self) -> bool:
        return bool(getattr(self._icon, "HAS_MENU", True))

    def run(self, setup: Callable[[], None]) -> None:
        """Show the icon and run the tray loop on this (main) thread; ``setup`` runs on its own thread."""

        def _setup(icon: Any) -> None:
            icon.visible = True
            setup()

        self._icon.run(setup=_setup)

    def stop(self) -> None:
        self._icon.stop()

    def render(self, view: TrayView, entries: tuple[Entry, ...]) -> None:
        old = self._view
        if old is None or old.icon_key != view.icon_key:
            self._icon.icon = draw_icon(view.ring_step, view.stretch_due, view.paused)
        if old is None or old.tooltip != view.tooltip:
            self._icon.title = view.tooltip
        self._view = view
        if entries != self._entries:
            self._entries = entries
            self._icon.update_menu()

    # -- menu ----------------------------------------------------------------

    def _items(self):
        return tuple(self._item(e) for e in self._entries)

    def _item(self, entry: Entry):
        pystray = self._pystray
        if entry.separator:
            return pystray.Menu.SEPARATOR
        if entry.children:
            return pystray.MenuItem(entry.label, pystray.Menu(*(self._item(c) for c in entry.children)))
        action = entry.action
        return pystray.MenuItem(
            entry.label,
            (lambda: self._on_action(action)) if action else None,
            checked=(lambda _item, c=entry.checked: c) if entry.checked is not None else None,
            radio=entry.radio,
            default=entry.default,
            enabled=entry.enabled,
        )


def _with_gtk_tooltip(icon_class):
    """pystray's gtk backend sets only the status icon's accessible title; show it as the tooltip too."""
    from gi.repository import GLib

    class GtkIconWithTooltip(icon_class):
        def _update_title(self) -> None:
            super()._update_title()
            GLib.idle_add(self._set_tooltip)

        def _set_tooltip(self) -> bool:
            self._status_icon.set_tooltip_text(self.title)
            return False  # run once

    return GtkIconWithTooltip
