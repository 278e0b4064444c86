"""The history's vocabulary: one ``Event`` type and the names of its kinds.

It lives in the core so the pure statistics can read events without the
database; ``history.py`` stores them and documents each kind's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

REMINDER = "reminder"  # a reminder fired (the tray)
SNOOZE = "snooze"  # the user snoozed a due reminder
SKIP = "skip"  # the user skipped a due reminder
DONE = "done"  # the user pressed "Done" on a posture or shoulder-rolls bubble
SESSION = "session"  # a stretch session ended; stamped with its start
CHECKIN = "checkin"  # "How does your neck feel?" answered
NATURAL_BREAK = "natural_break"  # the user was away long enough to count as a break
SITTING = "sitting"  # one unbroken stretch of sitting at the computer ended
PAUSE = "pause"
RESUME = "resume"

#: Session outcomes.
COMPLETED, STOPPED = "completed", "stopped"
#: Check-in ratings: 0 (no pain) to 10 (worst pain), a standard numeric rating scale.
RATING_MIN, RATING_MAX = 0, 10


@dataclass(frozen=True)
class Event:
    id: int
    ts: datetime  # timezone-aware
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
