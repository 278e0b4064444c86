"""The activation token of a click: passed on once, to the next window, and only soon after the click."""

from necka_tray.children import activation


def test_a_token_goes_to_one_window_as_both_variables():
    activation.offer("tok", now=100.0)
    assert activation.env(now=101.0) == {"XDG_ACTIVATION_TOKEN": "tok", "DESKTOP_STARTUP_ID": "tok"}
    assert activation.env(now=101.5) == {}


def test_a_token_from_a_click_long_ago_is_dropped():
    activation.offer("old", now=100.0)
    assert activation.take(now=100.0 + activation.TTL_S + 1) is None
    activation.offer("", now=200.0)
    assert activation.take(now=200.0) is None
