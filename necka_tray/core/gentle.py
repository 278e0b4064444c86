"""A routine exercise's gentle variant, for a bad day: ``[exercises.ID.gentle]`` in routines.toml.

The same kind of step as the exercise (a hold, or repetitions), never more
of it: a shorter hold, fewer repetitions, a smaller range in its words, and
a ``caution`` shown in place of the exercise's safety cue. Checked as
strictly as everything else in the file, with the same named problems.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any, Protocol, TypeVar

from necka_tray.core.routine_fields import _DataError, _no_unknown_keys, _positive, _shown, _text
from necka_tray.texts.i18n import _


class _Full(Protocol):
    """What the check reads of the full exercise (``routine.Exercise``, a frozen dataclass)."""

    @property
    def is_hold(self) -> bool: ...
    @property
    def seconds(self) -> float: ...
    @property
    def reps(self) -> int | None: ...
    @property
    def pose(self) -> str: ...
    @property
    def title(self) -> str: ...


#: ``routine.Exercise``; a type variable, so this module needs not import ``routine.py`` (which imports it).
Exercise = TypeVar("Exercise", bound=_Full)

#: A gentle variant's keys: smaller range (its words), shorter hold, fewer repetitions, a caution.
GENTLE_KEYS = frozenset({"title", "instruction", "hold_seconds", "reps", "seconds", "caution", "pose"})


def parse_gentle(full: Exercise, body: Any, key: str, poses: Collection[str] | None) -> Exercise:
    """The gentle variant of ``full``: the same kind of step (a hold, or repetitions), never more of it."""
    if not isinstance(body, dict):
        raise _DataError(key, _("must be a table"))
    _no_unknown_keys(body, GENTLE_KEYS, key)
    if full.is_hold:
        for name in ("reps", "seconds"):
            if name in body:
                raise _DataError(f"{key}.{name}", _("the exercise is a hold: give the gentle one hold_seconds"))
        seconds = _positive(body, "hold_seconds", key)
        if seconds > full.seconds:
            raise _DataError(f"{key}.hold_seconds", _("must be at most the exercise's own {most} (a gentle hold is "
                                                      "shorter)").format(most=_shown(full.seconds)))
        reps = None
    else:
        if "hold_seconds" in body:
            raise _DataError(f"{key}.hold_seconds", _("the exercise repeats: give the gentle one reps and seconds"))
        reps = body.get("reps")
        if isinstance(reps, bool) or not isinstance(reps, int) or not 0 < reps <= (full.reps or 0):
            raise _DataError(f"{key}.reps", _("must be a whole number from 1 to the exercise's own {most} (fewer "
                                              "repetitions; got {value})").format(most=full.reps, value=_shown(reps)))
        seconds = _positive(body, "seconds", key)
        if seconds > full.seconds:
            raise _DataError(f"{key}.seconds", _("must be at most the exercise's own {most}").format(
                most=_shown(full.seconds)))
    pose = _text(body, "pose", key) if "pose" in body else full.pose
    if poses is not None and pose not in poses:
        raise _DataError(f"{key}.pose", _("unknown pose {value}; use one of: {allowed}").format(
            value=_shown(pose), allowed=", ".join(sorted(poses))))
    title = _text(body, "title", key) if "title" in body else full.title
    return dataclasses.replace(full, title=title, instruction=_text(body, "instruction", key), seconds=seconds,
                               safety=_text(body, "caution", key), pose=pose, reps=reps)
