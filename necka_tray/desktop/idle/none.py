"""The fallback when no idle source answers: every minute counts as sitting."""

from __future__ import annotations

from typing import Mapping


class NoIdle:
    name = "none"

    def idle_seconds(self) -> float | None:
        return None


def open_source(env: Mapping[str, str]) -> NoIdle:
    return NoIdle()
