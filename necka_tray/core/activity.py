"""Sitting time from samples of the clocks and the OS idle time.

The app samples (wall time, monotonic time, seconds since the last input)
whenever the scheduler wakes it (the minute tick, a reminder), and this
tracker turns the samples into effects on the reminder countdowns:

- ``RESTART``: a natural break (away at least ``natural_break``), a long
  suspend or a long forward clock jump ended: every countdown starts again
  from ``at``, and nothing fires the moment the user is back.
- ``SHIFT``: a shorter pause, a short suspend, or a clock change: countdowns
  move by ``delta`` so that time away is not counted as sitting and a
  changed clock neither advances nor delays anything.

Suspend and clock changes show as the wall clock moving more (or less) than
the monotonic clock, which stops during suspend and never jumps.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from necka_tray.core.clock import between


class Effect(enum.Enum):
    RESTART = "restart"
    SHIFT = "shift"


@dataclass(frozen=True)
class Change:
    effect: Effect
    at: datetime
    delta: timedelta = timedelta(0)
    reason: str = ""


@dataclass(frozen=True)
class Sample:
    wall: datetime
    monotonic: float
    #: Seconds since the last keyboard or pointer input; None when unknown.
    idle: float | None


@dataclass(frozen=True)
class NaturalBreak:
    start: datetime
    end: datetime
    #: The sitting stretch that the break ended.
    sat_from: datetime

    @property
    def length(self) -> timedelta:
        return between(self.start, self.end)


@dataclass
class Observation:
    changes: list[Change] = field(default_factory=list)
    natural_break: NaturalBreak | None = None
    #: A natural break (or a long gap) began with this sample; no reminder may fire.
    went_away: bool = False


class ActivityTracker:
    """Feed it every sample, in order; it remembers only the previous one and the current state.

    ``natural_break``, ``min_pause`` and ``jump_tolerance`` are real durations
    (already scaled by the caller's ``TimeScale``).
    """

    def __init__(self, natural_break: timedelta, min_pause: timedelta, jump_tolerance: timedelta) -> None:
        self.natural_break = natural_break
        self.min_pause = min_pause
        self.jump_tolerance = jump_tolerance
        self.away_since: datetime | None = None
        self.sitting_since: datetime | None = None
        self._prev: Sample | None = None
        self._pause = 0.0  # length of the idle run in progress (seconds), while active

    @property
    def away(self) -> bool:
        return self.away_since is not None

    def observe(self, s: Sample) -> Observation:
        obs = Observation()
        prev, self._prev = self._prev, s
        if prev is None:
            self.sitting_since = s.wall
            if s.idle is not None and s.idle >= self.natural_break.total_seconds():
                self.away_since = s.wall - timedelta(seconds=s.idle)
            return obs
        elapsed = s.monotonic - prev.monotonic
        jump = between(prev.wall, s.wall) - timedelta(seconds=elapsed)
        if abs(jump) > self.jump_tolerance:
            self._on_jump(prev, s, jump, obs)
        elif s.idle is not None:
            self._on_idle(prev, s, elapsed, obs)
        return obs

    # -- the two kinds of news ----------------------------------------------------

    def _on_jump(self, prev: Sample, s: Sample, jump: timedelta, obs: Observation) -> None:
        """Time passed that the monotonic clock did not see: suspend or a clock change."""
        self._pause = 0.0
        if jump >= self.natural_break:
            # Long enough to be a break, whatever the user did meanwhile.
            start = self.away_since or prev.wall
            if s.idle is not None and s.idle >= self.natural_break.total_seconds():
                if self.away_since is None:
                    self.away_since = start
                    obs.went_away = True
                return
            self._returned(start, s.wall, obs, reason="gap")
            return
        # A short gap or a clock set back: keep every countdown's remaining real time.
        obs.changes.append(Change(Effect.SHIFT, s.wall, jump, reason="clock"))

    def _on_idle(self, prev: Sample, s: Sample, elapsed: float, obs: Observation) -> None:
        idle = s.idle
        assert idle is not None
        threshold = self.natural_break.total_seconds()
        if self.away:
            if idle < threshold:
                self._returned(self.away_since, s.wall, obs, reason="natural-break")
            return
        if idle >= threshold:
            self.away_since = s.wall - timedelta(seconds=idle)
            self._pause = 0.0
            obs.went_away = True
            return
        # The idle run goes on while idle grew by (about) the time since the last sample.
        continuing = prev.idle is not None and idle + 1.0 >= prev.idle + elapsed
        if continuing:
            self._pause = idle
            return
        if self._pause >= self.min_pause.total_seconds():
            obs.changes.append(Change(Effect.SHIFT, s.wall, timedelta(seconds=self._pause), reason="pause"))
        self._pause = idle

    def _returned(self, start: datetime, now: datetime, obs: Observation, reason: str) -> None:
        obs.natural_break = NaturalBreak(start=start, end=now, sat_from=self.sitting_since or start)
        obs.changes.append(Change(Effect.RESTART, now, reason=reason))
        self.away_since = None
        self.sitting_since = now
        self._pause = 0.0
