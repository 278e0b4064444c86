"""Exercises and routines, loaded from TOML data.

Routines are data (``necka_tray/data/routines.toml``, and the user's own
``routines.toml`` in the config folder) so new ones need no code. The loader
is strict: an unknown key or a bad value raises a ``RoutineError`` naming the
line and the key (``routines.toml: line 12: exercises.tilt_left.hold_seconds:
...``), because a typo in shipped data should fail a test, and a typo in the
user's file should be easy to find in an editor.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from necka_tray.core import progress
import necka_tray.store.tomllines as tomllines
from necka_tray.core.routine_fields import _clip, _DataError, _no_unknown_keys, _positive, _shown, _text
from necka_tray.texts.i18n import _

#: The routine the tray starts when the user has not picked one.
DEFAULT_ROUTINE = "neck"

#: The data format this loader reads (the ``format`` key of the file).
FORMAT = 1

SIDES = ("left", "right")

#: The longest routine or exercise id: it is a name the user types (``--routine ID``, ``default_routine``)
#: and that every session's history row carries (Necka's own: at most 22).
MAX_ID = 40
_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
_EXERCISE_KEYS = frozenset({"title", "instruction", "hold_seconds", "reps", "seconds", "side", "sides",
                            "safety", "pose", "pace_seconds", "gentle"})
_ROUTINE_KEYS = frozenset({"title", "summary", "steps", "unlock", "strengthening"})
_STEP_KEYS = frozenset({"exercise", "seconds", "side"})
_TOP_KEYS = frozenset({"format", "exercises", "routines"})
_MAX_BREATH_SECONDS = 30
_MAX_REPS = 100
@dataclass(frozen=True)
class Exercise:
    """One movement. ``seconds`` is how long its step lasts; ``reps`` is ``None`` for a hold.

    ``side`` fixes the side of a one-sided exercise; ``sides`` makes a routine
    step do each side in turn. ``pace`` is (breathe in, breathe out) seconds for
    a paced breathing exercise.
    """

    id: str
    title: str
    instruction: str
    seconds: float
    safety: str
    pose: str
    reps: int | None = None
    side: str | None = None
    sides: tuple[str, ...] = ()
    pace: tuple[float, float] | None = None
    #: The variant for a bad day (its ``safety`` is the gentle variant's caution), or None.
    gentle: Exercise | None = None

    @property
    def is_hold(self) -> bool:
        return self.reps is None


@dataclass(frozen=True)
class Step:
    """An exercise inside a routine; ``seconds`` may differ from the exercise's own.

    ``side`` is the side this step works (from the exercise, or one of its ``sides``).
    """

    exercise: Exercise
    seconds: float
    side: str | None = None

    @property
    def mirrored(self) -> bool:
        """Drawings of two-sided exercises show the left side; the right side is their mirror image."""
        return self.side == "right" and bool(self.exercise.sides)


@dataclass(frozen=True)
class Routine:
    id: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    #: An unlock rule from ``core.progress`` (None: always available).
    unlock: str | None = None
    #: A strengthening routine: not offered while the check-ins call for a professional (``core.care``).
    strengthening: bool = False

    def gentle(self) -> Routine:
        """The routine for a bad day: each exercise's gentle variant, where it has one (never longer)."""
        steps = tuple(Step(s.exercise.gentle, min(s.seconds, s.exercise.gentle.seconds), s.side)
                      if s.exercise.gentle is not None else s for s in self.steps)
        return dataclasses.replace(self, steps=steps)

    @property
    def total_seconds(self) -> float:
        """Configured length of the whole routine, without pauses."""
        return sum(s.seconds for s in self.steps)

    @property
    def minutes(self) -> int:
        """The length to show before starting: whole minutes, at least one."""
        return max(1, round(self.total_seconds / 60))


class RoutineError(ValueError):
    """Bad routine data: ``str()`` is the one line to show (file, line, key, problem)."""

    def __init__(self, origin: str, line: int | None, key: str, problem: str) -> None:
        where = _("{file}: line {line}").format(file=origin, line=line) if line else origin
        shown = _clip(key, 80)  # a key may be as long as the file
        super().__init__(f"{where}: {shown}: {problem}" if key else f"{where}: {problem}")
        self.origin, self.line, self.key, self.problem = origin, line, key, problem


