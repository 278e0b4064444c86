"""The call and typing rules (core/hold.py, the planner's call hold, owner/delivery.py) on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from necka_tray.core.clock import FakeClock, TimeScale
from necka_tray.core.hold import (LULL, MAX_LULL_WAIT, CallWatch, catch_up_text, longest_lull_wait,
                                  lull_wait)
from necka_tray.core.planner import Decision, Planner, Presence, ScheduleSnapshot
from necka_tray.core.reminders import Kind
from necka_tray.owner.delivery import Delivery

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MAX_DELAY = timedelta(minutes=30)


def snap(now=T0):
    runs = {Kind.POSTURE: now + timedelta(minutes=20), Kind.SHOULDER_ROLLS: now + timedelta(minutes=33),
            Kind.STRETCH: now + timedelta(minutes=60)}
    return ScheduleSnapshot(next_runs=runs, intervals={Kind.POSTURE: 20, Kind.SHOULDER_ROLLS: 40, Kind.STRETCH: 60})


IN_CALL = Presence(call="microphone in use")


class TestCallWatch:
    def test_the_length_counts_from_the_first_sighting_and_is_given_once(self):
        watch = CallWatch()
        watch.observe(T0, "microphone in use")
        watch.observe(T0 + timedelta(minutes=20), "camera in use")  # the same call, another signal
        assert watch.reason == "camera in use" and watch.take_ended() is None
        watch.observe(T0 + timedelta(minutes=52), None)
        assert watch.reason is None
        assert watch.take_ended() == timedelta(minutes=52)
        assert watch.take_ended() is None

    def test_an_unchecked_sample_forgets_the_call(self):
        """Calls are looked at only while a reminder waits: a gap in checks is not call time."""
        watch = CallWatch()
        watch.observe(T0, "microphone in use")
        watch.observe(T0 + timedelta(minutes=5), None, checked=False)
        watch.observe(T0 + timedelta(minutes=40), "microphone in use")
        watch.observe(T0 + timedelta(minutes=45), None)
        assert watch.take_ended() == timedelta(minutes=5)


class TestPlannerHoldsForCalls:
    def test_a_call_holds_past_the_maximum_delay_and_releases_when_it_ends(self):
        planner = Planner()
        assert planner.decide(Kind.STRETCH, T0, snap(), IN_CALL) is Decision.DEFER
        later = T0 + MAX_DELAY * 3
        assert planner.deferred_due(later, snap(later), IN_CALL, MAX_DELAY) is None
        assert planner.deferred_due(later, snap(later), Presence(), MAX_DELAY) is Kind.STRETCH
        assert planner.pending is None

    def test_full_screen_alone_still_gives_way_after_the_maximum_delay(self):
        planner = Planner()
        planner.decide(Kind.STRETCH, T0, snap(), Presence(quiet=True))
        later = T0 + MAX_DELAY
        assert planner.deferred_due(later, snap(later), Presence(quiet=True), MAX_DELAY) is Kind.STRETCH
        planner.decide(Kind.STRETCH, T0, snap(), Presence(quiet=True, call="camera in use"))
        assert planner.deferred_due(later, snap(later), Presence(quiet=True, call="camera in use"), MAX_DELAY) is None

    def test_the_tray_says_why_it_is_quiet(self):
        planner = Planner()
        assert planner.decide(Kind.STRETCH, T0, snap(), IN_CALL) is Decision.DEFER
        view = planner.view(T0, snap(), IN_CALL)
        assert view.state == "quiet"
        assert view.tooltip == "Necka: in a call: microphone in use; stretch break waiting"
        assert "Quiet: in a call (microphone in use)" in view.status_lines

    def test_a_break_during_the_call_drops_the_held_reminder(self):
        planner = Planner()
        planner.decide(Kind.STRETCH, T0, snap(), IN_CALL)
        away = Presence(away_since=T0 + timedelta(minutes=1), call="microphone in use")
        assert planner.deferred_due(T0 + timedelta(minutes=7), snap(), away, MAX_DELAY) is None
        assert planner.pending is None


class TestCatchUpText:
    def test_the_bubble_names_the_length_in_whole_minutes(self):
        assert catch_up_text(Kind.STRETCH, 52) == "You were in a call for 52 min. Stretch now?"
        assert catch_up_text(Kind.POSTURE, 0.2) == "You were in a call for 1 min. Check your posture now?"
        assert catch_up_text(Kind.SHOULDER_ROLLS, 51.3).startswith("You were in a call for 52 min.")


class TestLull:
    def test_no_input_for_the_lull_shows_at_once(self):
        assert lull_wait(LULL.total_seconds(), T0, T0) is None
        assert lull_wait(60.0, T0, T0) is None

    def test_typing_waits_until_a_lull_could_have_begun(self):
        assert lull_wait(0.5, T0, T0) == timedelta(seconds=4.5)

    def test_the_wait_is_bounded(self):
        assert lull_wait(0.1, T0, T0 + MAX_LULL_WAIT) is None
        assert lull_wait(0.1, T0, T0 + MAX_LULL_WAIT - timedelta(seconds=1)) == timedelta(seconds=1)

    def test_the_longest_wait_scales_the_lull_does_not(self):
        assert longest_lull_wait(TimeScale()) == timedelta(minutes=2)
        assert longest_lull_wait(TimeScale(6)) == timedelta(seconds=20)
        fast = longest_lull_wait(TimeScale(60))
        assert lull_wait(0.5, T0, T0, fast) == timedelta(seconds=2)  # bounded by the wait left, not 4.5 s
        assert lull_wait(0.1, T0, T0 + fast, fast) is None

    def test_without_idle_detection_nothing_waits(self):
        assert lull_wait(None, T0, T0) is None


class FakeDesk:
    """A fake clock, an idle source the test sets, a recorder of one-shot timers and bubbles."""

    def __init__(self):
        self.clock = FakeClock(T0)
        self.idle = 0.0
        self.wakes = []
        self.fired = []
        self.allowed = True
        self.delivery = Delivery(self.clock.now, lambda: self.idle, self.wakes.append, lambda now: self.allowed,
                                 lambda kind, now, held, body: self.fired.append((kind, now, held, body)))


class TestDelivery:
    def test_typing_across_the_due_time_delays_the_bubble_until_the_lull(self):
        d = FakeDesk()
        d.idle = 0.2  # a key 0.2 s ago
        d.delivery.offer(Kind.POSTURE, T0)
        assert d.fired == [] and d.wakes == [T0 + timedelta(seconds=4.8)]
        d.clock.advance(4.8)
        d.idle = 1.0  # still typing: the timer is set again, no loop
        d.delivery.check()
        assert d.fired == [] and d.wakes[-1] == d.clock.now() + timedelta(seconds=4)
        d.clock.advance(4)
        d.idle = 5.0
        d.delivery.check()
        assert d.fired == [(Kind.POSTURE, d.clock.now(), False, None)] and d.delivery.waiting is None

    def test_two_minutes_of_typing_then_the_bubble_anyway(self):
        d = FakeDesk()
        d.idle = 0.1
        d.delivery.offer(Kind.STRETCH, T0, held=True, body="You were in a call for 52 min. Stretch now?")
        d.clock.advance(MAX_LULL_WAIT.total_seconds())
        d.delivery.check()
        assert d.fired == [(Kind.STRETCH, T0 + MAX_LULL_WAIT, True, "You were in a call for 52 min. Stretch now?")]

    def test_a_larger_kind_replaces_a_waiting_smaller_one(self):
        d = FakeDesk()
        d.idle = 0.1
        d.delivery.offer(Kind.POSTURE, T0)
        d.clock.advance(1)
        d.delivery.offer(Kind.STRETCH, d.clock.now())
        d.delivery.offer(Kind.POSTURE, d.clock.now())
        d.idle = 9.0
        d.delivery.check()
        assert [f[0] for f in d.fired] == [Kind.STRETCH]

    def test_a_session_or_pause_meanwhile_drops_it(self):
        d = FakeDesk()
        d.idle = 0.1
        d.delivery.offer(Kind.POSTURE, T0)
        d.allowed = False
        d.idle = 9.0
        d.delivery.check()
        assert d.fired == [] and d.delivery.waiting is None

    def test_idle_user_gets_the_bubble_at_once(self):
        d = FakeDesk()
        d.idle = 30.0
        d.delivery.offer(Kind.POSTURE, T0)
        assert len(d.fired) == 1 and d.wakes == []
