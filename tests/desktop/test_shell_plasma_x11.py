"""Necka on KDE Plasma 5.27 on X11 (kwin_x11, kded5, plasmashell: panel, system tray,
notifications), headless on Xvfb (shells.plasma_x11). Clicks and input come from xdotool;
bubbles are read from the bus, as plasmashell answered them."""

from __future__ import annotations

import pytest

from . import shells, shells_kde
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("plasma")
    with shells_kde.plasma_x11(tmp_path_factory.mktemp("plasma")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    return Spec(panel=(756, 800), idle_source="x11")
