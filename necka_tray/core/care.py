"""Care that answers the check-ins: when to suggest a professional, a gentle day, the week's look back.

Pure functions of the check-ins by day, today's date and ``now`` (never the
real clock), so the command line, the windows and the tray decide alike and
tests pin each threshold down. The numbers, and why (README "Care"):

- *Persists*: the mean of the daily means over the last ``WEEK`` days (today
  included) is at least ``PERSIST_MEAN`` (5 of 10: moderate pain on the usual
  0-10 scale bands), with check-ins on at least ``PERSIST_MIN_DAYS`` (4) of
  them: most of a week, not one bad day.
- *Worsens*: this week's mean is at least ``WORSEN_RISE`` (2 points, about
  the smallest change people with neck pain notice as real) above the week
  before's, each week with at least ``WORSEN_MIN_DAYS`` (3) days of check-ins,
  and this week's mean at least ``WORSEN_FLOOR`` (4): going from 0 to 2 is a
  rise, but no reason to see anyone.
- *Falling* check-ins never trigger it: a week at least ``FALLING`` (1 point)
  below the week before (each with ``WORSEN_MIN_DAYS`` days) is easing pain,
  even while its mean is still 5 or more; steady low ones meet neither rule.

Nothing here names a cause: the numbers say only that pain stayed high or rose. Red-flag symptoms
are never inferred from them (they stay on the care page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from necka_tray.texts.i18n import N_, _, decimal, ngettext

WEEK = 7
PERSIST_MEAN, PERSIST_MIN_DAYS = 5.0, 4
WORSEN_RISE, WORSEN_MIN_DAYS, WORSEN_FLOOR = 2.0, 3, 4.0
FALLING = 1.0
#: The suggestion's bubble comes at most once in this long.
BUBBLE_EVERY = timedelta(days=7)
#: A check-in this high makes the rest of the day gentle.
GENTLE_FROM = 6
#: How many days the rule reads (this week and the one before).
DAYS_READ = 2 * WEEK

PERSISTS, WORSENS = "persists", "worsens"
#: The history's ``notice`` event names (what was shown, so a restart does not repeat it).
NOTICE_CARE, NOTICE_WEEKLY = "care", "weekly"


@dataclass(frozen=True)
class Suggestion:
    """The rule holds: ``reason`` is PERSISTS or WORSENS (WORSENS when both do)."""

    reason: str
    mean: float  # this week's mean of daily means
    before: float | None  # the week before's, when it had enough check-ins to count


def _week_mean(by_day: Mapping[date, Sequence[int]], last: date) -> tuple[float | None, int]:
    """The mean of the daily means of the ``WEEK`` days ending ``last``, and how many days had check-ins."""
    means = []
    for i in range(WEEK):
        ratings = by_day.get(last - timedelta(days=i), ())
        if ratings:
            means.append(sum(ratings) / len(ratings))
    return (sum(means) / len(means) if means else None), len(means)


def suggestion(by_day: Mapping[date, Sequence[int]], today: date) -> Suggestion | None:
    """Whether the check-ins (ratings by local day) call for seeing a professional, as of ``today``."""
    mean, days = _week_mean(by_day, today)
    if mean is None:
        return None
    before, days_before = _week_mean(by_day, today - timedelta(days=WEEK))
    counted_before = before if days_before >= WORSEN_MIN_DAYS else None
    # A small epsilon: a mean of 5 made of floats like 4.999999 still counts as 5.
    worsens = (counted_before is not None and days >= WORSEN_MIN_DAYS and mean >= WORSEN_FLOOR - 1e-9
               and mean - counted_before >= WORSEN_RISE - 1e-9)
    falling = counted_before is not None and counted_before - mean >= FALLING - 1e-9
    persists = days >= PERSIST_MIN_DAYS and mean >= PERSIST_MEAN - 1e-9 and not falling
    if worsens:
        return Suggestion(WORSENS, mean, counted_before)
    if persists:
        return Suggestion(PERSISTS, mean, counted_before)
    return None


def bubble_due(last_shown: datetime | None, now: datetime) -> bool:
    """The suggestion's bubble may come: never shown, or shown ``BUBBLE_EVERY`` ago or longer."""
    if last_shown is None:
        return True
    return now.timestamp() - last_shown.timestamp() >= BUBBLE_EVERY.total_seconds()


def gentle_day(ratings_today: Sequence[int]) -> bool:
    """A check-in of ``GENTLE_FROM`` or more today: the stretch sessions run their gentle variants."""
    return any(r >= GENTLE_FROM for r in ratings_today)


# -- the weekly look back ---------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (ISO weeks)."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekBack:
    """Last week's numbers: stretch breaks taken of those due, and the check-ins' means."""

    first: date  # that week's Monday
    taken: int  # stretch breaks acted on (a session or a natural break within 15 min)
    due: int
    neck_before: float | None  # the mean of the week before last
    neck: float | None  # last week's mean

    @property
    def worth_saying(self) -> bool:
        return self.due > 0 or self.neck is not None


def week_back(days: Sequence, today: date) -> WeekBack:
    """The look back from ``today`` over ``days`` (``core.stats.DayStats`` of at least the last three weeks)."""
    first = week_start(today) - timedelta(days=WEEK)
    by_day = {d.day: d for d in days}

    def span(start: date) -> list:
        return [by_day[start + timedelta(days=i)] for i in range(WEEK) if start + timedelta(days=i) in by_day]

    last_week, before = span(first), span(first - timedelta(days=WEEK))

    def mean(week: list) -> float | None:
        means = [d.checkin_mean for d in week if d.checkin_mean is not None]
        return sum(means) / len(means) if means else None

    return WeekBack(first, sum(d.stretch_acted_on for d in last_week), sum(d.stretch_due for d in last_week),
                    mean(before), mean(last_week))


# -- words -------------------------------------------------------------------------------------------

#: Calm, and never a diagnosis: what the numbers did, and what is worth doing.
SUGGESTION = {
    PERSISTS: N_("Your neck check-ins have stayed high for a week. If neck pain continues or gets worse, "
                 "it is worth seeing a healthcare professional."),
    WORSENS: N_("Your neck check-ins have risen over the last two weeks. If neck pain continues or gets "
                "worse, it is worth seeing a healthcare professional."),
}
SUGGESTION_TITLE = N_("Necka: your neck check-ins")
#: The button (and link) that opens the "When to see a professional" page.
CARE_PAGE_BUTTON = N_("When to see a professional")
GENTLE_LINE = N_("Gentler today: your neck check-in was 6 or more, so each exercise moves less and holds shorter.")
STRENGTH_RESTS = N_("rests while your neck check-ins are high")
WEEKLY_TITLE = N_("Necka: last week")


def suggestion_line(s: Suggestion) -> str:
    return _(SUGGESTION[s.reason])


def week_back_line(w: WeekBack) -> str:
    """"Last week: 14 of 20 stretch breaks taken; neck 3.1 → 2.4" (each part only when there is one)."""
    breaks = ngettext("{taken} of {due} stretch break taken", "{taken} of {due} stretch breaks taken",
                      w.due).format(taken=w.taken, due=w.due) if w.due else None
    neck = None
    if w.neck is not None and w.neck_before is not None:
        neck = _("neck {before} → {now}").format(before=decimal(w.neck_before), now=decimal(w.neck))
    elif w.neck is not None:
        neck = _("neck {now}").format(now=decimal(w.neck))
    summary = _("{breaks}; {neck}").format(breaks=breaks, neck=neck) if breaks and neck else (breaks or neck or "")
    return _("Last week: {summary}").format(summary=summary)
