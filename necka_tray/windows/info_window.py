"""Necka's pages, "When to see a professional" and "Relief now", as a small window of their own.

Opened from the tray menu and from the session window (F1), each in its own
process like every Necka window, so the tray never loads Tk. The text is
``care.py``'s; this module only lays it out in the user's look (theme, text
size, from ``base``), keyboard first: Esc or Enter closes, Tab reaches both
buttons, the other page is one button away.
"""

from __future__ import annotations

import tkinter as tk

from necka_tray.texts import care
from necka_tray.texts.i18n import _
from necka_tray.windows import base, palette

#: Text width in 1/96 inch (longer lines are hard to read).
WRAP = 500


class InfoWindow(base.Window):
    def __init__(self, root: tk.Tk, page: care.Page, look: base.Look | None = None, open_page=None) -> None:
        super().__init__(root, _("Necka — {page}").format(page=page.title), look)
        px, f, pal = self.px, self.fonts, self.pal
        wrap = self.wrap(WRAP)
        body = tk.Frame(root, bg=pal.bg, padx=round(28 * px), pady=round(20 * px))
        body.pack(fill="both", expand=True)

        def label(parent, text, font, fg=pal.text):
            w = self.label(parent, text, font, fg=fg, wraplength=wrap, justify="left", anchor="w")
            w.pack(fill="x", anchor="w")
            return w

        label(body, page.title, "title")
        label(body, page.intro, "body").pack_configure(pady=(round(6 * px), round(4 * px)))
        for section in page.sections:
            # An urgent section is framed in the warning colour: it must not be skimmed past.
            box = body
            if section.urgent:
                box = tk.Frame(body, bg=pal.bg, highlightthickness=max(2, round(2 * px)),
                               highlightbackground=pal.paused, highlightcolor=pal.paused,
                               padx=round(12 * px), pady=round(8 * px))
                box.pack(fill="x", pady=(round(12 * px), 0))
            label(box, section.heading, "heading", fg=pal.paused if section.urgent else pal.accent).pack_configure(
                pady=(0 if section.urgent else round(12 * px), round(4 * px)))
            palette.bullets(box, section.items, f["body"], pal.text, wrap, px).pack(fill="x", padx=(round(8 * px), 0))
        label(body, page.outro, "cue", fg=pal.accent).pack_configure(pady=(round(14 * px), round(14 * px)))

        row = tk.Frame(body, bg=pal.bg)
        row.pack(anchor="e")
        other = care.RELIEF if page.name == care.CARE else care.CARE
        buttons = []
        if open_page is not None:
            text = _("Relief now…") if other == care.RELIEF else _("When to see a professional…")
            buttons.append(self.button(row, text, lambda: open_page(other)))
        self.close_btn = self.button(row, _("Close (Esc)"), root.destroy, primary=True)
        buttons.append(self.close_btn)
        for i, b in enumerate(buttons):
            b.grid(row=0, column=i, padx=(round(8 * px), 0))
        root.bind("<Escape>", lambda e: root.destroy())
        root.bind("<Map>", lambda e: e.widget is root and (root.focus_force(), self.close_btn.focus_set()))
        self.show(height_share=4)


def helper_main(argv: list[str]) -> int:
    """``info PAGE`` as the tray starts it (helpers.HELPERS): the page name, checked."""
    import sys

    if len(argv) != 1 or argv[0] not in care.PAGES:
        print("necka-tray info: " + _("choose a page from {pages}").format(pages=", ".join(care.PAGES)), file=sys.stderr)
        return 2
    return main(argv[0])


def main(page_name: str) -> int:
    """Show ``page_name``; prints one JSON line when it closes."""
    look = base.Look.from_settings(base.user_settings())
    root = base.new_root()
    InfoWindow(root, care.page(page_name), look, open_page=lambda name: (base.open_page(name), root.destroy()))
    root.mainloop()
    from necka_tray.children import protocol

    base.emit(protocol.InfoClosed(page_name))
    return 0
