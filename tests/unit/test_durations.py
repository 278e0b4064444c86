"""Durations typed on the command line: what parses, and what each mistake is told."""

from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.core.clock import TimeScale
from necka_tray.core.durations import describe, end_after, parse_duration


@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("45m", 2700), ("1h", 3600), ("2h", 7200), ("1h30m", 5400), ("1h30m15s", 5415),
    ("1m30s", 90), ("1h5s", 3605), ("24h", 86400), (" 1H30M ", 5400), ("1h 30m", 5400), ("0h45m", 2700),
    ("120m", 7200), ("007m", 420), ("0" * 5000 + "5m", 300),
])
def test_valid_durations(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text, message", [
    ("", "no duration given (examples: 90s, 45m, 1h30m)"),
    ("   ", "no duration given (examples: 90s, 45m, 1h30m)"),
    ("30", "'30' has no unit: write 30m for minutes, 30s for seconds or 30h for hours"),
    ("5x", "'5x' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("h", "'h' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("1.5h", "'1.5h' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("-5m", "'-5m' is negative: use 1s to 24h"),
    ("-1h30m", "'-1h30m' is negative: use 1s to 24h"),
    ("1_0m", "'1_0m' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("\u0661\u0662m", "'\u0661\u0662m' is not a duration (examples: 90s, 45m, 1h30m)"),  # Arabic-Indic 12
    ("\uff11\uff12m", "'\uff11\uff12m' is not a duration (examples: 90s, 45m, 1h30m)"),  # fullwidth 12
    ("\u0661\u0662", "'\u0661\u0662' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("9" * 5000 + "m", "'99999999999999999999...' is out of range: use 1s to 24h"),
    ("1h30", "'1h30' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("2d", "'2d' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("1 hour", "'1 hour' is not a duration (examples: 90s, 45m, 1h30m)"),
    ("30m1h", "'30m1h': write each unit once, from hours down to seconds (example: 1h30m)"),
    ("1h1h", "'1h1h': write each unit once, from hours down to seconds (example: 1h30m)"),
    ("0m", "'0m' is out of range: use 1s to 24h"),
    ("25h", "'25h' is out of range: use 1s to 24h"),
    ("99999999999999999999999h", "'99999999999999999999999h' is out of range: use 1s to 24h"),
])
def test_bad_durations_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as err:
        parse_duration(text)
    assert str(err.value) == message


def test_the_range_is_the_callers():
    assert parse_duration("4h", maximum=timedelta(hours=4)) == timedelta(hours=4)
    with pytest.raises(ValueError, match="use 1m to 4h"):
        parse_duration("30s", minimum=timedelta(minutes=1), maximum=timedelta(hours=4))


def test_describe_is_the_parsers_syntax():
    for text in ("90s", "45m", "1h30m", "1h0m5s", "24h"):
        assert parse_duration(describe(parse_duration(text))) == parse_duration(text)
    assert describe(timedelta(0)) == "0s"


def test_end_after_counts_configured_minutes():
    now = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)
    assert end_after(90, now) == now + timedelta(minutes=90)
    assert end_after(60, now, TimeScale(60)) == now + timedelta(minutes=1)
    assert end_after(1.5, now) == now + timedelta(seconds=90)