#: Every pose the session window can draw (``windows/illustrations.py`` draws exactly these; a test
#: checks). Here, not there, so the store checks a user's routines without importing the windows.
POSES = frozenset({
    "tilt_left", "tilt_right", "chin_down", "look_up", "shoulder_rolls", "breathing", "done",
    "shoulder_rolls_back", "shoulder_rolls_forward", "shoulder_squeeze", "shoulders_down", "chin_tuck",
    "press_forward", "press_side", "press_back", "sit_back", "feet_flat", "screen_eye_level",
})


def decode(raw: bytes, origin: str) -> str:
    """A routines file's bytes as text; RoutineError (naming the line) when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise RoutineError(origin, line, "", _("the file is not UTF-8 text: save it as UTF-8")) from None


def load_routines(source: str | os.PathLike[str], base: Mapping[str, Exercise] | None = None,
                  poses: Collection[str] | None = None, origin: str | None = None) -> dict[str, Routine]:
    """Parse routines from TOML text (a ``str``) or a file (a path object).

    ``base``: exercises the routines may use besides their own (the built-in
    ones, for the user's file); the file's own exercises win. ``poses``: the
    drawable poses, when the caller knows them. ``origin`` names the text in
    messages. Returns the routines by id, in file order; raises ``RoutineError``
    on any bad data, whatever its type, shape, size or depth.
    """
    if isinstance(source, os.PathLike):
        path = Path(source)
        origin = origin or str(path)
        text = decode(path.read_bytes(), origin)
    elif isinstance(source, str):
        origin, text = origin or "routines", source
    else:
        raise TypeError(f"load_routines needs TOML text or a path, not {type(source).__name__}")
    try:
        doc = tomllines.loads(text)
    except tomllines.TooDeepError as e:
        raise RoutineError(origin, None, "", str(e)) from None
    except tomllib.TOMLDecodeError as e:
        m = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(e), re.S)
        if m is None:
            raise RoutineError(origin, None, "", _("not valid TOML: {error}").format(error=e)) from None
        where = _("{file}: line {line}, column {column}").format(file=origin, line=m[2], column=m[3])
        raise RoutineError(where, None, "", _("not valid TOML: {error}").format(error=m[1])) from None
    try:
        return _parse(doc, base or {}, poses)
    except _DataError as e:
        path_parts = tuple(re.sub(r"\[\d+\]", "", e.key).split(".")) if e.key else ()
        line = tomllines.line_of(text, path_parts, e.needle) if path_parts else None
        raise RoutineError(origin, line, e.key, e.problem) from None


def merge(builtin: Mapping[str, Routine], user: Mapping[str, Routine]) -> dict[str, Routine]:
    """The built-in routines with the user's: same id replaces in place, new ones come after."""
    return {**builtin, **user}


@functools.cache
def builtin_routines() -> dict[str, Routine]:
    """The routines shipped inside the package (read once; the objects are immutable)."""
    shipped = Path(__file__).parent.parent / "data" / "routines.toml"
    try:
        text = shipped.read_text(encoding="utf-8")
    except OSError:  # installed where files have no path (a zip): ask the import system
        from importlib import resources  # ~0.8 MiB with its readers: only when needed

        text = resources.files("necka_tray").joinpath("data/routines.toml").read_text(encoding="utf-8")
    return load_routines(text)


def builtin_exercises() -> dict[str, Exercise]:
    """Every exercise the shipped routines use, by id (what a user's routine may name)."""
    return {s.exercise.id: s.exercise for r in builtin_routines().values() for s in r.steps}


def _parse(doc: dict[str, Any], base: Mapping[str, Exercise], poses: Collection[str] | None) -> dict[str, Routine]:
    _no_unknown_keys(doc, _TOP_KEYS, "")
    fmt = doc.get("format", FORMAT)
    if fmt != FORMAT:
        raise _DataError("format", _("this version of Necka reads format {format}, not {value}").format(
            format=FORMAT, value=_shown(fmt)))
    own = {ex_id: _exercise(ex_id, body, poses) for ex_id, body in _table(doc, "exercises", "exercises").items()}
    exercises = {**base, **own}
    routines_doc = _table(doc, "routines", "routines")
    if not routines_doc:
        raise _DataError("routines", _("no routines defined"))
    return {r_id: _routine(r_id, body, exercises) for r_id, body in routines_doc.items()}


def _entry_key(section: str, item_id: str, body: Any, keys: frozenset[str]) -> str:
    """``section.item_id``, once the entry's id, type (a table) and keys are checked."""
    key = f"{section}.{item_id}"
    _check_id(item_id, key)
    if not isinstance(body, dict):
        raise _DataError(key, _("must be a table"))
    _no_unknown_keys(body, keys, key)
    return key


def _exercise(ex_id: str, body: Any, poses: Collection[str] | None) -> Exercise:
    key = _entry_key("exercises", ex_id, body, _EXERCISE_KEYS)
    hold = body.get("hold_seconds")
    reps = body.get("reps")
    if hold is not None and reps is not None:
        raise _DataError(f"{key}.reps", _("use either hold_seconds or reps, not both"))
    if hold is not None:
        if "seconds" in body:
            raise _DataError(f"{key}.seconds", _("only for reps; a hold's length is hold_seconds"))
        seconds = _positive(body, "hold_seconds", key)
    elif reps is not None:
        if isinstance(reps, bool) or not isinstance(reps, int) or not 0 < reps <= _MAX_REPS:
            raise _DataError(f"{key}.reps", _("must be a whole number from 1 to {most} (got {value})").format(
                most=_MAX_REPS, value=_shown(reps)))
        if "seconds" not in body:
            raise _DataError(f"{key}.seconds", _("required with reps (how long the step lasts)"))
        seconds = _positive(body, "seconds", key)
    else:
        raise _DataError(f"{key}.hold_seconds", _("missing (or give reps and seconds)"))
    side = body.get("side")
    if side is not None and (not isinstance(side, str) or side not in SIDES):
        raise _DataError(f"{key}.side", _("must be one of {allowed} (got {value})").format(
            allowed=list(SIDES), value=_shown(side)))
    sides = body.get("sides", [])
    if "sides" in body:
        if not (isinstance(sides, list) and sides and all(s in SIDES for s in sides) and len(set(sides)) == len(sides)):
            raise _DataError(f"{key}.sides", _('must be a list of different sides, like ["left", "right"] (got {value})').format(
                value=_shown(sides)))
        if side is not None:
            raise _DataError(f"{key}.sides", _("use either side (one fixed side) or sides (each in turn), not both"))
    pose = _text(body, "pose", key)
    if poses is not None and pose not in poses:
        raise _DataError(f"{key}.pose", _("unknown pose {value}; use one of: {allowed}").format(
            value=_shown(pose), allowed=", ".join(sorted(poses))))
    full = Exercise(
        id=ex_id,
        title=_text(body, "title", key),
        instruction=_text(body, "instruction", key),
        seconds=seconds,
        safety=_text(body, "safety", key),
        pose=pose,
        reps=reps,
        side=side,
        sides=tuple(sides),
        pace=_pace(body, key),
    )
    if "gentle" not in body:
        return full
    from necka_tray.core.gentle import parse_gentle  # here: gentle.py reads this module's checks

    return dataclasses.replace(full, gentle=parse_gentle(full, body["gentle"], f"{key}.gentle", poses))


def _pace(body: dict[str, Any], key: str) -> tuple[float, float] | None:
    if "pace_seconds" not in body:
        return None
    value = body["pace_seconds"]
    ok = isinstance(value, list) and len(value) == 2 and all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and 0 < v <= _MAX_BREATH_SECONDS for v in value)
    if not ok:
        raise _DataError(f"{key}.pace_seconds", _("must be [breathe in, breathe out] in seconds, each above 0 and at "
                                                  "most {most} (got {value})").format(most=_MAX_BREATH_SECONDS,
                                                                                      value=_shown(value)))
    return float(value[0]), float(value[1])


