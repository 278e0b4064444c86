"""A monotonic clock moved by hand, for the code that takes one (``monotonic=``): a retry or a
timeout is due exactly when the test says, with no sleeping and no real time."""

from __future__ import annotations


class Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
