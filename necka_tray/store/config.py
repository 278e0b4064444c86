"""The user's settings in ``config.toml``: schema, forgiving loading, comment-keeping updates.

People edit this file by hand, so reading it never raises for their mistakes:
each bad part is reported in one sentence naming the key (or line), and the
default is used for it while the valid parts still apply. The app writes the
file too (tray menu changes); it then changes only the value on the key's line,
so comments and layout survive, keeps the old bytes in ``config.toml.bak``, and
never overwrites a file it cannot parse: that one is moved aside first.
"""

from __future__ import annotations

import copy
import datetime
import os
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

from necka_tray.core.hours import parse_days, parse_time
from necka_tray.core.reminders import DEFAULT_INTERVALS, Kind
from necka_tray.core.routine import parse_routine_id
from necka_tray.core.tomllines import HEADER_LINE as _HEADER_LINE, KEY_LINE as _KEY_LINE, key_path as _key_path
from necka_tray.store.fsutil import atomic_write

CONFIG_VERSION = 1
INTERVAL_RANGE = (5, 240)
MAX_BYTES = 1 << 20  # a settings file is a few hundred bytes; refuse to slurp anything huge
MAX_PROBLEMS = 20  # more than this only floods the log
_ALL_DEFAULTS = "Using the defaults for every setting."


