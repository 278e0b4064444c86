"""Property-based fuzzing of the two parsers of the user's files: config.toml and routines.toml.

Each parser gets three generators (TOML-ish token soup, structured documents serialized by
tomlkit, raw bytes); with the ``ci`` profile's 700 cases each that is 2,100 per parser (20x
under ``--hypothesis-profile=long``, see tests/conftest.py). Asserted for every case: no
exception but the documented ones (``config.load`` and ``load_catalogue`` never raise;
``load_routines`` raises only RoutineError), the user's bytes unchanged by a load (and, for a
menu write, kept: unchanged, or in ``.bak``, or in ``.broken-*``), and a load time bound.
"""

from __future__ import annotations

import datetime
import json
import shutil
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

from necka_tray.core.routine import RoutineError, builtin_exercises, builtin_routines, load_routines  # noqa: E402
from necka_tray.store import config  # noqa: E402
from necka_tray.store.routines import load_catalogue  # noqa: E402
from necka_tray.core.reminders import Kind

#: Generous (CPU seconds): a load at the size cap takes ~30-80 ms here; a case is far smaller.
LOAD_BOUND_S = 1.0

# -- generators -------------------------------------------------------------------------------------

TOKENS = ["[", "]", "[[", "]]", "=", " = ", '"', "'", '"""', "'''", "{", "}", ",", ".", "\n", "\r\n", "#", " ",
          "\t", "\\", "\\u00e9", "\x00", "\x7f", "é", "💥", "\ufeff", "true", "false", "0", "-1", "1e400",
          "0x1F", "0o7", "0b1", "+inf", "nan", "1_000", "9223372036854775808", "3.14", "1979-05-27T07:32:00Z",
          "07:32:00", "1979-05-27", "reminders", "stretch", "posture", "interval_minutes", "enabled", "session",
          "theme", "schedule", "days", "config_version", "exercises", "routines", "steps", "title", "format",
          "hold_seconds", "reps", "seconds", "side", "sides", "pose", "unlock", "tilt_left", "neck", "[" * 40,
          "gentle", "caution", "strengthening"]
token_soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=60).map("".join)

scalars = (st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.dates() | st.times() | st.datetimes(timezones=st.none() | st.just(datetime.timezone.utc))
           | st.sampled_from(["mon-fri", "09:00", "25:00", "high-contrast", "neck", "left", "right", "chin_down",
                               "tilt_left", "regular_week", "", 1, 30, 45, 0, -5, 1.0, True]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=2), max_leaves=4)


def keys_of(names: list[str]):
    return st.sampled_from(names) | st.text(max_size=6)


def table(key_names: list[str], value=values):
    return st.dictionaries(keys_of(key_names), value, max_size=4)


def config_docs():
    tables = sorted({".".join(k.split(".")[:-1]) for k in config.SCHEMA} - {""})
    leaves = sorted({k.rsplit(".", 1)[-1] for k in config.SCHEMA})
    reminders = table(["stretch", "posture", "shoulder_rolls"], table(leaves) | values)
    free = st.fixed_dictionaries({}, optional={"reminders": reminders | values, "config_version": values}) \
        .flatmap(lambda top: st.dictionaries(keys_of([t.split(".")[0] for t in tables]), table(leaves) | values,
                                             max_size=3).map(lambda more: {**more, **top}))
    return free | mutated(tomllib.loads(config.default_text()))  # every key, one wrong at a time


EX_FIELDS = ["title", "instruction", "hold_seconds", "reps", "seconds", "side", "sides", "safety", "pose",
             "pace_seconds", "gentle"]
GENTLE_FIELDS = ["title", "instruction", "hold_seconds", "reps", "seconds", "caution", "pose"]
GOOD_EXERCISE = {"title": "Nod", "instruction": "Nod.", "hold_seconds": 15, "safety": "Gently.", "pose": "chin_down"}


def routine_docs():
    ids = ["a", "b", "neck", "tilt_left", "Bad-Id", ""]
    gentle = st.builds(lambda good, extra: {**good, **extra},
                       st.just({"instruction": "Less.", "hold_seconds": 5, "caution": "Easy."}) | st.just({}),
                       table(GENTLE_FIELDS))
    exercise = st.builds(lambda good, extra, soft: {**good, **extra, **soft}, st.just(GOOD_EXERCISE) | st.just({}),
                         table(EX_FIELDS), st.just({}) | st.fixed_dictionaries({"gentle": gentle | values}))
    step = st.sampled_from(ids) | table(["exercise", "seconds", "side"]) | values
    routine = st.builds(lambda title, steps, extra: {"title": title, "steps": steps, **extra},
                        st.just("Mine") | values, st.lists(step, max_size=3) | values, table(["summary", "unlock", "strengthening"]))
    free = st.fixed_dictionaries({}, optional={
        "format": st.just(1) | values,
        "exercises": st.dictionaries(keys_of(ids), exercise | values, max_size=2) | values,
        "routines": st.dictionaries(keys_of(ids), routine | values, max_size=2) | values,
    })
    return free | mutated(VALID_ROUTINES)


