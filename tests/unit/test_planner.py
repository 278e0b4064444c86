"""The planner's rules, with a fixed clock: which reminder fires, what the tray says."""

from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.core.clock import FakeClock, TimeScale
from necka_tray.core.planner import RING_STEPS, Decision, Planner, ScheduleSnapshot
from necka_tray.core.reminders import Kind

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
INTERVALS = {Kind.POSTURE: 20, Kind.SHOULDER_ROLLS: 40, Kind.STRETCH: 60}


def snap(now=T0, posture=20, shoulders=40, stretch=60, paused_until=None, intervals=INTERVALS):
    """Next runs given as minutes from ``now`` (None = paused, absent = off)."""
    runs = {}
    for kind, m in ((Kind.POSTURE, posture), (Kind.SHOULDER_ROLLS, shoulders), (Kind.STRETCH, stretch)):
        if m != "off":
            runs[kind] = None if m is None else now + timedelta(minutes=m)
    return ScheduleSnapshot(next_runs=runs, intervals={k: v for k, v in intervals.items() if k in runs},
                            paused_until=paused_until)


class TestShouldFire:
    def test_a_lone_reminder_fires(self):
        assert Planner().decide(Kind.POSTURE, T0, snap(posture=20, shoulders=30, stretch=50)) is Decision.FIRE

    def test_smaller_kind_yields_when_a_larger_one_is_due_at_the_same_time(self):
        # At minute 40 the shoulder job has already moved to minute 80 when
        # posture is handled: its previous slot is now.
        assert not Planner().decide(Kind.POSTURE, T0, snap(posture=20, shoulders=40, stretch=20)) is Decision.FIRE

    def test_smaller_kind_yields_when_a_larger_one_is_due_within_the_window(self):
        assert not Planner().decide(Kind.POSTURE, T0, snap(posture=20, shoulders=3, stretch=30)) is Decision.FIRE

    def test_smaller_kind_yields_when_a_larger_one_just_fired(self):
        planner = Planner()
        planner.record_fired(Kind.STRETCH, T0 - timedelta(seconds=2))
        assert not planner.decide(Kind.SHOULDER_ROLLS, T0, snap(posture=20, shoulders=40, stretch=58)) is Decision.FIRE

    def test_larger_kind_fires_even_when_a_smaller_one_is_due(self):
        assert Planner().decide(Kind.STRETCH, T0, snap(posture=0, shoulders=0, stretch=60)) is Decision.FIRE

    def test_a_larger_kind_that_is_off_does_not_block(self):
        assert Planner().decide(Kind.POSTURE, T0, snap(posture=20, shoulders="off", stretch="off")) is Decision.FIRE

    def test_nothing_fires_during_a_session_or_a_pause(self):
        planner = Planner()
        planner.session_started()
        assert not planner.decide(Kind.STRETCH, T0, snap()) is Decision.FIRE
        planner.session_ended()
        assert planner.decide(Kind.STRETCH, T0, snap(posture=7, shoulders=17)) is Decision.FIRE
        assert not planner.decide(Kind.STRETCH, T0, snap(paused_until=T0 + timedelta(hours=1))) is Decision.FIRE

    def test_window_scales_with_time_scale(self):
        planner = Planner(TimeScale(60))
        # Five configured minutes are five real seconds at scale 60.
        near = ScheduleSnapshot({Kind.POSTURE: T0, Kind.STRETCH: T0 + timedelta(seconds=4)}, {Kind.POSTURE: 20, Kind.STRETCH: 60})
        far = ScheduleSnapshot({Kind.POSTURE: T0, Kind.STRETCH: T0 + timedelta(seconds=30)}, {Kind.POSTURE: 20, Kind.STRETCH: 60})
        assert not planner.decide(Kind.POSTURE, T0, near) is Decision.FIRE
        assert planner.decide(Kind.POSTURE, T0, far) is Decision.FIRE


