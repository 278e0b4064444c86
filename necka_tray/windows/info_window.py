"""Necka's pages, "When to see a professional" and "Relief now", as a small window of their own.

Opened from the tray menu and from the session window (F1), each in its own
process like every Necka window, so the tray never loads Tk. The text is
``care.py``'s; this module only lays it out in the user's look (theme, text
size), keyboard first: Esc or Enter closes, Tab reaches both buttons, the
other page is one button away.
"""

from __future__ import annotations

import tkinter as tk

from necka_tray import care
from necka_tray.i18n import _
from necka_tray.windows import palette, scaling, theme
from necka_tray.windows.palette import DEFAULT, Palette

#: Text width in 1/96 inch (longer lines are hard to read).
WRAP = 500


class InfoWindow:
    def __init__(self, root: tk.Tk, page: care.Page, pal: Palette = DEFAULT, text_scale: float = 1.0,
                 open_page=None) -> None:
        self.root = root
        px = scaling.apply(root)
        f = palette.make_fonts(root, text_scale)
        wrap = round(WRAP * px * max(1.0, text_scale))
        root.withdraw()
        root.title(_("Necka — {page}").format(page=page.title))
        root.configure(bg=pal.bg)
        body = tk.Frame(root, bg=pal.bg, padx=round(28 * px), pady=round(20 * px))
        body.pack(fill="both", expand=True)

        def label(parent, text, font, fg=pal.text, **kw):
            w = tk.Label(parent, text=text, font=f[font], fg=fg, bg=parent.cget("bg"), wraplength=wrap,
                         justify="left", anchor="w", **kw)
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
            buttons.append(theme.button(row, text, lambda: open_page(other), f["button"], px, palette=pal))
        self.close_btn = theme.button(row, _("Close (Esc)"), root.destroy, f["button"], px, primary=True,
                                      palette=pal)
        buttons.append(self.close_btn)
        for i, b in enumerate(buttons):
            b.grid(row=0, column=i, padx=(round(8 * px), 0))
        root.bind("<Escape>", lambda e: root.destroy())
        root.bind("<Map>", lambda e: e.widget is root and (root.focus_force(), self.close_btn.focus_set()))
        root.update_idletasks()
        w, h = root.winfo_reqwidth(), root.winfo_reqheight()
        root.geometry(f"+{max(0, (root.winfo_screenwidth() - w) // 2)}+{max(0, (root.winfo_screenheight() - h) // 4)}")
        root.minsize(w, h)
        root.deiconify()
        root.lift()


def main(page_name: str) -> int:
    """Show ``page_name``; prints one JSON line when it closes."""
    from necka_tray.store import config
    from necka_tray.store.paths import AppPaths
    from necka_tray.windows.session_window import _open_page

    settings = config.load(AppPaths.for_user().config_file).settings
    root = tk.Tk(className="Necka")
    InfoWindow(root, care.page(page_name), palette.PALETTES.get(settings["session.theme"], DEFAULT),
               float(settings["session.text_scale"]), open_page=lambda name: (_open_page(name), root.destroy()))
    root.mainloop()
    from necka_tray import protocol

    print(protocol.encode(protocol.InfoClosed(page_name)), flush=True)
    return 0
