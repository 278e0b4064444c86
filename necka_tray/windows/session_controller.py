"""The stretch-session window itself: the clock, the keys, and which screen is shown.

All timing lives in the pure ``StretchSession`` (and the pure ``breath_at``
for the breathing circle); ``SessionWindow`` keeps the clock, turns keys and
clicks into session calls and switches between the screens, each a module
of its own: the first-use note (``session_intro``), the exercise
(``session_exercise``) and "Well done" with the check-in (``session_done``).
It sleeps with ``after()`` until the next moment the display changes, never
on a fixed polling interval. The process around it is ``session_window``.

Accessibility: everything works from the keyboard (Space pauses, → skips,
Esc stops, F1 opens "When to see a professional", V turns voice guidance on
or off, Tab moves a visible focus ring between the labelled buttons); the
countdown is text, and can be spoken (``voice``); the look, text size and
placement come from ``base``; the window remembers where it was.
"""

from __future__ import annotations

import sys
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from necka_tray.texts import care
from necka_tray.core import care as care_rule
from necka_tray.core.clock import Clock, TimeScale
from necka_tray.core.routine import Routine, duration_text
from necka_tray.core.session import State, StretchSession
from necka_tray.texts.i18n import N_, _
from necka_tray.store.state import SESSION_GEOMETRY
from necka_tray.windows import base, illustrations, monitors, voice
from necka_tray.windows.elide import elide
from necka_tray.windows.session_done import DoneScreen
from necka_tray.windows.session_exercise import ExerciseScreen, ms
from necka_tray.windows.session_intro import IntroScreen

TITLE = N_("Necka — Stretch session")
SAFETY_TEXT = N_("Move slowly and gently; stop if pain gets sharper. "
                 "If neck spasms persist or get worse, see a healthcare professional.")


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

    def message(self):
        """The result for the tray (``protocol.SessionEnd``): it records the session and the check-in."""
        from necka_tray.children import protocol

        return protocol.SessionEnd(self.outcome, self.routine, self.started, self.ended, self.steps_done,
                                   self.steps_total, self.duration_s, self.checkin)


@dataclass
class Options:
    """What the user's settings change in the window (defaults: the calm look, no extras)."""

    look: base.Look = base.Look()
    reduced_motion: bool = False
    sound: Any = None  # a ``sound.Chime``, or None for silence
    state: Any = None  # a ``store.state.WindowMemory`` (safety note, window place), or None to remember nothing
    show_safety: bool = False  # the first-use note before the session starts
    open_page: Callable[[str], None] | None = None  # opens "care" / "relief"
    voice: bool = False  # speak each step (``session.voice``)
    speaker: Any = None  # a ``voice.Speaker``; made when first needed
    record: bool = True  # write a check-in to the history here (False: the tray records it from the result)
    gentle: bool = False  # a bad day: the routine runs its gentle variants, and the window says so
    #: The care suggestion's line given the check-in on the last screen (None: no rating), or None: none.
    care_line: Callable[[int | None], str | None] | None = None


