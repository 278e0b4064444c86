"""Necka on Xfce 4.18 (xfwm4, the panel's status tray, xfce4-notifyd), headless on Xvfb
(shells.xfce). Clicks and input come from xdotool; bubbles are read from the bus."""

from __future__ import annotations

import pytest

from . import shells
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("xfce")
    with shells.xfce(tmp_path_factory.mktemp("xfce")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(0, 30), idle_source="x11")