class TestTiming:
    def test_retime_keeps_the_countdown_start(self):
        planner = Planner()
        # Ten minutes into a 60-minute countdown, choosing 45 leaves 35.
        now = T0 + timedelta(minutes=10)
        assert planner.retime(T0 + timedelta(minutes=60), 60, 45, now) == T0 + timedelta(minutes=45)

    def test_retime_to_an_interval_already_passed_gives_a_short_lead(self):
        planner = Planner()
        now = T0 + timedelta(minutes=50)
        assert planner.retime(T0 + timedelta(minutes=60), 60, 30, now) == now + timedelta(minutes=1)

    def test_first_run_scales(self):
        assert Planner(TimeScale(60)).first_run(60, T0) == T0 + timedelta(seconds=60)

    @pytest.mark.parametrize(
        "choice, now, expected",
        [
            ("30m", T0, T0 + timedelta(minutes=30)),
            ("1h", T0, T0 + timedelta(hours=1)),
            ("tomorrow", T0, datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)),
            ("tomorrow", datetime(2026, 3, 3, 1, 30, tzinfo=timezone.utc), datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)),
        ],
    )
    def test_pause_end(self, choice, now, expected):
        assert Planner(tz=timezone.utc).pause_end(choice, now) == expected

    def test_until_tomorrow_is_wall_clock_even_when_scaled(self):
        assert Planner(TimeScale(60), tz=timezone.utc).pause_end("tomorrow", T0) == datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)


class TestView:
    def test_tooltip_names_the_next_stretch_break(self):
        view = Planner(tz=timezone.utc).view(T0, snap(stretch=23))
        assert view.tooltip == "Necka: stretch break in 23 min"
        assert view.status_lines == ("Posture check in 20 min", "Shoulder rolls in 40 min", "Stretch break in 23 min")

    def test_minutes_round_up(self):
        clock = FakeClock(T0)
        s = snap(stretch=23)
        clock.advance(seconds=30)
        assert Planner(tz=timezone.utc).view(clock.now(), s).tooltip == "Necka: stretch break in 23 min"

    def test_off_and_paused_lines(self):
        view = Planner(tz=timezone.utc).view(T0, snap(posture="off", shoulders=None, paused_until=T0 + timedelta(minutes=30)))
        assert "Posture check: off" in view.status_lines
        assert "Shoulder rolls: paused" in view.status_lines
        assert view.tooltip == "Necka: paused until 09:30"
        assert view.paused

    def test_pause_until_another_day_names_the_day(self):
        view = Planner(tz=timezone.utc).view(T0, snap(paused_until=datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)))
        assert view.tooltip == "Necka: paused until Tue 06:00"

    def test_without_stretch_the_tooltip_names_the_next_reminder(self):
        view = Planner(tz=timezone.utc).view(T0, snap(posture=12, shoulders=30, stretch="off"))
        assert view.tooltip == "Necka: posture check in 12 min"

    def test_all_off(self):
        view = Planner(tz=timezone.utc).view(T0, snap(posture="off", shoulders="off", stretch="off"))
        assert view.tooltip == "Necka: all reminders are off"

    def test_ring_fills_in_steps_toward_the_break(self):
        planner = Planner()
        steps = [planner.view(T0 + timedelta(minutes=m), snap(now=T0, stretch=60)).ring_step for m in range(0, 60, 5)]
        assert steps[0] == 0
        assert steps == sorted(steps)
        assert steps[-1] == RING_STEPS - 1
        assert len(set(steps)) == RING_STEPS  # a few changes an hour, each visible

    def test_due_break_fills_the_ring_until_a_session_ends(self):
        planner = Planner()
        planner.record_fired(Kind.STRETCH, T0)
        view = planner.view(T0 + timedelta(minutes=3), snap(stretch=57))
        assert view.stretch_due and view.ring_step == RING_STEPS
        assert "stretch break due" in view.tooltip
        planner.session_ended()
        assert not planner.view(T0, snap()).stretch_due

    def test_icon_key_ignores_text(self):
        planner = Planner()
        a = planner.view(T0, snap(stretch=59))
        b = planner.view(T0 + timedelta(seconds=61), snap(stretch=59))
        assert a.tooltip != b.tooltip and a.icon_key == b.icon_key


