"""One typed Action for the menu, the popup menu's reply and the control socket, dispatched by one table."""

from __future__ import annotations

import pytest

from necka_tray.core.actions import Action, Verb
from necka_tray.owner import actions


def test_every_verb_has_a_handler():
    assert set(actions.HANDLERS) == set(Verb)


@pytest.mark.parametrize("action", [
    Action(Verb.SESSION), Action("session", "neck"), Action("routine", "calm_down"), Action("snooze", 10),
    Action("skip"), Action("interval", 45), Action("toggle", "posture"), Action("pause", "1h"),
    Action("pause", 1.5), Action("info", "relief"), Action("quit"),
])
def test_actions_go_to_json_and_back(action):
    assert Action.from_json(action.to_json()) == action


@pytest.mark.parametrize("verb, arg", [
    ("nonsense", None), ("__init__", None), ("interval", "45"), ("interval", True), ("interval", 0),
    ("toggle", "everything"), ("pause", None), ("pause", float("nan")), ("pause", -5), ("info", "nonsense"),
    ("quit", "now"), ("snooze", 2.5), ("routine", None),
])
def test_a_bad_action_never_exists(verb, arg):
    with pytest.raises(ValueError):
        Action(verb, arg)


@pytest.mark.parametrize("value", ["quit", [], [1], ["quit", None, 3], {"verb": "quit"}])
def test_bad_json_is_no_action(value):
    with pytest.raises(ValueError):
        Action.from_json(value)
