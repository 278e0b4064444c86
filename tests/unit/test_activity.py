"""Sitting time from clock and idle samples: breaks, pauses, suspends and clock changes."""

from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.core.activity import ActivityTracker, Effect, Sample
from necka_tray.core.clock import FakeClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MIN = 60.0


class Desk:
    """A fake desk: a clock and a user whose last input time we script, sampled once a minute."""

    def __init__(self):
        self.clock = FakeClock(T0)
        self.tracker = ActivityTracker(timedelta(minutes=5), timedelta(minutes=1), timedelta(seconds=30))
        self.last_input = T0
        self.log = []

    def sample(self):
        idle = (self.clock.now() - self.last_input).total_seconds()
        obs = self.tracker.observe(Sample(self.clock.now(), self.clock.monotonic(), idle))
        self.log.append(obs)
        return obs

    def work(self, minutes):
        """Type continuously for ``minutes``, sampled each minute."""
        for _ in range(int(minutes)):
            self.clock.advance(MIN)
            self.last_input = self.clock.now() - timedelta(seconds=3)
            self.sample()

    def idle(self, minutes):
        """No input for ``minutes``, sampled each minute."""
        for _ in range(int(minutes)):
            self.clock.advance(MIN)
            self.sample()

    def suspend(self, minutes):
        """The machine sleeps: wall time passes, monotonic time does not, no samples."""
        self.clock._now += timedelta(minutes=minutes)

    def changes(self):
        return [c for o in self.log for c in o.changes]


@pytest.fixture
def desk():
    d = Desk()
    d.sample()
    return d


def test_steady_work_changes_nothing(desk):
    desk.work(120)
    assert desk.changes() == []
    assert not desk.tracker.away


def test_natural_break_resets_when_the_user_returns(desk):
    desk.work(30)
    desk.idle(7)
    assert desk.tracker.away
    assert desk.tracker.away_since == T0 + timedelta(minutes=30) - timedelta(seconds=3)
    assert desk.changes() == []  # nothing happens while away
    desk.work(1)
    (change,) = desk.changes()
    assert change.effect is Effect.RESTART and change.at == desk.clock.now()
    brk = desk.log[-1].natural_break
    assert brk.sat_from == T0 and brk.length >= timedelta(minutes=7)
    assert not desk.tracker.away


def test_went_away_is_reported_once(desk):
    desk.work(10)
    desk.idle(10)
    assert sum(o.went_away for o in desk.log) == 1


def test_short_pause_does_not_reset_and_is_not_counted_as_sitting(desk):
    desk.work(20)
    desk.idle(3)
    assert not desk.tracker.away
    desk.work(1)
    (change,) = desk.changes()
    assert change.effect is Effect.SHIFT
    # Idle was 3 min at the last sample of the pause (the exact start lies between two samples).
    assert timedelta(minutes=2) <= change.delta <= timedelta(minutes=4)


def test_pause_shorter_than_a_minute_is_ignored(desk):
    desk.work(5)
    desk.clock.advance(30)
    desk.sample()  # idle 33 s
    desk.work(3)
    assert desk.changes() == []


def test_resume_after_a_three_hour_suspend_restarts_counting(desk):
    desk.work(40)
    desk.suspend(180)
    desk.clock.advance(20)  # the first sample comes within the minute after wake-up
    desk.last_input = desk.clock.now() - timedelta(seconds=2)
    obs = desk.sample()
    assert [c.effect for c in obs.changes] == [Effect.RESTART]
    assert obs.natural_break.length >= timedelta(hours=3)


def test_suspend_while_the_user_is_still_gone_waits_for_the_return(desk):
    desk.work(10)
    desk.suspend(60)
    desk.clock.advance(20)
    obs = desk.sample()  # woken by a timer, nobody there: idle counts from before the suspend
    assert obs.changes == [] and obs.went_away and desk.tracker.away
    desk.work(1)
    assert [c.effect for c in desk.changes()] == [Effect.RESTART]


def test_short_suspend_shifts_the_countdowns(desk):
    desk.work(10)
    desk.suspend(2)
    desk.clock.advance(30)
    desk.last_input = desk.clock.now()
    obs = desk.sample()
    (change,) = obs.changes
    assert change.effect is Effect.SHIFT and change.delta == timedelta(minutes=2)


@pytest.mark.parametrize("hours", [1, -1])
def test_clock_set_forward_or_back_by_an_hour(desk, hours):
    desk.work(10)
    desk.clock._now += timedelta(hours=hours)  # the user (or NTP) changes the clock
    desk.work(1)
    changes = desk.changes()
    if hours > 0:
        # Forward an hour looks like an hour away: a fresh start, never a burst.
        assert [c.effect for c in changes] == [Effect.RESTART]
    else:
        # Back an hour: every countdown keeps its remaining real time.
        assert [(c.effect, c.delta) for c in changes] == [(Effect.SHIFT, timedelta(hours=-1))]


def test_dst_change_is_not_a_jump():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 29, 1, 59, tzinfo=berlin)
    after = (before.astimezone(timezone.utc) + timedelta(minutes=1)).astimezone(berlin)
    assert after.hour == 3  # the wall clock reads an hour later
    tracker = ActivityTracker(timedelta(minutes=5), timedelta(minutes=1), timedelta(seconds=30))
    tracker.observe(Sample(before, 100.0, 1.0))
    obs = tracker.observe(Sample(after, 160.0, 1.0))
    assert obs.changes == []


def test_a_process_stall_without_clock_jump_is_judged_by_idle_time(desk):
    desk.work(10)
    desk.clock.advance(20 * MIN)  # no samples for 20 minutes, both clocks ran
    desk.last_input = desk.clock.now()
    assert desk.sample().changes == []  # the user typed meanwhile: still sitting


def test_unknown_idle_time_never_reports_away(desk):
    tracker = ActivityTracker(timedelta(minutes=5), timedelta(minutes=1), timedelta(seconds=30))
    clock = FakeClock(T0)
    for _ in range(30):
        clock.advance(MIN)
        assert tracker.observe(Sample(clock.now(), clock.monotonic(), None)).changes == []
    assert not tracker.away
