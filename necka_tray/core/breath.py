"""The paced-breathing visual: where a breath is at a given moment.

A breath is ``pace = (in, out)`` configured seconds: the circle grows while
breathing in and shrinks while breathing out, eased at both ends so it never
jerks. Pure: the window asks with the seconds elapsed in its step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

IN, OUT = "in", "out"


@dataclass(frozen=True)
class Breath:
    phase: str  # IN or OUT
    size: float  # 0 (empty lungs) .. 1 (full)
    phase_left: float  # configured seconds until the phase changes


def breath_at(elapsed: float, pace: tuple[float, float]) -> Breath:
    breathe_in, breathe_out = pace
    t = max(0.0, elapsed) % (breathe_in + breathe_out)
    if t < breathe_in:
        return Breath(IN, _ease(t / breathe_in), breathe_in - t)
    t -= breathe_in
    return Breath(OUT, 1.0 - _ease(t / breathe_out), breathe_out - t)


def _ease(x: float) -> float:
    return (1.0 - math.cos(math.pi * min(1.0, max(0.0, x)))) / 2.0
