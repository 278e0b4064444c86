"""Statistics read from a real history file: reports, the tray's today line, ``necka-tray stats``."""

from __future__ import annotations

import os

import csv
import io
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from necka_tray import cli
from necka_tray.store import reports
from necka_tray.cli import stats as stats_command
from necka_tray.core.stats import DayStats
from necka_tray.store.history import History

CET = timezone(timedelta(hours=1))
NOW = datetime(2025, 3, 5, 15, 0, tzinfo=CET)  # a Wednesday afternoon
TODAY = NOW.date()


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=CET)


def sessions(h: History, day: date, n: int, outcome: str = "completed") -> None:
    for k in range(n):
        start = at(day, 9 + k)
        h.record_session(start, start + timedelta(seconds=110), outcome, 6, 6, "neck")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "history.sqlite3"


# -- reports ------------------------------------------------------------------------------------


def test_an_absent_history_is_empty_and_is_not_created(db):
    report = reports.load(db, 7, NOW, CET, 2)
    assert [d.day for d in report.days] == [TODAY - timedelta(days=6 - k) for k in range(7)]
    assert all(d == DayStats(d.day) for d in report.days)
    assert report.streak.days == 0
    assert not db.exists()


def test_a_report_mixes_rolled_up_days_and_events(db):
    with History(db) as h:
        for k in range(1, 40):
            sessions(h, TODAY - timedelta(days=k), 2)
        sessions(h, TODAY, 1)
        h.record_checkin(at(TODAY, 10), 3, "session")
        before = reports.load(db, 30, NOW, CET, 2)
        h.roll_up(NOW, CET, keep_days=14)
    after = reports.load(db, 30, NOW, CET, 2)
    assert after == before
    assert after.today_stats.stretch_done == 1 and after.today_stats.checkins == (3,)
    # Today (1 of 2) does not count yet; the 39 days before do, 25 of them read from roll-ups.
    assert (after.streak.days, after.streak.today_met) == (39, False)
    assert after.today_line == "Today: 1 stretch · 0 posture checks"
    assert after.streak_line == "Streak: 39 days (2+ stretches a day)"


def test_a_long_streak_is_read_back_past_the_days_shown(db):
    with History(db) as h:
        for k in range(0, 200):
            day = TODAY - timedelta(days=k)
            if day.weekday() < 5:  # weekends are rest days
                sessions(h, day, 3)
        sessions(h, TODAY - timedelta(days=200), 1)  # the day it began
    report = reports.load(db, 7, NOW, CET, 2)
    workdays = sum((TODAY - timedelta(days=k)).weekday() < 5 for k in range(200))
    assert report.streak.days == workdays
    assert len(report.days) == 7


def test_the_json_report(db):
    with History(db) as h:
        sessions(h, TODAY, 2)
        sessions(h, TODAY, 1, outcome="stopped")
        h.record_checkin(at(TODAY, 12), 4, "session")
        h.record_checkin(at(TODAY, 13), 5, "daily")
    out = reports.load(db, 2, NOW, CET, 2).to_json()
    assert out["today"] == "2025-03-05"
    assert out["streak"] == {"days": 1, "today_met": True, "min_sessions": 2}
    yesterday, today = out["days"]
    assert yesterday["day"] == "2025-03-04" and yesterday["stretch_done"] == 0
    assert (today["stretch_done"], today["stretch_stopped"], today["checkins"], today["checkin_mean"]) == (2, 1, [4, 5], 4.5)
    assert out["totals"]["checkins"] == 2
    json.dumps(out)  # plain JSON values only


# -- the tray's today line ----------------------------------------------------------------------


def test_the_tray_line_reads_the_past_once_a_day(db):
    tray = reports.TrayStats(db, tz=CET)
    with History(db) as h:
        sessions(h, TODAY - timedelta(days=1), 2)
    assert tray.today_lines(NOW, 2) == ("Today: 0 stretches · 0 posture checks",
                                         "Streak: 1 day (2+ stretches a day)")
    with History(db) as h:
        sessions(h, TODAY, 2)  # today counts at once
        sessions(h, TODAY - timedelta(days=2), 2)  # the past is not read again today
    assert tray.today_lines(NOW, 2) == ("Today: 2 stretches · 0 posture checks",
                                         "Streak: 2 days (2+ stretches a day)")
    tomorrow = NOW + timedelta(days=1)
    assert tray.today_lines(tomorrow, 2)[1] == "Streak: 3 days (2+ stretches a day)"
    assert tray.today_lines(tomorrow, 3)[1] == "No streak yet (3+ stretches a day)"  # a new goal re-reads


