"""Messages between the tray and its helpers: typed, versioned, checked on receipt, never a traceback."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from necka_tray.children import protocol
from necka_tray.core.actions import Action, Verb
from necka_tray.children.protocol import CheckinResult, InfoClosed, MenuChoice, MenuRequest, SessionEnd, Tooltip

T = datetime(2025, 3, 3, 10, 30, tzinfo=timezone(timedelta(hours=1)))

MESSAGES = [
    SessionEnd("completed", "neck", T, T + timedelta(seconds=110), 6, 6, 110.0, 3),
    SessionEnd("stopped", "quick_release", T, T, 0, 4, 0.0),
    CheckinResult(7, T),
    CheckinResult(None),
    InfoClosed("care"),
    MenuRequest(10, -5, [{"label": "Quit Necka", "action": ["quit"]}]),
    MenuChoice(Action(Verb.PAUSE, "30m")),
    MenuChoice(Action(Verb.SESSION)),
    Tooltip("Necka: stretch break in 20 min", (1, 2, 22, 22)),
    Tooltip("Necka: paused"),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.event)
def test_every_message_survives_the_line(message):
    line = protocol.encode(message)
    assert "\n" not in line and json.loads(line)["v"] == protocol.VERSION
    assert protocol.decode(line) == message


def test_a_session_result_carries_its_start_and_end():
    body = json.loads(protocol.encode(MESSAGES[0]))
    assert body["started"] == T.isoformat() and body["ended"] == (T + timedelta(seconds=110)).isoformat()
    assert (body["routine"], body["outcome"], body["checkin"]) == ("neck", "completed", 3)


GOOD = json.loads(protocol.encode(MESSAGES[0]))


@pytest.mark.parametrize("line, problem", [
    ("", "not JSON"),
    ("{", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    (json.dumps({**GOOD, "v": 2}), "version 2"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "v"}), "version None"),
    (json.dumps({**GOOD, "event": "launch_missiles"}), "unknown event 'launch_missiles'"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "started"}), "missing 'started'"),
    (json.dumps({**GOOD, "started": "yesterday"}), "not a time"),
    (json.dumps({**GOOD, "started": "2025-03-03T10:30:00"}), "needs its UTC offset"),
    (json.dumps({**GOOD, "ended": "2025-03-03T08:00:00+01:00"}), "ended before it started"),
    (json.dumps({**GOOD, "outcome": "exploded"}), "unknown outcome"),
    (json.dumps({**GOOD, "checkin": 11}), "not a rating"),
    (json.dumps({**GOOD, "checkin": True}), "not a rating"),
    (json.dumps({**GOOD, "steps_done": -1}), "not a whole number"),
    (json.dumps({**GOOD, "duration_s": "long"}), "duration_s"),
    (json.dumps({"v": 1, "event": "checkin", "rating": 3}), "needs its time"),
    (json.dumps({"v": 1, "event": "menu_choice", "action": ["format_disk"]}), "unknown action"),
    (json.dumps({"v": 1, "event": "menu_choice", "action": ["interval", "sixty"]}), "bad argument"),
    (json.dumps({"v": 1, "event": "menu_choice", "action": "quit"}), "not an action"),
    (json.dumps({"v": 1, "event": "tooltip", "text": "x", "icon": [1, 2]}), "icon must be"),
    (json.dumps({"v": 1, "event": "menu", "x": 1, "y": 2, "entries": {}}), "entries must be a list"),
])
def test_a_bad_line_is_one_clear_problem(line, problem):
    with pytest.raises(protocol.BadMessage, match=problem):
        protocol.decode(line)


def test_parse_logs_one_line_and_gives_none(caplog):
    with caplog.at_level(logging.WARNING, logger="necka_tray.children.protocol"):
        assert protocol.parse(json.dumps({**GOOD, "v": 99}), SessionEnd, "session") is None
        assert protocol.parse(protocol.encode(InfoClosed("care")), SessionEnd, "session") is None
    assert [r.getMessage() for r in caplog.records] == [
        "action=message-ignored from=session problem=version 99, this Necka speaks 1",
        "action=message-ignored from=session problem=unexpected info",
    ]


def test_the_last_line_of_a_helpers_output_is_its_result():
    out = "some stray print\n" + protocol.encode(MESSAGES[2]) + "\n\n"
    assert protocol.last_message(out, CheckinResult, "checkin") == MESSAGES[2]
    assert protocol.last_message("", CheckinResult, "checkin") is None  # a dismissed menu prints nothing
