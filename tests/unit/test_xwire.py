"""xwire, the tray's own X11 client, against a scripted X server on a Unix socket.

The real server (Xvfb, with and without a cookie) is in tests/desktop/test_xwire_e2e.py;
here the server's bytes are chosen: refusals, stray events and errors, malformed
greetings, silence, and (with Hypothesis) anything at all.
"""

from __future__ import annotations

import socket
import struct
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from necka_tray.desktop.platform import xwire
from necka_tray.desktop.platform.xwire import Connection, XWireError, parse_display, xauthority_entries

ROOT = 0x4A5


def greeting(screens=((ROOT, 1280, 800),), vendor=b"The X.Org Foundation", formats=2, visuals=(1, 0, 3)) -> bytes:
    """A successful connection-setup reply as Xvfb sends it (depths with ``visuals`` visuals each)."""
    body = struct.pack("<IIIIHHBBBBBBBBxxxx", 12101004, 0x200000, 0x1FFFFF, 256, len(vendor), 65535, len(screens),
                       formats, 0, 0, 32, 32, 8, 255)
    body += vendor + b"\0" * (-len(vendor) % 4) + b"\0" * 8 * formats
    for root, width, height in screens:
        body += struct.pack("<IIIIIHHHHHHIBBBB", root, 0x20, 0xFFFFFF, 0, 0, width, height, 338, 211, 1, 1, 0x21, 0,
                            0, 24, len(visuals))
        for count in visuals:
            body += struct.pack("<BxHxxxx", 24, count) + b"\0" * 24 * count
    return struct.pack("<BxHHH", 1, 11, 0, len(body) // 4) + body


def reply(seq: int, fields: bytes = b"", data1: int = 0, tail: bytes = b"") -> bytes:
    return struct.pack("<BBHI", 1, data1, seq, len(tail) // 4) + fields.ljust(24, b"\0") + tail


class FakeX:
    """A one-connection X server at ``path``: sends ``script`` after reading the client's setup."""

    def __init__(self, tmp_path: Path, script: list[bytes] | None = None) -> None:
        self.path = tmp_path / "X0"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        self.listener.listen(1)
        self.script = script if script is not None else [greeting()]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def display(self) -> str:
        return f"{self.path}:0"

    def _serve(self) -> None:
        conn, _ = self.listener.accept()
        with conn:
            conn.settimeout(5)
            try:
                self.received = conn.recv(4096)
                for chunk in self.script:
                    conn.sendall(chunk)
                    self.received += conn.recv(4096) if chunk is not self.script[-1] else b""
                conn.recv(1)  # until the client closes
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def no_xauthority(monkeypatch, tmp_path):
    monkeypatch.setenv("XAUTHORITY", str(tmp_path / "no-such-file"))


def xauth_entry(family: int, address: bytes, number: bytes, name: bytes, data: bytes) -> bytes:
    return struct.pack(">H", family) + b"".join(struct.pack(">H", len(f)) + f for f in (address, number, name, data))


# -- display names -----------------------------------------------------------


@pytest.mark.parametrize("name, parsed", [
    (":0", ("", 0, 0)), (":1.2", ("", 1, 2)), ("unix:10", ("", 10, 0)), ("unix/:3", ("", 3, 0)),
    ("localhost:10.0", ("localhost", 10, 0)), ("tcp/example.org:1", ("example.org", 1, 0)),
    ("::1:0", ("::1", 0, 0)), ("/tmp/launch-x/org.x:0", ("/tmp/launch-x/org.x", 0, 0)),
])
def test_display_names_as_x_clients_read_them(name, parsed):
    assert parse_display(name) == parsed


@pytest.mark.parametrize("name", ["", "0", ":", ":x", ":0.", ":0.x", ":٣", ":1e3", ":-1", ":99999999", ":0.1.2"])
def test_a_bad_display_name_is_refused_by_name(name):
    with pytest.raises(XWireError, match="not an X display name"):
        parse_display(name)


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_fuzzed_display_names_parse_or_are_refused(name):
    try:
        host, number, screen = parse_display(name)
    except XWireError:
        return
    assert 0 <= number <= 59535 and screen >= 0 and ":" in name


# -- the Xauthority file -------------------------------------------------------


def test_xauthority_entries_are_read_whole_and_a_torn_tail_is_dropped():
    one = xauth_entry(256, b"host", b"0", b"MIT-MAGIC-COOKIE-1", b"\x01" * 16)
    two = xauth_entry(65535, b"", b"", b"XDM-AUTHORIZATION-1", b"\x02" * 8)
    assert list(xauthority_entries(one + two)) == [
        (256, b"host", b"0", b"MIT-MAGIC-COOKIE-1", b"\x01" * 16), (65535, b"", b"", b"XDM-AUTHORIZATION-1", b"\x02" * 8)]
    assert list(xauthority_entries(one + two[:-3])) == [(256, b"host", b"0", b"MIT-MAGIC-COOKIE-1", b"\x01" * 16)]


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=300))
def test_fuzzed_xauthority_files_yield_only_whole_entries(data):
    for family, *fields in xauthority_entries(data):
        assert 0 <= family <= 0xFFFF and len(fields) == 4
        assert sum(2 + len(f) for f in fields) + 2 <= len(data)


