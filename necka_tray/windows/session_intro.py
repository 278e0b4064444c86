"""The session window's first-use note: what Necka is and is not, and how to move safely.

Shown once, before the first session, in the exercise screen's footprint so
the window keeps its size when the session starts; Enter (or its button)
acknowledges it and starts the clock, and the state file remembers it.
"""

from __future__ import annotations

import sys
import tkinter as tk

from necka_tray.texts import care
from necka_tray.texts.i18n import _, ngettext
from necka_tray.store.state import SAFETY_SEEN
from necka_tray.windows.palette import bullets
from necka_tray.windows.session_host import SessionHost


class IntroScreen:
    def __init__(self, w: SessionHost) -> None:
        self.w = w
        f, px, p, wrap = w.fonts, w.px, w.pal, w.text_wrap
        note = care.first_use()
        w.root.update_idletasks()
        stage = w.exercise.frame
        self.frame = tk.Frame(w.body, bg=p.bg)
        stage.pack_forget()
        self.frame.pack(fill="both", expand=True, before=w.rule)
        self.frame.pack_propagate(False)
        self.box = box = tk.Frame(self.frame, bg=p.bg)
        box.place(relx=0.5, rely=0.45, anchor="center")
        tk.Label(box, text=note.title, font=f["title"], fg=p.text, bg=p.bg).pack(pady=(round(8 * px), 0))
        tk.Label(box, text=note.intro, font=f["body"], fg=p.text, bg=p.bg, wraplength=wrap,
                 justify="center").pack(pady=(round(10 * px), round(12 * px)))
        bullets(box, note.sections[0].items, f["body"], p.text, wrap, px).pack(fill="x", padx=round(24 * px))
        tk.Label(box, text=note.outro, font=f["cue"], fg=p.accent, bg=p.bg, wraplength=wrap,
                 justify="center").pack(pady=(round(14 * px), round(16 * px)))
        self.start_btn = w.session_button(box, _("I understand: start (Enter)"), self.acknowledge, primary=True)
        self.start_btn.pack()
        count = len(w.routine.steps)
        w.step_label.config(text=ngettext("{count} step", "{count} steps", count).format(count=count))
        self.fit()
        self.speak()

    def speak(self) -> None:
        """With voice guidance on, the note is said too, and which key goes on (no one is stuck waiting)."""
        if self.w.guide is not None:
            from necka_tray.windows.voice import safety_script

            self.w.o.speaker.say(safety_script(care.first_use()))

    def fit(self) -> None:
        """The exercise screen's size, so the window keeps it when the session starts; taller if the
        note needs it (large text: grow rather than cut)."""
        self.w.root.update_idletasks()
        stage = self.w.exercise.frame
        self.frame.config(width=max(stage.winfo_reqwidth(), self.box.winfo_reqwidth()),
                          height=max(stage.winfo_reqheight(), self.box.winfo_reqheight()))

    def acknowledge(self) -> None:
        """Remember that the note was read, then show the exercise and start the clock."""
        w = self.w
        if w.intro is not self:
            return
        if w.o.state is not None:
            try:
                w.o.state.update(**{SAFETY_SEEN: w.clock.now().date().isoformat()})
            except OSError as exc:
                print("necka-tray: " + _("could not remember that the safety note was read: {error}").format(error=exc),
                      file=sys.stderr)
        self.frame.destroy()
        w.intro = None
        w.exercise.frame.pack(fill="both", expand=True, before=w.rule)
        w.exercise.pause_btn.focus_set()
        w.start()
