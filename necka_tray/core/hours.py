"""Working hours: the days and time range in which Necka may remind at all.

Times are local wall-clock times, compared on aware datetimes converted to
the user's zone, so a DST change moves nothing. A range whose end is before
its start runs past midnight (22:00–06:00 on a night shift): the part after
midnight belongs to the day the shift started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from necka_tray.core.clock import local as local_time, local_wall
from necka_tray.texts.i18n import _

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(text: str) -> frozenset[int]:
    """``"mon-fri"``, ``"mon,wed,fri"``, ``"sat-sun"``, ``"fri-mon"`` → weekday numbers (Monday 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        first, _sep, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(_("{value} is not a day or a range of days like mon-fri").format(value=repr(part)))
        a = DAY_NAMES.index(first)
        b = DAY_NAMES.index(last) if last else a
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    if not days:
        raise ValueError(_("no days given"))
    return frozenset(days)


def parse_time(text: str) -> time:
    """``"09:00"`` → 09:00; ``"24:00"`` is not a time."""
    try:
        hour, minute = text.split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(_("{value} is not a time like 09:00").format(value=repr(text))) from None


@dataclass(frozen=True)
class WorkingHours:
    days: frozenset[int]
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def contains(self, when: datetime, tz: tzinfo | None = None) -> bool:
        local = when.astimezone(tz) if tz is not None else local_time(when)
        t, weekday = local.time(), local.weekday()
        if not self.overnight:
            return weekday in self.days and self.start <= t < self.end
        if t >= self.start:
            return weekday in self.days
        return t < self.end and (weekday - 1) % 7 in self.days

    def next_start(self, when: datetime, tz: tzinfo | None = None) -> datetime:
        """The next moment (after ``when``) at which working hours begin."""
        local = when.astimezone(tz) if tz is not None else local_time(when)
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            start = _local(day, self.start, tz)
            if start > when:
                return start
        raise ValueError("working hours have no days")  # unreachable: parse_days refuses that


def _local(day, at: time, tz: tzinfo | None) -> datetime:
    """``day`` at ``at`` in ``tz`` (the system's local zone when None), DST-correct."""
    naive = datetime.combine(day, at)
    if tz is None:
        return local_wall(naive)  # interprets a naive time as system local time
    return naive.replace(tzinfo=tz)
