"""Typed, versioned messages between the tray and its helper processes (one JSON object a line).

A helper prints its result as its last line on stdout; the tray writes a menu
request or tooltip lines to the menu helper's stdin. Every message carries
``"v": VERSION`` and an ``"event"`` name. ``parse`` checks a received line
against its type: a line that is not a message, has another version or bad
fields gives ``None`` and one log line, never an exception, so a helper from
another Necka version (an upgrade while the tray runs) cannot break the tray.

Stdlib only (and ``core.actions``): the windows and the tray both import it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Union

from necka_tray.core.actions import Action
from necka_tray.core.events import RATING_MAX, RATING_MIN

logger = logging.getLogger(__name__)

VERSION = 1


class BadMessage(ValueError):
    """A line that is no valid message of this version."""


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadMessage("a time must be an ISO 8601 string")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise BadMessage(f"not a time: {value[:40]!r}") from None
    if when.tzinfo is None:
        raise BadMessage("a time needs its UTC offset")
    return when


def _rating(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise BadMessage(f"not a rating: {str(value)[:20]!r}")
    return value


def _int(value: Any, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise BadMessage(f"not a whole number from {low}: {str(value)[:20]!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise BadMessage(f"not text: {str(value)[:20]!r}")
    return value


@dataclass(frozen=True)
class SessionEnd:
    """The session window closed: what ran, when, how it ended, and the rating given on its last screen."""

    event: ClassVar[str] = "session_end"
    outcome: str  # "completed" | "stopped"
    routine: str
    started: datetime
    ended: datetime
    steps_done: int = 0
    steps_total: int = 0
    duration_s: float = 0.0
    checkin: int | None = None  # the "How is your neck?" rating on the done screen (0..10), if given

    def __post_init__(self) -> None:
        if self.outcome not in ("completed", "stopped"):
            raise BadMessage(f"unknown outcome {str(self.outcome)[:20]!r}")
        _text(self.routine)
        _int(self.steps_done), _int(self.steps_total), _rating(self.checkin)
        if isinstance(self.duration_s, bool) or not isinstance(self.duration_s, (int, float)) or self.duration_s < 0:
            raise BadMessage("duration_s must be a number of seconds")
        if self.ended < self.started:
            raise BadMessage("the session ended before it started")

    @classmethod
    def _from(cls, d: dict[str, Any]) -> SessionEnd:
        return cls(d["outcome"], d["routine"], _time(d["started"]), _time(d["ended"]), d.get("steps_done", 0),
                   d.get("steps_total", 0), d.get("duration_s", 0.0), d.get("checkin"))


@dataclass(frozen=True)
class CheckinResult:
    """The check-in window closed: the rating given (None: skipped) and when."""

    event: ClassVar[str] = "checkin"
    rating: int | None
    at: datetime | None = None

    def __post_init__(self) -> None:
        _rating(self.rating)
        if self.rating is not None and self.at is None:
            raise BadMessage("a rating needs its time")

    @classmethod
    def _from(cls, d: dict[str, Any]) -> CheckinResult:
        at = d.get("at")
        return cls(d.get("rating"), None if at is None else _time(at))


@dataclass(frozen=True)
class InfoClosed:
    event: ClassVar[str] = "info"
    page: str

    @classmethod
    def _from(cls, d: dict[str, Any]) -> InfoClosed:
        return cls(_text(d["page"]))


@dataclass(frozen=True)
class MenuRequest:
    """Tray -> menu helper: pop the menu up at (x, y). ``entries``: ``menu_model.Entry`` as plain dicts,
    their actions as ``Action.to_json`` lists."""

    event: ClassVar[str] = "menu"
    x: int
    y: int
    entries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def _from(cls, d: dict[str, Any]) -> MenuRequest:
        if not isinstance(d["entries"], list):
            raise BadMessage("entries must be a list")
        return cls(_int(d["x"], -(2 ** 31)), _int(d["y"], -(2 ** 31)), d["entries"])


@dataclass(frozen=True)
class MenuChoice:
    """Menu helper -> tray: the entry chosen (nothing is printed when the menu is dismissed)."""

    event: ClassVar[str] = "menu_choice"
    action: Action

    @classmethod
    def _from(cls, d: dict[str, Any]) -> MenuChoice:
        try:
            return cls(Action.from_json(d["action"]))
        except ValueError as exc:
            raise BadMessage(str(exc)) from None


@dataclass(frozen=True)
class Tooltip:
    """Tray -> tooltip helper: the first line places it by the icon (x, y, width, height); later lines
    change the text only. The end of the input closes it."""

    event: ClassVar[str] = "tooltip"
    text: str
    icon: tuple[int, int, int, int] | None = None

    @classmethod
    def _from(cls, d: dict[str, Any]) -> Tooltip:
        icon = d.get("icon")
        if icon is not None:
            if not isinstance(icon, list) or len(icon) != 4:
                raise BadMessage("icon must be [x, y, width, height]")
            icon = tuple(_int(v, -(2 ** 31)) for v in icon)
        return cls(_text(d["text"]), icon)


Message = Union[SessionEnd, CheckinResult, InfoClosed, MenuRequest, MenuChoice, Tooltip]
TYPES: dict[str, Any] = {t.event: t for t in (SessionEnd, CheckinResult, InfoClosed, MenuRequest, MenuChoice, Tooltip)}


def encode(message: Message) -> str:
    """One line of JSON (no newline)."""
    body: dict[str, Any] = {"v": VERSION, "event": message.event}
    for f in fields(message):
        value = getattr(message, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Action):
            value = value.to_json()
        elif isinstance(value, tuple):
            value = list(value)
        body[f.name] = value
    return json.dumps(body, ensure_ascii=False)


def decode(line: str | bytes) -> Message:
    """The message on ``line``; ``BadMessage`` says what is wrong."""
    try:
        body = json.loads(line)
    except ValueError:
        raise BadMessage("not JSON") from None
    if not isinstance(body, dict):
        raise BadMessage("not a JSON object")
    if body.get("v") != VERSION:
        raise BadMessage(f"version {str(body.get('v'))[:10]}, this Necka speaks {VERSION}")
    kind = TYPES.get(body.get("event"))  # type: ignore[arg-type]
    if kind is None:
        raise BadMessage(f"unknown event {str(body.get('event'))[:30]!r}")
    try:
        return kind._from(body)
    except KeyError as exc:
        raise BadMessage(f"{kind.event}: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise BadMessage(f"{kind.event}: {exc}") from None


def parse(line: str | bytes, expected: type | tuple[type, ...], source: str) -> Message | None:
    """``line`` as one of ``expected``, or None with one log line naming ``source`` and the problem."""
    try:
        message = decode(line)
    except BadMessage as exc:
        logger.warning("action=message-ignored from=%s problem=%s", source, exc)
        return None
    if not isinstance(message, expected):
        logger.warning("action=message-ignored from=%s problem=unexpected %s", source, message.event)
        return None
    return message


def last_message(output: str, expected: type | tuple[type, ...], source: str) -> Message | None:
    """The message on the last non-empty line of a helper's stdout (None: none, or a bad one, logged)."""
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return None
    return parse(lines[-1], expected, source)
