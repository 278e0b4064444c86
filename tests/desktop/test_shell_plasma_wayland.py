"""Necka on KDE Plasma 5.27 on Wayland: kwin_wayland nested in a window on Xvfb (its X11
backend, with Xwayland), kded5 and plasmashell as Wayland clients (shells.plasma_wayland).
Clicks and input come from xdotool on that window; bubbles are read from the bus."""

from __future__ import annotations

import pytest

from . import shells, shells_kde
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("plasma")
    with shells_kde.plasma_wayland(tmp_path_factory.mktemp("plasmawl")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(756, 800), idle_source=r"(?!x11\b)\S+")  # a Wayland idle source, whatever its name
