"""The user's settings in ``config.toml``: forgiving loading, comment-keeping updates (schema: ``schema.py``).

People edit this file by hand, so reading it never raises for their mistakes:
each bad part is reported in one sentence naming the key (or line), and the
default is used for it while the valid parts still apply. The app writes the
file too (tray menu changes): tomlkit edits any valid TOML in place, so comments
and layout survive; the old bytes are kept in ``config.toml.bak``; a symlink
stays a symlink; a read-only file is never rewritten; and a file it cannot parse
is moved aside first, never overwritten.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from necka_tray.core.reminders import Kind
from necka_tray.store import tomllines
from necka_tray.store.fsutil import atomic_write, read_user_file
from necka_tray.store.schema import CONFIG_VERSION, INTERVAL_RANGE, SCHEMA, Field  # noqa: F401 (re-exported)
from necka_tray.store.schema import render as _render
from necka_tray.i18n import N_, _, ngettext

#: The default file is ~3 KiB; 64 KiB keeps any load (parse and checks) well under 100 ms.
MAX_BYTES = 64 << 10
MAX_PROBLEMS = 20  # more than this only floods the log
_ALL_DEFAULTS = N_("Using the defaults for every setting.")


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
    extra = 0
    if doc is not None:
        values, more, extra = _collect(doc, str(path), MAX_PROBLEMS - len(problems))
        problems += more
    if extra:
        problems.append(ngettext("{file}: ... and {count} more problem.", "{file}: ... and {count} more problems.",
                                 extra).format(file=path, count=extra))
    return Loaded(Settings.defaults().replace(values), problems, exists, doc is not None)


def stamp(path: Path | str) -> tuple[int, int, int] | None:
    """(modification time, size, inode) of the file at ``path``, None when there is none: a
    change means a hand edit (or a replaced file) to read again. One ``stat``, never blocks."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


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

    A missing (or empty) file becomes the commented default file. An existing valid one is
    edited in place by tomlkit after a byte-for-byte copy to ``<name>.bak``; a symlink's target
    is what is replaced. One that does not parse, or whose edit would not re-parse to exactly the
    change, is moved to ``<name>.broken-<time>`` and replaced by a default file. Raises ValueError
    for an unknown key or a value not allowed (a bug in the caller), OSError when the path
    cannot be read or written or the file is read-only (nothing is changed then). Returns
    messages for the user and the log.
    """
    path = Path(path)
    _validate(changes)
    if not changes:
        return []
    if path.is_dir():
        raise IsADirectoryError(_("{path} is a directory, not a settings file").format(path=path))
    exists, raw, text, doc, problems = _read(path)
    if exists and raw is None:
        raise OSError(problems[0].removesuffix(" " + _(_ALL_DEFAULTS)))
    if exists and not (os.stat(path).st_mode & stat.S_IWUSR and os.access(path, os.W_OK)):
        raise PermissionError(_("{path}: the file is read-only, so the change was not saved").format(path=path))
    what = ", ".join(f"{k} = {_render(v)}" for k, v in changes.items())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not exists or (doc is not None and not text.strip()):
        if exists:
            atomic_write(path.with_name(path.name + ".bak"), raw)
        atomic_write(path, default_text(changes).encode())
        return [_("{path}: wrote a new settings file with {what}.").format(path=path, what=what)]
    new_text = _edit(text, doc, changes) if doc is not None else None
    if new_text is not None:
        atomic_write(path.with_name(path.name + ".bak"), raw)
        atomic_write(path, new_text.encode())
        if raw.startswith(b"\xef\xbb\xbf"):
            message = _("{path}: saved {what} and removed its byte-order mark (the previous file is kept as {backup}).")
        else:
            message = _("{path}: saved {what} (the previous file is kept as {backup}).")
        return [message.format(path=path, what=what, backup=path.with_name(path.name + ".bak"))]
    # Unparsable, or no safe in-place edit: move the user's file aside, never overwrite it silently.
    # A symlink's target is moved (next to it), so the link stays and points to the fresh file.
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    mode = stat.S_IMODE(os.stat(real).st_mode) if real is not path else 0o600  # the fresh target keeps it
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup, n = real.with_name(f"{real.name}.broken-{stamp}"), 0
    while backup.exists() or backup.is_symlink():
        n += 1
        backup = real.with_name(f"{real.name}.broken-{stamp}-{n}")
    os.replace(real, backup)
    kept = _collect(doc, str(path))[0] if doc is not None else {}
    atomic_write(path, default_text({**kept, **changes}).encode(), mode=mode)
    why = _("could not be edited safely")
    if doc is None:
        why = _("could not be read ({problem})").format(problem=problems[-1].removesuffix(" " + _(_ALL_DEFAULTS)))
    if kept:
        message = _("{path}: the settings file {why}, so it was moved to {backup} and a fresh settings file was "
                    "written with {what} and your other valid settings.")
    else:
        message = _("{path}: the settings file {why}, so it was moved to {backup} and a fresh settings file was "
                    "written with {what}.")
    return [message.format(path=path, why=why, backup=backup, what=what)]


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
    try:
        raw = read_user_file(path, MAX_BYTES)
    except FileNotFoundError:
        return False, None, None, None, []
    except OSError as e:
        return True, None, None, None, [f"{e}. {_(_ALL_DEFAULTS)}"]
    name, bom = str(path), raw.startswith(b"\xef\xbb\xbf")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True, raw, None, None, [_("{file}: line 1: the file is UTF-16 text: save it as UTF-8.").format(file=name)
                                       + " " + _(_ALL_DEFAULTS)]
    try:
        text = raw[3 if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + (3 if bom else 0)
        line, col = raw.count(b"\n", 0, at) + 1, at - raw.rfind(b"\n", 0, at)
        return True, raw, None, None, [_("{file}: line {line}, column {column}: byte {byte} is not valid UTF-8: save the "
                                         "file as UTF-8.").format(file=name, line=line, column=col, byte=f"0x{raw[at]:02x}")
                                       + " " + _(_ALL_DEFAULTS)]
    problems = [_("{file}: line 1: the file starts with a byte-order mark (BOM), which TOML does not allow; it was "
                  "skipped. Save the file as UTF-8 without BOM.").format(file=name)] if bom else []
    try:
        return True, raw, text, tomllines.loads(text), problems
    except tomllines.TooDeepError as e:
        problems.append(f"{name}: {e}. {_(_ALL_DEFAULTS)}")
        return True, raw, text, None, problems
    except tomllib.TOMLDecodeError as e:
        m = re.fullmatch(r"(.*) \(at (.*)\)", str(e), re.S)
        what, where = m.groups() if m else (str(e), _("somewhere"))
        problems.append(_("{file}: {where}: invalid TOML: {problem}. Fix it (see https://toml.io) or delete the "
                          "file.").format(file=name, where=where, problem=what) + " " + _(_ALL_DEFAULTS))
    return True, raw, text, None, problems


def _collect(doc: dict, name: str, limit: int = MAX_PROBLEMS) -> tuple[dict[str, Any], list[str], int]:
    """The allowed values in a parsed document, a sentence for each of the first ``limit`` parts
    that are not used, and how many more there are. Sentences are built only for those reported:
    a spelling suggestion costs ~0.2 ms, and a file may hold tens of thousands of unknown keys."""
    keys = {tuple(k.split(".")): k for k in SCHEMA}
    tables = {p[:i] for p in keys for i in range(1, len(p))}
    values: dict[str, Any] = {}
    problems: list[str] = []
    extra = 0

    def report(sentence: Callable[[], str]) -> None:
        nonlocal extra
        if len(problems) < limit:
            problems.append(sentence())
        else:
            extra += 1

    def walk(table: dict, prefix: tuple[str, ...]) -> None:
        for k, v in table.items():
            path = prefix + (k,)
            if path in keys:
                f = SCHEMA[keys[path]]
                why = _("is a table, but a value is expected") if isinstance(v, dict) else f.check(v)
                if why is None:
                    values[keys[path]] = v
                else:
                    report(lambda: _("{file}: {setting} {why}: use {allowed}. Using the default ({default}).").format(
                        file=name, setting=_shown(path, v), why=why, allowed=f.allowed, default=_render(f.default)))
            elif path in tables and isinstance(v, dict):
                walk(v, path)
            elif path in tables:
                report(lambda: _("{file}: {setting} should be a table ([{table}] holding {keys}): it is ignored. "
                                 "Using the defaults for {table}.*.").format(
                    file=name, setting=_shown(path, v), table=_clip(_dotted(path)), keys=", ".join(_children(keys, path))))
            else:
                report(lambda: _unknown(name, path, keys, tables))

    walk(doc, ())
    return values, problems, extra


def _shown(path: tuple[str, ...], v: Any) -> str:
    shown = _clip(_dotted(path))
    return shown if isinstance(v, dict) else f"{shown} = {_clip(_render(v))}"


def _unknown(name: str, path: tuple[str, ...], keys: Mapping[tuple[str, ...], str],
             tables: set[tuple[str, ...]]) -> str:
    """The sentence for an unknown key: the known ones beside it, and the nearest as a hint."""
    import difflib  # only for a typo in the user's file

    # Match the last part (a typo there), then pick the nearest full key that ends with it.
    near = difflib.get_close_matches(path[-1], {p[-1] for p in (*keys, *tables)}, n=1, cutoff=0.6)
    full = [".".join(p) for p in (*keys, *tables) if near and p[-1] == near[0]]
    close = difflib.get_close_matches(".".join(path), full, n=1, cutoff=0)
    prefix = path[:-1]
    if prefix:
        message = _("{file}: unknown setting {setting} is ignored; known in [{table}]: {keys}.")
    else:
        message = _("{file}: unknown setting {setting} is ignored; known at the top level: {keys}.")
    message = message.format(file=name, setting=_clip(_dotted(path)), table=_dotted(prefix),
                             keys=", ".join(_children(keys, prefix)))
    return message + (" " + _("Did you mean {key}?").format(key=close[0]) if close else "")


def _children(keys: Mapping[tuple[str, ...], str], prefix: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(p[len(prefix)] for p in keys if p[: len(prefix)] == prefix and len(p) > len(prefix)))


def _validate(changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if key not in SCHEMA:
            raise ValueError(_("unknown setting {key}").format(key=repr(key)))
        if why := SCHEMA[key].check(value):
            raise ValueError(_("{setting} {why}: use {allowed}").format(
                setting=f"{key} = {value!r}", why=why, allowed=SCHEMA[key].allowed))


# -- editing the user's text --------------------------------------------------------------------


def _edit(text: str, doc: dict, changes: Mapping[str, Any]) -> str | None:
    """``text`` with ``changes`` made by tomlkit (any valid TOML: inline tables, dotted keys;
    comments and layout kept), or None when the result does not re-parse to exactly the old
    document plus the changes (then the caller moves the file aside instead of guessing)."""
    import tomlkit  # only when the menu writes: never at tray start-up

    want = copy.deepcopy(doc)
    try:
        edited = tomlkit.parse(text)
        for key, value in changes.items():
            *tables, last = key.split(".")
            mine, theirs = want, edited
            for part in tables:
                mine = mine.setdefault(part, {})
                if part not in theirs:
                    inline = isinstance(theirs, tomlkit.items.InlineTable)
                    theirs[part] = tomlkit.inline_table() if inline else tomlkit.table()
                theirs = theirs[part]
                if not isinstance(mine, dict):
                    return None
            mine[last] = theirs[last] = value
        new_text = tomlkit.dumps(edited)
        if "\r\n" in text:  # lines tomlkit adds end in "\n"; keep the file's own line ends
            new_text = re.sub(r"(?<!\r)\n", "\r\n", new_text)
        return new_text if tomllines.loads(new_text) == want else None
    except Exception:  # noqa: BLE001 - tomlkit's own errors vary by version: any of them means "not safely"
        return None


# -- rendering ----------------------------------------------------------------------------------


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else _render(p) for p in path)


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."
