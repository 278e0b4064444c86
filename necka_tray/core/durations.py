"""Durations typed by people (``90s``, ``45m``, ``1h30m``) for the command line.

A wrong duration must never become a silent zero or a surprise day-long
pause, so the parser is strict: every number needs a unit, units go from
hours down to seconds, each at most once, and the result must fit the
caller's range. Digits are ASCII only (``int`` alone would take ``١٢``,
fullwidth digits and ``1_0``), and a number of thousands of digits is just
out of range. The messages are written to be shown as they are, on one line.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from necka_tray.core.clock import TimeScale
from necka_tray.texts.i18n import _

_UNITS = {"h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"([0-9]+)([hms])")
_DIGITS = re.compile(r"[0-9]+")
_DURATION = re.compile(r"([0-9]+[hms])+")
EXAMPLES = "90s, 45m, 1h30m"
#: For a duration of whole minutes (snooze): no example it would refuse.
EXAMPLES_MINUTES = "5m, 45m, 1h30m"
#: Beyond this many significant digits a number is simply too large (no 5,000-digit int() either).
MAX_DIGITS = 12
#: Longest text quoted back in a message.
_QUOTED = 24


def whole_number(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """``text`` (surrounding spaces allowed) as a whole number of ASCII digits, else None.

    None too for signs, ``_``, other scripts' digits, and more than ``max_digits`` significant digits.
    """
    raw = text.strip()
    if not raw.isascii() or not _DIGITS.fullmatch(raw) or len(raw.lstrip("0")) > max_digits:
        return None
    return int(raw.lstrip("0") or "0")  # int() refuses over 4,300 digits, even zeros


def looks_whole(text: str) -> bool:
    """``text`` is written as a whole number of ASCII digits, negative or not, of any length (``-1``, 40 nines):
    one that ``whole_number`` refuses is then out of range, not "not a number"."""
    raw = text.strip()
    return raw.isascii() and _DIGITS.fullmatch(raw[1:] if raw[:1] == "-" else raw) is not None


def quoted(text: str) -> str:
    """``text`` quoted for a message, cut short when long (a message stays one readable line)."""
    return repr(text if len(text) <= _QUOTED else text[:_QUOTED - 4] + "...")


def parse_duration(text: str, minimum: timedelta = timedelta(seconds=1),
                   maximum: timedelta = timedelta(days=1), examples: str = EXAMPLES) -> timedelta:
    """``text`` as a duration in ``[minimum, maximum]``; ValueError says what is wrong (with ``examples``)."""
    raw = "".join(text.split()).lower()
    shown = quoted(text)
    if not raw:
        raise ValueError(_("no duration given (examples: {examples})").format(examples=examples))
    if _DIGITS.fullmatch(raw) and raw.isascii():
        n = raw if len(raw) <= 6 else "30"
        raise ValueError(_("{value} has no unit: write {number}m for minutes, {number}s for seconds or {number}h for "
                           "hours").format(value=shown, number=n))
    if raw[:1] in "-−" and raw[1:].isascii() and _DURATION.fullmatch(raw[1:]):
        raise ValueError(_("{value} is negative: use {least} to {most}").format(
            value=shown, least=describe(minimum), most=describe(maximum)))
    seconds = 0
    pos = 0
    seen: list[str] = []
    for match in _PART.finditer(raw):
        if match.start() != pos:
            break
        number, unit = match.groups()
        if seen and "hms".index(unit) <= "hms".index(seen[-1]):
            raise ValueError(_("{value}: write each unit once, from hours down to seconds (example: 1h30m)").format(
                value=shown))
        seen.append(unit)
        value = whole_number(number)
        seconds += (10 ** MAX_DIGITS if value is None else value) * _UNITS[unit]
        pos = match.end()
    if pos != len(raw) or not seen:
        raise ValueError(_("{value} is not a duration (examples: {examples})").format(value=shown, examples=examples))
    if not (minimum.total_seconds() <= seconds <= maximum.total_seconds()):
        raise ValueError(_("{value} is out of range: use {least} to {most}").format(
            value=shown, least=describe(minimum), most=describe(maximum)))
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
