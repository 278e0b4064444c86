"""The Wayland idle source: the events' arithmetic with a fake clock, the source with a fake connection,
and which sources a Wayland or an X11 session tries (the real compositor: tests/desktop/test_wayland_idle_e2e.py)."""

import subprocess
import sys
from datetime import timedelta

import pytest

from necka_tray.core.clock import TimeScale
from necka_tray.desktop import idle
from necka_tray.desktop.dnd import AnyQuiet
from necka_tray.desktop.idle import wayland
from necka_tray.desktop.idle.wayland import IdleTimes, WaylandIdle
from necka_tray.desktop.presence import PresenceMonitor
from necka_tray.store.config import Settings


class Clock:
    def __init__(self, t=100.0):
        self.t = t

    def __call__(self):
        return self.t


class TestIdleTimes:
    def test_active_until_the_compositor_says_idle(self):
        clock = Clock()
        times = IdleTimes(5.0, clock)
        clock.t += 60
        assert times.idle_seconds() == 0.0

    def test_idle_counts_from_the_last_input_not_from_the_event(self):
        clock = Clock()
        times = IdleTimes(5.0, clock)
        times.idled()
        assert times.idle_seconds() == 5.0
        clock.t += 55
        assert times.idle_seconds() == 60.0

    def test_resumed_is_active_again(self):
        clock = Clock()
        times = IdleTimes(5.0, clock)
        times.idled()
        clock.t += 30
        times.resumed()
        assert times.idle_seconds() == 0.0

    def test_a_notification_rearmed_while_idle_keeps_the_earlier_start(self):
        clock = Clock()
        times = IdleTimes(5.0, clock)
        times.idled()  # last input at 95
        clock.t += 10
        times.rearmed(1.0)
        clock.t += 1
        times.idled()  # the new notification counts from its creation: it would say 110
        assert times.idle_seconds() == 16.0

    def test_a_lost_connection_is_unknown(self):
        times = IdleTimes(5.0, Clock())
        times.lost = True
        assert times.idle_seconds() is None


class FakeWatch:
    protocol = "kde-idle"

    def __init__(self, times):
        self.times = times
        self.rearmed = []
        self.closed = False

    def rearm(self, timeout):
        self.rearmed.append(timeout)
        self.times.rearmed(timeout)

    def close(self):
        self.closed = True


class TestWaylandIdle:
    def test_named_after_the_protocol_that_answers(self):
        assert WaylandIdle(FakeWatch).name == "wayland-kde-idle"

    def test_events_reach_idle_seconds(self):
        source = WaylandIdle(FakeWatch)
        assert source.idle_seconds() == 0.0
        source.times.idled()
        assert source.idle_seconds() == pytest.approx(wayland.DEFAULT_TIMEOUT, abs=0.5)

    def test_resolution_rearms_once_and_never_below_the_floor(self):
        source = WaylandIdle(FakeWatch)
        source.set_resolution(0.01)
        source.set_resolution(0.2)  # clamps to the same floor: nothing to do
        source.set_resolution(wayland.MIN_TIMEOUT)
        assert source._watch.rearmed == [wayland.MIN_TIMEOUT]

    def test_a_compositor_without_idle_protocols_is_not_a_source(self):
        def no_protocol(times):
            raise LookupError("the compositor offers neither")

        with pytest.raises(LookupError):
            WaylandIdle(no_protocol)

    def test_no_wayland_display_no_source(self):
        assert wayland.open_source({"DISPLAY": ":0"}) is None


class TestChoice:
    def test_wayland_session_asks_the_compositor_and_never_xwayland(self):
        assert idle.linux_candidates({"WAYLAND_DISPLAY": "wayland-1", "DISPLAY": ":1"}) == ["wayland", "gnome", "freedesktop"]

    def test_x11_session_never_tries_wayland(self):
        assert idle.linux_candidates({"DISPLAY": ":1"}) == ["x11", "gnome", "freedesktop"]

    def test_an_x11_session_does_not_load_pywayland(self):
        code = ("import sys; from necka_tray.desktop import idle; "
                "idle.detect({'DISPLAY': ':987', 'DBUS_SESSION_BUS_ADDRESS': 'unix:path=/nonexistent'}, platform='linux'); "
                "print(sorted(m for m in sys.modules if m.startswith('pywayland')))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
        assert out.stdout.strip() == "[]"

    def test_a_wayland_session_where_the_compositor_is_gone_says_so(self, tmp_path, monkeypatch):
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
        with pytest.raises(Exception):
            wayland.open_source({"WAYLAND_DISPLAY": "wayland-none"})


class TestResolution:
    def test_the_lull_at_normal_speed(self):
        assert idle.resolution(timedelta(seconds=5), timedelta(minutes=1)) == 5.0

    def test_the_shortest_pause_under_a_time_scale(self):
        assert idle.resolution(timedelta(seconds=5), timedelta(seconds=1)) == 1.0

    @pytest.mark.parametrize("factor, expected", [(1.0, 5.0), (60.0, 1.0)])
    def test_the_presence_monitor_tells_an_event_driven_source(self, factor, expected):
        source = WaylandIdle(FakeWatch)
        PresenceMonitor(source, AnyQuiet([]), TimeScale(factor)).configure(Settings.defaults())
        assert source.times.timeout == expected
