"""The statistics rules: pure functions of events, a time zone and an injected ``now``."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from necka_tray.core import stats
from necka_tray.core.events import Event
from necka_tray.core.stats import DayStats, Streak

CET = timezone(timedelta(hours=1))
D = date(2025, 3, 3)  # a Monday
_ids = itertools.count(1)


def at(hh: int, mm: int = 0, day: date = D, tz=CET) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz)


def e(kind: str, ts: datetime, **data) -> Event:
    return Event(next(_ids), ts, kind, data)


def reminder(ts, name="stretch"):
    return e("reminder", ts, reminder=name, notified=True)


def session(ts, outcome="completed", seconds=110):
    return e("session", ts, outcome=outcome, duration_s=seconds, steps_done=6, steps_total=6, routine="neck")


def sitting(ts, minutes):
    return e("sitting", ts, duration_s=minutes * 60.0)


def one_day(events, day=D, now=None, tz=CET, **kw) -> DayStats:
    (only,) = stats.summarize(events, day, day, tz, now or at(23, 59, day), **kw)
    return only


# -- what became of each reminder --------------------------------------------------------------


def outcomes(events, now):
    return [o for _, o in stats.reminder_outcomes(sorted(events, key=lambda x: x.ts), now)]


def test_a_session_within_the_window_acts_on_the_stretch_reminder():
    events = [reminder(at(10)), session(at(10, 14)), reminder(at(11)), session(at(11, 16))]
    assert outcomes(events, at(12)) == ["acted_on", "ignored"]  # 16 min is one too late


def test_a_natural_break_counts_as_acting_on_it():
    events = [reminder(at(10)), e("natural_break", at(10, 5), duration_s=600.0)]
    assert outcomes(events, at(12)) == ["acted_on"]


def test_snooze_and_skip_are_what_the_user_said_first():
    events = [reminder(at(10)), e("snooze", at(10, 1), reminder="stretch", minutes=10),
              reminder(at(10, 11)), session(at(10, 12)),
              reminder(at(11)), e("skip", at(11, 2), reminder="stretch"), session(at(11, 5))]
    assert outcomes(events, at(12)) == ["snoozed", "acted_on", "skipped"]


def test_unanswered_is_pending_until_its_window_passes():
    events = [reminder(at(10))]
    assert outcomes(events, at(10, 15)) == ["pending"]
    assert outcomes(events, at(10, 16)) == ["ignored"]


def test_a_new_reminder_ends_the_chance_of_the_previous_one():
    events = [reminder(at(10)), reminder(at(10, 5)), session(at(10, 6))]
    assert outcomes(events, at(12)) == ["ignored", "acted_on"]


def test_posture_checks_are_shown_and_a_session_does_not_answer_them():
    events = [reminder(at(10), "posture"), reminder(at(10, 1), "shoulder_rolls"), session(at(10, 2)),
              reminder(at(10, 30), "posture"), e("snooze", at(10, 31), reminder="posture")]
    assert outcomes(events, at(12)) == ["shown", "shown", "snoozed"]


# -- per day -----------------------------------------------------------------------------------


def test_a_full_day_is_counted():
    events = [
        reminder(at(9, 20), "posture"), reminder(at(9, 40), "posture"), reminder(at(9, 41), "shoulder_rolls"),
        reminder(at(10)), session(at(10, 3)),  # acted on
        reminder(at(11)), e("snooze", at(11, 1), reminder="stretch"),  # snoozed: not due twice
        reminder(at(11, 11)),  # ignored
        reminder(at(13)), e("skip", at(13, 1), reminder="stretch"),
        session(at(15), outcome="stopped"), session(at(16)),
        e("natural_break", at(12), duration_s=1800.0),
        sitting(at(9), 52), sitting(at(10, 10), 30), sitting(at(12, 30), 20),
        e("checkin", at(10, 5), rating=4, source="session"), e("checkin", at(16, 3), rating=2, source="session"),
    ]
    day = one_day(events)
    assert day == DayStats(
        day=D, stretch_done=2, stretch_stopped=1, stretch_due=3, stretch_acted_on=1, stretch_snoozed=1,
        stretch_skipped=1, stretch_ignored=1, posture_checks=2, shoulder_rolls=1, natural_breaks=1,
        sitting_s=102 * 60.0, longest_sitting_s=52 * 60.0, checkins=(4, 2), active=True)
    assert day.checkin_mean == 3


def test_days_follow_the_time_zone_not_the_stored_offset():
    # 23:30 UTC on the 2nd is 00:30 CET on the 3rd.
    late = session(datetime(2025, 3, 2, 23, 30, tzinfo=timezone.utc))
    prev, today = stats.summarize([late], D - timedelta(days=1), D, CET, at(12))
    assert (prev.stretch_done, today.stretch_done) == (0, 1)


def test_a_sitting_stretch_is_split_at_midnight():
    events = [sitting(at(23, 30, D - timedelta(days=1)), 90)]
    prev, today = stats.summarize(events, D - timedelta(days=1), D, CET, at(12))
    assert (prev.sitting_s, today.sitting_s) == (30 * 60.0, 60 * 60.0)
    # Read on its own, the second day still gets its share of a stretch that began the day before.
    assert one_day(events).longest_sitting_s == 60 * 60.0


def test_midnight_follows_dst_in_a_zone_with_rules():
    berlin = ZoneInfo("Europe/Berlin")
    dst_day = date(2025, 3, 30)  # clocks go 02:00 -> 03:00; the day has 23 hours
    events = [sitting(datetime(2025, 3, 29, 23, 0, tzinfo=berlin), 120)]
    before, day = stats.summarize(events, dst_day - timedelta(days=1), dst_day, berlin,
                                  datetime(2025, 3, 30, 12, 0, tzinfo=berlin))
    assert (before.sitting_s, day.sitting_s) == (3600.0, 3600.0)


def natural_break(start, minutes, sat_from):
    return e("natural_break", start, end=(start + timedelta(minutes=minutes)).isoformat(),
             minutes=float(minutes), sat_from=sat_from.isoformat())


def test_natural_breaks_end_sitting_stretches():
    # As the tray records them: sat 09:00-10:10, away 10:10-10:25; sat 10:25-12:00, away for lunch.
    events = [natural_break(at(10, 10), 15, at(9)), natural_break(at(12), 45, at(10, 25))]
    day = one_day(events)
    assert (day.natural_breaks, day.sitting_s, day.longest_sitting_s) == (2, 165 * 60.0, 95 * 60.0)


def test_the_stretch_still_going_on_counts_until_now():
    events = [natural_break(at(12), 45, at(10, 25))]
    day = one_day(events, now=at(14, 45), sitting_since=at(12, 45))
    assert (day.sitting_s, day.longest_sitting_s) == (215 * 60.0, 120 * 60.0)


def test_without_sitting_events_sitting_time_is_unknown_not_zero():
    day = one_day([session(at(10))])
    assert day.sitting_s is None and day.longest_sitting_s is None


def test_a_checkin_alone_is_not_a_day_at_the_computer():
    assert not one_day([e("checkin", at(20), rating=3, source="daily")]).active
    assert not one_day([e("pause", at(9), until=at(10).isoformat())]).active
    assert one_day([reminder(at(9), "posture")]).active


def test_rolled_up_days_are_taken_as_they_are():
    row = DayStats(D, stretch_done=5, checkins=(1,), active=True)
    day = one_day([session(at(10))], rollups={D: row})
    assert day is row


def test_an_empty_range_is_all_empty_days():
    days = stats.summarize([], D, D + timedelta(days=2), CET, at(12))
    assert days == [DayStats(D), DayStats(D + timedelta(days=1)), DayStats(D + timedelta(days=2))]


def test_a_day_round_trips_through_json_and_ignores_unknown_keys():
    day = DayStats(D, stretch_done=2, sitting_s=60.0, longest_sitting_s=60.0, checkins=(3, 4), active=True)
    assert DayStats.from_dict(day.to_dict()) == day
    assert DayStats.from_dict({**day.to_dict(), "from_the_future": 1}) == day
    assert DayStats.from_dict({"day": "2025-03-03"}) == DayStats(D)


def test_totals_sum_a_period():
    days = [DayStats(D, stretch_done=2, stretch_due=3, sitting_s=100.0, longest_sitting_s=80.0,
                     checkins=(2, 4), active=True),
            DayStats(D + timedelta(days=1), stretch_done=1, checkins=(6,), active=True),
            DayStats(D + timedelta(days=2))]
    t = stats.totals(days)
    assert (t["stretch_done"], t["stretch_due"], t["sitting_s"], t["longest_sitting_s"]) == (3, 3, 100.0, 80.0)
    assert (t["checkins"], t["checkin_mean"], t["active_days"]) == (3, 4.0, 2)


# -- streaks -----------------------------------------------------------------------------------


def days_with(done_by_offset: dict[int, int | None], today=D) -> list[DayStats]:
    """Offset (days before today) -> completed sessions; None: a rest day with nothing recorded."""
    return [DayStats(today - timedelta(days=k), stretch_done=n or 0, active=n is not None)
            for k, n in done_by_offset.items()]


def test_streak_counts_back_from_yesterday_while_today_is_not_reached_yet():
    days = days_with({0: 1, 1: 2, 2: 3, 3: 1, 4: 5})
    assert stats.streak(days, D, 2) == Streak(2, today_met=False, complete=True)
    days = days_with({0: 2, 1: 2, 2: 3, 3: 1})
    assert stats.streak(days, D, 2) == Streak(3, today_met=True, complete=True)


def test_rest_days_neither_break_nor_extend_a_streak():
    # Fri, Sat (nothing recorded), Sun (missing entirely), Mon.
    days = days_with({0: 2, 1: None, 3: 2, 4: 0})
    assert stats.streak(days, D, 2) == Streak(2, today_met=True, complete=True)


def test_a_day_at_the_computer_without_enough_sessions_breaks_it():
    days = days_with({0: 3, 1: 1, 2: 4})
    assert stats.streak(days, D, 2).days == 1


def test_a_streak_that_reaches_the_oldest_day_given_is_not_complete():
    days = days_with({0: 2, 1: 2, 2: 2})
    assert stats.streak(days, D, 2) == Streak(3, today_met=True, complete=False)
    assert stats.streak([], D, 2) == Streak(0, today_met=False, complete=False)


# -- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds, text", [(None, "—"), (0, "0 min"), (52 * 60 + 20, "52 min"),
                                           (60 * 60, "1 h"), (72 * 60, "1 h 12 min"), (59.6 * 60, "1 h")])
def test_durations_read_naturally(seconds, text):
    assert stats.format_duration(seconds) == text


def test_today_line():
    day = DayStats(D, stretch_done=3, posture_checks=6, longest_sitting_s=52 * 60.0, sitting_s=100.0)
    assert stats.today_line(day) == "Today: 3 stretches · 6 posture checks · longest sitting 52 min"
    assert stats.today_line(DayStats(D, stretch_done=1, posture_checks=1)) == "Today: 1 stretch · 1 posture check"
    # A stretch just begun is not news yet.
    assert stats.today_line(DayStats(D, longest_sitting_s=20.0)) == "Today: 0 stretches · 0 posture checks"


def test_streak_line():
    assert stats.streak_line(Streak(4, True, True), 2) == "Streak: 4 days (2+ stretches a day)"
    assert stats.streak_line(Streak(1, True, True), 1) == "Streak: 1 day (1+ stretch a day)"
    assert stats.streak_line(Streak(0, False, True), 2) == "No streak yet (2+ stretches a day)"
