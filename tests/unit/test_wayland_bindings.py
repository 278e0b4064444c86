"""The committed org_kde_kwin_idle bindings are what pywayland's scanner makes of KDE's XML, unedited."""

import os
import pathlib
import runpy

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "necka_tray" / "desktop" / "wayland_protocols"
DEBIAN_XML = pathlib.Path("/usr/share/plasma-wayland-protocols/idle.xml")


def test_the_committed_module_is_the_scanner_output(tmp_path):
    written = runpy.run_path(str(ROOT / "scripts" / "wayland-bindings"), run_name="wayland_bindings")["generate"](tmp_path)
    assert written.read_text() == (PACKAGE / "idle.py").read_text(), "run scripts/wayland-bindings"


def test_the_xml_is_kdes(tmp_path):
    if not DEBIAN_XML.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("plasma-wayland-protocols is not installed (scripts/bootstrap --dev)")
        pytest.skip("plasma-wayland-protocols is not installed")
    assert DEBIAN_XML.read_bytes() == (PACKAGE / "kde_idle.xml").read_bytes()


def test_the_bindings_declare_what_the_watch_uses():
    from necka_tray.desktop.wayland_protocols.idle import OrgKdeKwinIdle, OrgKdeKwinIdleTimeout

    assert (OrgKdeKwinIdle.name, OrgKdeKwinIdleTimeout.name) == ("org_kde_kwin_idle", "org_kde_kwin_idle_timeout")
    assert [e.name for e in OrgKdeKwinIdleTimeout.events] == ["idle", "resumed"]
    assert [r.name for r in OrgKdeKwinIdleTimeout.requests] == ["release", "simulate_user_activity"]


def test_the_xml_ships_in_the_package():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["necka_tray"]
    assert "desktop/wayland_protocols/*.xml" in data
