"""Routines as data: the shipped file, and a loader that names the bad key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import necka_tray
from necka_tray.core.routine import (
    DEFAULT_ROUTINE,
    Exercise,
    Routine,
    RoutineError,
    Step,
    builtin_routines,
    load_routines,
)
from necka_tray.ui import illustrations

PACKAGE = Path(necka_tray.__file__).parent
DOSE = re.compile(r"\d+\s*(mg|milligrams?|ml|tablets?|pills?|capsules?|doses?)\b", re.IGNORECASE)
DRUGS = re.compile(r"ibuprofen|acetaminophen|paracetamol|aspirin|naproxen|diclofenac|codeine", re.IGNORECASE)
MEDICINE_WORDS = re.compile(r"painkiller|pain reliever|medicine|medication|\bdrug", re.IGNORECASE)

MINIMAL = """
[exercises.a]
title = "A"
instruction = "Do a."
hold_seconds = 15
safety = "Gently."
pose = "tilt_left"

[routines.r]
title = "R"
steps = ["a"]
"""


def test_default_routine_is_the_neck_stretch():
    routines = builtin_routines()
    neck = routines[DEFAULT_ROUTINE]
    assert DEFAULT_ROUTINE == "neck"
    assert neck.title == "Neck stretch"
    assert [(s.exercise.id, s.seconds, s.exercise.side) for s in neck.steps] == [
        ("tilt_left", 15, "left"),
        ("tilt_right", 15, "right"),
        ("chin_down", 15, None),
        ("look_up", 15, None),
        ("shoulder_rolls", 20, None),
        ("breathing", 30, None),
    ]
    assert neck.total_seconds == 110


def test_holds_and_reps():
    ex = {s.exercise.id: s.exercise for s in builtin_routines()["neck"].steps}
    assert ex["tilt_left"].is_hold and ex["tilt_left"].reps is None
    assert ex["shoulder_rolls"].reps == 10 and not ex["shoulder_rolls"].is_hold
    assert ex["breathing"].reps == 3


def all_exercises() -> list[Exercise]:
    seen: dict[str, Exercise] = {}
    for routine in builtin_routines().values():
        for step in routine.steps:
            seen[step.exercise.id] = step.exercise
    return list(seen.values())


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_exercise_is_complete_and_drawable(exercise):
    assert exercise.seconds > 0
    assert exercise.is_hold or exercise.reps > 0
    assert exercise.safety
    assert exercise.title
    # One or two short sentences.
    assert 1 <= len(re.findall(r"[.!?](\s|$)", exercise.instruction)) <= 2
    assert len(exercise.instruction) <= 140
    image = illustrations.render(exercise.pose, 96)
    assert image.size == (96, 96)
    assert image.getchannel("A").getbbox() is not None
    assert sum(1 for n in image.convert("L").histogram() if n) > 8, "the drawing is blank"


def test_builtin_routines_are_read_once():
    assert builtin_routines() is builtin_routines()


def shipped_text_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".toml", ".py", ".txt", ".md"})


def test_no_shipped_text_names_a_dose_or_a_medicine():
    offenders = []
    for path in shipped_text_files():
        text = path.read_text(encoding="utf-8")
        offenders += [(path.name, m.group(0)) for m in DOSE.finditer(text)]
        offenders += [(path.name, m.group(0)) for m in DRUGS.finditer(text)]
    assert offenders == []


def test_routine_user_text_names_no_dose():
    for routine in builtin_routines().values():
        texts = [routine.title, routine.summary]
        for step in routine.steps:
            texts += [step.exercise.title, step.exercise.instruction, step.exercise.safety]
        for text in texts:
            assert not (DOSE.search(text) or DRUGS.search(text) or MEDICINE_WORDS.search(text)), text


def test_load_from_a_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    routines = load_routines(path)
    assert routines == load_routines(MINIMAL)
    assert routines["r"] == Routine(
        id="r",
        title="R",
        steps=(Step(Exercise("a", "A", "Do a.", 15.0, "Gently.", "tilt_left"), 15.0),),
    )


def test_a_step_can_set_its_own_length_and_routines_keep_file_order():
    text = MINIMAL + '\n[routines.long]\ntitle = "Long"\nsteps = [{ exercise = "a", seconds = 40 }, "a"]\n'
    routines = load_routines(text)
    assert list(routines) == ["r", "long"]
    assert [s.seconds for s in routines["long"].steps] == [40, 15]
    assert routines["long"].total_seconds == 55


def test_reps_with_seconds():
    text = MINIMAL.replace("hold_seconds = 15", "reps = 5\nseconds = 20")
    ex = load_routines(text)["r"].steps[0].exercise
    assert (ex.reps, ex.seconds, ex.is_hold) == (5, 20.0, False)


def test_load_refuses_other_types():
    with pytest.raises(TypeError):
        load_routines(b"format = 1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('title = "A"\n', ""), "exercises.a.title"),
        (('safety = "Gently."\n', ""), "exercises.a.safety"),
        (('pose = "tilt_left"\n', ""), "exercises.a.pose"),
        (('instruction = "Do a."', 'instruction = ""'), "exercises.a.instruction"),
        (("hold_seconds = 15", "hold_seconds = -1"), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", "hold_seconds = 0"), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", "hold_seconds = true"), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", 'hold_seconds = "15"'), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", "hold_seconds = 99999"), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", ""), "exercises.a.hold_seconds"),
        (("hold_seconds = 15", "hold_seconds = 15\nreps = 3"), "exercises.a.reps"),
        (("hold_seconds = 15", "hold_seconds = 15\nseconds = 3"), "exercises.a.seconds"),
        (("hold_seconds = 15", "reps = 3"), "exercises.a.seconds"),
        (("hold_seconds = 15", "reps = 0\nseconds = 10"), "exercises.a.reps"),
        (("hold_seconds = 15", "reps = 2.5\nseconds = 10"), "exercises.a.reps"),
        (("hold_seconds = 15", "hold_seconds = 15\nside = \"up\""), "exercises.a.side"),
        (("hold_seconds = 15", "hold_seconds = 15\nhold_secs = 3"), "exercises.a.hold_secs"),
        (("[exercises.a]", "[exercises.Bad-Id]"), "exercises.Bad-Id"),
        (('steps = ["a"]', 'steps = ["b"]'), "routines.r.steps[0]"),
        (('steps = ["a"]', "steps = []"), "routines.r.steps"),
        (('steps = ["a"]', 'steps = "a"'), "routines.r.steps"),
        (('steps = ["a"]', "steps = [3]"), "routines.r.steps[0]"),
        (('steps = ["a"]', 'steps = ["a", { seconds = 3 }]'), "routines.r.steps[1].exercise"),
        (('steps = ["a"]', 'steps = [{ exercise = "a", seconds = -3 }]'), "routines.r.steps[0].seconds"),
        (('steps = ["a"]', 'steps = [{ exercise = "a", secs = 3 }]'), "routines.r.steps[0].secs"),
        (('title = "R"\n', ""), "routines.r.title"),
        (('title = "R"', 'title = "R"\nsummary = 3'), "routines.r.summary"),
        (('title = "R"', 'title = "R"\ncolour = "red"'), "routines.r.colour"),
        (("[exercises.a]", "format = 2\n[exercises.a]"), "format"),
        (("[exercises.a]", "extra = 1\n[exercises.a]"), "extra"),
    ],
)
def test_bad_data_names_the_key_and_its_line(change, key):
    old, new = change
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    with pytest.raises(RoutineError) as err:
        load_routines(text)
    assert err.value.key == key
    assert str(err.value).startswith(f"routines: line {err.value.line}: {key}: ")
    # The line named holds the key (or the list it is in), or, for a missing key, its table's header.
    named = text.splitlines()[err.value.line - 1]
    parts = [p.split("[")[0] for p in key.split(".")]
    assert any(p in named for p in parts[-2:]) or named.startswith("["), (key, named)


def test_no_routines_is_an_error():
    with pytest.raises(ValueError, match="routines: routines: no routines"):
        load_routines(MINIMAL.split("[routines.r]")[0])


def test_invalid_toml_says_so_with_its_line_and_column():
    with pytest.raises(ValueError, match=r"^routines: line 3, column \d+: not valid TOML: "):
        load_routines('format = 1\n\n[exercises.a\n')


def test_path_errors_name_the_file(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text(MINIMAL.replace("hold_seconds = 15", "hold_seconds = -1"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"^custom\.toml: line 5: exercises\.a\.hold_seconds: must be a positive"):
        load_routines(path)


def test_illustrations_reject_unknown_poses_and_are_deterministic():
    with pytest.raises(ValueError, match="unknown pose"):
        illustrations.render("handstand", 64)
    a = illustrations.render("tilt_left", 80)
    assert a.tobytes() == illustrations.render("tilt_left", 80).tobytes()
    assert a.tobytes() != illustrations.render("tilt_right", 80).tobytes()
    hc = illustrations.render("tilt_left", 80, high_contrast=True)
    assert hc.tobytes() != a.tobytes()
    wide = illustrations.render("breathing", (120, 80))
    assert wide.size == (120, 80)
