"""Gentler on a bad day: every built-in exercise's gentle variant, a user's own in routines.toml (checked
with named problems), and the strengthening routine resting while the care rule holds."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from necka_tray.core.routine import RoutineError, builtin_exercises, builtin_routines, load_routines
from necka_tray.store.history import History
from necka_tray.store.routines import RoutineBook

from .test_routine import DOSE, DRUGS, MEDICINE_WORDS

STRENGTH = {"chin_tuck", "press_forward", "press_side", "press_back", "shoulder_squeeze"}


def test_every_built_in_exercise_has_a_smaller_shorter_gentle_variant_with_a_caution():
    for ex in builtin_exercises().values():
        g = ex.gentle
        assert g is not None, ex.id
        assert g.id == ex.id and g.is_hold == ex.is_hold and g.sides == ex.sides and g.side == ex.side
        assert g.seconds < ex.seconds, ex.id  # shorter
        if not ex.is_hold:
            assert g.reps < ex.reps, ex.id  # fewer repetitions
        assert g.instruction != ex.instruction and g.safety  # its own words (smaller), and a caution
        for text in (g.title, g.instruction, g.safety):
            assert not (DOSE.search(text) or DRUGS.search(text) or MEDICINE_WORDS.search(text)), text


def test_the_gentle_variants_of_strengthening_exercises_do_not_strengthen():
    for ex_id in STRENGTH - {"shoulder_squeeze"}:
        g = builtin_exercises()[ex_id].gentle
        assert "without press" in g.instruction or "only a little" in g.instruction, ex_id
        assert "press gently" not in g.instruction


def test_a_gentle_routine_runs_the_variants_and_is_shorter():
    for routine in builtin_routines().values():
        soft = routine.gentle()
        assert [s.exercise for s in soft.steps] == [s.exercise.gentle for s in routine.steps]
        assert [s.side for s in soft.steps] == [s.side for s in routine.steps]
        assert soft.total_seconds < routine.total_seconds
        assert (soft.id, soft.title, soft.strengthening) == (routine.id, routine.title, routine.strengthening)


def test_only_the_strengthening_routine_is_marked():
    assert [r.id for r in builtin_routines().values() if r.strengthening] == ["strengthen"]


USER = """
[exercises.nod]
title = "Nod"
instruction = "Nod slowly."
hold_seconds = 10
safety = "Gently."
pose = "chin_down"
{gentle}

[exercises.rolls]
title = "Rolls"
instruction = "Roll."
reps = 6
seconds = 20
safety = "Slowly."
pose = "shoulder_rolls"

[routines.mine]
title = "Mine"
steps = ["nod", "rolls", {{ exercise = "tilt_left", seconds = 30 }}]
"""


def load(gentle: str):
    return load_routines(USER.format(gentle=gentle), base=builtin_exercises(), origin="routines.toml")


def test_a_user_routine_may_declare_a_gentle_variant():
    mine = load('[exercises.nod.gentle]\ninstruction = "Nod a little."\nhold_seconds = 5\ncaution = "Small."')["mine"]
    soft = mine.gentle()
    assert (soft.steps[0].exercise.instruction, soft.steps[0].exercise.safety, soft.steps[0].seconds) == (
        "Nod a little.", "Small.", 5.0)
    assert soft.steps[1] == mine.steps[1]  # no variant declared: as it is
    assert soft.steps[2].exercise is builtin_exercises()["tilt_left"].gentle  # a built-in's variant
    assert soft.steps[2].seconds == 8.0  # never longer than the variant, whatever the step said


@pytest.mark.parametrize("gentle, key, words", [
    ('[exercises.nod.gentle]\ninstruction = "x"\nhold_seconds = 12\ncaution = "c"',
     "exercises.nod.gentle.hold_seconds", "at most the exercise's own 10"),
    ('[exercises.nod.gentle]\ninstruction = "x"\nreps = 2\nseconds = 5\ncaution = "c"',
     "exercises.nod.gentle.reps", "is a hold"),
    ('[exercises.nod.gentle]\ninstruction = "x"\nhold_seconds = 5', "exercises.nod.gentle.caution", "missing"),
    ('[exercises.nod.gentle]\nhold_seconds = 5\ncaution = "c"', "exercises.nod.gentle.instruction", "missing"),
    ('[exercises.nod.gentle]\ninstruction = "x"\nhold_seconds = 5\ncaution = "c"\nsafety = "s"',
     "exercises.nod.gentle.safety", "unknown key"),
    ('[exercises.nod.gentle]\ninstruction = "x"\nhold_seconds = 5\ncaution = "c"\npose = "cartwheel"',
     "exercises.nod.gentle.pose", "unknown pose"),
    ('gentle = 3', "exercises.nod.gentle", "must be a table"),
])
def test_a_bad_gentle_variant_is_named(gentle, key, words):
    with pytest.raises(RoutineError) as e:
        load_routines(USER.format(gentle=gentle), base=builtin_exercises(), poses={"chin_down", "shoulder_rolls"},
                      origin="routines.toml")
    assert e.value.key == key and words in e.value.problem, str(e.value)
    assert str(e.value).startswith("routines.toml: line ")


def test_a_gentle_repetition_has_fewer_and_not_longer():
    text = USER.format(gentle="").replace('pose = "shoulder_rolls"\n', 'pose = "shoulder_rolls"\n\n'
                                          '[exercises.rolls.gentle]\ninstruction = "x"\nreps = 7\nseconds = 10\n'
                                          'caution = "c"\n')
    with pytest.raises(RoutineError, match=r"rolls\.gentle\.reps: must be a whole number from 1 to the exercise's own 6"):
        load_routines(text, base=builtin_exercises())
    with pytest.raises(RoutineError, match=r"rolls\.gentle\.seconds: must be at most the exercise's own 20"):
        load_routines(text.replace("reps = 7\nseconds = 10", "reps = 3\nseconds = 21"), base=builtin_exercises())
    with pytest.raises(RoutineError, match=r"rolls\.gentle\.hold_seconds: the exercise repeats"):
        load_routines(text.replace("reps = 7\nseconds = 10", "hold_seconds = 5"), base=builtin_exercises())


def test_strengthening_must_be_a_boolean():
    text = USER.format(gentle="").replace('title = "Mine"', 'title = "Mine"\nstrengthening = "yes"')
    with pytest.raises(RoutineError, match=r"routines\.mine\.strengthening: must be true or false"):
        load_routines(text, base=builtin_exercises())


def test_the_strengthening_routine_rests_while_the_care_rule_holds(tmp_path):
    db = tmp_path / "history.sqlite3"
    now = datetime(2026, 12, 15, 12, 0).astimezone()
    book = RoutineBook(history_db=db)
    strengthen, neck = builtin_routines()["strengthen"], builtin_routines()["neck"]
    assert not book.care_holds(now)
    with History(db) as h:
        for i in range(7):
            h.record_checkin(now - timedelta(days=i, hours=1), 6, "cli")
    assert not book.care_holds(now)  # read once a day
    book.sessions_changed()  # a check-in or a session: read again
    assert book.care_holds(now)
    assert book.locked(strengthen, now) == "rests while your neck check-ins are high"
    assert book.locked(neck, now) is None
