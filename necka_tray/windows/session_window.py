"""The guided stretch-session window (tkinter), run as its own process.

The tray process starts it (the ``session`` helper, ``necka_tray/helpers.py``,
with ``--no-record``) and reads one ``protocol.SessionEnd`` line from its
stdout when it ends, so Tk never shares a process with the tray's own
toolkit loop; the tray records the session. All timing lives in the pure ``StretchSession`` (and the pure
``breath_at`` for the breathing circle); this module only draws their state
and turns keys and clicks into session calls. It sleeps with ``after()``
until the next moment the display changes, never on a fixed polling interval;
the breathing circle is the one animation, and it is off with
``session.reduced_motion``.

Accessibility: everything works from the keyboard (Space pauses, → skips,
Esc stops, F1 opens "When to see a professional", Tab moves a visible focus
ring between the labelled buttons); the countdown is text; fonts follow the
desktop's scaling and ``session.text_scale``; ``session.theme =
"high-contrast"`` switches the palette; the window remembers where it was.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import signal
import subprocess
import sys
import tkinter as tk
from collections.abc import Callable
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PIL import ImageTk

from necka_tray import care
from necka_tray.core.breath import IN, breath_at
from necka_tray.core.clock import Clock, SystemClock, TimeScale
from necka_tray.core.routine import DEFAULT_ROUTINE, Routine, Step, duration_text
from necka_tray.core.session import SessionView, State, StretchSession, countdown
from necka_tray.i18n import N_, _, ngettext
from necka_tray.store.state import SAFETY_SEEN, SESSION_GEOMETRY
from necka_tray.windows import illustrations, palette, scaling, theme
from necka_tray.windows.palette import DEFAULT, Palette, bullets

TITLE = N_("Necka — Stretch session")
SAFETY_TEXT = N_("Move slowly and gently; stop if pain gets sharper. "
                 "If neck spasms persist or get worse, see a healthcare professional.")
#: Configured seconds the "Well done" screen stays before closing itself.
WELL_DONE_SECONDS = 10
TIME_SCALE_ENV = "NECKA_TIME_SCALE"
#: The breathing circle's frame interval (real milliseconds): smooth, and idle between frames.
FRAME_MS = 40
#: Picture size in 1/96 inch, and the smallest it may shrink to so the window fits the screen.
PICTURE, MIN_PICTURE = 184, 96
#: Room left for panels and the window's title bar when fitting the screen (1/96 inch).
SCREEN_MARGIN = 72

# The default look's colours, by their old names (tests and older code use them).
BG, TEXT, MUTED, ACCENT, ACCENT_ACTIVE = DEFAULT.bg, DEFAULT.text, DEFAULT.muted, DEFAULT.accent, DEFAULT.accent_active
TROUGH, BORDER, PAUSED, FOCUS, WHITE = DEFAULT.trough, DEFAULT.border, DEFAULT.paused, DEFAULT.focus, DEFAULT.surface
_SIDES = {"left": N_("left side"), "right": N_("right side")}


@dataclass(frozen=True)
class SessionResult:
    outcome: str  # "completed" | "stopped"
    steps_done: int
    steps_total: int
    routine: str
    duration_s: float  # real seconds, pauses included
    started: datetime
    ended: datetime

    checkin: int | None = None  # the rating given on the done screen

    def json_line(self) -> str:
        """The result for the tray (``protocol.SessionEnd``): it records the session and the check-in."""
        from necka_tray import protocol

        return protocol.encode(protocol.SessionEnd(
            self.outcome, self.routine, self.started, self.ended, self.steps_done, self.steps_total,
            self.duration_s, self.checkin))


@dataclass
class Options:
    """What the user's settings change in the window (defaults: the calm look, no extras)."""

    palette: Palette = DEFAULT
    text_scale: float = 1.0
    reduced_motion: bool = False
    sound: Any = None  # a ``sound.Chime``, or None for silence
    state: Any = None  # a ``state.State`` (safety note, window place), or None to remember nothing
    show_safety: bool = False  # the first-use note before the session starts
    open_page: Callable[[str], None] | None = None  # opens "care" / "relief"
    record: bool = True  # write a check-in to the history here (False: the tray records it from the result)


