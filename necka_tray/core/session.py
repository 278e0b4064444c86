"""The stretch session as a pure state machine.

Every method takes ``now``, a monotonic reading in real seconds, so tests
drive it with plain numbers and the window with ``SystemClock.monotonic()``.
Step lengths are configured seconds; a ``TimeScale`` makes them pass faster
in tests and demos. ``view(now)`` also says when the displayed whole second
next changes, so the window can sleep exactly until then instead of polling.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from types import MappingProxyType

from necka_tray.core.clock import TimeScale
from necka_tray.core.routine import Exercise, Routine

# Float sums of step lengths drift by ~1e-15; anything this close to a step
# boundary counts as on it, so a step never lingers for a rounding error.
_EPS = 1e-9


class State(enum.Enum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    STOPPED = "stopped"

    @property
    def finished(self) -> bool:
        return self in (State.COMPLETED, State.STOPPED)


class SessionMove(enum.Enum):
    """What the user or the clock does to a session (a tray menu click is ``core.actions.Action``)."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    STOP = "stop"
    FINISH = "finish"  # the last step ended (by time or by a skip)


#: Every allowed (state, action) and where it leads; anything else is refused.
TRANSITIONS = MappingProxyType(
    {
        (State.READY, SessionMove.START): State.RUNNING,
        (State.READY, SessionMove.STOP): State.STOPPED,
        (State.RUNNING, SessionMove.PAUSE): State.PAUSED,
        (State.RUNNING, SessionMove.SKIP): State.RUNNING,
        (State.RUNNING, SessionMove.STOP): State.STOPPED,
        (State.RUNNING, SessionMove.FINISH): State.COMPLETED,
        (State.PAUSED, SessionMove.RESUME): State.RUNNING,
        (State.PAUSED, SessionMove.SKIP): State.PAUSED,
        (State.PAUSED, SessionMove.STOP): State.STOPPED,
        (State.PAUSED, SessionMove.FINISH): State.COMPLETED,
    }
)


def countdown(seconds_left: float, scale: TimeScale = TimeScale()) -> tuple[int, float | None]:
    """Whole seconds to show for ``seconds_left`` configured seconds, and the real
    seconds until that number changes (``None`` once it reads 0)."""
    left = max(0.0, round(seconds_left, 9))
    shown = math.ceil(left)
    if shown == 0:
        return 0, None
    return shown, scale.real_seconds(left - (shown - 1))


@dataclass(frozen=True)
class SessionView:
    """What the window shows at one moment."""

    state: State
    step_index: int  # 0-based
    step_count: int
    exercise: Exercise
    step_seconds: float  # configured length of this step
    seconds_left: float  # configured seconds left in this step
    progress: float  # 0..1 over the whole routine
    next_change_in: float | None  # real seconds until the shown second changes; None when frozen
    steps_done: int  # steps held to the end
    steps_skipped: int

    @property
    def step_number(self) -> int:
        return self.step_index + 1

    @property
    def display_seconds(self) -> int:
        """The whole number on the countdown (rounded up: it reads 1 until the step ends)."""
        return countdown(self.seconds_left)[0]


