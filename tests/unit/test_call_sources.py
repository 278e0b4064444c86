"""Each call signal at its boundary: recorded tool output, a fake /proc, a stub D-Bus service,
fake registry values and a fake CoreAudio function."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from necka_tray.desktop import calls
from necka_tray.desktop.calls import camera, macos, pipewire, pulse, windows
from necka_tray.desktop.calls.inhibit import IdleInhibitors
from tests import privatebus

DATA = Path(__file__).parent.parent / "data" / "calls"


def recorded(name):
    return json.loads((DATA / name).read_text())


def fake_tool(tmp_path, output_file):
    """An executable that prints a recorded output, like the real tool would."""
    tool = tmp_path / "tool"
    tool.write_text(f"#!/bin/sh\ncat '{output_file}'\n")
    tool.chmod(0o755)
    return str(tool)


class TestPulse:
    def test_a_recording_parecord_is_a_call(self):
        assert pulse.capturing(recorded("pactl-recording.json"))

    def test_no_stream_is_no_call(self):
        assert recorded("pactl-idle.json") == [] and not pulse.capturing([])

    def test_a_corked_stream_is_no_call(self):
        outputs = recorded("pactl-recording.json")
        outputs[0]["corked"] = True
        assert not pulse.capturing(outputs)

    def test_a_level_meter_is_no_call(self):
        outputs = recorded("pactl-recording.json")
        outputs[0]["properties"]["application.id"] = "org.PulseAudio.pavucontrol"
        assert not pulse.capturing(outputs)
        outputs = recorded("pactl-recording.json")
        outputs[0]["resample_method"] = "peaks"
        assert not pulse.capturing(outputs)

    def test_the_source_runs_pactl_and_names_the_reason(self, tmp_path):
        assert pulse.PulseCapture(fake_tool(tmp_path, DATA / "pactl-recording.json")).in_call() == "microphone in use"
        assert pulse.PulseCapture(fake_tool(tmp_path, DATA / "pactl-idle.json")).in_call() is None

    def test_a_failing_pactl_is_no_call_through_any_call(self, tmp_path):
        tool = tmp_path / "tool"
        tool.write_text("#!/bin/sh\necho 'Connection failure' >&2\nexit 1\n")
        tool.chmod(0o755)
        with pytest.raises(subprocess.CalledProcessError):
            pulse.PulseCapture(str(tool)).in_call()
        assert calls.AnyCall([pulse.PulseCapture(str(tool))]).in_call() is None


class TestPipeWire:
    def test_a_running_capture_stream_is_the_microphone(self):
        assert pipewire.reasons(recorded("pw-dump-recording.json")) == ["microphone in use"]

    def test_suspended_nodes_are_no_call(self):
        assert pipewire.reasons(recorded("pw-dump-idle.json")) == []

    def test_camera_and_screencast_nodes(self):
        nodes = recorded("pw-dump-video.json")
        assert pipewire.reasons(nodes) == ["camera in use", "screen shared"]
        camera_only = [n for n in nodes if "screencast" not in json.dumps(n)]
        assert pipewire.reasons(camera_only) == ["camera in use"]

    def test_garbage_is_no_call(self):
        assert pipewire.reasons([1, "x", {"type": "PipeWire:Interface:Node"}, {"info": None}]) == []

    def test_the_source_runs_pw_dump(self, tmp_path):
        assert pipewire.PipeWireNodes(fake_tool(tmp_path, DATA / "pw-dump-recording.json")).in_call() == "microphone in use"


class TestCamera:
    def make_proc(self, tmp_path, links):
        proc = tmp_path / "proc"
        (proc / "self").mkdir(parents=True)
        for pid, targets in links.items():
            fd = proc / str(pid) / "fd"
            fd.mkdir(parents=True)
            for i, target in enumerate(targets):
                (fd / str(i)).symlink_to(target)
        (proc / "999").mkdir()  # a process whose fds cannot be listed (gone, another user)
        return proc

    def test_another_process_holding_a_video_device_is_a_call(self, tmp_path):
        proc = self.make_proc(tmp_path, {100: ["/dev/null", "/dev/pts/1"], 200: ["/dev/dri/card0", "/dev/video0"]})
        assert camera.holders(proc, own_pid=1) == [200]
        assert camera.CameraHolders(proc, own_pid=1).in_call() == "camera in use"

    def test_necka_itself_and_other_files_do_not_count(self, tmp_path):
        proc = self.make_proc(tmp_path, {100: ["/dev/null"], 200: ["/dev/video2"]})
        assert camera.CameraHolders(proc, own_pid=200).in_call() is None

    def test_pipewire_listing_the_camera_is_no_call(self, tmp_path):
        proc = self.make_proc(tmp_path, {300: ["/dev/video0"], 301: ["/dev/video0"]})
        (proc / "300" / "comm").write_text("pipewire\n")
        (proc / "301" / "comm").write_text("wireplumber\n")
        assert camera.holders(proc, own_pid=1) == []
        (proc / "301" / "comm").write_text("zoom\n")
        assert camera.holders(proc, own_pid=1) == [301]

    def test_a_missing_proc_is_no_call(self, tmp_path):
        assert camera.holders(tmp_path / "nothing", own_pid=1) == []

    def test_the_real_proc_of_this_test_holds_no_camera(self):
        assert os.getpid() not in camera.holders(Path("/proc"), own_pid=-1)


class FakeRegistry:
    """``{path: {"subkeys": [...], "values": {...}}}`` like winreg would show them."""

    def __init__(self, tree):
        self.tree = tree

    def subkeys(self, path):
        return self.tree.get(path, {}).get("subkeys", [])

    def value(self, path, name):
        return self.tree.get(path, {}).get("values", {}).get(name)


def consent(device, packaged=None, nonpackaged=None):
    base = f"{windows.ROOT}\\{device}"
    tree = {base: {"subkeys": list(packaged or {}) + ["NonPackaged"], "values": {"Value": "Allow"}},
            f"{base}\\NonPackaged": {"subkeys": list(nonpackaged or {})}}
    for name, (start, stop) in (packaged or {}).items():
        tree[f"{base}\\{name}"] = {"values": {"LastUsedTimeStart": start, "LastUsedTimeStop": stop}}
    for name, (start, stop) in (nonpackaged or {}).items():
        tree[f"{base}\\NonPackaged\\{name}"] = {"values": {"LastUsedTimeStart": start, "LastUsedTimeStop": stop}}
    return tree


class TestWindowsConsentStore:
    def test_an_app_whose_stop_is_zero_uses_the_device(self):
        tree = consent("microphone", nonpackaged={"C:#Program Files#Zoom#bin#Zoom.exe": (133400000000000000, 0)})
        assert windows.ConsentStore(FakeRegistry(tree)).in_call() == "microphone in use"

    def test_finished_uses_are_no_call(self):
        tree = consent("microphone", packaged={"Microsoft.WindowsSoundRecorder_8wekyb3d8bbwe": (1334, 1335)},
                       nonpackaged={"C:#x.exe": (1334, 1340)})
        tree |= consent("webcam", nonpackaged={"C:#never.exe": (0, 0)})  # never used: start 0
        assert windows.ConsentStore(FakeRegistry(tree)).in_call() is None

    def test_a_packaged_camera_app_in_use(self):
        tree = consent("webcam", packaged={"Microsoft.WindowsCamera_8wekyb3d8bbwe": (1334, 0)})
        assert windows.ConsentStore(FakeRegistry(tree)).in_call() == "camera in use"

    def test_an_empty_registry_is_no_call(self):
        assert windows.ConsentStore(FakeRegistry({})).in_call() is None


class FakeCoreAudio:
    """``AudioObjectGetPropertyData`` as ctypes calls it: writes a UInt32 into the out pointer."""

    def __init__(self, default_input=73, running=1, status=0):
        self.answers = {(macos.SYSTEM_OBJECT, macos.DEFAULT_INPUT): default_input,
                        (default_input, macos.RUNNING_SOMEWHERE): running}
        self.status = status
        self.asked = []

    def __call__(self, obj, address, qualifier_size, qualifier, size, out):
        selector = address._obj.mSelector
        self.asked.append((obj.value, selector, address._obj.mScope))
        assert size._obj.value == ctypes.sizeof(ctypes.c_uint32)
        out._obj.value = self.answers.get((obj.value, selector), 0)
        return self.status


class TestMacCoreAudio:
    def test_running_somewhere_is_a_call(self):
        fake = FakeCoreAudio(running=1)
        assert macos.CoreAudioInput(fake).in_call() == "microphone in use"
        assert fake.asked == [(1, macos.fourcc("dIn "), macos.fourcc("glob")), (73, macos.fourcc("gone"), macos.fourcc("glob"))]

    def test_not_running_no_device_or_an_error_is_no_call(self):
        assert macos.CoreAudioInput(FakeCoreAudio(running=0)).in_call() is None
        assert macos.CoreAudioInput(FakeCoreAudio(default_input=0)).in_call() is None
        assert macos.CoreAudioInput(FakeCoreAudio(status=-50)).in_call() is None


class TestDetect:
    def test_linux_order_prefers_pipewire_and_keeps_pulse(self):
        which = {"pw-dump": "/usr/bin/pw-dump", "pactl": "/usr/bin/pactl"}.get
        assert calls.candidates({}, "linux", which) == ["pipewire", "pulse", "camera", "inhibit"]
        assert calls.candidates({}, "linux", lambda n: None) == ["camera", "inhibit"]
        assert calls.candidates({}, "win32") == ["windows"] and calls.candidates({}, "darwin") == ["macos"]
        assert calls.candidates({"NECKA_CALLS": "none"}, "linux") == []

    def test_nothing_available_says_none(self):
        assert calls.detect({"NECKA_CALLS": "none"}).name == "none"
        assert calls.detect({"NECKA_CALLS": "nosuch"}).in_call() is None

    def test_any_call_gives_the_first_reason_and_skips_failures(self):
        class Broken:
            name = "broken"

            def in_call(self):
                raise OSError("gone")

        class Camera:
            name = "cam"

            def in_call(self):
                return "camera in use"

        assert calls.AnyCall([Broken(), Camera()]).in_call() == "camera in use"
        assert calls.AnyCall([Broken(), Camera()]).name == "broken+cam"


def start_stub(address, kind):
    return privatebus.start_stub(address, [str(privatebus.STUB), kind])


@pytest.mark.parametrize("kind", ["gnome", "freedesktop"])
def test_idle_inhibitors_on_a_private_bus(private_bus, kind):
    from jeepney.io.blocking import open_dbus_connection

    source = IdleInhibitors(connect=lambda: open_dbus_connection(bus=private_bus))
    try:
        assert source.in_call() is None  # neither service on the bus: no call, no exception
        stub = start_stub(private_bus, kind)
        try:
            assert source.in_call() == "an app keeps the session awake"
        finally:
            stub.kill()
            stub.wait()
    finally:
        source.close()


def test_gnome_is_asked_for_the_idle_flag_only(private_bus):
    """The stub answers yes for flag 8 only: a source asking another flag would see no call."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    stub = start_stub(private_bus, "gnome")
    try:
        with open_dbus_connection(bus=private_bus) as conn:
            address = DBusAddress("/org/gnome/SessionManager", bus_name="org.gnome.SessionManager",
                                  interface="org.gnome.SessionManager")
            assert conn.send_and_get_reply(new_method_call(address, "IsInhibited", "u", (4,))).body == (False,)
    finally:
        stub.kill()
        stub.wait()