class SessionWindow:
    """Draws a ``StretchSession`` in a Tk root; ``result`` is set once the session ends."""

    def __init__(self, root: tk.Tk, routine: Routine, scale: TimeScale, clock: Clock,
                 options: Options | None = None) -> None:
        self.root = root
        self.routine = routine
        self.scale = scale
        self.clock = clock
        self.o = options or Options()
        self.pal = self.o.palette
        self.art = illustrations.HIGH_CONTRAST if self.pal.high_contrast else illustrations.CALM
        self.session = StretchSession(routine, scale)
        self.result: SessionResult | None = None
        self._started_wall: datetime | None = None
        self._after: str | None = None  # the next countdown change
        self._anim: str | None = None  # the next breathing-circle frame
        self._images: dict[tuple[str, int, bool], ImageTk.PhotoImage] = {}
        self._step_shown: int | None = None
        self._done_deadline: float | None = None
        self._intro: tk.Frame | None = None

        self._px = scaling.apply(root)
        self._fonts = palette.make_fonts(root, self.o.text_scale)
        self._pic = round(PICTURE * self._px)

        # Hidden while it is built and measured (measuring runs idle tasks, which
        # would otherwise map a half-built window), shown once, in place.
        root.withdraw()
        root.title(_(TITLE))
        root.configure(bg=self.pal.bg)
        root.protocol("WM_DELETE_WINDOW", self._on_close)
        self._build()
        root.bind("<space>", lambda e: self._toggle_pause())
        root.bind("<Right>", lambda e: self._skip())
        root.bind("<Escape>", lambda e: self._escape())
        root.bind("<Return>", lambda e: self._enter())
        root.bind("<KP_Enter>", lambda e: self._enter())
        root.bind("<F1>", lambda e: self._help())
        root.bind("<Map>", self._on_map)
        self._show(self.session.view(clock.monotonic()))
        self._fit_to_screen()
        if self.o.show_safety:
            self._show_intro()
        self._place_and_raise()

    # -- layout ----------------------------------------------------------

    def _build(self) -> None:
        f, px, p = self._fonts, self._px, self.pal
        wrap = self._wrap = round(480 * px * max(1.0, self.o.text_scale))
        self.body = tk.Frame(self.root, bg=p.bg, padx=round(26 * px), pady=round(16 * px))
        self.body.pack(fill="both", expand=True)

        # Header: where we are in the routine, and how long it is.
        head = tk.Frame(self.body, bg=p.bg)
        head.pack(fill="x")
        self.step_label = tk.Label(head, text="", font=f["small_bold"], fg=p.accent, bg=p.bg)
        self.step_label.pack(side="left")
        self.routine_label = tk.Label(
            head, text=_("{title} · {length}").format(title=_(self.routine.title),
                                                      length=duration_text(self.routine.total_seconds)),
            font=f["small"], fg=p.muted, bg=p.bg)
        self.routine_label.pack(side="right")
        self.progress = tk.Canvas(self.body, height=round(10 * px), bg=p.bg, highlightthickness=0, bd=0)
        self.progress.pack(fill="x", pady=(round(6 * px), round(10 * px)))
        self.progress.bind("<Configure>", lambda e: self._draw_progress())
        self._progress_value = 0.0

        # The exercise: title, picture (or breathing circle), what to do.
        self.stage = tk.Frame(self.body, bg=p.bg)
        self.stage.pack(fill="both", expand=True)
        self.title_label = tk.Label(self.stage, text="", font=f["title"], fg=p.text, bg=p.bg)
        self.title_label.pack()
        self.picture = tk.Canvas(self.stage, width=self._pic, height=self._pic, bg=p.bg, highlightthickness=0, bd=0)
        self.picture.pack(pady=round(8 * px))
        self.text_block = tk.Frame(self.stage, bg=p.bg)
        self.text_block.pack(fill="x")
        self.instruction = tk.Label(self.text_block, text="", font=f["body"], fg=p.text, bg=p.bg, wraplength=wrap,
                                    justify="center")
        self.instruction.pack(side="top", fill="x")
        self.cue = tk.Label(self.text_block, text="", font=f["cue"], fg=p.accent, bg=p.bg, wraplength=wrap,
                            justify="center")
        self.cue.pack(side="top", fill="x", pady=(round(4 * px), 0))
        self._fix_text_height()

        # The countdown, as a number and in words.
        self.count = tk.Label(self.stage, text="", font=f["count"], fg=p.text, bg=p.bg)
        self.count.pack(pady=(round(4 * px), 0))
        self.status = tk.Label(self.stage, text="", font=f["small"], fg=p.muted, bg=p.bg)
        self.status.pack(pady=(0, round(10 * px)))

        # Controls, each naming its key.
        self.buttons = tk.Frame(self.stage, bg=p.bg)
        self.buttons.pack()
        self.pause_btn = self._button(self.buttons, _("Pause (Space)"), self._toggle_pause, primary=True, width=15)
        self.skip_btn = self._button(self.buttons, _("Skip step (→)"), self._skip)
        self.stop_btn = self._button(self.buttons, _("Stop (Esc)"), self._stop)
        for i, b in enumerate((self.pause_btn, self.skip_btn, self.stop_btn)):
            b.grid(row=0, column=i, padx=round(5 * px))

        # Always on screen: how to stretch safely, and where to read more.
        self._rule = tk.Frame(self.body, bg=p.border, height=1)
        self._rule.pack(fill="x", pady=(round(14 * px), round(8 * px)))
        self.safety = tk.Label(self.body, text=_(SAFETY_TEXT), font=f["small"], fg=p.muted, bg=p.bg,
                               wraplength=round(wrap * 1.08), justify="center")
        self.safety.pack(fill="x")
        self.help_btn = self._button(self.body, _("When to see a professional (F1)"), self._help, small=True)
        self.help_btn.pack(pady=(round(6 * px), 0))

    def _fix_text_height(self) -> None:
        """Give the text block the height of the routine's longest text, so the
        countdown and buttons stay put from step to step."""
        tallest = 0
        for step in self.routine.steps:
            self.instruction.config(text=_(step.exercise.instruction))
            self.cue.config(text=_(step.exercise.safety))
            self.text_block.update_idletasks()
            tallest = max(tallest, self.text_block.winfo_reqheight())
        self.text_block.config(height=tallest)
        self.text_block.pack_propagate(False)

    def _button(self, parent: tk.Widget, text: str, command: Callable[[], None], primary: bool = False,
                width: int = 0, small: bool = False) -> tk.Button:
        """A labelled button with a focus ring; Space always means pause/resume, Enter presses it."""
        b = theme.button(parent, text, command, self._fonts["small_bold" if small else "button"], self._px,
                         primary=primary, palette=self.pal, width=width,
                         padx=10 if small else 16, pady=4 if small else 9)
        b.bind("<space>", lambda e: (self._toggle_pause(), "break")[1])
        return b

    def _fit_to_screen(self) -> None:
        """Shrink the picture until the window fits the screen's height (a 768-pixel laptop, large text)."""
        root = self.root
        root.update_idletasks()
        room = root.winfo_screenheight() - round(SCREEN_MARGIN * self._px)
        excess = root.winfo_reqheight() - room
        if excess > 0:
            self._pic = max(round(MIN_PICTURE * self._px), self._pic - excess)
            self.picture.config(width=self._pic, height=self._pic)
            self._step_shown = None  # redraw at the new size
            self._show(self.session.view(self.clock.monotonic()))

    def _place_and_raise(self) -> None:
        """Put the window where it was last time (if that is on this screen), else centre it; bring it
        to the front with the keyboard focus."""
        root = self.root
        root.update_idletasks()
        w, h = root.winfo_reqwidth(), root.winfo_reqheight()
        sw, sh = root.winfo_screenwidth(), root.winfo_screenheight()
        x, y = max(0, (sw - w) // 2), max(0, (sh - h) // 3)
        saved = self.o.state.get(SESSION_GEOMETRY) if self.o.state is not None else None
        size = ""
        if isinstance(saved, dict):
            try:
                sx, sy = int(saved["x"]), int(saved["y"])
                swidth, sheight = int(saved.get("width", 0)), int(saved.get("height", 0))
            except (KeyError, TypeError, ValueError):
                pass
            else:
                width, height = max(w, swidth), max(h, sheight)
                if 0 <= sx and 0 <= sy and sx + width <= sw and sy + height <= sh:  # still on this screen
                    x, y = sx, sy
                    size = f"{width}x{height}" if (width, height) != (w, h) else ""
        root.geometry(f"{size}+{x}+{y}")
        root.minsize(w, h)
        root.deiconify()
        root.lift()
        root.attributes("-topmost", True)
        # Only to get in front once; staying on top would be rude.
        root.after(800, lambda: root.attributes("-topmost", False))

    def _remember_place(self) -> None:
        if self.o.state is None:
            return
        m = re.fullmatch(r"(\d+)x(\d+)\+(-?\d+)\+(-?\d+)", self.root.wm_geometry())
        if m is None:
            return
        width, height, x, y = map(int, m.groups())
        geometry = {"x": x, "y": y}
        if (width, height) != tuple(self.root.minsize()):  # resized by the user: keep that size too
            geometry.update(width=width, height=height)
        try:
            self.o.state.update(**{SESSION_GEOMETRY: geometry})
        except OSError as exc:  # a convenience: never worth failing the session for
            print(f"necka: could not remember the window's place: {exc}", file=sys.stderr)

    # -- the first-use note ------------------------------------------------

    def _show_intro(self) -> None:
        """Once, before the first session: what Necka is and is not, and how to move safely."""
        f, px, p = self._fonts, self._px, self.pal
        note = care.first_use()
        self.root.update_idletasks()
        # The exercise screen's footprint, so the window keeps its size when the session starts.
        intro = self._intro = tk.Frame(self.body, bg=p.bg, width=self.stage.winfo_reqwidth(),
                                       height=self.stage.winfo_reqheight())
        self.stage.pack_forget()
        intro.pack(fill="both", expand=True, before=self._rule)
        intro.pack_propagate(False)
        box = tk.Frame(intro, bg=p.bg)
        box.place(relx=0.5, rely=0.45, anchor="center")
        intro = box
        tk.Label(intro, text=note.title, font=f["title"], fg=p.text, bg=p.bg).pack(pady=(round(8 * px), 0))
        tk.Label(intro, text=note.intro, font=f["body"], fg=p.text, bg=p.bg, wraplength=self._wrap,
                 justify="center").pack(pady=(round(10 * px), round(12 * px)))
        bullets(intro, note.sections[0].items, f["body"], p.text, self._wrap, px).pack(fill="x",
                                                                                       padx=round(24 * px))
        tk.Label(intro, text=note.outro, font=f["cue"], fg=p.accent, bg=p.bg, wraplength=self._wrap,
                 justify="center").pack(pady=(round(14 * px), round(16 * px)))
        self.start_btn = self._button(intro, _("I understand: start (Enter)"), self._acknowledge, primary=True)
        self.start_btn.pack()
        self.step_label.config(text=ngettext("{count} step", "{count} steps", len(self.routine.steps)).format(
            count=len(self.routine.steps)))
        box.update_idletasks()
        if box.winfo_reqheight() > self._intro.winfo_reqheight():  # large text: grow rather than cut
            self._intro.config(height=box.winfo_reqheight())

    def _acknowledge(self) -> None:
        if self._intro is None:
            return
        if self.o.state is not None:
            try:
                self.o.state.update(**{SAFETY_SEEN: self.clock.now().date().isoformat()})
            except OSError as exc:
                print(f"necka: could not remember that the safety note was read: {exc}", file=sys.stderr)
        self._intro.destroy()
        self._intro = None
        self.stage.pack(fill="both", expand=True, before=self._rule)
        self.pause_btn.focus_set()
        self._start()

    # -- drawing ---------------------------------------------------------

    def _show(self, v: SessionView) -> None:
        p = self.pal
        if self._intro is None:
            self.step_label.config(text=_("Step {number} of {count}").format(number=v.step_number,
                                                                             count=v.step_count))
        self._progress_value = v.progress
        self._draw_progress()
        step = self.routine.steps[v.step_index]
        ex = step.exercise
        title = _(ex.title)
        if ex.sides and step.side:
            title = _("{exercise}, {side}").format(exercise=title, side=_(_SIDES[step.side]))
        self.title_label.config(text=title)
        if v.step_index != self._step_shown:
            if self._step_shown is not None and self.o.sound is not None:
                self.o.sound.play()
            self._step_shown = v.step_index
            self._cancel_anim()
            self._draw_picture(step)
        self.instruction.config(text=_(ex.instruction))
        self.cue.config(text=_(ex.safety))
        self.count.config(text=_("{seconds} s").format(seconds=v.display_seconds),
                          fg=p.paused if v.state is State.PAUSED else p.text)
        if v.state is State.PAUSED:
            self.status.config(text=_("Paused: press Space to carry on"), fg=p.paused)
            self.pause_btn.config(text=_("Resume (Space)"))
        else:
            self.status.config(text=self._doing(ex), fg=p.muted)
            self.pause_btn.config(text=_("Pause (Space)"))
        if ex.pace is not None:
            self._cancel_anim()
            self._breathe(v)

    def _doing(self, ex) -> str:
        if ex.is_hold:
            return _("Hold gently")
        return _("Repeat {reps} times, slowly").format(reps=ex.reps)

    def _draw_picture(self, step: Step) -> None:
        c, s = self.picture, self._pic
        c.delete("all")
        if step.exercise.pace is not None and not self.o.reduced_motion:
            self._draw_breath_card()
            return
        c.create_image(s // 2, s // 2, image=self._image(step.exercise.pose, s, step.mirrored))

    def _draw_progress(self) -> None:
        c, p = self.progress, self.pal
        c.delete("all")
        w, h = c.winfo_width(), int(c["height"])
        if w <= 1:
            return
        r = h / 2
        c.create_line(r, r, w - r, r, width=h, fill=p.trough, capstyle="round")
        if self._progress_value > 0:
            end = r + (w - 2 * r) * self._progress_value
            c.create_line(r, r, max(r + 0.1, end), r, width=h, fill=p.accent, capstyle="round")

    def _image(self, pose: str, size: int, mirror: bool = False) -> ImageTk.PhotoImage:
        key = (pose, size, mirror)
        if key not in self._images:
            img = illustrations.render(pose, size, high_contrast=self.pal.high_contrast, mirror=mirror)
            self._images[key] = ImageTk.PhotoImage(img, master=self.root)
        return self._images[key]

    # -- the breathing circle ----------------------------------------------

    def _draw_breath_card(self) -> None:
        """The still parts: the card and the outer ring the circle grows to."""
        c, s, a = self.picture, self._pic, self.art
        m = max(2, round(2 * self._px))
        edge = a.disc_edge or a.disc
        c.create_oval(m, m, s - m, s - m, fill=a.disc, outline=edge, width=max(1, round(3 * self._px)))
        r = s * 0.42
        c.create_oval(s / 2 - r, s / 2 - r, s / 2 + r, s / 2 + r, outline=a.ring, width=max(1, round(2 * self._px)))
        self._circle = c.create_oval(0, 0, 0, 0, fill=a.soft, outline=a.line, width=max(2, round(3 * self._px)))
        self._phase_text = c.create_text(s / 2, s / 2, text="", font=self._fonts["small_bold"], fill=self.pal.text)

    def _breathe(self, v: SessionView) -> None:
        """Show where the breath is now; while running, come back for the next frame (or, with reduced
        motion, the next phase change)."""
        ex = v.exercise
        b = breath_at(v.step_seconds - v.seconds_left, ex.pace)
        phase = _("Breathe in") if b.phase == IN else _("Breathe out")
        if v.state is State.RUNNING:
            self.status.config(text=phase, fg=self.pal.muted)
        if not self.o.reduced_motion:
            s = self._pic
            r = s * (0.24 + 0.18 * b.size)
            self.picture.coords(self._circle, s / 2 - r, s / 2 - r, s / 2 + r, s / 2 + r)
            self.picture.itemconfigure(self._phase_text, text=phase if v.state is State.RUNNING else "")
        if v.state is State.RUNNING:
            delay = FRAME_MS if not self.o.reduced_motion else _ms(self.scale.real_seconds(b.phase_left))
            self._anim = self.root.after(delay, self._breath_frame)

    def _breath_frame(self) -> None:
        self._anim = None
        v = self.session.view(self.clock.monotonic())
        if v.state is State.RUNNING and v.exercise.pace is not None and v.step_index == self._step_shown:
            self._breathe(v)

    def _cancel_anim(self) -> None:
        if self._anim is not None:
            self.root.after_cancel(self._anim)
            self._anim = None

    # -- time ------------------------------------------------------------

    def _on_map(self, event: tk.Event) -> None:
        """Start the clock when the window is on screen, not while it is being built."""
        if event.widget is not self.root:
            return
        self.root.focus_force()
        if self._intro is not None:
            self.start_btn.focus_set()
            return
        self.pause_btn.focus_set()
        self._start()

    def _start(self) -> None:
        if self.session.state is State.READY:
            now = self.clock.monotonic()
            self.session.start(now)
            self._started_wall = self.clock.now()
            self._refresh()

    def _refresh(self) -> None:
        """Bring the display up to date and sleep until its next change."""
        self._cancel_timer()
        now = self.clock.monotonic()
        self.session.tick(now)
        v = self.session.view(now)
        if v.state is State.COMPLETED:
            self._finish()
            return
        if v.state is State.STOPPED:
            return
        self._show(v)
        if v.next_change_in is not None:
            self._after = self.root.after(_ms(v.next_change_in), self._refresh)

    def _cancel_timer(self) -> None:
        if self._after is not None:
            self.root.after_cancel(self._after)
            self._after = None
        self._cancel_anim()

    # -- actions ---------------------------------------------------------

    def _toggle_pause(self) -> None:
        if self.session.toggle_pause(self.clock.monotonic()):
            self._refresh()

    def _skip(self) -> None:
        if self.session.skip(self.clock.monotonic()):
            self._refresh()

    def _stop(self) -> None:
        if self.session.state.finished:
            return
        self.session.stop(self.clock.monotonic())
        self._finish()

    def _escape(self) -> None:
        if self._done_deadline is not None:
            self.close()
        else:
            self._stop()

    def _enter(self) -> None:
        if self._intro is not None:
            self._acknowledge()
        elif self._done_deadline is not None:
            self.close()

    def _help(self) -> None:
        """Open "When to see a professional"; a running session pauses while it is read."""
        if self.session.state is State.RUNNING:
            self._toggle_pause()
        if self.o.open_page is not None:
            self.o.open_page(care.CARE)

    def _on_close(self) -> None:
        """The window manager's close button: a stop, or closing the "Well done" screen."""
        if self.session.state.finished:
            self.close()
        else:
            self._stop()

    def stop_from_signal(self) -> None:
        if self.session.state.finished:
            self.close()
        else:
            self._stop()

    def _finish(self) -> None:
        """The session is over: remember how it went, then thank the user or close."""
        self._cancel_timer()
        now = self.clock.monotonic()
        s = self.session
        duration = s.duration(now)
        started = self._started_wall or self.clock.now()
        self.result = SessionResult(
            outcome="completed" if s.state is State.COMPLETED else "stopped",
            steps_done=s.view(now).steps_done,
            steps_total=len(self.routine.steps),
            routine=self.routine.id,
            duration_s=round(duration, 1),
            started=started,
            ended=started + timedelta(seconds=duration),
        )
        if s.state is State.COMPLETED:
            if self.o.sound is not None:
                self.o.sound.play()
            self._show_done()
        else:
            self.close()

    def close(self) -> None:
        self._cancel_timer()
        self._remember_place()
        self.root.destroy()

    # -- "Well done" -----------------------------------------------------

    def _show_done(self) -> None:
        f, px, p = self._fonts, self._px, self.pal
        self.step_label.config(text=_("Routine finished"))
        self._progress_value = 1.0
        self._draw_progress()
        # The exercise screen's footprint, so the window does not jump; it grows only if it must.
        done = tk.Frame(self.body, bg=p.bg, width=self.stage.winfo_width(), height=self.stage.winfo_height())
        done.pack_propagate(False)
        self.stage.pack_forget()
        done.pack(fill="both", expand=True, before=self._rule)
        inner = tk.Frame(done, bg=p.bg)
        inner.place(relx=0.5, rely=0.5, anchor="center")
        small = max(round(MIN_PICTURE * px * 0.75), self._pic // 2)
        tk.Label(inner, image=self._image("done", small), bg=p.bg).pack(pady=(0, round(6 * px)))
        tk.Label(inner, text=_("Well done"), font=f["title"], fg=p.text, bg=p.bg).pack()
        tk.Label(inner, text=self._done_message(), font=f["body"], fg=p.text, bg=p.bg, wraplength=self._wrap,
                 justify="center").pack(pady=(round(4 * px), round(2 * px)))
        tk.Label(inner, text=_("Short breaks spread through the day help more than one long one."),
                 font=f["cue"], fg=p.accent, bg=p.bg, wraplength=self._wrap, justify="center",
                 ).pack(pady=(0, round(12 * px)))
        from necka_tray.windows import checkin  # the neck check-in (issue 4): one tap, skippable

        def rated(rating: int) -> None:
            if self.result is not None:
                self.result = dataclasses.replace(self.result, checkin=rating)
            if self.o.record:
                checkin.record(rating, "session")
            palette.recolour(row, p)  # the thanks line it drew, in this look too

        row = checkin.build(inner, rated, f, px,
                            on_engage=lambda: (self._cancel_timer(), self.closing.config(text="")))
        palette.recolour(row, p)
        row.pack(pady=(0, round(10 * px)))
        self.close_btn = self._button(inner, _("Close (Enter)"), self.close, primary=True, width=14)
        self.close_btn.bind("<space>", lambda e: (self.close(), "break")[1])
        self.close_btn.pack()
        self.closing = tk.Label(inner, text="", font=f["small"], fg=p.muted, bg=p.bg)
        self.closing.pack(pady=(round(6 * px), 0))
        self.close_btn.focus_set()
        # Grow (only) as much as it takes to show all of it.
        inner.update_idletasks()
        if inner.winfo_reqheight() > done.winfo_height():
            done.config(height=inner.winfo_reqheight())
        self._done_deadline = self.clock.monotonic() + self.scale.real_seconds(WELL_DONE_SECONDS)
        self._done_tick()

    def _done_message(self) -> str:
        r = self.result
        assert r is not None
        name = _(self.routine.title)
        if r.steps_done == r.steps_total:
            return _("You finished all {count} steps of {routine}.").format(count=r.steps_total, routine=name)
        if r.steps_done:
            return _("You reached the end of {routine} and held {done} of {count} steps.").format(
                routine=name, done=r.steps_done, count=r.steps_total)
        return _("You reached the end of {routine}.").format(routine=name)

    def _done_tick(self) -> None:
        assert self._done_deadline is not None
        left = (self._done_deadline - self.clock.monotonic()) * self.scale.factor
        shown, next_in = countdown(left, self.scale)
        if next_in is None:
            self.close()
            return
        self.closing.config(text=_("This window closes by itself in {seconds} s").format(seconds=shown))
        self._after = self.root.after(_ms(next_in), self._done_tick)


def _ms(seconds: float) -> int:
    """Tk delay for ``seconds``, rounded up so we wake just after the change, not before."""
    return max(1, math.ceil(seconds * 1000))


def _install_signal_handlers(root: tk.Tk, on_signal: Callable[[], None]) -> None:
    """Turn SIGTERM/SIGINT/SIGHUP into a normal stop, so the session is still recorded.

    Python runs signal handlers only between bytecodes, and Tk may be asleep
    in C; the wakeup pipe makes the signal a readable file that wakes Tk.
    """
    if os.name != "posix":
        return
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    signal.set_wakeup_fd(w)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: None)

    def readable(fd: int, mask: int) -> None:
        try:
            os.read(fd, 64)
        except BlockingIOError:
            return
        on_signal()

    root.tk.createfilehandler(r, tk.READABLE, readable)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    from necka_tray.cli.stats import one_line_errors

    p = argparse.ArgumentParser(
        prog="necka-tray session",
        description="Show Necka's guided stretch session; print one JSON line when it ends.",
    )
    one_line_errors(p)
    p.add_argument("--routine", metavar="ID", default=None, help=f"routine to run (default: {DEFAULT_ROUTINE}, "
                   "or session.default_routine in the settings)")
    p.add_argument(
        "--time-scale",
        metavar="FACTOR",
        type=_positive_float,
        default=None,
        help=f"configured seconds per real second, for tests and demos (default: 1, or ${TIME_SCALE_ENV})",
    )
    p.add_argument("--no-record", action="store_true", help="don't write the session or its check-in to the "
                   "history (the tray records them from the result line)")
    return p


def _record(result: SessionResult) -> None:
    """Without a tray only: with one, the tray records the session from the result line."""
    # Imported here so the window starts without touching the disk until it must.
    from necka_tray.store.history import History, session_event
    from necka_tray.store.paths import AppPaths

    paths = AppPaths.for_user()
    paths.ensure()
    with History(paths.history_db) as history:
        history.add(session_event(result.started, result.ended, result.outcome, result.steps_done,
                                  result.steps_total, result.routine))


def _open_page(page: str) -> None:
    """Show one of Necka's pages in its own process; the session does not wait for it."""
    from necka_tray.helpers import command

    try:
        subprocess.Popen(command("info", page), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        print(f"necka: could not open the page: {exc}", file=sys.stderr)


def _options(settings, paths, record: bool = True) -> Options:
    """The window's options from the user's settings and files."""
    from necka_tray.store.state import State
    from necka_tray.windows.sound import Chime

    state = State(paths.state_file)
    return Options(
        palette=palette.PALETTES.get(settings["session.theme"], DEFAULT),
        text_scale=float(settings["session.text_scale"]),
        reduced_motion=settings["session.reduced_motion"],
        sound=Chime(paths.data_dir / "chime.wav") if settings["session.sound"] else None,
        state=state,
        show_safety=not state.get(SAFETY_SEEN),
        open_page=_open_page,
        record=record,
    )


def main(argv: list[str] | None = None) -> int:
    from necka_tray.store import config
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.routines import RoutineBook

    parser = _parser()
    args = parser.parse_args(argv)
    factor = args.time_scale
    if factor is None:
        env = os.environ.get(TIME_SCALE_ENV, "").strip()
        try:
            factor = _positive_float(env) if env else 1.0
        except argparse.ArgumentTypeError as e:
            parser.error(f"${TIME_SCALE_ENV}: {e}")
    paths = AppPaths.for_user()
    settings = config.load(paths.config_file).settings
    book = RoutineBook(paths.routines_file, paths.history_db)
    catalogue = book.catalogue()
    if catalogue.problem:
        print(f"necka: {catalogue.problem}", file=sys.stderr)
    routines = catalogue.routines
    wanted = args.routine or settings["session.default_routine"]
    routine = routines.get(wanted)
    if routine is None and args.routine is None:
        routine = routines[DEFAULT_ROUTINE]  # the settings name a routine that is gone: the default
    if routine is None:
        parser.error(f"unknown routine {wanted!r}; choose from: {', '.join(routines)}")
    clock = SystemClock()
    why = book.locked(routine, clock.now())
    if why:
        parser.error(f"routine {routine.id!r} {why}")

    root = tk.Tk(className="Necka")
    window: SessionWindow | None = None

    def on_signal() -> None:
        if window is not None:
            window.stop_from_signal()

    # Before the window exists: a signal that arrives as soon as it is visible still counts as a stop.
    _install_signal_handlers(root, on_signal)
    window = SessionWindow(root, routine, TimeScale(factor), clock, _options(settings, paths, record=not args.no_record))
    root.mainloop()

    result = window.result
    if result is None:  # the root went away some other way; count it as a stop
        now = clock.monotonic()
        window.session.stop(now)
        started = window._started_wall or clock.now()
        duration = window.session.duration(now)
        result = SessionResult(
            "stopped", window.session.view(now).steps_done, len(routine.steps), routine.id,
            round(duration, 1), started, started + timedelta(seconds=duration),
        )
    if not args.no_record:
        try:
            _record(result)
        except Exception as e:  # the session still happened; say so on stderr, not stdout
            print(f"necka: could not record the session in the history: {e}", file=sys.stderr)
    print(result.json_line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