@dataclass(frozen=True)
class Field:
    """One setting: its type, default, allowed values and one line of help for the default file."""

    type: type
    default: Any
    help: str
    range: tuple[int, int] | None = None
    choices: tuple[Any, ...] | None = None
    unit: str = ""
    #: For strings with a format: raises ValueError with the reason; ``allowed`` describes the format.
    parse: Callable[[Any], Any] | None = None
    format: str = ""

    @property
    def allowed(self) -> str:
        if self.choices:
            return " or ".join(map(_render, self.choices))
        if self.type is bool:
            return "true or false"
        if self.type is float:
            return "a number" + (f" from {self.range[0]:g} to {self.range[1]:g}" if self.range else "")
        if self.type is int:
            unit = f" of {self.unit}" if self.unit else ""
            return f"a whole number{unit}" + (f" from {self.range[0]} to {self.range[1]}" if self.range else "")
        return self.format or "a string"

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not allowed (a phrase), or None when it is."""
        # ``type() is`` and not ``isinstance``: bool is an int subclass, and TOML's 20.0 is a float.
        if type(value) is not self.type and not (self.type is float and type(value) is int):
            return f"has the wrong type ({_type_name(value)})"
        if self.range and not self.range[0] <= value <= self.range[1]:
            return "is out of range"
        if self.choices and value not in self.choices:
            return "is not allowed"
        if self.parse is not None:
            try:
                self.parse(value)
            except ValueError:
                return "is not in the right format"
        return None


#: Every known setting by dotted key, in the order of the default file. One line per new key.
SCHEMA: dict[str, Field] = {
    "config_version": Field(int, CONFIG_VERSION, "Format of this file; leave it as it is.",
                            choices=(CONFIG_VERSION,)),
}
for _k in Kind:
    SCHEMA[f"reminders.{_k.value}.enabled"] = Field(bool, True, f'Show the "{_k.label}" reminder.')
    SCHEMA[f"reminders.{_k.value}.interval_minutes"] = Field(
        int, DEFAULT_INTERVALS[_k], f'Minutes between two "{_k.label}" reminders'
        + (" (the break interval)." if _k is Kind.STRETCH else "."), range=INTERVAL_RANGE, unit="minutes")
del _k
SCHEMA.update({
    "idle.natural_break_minutes": Field(int, 5, "Away from the computer this long counts as a break: "
                                        "the countdowns start again when you are back.", range=(1, 60), unit="minutes"),
    "quiet.fullscreen": Field(bool, True, "Hold reminders while a full-screen window is open "
                              "(a presentation, a film, a game) or do-not-disturb is on."),
    "quiet.calls": Field(bool, True, "Hold reminders during a call (microphone, camera or screen sharing in use); "
                         "one catch-up reminder comes when it ends."),
    "quiet.max_delay_minutes": Field(int, 30, "Show a held reminder anyway after this long (not during a call).",
                                     range=(1, 240), unit="minutes"),
    "schedule.enabled": Field(bool, False, "Remind only within working hours (the days and times below)."),
    "schedule.days": Field(str, "mon-fri", "Working days.", parse=parse_days,
                           format='days like "mon-fri" or "mon,wed,fri"'),
    "schedule.start": Field(str, "09:00", "Start of working hours (24-hour clock).", parse=parse_time,
                            format='a time like "09:00"'),
    "schedule.end": Field(str, "17:30", "End of working hours; before the start means past midnight.",
                          parse=parse_time, format='a time like "17:30"'),
})
SCHEMA["stats.streak_min_sessions"] = Field(int, 2, "Stretch sessions a day that keep your streak going.", range=(1, 20), unit="sessions")
SCHEMA["history.retention_days"] = Field(int, 90, "Keep every event this long; older days are kept as one summary row each.", range=(14, 3650), unit="days")
SCHEMA["session.default_routine"] = Field(str, "neck", "The routine a stretch break runs (an id from the tray's Routines menu or your routines.toml).", parse=parse_routine_id, format="a routine id like \"neck\" or \"shoulders\"")
SCHEMA["session.rotate"] = Field(bool, False, "Stretch breaks take turns through the routines instead of always the default.")
SCHEMA["session.theme"] = Field(str, "default", "The look of the session window and Necka's pages.", choices=("default", "high-contrast"))
SCHEMA["session.text_scale"] = Field(float, 1.0, "Text size in the session window, on top of the desktop's font scaling (1.25: a quarter larger).", range=(0.75, 2.0))
SCHEMA["session.reduced_motion"] = Field(bool, False, "Show still pictures instead of animations (the breathing circle).")
SCHEMA["session.sound"] = Field(bool, False, "Play a soft tone when the session moves to the next step.")


@dataclass(frozen=True)
class ReminderSettings:
    enabled: bool
    interval_minutes: int


@dataclass(frozen=True)
class Settings:
    """Validated settings: every schema key has an allowed value (the default where the file had none)."""

    values: Mapping[str, Any] = field(hash=False)

    @classmethod
    def defaults(cls) -> Settings:
        return cls(MappingProxyType({k: f.default for k, f in SCHEMA.items()}))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def reminder(self, kind: Kind) -> ReminderSettings:
        table = f"reminders.{kind.value}"
        return ReminderSettings(self[f"{table}.enabled"], self[f"{table}.interval_minutes"])

    @property
    def break_interval_minutes(self) -> int:
        return self[f"reminders.{Kind.STRETCH.value}.interval_minutes"]

    def replace(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with ``changes`` applied; ValueError for an unknown key or a value not allowed."""
        _validate(changes)
        return Settings(MappingProxyType({**self.values, **changes}))


@dataclass(frozen=True)
class Loaded:
    """What :func:`load` found: ``exists`` (something is at the path), ``parsed`` (it is valid TOML)."""

    settings: Settings
    problems: list[str]
    exists: bool
    parsed: bool


def load(path: Path | str) -> Loaded:
    """Read the settings; never raises for a bad file, reports each problem in ``problems`` instead."""
    path = Path(path)
    exists, _raw, _text, doc, problems = _read(path)
    values: dict[str, Any] = {}
    if doc is not None:
        values, more = _collect(doc, path.name)
        problems += more
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"{path.name}: ... and {len(problems) - MAX_PROBLEMS} more problems."]
    return Loaded(Settings.defaults().replace(values), problems, exists, doc is not None)


