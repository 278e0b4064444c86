"""The one tray interface: clicks as every backend maps them, and the SNI item's pixels."""

from necka_tray.core.actions import Action, Verb
from necka_tray.core.planner import TrayView
from necka_tray.core.reminders import Kind
from necka_tray.tray import backend, menu_model, sni_pixmaps


def entries(**kw):
    v = dict(tooltip="Necka: stretch break in 23 min", status_lines=(), ring_step=0, stretch_due=False, paused=False,
             session_running=False)
    return menu_model.build_menu(TrayView(**{**v, **kw}), 60, {k: True for k in Kind})


def test_left_click_is_the_stretch_session_unless_one_runs():
    assert backend.default_action(entries()) == Action(Verb.SESSION)
    assert backend.default_action(entries(session_running=True)) is None


def test_middle_click_pauses_or_resumes():
    assert backend.secondary_action(entries()) == Action(Verb.PAUSE, "30m")
    assert backend.secondary_action(entries(paused=True, tooltip="Necka: paused until 14:30")) == Action(Verb.RESUME)


class Flags:
    def __init__(self, default, secondary, menu):
        self.has_default_action, self.has_secondary_action, self.has_menu = default, secondary, menu


def test_clicks_are_read_from_the_capability_flags():
    assert backend.clicks(Flags(True, True, True)) == (
        "left click: stretch session, middle click: pause 30 min / resume, right click: menu")
    assert backend.clicks(Flags(False, False, True)) == "left click: opens the menu, right click: menu"
    assert backend.clicks(Flags(False, False, False)) == "left click: opens the menu, no menu"


def test_every_backend_declares_the_flags():
    from necka_tray.tray import pystray_icon, sni, xembed

    for cls in (sni.SniTray, xembed.XEmbedTray):
        assert cls.has_default_action and cls.has_secondary_action and cls.has_menu
    assert pystray_icon.Tray.has_secondary_action is False
    assert {"has_default_action", "has_menu"} <= set(vars(pystray_icon.Tray))


def test_argb32_is_network_byte_order():
    rgba = bytes([10, 20, 30, 255, 1, 2, 3, 0])
    assert sni_pixmaps.argb32(rgba) == bytes([255, 10, 20, 30, 0, 1, 2, 3])
    assert sni_pixmaps.argb32(b"") == b""


def test_pixmaps_come_from_the_bitmap_cache_in_every_size(tmp_path):
    from necka_tray.windows import icon_bitmaps

    sizes = [a for s in sni_pixmaps.SIZES for a in (str(s), str(icon_bitmaps.cache_file(tmp_path, s)))]
    assert icon_bitmaps.main(sizes) == 0  # one helper run draws every size
    ready = []
    pixmaps = sni_pixmaps.Pixmaps(tmp_path, lambda: ready.append(1))
    got = pixmaps.get((3, True, False))
    assert [(w, h) for w, h, _ in got] == [(s, s) for s in sni_pixmaps.SIZES]
    for w, h, data in got:
        rgba = icon_bitmaps.read(icon_bitmaps.cache_file(tmp_path, w), (3, True, False), w)
        assert data == sni_pixmaps.argb32(rgba) and len(data) == w * h * 4
    assert pixmaps.get((3, True, False)) is got  # cached
    assert ready == []


def test_missing_sizes_are_drawn_once_by_a_helper(tmp_path, monkeypatch):
    started = []

    class Proc:
        def __init__(self, command, **kw):
            started.append(command)

        def wait(self):
            return 0

    import subprocess

    monkeypatch.setattr(subprocess, "Popen", Proc)
    ready = []
    pixmaps = sni_pixmaps.Pixmaps(tmp_path, lambda: ready.append(1))
    assert pixmaps.get((0, False, False)) == []
    assert pixmaps.get((1, False, False)) == []
    assert len(started) == 1 and started[0][-12:-10] == ["16", str(tmp_path / started[0][-11].split("/")[-1])]
    assert [a for a in started[0][-12::2]] == [str(s) for s in sni_pixmaps.SIZES]


def test_installed_icons_are_found_in_the_xdg_data_dirs(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "home"), "XDG_DATA_DIRS": str(tmp_path / "sys")}
    assert sni_pixmaps.installed_icons(env) == ""
    apps = tmp_path / "sys" / "icons" / "hicolor" / "48x48" / "apps"
    apps.mkdir(parents=True)
    (apps / "io.github.necka.Necka.png").write_bytes(b"")
    assert sni_pixmaps.installed_icons(env) == str(tmp_path / "sys" / "icons")


def sni_view(**kw):
    v = dict(tooltip="Necka: stretch break in 23 min", status_lines=(), ring_step=2, stretch_due=False, paused=False,
             session_running=False)
    return TrayView(**{**v, **kw})


def fake_pixmaps(key):
    return [(16, 16, bytes(key[:1]) * 4)]


def test_sni_properties_follow_the_view():
    from necka_tray.tray import sni

    p = sni.item_properties(sni_view(), fake_pixmaps, "")
    assert p["Status"] == ("s", "Active") and p["AttentionIconPixmap"] == ("a(iiay)", [])
    assert p["ItemIsMenu"] == ("b", False) and p["Menu"] == ("o", "/MenuBar")
    assert p["Category"] == ("s", "ApplicationStatus") and p["Id"] == ("s", "necka-tray")
    assert p["ToolTip"] == ("(sa(iiay)ss)", ("", [], "Necka: stretch break in 23 min", ""))  # the XEmbed tooltip
    assert p["IconPixmap"] == ("a(iiay)", [(16, 16, b"\x02" * 4)]) and p["IconName"] == ("s", "")
    due = sni.item_properties(sni_view(stretch_due=True, ring_step=8), fake_pixmaps, "")
    assert due["Status"] == ("s", "NeedsAttention") and due["AttentionIconPixmap"][1] == [(16, 16, b"\x08" * 4)]


def test_sni_icon_name_only_while_no_pixmaps_and_icons_installed():
    from necka_tray.tray import sni

    assert sni.item_properties(None, lambda k: [], "/usr/share/icons")["IconName"] == ("s", "io.github.necka.Necka")
    assert sni.item_properties(None, lambda k: [], "")["IconName"] == ("s", "")
    assert sni.item_properties(None, fake_pixmaps, "/usr/share/icons")["IconName"] == ("s", "")


def test_sni_signals_only_on_change():
    from necka_tray.tray import sni

    a = sni.item_properties(sni_view(), fake_pixmaps, "")
    assert sni.item_signals(a, sni.item_properties(sni_view(), fake_pixmaps, "")) == []
    b = sni.item_properties(sni_view(tooltip="Necka: stretch break in 22 min"), fake_pixmaps, "")
    assert sni.item_signals(a, b) == [("NewToolTip", "", ())]
    c = sni.item_properties(sni_view(stretch_due=True, ring_step=8), fake_pixmaps, "")
    assert sni.item_signals(a, c) == [("NewIcon", "", ()), ("NewAttentionIcon", "", ()),
                                      ("NewStatus", "s", ("NeedsAttention",))]