def _routine(r_id: str, body: Any, exercises: dict[str, Exercise]) -> Routine:
    key = _entry_key("routines", r_id, body, _ROUTINE_KEYS)
    steps_doc = body.get("steps")
    if not isinstance(steps_doc, list) or not steps_doc:
        raise _DataError(f"{key}.steps", _("must be a non-empty list of exercise ids"))
    steps: list[Step] = []
    for i, item in enumerate(steps_doc):
        steps += _steps(f"{key}.steps[{i}]", item, exercises)
    summary = _text(body, "summary", key, optional=True)
    unlock = body.get("unlock")
    if unlock is not None and (not isinstance(unlock, str) or unlock not in progress.RULES):
        raise _DataError(f"{key}.unlock", _("must be one of {allowed} (got {value})").format(
            allowed=sorted(progress.RULES), value=_shown(unlock)))
    strengthening = body.get("strengthening", False)
    if not isinstance(strengthening, bool):
        raise _DataError(f"{key}.strengthening", _("must be true or false (got {value})").format(
            value=_shown(strengthening)))
    return Routine(id=r_id, title=_text(body, "title", key), steps=tuple(steps), summary=summary,
                   unlock=unlock, strengthening=strengthening)


def _steps(step_key: str, item: Any, exercises: dict[str, Exercise]) -> list[Step]:
    """The step(s) one list item stands for: an exercise with ``sides`` is one step per side."""
    side = seconds = None
    if isinstance(item, str):
        ex_id = item
    elif isinstance(item, dict):
        _no_unknown_keys(item, _STEP_KEYS, step_key)
        ex_id = item.get("exercise")
        if not isinstance(ex_id, str):
            raise _DataError(f"{step_key}.exercise", _("missing; name an exercise id"))
        seconds = _positive(item, "seconds", step_key) if "seconds" in item else None
        side = item.get("side")
    else:
        raise _DataError(step_key, _("must be an exercise id or a table with 'exercise'"))
    exercise = exercises.get(ex_id)
    if exercise is None:
        known = _clip(", ".join(sorted(exercises)) or _("none"), 300)
        raise _DataError(step_key, _("unknown exercise {value} (known: {known})").format(value=_shown(ex_id), known=known),
                         needle=f'"{ex_id}"')
    length = seconds if seconds is not None else exercise.seconds
    if side is not None:
        if not isinstance(side, str) or side not in exercise.sides:
            raise _DataError(f"{step_key}.side", _("exercise {exercise} has sides {sides}, not {value}").format(
                exercise=_shown(ex_id), sides=list(exercise.sides), value=_shown(side)), needle=f'"{ex_id}"')
        return [Step(exercise, length, side)]
    if exercise.sides:
        return [Step(exercise, length, s) for s in exercise.sides]
    return [Step(exercise, length, exercise.side)]


def _table(doc: dict[str, Any], name: str, key: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise _DataError(key, _("must be a table"))
    return value


def _check_id(value: str, key: str) -> None:
    if len(value) > MAX_ID:
        raise _DataError(key, _("is {count} characters long; at most {most} fit").format(count=len(value), most=MAX_ID))
    if not _ID.match(value):
        raise _DataError(key, _("ids are lower-case letters, digits and underscores"))


def parse_routine_id(value: str) -> str:
    """A routine id as settings name it; ValueError if it cannot be one."""
    if len(value) > MAX_ID or not _ID.match(value):
        raise ValueError(_("{value} is not a routine id (lower-case letters, digits and underscores)").format(
            value=repr(_clip(value, MAX_ID))))
    return value


def duration_text(seconds: float) -> str:
    """A routine's length as shown before it starts: "45 s" under a minute, else "2 min"."""
    if seconds < 60:
        return _("{seconds} s").format(seconds=max(5, 5 * round(seconds / 5)))
    return _("{minutes} min").format(minutes=round(seconds / 60))
