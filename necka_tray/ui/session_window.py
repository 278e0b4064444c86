"""The guided stretch-session window (tkinter), run as its own process.

The tray process starts ``python -m necka_tray.ui.session_window`` and reads
one JSON line from its stdout when it ends, so Tk never shares a process
with the tray's own toolkit loop. All timing lives in the pure
``StretchSession``; this module only draws its ``view`` and turns keys and
clicks into session calls. It sleeps with ``after()`` until the next moment
the display changes, never on a fixed polling interval.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from tkinter import font as tkfont

from PIL import ImageTk

from necka_tray.core.clock import Clock, SystemClock, TimeScale
from necka_tray.core.routine import DEFAULT_ROUTINE, Routine, builtin_routines
from necka_tray.core.session import SessionView, State, StretchSession, countdown
from necka_tray.ui import illustrations

TITLE = "Necka — Stretch session"
SAFETY_TEXT = (
    "Move slowly and gently; stop if pain gets sharper. "
    "If neck spasms persist or get worse, see a healthcare professional."
)
#: Configured seconds the "Well done" screen stays before closing itself.
WELL_DONE_SECONDS = 10
TIME_SCALE_ENV = "NECKA_TIME_SCALE"

# A calm palette: soft sage background, deep slate text, one teal accent.
BG = "#F4F7F6"
TEXT = "#1F3A44"
MUTED = "#5C7177"
ACCENT = "#2E7D73"
ACCENT_ACTIVE = "#256A61"
TROUGH = "#DCE8E5"
BORDER = "#C5D5D1"
PAUSED = "#9A5312"
FOCUS = "#E39B3B"
WHITE = "#FFFFFF"

_FONT_FAMILIES = ("Cantarell", "Inter", "Noto Sans", "Ubuntu", "Segoe UI", "Helvetica Neue", "DejaVu Sans")


@dataclass(frozen=True)
class SessionResult:
    outcome: str  # "completed" | "stopped"
    steps_done: int
    steps_total: int
    routine: str
    duration_s: float  # real seconds, pauses included
    started: datetime
    ended: datetime

    def json_line(self) -> str:
        return json.dumps(
            {
                "event": "session_end",
                "outcome": self.outcome,
                "steps_done": self.steps_done,
                "steps_total": self.steps_total,
                "routine": self.routine,
                "duration_s": self.duration_s,
            }
        )


class SessionWindow:
    """Draws a ``StretchSession`` in a Tk root; ``result`` is set once the session ends."""

    def __init__(self, root: tk.Tk, routine: Routine, scale: TimeScale, clock: Clock) -> None:
        self.root = root
        self.routine = routine
        self.scale = scale
        self.clock = clock
        self.session = StretchSession(routine, scale)
        self.result: SessionResult | None = None
        self._started_wall: datetime | None = None
        self._after: str | None = None
        self._images: dict[str, ImageTk.PhotoImage] = {}
        self._pose: str | None = None
        self._done_deadline: float | None = None

        ppi = root.winfo_fpixels("1i")
        self._px = max(1.0, ppi / 96.0)  # scale pixel sizes on dense screens
        self._fonts = _make_fonts(root)

        # Hidden while it is built and measured (measuring runs idle tasks, which
        # would otherwise map a half-built window), shown once, in place.
        root.withdraw()
        root.title(TITLE)
        root.configure(bg=BG)
        root.protocol("WM_DELETE_WINDOW", self._on_close)
        self._build()
        root.bind("<space>", lambda e: self._toggle_pause())
        root.bind("<Right>", lambda e: self._skip())
        root.bind("<Escape>", lambda e: self._escape())
        root.bind("<Return>", lambda e: self._enter())
        root.bind("<KP_Enter>", lambda e: self._enter())
        root.bind("<Map>", self._on_map)
        self._show(self.session.view(clock.monotonic()))
        self._place_and_raise()

    # -- layout ----------------------------------------------------------

    def _build(self) -> None:
        f, px = self._fonts, self._px
        pad = round(28 * px)
        self.body = tk.Frame(self.root, bg=BG, padx=pad, pady=round(22 * px))
        self.body.pack(fill="both", expand=True)

        # Header: where we are in the routine.
        head = tk.Frame(self.body, bg=BG)
        head.pack(fill="x")
        self.step_label = tk.Label(head, text="", font=f["small_bold"], fg=ACCENT, bg=BG)
        self.step_label.pack(side="left")
        self.routine_label = tk.Label(head, text=self.routine.title, font=f["small"], fg=MUTED, bg=BG)
        self.routine_label.pack(side="right")
        self.progress = tk.Canvas(self.body, height=round(10 * px), bg=BG, highlightthickness=0, bd=0)
        self.progress.pack(fill="x", pady=(round(8 * px), round(14 * px)))
        self.progress.bind("<Configure>", lambda e: self._draw_progress())
        self._progress_value = 0.0

        # The exercise: title, picture, what to do.
        self.stage = tk.Frame(self.body, bg=BG)
        self.stage.pack(fill="both", expand=True)
        self.title_label = tk.Label(self.stage, text="", font=f["title"], fg=TEXT, bg=BG)
        self.title_label.pack()
        self.picture = tk.Label(self.stage, bg=BG, bd=0)
        self.picture.pack(pady=(round(10 * px), round(10 * px)))
        wrap = round(480 * px)
        self.text_block = tk.Frame(self.stage, bg=BG)
        self.text_block.pack(fill="x")
        self.instruction = tk.Label(
            self.text_block, text="", font=f["body"], fg=TEXT, bg=BG, wraplength=wrap, justify="center"
        )
        self.instruction.pack(side="top", fill="x")
        self.cue = tk.Label(
            self.text_block, text="", font=f["cue"], fg=ACCENT, bg=BG, wraplength=wrap, justify="center"
        )
        self.cue.pack(side="top", fill="x", pady=(round(6 * px), 0))
        self._fix_text_height()

        # The countdown and what the timer is doing.
        self.count = tk.Label(self.stage, text="", font=f["count"], fg=TEXT, bg=BG)
        self.count.pack(pady=(round(8 * px), 0))
        self.status = tk.Label(self.stage, text="", font=f["small"], fg=MUTED, bg=BG)
        self.status.pack(pady=(0, round(14 * px)))

        # Controls, each naming its key.
        self.buttons = tk.Frame(self.stage, bg=BG)
        self.buttons.pack()
        self.pause_btn = self._button(self.buttons, "Pause (Space)", self._toggle_pause, primary=True, width=15)
        self.skip_btn = self._button(self.buttons, "Skip step (→)", self._skip)
        self.stop_btn = self._button(self.buttons, "Stop (Esc)", self._stop)
        for i, b in enumerate((self.pause_btn, self.skip_btn, self.stop_btn)):
            b.grid(row=0, column=i, padx=round(6 * px))

        # Always on screen: how to stretch safely.
        self._rule = tk.Frame(self.body, bg=BORDER, height=1)
        self._rule.pack(fill="x", pady=(round(18 * px), round(10 * px)))
        self.safety = tk.Label(
            self.body, text=SAFETY_TEXT, font=f["small"], fg=MUTED, bg=BG, wraplength=round(520 * px),
            justify="center",
        )
        self.safety.pack(fill="x")

    def _fix_text_height(self) -> None:
        """Give the text block the height of the routine's longest text, so the
        countdown and buttons stay put from step to step."""
        tallest = 0
        for step in self.routine.steps:
            self.instruction.config(text=step.exercise.instruction)
            self.cue.config(text=step.exercise.safety)
            self.text_block.update_idletasks()
            tallest = max(tallest, self.text_block.winfo_reqheight())
        self.text_block.config(height=tallest)
        self.text_block.pack_propagate(False)

    def _button(self, parent: tk.Widget, text: str, command: Callable[[], None], primary: bool = False,
                width: int = 0) -> tk.Button:
        """A flat button whose highlight ring is its border, and turns amber when it has focus."""
        px = self._px
        b = tk.Button(
            parent,
            text=text,
            command=command,
            font=self._fonts["button"],
            width=width,
            relief="flat",
            bd=0,
            padx=round(16 * px),
            pady=round(9 * px),
            cursor="hand2",
            bg=ACCENT if primary else WHITE,
            fg=WHITE if primary else TEXT,
            activebackground=ACCENT_ACTIVE if primary else TROUGH,
            activeforeground=WHITE if primary else TEXT,
            highlightthickness=max(2, round(3 * px)),
            highlightbackground=ACCENT if primary else BORDER,
            highlightcolor=FOCUS,
            takefocus=True,
        )
        # Space always means pause/resume (not "press the focused button");
        # Enter presses the focused button.
        b.bind("<space>", lambda e: (self._toggle_pause(), "break")[1])
        b.bind("<Return>", lambda e: (b.invoke(), "break")[1])
        b.bind("<KP_Enter>", lambda e: (b.invoke(), "break")[1])
        return b

    def _place_and_raise(self) -> None:
        """Centre the window, then bring it to the front with the keyboard focus."""
        root = self.root
        root.update_idletasks()
        w, h = root.winfo_reqwidth(), root.winfo_reqheight()
        x = max(0, (root.winfo_screenwidth() - w) // 2)
        y = max(0, (root.winfo_screenheight() - h) // 3)
        root.geometry(f"+{x}+{y}")
        root.minsize(w, h)
        root.deiconify()
        root.lift()
        root.attributes("-topmost", True)
        # Only to get in front once; staying on top would be rude.
        root.after(800, lambda: root.attributes("-topmost", False))

    # -- drawing ---------------------------------------------------------

    def _show(self, v: SessionView) -> None:
        self.step_label.config(text=f"Step {v.step_number} of {v.step_count}")
        self._progress_value = v.progress
        self._draw_progress()
        ex = v.exercise
        self.title_label.config(text=ex.title)
        if ex.pose != self._pose:
            self._pose = ex.pose
            self.picture.config(image=self._image(ex.pose))
        self.instruction.config(text=ex.instruction)
        self.cue.config(text=ex.safety)
        self.count.config(text=f"{v.display_seconds} s", fg=PAUSED if v.state is State.PAUSED else TEXT)
        if v.state is State.PAUSED:
            self.status.config(text="Paused — press Space to carry on", fg=PAUSED)
            self.pause_btn.config(text="Resume (Space)")
        else:
            self.status.config(text="Hold gently" if ex.is_hold else "Slow and easy", fg=MUTED)
            self.pause_btn.config(text="Pause (Space)")

    def _draw_progress(self) -> None:
        c = self.progress
        c.delete("all")
        w, h = c.winfo_width(), int(c["height"])
        if w <= 1:
            return
        r = h / 2
        c.create_line(r, r, w - r, r, width=h, fill=TROUGH, capstyle="round")
        if self._progress_value > 0:
            end = r + (w - 2 * r) * self._progress_value
            c.create_line(r, r, max(r + 0.1, end), r, width=h, fill=ACCENT, capstyle="round")

    def _image(self, pose: str) -> ImageTk.PhotoImage:
        if pose not in self._images:
            size = round(200 * self._px)
            self._images[pose] = ImageTk.PhotoImage(illustrations.render(pose, size), master=self.root)
        return self._images[pose]

    # -- time ------------------------------------------------------------

    def _on_map(self, event: tk.Event) -> None:
        """Start the clock when the window is on screen, not while it is being built."""
        if event.widget is not self.root:
            return
        self.root.focus_force()
        self.pause_btn.focus_set()
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
        if self._done_deadline is not None:
            self.close()

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
            self._show_done()
        else:
            self.close()

    def close(self) -> None:
        self._cancel_timer()
        self.root.destroy()

    # -- "Well done" -----------------------------------------------------

    def _show_done(self) -> None:
        f, px = self._fonts, self._px
        self.step_label.config(text="Routine finished")
        self._progress_value = 1.0
        self._draw_progress()
        # Same footprint as the exercise screen, so the window does not jump.
        done = tk.Frame(self.body, bg=BG, width=self.stage.winfo_width(), height=self.stage.winfo_height())
        done.pack_propagate(False)
        self.stage.pack_forget()
        done.pack(fill="both", expand=True, before=self._rule)
        inner = tk.Frame(done, bg=BG)
        inner.place(relx=0.5, rely=0.45, anchor="center")
        tk.Label(inner, image=self._image("done"), bg=BG).pack(pady=(0, round(14 * px)))
        tk.Label(inner, text="Well done", font=f["title"], fg=TEXT, bg=BG).pack()
        tk.Label(
            inner, text=self._done_message(), font=f["body"], fg=TEXT, bg=BG,
            wraplength=round(500 * px), justify="center",
        ).pack(pady=(round(8 * px), round(4 * px)))
        tk.Label(
            inner, text="Short breaks spread through the day help more than one long one.",
            font=f["cue"], fg=ACCENT, bg=BG, wraplength=round(500 * px), justify="center",
        ).pack(pady=(0, round(18 * px)))
        from necka_tray.ui import checkin  # the neck check-in (issue 4): one tap, skippable

        checkin.build(inner, lambda rating: checkin.record(rating, "session"), f, px,
                      on_engage=lambda: (self._cancel_timer(), self.closing.config(text=""))
                      ).pack(pady=(0, round(12 * px)))
        # Grow (only) as much as it takes to show all of it, centred 45% down.
        self.root.after_idle(lambda: (inner.update_idletasks(), done.config(
            height=max(done.winfo_height(), math.ceil(inner.winfo_reqheight() / 0.9)))))
        self.close_btn = self._button(inner, "Close (Enter)", self.close, primary=True, width=14)
        self.close_btn.bind("<space>", lambda e: (self.close(), "break")[1])
        self.close_btn.pack()
        self.closing = tk.Label(inner, text="", font=f["small"], fg=MUTED, bg=BG)
        self.closing.pack(pady=(round(10 * px), 0))
        self.close_btn.focus_set()
        self._done_deadline = self.clock.monotonic() + self.scale.real_seconds(WELL_DONE_SECONDS)
        self._done_tick()

    def _done_message(self) -> str:
        r = self.result
        assert r is not None
        name = self.routine.title.lower()
        if r.steps_done == r.steps_total:
            return f"You finished all {r.steps_total} steps of the {name}."
        if r.steps_done:
            return f"You reached the end of the {name} and held {r.steps_done} of {r.steps_total} steps."
        return f"You reached the end of the {name}."

    def _done_tick(self) -> None:
        assert self._done_deadline is not None
        left = (self._done_deadline - self.clock.monotonic()) * self.scale.factor
        shown, next_in = countdown(left, self.scale)
        if next_in is None:
            self.close()
            return
        self.closing.config(text=f"This window closes by itself in {shown} s")
        self._after = self.root.after(_ms(next_in), self._done_tick)


def _ms(seconds: float) -> int:
    """Tk delay for ``seconds``, rounded up so we wake just after the change, not before."""
    return max(1, math.ceil(seconds * 1000))


def _make_fonts(root: tk.Tk) -> dict[str, tkfont.Font]:
    families = set(tkfont.families(root))
    family = next((f for f in _FONT_FAMILIES if f in families), tkfont.nametofont("TkDefaultFont").actual("family"))

    def font(size: int, weight: str = "normal", slant: str = "roman") -> tkfont.Font:
        return tkfont.Font(root=root, family=family, size=size, weight=weight, slant=slant)

    return {
        "title": font(20, "bold"),
        "body": font(12),
        "cue": font(11, slant="italic"),
        "count": font(34, "bold"),
        "button": font(11, "bold"),
        "small": font(10),
        "small_bold": font(10, "bold"),
    }


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
    p = argparse.ArgumentParser(
        prog="python -m necka_tray.ui.session_window",
        description="Show Necka's guided stretch session; print one JSON line when it ends.",
    )
    p.add_argument("--routine", metavar="ID", default=DEFAULT_ROUTINE, help=f"routine to run (default: {DEFAULT_ROUTINE})")
    p.add_argument(
        "--time-scale",
        metavar="FACTOR",
        type=_positive_float,
        default=None,
        help=f"configured seconds per real second, for tests and demos (default: 1, or ${TIME_SCALE_ENV})",
    )
    p.add_argument("--no-record", action="store_true", help="don't write the session to the history")
    return p


def _record(result: SessionResult) -> None:
    # Imported here so the window starts without touching the disk until it must.
    from necka_tray.history import History
    from necka_tray.paths import AppPaths

    paths = AppPaths.for_user()
    paths.ensure()
    with History(paths.history_db) as history:
        history.record_session(
            result.started, result.ended, result.outcome, result.steps_done, result.steps_total, result.routine
        )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    factor = args.time_scale
    if factor is None:
        env = os.environ.get(TIME_SCALE_ENV, "").strip()
        try:
            factor = _positive_float(env) if env else 1.0
        except argparse.ArgumentTypeError as e:
            parser.error(f"${TIME_SCALE_ENV}: {e}")
    routines = builtin_routines()
    routine = routines.get(args.routine)
    if routine is None:
        parser.error(f"unknown routine {args.routine!r}; choose from: {', '.join(routines)}")

    clock = SystemClock()
    root = tk.Tk(className="Necka")
    window: SessionWindow | None = None

    def on_signal() -> None:
        if window is not None:
            window.stop_from_signal()

    # Before the window exists: a signal that arrives as soon as it is visible still counts as a stop.
    _install_signal_handlers(root, on_signal)
    window = SessionWindow(root, routine, TimeScale(factor), clock)
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
