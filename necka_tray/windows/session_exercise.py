"""The session window's exercise screen: title, picture or breathing circle, what to do, the countdown.

Built once into the window's body and redrawn from each ``SessionView``;
it never keeps time itself (the window's clock does). The breathing circle
is the one animation, off with ``session.reduced_motion``.
"""

from __future__ import annotations

import math
import tkinter as tk

from PIL import ImageTk

from necka_tray.core.breath import IN, breath_at
from necka_tray.core.routine import Step
from necka_tray.core.session import SessionView, State
from necka_tray.texts.i18n import N_, _
from necka_tray.windows import illustrations
from necka_tray.windows.session_host import SessionHost


#: The breathing circle's frame interval (real milliseconds): smooth, and idle between frames.
FRAME_MS = 40
#: Picture size in 1/96 inch, and the smallest it may shrink to so the window fits the screen.
PICTURE, MIN_PICTURE = 184, 96
SIDES = {"left": N_("left side"), "right": N_("right side")}


def step_title(step: Step) -> str:
    """The exercise's name, with its side when it has one ("Side tilt, left side")."""
    title = _(step.exercise.title)
    if step.exercise.sides and step.side:
        title = _("{exercise}, {side}").format(exercise=title, side=_(SIDES[step.side]))
    return title


def doing(ex) -> str:
    """What the step asks: hold, or repeat so many times."""
    if ex.is_hold:
        return _("Hold gently")
    return _("Repeat {reps} times, slowly").format(reps=ex.reps)


def ms(seconds: float) -> int:
    """Tk delay for ``seconds``, rounded up so we wake just after the change, not before."""
    return max(1, math.ceil(seconds * 1000))