class TestPresence:
    """Decisions that depend on the user and the desktop (issue: sitting time, quiet, hours)."""

    from necka_tray.core.planner import Decision, Presence

    def test_away_never_fires(self):
        p = self.Presence(away_since=T0 - timedelta(minutes=7))
        assert Planner().decide(Kind.STRETCH, T0, snap(posture=7, shoulders=17), p) is self.Decision.DROP

    def test_outside_working_hours_never_fires(self):
        p = self.Presence(outside_until=T0 + timedelta(hours=15))
        assert Planner().decide(Kind.POSTURE, T0, snap(), p) is self.Decision.DROP
        view = Planner(tz=timezone.utc).view(T0, snap(), p)
        assert view.state == "outside_hours"
        assert view.tooltip == "Necka: outside working hours until Tue 00:00"

    def test_a_run_queued_before_a_restart_is_stale(self):
        planner = Planner()
        planner.break_taken(T0)
        assert planner.decide(Kind.POSTURE, T0 + timedelta(seconds=1), snap(shoulders=30, stretch=59)) is self.Decision.DROP
        later = T0 + timedelta(minutes=20)
        assert planner.decide(Kind.POSTURE, later, snap(now=later, shoulders=20, stretch=40)) is self.Decision.FIRE

    def test_quiet_holds_the_largest_reminder_until_it_ends(self):
        planner = Planner()
        quiet = self.Presence(quiet=True)
        assert planner.decide(Kind.POSTURE, T0, snap(shoulders=30, stretch=40), quiet) is self.Decision.DEFER
        t1 = T0 + timedelta(minutes=20)
        assert planner.decide(Kind.STRETCH, t1, snap(now=t1, posture=20, shoulders=20), quiet) is self.Decision.DEFER
        assert planner.view(t1, snap(now=t1), quiet).tooltip == (
            "Necka: quiet while a full-screen window is open; stretch break waiting")
        t2 = T0 + timedelta(minutes=25)
        assert planner.deferred_due(t2, snap(now=t2), quiet, timedelta(minutes=30)) is None
        assert planner.deferred_due(t2, snap(now=t2), self.Presence(), timedelta(minutes=30)) is Kind.STRETCH
        assert planner.pending is None

    def test_quiet_hold_is_bounded_by_the_maximum_delay(self):
        planner = Planner()
        quiet = self.Presence(quiet=True)
        planner.decide(Kind.STRETCH, T0, snap(posture=20, shoulders=40, stretch=60), quiet)
        t = T0 + timedelta(minutes=29)
        assert planner.deferred_due(t, snap(now=t), quiet, timedelta(minutes=30)) is None
        t = T0 + timedelta(minutes=30)
        assert planner.deferred_due(t, snap(now=t), quiet, timedelta(minutes=30)) is Kind.STRETCH

    def test_a_break_drops_a_held_reminder(self):
        planner = Planner()
        planner.decide(Kind.STRETCH, T0, snap(), self.Presence(quiet=True))
        away = self.Presence(away_since=T0 + timedelta(minutes=1))
        assert planner.deferred_due(T0 + timedelta(minutes=8), snap(), away, timedelta(minutes=30)) is None
        assert planner.pending is None

    def test_snooze_or_skip_clears_the_due_state(self):
        planner = Planner()
        planner.record_fired(Kind.STRETCH, T0)
        assert planner.view(T0, snap(stretch=60)).stretch_due
        planner.stretch_handled()
        assert not planner.view(T0, snap(stretch=10)).stretch_due

    def test_states_for_the_status_line(self):
        planner = Planner(tz=timezone.utc)
        assert planner.view(T0, snap()).state == "active"
        assert planner.view(T0, snap(), self.Presence(away_since=T0 - timedelta(minutes=6))).tooltip == (
            "Necka: away since 08:54")
        assert planner.view(T0, snap(), self.Presence(quiet=True)).state == "quiet"
        assert "Idle detection unavailable" in planner.view(T0, snap(), self.Presence(idle_detection=False)).status_lines

    def test_never_shows_a_negative_time(self):
        view = Planner().view(T0, snap(posture=-40, shoulders=-1, stretch=-90))
        assert view.status_lines == ("Posture check due now", "Shoulder rolls due now", "Stretch break due now")
