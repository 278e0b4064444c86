"""Exercises and routines, loaded from TOML data.

Routines are data (``necka_tray/data/routines.toml``) so new ones need no
code. The loader is strict: an unknown key or a bad value raises a
``ValueError`` naming the key (``exercises.tilt_left.hold_seconds: ...``),
because a typo in shipped data should fail a test, not a user's break.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: The routine the tray starts when the user has not picked one.
DEFAULT_ROUTINE = "neck"

#: The data format this loader reads (the ``format`` key of the file).
FORMAT = 1

SIDES = frozenset({"left", "right"})

_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_EXERCISE_KEYS = frozenset({"title", "instruction", "hold_seconds", "reps", "seconds", "side", "safety", "pose"})
_ROUTINE_KEYS = frozenset({"title", "summary", "steps"})
_STEP_KEYS = frozenset({"exercise", "seconds"})
_TOP_KEYS = frozenset({"format", "exercises", "routines"})


@dataclass(frozen=True)
class Exercise:
    """One movement. ``seconds`` is how long its step lasts; ``reps`` is ``None`` for a hold."""

    id: str
    title: str
    instruction: str
    seconds: float
    safety: str
    pose: str
    reps: int | None = None
    side: str | None = None

    @property
    def is_hold(self) -> bool:
        return self.reps is None


@dataclass(frozen=True)
class Step:
    """An exercise inside a routine; ``seconds`` may differ from the exercise's own."""

    exercise: Exercise
    seconds: float


@dataclass(frozen=True)
class Routine:
    id: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""

    @property
    def total_seconds(self) -> float:
        """Configured length of the whole routine, without pauses."""
        return sum(s.seconds for s in self.steps)


def load_routines(source: str | os.PathLike[str]) -> dict[str, Routine]:
    """Parse routines from TOML text (a ``str``) or a file (a path object).

    Returns the routines by id, in file order. Raises ``ValueError`` naming
    the offending key on any bad data.
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        origin = path.name
        text = path.read_text(encoding="utf-8")
    elif isinstance(source, str):
        origin, text = "routines", source
    else:
        raise TypeError(f"load_routines needs TOML text or a path, not {type(source).__name__}")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{origin}: not valid TOML: {e}") from e
    try:
        return _parse(doc)
    except _DataError as e:
        raise ValueError(f"{origin}: {e.key}: {e.problem}") from None


@functools.cache
def builtin_routines() -> dict[str, Routine]:
    """The routines shipped inside the package (read once; the objects are immutable)."""
    text = resources.files("necka_tray").joinpath("data/routines.toml").read_text(encoding="utf-8")
    return load_routines(text)


class _DataError(Exception):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def _parse(doc: dict[str, Any]) -> dict[str, Routine]:
    _no_unknown_keys(doc, _TOP_KEYS, "")
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        raise _DataError("format", f"this version of Necka reads format {FORMAT}, not {fmt!r}")
    exercises = {
        ex_id: _exercise(ex_id, body) for ex_id, body in _table(doc, "exercises", "exercises").items()
    }
    routines_doc = _table(doc, "routines", "routines")
    if not routines_doc:
        raise _DataError("routines", "no routines defined")
    return {r_id: _routine(r_id, body, exercises) for r_id, body in routines_doc.items()}


def _exercise(ex_id: str, body: Any) -> Exercise:
    key = f"exercises.{ex_id}"
    _check_id(ex_id, key)
    if not isinstance(body, dict):
        raise _DataError(key, "must be a table")
    _no_unknown_keys(body, _EXERCISE_KEYS, key)
    hold = body.get("hold_seconds")
    reps = body.get("reps")
    if hold is not None and reps is not None:
        raise _DataError(f"{key}.reps", "use either hold_seconds or reps, not both")
    if hold is not None:
        if "seconds" in body:
            raise _DataError(f"{key}.seconds", "only for reps; a hold's length is hold_seconds")
        seconds = _positive(body, "hold_seconds", key)
    elif reps is not None:
        if isinstance(reps, bool) or not isinstance(reps, int) or reps <= 0:
            raise _DataError(f"{key}.reps", f"must be a positive whole number (got {reps!r})")
        if "seconds" not in body:
            raise _DataError(f"{key}.seconds", "required with reps (how long the step lasts)")
        seconds = _positive(body, "seconds", key)
    else:
        raise _DataError(f"{key}.hold_seconds", "missing (or give reps and seconds)")
    side = body.get("side")
    if side is not None and side not in SIDES:
        raise _DataError(f"{key}.side", f"must be one of {sorted(SIDES)} (got {side!r})")
    return Exercise(
        id=ex_id,
        title=_text(body, "title", key),
        instruction=_text(body, "instruction", key),
        seconds=seconds,
        safety=_text(body, "safety", key),
        pose=_text(body, "pose", key),
        reps=reps,
        side=side,
    )


def _routine(r_id: str, body: Any, exercises: dict[str, Exercise]) -> Routine:
    key = f"routines.{r_id}"
    _check_id(r_id, key)
    if not isinstance(body, dict):
        raise _DataError(key, "must be a table")
    _no_unknown_keys(body, _ROUTINE_KEYS, key)
    steps_doc = body.get("steps")
    if not isinstance(steps_doc, list) or not steps_doc:
        raise _DataError(f"{key}.steps", "must be a non-empty list of exercise ids")
    steps = []
    for i, item in enumerate(steps_doc):
        step_key = f"{key}.steps[{i}]"
        if isinstance(item, str):
            ex_id, seconds = item, None
        elif isinstance(item, dict):
            _no_unknown_keys(item, _STEP_KEYS, step_key)
            ex_id = item.get("exercise")
            if not isinstance(ex_id, str):
                raise _DataError(f"{step_key}.exercise", "missing; name an exercise id")
            seconds = _positive(item, "seconds", step_key) if "seconds" in item else None
        else:
            raise _DataError(step_key, "must be an exercise id or a table with 'exercise'")
        exercise = exercises.get(ex_id)
        if exercise is None:
            raise _DataError(step_key, f"unknown exercise {ex_id!r}")
        steps.append(Step(exercise, seconds if seconds is not None else exercise.seconds))
    summary = body.get("summary", "")
    if not isinstance(summary, str):
        raise _DataError(f"{key}.summary", "must be text")
    return Routine(id=r_id, title=_text(body, "title", key), steps=tuple(steps), summary=summary.strip())


def _table(doc: dict[str, Any], name: str, key: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise _DataError(key, "must be a table")
    return value


def _no_unknown_keys(body: dict[str, Any], allowed: frozenset[str], key: str) -> None:
    for k in body:
        if k not in allowed:
            raise _DataError(f"{key}.{k}" if key else k, f"unknown key (expected one of {sorted(allowed)})")


def _check_id(value: str, key: str) -> None:
    if not _ID.match(value):
        raise _DataError(key, "ids are lower-case letters, digits and underscores")


def _text(body: dict[str, Any], name: str, key: str) -> str:
    value = body.get(name)
    if value is None:
        raise _DataError(f"{key}.{name}", "missing")
    if not isinstance(value, str) or not value.strip():
        raise _DataError(f"{key}.{name}", "must be non-empty text")
    return value.strip()


def _positive(body: dict[str, Any], name: str, key: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise _DataError(f"{key}.{name}", f"must be a positive number of seconds (got {value!r})")
    if value > 3600:
        raise _DataError(f"{key}.{name}", f"is over an hour ({value!r}); a step is meant to be short")
    return float(value)
