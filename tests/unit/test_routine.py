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
    builtin_exercises,
    builtin_routines,
    duration_text,
    load_routines,
)
from necka_tray.windows import illustrations

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


#: Every built-in routine, in menu order, with its total length in configured seconds.
BUILTIN = {"neck": ("Neck stretch", 110), "quick_release": ("Quick neck release", 60),
           "shoulders": ("Shoulders", 67), "calm_down": ("Calm down", 72),
           "posture_reset": ("Posture reset", 44), "strengthen": ("Strengthen", 90)}


def test_the_builtin_routines_and_their_lengths():
    routines = builtin_routines()
    assert {r.id: (r.title, r.total_seconds) for r in routines.values()} == BUILTIN
    assert list(routines) == list(BUILTIN)
    assert [duration_text(r.total_seconds) for r in routines.values()] == [
        "2 min", "1 min", "1 min", "1 min", "45 s", "2 min"]
    assert routines["strengthen"].unlock == "regular_week"
    assert all(r.unlock is None for r in routines.values() if r.id != "strengthen")


def test_the_routines_follow_the_guide():
    routines = builtin_routines()
    ids = {r: [s.exercise.id for s in routines[r].steps] for r in routines}
    assert ids["quick_release"] == ["tilt_left", "tilt_right", "chin_down", "look_up"]
    assert all(s.seconds == 15 for s in routines["quick_release"].steps)  # "about 15 seconds"
    assert ids["shoulders"][:3] == ["shoulder_rolls_back", "shoulder_rolls_forward", "shoulder_squeeze"]
    assert ids["posture_reset"] == ["sit_back", "feet_flat", "screen_eye_level", "shoulders_down"]
    assert [s.exercise.id for s in routines["calm_down"].steps if s.exercise.pace] == ["calm_breathing"]
    assert {"chin_tuck", "press_forward", "press_side", "press_back", "shoulder_squeeze"} == set(ids["strengthen"])


def test_a_two_sided_exercise_is_one_step_per_side_and_the_right_is_mirrored():
    steps = [s for s in builtin_routines()["strengthen"].steps if s.exercise.id == "press_side"]
    assert [(s.side, s.mirrored) for s in steps] == [("left", False), ("right", True)]
    # A one-sided stretch keeps its own side and its own drawing.
    tilt = builtin_routines()["neck"].steps[1]
    assert (tilt.side, tilt.mirrored) == ("right", False)


def test_a_step_can_do_one_side_only():
    text = MINIMAL.replace('pose = "tilt_left"', 'pose = "press_side"\nsides = ["left", "right"]').replace(
        'steps = ["a"]', 'steps = ["a", { exercise = "a", side = "right", seconds = 5 }]')
    steps = load_routines(text)["r"].steps
    assert [(s.side, s.seconds) for s in steps] == [("left", 15), ("right", 15), ("right", 5)]


@pytest.mark.parametrize(("change", "key"), [
    (('pose = "tilt_left"', 'pose = "tilt_left"\nsides = ["left", "left"]'), "exercises.a.sides"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\nsides = []'), "exercises.a.sides"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\nsides = ["up"]'), "exercises.a.sides"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\nside = "left"\nsides = ["left", "right"]'), "exercises.a.sides"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\npace_seconds = [4]'), "exercises.a.pace_seconds"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\npace_seconds = [4, 0]'), "exercises.a.pace_seconds"),
    (('pose = "tilt_left"', 'pose = "tilt_left"\npace_seconds = [4, 99]'), "exercises.a.pace_seconds"),
    (('steps = ["a"]', 'steps = [{ exercise = "a", side = "left" }]'), "routines.r.steps[0].side"),
    (('title = "R"', 'title = "R"\nunlock = "tomorrow"'), "routines.r.unlock"),
])
def test_bad_sides_pace_and_unlock_name_the_key(change, key):
    with pytest.raises(RoutineError) as err:
        load_routines(MINIMAL.replace(*change, 1))
    assert err.value.key == key and err.value.line is not None