class SessionWindow(base.Window):
    """Draws a ``StretchSession`` in a Tk root; ``result`` is set once the session ends."""

    def __init__(self, root: tk.Tk, routine: Routine, scale: TimeScale, clock: Clock,
                 options: Options | None = None) -> None:
        self.o = options or Options()
        super().__init__(root, _(TITLE), self.o.look)
        self.routine, self.scale, self.clock = routine, scale, clock
        self.art = illustrations.HIGH_CONTRAST if self.pal.high_contrast else illustrations.CALM
        self.session = StretchSession(routine, scale)
        self.result: SessionResult | None = None
        self.started_wall: datetime | None = None
        self.after_id: str | None = None  # the next countdown change
        self.intro: IntroScreen | None = None
        self.done: DoneScreen | None = None
        self.guide: voice.Guide | None = None
        self._step_shown: int | None = None
        self.text_wrap = self.wrap(480)

        root.protocol("WM_DELETE_WINDOW", self.stop_or_close)
        self._build()
        for key, action in (("<space>", self.toggle_pause), ("<Right>", self.skip), ("<Escape>", self._escape),
                            ("<Return>", self._enter), ("<KP_Enter>", self._enter), ("<F1>", self._help),
                            ("<v>", self.toggle_voice), ("<V>", self.toggle_voice)):
            root.bind(key, lambda e, action=action: action())
        root.bind("<Map>", self._on_map)
        if self.o.voice:
            self._set_voice(True)
        self._show()
        if self.o.show_safety:
            self.intro = IntroScreen(self)
        self._fit_to_screen()
        self.show(keep=self._saved_place())

    # -- layout ----------------------------------------------------------

    def _build(self) -> None:
        f, px, p = self.fonts, self.px, self.pal
        self.body = tk.Frame(self.root, bg=p.bg, padx=round(26 * px), pady=round(16 * px))
        self.body.pack(fill="both", expand=True)

        # Header: where we are in the routine, and how long it is.
        head = tk.Frame(self.body, bg=p.bg)
        head.pack(fill="x")
        self.step_label = tk.Label(head, text="", font=f["small_bold"], fg=p.accent, bg=p.bg)
        self.step_label.pack(side="left")
        # One line beside the step number: a title of wide glyphs is cut short ("…"), its length kept.
        def line(title: str) -> str:
            return _("{title} · {length}").format(title=title, length=duration_text(self.routine.total_seconds))

        title = elide(_(self.routine.title), lambda t: f["small"].measure(line(t)) <= self.text_wrap * 0.7)
        tk.Label(head, text=line(title), font=f["small"], fg=p.muted, bg=p.bg).pack(side="right")
        self.progress = tk.Canvas(self.body, height=round(10 * px), bg=p.bg, highlightthickness=0, bd=0)
        self.progress.pack(fill="x", pady=(round(6 * px), round(10 * px)))
        self.progress.bind("<Configure>", lambda e: self._draw_progress())
        self._progress_value = 0.0
        if self.o.gentle:  # one line, from the first screen on: why everything is smaller today
            tk.Label(self.body, text=_(care_rule.GENTLE_LINE), font=f["small_bold"], fg=p.accent, bg=p.bg,
                     wraplength=round(self.text_wrap * 1.08), justify="center").pack(fill="x", pady=(0, round(8 * px)))

        self.exercise = ExerciseScreen(self)

        # Always on screen: how to stretch safely, and where to read more.
        self.rule = tk.Frame(self.body, bg=p.border, height=1)
        self.rule.pack(fill="x", pady=(round(14 * px), round(8 * px)))
        self.notice = tk.Label(self.body, text="", font=f["small"], fg=p.paused, bg=p.bg,
                               wraplength=round(self.text_wrap * 1.08), justify="center")
        self.safety = tk.Label(self.body, text=_(SAFETY_TEXT), font=f["small"], fg=p.muted, bg=p.bg,
                               wraplength=round(self.text_wrap * 1.08), justify="center")
        self.safety.pack(fill="x")
        self.help_btn = self.session_button(self.body, _("When to see a professional (F1)"), self._help,
                                            small=True)
        self.help_btn.pack(pady=(round(6 * px), 0))

    def session_button(self, parent: tk.Misc, text: str, command: Callable[[], None], primary: bool = False,
                       width: int = 0, small: bool = False) -> tk.Button:
        """A labelled button with a focus ring; Space always means pause/resume, Enter presses it."""
        b = self.button(parent, text, command, primary=primary, font="small_bold" if small else "button",
                        width=width, padx=10 if small else 16, pady=4 if small else 9)
        b.bind("<space>", lambda e: (self.toggle_pause(), "break")[1])
        return b

    def _fit_to_screen(self) -> None:
        """Fit the monitor (a 768-pixel laptop, large text, a long language): a smaller picture first,
        then, only if that is not enough, smaller text."""
        self.root.update_idletasks()
        excess = self.root.winfo_reqheight() - self.room()[1]
        if excess > 0:
            self.exercise.shrink_picture(excess)
            self._relayout()  # the first-use note takes the smaller stage's size too
        self.fit_text(self._relayout)

    def _relayout(self) -> None:
        self.exercise.fix_text_height()
        if self.intro is not None:
            self.intro.fit()
        self._show()

    def _saved_place(self) -> monitors.Rect | None:
        saved = self.o.state.get(SESSION_GEOMETRY) if self.o.state is not None else None
        if not isinstance(saved, dict):
            return None
        try:
            return monitors.Rect(int(saved["x"]), int(saved["y"]), int(saved.get("width", 0)),
                                 int(saved.get("height", 0)))
        except (KeyError, TypeError, ValueError):
            return None

    def _remember_place(self) -> None:
        where = self.geometry() if self.o.state is not None else None
        if where is None:
            return
        geometry = {"x": where.x, "y": where.y}
        if (where.width, where.height) != tuple(self.root.minsize()):  # resized by the user: keep that size too
            geometry.update(width=where.width, height=where.height)
        try:
            self.o.state.update(**{SESSION_GEOMETRY: geometry})
        except OSError as exc:  # a convenience: never worth failing the session for
            print("necka-tray: " + _("could not remember the window's place: {error}").format(error=exc), file=sys.stderr)

    # -- drawing ---------------------------------------------------------

    def _show(self) -> None:
        v = self.session.view(self.clock.monotonic())
        if self.intro is None:
            self.step_label.config(text=_("Step {number} of {count}").format(number=v.step_number,
                                                                             count=v.step_count))
        self.set_progress(v.progress)
        if v.step_index != self._step_shown:
            if self._step_shown is not None and self.o.sound is not None:
                self.o.sound.play()
            self._step_shown = v.step_index
        self.exercise.show(v)
        if self.guide is not None and self.session.state is not State.READY:
            for text in self.guide.view(v.step_index, v.state is State.RUNNING, v.display_seconds):
                self.o.speaker.say(text)

    def set_progress(self, value: float) -> None:
        self._progress_value = value
        self._draw_progress()

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

    # -- time ------------------------------------------------------------

    def _on_map(self, event: tk.Event) -> None:
        """Start the clock when the window is on screen, not while it is being built."""
        if event.widget is not self.root:
            return
        self.root.focus_force()
        if self.intro is not None:
            self.intro.start_btn.focus_set()
            return
        self.exercise.pause_btn.focus_set()
        self.start()

    def start(self) -> None:
        if self.session.state is State.READY:
            self.session.start(self.clock.monotonic())
            self.started_wall = self.clock.now()
            self._refresh()

    def _refresh(self) -> None:
        """Bring the display up to date and sleep until its next change."""
        self.cancel_timer()
        now = self.clock.monotonic()
        self.session.tick(now)
        v = self.session.view(now)
        if v.state is State.COMPLETED:
            self._finish()
            return
        if v.state is State.STOPPED:
            return
        self._show()
        if v.next_change_in is not None:
            self.after_id = self.root.after(ms(v.next_change_in), self._refresh)

    def cancel_timer(self) -> None:
        if self.after_id is not None:
            self.root.after_cancel(self.after_id)
            self.after_id = None
        self.exercise.cancel_anim()

    # -- actions ---------------------------------------------------------

    def toggle_pause(self) -> None:
        if not self._on_the_note() and self.session.toggle_pause(self.clock.monotonic()):
            self._refresh()

    def skip(self) -> None:
        if not self._on_the_note() and self.session.skip(self.clock.monotonic()):
            self._refresh()

    def _on_the_note(self) -> bool:
        """On the first-use note Space and → do nothing; with a voice they say again which key goes on, so
        someone following with eyes closed who presses the session's keys is not left in silence."""
        if self.intro is None:
            return False
        if self.guide is not None:
            self.o.speaker.say(_(voice.SAFETY_GO_ON))
        return True

    def stop(self) -> None:
        if self.session.state.finished:
            return
        self.session.stop(self.clock.monotonic())
        self._finish()

    def toggle_voice(self) -> None:
        """V: voice guidance on or off for this session (``session.voice`` sets how it starts)."""
        self._set_voice(self.guide is None)
        if self.guide is not None and self.session.state is State.RUNNING:
            self._show()

    def _set_voice(self, on: bool) -> None:
        if not on:
            self.guide = None
            self.notice.config(text=_("Voice guidance off (V)"))
        else:
            if self.o.speaker is None:
                from necka_tray.texts.i18n import language

                self.o.speaker = voice.Speaker(language())
            if self.o.speaker.problem:  # said once; the session goes on without a voice
                self.notice.config(text=self.o.speaker.problem)
                self.o.speaker.problem = ""
            else:
                self.notice.config(text=_("Voice guidance on (V)"))
            self.guide = voice.Guide(self.routine) if self.o.speaker.engine else None
            if self.intro is not None:  # V pressed on the first-use note: say it now
                self.intro.speak()
        if not self.notice.winfo_manager():
            self.notice.pack(fill="x", before=self.safety, pady=(0, round(4 * self.px)))

    def _escape(self) -> None:
        if self.done is not None:
            self.close()
        else:
            self.stop()

    def _enter(self) -> None:
        if self.intro is not None:
            self.intro.acknowledge()
        elif self.done is not None:
            self.close()

    def _help(self) -> None:
        """Open "When to see a professional"; a running session pauses while it is read."""
        if self.session.state is State.RUNNING:
            self.toggle_pause()
        if self.o.open_page is not None:
            self.o.open_page(care.CARE)

    def stop_or_close(self) -> None:
        """The window manager's close button or a signal: a stop, or closing the "Well done" screen."""
        if self.session.state.finished:
            self.close()
        else:
            self.stop()

    def _finish(self) -> None:
        """The session is over: remember how it went, then thank the user or close."""
        self.cancel_timer()
        self.result = result_of(self.session, self.routine, self.clock, self.started_wall)
        if self.session.state is State.COMPLETED:
            if self.o.sound is not None:
                self.o.sound.play()
            if self.guide is not None:
                for text in self.guide.finished():
                    self.o.speaker.say(text)
            self.done = DoneScreen(self)
        else:
            self.close()

    def close(self) -> None:
        self.cancel_timer()
        self._remember_place()
        self.root.destroy()


def result_of(session: StretchSession, routine: Routine, clock: Clock, started: datetime | None) -> SessionResult:
    """The session's result now (a session still running counts as stopped)."""
    now = clock.monotonic()
    if not session.state.finished:
        session.stop(now)
    duration = session.duration(now)
    started = started or clock.now()
    return SessionResult(
        outcome="completed" if session.state is State.COMPLETED else "stopped",
        steps_done=session.view(now).steps_done, steps_total=len(routine.steps), routine=routine.id,
        duration_s=round(duration, 1), started=started, ended=started + timedelta(seconds=duration))

