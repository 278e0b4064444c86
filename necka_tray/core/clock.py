"""Time as a parameter: one ``Clock`` at the edge, fakes in tests.

Wall time is timezone-aware local time (what the user reads on the tray);
monotonic time is for measuring how long something lasted, immune to clock
changes. ``TimeScale`` turns configured minutes into real seconds so
``--time-scale 60`` makes a configured minute last one second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware local wall-clock time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never jumps."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().astimezone()

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
