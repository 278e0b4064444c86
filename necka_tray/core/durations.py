"""Durations typed by people (``90s``, ``45m``, ``1h30m``) for the command line.

A wrong duration must never become a silent zero or a surprise day-long
pause, so the parser is strict: every number needs a unit, units go from
hours down to seconds, each at most once, and the result must fit the
caller's range. The messages are written to be shown as they are.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from necka_tray.core.clock import TimeScale
from necka_tray.i18n import _

_UNITS = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([hms])")
EXAMPLES = "90s, 45m, 1h30m"


def parse_duration(text: str, minimum: timedelta = timedelta(seconds=1),
                   maximum: timedelta = timedelta(days=1)) -> timedelta:
    """``text`` as a duration in ``[minimum, maximum]``; ValueError says what is wrong."""
    raw = "".join(text.split()).lower()
    if not raw:
        raise ValueError(_("no duration given (examples: {examples})").format(examples=EXAMPLES))
    if raw.isdigit():
        raise ValueError(_("{value} has no unit: write {number}m for minutes, {number}s for seconds or {number}h for hours").format(
            value=repr(text), number=raw))
    seconds = 0
    pos = 0
    seen: list[str] = []
    for match in _PART.finditer(raw):
        if match.start() != pos:
            break
        number, unit = match.groups()
        if seen and "hms".index(unit) <= "hms".index(seen[-1]):
            raise ValueError(_("{value}: write each unit once, from hours down to seconds (example: 1h30m)").format(value=repr(text)))
        seen.append(unit)
        seconds += int(number) * _UNITS[unit]
        pos = match.end()
    if pos != len(raw) or not seen:
        raise ValueError(_("{value} is not a duration (examples: {examples})").format(value=repr(text), examples=EXAMPLES))
    if not (minimum.total_seconds() <= seconds <= maximum.total_seconds()):
        raise ValueError(_("{value} is out of range: use {least} to {most}").format(value=repr(text), least=describe(minimum), most=describe(maximum)))
    return timedelta(seconds=seconds)


def describe(value: timedelta) -> str:
    """``1h30m``-style text for a whole number of seconds (the parser's own syntax)."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
    return text or "0s"


def end_after(minutes: float, now: datetime, scale: TimeScale = TimeScale()) -> datetime:
    """When a span of ``minutes`` configured minutes started ``now`` ends (real time)."""
    return now + scale.real(timedelta(minutes=minutes))
