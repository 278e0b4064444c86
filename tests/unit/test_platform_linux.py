"""Choosing the tray backend on Linux, with the desktop probes faked."""

import pytest

from necka_tray.desktop.platform import linux


@pytest.fixture
def probes(monkeypatch):
    state = {"xembed": 0, "sni": ""}
    monkeypatch.setattr(linux, "xembed_tray_owner", lambda d: state["xembed"])
    monkeypatch.setattr(linux, "status_notifier", lambda env: state["sni"])
    return state


def test_forced_backend_wins(probes):
    probes.update(sni="host", xembed=0x400003)
    assert linux.tray_backend({"PYSTRAY_BACKEND": "xorg", "DISPLAY": ":0"}).backend == "xorg"


def test_xembed_tray_gets_our_toolkit_free_icon(probes):
    probes.update(xembed=0x400003)
    assert linux.tray_backend({"DISPLAY": ":0"}).backend == "xembed"


def test_status_notifier_host_gets_our_own_item_on_x11_too(probes):
    probes.update(xembed=0x400003, sni="host")  # KDE on X11 has both: SNI is its native tray
    assert linux.tray_backend({"DISPLAY": ":0"}) == linux.TrayChoice("sni")
    assert linux.tray_backend({"WAYLAND_DISPLAY": "wayland-0"}) == linux.TrayChoice("sni")


def test_a_watcher_without_a_host_yet_waits_as_an_sni_item(probes):
    probes.update(sni="watcher")  # the panel is still starting
    choice = linux.tray_backend({"DISPLAY": ":0"})
    assert choice == linux.TrayChoice("sni")  # the item says once that it waits (tray/sni.py)
    probes.update(xembed=0x400003)  # but a running XEmbed tray is used at once
    assert linux.tray_backend({"DISPLAY": ":0"}).backend == "xembed"


def test_no_tray_on_x11_waits_with_a_notice(probes):
    choice = linux.tray_backend({"DISPLAY": ":0"})
    assert choice.backend == "xembed"
    assert "No system tray is running" in choice.notice and "AppIndicator" in choice.notice


def test_no_tray_on_wayland_waits_for_a_host_and_names_the_gnome_extension(probes):
    choice = linux.tray_backend({"WAYLAND_DISPLAY": "wayland-0"})
    assert choice.backend == "sni"
    assert "AppIndicator and KStatusNotifierItem Support" in choice.notice


def test_no_display_at_all():
    assert "DISPLAY is not set" in linux.display_problem({})


def test_unreachable_display():
    assert "cannot open the X display ':9999'" in linux.display_problem({"DISPLAY": ":9999"})
