"""config.toml: defaults, every kind of user mistake, and updates that keep the user's text."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from necka_tray.store import config, fsutil
from necka_tray.store.config import SCHEMA, Loaded, ReminderSettings, Settings, default_text, ensure_exists, load, update
from necka_tray.core.reminders import DEFAULT_INTERVALS, Kind

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_configs"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
DEFAULTS = Settings.defaults()
P, S, R = "reminders.posture", "reminders.shoulder_rolls", "reminders.stretch"


def load_unchanged(path: Path) -> Loaded:
    """``load``, asserting it leaves the file's bytes alone."""
    before = path.read_bytes() if path.is_file() else None
    loaded = load(path)
    assert (path.read_bytes() if path.is_file() else None) == before
    return loaded


def write(tmp_path: Path, data: str | bytes, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def only_problem(loaded: Loaded) -> str:
    assert len(loaded.problems) == 1, loaded.problems
    return loaded.problems[0]


# -- defaults and schema ------------------------------------------------------------------------


def test_defaults_come_from_the_reminder_kinds():
    for kind in Kind:
        assert DEFAULTS.reminder(kind) == ReminderSettings(enabled=True, interval_minutes=DEFAULT_INTERVALS[kind])
    assert DEFAULTS.reminder(Kind.POSTURE).interval_minutes == 20
    assert DEFAULTS.reminder(Kind.SHOULDER_ROLLS).interval_minutes == 40
    assert DEFAULTS.reminder(Kind.STRETCH).interval_minutes == 60
    assert DEFAULTS["config_version"] == 1


def test_schema_intervals_are_whole_minutes_from_5_to_240():
    for kind in Kind:
        f = SCHEMA[f"reminders.{kind.value}.interval_minutes"]
        assert (f.type, f.range) == (int, (5, 240))
        assert f.check(5) is None and f.check(240) is None
        assert f.check(4) and f.check(241) and f.check(True) and f.check(20.0) and f.check("20")
        assert SCHEMA[f"reminders.{kind.value}.enabled"].check(1)


def test_settings_replace_validates():
    s = DEFAULTS.replace({f"{R}.interval_minutes": 45})
    assert s.reminder(Kind.STRETCH).interval_minutes == 45 and DEFAULTS.reminder(Kind.STRETCH).interval_minutes == 60
    with pytest.raises(ValueError, match="from 5 to 240"):
        DEFAULTS.replace({f"{R}.interval_minutes": 1})
    with pytest.raises(ValueError, match="unknown setting"):
        DEFAULTS.replace({"reminders.nap.enabled": True})


def test_default_text_is_commented_and_parses_to_the_defaults():
    text = default_text()
    assert text.startswith("# Necka settings (config.toml)")
    assert tomllib.loads(text)["reminders"]["stretch"]["interval_minutes"] == 60
    for key, f in SCHEMA.items():
        assert f"# {f.help}\n# Allowed: {f.allowed}. Default: " in text
    assert "a whole number of minutes from 5 to 240" in text


def test_missing_file_gives_defaults_without_problems(tmp_path):
    loaded = load(tmp_path / "nope" / "config.toml")
    assert (loaded.settings, loaded.problems, loaded.exists, loaded.parsed) == (DEFAULTS, [], False, False)
    assert not (tmp_path / "nope").exists()


def test_empty_file_gives_defaults_without_problems(tmp_path):
    loaded = load_unchanged(write(tmp_path, ""))
    assert (loaded.settings, loaded.problems, loaded.exists, loaded.parsed) == (DEFAULTS, [], True, True)


def test_valid_file_is_used(tmp_path):
    path = write(tmp_path, "config_version = 1\n[reminders.posture]\nenabled = false\n"
                           "[reminders.stretch]\ninterval_minutes = 45\n")
    loaded = load_unchanged(path)
    assert loaded.problems == [] and loaded.parsed
    assert loaded.settings.reminder(Kind.POSTURE) == ReminderSettings(False, 20)
    assert loaded.settings.reminder(Kind.STRETCH).interval_minutes == 45


# -- problems: each names the key or line, the allowed values and the default used -----------


def test_out_of_range_message(tmp_path):
    loaded = load_unchanged(write(tmp_path, "[reminders.posture]\ninterval_minutes = -5\nenabled = false\n"))
    assert only_problem(loaded) == (f"{tmp_path / 'config.toml'}: reminders.posture.interval_minutes = -5 is out of range: "
                                    "use a whole number of minutes from 5 to 240. Using the default (20).")
    assert loaded.settings.reminder(Kind.POSTURE) == ReminderSettings(False, 20)


@pytest.mark.parametrize("value, type_name", [("true", "a boolean"), ("20.0", "a decimal number"),
                                               ('"20"', "a string"), ("[20]", "an array")])
def test_wrong_type_for_interval(tmp_path, value, type_name):
    loaded = load_unchanged(write(tmp_path, f"[reminders.stretch]\ninterval_minutes = {value}\nenabled = false\n"))
    problem = only_problem(loaded)
    assert problem.startswith(f"{tmp_path / 'config.toml'}: reminders.stretch.interval_minutes = {value} has the wrong type ({type_name})")
    assert "from 5 to 240" in problem and problem.endswith("Using the default (60).")
    assert loaded.settings.reminder(Kind.STRETCH) == ReminderSettings(False, 60)


def test_wrong_type_for_enabled(tmp_path):
    loaded = load_unchanged(write(tmp_path, "[reminders.posture]\nenabled = 1\ninterval_minutes = 30\n"))
    problem = only_problem(loaded)
    assert "reminders.posture.enabled = 1" in problem and "use true or false" in problem and "default (true)" in problem
    assert loaded.settings.reminder(Kind.POSTURE) == ReminderSettings(True, 30)


def test_broken_toml_names_line_and_column_and_uses_all_defaults(tmp_path):
    loaded = load_unchanged(write(tmp_path, "[reminders.stretch]\ninterval_minutes = 30\nenabled = yes\n"))
    problem = only_problem(loaded)
    assert problem.startswith(f"{tmp_path / 'config.toml'}: line 3, column 11: invalid TOML")
    assert "toml.io" in problem and "defaults for every setting" in problem
    assert (loaded.settings, loaded.exists, loaded.parsed) == (DEFAULTS, True, False)


def test_unknown_key_is_ignored_with_a_suggestion(tmp_path):
    loaded = load_unchanged(write(tmp_path, "[reminders.stretch]\nintervall_minutes = 30\nenabled = false\n"))
    problem = only_problem(loaded)
    assert "unknown setting reminders.stretch.intervall_minutes is ignored" in problem
    assert "known in [reminders.stretch]: enabled, interval_minutes" in problem
    assert problem.endswith("Did you mean reminders.stretch.interval_minutes?")
    assert loaded.settings.reminder(Kind.STRETCH) == ReminderSettings(False, 60)


def test_unknown_key_without_a_close_match_gets_no_suggestion(tmp_path):
    problem = only_problem(load_unchanged(write(tmp_path, "[reminders.stretch]\nx = 1\n")))
    assert "reminders.stretch.x" in problem and "Did you mean" not in problem


def test_table_where_a_value_is_expected_and_vice_versa(tmp_path):
    loaded = load_unchanged(write(tmp_path, "[reminders]\nposture = 5\nstretch = { interval_minutes = { a = 1 }, enabled = false }\n"))
    a, b = loaded.problems
    assert a.startswith(f"{tmp_path / 'config.toml'}: reminders.posture = 5 should be a table ([reminders.posture] holding enabled, interval_minutes)")
    assert b.startswith(f"{tmp_path / 'config.toml'}: reminders.stretch.interval_minutes is a table, but a value is expected: use a whole number")
    assert loaded.settings.reminder(Kind.STRETCH) == ReminderSettings(False, 60)
    assert loaded.settings.reminder(Kind.POSTURE) == DEFAULTS.reminder(Kind.POSTURE)


def test_invalid_utf8_names_the_line(tmp_path):
    loaded = load_unchanged(write(tmp_path, b"[reminders.stretch]\ninterval_minutes = 30 # caf\xe9\n"))
    problem = only_problem(loaded)
    assert problem.startswith(f"{tmp_path / 'config.toml'}: line 2, column 28: byte 0xe9 is not valid UTF-8") and "save the file as UTF-8" in problem
    assert (loaded.settings, loaded.parsed) == (DEFAULTS, False)


def test_utf8_bom_is_reported_and_skipped(tmp_path):
    loaded = load_unchanged(write(tmp_path, b"\xef\xbb\xbf[reminders.stretch]\ninterval_minutes = 30\n"))
    assert "byte-order mark" in only_problem(loaded) and "line 1" in only_problem(loaded)
    assert loaded.parsed and loaded.settings.reminder(Kind.STRETCH).interval_minutes == 30


def test_directory_at_the_path(tmp_path):
    (tmp_path / "config.toml").mkdir()
    loaded = load(tmp_path / "config.toml")
    assert "is a directory" in only_problem(loaded) and "config.toml" in only_problem(loaded)
    assert (loaded.settings, loaded.exists, loaded.parsed) == (DEFAULTS, True, False)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_chmod(tmp_path):
    path = write(tmp_path, "[reminders.stretch]\ninterval_minutes = 30\n")
    path.chmod(0)
    try:
        loaded = load(path)
    finally:
        path.chmod(0o600)
    assert "cannot be read" in only_problem(loaded) and loaded.settings == DEFAULTS


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    path = write(tmp_path, "[reminders.stretch]\ninterval_minutes = 30\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fsutil.os, "open", denied)
    loaded = load(path)
    monkeypatch.undo()
    assert only_problem(loaded) == f"{path}: cannot be read (Permission denied). Using the defaults for every setting."
    assert (loaded.settings, loaded.exists, loaded.parsed) == (DEFAULTS, True, False)


def test_huge_file_is_not_read(tmp_path):
    path = write(tmp_path, b"# " + b"x" * (config.MAX_BYTES + 10) + b"\n")
    assert "too large" in only_problem(load_unchanged(path))


def test_many_problems_are_capped(tmp_path):
    path = write(tmp_path, "[reminders.stretch]\n" + "".join(f"k{i} = 1\n" for i in range(100)) + "interval_minutes = 30\n")
    loaded = load_unchanged(path)
    assert len(loaded.problems) == config.MAX_PROBLEMS + 1
    assert loaded.problems[-1] == f"{tmp_path / 'config.toml'}: ... and 80 more problems."
    assert loaded.settings.reminder(Kind.STRETCH).interval_minutes == 30


# -- the corpus of broken files -----------------------------------------------------------------


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.toml")


def test_corpus_is_complete():
    assert len(corpus_files()) >= 30
    assert set(corpus_files()) == set(EXPECTED)


@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file(name):
    expected = EXPECTED[name]
    loaded = load_unchanged(CORPUS / name)
    assert loaded.exists
    if expected.get("no_problems"):
        assert loaded.problems == []
    else:
        assert loaded.problems and expected["mention"]
    joined = "\n".join(loaded.problems)
    for text in expected.get("mention", []):
        assert text in joined
    for problem in loaded.problems:
        assert problem.startswith(f"{CORPUS / name}: ") and len(problem) - len(str(CORPUS)) < 400
    if expected.get("all_defaults"):
        assert loaded.settings == DEFAULTS
    for key in expected.get("defaults", []):
        assert loaded.settings[key] == DEFAULTS[key]
    for key, value in expected.get("values", {}).items():
        assert loaded.settings[key] == value


# -- update: edit in place, keep everything else ------------------------------------------------

USER_FILE = (
    "# My Necka settings, edited by hand.\r\n"
    "\r\n"
    "[reminders.stretch]   # the long breaks\r\n"
    "interval_minutes  =  60   # one hour # really\r\n"
    "enabled = true\r\n"
    "\r\n"
    "# posture comes next\r\n"
    "[reminders.posture]\r\n"
    "enabled = false\r\n"
    "\r\n"
    "# trailing comment\r\n"
)


def test_update_changes_only_the_value(tmp_path):
    path = write(tmp_path, USER_FILE)
    messages = update(path, {f"{R}.interval_minutes": 45})
    assert path.read_bytes() == USER_FILE.replace("=  60   #", "=  45   #").encode()
    assert (tmp_path / "config.toml.bak").read_bytes() == USER_FILE.encode()
    assert messages[0].startswith(f"{path}: ") and f"kept as {tmp_path / 'config.toml.bak'})" in messages[0]
    assert "reminders.stretch.interval_minutes = 45" in messages[0]
    loaded = load(path)
    assert loaded.problems == [] and loaded.settings.reminder(Kind.STRETCH).interval_minutes == 45
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_update_inserts_missing_key_in_its_table_and_appends_missing_table(tmp_path):
    path = write(tmp_path, USER_FILE)
    update(path, {f"{P}.interval_minutes": 10, f"{S}.enabled": False})
    # tomlkit adds a key at the end of its table (after the table's last comment), a table at the end.
    assert path.read_bytes() == (USER_FILE + "interval_minutes = 10\r\n"
                                 "\r\n[reminders.shoulder_rolls]\r\nenabled = false\r\n").encode()
    loaded = load(path)
    assert loaded.problems == []
    assert loaded.settings.reminder(Kind.POSTURE) == ReminderSettings(False, 10)
    assert loaded.settings.reminder(Kind.SHOULDER_ROLLS) == ReminderSettings(False, 40)
    assert loaded.settings.reminder(Kind.STRETCH).interval_minutes == 60


def test_update_on_a_file_without_trailing_newline(tmp_path):
    path = write(tmp_path, "[reminders.stretch]\nenabled = true")
    update(path, {f"{R}.interval_minutes": 30, f"{P}.enabled": False})
    assert path.read_text() == ("[reminders.stretch]\nenabled = true\ninterval_minutes = 30\n"
                                "\n[reminders.posture]\nenabled = false\n")


def test_update_top_level_dotted_keys_in_place(tmp_path):
    path = write(tmp_path, "reminders.stretch.interval_minutes = 60 # dotted\n")
    update(path, {f"{R}.interval_minutes": 90, f"{P}.enabled": False})
    assert path.read_text() == "reminders.stretch.interval_minutes = 90 # dotted\n\n[reminders.posture]\nenabled = false\n"


def test_update_dotted_keys_inside_a_parent_table(tmp_path):
    # A [reminders.stretch] header would clash with the dotted keys: the key is added dotted instead.
    path = write(tmp_path, "[reminders]\nstretch.enabled = true\n")
    update(path, {f"{R}.interval_minutes": 30})
    assert path.read_text() == "[reminders]\nstretch.enabled = true\nstretch.interval_minutes = 30\n"
    assert load(path).settings.reminder(Kind.STRETCH).interval_minutes == 30


def test_update_does_not_edit_inside_multiline_strings(tmp_path):
    text = '[reminders.stretch]\nnote = """\ninterval_minutes = 5\n"""\ninterval_minutes = "a#b" # c\n'
    path = write(tmp_path, text)
    update(path, {f"{R}.interval_minutes": 30})
    assert path.read_text() == text.replace('"a#b" # c', "30 # c")


def test_update_replaces_a_wrong_value(tmp_path):
    path = write(tmp_path, "[reminders.posture]\ninterval_minutes = -5 # oops\n")
    update(path, {f"{P}.interval_minutes": 25})
    assert path.read_text() == "[reminders.posture]\ninterval_minutes = 25 # oops\n"


def test_update_missing_file_writes_the_commented_default_file(tmp_path):
    path = tmp_path / "new" / "dir" / "config.toml"
    messages = update(path, {f"{R}.interval_minutes": 30})
    assert path.read_text() == default_text({f"{R}.interval_minutes": 30})
    assert "wrote a new settings file" in messages[0]
    loaded = load(path)
    assert loaded.problems == [] and loaded.settings == DEFAULTS.replace({f"{R}.interval_minutes": 30})
    assert not (path.parent / "config.toml.bak").exists()


def test_update_empty_file_writes_the_default_file(tmp_path):
    path = write(tmp_path, "\n")
    update(path, {f"{R}.enabled": False})
    assert path.read_text() == default_text({f"{R}.enabled": False})
    assert (tmp_path / "config.toml.bak").read_bytes() == b"\n"


@pytest.mark.parametrize("data", [b"[reminders.stretch\ninterval_minutes = 30\n", b"# caf\xe9\n", "x = 1\n".encode("utf-16")])
def test_update_unparsable_file_moves_it_aside(tmp_path, data):
    path = write(tmp_path, data)
    messages = update(path, {f"{R}.interval_minutes": 30})
    backups = sorted(tmp_path.glob("config.toml.broken-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == data
    assert f"moved to {backups[0]} and" in messages[0] and "could not be read" in messages[0]  # full paths
    assert backups[0].name[len("config.toml.broken-"):].replace("-", "").isdigit()
    assert path.read_text() == default_text({f"{R}.interval_minutes": 30})
    assert load(path).problems == []
    # A second failure in the same second gets its own backup.
    path.write_bytes(data)
    update(path, {f"{R}.interval_minutes": 35})
    assert len(list(tmp_path.glob("config.toml.broken-*"))) == 2
    assert load(path).settings.reminder(Kind.STRETCH).interval_minutes == 35


@pytest.mark.parametrize("text, change, after", [
    # Issue 12 item 8: valid files with inline tables or dotted keys are edited in place, never moved aside.
    ("[reminders]\nposture = { enabled = false }  # inline\nstretch.interval_minutes = 45\n",
     {f"{P}.interval_minutes": 30},
     "[reminders]\nposture = { enabled = false, interval_minutes = 30}  # inline\nstretch.interval_minutes = 45\n"),
    ("# mine\nreminders = { stretch = { interval_minutes = 30 } }  # all inline\nsession.sound = false\n",
     {f"{R}.interval_minutes": 45, "session.sound": True},
     "# mine\nreminders = { stretch = { interval_minutes = 45 } }  # all inline\nsession.sound = true\n"),
    ("reminders.stretch.interval_minutes = 30 # dotted\n[session]\nsound=false\n",
     {"session.theme": "high-contrast"},
     'reminders.stretch.interval_minutes = 30 # dotted\n[session]\nsound=false\ntheme = "high-contrast"\n'),
    ("[reminders]\nstretch = {}\n", {f"{R}.interval_minutes": 45},
     "[reminders]\nstretch = {interval_minutes = 45}\n"),
])
def test_update_edits_any_valid_toml_in_place(tmp_path, text, change, after):
    path = write(tmp_path, text)
    messages = update(path, change)
    assert path.read_text() == after and "saved" in messages[0]
    assert not list(tmp_path.glob("config.toml.broken-*"))
    assert (tmp_path / "config.toml.bak").read_text() == text
    loaded = load(path)
    assert loaded.problems == [] and all(loaded.settings[k] == v for k, v in change.items())


def test_update_moves_the_file_aside_when_the_edit_would_not_be_valid(tmp_path, monkeypatch):
    import tomlkit

    text = "[reminders]\nposture = { enabled = false }\nstretch.interval_minutes = 45\n"
    path = write(tmp_path, text)
    monkeypatch.setattr(tomlkit, "dumps", lambda doc: "[reminders]\nbroken = \n")  # an editor bug
    messages = update(path, {f"{P}.interval_minutes": 30})
    (backup,) = tmp_path.glob("config.toml.broken-*")
    assert backup.read_bytes() == text.encode() and "could not be edited safely" in messages[0]
    loaded = load(path)
    assert loaded.problems == []
    assert loaded.settings.reminder(Kind.POSTURE) == ReminderSettings(False, 30)
    assert loaded.settings.reminder(Kind.STRETCH).interval_minutes == 45


def test_update_removes_a_bom(tmp_path):
    data = b"\xef\xbb\xbf[reminders.stretch]\ninterval_minutes = 60\n"
    path = write(tmp_path, data)
    messages = update(path, {f"{R}.interval_minutes": 30})
    assert path.read_bytes() == b"[reminders.stretch]\ninterval_minutes = 30\n"
    assert (tmp_path / "config.toml.bak").read_bytes() == data and "byte-order mark" in messages[0]


@pytest.mark.parametrize("changes, match", [
    ({"reminders.nap.enabled": True}, "unknown setting"),
    ({f"{R}.interval_minutes": 4}, "out of range"),
    ({f"{R}.interval_minutes": True}, "wrong type"),
    ({f"{R}.interval_minutes": 30.0}, "wrong type"),
    ({f"{R}.enabled": 1}, "wrong type"),
])
def test_update_rejects_programming_errors(tmp_path, changes, match):
    path = write(tmp_path, USER_FILE)
    with pytest.raises(ValueError, match=match):
        update(path, changes)
    assert path.read_bytes() == USER_FILE.encode() and not (tmp_path / "config.toml.bak").exists()


def test_update_without_changes_does_nothing(tmp_path):
    path = write(tmp_path, USER_FILE)
    assert update(path, {}) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_update_on_a_directory_raises_oserror(tmp_path):
    (tmp_path / "config.toml").mkdir()
    with pytest.raises(OSError):
        update(tmp_path / "config.toml", {f"{R}.enabled": False})


# -- ensure_exists ------------------------------------------------------------------------------


def test_ensure_exists_writes_the_default_file_once(tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    assert ensure_exists(path) is True
    assert path.read_text() == default_text()
    assert load(path).problems == [] and load(path).settings == DEFAULTS
    path.write_text("# mine\n")
    assert ensure_exists(path) is False
    assert path.read_text() == "# mine\n"


def test_ensure_exists_leaves_a_broken_file_alone(tmp_path):
    path = write(tmp_path, b"\xff\xfe garbage")
    assert ensure_exists(path) is False
    assert path.read_bytes() == b"\xff\xfe garbage"


# -- issue 12 item 8: symlinked and read-only files ----------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="symlinks and modes are POSIX")
def test_update_writes_through_a_symlink_and_it_stays_a_symlink(tmp_path):
    (tmp_path / "dotfiles").mkdir()
    target = tmp_path / "dotfiles" / "necka.toml"
    target.write_text("# from my dotfiles\n[reminders.stretch]\ninterval_minutes = 60\n")
    path = tmp_path / "config.toml"
    path.symlink_to(target)
    update(path, {f"{R}.interval_minutes": 30})
    assert path.is_symlink() and os.readlink(path) == str(target)
    assert target.read_text() == "# from my dotfiles\n[reminders.stretch]\ninterval_minutes = 30\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["necka.toml"]  # no temporary left
    assert load(path).settings.reminder(Kind.STRETCH).interval_minutes == 30


@pytest.mark.skipif(os.name != "posix", reason="symlinks are POSIX")
def test_a_broken_symlinked_file_is_moved_aside_beside_its_target_and_the_link_stays(tmp_path):
    (tmp_path / "dotfiles").mkdir()
    target = tmp_path / "dotfiles" / "necka.toml"
    target.write_text("[broken\n")
    path = tmp_path / "config.toml"
    path.symlink_to(target)
    messages = update(path, {f"{R}.interval_minutes": 30})
    (backup,) = (tmp_path / "dotfiles").glob("necka.toml.broken-*")
    assert backup.read_text() == "[broken\n" and backup.name in messages[0]
    assert path.is_symlink() and os.readlink(path) == str(target)
    assert load(path).settings.reminder(Kind.STRETCH).interval_minutes == 30 and load(path).problems == []


@pytest.mark.skipif(os.name != "posix", reason="modes are POSIX")
@pytest.mark.parametrize("text", ["[reminders.stretch]\ninterval_minutes = 60\n", "[broken\n"])
def test_update_never_rewrites_a_read_only_file(tmp_path, text):
    path = write(tmp_path, text)
    path.chmod(0o444)
    with pytest.raises(PermissionError, match="read-only, so the change was not saved"):
        update(path, {f"{R}.interval_minutes": 30})
    assert path.read_text() == text and path.stat().st_mode & 0o777 == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_tomlkit_is_imported_only_to_write(tmp_path):
    """The tray reads its settings at every start: tomlkit (a write-only need) stays out of it."""
    import subprocess
    import sys

    path = write(tmp_path, USER_FILE)
    code = ("import sys; from necka_tray.store import config; import necka_tray.tray.app; "
            f"config.load({str(path)!r}); assert 'tomlkit' not in sys.modules, 'loaded to read'; "
            f"config.update({str(path)!r}, {{'session.sound': True}}); assert 'tomlkit' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.skipif(os.name != "posix", reason="symlinks and modes are POSIX")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o664])
@pytest.mark.parametrize("text", ["[reminders.stretch]\ninterval_minutes = 60\n",  # edited in place
                                  "[reminders.stretch\n",  # broken: moved aside, a fresh file written
                                  ""])  # empty: the commented default file written
def test_a_change_through_a_symlink_keeps_the_targets_mode(tmp_path, mode, text):
    """Issue 28 item 8: a dotfiles file keeps the mode its owner gave it, whatever the write."""
    (tmp_path / "dotfiles").mkdir()
    target = tmp_path / "dotfiles" / "necka.toml"
    target.write_text(text)
    os.chmod(target, mode)
    path = tmp_path / "config.toml"
    path.symlink_to(target)
    update(path, {f"{R}.interval_minutes": 30})
    assert path.is_symlink() and load(path).settings.reminder(Kind.STRETCH).interval_minutes == 30
    assert target.stat().st_mode & 0o777 == mode
    update(path, {f"{R}.interval_minutes": 40})  # and again, in place
    assert target.stat().st_mode & 0o777 == mode


@pytest.mark.skipif(os.name != "posix", reason="modes are POSIX")
def test_necka_s_own_settings_file_stays_the_users_only(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[reminders.stretch]\ninterval_minutes = 60\n")
    os.chmod(path, 0o644)
    update(path, {f"{R}.interval_minutes": 30})
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("text, where", [
    ("[session]\nvoice = true\0\n", "line 2, column 13"),
    ("\0", "line 1, column 1"),
    ('[ui]\nlanguage = "de\0"\n', "line 2, column 15"),
])
def test_a_nul_byte_is_named_with_its_line(tmp_path, text, where):
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode())
    problem = only_problem(load(path))
    assert problem.startswith(f"{tmp_path / 'config.toml'}: {where}: invalid TOML: a NUL byte (0x00), which TOML does not allow")
    assert path.read_bytes() == text.encode()  # nothing the user saved is touched


def test_a_nul_byte_in_routines_toml_is_named_too(tmp_path):
    from necka_tray.store.routines import load_catalogue

    path = tmp_path / "routines.toml"
    path.write_bytes(b'[routines.a]\ntitle = "x\0"\n')
    assert load_catalogue(path).problem.startswith(f"{tmp_path / 'routines.toml'}: line 2, column 11: not valid TOML: a NUL byte")
