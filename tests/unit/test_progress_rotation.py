"""Pure rules: when Strengthen unlocks, which routine a break runs, the breathing pace."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from necka_tray.core import progress
from necka_tray.core.breath import IN, OUT, breath_at
from necka_tray.core.reminders import Kind
from necka_tray.core.rotation import DUE_WINDOW, Chooser, next_routine

D = date(2030, 3, 4)


def days(*offsets: int) -> set[date]:
    return {D + timedelta(days=o) for o in offsets}


@pytest.mark.parametrize(("session_days", "unlocked"), [
    (days(), False),
    (days(0, 1, 2, 3), False),  # four days is not yet a week of sessions
    (days(0, 1, 2, 3, 4), True),  # five days in a row
    (days(0, 2, 3, 5, 6), True),  # five days within seven
    (days(0, 2, 4, 6, 8), False),  # every other day: never five within seven
    (days(0, 1, 2, 3, 7, 8), False),  # the fifth day falls outside the week
    (days(0, 1, 2, 3, 6), True),
    (days(-100, -99, -98, -97, -96), True),  # reached once, it stays reached
])
def test_a_week_of_regular_sessions(session_days, unlocked):
    assert progress.regular_week(session_days) is unlocked
    assert progress.is_unlocked(progress.REGULAR_WEEK, session_days) is unlocked
    assert progress.is_unlocked(None, session_days)


def test_the_hint_counts_this_weeks_days():
    assert progress.hint(progress.REGULAR_WEEK, days(-9, -6, -1, 0), D) == \
        "unlocks after a week of regular sessions (3 of 5 days)"
    assert progress.days_this_week(days(-7, -6, 0, 1), D) == 2  # only the last seven days, up to today
    with pytest.raises(ValueError):
        progress.hint("nope", set(), D)


POOL = ["neck", "quick_release", "shoulders", "calm_down"]


def test_rotation_takes_the_routine_used_least_recently():
    assert next_routine(POOL, []) == "neck"
    assert next_routine(POOL, ["neck"]) == "quick_release"
    assert next_routine(POOL, ["neck", "quick_release", "shoulders", "calm_down"]) == "neck"
    assert next_routine(POOL, ["shoulders", "neck", "calm_down", "quick_release"]) == "shoulders"
    assert next_routine(POOL, ["my_old_routine", "neck"]) == "quick_release"  # gone routines are ignored
    with pytest.raises(ValueError):
        next_routine([], [])


def test_a_day_of_rotated_breaks_repeats_nothing_until_all_were_used():
    chooser, now = Chooser(), datetime(2030, 3, 4, 9, tzinfo=timezone.utc)
    picked = [chooser.on_reminder(Kind.STRETCH, now + timedelta(hours=h), POOL, "neck", rotate=True)
              for h in range(6)]
    assert picked == POOL + POOL[:2]
    chooser.new_day(["calm_down"])  # a new day starts from what the history says was used
    assert chooser.on_reminder(Kind.STRETCH, now, POOL, "neck", rotate=True) == "neck"


def test_without_rotation_a_stretch_break_runs_the_default():
    chooser, now = Chooser(), datetime(2030, 3, 4, 9, tzinfo=timezone.utc)
    assert {chooser.on_reminder(Kind.STRETCH, now, POOL, "shoulders", rotate=False) for _ in range(3)} == {"shoulders"}


def test_start_runs_the_due_reminders_routine_then_the_default():
    pool = POOL + ["posture_reset"]
    chooser, now = Chooser(), datetime(2030, 3, 4, 9, tzinfo=timezone.utc)
    assert chooser.for_start(now, "neck", stretch_due=False) == "neck"  # nothing due
    assert chooser.on_reminder(Kind.POSTURE, now, pool, "neck", rotate=True) == "posture_reset"
    assert chooser.for_start(now + DUE_WINDOW, "neck", stretch_due=False) == "posture_reset"
    assert chooser.for_start(now + DUE_WINDOW + timedelta(seconds=1), "neck", stretch_due=False) == "neck"
    # A shoulder reminder asks for the shoulder routine; if that is gone, the default.
    assert chooser.on_reminder(Kind.SHOULDER_ROLLS, now, pool, "neck", rotate=False) == "shoulders"
    assert chooser.on_reminder(Kind.SHOULDER_ROLLS, now, ["neck"], "neck", rotate=False) == "neck"
    # A stretch break stays due (the icon asks) however long it waits; a session ends it.
    chooser.on_reminder(Kind.STRETCH, now, pool, "calm_down", rotate=False)
    later = now + timedelta(hours=2)
    assert chooser.for_start(later, "neck", stretch_due=True) == "calm_down"
    assert chooser.for_start(later, "neck", stretch_due=False) == "neck"  # snoozed or skipped
    chooser.on_session("calm_down")
    assert chooser.for_start(now, "neck", stretch_due=True) == "neck"
    assert chooser.recent[-1] == "calm_down"


def test_breathing_pace():
    pace = (4.0, 6.0)
    assert breath_at(0, pace) == breath_at(10, pace)
    start, top, end = breath_at(0, pace), breath_at(4, pace), breath_at(9.999, pace)
    assert (start.phase, start.size, start.phase_left) == (IN, 0.0, 4.0)
    assert (top.phase, top.size, top.phase_left) == (OUT, 1.0, 6.0)
    assert end.phase == OUT and end.size < 0.01
    assert breath_at(2, pace).size == pytest.approx(0.5)
    sizes = [breath_at(t / 10, pace).size for t in range(41)]
    assert sizes == sorted(sizes)  # grows steadily while breathing in
