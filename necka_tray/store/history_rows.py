"""One history event as a database row and back, and the rules ``History.record`` checks."""

from __future__ import annotations

import enum
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from necka_tray.core import events as ev
from necka_tray.core.events import Event
from necka_tray.core.reminders import Kind

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)

OUTCOMES = frozenset({ev.COMPLETED, ev.STOPPED})
REMINDER_NAMES = frozenset(k.value for k in Kind)


def _row(kind: str, ts: datetime, data: dict[str, Any]) -> tuple[str, str, str]:
    if not kind:
        raise ValueError("an event needs a kind")
    _check(kind, data)
    return _iso(ts), kind, json.dumps(data, sort_keys=True, default=_json_default)


def _check(kind: str, data: dict[str, Any]) -> None:
    """Refuse data the statistics could not read (a bug in the caller, not the user's input)."""
    if kind == ev.SESSION and data.get("outcome") not in OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {data.get('outcome')!r}")
    if kind in (ev.REMINDER, ev.DONE) and data.get("reminder") not in REMINDER_NAMES:
        raise ValueError(f"reminder must be one of {sorted(REMINDER_NAMES)}, not {data.get('reminder')!r}")
    if kind == ev.CHECKIN:
        rating = data.get("rating")
        if type(rating) is not int or not ev.RATING_MIN <= rating <= ev.RATING_MAX:
            raise ValueError(f"a check-in rating is a whole number from {ev.RATING_MIN} to {ev.RATING_MAX}, "
                             f"not {rating!r}")
    if kind == ev.SITTING:
        seconds = data.get("duration_s")
        if type(seconds) not in (int, float) or not seconds >= 0:
            raise ValueError(f"{kind} needs duration_s, a number of seconds >= 0, not {seconds!r}")


def _event(row: tuple[int, str, str, str]) -> Event:
    return Event(id=row[0], ts=datetime.fromisoformat(row[1]), kind=row[2], data=json.loads(row[3]))


def epoch_ms(ts: datetime) -> int:
    """The instant in whole milliseconds since 1970, as schema 4's ``ms`` column holds it (SQLite
    rounds its julianday(); this floors, so the two differ by at most 1 ms)."""
    return (ts - _EPOCH) // _MS


def _iso(ts: datetime) -> str:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError("history timestamps must be timezone-aware")
    return ts.isoformat()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot store {type(value).__name__} in the history")
