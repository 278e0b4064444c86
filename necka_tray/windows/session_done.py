"""The session window's last screen: "Well done", what was done, and the one-tap neck check-in.

It takes the exercise screen's footprint (growing only if it must) and
closes itself after ``WELL_DONE_SECONDS`` (configured seconds, so tests at a
time scale are quick) unless someone starts answering the check-in.
"""

from __future__ import annotations

import dataclasses
import tkinter as tk

from necka_tray.core.session import countdown
from necka_tray.texts.i18n import _
from necka_tray.windows import checkin
from necka_tray.windows.session_exercise import MIN_PICTURE, ms
from necka_tray.windows.session_host import SessionHost


#: Configured seconds the "Well done" screen stays before closing itself.
WELL_DONE_SECONDS = 10


def done_message(routine_title: str, steps_done: int, steps_total: int) -> str:
    if steps_done == steps_total:
        return _("You finished all {count} steps of {routine}.").format(count=steps_total, routine=routine_title)
    if steps_done:
        return _("You reached the end of {routine} and held {done} of {count} steps.").format(
            routine=routine_title, done=steps_done, count=steps_total)
    return _("You reached the end of {routine}.").format(routine=routine_title)


class DoneScreen:
    def __init__(self, w: SessionHost) -> None:
        self.w = w
        f, px, p, wrap = w.fonts, w.px, w.pal, w.text_wrap
        r = w.result
        assert r is not None
        w.step_label.config(text=_("Routine finished"))
        w.set_progress(1.0)
        stage = w.exercise.frame
        # The exercise screen's footprint, so the window does not jump; it grows only if it must.
        done = tk.Frame(w.body, bg=p.bg, width=stage.winfo_width(), height=stage.winfo_height())
        done.pack_propagate(False)
        stage.pack_forget()
        done.pack(fill="both", expand=True, before=w.rule)
        inner = tk.Frame(done, bg=p.bg)
        inner.place(relx=0.5, rely=0.5, anchor="center")
        small = max(round(MIN_PICTURE * px * 0.75), w.exercise.pic // 2)
        tk.Label(inner, image=w.exercise.image("done", small), bg=p.bg).pack(pady=(0, round(6 * px)))
        tk.Label(inner, text=_("Well done"), font=f["title"], fg=p.text, bg=p.bg).pack()
        tk.Label(inner, text=done_message(_(w.routine.title), r.steps_done, r.steps_total), font=f["body"],
                 fg=p.text, bg=p.bg, wraplength=wrap, justify="center").pack(pady=(round(4 * px), round(2 * px)))
        tk.Label(inner, text=_("Short breaks spread through the day help more than one long one."),
                 font=f["cue"], fg=p.accent, bg=p.bg, wraplength=wrap, justify="center",
                 ).pack(pady=(0, round(12 * px)))
        row = checkin.build(inner, self._rated, f, px, pal=p,
                            on_engage=self._engaged)
        row.pack(pady=(0, round(10 * px)))
        # The suggestion to see a professional, next to the check-in, when the check-ins call for it.
        self.care = tk.Label(inner, text="", font=f["cue"], fg=p.text, bg=p.bg, wraplength=wrap, justify="center")
        self.inner, self.done_frame = inner, done
        self._show_care(None)
        self.close_btn = w.session_button(inner, _("Close (Enter)"), w.close, primary=True, width=14)
        self.close_btn.bind("<space>", lambda e: (w.close(), "break")[1])
        self.close_btn.pack()
        self.closing = tk.Label(inner, text="", font=f["small"], fg=p.muted, bg=p.bg)
        self.closing.pack(pady=(round(6 * px), 0))
        self.close_btn.focus_set()
        # Grow (only) as much as it takes to show all of it.
        inner.update_idletasks()
        if inner.winfo_reqheight() > done.winfo_height():
            done.config(height=inner.winfo_reqheight())
        self._deadline = w.clock.monotonic() + w.scale.real_seconds(WELL_DONE_SECONDS)
        self._tick()

    def _rated(self, rating: int) -> None:
        """The answer goes in the result for the tray; without a tray the window records it itself."""
        w = self.w
        if w.result is not None:
            w.result = dataclasses.replace(w.result, checkin=rating)
        if w.o.record:
            checkin.record(rating, "session")
        self._show_care(rating)

    def _show_care(self, rating: int | None) -> None:
        """The care line under the check-in (the page is the "When to see a professional" button below)."""
        line = self.w.o.care_line(rating) if self.w.o.care_line is not None else None
        if not line:
            return
        self.care.config(text=line)
        if not self.care.winfo_manager():
            place = {"before": self.close_btn} if hasattr(self, "close_btn") else {}
            self.care.pack(pady=(0, round(10 * self.w.px)), **place)
            self.inner.update_idletasks()
            if self.inner.winfo_reqheight() > self.done_frame.winfo_height():
                self.done_frame.config(height=self.inner.winfo_reqheight())

    def _engaged(self) -> None:
        """Someone is answering the check-in: stay open for them."""
        self.w.cancel_timer()
        self.closing.config(text="")

    def _tick(self) -> None:
        w = self.w
        left = (self._deadline - w.clock.monotonic()) * w.scale.factor
        shown, next_in = countdown(left, w.scale)
        if next_in is None:
            w.close()
            return
        self.closing.config(text=_("This window closes by itself in {seconds} s").format(seconds=shown))
        w.after_id = w.root.after(ms(next_in), self._tick)