def test_the_cookie_for_this_host_and_display_is_sent(tmp_path, monkeypatch):
    cookie = bytes(range(16))
    host = socket.gethostname().encode()
    (tmp_path / "xauth").write_bytes(
        xauth_entry(256, b"elsewhere", b"0", b"MIT-MAGIC-COOKIE-1", b"\xee" * 16)  # another machine's
        + xauth_entry(256, host, b"7", b"MIT-MAGIC-COOKIE-1", b"\xdd" * 16)  # another display's
        + xauth_entry(256, host, b"0", b"MIT-MAGIC-COOKIE-1", cookie))
    monkeypatch.setenv("XAUTHORITY", str(tmp_path / "xauth"))
    server = FakeX(tmp_path)
    with Connection(server.display):
        pass
    server.close()
    name_len, data_len = struct.unpack_from("<HH", server.received, 6)
    assert server.received[12:12 + name_len] == b"MIT-MAGIC-COOKIE-1"
    assert server.received[12 + 20:12 + 20 + data_len] == cookie


def test_an_xauthority_fifo_is_never_opened_for_reading(tmp_path, monkeypatch):
    import os

    os.mkfifo(tmp_path / "fifo")
    monkeypatch.setenv("XAUTHORITY", str(tmp_path / "fifo"))
    server = FakeX(tmp_path)
    with Connection(server.display) as x:  # no writer ever comes: a blocking open would hang here
        assert x.screen.root == ROOT
    server.close()
    assert struct.unpack_from("<HH", server.received, 6) == (0, 0)  # no authorization offered


# -- connecting ------------------------------------------------------------------


def test_the_greeting_gives_each_screen_its_root_and_size(tmp_path, no_xauthority):
    server = FakeX(tmp_path, [greeting(screens=((ROOT, 1280, 800), (0x800, 1024, 768)), vendor=b"odd", formats=3,
                                       visuals=(2, 0, 5, 1))])
    with Connection(server.display) as x:
        assert x.screens == [xwire.Screen(ROOT, 1280, 800), xwire.Screen(0x800, 1024, 768)]
        assert x.screen == x.screens[0]
    server.close()
    assert server.received[:6] == struct.pack("<BxHH", 0x6C, 11, 0)


