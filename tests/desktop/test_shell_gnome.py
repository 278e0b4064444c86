"""Necka on GNOME Shell 43 with the AppIndicator extension, nested on Xvfb (shells.gnome).
Clicks and input come from xdotool on the window the nested shell draws in; bubbles are read
from the bus, as GNOME Shell answered them."""

from __future__ import annotations

import pytest

from . import shells
from .shell_suite import *  # noqa: F401,F403  (the tests every shell runs)
from .shell_suite import Spec


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    shells.require("gnome")
    with shells.gnome(tmp_path_factory.mktemp("gnome")) as running:
        yield running


@pytest.fixture(scope="module")
def spec():
    # A single left click opens the menu there (the extension's rule for an item with a menu; the
    # README says so): the session starts on a double click.
    return Spec(panel=(0, 32), idle_source="gnome", clicks=2)
