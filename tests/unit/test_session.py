"""The stretch session state machine, driven by plain monotonic numbers."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from necka_tray.core.clock import FakeClock, TimeScale
from necka_tray.core.routine import builtin_routines, load_routines
from necka_tray.core.session import TRANSITIONS, SessionMove, State, StretchSession, countdown

NECK = builtin_routines()["neck"]  # 15, 15, 15, 15, 20, 30 = 110 s
T0 = 1000.0


def started(scale: float = 1.0) -> StretchSession:
    s = StretchSession(NECK, TimeScale(scale))
    assert s.start(T0)
    return s


def test_before_start_it_shows_the_first_step_frozen():
    s = StretchSession(NECK)
    v = s.view(T0)
    assert (v.state, v.step_index, v.step_count, v.display_seconds) == (State.READY, 0, 6, 15)
    assert v.next_change_in is None and v.progress == 0


def test_first_step_counts_down_and_says_when_the_number_changes():
    s = started()
    v = s.view(T0)
    assert (v.state, v.step_index, v.step_number, v.exercise.id) == (State.RUNNING, 0, 1, "tilt_left")
    assert (v.seconds_left, v.display_seconds, v.next_change_in) == (15, 15, 1.0)
    v = s.view(T0 + 0.25)
    assert (v.display_seconds, v.next_change_in) == (15, pytest.approx(0.75))
    v = s.view(T0 + 14.5)
    assert (v.display_seconds, v.next_change_in) == (1, pytest.approx(0.5))


def test_steps_follow_each_other_with_a_clock():
    clock = FakeClock(datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc), mono=T0)
    s = StretchSession(NECK)
    s.start(clock.monotonic())
    seen = []
    for _ in range(110):
        clock.advance(1)
        s.tick(clock.monotonic())
        v = s.view(clock.monotonic())
        seen.append((v.step_index, v.display_seconds, v.state))
    assert seen[13] == (0, 1, State.RUNNING)
    assert seen[14] == (1, 15, State.RUNNING)
    assert seen[59] == (4, 20, State.RUNNING)
    assert seen[79] == (5, 30, State.RUNNING)
    assert seen[108] == (5, 1, State.RUNNING)
    assert seen[109][2] is State.COMPLETED
    assert s.state is State.COMPLETED


def test_tick_reports_changes():
    s = started()
    assert not s.tick(T0 + 5)
    assert s.tick(T0 + 15)
    assert s.view(T0 + 15).step_index == 1
    assert not s.tick(T0 + 16)


def test_a_long_gap_crosses_several_steps_and_carries_the_remainder():
    s = started()
    s.tick(T0 + 31)
    v = s.view(T0 + 31)
    assert (v.step_index, v.seconds_left, v.steps_done) == (2, 14, 2)


def test_completion_is_when_the_last_step_ends_not_when_noticed():
    s = started()
    v = s.view(T0 + 500)  # a view does not change the session ...
    assert v.state is State.COMPLETED and v.progress == 1 and v.next_change_in is None
    assert s.state is State.RUNNING
    assert s.tick(T0 + 500)  # ... a tick does
    assert s.state is State.COMPLETED
    assert s.ended_at == pytest.approx(T0 + 110)
    assert s.duration(T0 + 999) == pytest.approx(110)
    v = s.view(T0 + 600)
    assert (v.steps_done, v.steps_skipped, v.step_index, v.seconds_left) == (6, 0, 5, 0)


def test_total_duration():
    assert NECK.total_seconds == 110
    s = started()
    s.tick(T0 + 109.9)
    assert s.state is State.RUNNING
    s.tick(T0 + 110)
    assert s.state is State.COMPLETED


def test_progress_is_over_the_whole_routine():
    s = started()
    assert s.view(T0 + 11).progress == pytest.approx(11 / 110)
    assert s.view(T0 + 80).progress == pytest.approx(80 / 110)


def test_pause_and_resume_keep_the_remaining_time():
    s = started()
    assert s.pause(T0 + 5)
    v = s.view(T0 + 500)
    assert (v.state, v.step_index, v.seconds_left, v.next_change_in) == (State.PAUSED, 0, 10, None)
    assert s.resume(T0 + 500)
    v = s.view(T0 + 504)
    assert (v.state, v.step_index, v.seconds_left) == (State.RUNNING, 0, 6)
    s.tick(T0 + 510)
    assert s.view(T0 + 510).step_index == 1
    assert s.duration(T0 + 510) == 510  # pauses count as time spent


def test_toggle_pause():
    s = started()
    assert s.toggle_pause(T0 + 2)
    assert s.state is State.PAUSED
    assert s.toggle_pause(T0 + 3)
    assert s.state is State.RUNNING
    assert s.view(T0 + 3).seconds_left == 13


def test_pausing_after_a_step_ended_pauses_the_next_step():
    s = started()
    assert s.pause(T0 + 16)  # step 0 ended at +15, unseen
    v = s.view(T0 + 100)
    assert (v.step_index, v.seconds_left, v.steps_done) == (1, 14, 1)


def test_skip_moves_on_with_the_full_time():
    s = started()
    assert s.skip(T0 + 3)
    v = s.view(T0 + 3)
    assert (v.step_index, v.seconds_left, v.steps_done, v.steps_skipped) == (1, 15, 0, 1)
    assert v.progress == pytest.approx(15 / 110)
    assert s.view(T0 + 10).seconds_left == 8


def test_skip_while_paused_stays_paused():
    s = started()
    s.pause(T0 + 3)
    assert s.skip(T0 + 4)
    v = s.view(T0 + 50)
    assert (v.state, v.step_index, v.seconds_left) == (State.PAUSED, 1, 15)


def test_skipping_the_last_step_completes_the_routine():
    s = started()
    for i in range(6):
        assert s.skip(T0 + i)
    assert s.state is State.COMPLETED
    assert s.ended_at == T0 + 5
    v = s.view(T0 + 5)
    assert (v.steps_done, v.steps_skipped, v.progress) == (0, 6, 1.0)


def test_stop_freezes_where_it_was():
    s = started()
    s.tick(T0 + 20)
    assert s.stop(T0 + 20)
    v = s.view(T0 + 100)
    assert (v.state, v.step_index, v.seconds_left, v.steps_done, v.next_change_in) == (
        State.STOPPED, 1, 10, 1, None)
    assert s.ended_at == T0 + 20
    assert s.duration(T0 + 100) == 20


def test_stop_before_start():
    s = StretchSession(NECK)
    assert s.stop(T0)
    assert s.state is State.STOPPED and s.duration(T0 + 5) == 0


def test_time_scale_makes_configured_seconds_pass_faster():
    s = started(scale=30)  # a 15 s step lasts half a real second
    v = s.view(T0)
    assert (v.display_seconds, v.next_change_in) == (15, pytest.approx(1 / 30))
    assert s.view(T0 + 0.25).seconds_left == pytest.approx(7.5)
    s.tick(T0 + 0.5)
    assert s.view(T0 + 0.5).step_index == 1
    s.tick(T0 + 110 / 30)
    assert s.state is State.COMPLETED
    assert s.duration(T0 + 10) == pytest.approx(110 / 30)


# -- the transition table ------------------------------------------------

CALLS = {
    SessionMove.START: StretchSession.start,
    SessionMove.PAUSE: StretchSession.pause,
    SessionMove.RESUME: StretchSession.resume,
    SessionMove.SKIP: StretchSession.skip,
    SessionMove.STOP: StretchSession.stop,
}


def in_state(state: State) -> StretchSession:
    s = StretchSession(NECK)
    if state is not State.READY:
        s.start(T0)
    if state is State.PAUSED:
        s.pause(T0 + 1)
    elif state is State.STOPPED:
        s.stop(T0 + 1)
    elif state is State.COMPLETED:
        s.tick(T0 + 200)
    assert s.state is state
    return s


@pytest.mark.parametrize("state", list(State), ids=lambda s: s.name)
@pytest.mark.parametrize("action", list(CALLS), ids=lambda a: a.name)
def test_every_transition_follows_the_table(state, action):
    s = in_state(state)
    before = s.view(T0 + 2)
    allowed = (state, action) in TRANSITIONS
    assert CALLS[action](s, T0 + 2) is allowed
    if not allowed:
        assert s.state is state
        assert s.view(T0 + 2) == before


@pytest.mark.parametrize("state", [State.READY, State.COMPLETED, State.STOPPED], ids=lambda s: s.name)
def test_toggle_pause_is_refused_when_not_running_or_paused(state):
    s = in_state(state)
    assert s.toggle_pause(T0 + 2) is False
    assert s.state is state


def test_the_table_has_no_way_out_of_a_finished_session():
    assert all(not src.finished for src, _ in TRANSITIONS)
    assert {dst for dst in TRANSITIONS.values()} == {State.RUNNING, State.PAUSED, State.COMPLETED, State.STOPPED}
    s = in_state(State.COMPLETED)
    assert not any(s.can(a) for a in SessionMove)


def test_an_empty_routine_is_refused():
    routine = load_routines(
        '[exercises.a]\ntitle="A"\ninstruction="A."\nhold_seconds=1\nsafety="S."\npose="breathing"\n'
        '[routines.r]\ntitle="R"\nsteps=["a"]\n'
    )["r"]
    empty = type(routine)(id="e", title="E", steps=())
    with pytest.raises(ValueError, match="no steps"):
        StretchSession(empty)


@pytest.mark.parametrize(
    ("left", "scale", "expected"),
    [
        (15.0, 1, (15, 1.0)),
        (14.2, 1, (15, pytest.approx(0.2))),
        (0.4, 1, (1, pytest.approx(0.4))),
        (0.0, 1, (0, None)),
        (-3.0, 1, (0, None)),
        (10.0, 2, (10, 0.5)),
        (14.000000000001, 1, (14, 1.0)),  # float noise does not cause an extra wake-up
    ],
)
def test_countdown(left, scale, expected):
    assert countdown(left, TimeScale(scale)) == expected
