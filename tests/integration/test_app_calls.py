"""Calls and typing through the whole app, on the real scheduler and job store (issue 13).

The call source and the idle source are fakes the test sets; everything else is the app's.
"""

from __future__ import annotations

import time
from datetime import timedelta

from necka_tray.store import config
from necka_tray.core.reminders import Kind
from necka_tray.schedule.scheduling import LULL_JOB

from tests.integration.test_app_scheduling import Harness, paths  # noqa: F401 (fixture)


class FakeCalls:
    name = "fake-calls"

    def __init__(self):
        self.reason = None
        self.asked = 0

    def in_call(self):
        self.asked += 1
        return self.reason


class FakeIdle:
    name = "fake-idle"

    def __init__(self, seconds=600.0):
        self.seconds = seconds

    def idle_seconds(self):
        return self.seconds


def posture_only(paths, **more):
    config.update(paths.config_file, {"reminders.stretch.enabled": False, "reminders.shoulder_rolls.enabled": False,
                                      "quiet.max_delay_minutes": 1, **more})


def harness(paths, idle=None):
    h = Harness(paths)
    calls = h.app.presence.call_source = FakeCalls()
    if idle is not None:
        h.app.presence.idle = idle
    return h.start(), calls


def test_a_call_holds_the_reminder_past_the_maximum_delay_then_one_catch_up(paths):
    posture_only(paths)
    h, calls = harness(paths)
    try:
        at_start = calls.asked
        assert at_start == 0  # not even at start: nothing waits
        for _ in range(2):
            h.call(h.app.on_tick)
        assert calls.asked == at_start  # nothing waits: calls are not looked at
        calls.reason = "microphone in use"
        h.call(h.app.on_job, "reminder", Kind.POSTURE.value)
        assert h.notifier.sent == [] and calls.asked == at_start + 1
        status = h.call(h.app.status)
        assert status["state"] == "quiet" and status["in_call"] is True
        assert status["quiet_reason"] == "in a call: microphone in use"
        assert status["call_detection"] == "fake-calls"
        assert "in a call: microphone in use" in status["tooltip"]
        # A minute (the maximum delay) and more: a full-screen hold would give way, a call does not.
        h.call(lambda: setattr(h.app.planner, "pending_since", h.app.planner.pending_since - timedelta(minutes=5)))
        h.call(h.app.on_tick)
        assert h.notifier.sent == []
        calls.reason = None
        h.call(h.app.on_tick)
        assert len(h.notifier.sent) == 1
        title, body = h.notifier.sent[0]
        assert title == "Posture check"
        assert body.startswith("You were in a call for ") and body.endswith("min. Check your posture now?")
        h.call(h.app.on_tick)
        assert len(h.notifier.sent) == 1  # one catch-up, no burst
        assert h.call(h.app.status)["quiet_reason"] is None
    finally:
        h.stop()


def test_quiet_calls_off_reads_no_call_signal(paths):
    posture_only(paths, **{"quiet.calls": False})
    h, calls = harness(paths)
    try:
        calls.reason = "microphone in use"
        h.call(h.app.on_job, "reminder", Kind.POSTURE.value)
        assert calls.asked == 0 and [t for t, _ in h.notifier.sent] == ["Posture check"]
        assert h.call(h.app.status)["call_detection"] == "off"
    finally:
        h.stop()


def test_typing_delays_the_bubble_to_a_lull_with_a_one_shot_timer(paths):
    posture_only(paths)
    idle = FakeIdle(seconds=4.0)  # a key 4 s ago: a lull can begin in 1 s
    h, _calls = harness(paths, idle)
    try:
        h.call(h.app.on_job, "reminder", Kind.POSTURE.value)
        assert h.notifier.sent == []
        job = h.call(lambda: h.scheduler._scheduler.get_job(LULL_JOB))
        assert job is not None, "no one-shot timer was set"
        idle.seconds = 30.0  # the typing stopped
        deadline = time.monotonic() + 10
        while not h.notifier.sent and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for the scheduler's own timer, with a deadline
        assert [t for t, _ in h.notifier.sent] == ["Posture check"]
    finally:
        h.stop()
