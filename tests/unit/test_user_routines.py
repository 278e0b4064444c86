"""The user's own routines.toml: added and replaced routines, and bad files that name their line
while the built-in routines keep working. Also which routines history has unlocked."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.store import tomllines
from necka_tray.core.routine import builtin_routines
from necka_tray.store.history import History
from necka_tray.store.routines import RoutineBook, load_catalogue, starter_text

GOOD = """\
[routines.desk_break]
title = "Desk break"
steps = ["tilt_left", "tilt_right", { exercise = "shoulder_rolls_back", seconds = 30 }, "slow_nod"]

[routines.neck]
title = "My neck stretch"
steps = ["chin_down", "look_up"]

[exercises.slow_nod]
title = "Slow nod"
instruction = "Nod slowly, as if saying yes to a friend."
reps = 4
seconds = 16
safety = "Small and slow."
pose = "chin_down"
"""


def write(tmp_path, text: str | bytes):
    path = tmp_path / "routines.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_no_file_means_the_builtin_routines(tmp_path):
    catalogue = load_catalogue(tmp_path / "routines.toml")
    assert catalogue.routines == builtin_routines() and catalogue.problem is None
    assert load_catalogue(None).routines == builtin_routines()


def test_a_good_file_adds_routines_and_replaces_builtin_ones(tmp_path):
    catalogue = load_catalogue(write(tmp_path, GOOD))
    assert catalogue.problem is None
    assert list(catalogue.routines) == [*builtin_routines(), "desk_break"]  # "neck" keeps its place
    assert catalogue.user_ids == {"desk_break", "neck"}
    assert catalogue.routines["neck"].title == "My neck stretch"
    desk = catalogue.routines["desk_break"]
    assert [(s.exercise.id, s.seconds) for s in desk.steps] == [
        ("tilt_left", 15), ("tilt_right", 15), ("shoulder_rolls_back", 30), ("slow_nod", 16)]
    assert desk.steps[0].exercise is builtin_routines()["neck"].steps[0].exercise
    assert desk.total_seconds == 76


def test_the_starter_file_is_a_working_example(tmp_path):
    catalogue = load_catalogue(write(tmp_path, starter_text()))
    assert catalogue.problem is None and "my_break" in catalogue.routines
    assert "press_side" in starter_text()  # lists every built-in exercise id


@pytest.mark.parametrize(("text", "expected"), [
    # A key the format does not know: its own line.
    (GOOD.replace('reps = 4', 'repeats = 4'),
     "routines.toml: line 12: exercises.slow_nod.repeats: unknown key"),
    # An exercise id that exists nowhere: the line of that step.
    (GOOD.replace('"tilt_right"', '"tilt_rihgt"'),
     "routines.toml: line 3: routines.desk_break.steps[1]: unknown exercise 'tilt_rihgt'"),
    # A step on a line of its own in a list over several lines.
    (GOOD.replace('steps = ["chin_down", "look_up"]', 'steps = [\n  "chin_down",\n  "look_sideways",\n]'),
     "routines.toml: line 9: routines.neck.steps[1]: unknown exercise 'look_sideways'"),
    # A missing key: the line of its table.
    (GOOD.replace('safety = "Small and slow."\n', ''),
     "routines.toml: line 9: exercises.slow_nod.safety: missing"),
    # A pose that cannot be drawn.
    (GOOD.replace('pose = "chin_down"', 'pose = "nod"'),
     "routines.toml: line 15: exercises.slow_nod.pose: unknown pose 'nod'; use one of: breathing, chin_down"),
    # Broken TOML: tomllib's line and column.
    (GOOD.replace('title = "Desk break"', 'title = "Desk break'),
     "routines.toml: line 2, column 20: not valid TOML: "),
    (b'[routines.x]\ntitle = "Caf\xe9"\n', "routines.toml: line 2: the file is not UTF-8 text"),
    # Texts that would not fit a menu line or a window: their line and key, and the limit.
    (GOOD.replace('title = "Desk break"', 'title = "' + "x" * 10_000 + '"'),
     "routines.toml: line 2: routines.desk_break.title: is 10000 characters long; at most 60 fit"),
    (GOOD.replace('Nod slowly, as if saying yes to a friend.', "Nod. " * 100),
     "routines.toml: line 11: exercises.slow_nod.instruction: is 499 characters long; at most 300 fit"),
    (GOOD.replace('title = "Desk break"', 'title = "Desk break"\nsummary = "' + "y" * 301 + '"'),
     "routines.toml: line 3: routines.desk_break.summary: is 301 characters long; at most 300 fit"),
    # Marks that would draw over the lines around them: stacked, or on no letter.
    (GOOD.replace('title = "Slow nod"', 'title = "Slow n\u0301\u0302\u0303\u0304od"'),
     "routines.toml: line 10: exercises.slow_nod.title: has combining marks that are not on a letter"),
    (GOOD.replace('title = "Desk break"', 'title = "\u0301\u0301"'),
     "routines.toml: line 2: routines.desk_break.title: has combining marks that are not on a letter"),
    # Marks of combining class 0 stack too (enclosing circles, U+0489, Thai vowels), and an invisible
    # joiner between marks does not end the stack (issue 27 item 6, found again).
    (GOOD.replace('title = "Desk break"', 'title = "D' + "\u20dd" * 4 + 'esk"'),
     "routines.toml: line 2: routines.desk_break.title: has combining marks that are not on a letter"),
    (GOOD.replace('title = "Desk break"', 'title = "D' + "\u0489" * 20 + '"'),
     "routines.toml: line 2: routines.desk_break.title: has combining marks that are not on a letter"),
    (GOOD.replace('title = "Slow nod"', 'title = "n' + "\u0301\u0301\u0301\u034f" * 10 + '"'),
     "routines.toml: line 10: exercises.slow_nod.title: has combining marks that are not on a letter"),
    (GOOD.replace('Small and slow.', "S" + "\u0301\u0301\u0301\u200d" * 10),
     "routines.toml: line 14: exercises.slow_nod.safety: has combining marks that are not on a letter"),
    # An id is a name the user types: as capped as a title (the message shows it cut short).
    (GOOD.replace("[routines.desk_break]", "[routines." + "d" * 41 + "]"),
     "routines.toml: line 1: routines." + "d" * 41 + ": is 41 characters long; at most 40 fit"),
    (GOOD.replace("slow_nod", "n" * 3000),
     "routines.toml: line 9: exercises." + "n" * 67 + "...: is 3000 characters long; at most 40 fit"),
    (GOOD.replace('title = "Desk break"', 'title = "Desk\\nbreak"'),
     "routines.toml: line 2: routines.desk_break.title: must be one line of text"),
])
def test_a_bad_file_names_its_line_and_key_and_the_builtins_still_work(tmp_path, text, expected):
    path = write(tmp_path, text)
    before = path.read_bytes()
    catalogue = load_catalogue(path)
    assert catalogue.problem.startswith(f"{tmp_path}/{expected}"), catalogue.problem  # the full path
    assert catalogue.problem.endswith("Using Necka's own routines until it is fixed.")
    assert "\n" not in catalogue.problem
    assert catalogue.routines == builtin_routines()
    assert path.read_bytes() == before  # the user's file is kept as it is


def test_the_book_reads_the_file_again_only_when_it_changed(tmp_path):
    path = write(tmp_path, GOOD)
    book = RoutineBook(path)
    first = book.catalogue()
    assert book.catalogue() is first
    path.write_text(GOOD.replace("Desk break", "Desk break, longer") + "\n")
    os.utime(path, ns=(1, 1))
    assert book.catalogue().routines["desk_break"].title == "Desk break, longer"
    path.unlink()
    assert book.catalogue().routines == builtin_routines()


def test_strengthen_unlocks_after_a_week_of_regular_sessions(tmp_path):
    db = tmp_path / "history.sqlite3"
    tz = timezone(timedelta(hours=1))
    now = datetime(2030, 3, 10, 18, tzinfo=tz)
    book = RoutineBook(None, db, tz)
    strengthen = builtin_routines()["strengthen"]
    assert book.locked(builtin_routines()["neck"], now) is None
    assert book.locked(strengthen, now) == "unlocks after a week of regular sessions (0 of 5 days)"
    with History(db) as h:
        # Five completed days, but only four of them in the last week; a stopped one does not count.
        for day, outcome in ((8, "completed"), (5, "completed"), (4, "completed"), (3, "stopped"),
                             (2, "completed"), (1, "completed")):
            start = now - timedelta(days=day)
            h.record_session(start, start + timedelta(minutes=2), outcome, 6, 6, "neck")
    assert book.locked(strengthen, now) == "unlocks after a week of regular sessions (0 of 5 days)"  # cached
    book.sessions_changed()
    assert book.locked(strengthen, now) == "unlocks after a week of regular sessions (4 of 5 days)"
    with History(db) as h:
        h.record_session(now, now + timedelta(minutes=2), "completed", 6, 6, "quick_release")
    book.sessions_changed()
    assert book.locked(strengthen, now) is None
    assert book.used_since(now) == ["quick_release"]


def test_line_of_finds_keys_tables_and_list_items():
    text = 'format = 1\n[exercises.a]\ntitle = "A"\n\n[routines."r"]\nsteps = [\n  "x",\n  "y",\n]\n'
    assert tomllines.line_of(text, ("format",)) == 1
    assert tomllines.line_of(text, ("exercises", "a", "title")) == 3
    assert tomllines.line_of(text, ("exercises", "a", "pose")) == 2  # missing: its table
    assert tomllines.line_of(text, ("routines", "r", "steps"), needle='"y"') == 8
    assert tomllines.line_of(text, ("nothing",)) is None


def test_accents_written_as_combining_marks_are_fine(tmp_path):
    # Thai (vowel and tone on a consonant), a keycap, an emoji sequence joined by ZWJ: a few marks each
    fine = "\u0e01\u0e34\u0e48 #\ufe0f\u20e3 \U0001f469\u200d\u2764\ufe0f\u200d\U0001f468"
    path = write(tmp_path, GOOD.replace('title = "Slow nod"', f'title = "{fine}"'))
    assert load_catalogue(path).problem is None
    path = write(tmp_path, GOOD.replace('title = "Desk break"', 'title = "Pause cafe\u0301 \u1ea1\u0306"'))
    catalogue = load_catalogue(path)
    assert catalogue.problem is None and catalogue.routines["desk_break"].title == "Pause cafe\u0301 \u1ea1\u0306"