def test_the_tray_line_counts_the_sitting_going_on(db):
    tray = reports.TrayStats(db, tz=CET)
    line, _ = tray.today_lines(NOW, 2, sitting_since=NOW - timedelta(minutes=52))
    assert line == "Today: 0 stretches · 0 posture checks · longest sitting 52 min"


# -- necka-tray stats ---------------------------------------------------------------------------


@pytest.fixture
def user(tmp_path, monkeypatch):
    """Per-user dirs in tmp_path; returns the history path."""
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"):
        (tmp_path / var).mkdir(mode=0o700)
        monkeypatch.setenv(var, str(tmp_path / var))
    monkeypatch.delenv("NECKA_TIME_SCALE", raising=False)
    return tmp_path / "XDG_DATA_HOME" / "necka-tray" / "history.sqlite3"


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def record_today(path, n_sessions=2, rating=3):
    """Events early today, whatever the time now (the command reads the real clock)."""
    midnight = datetime.combine(date.today(), datetime.min.time()).astimezone()  # local, DST-aware
    with History(path) as h:
        for k in range(n_sessions):
            start = midnight + timedelta(seconds=10 + k)
            h.record_session(start, start + timedelta(seconds=110), "completed", 6, 6, "neck")
        h.record_checkin(midnight + timedelta(seconds=5), rating, "session")


def test_the_table(user, capsys):
    record_today(user)
    code, out, err = run(capsys, "stats")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Necka statistics, ")
    assert "Today: 2 stretches · 0 posture checks" in lines
    assert "Streak: 1 day (2+ stretches a day)" in lines
    assert lines[5].split() == ["Day", "Stretches", "Posture", "Sitting", "Longest", "Breaks", "Neck"]
    today_row = next(line for line in lines if line.startswith("Today "))
    assert today_row.split() == ["Today", "2/0", "0", "—", "—", "0", "3.0"]
    assert sum(1 for line in lines[7:] if line[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}) == 6
    assert next(line for line in lines if line.startswith("7 days")).split()[2] == "2/0"


def test_json_csv_and_days(user, capsys):
    record_today(user, rating=6)
    code, out, _ = run(capsys, "stats", "--json", "--days", "3")
    data = json.loads(out)
    assert code == 0 and len(data["days"]) == 3
    assert (data["days"][-1]["stretch_done"], data["days"][-1]["checkins"]) == (2, [6])
    code, out, _ = run(capsys, "stats", "--csv", "--days", "30")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == list(stats_command.CSV_COLUMNS) and len(rows) == 31
    last = dict(zip(rows[0], rows[-1]))
    assert (last["stretch_done"], last["checkins"], last["checkin_mean"], last["checkin_ratings"]) == ("2", "1", "6.0", "6")
    assert last["sitting_minutes"] == ""  # not measured is not zero


def test_the_chart_file(user, capsys, tmp_path):
    record_today(user)
    target = tmp_path / "week.png"
    code, out, err = run(capsys, "stats", "--chart", str(target))
    assert code == 0 and out.startswith("Necka statistics")
    assert err.strip() == f"Chart written to {target}"
    assert target.read_bytes().startswith(b"\x89PNG")


def test_the_chart_file_follows_the_high_contrast_look(user, capsys, tmp_path):
    from PIL import Image, ImageColor

    from necka_tray.windows import chart

    record_today(user)
    colours = {}
    config = user.parents[1].parent / "XDG_CONFIG_HOME" / "necka-tray" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    for theme in ("default", "high-contrast"):
        config.write_text(f'[session]\ntheme = "{theme}"\n', encoding="utf-8")
        target = tmp_path / f"{theme}.png"
        assert run(capsys, "stats", "--chart", str(target))[0] == 0
        with Image.open(target) as im:
            colours[theme] = {c for _, c in im.convert("RGB").getcolors(1 << 20)}
    assert ImageColor.getrgb(chart.CALM.done) in colours["default"] - colours["high-contrast"]
    assert ImageColor.getrgb(chart.HIGH_CONTRAST.done) in colours["high-contrast"] - colours["default"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o000, 0o077])
def test_the_chart_file_is_user_only_whatever_the_umask(user, capsys, tmp_path, umask):
    """Issue 12 item 9: the chart shows pain check-ins, so it is 0600 like every Necka file;
    and it is written atomically (no temporary left beside it)."""
    record_today(user)
    target = tmp_path / "out" / "week.png"
    target.parent.mkdir()
    target.write_bytes(b"old")  # an existing file is replaced, its old mode does not carry over
    target.chmod(0o666)
    old = os.umask(umask)
    try:
        code, _, _ = run(capsys, "stats", "--chart", str(target))
    finally:
        os.umask(old)
    assert code == 0 and target.read_bytes().startswith(b"\x89PNG")
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["week.png"]


