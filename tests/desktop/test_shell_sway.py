"""Necka on sway 1.7 with waybar's tray and mako, the real programs, headless (shells.sway).

Clicks come from a virtual pointer (wlpointer.py); bubbles are read from the bus, as mako
answered them, and from ``makoctl list``.
"""

from __future__ import annotations

import pytest

from . import shells
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("sway")
    with shells.sway(tmp_path_factory.mktemp("sway")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(0, 30), idle_source="wayland",
                xfail={"test_a_posture_bubble_arrives": "dbus", "test_idle_is_detected": "wayland",
                       "test_nothing_on_stderr_is_a_traceback": "dbus"})