class ExerciseScreen:
    def __init__(self, w: SessionHost) -> None:
        self.w = w
        self.pic = round(PICTURE * w.px)
        self._images: dict[tuple[str, int, bool], ImageTk.PhotoImage] = {}
        self._anim: str | None = None  # the next breathing-circle frame
        self.step_shown: int | None = None
        self._build()

    def _build(self) -> None:
        w, f, px, p = self.w, self.w.fonts, self.w.px, self.w.pal
        self.frame = tk.Frame(w.body, bg=p.bg)
        self.frame.pack(fill="both", expand=True)
        # Wrapped like the texts: a title of wide glyphs would otherwise widen the window past the screen.
        self.title_label = tk.Label(self.frame, text="", font=f["title"], fg=p.text, bg=p.bg,
                                    wraplength=round(w.text_wrap * 1.08), justify="center")
        self.title_label.pack()
        self.picture = tk.Canvas(self.frame, width=self.pic, height=self.pic, bg=p.bg, highlightthickness=0, bd=0)
        self.picture.pack(pady=round(8 * px))
        self.text_block = tk.Frame(self.frame, bg=p.bg)
        self.text_block.pack(fill="x")
        self.instruction = tk.Label(self.text_block, text="", font=f["body"], fg=p.text, bg=p.bg,
                                    wraplength=w.text_wrap, justify="center")
        self.instruction.pack(side="top", fill="x")
        self.cue = tk.Label(self.text_block, text="", font=f["cue"], fg=p.accent, bg=p.bg,
                            wraplength=w.text_wrap, justify="center")
        self.cue.pack(side="top", fill="x", pady=(round(4 * px), 0))
        self.fix_text_height()

        # The countdown, as a number and in words.
        self.count = tk.Label(self.frame, text="", font=f["count"], fg=p.text, bg=p.bg)
        self.count.pack(pady=(round(4 * px), 0))
        self.status = tk.Label(self.frame, text="", font=f["small"], fg=p.muted, bg=p.bg)
        self.status.pack(pady=(0, round(10 * px)))

        # Controls, each naming its key.
        self.buttons = tk.Frame(self.frame, bg=p.bg)
        self.buttons.pack()
        self.pause_btn = w.session_button(self.buttons, _("Pause (Space)"), w.toggle_pause, primary=True, width=15)
        self.skip_btn = w.session_button(self.buttons, _("Skip step (→)"), w.skip)
        self.stop_btn = w.session_button(self.buttons, _("Stop (Esc)"), w.stop)
        for i, b in enumerate((self.pause_btn, self.skip_btn, self.stop_btn)):
            b.grid(row=0, column=i, padx=round(5 * px))

    def fix_text_height(self) -> None:
        """Give the text block the size of the routine's longest text, so the
        countdown and buttons stay put from step to step."""
        self.text_block.pack_propagate(True)
        widest = tallest = 0
        for step in self.w.routine.steps:
            self.instruction.config(text=_(step.exercise.instruction))
            self.cue.config(text=_(step.exercise.safety))
            self.text_block.update_idletasks()
            widest = max(widest, self.text_block.winfo_reqwidth())
            tallest = max(tallest, self.text_block.winfo_reqheight())
        self.text_block.config(width=widest, height=tallest)
        self.text_block.pack_propagate(False)

    def shrink_picture(self, excess: int) -> None:
        """Make the picture ``excess`` pixels smaller (not below its minimum), to fit the screen."""
        self.pic = max(round(MIN_PICTURE * self.w.px), self.pic - excess)
        self.picture.config(width=self.pic, height=self.pic)
        self.step_shown = None  # redraw at the new size

    def show(self, v: SessionView) -> None:
        w, p = self.w, self.w.pal
        step = w.routine.steps[v.step_index]
        ex = step.exercise
        self.title_label.config(text=step_title(step))
        if v.step_index != self.step_shown:
            self.step_shown = v.step_index
            self.cancel_anim()
            self._draw_picture(step)
        self.instruction.config(text=_(ex.instruction))
        self.cue.config(text=_(ex.safety))
        self.count.config(text=_("{seconds} s").format(seconds=v.display_seconds),
                          fg=p.paused if v.state is State.PAUSED else p.text)
        if v.state is State.PAUSED:
            self.status.config(text=_("Paused: press Space to carry on"), fg=p.paused)
            self.pause_btn.config(text=_("Resume (Space)"))
        else:
            self.status.config(text=doing(ex), fg=p.muted)
            self.pause_btn.config(text=_("Pause (Space)"))
        if ex.pace is not None:
            self.cancel_anim()
            self._breathe(v)

    def _draw_picture(self, step: Step) -> None:
        c, s = self.picture, self.pic
        c.delete("all")
        if step.exercise.pace is not None and not self.w.o.reduced_motion:
            self._draw_breath_card()
            return
        c.create_image(s // 2, s // 2, image=self.image(step.exercise.pose, s, step.mirrored))

    def image(self, pose: str, size: int, mirror: bool = False) -> ImageTk.PhotoImage:
        key = (pose, size, mirror)
        if key not in self._images:
            img = illustrations.render(pose, size, high_contrast=self.w.pal.high_contrast, mirror=mirror)
            self._images[key] = ImageTk.PhotoImage(img, master=self.w.root)
        return self._images[key]

    # -- the breathing circle ----------------------------------------------

    def _draw_breath_card(self) -> None:
        """The still parts: the card and the outer ring the circle grows to."""
        c, s, a, px = self.picture, self.pic, self.w.art, self.w.px
        m = max(2, round(2 * px))
        edge = a.disc_edge or a.disc
        c.create_oval(m, m, s - m, s - m, fill=a.disc, outline=edge, width=max(1, round(3 * px)))
        r = s * 0.42
        c.create_oval(s / 2 - r, s / 2 - r, s / 2 + r, s / 2 + r, outline=a.ring, width=max(1, round(2 * px)))
        self._circle = c.create_oval(0, 0, 0, 0, fill=a.soft, outline=a.line, width=max(2, round(3 * px)))
        self._phase_text = c.create_text(s / 2, s / 2, text="", font=self.w.fonts["small_bold"], fill=self.w.pal.text)

    def _breathe(self, v: SessionView) -> None:
        """Show where the breath is now; while running, come back for the next frame (or, with reduced
        motion, the next phase change)."""
        w = self.w
        b = breath_at(v.step_seconds - v.seconds_left, v.exercise.pace)
        phase = _("Breathe in") if b.phase == IN else _("Breathe out")
        if v.state is State.RUNNING:
            self.status.config(text=phase, fg=w.pal.muted)
        if not w.o.reduced_motion:
            s = self.pic
            r = s * (0.24 + 0.18 * b.size)
            self.picture.coords(self._circle, s / 2 - r, s / 2 - r, s / 2 + r, s / 2 + r)
            self.picture.itemconfigure(self._phase_text, text=phase if v.state is State.RUNNING else "")
        if v.state is State.RUNNING:
            delay = FRAME_MS if not w.o.reduced_motion else ms(w.scale.real_seconds(b.phase_left))
            self._anim = w.root.after(delay, self._breath_frame)

    def _breath_frame(self) -> None:
        self._anim = None
        v = self.w.session.view(self.w.clock.monotonic())
        if v.state is State.RUNNING and v.exercise.pace is not None and v.step_index == self.step_shown:
            self._breathe(v)

    def cancel_anim(self) -> None:
        if self._anim is not None:
            self.w.root.after_cancel(self._anim)
            self._anim = None
