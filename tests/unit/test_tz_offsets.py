"""Any ``TZ`` the C library accepts: Necka's clock, local days and working hours never raise.

An offset of a day or more (``TZ=UTC+24``, ``<+2430>-24:30``) is valid POSIX but beyond what
Python's ``timezone`` holds; Necka then counts in UTC and says so once, in one line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from datetime import date, datetime, time as dtime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from necka_tray.core import clock, stats
from necka_tray.core.hours import WorkingHours, parse_days
from necka_tray.store.reports import local_zone


@contextlib.contextmanager
def zone(value: str):
    """The process's zone is ``value`` inside (restored after)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = value
    time.tzset()
    clock._said.clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
        clock._said.clear()


def exercise() -> datetime:
    now = clock.SystemClock().now()
    assert now.utcoffset() is not None
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)
    zone = local_zone()
    day = stats.local_day(now, zone)
    assert stats.day_start(day, zone) <= now.astimezone(timezone.utc) < stats.day_start(day + timedelta(days=1), zone)
    hours = WorkingHours(parse_days("mon-fri"), dtime(9), dtime(17, 30))
    hours.next_start(now)
    return now


@pytest.mark.parametrize("value", ["UTC+24", "UTC-24", "UTC+99", "<+2430>-24:30", "<-2401>+24:01"])
def test_an_offset_of_a_day_or_more_counts_in_utc_and_is_said_once(value, caplog):
    with zone(value), caplog.at_level(logging.WARNING):
        now = exercise()
        exercise()
    assert now.utcoffset() == timedelta(0)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 1 and f"TZ={value}" in said[0] and "UTC" in said[0] and "\n" not in said[0], said


def test_an_ordinary_zone_keeps_its_offset_and_says_nothing(caplog):
    with zone("<+0530>-5:30"), caplog.at_level(logging.WARNING):
        now = exercise()
    assert now.utcoffset() == timedelta(hours=5, minutes=30)
    assert caplog.records == []


_name = st.sampled_from(["UTC", "ABC", "<+99>", "<-0130>", "XYZ"])
_offset = st.tuples(st.sampled_from("+-"), st.integers(0, 200), st.integers(0, 59),
                    st.booleans()).map(lambda t: f"{t[0]}{t[1]}" + (f":{t[2]:02d}" if t[3] else ""))


@settings(max_examples=60, deadline=None)
@given(name=_name, offset=_offset, dst=st.booleans())
def test_any_posix_zone_is_usable(name, offset, dst):
    with zone(name + offset + ("DST,M3.5.0,M10.5.0" if dst else "")):
        exercise()
