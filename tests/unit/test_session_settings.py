"""The session's settings and the small files and sounds behind them."""

from __future__ import annotations

import io
import wave

import pytest

from necka_tray.texts import care
from necka_tray.store import config
from necka_tray.store.state import SAFETY_SEEN, WindowMemory
from necka_tray.windows import scaling, sound


def test_the_session_settings_and_their_defaults(tmp_path):
    path = tmp_path / "config.toml"
    assert {k: v for k, v in config.load(path).settings.values.items() if k.startswith("session.")} == {
        "session.default_routine": "neck", "session.rotate": False, "session.theme": "default",
        "session.text_scale": 1.0, "session.reduced_motion": False, "session.sound": False,
        "session.voice": False}
    path.write_text('[session]\ntheme = "high-contrast"\ntext_scale = 2\nrotate = true\n'
                    'default_routine = "calm_down"\n')
    loaded = config.load(path)
    assert loaded.problems == []
    assert (loaded.settings["session.theme"], loaded.settings["session.text_scale"]) == ("high-contrast", 2)


@pytest.mark.parametrize(("line", "problem"), [
    ('theme = "dark"', 'session.theme = "dark" is not allowed: use "default" or "high-contrast"'),
    ("text_scale = 3.5", "session.text_scale = 3.5 is out of range: use a number from 0.75 to 2"),
    ('voice = "yes"', 'session.voice = "yes" has the wrong type (a string): use true or false'),
    ('text_scale = "big"', "session.text_scale = \"big\" has the wrong type (a string): use a number"),
    ('default_routine = "My Routine"', 'session.default_routine = "My Routine" is not in the right format'),
    ("sound = 1", "session.sound = 1 has the wrong type (a whole number): use true or false"),
])
def test_a_bad_session_setting_names_itself_and_keeps_the_default(tmp_path, line, problem):
    path = tmp_path / "config.toml"
    path.write_text(f"[session]\n{line}\n")
    loaded = config.load(path)
    assert len(loaded.problems) == 1 and problem in loaded.problems[0], loaded.problems
    assert loaded.settings.values == config.Settings.defaults().values


def test_the_state_file_is_written_atomically_and_a_broken_one_reads_as_empty(tmp_path):
    state = WindowMemory(tmp_path / "data" / "state.json")
    assert state.get(SAFETY_SEEN) is None
    state.update(**{SAFETY_SEEN: "2030-03-04"})
    state.update(session_geometry={"x": 1, "y": 2, "width": 600, "height": 650})
    assert state.read() == {SAFETY_SEEN: "2030-03-04", "session_geometry": {"x": 1, "y": 2, "width": 600,
                                                                            "height": 650}}
    assert (tmp_path / "data" / "state.json").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["state.json"]  # no temporary file left
    (tmp_path / "data" / "state.json").write_text("{not json")
    assert state.read() == {} and state.get(SAFETY_SEEN) is None


def test_the_chime_is_short_and_soft():
    with wave.open(io.BytesIO(sound.chime_wav())) as w:
        frames = w.readframes(w.getnframes())
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, sound.RATE)
        assert 0.2 <= w.getnframes() / w.getframerate() <= 0.5
    samples = memoryview(frames).cast("h")
    loudest = max(abs(s) for s in samples)
    assert 0.1 * 32767 < loudest <= sound.VOLUME * 32767 + 1
    assert abs(samples[-1]) < 0.02 * 32767  # fades out: no click at the end


def test_the_chime_is_played_by_the_system_player_without_waiting(tmp_path, monkeypatch):
    calls = []

    class FakePopen:
        def __init__(self, args, **kw):
            calls.append(args)

        def poll(self):
            return 0

    monkeypatch.setattr(sound.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "aplay" else None)
    monkeypatch.setattr(sound.subprocess, "Popen", FakePopen)
    chime = sound.Chime(tmp_path / "chime.wav")
    assert chime.play() and chime.play()
    assert calls == [["aplay", "-q", str(tmp_path / "chime.wav")]] * 2
    assert (tmp_path / "chime.wav").read_bytes() == sound.chime_wav()
    monkeypatch.setattr(sound.shutil, "which", lambda name: None)
    assert sound.Chime(tmp_path / "chime.wav").play() is False  # no player: silence, no error


def test_the_desktop_dpi_comes_from_xft_dpi():
    assert scaling.parse_xft_dpi("Xft.antialias:\t1\nXft.dpi:\t120\n") == 120.0
    assert scaling.parse_xft_dpi("Xft.dpi: 96.5") == 96.5
    assert scaling.parse_xft_dpi("Xft.hinting: 1") is None
    assert scaling.parse_xft_dpi("Xft.dpi: lots") is None
    assert scaling.parse_xft_dpi("Xft.dpi: 5000") is None


def test_the_care_pages_say_what_the_issue_asks():
    text = " ".join(care.all_text()).lower()
    for phrase in ("not medical advice", "never into pain", "pain gets sharper", "persist", "get worse",
                   "numbness, tingling or weakness in an arm or a hand", "after a fall or an accident",
                   "stiffness with a fever or a severe headache", "balance or with walking",
                   "warm compress or a heating pad", "ice pack", "try both", "follow the label",
                   "healthcare professional", "other health conditions"):
        assert phrase in text, phrase
    assert {care.page(n).name for n in care.PAGES} == {"care", "relief"}
    assert any(s.urgent for s in care.page(care.CARE).sections)
    with pytest.raises(ValueError):
        care.page("dosage")
