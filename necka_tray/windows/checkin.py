"""The neck check-in: "How does your neck feel?", one tap from 0 (no pain) to 10 (worst pain).

``build`` puts the question and a row of eleven buttons into any Tk frame (the
stretch session's "Well done" screen, the daily check-in window) and calls
back with the rating. Skipping is not answering: nothing asks twice. The
buttons are in the Tab order with an amber focus ring; Left and Right move
along the row, Enter or Space answers. ``main`` is the small daily check-in
window the tray opens (its own process, like every Necka window). Tk is
imported inside the functions that draw, so ``record`` (the command line's
``necka-tray checkin 4``) works without it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from necka_tray.core.clock import SystemClock
from necka_tray.core.events import RATING_MAX, RATING_MIN
from necka_tray.texts.i18n import N_, _

from necka_tray.texts.i18n import N_, _

if TYPE_CHECKING:
    import tkinter as tk
    from tkinter import font as tkfont

    from necka_tray.windows.palette import Palette

QUESTION = N_("How does your neck feel?")
DAILY_QUESTION = N_("How is your neck today?")
LOW, HIGH = N_("{rating} = no pain"), N_("{rating} = worst pain")
TITLE = N_("Necka — Neck check-in")
#: Real seconds the daily window stays after an answer, so the thanks can be read.
THANKS_MS = 1500


def build(parent: tk.Misc, on_rating: Callable[[int], None], fonts: dict[str, tkfont.Font], px: float = 1.0,
          question: str = QUESTION, on_engage: Callable[[], None] | None = None,
          pal: Palette | None = None) -> tk.Frame:
    """The question and its 0–10 row in a new frame (not yet packed); ``.buttons`` lists the buttons.

    ``on_engage`` runs once, when the pointer enters the row or a button gets the focus: a
    window that closes by itself should wait for someone who is answering.
    """
    import tkinter as tk

    from necka_tray.windows import theme
    from necka_tray.windows.palette import DEFAULT

    pal = pal or DEFAULT
    bg = parent.cget("bg")
    frame = tk.Frame(parent, bg=bg)
    tk.Label(frame, text=_(question), font=fonts["body"], fg=pal.text, bg=bg, wraplength=round(480 * px)).pack()
    row = tk.Frame(frame, bg=bg)
    row.pack(pady=(round(4 * px), 0))
    buttons: list[tk.Button] = []

    def choose(rating: int) -> None:
        after = buttons[-1].tk_focusNext()  # where the focus goes once the row is gone
        for child in row.winfo_children():
            child.destroy()
        if after is not None:
            after.focus_set()
        tk.Label(row, text=_("Thank you: noted {rating} of {most}.").format(rating=rating, most=RATING_MAX),
                 font=fonts["small_bold"], fg=pal.accent, bg=bg).grid(row=0, column=0)
        on_rating(rating)

    engaged = False

    def engage(_event=None) -> None:
        nonlocal engaged
        if on_engage is not None and not engaged:
            engaged = True
            on_engage()

    row.bind("<Enter>", engage)

    def move(index: int) -> str:
        buttons[index % len(buttons)].focus_set()
        return "break"

    for i, rating in enumerate(range(RATING_MIN, RATING_MAX + 1)):
        b = theme.button(row, str(rating), lambda r=rating: choose(r), fonts["button"], px, palette=pal,
                         width=2, padx=4, pady=4)
        b.grid(row=0, column=i, padx=round(2 * px))
        b.bind("<Left>", lambda e, i=i: move(i - 1))
        b.bind("<Right>", lambda e, i=i: move(i + 1))
        b.bind("<FocusIn>", engage)
        buttons.append(b)
    # Both ends of the scale in one strip under the row: in a long language they push apart, never overlap.
    ends = tk.Frame(row, bg=bg)
    ends.grid(row=1, column=0, columnspan=len(buttons), sticky="ew", pady=(round(1 * px), 0))
    for text, side in ((_(LOW).format(rating=RATING_MIN), "left"), (_(HIGH).format(rating=RATING_MAX), "right")):
        tk.Label(ends, text=text, font=fonts["small"], fg=pal.muted, bg=bg).pack(
            side=side, padx=(0, round(12 * px)) if side == "left" else 0)
    frame.buttons = buttons  # type: ignore[attr-defined]
    return frame


def record(rating: int, source: str, now: datetime | None = None) -> bool:
    """Store a rating in the user's history. While the file cannot be written (locked, full, from a
    newer Necka) it waits in the history's spool on disk and is written with the next event: one line
    on stderr says so. False (and one line) only when even the spool cannot be written."""
    from necka_tray.store import history_spool
    from necka_tray.store.paths import AppPaths

    event = ("checkin", now or SystemClock().now(), {"rating": rating, "source": source})
    try:
        paths = AppPaths.for_user()
        paths.ensure()
        history_spool.write(paths.history_db, [event])
    except Exception as exc:
        if not history_spool.is_file_fault(exc):
            print("necka-tray: " + _("could not save the check-in: {error}").format(error=exc), file=sys.stderr)
            return False
        try:
            spool = history_spool.add(paths.history_db, [event])
        except OSError as again:
            print("necka-tray: " + _("could not save the check-in: {error}").format(error=again), file=sys.stderr)
            return False
        from necka_tray.store.dbfile import TooNew

        if isinstance(exc, TooNew):  # no next event of this Necka's writes it: only a Necka that knows the file
            text = _("Necka's history {path} is kept as it is ({error}); what happens now waits in {spool} "
                     "and is saved when a Necka that knows this history runs.")
        else:
            text = _("the history {path} cannot be written now ({error}); the check-in waits in {spool} "
                     "and is saved with the next event.")
        print("necka-tray: " + text.format(path=paths.history_db, error=exc, spool=spool), file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    """The daily check-in window; prints one JSON line with the rating (null when skipped)."""
    import tkinter as tk

    from necka_tray.windows import base

    parser = base.parser("necka-tray checkin", _(DAILY_QUESTION))
    parser.add_argument("--no-record", action="store_true",
                        help=_("don't write the answer to the history (the tray records it from the result line)"))
    args = parser.parse_args(argv)
    look = base.Look.from_settings(base.user_settings())
    root = base.new_root()
    win = base.Window(root, _(TITLE), look)
    pal, px, fonts = win.pal, win.px, win.fonts
    answer: list[tuple[int, datetime]] = []
    body = tk.Frame(root, bg=pal.bg, padx=round(24 * px), pady=round(18 * px))
    body.pack(fill="both", expand=True)

    def on_rating(rating: int) -> None:
        answer.append((rating, SystemClock().now()))
        if not args.no_record:
            record(rating, "daily")
        root.after(THANKS_MS, root.destroy)

    widget = build(body, on_rating, fonts, px, question=DAILY_QUESTION, pal=pal)
    widget.pack()
    win.label(body, _("Answer when you like; skipping is fine."), "small", fg=pal.muted, wraplength=win.wrap(480)).pack(
        pady=(round(10 * px), round(6 * px)))
    win.button(body, _("Not now (Esc)"), root.destroy).pack()
    root.bind("<Escape>", lambda e: root.destroy())
    root.bind("<Map>", lambda e: e.widget is root and widget.buttons[0].focus_force())
    win.show(resizable=False)
    root.mainloop()
    from necka_tray.children import protocol

    base.emit(protocol.CheckinResult(*(answer[0] if answer else (None,))))
    return 0
