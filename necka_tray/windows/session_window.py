"""The guided stretch session as a process of its own: ``necka-tray session``.

The tray starts it (the ``session`` helper of ``necka_tray/children/helpers.py``, with
``--no-record``) and reads one ``protocol.SessionEnd`` line from its stdout
when it ends, so Tk never shares a process with the tray's own toolkit loop;
the tray records the session and the check-in given on its last screen. This module
reads the arguments and settings, picks the routine, turns signals into a
normal stop, records the session when it runs without a tray to do it, and
prints the result; the window is ``session_controller.SessionWindow``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import tkinter as tk
from collections.abc import Callable

from necka_tray.children.commandline import time_scale
from necka_tray.core.clock import SystemClock, TimeScale
from necka_tray.core.routine import DEFAULT_ROUTINE
from necka_tray.texts.i18n import _
from necka_tray.store.state import SAFETY_SEEN
from necka_tray.windows import base
from necka_tray.windows.session_controller import Options, SessionResult, SessionWindow, result_of

__all__ = ["Options", "SessionResult", "SessionWindow", "main"]

TIME_SCALE_ENV = "NECKA_TIME_SCALE"


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


def _parser() -> argparse.ArgumentParser:
    p = base.parser("necka-tray session", _("Show Necka's guided stretch session; print one JSON line when it ends."))
    p.add_argument("--routine", metavar="ID", default=None, help=_(
        "routine to run (default: {routine}, or session.default_routine in the settings)").format(routine=DEFAULT_ROUTINE))
    p.add_argument(
        "--time-scale",
        metavar="FACTOR",
        type=time_scale,
        default=None,
        help=_("configured seconds per real second, for tests and demos (default: 1, or ${variable})").format(
            variable=TIME_SCALE_ENV),
    )
    p.add_argument("--no-record", action="store_true", help=_("don't write the session or its check-in to the "
                                                              "history (the tray records them from the result line)"))
    return p


def _record(result: SessionResult) -> None:
    """Without a tray only: with one, the tray records the session from the result line."""
    # Imported here so the window starts without touching the disk until it must.
    from necka_tray.core.events import session_event
    from necka_tray.store import history_spool
    from necka_tray.store.paths import AppPaths

    paths = AppPaths.for_user()
    paths.ensure()
    event = session_event(result.started, result.ended, result.outcome, result.steps_done, result.steps_total,
                          result.routine)
    try:
        history_spool.write(paths.history_db, [event])
    except Exception as exc:  # the file fails (locked, full, newer): the session waits in the spool
        if not history_spool.is_file_fault(exc):
            raise
        history_spool.add(paths.history_db, [event])


def _care(settings, paths, clock) -> tuple[bool, Callable[[int | None], str | None] | None]:
    """Whether today is a gentle day (a check-in of 6 or more), and the last screen's care line.

    Read once, before the window opens; the line is asked again with the rating given on the last
    screen, so that answer counts too. A history that cannot be read: no gentle day, no line.
    """
    from necka_tray.core import care
    from necka_tray.core.stats import local_day
    from necka_tray.store import care_reads
    from necka_tray.store.history import History
    from necka_tray.store.reports import local_zone

    tz, now = local_zone(), clock.now()
    today = local_day(now, tz)
    try:
        if not paths.history_db.exists():
            return False, None
        with History(paths.history_db) as h:
            by_day = care_reads.checkins_by_day(h, today, tz)
    except Exception as exc:
        print("necka-tray: " + _("cannot read the check-ins: {error}").format(error=exc), file=sys.stderr)
        return False, None
    gentle = care.gentle_day(by_day.get(today, ()))
    if not settings["care.suggest_professional"]:
        return gentle, None

    def line(rating: int | None) -> str | None:
        days = dict(by_day)
        if rating is not None:
            days[today] = (*days.get(today, ()), rating)
        found = care.suggestion(days, today)
        return care.suggestion_line(found) if found is not None else None

    return gentle, line


def _options(settings, paths, record: bool = True) -> Options:
    """The window's options from the user's settings and files."""
    from necka_tray.store.state import WindowMemory
    from necka_tray.windows.sound import Chime

    state = WindowMemory(paths.state_file)
    return Options(
        look=base.Look.from_settings(settings),
        reduced_motion=settings["session.reduced_motion"],
        sound=Chime(paths.data_dir / "chime.wav") if settings["session.sound"] else None,
        state=state,
        show_safety=not state.get(SAFETY_SEEN),
        open_page=base.open_page,
        voice=settings["session.voice"],
        record=record,
    )


def main(argv: list[str] | None = None) -> int:
    from necka_tray.store.paths import AppPaths
    from necka_tray.store.routines import RoutineBook, unknown_default

    parser = _parser()
    args = parser.parse_args(argv)
    factor = args.time_scale
    if factor is None:
        env = os.environ.get(TIME_SCALE_ENV, "").strip()
        try:
            factor = time_scale(env) if env else 1.0
        except argparse.ArgumentTypeError as e:
            parser.error(f"{TIME_SCALE_ENV}: {e}")  # as the command line says it (no "$")
    paths = AppPaths.for_user()
    settings = base.user_settings()
    book = RoutineBook(paths.routines_file, paths.history_db)
    catalogue = book.catalogue()
    routines = catalogue.routines  # a problem with routines.toml: the book said it (base.parser's log line)
    wanted = args.routine or settings["session.default_routine"]
    routine = routines.get(wanted)
    if routine is None and args.routine is None:  # the settings name a routine that is gone: the default
        print("necka-tray: " + unknown_default(wanted, routines), file=sys.stderr)
        routine = routines[DEFAULT_ROUTINE]
    if routine is None:
        parser.error(_("unknown routine {value}; choose from: {allowed}").format(value=repr(wanted), allowed=", ".join(routines)))
    clock = SystemClock()
    why = book.locked(routine, clock.now())
    if why:
        parser.error(_("routine {id} {why}").format(id=repr(routine.id), why=why))
    gentle, care_line = _care(settings, paths, clock)
    if gentle:
        routine = routine.gentle()

    root = base.new_root()
    window: SessionWindow | None = None

    def on_signal() -> None:
        if window is not None:
            window.stop_or_close()

    # Before the window exists: a signal that arrives as soon as it is visible still counts as a stop.
    _install_signal_handlers(root, on_signal)
    options = dataclasses.replace(_options(settings, paths, record=not args.no_record), gentle=gentle,
                                  care_line=care_line)
    window = SessionWindow(root, routine, TimeScale(factor), clock, options)
    root.mainloop()

    # The root went away some other way (no result yet): that counts as a stop.
    result = window.result or result_of(window.session, routine, clock, window.started_wall)
    from necka_tray.children import helpers

    # With a tray, the tray records the session from the result line. Without one, or when the
    # tray that started this window has died (nothing reads the line), the window records it.
    tray_records = args.no_record and not helpers.tray_gone()
    if tray_records and base.emit(result.message()):
        return 0
    try:
        _record(result)
    except Exception as e:  # the session still happened; say so on stderr, not stdout
        print("necka-tray: " + _("could not record the session in the history: {error}").format(error=e), file=sys.stderr)
    if not tray_records:
        base.emit(result.message())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
