"""Where a key sits in a TOML text, line by line; and ``tomllib.loads`` without a RecursionError.

``tomllib`` gives a line and column only for syntax errors; a value that
parses but is wrong (a negative hold, an unknown exercise) should still be
reported at its line, so people find it in their editor. This reads the text
the way a person does: table headers and ``key = value`` lines, skipping what
lies inside a value written over several lines (a multi-line string or
array), where a ``[table]``-looking line is text, not a header. Edits of
``config.toml`` go through tomlkit (``config.py``), not through this.

Standard library (and ``i18n``) only: the core's routine parser uses it too.
"""

from __future__ import annotations

import re
import tomllib

from necka_tray.texts.i18n import _

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
    starts = _statement_lines(lines)
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (how many parts of path matched, line index)
    for i in starts:
        line = lines[i]
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
            if j > start and j in starts and HEADER_LINE.fullmatch(lines[j]):
                break
            if needle in lines[j]:
                return j + 1
    return start + 1


def _statement_lines(lines: list[str]) -> set[int]:
    """Indexes of the lines that begin outside any value (not inside a multi-line string or array)."""
    starts: set[int] = set()
    quote, depth = None, 0  # an open multi-line string's delimiter; open brackets of a value
    for i, line in enumerate(lines):
        if quote is None and depth == 0:
            starts.add(i)
            if HEADER_LINE.fullmatch(line):
                continue
            m = KEY_LINE.fullmatch(line)
            if m is None:
                continue
            line = m[4]
        quote, depth = _scan(line, quote, depth)
    return starts


def _scan(s: str, quote: str | None, depth: int) -> tuple[str | None, int]:
    """The open multi-line string and bracket depth after reading ``s`` (part of a value)."""
    i, n = 0, len(s)
    while i < n:
        if quote is not None:  # inside a multi-line string: find its end
            j = i
            while j < n and not s.startswith(quote, j):
                j += 2 if quote == '"""' and s[j] == "\\" else 1
            if j >= n:
                return quote, depth
            i, closed, quote = j + 3, quote[0], None
            for _extra in range(2):  # ``""""`` ends the string with a quote of its content
                if i < n and s[i] == closed:
                    i += 1
            continue
        c = s[i]
        if c == "#":
            break
        if s.startswith('"""', i) or s.startswith("'''", i):
            quote, i = s[i:i + 3], i + 3
        elif c in "\"'":
            j = i + 1
            while j < n and s[j] != c:
                j += 2 if c == '"' and s[j] == "\\" else 1
            i = j + 1
        else:
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth = max(0, depth - 1)
            i += 1
    return quote, depth


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