def test_a_refusal_names_the_servers_reason(tmp_path, no_xauthority):
    reason = b"Authorization required, but no authorization protocol specified\n"
    refusal = struct.pack("<BBHHH", 0, len(reason), 11, 0, (len(reason) + 3) // 4) + reason.ljust(68, b"\0")
    server = FakeX(tmp_path, [refusal])
    with pytest.raises(XWireError, match="refused the connection: Authorization required"):
        Connection(server.display)
    server.close()


def test_a_missing_screen_is_refused(tmp_path, no_xauthority):
    server = FakeX(tmp_path)
    with pytest.raises(XWireError, match="no screen 1"):
        Connection(server.display + ".1")
    server.close()


def test_no_server_raises_an_os_error(tmp_path, no_xauthority):
    with pytest.raises(OSError):
        Connection(f"{tmp_path / 'nobody'}:0")


def test_a_silent_server_times_out(tmp_path, no_xauthority, monkeypatch):
    monkeypatch.setattr(xwire, "TIMEOUT", 0.2)
    server = FakeX(tmp_path, [b"\x01\x00"])  # two bytes of a greeting, then nothing
    with pytest.raises(OSError):  # socket.timeout is an OSError
        Connection(server.display)
    server.close()


# -- requests ----------------------------------------------------------------------


def test_stray_events_and_other_requests_errors_are_skipped(tmp_path, no_xauthority):
    event = struct.pack("<BxH", 12, 0).ljust(32, b"\0")  # an Expose nobody asked for
    generic = struct.pack("<BBHIH", 35, 0, 0, 2, 0).ljust(32, b"\0") + b"\0" * 8  # a GenericEvent with a tail
    old_error = struct.pack("<BBH", 0, 3, 0xFFFF).ljust(32, b"\0")  # another sequence number's error
    answer = reply(1, struct.pack("<I", 0x1234))
    server = FakeX(tmp_path, [greeting(), event + generic + old_error + answer])
    with Connection(server.display) as x:
        assert x.get_selection_owner(5) == 0x1234
    server.close()


def test_an_x_error_for_the_request_raises(tmp_path, no_xauthority):
    error = struct.pack("<BBH", 0, 3, 1).ljust(32, b"\0")  # BadWindow
    server = FakeX(tmp_path, [greeting(), error])
    with Connection(server.display) as x, pytest.raises(XWireError, match=r"X error 3 \(BadWindow\)"):
        x.get_geometry(0xDEAD)
    server.close()


def test_properties_values_and_absence(tmp_path, no_xauthority):
    atoms = struct.pack("<3I", 300, 301, 302)
    server = FakeX(tmp_path, [greeting(), reply(1, struct.pack("<IIIxxxxxxxxxxxx", 4, 0, 3), data1=32, tail=atoms),
                              reply(2, struct.pack("<III", 0, 0, 0))])
    with Connection(server.display) as x:
        assert x.get_property(ROOT, 1) == [300, 301, 302]
        assert x.get_property(ROOT, 2) is None
    server.close()


def test_the_idle_counter_through_the_extensions_opcode(tmp_path, no_xauthority):
    server = FakeX(tmp_path, [greeting(), reply(1, struct.pack("<BBBB", 1, 144, 0, 0)),
                              reply(2, struct.pack("<III", 0, 0, 61_500), data1=1)])
    with Connection(server.display) as x:
        assert x.idle_ms() == 61_500
    server.close()
    # The QueryInfo request went to the opcode the server gave, for the root window.
    assert struct.pack("<BBHI", 144, 1, 2, ROOT) in server.received


def test_an_oversized_reply_is_refused_not_read(tmp_path, no_xauthority):
    huge = struct.pack("<BBHI", 1, 0, 1, 1 << 28).ljust(32, b"\0")
    server = FakeX(tmp_path, [greeting(), huge])
    with Connection(server.display) as x, pytest.raises(XWireError, match="oversized"):
        x.get_input_focus()
    server.close()


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=120), st.sampled_from(["greeting", "reply"]))
def test_fuzzed_server_bytes_raise_only_documented_errors(data, where):
    """Whatever the server sends, the caller sees an answer, XWireError or OSError, within the timeout."""
    a, b = socket.socketpair()
    with a, b:
        b.sendall(data if where == "greeting" else greeting() + data)
        b.shutdown(socket.SHUT_WR)  # then the server hangs up
        x = Connection.__new__(Connection)
        x._sock, x._seq, x._opcodes = a, 0, {}
        a.settimeout(1)
        try:
            x.screens = x._setup((b"", b""))
            x.screen = x.screens[0]
            x.get_input_focus()
        except (XWireError, OSError):
            pass
