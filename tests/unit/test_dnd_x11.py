"""The X11 full-screen check's decisions, with the X server's answers scripted (Xvfb runs it in
tests/desktop/test_sitting_e2e.py)."""

from __future__ import annotations

import pytest

from necka_tray.desktop.dnd.x11 import NONE, POINTER_ROOT, Geometry, Screen, X11Fullscreen

ROOT, FRAME, APP, CHILD = 0x100, 0x200, 0x300, 0x301
ATOMS = {name: 400 + i for i, name in enumerate(
    ["_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN", "_NET_WM_WINDOW_TYPE",
     "_NET_WM_WINDOW_TYPE_DESKTOP"])}


class FakeX:
    screen = Screen(ROOT, 1280, 800)

    def __init__(self, focus=POINTER_ROOT, props=None, parents=None, geometry=None, origin=(0, 0)):
        self.focus, self.props, self.parents = focus, props or {}, parents or {}
        self.geometry, self.origin = geometry or {}, origin

    def intern_atom(self, name):
        return ATOMS[name]

    def get_property(self, window, prop):
        return self.props.get((window, prop))

    def get_input_focus(self):
        return self.focus

    def query_parent(self, window):
        return self.parents.get(window, ROOT)

    def get_geometry(self, window):
        return self.geometry.get(window, Geometry(0, 0, 640, 480))

    def translate_coords(self, src, dst, x, y):
        assert (src, dst, x, y) == (ROOT, APP, 0, 0)
        return self.origin


def quiet(fake: FakeX) -> bool:
    source = X11Fullscreen.__new__(X11Fullscreen)
    source._d, source._root = fake, ROOT
    for name, atom in ATOMS.items():
        setattr(source, {"_NET_ACTIVE_WINDOW": "_active", "_NET_WM_STATE": "_state",
                         "_NET_WM_STATE_FULLSCREEN": "_fullscreen", "_NET_WM_WINDOW_TYPE": "_type",
                         "_NET_WM_WINDOW_TYPE_DESKTOP": "_desktop"}[name], atom)
    return source.quiet()


ACTIVE = (ROOT, ATOMS["_NET_ACTIVE_WINDOW"])
STATE = (APP, ATOMS["_NET_WM_STATE"])
TYPE = (APP, ATOMS["_NET_WM_WINDOW_TYPE"])
COVERS = {APP: Geometry(0, 0, 1280, 800)}


@pytest.mark.parametrize("fake, expected", [
    (FakeX(props={ACTIVE: [APP], STATE: [ATOMS["_NET_WM_STATE_FULLSCREEN"]]}), True),  # EWMH says so
    (FakeX(props={ACTIVE: [APP], STATE: [999]}), False),  # an ordinary window
    (FakeX(props={ACTIVE: [APP], TYPE: [ATOMS["_NET_WM_WINDOW_TYPE_DESKTOP"]]}, geometry=COVERS), False),  # the desktop
    (FakeX(props={ACTIVE: [APP]}, geometry=COVERS), True),  # no state, but it covers the screen
    (FakeX(props={ACTIVE: [APP]}, geometry=COVERS, origin=(-5, 0)), False),  # screen-sized, moved aside
    (FakeX(focus=CHILD, parents={CHILD: APP}, geometry=COVERS), True),  # no WM: focus climbs to its top-level
    (FakeX(props={ACTIVE: [0]}, focus=POINTER_ROOT), False),
    (FakeX(focus=NONE), False),
    (FakeX(focus=ROOT), False),
])
def test_what_counts_as_full_screen(fake, expected):
    assert quiet(fake) is expected
