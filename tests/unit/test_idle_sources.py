"""Each platform's idle and quiet source at its OS boundary, with the OS call faked."""

import ctypes

import pytest

from necka_tray.desktop import dnd
from necka_tray.desktop import idle
from necka_tray.desktop.dnd import AnyQuiet
from necka_tray.desktop.dnd import windows as dnd_windows
from necka_tray.desktop.idle import gnome, macos, windows
from tests import privatebus


class TestWindowsIdle:
    def test_ticks_subtract(self):
        assert windows.idle_from_ticks(10_500, 10_000) == 0.5

    def test_ticks_wrap_after_49_days(self):
        assert windows.idle_from_ticks(200, 0xFFFFFF00) == pytest.approx((200 + 0x100) / 1000)

    def test_get_last_input_info_through_ctypes(self):
        class User32:
            def GetLastInputInfo(self, ref):
                info = ctypes.cast(ref, ctypes.POINTER(windows.LastInputInfo)).contents
                assert info.cbSize == ctypes.sizeof(windows.LastInputInfo)
                info.dwTime = 40_000
                return 1

        class Kernel32:
            GetTickCount = staticmethod(lambda: 70_000)

        assert windows.WindowsIdle(User32(), Kernel32()).idle_seconds() == 30.0

    def test_failed_call_is_unknown(self):
        class User32:
            def GetLastInputInfo(self, ref):
                return 0

        assert windows.WindowsIdle(User32(), type("K", (), {"GetTickCount": staticmethod(lambda: 1)})()).idle_seconds() is None


class TestMacIdle:
    IOREG = '''+-o IOHIDSystem  <class IOHIDSystem, id 0x100000123>
    {
      "HIDIdleTime" = 1534000000
      "HIDParameters" = {"HIDClickTime"=500000000}
    }'''

    def test_parse_ioreg_nanoseconds(self):
        assert macos.parse_ioreg(self.IOREG) == pytest.approx(1.534)

    def test_missing_value_is_unknown(self):
        assert macos.MacIdle(run=lambda: "no such thing").idle_seconds() is None

    def test_failing_ioreg_is_unknown(self):
        def boom():
            raise OSError("ioreg not found")

        assert macos.MacIdle(run=boom).idle_seconds() is None


def test_gnome_reports_milliseconds():
    assert gnome.parse(61_500) == 61.5


class TestDetect:
    def test_forced_none(self):
        assert idle.detect({"NECKA_IDLE": "none"}).name == "none"

    def test_nothing_answers_falls_back_to_none(self, caplog):
        source = idle.detect({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}, platform="linux")
        assert source.name == "none" and source.idle_seconds() is None
        assert "No idle detection" in caplog.text

    def test_windows_is_chosen_on_windows(self, monkeypatch):
        monkeypatch.setattr(windows, "open_source", lambda env: type("S", (), {"name": "windows"})())
        assert idle.detect({}, platform="win32").name == "windows"


class TestQuiet:
    @pytest.mark.parametrize("state, quiet", [(2, True), (3, True), (4, True), (6, True), (5, False), (1, False), (7, False)])
    def test_windows_notification_states(self, state, quiet):
        class Shell32:
            def SHQueryUserNotificationState(self, ref):
                ctypes.cast(ref, ctypes.POINTER(ctypes.c_int)).contents.value = state
                return 0

        assert dnd_windows.WindowsQuiet(Shell32()).quiet() is quiet

    def test_any_quiet_ignores_a_failing_source(self):
        class Broken:
            name = "broken"

            def quiet(self):
                raise RuntimeError("gone")

        class Yes:
            name = "yes"

            def quiet(self):
                return True

        assert AnyQuiet([Broken(), Yes()]).quiet() is True
        assert AnyQuiet([Broken()]).quiet() is False

    def test_detect_without_a_desktop_has_no_sources(self):
        assert dnd.detect({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}, platform="linux").sources == []


class TestSleepWatch:
    def test_only_the_signal_after_resume_counts(self):
        from necka_tray.desktop.platform.sleep_linux import is_resume

        assert is_resume("PrepareForSleep", (False,))
        assert not is_resume("PrepareForSleep", (True,))
        assert not is_resume("PrepareForShutdown", (False,))

    def test_without_a_system_bus_there_is_no_thread(self, monkeypatch):
        from necka_tray.desktop.platform import sleep_linux

        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/system_bus_socket")
        assert sleep_linux.watch(lambda: None) is None


def test_dbus_idle_source_against_a_real_session_bus(private_bus, monkeypatch):
    """A tiny service on a private bus answers like Mutter; the source converts milliseconds."""
    import socket

    with privatebus.stub_running(private_bus, [str(privatebus.STUB), "mutter"]):
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", private_bus)
        source = gnome.open_source({})
        assert source.name == "gnome" and source.idle_seconds() == 61.5
        # The stub answers every call twice (a return, then an error, as mako does): each is right.
        assert [source.idle_seconds() for _ in range(3)] == [61.5] * 3
        source._conn._conn.sock.shutdown(socket.SHUT_RDWR)  # the connection breaks under the source
        assert source.idle_seconds() is None  # this one query fails (the user counts as present)
        assert source.idle_seconds() == 61.5  # and the next opens a new connection
