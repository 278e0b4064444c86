"""The routines a user can start: the built-in ones plus their own ``routines.toml``.

The user's file sits next to ``config.toml`` and has the shipped format; its
routines may use the built-in exercises. A routine with a built-in id replaces
that one. A bad file never costs the built-ins: it is left as it is, its one
problem (file, line, key) is reported, and only the built-ins are offered
until it is fixed. It is read with ``fsutil.read_user_file``: a FIFO, device or
huge file there is refused by name and never blocks the tray's event thread. The file is read again only when it changed (size or
modification time), so asking often costs one ``stat``.

Which routines are unlocked depends on the history (``core.progress``): the
days with a completed session are read once, again after a session or on a
new day, and not at all once every rule is met.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from necka_tray.core import events as ev
from necka_tray.core import progress
from necka_tray.core.routine import (POSES, Routine, RoutineError, builtin_exercises, builtin_routines, decode,
                                     load_routines, merge)
from necka_tray.store.fsutil import read_user_file
from necka_tray.texts.i18n import _

logger = logging.getLogger(__name__)

#: The built-in routines are ~8 KiB; at 64 KiB any file loads (parse and checks) in < 100 ms.
MAX_BYTES = 64 << 10

#: What ``Edit my routines`` writes when the user has no file yet: a working example.
STARTER = """# Your own Necka routines. They appear in the tray's Routines menu next to Necka's own.
# Same format as Necka's file; a routine may use any of these built-in exercises:
{ids}
# A routine with a built-in id ("neck", "shoulders", ...) replaces that one.
# A step is an exercise id, or {{ exercise = "id", seconds = 20 }} to change its length.
# If something here is wrong, Necka names the line and keeps offering its own routines.

[routines.my_break]
title = "My stretch break"
steps = ["shoulder_rolls_back", {{ exercise = "tilt_left", seconds = 20 }},
         {{ exercise = "tilt_right", seconds = 20 }}, "my_long_breaths"]

# Your own exercise: hold_seconds (or reps and seconds), a safety cue, and a pose: the
# drawing, named like a built-in exercise's ("breathing", "tilt_left", "shoulders_down", ...).
[exercises.my_long_breaths]
title = "Three long breaths"
instruction = "Breathe in gently, then breathe out slowly through your mouth. Three times."
reps = 3
seconds = 25
safety = "Easy breaths, never forced."
pose = "breathing"
"""


def starter_text() -> str:
    import textwrap

    ids = textwrap.fill(" ".join(builtin_exercises()), 96, initial_indent="#   ", subsequent_indent="#   ")
    return STARTER.format(ids=ids)


@dataclass(frozen=True)
class Catalogue:
    """The routines on offer, in menu order; ``problem``: why the user's file is not used."""

    routines: dict[str, Routine]
    user_ids: frozenset[str] = frozenset()
    problem: str | None = None


def unknown_default(chosen: str, routines: dict[str, Routine]) -> str | None:
    """Why ``session.default_routine`` cannot be used (the id names no routine on offer), or None."""
    if chosen in routines:
        return None
    from necka_tray.core.durations import quoted
    from necka_tray.core.routine import DEFAULT_ROUTINE

    return _("session.default_routine = {value} names no routine (choose from: {allowed}); "
             "stretch sessions run {default} instead.").format(value=quoted(chosen), allowed=", ".join(routines),
                                                               default=quoted(DEFAULT_ROUTINE))


def load_catalogue(user_file: Path | None) -> Catalogue:
    """The built-in routines merged with the user's file (when it exists and is valid)."""
    builtin = builtin_routines()
    if user_file is None:
        return Catalogue(dict(builtin))
    try:
        text = decode(read_user_file(user_file, MAX_BYTES), str(user_file))
        user = load_routines(text, base=builtin_exercises(), poses=POSES, origin=str(user_file))
    except FileNotFoundError:
        return Catalogue(dict(builtin))
    except (RoutineError, OSError) as exc:  # OSError: read_user_file's one line naming the file
        return Catalogue(dict(builtin), problem=_("{problem}. Using Necka's own routines until it is fixed.").format(
            problem=exc))
    return Catalogue(merge(builtin, user), frozenset(user))


def session_days(history_db: Path | None, tz: tzinfo) -> set[date]:
    """Days with at least one completed stretch session (rolled-up days included)."""
    if history_db is None or not Path(history_db).exists():
        return set()
    from necka_tray.core import stats
    from necka_tray.store.history import History

    with History(history_db) as h:
        days = {d for d, row in h.day_rows(date.min, date.max).items() if row.stretch_done}
        days |= {stats.local_day(e.ts, tz) for e in h.events(ev.SESSION) if e.data.get("outcome") == ev.COMPLETED}
    return days