#: A file that loads, using every field: one field at a time is replaced by anything (or removed).
VALID_ROUTINES = {
    "format": 1,
    "exercises": {"a": {**GOOD_EXERCISE, "sides": ["left", "right"], "pace_seconds": [4, 6],
                        "gentle": {"title": "Small nod", "instruction": "Less.", "hold_seconds": 8, "caution": "Easy.",
                                   "pose": "chin_down"}},
                  "b": {"title": "Rolls", "instruction": "Roll.", "reps": 5, "seconds": 20, "side": "left",
                        "safety": "Slowly.", "pose": "breathing",
                        "gentle": {"instruction": "Fewer.", "reps": 3, "seconds": 10, "caution": "Small."}}},
    "routines": {"r": {"title": "Mine", "summary": "Short.", "unlock": "regular_week", "strengthening": True,
                       "steps": ["b", {"exercise": "a", "seconds": 10, "side": "right"}, "tilt_left"]}},
}


def _paths(doc, prefix=()):
    for k, v in doc.items():
        yield prefix + (k,)
        if isinstance(v, dict):
            yield from _paths(v, prefix + (k,))


def mutated(valid: dict) -> st.SearchStrategy[dict]:
    """``valid`` with one value replaced by any value, or removed, or a key added beside it."""
    import copy

    paths = list(_paths(valid))

    def apply(path, action, value):
        doc = copy.deepcopy(valid)
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if action == "remove":
            del parent[path[-1]]
        elif action == "add":
            parent[path[-1] + "_x"] = value
        else:
            parent[path[-1]] = value
        return doc

    return st.builds(apply, st.sampled_from(paths), st.sampled_from(["set", "set", "remove", "add"]), values)


