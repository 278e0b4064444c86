"""Working hours: days, ranges past midnight, weekends and DST."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from necka_tray.core.hours import WorkingHours, parse_days, parse_time

TZ = ZoneInfo("Europe/Berlin")
OFFICE = WorkingHours(parse_days("mon-fri"), time(9), time(17, 30))
NIGHTS = WorkingHours(parse_days("mon-thu"), time(22), time(6))


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize("text, days", [
    ("mon-fri", {0, 1, 2, 3, 4}), ("mon,wed,fri", {0, 2, 4}), ("sat-sun", {5, 6}),
    ("fri-mon", {4, 5, 6, 0}), ("Tue", {1}), (" mon , tue ", {0, 1}),
])
def test_parse_days(text, days):
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize("bad", ["", "monday", "mon-xyz", "1-5", ","])
def test_parse_days_rejects(bad):
    with pytest.raises(ValueError):
        parse_days(bad)


@pytest.mark.parametrize("bad", ["9", "24:00", "09:60", "nine", "9:00:00"])
def test_parse_time_rejects(bad):
    with pytest.raises(ValueError):
        parse_time(bad)


def test_office_hours_on_a_weekday():
    assert OFFICE.contains(at(2026, 3, 4, 9), TZ)           # Wednesday 09:00
    assert OFFICE.contains(at(2026, 3, 4, 17, 29), TZ)
    assert not OFFICE.contains(at(2026, 3, 4, 17, 30), TZ)
    assert not OFFICE.contains(at(2026, 3, 4, 8, 59), TZ)


def test_weekend_waits_until_monday_morning():
    saturday = at(2026, 3, 7, 11)
    assert not OFFICE.contains(saturday, TZ)
    assert OFFICE.next_start(saturday, TZ) == at(2026, 3, 9, 9)
    friday_evening = at(2026, 3, 6, 18)
    assert OFFICE.next_start(friday_evening, TZ) == at(2026, 3, 9, 9)


def test_range_across_midnight_belongs_to_the_day_it_started():
    assert NIGHTS.contains(at(2026, 3, 2, 23), TZ)          # Monday night
    assert NIGHTS.contains(at(2026, 3, 3, 5, 59), TZ)       # ...into Tuesday morning
    assert not NIGHTS.contains(at(2026, 3, 3, 6), TZ)
    assert NIGHTS.contains(at(2026, 3, 6, 3), TZ)           # Thursday's shift, Friday 03:00
    assert not NIGHTS.contains(at(2026, 3, 6, 23), TZ)      # no shift starts on Friday
    assert not NIGHTS.contains(at(2026, 3, 2, 3), TZ)       # Monday 03:00: Sunday had no shift
    assert NIGHTS.next_start(at(2026, 3, 6, 7), TZ) == at(2026, 3, 9, 22)


def test_next_start_across_a_dst_change_is_local_nine():
    # Europe/Berlin springs forward on Sunday 2026-03-29.
    start = OFFICE.next_start(at(2026, 3, 27, 18), TZ)
    assert start == at(2026, 3, 30, 9)
    assert start.utcoffset().total_seconds() == 2 * 3600
