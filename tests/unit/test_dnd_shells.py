"""The shells' quiet sources at their boundary: a fake session bus, a fake swaymsg, a fake gsettings."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from necka_tray.desktop import dnd
from necka_tray.desktop.dnd import bus as dnd_bus
from necka_tray.desktop.dnd import gnome, mako, plasma, sway, xfce
from necka_tray.desktop.dnd.bus import BusError
from tests import privatebus


class FakeBus:
    """Answers like one notification server: ``answers`` maps (interface, method) to a body or a BusError."""

    def __init__(self, server: str, answers: dict):
        self.server, self.answers, self.calls, self.closed = server, answers, [], False

    def call(self, path, bus_name, interface, method, signature=None, body=(), timeout=1.0):
        self.calls.append((path, bus_name, interface, method, body))
        answer = self.answers[(interface, method)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def get_property(self, path, bus_name, interface, name):
        return self.call(path, bus_name, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name))[0][1]

    def server_name(self):
        return self.server

    def close(self):
        self.closed = True


def props(value, signature="b"):
    return ((signature, value),)


class TestMako:
    def test_do_not_disturb_mode_is_quiet(self):
        fake = FakeBus("mako", {("fr.emersion.Mako", "ListModes"): (["default", "do-not-disturb"],)})
        source = mako.open_source({}, fake)
        assert source.name == "mako" and source.quiet() is True
        assert fake.calls[-1][:2] == ("/fr/emersion/Mako", "org.freedesktop.Notifications")

    def test_other_modes_are_not(self):
        fake = FakeBus("mako", {("fr.emersion.Mako", "ListModes"): (["default", "away"],)})
        assert mako.open_source({}, fake).quiet() is False

    def test_another_server_is_not_asked_and_the_connection_closed(self):
        fake = FakeBus("dunst", {})
        with pytest.raises(LookupError):
            mako.open_source({}, fake)
        assert fake.calls == [] and fake.closed

    def test_a_mako_without_modes_is_not_a_source(self):
        fake = FakeBus("mako", {("fr.emersion.Mako", "ListModes"): BusError("org.freedesktop.DBus.Error.UnknownMethod", "")})
        with pytest.raises(BusError):
            mako.open_source({}, fake)


class TestPlasma:
    @pytest.mark.parametrize("inhibited", [True, False])
    def test_the_inhibited_property(self, inhibited):
        fake = FakeBus("Plasma", {("org.freedesktop.DBus.Properties", "Get"): props(inhibited)})
        source = plasma.open_source({}, fake)
        assert source.quiet() is inhibited
        assert fake.calls[-1][-1] == ("org.freedesktop.Notifications", "Inhibited")

    def test_only_on_plasma(self):
        with pytest.raises(LookupError):
            plasma.open_source({}, FakeBus("mako", {}))


class TestXfce:
    def test_do_not_disturb_on(self):
        fake = FakeBus("Xfce Notify Daemon", {("org.xfce.Xfconf", "GetProperty"): props(True)})
        assert xfce.open_source({}, fake).quiet() is True
        assert fake.calls[-1][-1] == ("xfce4-notifyd", "/do-not-disturb")

    def test_a_property_never_set_is_off(self):
        fake = FakeBus("Xfce Notify Daemon", {("org.xfce.Xfconf", "GetProperty"):
                                              BusError("org.xfce.Xfconf.Error.PropertyNotFound", "")})
        assert xfce.open_source({}, fake).quiet() is False

    def test_xfconfd_missing_is_not_a_source(self):
        fake = FakeBus("Xfce Notify Daemon", {("org.xfce.Xfconf", "GetProperty"):
                                              BusError("org.freedesktop.DBus.Error.ServiceUnknown", "")})
        with pytest.raises(BusError):
            xfce.open_source({}, fake)


class TestGnome:
    @pytest.mark.parametrize("text, quiet", [("true\n", False), ("false\n", True)])
    def test_banners_off_is_quiet(self, text, quiet):
        assert gnome.GnomeBanners(read=lambda key: text).quiet() is quiet

    def test_reads_the_shells_key(self):
        keys = []
        gnome.GnomeBanners(read=lambda key: keys.append(key) or "true")
        assert keys == [["org.gnome.desktop.notifications", "show-banners"]]

    def test_a_missing_schema_is_not_a_source(self):
        with pytest.raises(ValueError):
            gnome.GnomeBanners(read=lambda key: "No such schema “org.gnome.desktop.notifications”\n")

    @given(st.text(max_size=40))
    def test_parse_never_guesses(self, text):
        try:
            value = gnome.parse(text)
        except ValueError:
            return
        assert value is (text.strip() == "true")


def window(focused=False, mode=0, **kw):
    return {"type": "con", "focused": focused, "fullscreen_mode": mode, "nodes": [], "floating_nodes": [], **kw}


def tree(*windows):
    workspace = {"type": "workspace", "fullscreen_mode": 1, "focused": False, "nodes": list(windows), "floating_nodes": []}
    return {"type": "root", "nodes": [{"type": "output", "nodes": [workspace]}]}


class TestSway:
    def test_focused_full_screen_window(self):
        assert sway.focused_fullscreen(tree(window(focused=True, mode=1), window()))

    def test_global_full_screen(self):
        assert sway.focused_fullscreen(tree(window(focused=True, mode=2)))

    def test_a_full_screen_window_without_focus_is_not(self):
        assert not sway.focused_fullscreen(tree(window(mode=1), window(focused=True)))

    def test_workspaces_say_1_and_do_not_count(self):
        assert not sway.focused_fullscreen(tree(window(focused=True)))

    def test_focus_inside_a_full_screen_container(self):
        assert sway.focused_fullscreen(tree(window(mode=1, nodes=[window(focused=True)])))

    def test_an_empty_focused_workspace_is_not(self):
        assert not sway.focused_fullscreen({"type": "workspace", "focused": True, "fullscreen_mode": 1})

    @given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                        lambda kids: st.lists(kids, max_size=4) | st.dictionaries(
                            st.sampled_from(["type", "focused", "fullscreen_mode", "nodes", "floating_nodes", "x"]),
                            kids, max_size=5), max_leaves=30))
    def test_any_json_is_an_answer_never_an_error(self, data):
        assert sway.focused_fullscreen(data) in (True, False)

    def test_the_source_asks_swaymsg_each_time(self):
        trees = [tree(window(focused=True)), tree(window(focused=True, mode=1))]
        source = sway.SwayFullscreen(lambda: trees.pop(0))
        assert source.quiet() is True and trees == []

    def test_no_socket_no_source(self, tmp_path):
        assert sway.open_source({"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(tmp_path)}) is None

    def test_swaysock_first(self, tmp_path):
        (tmp_path / "sway-ipc.1000.42.sock").touch()
        assert sway.socket_path({"SWAYSOCK": "/run/s.sock", "XDG_RUNTIME_DIR": str(tmp_path)}, uid=1000) == "/run/s.sock"

    def test_without_swaysock_this_users_newest_socket(self, tmp_path):
        import os

        for name, mtime in (("sway-ipc.1000.41.sock", 100), ("sway-ipc.1000.42.sock", 200), ("sway-ipc.1001.43.sock", 300)):
            (tmp_path / name).touch()
            os.utime(tmp_path / name, (mtime, mtime))
        assert sway.socket_path({"XDG_RUNTIME_DIR": str(tmp_path)}, uid=1000) == str(tmp_path / "sway-ipc.1000.42.sock")


class TestChoice:
    def test_wayland_never_asks_xwayland(self):
        names = dnd.linux_candidates({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":1", "SWAYSOCK": "/run/sway.sock"})
        assert names[0] == "sway" and "x11" not in names

    def test_wayland_asks_sway_and_kwin_then_the_notification_server(self):
        assert dnd.linux_candidates({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":1"}) == ["sway", "kwin", *dnd.SERVERS]

    def test_x11_asks_the_x_server(self):
        assert dnd.linux_candidates({"DISPLAY": ":1"}) == ["x11", *dnd.SERVERS]

    def test_every_shell_is_a_candidate(self):
        assert set(dnd.SERVERS) == {"dunst", "mako", "plasma", "xfce", "gnome"}


def test_open_for_closes_on_a_failed_question():
    class Broken(FakeBus):
        def server_name(self):
            raise BusError("org.freedesktop.DBus.Error.ServiceUnknown", "")

    fake = Broken("", {})
    with pytest.raises(BusError):
        dnd_bus.open_for("mako", fake)
    assert fake.closed


@pytest.mark.parametrize("server, module, quiet", [("Plasma", plasma, True), ("Xfce Notify Daemon", xfce, False)])
def test_the_bus_adapter_against_a_real_session_bus(private_bus, monkeypatch, server, module, quiet):
    """A stub server on a private bus: the real jeepney calls, signatures and error names."""
    with privatebus.stub_running(private_bus, [str(privatebus.STUB), server]):
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus)
        source = module.open_source({})
        assert source.quiet() is quiet
        assert dnd.detect({"WAYLAND_DISPLAY": "wayland-x"}, platform="linux").name == source.name


def test_any_quiet_names_the_source_that_said_quiet():
    class Source:
        def __init__(self, name, quiet):
            self.name, self._quiet = name, quiet

        def quiet(self):
            return self._quiet

    any_quiet = dnd.AnyQuiet([Source("sway-fullscreen", False), Source("mako", True)])
    assert any_quiet.quiet() is True and any_quiet.answered == "mako"
    any_quiet.sources[1]._quiet = False
    assert any_quiet.quiet() is False and any_quiet.answered is None
