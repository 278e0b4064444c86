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
    return Spec(panel=(0, 30), idle_source=r"(?!x11\b)\S+")  # a Wayland idle source, whatever its name
