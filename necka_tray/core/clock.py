"""Time as a parameter: one ``Clock`` at the edge, fakes in tests.

Wall time is timezone-aware local time (what the user reads on the tray);
monotonic time is for measuring how long something lasted, immune to clock
changes. ``TimeScale`` turns configured minutes into real seconds so
``--time-scale 60`` makes a configured minute last one second.

Local time is what the C library says (``TZ``, /etc/localtime). A zone it
accepts may have an offset of a day or more (``TZ=UTC+24``, ``<+2430>-24:30``),
which Python's ``timezone`` cannot hold: then Necka counts in UTC, and says
so once, in one line (``usable_offset``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware local wall-clock time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never jumps."""


logger = logging.getLogger(__name__)
_LIMIT = timedelta(hours=24)
_said: list[str] = []


def usable_offset(offset: timedelta) -> timedelta:
    """``offset`` (the C library's), or UTC's when it is a day or more, which no ``timezone`` holds."""
    if -_LIMIT < offset < _LIMIT:
        return offset
    if not _said:
        _said.append("said")
        from necka_tray.texts.i18n import _

        logger.warning("%s", _("The time zone TZ={zone} is {hours} hours from UTC, more than Necka can count in; "
                               "Necka uses UTC instead.").format(zone=_tz_name(),
                                                                 hours=f"{offset.total_seconds() / 3600:+g}"))
    return timedelta(0)


def local(when: datetime) -> datetime:
    """``when`` (aware) in the system's local time, as a fixed offset; UTC when the offset is unusable."""
    try:
        return when.astimezone()
    except (ValueError, OverflowError):
        seconds = time.localtime(when.timestamp()).tm_gmtoff
        return when.astimezone(timezone(usable_offset(timedelta(seconds=seconds))))


def local_wall(naive: datetime) -> datetime:
    """A naive local wall time made aware in the system's local time (UTC's frame when unusable)."""
    try:
        return naive.astimezone()
    except (ValueError, OverflowError):
        stamp = time.mktime(naive.timetuple()[:8] + (-1,))
        seconds = time.localtime(stamp).tm_gmtoff
        offset = usable_offset(timedelta(seconds=seconds))
        return naive.replace(tzinfo=timezone(offset))


def _tz_name() -> str:
    import os

    return os.environ.get("TZ", "") or time.tzname[0]


class SystemClock:
    def now(self) -> datetime:
        return local(datetime.now(timezone.utc))

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, start: datetime, mono: float = 1000.0) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._mono = mono

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0, **delta: float) -> None:
        step = timedelta(seconds=seconds, **delta)
        # In UTC: adding to a zoned datetime is wall-clock arithmetic, wrong across DST.
        self._now = (self._now.astimezone(timezone.utc) + step).astimezone(self._now.tzinfo)
        self._mono += step.total_seconds()


@dataclass(frozen=True)
class TimeScale:
    """How many configured seconds pass in one real second (1 in normal use)."""

    factor: float = 1.0

    def __post_init__(self) -> None:
        if not (self.factor > 0):
            raise ValueError("time scale must be positive")

    def real(self, configured: timedelta) -> timedelta:
        """Real duration of a configured one."""
        return configured / self.factor

    def configured(self, real: timedelta) -> timedelta:
        """Configured duration that a real one stands for."""
        return real * self.factor

    def real_seconds(self, configured_seconds: float) -> float:
        return configured_seconds / self.factor


def between(earlier: datetime, later: datetime) -> timedelta:
    """Real time from ``earlier`` to ``later``.

    Python subtracts two datetimes that share a tzinfo object as wall-clock
    times, ignoring a DST change between them; in UTC that cannot happen.
    """
    return later.astimezone(timezone.utc) - earlier.astimezone(timezone.utc)
