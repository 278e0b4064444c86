"""The checks every field of a routines file goes through: texts, seconds, keys, and the one error type.

Shared by the routine loader (``routine.py``) and the gentle variants (``gentle.py``), so both name a
problem the same way (the key, then what is wrong) and neither imports the other at run time.
"""

from __future__ import annotations

import reprlib
import unicodedata
from typing import Any

from necka_tray.texts.i18n import _

_MAX_STEP_SECONDS = 3600
#: Values in messages: short, and never deeper than a few levels (a file may nest and repeat a lot).
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, 5, 5, 40, 40, 40


class _DataError(Exception):
    def __init__(self, key: str, problem: str, needle: str | None = None) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem
        self.needle = needle  # text on the offending line, when the key spans several lines


def _no_unknown_keys(body: dict[str, Any], allowed: frozenset[str], key: str) -> None:
    for k in body:
        if k not in allowed:
            raise _DataError(f"{key}.{k}" if key else k, _("unknown key (expected one of {allowed})").format(allowed=sorted(allowed)))


#: The longest user text, in characters: a title fits a menu line and a window's heading, the
#: longer texts a few lines of the session window (Necka's own: titles <= 27, texts <= 110).
MAX_TITLE = 60
MAX_TEXT = 300
#: Marks stacked on one letter: more draw over the lines above and below ("Zalgo" text).
_MAX_MARKS = 3


def _marks_fit(text: str) -> bool:
    """Every mark sits on a character, at most ``_MAX_MARKS`` on one.

    A mark is what draws on the character before it: a nonspacing or enclosing mark, whatever its
    combining class (U+20DD's circle, U+0489, the Thai vowels have class 0, so
    ``unicodedata.combining`` misses them). An invisible format character (ZWJ, ZWNJ, a bidi mark)
    neither ends the stack nor starts one: marks after it still pile on the same character.
    """
    on_base, run = False, 0
    for c in text:
        kind = unicodedata.category(c)
        if kind in ("Mn", "Me"):
            run += 1
            if not on_base or run > _MAX_MARKS:
                return False
        elif kind != "Cf":
            on_base, run = True, 0
    return True


def _text(body: dict[str, Any], name: str, key: str, optional: bool = False) -> str:
    """A user text, stripped, within its length, on one line, its marks on characters and few on each."""
    value = body.get(name, "" if optional else None)
    if value is None:
        raise _DataError(f"{key}.{name}", _("missing"))
    if not isinstance(value, str) or not (value.strip() or optional):
        raise _DataError(f"{key}.{name}", _("must be non-empty text") if not optional else _("must be text"))
    text = value.strip()
    if text and not any(unicodedata.category(c) not in ("Cf", "Zs") for c in text):
        raise _DataError(f"{key}.{name}", _("must be non-empty text"))  # only invisible characters: a blank line
    most = MAX_TITLE if name == "title" else MAX_TEXT
    if len(text) > most:
        raise _DataError(f"{key}.{name}", _("is {count} characters long; at most {most} fit").format(
            count=len(text), most=most))
    if any(c in text for c in "\n\r\t\v\f\x85\u2028\u2029") or any(unicodedata.category(c) == "Cc" for c in text):
        raise _DataError(f"{key}.{name}", _("must be one line of text, without control characters"))
    if not _marks_fit(text):
        raise _DataError(f"{key}.{name}", _("has combining marks that are not on a letter, or too many on "
                                            "one (they would draw over other text)"))
    return text


def _positive(body: dict[str, Any], name: str, key: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise _DataError(f"{key}.{name}", _("must be a positive number of seconds (got {value})").format(value=_shown(value)))
    if value > _MAX_STEP_SECONDS:
        raise _DataError(f"{key}.{name}", _("is over an hour ({value}); a step is meant to be short").format(value=_shown(value)))
    return float(value)


def _shown(value: Any) -> str:
    return _REPR.repr(value)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
