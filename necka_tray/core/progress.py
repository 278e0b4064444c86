"""When a routine unlocks: the ``unlock`` rules a routine may name in its data.

Strengthening exercises come after the basics are a habit: the guide's
prevention advice is *regular* exercise. "A week of regular sessions" is a
completed session on at least ``REGULAR_DAYS`` different days within some
``WEEK_DAYS`` days in a row. Once reached it stays reached: a holiday does not
lock the routine again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from necka_tray.texts.i18n import _

WEEK_DAYS = 7
REGULAR_DAYS = 5

#: Unlock rule names (the routine data's ``unlock`` key).
REGULAR_WEEK = "regular_week"


def regular_week(session_days: Iterable[date]) -> bool:
    """Whether some ``WEEK_DAYS`` days in a row hold ``REGULAR_DAYS`` days with a completed session."""
    days = sorted(set(session_days))
    return any(
        (days[i + REGULAR_DAYS - 1] - days[i]).days < WEEK_DAYS for i in range(len(days) - REGULAR_DAYS + 1)
    )


def days_this_week(session_days: Iterable[date], today: date) -> int:
    """Days with a completed session in the last ``WEEK_DAYS`` days, today included (for the menu hint)."""
    first = today - timedelta(days=WEEK_DAYS - 1)
    return len({d for d in session_days if first <= d <= today})


#: Rule name -> whether it is met, given the days with a completed session.
RULES: dict[str, Callable[[Iterable[date]], bool]] = {REGULAR_WEEK: regular_week}


def is_unlocked(rule: str | None, session_days: Iterable[date]) -> bool:
    """``rule`` None: always available."""
    return rule is None or RULES[rule](session_days)


def hint(rule: str, session_days: Iterable[date], today: date) -> str:
    """What is left to do, in a few words for a menu item."""
    if rule == REGULAR_WEEK:
        done = min(days_this_week(session_days, today), REGULAR_DAYS)
        return _("unlocks after a week of regular sessions ({done} of {need} days)").format(
            done=done, need=REGULAR_DAYS)
    raise ValueError(f"unknown unlock rule {rule!r}")
