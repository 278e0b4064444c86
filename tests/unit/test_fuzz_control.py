"""Property tests (Hypothesis) of the parsers of outside input on the control path.

The IPC message parser (``ipc.decode``), the server's envelope and request ids
(``ipc_server.Server.reply_to``), the app's request validation
(``control.Handler``), and the command line's durations and ratings: whatever
they are given, they return a value or raise their documented error, never
anything else, and quickly. The "ci" profile (tests/conftest.py) runs 2,000
cases per parser; ``--hypothesis-profile=long`` runs 50,000.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

from necka_tray.cli.checkin import rating  # noqa: E402
from necka_tray.core.durations import parse_duration  # noqa: E402
from necka_tray.store.paths import AppPaths  # noqa: E402
from necka_tray.channel import control, ipc, ipc_server  # noqa: E402

from .test_control_handler import FakeApp  # noqa: E402

#: CPU seconds of the calling thread (not wall time: a loaded machine must not fail it); real costs are ~1 ms.
TIME_BOUND = 0.25

huge_ints = st.one_of(st.integers(), st.integers(min_value=10**15, max_value=10**400),
                      st.integers(min_value=-10**400, max_value=-10**15))
scalars = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=20), st.sampled_from(list(control.COMMANDS) + ["tomorrow", "id", ""]))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=8)
keys = st.sampled_from(["command", "minutes", "until", "id", "x"])
requests = st.dictionaries(keys, st.one_of(json_values, st.sampled_from(list(control.COMMANDS))), max_size=4)


def _bounded(fn, *args):
    gc.disable()  # a collection of Hypothesis's own heap is no cost of the parser's
    start = time.thread_time()
    try:
        return fn(*args)
    finally:
        took = time.thread_time() - start
        gc.enable()
        assert took < TIME_BOUND


def _nested(depth: int, kind: str) -> bytes:
    return (b"[" * depth + b"]" * depth) if kind == "list" else (b'{"a":' * depth + b"1" + b"}" * depth)


# -- the message parser -------------------------------------------------------------------------


@given(st.one_of(st.binary(max_size=ipc.MAX_REQUEST),
                 json_values.map(lambda v: json.dumps(v).encode()),
                 requests.map(lambda v: json.dumps(v).encode()),
                 st.builds(_nested, st.integers(0, 8000), st.sampled_from(["list", "dict"])),
                 st.integers(0, 6000).map(lambda n: b'{"minutes": 1' + b"0" * n + b"}")))
def test_decode_returns_an_object_or_raises_value_error(data):
    try:
        message = _bounded(ipc.decode, data)
    except ValueError:
        return
    assert isinstance(message, dict)
    # What passes holds only numbers every later check can compare and convert.
    ipc.encode(message)


@given(st.one_of(st.binary(max_size=2048), requests.map(lambda v: json.dumps(v).encode()),
                 st.builds(_nested, st.integers(0, 8000), st.sampled_from(["list", "dict"]))))
def test_the_server_answers_any_bytes_with_a_reply_and_runs_each_id_once(data):
    runs = []
    server = ipc_server.Server(AppPaths(Path("/nonexistent"), Path("/nonexistent"), Path("/nonexistent")),
                               lambda r: runs.append(r) or {"ok": True, "message": ""}, post=lambda fn: fn())
    reply = _bounded(server.reply_to, data)
    again = server.reply_to(data)
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool)
    ipc.encode(reply)
    if reply["ok"]:
        assert "id" not in runs[0]
        has_id = ipc.decode(data).get("id") is not None
        assert len(runs) == (1 if has_id else 2) and again == reply
    else:
        assert reply["error"] and runs == []


@given(requests)
def test_the_handler_validates_any_request(request_):
    app = FakeApp()
    handle = control.Handler(app, {"tray_backend": "fake"})
    reply = _bounded(handle, request_)
    assert isinstance(reply, dict) and isinstance(reply["ok"], bool)
    ipc.encode(reply)  # plain JSON, no NaN
    if not reply["ok"]:
        assert reply["error"] and len(reply["error"]) < 300
        assert app.actions == [] and app.posted == []


@given(huge_ints | st.floats())
def test_any_number_of_minutes_is_checked_without_overflow(minutes):
    app = FakeApp()
    reply = control.Handler(app, {})({"command": "pause", "minutes": minutes})
    assert reply["ok"] == (1 <= minutes <= 1440)


# -- the command line ---------------------------------------------------------------------------


digit_like = st.sampled_from(list("0123456789") + ["\u0661", "\u0662", "\uff11", "\uff12", "\u0966", "_", "-",
                                                   "\u2212", "+", " ", ".", "\u00b2"])
duration_like = st.one_of(
    st.text(max_size=40),
    st.lists(st.tuples(st.text(digit_like, min_size=1, max_size=6), st.sampled_from("hmsHMSdx ")), max_size=4)
    .map(lambda parts: "".join(n + u for n, u in parts)),
    st.integers(0, 6000).map(lambda n: "9" * n + "m"),
)


@given(duration_like)
def test_durations_parse_or_say_why(text):
    try:
        value = _bounded(parse_duration, text, timedelta(minutes=1), timedelta(days=1))
    except ValueError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 200
        return
    assert timedelta(minutes=1) <= value <= timedelta(days=1)
    assert text.strip().isascii() or not any(c.isdigit() and not c.isascii() for c in text)


@given(st.one_of(st.text(max_size=20), st.text(digit_like, max_size=6), st.integers(-20, 20).map(str)))
def test_ratings_parse_or_say_why(text):
    try:
        value = _bounded(rating, text)
    except argparse.ArgumentTypeError as exc:
        assert "\n" not in str(exc)
        return
    assert 0 <= value <= 10 and text.strip().isascii() and text.strip().isdigit()
