"""The tray menu as data: labels, actions, radio and check states."""

from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.tray.menu_model import build_menu
from necka_tray.core.actions import Action

ALL_ON = {k: True for k in Kind}


def view(**kw):
    base = dict(tooltip="Necka: stretch break in 23 min",
                status_lines=("Posture check in 3 min", "Shoulder rolls in 23 min", "Stretch break in 23 min"),
                ring_step=4, stretch_due=False, paused=False, session_running=False)
    base.update(kw)
    return TrayView(**base)


def find(entries, label):
    return next(e for e in entries if e.label == label)


def test_first_item_is_the_default_session_action():
    first = build_menu(view(), 60, ALL_ON)[0]
    assert (first.label, first.action, first.default) == ("Start stretch session", Action("session"), True)


def test_status_lines_are_shown_disabled():
    entries = build_menu(view(), 60, ALL_ON)
    lines = [e for e in entries if e.label.endswith("min") and not e.enabled]
    assert [e.label for e in lines] == list(view().status_lines)


def test_break_interval_radio_marks_the_current_choice():
    interval = find(build_menu(view(), 45, ALL_ON), "Break interval")
    assert [e.label for e in interval.children] == ["20 min", "30 min", "45 min", "60 min", "90 min"]
    assert all(e.radio for e in interval.children)
    assert [e.action for e in interval.children if e.checked] == [Action("interval", 45)]


def test_an_interval_from_the_file_outside_the_choices_is_shown_checked():
    interval = find(build_menu(view(), 50, ALL_ON), "Break interval")
    checked = [e for e in interval.children if e.checked]
    assert [e.label for e in checked] == ["50 min (from settings file)"]


def test_reminder_check_items_follow_settings():
    reminders = find(build_menu(view(), 60, {Kind.POSTURE: False, Kind.SHOULDER_ROLLS: True, Kind.STRETCH: True}),
                     "Reminders")
    assert [(e.label, e.checked, e.action) for e in reminders.children] == [
        ("Posture checks", False, Action("toggle", "posture")),
        ("Shoulder rolls", True, Action("toggle", "shoulder_rolls")),
        ("Stretch breaks", True, Action("toggle", "stretch")),
    ]


def test_pause_choices_and_resume_only_while_paused():
    entries = build_menu(view(), 60, ALL_ON)
    assert [e.action for e in find(entries, "Pause").children] == [Action("pause", "30m"), Action("pause", "1h"), Action("pause", "tomorrow")]
    assert not any(e.label == "Resume reminders" for e in entries)
    paused = build_menu(view(paused=True, tooltip="Necka: paused until 14:30"), 60, ALL_ON)
    assert find(paused, "Resume reminders").action == Action("resume")
    assert any(e.label == "Paused until 14:30" and not e.enabled for e in paused)


def test_session_item_is_disabled_while_a_session_runs():
    assert not build_menu(view(session_running=True), 60, ALL_ON)[0].enabled


def test_ends_with_settings_and_quit():
    entries = build_menu(view(), 60, ALL_ON)
    assert [e.action for e in entries[-2:]] == [Action("open_settings"), Action("quit")]


def test_start_at_login_is_a_check_item_only_when_the_app_can_set_it():
    assert all(e.label != "Start at login" for e in build_menu(view(), 60, ALL_ON))
    for on in (True, False):
        entries = build_menu(view(), 60, ALL_ON, autostart=on)
        item = find(entries, "Start at login")
        assert (item.action, item.checked) == (Action("autostart"), on)
        assert entries.index(item) == entries.index(find(entries, "Open settings file")) - 1


