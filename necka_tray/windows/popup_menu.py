"""The tray's menu and tooltip as short-lived Tk processes, for tray icons that draw neither (``xembed.py``).

Menu: reads a ``protocol.MenuRequest`` on stdin (``menu_model.Entry`` as
JSON), pops the menu up at (x, y) and prints the chosen entry's action as one
``protocol.MenuChoice`` line; prints nothing when the menu is dismissed
(Escape, a click elsewhere).

Tooltip: reads a ``protocol.Tooltip`` with the icon's place as its first line
and shows the text next to the icon; each further ``Tooltip`` line changes
the text; the end of the input closes it.

Processes of their own, like the session window, so the tray process never
loads Tk.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

GRAB_RETRIES = 20  # 50 ms apart
#: The menu window's title, set only once the menu holds the pointer and keyboard: a menu
#: mapped but not yet grabbed (a busy machine, a grab retry) would let keys go elsewhere, so
#: whoever drives it (a screen reader, a test) can tell a menu that takes keys by its name.
MENU_TITLE = "Necka menu"
TOOLTIP_COLOURS = {"bg": "#2b2b2b", "fg": "#ffffff"}


def helper_main(argv: list[str]) -> int:
    """As the tray starts it (helpers.HELPERS): the popup menu takes no arguments."""
    return main()


def main() -> int:
    from necka_tray.children import protocol

    try:
        request = protocol.decode(sys.stdin.readline())
        if isinstance(request, protocol.Tooltip) and request.icon is not None:
            return tooltip(request.text, list(request.icon))
        if not isinstance(request, protocol.MenuRequest):
            raise protocol.BadMessage(f"unexpected {request.event}")
    except protocol.BadMessage as exc:
        print(f"necka-tray menu: bad request on stdin ({exc})", file=sys.stderr)
        return 2
    x, y, entries = request.x, request.y, request.entries
    import tkinter as tk
    from tkinter import font as tkfont

    from necka_tray.core.actions import Action

    root = tk.Tk(className="Necka")
    root.withdraw()
    bold = tkfont.nametofont("TkMenuFont").copy()
    bold.configure(weight="bold")
    keep: list[Any] = [bold]  # Tk variables and fonts die with their last Python reference

    def choose(action: list[Any]) -> None:
        try:
            print(protocol.encode(protocol.MenuChoice(Action.from_json(action))), flush=True)
        except ValueError as exc:  # a bug in the menu model: say it, choose nothing
            print(f"necka-tray menu: bad action {action!r} ({exc})", file=sys.stderr)
        root.after_idle(root.destroy)

    menu = _build(root, entries, choose, keep)
    x, y = _on_icons_monitor(menu, x, y)
    # The menu unmaps after a choice (its command runs first) or when dismissed: then quit.
    menu.bind("<Unmap>", lambda _e: root.after(100, root.destroy))

    def post(attempt: int = 0) -> None:
        try:
            menu.tk_popup(x, y)
        except tk.TclError:  # another client still holds the pointer (a menu closing a moment ago)
            if attempt < GRAB_RETRIES:
                root.after(50, post, attempt + 1)
            else:
                print("necka-tray menu: the pointer stays grabbed by another program", file=sys.stderr)
                root.destroy()
            return
        # Keys (arrows, Return, Escape) must reach the menu even where nothing gives focus on click.
        menu.focus_force()
        root.tk.call("wm", "title", str(menu), MENU_TITLE)

    root.after_idle(post)
    root.mainloop()
    return 0


def _on_icons_monitor(menu: Any, x: int, y: int) -> tuple[int, int]:
    """(x, y) moved so the whole menu stays on the monitor of the tray icon, never across two."""
    from necka_tray.windows import monitors

    found = monitors.pick(monitors.x11_monitors(), (x, y))
    if found is None:
        return x, y
    menu.update_idletasks()
    return monitors.clamped(found, x, y, menu.winfo_reqwidth(), menu.winfo_reqheight())


def tooltip(text: str, icon: list[int]) -> int:
    import tkinter as tk

    from necka_tray.children import protocol

    root = tk.Tk(className="Necka")
    root.withdraw()
    tip = tk.Toplevel(root)
    tip.withdraw()
    tip.overrideredirect(True)
    tip.title("Necka tooltip")
    label = tk.Label(tip, text=text, font="TkTooltipFont", padx=8, pady=4, **TOOLTIP_COLOURS)
    label.pack()

    def place() -> None:
        tip.update_idletasks()
        w, h = tip.winfo_reqwidth(), tip.winfo_reqheight()
        ix, iy, iw, ih = icon
        x = min(max(0, ix + iw // 2 - w // 2), tip.winfo_screenwidth() - w)
        y = iy + ih + 4 if iy + ih // 2 < tip.winfo_screenheight() // 2 else iy - h - 4
        tip.geometry(f"+{x}+{y}")
        tip.deiconify()
        tip.lift()

    pending = b""

    def read(_file=None, _mask=None) -> None:
        nonlocal pending
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:
            root.destroy()  # the pointer left the icon (or the tray went away)
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            message = protocol.parse(line, protocol.Tooltip, "tray")
            if message is None:
                continue
            label.configure(text=message.text)
            place()

    place()
    root.tk.createfilehandler(sys.stdin.fileno(), tk.READABLE, read)
    root.mainloop()
    return 0


#: A menu row's longest label, as a share of the screen's width: a routine's 60-character title in wide
#: glyphs (U+FDFD, cuneiform) would make the menu thousands of pixels wide; longer ones end in "…".
MAX_LABEL_SHARE = 0.4


def _fitted(menu, label: str, bold: bool, keep: list[Any]) -> str:
    from tkinter import font as tkfont

    from necka_tray.windows.elide import elide

    font = keep[0] if bold else tkfont.nametofont("TkMenuFont")
    most = max(240, round(menu.winfo_screenwidth() * MAX_LABEL_SHARE))
    return elide(label, lambda text: font.measure(text) <= most)


def _build(parent, entries: list[dict[str, Any]], choose: Callable[[list[Any]], None], keep: list[Any]):
    import tkinter as tk

    menu = tk.Menu(parent, tearoff=0)
    radio = tk.StringVar(menu)
    keep.append(radio)
    for e in entries:
        if e.get("separator"):
            menu.add_separator()
            continue
        options: dict[str, Any] = {"label": _fitted(menu, e.get("label", ""), bool(e.get("default")), keep)}
        if not e.get("enabled", True):
            options["state"] = "disabled"
        if e.get("default"):
            options["font"] = keep[0]
        action = e.get("action")
        if action:
            options["command"] = lambda a=action: choose(a)
        if e.get("children"):
            menu.add_cascade(menu=_build(menu, e["children"], choose, keep), **options)
        elif e.get("radio"):
            if e.get("checked"):
                radio.set(options["label"])
            menu.add_radiobutton(variable=radio, value=options["label"], **options)
        elif e.get("checked") is not None:
            var = tk.BooleanVar(menu, value=bool(e["checked"]))
            keep.append(var)
            menu.add_checkbutton(variable=var, **options)
        else:
            menu.add_command(**options)
    return menu


if __name__ == "__main__":
    sys.exit(main())