def ensure_exists(path: Path | str) -> bool:
    """On first run write the commented default file, so "Open settings file" has something to open.

    Anything already at ``path`` (even a broken file) is left alone. Returns True when it wrote.
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, default_text().encode())
    return True


def update(path: Path | str, changes: Mapping[str, Any]) -> list[str]:
    """Save ``changes`` (dotted key -> value), changing nothing else in the user's text.

    A missing (or empty) file becomes the commented default file. An existing one is edited in
    place after a byte-for-byte copy to ``<name>.bak``. One that does not parse, or that cannot
    be edited safely, is moved to ``<name>.broken-<time>`` and replaced by a default file.
    Raises ValueError for an unknown key or a value not allowed (a bug in the caller), OSError
    when the path cannot be read or written. Returns messages for the user and the log.
    """
    path = Path(path)
    _validate(changes)
    if not changes:
        return []
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a settings file")
    exists, raw, text, doc, problems = _read(path)
    if exists and raw is None:
        raise OSError(problems[0].removesuffix(" " + _ALL_DEFAULTS))
    what = ", ".join(f"{k} = {_render(v)}" for k, v in changes.items())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not exists or (doc is not None and not text.strip()):
        if exists:
            atomic_write(path.with_name(path.name + ".bak"), raw)
        atomic_write(path, default_text(changes).encode())
        return [f"{path}: wrote a new settings file with {what}."]
    new_text = _edit(text, doc, changes) if doc is not None else None
    if new_text is not None:
        atomic_write(path.with_name(path.name + ".bak"), raw)
        atomic_write(path, new_text.encode())
        bom = " and removed its byte-order mark" if raw.startswith(b"\xef\xbb\xbf") else ""
        return [f"{path}: saved {what}{bom} (the previous file is kept as {path.name}.bak)."]
    # Unparsable, or no safe in-place edit: move the user's file aside, never overwrite it silently.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup, n = path.with_name(f"{path.name}.broken-{stamp}"), 0
    while backup.exists() or backup.is_symlink():
        n += 1
        backup = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.replace(path, backup)
    kept = _collect(doc, path.name)[0] if doc is not None else {}
    atomic_write(path, default_text({**kept, **changes}).encode())
    why = "could not be edited safely"
    if doc is None:
        why = f"could not be read ({problems[-1].removesuffix(' ' + _ALL_DEFAULTS)})"
    return [f"{path}: the settings file {why}, so it was moved to {backup.name} and a fresh "
            f"settings file was written with {what}{' and your other valid settings' if kept else ''}."]


def default_text(values: Mapping[str, Any] | None = None) -> str:
    """The commented default file: every key with its meaning and allowed values; ``values`` override."""
    values = {**Settings.defaults().values, **(values or {})}
    tables: dict[tuple[str, ...], list[str]] = {}
    for key in SCHEMA:
        tables.setdefault(tuple(key.split("."))[:-1], []).append(key)
    out = ["# Necka settings (config.toml): the break reminder in your system tray reads its settings here.\n"
           "# Edit it with any text editor. The tray menu updates values in this file and keeps your comments.\n"
           "# A missing or invalid value is replaced by its default, and the problem is written to the log.\n"
           "# Format: TOML, see https://toml.io\n"]
    for table, keys in sorted(tables.items(), key=lambda t: len(t[0]) > 0):  # top-level keys come first
        out.append(f"\n[{_dotted(table)}]\n" if table else "\n")
        for key in keys:
            f = SCHEMA[key]
            out.append(f"# {f.help}\n# Allowed: {f.allowed}. Default: {_render(f.default)}.\n"
                       f"{key.rsplit('.', 1)[-1]} = {_render(values[key])}\n")
    return "".join(out)


# -- reading ------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[bool, bytes | None, str | None, dict | None, list[str]]:
    """(exists, raw bytes, text, parsed document, problems); each later part is None when unavailable."""
    if path.is_dir():
        return True, None, None, None, [f"{path}: is a directory, not a settings file. {_ALL_DEFAULTS}"]
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return False, None, None, None, []
    except OSError as e:
        return True, None, None, None, [f"{path}: cannot be read ({e.strerror or e}). {_ALL_DEFAULTS}"]
    name, bom = path.name, raw.startswith(b"\xef\xbb\xbf")
    if len(raw) > MAX_BYTES:
        return True, raw, None, None, [f"{name}: the file is larger than {MAX_BYTES} bytes, "
                                       f"too large for a settings file. {_ALL_DEFAULTS}"]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True, raw, None, None, [f"{name}: line 1: the file is UTF-16 text: save it as UTF-8. {_ALL_DEFAULTS}"]
    try:
        text = raw[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + (3 if bom else 0)
        line, col = raw.count(b"\n", 0, at) + 1, at - raw.rfind(b"\n", 0, at)
        return True, raw, None, None, [f"{name}: line {line}, column {col}: byte 0x{raw[at]:02x} is not valid UTF-8: "
                                       f"save the file as UTF-8. {_ALL_DEFAULTS}"]
    problems = [f"{name}: line 1: the file starts with a byte-order mark (BOM), which TOML does not allow; "
                "it was skipped. Save the file as UTF-8 without BOM."] if bom else []
    try:
        return True, raw, text, tomllib.loads(text), problems
    except tomllib.TOMLDecodeError as e:
        m = re.fullmatch(r"(.*) \(at (.*)\)", str(e), re.S)
        what, where = m.groups() if m else (str(e), "somewhere")
        problems.append(f"{name}: {where}: invalid TOML: {what}. "
                        f"Fix it (see https://toml.io) or delete the file. {_ALL_DEFAULTS}")
    except RecursionError:
        problems.append(f"{name}: values are nested too deeply to read. {_ALL_DEFAULTS}")
    return True, raw, text, None, problems


def _collect(doc: dict, name: str) -> tuple[dict[str, Any], list[str]]:
    """The allowed values in a parsed document, and a sentence for every part that is not used."""
    keys = {tuple(k.split(".")): k for k in SCHEMA}
    tables = {p[:i] for p in keys for i in range(1, len(p))}
    values: dict[str, Any] = {}
    problems: list[str] = []

    def walk(table: dict, prefix: tuple[str, ...]) -> None:
        for k, v in table.items():
            path = prefix + (k,)
            shown = _clip(_dotted(path))
            if path in keys:
                f = SCHEMA[keys[path]]
                why = "is a table, but a value is expected" if isinstance(v, dict) else f.check(v)
                if why is None:
                    values[keys[path]] = v
                else:
                    lhs = shown if isinstance(v, dict) else f"{shown} = {_clip(_render(v))}"
                    problems.append(f"{name}: {lhs} {why}: use {f.allowed}. Using the default ({_render(f.default)}).")
            elif path in tables and isinstance(v, dict):
                walk(v, path)
            elif path in tables:
                problems.append(f"{name}: {shown} = {_clip(_render(v))} should be a table ([{shown}] holding "
                                f"{', '.join(_children(keys, path))}): it is ignored. Using the defaults for {shown}.*.")
            else:
                # Match the last part (a typo there), then pick the nearest full key that ends with it.
                import difflib  # only for a typo in the user's file

                near = difflib.get_close_matches(k, {p[-1] for p in (*keys, *tables)}, n=1, cutoff=0.6)
                full = [".".join(p) for p in (*keys, *tables) if near and p[-1] == near[0]]
                close = difflib.get_close_matches(".".join(path), full, n=1, cutoff=0)
                where = f"in [{_dotted(prefix)}]" if prefix else "at the top level"
                hint = f" Did you mean {close[0]}?" if close else ""
                problems.append(f"{name}: unknown setting {shown} is ignored; known {where}: "
                                f"{', '.join(_children(keys, prefix))}.{hint}")

    walk(doc, ())
    return values, problems


def _children(keys: Mapping[tuple[str, ...], str], prefix: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(p[len(prefix)] for p in keys if p[: len(prefix)] == prefix and len(p) > len(prefix)))


def _validate(changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if key not in SCHEMA:
            raise ValueError(f"unknown setting {key!r}")
        if why := SCHEMA[key].check(value):
            raise ValueError(f"{key} = {value!r} {why}: use {SCHEMA[key].allowed}")


# -- editing the user's text --------------------------------------------------------------------



def _edit(text: str, doc: dict, changes: Mapping[str, Any]) -> str | None:
    """``text`` with ``changes`` made in place, or None when no candidate edit re-parses to exactly
    the old document plus the change (the check that keeps this line-based editor safe)."""
    for key, value in changes.items():
        path = tuple(key.split("."))
        want = copy.deepcopy(doc)
        d = want
        for k in path[:-1]:
            d = d.setdefault(k, {})
            if not isinstance(d, dict):
                return None
        d[path[-1]] = value
        for candidate in _candidates(text, path, value):
            try:
                if tomllib.loads(candidate) == want:
                    break
            except (tomllib.TOMLDecodeError, RecursionError):
                pass
        else:
            return None
        text, doc = candidate, want
    return text


def _candidates(text: str, path: tuple[str, ...], value: Any) -> Iterator[str]:
    """Possible edits, best first: replace the value in place; add the key at the end of its table;
    append the table to the file; add a dotted key to a parent table (for files using dotted keys)."""
    nl = "\r\n" if "\r\n" in text else "\n"
    lines = re.findall(r"[^\n]*\n|[^\n]+", text)
    owner: list[tuple[str, ...] | None] = []  # the table each line belongs to (None: array of tables)
    headers: dict[tuple[str, ...], int] = {(): -1}
    table: tuple[str, ...] | None = ()
    for i, line in enumerate(lines):
        if (m := _HEADER_LINE.fullmatch(line.rstrip("\r\n"))) and (p := _key_path(m[2])) is not None:
            table = None if m[1] == "[[" else p
            if table is not None:
                headers.setdefault(table, i)
        owner.append(table)
    for i, line in enumerate(lines):
        content = line.rstrip("\r\n")
        m = _KEY_LINE.fullmatch(content)
        if m and owner[i] is not None and owner[i] + (_key_path(m[2]) or ("",)) == path:
            rest = m[4]
            for cut in [j for j, c in enumerate(rest) if c == "#"] + [len(rest)]:
                old = rest[:cut].rstrip()
                if _parses(old):
                    yield "".join(lines[:i]) + m[1] + m[2] + m[3] + _render(value) + rest[len(old):] \
                        + line[len(content):] + "".join(lines[i + 1:])
                    break
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += nl
    ends = {t: _section_end(lines, h) for t, h in headers.items()}
    if path[:-1] in ends:
        yield _insert(lines, ends[path[:-1]], f"{_dotted(path[-1:])} = {_render(value)}{nl}")
    if path[:-1]:
        table_text = f"[{_dotted(path[:-1])}]{nl}{_dotted(path[-1:])} = {_render(value)}{nl}"
        yield "".join(lines) + (nl if lines else "") + table_text
    for n in range(len(path) - 2, -1, -1):
        if path[:n] in ends:
            yield _insert(lines, ends[path[:n]], f"{_dotted(path[n:])} = {_render(value)}{nl}")


def _section_end(lines: list[str], header: int) -> int:
    """Where to insert a key in the section after line ``header``: after its last non-comment line."""
    starts = (i for i in range(header + 1, len(lines)) if _HEADER_LINE.fullmatch(lines[i].rstrip("\r\n")))
    end = next(starts, len(lines))
    while end > header + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _insert(lines: list[str], at: int, new: str) -> str:
    return "".join(lines[:at]) + new + "".join(lines[at:])


def _parses(value: str) -> bool:
    try:
        tomllib.loads(f"v = {value}")
        return True
    except tomllib.TOMLDecodeError:
        return False


# -- rendering ----------------------------------------------------------------------------------


def _render(v: Any) -> str:
    """``v`` written as TOML (containers get a short stand-in: this is also used in messages)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + re.sub(r'["\\\x00-\x1f\x7f]', lambda m: f"\\u{ord(m[0]):04x}", v) + '"'
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(map(_render, v[:5])) + (", ...]" if len(v) > 5 else "]")
    return "{...}"


def _type_name(v: Any) -> str:
    names = {bool: "a boolean", int: "a whole number", float: "a decimal number", str: "a string", list: "an array"}
    return names.get(type(v), "a table" if isinstance(v, dict) else "a date or time")


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else _render(p) for p in path)


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."
