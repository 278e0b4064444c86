"""Choosing the tray backend on Linux, with the desktop probes faked."""

import pytest

from necka_tray.desktop.platform import TrayUnavailable
from necka_tray.desktop.platform import linux


@pytest.fixture
def probes(monkeypatch):
    state = {"typelibs": {"Gtk", "AyatanaAppIndicator3"}, "xembed": 0, "sni": False}
    monkeypatch.setattr(linux, "_typelib", lambda ns, v: ns in state["typelibs"])
    monkeypatch.setattr(linux, "xembed_tray_owner", lambda d: state["xembed"])
    monkeypatch.setattr(linux, "status_notifier_host_present", lambda: state["sni"])
    return state


def test_forced_backend_wins(probes):
    assert linux.tray_backend({"PYSTRAY_BACKEND": "xorg"}).backend == "xorg"


def test_xembed_tray_gets_our_toolkit_free_icon(probes):
    probes.update(xembed=0x400003, sni=True)
    assert linux.tray_backend({"DISPLAY": ":0"}).backend == "xembed"


def test_xembed_tray_needs_no_pygobject(probes):
    probes.update(xembed=0x400003, typelibs=set())
    assert linux.tray_backend({"DISPLAY": ":0"}).backend == "xembed"


def test_status_notifier_host_gets_appindicator(probes):
    probes["sni"] = True
    assert linux.tray_backend({"WAYLAND_DISPLAY": "wayland-0"}).backend == "appindicator"


def test_no_pygobject_for_an_appindicator_tray_is_a_clear_error(probes):
    probes.update(typelibs=set(), sni=True)
    with pytest.raises(TrayUnavailable, match="PyGObject.*apt install"):
        linux.tray_backend({"DISPLAY": ":0"})


def test_no_tray_on_x11_waits_with_a_notice(probes):
    choice = linux.tray_backend({"DISPLAY": ":0"})
    assert choice.backend == "xembed"
    assert "No system tray is running" in choice.notice and "AppIndicator" in choice.notice


def test_no_tray_on_wayland_names_the_gnome_extension(probes):
    with pytest.raises(TrayUnavailable, match="AppIndicator and KStatusNotifierItem Support"):
        linux.tray_backend({"WAYLAND_DISPLAY": "wayland-0"})


def test_no_display_at_all():
    assert "DISPLAY is not set" in linux.display_problem({})


def test_unreachable_display():
    assert "cannot open the X display ':9999'" in linux.display_problem({"DISPLAY": ":9999"})
