"""Where a key sits in a TOML text, line by line.

``tomllib`` gives a line and column only for syntax errors; a value that
parses but is wrong (a negative hold, an unknown exercise) should still be
reported at its line, so people find it in their editor. This reads the text
the way a person does: table headers and ``key = value`` lines. It is also the
line model ``config.py`` uses to edit values in place.
"""

from __future__ import annotations

import re
import tomllib

from necka_tray.i18n import _

class TooDeepError(ValueError):
    """The document nests arrays or inline tables deeper than tomllib can follow."""


def loads(text: str) -> dict:
    """``tomllib.loads``, with a too deeply nested document as a TooDeepError, not a RecursionError.

    tomllib recurses once per nesting level of arrays and inline tables (a 1,000-deep ``[[[...]]]``
    overflows the stack); the code that reads the result walks only the few levels it knows and
    renders values with a depth cap. A syntax error still raises ``tomllib.TOMLDecodeError``.
    """
    nul = text.find("\0")
    if nul >= 0:  # tomllib says only "Invalid statement": name what is wrong, and where
        line, column = text.count("\n", 0, nul) + 1, nul - text.rfind("\n", 0, nul)
        raise tomllib.TOMLDecodeError(_("a NUL byte (0x00), which TOML does not allow: remove it") +
                                      f" (at line {line}, column {column})")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise TooDeepError(_("values are nested too deeply to read")) from None


_BARE = re.compile(r"[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*")
_SEG = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY = rf"{_SEG}(?:[ \t]*\.[ \t]*{_SEG})*"
#: ``key = value`` (groups: indent, key, `` = ``, the rest of the line).
KEY_LINE = re.compile(rf"([ \t]*)({_KEY})([ \t]*=[ \t]*)(.*)")
#: ``[table]`` or ``[[array]]`` (groups: the opening bracket(s), the key).
HEADER_LINE = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY})[ \t]*\]\]?[ \t]*(?:#.*)?")


def key_path(key: str) -> tuple[str, ...] | None:
    """The parts of a TOML key as written in the file (quotes and escapes resolved by tomllib)."""
    if _BARE.fullmatch(key):  # the common case, without a parse per line
        return tuple(part.strip(" \t") for part in key.split("."))
    try:
        d, path = tomllib.loads(f"{key} = 0"), ()
    except tomllib.TOMLDecodeError:
        return None
    while isinstance(d, dict):
        ((k, d),) = d.items()
        path += (k,)
    return path


def line_of(text: str, path: tuple[str, ...], needle: str | None = None) -> int | None:
    """The 1-based line that defines ``path`` (a key, or the nearest table above a missing key).

    With ``needle``, the first line from there on (within its table) that contains it: the
    element of a list written over several lines.
    """
    lines = text.splitlines()
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (how many parts of path matched, line index)
    for i, line in enumerate(lines):
        if (m := HEADER_LINE.fullmatch(line)) and (p := key_path(m[2])) is not None:
            table = p
            found = p
        elif (m := KEY_LINE.fullmatch(line)) and (p := key_path(m[2])) is not None:
            found = table + p
        else:
            continue
        common = _common(found, path)
        if common == len(found) and (best is None or common > best[0]):
            best = (common, i)
            if common == len(path):
                break
    if best is None:
        return None
    start = best[1]
    if needle:
        for j in range(start, len(lines)):
            if j > start and HEADER_LINE.fullmatch(lines[j]):
                break
            if needle in lines[j]:
                return j + 1
    return start + 1


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