def test_pace_and_unknown_poses():
    text = MINIMAL.replace('pose = "tilt_left"', 'pose = "breathing"\npace_seconds = [4, 6.5]')
    assert load_routines(text)["r"].steps[0].exercise.pace == (4.0, 6.5)
    with pytest.raises(RoutineError, match=r"line 7: exercises\.a\.pose: unknown pose 'tilt_left'; use one of: a, b"):
        load_routines(MINIMAL, poses={"a", "b"})


def test_holds_and_reps():
    ex = {s.exercise.id: s.exercise for s in builtin_routines()["neck"].steps}
    assert ex["tilt_left"].is_hold and ex["tilt_left"].reps is None
    assert ex["shoulder_rolls"].reps == 10 and not ex["shoulder_rolls"].is_hold
    assert ex["breathing"].reps == 3


def all_exercises() -> list[Exercise]:
    return list(builtin_exercises().values())


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_exercise_is_complete_and_drawable(exercise):
    assert exercise.seconds > 0
    assert exercise.is_hold or exercise.reps > 0
    assert exercise.safety
    assert exercise.title
    # One or two short sentences.
    assert 1 <= len(re.findall(r"[.!?](\s|$)", exercise.instruction)) <= 2
    assert len(exercise.instruction) <= 140
    for high_contrast in (False, True):
        image = illustrations.render(exercise.pose, 96, high_contrast=high_contrast)
        assert image.size == (96, 96)
        assert image.getchannel("A").getbbox() is not None
        assert sum(1 for n in image.convert("L").histogram() if n) > 8, "the drawing is blank"
        # More than the empty card: the figure is drawn on it.
        card = illustrations.render("done", 96, high_contrast=high_contrast)
        assert image.tobytes() != card.tobytes()
    if exercise.sides:
        assert illustrations.render(exercise.pose, 96, mirror=True).tobytes() != image.tobytes()


def test_every_pose_is_used_and_drawn_differently():
    used = {e.pose for e in all_exercises()}
    assert used == illustrations.POSES - {"done"}
    drawings = {illustrations.render(p, 64).tobytes() for p in illustrations.POSES}
    assert len(drawings) == len(illustrations.POSES)


def test_the_core_names_exactly_the_poses_the_window_draws():
    """``core.routine.POSES`` checks a user's routines without importing the windows: it must not drift."""
    from necka_tray.core.routine import POSES

    assert POSES == illustrations.POSES


def test_builtin_routines_are_read_once():
    assert builtin_routines() is builtin_routines()


def shipped_text_files() -> list[Path]:
    """Every text file in the package: data, code, pages, and the translation template and catalogues."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".toml", ".py", ".txt", ".md", ".po", ".pot"})
    assert any(p.suffix == ".pot" for p in files) and any(p.name == "routines.toml" for p in files)
    return files


def test_no_shipped_text_names_a_dose_or_a_medicine():
    offenders = []
    for path in shipped_text_files():
        text = path.read_text(encoding="utf-8")
        offenders += [(path.name, m.group(0)) for m in DOSE.finditer(text)]
        offenders += [(path.name, m.group(0)) for m in DRUGS.finditer(text)]
    assert offenders == []


def test_the_scan_finds_doses_and_medicine_names():
    """The patterns above can fail: each catches what it is for."""
    for text in ("take 2 tablets", "400 mg", "5ml", "1 capsule", "3 pills", "ibuprofen", "Paracetamol"):
        assert DOSE.search(text) or DRUGS.search(text), text
    for text in ("hold 15 seconds", "5 slow circles", "follow the label", "a pain reliever"):
        assert not (DOSE.search(text) or DRUGS.search(text)), text


def test_no_text_the_user_reads_names_a_dose_or_a_medicine():
    from necka_tray import care
    from necka_tray.core.reminders import MESSAGES

    texts = care.all_text() + [m.title + " " + m.body for m in MESSAGES.values()]
    assert any("label" in t for t in texts)  # the pain-reliever advice is there, without a name
    assert [t for t in texts if DOSE.search(t) or DRUGS.search(t)] == []


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
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: line 5: exercises\.a\.hold_seconds: must be a positive"):
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
