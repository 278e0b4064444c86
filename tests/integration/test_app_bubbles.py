"""A reminder bubble's buttons on the real app, scheduler and job store (the notifier is a fake)."""

from __future__ import annotations

import pytest

from necka_tray.core.clock import SystemClock
from necka_tray.core.reminders import Kind
from necka_tray.store.paths import AppPaths

from .test_app_scheduling import Harness


def fire(h, kind: Kind):
    """A reminder shown (what the planner lets through)."""
    h.call(h.app._fire, kind, SystemClock().now())


@pytest.fixture
def h(tmp_path):
    paths = AppPaths(tmp_path / "config", tmp_path / "data", tmp_path / "log")
    paths.ensure()
    harness = Harness(paths).start()
    yield harness
    harness.stop()


def test_a_reminder_bubble_carries_its_kind_and_buttons(h):
    fire(h, Kind.POSTURE)
    posture = h.notifier.options[-1]
    fire(h, Kind.STRETCH)
    stretch = h.notifier.options[-1]
    assert stretch["tag"] == "stretch" and [k for k, _ in stretch["actions"]] == ["default", "session", "snooze",
                                                                                  "skip"]
    assert posture["tag"] == "posture" and [k for k, _ in posture["actions"]] == ["done"]


def test_snooze_does_what_the_command_line_snooze_does(h):
    fire(h, Kind.STRETCH)
    h.call(h.app.on_bubble, "stretch", "snooze")
    assert h.call(lambda: h.app.status()["reminders"]["stretch"]["minutes_left"]) == 10
    assert h.records[-1] == ("snooze", {"reminder": "stretch", "minutes": 10})


def test_skip_and_start_stretch(h):
    fire(h, Kind.STRETCH)
    before = h.next_runs()[Kind.STRETCH]
    h.call(h.app.on_bubble, "stretch", "skip")
    assert h.records[-1] == ("skip", {"reminder": "stretch", "was_due": True})
    assert h.next_runs()[Kind.STRETCH] >= before
    h.call(h.app.on_bubble, "stretch", "default")  # a click on the bubble
    assert h.launcher.launched == 1


def test_done_is_recorded_and_a_closed_bubble_does_nothing(h):
    h.call(h.app.on_bubble, "shoulder_rolls", "done")
    assert h.records[-1] == ("done", {"reminder": "shoulder_rolls"})
    count = len(h.records)
    h.call(h.app.on_bubble, "posture", "closed")
    assert len(h.records) == count and h.launcher.launched == 0


def test_status_of_a_due_stretch_break_says_due_on_its_own_line_too(h):
    from necka_tray.cli.status import describe

    fire(h, Kind.STRETCH)
    status = h.call(h.app.status)
    assert status["stretch_due"] is True and status["reminders"]["stretch"]["due_now"] is True
    text = describe({"running": True, **status, "pid": 1, "tray_backend": "test",
                     "paths": {"config": "c", "data": "d", "logs": "l"}})
    line = next(line for line in text.splitlines() if line.strip().startswith("Stretch break:"))
    assert "due now" in line and " in " not in line.split("(")[0]
    h.call(h.app.on_bubble, "stretch", "snooze")
    assert h.call(h.app.status)["reminders"]["stretch"]["due_now"] is False
