"""Choosing the monitor and placing a window on it: pure functions of rectangles."""

from __future__ import annotations

from necka_tray.windows.monitors import Rect, centred, clamped, pick

LEFT, RIGHT = Rect(0, 0, 1280, 800), Rect(1280, 0, 1920, 1080)


def test_the_pointers_monitor_wins_then_the_focused_window_then_the_first():
    assert pick([LEFT, RIGHT], (1300, 10)) == RIGHT
    assert pick([LEFT, RIGHT], (1279, 799)) == LEFT
    assert pick([LEFT, RIGHT], (5000, 5000), focus=Rect(1500, 100, 400, 300)) == RIGHT
    assert pick([LEFT, RIGHT], None) == LEFT
    assert pick([], (0, 0)) is None


def test_centred_on_its_monitor_and_never_off_its_top_left():
    assert centred(RIGHT, 600, 600) == (1280 + 660, 160)
    assert centred(LEFT, 2000, 900) == (0, 0)
    assert RIGHT.holds(Rect(*centred(RIGHT, 600, 600), 600, 600))


def test_clamped_keeps_a_menu_on_the_icons_monitor():
    # An icon at the right edge of the left monitor: the menu must not spill onto the right one.
    assert clamped(LEFT, 1250, 30, 200, 300) == (1080, 30)
    assert clamped(RIGHT, 1290, 1000, 200, 300) == (1290, 780)
    assert clamped(LEFT, 10, 10, 200, 300) == (10, 10)