def routines_used_on(history_db: Path | None, day_start: datetime) -> list[str]:
    """The routines of the sessions since ``day_start``, oldest first (seeds the rotation)."""
    if history_db is None or not Path(history_db).exists():
        return []
    from necka_tray.store.history import History

    with History(history_db) as h:
        return [str(e.data.get("routine")) for e in h.events(ev.SESSION, since=day_start) if e.data.get("routine")]


@dataclass
class RoutineBook:
    """The tray's (and the session window's) port to routines: what is on offer and unlocked."""

    user_file: Path | None = None
    history_db: Path | None = None
    tz: tzinfo | None = None
    _stamp: tuple[int, int] | None = field(default=None, repr=False)
    _catalogue: Catalogue | None = field(default=None, repr=False)
    _days: set[date] | None = field(default=None, repr=False)
    _met: set[str] = field(default_factory=set, repr=False)
    #: False in the tray: ``locked`` never reads the history itself, the tray's history thread
    #: does (``read_progress``, ``read_care``) and hands them back (``progress_read``, ``care_read``).
    reads_history: bool = True
    _care: tuple[date, bool] | None = field(default=None, repr=False)  # (day, the care rule holds)

    @property
    def zone(self) -> tzinfo:
        if self.tz is None:
            from necka_tray.store.reports import local_zone

            self.tz = local_zone()
        return self.tz

    def catalogue(self) -> Catalogue:
        """The current routines; the user's file is read again only when it changed."""
        stamp = _stamp(self.user_file)
        if self._catalogue is None or stamp != self._stamp:
            self._catalogue = load_catalogue(self.user_file)
            self._stamp = stamp
            if self._catalogue.problem:
                logger.warning("%s", self._catalogue.problem)
        return self._catalogue

    def used_since(self, now: datetime) -> list[str]:
        """The routines of today's sessions, oldest first."""
        from necka_tray.core import stats

        return routines_used_on(self.history_db, stats.day_start(stats.local_day(now, self.zone), self.zone))

    def sessions_changed(self) -> None:
        """A session ended, a check-in came or a day began: read the progress (and the care rule) again.

        The tray keeps what it knew until its history thread has read them again."""
        if self.reads_history:
            self._days = None
            self._care = None

    def care_holds(self, now: datetime) -> bool:
        """The check-ins call for a professional (``core.care``): the strengthening routines rest."""
        from necka_tray.core import stats

        today = stats.local_day(now, self.zone)
        if (self._care is None or self._care[0] != today) and self.reads_history:
            try:
                self._care = self.read_care(now)
            except Exception as exc:  # offered as usual until the history can be read
                _unreadable("care", exc)
                self._care = (today, False)
        return self._care == (today, True)

    def read_care(self, now: datetime) -> tuple[date, bool]:
        """(today, whether the care rule holds), read from the history (raises what History raises)."""
        from necka_tray.core import stats
        from necka_tray.store import care_reads

        holds = self.history_db is not None and care_reads.suggestion(self.history_db, now, self.zone) is not None
        return stats.local_day(now, self.zone), holds

    def care_read(self, found: tuple[date, bool]) -> None:
        """What ``read_care`` found, read elsewhere (the tray's history thread)."""
        self._care = found

    def read_progress(self) -> set[date]:
        """The days with a completed session, read from the history (raises what History raises)."""
        return session_days(self.history_db, self.zone)

    @property
    def known_days(self) -> set[date]:
        """The days with a completed session as last read (none before the first read)."""
        return set(self._days or ())

    def progress_read(self, days: set[date]) -> None:
        """What ``read_progress`` found, read elsewhere (the tray's history thread)."""
        self._days = set(days)

    def locked(self, routine: Routine, now: datetime) -> str | None:
        """Why ``routine`` cannot start yet (a few words), or None when it can."""
        if routine.strengthening and self.care_holds(now):
            from necka_tray.core.care import STRENGTH_RESTS

            return _(STRENGTH_RESTS)
        rule = routine.unlock
        if rule is None or rule in self._met:
            return None
        if self._days is None and self.reads_history:
            try:
                self._days = self.read_progress()
            except Exception as exc:  # locked until the history can be read; asked again after a session
                _unreadable("unlock", exc)
                self._days = set()
        days = self._days if self._days is not None else set()  # not read yet: none known
        if progress.is_unlocked(rule, days):
            self._met.add(rule)
            return None
        return progress.hint(rule, days, now.astimezone(self.zone).date())


def _unreadable(what: str, exc: Exception) -> None:
    """A history file fault is said once by whoever met it first (``dbfile.report``); only a bug is a warning."""
    from necka_tray.store import dbfile

    log = logger.debug if dbfile.classify(exc) is not None else logger.warning
    log("action=routines-%s history unreadable (%s)", what, exc)


def _stamp(path: Path | None) -> tuple[int, int] | None:
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size) if st else None