class StretchSession:
    """Steps through a routine. Mutators return ``False`` when the action is not allowed now."""

    def __init__(self, routine: Routine, scale: TimeScale = TimeScale()) -> None:
        if not routine.steps:
            raise ValueError(f"routine {routine.id!r} has no steps")
        self.routine = routine
        self.scale = scale
        self._state = State.READY
        self._index = 0
        self._elapsed = 0.0  # real seconds spent in this step before the current run
        self._since: float | None = None  # monotonic start of the current run
        self._done = 0
        self._skipped = 0
        self.started_at: float | None = None
        self.ended_at: float | None = None

    @property
    def state(self) -> State:
        return self._state

    def can(self, action: SessionMove) -> bool:
        return (self._state, action) in TRANSITIONS

    def duration(self, now: float) -> float:
        """Real seconds from start to the end (or to ``now`` while it lasts), pauses included."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else now
        return max(0.0, end - self.started_at)

    # -- actions ---------------------------------------------------------

    def start(self, now: float) -> bool:
        if not self._go(SessionMove.START):
            return False
        self.started_at = now
        self._since = now
        return True

    def tick(self, now: float) -> bool:
        """Let time pass; returns whether the step or the state changed."""
        before = (self._state, self._index)
        self._settle(now)
        return (self._state, self._index) != before

    def pause(self, now: float) -> bool:
        self._settle(now)
        if not self._go(SessionMove.PAUSE):
            return False
        self._elapsed += self._run_time(now)
        self._since = None
        return True

    def resume(self, now: float) -> bool:
        self._settle(now)
        if not self._go(SessionMove.RESUME):
            return False
        self._since = now
        return True

    def toggle_pause(self, now: float) -> bool:
        self._settle(now)
        if self._state is State.PAUSED:
            return self.resume(now)
        return self.pause(now)

    def skip(self, now: float) -> bool:
        """Move to the next step with its full time; skipping the last step completes the routine."""
        self._settle(now)
        if not self._go(SessionMove.SKIP):
            return False
        self._skipped += 1
        self._index += 1
        self._elapsed = 0.0
        if self._since is not None:
            self._since = now
        if self._index == len(self.routine.steps):
            self._finish(now)
        return True

    def stop(self, now: float) -> bool:
        self._settle(now)
        if not self._go(SessionMove.STOP):
            return False
        self._elapsed += self._run_time(now)
        self._since = None
        self.ended_at = now
        return True

    # -- reading ---------------------------------------------------------

    def view(self, now: float) -> SessionView:
        """The session as it is at ``now`` (does not change the session)."""
        state, index, elapsed, done = self._state, self._index, self._elapsed, self._done
        if state is State.RUNNING:
            index, elapsed, done, finished_at = self._project(now)
            if finished_at is not None:
                state = State.COMPLETED
        if state is State.COMPLETED:
            index = len(self.routine.steps) - 1
            elapsed = self._step_real(index)
        steps = self.routine.steps
        step = steps[index]
        left = max(0.0, step.seconds - elapsed * self.scale.factor)
        before = sum(s.seconds for s in steps[:index])
        total = self.routine.total_seconds
        progress = 1.0 if state is State.COMPLETED else min(1.0, (before + step.seconds - left) / total)
        next_change = countdown(left, self.scale)[1] if state is State.RUNNING else None
        if state is State.RUNNING and next_change is None:
            next_change = 0.0  # the step ends right now
        return SessionView(
            state=state,
            step_index=index,
            step_count=len(steps),
            exercise=step.exercise,
            step_seconds=step.seconds,
            seconds_left=left,
            progress=progress,
            next_change_in=next_change,
            steps_done=done,
            steps_skipped=self._skipped,
        )

    # -- internals -------------------------------------------------------

    def _go(self, action: SessionMove) -> bool:
        target = TRANSITIONS.get((self._state, action))
        if target is None:
            return False
        self._state = target
        return True

    def _step_real(self, index: int) -> float:
        return self.scale.real_seconds(self.routine.steps[index].seconds)

    def _run_time(self, now: float) -> float:
        return max(0.0, now - self._since) if self._since is not None else 0.0

    def _project(self, now: float) -> tuple[int, float, int, float | None]:
        """Where a running session is at ``now``: step, real seconds into it,
        steps done, and the moment it finished (``None`` if still going)."""
        index, done = self._index, self._done
        elapsed = self._elapsed + self._run_time(now)
        n = len(self.routine.steps)
        while index < n and elapsed >= self._step_real(index) - _EPS:
            elapsed = max(0.0, elapsed - self._step_real(index))
            index += 1
            done += 1
        if index == n:
            return n - 1, self._step_real(n - 1), done, now - elapsed
        return index, elapsed, done, None

    def _settle(self, now: float) -> None:
        if self._state is not State.RUNNING:
            return
        index, elapsed, done, finished_at = self._project(now)
        self._index, self._done = index, done
        if finished_at is not None:
            self._finish(finished_at)
        else:
            self._elapsed, self._since = elapsed, now

    def _finish(self, at: float) -> None:
        self._go(SessionMove.FINISH)
        self._index = len(self.routine.steps) - 1
        self._elapsed = self._step_real(self._index)
        self._since = None
        self.ended_at = at
