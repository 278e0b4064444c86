"""What voice guidance says (a pure script of the routine's own texts) and how it reaches an engine."""

from __future__ import annotations

from necka_tray.texts import i18n
from necka_tray.core.routine import builtin_routines
from necka_tray.windows import voice
from necka_tray.windows.voice import Guide, Speaker, engine_command, step_script

NECK = builtin_routines()["neck"]


def test_each_step_says_its_name_and_instruction_then_counts_a_hold_down():
    for i, step in enumerate(NECK.steps):
        script = step_script(NECK, i)
        assert script.start.startswith(f"{step.exercise.title}. {step.exercise.instruction}")
        if step.exercise.is_hold:
            assert script.countdown == ((3, "Hold… 3"), (2, "2"), (1, "1"))
        else:
            assert script.countdown == ()


def test_the_ending_is_switch_sides_next_or_well_done():
    ends = [step_script(NECK, i).end for i in range(len(NECK.steps))]
    # tilt left -> tilt right switches sides; the others move on; the last one is the end.
    assert ends == ["Switch sides.", "Next.", "Next.", "Next.", "Next.", "Well done."]


def test_the_guide_says_each_text_once_at_its_moment_and_nothing_while_paused():
    g = Guide(NECK)
    first, second = step_script(NECK, 0), step_script(NECK, 1)
    assert g.view(0, True, 15) == [first.start]
    assert g.view(0, True, 15) == []  # the same moment again: nothing new
    assert g.view(0, True, 4) == []
    assert g.view(0, False, 3) == []  # paused at 3: silent
    assert g.view(0, True, 3) == ["Hold… 3"]
    assert g.view(0, True, 3) == []
    assert g.view(0, True, 1) == ["1"]  # the window woke late and skipped 2: not said late
    assert g.view(0, True, 2) == []
    assert g.view(1, True, 15) == [f"{first.end} {second.start}"]
    assert g.finished() == [second.end]
    assert g.finished() == []


def test_the_engine_is_the_first_found_and_missing_engines_are_said_once():
    found = {"espeak-ng"}
    s = Speaker("de", which=lambda name: f"/usr/bin/{name}" if name in found else None, platform="linux")
    assert (s.engine, s.problem) == ("espeak-ng", "")
    found.add("spd-say")
    assert Speaker(which=lambda name: name if name in found else None, platform="linux").engine == "spd-say"
    silent = Speaker(which=lambda name: None, platform="linux")
    assert silent.engine is None and "no speech engine" in silent.problem
    silent.say("Next.")  # nothing to run, nothing raised


def test_engine_command_lines_pass_the_language():
    assert engine_command("spd-say", "Next.", "de") == (["spd-say", "-l", "de", "Next."], None)
    assert engine_command("espeak-ng", "Next.", "de") == (["espeak-ng", "-v", "de", "Next."], None)
    assert engine_command("say", "Next.", "de") == (["say", "Next."], None)
    args, env = engine_command("powershell", "it's \"quoted\"", "de")
    assert args[0] == "powershell" and env == {"NECKA_SAY": "it's \"quoted\"", "NECKA_SAY_LANG": "de"}
    assert voice.ENGINES["win32"] == ("powershell",) and voice.ENGINES["darwin"] == ("say",)


def test_the_voice_speaks_the_language_of_the_translation_shown(monkeypatch):
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    try:
        monkeypatch.setenv("LANGUAGE", "de_AT:de")
        i18n.set_language(None)
        assert i18n.language() == "de"
        monkeypatch.setenv("LANGUAGE", "xx")  # no catalogue for it: English is shown, and spoken
        i18n.set_language(None)
        assert i18n.language() == "en"
    finally:
        i18n.set_language(None)


def test_a_new_text_stops_the_one_still_being_said(tmp_path, monkeypatch):
    """espeak-ng speaks each text in a process of its own: a long first-use note went on under the first
    step (two voices at once). spd-say cancels by itself (speech-dispatcher's "text" priority)."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    engine = bin_dir / "espeak-ng"
    engine.write_text("#!/bin/sh\nexec sleep 30\n")  # a text that takes long to say
    engine.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    s = Speaker("en", which=lambda name: str(bin_dir / name) if name == "espeak-ng" else None, platform="linux")
    s.say("Before you start, a few words on safety.")
    note = s._speaking
    s.say("Side tilt, left side.")
    try:
        assert note.wait(5) != 0  # stopped, not left talking
        assert s._speaking is not note and s._speaking.poll() is None
    finally:
        s.hush()
    assert voice.SELF_CANCELLING == {"spd-say"}
