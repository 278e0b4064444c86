"""The history reads behind ``core.care``: check-ins by day, last week's numbers, when a notice was shown.

Small queries over the existing reads (``History.events`` of one kind and the
rolled-up day rows, ``reports.read_days``), so the statistics' own reads can
change without this; an absent file is an empty history (never created here).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from necka_tray.core import care, stats
from necka_tray.core import events as ev
from necka_tray.store.history import History


def checkins_by_day(h: History, today: date, tz: tzinfo, days: int = care.DAYS_READ) -> dict[date, tuple[int, ...]]:
    """The check-in ratings of the ``days`` days ending ``today``, by local day, in time order."""
    first = today - timedelta(days=days - 1)
    rows = h.day_rows(first, today)
    found: dict[date, list[int]] = {d: list(r.checkins) for d, r in rows.items() if r.checkins}
    for e in h.events(ev.CHECKIN, since=stats.day_start(first, tz),
                      until=stats.day_start(today + timedelta(days=1), tz)):
        day = stats.local_day(e.ts, tz)
        rating = e.data.get("rating")
        if day not in rows and type(rating) is int:
            found.setdefault(day, []).append(rating)
    return {d: tuple(r) for d, r in found.items()}


def last_notice(h: History, name: str, since: datetime) -> datetime | None:
    """When the ``name`` notice ("care", "weekly") was last shown after ``since``, or None."""
    shown = [e.ts for e in h.events(ev.NOTICE, since=since) if e.data.get("notice") == name]
    return shown[-1] if shown else None


def suggestion(path: Path, now: datetime, tz: tzinfo) -> care.Suggestion | None:
    """Whether the check-ins in the history file call for seeing a professional now."""
    if not Path(path).exists():
        return None
    today = stats.local_day(now, tz)
    with History(path) as h:
        return care.suggestion(checkins_by_day(h, today, tz), today)


def today_ratings(path: Path, now: datetime, tz: tzinfo) -> tuple[int, ...]:
    """Today's check-ins (for a gentle day)."""
    if not Path(path).exists():
        return ()
    today = stats.local_day(now, tz)
    with History(path) as h:
        return checkins_by_day(h, today, tz, days=1).get(today, ())


def week_back(h: History, now: datetime, tz: tzinfo) -> care.WeekBack:
    """Last week's look back (and the week before's mean), read from the history."""
    from necka_tray.store.reports import read_days

    today = stats.local_day(now, tz)
    first = care.week_start(today) - timedelta(days=2 * care.WEEK)
    last = care.week_start(today) - timedelta(days=1)
    return care.week_back(read_days(h, first, last, tz, now), today)


def week_back_from(path: Path, now: datetime, tz: tzinfo) -> care.WeekBack | None:
    if not Path(path).exists():
        return None
    with History(path) as h:
        return week_back(h, now, tz)


def stats_lines(path: Path, now: datetime, days: int, suggest: bool = True, weekly: bool = True) -> dict:
    """What ``necka-tray stats`` adds (``--json``'s ``care``): the suggestion to see a professional, and
    with 7 days shown last week's look back; each None when it does not hold or is turned off."""
    from necka_tray.store.reports import local_zone

    tz = local_zone()
    out: dict = {"suggest_professional": None, "week_back": None}
    found = suggestion(path, now, tz) if suggest else None
    if found is not None:
        out["suggest_professional"] = {"reason": found.reason, "mean": round(found.mean, 2),
                                       "line": care.suggestion_line(found), "page": "care"}
    back = week_back_from(path, now, tz) if weekly and days == care.WEEK else None
    if back is not None and back.worth_saying:
        out["week_back"] = {"first": back.first.isoformat(), "taken": back.taken, "due": back.due,
                            "neck_before": _round(back.neck_before), "neck": _round(back.neck),
                            "line": care.week_back_line(back)}
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