@pytest.mark.parametrize("argv, words", [
    (["--days", "0"], "--days: '0' is out of range: use 1 to 3650 days"),
    (["--days", "week"], "--days: 'week' is not a whole number"),
    (["--json", "--csv"], "not allowed with argument --json"),
    (["--chart", "out.jpg"], "must be a file name ending in .png"),
])
def test_bad_arguments_are_one_line_and_exit_2(user, capsys, argv, words):
    code, out, err = run(capsys, "stats", *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and words in err and err.startswith("necka-tray stats: ")


def test_a_broken_history_file_is_one_line_and_left_alone(user, capsys):
    user.parent.mkdir(parents=True)
    user.write_bytes(b"this is not a database, it is a note to self\n" * 100)
    before = user.read_bytes()
    code, out, err = run(capsys, "stats")
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"necka-tray: cannot read the history {user}")
    assert user.read_bytes() == before


def test_a_history_from_a_newer_necka_is_refused_in_one_line(user, capsys):
    with History(user):
        pass
    with sqlite3.connect(user) as raw:
        raw.execute("PRAGMA user_version = 99")
    code, _, err = run(capsys, "stats", "--json")
    assert code == 1 and "schema version 99" in err and len(err.splitlines()) == 1


def test_a_chart_that_cannot_be_written(user, capsys, tmp_path):
    code, _, err = run(capsys, "stats", "--chart", str(tmp_path / "missing" / "c.png"))
    assert code == 1 and err.strip().endswith("No such file or directory")


def test_checkin_from_the_command_line(user, capsys):
    code, out, _ = run(capsys, "checkin", "4")
    assert (code, out) == (0, "Noted: neck 4 of 10.\n")
    with History(user) as h:
        (event,) = h.events("checkin")
    assert event.data == {"rating": 4, "source": "cli"}
    code, _, err = run(capsys, "checkin", "eleven")
    assert code == 2 and len(err.splitlines()) == 1 and "0 (no pain) to 10 (worst pain)" in err


# -- the system's local time --------------------------------------------------------------------


@pytest.fixture
def berlin(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield reports.local_zone()
    monkeypatch.undo()
    time.tzset()


def test_local_time_follows_the_systems_dst_rules(berlin):
    from zoneinfo import ZoneInfo

    from necka_tray.core import stats

    zone = ZoneInfo("Europe/Berlin")
    for day in (date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31), date(2025, 10, 26), date(2025, 10, 27)):
        assert stats.day_start(day, berlin).utcoffset() == stats.day_start(day, zone).utcoffset(), day
    utc = timezone.utc
    for instant in (datetime(2025, 3, 29, 23, 30, tzinfo=utc), datetime(2025, 3, 30, 22, 30, tzinfo=utc),
                    datetime(2025, 10, 25, 22, 30, tzinfo=utc), datetime(2025, 10, 26, 23, 30, tzinfo=utc)):
        assert stats.local_day(instant, berlin) == stats.local_day(instant, zone), instant
    # A sitting stretch across the night the clocks go forward: 23:00 to 03:00 is three real hours.
    start = datetime(2025, 3, 29, 23, 0, tzinfo=zone)
    events = [stats.Event(1, start, "sitting", {"duration_s": 3 * 3600.0})]
    days = stats.summarize(events, date(2025, 3, 29), date(2025, 3, 30), berlin, start + timedelta(days=1))
    assert [d.sitting_s for d in days] == [3600.0, 7200.0]


def test_a_range_over_a_year_names_both_years_and_the_days_it_shows(user, capsys):
    from necka_tray.texts.i18n import short_date

    code, out, err = run(capsys, "stats", "--days", "400")
    assert (code, err) == (0, "")
    today = datetime.now().astimezone().date()
    first = today - timedelta(days=399)
    assert out.splitlines()[0] == (f"Necka statistics, {short_date(first)} {first.year} – "
                                   f"{short_date(today)} {today.year}")
    rows = [line for line in out.splitlines()[7:] if line.startswith((short_date(first), "Today"))]
    assert rows[0].startswith(short_date(first)) and rows[-1].startswith("Today")
    # 400 days hold the same day of the month twice: each row names its year, so no two rows read the same
    days = [line.split("  ")[0] for line in out.splitlines()[7:7 + 400]]
    assert days[0] == f"{short_date(first)} {first.year}" and days[-1] == "Today"
    assert len(set(days)) == 400