def toml_value(v) -> str:
    """A value as inline TOML (a small writer of our own: tomlkit is ~20x slower per case)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if v != v else "inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(map(toml_value, v)) + "]"
    return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_text(doc: dict) -> str:
    """Top-level tables as ``[table]`` sections (their sub-tables inline), the rest as lines."""
    lines = [f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in doc.items()
             if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"\n[{json.dumps(k, ensure_ascii=False)}]")
            lines += [f"{json.dumps(kk, ensure_ascii=False)} = {toml_value(vv)}" for kk, vv in v.items()]
    return "\n".join(lines) + "\n"


def dumped(doc: st.SearchStrategy) -> st.SearchStrategy[str]:
    return doc.map(toml_text)


raw_bytes = st.one_of(st.binary(max_size=300),
                      st.tuples(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
                                token_soup.map(lambda s: s.encode("utf-8", "surrogatepass"))).map(b"".join))

# -- the file the parsers read ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="necka-fuzz-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def as_bytes(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")


def timed(fn):
    """``fn()``, failing when it took more than LOAD_BOUND_S of CPU time (CPU, not wall time:
    on a busy 2-core machine waiting for a core is not the parser's cost)."""
    start = time.process_time()
    out = fn()
    took = time.process_time() - start
    assert took < LOAD_BOUND_S, f"a load took {took:.2f} s of CPU time"
    return out


# -- config.toml ------------------------------------------------------------------------------------


def check_config_load(folder: Path, data: str | bytes) -> None:
    path = folder / "config.toml"
    raw = as_bytes(data)
    path.write_bytes(raw)
    loaded = timed(lambda: config.load(path))  # never raises: any exception fails the property
    assert path.read_bytes() == raw
    assert isinstance(loaded.settings, config.Settings) and loaded.exists
    assert len(loaded.problems) <= config.MAX_PROBLEMS + 1
    assert all(isinstance(p, str) and "\n" not in p[:2] and len(p) < 1000 for p in loaded.problems)
    for key, field in config.SCHEMA.items():  # every setting holds an allowed value
        assert field.check(loaded.settings[key]) is None


@given(token_soup)
def test_config_load_token_soup(folder, text):
    check_config_load(folder, text)


@given(dumped(config_docs()))
def test_config_load_structured_documents(folder, text):
    check_config_load(folder, text)


@given(raw_bytes)
def test_config_load_raw_bytes(folder, data):
    check_config_load(folder, data)


@settings(max_examples=150)  # each case writes files with fsync: fewer, the loads above are the 2,100
@given(st.one_of(token_soup, dumped(config_docs()), raw_bytes), st.booleans())
def test_config_menu_write_never_loses_the_users_bytes(folder, data, read_only):
    """A menu change on any file: the user's bytes survive (in place when the write fails)."""
    work = Path(tempfile.mkdtemp(dir=folder))
    path = work / "config.toml"
    raw = as_bytes(data)
    path.write_bytes(raw)
    if read_only:
        path.chmod(0o444)
    try:
        config.update(path, {"reminders.stretch.interval_minutes": 45})
    except OSError:
        assert path.read_bytes() == raw and [p.name for p in work.iterdir()] == ["config.toml"]
    else:
        assert not read_only
        kept = [p.read_bytes() for p in work.iterdir() if p.name != "config.toml"]
        assert raw in kept or (not raw.strip() and not kept)  # .bak or .broken-*; nothing to keep if empty
        assert config.load(path).settings.reminder(Kind.STRETCH).interval_minutes == 45
    shutil.rmtree(work)


# -- routines.toml ----------------------------------------------------------------------------------

BASE = builtin_exercises()
POSES = {"chin_down", "breathing", "tilt_left"}


def check_routines(folder: Path, data: str | bytes) -> None:
    raw = as_bytes(data)
    if isinstance(data, str):
        try:
            timed(lambda: load_routines(data, base=BASE, poses=POSES, origin="routines.toml"))
        except RoutineError as e:  # the one documented error: one line naming the file
            assert str(e).startswith("routines.toml") and len(str(e)) < 1000
    path = folder / "routines.toml"
    path.write_bytes(raw)
    catalogue = timed(lambda: load_catalogue(path))  # never raises
    assert path.read_bytes() == raw
    assert set(builtin_routines()) <= set(catalogue.routines)
    assert catalogue.problem is None or (catalogue.user_ids == frozenset() and len(catalogue.problem) < 1000)


@given(token_soup)
def test_routines_token_soup(folder, text):
    check_routines(folder, text)


@given(dumped(routine_docs()))
def test_routines_structured_documents(folder, text):
    check_routines(folder, text)


@given(raw_bytes)
def test_routines_raw_bytes(folder, data):
    check_routines(folder, data)


def test_the_structured_generators_reach_valid_files(folder):
    """The generators are worth their cases only if they also make files that load cleanly."""
    found = {"config": False, "routines": False}

    @settings(max_examples=300, derandomize=True)
    @given(dumped(config_docs()), dumped(routine_docs()))
    def probe(config_text, routines_text):
        path = folder / "probe.toml"
        path.write_text(config_text, encoding="utf-8")
        loaded = config.load(path)
        found["config"] |= loaded.problems == [] and bool(config_text.strip())
        try:
            load_routines(routines_text, base=BASE, poses=POSES)
            found["routines"] = True
        except RoutineError:
            pass

    probe()
    assert found == {"config": True, "routines": True}


def test_profiles_are_registered():
    assert settings.get_profile("ci").max_examples * 3 >= 2000
    assert settings.get_profile("long").max_examples > settings.get_profile("ci").max_examples


# -- marks in user texts ------------------------------------------------------------------------------

#: Marks of class > 0 and of class 0 (enclosing circle, U+0489, Thai vowel, grapheme joiner, variation
#: selector), invisible format characters, and characters they can sit on.
_MARK_ALPHABET = ["a", "\u0e01", " ", "\u0301", "\u0302", "\u20dd", "\u0489", "\u0e34", "\u0e48", "\u034f",
                  "\ufe0f", "\u200d", "\u200c", "\u200e"]


def _marks_on_each(text: str) -> list[int] | None:
    """How many marks draw on each character (the oracle); None when a mark has no character under it."""
    import unicodedata

    counts: list[int] = []
    for c in text:
        kind = unicodedata.category(c)
        if kind in ("Mn", "Me"):
            if not counts:
                return None
            counts[-1] += 1
        elif kind != "Cf":  # invisible: the next mark still draws on the character before
            counts.append(0)
    return counts


@given(st.lists(st.sampled_from(_MARK_ALPHABET), min_size=1, max_size=24).map("".join))
def test_a_title_is_taken_exactly_when_it_shows_something_and_no_character_carries_over_three_marks(title):
    import unicodedata

    doc = f'[routines.r]\ntitle = {json.dumps(title)}\nsteps = ["tilt_left"]\n'
    counts = _marks_on_each(title.strip())
    shows = any(not c.isspace() and unicodedata.category(c) != "Cf" for c in title)
    fits = shows and counts is not None and max(counts) <= 3
    try:
        taken = load_routines(doc, base=BASE, poses=POSES)["r"].title
    except RoutineError as e:
        assert "must be non-empty text" in str(e) or "combining marks" in str(e), str(e)
        assert not fits, (title, str(e))
        return
    assert fits and taken == title.strip(), title