def test_today_lines_follow_the_status_lines_and_the_history_items_open_windows():
    today = ("Today: 3 stretches · 6 posture checks · longest sitting 52 min", "Streak: 4 days (2+ stretches a day)")
    entries = build_menu(view(), 60, ALL_ON, today=today)
    labels = [e.label for e in entries]
    first = labels.index(today[0])
    assert labels[first - 1] == view().status_lines[-1] and labels[first + 1] == today[1]
    assert not entries[first].enabled and not entries[first + 1].enabled
    assert (find(entries, "Statistics…").action, find(entries, "How is your neck today?…").action) == (
        Action("statistics"), Action("checkin"))
    assert labels.index("Pause") < labels.index("Statistics…") < labels.index("Open settings file")
    assert not any(label.startswith("Today") for label in (e.label for e in build_menu(view(), 60, ALL_ON)))


def test_routines_menu_shows_each_length_before_starting_and_what_unlocks_a_locked_one():
    from necka_tray.tray.menu_model import RoutineChoice

    choices = (RoutineChoice("neck", "Neck stretch", 110), RoutineChoice("posture_reset", "Posture reset", 44),
               RoutineChoice("strengthen", "Strengthen", 90, locked="unlocks after a week of regular sessions"))
    entries = build_menu(view(), 60, ALL_ON, routines=choices)
    assert [e.label for e in entries[:2]] == ["Start stretch session", "Routines"]
    items = find(entries, "Routines").children
    assert [(e.label, e.action, e.enabled) for e in items if not e.separator] == [
        ("Neck stretch · 2 min", Action("routine", "neck"), True),
        ("Posture reset · 45 s", Action("routine", "posture_reset"), True),
        ("Strengthen: unlocks after a week of regular sessions", None, False),
        ("Edit my routines…", Action("open_routines"), True),
    ]
    running = find(build_menu(view(session_running=True), 60, ALL_ON, routines=choices), "Routines").children
    assert not running[0].enabled  # one session at a time
    assert all(e.label != "Routines" for e in build_menu(view(), 60, ALL_ON))


def test_the_care_pages_are_one_click_from_the_menu():
    labels = [(e.label, e.action) for e in build_menu(view(), 60, ALL_ON)]
    assert ("When to see a professional…", Action("info", "care")) in labels
    assert ("Relief now…", Action("info", "relief")) in labels


def test_voice_guidance_is_a_check_item_that_says_when_no_engine_exists():
    entries = build_menu(view(), 60, ALL_ON, voice=True)
    assert find(entries, "Voice guidance").checked is True and find(entries, "Voice guidance").action == Action("voice")
    silent = build_menu(view(), 60, ALL_ON, voice=False, voice_engine=False)
    assert find(silent, "Voice guidance (no speech engine found)").checked is False
    assert not [e for e in build_menu(view(), 60, ALL_ON) if e.label.startswith("Voice")]  # None: no item


def test_find_engine_takes_the_first_engine_this_platform_has():
    from necka_tray.desktop.speech import find_engine

    assert find_engine("linux", {"espeak-ng": "/usr/bin/espeak-ng"}.get) == "espeak-ng"
    assert find_engine("linux", {"spd-say": "x", "espeak-ng": "y"}.get) == "spd-say"
    assert find_engine("linux", lambda name: None) is None


def _keys(entries, parent=""):
    for e in entries:
        yield f"{parent}/{e.key}"
        yield from _keys(e.children, f"{parent}/{e.key}")


def test_every_item_says_what_it_is_once():
    """dbusmenu ids come from these keys: each item of the fullest menu has its own, whatever its place."""
    from necka_tray.tray.menu_model import RoutineChoice

    entries = build_menu(view(stretch_due=True, paused=True), 50, ALL_ON, autostart=True, today=("a", "b"),
                         routines=(RoutineChoice("neck", "Neck", 60), RoutineChoice("desk", "Desk", 90, "later")),
                         voice=True)
    keys = list(_keys(entries))
    assert all(not k.endswith("/") for k in keys) and len(keys) == len(set(keys))
    assert "/interval/interval:50" in keys and "/routines/routine:desk" in keys
    quiet = build_menu(view(), 50, ALL_ON, autostart=True)
    assert {k for k in _keys(quiet)} < set(keys)  # fewer lines: the same keys for the items that stay
