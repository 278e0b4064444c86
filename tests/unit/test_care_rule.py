"""The care rule (``core.care``) at its edges: when Necka suggests a professional, and when it never does."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from necka_tray.core import care
from necka_tray.core.care import PERSISTS, WORSENS, bubble_due, gentle_day, suggestion, week_back
from necka_tray.core.stats import DayStats

TODAY = date(2026, 12, 15)


def days_back(*ratings_per_day, end: date = TODAY) -> dict[date, tuple[int, ...]]:
    """``ratings_per_day`` oldest first, the last one on ``end``; None: no check-in that day."""
    out = {}
    for i, r in enumerate(reversed(ratings_per_day)):
        if r is not None:
            out[end - timedelta(days=i)] = r if isinstance(r, tuple) else (r,)
    return out


def test_rising_from_3_to_7_over_two_weeks_suggests_a_professional():
    ratings = [round(3 + 4 * i / 13) for i in range(14)]
    found = suggestion(days_back(*ratings, None), TODAY)  # day 15, no check-in yet today
    assert found is not None


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4])
def test_steady_low_check_ins_never_do(level):
    assert suggestion(days_back(*[level] * 14), TODAY) is None


def test_falling_check_ins_never_do_even_from_high():
    assert suggestion(days_back(*[8] * 7, *[4] * 7), TODAY) is None
    # Still 6 on average, which would persist, but easing: 8 -> 6.
    assert suggestion(days_back(*[8] * 7, *[6] * 7), TODAY) is None
    # Easing by less than a point is not falling: still high.
    assert suggestion(days_back(*[7] * 7, 6, 7, 6, 7, 6, 7, 6), TODAY).reason == PERSISTS


def test_no_check_ins_no_suggestion():
    assert suggestion({}, TODAY) is None


# -- persists: mean >= 5 over the last 7 days, check-ins on >= 4 of them ----------------------------

def test_persists_at_exactly_mean_5_on_4_days():
    found = suggestion(days_back(5, None, 5, None, 5, None, 5), TODAY)
    assert found == care.Suggestion(PERSISTS, 5.0, None)


def test_persists_not_below_mean_5():
    assert suggestion(days_back(5, None, 5, None, 5, None, 4), TODAY) is None  # 4.75


def test_persists_not_on_3_days():
    assert suggestion(days_back(None, None, 9, None, 9, None, 9), TODAY) is None


def test_a_day_counts_once_whatever_its_number_of_check_ins():
    # Four check-ins of 9 on one day do not outweigh three days of 3: (9 + 3 + 3 + 3) / 4 = 4.5.
    assert suggestion(days_back(None, None, None, (9, 9, 9, 9), 3, 3, 3), TODAY) is None
    assert suggestion(days_back(None, None, None, (9, 1), 5, 5, 5), TODAY).reason == PERSISTS  # 5.0


def test_the_week_is_the_last_7_days_today_included():
    # 4 high days, the oldest 7 days ago: outside the week.
    assert suggestion(days_back(9, 9, 9, 9, None, None, None, None), TODAY) is None
    assert suggestion(days_back(9, 9, 9, 9, None, None, None), TODAY).reason == PERSISTS


# -- worsens: >= 2 points above the week before, each with >= 3 check-ins; this week >= 4 -------------

def test_worsens_at_exactly_2_points():
    found = suggestion(days_back(2, 2, 2, None, None, None, None, 4, 4, 4, None, None, None, None), TODAY)
    assert found == care.Suggestion(WORSENS, 4.0, 2.0)


def test_worsens_not_below_2_points():
    assert suggestion(days_back(2, 2, 2, None, None, None, None, 4, 4, 3, None, None, None, None), TODAY) is None


def test_worsens_needs_3_check_ins_each_week():
    assert suggestion(days_back(2, 2, None, None, None, None, None, 4, 4, 4, None, None, None, None), TODAY) is None
    assert suggestion(days_back(2, 2, 2, None, None, None, None, 4, 4, None, None, None, None, None), TODAY) is None


def test_a_rise_at_low_pain_is_no_reason():
    # 0 -> 2 and 1 -> 3.5: real rises, but mild pain.
    assert suggestion(days_back(*[0] * 7, *[2] * 7), TODAY) is None
    assert suggestion(days_back(*[1] * 7, 3, 4, 3, 4, 3, 4, 3), TODAY) is None


def test_when_both_hold_the_rise_is_named():
    assert suggestion(days_back(*[3] * 7, *[6] * 7), TODAY).reason == WORSENS


# -- the bubble, and the gentle day ---------------------------------------------------------------

NOW = datetime(2026, 12, 15, 10, 0, tzinfo=timezone.utc)


def test_the_bubble_comes_once_then_not_within_7_days():
    assert bubble_due(None, NOW)
    assert not bubble_due(NOW - timedelta(days=7) + timedelta(seconds=1), NOW)
    assert bubble_due(NOW - timedelta(days=7), NOW)


def test_a_gentle_day_from_a_check_in_of_6():
    assert not gentle_day(())
    assert not gentle_day((5, 2))
    assert gentle_day((6,))
    assert gentle_day((7, 2))  # the rest of the day stays gentle


# -- the weekly look back ---------------------------------------------------------------------------

def test_week_back_counts_last_monday_to_sunday():
    monday = date(2026, 12, 14)  # TODAY's week
    last = [DayStats(monday - timedelta(days=7 - i), stretch_due=3, stretch_acted_on=2, checkins=(2,))
            for i in range(7)]
    before = [DayStats(monday - timedelta(days=14 - i), checkins=(4,)) for i in range(7)]
    this_week = [DayStats(monday, stretch_due=9, stretch_acted_on=9, checkins=(9,))]
    back = week_back(before + last + this_week, TODAY)
    assert (back.first, back.taken, back.due, back.neck_before, back.neck) == (monday - timedelta(days=7), 14, 21,
                                                                                4.0, 2.0)
    assert back.worth_saying
    assert care.week_back_line(back) == "Last week: 14 of 21 stretch breaks taken; neck 4.0 → 2.0"


def test_week_back_words_plural_and_missing_check_ins():
    one = care.WeekBack(date(2026, 12, 7), 1, 1, None, None)
    assert care.week_back_line(one) == "Last week: 1 of 1 stretch break taken"
    assert care.week_back_line(care.WeekBack(date(2026, 12, 7), 0, 2, None, 3.25)) == \
        "Last week: 0 of 2 stretch breaks taken; neck 3.2"
    assert care.week_back_line(care.WeekBack(date(2026, 12, 7), 0, 0, 4.0, 2.5)) == "Last week: neck 4.0 → 2.5"
    assert not care.WeekBack(date(2026, 12, 7), 0, 0, None, None).worth_saying


def test_the_words_are_calm_and_never_a_diagnosis():
    texts = [care.suggestion_line(care.Suggestion(r, 6.0, None)) for r in (PERSISTS, WORSENS)]
    texts += [care.GENTLE_LINE, care.STRENGTH_RESTS]
    for text in texts:
        assert "healthcare professional" in text or text in (care.GENTLE_LINE, care.STRENGTH_RESTS)
        assert not DIAGNOSIS.search(text), text
        assert "!" not in text


import re  # noqa: E402

#: Words that would name a cause or a condition, or alarm: the care lines use none of them.
DIAGNOSIS = re.compile(r"diagnos|disease|disorder|injur|hernia|arthritis|syndrome|inflam|you have|"
                       r"urgent|emergency|danger|serious|condition", re.IGNORECASE)


def test_the_diagnosis_scan_can_fail():
    for text in ("You may have a herniated disc", "This could be arthritis", "an injury", "See a doctor urgently"):
        assert DIAGNOSIS.search(text), text
